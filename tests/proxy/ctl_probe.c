/* ctl_probe.c -- a control-channel client for the proxy tests: sends raw
 * messages (valid or not) and reports what the proxy answers.
 *
 *   ctl_probe send ID MESSAGE...     one message per argument (C escapes
 *                                    \n \r \t \\ \xHH), print each answer
 *   ctl_probe silent ID              connect, send nothing, print the ms
 *                                    until the proxy drops the connection
 *   ctl_probe hit-and-run ID N       N x connect, write a resize, close
 *   ctl_probe connect-close ID N     N x connect and close at once
 *   ctl_probe resizes ID N           N resizes on one connection, each
 *                                    must be answered "ok"
 *   ctl_probe module-client ID N     N x the module's write-and-close
 *                                    client (module/proxy_resize.h); each
 *                                    must succeed within its 50 ms budget
 *   ctl_probe module-client-missing ID   the module's client against a
 *                                    session that does not exist must
 *                                    fail within its budget
 *   ctl_probe module-client-stalled ID   the same against a server on
 *                                    ID that never accepts and whose
 *                                    listen backlog is full: fails, and
 *                                    within its budget
 *   ctl_probe random ID N            N packets of random bytes (1-300
 *                                    long) on one connection, each must
 *                                    be answered "error ..."
 *   ctl_probe vanish ID N            N x connect, write part of a resize
 *                                    message (cut anywhere, no newline)
 *                                    or the whole of it, close without
 *                                    reading the answer
 *   ctl_probe hang-partial ID        connect, write part of a message,
 *                                    print "sent", then wait (for a
 *                                    test to kill it) up to 60 s
 * Exit 0 when everything went as described, 1 otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "channel.h"
#include "control.h"
#include "proxy_resize.h"

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int channel_path(const char *id, char *path, size_t size)
{
    char dir[CTL_NAME_MAX];
    enum ctl_status st =
        ctl_socket_dir(getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"),
                       (unsigned long)geteuid(), dir, sizeof dir);
    if (st == CTL_OK)
        st = ctl_socket_path(dir, id, path, size);
    if (st != CTL_OK) {
        fprintf(stderr, "ctl_probe: %s\n", ctl_strerror(st));
        return -1;
    }
    return 0;
}

/* Connect, retrying on a full backlog for up to 2 s. */
static int connect_channel(const char *id)
{
    char path[CTL_NAME_MAX];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    long deadline = now_ms() + 2000;

    if (channel_path(id, path, sizeof path) != 0)
        return -1;
    strcpy(addr.sun_path, path);
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -1;
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0)
            return fd;
        close(fd);
        if (errno != EAGAIN || now_ms() > deadline) {
            fprintf(stderr, "ctl_probe: connect %s: %s\n", path,
                    strerror(errno));
            return -1;
        }
        usleep(1000);
    }
}

static size_t unescape(const char *s, char *out, size_t size)
{
    size_t n = 0;

    while (*s != '\0' && n < size) {
        if (*s != '\\') {
            out[n++] = *s++;
            continue;
        }
        s++;
        switch (*s) {
        case 'n':
            out[n++] = '\n';
            s++;
            break;
        case 'r':
            out[n++] = '\r';
            s++;
            break;
        case 't':
            out[n++] = '\t';
            s++;
            break;
        case 'x': {
            char hex[3] = {s[1], s[1] ? s[2] : 0, 0};
            out[n++] = (char)strtol(hex, NULL, 16);
            s += 3;
            break;
        }
        case '\0': break;
        default: out[n++] = *s++; break;
        }
    }
    return n;
}

static int answer_of(int fd, char *buf, size_t size)
{
    struct timeval tv = {3, 0};
    ssize_t n;

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    n = recv(fd, buf, size - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    return (int)n;
}

static int cmd_send(const char *id, int argc, char **argv)
{
    int fd = connect_channel(id), status = 0;
    static char msg[1 << 17];

    if (fd < 0)
        return 1;
    for (int i = 0; i < argc; i++) {
        char answer[256];
        size_t len = unescape(argv[i], msg, sizeof msg);
        if (send(fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len) {
            printf("send failed: %s\n", strerror(errno));
            status = 1;
            break;
        }
        if (answer_of(fd, answer, sizeof answer) < 0) {
            printf("no answer\n");
            status = 1;
            break;
        }
        fputs(answer, stdout);
    }
    close(fd);
    return status;
}

static int cmd_silent(const char *id)
{
    int fd = connect_channel(id);
    long start = now_ms();
    char buf[64];
    struct timeval tv = {30, 0};

    if (fd < 0)
        return 1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (recv(fd, buf, sizeof buf, 0) != 0) {
        printf("not dropped\n");
        return 1;
    }
    printf("%ld\n", now_ms() - start);
    close(fd);
    return 0;
}

static int cmd_repeat(const char *id, long n, int write_first)
{
    for (long i = 0; i < n; i++) {
        int fd = connect_channel(id);
        if (fd < 0)
            return 1;
        if (write_first && send(fd, "resize 80 24\n", 13, MSG_NOSIGNAL) != 13)
            return 1;
        close(fd);
    }
    return 0;
}

static int cmd_resizes(const char *id, long n)
{
    int fd = connect_channel(id);
    char msg[CTL_MSG_MAX + 1], answer[256];

    if (fd < 0)
        return 1;
    for (long i = 0; i < n; i++) {
        int len = ctl_encode_resize(msg, sizeof msg, 20 + (int)(i % 200),
                                    10 + (int)(i % 50));
        if (send(fd, msg, (size_t)len, MSG_NOSIGNAL) != len ||
            answer_of(fd, answer, sizeof answer) < 0 ||
            strcmp(answer, "ok\n") != 0) {
            printf("resize %ld not answered ok\n", i);
            return 1;
        }
    }
    close(fd);
    return 0;
}

static int cmd_random(const char *id, long n)
{
    int fd = connect_channel(id);
    char msg[300], answer[256];

    if (fd < 0)
        return 1;
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    for (long i = 0; i < n; i++) {
        size_t len = (size_t)(rand() % (int)sizeof msg) + 1;
        for (size_t j = 0; j < len; j++)
            msg[j] = (char)(rand() & 0xff);
        /* Keep the odd valid message out: every packet must be refused. */
        msg[0] = (char)0xff;
        if (send(fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len ||
            answer_of(fd, answer, sizeof answer) < 0 ||
            strncmp(answer, "error ", 6) != 0) {
            printf("random packet %ld not answered with an error\n", i);
            return 1;
        }
    }
    close(fd);
    return 0;
}

static int cmd_vanish(const char *id, long n)
{
    char msg[CTL_MSG_MAX + 1];

    for (long i = 0; i < n; i++) {
        int fd = connect_channel(id);
        int len = ctl_encode_resize(msg, sizeof msg, 20 + (int)(i % 200), 10);
        /* 0 .. len bytes: from nothing at all to the whole message. */
        size_t cut = (size_t)(i % (len + 1));

        if (fd < 0)
            return 1;
        if (cut > 0 && send(fd, msg, cut, MSG_NOSIGNAL) != (ssize_t)cut) {
            printf("send %ld failed: %s\n", i, strerror(errno));
            close(fd);
            return 1;
        }
        close(fd);
    }
    return 0;
}

static int cmd_hang_partial(const char *id)
{
    int fd = connect_channel(id);

    if (fd < 0)
        return 1;
    if (send(fd, "resize 4", 8, MSG_NOSIGNAL) != 8)
        return 1;
    printf("sent\n");
    fflush(stdout);
    sleep(60);
    close(fd);
    return 0;
}

enum { MODULE_BUDGET_MS = 50 };

static int cmd_module_client(const char *id, long n, bool expect)
{
    long worst = 0;

    for (long i = 0; i < n; i++) {
        long start = now_ms(), took;
        bool ok =
            proxy_resize_send(id, 40 + (int)(i % 100), 20, MODULE_BUDGET_MS);
        took = now_ms() - start;
        if (took > worst)
            worst = took;
        if (ok != expect || took > MODULE_BUDGET_MS + 20) {
            printf("call %ld: %s after %ld ms\n", i, ok ? "sent" : "not sent",
                   took);
            return 1;
        }
    }
    printf("%ld calls, slowest %ld ms\n", n, worst);
    return 0;
}

/* A server at ID's socket that never accepts, its backlog filled by
 * connections this process keeps open, and the module's client tried
 * against it. */
static int cmd_module_client_stalled(const char *id)
{
    char dir[CTL_NAME_MAX], path[CTL_NAME_MAX];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int srv, held = 0, status;

    if (ctl_socket_dir(getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"),
                       (unsigned long)geteuid(), dir, sizeof dir) != CTL_OK ||
        ctl_socket_dir_check(dir, true) != CTL_OK ||
        channel_path(id, path, sizeof path) != 0)
        return 1;
    strcpy(addr.sun_path, path);
    srv = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (srv < 0 || bind(srv, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(srv, 0) != 0) {
        printf("stalled server: %s\n", strerror(errno));
        return 1;
    }
    for (;;) {
        int fd =
            socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            return 1;
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
            close(fd);
            break; /* EAGAIN: the backlog is full */
        }
        if (++held > 64) {
            printf("the backlog never filled\n");
            return 1;
        }
    }
    status = cmd_module_client(id, 20, false);
    unlink(path);
    return status;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "module-client") == 0)
        return cmd_module_client(argv[2], atol(argv[3]), true);
    if (argc == 3 && strcmp(argv[1], "module-client-missing") == 0)
        return cmd_module_client(argv[2], 1, false);
    if (argc == 3 && strcmp(argv[1], "module-client-stalled") == 0)
        return cmd_module_client_stalled(argv[2]);
    if (argc == 4 && strcmp(argv[1], "random") == 0)
        return cmd_random(argv[2], atol(argv[3]));
    if (argc >= 4 && strcmp(argv[1], "send") == 0)
        return cmd_send(argv[2], argc - 3, argv + 3);
    if (argc == 3 && strcmp(argv[1], "silent") == 0)
        return cmd_silent(argv[2]);
    if (argc == 4 && strcmp(argv[1], "hit-and-run") == 0)
        return cmd_repeat(argv[2], atol(argv[3]), 1);
    if (argc == 4 && strcmp(argv[1], "connect-close") == 0)
        return cmd_repeat(argv[2], atol(argv[3]), 0);
    if (argc == 4 && strcmp(argv[1], "vanish") == 0)
        return cmd_vanish(argv[2], atol(argv[3]));
    if (argc == 3 && strcmp(argv[1], "hang-partial") == 0)
        return cmd_hang_partial(argv[2]);
    if (argc == 4 && strcmp(argv[1], "resizes") == 0)
        return cmd_resizes(argv[2], atol(argv[3]));
    fprintf(stderr, "usage: see the comment at the top of ctl_probe.c\n");
    return 2;
}

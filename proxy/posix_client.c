/* posix_client.c -- the control channel's client side: "conpty-proxy
 * resize" and "kill", and the request and connection that "list" and
 * "attach" use too; bounded waits throughout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "channel.h"
#include "control.h"
#include "posix.h"

enum { CLIENT_BUDGET_MS = 2000 };

static int fail(const char *what, const char *detail)
{
    fprintf(stderr, "conpty-proxy: %s: %s\n", what, detail);
    return PROXY_EXIT_FAILURE;
}

/* Connect to PATH, retrying while the listen backlog is full, until
 * DEADLINE.  Returns the connected socket or -1 (errno set). */
static int connect_until(const char *path, int type, uint64_t deadline)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};

    strcpy(addr.sun_path, path);
    for (;;) {
        int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        struct timespec pause = {0, 1000000};

        if (fd < 0)
            return -1;
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
            if (posix_peer_is_us(fd))
                return fd;
            close(fd);
            errno = EPERM; /* a socket of another user's */
            return -1;
        }
        close(fd);
        if (errno != EAGAIN || posix_now_ms() >= deadline)
            return -1;
        nanosleep(&pause, NULL);
    }
}

int posix_socket_dir(char *dir, size_t size, bool create)
{
    enum ctl_status st =
        ctl_socket_dir(getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"),
                       (unsigned long)geteuid(), dir, size);

    if (st == CTL_OK)
        st = ctl_socket_dir_check(dir, create);
    if (st != CTL_OK) {
        fprintf(stderr, "conpty-proxy: %s: %s%s%s\n", dir, ctl_strerror(st),
                st == CTL_E_DIR ? ": " : "",
                st == CTL_E_DIR ? strerror(errno) : "");
        return -1;
    }
    return 0;
}

int posix_connect(const char *path, int type)
{
    return connect_until(path, type, posix_now_ms() + CLIENT_BUDGET_MS);
}

void posix_remove_stale(const char *path, int type)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

    if (fd < 0)
        return;
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0 &&
        errno == ECONNREFUSED)
        unlink(path);
    close(fd);
}

int posix_ctl_request(const char *id, const char *msg, size_t len, char *answer,
                      size_t size)
{
    char dir[CTL_NAME_MAX], path[CTL_NAME_MAX];
    struct timeval tv = {CLIENT_BUDGET_MS / 1000, 0};
    enum ctl_status st;
    int fd;
    ssize_t n;

    if (posix_socket_dir(dir, sizeof dir, false) != 0)
        return -1;
    st = ctl_socket_path(dir, id, path, sizeof path);
    if (st != CTL_OK) {
        fprintf(stderr, "conpty-proxy: %s: %s\n", id, ctl_strerror(st));
        return -1;
    }
    fd = posix_connect(path, SOCK_SEQPACKET);
    if (fd < 0) {
        fprintf(stderr, "conpty-proxy: %s: %s\n", path, strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (send(fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len) {
        fprintf(stderr, "conpty-proxy: send: %s\n", strerror(errno));
        close(fd);
        return -1;
    }
    n = recv(fd, answer, size, 0);
    close(fd);
    if (n <= 0) {
        fprintf(stderr, "conpty-proxy: no answer: %s\n",
                n == 0 ? "channel closed" : strerror(errno));
        return -1;
    }
    return (int)n;
}

/* Send the message of LEN bytes at MSG to session ID and expect "ok";
 * WHAT names the request in messages. */
static int request_ok(const char *what, const char *id, const char *msg,
                      int len)
{
    char answer[CTL_ANSWER_MAX + 1];
    enum ctl_answer_kind kind;
    const char *reason;
    size_t reason_len;
    int n;

    if (len < 0)
        return fail("message", "cannot encode");
    n = posix_ctl_request(id, msg, (size_t)len, answer, sizeof answer);
    if (n < 0) {
        fprintf(stderr, "conpty-proxy: %s: session %s unreachable\n", what, id);
        return PROXY_EXIT_FAILURE;
    }
    if (ctl_parse_answer(answer, (size_t)n, &kind, &reason, &reason_len) !=
        CTL_OK)
        return fail("answer", "malformed");
    if (kind != CTL_ANSWER_OK) {
        fprintf(stderr, "conpty-proxy: %s refused: %.*s\n", what,
                (int)reason_len, reason != NULL ? reason : "unexpected answer");
        return PROXY_EXIT_FAILURE;
    }
    return 0;
}

int backend_send_resize(const char *id, int cols, int rows)
{
    char msg[CTL_MSG_MAX + 1];

    return request_ok("resize", id, msg,
                      ctl_encode_resize(msg, sizeof msg, cols, rows));
}

int backend_kill(const char *id)
{
    char msg[CTL_MSG_MAX + 1];

    return request_ok("kill", id, msg,
                      ctl_encode_verb(msg, sizeof msg, CTL_VERB_KILL));
}

/* posix_client.c -- "conpty-proxy resize": one resize over the control
 * socket, waiting a bounded time for the answer. */
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
    fprintf(stderr, "conpty-proxy: resize: %s: %s\n", what, detail);
    return PROXY_EXIT_FAILURE;
}

/* Connect to PATH, retrying while the listen backlog is full, until
 * DEADLINE.  Returns the connected socket or -1 (errno set). */
static int connect_until(const char *path, uint64_t deadline)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};

    strcpy(addr.sun_path, path);
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        struct timespec pause = {0, 1000000};

        if (fd < 0)
            return -1;
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0)
            return fd;
        close(fd);
        if (errno != EAGAIN || posix_now_ms() >= deadline)
            return -1;
        nanosleep(&pause, NULL);
    }
}

int backend_send_resize(const char *id, int cols, int rows)
{
    char dir[CTL_NAME_MAX], path[CTL_NAME_MAX], msg[CTL_MSG_MAX + 1];
    char answer[CTL_MSG_MAX + 1];
    struct timeval tv = {CLIENT_BUDGET_MS / 1000, 0};
    enum ctl_answer_kind kind;
    const char *reason;
    size_t reason_len;
    enum ctl_status st;
    int fd, len;
    ssize_t n;

    st = ctl_socket_dir(getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"),
                        (unsigned long)geteuid(), dir, sizeof dir);
    if (st == CTL_OK)
        st = ctl_socket_dir_check(dir, false);
    if (st == CTL_E_DIR)
        return fail(dir, strerror(errno));
    if (st == CTL_OK)
        st = ctl_socket_path(dir, id, path, sizeof path);
    if (st != CTL_OK)
        return fail(dir, ctl_strerror(st));
    len = ctl_encode_resize(msg, sizeof msg, cols, rows);
    if (len < 0)
        return fail("message", "cannot encode");

    fd = connect_until(path, posix_now_ms() + CLIENT_BUDGET_MS);
    if (fd < 0)
        return fail(path, strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (send(fd, msg, (size_t)len, MSG_NOSIGNAL) != len) {
        close(fd);
        return fail("send", strerror(errno));
    }
    n = recv(fd, answer, sizeof answer, 0);
    close(fd);
    if (n <= 0)
        return fail("no answer", n == 0 ? "channel closed" : strerror(errno));
    if (ctl_parse_answer(answer, (size_t)n, &kind, &reason, &reason_len) !=
        CTL_OK)
        return fail("answer", "malformed");
    if (kind != CTL_ANSWER_OK) {
        fprintf(stderr, "conpty-proxy: resize refused: %.*s\n", (int)reason_len,
                reason != NULL ? reason : "unexpected answer");
        return PROXY_EXIT_FAILURE;
    }
    return 0;
}

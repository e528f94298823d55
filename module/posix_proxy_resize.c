/* posix_proxy_resize.c -- proxy_resize.h on POSIX: a Unix-domain socket,
 * connected and written without blocking past the budget. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* SOCK_CLOEXEC, SOCK_NONBLOCK, MSG_NOSIGNAL */
#endif
#include "proxy_resize.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "channel.h"
#include "control.h"

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining(int64_t deadline)
{
    int64_t left = deadline - now_ms();
    return left <= 0 ? 0 : left > 1000000 ? 1000000 : (int)left;
}

/* The proxy serves SOCK_SEQPACKET (one message per packet), as Linux has
 * it for Unix-domain sockets. */
static int client_socket(void)
{
    return socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
}

/* Sleep up to MS milliseconds. */
static void nap(int ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};

    if (ms > 0)
        nanosleep(&ts, NULL);
}

bool proxy_resize_send(const char *id, int cols, int rows, int budget_ms)
{
    int64_t deadline = now_ms() + (budget_ms > 0 ? budget_ms : 0);
    char dir[CTL_NAME_MAX], msg[CTL_MSG_MAX + 1];
    struct sockaddr_un addr;
    bool ok = false;
    int fd, len;

    len = ctl_encode_resize(msg, sizeof msg, cols, rows);
    if (len < 0 || ctl_id_check(id) != CTL_OK)
        return false;
    if (ctl_socket_dir(getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"),
                       (unsigned long)geteuid(), dir, sizeof dir) != CTL_OK)
        return false;
    /* Refuse a directory someone else owns or can write to. */
    if (ctl_socket_dir_check(dir, false) != CTL_OK)
        return false;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (ctl_socket_path(dir, id, addr.sun_path, sizeof addr.sun_path) != CTL_OK)
        return false;

    fd = client_socket();
    if (fd < 0)
        return false;
    for (;;) {
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0)
            break;
        if (errno == EINTR)
            continue;
        /* A full listen backlog: the proxy accepts them all each time it
         * wakes, so retry shortly, within the budget. */
        if ((errno == EAGAIN || errno == EWOULDBLOCK) &&
            remaining(deadline) > 0) {
            int left = remaining(deadline);
            nap(left < 5 ? left : 5);
            continue;
        }
        if (errno == EINPROGRESS) {
            struct pollfd p = {fd, POLLOUT, 0};
            int err = 0;
            socklen_t err_len = sizeof err;
            if (poll(&p, 1, remaining(deadline)) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) == 0 &&
                err == 0)
                break;
        }
        goto out; /* no such session, or out of time */
    }
    for (;;) {
        ssize_t n = send(fd, msg, (size_t)len, MSG_NOSIGNAL);
        if (n == len) {
            ok = true;
            break;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {fd, POLLOUT, 0};
            if (poll(&p, 1, remaining(deadline)) == 1)
                continue;
        }
        break; /* a partial stream write or an error: not sent */
    }
out:
    close(fd);
    return ok;
}

/* posix_ctl_server.c -- the control channel on a Unix-domain socket:
 * SOCK_SEQPACKET where the OS has it (one message per packet). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "channel.h"
#include "posix.h"
#include "trace.h"

static void client_close(struct posix_ctl_client *c)
{
    close(c->fd);
    c->fd = -1;
}

int posix_ctl_server_open(struct posix_ctl_server *srv, const char *id,
                          const struct ctl_handlers *handlers)
{
    char dir[CTL_NAME_MAX];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    enum ctl_status st;
    int fd;

    srv->listen_fd = -1;
    srv->path[0] = '\0';
    srv->handlers = *handlers;
    for (int i = 0; i < POSIX_CTL_MAX_CLIENTS; i++)
        srv->clients[i].fd = -1;

    st = ctl_socket_dir(getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"),
                        (unsigned long)geteuid(), dir, sizeof dir);
    if (st == CTL_OK)
        st = ctl_socket_dir_check(dir, true);
    if (st != CTL_OK) {
        fprintf(stderr, "conpty-proxy: %s: %s%s%s\n", dir, ctl_strerror(st),
                st == CTL_E_DIR ? ": " : "",
                st == CTL_E_DIR ? strerror(errno) : "");
        return -1;
    }
    st = ctl_socket_path(dir, id, srv->path, sizeof srv->path);
    if (st != CTL_OK) {
        fprintf(stderr, "conpty-proxy: control socket path for '%s': %s\n", id,
                ctl_strerror(st));
        srv->path[0] = '\0';
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fprintf(stderr, "conpty-proxy: socket: %s\n", strerror(errno));
        srv->path[0] = '\0';
        return -1;
    }
    strcpy(addr.sun_path, srv->path);
    /* An existing path is never removed: in our 0700 directory it can only
     * be another session of ours using the same id. */
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        fprintf(stderr, "conpty-proxy: control channel %s: %s\n", srv->path,
                errno == EADDRINUSE ? "already exists (id in use)"
                                    : strerror(errno));
        close(fd);
        srv->path[0] = '\0';
        return -1;
    }
    if (listen(fd, SOMAXCONN) != 0) {
        fprintf(stderr, "conpty-proxy: listen: %s\n", strerror(errno));
        close(fd);
        unlink(srv->path);
        srv->path[0] = '\0';
        return -1;
    }
    srv->listen_fd = fd;
    return 0;
}

void posix_ctl_server_close(struct posix_ctl_server *srv)
{
    for (int i = 0; i < POSIX_CTL_MAX_CLIENTS; i++)
        if (srv->clients[i].fd >= 0)
            client_close(&srv->clients[i]);
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    srv->listen_fd = -1;
    if (srv->path[0] != '\0')
        unlink(srv->path);
    srv->path[0] = '\0';
}

static int free_slot(const struct posix_ctl_server *srv)
{
    for (int i = 0; i < POSIX_CTL_MAX_CLIENTS; i++)
        if (srv->clients[i].fd < 0)
            return i;
    return -1;
}

int posix_ctl_server_pollfds(const struct posix_ctl_server *srv,
                             struct pollfd *fds)
{
    int n = 0;

    /* With every slot taken, new clients wait in the listen backlog. */
    fds[n++] = (struct pollfd){.fd = free_slot(srv) >= 0 ? srv->listen_fd : -1,
                               .events = POLLIN};
    for (int i = 0; i < POSIX_CTL_MAX_CLIENTS; i++)
        fds[n++] = (struct pollfd){.fd = srv->clients[i].fd, .events = POLLIN};
    return n;
}

/* Accept every pending connection there is room for: a full backlog
 * makes clients retry, and with every slot taken the rest wait in the
 * backlog until a client leaves or is dropped at its deadline. */
static void accept_all(struct posix_ctl_server *srv, uint64_t now)
{
    int slot;

    while ((slot = free_slot(srv)) >= 0) {
        int fd =
            accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                trace("control: accept: %s", strerror(errno));
            return;
        }
        if (!posix_peer_is_us(fd)) {
            trace("control: refused a client of another user");
            posix_refuse_peer(fd);
            continue;
        }
        srv->clients[slot].fd = fd;
        srv->clients[slot].deadline = ctl_conn_deadline(now);
    }
}

/* Read and answer every message waiting on client C. */
static void serve_client(struct posix_ctl_server *srv,
                         struct posix_ctl_client *c, uint64_t now)
{
    for (;;) {
        char buf[CTL_MSG_MAX + 1];
        struct ctl_answer answer;
        /* MSG_TRUNC: the packet's real length, so oversize is detected. */
        ssize_t n = recv(c->fd, buf, sizeof buf, MSG_TRUNC);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                trace("control: client read: %s", strerror(errno));
                client_close(c);
            }
            return;
        }
        if (n == 0) {
            client_close(c);
            return;
        }
        if ((size_t)n > sizeof buf) {
            trace("control: %zd-byte message truncated", n);
            n = sizeof buf; /* still over CTL_MSG_MAX: answered "too long" */
        }
        ctl_conn_handle(buf, (size_t)n, &srv->handlers, &answer);
        c->deadline = ctl_conn_deadline(now);
        /* Never wait for a client to read: one that lets its answers pile
         * up (or has gone) is dropped. */
        if (send(c->fd, answer.text, answer.len, MSG_DONTWAIT | MSG_NOSIGNAL) !=
            (ssize_t)answer.len) {
            if (errno != EPIPE && errno != ECONNRESET)
                trace("control: client not reading answers: dropped");
            client_close(c);
            return;
        }
    }
}

void posix_ctl_server_dispatch(struct posix_ctl_server *srv,
                               const struct pollfd *fds, int n, uint64_t now)
{
    for (int i = 1; i < n; i++) {
        struct posix_ctl_client *c = &srv->clients[i - 1];
        if (c->fd >= 0 && fds[i].fd == c->fd &&
            (fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
            serve_client(srv, c, now);
    }
    for (int i = 0; i < POSIX_CTL_MAX_CLIENTS; i++) {
        struct posix_ctl_client *c = &srv->clients[i];
        if (c->fd >= 0 && now >= c->deadline) {
            trace("control: silent client dropped after %d ms",
                  CTL_IDLE_TIMEOUT_MS);
            client_close(c);
        }
    }
    if (n > 0 && (fds[0].revents & POLLIN))
        accept_all(srv, now);
}

uint64_t posix_ctl_server_next_deadline(const struct posix_ctl_server *srv)
{
    uint64_t next = UINT64_MAX;

    for (int i = 0; i < POSIX_CTL_MAX_CLIENTS; i++)
        if (srv->clients[i].fd >= 0 && srv->clients[i].deadline < next)
            next = srv->clients[i].deadline;
    return next;
}

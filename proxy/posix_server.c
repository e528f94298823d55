/* posix_server.c -- "conpty-proxy serve": a session server, detached
 * from whoever started it (its own session, stdio on /dev/null), that
 * owns the pty and the child and feeds every byte of output into its
 * own terminal (screen.h), so the state is current whether or not a
 * client is attached and the program never blocks on output while none
 * is.  One poll() loop serves the control channel (resize, ping, kill,
 * info) and the data channel, where one client at a time gets a
 * snapshot (snapshot.h) and then the live stream in frames
 * (attach_frame.h), and sends input. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach_frame.h"
#include "attach_serve.h"
#include "backend.h"
#include "channel.h"
#include "policy.h"
#include "posix.h"
#include "queue.h"
#include "screen.h"
#include "session_info.h"
#include "trace.h"

enum { PENDING_MAX = 4, HELLO_MAX = 64 };

/* A connection to the data channel that has not said hello yet. */
struct pending {
    int fd; /* -1 when free */
    uint64_t deadline;
    char hello[HELLO_MAX];
    size_t len;
};

struct server {
    struct pty_life life;
    struct posix_ctl_server ctl;
    int signal_fd, data_fd;
    char data_path[CTL_NAME_MAX];
    struct screen *screen;
    int cols, rows;
    long long start;
    const char *program;
    struct pending pending[PENDING_MAX];
    int client;        /* the attached client's socket, or -1 */
    struct queue *out; /* frames for the client */
    bool reading_paused;
};

/* --- control channel --- */

static uint32_t apply_resize(void *ctx, int cols, int rows)
{
    struct server *s = ctx;
    int err = pty_resize(s->life.child.master, cols, rows);

    if (err == 0) {
        s->cols = cols;
        s->rows = rows;
        screen_resize(s->screen, cols, rows);
    }
    return (uint32_t)err;
}

static void end_session(void *ctx)
{
    struct server *s = ctx;

    pty_life_hang_up(&s->life, "kill message", posix_now_ms());
}

static void describe(void *ctx, struct ctl_info *info)
{
    struct server *s = ctx;

    session_describe(info, s->cols, s->rows, (long)s->life.child.pid, s->start,
                     s->client >= 0, s->program, screen_title(s->screen));
}

/* --- the attached client --- */

static void drop_client(struct server *s, const char *why)
{
    if (s->client < 0)
        return;
    trace("detach: %s", why);
    close(s->client);
    s->client = -1;
    queue_free(s->out);
    s->out = NULL;
    s->life.input_len = 0;
    s->reading_paused = false;
}

static void flush_client(struct server *s)
{
    const void *data;
    size_t len;

    while (s->client >= 0 && (len = queue_front(s->out, &data)) > 0) {
        ssize_t n = send(s->client, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                drop_client(s, strerror(errno));
            return;
        }
        queue_pop(s->out, (size_t)n);
    }
}

static void attach_client(struct server *s, int fd, bool take_over, int cols,
                          int rows)
{
    static const char busy[] = ATTACH_ANSWER_BUSY;
    static const char ok[] = ATTACH_ANSWER_OK;

    if (s->client >= 0 && !take_over) {
        trace("attach: refused, a client is attached");
        if (send(fd, busy, sizeof busy - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
            /* It learns from the closed connection instead. */
        }
        close(fd);
        return;
    }
    if (s->client >= 0) {
        attach_push_frame(s->out, FRAME_TAKEN, "", 0);
        flush_client(s);
        drop_client(s, "taken over");
    }
    /* The snapshot at the client's size. */
    if ((cols != s->cols || rows != s->rows) &&
        apply_resize(s, cols, rows) == 0)
        policy_trace_resize(cols, rows, 0);
    s->out = queue_new();
    if (s->out == NULL || !attach_push_snapshot(s->out, s->screen) ||
        send(fd, ok, sizeof ok - 1, MSG_DONTWAIT | MSG_NOSIGNAL) !=
            (ssize_t)(sizeof ok - 1)) {
        trace("attach: failed (out of memory or client gone)");
        queue_free(s->out);
        s->out = NULL;
        close(fd);
        return;
    }
    s->client = fd;
    flush_client(s);
}

static void read_client(struct server *s)
{
    ssize_t n =
        recv(s->client, s->life.input, sizeof s->life.input, MSG_DONTWAIT);

    if (n > 0) {
        s->life.input_len = s->life.pty_open ? (size_t)n : 0;
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    drop_client(s, n == 0 ? "client closed" : strerror(errno));
}

/* --- the data channel's listener and hellos --- */

static int open_data_channel(struct server *s, const char *id)
{
    char dir[CTL_NAME_MAX];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};

    if (posix_socket_dir(dir, sizeof dir, true) != 0)
        return -1;
    if (ctl_data_socket_path(dir, id, s->data_path, sizeof s->data_path) !=
        CTL_OK) {
        fprintf(stderr, "conpty-proxy: data channel path for '%s' too long\n",
                id);
        s->data_path[0] = '\0';
        return -1;
    }
    /* What a server killed outright left behind is removed; a live
     * server's channels are not. */
    posix_remove_stale(s->data_path, SOCK_STREAM);
    if (ctl_socket_path(dir, id, addr.sun_path, sizeof addr.sun_path) == CTL_OK)
        posix_remove_stale(addr.sun_path, SOCK_SEQPACKET);
    s->data_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->data_fd < 0) {
        fprintf(stderr, "conpty-proxy: socket: %s\n", strerror(errno));
        s->data_path[0] = '\0';
        return -1;
    }
    strcpy(addr.sun_path, s->data_path);
    if (bind(s->data_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(s->data_fd, PENDING_MAX) != 0) {
        fprintf(stderr, "conpty-proxy: data channel %s: %s\n", s->data_path,
                errno == EADDRINUSE ? "already exists (id in use)"
                                    : strerror(errno));
        if (errno != EADDRINUSE)
            unlink(s->data_path);
        s->data_path[0] = '\0';
        return -1;
    }
    return 0;
}

static void accept_pending(struct server *s, uint64_t now)
{
    for (int i = 0; i < PENDING_MAX; i++) {
        struct pending *p = &s->pending[i];
        int fd;

        if (p->fd >= 0)
            continue;
        fd = accept4(s->data_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        if (!posix_peer_is_us(fd)) {
            trace("attach: refused a client of another user");
            posix_refuse_peer(fd);
            continue;
        }
        *p = (struct pending){.fd = fd, .deadline = now + CTL_IDLE_TIMEOUT_MS};
    }
}

/* Read what pending connection P has sent of its hello; act on a whole
 * one. */
static void read_hello(struct server *s, struct pending *p)
{
    bool take_over;
    int cols, rows;
    ssize_t n = recv(p->fd, p->hello + p->len, 1, MSG_DONTWAIT);

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        close(p->fd);
        p->fd = -1;
        return;
    }
    p->len++;
    if (p->hello[p->len - 1] != '\n' && p->len < HELLO_MAX)
        return;
    if (attach_hello_parse(p->hello, p->len, &take_over, &cols, &rows)) {
        attach_client(s, p->fd, take_over, cols, rows);
    } else {
        trace("attach: bad hello (%zu bytes): dropped", p->len);
        close(p->fd);
    }
    p->fd = -1;
}

/* --- pty and child --- */

static void read_pty(struct server *s, uint64_t now)
{
    char buf[QUEUE_CHUNK];
    ssize_t n = read(s->life.child.master, buf, sizeof buf);

    if (n > 0) {
        pty_life_output(&s->life, now);
        /* The client first: the screen may wait for its parse thread. */
        if (s->client >= 0) {
            attach_push_frame(s->out, FRAME_DATA, buf, (size_t)n);
            flush_client(s);
        }
        screen_feed(s->screen, buf, (size_t)n, now);
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    pty_life_close_pty(&s->life);
}

static void update_backpressure(struct server *s, uint64_t now)
{
    bool full = s->client >= 0 && queue_full(s->out);

    if (!s->reading_paused && full) {
        s->reading_paused = true;
        policy_trace_backpressure(true, queue_size(s->out));
    } else if (s->reading_paused && (s->client < 0 || queue_drained(s->out))) {
        s->reading_paused = false;
        policy_trace_backpressure(false, s->out ? queue_size(s->out) : 0);
        pty_life_output(&s->life, now);
    }
}

static int poll_timeout(const struct server *s, uint64_t now)
{
    uint64_t next = posix_ctl_server_next_deadline(&s->ctl),
             quiet = screen_quiet_at(s->screen);

    for (int i = 0; i < PENDING_MAX; i++)
        if (s->pending[i].fd >= 0 && s->pending[i].deadline < next)
            next = s->pending[i].deadline;
    next = pty_life_next_deadline(&s->life, s->reading_paused, next);
    if (quiet < next)
        next = quiet;
    if (next == UINT64_MAX)
        return -1; /* idle means idle */
    return next <= now ? 0 : (int)(next - now > 60000 ? 60000 : next - now);
}

static void check_deadlines(struct server *s, uint64_t now)
{
    size_t quiet;

    for (int i = 0; i < PENDING_MAX; i++) {
        struct pending *p = &s->pending[i];

        if (p->fd >= 0 && now >= p->deadline) {
            trace("attach: silent client dropped");
            close(p->fd);
            p->fd = -1;
        }
    }
    pty_life_check_deadlines(&s->life, s->reading_paused, now);
    quiet = screen_quiet_if_due(s->screen, now);
    if (quiet > 0)
        trace("quiet: %zu bytes of held output to the parse thread", quiet);
}

static void run_loop(struct server *s)
{
    enum { SIG, DATA, CLIENT, PTY, PEND, CTL = PEND + PENDING_MAX };
    struct pollfd fds[CTL + 1 + POSIX_CTL_MAX_CLIENTS];

    while (s->life.running || s->life.pty_open) {
        uint64_t now = posix_now_ms();
        int nctl, r;

        update_backpressure(s, now);
        fds[SIG] = (struct pollfd){.fd = s->signal_fd, .events = POLLIN};
        fds[DATA] = (struct pollfd){.fd = s->data_fd, .events = POLLIN};
        fds[CLIENT] = (struct pollfd){
            .fd = s->client,
            .events =
                (short)((s->life.input_len == 0 ? POLLIN : 0) |
                        (s->client >= 0 && queue_size(s->out) > 0 ? POLLOUT
                                                                  : 0))};
        fds[PTY] = (struct pollfd){
            .fd = s->life.pty_open ? s->life.child.master : -1,
            .events = (short)((s->reading_paused ? 0 : POLLIN) |
                              (s->life.input_len > 0 ? POLLOUT : 0))};
        for (int i = 0; i < PENDING_MAX; i++)
            fds[PEND + i] =
                (struct pollfd){.fd = s->pending[i].fd, .events = POLLIN};
        nctl = posix_ctl_server_pollfds(&s->ctl, fds + CTL);

        r = poll(fds, (nfds_t)(CTL + nctl), poll_timeout(s, now));
        if (r < 0 && errno != EINTR) {
            trace("poll: %s", strerror(errno));
            break;
        }
        now = posix_now_ms();
        if (r > 0) {
            if (fds[SIG].revents)
                pty_life_read_signals(&s->life, s->signal_fd,
                                      "server got a signal", now);
            if (s->client >= 0 && (fds[CLIENT].revents & POLLOUT))
                flush_client(s);
            if (s->client >= 0 && s->life.input_len == 0 &&
                (fds[CLIENT].revents & (POLLIN | POLLHUP | POLLERR)))
                read_client(s);
            if (s->life.pty_open && (fds[PTY].revents & POLLOUT))
                pty_life_write_input(&s->life);
            if (s->life.pty_open &&
                (fds[PTY].revents & (POLLIN | POLLHUP | POLLERR)))
                read_pty(s, now);
            for (int i = 0; i < PENDING_MAX; i++)
                if (s->pending[i].fd >= 0 && fds[PEND + i].revents)
                    read_hello(s, &s->pending[i]);
            if (fds[DATA].revents & POLLIN)
                accept_pending(s, now);
        }
        posix_ctl_server_dispatch(&s->ctl, fds + CTL, r > 0 ? nctl : 0, now);
        check_deadlines(s, now);
    }
}

/* The session is over: the attached client gets the rest of the output
 * and the exit code, however long it takes it to read them. */
static void finish_client(struct server *s)
{
    if (s->client < 0 || !attach_push_exit(s->out, s->life.exit_code))
        return;
    while (s->client >= 0 && queue_size(s->out) > 0) {
        struct pollfd pfd = {.fd = s->client, .events = POLLOUT};

        if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
            break;
        flush_client(s);
    }
    drop_client(s, "session ended");
}

static void close_channels(struct server *s)
{
    for (int i = 0; i < PENDING_MAX; i++)
        if (s->pending[i].fd >= 0)
            close(s->pending[i].fd);
    if (s->data_fd >= 0)
        close(s->data_fd);
    if (s->data_path[0] != '\0')
        unlink(s->data_path);
    posix_ctl_server_close(&s->ctl);
}

/* Tell the starting process how the start went (CODE: 0 serving, else
 * the exit code it should end with) and stop writing to its stderr. */
static void report_start(int ready_fd, int code)
{
    unsigned char b = (unsigned char)code;
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);

    if (code == 0 && null >= 0)
        dup2(null, STDERR_FILENO);
    if (null >= 0)
        close(null);
    if (write(ready_fd, &b, 1) != 1) {
        /* The starting process has gone: nobody to tell. */
    }
    close(ready_fd);
}

/* The server process: set up, tell READY_FD, serve until the session
 * ends.  Returns the exit status of the server process. */
static int serve(const struct session_config *cfg, int scrollback, int ready_fd)
{
    struct server *s = calloc(1, sizeof *s);
    struct ctl_handlers handlers = {
        .resize = apply_resize, .kill = end_session, .info = describe};
    int code = PROXY_EXIT_FAILURE;

    if (s == NULL ||
        (s->screen = screen_new(cfg->cols, cfg->rows, scrollback)) == NULL) {
        fprintf(stderr, "conpty-proxy: out of memory\n");
        report_start(ready_fd, code);
        free(s);
        return code;
    }
    handlers.ctx = s;
    s->client = s->data_fd = -1;
    for (int i = 0; i < PENDING_MAX; i++)
        s->pending[i].fd = -1;
    s->ctl.listen_fd = -1;
    s->cols = cfg->cols;
    s->rows = cfg->rows;
    s->program = cfg->argv[0];
    s->start = (long long)time(NULL);
    trace_open();
    if ((s->signal_fd = posix_signals_install()) < 0 ||
        open_data_channel(s, cfg->id) != 0 ||
        posix_ctl_server_open(&s->ctl, cfg->id, &handlers) != 0 ||
        pty_spawn(cfg->argv, cfg->cols, cfg->rows, &s->life.child, &code) !=
            0) {
        report_start(ready_fd, code);
        close_channels(s);
        screen_free(s->screen);
        free(s);
        return code;
    }
    trace("serve: pid %ld, %dx%d, %s", (long)s->life.child.pid, cfg->cols,
          cfg->rows, cfg->argv[0]);
    s->life.pty_open = s->life.running = true;
    s->life.exit_code = PROXY_EXIT_FAILURE;
    if (chdir("/") != 0) {
        /* Only so as not to hold a directory busy. */
    }
    report_start(ready_fd, 0);

    run_loop(s);

    if (s->life.running) {
        kill(-s->life.child.pid, SIGHUP);
        kill(s->life.child.pid, SIGHUP);
    }
    /* Nobody new may attach to a session that has ended. */
    close_channels(s);
    finish_client(s);
    trace("exit: code %d", s->life.exit_code);
    pty_life_close_pty(&s->life);
    screen_free(s->screen);
    free(s);
    trace_close();
    return 0;
}

int backend_serve(const struct session_config *cfg, int scrollback)
{
    int ready[2], null;
    unsigned char code;
    ssize_t n;
    pid_t pid;

    if (pipe2(ready, O_CLOEXEC) != 0) {
        fprintf(stderr, "conpty-proxy: pipe2: %s\n", strerror(errno));
        return PROXY_EXIT_FAILURE;
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "conpty-proxy: fork: %s\n", strerror(errno));
        return PROXY_EXIT_FAILURE;
    }
    if (pid == 0) {
        close(ready[0]);
        setsid();
        null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
            close(null);
        }
        _exit(serve(cfg, scrollback, ready[1]));
    }
    close(ready[1]);
    do {
        n = read(ready[0], &code, 1);
    } while (n < 0 && errno == EINTR);
    close(ready[0]);
    if (n != 1) {
        fprintf(stderr, "conpty-proxy: the session server died starting\n");
        return PROXY_EXIT_FAILURE;
    }
    return code;
}

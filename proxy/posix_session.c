/* posix_session.c -- the POSIX backend's session: one poll() loop relays
 * stdin -> pty and pty -> bounded queue -> stdout, serves the control
 * channel, and follows the child to its exit (DESIGN.md event-loop rules
 * in poll() form). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "policy.h"
#include "posix.h"
#include "queue.h"
#include "trace.h"

struct session {
    struct pty_life life;
    struct posix_ctl_server ctl;
    struct queue *out;
    int signal_fd;
    bool stdin_open, stdout_open, reading_paused;
};

static uint32_t apply_resize(void *ctx, int cols, int rows)
{
    struct session *s = ctx;

    return (uint32_t)pty_resize(s->life.child.master, cols, rows);
}

static void read_stdin(struct session *s, uint64_t now)
{
    ssize_t n = read(STDIN_FILENO, s->life.input, sizeof s->life.input);

    if (n > 0) {
        /* With the pty gone there is nobody to give input to. */
        s->life.input_len = s->life.pty_open ? (size_t)n : 0;
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    /* EOF: Emacs killed the process or closed our input. */
    trace(n == 0 ? "stdin: eof" : "stdin: %s", strerror(errno));
    s->stdin_open = false;
    pty_life_hang_up(&s->life, "stdin closed", now);
}

static void flush_stdout(struct session *s)
{
    const void *data;
    size_t len;

    while ((len = queue_front(s->out, &data)) > 0) {
        ssize_t n = write(STDOUT_FILENO, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN) {
                /* Emacs has gone: nobody will ever read the rest. */
                trace("stdout: %s: exiting", strerror(errno));
                s->stdout_open = false;
            }
            return;
        }
        queue_pop(s->out, (size_t)n);
    }
}

static void read_pty(struct session *s, uint64_t now)
{
    char buf[QUEUE_CHUNK];
    ssize_t n = read(s->life.child.master, buf, sizeof buf);

    if (n > 0) {
        pty_life_output(&s->life, now);
        if (!queue_push(s->out, buf, (size_t)n)) {
            /* Keep the bytes' place: stop reading until memory frees up. */
            trace("queue: out of memory");
            return;
        }
        flush_stdout(s);
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    /* EIO: every slave descriptor is closed. */
    pty_life_close_pty(&s->life);
}

static void update_backpressure(struct session *s, uint64_t now)
{
    if (!s->reading_paused && queue_full(s->out)) {
        s->reading_paused = true;
        policy_trace_backpressure(true, queue_size(s->out));
    } else if (s->reading_paused && queue_drained(s->out)) {
        s->reading_paused = false;
        policy_trace_backpressure(false, queue_size(s->out));
        pty_life_output(&s->life, now);
    }
}

static int poll_timeout(const struct session *s, uint64_t now)
{
    uint64_t next = posix_ctl_server_next_deadline(&s->ctl);

    next = pty_life_next_deadline(&s->life, s->reading_paused, next);
    if (next == UINT64_MAX)
        return -1; /* idle means idle: no timer */
    return next <= now ? 0 : (int)(next - now > 60000 ? 60000 : next - now);
}

static void run_loop(struct session *s)
{
    enum { SIG, IN, PTY, OUT, CTL };
    struct pollfd fds[CTL + 1 + POSIX_CTL_MAX_CLIENTS];

    /* Done once the child is gone, its output read, and all of it written
     * (or nobody is left to write it to). */
    while (s->stdout_open &&
           (s->life.running || s->life.pty_open || queue_size(s->out) > 0)) {
        uint64_t now = posix_now_ms();
        int nctl, r;

        update_backpressure(s, now);
        fds[SIG] = (struct pollfd){.fd = s->signal_fd, .events = POLLIN};
        fds[IN] = (struct pollfd){
            .fd = s->stdin_open && s->life.input_len == 0 ? STDIN_FILENO : -1,
            .events = POLLIN};
        fds[PTY] = (struct pollfd){
            .fd = s->life.pty_open ? s->life.child.master : -1,
            .events = (short)((s->reading_paused ? 0 : POLLIN) |
                              (s->life.input_len > 0 ? POLLOUT : 0))};
        fds[OUT] =
            (struct pollfd){.fd = queue_size(s->out) > 0 ? STDOUT_FILENO : -1,
                            .events = POLLOUT};
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
                                      "proxy got a signal", now);
            if (fds[IN].revents)
                read_stdin(s, now);
            if (s->life.pty_open && (fds[PTY].revents & POLLOUT))
                pty_life_write_input(&s->life);
            if (s->life.pty_open &&
                (fds[PTY].revents & (POLLIN | POLLHUP | POLLERR)))
                read_pty(s, now);
            if (fds[OUT].revents)
                flush_stdout(s);
        }
        posix_ctl_server_dispatch(&s->ctl, fds + CTL, r > 0 ? nctl : 0, now);
        pty_life_check_deadlines(&s->life, s->reading_paused, now);
    }
}

int backend_run_session(const struct session_config *cfg)
{
    struct session *s = calloc(1, sizeof *s);
    struct ctl_handlers handlers = {.resize = apply_resize, .ctx = s};
    int code;

    if (s == NULL || (s->out = queue_new()) == NULL) {
        fprintf(stderr, "conpty-proxy: out of memory\n");
        free(s);
        return PROXY_EXIT_FAILURE;
    }
    trace_open();
    if ((s->signal_fd = posix_signals_install()) < 0 ||
        posix_ctl_server_open(&s->ctl, cfg->id, &handlers) != 0) {
        queue_free(s->out);
        free(s);
        return PROXY_EXIT_FAILURE;
    }
    if (pty_spawn(cfg->argv, cfg->cols, cfg->rows, &s->life.child, &code) !=
        0) {
        posix_ctl_server_close(&s->ctl);
        queue_free(s->out);
        free(s);
        return code;
    }
    if (posix_set_nonblock(STDOUT_FILENO) != 0) {
        fprintf(stderr, "conpty-proxy: stdout: %s\n", strerror(errno));
        kill(-s->life.child.pid, SIGKILL);
    }
    trace("start: pid %ld, %dx%d, %s", (long)s->life.child.pid, cfg->cols,
          cfg->rows, cfg->argv[0]);
    s->stdin_open = s->life.pty_open = s->stdout_open = s->life.running = true;
    s->life.exit_code = PROXY_EXIT_FAILURE;

    run_loop(s);

    if (s->life.running) {
        /* Emacs went away: nobody will read, so end the child now. */
        kill(-s->life.child.pid, SIGHUP);
        kill(s->life.child.pid, SIGHUP);
    }
    code = s->life.exit_code;
    trace("exit: code %d", code);
    pty_life_close_pty(&s->life);
    posix_ctl_server_close(&s->ctl);
    queue_free(s->out);
    free(s);
    trace_close();
    return code;
}

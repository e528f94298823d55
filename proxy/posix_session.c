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

enum { INPUT_MAX = 64 << 10 };

struct session {
    struct pty_child child;
    struct posix_ctl_server ctl;
    struct queue *out;
    int signal_fd;
    bool stdin_open, pty_open, stdout_open, child_running, reading_paused;
    bool killed; /* SIGKILL sent after the hang-up grace period */
    int exit_code;
    uint64_t drain_deadline, kill_deadline;
    /* Input read from stdin that the pty did not take yet. */
    char input[INPUT_MAX];
    size_t input_len;
};

static uint32_t apply_resize(void *ctx, int cols, int rows)
{
    struct session *s = ctx;

    return (uint32_t)pty_resize(s->child.master, cols, rows);
}

/* Hang up the child's process group, as a terminal closing would, and
 * give it HANGUP_MS to go before it is killed. */
static void hang_up(struct session *s, const char *why, uint64_t now)
{
    if (!s->child_running || s->kill_deadline != 0 || s->killed)
        return;
    trace("hangup: %s", why);
    kill(-s->child.pid, SIGHUP);
    s->kill_deadline = now + POLICY_HANGUP_MS;
}

static void reap_child(struct session *s, uint64_t now)
{
    int status;
    pid_t r;

    while ((r = waitpid(s->child.pid, &status, WNOHANG)) < 0 && errno == EINTR)
        ;
    if (r != s->child.pid)
        return;
    s->child_running = false;
    if (WIFEXITED(status))
        s->exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        s->exit_code = 128 + WTERMSIG(status);
    trace("child exited: code %d", s->exit_code);
    s->drain_deadline = now + POLICY_DRAIN_MS;
}

static void read_signals(struct session *s, uint64_t now)
{
    unsigned char sigs[64];
    ssize_t n;

    while ((n = read(s->signal_fd, sigs, sizeof sigs)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (sigs[i] == SIGCHLD)
                reap_child(s, now);
            else
                hang_up(s, "proxy got a signal", now);
        }
    }
}

static void close_pty(struct session *s)
{
    if (s->pty_open) {
        close(s->child.master);
        s->pty_open = false;
    }
}

static void read_stdin(struct session *s, uint64_t now)
{
    ssize_t n = read(STDIN_FILENO, s->input, sizeof s->input);

    if (n > 0) {
        /* With the pty gone there is nobody to give input to. */
        s->input_len = s->pty_open ? (size_t)n : 0;
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    /* EOF: Emacs killed the process or closed our input. */
    trace(n == 0 ? "stdin: eof" : "stdin: %s", strerror(errno));
    s->stdin_open = false;
    hang_up(s, "stdin closed", now);
}

static void write_pty(struct session *s)
{
    ssize_t n = write(s->child.master, s->input, s->input_len);

    if (n > 0) {
        memmove(s->input, s->input + n, s->input_len - (size_t)n);
        s->input_len -= (size_t)n;
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        /* The child side is gone; its exit will end the session. */
        s->input_len = 0;
    }
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
    ssize_t n = read(s->child.master, buf, sizeof buf);

    if (n > 0) {
        if (!s->child_running)
            s->drain_deadline = now + POLICY_DRAIN_MS;
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
    close_pty(s);
}

static void update_backpressure(struct session *s, uint64_t now)
{
    if (!s->reading_paused && queue_full(s->out)) {
        s->reading_paused = true;
        policy_trace_backpressure(true, queue_size(s->out));
    } else if (s->reading_paused && queue_drained(s->out)) {
        s->reading_paused = false;
        policy_trace_backpressure(false, queue_size(s->out));
        if (!s->child_running)
            s->drain_deadline = now + POLICY_DRAIN_MS;
    }
}

static int poll_timeout(const struct session *s, uint64_t now)
{
    uint64_t next = posix_ctl_server_next_deadline(&s->ctl);

    if (!s->child_running && s->pty_open && !s->reading_paused &&
        s->drain_deadline < next)
        next = s->drain_deadline;
    if (s->child_running && s->kill_deadline != 0 && s->kill_deadline < next)
        next = s->kill_deadline;
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
           (s->child_running || s->pty_open || queue_size(s->out) > 0)) {
        uint64_t now = posix_now_ms();
        int nctl, r;

        update_backpressure(s, now);
        fds[SIG] = (struct pollfd){.fd = s->signal_fd, .events = POLLIN};
        fds[IN] = (struct pollfd){
            .fd = s->stdin_open && s->input_len == 0 ? STDIN_FILENO : -1,
            .events = POLLIN};
        fds[PTY] = (struct pollfd){
            .fd = s->pty_open ? s->child.master : -1,
            .events = (short)((s->reading_paused ? 0 : POLLIN) |
                              (s->input_len > 0 ? POLLOUT : 0))};
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
                read_signals(s, now);
            if (fds[IN].revents)
                read_stdin(s, now);
            if (s->pty_open && (fds[PTY].revents & POLLOUT))
                write_pty(s);
            if (s->pty_open &&
                (fds[PTY].revents & (POLLIN | POLLHUP | POLLERR)))
                read_pty(s, now);
            if (fds[OUT].revents)
                flush_stdout(s);
        }
        posix_ctl_server_dispatch(&s->ctl, fds + CTL, r > 0 ? nctl : 0, now);
        if (!s->child_running && s->pty_open && !s->reading_paused &&
            now >= s->drain_deadline) {
            policy_trace_drain_gave_up();
            close_pty(s);
        }
        if (s->child_running && s->kill_deadline != 0 &&
            now >= s->kill_deadline) {
            policy_trace_hangup_forced("SIGKILL");
            kill(-s->child.pid, SIGKILL);
            kill(s->child.pid, SIGKILL);
            s->kill_deadline = 0;
            s->killed = true;
        }
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
    if (pty_spawn(cfg->argv, cfg->cols, cfg->rows, &s->child, &code) != 0) {
        posix_ctl_server_close(&s->ctl);
        queue_free(s->out);
        free(s);
        return code;
    }
    if (posix_set_nonblock(STDOUT_FILENO) != 0) {
        fprintf(stderr, "conpty-proxy: stdout: %s\n", strerror(errno));
        kill(-s->child.pid, SIGKILL);
    }
    trace("start: pid %ld, %dx%d, %s", (long)s->child.pid, cfg->cols, cfg->rows,
          cfg->argv[0]);
    s->stdin_open = s->pty_open = s->stdout_open = s->child_running = true;
    s->exit_code = PROXY_EXIT_FAILURE;

    run_loop(s);

    if (s->child_running) {
        /* Emacs went away: nobody will read, so end the child now. */
        kill(-s->child.pid, SIGHUP);
        kill(s->child.pid, SIGHUP);
    }
    code = s->exit_code;
    trace("exit: code %d", code);
    close_pty(s);
    posix_ctl_server_close(&s->ctl);
    queue_free(s->out);
    free(s);
    trace_close();
    return code;
}

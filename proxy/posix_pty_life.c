/* posix_pty_life.c -- the child on its pty through its life, for both
 * session loops: hang-up, reaping, input, the drain and kill deadlines
 * (see posix.h). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy.h"
#include "posix.h"
#include "trace.h"

void pty_life_hang_up(struct pty_life *l, const char *why, uint64_t now)
{
    if (!l->running || l->kill_deadline != 0 || l->killed)
        return;
    trace("hangup: %s", why);
    kill(-l->child.pid, SIGHUP);
    l->kill_deadline = now + POLICY_HANGUP_MS;
}

static void reap(struct pty_life *l, uint64_t now)
{
    int status;
    pid_t r;

    while ((r = waitpid(l->child.pid, &status, WNOHANG)) < 0 && errno == EINTR)
        ;
    if (r != l->child.pid)
        return;
    l->running = false;
    if (WIFEXITED(status))
        l->exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        l->exit_code = 128 + WTERMSIG(status);
    trace("child exited: code %d", l->exit_code);
    l->drain_deadline = now + POLICY_DRAIN_MS;
}

void pty_life_read_signals(struct pty_life *l, int fd, const char *why,
                           uint64_t now)
{
    unsigned char sigs[64];
    ssize_t n;

    while ((n = read(fd, sigs, sizeof sigs)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (sigs[i] == SIGCHLD)
                reap(l, now);
            else
                pty_life_hang_up(l, why, now);
        }
    }
}

void pty_life_output(struct pty_life *l, uint64_t now)
{
    if (!l->running)
        l->drain_deadline = now + POLICY_DRAIN_MS;
}

void pty_life_write_input(struct pty_life *l)
{
    ssize_t n = write(l->child.master, l->input, l->input_len);

    if (n > 0) {
        memmove(l->input, l->input + n, l->input_len - (size_t)n);
        l->input_len -= (size_t)n;
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        /* The child side is gone; its exit will end the session. */
        l->input_len = 0;
    }
}

void pty_life_close_pty(struct pty_life *l)
{
    if (l->pty_open) {
        close(l->child.master);
        l->pty_open = false;
    }
}

uint64_t pty_life_next_deadline(const struct pty_life *l, bool paused,
                                uint64_t next)
{
    if (!l->running && l->pty_open && !paused && l->drain_deadline < next)
        next = l->drain_deadline;
    if (l->running && l->kill_deadline != 0 && l->kill_deadline < next)
        next = l->kill_deadline;
    return next;
}

void pty_life_check_deadlines(struct pty_life *l, bool paused, uint64_t now)
{
    if (!l->running && l->pty_open && !paused && now >= l->drain_deadline) {
        policy_trace_drain_gave_up();
        pty_life_close_pty(l);
    }
    if (l->running && l->kill_deadline != 0 && now >= l->kill_deadline) {
        policy_trace_hangup_forced("SIGKILL");
        kill(-l->child.pid, SIGKILL);
        kill(l->child.pid, SIGKILL);
        l->kill_deadline = 0;
        l->killed = true;
    }
}

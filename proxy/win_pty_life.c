/* win_pty_life.c -- the child on its pseudo console, as both IOCP loops
 * have it ("new"'s, win_session.c, and the session server's,
 * win_server.c): see win_backend.h. */
#include "win_backend.h"

#include "policy.h"
#include "trace.h"

enum { CLOSE_MS = 5000 }; /* longest wait for ClosePseudoConsole */

static void child_exit_callback(void *ctx, BOOLEAN timed_out)
{
    struct win_pty_life *l = ctx;

    (void)timed_out;
    /* Rule 9: the registered wait only tells the loop. */
    win_post(l->iocp, WIN_KEY_CHILD_EXIT, 0);
}

bool win_pty_life_start(struct win_pty_life *l, HANDLE iocp)
{
    l->iocp = iocp;
    l->pty.iocp = iocp; /* the resize thread posts here */
    if (CreateIoCompletionPort(l->pty.out_r, iocp, WIN_KEY_IO, 0) == NULL ||
        CreateIoCompletionPort(l->pty.in_w, iocp, WIN_KEY_IO, 0) == NULL) {
        win_fail("CreateIoCompletionPort (pty)");
        return false;
    }
    /* Rule 9: a registered wait on the process posts its exit. */
    if (!RegisterWaitForSingleObject(&l->child_wait, l->pty.process,
                                     child_exit_callback, l, INFINITE,
                                     WT_EXECUTEONLYONCE)) {
        win_fail("RegisterWaitForSingleObject");
        l->child_wait = NULL;
        return false;
    }
    return true;
}

void win_pty_life_stop(struct win_pty_life *l)
{
    if (l->child_wait != NULL &&
        !UnregisterWaitEx(l->child_wait, INVALID_HANDLE_VALUE))
        win_fail("UnregisterWaitEx");
    l->child_wait = NULL;
}

void win_pty_life_output(struct win_pty_life *l)
{
    if (l->child_exited)
        l->drain_deadline = win_now_ms() + POLICY_DRAIN_MS;
}

void win_pty_life_read_failed(struct win_pty_life *l, DWORD err)
{
    if (err != ERROR_BROKEN_PIPE && err != ERROR_OPERATION_ABORTED) {
        char text[256];
        trace("pty: read: error %lu (%s)", (unsigned long)err,
              win_strerror(err, text, sizeof text));
    }
    trace("pty: eof");
    l->pty_eof = true;
}

/* End the child's session: ClosePseudoConsole on its thread (rule 9). */
static void close_pty(struct win_pty_life *l)
{
    if (l->pty_closing)
        return;
    l->pty_closing = true;
    if (win_pty_close_async(&l->pty, l->iocp))
        l->close_deadline = win_now_ms() + CLOSE_MS;
    else
        l->pty_closed = true; /* cannot close it: do not wait for it */
}

void win_pty_life_hang_up(struct win_pty_life *l, const char *why)
{
    trace("hangup: %s", why);
    if (!l->child_exited && l->hangup_deadline == 0)
        l->hangup_deadline = win_now_ms() + POLICY_HANGUP_MS;
    close_pty(l);
}

static void child_exited(struct win_pty_life *l)
{
    DWORD code = 0;

    if (l->child_exited)
        return;
    if (!GetExitCodeProcess(l->pty.process, &code)) {
        win_fail("GetExitCodeProcess");
        code = PROXY_EXIT_FAILURE;
    }
    l->child_exited = true;
    l->exit_code = code;
    l->hangup_deadline = 0;
    l->drain_deadline = win_now_ms() + POLICY_DRAIN_MS;
    trace("child exited: code %lu", (unsigned long)code);
    close_pty(l);
}

bool win_pty_life_dispatch(struct win_pty_life *l, ULONG_PTR key,
                           OVERLAPPED *ov, DWORD bytes)
{
    switch (key) {
    case WIN_KEY_RESIZED: {
        /* One line per applied resize, written by the loop (the trace
         * log has one writer). */
        ULONG_PTR size = (ULONG_PTR)ov;
        policy_trace_resize((int)((size >> 16) & 0xffff), (int)(size & 0xffff),
                            bytes);
        return true;
    }
    case WIN_KEY_CHILD_EXIT: child_exited(l); return true;
    case WIN_KEY_PTY_CLOSED:
        l->pty_closed = true;
        trace("close: pseudo console closed");
        return true;
    default: return false;
    }
}

static bool deadline_passed(uint64_t deadline, uint64_t now)
{
    return deadline != 0 && deadline <= now;
}

bool win_pty_life_over(struct win_pty_life *l, bool want_output, bool held,
                       uint64_t now)
{
    if (!l->child_exited && deadline_passed(l->hangup_deadline, now)) {
        policy_trace_hangup_forced("terminated");
        l->hangup_deadline = 0;
        if (!TerminateProcess(l->pty.process, PROXY_EXIT_FAILURE))
            win_fail("TerminateProcess");
    }
    if (!l->child_exited)
        return false;
    if (!l->pty_eof && want_output) {
        /* Rule 9: bounded, but never while the reader holds us back
         * (output is not dropped to meet a timer). */
        if (held || !deadline_passed(l->drain_deadline, now))
            return false;
        policy_trace_drain_gave_up();
    }
    if (!l->pty_closed) {
        if (!deadline_passed(l->close_deadline, now))
            return false;
        trace("close: ClosePseudoConsole still running after %d ms", CLOSE_MS);
    }
    return true;
}

uint64_t win_pty_life_deadline(const struct win_pty_life *l, bool held)
{
    uint64_t d[3] = {l->hangup_deadline, 0, 0}, first = 0;

    if (l->child_exited && !l->pty_eof && !held)
        d[1] = l->drain_deadline;
    if (l->pty_closing && !l->pty_closed)
        d[2] = l->close_deadline;
    for (int i = 0; i < 3; i++)
        if (d[i] != 0 && (first == 0 || d[i] < first))
            first = d[i];
    return first;
}

void win_pty_life_cancel(struct win_pty_life *l, struct win_op *read,
                         struct win_op *write)
{
    /* Rule 6: cancel; the completions still come and are awaited. */
    if (win_op_pending(read) && !CancelIoEx(l->pty.out_r, &read->ov) &&
        GetLastError() != ERROR_NOT_FOUND)
        win_fail("CancelIoEx (pty read)");
    if (win_op_pending(write) && !CancelIoEx(l->pty.in_w, &write->ov) &&
        GetLastError() != ERROR_NOT_FOUND)
        win_fail("CancelIoEx (pty write)");
}

/* win_session.c -- "conpty-proxy new" on Windows: the session state and
 * its one IOCP loop thread (DESIGN.md, "Event loop rules").
 *
 * Who does what:
 *   loop thread (here)   every overlapped operation and every decision
 *   stdin thread         blocking reads of the anonymous stdin pipe
 *   stdout thread        blocking writes of the queue to stdout
 *   thread-pool wait     child exit -> WIN_KEY_CHILD_EXIT
 *   close thread         ClosePseudoConsole -> WIN_KEY_PTY_CLOSED
 *   resize thread        ResizePseudoConsole (newest size) -> WIN_KEY_RESIZED
 * The loop waits only in GetQueuedCompletionStatus, with a timeout that is
 * the earliest real deadline (a control client's, or a bound on the
 * shutdown) and INFINITE when there is none. */
#include "win_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "queue.h"
#include "trace.h"

enum {
    TEARDOWN_MS = 2000,     /* cancelled operations must complete within this */
    HANDLER_HOLD_MS = 30000 /* longest hold of a close event's thread */
};

/* The running session's port, for the console control handler. */
static HANDLE volatile ctrl_iocp;

BOOL WINAPI win_ctrl_handler(DWORD type)
{
    HANDLE iocp = ctrl_iocp;

    switch (type) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT: return TRUE;
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
        if (iocp == NULL || !win_post(iocp, WIN_KEY_HANGUP, type))
            return FALSE;
        /* Returning would end the process at once (0xC000013A, no
         * ClosePseudoConsole, the job killing the shell outright): wait
         * while the loop hangs up and exits the process with the shell's
         * code.  Windows ends us anyway after its own time-out (5 s for
         * a close). */
        Sleep(HANDLER_HOLD_MS);
        return FALSE;
    default: return FALSE;
    }
}

/* ---- the session ----------------------------------------------------- */

enum phase {
    PHASE_RUN,    /* relaying */
    PHASE_FLUSH,  /* child gone: waiting for the stdout writer */
    PHASE_CANCEL, /* rule 6: waiting for cancelled operations */
    PHASE_DONE
};

struct session {
    HANDLE iocp;
    struct win_security sec;
    struct win_pty_life life;
    struct win_ctl_server *ctl;
    struct win_stdin *in;
    struct win_stdout *out;
    enum phase phase;

    struct win_op pty_read, pty_write;
    char read_buf[QUEUE_CHUNK];
    DWORD stdin_len, stdin_off; /* the stdin buffer being written */
    bool stdin_held;            /* we hold the stdin buffer */
    bool pty_input_dead;        /* ConPTY's input failed: drop stdin */

    bool paused; /* rule 5: queue full, pty read not re-armed */
    DWORD held;  /* bytes in read_buf not queued (out of memory) */
    bool stdin_eof;
    bool stdout_broken;
    bool flushed;

    uint64_t cancel_deadline; /* PHASE_CANCEL */
};

static void arm_pty_read(struct session *s)
{
    DWORD err;

    /* Rule 5: not re-armed while the queue is over its high-water mark. */
    if (s->phase != PHASE_RUN || s->life.pty_eof || s->paused ||
        win_op_pending(&s->pty_read))
        return;
    if (ReadFile(s->life.pty.out_r, s->read_buf, sizeof s->read_buf, NULL,
                 win_op_arm(&s->pty_read)))
        return; /* completed at once: the packet is queued anyway */
    err = GetLastError();
    if (err == ERROR_IO_PENDING)
        return;
    /* Rule 3: failed at once: no packet; handle it here. */
    win_op_done(&s->pty_read);
    win_pty_life_read_failed(&s->life, err);
}

/* Queue LEN bytes of read_buf for stdout.  False when memory ran out:
 * the bytes stay in read_buf (s->held) and reading stops until the
 * writer's resume (rule 5: never dropped). */
static bool queue_bytes(struct session *s, DWORD len)
{
    bool oom = false;

    /* Rule 5: the queue takes everything; reading stops at the
     * high-water mark. */
    if (win_stdout_push(s->out, s->read_buf, len, &oom) && !s->paused) {
        s->paused = true;
        policy_trace_backpressure(true, win_stdout_queued(s->out));
    }
    if (!oom) {
        s->held = 0;
        return true;
    }
    if (win_stdout_queued(s->out) == 0) {
        /* Nothing to drain, so nothing will free memory: the one place
         * output is lost, rather than hanging. */
        trace("queue: out of memory with an empty queue: %lu bytes lost",
              (unsigned long)len);
        s->held = 0;
        return true;
    }
    s->held = len;
    s->paused = true;
    trace("queue: out of memory: %zu bytes queued, reading paused",
          win_stdout_queued(s->out));
    return false;
}

static void pty_read_done(struct session *s, DWORD err, DWORD bytes)
{
    if (s->phase != PHASE_RUN)
        return;
    if (err != 0) {
        win_pty_life_read_failed(&s->life, err);
        return;
    }
    win_pty_life_output(&s->life);
    if (bytes > 0 && !s->stdout_broken && !queue_bytes(s, bytes))
        return; /* held in read_buf until the writer frees memory */
    arm_pty_read(s);
}

static void release_stdin(struct session *s)
{
    if (s->stdin_held) {
        s->stdin_held = false;
        win_stdin_release(s->in);
    }
}

static void pty_write_failed(struct session *s, DWORD err)
{
    if (!s->pty_input_dead) {
        char text[256];
        trace("pty: write: error %lu (%s); input dropped from now on",
              (unsigned long)err, win_strerror(err, text, sizeof text));
    }
    s->pty_input_dead = true;
    release_stdin(s);
}

static void arm_pty_write(struct session *s)
{
    DWORD err;

    if (s->phase != PHASE_RUN || s->pty_input_dead) {
        release_stdin(s);
        return;
    }
    if (WriteFile(s->life.pty.in_w, win_stdin_data(s->in) + s->stdin_off,
                  s->stdin_len - s->stdin_off, NULL, win_op_arm(&s->pty_write)))
        return;
    err = GetLastError();
    if (err == ERROR_IO_PENDING)
        return;
    /* Rule 3: no packet will come. */
    win_op_done(&s->pty_write);
    pty_write_failed(s, err);
}

static void pty_write_done(struct session *s, DWORD err, DWORD bytes)
{
    if (err != 0) {
        pty_write_failed(s, err);
        return;
    }
    s->stdin_off += bytes;
    if (s->stdin_off < s->stdin_len && bytes > 0)
        arm_pty_write(s);
    else
        release_stdin(s);
}

/* The child is gone and its output read: flush stdout.  The control
 * channel is still served meanwhile (a ping during a long flush is
 * answered). */
static void begin_flush(struct session *s)
{
    s->phase = PHASE_FLUSH;
    win_pty_life_cancel(&s->life, &s->pty_read, &s->pty_write);
    /* Rule 9: the final flush waits for Emacs, however long: Emacs either
     * reads or closes the pipe (WIN_KEY_OUT_BROKEN). */
    if (!s->stdout_broken)
        win_stdout_finish(s->out);
}

static void begin_cancel(struct session *s)
{
    s->phase = PHASE_CANCEL;
    s->cancel_deadline = win_now_ms() + TEARDOWN_MS;
    /* Rule 6: cancel every pending operation; memory is freed only after
     * each completion has been dequeued. */
    if (s->ctl != NULL)
        win_ctl_stop(s->ctl);
    win_pty_life_cancel(&s->life, &s->pty_read, &s->pty_write);
}

static bool all_idle(const struct session *s)
{
    return !win_op_pending(&s->pty_read) && !win_op_pending(&s->pty_write) &&
           (s->ctl == NULL || win_ctl_idle(s->ctl));
}

static bool deadline_passed(uint64_t deadline, uint64_t now)
{
    return deadline != 0 && deadline <= now;
}

/* Move the session along: deadlines that passed, and phase changes:
 * RUN -> FLUSH (child gone, output read) -> CANCEL (stdout flushed)
 * -> DONE (every operation completed). */
static void advance(struct session *s)
{
    uint64_t now = win_now_ms();

    if ((s->phase == PHASE_RUN || s->phase == PHASE_FLUSH) && s->ctl != NULL)
        win_ctl_expire(s->ctl, now);
    if (s->phase == PHASE_RUN) {
        /* Emacs holds us back while paused; with stdout gone nobody
         * waits for the output. */
        if (!win_pty_life_over(&s->life, !s->stdout_broken, s->paused, now))
            return;
        begin_flush(s);
    }
    if (s->phase == PHASE_FLUSH) {
        if (!s->flushed && !s->stdout_broken)
            return;
        begin_cancel(s);
    }
    if (s->phase == PHASE_CANCEL) {
        if (!all_idle(s)) {
            if (!deadline_passed(s->cancel_deadline, now))
                return;
            trace("exit: cancelled operations still pending after %d ms",
                  TEARDOWN_MS);
        }
        s->phase = PHASE_DONE;
    }
}

static DWORD wait_timeout(const struct session *s)
{
    uint64_t now = win_now_ms(), first = 0;
    DWORD ctl;

    /* Rule 10: only real deadlines; INFINITE when there are none. */
    if (s->phase == PHASE_RUN) {
        first = win_pty_life_deadline(&s->life, s->paused);
    } else if (s->phase == PHASE_CANCEL) {
        first = s->cancel_deadline;
    }
    ctl = (s->phase == PHASE_RUN || s->phase == PHASE_FLUSH) && s->ctl != NULL
              ? win_ctl_timeout(s->ctl, now)
              : INFINITE;
    if (first == 0)
        return ctl;
    if (first <= now)
        return 0;
    if (first - now < ctl)
        return (DWORD)(first - now);
    return ctl;
}

static void dispatch(struct session *s, ULONG_PTR key, OVERLAPPED *ov,
                     DWORD bytes, DWORD err)
{
    switch (key) {
    case WIN_KEY_IO: {
        struct win_op *op = win_op_from_ov(ov);
        switch (op->kind) {
        case WIN_OP_PTY_READ:
            win_op_done(op);
            pty_read_done(s, err, bytes);
            break;
        case WIN_OP_PTY_WRITE:
            win_op_done(op);
            pty_write_done(s, err, bytes);
            break;
        default: win_ctl_complete(s->ctl, op, err, bytes); break;
        }
        break;
    }
    case WIN_KEY_STDIN_DATA:
        s->stdin_held = true;
        s->stdin_len = bytes;
        s->stdin_off = 0;
        arm_pty_write(s);
        break;
    case WIN_KEY_STDIN_EOF:
        s->stdin_eof = true;
        if (bytes != 0 && bytes != ERROR_BROKEN_PIPE) {
            char text[256];
            trace("stdin: error %lu (%s)", (unsigned long)bytes,
                  win_strerror(bytes, text, sizeof text));
        } else {
            trace("stdin: eof");
        }
        if (s->phase == PHASE_RUN)
            win_pty_life_hang_up(&s->life, "stdin closed");
        break;
    case WIN_KEY_HANGUP:
        trace("console: %s event", bytes == CTRL_CLOSE_EVENT    ? "close"
                                   : bytes == CTRL_LOGOFF_EVENT ? "logoff"
                                                                : "shutdown");
        if (s->phase == PHASE_RUN)
            win_pty_life_hang_up(&s->life, "console closed");
        break;
    case WIN_KEY_OUT_RESUME:
        if (s->paused) {
            s->paused = false;
            policy_trace_backpressure(false, win_stdout_queued(s->out));
            if (s->held > 0 && !s->stdout_broken && !queue_bytes(s, s->held))
                break;
            win_pty_life_output(&s->life);
            arm_pty_read(s);
        }
        break;
    case WIN_KEY_OUT_DONE: s->flushed = true; break;
    case WIN_KEY_OUT_BROKEN: {
        char text[256];
        trace("stdout: error %lu (%s): exiting", (unsigned long)bytes,
              win_strerror(bytes, text, sizeof text));
        s->stdout_broken = true;
        s->paused = false;
        if (s->phase == PHASE_RUN) {
            win_pty_life_hang_up(&s->life, "stdout closed");
            arm_pty_read(s); /* keep ConPTY drained so it can close */
        }
        break;
    }
    default:
        if (!win_pty_life_dispatch(&s->life, key, ov, bytes))
            trace("loop: unknown completion key %lu", (unsigned long)key);
        break;
    }
}

static void run_loop(struct session *s)
{
    advance(s);
    while (s->phase != PHASE_DONE) {
        DWORD bytes = 0, err = 0;
        ULONG_PTR key = 0;
        OVERLAPPED *ov = NULL;

        /* Rule 1: the only wait of the loop thread; every pipe operation
         * it starts is overlapped.  Rule 10: the timeout is a real
         * deadline or INFINITE. */
        if (!GetQueuedCompletionStatus(s->iocp, &bytes, &key, &ov,
                                       wait_timeout(s))) {
            err = GetLastError();
            if (ov == NULL) {
                if (err != WAIT_TIMEOUT) {
                    /* The port itself failed: nothing more can arrive. */
                    win_fail_code("GetQueuedCompletionStatus", err);
                    break;
                }
                advance(s);
                continue;
            }
        }
        dispatch(s, key, ov, bytes, err);
        advance(s);
    }
}

/* Set-up failed after the control server started: cancel and wait for
 * its operations (rule 6), bounded. */
static void abandon(struct session *s)
{
    s->phase = PHASE_RUN;
    begin_cancel(s);
    while (!all_idle(s)) {
        DWORD bytes, err = 0;
        ULONG_PTR key;
        OVERLAPPED *ov = NULL;
        if (!GetQueuedCompletionStatus(s->iocp, &bytes, &key, &ov,
                                       TEARDOWN_MS)) {
            err = GetLastError();
            if (ov == NULL)
                return; /* leave it allocated: never free pending memory */
        }
        if (key == WIN_KEY_IO)
            dispatch(s, key, ov, bytes, err);
    }
    win_ctl_free(s->ctl);
    s->ctl = NULL;
}

static bool std_handle(DWORD which, const char *name, HANDLE *out)
{
    HANDLE h = GetStdHandle(which);

    if (h == INVALID_HANDLE_VALUE) {
        win_fail("GetStdHandle");
        return false;
    }
    if (h == NULL) {
        fprintf(stderr, "conpty-proxy: no %s handle\n", name);
        return false;
    }
    *out = h;
    return true;
}

int backend_run_session(const struct session_config *cfg)
{
    struct session *s;
    HANDLE in_h, out_h;
    int ret = PROXY_EXIT_FAILURE;

    trace_open();
    if (!std_handle(STD_INPUT_HANDLE, "stdin", &in_h) ||
        !std_handle(STD_OUTPUT_HANDLE, "stdout", &out_h))
        return PROXY_EXIT_FAILURE;
    /* Emacs gave us inheritable pipe ends.  The shell inherits nothing,
     * but ConPTY's host (OpenConsole.exe from a conpty.dll, conhost) is
     * started with inheritance: a copy there would keep Emacs's pipes
     * open after the proxy is gone. */
    {
        static const DWORD which[] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE,
                                      STD_ERROR_HANDLE};
        for (int i = 0; i < 3; i++) {
            HANDLE h = GetStdHandle(which[i]);
            if (h != NULL && h != INVALID_HANDLE_VALUE)
                SetHandleInformation(h, HANDLE_FLAG_INHERIT, 0);
        }
    }
    s = calloc(1, sizeof *s);
    if (s == NULL) {
        win_fail_code("calloc", ERROR_NOT_ENOUGH_MEMORY);
        return PROXY_EXIT_FAILURE;
    }
    s->life.pty.in_w = s->life.pty.out_r = INVALID_HANDLE_VALUE;
    win_op_init(&s->pty_read, WIN_OP_PTY_READ, s);
    win_op_init(&s->pty_write, WIN_OP_PTY_WRITE, s);
    s->iocp = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    if (s->iocp == NULL) {
        win_fail("CreateIoCompletionPort");
        free(s);
        return PROXY_EXIT_FAILURE;
    }
    if (!win_security_init(&s->sec))
        goto out;
    /* The channel first: a squatted name fails before any child runs. */
    {
        struct ctl_handlers h = {.resize = win_pty_resize, .ctx = &s->life.pty};
        s->ctl = win_ctl_start(cfg->id, s->iocp, &s->sec, &h);
    }
    if (s->ctl == NULL)
        goto out;
    ret = win_pty_start(&s->life.pty, cfg, &s->sec);
    if (ret != 0)
        goto fail_ctl;
    ret = PROXY_EXIT_FAILURE;
    if (!win_pty_life_start(&s->life, s->iocp))
        goto fail_child;
    /* Rule 4: threads for the anonymous pipes. */
    s->out = win_stdout_start(out_h, s->iocp);
    if (s->out == NULL)
        goto fail_child;
    s->in = win_stdin_start(in_h, s->iocp);
    if (s->in == NULL)
        goto fail_child;

    win_report_to_trace(true);
    ctrl_iocp = s->iocp;
    trace("start: pid %lu, %dx%d, %s", (unsigned long)s->life.pty.pid,
          cfg->cols, cfg->rows, cfg->argv[0]);
    arm_pty_read(s);
    run_loop(s);
    ret = (int)s->life.exit_code;
    if (!s->life.child_exited)
        ret = PROXY_EXIT_FAILURE;
    goto done;

fail_child:
    TerminateProcess(s->life.pty.process, PROXY_EXIT_FAILURE);
fail_ctl:
    abandon(s);
done:
    win_pty_life_stop(&s->life);
    if (s->ctl != NULL && win_ctl_idle(s->ctl))
        win_ctl_free(s->ctl);
    if (all_idle(s))
        win_pty_free(&s->life.pty);
    trace("exit: code %d", ret);
    trace_close();
    /* The session, the stdio threads' buffers and anything still pending
     * are left to process exit (rule 6: never free what may complete). */
    return ret;
out:
    win_security_free(&s->sec);
    CloseHandle(s->iocp);
    free(s);
    trace_close();
    return ret;
}

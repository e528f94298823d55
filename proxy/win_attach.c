/* win_attach.c -- "conpty-proxy attach" on Windows: what Emacs runs for
 * a persistent session.  To Emacs it is the relay "new" is (keys on
 * stdin, terminal bytes on stdout, the session's exit code), with a
 * session server's data pipe where "new" has a pseudo console: it says
 * hello, then relays stdin to the server and the server's frames
 * (attach_client.h) to stdout.
 *
 * The same threads as "new" (win_stdio.c) for Emacs's anonymous pipes,
 * and one IOCP loop for the data pipe's overlapped read and write.
 * Rule 5: the pipe read is not re-armed while the stdout queue is over
 * its high-water mark, so the server's queue fills and the server stops
 * reading its pseudo console. */
#include "win_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach_client.h"
#include "channel.h"
#include "policy.h"
#include "trace.h"

struct attach {
    HANDLE iocp, pipe;
    struct win_stdin *in;
    struct win_stdout *out;
    struct win_op read, write;
    struct attach_stream frames;
    bool paused;      /* rule 5: stdout's queue is full, or out of memory */
    bool pipe_open;   /* the server may send more */
    bool stdin_open;  /* Emacs has not let go */
    bool stdout_open; /* Emacs reads */
    bool finishing;   /* stdout is flushed, then we exit */
    bool flushed;
    DWORD stdin_len, stdin_off;
    bool stdin_held;
};

/* Open the data pipe of session ID, say hello and read the answer;
 * INVALID_HANDLE_VALUE with the reason on stderr. */
static HANDLE say_hello(const char *id, bool take_over, int cols, int rows)
{
    uint64_t deadline = win_now_ms() + WIN_CLIENT_BUDGET_MS;
    char name[CTL_NAME_MAX], hello[CTL_MSG_MAX + 1], answer[CTL_MSG_MAX + 1];
    int len = attach_hello_encode(hello, sizeof hello, take_over, cols, rows);
    size_t n = 0;
    DWORD err = 0, done;
    HANDLE h;

    if (ctl_data_pipe_name(id, name, sizeof name) != CTL_OK || len < 0) {
        fprintf(stderr, "conpty-proxy: attach: bad id '%s'\n", id);
        return INVALID_HANDLE_VALUE;
    }
    h = win_open_pipe(name, deadline, &err);
    if (h == INVALID_HANDLE_VALUE) {
        char text[256];
        fprintf(stderr,
                "conpty-proxy: attach: no session '%s': error %lu (%s)\n", id,
                (unsigned long)err, win_strerror(err, text, sizeof text));
        return INVALID_HANDLE_VALUE;
    }
    err = win_timed_io(h, true, hello, (DWORD)len, &done, deadline);
    /* The answer, one byte at a time up to the newline: frames follow. */
    while (err == 0 && n + 1 < sizeof answer) {
        err = win_timed_io(h, false, answer + n, 1, &done, deadline);
        if (err == 0 && done == 1 && answer[n++] == '\n')
            break;
    }
    answer[n] = '\0';
    if (err != 0 || n == 0 || answer[n - 1] != '\n') {
        fprintf(stderr, "conpty-proxy: attach: session '%s' did not answer\n",
                id);
        CloseHandle(h);
        return INVALID_HANDLE_VALUE;
    }
    if (!attach_answer_ok(id, answer)) {
        CloseHandle(h);
        return INVALID_HANDLE_VALUE;
    }
    return h;
}

static bool to_stdout(void *ctx, const void *data, size_t len)
{
    struct attach *a = ctx;
    bool oom = false;

    if (!a->stdout_open)
        return true; /* Emacs is gone: nothing to write to */
    if (win_stdout_push(a->out, data, len, &oom) && !a->paused) {
        a->paused = true;
        policy_trace_backpressure(true, win_stdout_queued(a->out));
    }
    if (oom)
        a->paused = true; /* the writer's resume retries */
    return !oom;
}

static void pipe_gone(struct attach *a, DWORD err)
{
    if (err != ERROR_BROKEN_PIPE && err != ERROR_OPERATION_ABORTED &&
        err != ERROR_PIPE_NOT_CONNECTED)
        trace("attach: read: error %lu", (unsigned long)err);
    a->pipe_open = false;
}

static void arm_read(struct attach *a)
{
    DWORD err;

    if (!a->pipe_open || a->paused || a->frames.ended || a->frames.taken ||
        a->frames.broken || win_op_pending(&a->read))
        return;
    if (ReadFile(a->pipe, a->frames.buf + a->frames.len,
                 (DWORD)(ATTACH_STREAM_BUF - a->frames.len), NULL,
                 win_op_arm(&a->read)))
        return;
    err = GetLastError();
    if (err == ERROR_IO_PENDING)
        return;
    /* Rule 3: no packet will come. */
    win_op_done(&a->read);
    pipe_gone(a, err);
}

static void take(struct attach *a)
{
    attach_stream_take(&a->frames, to_stdout, a);
    if (a->frames.ended || a->frames.taken || a->frames.broken)
        a->pipe_open = false;
}

static void read_done(struct attach *a, DWORD err, DWORD bytes)
{
    if (err != 0 || bytes == 0) {
        pipe_gone(a, err != 0 ? err : ERROR_BROKEN_PIPE);
        return;
    }
    a->frames.len += bytes;
    take(a);
    arm_read(a);
}

static void release_stdin(struct attach *a)
{
    if (a->stdin_held) {
        a->stdin_held = false;
        win_stdin_release(a->in);
    }
}

static void arm_write(struct attach *a)
{
    DWORD err;

    if (!a->pipe_open) {
        release_stdin(a);
        return;
    }
    if (WriteFile(a->pipe, win_stdin_data(a->in) + a->stdin_off,
                  a->stdin_len - a->stdin_off, NULL, win_op_arm(&a->write)))
        return;
    err = GetLastError();
    if (err == ERROR_IO_PENDING)
        return;
    win_op_done(&a->write);
    pipe_gone(a, err);
    release_stdin(a);
}

static void write_done(struct attach *a, DWORD err, DWORD bytes)
{
    if (err != 0) {
        pipe_gone(a, err);
        release_stdin(a);
        return;
    }
    a->stdin_off += bytes;
    if (a->stdin_off < a->stdin_len && bytes > 0)
        arm_write(a);
    else
        release_stdin(a);
}

static void dispatch(struct attach *a, ULONG_PTR key, OVERLAPPED *ov,
                     DWORD bytes, DWORD err)
{
    switch (key) {
    case WIN_KEY_IO: {
        struct win_op *op = win_op_from_ov(ov);
        win_op_done(op);
        if (op->kind == WIN_OP_DATA_READ)
            read_done(a, err, bytes);
        else
            write_done(a, err, bytes);
        break;
    }
    case WIN_KEY_STDIN_DATA:
        a->stdin_held = true;
        a->stdin_len = bytes;
        a->stdin_off = 0;
        arm_write(a);
        break;
    case WIN_KEY_STDIN_EOF:
        /* Emacs is done with us; the session stays (detached). */
        trace("attach: stdin closed: detaching");
        a->stdin_open = false;
        break;
    case WIN_KEY_OUT_RESUME:
        if (a->paused) {
            a->paused = false;
            policy_trace_backpressure(false, win_stdout_queued(a->out));
            take(a); /* frames held back by an out-of-memory push */
            arm_read(a);
        }
        break;
    case WIN_KEY_OUT_DONE: a->flushed = true; break;
    case WIN_KEY_OUT_BROKEN:
        trace("attach: stdout closed");
        a->stdout_open = false;
        a->paused = false;
        arm_read(a);
        break;
    default: break;
    }
}

static void run_loop(struct attach *a)
{
    arm_read(a);
    /* Until Emacs lets go, or the server's stream is over and written. */
    while (a->stdin_open && !a->flushed) {
        DWORD bytes = 0, err = 0;
        ULONG_PTR key = 0;
        OVERLAPPED *ov = NULL;

        if (!a->pipe_open && !a->finishing) {
            a->finishing = true;
            if (!a->stdout_open)
                break;
            win_stdout_finish(a->out);
        }
        /* Rule 1: the only wait; rule 10: nothing to time. */
        if (!GetQueuedCompletionStatus(a->iocp, &bytes, &key, &ov, INFINITE)) {
            err = GetLastError();
            if (ov == NULL) {
                win_fail_code("GetQueuedCompletionStatus", err);
                break;
            }
        }
        dispatch(a, key, ov, bytes, err);
    }
}

int backend_attach(const char *id, bool take_over, int cols, int rows)
{
    struct attach *a = calloc(1, sizeof *a);
    HANDLE in_h = GetStdHandle(STD_INPUT_HANDLE);
    HANDLE out_h = GetStdHandle(STD_OUTPUT_HANDLE);
    int code;

    if (a == NULL || (a->frames.buf = malloc(ATTACH_STREAM_BUF)) == NULL) {
        fprintf(stderr, "conpty-proxy: out of memory\n");
        free(a);
        return PROXY_EXIT_FAILURE;
    }
    /* Ctrl-C and Ctrl-Break are keys for the shell, never ours. */
    SetConsoleCtrlHandler(win_ctrl_handler, TRUE);
    trace_open();
    win_op_init(&a->read, WIN_OP_DATA_READ, a);
    win_op_init(&a->write, WIN_OP_DATA_WRITE, a);
    a->pipe = say_hello(id, take_over, cols, rows);
    if (a->pipe == INVALID_HANDLE_VALUE) {
        trace_close();
        return PROXY_EXIT_FAILURE;
    }
    a->iocp = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    if (a->iocp == NULL ||
        CreateIoCompletionPort(a->pipe, a->iocp, WIN_KEY_IO, 0) == NULL ||
        (a->out = win_stdout_start(out_h, a->iocp)) == NULL ||
        (a->in = win_stdin_start(in_h, a->iocp)) == NULL) {
        win_fail("attach set-up");
        trace_close();
        return PROXY_EXIT_FAILURE;
    }
    win_report_to_trace(true);
    trace("attach: %s", id);
    a->pipe_open = a->stdin_open = a->stdout_open = true;
    run_loop(a);
    code = attach_exit_code(&a->frames, !a->stdin_open);
    trace_close();
    /* Pending operations and the threads are left to process exit. */
    return code;
}

/* win_server.c -- "conpty-proxy serve" on Windows: a session server,
 * started detached from whoever ran "serve" (no console, its own process
 * group, out of the starter's job where the job allows), that owns the
 * pseudo console and the child and feeds every byte of output into its
 * own terminal (screen.h), so the state is current whether or not a
 * client is attached and the program never blocks on output while none
 * is.  One IOCP loop (DESIGN.md, "Event loop rules") serves the control
 * pipe (resize, ping, kill, info) and the data pipe (win_data_server.c),
 * where one client at a time gets the snapshot and the live stream.
 *
 * The starter and the server are the same program with the same command
 * line: the starter runs itself again with CONPTY_PROXY_SERVE_READY
 * naming an inherited pipe end, on which the server says how its start
 * went (one byte: 0 serving, else the starter's exit code).
 *
 * Who does what in the server:
 *   loop thread (here)   every overlapped operation and every decision
 *   thread-pool wait     child exit -> WIN_KEY_CHILD_EXIT
 *   close thread         ClosePseudoConsole -> WIN_KEY_PTY_CLOSED
 *   resize thread        ResizePseudoConsole (newest size) -> WIN_KEY_RESIZED
 * Rule 5 with a client attached: the ConPTY read is not re-armed while
 * the client's queue is over its high-water mark; with none, it always
 * is. */
#include "win_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attach_frame.h"
#include "attach_serve.h"
#include "policy.h"
#include "queue.h"
#include "screen.h"
#include "session_info.h"
#include "trace.h"

#define READY_ENV "CONPTY_PROXY_SERVE_READY"

enum { TEARDOWN_MS = 2000 }; /* cancelled operations complete within this */

enum phase {
    PHASE_RUN,    /* serving */
    PHASE_FINISH, /* the session ended: the client gets its queue */
    PHASE_CANCEL, /* rule 6: waiting for cancelled operations */
    PHASE_DONE
};

struct server {
    HANDLE iocp;
    struct win_security sec;
    struct win_pty_life life;
    struct win_ctl_server *ctl;
    struct win_data_server *data;
    HANDLE entry; /* the session's entry for "list" (win_list.c) */
    enum phase phase;

    struct screen *screen;
    int cols, rows;
    long long start;
    const char *program;

    struct win_op pty_read, pty_write;
    char read_buf[QUEUE_CHUNK];
    char input[QUEUE_CHUNK]; /* the client's keys being written */
    DWORD input_len, input_off;
    bool pty_input_dead;

    bool paused; /* rule 5: the client's queue is full */

    uint64_t cancel_deadline; /* PHASE_CANCEL */
};

/* ---- the pseudo console ---------------------------------------------- */

static void arm_pty_read(struct server *s)
{
    DWORD err;

    if (s->phase != PHASE_RUN || s->life.pty_eof || s->paused ||
        win_op_pending(&s->pty_read))
        return;
    if (ReadFile(s->life.pty.out_r, s->read_buf, sizeof s->read_buf, NULL,
                 win_op_arm(&s->pty_read)))
        return;
    err = GetLastError();
    if (err == ERROR_IO_PENDING)
        return;
    /* Rule 3: failed at once: no packet. */
    win_op_done(&s->pty_read);
    win_pty_life_read_failed(&s->life, err);
}

static void pty_read_done(struct server *s, DWORD err, DWORD bytes)
{
    struct queue *q;

    if (s->phase != PHASE_RUN)
        return;
    if (err != 0) {
        win_pty_life_read_failed(&s->life, err);
        return;
    }
    win_pty_life_output(&s->life);
    /* The client first: the screen may wait for its parse thread. */
    q = win_data_queue(s->data);
    if (q != NULL && bytes > 0) {
        attach_push_frame(q, FRAME_DATA, s->read_buf, bytes);
        win_data_flush(s->data);
        if (queue_full(q)) {
            s->paused = true;
            policy_trace_backpressure(true, queue_size(q));
        }
    }
    screen_feed(s->screen, s->read_buf, bytes, win_now_ms());
    arm_pty_read(s);
}

static void input_written(struct server *s)
{
    s->input_len = s->input_off = 0;
    win_data_input_done(s->data);
}

static void arm_pty_write(struct server *s)
{
    DWORD err;

    if (s->phase != PHASE_RUN || s->pty_input_dead) {
        input_written(s);
        return;
    }
    if (WriteFile(s->life.pty.in_w, s->input + s->input_off,
                  s->input_len - s->input_off, NULL, win_op_arm(&s->pty_write)))
        return;
    err = GetLastError();
    if (err == ERROR_IO_PENDING)
        return;
    win_op_done(&s->pty_write);
    trace("pty: write: error %lu; input dropped from now on",
          (unsigned long)err);
    s->pty_input_dead = true;
    input_written(s);
}

static void pty_write_done(struct server *s, DWORD err, DWORD bytes)
{
    if (err != 0) {
        if (!s->pty_input_dead)
            trace("pty: write: error %lu; input dropped from now on",
                  (unsigned long)err);
        s->pty_input_dead = true;
        input_written(s);
        return;
    }
    s->input_off += bytes;
    if (s->input_off < s->input_len && bytes > 0)
        arm_pty_write(s);
    else
        input_written(s);
}

/* ---- the control pipe's handlers ------------------------------------- */

static uint32_t apply_resize(void *ctx, int cols, int rows)
{
    struct server *s = ctx;

    s->cols = cols;
    s->rows = rows;
    screen_resize(s->screen, cols, rows);
    return win_pty_resize(&s->life.pty, cols, rows);
}

static void end_session(void *ctx)
{
    struct server *s = ctx;

    /* Closing the pseudo console ends its processes; bounded. */
    win_pty_life_hang_up(&s->life, "kill message");
}

static void describe(void *ctx, struct ctl_info *info)
{
    struct server *s = ctx;

    session_describe(info, s->cols, s->rows, (long)s->life.pty.pid, s->start,
                     win_data_queue(s->data) != NULL, s->program,
                     screen_title(s->screen));
}

/* ---- the data pipe's events ------------------------------------------ */

static bool client_attached(void *ctx, struct queue *out, int cols, int rows)
{
    struct server *s = ctx;

    /* The snapshot at the client's size. */
    if ((cols != s->cols || rows != s->rows) &&
        apply_resize(s, cols, rows) != CTL_RESIZE_QUEUED)
        trace("attach: resize to %dx%d failed", cols, rows);
    trace("attach: a client, %dx%d", cols, rows);
    return attach_push_snapshot(out, s->screen);
}

static void client_input(void *ctx, const char *data, size_t len)
{
    struct server *s = ctx;

    memcpy(s->input, data, len);
    s->input_len = (DWORD)len;
    s->input_off = 0;
    /* The client's buffer is ours (copied): it may read on only once
     * the pty has these (input_written). */
    arm_pty_write(s);
}

static void resume(struct server *s, size_t queued)
{
    if (!s->paused)
        return;
    s->paused = false;
    policy_trace_backpressure(false, queued);
    win_pty_life_output(&s->life);
    arm_pty_read(s);
}

static void client_drained(void *ctx)
{
    struct server *s = ctx;
    struct queue *q = win_data_queue(s->data);

    resume(s, q != NULL ? queue_size(q) : 0);
}

static void client_detached(void *ctx)
{
    /* Nobody to hold the output back for: the screen takes it all. */
    resume(ctx, 0);
}

/* ---- the loop -------------------------------------------------------- */

static bool all_idle(const struct server *s)
{
    return !win_op_pending(&s->pty_read) && !win_op_pending(&s->pty_write) &&
           (s->ctl == NULL || win_ctl_idle(s->ctl)) &&
           (s->data == NULL || win_data_idle(s->data));
}

static bool deadline_passed(uint64_t deadline, uint64_t now)
{
    return deadline != 0 && deadline <= now;
}

/* The session is over: nobody new may attach; the attached client gets
 * the rest and the exit code, however long it takes to read them. */
static void begin_finish(struct server *s)
{
    struct queue *q = win_data_queue(s->data);

    s->phase = PHASE_FINISH;
    win_pty_life_cancel(&s->life, &s->pty_read, &s->pty_write);
    if (q != NULL && attach_push_exit(q, (int)s->life.exit_code))
        win_data_flush(s->data);
    win_data_finish(s->data);
}

static void begin_cancel(struct server *s)
{
    s->phase = PHASE_CANCEL;
    s->cancel_deadline = win_now_ms() + TEARDOWN_MS;
    if (s->ctl != NULL)
        win_ctl_stop(s->ctl);
    if (s->data != NULL)
        win_data_stop(s->data);
    win_pty_life_cancel(&s->life, &s->pty_read, &s->pty_write);
}

static void advance(struct server *s)
{
    uint64_t now = win_now_ms();

    if (s->phase == PHASE_RUN || s->phase == PHASE_FINISH) {
        win_ctl_expire(s->ctl, now);
        win_data_expire(s->data, now);
    }
    if (s->phase == PHASE_RUN) {
        size_t quiet = screen_quiet_if_due(s->screen, now);

        if (quiet > 0)
            trace("quiet: %zu bytes of held output to the parse thread", quiet);
        /* The screen takes all the output; only a client holds it back. */
        if (!win_pty_life_over(&s->life, true, s->paused, now))
            return;
        begin_finish(s);
    }
    if (s->phase == PHASE_FINISH) {
        if (!win_data_finished(s->data))
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

static DWORD earliest(DWORD a, DWORD b)
{
    return a < b ? a : b;
}

static DWORD wait_timeout(const struct server *s)
{
    uint64_t now = win_now_ms(), first = 0;
    DWORD t = INFINITE;

    /* Rule 10: only real deadlines; INFINITE when there are none. */
    if (s->phase == PHASE_RUN) {
        first = win_pty_life_deadline(&s->life, s->paused);
        uint64_t quiet = screen_quiet_at(s->screen);

        if (quiet != UINT64_MAX && (first == 0 || quiet < first))
            first = quiet;
    } else if (s->phase == PHASE_CANCEL)
        first = s->cancel_deadline;
    if (first != 0)
        t = first <= now ? 0 : (DWORD)(first - now);
    if (s->phase == PHASE_RUN || s->phase == PHASE_FINISH)
        t = earliest(t, earliest(win_ctl_timeout(s->ctl, now),
                                 win_data_timeout(s->data, now)));
    return t;
}

static void dispatch(struct server *s, ULONG_PTR key, OVERLAPPED *ov,
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
        case WIN_OP_DATA_CONNECT:
        case WIN_OP_DATA_READ:
        case WIN_OP_DATA_WRITE:
            win_data_complete(s->data, op, err, bytes);
            break;
        default: win_ctl_complete(s->ctl, op, err, bytes); break;
        }
        break;
    }
    default:
        if (!win_pty_life_dispatch(&s->life, key, ov, bytes))
            trace("loop: unknown completion key %lu", (unsigned long)key);
        break;
    }
}

static void run_loop(struct server *s)
{
    advance(s);
    while (s->phase != PHASE_DONE) {
        DWORD bytes = 0, err = 0;
        ULONG_PTR key = 0;
        OVERLAPPED *ov = NULL;

        /* Rule 1: the only wait of the loop thread. */
        if (!GetQueuedCompletionStatus(s->iocp, &bytes, &key, &ov,
                                       wait_timeout(s))) {
            err = GetLastError();
            if (ov == NULL) {
                if (err != WAIT_TIMEOUT) {
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

/* ---- start ----------------------------------------------------------- */

/* Tell the starter how the start went (CODE: 0 serving, else its exit
 * code) and let go of its stderr. */
static void report_start(HANDLE ready, int code)
{
    unsigned char b = (unsigned char)code;
    DWORD n;

    fflush(stderr);
    if (!WriteFile(ready, &b, 1, &n, NULL)) {
        /* The starter has gone: nobody to tell. */
    }
    CloseHandle(ready);
    if (freopen("NUL", "w", stderr) == NULL) {
        /* Diagnostics go to the trace log from here on anyway. */
    }
    SetStdHandle(STD_ERROR_HANDLE, NULL);
}

/* Set-up failed after some operations were armed: cancel and wait for
 * them (rule 6), bounded; what stays pending stays allocated. */
static void abandon(struct server *s)
{
    begin_cancel(s);
    while (!all_idle(s)) {
        DWORD bytes, err = 0;
        ULONG_PTR key;
        OVERLAPPED *ov = NULL;
        if (!GetQueuedCompletionStatus(s->iocp, &bytes, &key, &ov,
                                       TEARDOWN_MS)) {
            err = GetLastError();
            if (ov == NULL)
                return;
        }
        if (key == WIN_KEY_IO)
            dispatch(s, key, ov, bytes, err);
    }
}

static int set_up(struct server *s, const struct session_config *cfg,
                  int scrollback)
{
    struct ctl_handlers handlers = {.resize = apply_resize,
                                    .kill = end_session,
                                    .info = describe,
                                    .ctx = s};
    struct win_data_events events = {.attached = client_attached,
                                     .input = client_input,
                                     .drained = client_drained,
                                     .detached = client_detached,
                                     .ctx = s};
    int ret;

    s->screen = screen_new(cfg->cols, cfg->rows, scrollback);
    s->iocp = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    if (s->screen == NULL || s->iocp == NULL) {
        win_fail("screen_new, CreateIoCompletionPort");
        return PROXY_EXIT_FAILURE;
    }
    if (!win_security_init(&s->sec))
        return PROXY_EXIT_FAILURE;
    /* The channels first: a squatted name fails before any child runs. */
    s->data = win_data_start(cfg->id, s->iocp, &s->sec, &events);
    if (s->data == NULL)
        return PROXY_EXIT_FAILURE;
    s->ctl = win_ctl_start(cfg->id, s->iocp, &s->sec, &handlers);
    if (s->ctl == NULL)
        return PROXY_EXIT_FAILURE;
    s->entry = win_session_register(cfg->id, &s->sec);
    if (s->entry == INVALID_HANDLE_VALUE)
        return PROXY_EXIT_FAILURE;
    ret = win_pty_start(&s->life.pty, cfg, &s->sec);
    if (ret != 0)
        return ret;
    if (!win_pty_life_start(&s->life, s->iocp)) {
        TerminateProcess(s->life.pty.process, PROXY_EXIT_FAILURE);
        return PROXY_EXIT_FAILURE;
    }
    return 0;
}

/* The server process: set up, tell READY, serve until the session ends.
 * Returns the server's exit status. */
static int serve(const struct session_config *cfg, int scrollback, HANDLE ready)
{
    struct server *s = calloc(1, sizeof *s);
    char dir[MAX_PATH];
    int ret;

    /* Nothing of the starter's reaches ConPTY's host or the child. */
    SetHandleInformation(ready, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(GetStdHandle(STD_ERROR_HANDLE), HANDLE_FLAG_INHERIT,
                         0);
    if (s == NULL) {
        win_fail_code("calloc", ERROR_NOT_ENOUGH_MEMORY);
        report_start(ready, PROXY_EXIT_FAILURE);
        return PROXY_EXIT_FAILURE;
    }
    s->life.pty.in_w = s->life.pty.out_r = INVALID_HANDLE_VALUE;
    s->entry = INVALID_HANDLE_VALUE;
    win_op_init(&s->pty_read, WIN_OP_PTY_READ, s);
    win_op_init(&s->pty_write, WIN_OP_PTY_WRITE, s);
    s->cols = cfg->cols;
    s->rows = cfg->rows;
    s->program = cfg->argv[0];
    s->start = (long long)time(NULL);
    trace_open();
    ret = set_up(s, cfg, scrollback);
    if (ret != 0) {
        report_start(ready, ret);
        if (s->iocp != NULL && (s->ctl != NULL || s->data != NULL))
            abandon(s);
        trace_close();
        /* The rest is left to process exit (rule 6). */
        return ret;
    }
    trace("serve: pid %lu, %dx%d, %s", (unsigned long)s->life.pty.pid,
          cfg->cols, cfg->rows, cfg->argv[0]);
    /* Only so as not to hold the starter's directory busy. */
    if (GetWindowsDirectoryA(dir, sizeof dir) > 0)
        SetCurrentDirectoryA(dir);
    win_report_to_trace(true);
    report_start(ready, 0);
    arm_pty_read(s);
    run_loop(s);
    win_pty_life_stop(&s->life);
    trace("exit: code %lu", (unsigned long)s->life.exit_code);
    trace_close();
    /* The entry goes with its handle; the rest is left to process exit
     * (rule 6: never free what may complete). */
    CloseHandle(s->entry);
    return 0;
}

/* Run this program again with our own command line, detached, as the
 * server, inheriting READY_W and ERR_DUP only.  False with a message on
 * stderr. */
static bool spawn_server(HANDLE ready_w, HANDLE err_dup,
                         PROCESS_INFORMATION *pi)
{
    STARTUPINFOEXW si;
    HANDLE inherit[2] = {ready_w, err_dup};
    SIZE_T attr_len = 0;
    DWORD flags = EXTENDED_STARTUPINFO_PRESENT | DETACHED_PROCESS |
                  CREATE_NEW_PROCESS_GROUP | CREATE_BREAKAWAY_FROM_JOB;
    wchar_t exe[MAX_PATH];
    wchar_t *cmd = _wcsdup(GetCommandLineW());
    bool ok = false;

    memset(&si, 0, sizeof si);
    si.StartupInfo.cb = sizeof si;
    /* Rule 8: nothing of Emacs's pipes: no stdin or stdout, stderr only
     * until the server has told how its start went. */
    si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    si.StartupInfo.hStdError = err_dup;
    if (cmd == NULL || GetModuleFileNameW(NULL, exe, MAX_PATH) == 0) {
        win_fail("GetModuleFileName");
        free(cmd);
        return false;
    }
    InitializeProcThreadAttributeList(NULL, 1, 0, &attr_len);
    si.lpAttributeList = malloc(attr_len);
    if (si.lpAttributeList == NULL ||
        !InitializeProcThreadAttributeList(si.lpAttributeList, 1, 0,
                                           &attr_len)) {
        win_fail("InitializeProcThreadAttributeList");
        free(si.lpAttributeList);
        free(cmd);
        return false;
    }
    /* Only these two handles are inherited. */
    if (!UpdateProcThreadAttribute(
            si.lpAttributeList, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherit,
            (err_dup != NULL ? 2 : 1) * sizeof(HANDLE), NULL, NULL)) {
        win_fail("UpdateProcThreadAttribute");
    } else if (CreateProcessW(exe, cmd, NULL, NULL, TRUE, flags, NULL, NULL,
                              &si.StartupInfo, pi)) {
        ok = true;
    } else if (GetLastError() == ERROR_ACCESS_DENIED) {
        /* The job we run in does not let its processes break away: the
         * server stays in it, and ends with it. */
        fprintf(stderr, "conpty-proxy: serve: the job this runs in does "
                        "not allow breaking away; the session will end "
                        "with that job\n");
        ok = CreateProcessW(exe, cmd, NULL, NULL, TRUE,
                            flags & ~(DWORD)CREATE_BREAKAWAY_FROM_JOB, NULL,
                            NULL, &si.StartupInfo, pi);
        if (!ok)
            win_fail("CreateProcess (server)");
    } else {
        win_fail("CreateProcess (server)");
    }
    DeleteProcThreadAttributeList(si.lpAttributeList);
    free(si.lpAttributeList);
    free(cmd);
    return ok;
}

/* "serve" as run by Emacs: start the server and wait for its word. */
static int start_server(void)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE ready_r, ready_w, err_dup = NULL,
                             err = GetStdHandle(STD_ERROR_HANDLE);
    PROCESS_INFORMATION pi;
    char value[32];
    unsigned char code;
    DWORD n = 0;
    bool ok;

    if (!CreatePipe(&ready_r, &ready_w, &sa, 0)) {
        win_fail("CreatePipe");
        return PROXY_EXIT_FAILURE;
    }
    SetHandleInformation(ready_r, HANDLE_FLAG_INHERIT, 0);
    if (err != NULL && err != INVALID_HANDLE_VALUE &&
        !DuplicateHandle(GetCurrentProcess(), err, GetCurrentProcess(),
                         &err_dup, 0, TRUE, DUPLICATE_SAME_ACCESS))
        err_dup = NULL;
    snprintf(value, sizeof value, "%llu",
             (unsigned long long)(uintptr_t)ready_w);
    SetEnvironmentVariableA(READY_ENV, value);
    fflush(stderr);
    ok = spawn_server(ready_w, err_dup, &pi);
    SetEnvironmentVariableA(READY_ENV, NULL);
    CloseHandle(ready_w);
    if (err_dup != NULL)
        CloseHandle(err_dup);
    if (!ok) {
        CloseHandle(ready_r);
        return PROXY_EXIT_FAILURE;
    }
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    /* Its word, or EOF when it died before saying it. */
    if (!ReadFile(ready_r, &code, 1, &n, NULL) || n != 1) {
        fprintf(stderr, "conpty-proxy: the session server died starting\n");
        code = PROXY_EXIT_FAILURE;
    }
    CloseHandle(ready_r);
    return code;
}

int backend_serve(const struct session_config *cfg, int scrollback)
{
    char value[32];
    DWORD n = GetEnvironmentVariableA(READY_ENV, value, sizeof value);

    if (n == 0 || n >= sizeof value)
        return start_server();
    /* We are the server: the child must not see this. */
    SetEnvironmentVariableA(READY_ENV, NULL);
    return serve(cfg, scrollback, (HANDLE)(uintptr_t)strtoull(value, NULL, 10));
}

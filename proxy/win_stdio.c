/* win_stdio.c -- the anonymous pipes Emacs gives us (CreatePipe) cannot
 * do overlapped I/O (rule 4), so each gets a thread of its own:
 *
 * stdin: a reader thread does blocking ReadFile into one buffer, hands it
 * to the loop with PostQueuedCompletionStatus and waits until the loop
 * has written it to ConPTY before reading again (one buffer in flight:
 * bounded memory, and Emacs's writes block when the shell stops reading).
 *
 * stdout: a writer thread drains the bounded queue (queue.h) under a lock,
 * woken by an auto-reset event.  The loop stops re-arming the ConPTY read
 * when a push reaches the high-water mark; the writer posts
 * WIN_KEY_OUT_RESUME once the queue is below the low-water mark (rule 5).
 * Both decisions are made under the same lock, so no wake-up is lost. */
#include "win_backend.h"

#include <stdlib.h>

#include "queue.h"

enum { STDIN_BUFFER = 64 << 10 };

struct win_stdin {
    HANDLE in, iocp;
    HANDLE released; /* auto-reset: the loop is done with buf */
    HANDLE thread;
    char buf[STDIN_BUFFER];
};

static DWORD WINAPI stdin_main(void *arg)
{
    struct win_stdin *in = arg;

    for (;;) {
        DWORD n = 0;
        if (!ReadFile(in->in, in->buf, sizeof in->buf, &n, NULL)) {
            DWORD err = GetLastError();
            /* ERROR_BROKEN_PIPE is the normal end of input. */
            win_post(in->iocp, WIN_KEY_STDIN_EOF, err);
            return 0;
        }
        if (n == 0) {
            win_post(in->iocp, WIN_KEY_STDIN_EOF, 0);
            return 0;
        }
        if (!win_post(in->iocp, WIN_KEY_STDIN_DATA, n))
            return 0;
        if (WaitForSingleObject(in->released, INFINITE) != WAIT_OBJECT_0) {
            win_fail("WaitForSingleObject (stdin buffer)");
            return 0;
        }
    }
}

struct win_stdin *win_stdin_start(HANDLE h, HANDLE iocp)
{
    struct win_stdin *in = calloc(1, sizeof *in);

    if (in == NULL) {
        win_fail_code("calloc", ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    in->in = h;
    in->iocp = iocp;
    in->released = CreateEventA(NULL, FALSE, FALSE, NULL);
    if (in->released == NULL) {
        win_fail("CreateEvent");
        free(in);
        return NULL;
    }
    /* Rule 4: a dedicated thread does the blocking reads. */
    in->thread = CreateThread(NULL, 64 << 10, stdin_main, in, 0, NULL);
    if (in->thread == NULL) {
        win_fail("CreateThread (stdin)");
        CloseHandle(in->released);
        free(in);
        return NULL;
    }
    /* The thread is never joined or freed: it may sit in ReadFile until
     * the process exits. */
    return in;
}

const char *win_stdin_data(const struct win_stdin *in)
{
    return in->buf;
}

void win_stdin_release(struct win_stdin *in)
{
    if (!SetEvent(in->released))
        win_fail("SetEvent (stdin buffer)");
}

struct win_stdout {
    HANDLE out, iocp;
    CRITICAL_SECTION lock;
    HANDLE wake; /* auto-reset: data queued or finish requested */
    HANDLE thread;
    struct queue *q; /* under lock */
    bool paused;     /* under lock: the loop stopped reading the pty */
    bool finish;     /* under lock: flush, then end */
};

static DWORD WINAPI stdout_main(void *arg)
{
    struct win_stdout *o = arg;

    for (;;) {
        const void *data;
        size_t n;
        DWORD written = 0;

        EnterCriticalSection(&o->lock);
        while ((n = queue_front(o->q, &data)) == 0) {
            bool finish = o->finish;
            LeaveCriticalSection(&o->lock);
            if (finish) {
                win_post(o->iocp, WIN_KEY_OUT_DONE, 0);
                return 0;
            }
            if (WaitForSingleObject(o->wake, INFINITE) != WAIT_OBJECT_0) {
                DWORD err = GetLastError();
                win_post(o->iocp, WIN_KEY_OUT_BROKEN, err);
                return 0;
            }
            EnterCriticalSection(&o->lock);
        }
        LeaveCriticalSection(&o->lock);
        /* The front chunk stays put while the loop appends (queue.c
         * allocates new chunks behind it); only this thread pops. */
        if (n > MAXDWORD)
            n = MAXDWORD;
        if (!WriteFile(o->out, data, (DWORD)n, &written, NULL)) {
            /* Emacs closed the pipe (ERROR_NO_DATA/ERROR_BROKEN_PIPE). */
            win_post(o->iocp, WIN_KEY_OUT_BROKEN, GetLastError());
            return 0;
        }
        EnterCriticalSection(&o->lock);
        queue_pop(o->q, written);
        if (o->paused && queue_drained(o->q)) {
            o->paused = false;
            win_post(o->iocp, WIN_KEY_OUT_RESUME, 0);
        }
        LeaveCriticalSection(&o->lock);
    }
}

struct win_stdout *win_stdout_start(HANDLE h, HANDLE iocp)
{
    struct win_stdout *o = calloc(1, sizeof *o);

    if (o == NULL) {
        win_fail_code("calloc", ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    o->out = h;
    o->iocp = iocp;
    o->q = queue_new();
    if (o->q == NULL) {
        win_fail_code("queue_new", ERROR_NOT_ENOUGH_MEMORY);
        free(o);
        return NULL;
    }
    InitializeCriticalSection(&o->lock);
    o->wake = CreateEventA(NULL, FALSE, FALSE, NULL);
    if (o->wake == NULL) {
        win_fail("CreateEvent");
        goto fail;
    }
    /* Rule 4: a dedicated thread does the blocking writes. */
    o->thread = CreateThread(NULL, 64 << 10, stdout_main, o, 0, NULL);
    if (o->thread == NULL) {
        win_fail("CreateThread (stdout)");
        CloseHandle(o->wake);
        goto fail;
    }
    return o;
fail:
    DeleteCriticalSection(&o->lock);
    queue_free(o->q);
    free(o);
    return NULL;
}

bool win_stdout_push(struct win_stdout *o, const void *data, size_t len,
                     bool *oom)
{
    bool full;

    /* Rule 1: the lock is never held across a blocking call (the writer
     * releases it around WriteFile), so the loop never waits on Emacs. */
    EnterCriticalSection(&o->lock);
    *oom = !queue_push(o->q, data, len);
    full = queue_full(o->q);
    /* Rule 5: the writer posts the resume once below low water.  Out of
     * memory pauses too: the writer frees chunks as it drains. */
    if (full || (*oom && queue_size(o->q) > 0))
        o->paused = true;
    LeaveCriticalSection(&o->lock);
    if (!*oom && !SetEvent(o->wake))
        win_fail("SetEvent (stdout)");
    return full;
}

size_t win_stdout_queued(struct win_stdout *o)
{
    size_t n;

    EnterCriticalSection(&o->lock);
    n = queue_size(o->q);
    LeaveCriticalSection(&o->lock);
    return n;
}

void win_stdout_finish(struct win_stdout *o)
{
    EnterCriticalSection(&o->lock);
    o->finish = true;
    LeaveCriticalSection(&o->lock);
    if (!SetEvent(o->wake))
        win_fail("SetEvent (stdout)");
}

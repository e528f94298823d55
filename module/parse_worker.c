/* parse_worker.c -- parse_worker.h: the queue, the batches, Emacs's
 * holds and the quiet time, over a thread, lock and condition variables
 * (thread.h) and a wake-up channel (wake_writer.h), each one file per
 * OS. */
#include "parse_worker.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "thread.h"
#include "wake_writer.h"

/* What the filter may queue before it waits for the worker: about 10 ms
 * of libvterm's time, which a redraw may wait for. */
enum { QUEUE_MAX = 256 * 1024 };

/* The condition variables of the worker's lock. */
enum {
    WORK, /* bytes queued (and R free), or stop */
    IDLE, /* the queue drained and no batch in hand */
    ROOM, /* the queue is below QUEUE_MAX */
    N_CONDS
};

struct parse_worker {
    struct render *r;
    struct wake_writer *wake;
    int quiet_ms; /* no output that long: it stopped */
    struct thread *thread;
    struct thread_sync *sync; /* everything below; WORK, IDLE, ROOM */
    struct buf queue, spare;  /* spare: the last batch's buffer, reused */
    bool parsing;             /* the worker has a batch (and R) */
    int held;                 /* Emacs holds R; nested holds count */
    bool wake_pending;        /* a wake-up byte is on its way to Emacs */
    bool undrawn;             /* parsed output Emacs has not drawn */
    bool quiet;               /* output stopped with some of it undrawn */
    bool stop;
};

/* Write the wake-up byte unless one is on its way.  Called with the
 * lock held, and writes under it: once parse_worker_busy says false,
 * or a hold began after a batch, every byte the worker wrote is with
 * the OS for Emacs to read (vterm.el drains the channel so: a byte left
 * unread when the process ends keeps Emacs from running sentinels). */
static void wake_emacs(struct parse_worker *w)
{
    if (w->wake_pending)
        return;
    w->wake_pending = true;
    wake_writer_write(w->wake);
}

/* Wait (lock held) until there is a batch to take, or a stop.  With
 * output parsed but not drawn, and Emacs not holding R, the wait is
 * timed: nothing more for the quiet time means the output
 * stopped, and Emacs is woken to draw it now rather than at its redraw
 * timer.  A hold starts the quiet time again. */
static void wait_for_work(struct parse_worker *w)
{
    uint64_t deadline = 0;
    bool timed = false;

    while (!w->stop && (w->queue.len == 0 || w->held > 0)) {
        if (!w->undrawn || w->held > 0) {
            timed = false;
            thread_wait(w->sync, WORK);
            continue;
        }
        if (!timed) {
            deadline = thread_deadline(w->quiet_ms);
            timed = true;
        }
        if (thread_wait_until(w->sync, WORK, deadline) && w->queue.len == 0 &&
            w->held == 0 && w->undrawn && !w->stop) {
            w->undrawn = false;
            w->quiet = true;
            wake_emacs(w);
        }
    }
}

static void worker_main(void *arg)
{
    struct parse_worker *w = arg;

    thread_lock(w->sync);
    for (;;) {
        struct buf batch;

        wait_for_work(w);
        if (w->stop)
            break;
        /* Take the whole queue; the filter fills the other buffer. */
        batch = w->queue;
        w->queue = w->spare;
        buf_clear(&w->queue);
        memset(&w->spare, 0, sizeof w->spare);
        w->parsing = true;
        thread_broadcast(w->sync, ROOM);
        thread_unlock(w->sync);

        render_write(w->r, batch.data, batch.len);

        thread_lock(w->sync);
        w->parsing = false;
        w->undrawn = true;
        w->spare = batch; /* only this thread takes it, when it swaps */
        thread_broadcast(w->sync, IDLE);
        /* News wakes Emacs at once; drawing waits for the redraw timer,
         * or for the output to stop (wait_for_work).  A wake-up per
         * batch would make Emacs wait for every batch. */
        if (render_has_news(w->r))
            wake_emacs(w);
    }
    thread_unlock(w->sync);
}

/* Everything but the thread and the wake-up channel. */
static void worker_free(struct parse_worker *w)
{
    thread_sync_free(w->sync);
    buf_free(&w->queue);
    buf_free(&w->spare);
    free(w);
}

struct parse_worker *parse_worker_start(struct render *r,
                                        const struct parse_wakeup *wake,
                                        int quiet_ms)
{
    struct parse_worker *w = calloc(1, sizeof *w);

    if (w == NULL)
        return NULL;
    w->r = r;
    w->quiet_ms = quiet_ms;
    w->sync = thread_sync_new(N_CONDS);
    if (w->sync == NULL) {
        free(w);
        return NULL;
    }
    w->wake = wake_writer_open(wake);
    if (w->wake == NULL) {
        worker_free(w);
        return NULL;
    }
    w->thread = thread_start(worker_main, w);
    if (w->thread == NULL) {
        wake_writer_abandon(w->wake);
        worker_free(w);
        return NULL;
    }
    return w;
}

bool parse_worker_push(struct parse_worker *w, const char *bytes, size_t len)
{
    bool ok;

    thread_lock(w->sync);
    /* Not while Emacs holds R: a filter run from inside a held call
     * (process-send-string reads output while it waits) would wait for
     * a worker that waits for it. */
    while (w->queue.len >= QUEUE_MAX && w->held == 0 && !w->stop)
        thread_wait(w->sync, ROOM);
    ok = buf_append(&w->queue, bytes, len);
    w->queue.failed = false; /* nothing was queued: the next push may fit */
    if (ok && len > 0)
        thread_signal(w->sync, WORK);
    thread_unlock(w->sync);
    return ok;
}

void parse_worker_acquire(struct parse_worker *w)
{
    thread_lock(w->sync);
    /* A nested hold (a timer or filter run from inside a held call)
     * takes R as it is: the outer one waited already. */
    if (w->held == 0)
        while (w->queue.len > 0 || w->parsing)
            thread_wait(w->sync, IDLE);
    w->held++;
    thread_unlock(w->sync);
}

void parse_worker_release(struct parse_worker *w)
{
    thread_lock(w->sync);
    /* Also with nothing queued: the quiet time starts again. */
    if (--w->held == 0)
        thread_signal(w->sync, WORK);
    thread_unlock(w->sync);
}

void parse_worker_drawn(struct parse_worker *w)
{
    thread_lock(w->sync);
    w->undrawn = false;
    thread_unlock(w->sync);
}

bool parse_worker_woken(struct parse_worker *w)
{
    bool quiet;

    thread_lock(w->sync);
    w->wake_pending = false;
    quiet = w->quiet;
    w->quiet = false;
    thread_unlock(w->sync);
    return quiet;
}

bool parse_worker_busy(struct parse_worker *w)
{
    bool busy;

    thread_lock(w->sync);
    busy = w->queue.len > 0 || w->parsing || w->undrawn;
    thread_unlock(w->sync);
    return busy;
}

static void stop_and_free(struct parse_worker *w, bool finish)
{
    thread_lock(w->sync);
    /* Not while Emacs holds R: the worker would wait for it. */
    if (finish && w->held == 0)
        while (w->queue.len > 0 || w->parsing)
            thread_wait(w->sync, IDLE);
    w->stop = true;
    thread_broadcast(w->sync, WORK);
    thread_broadcast(w->sync, ROOM);
    thread_unlock(w->sync);
    thread_join(w->thread);
    wake_writer_close(w->wake);
    worker_free(w);
}

void parse_worker_finish(struct parse_worker *w)
{
    stop_and_free(w, true);
}

void parse_worker_stop(struct parse_worker *w)
{
    stop_and_free(w, false);
}

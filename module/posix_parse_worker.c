/* posix_parse_worker.c -- parse_worker.h with POSIX threads. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* pthread_sigmask */
#endif
#include "parse_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

/* What the filter may queue before it waits for the worker: about 10 ms
 * of libvterm's time, which a redraw may wait for. */
enum { QUEUE_MAX = 256 * 1024 };

struct parse_worker {
    struct render *r;
    int fd;
    int quiet_ms; /* no output that long: it stopped */
    pthread_t thread;
    pthread_mutex_t lock;    /* everything below */
    pthread_cond_t work;     /* bytes queued (and R free), or stop */
    pthread_cond_t idle;     /* the queue drained and no batch in hand */
    pthread_cond_t room;     /* the queue is below QUEUE_MAX */
    struct buf queue, spare; /* spare: the last batch's buffer, reused */
    bool parsing;            /* the worker has a batch (and R) */
    int held;                /* Emacs holds R; nested holds count */
    bool wake_pending;       /* a wake-up byte is on its way to Emacs */
    bool undrawn;            /* parsed output Emacs has not drawn */
    bool quiet;              /* output stopped with some of it undrawn */
    bool stop;
};

/* Write the wake-up byte unless one is on its way.  Called with the
 * lock held, and writes under it: once parse_worker_busy says false,
 * or a hold began after a batch, every byte the worker wrote is in the
 * pipe for Emacs to read (vterm.el drains it so: a byte left unread
 * when the process ends keeps Emacs from running sentinels).  The
 * descriptor is non-blocking: a full pipe (EAGAIN) has bytes for Emacs
 * already.  A pipe Emacs closed answers EPIPE, which is ignored
 * (SIGPIPE is blocked in this thread). */
static void wake_emacs(struct parse_worker *w)
{
    ssize_t n;

    if (w->wake_pending)
        return;
    w->wake_pending = true;
    do
        n = write(w->fd, "w", 1);
    while (n < 0 && errno == EINTR);
}

/* Wait (lock held) until there is a batch to take, or a stop.  With
 * output parsed but not drawn, and Emacs not holding R, the wait is
 * timed: nothing more for the quiet time means the output
 * stopped, and Emacs is woken to draw it now rather than at its redraw
 * timer.  A hold starts the quiet time again. */
static void wait_for_work(struct parse_worker *w)
{
    struct timespec deadline;
    bool timed = false;

    while (!w->stop && (w->queue.len == 0 || w->held > 0)) {
        if (!w->undrawn || w->held > 0) {
            timed = false;
            pthread_cond_wait(&w->work, &w->lock);
            continue;
        }
        if (!timed) {
            clock_gettime(CLOCK_MONOTONIC, &deadline);
            deadline.tv_sec += w->quiet_ms / 1000;
            deadline.tv_nsec += (w->quiet_ms % 1000) * 1000000L;
            deadline.tv_sec += deadline.tv_nsec / 1000000000L;
            deadline.tv_nsec %= 1000000000L;
            timed = true;
        }
        if (pthread_cond_timedwait(&w->work, &w->lock, &deadline) ==
                ETIMEDOUT &&
            w->queue.len == 0 && w->held == 0 && w->undrawn && !w->stop) {
            w->undrawn = false;
            w->quiet = true;
            wake_emacs(w);
        }
    }
}

static void *worker_main(void *arg)
{
    struct parse_worker *w = arg;

    pthread_mutex_lock(&w->lock);
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
        pthread_cond_broadcast(&w->room);
        pthread_mutex_unlock(&w->lock);

        render_write(w->r, batch.data, batch.len);

        pthread_mutex_lock(&w->lock);
        w->parsing = false;
        w->undrawn = true;
        w->spare = batch; /* only this thread takes it, when it swaps */
        pthread_cond_broadcast(&w->idle);
        /* News wakes Emacs at once; drawing waits for the redraw timer,
         * or for the output to stop (wait_for_work).  A wake-up per
         * batch would make Emacs wait for every batch. */
        if (render_has_news(w->r))
            wake_emacs(w);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Everything but the thread and the descriptor. */
static void worker_free(struct parse_worker *w)
{
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->idle);
    pthread_cond_destroy(&w->room);
    pthread_mutex_destroy(&w->lock);
    buf_free(&w->queue);
    buf_free(&w->spare);
    free(w);
}

struct parse_worker *parse_worker_start(struct render *r,
                                        const struct parse_wakeup *wake,
                                        int quiet_ms)
{
    struct parse_worker *w;
    int notify_fd = wake->fd;
    sigset_t all, old;
    int err;

    if (notify_fd < 0 || (w = calloc(1, sizeof *w)) == NULL)
        return NULL;
    w->r = r;
    w->fd = notify_fd;
    /* Emacs never writes to its end: the flag is the worker's alone. */
    {
        int flags = fcntl(notify_fd, F_GETFL);
        if (flags < 0 || fcntl(notify_fd, F_SETFL, flags | O_NONBLOCK) < 0) {
            free(w);
            return NULL;
        }
    }
    w->quiet_ms = quiet_ms;
    if (pthread_mutex_init(&w->lock, NULL) != 0) {
        free(w);
        return NULL;
    }
    /* The quiet time is measured on the monotonic clock. */
    {
        pthread_condattr_t attr;
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&w->work, &attr);
        pthread_condattr_destroy(&attr);
    }
    pthread_cond_init(&w->idle, NULL);
    pthread_cond_init(&w->room, NULL);
    /* Signals are Emacs's, on its own thread (SIGCHLD, SIGIO, ...): the
     * worker blocks every one, SIGPIPE included. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    err = pthread_create(&w->thread, NULL, worker_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != 0) {
        worker_free(w);
        return NULL;
    }
    return w;
}

bool parse_worker_push(struct parse_worker *w, const char *bytes, size_t len)
{
    bool ok;

    pthread_mutex_lock(&w->lock);
    /* Not while Emacs holds R: a filter run from inside a held call
     * (process-send-string reads output while it waits) would wait for
     * a worker that waits for it. */
    while (w->queue.len >= QUEUE_MAX && w->held == 0 && !w->stop)
        pthread_cond_wait(&w->room, &w->lock);
    ok = buf_append(&w->queue, bytes, len);
    w->queue.failed = false; /* nothing was queued: the next push may fit */
    if (ok && len > 0)
        pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
    return ok;
}

void parse_worker_acquire(struct parse_worker *w)
{
    pthread_mutex_lock(&w->lock);
    /* A nested hold (a timer or filter run from inside a held call)
     * takes R as it is: the outer one waited already. */
    if (w->held == 0)
        while (w->queue.len > 0 || w->parsing)
            pthread_cond_wait(&w->idle, &w->lock);
    w->held++;
    pthread_mutex_unlock(&w->lock);
}

void parse_worker_release(struct parse_worker *w)
{
    pthread_mutex_lock(&w->lock);
    /* Also with nothing queued: the quiet time starts again. */
    if (--w->held == 0)
        pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
}

void parse_worker_drawn(struct parse_worker *w)
{
    pthread_mutex_lock(&w->lock);
    w->undrawn = false;
    pthread_mutex_unlock(&w->lock);
}

bool parse_worker_woken(struct parse_worker *w)
{
    bool quiet;

    pthread_mutex_lock(&w->lock);
    w->wake_pending = false;
    quiet = w->quiet;
    w->quiet = false;
    pthread_mutex_unlock(&w->lock);
    return quiet;
}

bool parse_worker_busy(struct parse_worker *w)
{
    bool busy;

    pthread_mutex_lock(&w->lock);
    busy = w->queue.len > 0 || w->parsing || w->undrawn;
    pthread_mutex_unlock(&w->lock);
    return busy;
}

static void stop_and_free(struct parse_worker *w, bool finish)
{
    pthread_mutex_lock(&w->lock);
    /* Not while Emacs holds R: the worker would wait for it. */
    if (finish && w->held == 0)
        while (w->queue.len > 0 || w->parsing)
            pthread_cond_wait(&w->idle, &w->lock);
    w->stop = true;
    pthread_cond_broadcast(&w->work);
    pthread_cond_broadcast(&w->room);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    close(w->fd);
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

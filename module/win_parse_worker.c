/* win_parse_worker.c -- parse_worker.h with Win32 threads, waking Emacs
 * over a loopback TCP connection.
 *
 * Emacs's own channels (open_channel) are descriptors of Emacs's C
 * runtime, which this DLL may not share (msvcrt against UCRT): a
 * descriptor number means nothing to another runtime.  A socket is an
 * OS handle: Lisp listens on 127.0.0.1, the worker connects, sends the
 * secret Lisp gave it (any other local program may connect too; Lisp
 * keeps only the connection that sends it) and then a byte per
 * wake-up. */
#include "parse_worker.h"

#include <stdlib.h>
#include <string.h>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include "buf.h"

/* What the filter may queue before it waits for the worker: about 10 ms
 * of libvterm's time, which a redraw may wait for. */
enum { QUEUE_MAX = 256 * 1024 };

/* How long the connection to Lisp's server may take.  Lisp listens
 * before it starts the worker, so the connection completes at once (the
 * OS accepts it into the backlog); this bounds a server that is gone. */
enum { CONNECT_MS = 2000 };

struct parse_worker {
    struct render *r;
    SOCKET sock;
    int quiet_ms; /* no output that long: it stopped */
    HANDLE thread;
    SRWLOCK lock;            /* everything below */
    CONDITION_VARIABLE work; /* bytes queued (and R free), or stop */
    CONDITION_VARIABLE idle; /* the queue drained and no batch in hand */
    CONDITION_VARIABLE room; /* the queue is below QUEUE_MAX */
    struct buf queue, spare; /* spare: the last batch's buffer, reused */
    bool parsing;            /* the worker has a batch (and R) */
    int held;                /* Emacs holds R; nested holds count */
    bool wake_pending;       /* a wake-up byte is on its way to Emacs */
    bool undrawn;            /* parsed output Emacs has not drawn */
    bool quiet;              /* output stopped with some of it undrawn */
    bool stop;
};

/* Send the wake-up byte unless one is on its way.  Called with the lock
 * held, and sends under it: once parse_worker_busy says false, or a
 * hold began after a batch, every byte the worker sent is with the OS.
 * The socket is non-blocking: a full buffer (WSAEWOULDBLOCK) has bytes
 * for Emacs already; a connection Emacs closed fails, which changes
 * nothing for the worker. */
static void wake_emacs(struct parse_worker *w)
{
    if (w->wake_pending)
        return;
    w->wake_pending = true;
    (void)send(w->sock, "w", 1, 0);
}

/* Wait (lock held) until there is a batch to take, or a stop.  With
 * output parsed but not drawn, and Emacs not holding R, the wait is
 * timed: nothing more for the quiet time means the output stopped, and
 * Emacs is woken to draw it now rather than at its redraw timer.  A
 * hold starts the quiet time again. */
static void wait_for_work(struct parse_worker *w)
{
    ULONGLONG deadline = 0;
    bool timed = false;

    while (!w->stop && (w->queue.len == 0 || w->held > 0)) {
        ULONGLONG now;

        if (!w->undrawn || w->held > 0) {
            timed = false;
            SleepConditionVariableSRW(&w->work, &w->lock, INFINITE, 0);
            continue;
        }
        now = GetTickCount64();
        if (!timed) {
            deadline = now + (ULONGLONG)w->quiet_ms;
            timed = true;
        }
        if (now < deadline) {
            /* A timeout, a signal or a spurious return: look again. */
            SleepConditionVariableSRW(&w->work, &w->lock,
                                      (DWORD)(deadline - now), 0);
            continue;
        }
        /* The quiet time is over with the queue empty and R free. */
        w->undrawn = false;
        w->quiet = true;
        wake_emacs(w);
    }
}

static DWORD WINAPI worker_main(LPVOID arg)
{
    struct parse_worker *w = arg;

    AcquireSRWLockExclusive(&w->lock);
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
        WakeAllConditionVariable(&w->room);
        ReleaseSRWLockExclusive(&w->lock);

        render_write(w->r, batch.data, batch.len);

        AcquireSRWLockExclusive(&w->lock);
        w->parsing = false;
        w->undrawn = true;
        w->spare = batch; /* only this thread takes it, when it swaps */
        WakeAllConditionVariable(&w->idle);
        /* News wakes Emacs at once; drawing waits for the redraw timer,
         * or for the output to stop (wait_for_work).  A wake-up per
         * batch would make Emacs wait for every batch. */
        if (render_has_news(w->r))
            wake_emacs(w);
    }
    ReleaseSRWLockExclusive(&w->lock);
    return 0;
}

/* Connect to 127.0.0.1:PORT within CONNECT_MS, send SECRET, and leave
 * the socket non-blocking.  INVALID_SOCKET on failure (Winsock started
 * by the caller).  The socket is not inherited: the shell Emacs starts
 * next must not hold Emacs's wake-up channel. */
static SOCKET connect_to_lisp(unsigned port, const char *secret, size_t len)
{
    struct sockaddr_in addr;
    u_long nonblocking = 1;
    BOOL nodelay = TRUE;
    SOCKET s;
    fd_set wr, ex;
    struct timeval tv = {CONNECT_MS / 1000, (CONNECT_MS % 1000) * 1000};
    int err = 0, errlen = sizeof err;

    if (port == 0 || port > 65535 || len == 0 || len > PARSE_WAKEUP_SECRET_MAX)
        return INVALID_SOCKET;
    s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                   WSA_FLAG_NO_HANDLE_INHERIT);
    if (s == INVALID_SOCKET)
        return INVALID_SOCKET;
    /* One byte per wake-up, each one at once (no Nagle delay). */
    if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay,
                   sizeof nodelay) != 0 ||
        ioctlsocket(s, FIONBIO, &nonblocking) != 0)
        goto fail;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((u_short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (const struct sockaddr *)&addr, sizeof addr) != 0) {
        if (WSAGetLastError() != WSAEWOULDBLOCK)
            goto fail;
        FD_ZERO(&wr);
        FD_ZERO(&ex);
        FD_SET(s, &wr);
        FD_SET(s, &ex);
        if (select(0, NULL, &wr, &ex, &tv) != 1 || !FD_ISSET(s, &wr) ||
            getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&err, &errlen) != 0 ||
            err != 0)
            goto fail;
    }
    /* A fresh connection's send buffer takes the secret whole. */
    if (send(s, secret, (int)len, 0) != (int)len)
        goto fail;
    return s;
fail:
    closesocket(s);
    return INVALID_SOCKET;
}

/* Everything but the thread. */
static void worker_free(struct parse_worker *w)
{
    closesocket(w->sock);
    WSACleanup();
    buf_free(&w->queue);
    buf_free(&w->spare);
    free(w);
}

struct parse_worker *parse_worker_start(struct render *r,
                                        const struct parse_wakeup *wake,
                                        int quiet_ms)
{
    struct parse_worker *w;
    WSADATA wsa;

    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        return NULL;
    w = calloc(1, sizeof *w);
    if (w == NULL) {
        WSACleanup();
        return NULL;
    }
    w->r = r;
    w->quiet_ms = quiet_ms;
    InitializeSRWLock(&w->lock);
    InitializeConditionVariable(&w->work);
    InitializeConditionVariable(&w->idle);
    InitializeConditionVariable(&w->room);
    w->sock = connect_to_lisp(wake->port, wake->secret, wake->secret_len);
    if (w->sock == INVALID_SOCKET) {
        worker_free(w);
        return NULL;
    }
    w->thread = CreateThread(NULL, 0, worker_main, w, 0, NULL);
    if (w->thread == NULL) {
        worker_free(w);
        return NULL;
    }
    return w;
}

bool parse_worker_push(struct parse_worker *w, const char *bytes, size_t len)
{
    bool ok;

    AcquireSRWLockExclusive(&w->lock);
    /* Not while Emacs holds R: a filter run from inside a held call
     * (process-send-string reads output while it waits) would wait for
     * a worker that waits for it. */
    while (w->queue.len >= QUEUE_MAX && w->held == 0 && !w->stop)
        SleepConditionVariableSRW(&w->room, &w->lock, INFINITE, 0);
    ok = buf_append(&w->queue, bytes, len);
    w->queue.failed = false; /* nothing was queued: the next push may fit */
    if (ok && len > 0)
        WakeConditionVariable(&w->work);
    ReleaseSRWLockExclusive(&w->lock);
    return ok;
}

void parse_worker_acquire(struct parse_worker *w)
{
    AcquireSRWLockExclusive(&w->lock);
    /* A nested hold (a timer or filter run from inside a held call)
     * takes R as it is: the outer one waited already. */
    if (w->held == 0)
        while (w->queue.len > 0 || w->parsing)
            SleepConditionVariableSRW(&w->idle, &w->lock, INFINITE, 0);
    w->held++;
    ReleaseSRWLockExclusive(&w->lock);
}

void parse_worker_release(struct parse_worker *w)
{
    AcquireSRWLockExclusive(&w->lock);
    /* Also with nothing queued: the quiet time starts again. */
    if (--w->held == 0)
        WakeConditionVariable(&w->work);
    ReleaseSRWLockExclusive(&w->lock);
}

void parse_worker_drawn(struct parse_worker *w)
{
    AcquireSRWLockExclusive(&w->lock);
    w->undrawn = false;
    ReleaseSRWLockExclusive(&w->lock);
}

bool parse_worker_woken(struct parse_worker *w)
{
    bool quiet;

    AcquireSRWLockExclusive(&w->lock);
    w->wake_pending = false;
    quiet = w->quiet;
    w->quiet = false;
    ReleaseSRWLockExclusive(&w->lock);
    return quiet;
}

bool parse_worker_busy(struct parse_worker *w)
{
    bool busy;

    AcquireSRWLockExclusive(&w->lock);
    busy = w->queue.len > 0 || w->parsing || w->undrawn;
    ReleaseSRWLockExclusive(&w->lock);
    return busy;
}

static void stop_and_free(struct parse_worker *w, bool finish)
{
    AcquireSRWLockExclusive(&w->lock);
    /* Not while Emacs holds R: the worker would wait for it. */
    if (finish && w->held == 0)
        while (w->queue.len > 0 || w->parsing)
            SleepConditionVariableSRW(&w->idle, &w->lock, INFINITE, 0);
    w->stop = true;
    WakeAllConditionVariable(&w->work);
    WakeAllConditionVariable(&w->room);
    ReleaseSRWLockExclusive(&w->lock);
    WaitForSingleObject(w->thread, INFINITE);
    CloseHandle(w->thread);
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

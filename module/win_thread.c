/* win_thread.c -- thread.h with Win32 threads, an SRWLOCK and condition
 * variables. */
#include "thread.h"

#include <stdlib.h>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

enum { NS_PER_MS = 1000000 };

struct thread_sync {
    SRWLOCK lock;
    CONDITION_VARIABLE cond[];
};

struct thread {
    HANDLE handle;
    void (*main)(void *);
    void *arg;
};

struct thread_sync *thread_sync_new(int nconds)
{
    struct thread_sync *s;
    int i;

    s = calloc(1, sizeof *s + (size_t)nconds * sizeof s->cond[0]);
    if (s == NULL)
        return NULL;
    InitializeSRWLock(&s->lock);
    for (i = 0; i < nconds; i++)
        InitializeConditionVariable(&s->cond[i]);
    return s;
}

void thread_sync_free(struct thread_sync *s)
{
    free(s); /* SRW locks and condition variables hold nothing */
}

void thread_lock(struct thread_sync *s)
{
    AcquireSRWLockExclusive(&s->lock);
}

void thread_unlock(struct thread_sync *s)
{
    ReleaseSRWLockExclusive(&s->lock);
}

void thread_wait(struct thread_sync *s, int cond)
{
    SleepConditionVariableSRW(&s->cond[cond], &s->lock, INFINITE, 0);
}

/* GetTickCount64 counts milliseconds since the system started. */
bool thread_wait_until(struct thread_sync *s, int cond, uint64_t deadline)
{
    ULONGLONG now = GetTickCount64(), end = deadline / NS_PER_MS;

    if (now >= end)
        return true;
    /* A timeout, a wake-up or a spurious return: the clock tells. */
    SleepConditionVariableSRW(&s->cond[cond], &s->lock, (DWORD)(end - now), 0);
    return GetTickCount64() >= end;
}

void thread_signal(struct thread_sync *s, int cond)
{
    WakeConditionVariable(&s->cond[cond]);
}

void thread_broadcast(struct thread_sync *s, int cond)
{
    WakeAllConditionVariable(&s->cond[cond]);
}

uint64_t thread_deadline(int ms)
{
    return ((uint64_t)GetTickCount64() + (uint64_t)ms) * NS_PER_MS;
}

static DWORD WINAPI thread_main(LPVOID arg)
{
    struct thread *t = arg;

    t->main(t->arg);
    return 0;
}

/* Windows delivers no signals to threads: nothing to block. */
struct thread *thread_start(void (*main)(void *), void *arg)
{
    struct thread *t = malloc(sizeof *t);

    if (t == NULL)
        return NULL;
    t->main = main;
    t->arg = arg;
    t->handle = CreateThread(NULL, 0, thread_main, t, 0, NULL);
    if (t->handle == NULL) {
        free(t);
        return NULL;
    }
    return t;
}

void thread_join(struct thread *t)
{
    WaitForSingleObject(t->handle, INFINITE);
    CloseHandle(t->handle);
    free(t);
}

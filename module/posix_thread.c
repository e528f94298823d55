/* posix_thread.c -- thread.h with POSIX threads. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* pthread_sigmask, clock_gettime */
#endif
#include "thread.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

enum { NS_PER_S = 1000000000 };

struct thread_sync {
    pthread_mutex_t lock;
    int nconds;
    pthread_cond_t cond[]; /* on CLOCK_MONOTONIC */
};

struct thread {
    pthread_t id;
    void (*main)(void *);
    void *arg;
};

struct thread_sync *thread_sync_new(int nconds)
{
    struct thread_sync *s;
    pthread_condattr_t attr;
    int i;

    s = calloc(1, sizeof *s + (size_t)nconds * sizeof s->cond[0]);
    if (s == NULL)
        return NULL;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return NULL;
    }
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    for (i = 0; i < nconds; i++)
        if (pthread_cond_init(&s->cond[i], &attr) != 0)
            break;
    pthread_condattr_destroy(&attr);
    s->nconds = i;
    if (i < nconds) {
        thread_sync_free(s);
        return NULL;
    }
    return s;
}

void thread_sync_free(struct thread_sync *s)
{
    int i;

    for (i = 0; i < s->nconds; i++)
        pthread_cond_destroy(&s->cond[i]);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void thread_lock(struct thread_sync *s)
{
    pthread_mutex_lock(&s->lock);
}

void thread_unlock(struct thread_sync *s)
{
    pthread_mutex_unlock(&s->lock);
}

void thread_wait(struct thread_sync *s, int cond)
{
    pthread_cond_wait(&s->cond[cond], &s->lock);
}

bool thread_wait_until(struct thread_sync *s, int cond, uint64_t deadline)
{
    struct timespec ts;

    ts.tv_sec = (time_t)(deadline / NS_PER_S);
    ts.tv_nsec = (long)(deadline % NS_PER_S);
    return pthread_cond_timedwait(&s->cond[cond], &s->lock, &ts) == ETIMEDOUT;
}

void thread_signal(struct thread_sync *s, int cond)
{
    pthread_cond_signal(&s->cond[cond]);
}

void thread_broadcast(struct thread_sync *s, int cond)
{
    pthread_cond_broadcast(&s->cond[cond]);
}

uint64_t thread_deadline(int ms)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * NS_PER_S + (uint64_t)now.tv_nsec +
           (uint64_t)ms * (NS_PER_S / 1000);
}

static void *thread_main(void *arg)
{
    struct thread *t = arg;

    t->main(t->arg);
    return NULL;
}

struct thread *thread_start(void (*main)(void *), void *arg)
{
    struct thread *t = malloc(sizeof *t);
    sigset_t all, old;
    int err;

    if (t == NULL)
        return NULL;
    t->main = main;
    t->arg = arg;
    /* Signals are Emacs's, on its own thread (SIGCHLD, SIGIO, ...): the
     * thread blocks every one, SIGPIPE included. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    err = pthread_create(&t->id, NULL, thread_main, t);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != 0) {
        free(t);
        return NULL;
    }
    return t;
}

void thread_join(struct thread *t)
{
    pthread_join(t->id, NULL);
    free(t);
}

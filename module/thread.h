/* thread.h -- a thread of the module's, and the lock and condition
 * variables it shares with Emacs's thread.  One file per OS: POSIX
 * threads (posix_thread.c), Win32 threads, SRWLOCK and condition
 * variables (win_thread.c); module.mk picks the build's.  Plain C, no
 * Emacs types. */
#ifndef THREAD_H
#define THREAD_H

#include <stdbool.h>
#include <stdint.h>

/* A lock and NCONDS condition variables that go with it, numbered from
 * 0.  The times of the timed wait are on a monotonic clock. */
struct thread_sync;

struct thread_sync *thread_sync_new(int nconds);
void thread_sync_free(struct thread_sync *s);

void thread_lock(struct thread_sync *s);
void thread_unlock(struct thread_sync *s);

/* Wait (lock held) on condition variable COND; it may return without
 * a signal too. */
void thread_wait(struct thread_sync *s, int cond);

/* The same, at the latest until DEADLINE (thread_deadline): true when
 * DEADLINE has passed, maybe without waiting at all. */
bool thread_wait_until(struct thread_sync *s, int cond, uint64_t deadline);

/* Wake one, or every, thread waiting on COND. */
void thread_signal(struct thread_sync *s, int cond);
void thread_broadcast(struct thread_sync *s, int cond);

/* The time MS milliseconds from now, on the monotonic clock. */
uint64_t thread_deadline(int ms);

struct thread;

/* Run MAIN (ARG) on a thread of its own, which takes none of Emacs's
 * signals.  NULL on failure. */
struct thread *thread_start(void (*main)(void *), void *arg);

/* Wait until T's MAIN returned, and free T. */
void thread_join(struct thread *t);

#endif /* THREAD_H */

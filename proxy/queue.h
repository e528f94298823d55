/* queue.h -- the bounded output queue between the pseudo terminal and
 * stdout.  A FIFO of bytes in fixed-size chunks.  It never drops data:
 * the bound is enforced by the caller, which stops reading the pseudo
 * terminal while queue_full() and resumes once queue_drained() (DESIGN.md
 * rule 5).  Not thread-safe; the Windows backend locks around it. */
#ifndef QUEUE_H
#define QUEUE_H

#include <stdbool.h>
#include <stddef.h>

/* The bound is a few milliseconds of Emacs's reading, not more: while
 * Emacs is busy (a redraw, a garbage collection), reading further ahead
 * only has the proxy and the program compete with Emacs for the CPU,
 * for work Emacs cannot take yet.  Measured on two cores (HACKING.md):
 * with a 4 MiB bound, coloured output through the proxy ran at 83-86%
 * of the pty path's speed; with this one, at 98-99%. */
enum {
    QUEUE_HIGH_WATER = 256 << 10, /* stop reading the pty at this size */
    QUEUE_LOW_WATER = 128 << 10,  /* resume reading below this size */
    QUEUE_CHUNK = 64 << 10        /* bytes per chunk: also the read size */
};

struct queue;

struct queue *queue_new(void);
void queue_free(struct queue *q);

/* Bytes queued. */
size_t queue_size(const struct queue *q);
bool queue_full(const struct queue *q);
bool queue_drained(const struct queue *q);

/* Append LEN bytes.  Returns false only when memory runs out (nothing is
 * appended then). */
bool queue_push(struct queue *q, const void *data, size_t len);

/* The contiguous bytes at the front: returns their count (0 when empty)
 * and sets *DATA.  They stay queued until queue_pop(). */
size_t queue_front(const struct queue *q, const void **data);

/* Remove LEN bytes (at most queue_front()'s count) from the front. */
void queue_pop(struct queue *q, size_t len);

#endif

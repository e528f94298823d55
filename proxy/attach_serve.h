/* attach_serve.h -- what a session server queues for its attached
 * client, whatever the OS: frames (attach_frame.h) of live output, the
 * snapshot of its screen, the exit code.  The backends own the I/O. */
#ifndef ATTACH_SERVE_H
#define ATTACH_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "queue.h"
#include "screen.h"

/* Queue a frame of TYPE with LEN payload bytes at DATA; false (traced)
 * when out of memory. */
bool attach_push_frame(struct queue *q, int type, const void *data, size_t len);

/* Queue the snapshot of S (snapshot.h) as data frames; false when out of
 * memory (part of it may be queued). */
bool attach_push_snapshot(struct queue *q, struct screen *s);

/* Queue the exit frame for CODE. */
bool attach_push_exit(struct queue *q, int code);

#endif

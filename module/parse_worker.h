/* parse_worker.h -- feeding a render core from a thread of its own.
 *
 * Emacs runs process filters on its one thread: parsing output there
 * adds libvterm's time to Emacs's own reading and garbage collection.
 * A worker parses what the filter queued while Emacs goes on reading;
 * Emacs takes the render core (for a redraw, a key, a resize) only
 * once the queue is drained, so it always sees every byte it queued.
 *
 * The worker never calls Emacs.  It writes one byte to a channel Emacs
 * reads (struct parse_wakeup), unless one is pending already, after a
 * batch that produced something for Emacs to take (replies to queries,
 * a title, ...: render_has_news), and when the output stops:
 * everything queued is parsed, some of it is not drawn yet, and
 * nothing more came for the worker's quiet time.
 *
 * One file for every OS (parse_worker.c), over a thread of thread.h and
 * a channel of wake_writer.h, which have a file per OS.  Plain C, no
 * Emacs types. */
#ifndef PARSE_WORKER_H
#define PARSE_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#include "render.h"
#include "wake_writer.h"

struct parse_worker;

/* How long no output means the output stopped (the quiet time Emacs's
 * worker uses): longer than Emacs's garbage collections in batch (about
 * 10 ms here), far below the 100 ms of its redraw timer. */
#define PARSE_WORKER_QUIET_MS 20

/* Start a worker for R that wakes Emacs through WAKE (whose descriptor
 * it owns from then on, and closes when stopped), QUIET_MS after
 * output stops.  NULL on failure, with WAKE's descriptor left to the
 * caller. */
struct parse_worker *parse_worker_start(struct render *r,
                                        const struct parse_wakeup *wake,
                                        int quiet_ms);

/* Queue LEN bytes of process output.  Waits while the queue is full
 * (the worker is behind): Emacs then stops reading, and the program
 * waits for the terminal, as it would without the worker.  False when
 * out of memory (nothing queued). */
bool parse_worker_push(struct parse_worker *w, const char *bytes, size_t len);

/* Take R, once everything queued so far is parsed; give it back.  The
 * worker parses nothing in between. */
void parse_worker_acquire(struct parse_worker *w);
void parse_worker_release(struct parse_worker *w);

/* Emacs drew R (while holding it): the output parsed so far is shown. */
void parse_worker_drawn(struct parse_worker *w);

/* Emacs read the wake-up byte: the next batch writes another.  True
 * when the output stopped (since the last call) with some of it not
 * drawn: Emacs should draw it now. */
bool parse_worker_woken(struct parse_worker *w);

/* True while the worker may still write a wake-up byte without more
 * output pushed: output is queued or being parsed, or parsed and not
 * drawn (the quiet time's wake-up is to come).  False: every byte it
 * wrote has been handed to the OS for Emacs already. */
bool parse_worker_busy(struct parse_worker *w);

/* Stop the worker (it finishes the batch in hand), close its
 * channel, free it.  R is left to the caller.  Output still queued
 * is dropped. */
void parse_worker_stop(struct parse_worker *w);

/* The same once the output queued so far is parsed (unless Emacs holds
 * R: then it is dropped); R then has all of it. */
void parse_worker_finish(struct parse_worker *w);

#endif /* PARSE_WORKER_H */

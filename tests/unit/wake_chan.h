/* wake_chan.h -- the test's end of a parse worker's wake-up channel
 * (parse_worker.h, struct parse_wakeup), as Emacs reads it: one file per
 * OS, like the workers (posix_wake_chan.c: a pipe; tests/wine/
 * win_wake_chan.c: a loopback server that checks the secret). */
#ifndef WAKE_CHAN_H
#define WAKE_CHAN_H

#include <stdbool.h>

#include "parse_worker.h"

struct wake_chan;

/* A channel for a worker to start with: fills WAKE.  NULL on failure. */
struct wake_chan *chan_open(struct parse_wakeup *wake);

/* After parse_worker_start succeeded: take the worker's end (Windows:
 * accept its connection and check the secret it sends first). */
bool chan_started(struct wake_chan *c);

/* A wake-up byte can be read within MS milliseconds. */
bool chan_readable(struct wake_chan *c, int ms);

/* Read one wake-up byte. */
bool chan_read_byte(struct wake_chan *c);

/* Read what is left; true when the worker's end is closed. */
bool chan_at_end(struct wake_chan *c);

/* Close the test's end and free C. */
void chan_close(struct wake_chan *c);

void chan_sleep_ms(int ms);

#endif /* WAKE_CHAN_H */

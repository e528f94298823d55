/* parse_wakeup.h -- the parse thread's wake-up channel, from what Lisp
 * gave vterm--start-parse-thread (CHANNEL and SECRET).  One file per OS:
 * - posix_parse_wakeup.c: CHANNEL is a pipe process, whose descriptor
 *   (Emacs 28's open_channel) the thread writes to;
 * - win_parse_wakeup.c: CHANNEL is the port of 127.0.0.1 a Lisp server
 *   listens on, SECRET what the thread's connection sends first: Emacs's
 *   descriptors are its C runtime's (win_wake_writer.c says more). */
#ifndef PARSE_WAKEUP_H
#define PARSE_WAKEUP_H

#include <emacs-module.h>

#include <stdbool.h>

#include "wake_writer.h"

/* Fill OUT from CHANNEL and SECRET; false when this Emacs or this OS
 * cannot (nothing to discard then, and maybe a pending signal). */
bool parse_wakeup_from_lisp(emacs_env *env, emacs_value channel,
                            emacs_value secret, struct parse_wakeup *out);

/* Close what OUT holds when no worker took it. */
void parse_wakeup_discard(struct parse_wakeup *wake);

#endif /* PARSE_WAKEUP_H */

/* snapshot.h -- the session server's state as terminal sequences: fed
 * into a fresh terminal of the same size they rebuild the scrollback,
 * the primary and alternate screens with their attributes, the saved
 * and current cursor, the pen, the title, the scroll region and the
 * modes (cursor keys, keypad, bracketed paste, mouse, ...).  What a
 * client gets first when it attaches. */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include "outbuf.h"
#include "screen.h"

void snapshot_write(struct screen *s, struct outbuf *out);

#endif

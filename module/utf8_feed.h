/* utf8_feed.h -- libvterm fed so that no write of it ends inside a UTF-8
 * sequence.  Output comes in pieces cut anywhere (a pty's reads, Emacs's,
 * a server's batches), and libvterm 0.3.3 decodes a sequence split across
 * two writes wrongly: a combining mark so split is dropped, or shows as
 * U+FFFD.  An incomplete sequence at the end of a write is held and fed
 * with the bytes that complete (or break) it. */
#ifndef UTF8_FEED_H
#define UTF8_FEED_H

#include <stddef.h>

#include <vterm.h>

struct utf8_feed {
    unsigned char hold[5]; /* NUL-terminated when fed */
    size_t held;
};

/* Write LEN BYTES to VT, holding back an incomplete sequence at the end
 * and completing a held one first. */
void utf8_feed(struct utf8_feed *f, VTerm *vt, const char *bytes, size_t len);

#endif /* UTF8_FEED_H */

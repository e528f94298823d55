/* utf8_feed.c -- see utf8_feed.h. */
#include "utf8_feed.h"

#include <string.h>

#include "utf8.h"

void utf8_feed(struct utf8_feed *f, VTerm *vt, const char *bytes, size_t len)
{
    const unsigned char *b = (const unsigned char *)bytes;
    size_t tail;

    if (f->held > 0) {
        size_t need = utf8_seq_len(f->hold[0]);

        while (f->held < need && len > 0 && (*b & 0xc0) == 0x80) {
            f->hold[f->held++] = *b++;
            len--;
        }
        if (f->held < need && len == 0)
            return; /* still incomplete: wait for more */
        if (f->held < need && *b < 0x80) {
            /* Broken by an ASCII byte: libvterm must see that byte in the
             * same write, as it would have without the hold.  Alone, the
             * held bytes leave libvterm's UTF-8 decoder waiting, and text
             * that starts with ASCII goes to its ASCII decoder: the
             * U+FFFD of the broken sequence was lost (a lead byte after
             * it goes to the UTF-8 decoder either way). */
            f->hold[f->held++] = *b++;
            len--;
        }
        /* libvterm 0.1.4 strncpy()s string contents and reads past the
         * length it is given, up to a NUL. */
        f->hold[f->held] = 0;
        vterm_input_write(vt, (const char *)f->hold, f->held);
        f->held = 0;
    }
    tail = utf8_incomplete_tail(b, len);
    vterm_input_write(vt, (const char *)b, len - tail);
    memcpy(f->hold, b + len - tail, tail);
    f->held = tail;
}

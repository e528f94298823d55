/* outbuf.h -- a growable byte buffer for what the session server builds
 * (scrollback lines, snapshots).  Out of memory is sticky: the buffer
 * records it and further appends do nothing. */
#ifndef OUTBUF_H
#define OUTBUF_H

#include <stdbool.h>
#include <stddef.h>

struct outbuf {
    char *data;
    size_t len, cap;
    bool failed; /* an allocation failed: the contents are incomplete */
};

void outbuf_append(struct outbuf *b, const void *data, size_t len);

/* Append printf-style text (at most 255 bytes per call). */
void outbuf_printf(struct outbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append code point CP as UTF-8 (nothing for invalid ones). */
void outbuf_utf8(struct outbuf *b, unsigned long cp);

void outbuf_free(struct outbuf *b);

#endif

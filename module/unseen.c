/* unseen.c -- unseen.h: the part of a write nobody will see, by its bytes. */
#include "unseen.h"

#include <string.h>

/* Byte I of BYTES (LEN long) leaves libvterm's parser in its ground
 * state and the scroll region as it is, and does not move the cursor up:
 * printable ASCII, UTF-8 that cannot be a C1 control (0xc2 0x80..0x9f),
 * CR, LF, TAB or BS. */
static bool plain_at(const unsigned char *bytes, size_t len, size_t i)
{
    unsigned char c = bytes[i];

    if (c == 0xc2)
        return i + 1 < len && bytes[i + 1] >= 0xa0;
    return (c >= 0x20 && c != 0x7f) || c == '\n' || c == '\r' || c == '\t' ||
           c == '\b';
}

/* The line feed at I ends a CR LF. */
static bool crlf_at(const unsigned char *bytes, size_t i)
{
    return i > 0 && bytes[i - 1] == '\r';
}

/* BYTES[FROM, LEN) holds a character to print (printable ASCII or a
 * whole UTF-8 sequence): the last one printed, which REP repeats and a
 * combining mark would join, is then there. */
static bool text_in(const unsigned char *bytes, size_t from, size_t len)
{
    size_t i = len;

    while (i > from) {
        unsigned char c = bytes[--i];

        if ((c >= 0x20 && c < 0x7f) || (c >= 0xc2 && c <= 0xf4 &&
                                        len - i >= (c < 0xe0   ? 2u
                                                    : c < 0xf0 ? 3u
                                                               : 4u)))
            return true;
    }
    return false;
}

bool unseen_find(const char *bytes, size_t len, long keep, int rows,
                 struct unseen *u)
{
    const unsigned char *b = (const unsigned char *)bytes;
    size_t i = len;
    long feeds = 0, more = keep + rows, seen = 0;
    const unsigned char *p, *end;

    memset(u, 0, sizeof *u);
    u->from = len;
    /* Backwards through the plain bytes at the end. */
    while (i > 0 && plain_at(b, len, i - 1)) {
        i--;
        if (b[i] != '\n')
            continue;
        feeds++;
        if (feeds == keep)
            u->to = i;
        if (feeds > more && u->skip_to == 0 && crlf_at(b, i))
            u->skip_to = i + 1;
        u->from = i + 1;
    }
    if (i == 0)
        u->from = 0;
    if (u->to <= u->from)
        return false;
    /* Forwards from FROM to the first CR LF after ROWS + 1 line feeds. */
    u->skip_from = u->skip_to;
    end = b + u->skip_to;
    for (p = b + u->from; p < end; p++) {
        p = memchr(p, '\n', (size_t)(end - p));
        if (p == NULL)
            break;
        if (++seen > rows && crlf_at(b, (size_t)(p - b))) {
            u->skip_from = (size_t)(p - b) + 1;
            break;
        }
    }
    if (u->skip_from >= u->skip_to || !text_in(b, u->skip_to, len)) {
        u->skip_from = u->skip_to = u->to;
        return true;
    }
    for (p = b + u->skip_from; p < end; p++) {
        p = memchr(p, '\n', (size_t)(end - p));
        if (p == NULL)
            break;
        u->skipped_feeds++;
    }
    return true;
}

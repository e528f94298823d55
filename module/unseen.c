/* unseen.c -- unseen.h: the part of a write nobody will see, by its bytes. */
#include "unseen.h"

#include <stdint.h>
#include <string.h>

enum { SGR_ARGS_MAX = 16, SGR_LEN_MAX = 64 };

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

/* The length of the SGR that starts at I of BYTES (LEN long), 0 when
 * none does: ESC [, digits, ';' and ':', m, at most SGR_ARGS_MAX
 * arguments and SGR_LEN_MAX bytes (libvterm keeps no more arguments,
 * the guards cut longer ones; what is left is parsed anyway). */
static size_t sgr_len(const unsigned char *bytes, size_t len, size_t i)
{
    size_t j, end = len - i > SGR_LEN_MAX ? i + SGR_LEN_MAX : len;
    int args = 1;

    if (bytes[i] != 0x1b || i + 2 >= len || bytes[i + 1] != '[')
        return 0;
    for (j = i + 2; j < end; j++) {
        unsigned char c = bytes[j];

        if (c == 'm')
            return j + 1 - i;
        if ((c == ';' || c == ':') && ++args > SGR_ARGS_MAX)
            return 0;
        if ((c < '0' || c > '9') && c != ';' && c != ':')
            return 0;
    }
    return 0;
}

/* The 8 bytes of WORD are all text that plain_at takes (>= 0x20, not
 * DEL nor 0xc2), none a line feed.  A byte below N, or 0 after XOR
 * with a byte, sets its high bit in (x - N...) & ~x & 0x80...: exact
 * when no byte matches (a borrow only follows a match). */
static bool text_word(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, highs = ones * 0x80;
    uint64_t del = x ^ (ones * 0x7f), c2 = x ^ (ones * 0xc2);
    uint64_t below = (x - ones * 0x20) & ~x;

    return ((below | ((del - ones) & ~del) | ((c2 - ones) & ~c2)) & highs) == 0;
}

/* The line feed at I ends a CR LF. */
static bool crlf_at(const unsigned char *bytes, size_t i)
{
    return i > 0 && bytes[i - 1] == '\r';
}

/* BYTES[FROM, LEN), plain bytes and SGRs, holds a character to print
 * (printable ASCII or a whole UTF-8 sequence): the last one printed,
 * which REP repeats and a combining mark would join, is then there. */
static bool text_in(const unsigned char *bytes, size_t from, size_t len)
{
    size_t i = from;

    while (i < len) {
        unsigned char c = bytes[i];
        size_t sgr = sgr_len(bytes, len, i);

        if ((c >= 0x20 && c < 0x7f) || (c >= 0xc2 && c <= 0xf4 &&
                                        len - i >= (c < 0xe0   ? 2u
                                                    : c < 0xf0 ? 3u
                                                               : 4u)))
            return true;
        i += sgr > 0 ? sgr : 1;
    }
    return false;
}

/* Where the SGR (or the 0xc2 that may start a C1 control) that BYTES
 * (LEN long) ends inside starts: a pty cuts output anywhere, the rest
 * comes in the next write.  LEN when it ends in none. */
static size_t cut_at_end(const unsigned char *bytes, size_t len)
{
    size_t i = len, stop = len > SGR_LEN_MAX ? len - SGR_LEN_MAX : 0;

    if (len > 0 && bytes[len - 1] == 0xc2)
        return len - 1;
    while (i > stop && ((bytes[i - 1] >= '0' && bytes[i - 1] <= '9') ||
                        bytes[i - 1] == ';' || bytes[i - 1] == ':'))
        i--;
    if (i > 0 && bytes[i - 1] == 0x1b && i == len)
        return i - 1;
    if (i > 1 && bytes[i - 1] == '[' && bytes[i - 2] == 0x1b)
        return i - 2;
    return len;
}

bool unseen_find(const char *bytes, size_t len, long keep, int rows,
                 struct unseen *u)
{
    const unsigned char *b = (const unsigned char *)bytes;
    long feeds = 0, more = keep + rows, seen = 0;
    int slow = 0;
    const unsigned char *p, *end;
    size_t i;

    memset(u, 0, sizeof *u);
    /* All that follows is found before an SGR cut off at the end (it is
     * parsed with what comes after TO). */
    len = cut_at_end(b, len);
    i = len;
    /* Most writes have fewer line feeds than KEEP: found without a look
     * at each byte. */
    end = b + len;
    for (p = b;
         feeds < keep && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        feeds++;
    if (feeds < keep)
        return false;
    feeds = 0;
    u->from = len;
    /* Backwards through the plain bytes and SGRs at the end (an SGR's
     * bytes after its ESC are plain ones, none a line feed). */
    while (i > 0) {
        unsigned char c;
        uint64_t word;

        /* Eight bytes at a time, or after a word that is not all text
         * one at a time for eight. */
        if (slow == 0 && i >= 8 &&
            (memcpy(&word, b + i - 8, 8), text_word(word))) {
            i -= 8;
            continue;
        }
        slow = slow == 0 ? 7 : slow - 1;
        c = b[i - 1];
        if (c >= 0x20 && c != 0x7f && c != 0xc2) { /* text: most bytes */
            i--;
            continue;
        }
        if (!plain_at(b, len, i - 1) && sgr_len(b, len, i - 1) == 0)
            break;
        i--;
        if (c != '\n')
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

/* The SGR at BYTES[AT] (see unseen_find: every ESC after FROM starts one)
 * resets the whole pen first: no arguments, or a first one of 0 or none. */
static bool sgr_resets(const unsigned char *bytes, size_t at)
{
    const unsigned char *args = bytes + at + 2;

    return args[0] == 'm' || args[0] == ';' ||
           (args[0] == '0' && (args[1] == 'm' || args[1] == ';'));
}

void unseen_pen(const char *bytes, const struct unseen *u,
                void (*feed)(void *ctx, const char *sgrs, size_t len),
                void *ctx)
{
    const unsigned char *b = (const unsigned char *)bytes, *esc;
    size_t at = u->skip_from, from = u->skip_to;

    /* From the first SGR, or the last one that resets the pen. */
    while ((esc = memchr(b + at, 0x1b, u->skip_to - at)) != NULL) {
        at = (size_t)(esc - b);
        if (from == u->skip_to || sgr_resets(b, at))
            from = at;
        at++;
    }
    while (from < u->skip_to) {
        size_t end = from, n;

        /* Adjacent SGRs in one call (every ESC here starts one). */
        while (end < u->skip_to && (n = sgr_len(b, u->skip_to, end)) > 0)
            end += n;
        if (end == from)
            break;
        feed(ctx, bytes + from, end - from);
        esc = memchr(b + end, 0x1b, u->skip_to - end);
        from = esc != NULL ? (size_t)(esc - b) : u->skip_to;
    }
}

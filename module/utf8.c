/* utf8.c -- see utf8.h. */
#include "utf8.h"

bool utf8_all_ascii(const unsigned char *s, size_t len)
{
    unsigned char any = 0;

    /* No early exit: a loop gcc vectorises is faster on the text this
     * is for (screens and scrollback, ASCII nearly always). */
    for (size_t i = 0; i < len; i++)
        any |= s[i];
    return any < 0x80;
}

bool utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0, n, k;
    uint32_t c;

    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        if (s[i] < 0xc2 || s[i] > 0xf4)
            return false;
        n = utf8_seq_len(s[i]);
        if (i + n > len)
            return false;
        c = s[i] & (0x3f >> (n - 1));
        for (k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            c = (c << 6) | (s[i + k] & 0x3f);
        }
        if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
            (n == 4 && (c < 0x10000 || c > 0x10ffff)))
            return false;
        i += n;
    }
    return true;
}

size_t utf8_incomplete_tail(const unsigned char *s, size_t len)
{
    size_t back, need;

    for (back = 1; back <= 3 && back <= len; back++) {
        unsigned char c = s[len - back];
        if ((c & 0xc0) == 0x80)
            continue; /* a continuation byte: keep looking for the lead */
        if (c < 0xc0)
            return 0;
        need = utf8_seq_len(c);
        return need > back ? back : 0;
    }
    return 0;
}

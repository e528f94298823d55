/* utf8.h -- UTF-8 as the module reads and writes it: the one place that
 * knows how a character is encoded.  The per-character functions are
 * inline: line_build runs one per cell of every line a viewer is shown. */
#ifndef UTF8_H
#define UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of the sequence a byte at least 0xc0 leads (1 for ASCII). */
static inline size_t utf8_seq_len(unsigned char lead)
{
    return lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
}

/* C into OUT (room for 4 bytes); returns the bytes written.  What is not
 * a character (a surrogate, past U+10FFFF) becomes U+FFFD: nothing
 * invalid reaches a buffer. */
static inline size_t utf8_encode(uint32_t c, char *out)
{
    if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        c = 0xfffd;
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

/* The character at S (LEN > 0 bytes) into *C; returns the bytes it takes.
 * Meant for text that is UTF-8 (ours, or Emacs's): a stray continuation
 * byte or a sequence cut short reads as U+FFFD and takes one byte. */
static inline size_t utf8_decode(const unsigned char *s, size_t len,
                                 uint32_t *c)
{
    size_t n = utf8_seq_len(s[0]), i;

    if (n > len || (s[0] >= 0x80 && s[0] < 0xc0)) {
        *c = 0xfffd;
        return 1;
    }
    *c = n == 1 ? s[0] : s[0] & (0x3f >> (n - 1));
    for (i = 1; i < n; i++)
        *c = (*c << 6) | (s[i] & 0x3f);
    return n;
}

/* Nothing but ASCII? */
bool utf8_all_ascii(const unsigned char *s, size_t len);

/* Well-formed UTF-8 (shortest forms, no surrogates, at most U+10FFFF)? */
bool utf8_valid(const unsigned char *s, size_t len);

/* Bytes at the end of S that start a sequence still missing continuation
 * bytes (0 when the tail is complete or not UTF-8). */
size_t utf8_incomplete_tail(const unsigned char *s, size_t len);

#endif /* UTF8_H */

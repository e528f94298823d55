/* csi_guard.c -- see csi_guard.h. */
#include "csi_guard.h"

/* Where libvterm's parser is: text, after ESC, among an escape's
 * intermediate bytes (ESC ( B), in a CSI.  Like libvterm, a C0 control
 * inside a sequence is carried out without ending it; NUL and DEL are
 * ignored; CAN and SUB cancel it. */
enum { TEXT, ESCAPE, ESC_INTER, CSI };

static bool ignored(unsigned char c)
{
    return c == 0x00 || c == 0x7f;
}

static bool c0_inside(unsigned char c)
{
    return c < 0x20 && c != 0x18 && c != 0x1a && c != 0x1b;
}

size_t csi_guard_filter(struct csi_guard *g, const char *in, size_t len,
                        char *out)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];

        if (g->state == CSI) {
            bool sep = c == ';' || c == ':';

            if (sep && !g->dropping && ++g->separators >= CSI_GUARD_ARGS)
                g->dropping = true;
            if (g->dropping && (sep || (c >= '0' && c <= '9')))
                continue;
            g->dropping = false;
            if (c >= 0x40 && c <= 0x7e)
                g->state = TEXT; /* the final byte */
            else if (c == 0x1b)
                g->state = ESCAPE;
            else if (c == 0x18 || c == 0x1a)
                g->state = TEXT; /* CAN, SUB: cancelled */
        } else if (g->state == ESCAPE || g->state == ESC_INTER) {
            if (ignored(c) || c0_inside(c))
                ; /* still in the sequence */
            else if (c == '[' && g->state == ESCAPE)
                g->state = CSI;
            else if (c == 0x1b)
                g->state = ESCAPE;
            else if (c >= 0x20 && c <= 0x2f)
                g->state = ESC_INTER;
            else
                g->state = TEXT; /* a final, CAN or SUB, or a string */
            g->separators = 0;
            g->dropping = false;
        } else if (c == 0x1b) {
            g->state = ESCAPE;
        }
        out[n++] = (char)c;
    }
    return n;
}

bool csi_guard_in_text(const struct csi_guard *g)
{
    return g->state == TEXT;
}

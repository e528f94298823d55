/* csi_guard.c -- see csi_guard.h. */
#include "csi_guard.h"

enum { TEXT, ESCAPE, CSI };

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
        } else if (g->state == ESCAPE) {
            g->state = c == '[' ? CSI : c == 0x1b ? ESCAPE : TEXT;
            g->separators = 0;
            g->dropping = false;
        } else if (c == 0x1b) {
            g->state = ESCAPE;
        }
        out[n++] = (char)c;
    }
    return n;
}

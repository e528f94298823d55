/* cells.c -- see cells.h. */
#include "cells.h"

#include <stdint.h>

bool cells_attrs_equal(const VTermScreenCellAttrs *a,
                       const VTermScreenCellAttrs *b)
{
    return a->bold == b->bold && a->underline == b->underline &&
           a->italic == b->italic && a->blink == b->blink &&
           a->reverse == b->reverse && a->conceal == b->conceal &&
           a->strike == b->strike && a->font == b->font &&
           a->small == b->small && a->baseline == b->baseline;
}

/* A colour's own SGR ("\e[38;2;r;g;bm"): with the attributes in one
 * sequence, more than the 16 arguments libvterm's parser holds. */
static void sgr_color(struct outbuf *out, const VTermColor *c, bool fg)
{
    if (VTERM_COLOR_IS_DEFAULT_FG(c) || VTERM_COLOR_IS_DEFAULT_BG(c))
        return;
    if (VTERM_COLOR_IS_INDEXED(c)) {
        int i = c->indexed.idx;

        if (i < 8)
            outbuf_printf(out, "\033[%dm", (fg ? 30 : 40) + i);
        else if (i < 16)
            outbuf_printf(out, "\033[%dm", (fg ? 90 : 100) + i - 8);
        else
            outbuf_printf(out, "\033[%d;5;%dm", fg ? 38 : 48, i);
    } else {
        outbuf_printf(out, "\033[%d;2;%d;%d;%dm", fg ? 38 : 48, c->rgb.red,
                      c->rgb.green, c->rgb.blue);
    }
}

void cells_sgr(struct outbuf *out, const VTermScreenCellAttrs *a,
               const VTermColor *fg, const VTermColor *bg)
{
    static const char *const underline[] = {"", ";4", ";21", ";4:3"};

    outbuf_append(out, "\033[0", 3);
    if (a->bold)
        outbuf_append(out, ";1", 2);
    if (a->italic)
        outbuf_append(out, ";3", 2);
    if (a->underline != 0)
        outbuf_printf(out, "%s", underline[a->underline & 3]);
    if (a->blink)
        outbuf_append(out, ";5", 2);
    if (a->reverse)
        outbuf_append(out, ";7", 2);
    if (a->conceal)
        outbuf_append(out, ";8", 2);
    if (a->strike)
        outbuf_append(out, ";9", 2);
    if (a->font != 0)
        outbuf_printf(out, ";%d", 10 + a->font);
    if (a->small && a->baseline == VTERM_BASELINE_RAISE)
        outbuf_append(out, ";73", 3);
    if (a->small && a->baseline == VTERM_BASELINE_LOWER)
        outbuf_append(out, ";74", 3);
    outbuf_append(out, "m", 1);
    sgr_color(out, fg, true);
    sgr_color(out, bg, false);
}

static bool erased(const VTermScreenCell *c)
{
    return c->chars[0] == 0;
}

static bool blank(const VTermScreenCell *c)
{
    return erased(c) && VTERM_COLOR_IS_DEFAULT_FG(&c->fg) &&
           VTERM_COLOR_IS_DEFAULT_BG(&c->bg);
}

static bool same_pen(const VTermScreenCell *a, const VTermScreenCell *b)
{
    return cells_attrs_equal(&a->attrs, &b->attrs) &&
           vterm_color_is_equal(&a->fg, &b->fg) &&
           vterm_color_is_equal(&a->bg, &b->bg);
}

void cells_encode(struct outbuf *out, const VTermScreenCell *cells, int n)
{
    const VTermScreenCell *pen = NULL; /* NULL: the default pen */
    int end = n;

    while (end > 0 && blank(&cells[end - 1]))
        end--;
    for (int i = 0; i < end;) {
        const VTermScreenCell *c = &cells[i];

        if (erased(c) || c->chars[0] == UINT32_MAX) {
            /* A run of erased cells of one colour (a lone right half of
             * a wide character cannot be drawn: it becomes erased). */
            int run = 1;
            VTermScreenCellAttrs none = {0};

            while (i + run < end && erased(&cells[i + run]) &&
                   vterm_color_is_equal(&cells[i + run].fg, &c->fg) &&
                   vterm_color_is_equal(&cells[i + run].bg, &c->bg))
                run++;
            cells_sgr(out, &none, &c->fg, &c->bg);
            pen = NULL;
            outbuf_printf(out, "\033[%dX\033[%dC", run, run);
            i += run;
            continue;
        }
        if (pen == NULL || !same_pen(pen, c))
            cells_sgr(out, &c->attrs, &c->fg, &c->bg);
        pen = c;
        for (int k = 0; k < VTERM_MAX_CHARS_PER_CELL && c->chars[k] != 0; k++)
            outbuf_utf8(out, c->chars[k]);
        i += c->width > 1 ? c->width : 1;
    }
    outbuf_append(out, "\033[0m", 4);
}

/* snapshot.c -- see snapshot.h.  The modes, the scroll region and the
 * saved cursor have no getter in libvterm's API: they are read from its
 * state (vterm_internal.h of the libvterm 0.3.3 the proxy links
 * statically), in this file only. */
#include "snapshot.h"

#include <stdint.h>
#include <stdlib.h>

#include <vterm_internal.h>

#include "cells.h"

/* The line size sequence (DECDHL top or bottom, DECDWL) of a double
 * line with this INFO. */
static char line_size(const VTermLineInfo *info)
{
    /* doubleheight: 1 the top half, 2 the bottom one (state.c's DHL_*). */
    return info->doubleheight == 1 ? '3' : info->doubleheight == 2 ? '4' : '6';
}

/* Row ROW (from 0) of N CELLS, a line with INFO: a double-width or
 * double-height one is made one first, and only its left half is text. */
static void draw_row(struct outbuf *out, int row, const VTermLineInfo *info,
                     const VTermScreenCell *cells, int n)
{
    outbuf_printf(out, "\033[%d;1H\033[0m\033[2K", row + 1);
    if (info->doublewidth) {
        outbuf_printf(out, "\033#%c", line_size(info));
        n /= 2;
    }
    cells_encode(out, cells, n);
}

/* The cursor's line made single width, the cursor at ROW, COL (as CUP
 * takes them) on it: past the half of a double-width line too. */
static void single_width_at(struct outbuf *out, int row, int col)
{
    outbuf_printf(out, "\033[%d;%dH\033#5\033[%d;%dH", row, col, row, col);
}

/* CUP to ROW, COL (as CUP takes them) on a line with INFO.  A cursor
 * past the half of a double-width line (put there before the line
 * became one) is out of CUP's reach: the line is made single width for
 * the move, then double again (its hidden half is erased already).  The
 * end of any CSI would bring it back to the half: nothing but ESC
 * sequences may follow before the position is used or saved. */
static void move_to(struct outbuf *out, const VTermLineInfo *info, int row,
                    int col, int cols)
{
    if (info->doublewidth && col > cols / 2) {
        single_width_at(out, row, col);
        outbuf_printf(out, "\033#%c", line_size(info));
    } else
        outbuf_printf(out, "\033[%d;%dH", row, col);
}

/* On the alternate screen just entered: DECLRMM (on in ST) clears the
 * double lines of the screen shown and refuses new ones, so when this
 * screen has some, the mode was set from the primary screen (which then
 * has none).  The rows' sizes first, then the mode set from the primary
 * screen and back (1047: the saved cursor stays; entering erases the
 * cells, the sizes stay); true when it did. */
static bool alt_lines_before_lrm(struct outbuf *out, const VTermState *st,
                                 int rows)
{
    bool any = false;

    if (!st->mode.leftrightmargin)
        return false;
    for (int r = 0; r < rows; r++) {
        const VTermLineInfo *info = vterm_state_get_lineinfo(st, r);

        if (info->doublewidth) {
            outbuf_printf(out, "\033[%d;1H\033#%c", r + 1, line_size(info));
            any = true;
        }
    }
    if (any)
        outbuf_append(out, "\033[?1047l\033[?69h\033[?1047h", 22);
    return any;
}

/* Rows of the current screen, whose state is ST. */
static void draw_screen(struct outbuf *out, struct screen *s,
                        const VTermState *st, int cols, int rows,
                        VTermScreenCell *row)
{
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++)
            screen_get_cell(s, r, c, &row[c]);
        draw_row(out, r, vterm_state_get_lineinfo(st, r), row, cols);
    }
}

static void pen_sgr(struct outbuf *out, const struct VTermPen *pen)
{
    VTermScreenCellAttrs a = {
        .bold = pen->bold,
        .underline = pen->underline,
        .italic = pen->italic,
        .blink = pen->blink,
        .reverse = pen->reverse,
        .conceal = pen->conceal,
        .strike = pen->strike,
        .font = pen->font,
        .small = pen->small,
        .baseline = pen->baseline,
    };

    cells_sgr(out, &a, &pen->fg, &pen->bg);
}

static void set_mode(struct outbuf *out, const char *prefix, int mode, bool on)
{
    outbuf_printf(out, "\033[%s%d%c", prefix, mode, on ? 'h' : 'l');
}

/* DECSCUSR for SHAPE and BLINK. */
static void cursor_style(struct outbuf *out, int shape, bool blink)
{
    int base = shape == VTERM_PROP_CURSORSHAPE_UNDERLINE  ? 3
               : shape == VTERM_PROP_CURSORSHAPE_BAR_LEFT ? 5
                                                          : 1;

    outbuf_printf(out, "\033[%d q", base + (blink ? 0 : 1));
}

static void mouse_modes(struct outbuf *out, const VTermState *st)
{
    if (st->mouse_flags & MOUSE_WANT_MOVE)
        set_mode(out, "?", 1003, true);
    else if (st->mouse_flags & MOUSE_WANT_DRAG)
        set_mode(out, "?", 1002, true);
    else if (st->mouse_flags & MOUSE_WANT_CLICK)
        set_mode(out, "?", 1000, true);
    if (st->mouse_protocol == MOUSE_UTF8)
        set_mode(out, "?", 1005, true);
    else if (st->mouse_protocol == MOUSE_SGR)
        set_mode(out, "?", 1006, true);
    else if (st->mouse_protocol == MOUSE_RXVT)
        set_mode(out, "?", 1015, true);
}

/* The pending wrap at the end of a line: the cursor is on the last
 * column with the next character due on the next line.  Only printing
 * that column's character again (from its left half if it is wide) gets
 * a terminal there.  The cursor position is ROW, COL as CUP takes it. */
static void phantom(struct outbuf *out, struct screen *s, const VTermState *st,
                    int row, int col)
{
    VTermPos pos = st->pos;
    VTermScreenCell cell;

    screen_get_cell(s, pos.row, pos.col, &cell);
    if (cell.chars[0] == UINT32_MAX && pos.col > 0) {
        pos.col--;
        col--;
        screen_get_cell(s, pos.row, pos.col, &cell);
    }
    outbuf_printf(out, "\033[%d;%dH", row, col);
    cells_sgr(out, &cell.attrs, &cell.fg, &cell.bg);
    if (cell.chars[0] == 0)
        outbuf_append(out, " ", 1); /* erased: a blank stands in */
    for (int k = 0; k < VTERM_MAX_CHARS_PER_CELL && cell.chars[k] != 0; k++)
        outbuf_utf8(out, cell.chars[k]);
}

/* The pending wrap past the half of a double-width line: the line was
 * single width when it came, at its last column.  So there: the line
 * made single width, the column printed (a blank in the program's pen:
 * the line made double again erases it), and no CSI after it, which
 * would bring the cursor back to the half (only with autowrap off since,
 * which that CSI does to the program's terminal too). */
static void phantom_past_half(struct outbuf *out, const VTermState *st,
                              const VTermLineInfo *info, int row, int col)
{
    set_mode(out, "?", 7, true);
    set_mode(out, "", 4, st->mode.insert);
    single_width_at(out, row, col);
    pen_sgr(out, &st->pen);
    outbuf_printf(out, " \033#%c", line_size(info));
    if (!st->mode.autowrap)
        set_mode(out, "?", 7, false);
}

/* The character sets: each of G0-G3 that is not the UTF-8 default is
 * designated again (SCS: ESC ( ) * + and the set's final byte), then the
 * sets invoked into GL (SO, LS2, LS3) and GR (LS1R-LS3R), and a single
 * shift still pending (SS2, SS3).  Last: text drawn by the snapshot
 * itself must not go through them. */
static void charsets(struct outbuf *out, const VTermState *st)
{
    static const char scs[] = "()*+", finals[] = "0AB";
    static const char *const gl[] = {"", "\016", "\033n", "\033o"};
    static const char *const gr[] = {"", "\033~", "\033}", "\033|"};

    for (int g = 0; g < 4; g++)
        for (const char *f = finals; *f != '\0'; f++)
            if (st->encoding[g].enc == vterm_lookup_encoding(ENC_SINGLE_94, *f))
                outbuf_printf(out, "\033%c%c", scs[g], *f);
    outbuf_printf(out, "%s%s", gl[st->gl_set & 3], gr[st->gr_set & 3]);
    if (st->gsingle_set == 2 || st->gsingle_set == 3)
        outbuf_append(out, st->gsingle_set == 2 ? "\033N" : "\033O", 2);
}

void snapshot_write(struct screen *s, struct outbuf *out)
{
    VTerm *vt = screen_vterm(s);
    const VTermState *st = vterm_obtain_state(vt);
    const VTermScreenCell *primary;
    VTermScreenCell *cells;
    int cols, rows, pcols, prows, row, col;
    const VTermLineInfo *info;
    bool lrm_set = false; /* DECLRMM is set already */

    vterm_get_size(vt, &rows, &cols);
    cells = malloc((size_t)cols * sizeof *cells);
    if (cells == NULL) {
        out->failed = true;
        return;
    }
    /* Lines are drawn without wrapping (a line wider than the screen,
     * kept from before a resize, is cut). */
    outbuf_append(out, "\033[0m\033[?7l", 9);
    /* The left/right margins, kept while DECLRMM is off (DECSLRM is
     * SCOSC then); first, as setting DECLRMM clears double-width lines.
     * The mode itself comes at the end. */
    if (st->scrollregion_left != 0 || st->scrollregion_right != -1)
        outbuf_printf(
            out, "\033[?69h\033[%d;%ds\033[?69l", st->scrollregion_left + 1,
            st->scrollregion_right > -1 ? st->scrollregion_right : cols);

    /* Scrollback: each line drawn on the top row, then scrolled off. */
    for (int i = 0; i < screen_sb_count(s); i++) {
        size_t len;
        const char *line = screen_sb_line(s, i, &len);

        outbuf_append(out, "\033[H\033[2K", 7);
        outbuf_append(out, line, len);
        outbuf_append(out, "\033[S", 3);
    }

    /* The primary screen, then the saved cursor (DECSC, or 1049's). */
    primary = screen_primary(s, &pcols, &prows);
    if (primary != NULL) {
        for (int r = 0; r < prows && r < rows; r++)
            draw_row(out, r, &st->lineinfos[BUFIDX_PRIMARY][r],
                     primary + (size_t)r * (size_t)pcols,
                     pcols < cols ? pcols : cols);
    } else {
        draw_screen(out, s, st, cols, rows, cells);
    }
    set_mode(out, "?", 25, st->saved.mode.cursor_visible);
    cursor_style(out, st->saved.mode.cursor_shape, st->saved.mode.cursor_blink);
    pen_sgr(out, &st->saved.pen);
    move_to(out, &st->lineinfos[BUFIDX_PRIMARY][st->saved.pos.row],
            st->saved.pos.row + 1, st->saved.pos.col + 1, cols);
    if (st->mode.alt_screen) {
        outbuf_append(out, "\033[?1049h", 8);
        lrm_set = alt_lines_before_lrm(out, st, rows);
        draw_screen(out, s, st, cols, rows, cells);
    } else {
        outbuf_append(out, "\0337", 2);
    }
    free(cells);

    set_mode(out, "?", 7, st->mode.autowrap);
    if (screen_title(s)[0] != '\0')
        outbuf_printf(out, "\033]2;%s\033\\", screen_title(s));
    set_mode(out, "?", 1, st->mode.cursor);
    outbuf_append(out, st->mode.keypad ? "\033=" : "\033>", 2);
    set_mode(out, "?", 2004, st->mode.bracketpaste);
    set_mode(out, "?", 1004, st->mode.report_focus);
    set_mode(out, "?", 5, st->mode.screen);
    mouse_modes(out, st);
    cursor_style(out, st->mode.cursor_shape, st->mode.cursor_blink);
    set_mode(out, "?", 12, st->mode.cursor_blink);
    set_mode(out, "?", 25, st->mode.cursor_visible);
    set_mode(out, "", 20, st->mode.newline);
    if (st->scrollregion_top != 0 || st->scrollregion_bottom != -1)
        outbuf_printf(out, "\033[%d;%dr", st->scrollregion_top + 1,
                      st->scrollregion_bottom > -1 ? st->scrollregion_bottom
                                                   : rows);
    /* Setting DECLRMM clears the double lines of the screen shown: on
     * the primary screen, it is set from the alternate one (the
     * program did so, or its double lines would not be there). */
    if (st->mode.leftrightmargin && !lrm_set)
        outbuf_append(out,
                      st->mode.alt_screen ? "\033[?69h"
                                          : "\033[?1047h\033[?69h\033[?1047l",
                      st->mode.alt_screen ? 6 : 22);
    if (st->mode.origin)
        set_mode(out, "?", 6, true);
    row = st->pos.row + 1 - (st->mode.origin ? st->scrollregion_top : 0);
    col = st->pos.col + 1 -
          (st->mode.origin && st->mode.leftrightmargin ? st->scrollregion_left
                                                       : 0);
    info = vterm_state_get_lineinfo(st, st->pos.row);
    if (st->at_phantom && info->doublewidth && col > cols / 2) {
        phantom_past_half(out, st, info, row, col);
    } else if (st->at_phantom) {
        /* Set with autowrap on, which may be off since. */
        set_mode(out, "?", 7, true);
        phantom(out, s, st, row, col);
        set_mode(out, "?", 7, st->mode.autowrap);
        set_mode(out, "", 4, st->mode.insert);
        pen_sgr(out, &st->pen);
    } else {
        set_mode(out, "", 4, st->mode.insert);
        pen_sgr(out, &st->pen);
        move_to(out, info, row, col, cols);
    }
    charsets(out, st);
}

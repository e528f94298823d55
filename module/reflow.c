/* reflow.c -- see reflow.h. */
#include "reflow.h"

#ifdef RENDER_HAVE_REFLOW
/* The screen before a resize. */
struct screen {
    VTermScreen *screen;
    VTermState *state;
    int rows, cols;
};

bool reflow_continues(VTermState *state, int rows, int row)
{
    const VTermLineInfo *info;

    if (row >= rows)
        return false;
    info = vterm_state_get_lineinfo(state, row);
    return info != NULL && info->continuation;
}

static bool continues(const struct screen *r, int row)
{
    return reflow_continues(r->state, r->rows, row);
}

/* Columns used in screen ROW: up to its last non-blank cell. */
static int row_used(const struct screen *r, int row)
{
    VTermScreenCell cell;
    VTermPos pos;

    pos.row = row;
    for (pos.col = r->cols - 1; pos.col >= 0; pos.col--) {
        vterm_screen_get_cell(r->screen, pos, &cell);
        if (cell.chars[0] != 0)
            return pos.col + 1;
    }
    return 0;
}

/* libvterm 0.3.3's reflow has two fatal bugs, found by the random-input
 * test in tests/unit/render_test.c:
 *   - it reads before its buffer (a crash) when the top row continues a
 *     line that has gone to the scrollback (e.g. 3x5: "abcdefgh\r\n\r\n"
 *     then 4x4);
 *   - it abort()s ("screen_resize failed to update cursor position") when
 *     the cursor's logical line, with the lines below it, gets taller
 *     than the new screen (reflow_safe replays its placement).
 * True when neither can happen at ROWS x COLS; otherwise the caller
 * resizes without reflow.  The buffer not shown is reflowed too and its
 * rows cannot be inspected, so once the alternate screen has been used
 * (its stale rows stay behind) resizes never reflow again (the caller's
 * ALT_USED). */
static bool reflow_safe(const struct screen *r, int rows, int cols)
{
    VTermPos cur;
    int old_row = r->rows - 1, new_row = rows - 1, final_blank = rows;
    int cur_new = -1;

    if (continues(r, 0))
        return false;
    vterm_state_get_cursorpos(r->state, &cur);
    /* Replay where libvterm's resize_buffer places each logical line,
     * bottom up, with its scroll into blank rows (0.3.3 screen.c); the
     * lines below the cursor's take room too. */
    while (old_row >= 0) {
        int end = old_row, start, row, width = 0, height, first, spare;

        while (old_row > 0 && continues(r, old_row))
            old_row--;
        start = old_row;
        for (row = start; row <= end; row++)
            width += continues(r, row + 1) ? r->cols : row_used(r, row);
        if (final_blank == new_row + 1 && width == 0)
            final_blank = new_row;
        height = width ? (width + cols - 1) / cols : 1;
        first = new_row - height + 1;
        spare = rows - final_blank;
        if (first < 0 && spare >= 0 &&
            (cur_new < 0 || cur_new - first < rows)) {
            int down = -first < spare ? -first : spare;
            first += down;
            new_row += down;
            final_blank += down;
            if (cur_new >= 0)
                cur_new += down;
        }
        if (first < 0) /* falls off the top: the cursor must be placed */
            return cur_new >= 0 || (start <= cur.row && cur.row < end);
        if (start <= cur.row && cur.row <= end) {
            int off = ((cur.row - start) * r->cols + cur.col) / cols;
            cur_new = first + (off < height ? off : height - 1);
        }
        new_row = first - 1;
        old_row = start - 1;
    }
    return cur_new >= 0;
}
#endif

void reflow_set_size(VTerm *vt, int rows, int cols, bool alt_used)
{
#ifdef RENDER_HAVE_REFLOW
    struct screen old;

    old.screen = vterm_obtain_screen(vt);
    old.state = vterm_obtain_state(vt);
    vterm_get_size(vt, &old.rows, &old.cols);
    if (alt_used || !reflow_safe(&old, rows, cols)) {
        vterm_screen_enable_reflow(old.screen, false);
        vterm_set_size(vt, rows, cols);
        vterm_screen_enable_reflow(old.screen, true);
        return;
    }
#else
    (void)alt_used;
#endif
    vterm_set_size(vt, rows, cols);
}

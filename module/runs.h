/* runs.h -- libvterm cells as a line of attribute runs (struct
 * render_line), and a run's attributes back as cells, for a stored line
 * that comes back onto the screen.  Colours are looked up in the
 * terminal's palette and default colours. */
#ifndef RUNS_H
#define RUNS_H

#include <stdbool.h>

#include <vterm.h>

#include "buf.h"
#include "render_types.h"

/* A built line's cell info, one byte per cell: its bytes of text, and
 * what the text does not say.  A blank is drawn as one space whatever
 * the cell held, but libvterm tells an empty cell from a space (0.3's
 * reflow counts a line's width up to its last non-empty cell), so a
 * line popped back must have what it had. */
enum {
    CELL_BYTES_MASK = 0x1f, /* 4 * VTERM_MAX_CHARS_PER_CELL at most */
    CELL_STRAY = 0x20,      /* a stray wide-character half (-1) */
    CELL_EMPTY = 0x40,      /* an empty cell (0), not a space */
    CELL_WIDE = 0x80
};

/* Storage a built line points into (valid until the next build), and
 * where colours are looked up. */
struct line_builder {
    VTermScreen *screen;
    VTermState *state;
    struct buf text;
    struct buf runs;     /* of struct render_run */
    struct buf cellinfo; /* CELL_* per stored cell, when keep_cellinfo */
    bool keep_cellinfo;
    const struct links *links; /* where a line's links are, or NULL */
    struct buf line_links;     /* of struct render_link */
};

void line_builder_init(struct line_builder *lb, VTerm *vt, bool keep_cellinfo);
void line_builder_free(struct line_builder *lb);

/* Build LINE from NCOLS cells, keeping cells up to max(visible end,
 * MIN_COLS: the cursor's row keeps its blanks up to the cursor); LINE's
 * INFO is read (its prompt column, its links in LB's links), the rest
 * written.
 * False when out of memory. */
bool line_build(struct line_builder *lb, const VTermScreenCell *cells,
                int ncols, int min_cols, struct render_line *line);

/* The cells before the trailing ones that draw nothing. */
int cells_visible_end(const VTermScreenCell *cells, int ncols);

/* CELL's attributes and colours from A. */
void cell_from_attrs(const struct line_builder *lb,
                     const struct render_attrs *a, VTermScreenCell *cell);
/* Cells FROM.. of a line COLS wide: blanks in the default colours. */
void cells_pad_blank(const struct line_builder *lb, VTermScreenCell *cells,
                     int from, int cols);

#endif /* RUNS_H */

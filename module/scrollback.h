/* scrollback.h -- the scrollback store: lines pushed off the top of the
 * screen, in a ring of at most LIMIT lines, and what a viewer has shown
 * of them (see render.h: render_sb_pending, _evicted, _popped).
 *
 * The newest NRAW lines of the ring are raw: kept as libvterm pushed
 * them, their ring slots NULL, until the viewer asks for them (or the
 * pool is full).  With a cat of megabytes most pushed lines are evicted
 * before the next redraw, and building them was most of the render
 * core's time.  Raw line k (0: the oldest raw one) is pool slot
 * (raw_head + k) % raw_cap: raw_stride cells and its metadata captured
 * at push time. */
#ifndef SCROLLBACK_H
#define SCROLLBACK_H

#include <stdbool.h>

#include <vterm.h>

#include "lineinfo.h"
#include "render_types.h"
#include "runs.h"

struct sb_line;
struct raw_line;

struct scrollback {
    struct line_builder build; /* lines are built here, then copied */

    /* The ring: ring[(head + i) % cap] for i in [0, count). */
    struct sb_line **ring;
    int limit, cap, head, count;
    int pending, evicted, popped; /* see render.h */
    unsigned long pushes;         /* lines ever pushed */

    VTermScreenCell *raw_cells;
    struct raw_line *raw_meta;
    int raw_cap, raw_stride, raw_head, nraw;
    bool raw_used;      /* a line went raw since the last sb_taken */
    bool newest_pushed; /* the latest push is the ring's newest line */
};

/* Colours of lines popped back are looked up in VT's. */
void sb_init(struct scrollback *sb, VTerm *vt, int limit);
void sb_free(struct scrollback *sb);

/* Push COLS cells with line info INFO off a screen SCREEN_COLS wide
 * (libvterm's sb_pushline).  False when out of memory. */
bool sb_push(struct scrollback *sb, int cols, const VTermScreenCell *cells,
             const struct line_info *info, int screen_cols);
/* Lines the ring would have taken and evicted again were scrolled off
 * unparsed (render_write, unseen.h): N, their line feeds, are counted
 * among the pushes (the lines they wrapped into are not known). */
void sb_count_skipped(struct scrollback *sb, unsigned long n);
/* Take the newest line back onto a screen COLS wide into CELLS, its line
 * info into *INFO (libvterm's sb_popline).  False when there is none. */
bool sb_pop(struct scrollback *sb, int cols, VTermScreenCell *cells,
            struct line_info *info);
/* Drop every line (shown ones become evicted). */
void sb_clear(struct scrollback *sb);
#ifdef RENDER_HAVE_REFLOW
void sb_set_newest_wrap(struct scrollback *sb, bool w);
#endif

/* Line info of line I (0: the oldest kept). */
const struct line_info *sb_line_info(const struct scrollback *sb, int i);
/* Pending line I (0: the oldest), built on demand; NULL out of range. */
const struct render_line *sb_pending_line(struct scrollback *sb, int i);
/* The viewer has shown what was pending, evicted and popped. */
void sb_taken(struct scrollback *sb);

#endif /* SCROLLBACK_H */

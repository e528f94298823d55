/* redraw.h -- a redraw in two steps: plan_redraw takes what changed from
 * the render core (held from the parse thread, no Lisp), apply_plan puts
 * it in the buffer (Lisp only, the parse thread going on meanwhile). */
#ifndef REDRAW_H
#define REDRAW_H

#include <emacs-module.h>

#include <stdbool.h>

#include "render.h"
#include "term.h"
#include "text.h"

struct row_update {
    int row;
    bool wrapped;   /* the row's newline gets the wrap mark */
    bool mark_only; /* only that mark may have changed: TEXT is empty */
    struct text text;
};

struct redraw_plan {
    int rows;
    bool deferred;        /* new scrollback lines left for a later redraw */
    int evicted;          /* shown scrollback lines to drop from the top */
    bool all;             /* replace popped scrollback and the whole screen */
    int popped;           /* all: shown lines taken back onto the screen */
    int pending;          /* scrollback lines added (0 when deferred) */
    struct text all_text; /* all: pending scrollback, then every row */
    struct row_update *changed; /* otherwise: the rows to rewrite */
    int nchanged;
    int cursor_row, cursor_chars; /* characters before it on its row */
    bool cursor_visible;
    struct render_color palette[16]; /* for faces without vterm.el */
    bool oom;
};

/* With DEFER_SB, new scrollback lines stay in the core for a later
 * redraw when that leaves the buffer's lines as they are (no resize, no
 * lines taken back onto the screen): only the screen is drawn. */
void plan_redraw(struct term *t, struct redraw_plan *p, bool defer_sb);
void apply_plan(emacs_env *env, struct term *t, struct redraw_plan *p);
void plan_free(struct redraw_plan *p);

/* Point to the cursor (CHARS characters into screen row ROW of ROWS),
 * and the cursor shown or hidden. */
void move_cursor(emacs_env *env, struct term *t, int rows, int row, int chars,
                 bool visible);
/* Set the buffer's `cursor-type' for T's cursor: nil while hidden; the
 * program's bar or underline (DECSCUSR) unless `vterm-cursor-shapes' is
 * nil; otherwise, and for a block, the user's own (no local value). */
void show_cursor(emacs_env *env, struct term *t);

#endif /* REDRAW_H */

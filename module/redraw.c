/* redraw.c -- see redraw.h. */
#include "redraw.h"

#include <stdlib.h>
#include <string.h>

#include "emacs_call.h"
#include "faces.h"

void plan_free(struct redraw_plan *p)
{
    int i;

    text_free(&p->all_text);
    for (i = 0; i < p->nchanged; i++)
        text_free(&p->changed[i].text);
    free(p->changed);
}

/* Append row ROW to X (the cursor's row keeps its blanks up to it). */
static bool row_text(struct term *t, struct text *x, int row, int rows,
                     const struct render_cursor *cur, bool newline,
                     bool *wrapped)
{
    const struct render_line *line;
    int min_cols = row == cur->row ? cur->col : 0;

    if (!render_get_row(t->r, row, min_cols, &line))
        return false;
    text_line(x, &t->faces, t->r, line, newline && row + 1 < rows);
    if (wrapped != NULL)
        *wrapped = line->wrapped;
    return true;
}

/* Whether ROW, changed, may have changed the wrap mark of the row above
 * it without that row's cells changing.  On libvterm 0.3 whether a row
 * wraps is the next row's to say (its continuation flag): deleting,
 * scrolling or rewriting the row that continued a line leaves the row
 * above it undamaged but no longer wrapped.  Before 0.3 the mark is a
 * guess from the row's own cells. */
static bool mark_of_row_above(struct term *t, int row)
{
#ifdef RENDER_HAVE_REFLOW
    return render_row_dirty(t->r, row);
#else
    (void)t;
    (void)row;
    return false;
#endif
}

void plan_redraw(struct term *t, struct redraw_plan *p, bool defer_sb)
{
    struct render_cursor cur;
    int rows, cols, row, i, dirty = 0;
    int popped = render_sb_popped(t->r), pending = render_sb_pending(t->r);

    memset(p, 0, sizeof *p);
    render_get_size(t->r, &rows, &cols);
    render_get_cursor(t->r, &cur);
    p->rows = rows;
    p->deferred =
        defer_sb && pending > 0 && t->screen_lines == rows && popped == 0;
    if (!p->deferred) {
        p->evicted = render_sb_evicted(t->r);
        if (p->evicted > t->sb_shown)
            p->evicted = t->sb_shown;
        p->pending = pending;
    }
    for (row = 0; row < rows; row++)
        dirty += render_row_dirty(t->r, row);
    p->all = t->screen_lines != rows || popped > 0 || p->pending > 0 ||
             dirty > rows / 2;
    if (p->all) {
        /* At most what is shown of the scrollback. */
        p->popped = popped;
        if (p->popped > t->sb_shown - p->evicted)
            p->popped = t->sb_shown - p->evicted;
        for (i = 0; i < p->pending; i++)
            text_line(&p->all_text, &t->faces, t->r,
                      render_sb_pending_line(t->r, i), true);
        for (row = 0; row < rows && !p->oom; row++)
            p->oom = !row_text(t, &p->all_text, row, rows, &cur, true, NULL);
        p->oom = p->oom || text_failed(&p->all_text);
    } else {
        /* The cursor's old and new rows too: trailing blanks up to the
         * cursor are kept only on its row. */
        p->changed = calloc((size_t)rows, sizeof *p->changed);
        p->oom = p->changed == NULL;
        for (row = 0; row < rows && !p->oom; row++) {
            struct row_update *u;
            bool rewrite = render_row_dirty(t->r, row) || row == cur.row ||
                           row == t->cursor_row;

            if (!rewrite && !mark_of_row_above(t, row + 1))
                continue;
            u = &p->changed[p->nchanged++];
            u->row = row;
            if (rewrite) {
                p->oom = !row_text(t, &u->text, row, rows, &cur, false,
                                   &u->wrapped) ||
                         text_failed(&u->text);
            } else {
                const struct render_line *line;

                u->mark_only = true;
                p->oom = !render_get_row(t->r, row, 0, &line);
                u->wrapped = !p->oom && line->wrapped;
            }
        }
    }
    p->cursor_row = cur.row;
    p->cursor_chars = render_chars_before(t->r, cur.row, cur.col);
    p->cursor_visible = cur.visible;
    for (i = 0; i < 16; i++) {
        p->palette[i].kind = RENDER_COLOR_RGB;
        render_palette_rgb(t->r, i, &p->palette[i].r, &p->palette[i].g,
                           &p->palette[i].b);
    }
    if (p->oom)
        return; /* nothing taken: the next redraw tries again */
    if (!p->deferred)
        render_sb_taken(t->r);
    render_clear_dirty(t->r);
}

/* Move point to the start of the line BACK lines above the last one. */
static void goto_from_end(emacs_env *env, int back)
{
    call1(env, S.goto_char, call0(env, S.point_max));
    call1(env, S.forward_line, env->make_integer(env, -back));
}

void move_cursor(emacs_env *env, struct term *t, int rows, int row, int chars,
                 bool visible)
{
    goto_from_end(env, rows - 1 - row);
    call1(env, S.forward_char, env->make_integer(env, chars));
    if (visible != t->cursor_visible) {
        t->cursor_visible = visible;
        show_cursor(env, t);
    }
}

/* Whether the program's cursor shapes are shown: `vterm-cursor-shapes',
 * t where vterm.el is not loaded. */
static bool shapes_shown(emacs_env *env)
{
    return !env->is_not_nil(env, call1(env, S.boundp, S.cursor_shapes)) ||
           env->is_not_nil(env, call1(env, S.symbol_value, S.cursor_shapes));
}

void show_cursor(emacs_env *env, struct term *t)
{
    emacs_value type;

    if (!t->cursor_visible) {
        type = S.nil;
    } else if (t->cursor_shape == RENDER_CURSOR_BLOCK || !shapes_shown(env)) {
        /* The user's own cursor. */
        call1(env, S.kill_local_variable, S.cursor_type);
        return;
    } else {
        type = t->cursor_shape == RENDER_CURSOR_BAR ? S.bar : S.hbar;
    }
    call2(env, S.set, call1(env, S.make_local_variable, S.cursor_type), type);
}

/* Drop N scrollback lines (evicted by the limit, or cleared) from the top. */
static void delete_evicted(emacs_env *env, struct term *t, int n)
{
    if (n <= 0)
        return;
    call1(env, S.goto_char, call0(env, S.point_min));
    call1(env, S.forward_line, env->make_integer(env, n));
    call2(env, S.delete_region, call0(env, S.point_min), call0(env, S.point));
    t->sb_shown -= n;
}

/* Replace the popped scrollback lines and the whole screen region with
 * the pending scrollback (one batch) and every screen row. */
static void apply_all(emacs_env *env, struct term *t, struct redraw_plan *p)
{
    if (t->screen_lines == 0 && t->sb_shown == 0) {
        call2(env, S.delete_region, call0(env, S.point_min),
              call0(env, S.point_max));
    } else {
        goto_from_end(env, t->screen_lines - 1 + p->popped);
        call2(env, S.delete_region, call0(env, S.point),
              call0(env, S.point_max));
    }
    if (!failed(env))
        text_insert(env, p->palette, &p->all_text);
    t->sb_shown += p->pending - p->popped;
    t->screen_lines = p->rows;
}

/* Rewrite one screen row in place, or only the wrap mark after it. */
static void apply_row(emacs_env *env, const struct redraw_plan *p,
                      struct row_update *u)
{
    int rows = p->rows;

    goto_from_end(env, rows - 1 - u->row);
    if (u->mark_only) {
        call1(env, S.goto_char, call0(env, S.line_end_position));
    } else {
        call2(env, S.delete_region, call0(env, S.point),
              call0(env, S.line_end_position));
        text_insert(env, p->palette, &u->text);
    }
    if (u->row + 1 < rows && !failed(env)) {
        /* The newline after it stays: its wrap mark may have changed. */
        emacs_value args[4];
        args[0] = call0(env, S.point);
        args[1] =
            env->make_integer(env, env->extract_integer(env, args[0]) + 1);
        args[2] = S.vterm_line_wrap;
        args[3] = u->wrapped ? S.t : S.nil;
        call(env, S.put_text_property, 4, args);
    }
}

void apply_plan(emacs_env *env, struct term *t, struct redraw_plan *p)
{
    int i;

    if (p->oom) {
        signal_error(env, "vterm: out of memory");
        return;
    }
    faces_redraw_begin();
    delete_evicted(env, t, p->evicted);
    if (p->all) {
        apply_all(env, t, p);
    } else {
        for (i = 0; i < p->nchanged && !failed(env); i++)
            apply_row(env, p, &p->changed[i]);
    }
    if (failed(env))
        return;
    t->cursor_row = p->cursor_row;
    move_cursor(env, t, p->rows, p->cursor_row, p->cursor_chars,
                p->cursor_visible);
}

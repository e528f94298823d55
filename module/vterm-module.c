/* vterm-module.c -- the Emacs side of vterm-module: Lisp functions over
 * the render core (render.h) and the control-channel client.  Everything
 * terminal-specific happens in render.c; this file turns rows of
 * attribute runs into buffer text with as few Lisp calls and objects as
 * it can (DESIGN.md, "Module"): one string per batch of lines, one
 * put-text-property per coloured run, face specs built once per
 * attribute combination and kept as global references. */
#include <emacs-module.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Emacs 28's channels (open_channel): a pipe process the parse thread
 * writes a byte to. */
#if defined(EMACS_MAJOR_VERSION) && EMACS_MAJOR_VERSION >= 28 && !defined(_WIN32)
#define HAVE_OPEN_CHANNEL 1
#include <unistd.h>
#endif

#include "buf.h"
#include "control.h"
#include "ctl_client.h"
#include "parse_worker.h"
#include "render.h"
#include "utf8.h"

/* Only these two are exported: everything else, libvterm included, stays
 * private so it cannot clash with another module's copy (Emacs loads
 * modules with RTLD_GLOBAL). */
#ifdef _WIN32
#define MODULE_EXPORT __declspec(dllexport)
#else
#define MODULE_EXPORT __attribute__((visibility("default")))
#endif

MODULE_EXPORT int plugin_is_GPL_compatible;

enum {
    RESIZE_BUDGET_MS = 50, /* DESIGN.md: never block Emacs longer */
    FACE_CACHE_SIZE = 4096 /* face specs kept; later ones are not cached */
};

/* The longest a streaming redraw leaves new scrollback undrawn. */
#define SB_DEFER_MAX_S 1.0

/* Interned symbols, made global references once in emacs_module_init:
 * symbols live for the whole session anyway. */
static struct {
    emacs_value nil, t, error, face, vterm_line_wrap, vterm_prompt;
    emacs_value insert, point, forward_char, goto_char, delete_region, forward_line, point_min,
        point_max, line_end_position, put_text_property, fboundp,
        face_foreground, face_background, make_local_variable, set,
        kill_local_variable, cursor_type, list, default_, facep, equal,
        float_time;
    emacs_value flush_output, set_title, set_directory, eval, set_selection,
        blink_cursor_mode;
    emacs_value k_foreground, k_background, k_weight, k_slant, k_underline,
        k_inverse_video, k_strike_through, k_style, bold, italic, wave;
    emacs_value color_faces[16];
    emacs_value boundp, symbol_value, vectorp, color_palette;
} S;

/* Face specs by attributes, shared by every terminal (global references
 * cannot be freed from a finalizer, so they live as long as Emacs). */
static struct face_entry {
    struct render_attrs key;
    emacs_value spec;
    bool used;
} face_cache[FACE_CACHE_SIZE];

struct term {
    struct render *r;
    int sb_shown;     /* scrollback lines in the buffer */
    int screen_lines; /* screen rows in the buffer; 0 = nothing drawn */
    int cursor_row;   /* where the cursor was at the last redraw */
    bool cursor_visible;
    bool disable_bold, disable_underline, disable_inverse;
    bool ignore_blink_cursor, bold_highbright;
    /* Parses output in a thread of its own, when vterm.el started one
     * (vterm--start-parse-thread); NULL: on Emacs's thread. */
    struct parse_worker *worker;
    double sb_drawn_at; /* float-time of the last redraw with no deferral */
    /* Lifetime (term_call, vterm--free): the Lisp functions running with
     * this terminal, nested through the Lisp they call; what is to go
     * once the outermost returns. */
    int busy;
    bool dead;        /* vterm--free was called: no more calls */
    bool free_due;    /* ... and the core goes when busy drops to 0 */
    bool finish_due;  /* vterm--stop-parse-thread waits for busy too */
};

/* ---- small helpers ---- */

static emacs_value global_intern(emacs_env *env, const char *name)
{
    return env->make_global_ref(env, env->intern(env, name));
}

static emacs_value call(emacs_env *env, emacs_value fn, ptrdiff_t n,
                        emacs_value *args)
{
    return env->funcall(env, fn, n, args);
}

static emacs_value call0(emacs_env *env, emacs_value fn)
{
    return call(env, fn, 0, NULL);
}

static emacs_value call1(emacs_env *env, emacs_value fn, emacs_value a)
{
    return call(env, fn, 1, &a);
}

static emacs_value call2(emacs_env *env, emacs_value fn, emacs_value a,
                         emacs_value b)
{
    emacs_value args[2] = {a, b};
    return call(env, fn, 2, args);
}

static bool failed(emacs_env *env)
{
    return env->non_local_exit_check(env) != emacs_funcall_exit_return;
}

static void signal_error(emacs_env *env, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    emacs_value text;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    text = env->make_string(env, msg, (ptrdiff_t)strlen(msg));
    env->non_local_exit_signal(env, S.error, call1(env, S.list, text));
}

/* The UTF-8 of a Lisp string in a malloc'd buffer, or NULL (with a
 * pending signal) when it is not a string. */
static char *string_bytes(emacs_env *env, emacs_value s, ptrdiff_t *len)
{
    ptrdiff_t size = 0;
    char *buf;

    if (!env->copy_string_contents(env, s, NULL, &size))
        return NULL;
    buf = malloc((size_t)size);
    if (buf == NULL) {
        signal_error(env, "vterm: out of memory");
        return NULL;
    }
    if (!env->copy_string_contents(env, s, buf, &size)) {
        free(buf);
        return NULL;
    }
    *len = size - 1;
    return buf;
}

/* Raw bytes for the process: unibyte when this Emacs can make one. */
static emacs_value bytes_value(emacs_env *env, const char *s, size_t len)
{
    if ((size_t)env->size >= sizeof(struct emacs_env_28))
        return env->make_unibyte_string(env, s, (ptrdiff_t)len);
    return env->make_string(env, s, (ptrdiff_t)len);
}

static bool fboundp(emacs_env *env, emacs_value sym)
{
    return env->is_not_nil(env, call1(env, S.fboundp, sym));
}

static struct term *get_term(emacs_env *env, emacs_value v)
{
    struct term *t = env->get_user_ptr(env, v);

    if (failed(env))
        return NULL;
    if (t == NULL || t->r == NULL || t->dead) {
        signal_error(env, "vterm: not a live terminal (freed by vterm--free)");
        return NULL;
    }
    return t;
}

static bool get_int(emacs_env *env, emacs_value v, intmax_t min, intmax_t max,
                    const char *what, int *out)
{
    intmax_t n = env->extract_integer(env, v);

    if (failed(env))
        return false;
    if (n < min || n > max) {
        signal_error(env, "vterm: %s %jd out of range %jd..%jd", what, n, min,
                     max);
        return false;
    }
    *out = (int)n;
    return true;
}

/* ---- what libvterm produced: bytes for the process, title, dir ---- */

/* Text from the application: a string when it is UTF-8, else bytes. */
static emacs_value text_value(emacs_env *env, const char *s, size_t len)
{
    if (utf8_valid((const unsigned char *)s, len))
        return env->make_string(env, s, (ptrdiff_t)len);
    return bytes_value(env, s, len);
}

/* OSC 51;E and OSC 52, to the Lisp functions that decide what to do
 * with them (vterm-eval-cmds, the OSC 52 opt-in). */
static void dispatch_requests(emacs_env *env, struct term *t)
{
    struct render_request req;

    while (!failed(env) && render_next_request(t->r, &req)) {
        if (req.kind == RENDER_REQ_EVAL) {
            if (fboundp(env, S.eval))
                call1(env, S.eval, text_value(env, req.data, req.data_len));
        } else if (fboundp(env, S.set_selection)) {
            call2(env, S.set_selection,
                  env->make_string(env, req.targets,
                                   (ptrdiff_t)strlen(req.targets)),
                  text_value(env, req.data, req.data_len));
        }
    }
}

static void dispatch(emacs_env *env, struct term *t)
{
    size_t len;
    const char *out = render_take_output(t->r, &len);
    const char *s;
    bool blink;

    if (len > 0) {
        call1(env, S.flush_output, bytes_value(env, out, len));
        if (failed(env))
            return;
    }
    s = render_take_title(t->r);
    if (s != NULL && fboundp(env, S.set_title))
        call1(env, S.set_title, text_value(env, s, strlen(s)));
    if (failed(env))
        return;
    s = render_take_directory(t->r);
    if (s != NULL && fboundp(env, S.set_directory))
        call1(env, S.set_directory, text_value(env, s, strlen(s)));
    if (failed(env))
        return;
    /* As emacs-libvterm: unless ignored, the program's cursor blinking
     * turns `blink-cursor-mode' on or off (it is global in Emacs). */
    if (render_take_cursor_blink(t->r, &blink) && !t->ignore_blink_cursor &&
        fboundp(env, S.blink_cursor_mode))
        call1(env, S.blink_cursor_mode, env->make_integer(env, blink ? 1 : -1));
    if (failed(env))
        return;
    dispatch_requests(env, t);
}

/* ---- faces ---- */

static emacs_value hex_color(emacs_env *env, const struct render_color *c)
{
    char hex[8];

    snprintf(hex, sizeof hex, "#%02x%02x%02x", c->r, c->g, c->b);
    return env->make_string(env, hex, 7);
}

/* The colours of the vterm-color-* faces that cached face specs were
 * built with.  They are looked up again once per redraw (for the named
 * colours that redraw uses): a change (a theme, a customisation) empties
 * the face cache so new text gets the new colours. */
static struct {
    emacs_value fg[16], bg[16]; /* global refs; NULL = not looked up */
    uint32_t checked;           /* bit per colour: looked up this redraw */
} named;

static void flush_face_cache(emacs_env *env)
{
    size_t i;

    for (i = 0; i < FACE_CACHE_SIZE; i++) {
        if (face_cache[i].used)
            env->free_global_ref(env, face_cache[i].spec);
        face_cache[i].used = false;
    }
}

/* Replace *SLOT with VALUE; true when it differs from what was there. */
static bool update_named(emacs_env *env, emacs_value *slot, emacs_value value)
{
    bool changed;

    if (*slot != NULL &&
        env->is_not_nil(env, call2(env, S.equal, *slot, value)))
        return false;
    changed = *slot != NULL;
    if (*slot != NULL)
        env->free_global_ref(env, *slot);
    *slot = env->make_global_ref(env, value);
    return changed;
}

/* The face of named colour IDX: element IDX of `vterm-color-palette'
 * when that is a vector of 16, else the face vterm-color-NAME. */
static emacs_value color_face(emacs_env *env, int idx)
{
    emacs_value palette;

    if (!env->is_not_nil(env, call1(env, S.boundp, S.color_palette)))
        return S.color_faces[idx];
    palette = call1(env, S.symbol_value, S.color_palette);
    if (failed(env) || !env->is_not_nil(env, call1(env, S.vectorp, palette)) ||
        env->vec_size(env, palette) != 16)
        return S.color_faces[idx];
    return env->vec_get(env, palette, idx);
}

/* Make sure named colour IDX is current (see `named').  PALETTE: the
 * terminal's own 16 colours, for when the faces are not defined. */
static void check_named(emacs_env *env, const struct render_color *palette,
                        int idx)
{
    emacs_value args[3], fg, bg;
    bool changed;

    if (named.checked & (1u << idx))
        return;
    named.checked |= 1u << idx;
    args[0] = color_face(env, idx);
    if (failed(env))
        return;
    args[1] = S.nil;
    args[2] = S.default_;
    if (env->is_not_nil(env, call1(env, S.facep, args[0]))) {
        fg = call(env, S.face_foreground, 3, args);
        bg = call(env, S.face_background, 3, args);
    } else {
        /* Faces not defined (module used without vterm.el): libvterm's
         * own palette. */
        fg = bg = hex_color(env, &palette[idx]);
    }
    if (failed(env))
        return;
    changed = update_named(env, &named.fg[idx], fg);
    changed = update_named(env, &named.bg[idx], bg) || changed;
    if (changed)
        flush_face_cache(env);
}

static emacs_value color_value(emacs_env *env, const struct render_color *c,
                               bool fg)
{
    if (c->kind == RENDER_COLOR_RGB)
        return hex_color(env, c);
    return fg ? named.fg[c->idx & 15] : named.bg[c->idx & 15];
}

static emacs_value build_face(emacs_env *env, const struct render_attrs *a)
{
    emacs_value items[16], style[2];
    int n = 0;

    if (a->fg.kind != RENDER_COLOR_DEFAULT) {
        items[n++] = S.k_foreground;
        items[n++] = color_value(env, &a->fg, true);
    }
    if (a->bg.kind != RENDER_COLOR_DEFAULT) {
        items[n++] = S.k_background;
        items[n++] = color_value(env, &a->bg, false);
    }
    if (a->bold) {
        items[n++] = S.k_weight;
        items[n++] = S.bold;
    }
    if (a->italic) {
        items[n++] = S.k_slant;
        items[n++] = S.italic;
    }
    if (a->underline) {
        items[n++] = S.k_underline;
        if (a->underline == 3) {
            style[0] = S.k_style;
            style[1] = S.wave;
            items[n++] = call(env, S.list, 2, style);
        } else {
            items[n++] = S.t;
        }
    }
    if (a->strike) {
        items[n++] = S.k_strike_through;
        items[n++] = S.t;
    }
    if (a->reverse) {
        items[n++] = S.k_inverse_video;
        items[n++] = S.t;
    }
    return call(env, S.list, n, items);
}

static bool attrs_plain(const struct render_attrs *a)
{
    return a->fg.kind == RENDER_COLOR_DEFAULT &&
           a->bg.kind == RENDER_COLOR_DEFAULT && !a->bold && !a->italic &&
           !a->underline && !a->strike && !a->reverse;
}

static size_t attrs_hash(const struct render_attrs *a)
{
    const unsigned char *p = (const unsigned char *)a;
    size_t h = 2166136261u, i;

    for (i = 0; i < sizeof *a; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* The face spec for A: from the cache, or built and cached (as a global
 * reference) while there is room. */
static emacs_value face_for(emacs_env *env,
                            const struct render_color *palette,
                            const struct render_attrs *a)
{
    size_t h = attrs_hash(a), i;
    struct face_entry *e;
    emacs_value spec;

    if (a->fg.kind == RENDER_COLOR_INDEXED)
        check_named(env, palette, a->fg.idx & 15);
    if (a->bg.kind == RENDER_COLOR_INDEXED)
        check_named(env, palette, a->bg.idx & 15);
    if (failed(env))
        return S.nil;
    for (i = 0; i < 16; i++) {
        e = &face_cache[(h + i) % FACE_CACHE_SIZE];
        if (!e->used)
            break;
        if (memcmp(&e->key, a, sizeof *a) == 0)
            return e->spec;
    }
    spec = build_face(env, a);
    if (failed(env) || i == 16)
        return spec;
    e->key = *a;
    e->spec = env->make_global_ref(env, spec);
    e->used = true;
    return e->spec;
}

/* The attributes as this terminal shows them (the vterm-disable-* and
 * bold-as-bright options). */
static void effective_attrs(const struct term *t, struct render_attrs *a)
{
    if (t->bold_highbright && a->bold && a->fg.kind == RENDER_COLOR_INDEXED &&
        a->fg.idx < 8)
        a->fg.idx += 8;
    if (t->disable_bold)
        a->bold = 0;
    if (t->disable_underline)
        a->underline = 0;
    if (t->disable_inverse)
        a->reverse = 0;
    a->blink = 0;   /* Emacs has no blinking text */
    a->conceal = 0; /* not rendered either */
}

/* ---- building text: lines into one string, then its properties ---- */

enum prop_kind {
    PROP_FACE,   /* a face for ATTRS */
    PROP_WRAP,   /* vterm-line-wrap on a newline: the line wrapped there */
    PROP_PROMPT  /* vterm-prompt: the shell's prompt (OSC 51;A) */
};

struct prop {
    int start, end; /* character offsets in the string */
    struct render_attrs attrs;
    enum prop_kind kind;
};

struct text {
    struct buf bytes;
    struct buf props; /* of struct prop */
    int chars;
};

static void text_free(struct text *x)
{
    buf_free(&x->bytes);
    buf_free(&x->props);
}

/* An allocation failed: the text is not to be inserted. */
static bool text_failed(const struct text *x)
{
    return x->bytes.failed || x->props.failed;
}

static void text_prop(struct text *x, int start, int end,
                      const struct render_attrs *a, enum prop_kind kind)
{
    struct prop *p = buf_extend(&x->props, sizeof *p);

    if (p == NULL)
        return;
    p->start = start;
    p->end = end;
    p->kind = kind;
    if (a != NULL)
        p->attrs = *a;
}

/* Append LINE and, when NEWLINE, a newline (marked when the line wraps). */
static void text_line(struct text *x, const struct term *t,
                      const struct render_line *line, bool newline)
{
    int i, start = x->chars;

    buf_append(&x->bytes, line->text, line->len);
    for (i = 0; i < line->nruns; i++) {
        struct render_attrs a = line->runs[i].attrs;
        effective_attrs(t, &a);
        if (!attrs_plain(&a))
            text_prop(x, x->chars, x->chars + line->runs[i].chars, &a,
                      PROP_FACE);
        x->chars += line->runs[i].chars;
    }
    if (line->prompt_chars > 0)
        text_prop(x, start, start + line->prompt_chars, NULL, PROP_PROMPT);
    if (newline) {
        buf_append(&x->bytes, "\n", 1);
        if (line->wrapped)
            text_prop(x, x->chars, x->chars + 1, NULL, PROP_WRAP);
        x->chars++;
    }
}

/* Insert X at point, then put its properties on the buffer text: putting
 * them on the string first would have insert copy every interval again
 * (measured: a third fewer GCs per redraw on SGR-heavy output). */
static void text_insert(emacs_env *env, const struct render_color *palette,
                        struct text *x)
{
    emacs_value args[4];
    intmax_t base;
    const struct prop *props = (const struct prop *)x->props.data;
    size_t i, nprops = x->props.len / sizeof *props;

    if (text_failed(x)) {
        signal_error(env, "vterm: out of memory");
        return;
    }
    if (x->bytes.len == 0)
        return;
    base = env->extract_integer(env, call0(env, S.point));
    if (failed(env))
        return;
    call1(env, S.insert,
          env->make_string(env, x->bytes.data, (ptrdiff_t)x->bytes.len));
    for (i = 0; i < nprops && !failed(env); i++) {
        const struct prop *p = &props[i];
        args[0] = env->make_integer(env, base + p->start);
        args[1] = env->make_integer(env, base + p->end);
        switch (p->kind) {
        case PROP_FACE:
            args[2] = S.face;
            args[3] = face_for(env, palette, &p->attrs);
            break;
        case PROP_WRAP:
            args[2] = S.vterm_line_wrap;
            args[3] = S.t;
            break;
        case PROP_PROMPT:
            args[2] = S.vterm_prompt;
            args[3] = S.t;
            break;
        }
        call(env, S.put_text_property, 4, args);
    }
}

/* ---- redraw ---- */

/* A redraw in two steps: plan_redraw takes what changed from the render
 * core (held from the parse thread, no Lisp), apply_plan puts it in the
 * buffer (Lisp only, the parse thread going on meanwhile). */

struct row_update {
    int row;
    bool wrapped;   /* the row's newline gets the wrap mark */
    bool mark_only; /* only that mark may have changed: TEXT is empty */
    struct text text;
};

struct redraw_plan {
    int rows;
    bool deferred;   /* new scrollback lines left for a later redraw */
    int evicted;     /* shown scrollback lines to drop from the top */
    bool all;        /* replace popped scrollback and the whole screen */
    int popped;      /* all: shown lines taken back onto the screen */
    int pending;     /* scrollback lines added (0 when deferred) */
    struct text all_text;     /* all: pending scrollback, then every row */
    struct row_update *changed; /* otherwise: the rows to rewrite */
    int nchanged;
    int cursor_row, cursor_chars; /* characters before it on its row */
    bool cursor_visible;
    struct render_color palette[16]; /* for faces without vterm.el */
    bool oom;
};

static void plan_free(struct redraw_plan *p)
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
    text_line(x, t, line, newline && row + 1 < rows);
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

/* With DEFER_SB, new scrollback lines stay in the core for a later
 * redraw when that leaves the buffer's lines as they are (no resize, no
 * lines taken back onto the screen): only the screen is drawn. */
static void plan_redraw(struct term *t, struct redraw_plan *p, bool defer_sb)
{
    struct render_cursor cur;
    int rows, cols, row, i, dirty = 0;
    int popped = render_sb_popped(t->r), pending = render_sb_pending(t->r);

    memset(p, 0, sizeof *p);
    render_get_size(t->r, &rows, &cols);
    render_get_cursor(t->r, &cur);
    p->rows = rows;
    p->deferred = defer_sb && pending > 0 && t->screen_lines == rows &&
                  popped == 0;
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
            text_line(&p->all_text, t, render_sb_pending_line(t->r, i), true);
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

/* Point to the cursor (CHARS characters into screen row ROW of ROWS),
 * and the cursor shown or hidden. */
static void move_cursor(emacs_env *env, struct term *t, int rows, int row,
                        int chars, bool visible)
{
    goto_from_end(env, rows - 1 - row);
    call1(env, S.forward_char, env->make_integer(env, chars));
    if (visible != t->cursor_visible) {
        /* Hidden: a local nil cursor-type; shown: the user's own again. */
        if (visible) {
            call1(env, S.kill_local_variable, S.cursor_type);
        } else {
            call2(env, S.set, call1(env, S.make_local_variable, S.cursor_type),
                  S.nil);
        }
        t->cursor_visible = visible;
    }
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
        call2(env, S.delete_region, call0(env, S.point), call0(env, S.point_max));
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
        args[1] = env->make_integer(env, env->extract_integer(env, args[0]) + 1);
        args[2] = S.vterm_line_wrap;
        args[3] = u->wrapped ? S.t : S.nil;
        call(env, S.put_text_property, 4, args);
    }
}

static void apply_plan(emacs_env *env, struct term *t, struct redraw_plan *p)
{
    int i;

    if (p->oom) {
        signal_error(env, "vterm: out of memory");
        return;
    }
    named.checked = 0; /* face colours are looked up again */
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

/* ---- Lisp functions ---- */

/* The thread and the core of T go; T itself stays for its Lisp object
 * (whose finalizer frees it), and says it is dead (get_term). */
static void term_release(struct term *t)
{
    if (t->worker != NULL)
        parse_worker_stop(t->worker);
    t->worker = NULL;
    render_free(t->r);
    t->r = NULL;
    t->dead = true;
    t->free_due = false;
    t->finish_due = false;
}

static void term_finalize(void *p)
{
    struct term *t = p;

    if (t->r != NULL)
        term_release(t);
    free(t);
}

static emacs_value Fvterm_new(emacs_env *env, ptrdiff_t nargs,
                              emacs_value *args, void *data)
{
    struct render_options opt;
    struct term *t;

    (void)data;
    if (!get_int(env, args[0], 1, 10000, "rows", &opt.rows) ||
        !get_int(env, args[1], 1, 10000, "cols", &opt.cols) ||
        !get_int(env, args[2], 0, 10000000, "scrollback size", &opt.sb_limit))
        return S.nil;
    t = calloc(1, sizeof *t);
    if (t == NULL || (t->r = render_new(&opt)) == NULL) {
        free(t);
        signal_error(env, "vterm: cannot create a terminal");
        return S.nil;
    }
    t->cursor_visible = true;
    t->disable_bold = nargs > 3 && env->is_not_nil(env, args[3]);
    t->disable_underline = nargs > 4 && env->is_not_nil(env, args[4]);
    t->disable_inverse = nargs > 5 && env->is_not_nil(env, args[5]);
    t->ignore_blink_cursor = nargs > 6 && env->is_not_nil(env, args[6]);
    t->bold_highbright = nargs > 7 && env->is_not_nil(env, args[7]);
    return env->make_user_ptr(env, term_finalize, t);
}

static emacs_value Fvterm_write_input(emacs_env *env, ptrdiff_t nargs,
                                      emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);
    ptrdiff_t len;
    char *bytes;

    (void)nargs;
    (void)data;
    if (t == NULL || (bytes = string_bytes(env, args[1], &len)) == NULL)
        return S.nil;
    if (t->worker != NULL) {
        /* What the worker makes of it comes with its wake-up. */
        if (!parse_worker_push(t->worker, bytes, (size_t)len))
            signal_error(env, "vterm: out of memory");
        free(bytes);
        return S.nil;
    }
    render_write(t->r, bytes, (size_t)len);
    free(bytes);
    dispatch(env, t);
    return S.nil;
}

/* ---- the parse thread ---- */

/* A Lisp function whose first argument is a terminal.  It may call Lisp
 * (process output, titles, vterm-eval-cmds, timers run while
 * process-send-string waits), which may free the terminal or stop its
 * parse thread: that waits until the outermost such function returns
 * (busy), so none has its core freed under it.  With HOLD and a parse
 * thread, the function runs with the core held (after everything
 * queued is parsed). */
struct held_fn {
    emacs_value (*fn)(emacs_env *, ptrdiff_t, emacs_value *, void *);
    bool hold;
};

static void finish_parse_thread(emacs_env *env, struct term *t);

static emacs_value term_call(emacs_env *env, ptrdiff_t nargs,
                             emacs_value *args, void *data)
{
    const struct held_fn *h = data;
    struct term *t = NULL;
    struct parse_worker *held = NULL;
    emacs_value result;

    if (nargs > 0 && env->get_user_finalizer(env, args[0]) == term_finalize)
        t = env->get_user_ptr(env, args[0]);
    /* Not a terminal, or a dead one: FN says so, in its own words. */
    if (failed(env))
        env->non_local_exit_clear(env);
    if (t == NULL || t->r == NULL || t->dead)
        return h->fn(env, nargs, args, NULL);
    t->busy++;
    if (h->hold && t->worker != NULL) {
        held = t->worker;
        parse_worker_acquire(held);
    }
    result = h->fn(env, nargs, args, NULL);
    if (held != NULL)
        parse_worker_release(held);
    if (--t->busy == 0) {
        if (t->free_due)
            term_release(t);
        else if (t->finish_due)
            finish_parse_thread(env, t);
    }
    return result;
}

static emacs_value Fvterm_start_parse_thread(emacs_env *env, ptrdiff_t nargs,
                                             emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);

    (void)nargs;
    (void)data;
    if (t == NULL)
        return S.nil;
    if (t->worker != NULL)
        return S.t;
#ifdef HAVE_OPEN_CHANNEL
    if ((size_t)env->size >= sizeof(struct emacs_env_28)) {
        int fd = env->open_channel(env, args[1]);

        if (failed(env) || fd < 0)
            return S.nil;
        t->worker = parse_worker_start(t->r, fd, PARSE_WORKER_QUIET_MS);
        if (t->worker == NULL) {
            close(fd);
            return S.nil;
        }
        return S.t;
    }
#endif
    return S.nil;
}

/* The parse thread goes once everything queued is parsed; what it
 * produced (replies, titles, ...) is taken now, as the filter does
 * without a thread.  The terminal parses on Emacs's thread from then
 * on. */
static void finish_parse_thread(emacs_env *env, struct term *t)
{
    t->finish_due = false;
    if (t->worker == NULL)
        return;
    parse_worker_finish(t->worker);
    t->worker = NULL;
    if (!failed(env)) {
        t->busy++;
        dispatch(env, t);
        if (--t->busy == 0 && t->free_due)
            term_release(t);
    }
}

static emacs_value Fvterm_stop_parse_thread(emacs_env *env, ptrdiff_t nargs,
                                            emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);

    (void)nargs;
    (void)data;
    if (t == NULL || t->worker == NULL)
        return S.nil;
    /* Called from Lisp run by another function with this terminal (a
     * timer run while process-send-string waits): when that returns. */
    if (t->busy > 1)
        t->finish_due = true;
    else
        finish_parse_thread(env, t);
    return S.t;
}

static emacs_value Fvterm_parse_thread_busy(emacs_env *env, ptrdiff_t nargs,
                                            emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);

    (void)nargs;
    (void)data;
    return t != NULL && t->worker != NULL && parse_worker_busy(t->worker)
               ? S.t
               : S.nil;
}

/* Not through term_call: it is what that waits for. */
static emacs_value Fvterm_free(emacs_env *env, ptrdiff_t nargs,
                               emacs_value *args, void *data)
{
    struct term *t;

    (void)nargs;
    (void)data;
    if (env->get_user_finalizer(env, args[0]) != term_finalize) {
        if (!failed(env))
            signal_error(env, "vterm: not a terminal");
        return S.nil;
    }
    t = env->get_user_ptr(env, args[0]);
    if (failed(env) || t == NULL || t->dead)
        return S.nil;
    t->dead = true;
    if (t->busy > 0)
        t->free_due = true;
    else
        term_release(t);
    return S.t;
}

static emacs_value Fvterm_parse_thread_woke(emacs_env *env, ptrdiff_t nargs,
                                            emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);
    bool quiet = false;

    (void)nargs;
    (void)data;
    /* Held (held_call): no batch runs until the news is taken. */
    if (t != NULL && t->worker != NULL) {
        quiet = parse_worker_woken(t->worker);
        dispatch(env, t);
    }
    return quiet ? S.t : S.nil;
}

static emacs_value Fvterm_redraw(emacs_env *env, ptrdiff_t nargs,
                                 emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);
    struct redraw_plan plan;
    double now = 0;
    bool defer_sb = false;

    (void)data;
    if (t == NULL)
        return S.nil;
    /* Output streaming in turns the whole scrollback over between two
     * redraws: drawing it every time was a tenth of the time of 12 MB
     * of coloured output.  With the parse thread, whose wake-up when
     * the output stops draws it (the core stays undrawn), it may wait
     * until a redraw SB_DEFER_MAX_S after the last complete one. */
    if (t->worker != NULL) {
        now = env->extract_float(env, call0(env, S.float_time));
        if (failed(env))
            return S.nil;
        defer_sb = nargs > 1 && env->is_not_nil(env, args[1]) &&
                   now - t->sb_drawn_at < SB_DEFER_MAX_S;
        /* The core is held only while the plan is taken from it. */
        parse_worker_acquire(t->worker);
    }
    plan_redraw(t, &plan, defer_sb);
    if (t->worker != NULL) {
        if (!plan.oom && !plan.deferred) {
            parse_worker_drawn(t->worker);
            t->sb_drawn_at = now;
        }
        parse_worker_release(t->worker);
    }
    apply_plan(env, t, &plan);
    plan_free(&plan);
    return S.nil;
}

static emacs_value Fvterm_set_size(emacs_env *env, ptrdiff_t nargs,
                                   emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);
    int rows, cols;

    (void)nargs;
    (void)data;
    if (t == NULL || !get_int(env, args[1], 1, 10000, "rows", &rows) ||
        !get_int(env, args[2], 1, 10000, "cols", &cols))
        return S.nil;
    render_resize(t->r, rows, cols);
    dispatch(env, t);
    return S.nil;
}

static emacs_value Fvterm_reset_point(emacs_env *env, ptrdiff_t nargs,
                                      emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);
    struct render_cursor cur;

    (void)nargs;
    (void)data;
    if (t == NULL || t->screen_lines == 0)
        return S.nil;
    render_get_cursor(t->r, &cur);
    move_cursor(env, t, t->screen_lines, cur.row,
                render_chars_before(t->r, cur.row, cur.col), cur.visible);
    return call0(env, S.point);
}

static emacs_value Fvterm_clear_scrollback(emacs_env *env, ptrdiff_t nargs,
                                           emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);

    (void)nargs;
    (void)data;
    if (t != NULL)
        render_sb_clear(t->r);
    return S.nil;
}

/* The scrollback-then-screen line (render_line_directory) shown as
 * buffer line LINENUM (1-based) at the last redraw.  Shown scrollback
 * lines evicted since then have left the top of the ring. */
static int line_of_buffer_line(const struct term *t, int linenum)
{
    int line = linenum - 1;

    if (line < t->sb_shown) {
        line -= render_sb_evicted(t->r);
        return line < 0 ? 0 : line;
    }
    return render_sb_count(t->r) + line - t->sb_shown;
}

static emacs_value Fvterm_get_pwd_raw(emacs_env *env, ptrdiff_t nargs,
                                      emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);
    const char *dir = NULL;
    int linenum;

    (void)data;
    if (t == NULL)
        return S.nil;
    if (nargs > 1 && env->is_not_nil(env, args[1])) {
        if (!get_int(env, args[1], 1, INT_MAX / 2, "line number", &linenum))
            return S.nil;
        dir = render_line_directory(t->r, line_of_buffer_line(t, linenum));
    }
    if (dir == NULL)
        dir = render_directory(t->r);
    if (dir == NULL)
        return S.nil;
    return text_value(env, dir, strlen(dir));
}

/* ---- keys ---- */

static const struct {
    const char *name;
    VTermKey key;
} key_names[] = {
    {"<return>", VTERM_KEY_ENTER},     {"<tab>", VTERM_KEY_TAB},
    {"<backspace>", VTERM_KEY_BACKSPACE}, {"<escape>", VTERM_KEY_ESCAPE},
    {"<up>", VTERM_KEY_UP},            {"<down>", VTERM_KEY_DOWN},
    {"<left>", VTERM_KEY_LEFT},        {"<right>", VTERM_KEY_RIGHT},
    {"<insert>", VTERM_KEY_INS},       {"<delete>", VTERM_KEY_DEL},
    {"<deletechar>", VTERM_KEY_DEL},   {"<home>", VTERM_KEY_HOME},
    {"<end>", VTERM_KEY_END},          {"<prior>", VTERM_KEY_PAGEUP},
    {"<next>", VTERM_KEY_PAGEDOWN},    {"<kp-0>", VTERM_KEY_KP_0},
    {"<kp-1>", VTERM_KEY_KP_1},        {"<kp-2>", VTERM_KEY_KP_2},
    {"<kp-3>", VTERM_KEY_KP_3},        {"<kp-4>", VTERM_KEY_KP_4},
    {"<kp-5>", VTERM_KEY_KP_5},        {"<kp-6>", VTERM_KEY_KP_6},
    {"<kp-7>", VTERM_KEY_KP_7},        {"<kp-8>", VTERM_KEY_KP_8},
    {"<kp-9>", VTERM_KEY_KP_9},        {"<kp-add>", VTERM_KEY_KP_PLUS},
    {"<kp-subtract>", VTERM_KEY_KP_MINUS},
    {"<kp-multiply>", VTERM_KEY_KP_MULT},
    {"<kp-divide>", VTERM_KEY_KP_DIVIDE}, {"<kp-equal>", VTERM_KEY_KP_EQUAL},
    {"<kp-decimal>", VTERM_KEY_KP_PERIOD},
    {"<kp-separator>", VTERM_KEY_KP_COMMA},
    {"<kp-enter>", VTERM_KEY_KP_ENTER},
};

/* VTERM_KEY_* for NAME ("<up>", "<f5>", ...), or VTERM_KEY_NONE. */
static VTermKey key_by_name(const char *name)
{
    size_t i;
    int n;
    char end;

    for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (strcmp(name, key_names[i].name) == 0)
            return key_names[i].key;
    if (sscanf(name, "<f%d%c", &n, &end) == 2 && end == '>' && n >= 0 &&
        n <= 24 && strlen(name) <= 5)
        return VTERM_KEY_FUNCTION(n);
    return VTERM_KEY_NONE;
}

static void send_key(struct term *t, const char *key, size_t len,
                     VTermModifier mod)
{
    VTermKey k = VTERM_KEY_NONE;
    size_t off = 0;
    uint32_t c;

    if (len > 2 && key[0] == '<' && key[len - 1] == '>') {
        /* emacs-libvterm's names for the bracketed-paste markers. */
        if (strcmp(key, "<start_paste>") == 0 ||
            strcmp(key, "<end_paste>") == 0) {
            render_paste_bracket(t->r, key[1] == 's');
            return;
        }
        k = key_by_name(key);
    }
    if (k != VTERM_KEY_NONE) {
        render_key(t->r, k, mod);
        return;
    }
    while (off < len) {
        off += utf8_decode((const unsigned char *)key + off, len - off, &c);
        render_unichar(t->r, c, mod);
    }
}

static emacs_value Fvterm_update(emacs_env *env, ptrdiff_t nargs,
                                 emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);
    VTermModifier mod = VTERM_MOD_NONE;
    ptrdiff_t len;
    char *key;

    (void)data;
    if (t == NULL)
        return S.nil;
    if (nargs > 1 && env->is_not_nil(env, args[1])) {
        if ((key = string_bytes(env, args[1], &len)) == NULL)
            return S.nil;
        if (nargs > 2 && env->is_not_nil(env, args[2]))
            mod |= VTERM_MOD_SHIFT;
        if (nargs > 3 && env->is_not_nil(env, args[3]))
            mod |= VTERM_MOD_ALT;
        if (nargs > 4 && env->is_not_nil(env, args[4]))
            mod |= VTERM_MOD_CTRL;
        send_key(t, key, (size_t)len, mod);
        free(key);
    }
    dispatch(env, t);
    return S.nil;
}

/* What the libvterm under this module can do beyond 0.1.4's baseline. */
static emacs_value Fvterm_libvterm_features(emacs_env *env, ptrdiff_t nargs,
                                            emacs_value *args, void *data)
{
    emacs_value items[3];
    int n = 0;

    (void)nargs;
    (void)args;
    (void)data;
#ifdef RENDER_HAVE_FRAGMENTS
    items[n++] = env->intern(env, "string-fragments");
#endif
#ifdef RENDER_HAVE_SB_CLEAR
    items[n++] = env->intern(env, "scrollback-clear");
#endif
#ifdef RENDER_HAVE_REFLOW
    items[n++] = env->intern(env, "reflow");
#endif
    return call(env, S.list, n, items);
}

static emacs_value Fvterm_conpty_resize_pipe(emacs_env *env, ptrdiff_t nargs,
                                             emacs_value *args, void *data)
{
    enum ctl_status st;
    ptrdiff_t len;
    int cols, rows;
    char *id;
    bool ok;

    (void)nargs;
    (void)data;
    if (!get_int(env, args[1], CTL_DIM_MIN, CTL_DIM_MAX, "cols", &cols) ||
        !get_int(env, args[2], CTL_DIM_MIN, CTL_DIM_MAX, "rows", &rows) ||
        (id = string_bytes(env, args[0], &len)) == NULL)
        return S.nil;
    st = (size_t)len == strlen(id) ? ctl_id_check(id) : CTL_E_ID_CHAR;
    if (st != CTL_OK) {
        signal_error(env, "vterm: invalid conpty-proxy id: %s",
                     ctl_strerror(st));
        free(id);
        return S.nil;
    }
    ok = ctl_client_send_resize(id, cols, rows, RESIZE_BUDGET_MS);
    free(id);
    return ok ? S.t : S.nil;
}

/* ---- init ---- */

static void defalias(emacs_env *env, const char *name, emacs_value f)
{
    emacs_value args[2] = {env->intern(env, name), f};

    call(env, env->intern(env, "defalias"), 2, args);
}

static void defun(emacs_env *env, const char *name, ptrdiff_t min,
                  ptrdiff_t max,
                  emacs_value (*fn)(emacs_env *, ptrdiff_t, emacs_value *,
                                    void *),
                  const char *doc)
{
    defalias(env, name, env->make_function(env, min, max, fn, doc, NULL));
}

/* The same for a function of a terminal (term_call). */
static void defun_held(emacs_env *env, const char *name, ptrdiff_t min,
                       ptrdiff_t max, struct held_fn *h, const char *doc)
{
    defalias(env, name, env->make_function(env, min, max, term_call, doc, h));
}

static void init_symbols(emacs_env *env)
{
    static const char *const colors[8] = {"black", "red",     "green",
                                          "yellow", "blue",   "magenta",
                                          "cyan",  "white"};
    char name[64];
    int i;

    S.nil = global_intern(env, "nil");
    S.t = global_intern(env, "t");
    S.error = global_intern(env, "error");
    S.face = global_intern(env, "face");
    S.vterm_line_wrap = global_intern(env, "vterm-line-wrap");
    S.vterm_prompt = global_intern(env, "vterm-prompt");
    S.insert = global_intern(env, "insert");
    S.goto_char = global_intern(env, "goto-char");
    S.point = global_intern(env, "point");
    S.float_time = global_intern(env, "float-time");
    S.forward_char = global_intern(env, "forward-char");
    S.delete_region = global_intern(env, "delete-region");
    S.forward_line = global_intern(env, "forward-line");
    S.point_min = global_intern(env, "point-min");
    S.point_max = global_intern(env, "point-max");
    S.line_end_position = global_intern(env, "line-end-position");
    S.put_text_property = global_intern(env, "put-text-property");
    S.fboundp = global_intern(env, "fboundp");
    S.face_foreground = global_intern(env, "face-foreground");
    S.face_background = global_intern(env, "face-background");
    S.make_local_variable = global_intern(env, "make-local-variable");
    S.set = global_intern(env, "set");
    S.kill_local_variable = global_intern(env, "kill-local-variable");
    S.cursor_type = global_intern(env, "cursor-type");
    S.list = global_intern(env, "list");
    S.default_ = global_intern(env, "default");
    S.facep = global_intern(env, "facep");
    S.boundp = global_intern(env, "boundp");
    S.symbol_value = global_intern(env, "symbol-value");
    S.vectorp = global_intern(env, "vectorp");
    S.color_palette = global_intern(env, "vterm-color-palette");
    S.equal = global_intern(env, "equal");
    S.flush_output = global_intern(env, "vterm--flush-output");
    S.set_title = global_intern(env, "vterm--set-title");
    S.set_directory = global_intern(env, "vterm--set-directory");
    S.blink_cursor_mode = global_intern(env, "blink-cursor-mode");
    S.eval = global_intern(env, "vterm--eval");
    S.set_selection = global_intern(env, "vterm--set-selection");
    S.k_foreground = global_intern(env, ":foreground");
    S.k_background = global_intern(env, ":background");
    S.k_weight = global_intern(env, ":weight");
    S.k_slant = global_intern(env, ":slant");
    S.k_underline = global_intern(env, ":underline");
    S.k_inverse_video = global_intern(env, ":inverse-video");
    S.k_strike_through = global_intern(env, ":strike-through");
    S.k_style = global_intern(env, ":style");
    S.bold = global_intern(env, "bold");
    S.italic = global_intern(env, "italic");
    S.wave = global_intern(env, "wave");
    for (i = 0; i < 16; i++) {
        snprintf(name, sizeof name, "vterm-color-%s%s", i < 8 ? "" : "bright-",
                 colors[i % 8]);
        S.color_faces[i] = global_intern(env, name);
    }
}

static struct held_fn held_update = {Fvterm_update, true},
                      held_set_size = {Fvterm_set_size, true},
                      held_reset_point = {Fvterm_reset_point, true},
                      held_clear_scrollback = {Fvterm_clear_scrollback, true},
                      held_get_pwd_raw = {Fvterm_get_pwd_raw, true},
                      held_parse_thread_woke = {Fvterm_parse_thread_woke, true},
                      /* These hold the core themselves, or need not. */
                      held_write_input = {Fvterm_write_input, false},
                      held_redraw = {Fvterm_redraw, false},
                      held_start_parse_thread = {Fvterm_start_parse_thread,
                                                 false},
                      held_stop_parse_thread = {Fvterm_stop_parse_thread,
                                                false},
                      held_parse_thread_busy = {Fvterm_parse_thread_busy,
                                                false};

MODULE_EXPORT int emacs_module_init(struct emacs_runtime *rt)
{
    emacs_env *env;

    if ((size_t)rt->size < sizeof *rt)
        return 1;
    env = rt->get_environment(rt);
    if ((size_t)env->size < sizeof(struct emacs_env_25))
        return 2;
    init_symbols(env);
    defun(env, "vterm--new", 3, 8, Fvterm_new,
          "Create a terminal of ROWS x COLS keeping SB-SIZE scrollback lines."
          "\n\n(fn ROWS COLS SB-SIZE &optional DISABLE-BOLD DISABLE-UNDERLINE "
          "DISABLE-INVERSE-VIDEO IGNORE-BLINK-CURSOR SET-BOLD-HIGHTBRIGHT)");
    defun_held(env, "vterm--write-input", 2, 2, &held_write_input,
          "Feed process output STRING to terminal VTERM.\n\n(fn VTERM STRING)");
    defun_held(env, "vterm--update", 1, 5, &held_update,
          "Send KEY with modifiers to VTERM; output goes to "
          "`vterm--flush-output'.\n\n(fn VTERM &optional KEY SHIFT META CTRL)");
    /* It holds the core itself, while it takes what to draw. */
    defun_held(env, "vterm--redraw", 1, 2, &held_redraw,
          "Render VTERM into the current buffer.\n"
          "STREAMING non-nil (a redraw while output may still come in):\n"
          "scrollback lines new since the last redraw may be left for a\n"
          "later one, up to a second; the parse thread has them drawn\n"
          "when the output stops.\n\n(fn VTERM &optional STREAMING)");
    defun_held(env, "vterm--set-size", 3, 3, &held_set_size,
          "Resize VTERM.\n\n(fn VTERM ROWS COLS)");
    defun_held(env, "vterm--reset-point", 1, 1, &held_reset_point,
          "Move point to VTERM's cursor and return it.\n\n(fn VTERM)");
    defun_held(env, "vterm--clear-scrollback", 1, 1, &held_clear_scrollback,
          "Drop VTERM's scrollback; the next redraw removes it from the "
          "buffer.\n\n(fn VTERM)");
    defun_held(env, "vterm--get-pwd-raw", 1, 2, &held_get_pwd_raw,
          "The directory VTERM reported (OSC 7 or 51;A), or nil.\n"
          "With LINENUM, the one reported on that buffer line or the\n"
          "nearest line above it; otherwise, or when none is known, the\n"
          "last one."
          "\n\n(fn VTERM &optional LINENUM)");
    defun(env, "vterm--conpty-resize-pipe", 3, 3, Fvterm_conpty_resize_pipe,
          "Ask conpty-proxy ID to resize to COLS x ROWS over its control "
          "channel.\nt when sent, nil when the channel cannot be reached."
          "\n\n(fn ID COLS ROWS)");
    defun(env, "vterm--libvterm-features", 0, 0, Fvterm_libvterm_features,
          "What the libvterm this module was built with adds to 0.1.4's:\n"
          "a list of `string-fragments' (OSC strings split across reads),\n"
          "`scrollback-clear' (CSI 3 J) and `reflow' (exact wrap marks,\n"
          "lines rewrapped on resize)."
          "\n\n(fn)");
    defun_held(env, "vterm--start-parse-thread", 2, 2,
               &held_start_parse_thread,
          "Parse VTERM's output in a thread of its own; t if started.\n"
          "The thread wakes Emacs by writing to PIPE-PROCESS (from\n"
          "`make-pipe-process'), whose filter must call\n"
          "`vterm--parse-thread-woke'.  Needs Emacs 28 and POSIX threads;\n"
          "nil otherwise, and output is parsed as it is written."
          "\n\n(fn VTERM PIPE-PROCESS)");
    defun_held(env, "vterm--parse-thread-woke", 1, 1, &held_parse_thread_woke,
          "Take what VTERM's parse thread produced (replies, titles, ...).\n"
          "Return t when its output stopped with some of it not drawn yet."
          "\n\n(fn VTERM)");
    defun_held(env, "vterm--stop-parse-thread", 1, 1, &held_stop_parse_thread,
          "Stop VTERM's parse thread once the output it has is parsed.\n"
          "What that output produced (replies, titles, ...) is taken now;\n"
          "VTERM parses on Emacs's thread from then on, and its wake-up\n"
          "pipe process gets nothing more.  t if it had a thread."
          "\n\n(fn VTERM)");
    defun_held(env, "vterm--parse-thread-busy", 1, 1, &held_parse_thread_busy,
          "Non-nil while VTERM's parse thread may still write a wake-up\n"
          "byte without more output: output is queued, or parsed and not\n"
          "drawn.  nil: every byte it wrote is in the pipe already."
          "\n\n(fn VTERM)");
    defun(env, "vterm--free", 1, 1, Fvterm_free,
          "Release VTERM now: stop its parse thread and free its state.\n"
          "Later calls with VTERM signal an error (\"not a live terminal\");\n"
          "freeing it again does nothing.  Called from Lisp that a function\n"
          "of VTERM runs, it happens when that function returns.\n"
          "t if VTERM was live."
          "\n\n(fn VTERM)");
    call1(env, env->intern(env, "provide"), env->intern(env, "vterm-module"));
    return 0;
}

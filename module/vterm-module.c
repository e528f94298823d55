/* vterm-module.c -- the Emacs side of vterm-module: its registration and
 * the Lisp functions, over the render core (render.h), the parse thread
 * and the control-channel client.  Everything terminal-specific happens
 * in the render core; redraw.c turns rows of attribute runs into buffer
 * text (with text.c and faces.c), keys.c encodes keys, emacs_call.c
 * calls Emacs, term.c holds a terminal and its lifetime. */
#include <emacs-module.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "proxy_resize.h"
#include "emacs_call.h"
#include "keys.h"
#include "parse_wakeup.h"
#include "parse_worker.h"
#include "redraw.h"
#include "render.h"
#include "term.h"

/* Only these two are exported: everything else, libvterm included, stays
 * private so it cannot clash with another module's copy (Emacs loads
 * modules with RTLD_GLOBAL). */
#ifdef _WIN32
#define MODULE_EXPORT __declspec(dllexport)
#else
#define MODULE_EXPORT __attribute__((visibility("default")))
#endif

MODULE_EXPORT int plugin_is_GPL_compatible;

enum { RESIZE_BUDGET_MS = 50 }; /* DESIGN.md: never block Emacs longer */

/* The longest a streaming redraw leaves new scrollback undrawn. */
#define SB_DEFER_MAX_S 1.0

/* ---- what libvterm produced: bytes for the process, title, dir ---- */

/* OSC 51;E, OSC 52 and notifications, to the Lisp functions that
 * decide what to do with them (vterm-eval-cmds, the OSC 52 opt-in,
 * vterm-notify-function). */
static void dispatch_requests(emacs_env *env, struct term *t)
{
    struct render_request req;

    while (!failed(env) && render_next_request(t->r, &req)) {
        if (req.kind == RENDER_REQ_EVAL) {
            if (fboundp(env, S.eval))
                call1(env, S.eval, text_value(env, req.data, req.data_len));
        } else if (req.kind == RENDER_REQ_NOTIFY) {
            if (fboundp(env, S.notify))
                call2(env, S.notify,
                      text_value(env, req.targets, strlen(req.targets)),
                      text_value(env, req.data, req.data_len));
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
    enum render_cursor_shape shape;

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
    if (render_take_cursor_shape(t->r, &shape)) {
        t->cursor_shape = shape;
        show_cursor(env, t);
        if (failed(env))
            return;
    }
    dispatch_requests(env, t);
}

/* ---- Lisp functions ---- */

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
    t->faces.disable_bold = nargs > 3 && env->is_not_nil(env, args[3]);
    t->faces.disable_underline = nargs > 4 && env->is_not_nil(env, args[4]);
    t->faces.disable_inverse = nargs > 5 && env->is_not_nil(env, args[5]);
    t->ignore_blink_cursor = nargs > 6 && env->is_not_nil(env, args[6]);
    t->faces.bold_highbright = nargs > 7 && env->is_not_nil(env, args[7]);
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

static emacs_value term_call(emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                             void *data)
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
    if (h->hold)
        held = core_hold(t);
    result = h->fn(env, nargs, args, NULL);
    core_release(held);
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
    struct parse_wakeup wake;

    (void)data;
    if (t == NULL)
        return S.nil;
    if (t->worker != NULL)
        return S.t;
    if (!parse_wakeup_from_lisp(env, args[1], nargs > 2 ? args[2] : S.nil,
                                &wake))
        return S.nil;
    t->worker = parse_worker_start(t->r, &wake, PARSE_WORKER_QUIET_MS);
    if (t->worker == NULL) {
        parse_wakeup_discard(&wake);
        return S.nil;
    }
    return S.t;
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
    /* Held (term_call): no batch runs until the news is taken. */
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
    struct parse_worker *held;
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
    }
    /* The core is held only while the plan is taken from it. */
    held = core_hold(t);
    plan_redraw(t, &plan, defer_sb);
    if (held != NULL && !plan.oom && !plan.deferred) {
        parse_worker_drawn(held);
        t->sb_drawn_at = now;
    }
    core_release(held);
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

static emacs_value Fvterm_synchronized_p(emacs_env *env, ptrdiff_t nargs,
                                         emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);

    (void)nargs;
    (void)data;
    return t != NULL && render_synchronized(t->r) ? S.t : S.nil;
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
        send_key(t->r, key, (size_t)len, mod);
        free(key);
    }
    dispatch(env, t);
    return S.nil;
}

static emacs_value Fvterm_set_query_color(emacs_env *env, ptrdiff_t nargs,
                                          emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);
    int which, rgb[3] = {0, 0, 0}, i;
    bool set = env->is_not_nil(env, args[2]);
    emacs_value list = args[2];

    (void)nargs;
    (void)data;
    if (t == NULL)
        return S.nil;
    if (env->eq(env, args[1], S.k_foreground))
        which = RENDER_QUERY_FG;
    else if (env->eq(env, args[1], S.k_background))
        which = RENDER_QUERY_BG;
    else if (!get_int(env, args[1], 0, 15, "palette index", &which))
        return S.nil;
    for (i = 0; set && i < 3; i++) {
        if (!get_int(env, call1(env, S.car, list), 0, 65535, "colour component",
                     &rgb[i]))
            return S.nil;
        list = call1(env, S.cdr, list);
    }
    render_set_query_color(t->r, which, set, (unsigned short)rgb[0],
                           (unsigned short)rgb[1], (unsigned short)rgb[2]);
    return S.nil;
}

static emacs_value Fvterm_mouse_mode(emacs_env *env, ptrdiff_t nargs,
                                     emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);

    (void)nargs;
    (void)data;
    if (t == NULL)
        return S.nil;
    switch (render_mouse_mode(t->r)) {
    case VTERM_PROP_MOUSE_CLICK: return S.click;
    case VTERM_PROP_MOUSE_DRAG: return S.drag;
    case VTERM_PROP_MOUSE_MOVE: return S.move;
    default: return S.nil;
    }
}

static emacs_value Fvterm_mouse(emacs_env *env, ptrdiff_t nargs,
                                emacs_value *args, void *data)
{
    struct term *t = get_term(env, args[0]);
    VTermModifier mod = VTERM_MOD_NONE;
    int row, col, button;

    (void)data;
    if (t == NULL ||
        !get_int(env, args[1], 0, INT_MAX / 2, "mouse row", &row) ||
        !get_int(env, args[2], 0, INT_MAX / 2, "mouse column", &col) ||
        !get_int(env, args[3], 0, 5, "mouse button", &button))
        return S.nil;
    if (nargs > 5 && env->is_not_nil(env, args[5]))
        mod |= VTERM_MOD_SHIFT;
    if (nargs > 6 && env->is_not_nil(env, args[6]))
        mod |= VTERM_MOD_ALT;
    if (nargs > 7 && env->is_not_nil(env, args[7]))
        mod |= VTERM_MOD_CTRL;
    render_mouse(t->r, row, col, button, env->is_not_nil(env, args[4]), mod);
    dispatch(env, t);
    return S.nil;
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
    ok = proxy_resize_send(id, cols, rows, RESIZE_BUDGET_MS);
    free(id);
    return ok ? S.t : S.nil;
}

/* ---- init ---- */

static void defalias(emacs_env *env, const char *name, emacs_value f)
{
    emacs_value args[2] = {env->intern(env, name), f};

    call(env, env->intern(env, "defalias"), 2, args);
}

static void
defun(emacs_env *env, const char *name, ptrdiff_t min, ptrdiff_t max,
      emacs_value (*fn)(emacs_env *, ptrdiff_t, emacs_value *, void *),
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

static struct held_fn held_update = {Fvterm_update, true},
                      held_set_size = {Fvterm_set_size, true},
                      held_reset_point = {Fvterm_reset_point, true},
                      held_clear_scrollback = {Fvterm_clear_scrollback, true},
                      held_synchronized_p = {Fvterm_synchronized_p, true},
                      held_mouse_mode = {Fvterm_mouse_mode, true},
                      held_set_query_color = {Fvterm_set_query_color, true},
                      held_mouse = {Fvterm_mouse, true},
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
    defun_held(
        env, "vterm--write-input", 2, 2, &held_write_input,
        "Feed process output STRING to terminal VTERM.\n\n(fn VTERM STRING)");
    defun_held(
        env, "vterm--update", 1, 5, &held_update,
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
    defun_held(env, "vterm--synchronized-p", 1, 1, &held_synchronized_p,
               "Non-nil while VTERM's program draws a frame it wants shown\n"
               "whole: between its CSI ? 2026 h and l (synchronized output)."
               "\n\n(fn VTERM)");
    defun_held(
        env, "vterm--set-query-color", 3, 3, &held_set_query_color,
        "Answer VTERM's program's queries for the colour WHICH with RGB.\n"
        "WHICH is :foreground (OSC 10), :background (OSC 11) or a\n"
        "palette index 0-15 (OSC 4); RGB a list of three 16-bit\n"
        "components, or nil: not known, not answered."
        "\n\n(fn VTERM WHICH RGB)");
    defun_held(env, "vterm--mouse-mode", 1, 1, &held_mouse_mode,
               "What VTERM's program asked to hear of the mouse: nil, or\n"
               "`click' (DECSET 1000), `drag' (1002) or `move' (1003)."
               "\n\n(fn VTERM)");
    defun_held(env, "vterm--mouse", 5, 8, &held_mouse,
               "Tell VTERM's program of the mouse at ROW, COL (screen cells\n"
               "from 0): BUTTON 1-3 PRESSED or released, 4 or 5 a wheel step\n"
               "up or down, 0 a move alone.  The report goes to\n"
               "`vterm--flush-output' when the program asked for it."
               "\n\n(fn VTERM ROW COL BUTTON PRESSED &optional SHIFT META "
               "CTRL)");
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
    defun_held(
        env, "vterm--start-parse-thread", 2, 3, &held_start_parse_thread,
        "Parse VTERM's output in a thread of its own; t if started.\n"
        "The thread wakes Emacs by sending bytes to CHANNEL, whose filter\n"
        "must call `vterm--parse-thread-woke'.  On POSIX, CHANNEL is a\n"
        "process from `make-pipe-process' (Emacs 28).  On Windows, it is\n"
        "the port of a server on 127.0.0.1: the thread connects and sends\n"
        "SECRET, a string, before its first wake-up byte.  nil when the\n"
        "thread cannot start, and output is parsed as it is written."
        "\n\n(fn VTERM CHANNEL &optional SECRET)");
    defun_held(
        env, "vterm--parse-thread-woke", 1, 1, &held_parse_thread_woke,
        "Take what VTERM's parse thread produced (replies, titles, ...).\n"
        "Return t when its output stopped with some of it not drawn yet."
        "\n\n(fn VTERM)");
    defun_held(
        env, "vterm--stop-parse-thread", 1, 1, &held_stop_parse_thread,
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

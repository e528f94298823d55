/* emacs_call.c -- see emacs_call.h. */
#include "emacs_call.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

struct symbols S;

static emacs_value global_intern(emacs_env *env, const char *name)
{
    return env->make_global_ref(env, env->intern(env, name));
}

emacs_value call(emacs_env *env, emacs_value fn, ptrdiff_t n, emacs_value *args)
{
    return env->funcall(env, fn, n, args);
}

emacs_value call0(emacs_env *env, emacs_value fn)
{
    return call(env, fn, 0, NULL);
}

emacs_value call1(emacs_env *env, emacs_value fn, emacs_value a)
{
    return call(env, fn, 1, &a);
}

emacs_value call2(emacs_env *env, emacs_value fn, emacs_value a, emacs_value b)
{
    emacs_value args[2] = {a, b};
    return call(env, fn, 2, args);
}

bool failed(emacs_env *env)
{
    return env->non_local_exit_check(env) != emacs_funcall_exit_return;
}

void signal_error(emacs_env *env, const char *fmt, ...)
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

char *string_bytes(emacs_env *env, emacs_value s, ptrdiff_t *len)
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

emacs_value bytes_value(emacs_env *env, const char *s, size_t len)
{
    if ((size_t)env->size >= sizeof(struct emacs_env_28))
        return env->make_unibyte_string(env, s, (ptrdiff_t)len);
    return env->make_string(env, s, (ptrdiff_t)len);
}

bool fboundp(emacs_env *env, emacs_value sym)
{
    return env->is_not_nil(env, call1(env, S.fboundp, sym));
}

bool get_int(emacs_env *env, emacs_value v, intmax_t min, intmax_t max,
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

emacs_value text_value(emacs_env *env, const char *s, size_t len)
{
    if (utf8_valid((const unsigned char *)s, len))
        return env->make_string(env, s, (ptrdiff_t)len);
    return bytes_value(env, s, len);
}

emacs_value insert_value(emacs_env *env, const char *s, size_t len)
{
    if ((size_t)env->size >= sizeof(struct emacs_env_28) &&
        utf8_all_ascii((const unsigned char *)s, len))
        return env->make_unibyte_string(env, s, (ptrdiff_t)len);
    return env->make_string(env, s, (ptrdiff_t)len);
}

void init_symbols(emacs_env *env)
{
    static const char *const colors[8] = {"black", "red",     "green", "yellow",
                                          "blue",  "magenta", "cyan",  "white"};
    char name[64];
    int i;

    S.nil = global_intern(env, "nil");
    S.t = global_intern(env, "t");
    S.error = global_intern(env, "error");
    S.face = global_intern(env, "face");
    S.vterm_line_wrap = global_intern(env, "vterm-line-wrap");
    S.vterm_prompt = global_intern(env, "vterm-prompt");
    S.category = global_intern(env, "category");
    S.vterm_exit_status = global_intern(env, "vterm-exit-status");
    S.vterm_exit_success = global_intern(env, "vterm-exit-success");
    S.vterm_exit_failure = global_intern(env, "vterm-exit-failure");
    S.vterm_prompt_lines = global_intern(env, "vterm-prompt-lines");
    S.vterm_hyperlink = global_intern(env, "vterm-hyperlink");
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
    S.cursor_shapes = global_intern(env, "vterm-cursor-shapes");
    S.bar = global_intern(env, "bar");
    S.hbar = global_intern(env, "hbar");
    S.click = global_intern(env, "click");
    S.notify = global_intern(env, "vterm--notify");
    S.car = global_intern(env, "car");
    S.cdr = global_intern(env, "cdr");
    S.drag = global_intern(env, "drag");
    S.move = global_intern(env, "move");
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

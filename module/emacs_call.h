/* emacs_call.h -- calling Emacs from the module: the symbols it uses
 * (interned once, global references), funcall in a few shapes, errors
 * as signals, and strings both ways. */
#ifndef EMACS_CALL_H
#define EMACS_CALL_H

#include <emacs-module.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Interned symbols, made global references once by init_symbols:
 * symbols live for the whole session anyway. */
struct symbols {
    emacs_value nil, t, error, face, vterm_line_wrap, vterm_prompt;
    emacs_value category, vterm_exit_status, vterm_exit_success,
        vterm_exit_failure, vterm_prompt_lines, vterm_hyperlink;
    emacs_value insert, point, forward_char, goto_char, delete_region,
        forward_line, point_min, point_max, line_end_position,
        put_text_property, fboundp, face_foreground, face_background,
        make_local_variable, set, kill_local_variable, cursor_type, list,
        default_, facep, equal, float_time;
    emacs_value flush_output, set_title, set_directory, eval, set_selection,
        blink_cursor_mode, cursor_shapes, bar, hbar, click, drag, move, notify,
        car, cdr;
    emacs_value k_foreground, k_background, k_weight, k_slant, k_underline,
        k_inverse_video, k_strike_through, k_style, bold, italic, wave;
    emacs_value color_faces[16];
    emacs_value boundp, symbol_value, vectorp, color_palette;
};
extern struct symbols S;

void init_symbols(emacs_env *env);

emacs_value call(emacs_env *env, emacs_value fn, ptrdiff_t n,
                 emacs_value *args);
emacs_value call0(emacs_env *env, emacs_value fn);
emacs_value call1(emacs_env *env, emacs_value fn, emacs_value a);
emacs_value call2(emacs_env *env, emacs_value fn, emacs_value a, emacs_value b);
/* A signal or throw is pending. */
bool failed(emacs_env *env);
/* Signal `error' with a printf-formatted message. */
void signal_error(emacs_env *env, const char *fmt, ...);
/* The UTF-8 of a Lisp string in a malloc'd buffer, or NULL (with a
 * pending signal) when it is not a string. */
char *string_bytes(emacs_env *env, emacs_value s, ptrdiff_t *len);
/* Raw bytes for the process: unibyte when this Emacs can make one. */
emacs_value bytes_value(emacs_env *env, const char *s, size_t len);
/* Text from the application: a string when it is UTF-8, else bytes. */
emacs_value text_value(emacs_env *env, const char *s, size_t len);
/* S, LEN bytes of UTF-8, as a string to insert into a buffer: unibyte
 * when it is all ASCII (Emacs 28+), which inserts the same characters
 * and spares Emacs decoding it into a second string. */
emacs_value insert_value(emacs_env *env, const char *s, size_t len);
bool fboundp(emacs_env *env, emacs_value sym);
/* V as an int in MIN..MAX, or false with an error signalled naming it
 * WHAT. */
bool get_int(emacs_env *env, emacs_value v, intmax_t min, intmax_t max,
             const char *what, int *out);

#endif /* EMACS_CALL_H */

/* render.h -- the render core of vterm-module: a libvterm terminal seen as
 * rows of attribute runs.  Plain C, no Emacs types, so it can be unit-tested
 * and fuzzed on its own; vterm-module.c is a thin Emacs layer over it.
 *
 * Life of a terminal: render_new, then any number of render_write (process
 * output) and render_key/render_text (typed input); the owner drains what
 * piled up (render_take_output, render_take_title, ...) and, on its redraw
 * timer, reads dirty rows and scrollback pushed since the last redraw.
 * Works with libvterm 0.1.4 through 0.3.3. */
#ifndef RENDER_H
#define RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vterm.h>

#include "render_types.h"

struct render;

struct render_options {
    int rows, cols;
    int sb_limit; /* scrollback lines kept (0 = none) */
};

/* NULL when out of memory or the size is out of range (1..10000).  A
 * screen is at least 2 columns wide: libvterm crashes on a wide character
 * in one column. */
struct render *render_new(const struct render_options *opt);
void render_free(struct render *r);

/* Feed process output.  Damage is flushed before returning. */
void render_write(struct render *r, const char *bytes, size_t len);

/* Input from the user: a key (VTERM_KEY_*), or a Unicode character, with
 * VTERM_MOD_* bits; the encoding lands in the output buffer. */
void render_key(struct render *r, VTermKey key, VTermModifier mod);
void render_unichar(struct render *r, uint32_t c, VTermModifier mod);
/* The bracketed-paste start (START) or end marker, when the application
 * enabled bracketed paste; nothing otherwise. */
void render_paste_bracket(struct render *r, bool start);
/* Paste TEXT (UTF-8) bracketed when the application asked for it. */
void render_paste(struct render *r, const char *text, size_t len);

/* The colours answered to a program's OSC 10 (WHICH RENDER_QUERY_FG),
 * OSC 11 (RENDER_QUERY_BG) and OSC 4 (WHICH 0-15) queries, 16 bits a
 * component; SET false: not known, not answered.  Palette entries above
 * 15 are libvterm's. */
enum { RENDER_QUERY_FG = -1, RENDER_QUERY_BG = -2 };
void render_set_query_color(struct render *r, int which, bool set,
                            unsigned short red, unsigned short green,
                            unsigned short blue);

/* What the program asked the mouse to report (DECSET 1000, 1002,
 * 1003): VTERM_PROP_MOUSE_NONE, _CLICK, _DRAG or _MOVE. */
int render_mouse_mode(const struct render *r);
/* The mouse at ROW, COL (cells of the screen, from 0): BUTTON 1-3
 * PRESSED or released there, 4 and 5 a wheel step up and down, 0 a move
 * alone.  What the program asked to hear of it goes to the output, as
 * keys do; nothing when it asked for nothing. */
void render_mouse(struct render *r, int row, int col, int button, bool pressed,
                  VTermModifier mod);

/* Bytes libvterm produced (key encodings, replies to queries) since the
 * last call; *LEN = 0 when none.  Valid until the next call on R. */
const char *render_take_output(struct render *r, size_t *len);

/* The newest title / directory (OSC 0/2, OSC 7 and OSC 51;A) set since
 * the last call, NUL-terminated, or NULL when none.  Valid until the next
 * call on R. */
const char *render_take_title(struct render *r);
const char *render_take_directory(struct render *r);
/* True when anything above (output, title, directory, cursor blinking
 * or shape)
 * or a request (render_next_request) waits to be taken. */
bool render_has_news(const struct render *r);
/* Whether the program asked for a blinking cursor (DECSCUSR, mode 12),
 * if it asked anything since the last call: true with *BLINK set. */
bool render_take_cursor_blink(struct render *r, bool *blink);
/* The cursor's shape (DECSCUSR), if it changed since the last call: true
 * with *SHAPE set. */
enum render_cursor_shape {
    RENDER_CURSOR_BLOCK,
    RENDER_CURSOR_UNDERLINE,
    RENDER_CURSOR_BAR
};
bool render_take_cursor_shape(struct render *r,
                              enum render_cursor_shape *shape);
/* True between the program's CSI ? 2026 h and l (synchronized output):
 * what is on the screen may be half a frame. */
bool render_synchronized(const struct render *r);
/* The last directory seen (not consumed), or NULL. */
const char *render_directory(const struct render *r);
/* The directory the shell reported on LINE or, failing that, the nearest
 * line above it that has one; NULL when none is known.  Lines count the
 * scrollback from its oldest line (0) on, then the screen rows. */
const char *render_line_directory(const struct render *r, int line);
/* The URI a line's link (struct render_link) names, NUL-terminated, or
 * NULL when it is forgotten (see links.h). */
const char *render_link_uri(const struct render *r, unsigned uri);

/* The oldest queued request (render_types.h) into *REQ (valid until the next
 * call that writes to R); false when none is left. */
bool render_next_request(struct render *r, struct render_request *req);

/* Resize (at least 2 columns, as render_new); lines scrolled off go to
 * the scrollback, lines come back from it when the screen grows.  On
 * libvterm 0.3 lines are reflowed, except where its reflow would crash
 * (see reflow_safe in reflow.c). */
void render_resize(struct render *r, int rows, int cols);
void render_get_size(const struct render *r, int *rows, int *cols);

struct render_cursor {
    int row, col;
    bool visible;
};
void render_get_cursor(const struct render *r, struct render_cursor *c);

/* Screen rows changed since render_clear_dirty. */
bool render_row_dirty(const struct render *r, int row);
void render_clear_dirty(struct render *r);

/* Screen ROW as a line into storage owned by R (valid until the next
 * render_get_row).  Trailing blanks are kept up to column MIN_COLS (the
 * cursor's row needs them so point can sit past the text).  False when
 * ROW is out of range or memory ran out. */
bool render_get_row(struct render *r, int row, int min_cols,
                    const struct render_line **line);

/* Characters (counted as in render_get_row's text) before column COL of
 * screen ROW: where point goes for a cursor at (ROW, COL). */
int render_chars_before(struct render *r, int row, int col);

/* Scrollback.  Lines are pushed off the top of the screen into a ring of
 * at most sb_limit lines.  What a viewer has shown of it is tracked so it
 * can update incrementally:
 *   - render_sb_pending: lines pushed since the last render_sb_taken,
 *     oldest first, to append below the lines already shown; a line
 *     evicted by the limit before it was shown is never pending;
 *   - render_sb_evicted: shown lines dropped at the top by the limit (or
 *     cleared by CSI 3 J);
 *   - render_sb_popped: shown lines taken back onto the screen when it
 *     grew (the last ones shown).
 * A viewer deletes evicted lines at the top, popped ones at the bottom,
 * appends the pending ones, then calls render_sb_taken. */
int render_sb_count(const struct render *r);
int render_sb_pending(const struct render *r);
/* Pending line I (0: the oldest), built on demand: pointers into R stay
 * valid until R next changes the scrollback. */
const struct render_line *render_sb_pending_line(struct render *r, int i);
int render_sb_evicted(const struct render *r);
int render_sb_popped(const struct render *r);
void render_sb_taken(struct render *r);
/* Drop every scrollback line (shown ones become evicted), as CSI 3 J does
 * on libvterm 0.2+; works on every version. */
void render_sb_clear(struct render *r);

/* The RGB of palette entry IDX (0..255) as libvterm's palette has it. */
void render_palette_rgb(const struct render *r, int idx, uint8_t *red,
                        uint8_t *green, uint8_t *blue);

#endif /* RENDER_H */

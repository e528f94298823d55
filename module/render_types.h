/* render_types.h -- what the render core's layers (input_guard, runs,
 * scrollback, osc, reflow) and its users share: the libvterm features
 * of this build, colours, attributes, runs and lines.  Kept apart from
 * render.h so that the layers below the terminal do not include it. */
#ifndef RENDER_TYPES_H
#define RENDER_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vterm.h>

#include "lineinfo.h"

/* Newer libvterm: string fragments (OSC split across reads delivered as
 * pieces) and the sb_clear callback came with 0.2; reflow with 0.3. */
#if VTERM_VERSION_MAJOR > 0 || VTERM_VERSION_MINOR >= 2
#define RENDER_HAVE_FRAGMENTS 1
#define RENDER_HAVE_SB_CLEAR 1
#endif
#if VTERM_VERSION_MAJOR > 0 || VTERM_VERSION_MINOR >= 3
#define RENDER_HAVE_REFLOW 1
#endif

enum render_color_kind {
    RENDER_COLOR_DEFAULT = 0, /* the default face's colour */
    RENDER_COLOR_INDEXED,     /* 0..15 only: the named (ANSI) colours */
    RENDER_COLOR_RGB          /* 256-colour palette entries and truecolour */
};

/* Only uint8_t members: no padding, so attributes compare with memcmp and
 * can be a hash key as they are. */
struct render_color {
    uint8_t kind; /* enum render_color_kind */
    uint8_t idx;  /* RENDER_COLOR_INDEXED */
    uint8_t r, g, b;
};

struct render_attrs {
    struct render_color fg, bg;
    uint8_t bold, italic, blink, reverse, strike, conceal;
    uint8_t underline; /* 0 off, 1 single, 2 double, 3 curly */
};

/* A run of cells with equal attributes: bytes [off, off+len) of the row's
 * text, CHARS characters in it, COLS screen columns wide. */
struct render_run {
    size_t off, len;
    int chars, cols;
    struct render_attrs attrs;
};

/* Characters [start, end) of a line's text link to URI (an id of the
 * terminal's links, see links.h). */
struct render_link {
    int start, end;
    unsigned uri;
};

/* One line of text as UTF-8 plus its runs.  Trailing blank cells that
 * draw nothing (blank, default background, no reverse/underline/strike)
 * are trimmed.  WRAPPED: the line continues on the next one (known on
 * libvterm 0.3; a soft-wrap guess on 0.1.4).  INFO: what the shell said
 * about the line (see lineinfo.h); its prompt is the first PROMPT_CHARS
 * characters of TEXT (0: no prompt); LINKS its hyperlinks. */
struct render_line {
    char *text;
    size_t len;
    struct render_run *runs;
    int nruns;
    int cols; /* columns covered by the text */
    bool wrapped;
    struct line_info info;
    int prompt_chars;
    const struct render_link *links; /* from INFO's links, in order */
    int nlinks;
};

/* Requests from the application for the owner to act on (or refuse):
 * OSC 51;E<command> (eval), OSC 52;<targets>;<base64> (set the
 * selection; DATA is decoded, TARGETS as sent, e.g. "c"), and
 * notifications.  Queries
 * ("?") are never queued: the selection is not readable. */
enum render_request_kind {
    RENDER_REQ_EVAL = 1,
    RENDER_REQ_SELECTION,
    RENDER_REQ_NOTIFY /* OSC 9, 777: TARGETS the title ("" none), DATA the body
                       */
};
struct render_request {
    enum render_request_kind kind;
    const char *targets; /* SELECTION, NOTIFY: NUL-terminated */
    const char *data;    /* NUL-terminated; DATA_LEN bytes before it */
    size_t data_len;
};

#endif /* RENDER_TYPES_H */

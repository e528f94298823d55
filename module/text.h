/* text.h -- buffer text built in C: lines of attribute runs into one
 * string with its text properties (faces, wrap and prompt marks,
 * hyperlinks), then
 * inserted with as few Lisp calls as it can. */
#ifndef TEXT_H
#define TEXT_H

#include <emacs-module.h>

#include <stdbool.h>

#include "buf.h"
#include "faces.h"
#include "render.h"

enum prop_kind {
    PROP_FACE,   /* a face for ATTRS */
    PROP_WRAP,   /* vterm-line-wrap on a newline: the line wrapped there */
    PROP_PROMPT, /* vterm-prompt: the shell's prompt (OSC 51;A, 133;B) */
    /* On a prompt, from OSC 133: vterm-exit-status VALUE, the status of
     * the command before it, with the category vterm-exit-success or
     * vterm-exit-failure (whose plist, set in Lisp, shows it); and
     * vterm-prompt-lines VALUE, the lines above it the prompt began on. */
    PROP_STATUS,
    PROP_PROMPT_LINES,
    /* vterm-hyperlink: the URI of an OSC 8 link, at VALUE in uris
     * (vterm-links.el makes it a link). */
    PROP_LINK
};

struct prop {
    int start, end;            /* character offsets in the string */
    struct render_attrs attrs; /* PROP_FACE */
    int value;                 /* PROP_STATUS, PROP_PROMPT_LINES, PROP_LINK */
    enum prop_kind kind;
};

struct text {
    struct buf bytes;
    struct buf props; /* of struct prop */
    struct buf uris;  /* PROP_LINK's URIs, each NUL-terminated */
    int chars;
};

void text_free(struct text *x);
/* An allocation failed: the text is not to be inserted. */
bool text_failed(const struct text *x);
/* Append LINE of R as a terminal with options FO shows it and, when
 * NEWLINE, a newline (marked when the line wraps). */
void text_line(struct text *x, const struct face_options *fo,
               const struct render *r, const struct render_line *line,
               bool newline);
/* Insert X at point, then put its properties on the buffer text: putting
 * them on the string first would have insert copy every interval again
 * (measured: a third fewer GCs per redraw on SGR-heavy output). */
void text_insert(emacs_env *env, const struct render_color *palette,
                 struct text *x);

#endif /* TEXT_H */

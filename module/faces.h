/* faces.h -- Emacs face specs for attribute runs: built once per
 * attribute combination and kept as global references (DESIGN.md,
 * "Module"), the named colours from the vterm-color-* faces (or
 * `vterm-color-palette'), looked up again once per redraw. */
#ifndef FACES_H
#define FACES_H

#include <emacs-module.h>

#include <stdbool.h>

#include "render.h"

/* How a terminal shows attributes (the vterm-disable-* options and
 * bold-as-bright). */
struct face_options {
    bool disable_bold, disable_underline, disable_inverse;
    bool bold_highbright;
};

/* A as a terminal with options O shows it. */
void face_options_apply(const struct face_options *o, struct render_attrs *a);
/* Nothing to show: no face property needed. */
bool attrs_plain(const struct render_attrs *a);
/* The face spec for A; PALETTE: the terminal's own 16 colours, for when
 * the vterm-color-* faces are not defined. */
emacs_value face_for(emacs_env *env, const struct render_color *palette,
                     const struct render_attrs *a);
/* A redraw begins: named colours are looked up again as it uses them. */
void faces_redraw_begin(void);

#endif /* FACES_H */

/* reflow.h -- resizing libvterm where its reflow (0.3+) is safe, and
 * reading what that reflow knows: which screen row continues the line
 * of the row above it. */
#ifndef REFLOW_H
#define REFLOW_H

#include <stdbool.h>

#include <vterm.h>

#include "render_types.h"

/* Resize VT to ROWS x COLS, reflowing its lines unless libvterm 0.3.3
 * would crash doing so (see reflow_safe in reflow.c) or the alternate
 * screen has been used (ALT_USED). */
void reflow_set_size(VTerm *vt, int rows, int cols, bool alt_used);

#ifdef RENDER_HAVE_REFLOW
/* Whether screen ROW (of ROWS) continues the line of the row above. */
bool reflow_continues(VTermState *state, int rows, int row);
#endif

#endif /* REFLOW_H */

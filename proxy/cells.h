/* cells.h -- libvterm screen cells back into the terminal sequences that
 * draw them: the session server's scrollback lines and snapshot rows. */
#ifndef CELLS_H
#define CELLS_H

#include <stdbool.h>

#include <vterm.h>

#include "outbuf.h"

/* Field by field: the attributes a cell's SGR sets (not dwl/dhl, which
 * belong to the line). */
bool cells_attrs_equal(const VTermScreenCellAttrs *a,
                       const VTermScreenCellAttrs *b);

/* "\e[0;...m", then the colours' own SGRs (each sequence within the 16
 * arguments libvterm's parser holds): the pen of attributes A and
 * colours FG, BG. */
void cells_sgr(struct outbuf *out, const VTermScreenCellAttrs *a,
               const VTermColor *fg, const VTermColor *bg);

/* Append what draws the N cells at CELLS from the cursor on, on a line
 * already erased with the default pen: erased cells with colours by
 * ECH, characters with their SGR; erased default cells at the end are
 * left out.  Ends with the pen reset ("\e[0m"). */
void cells_encode(struct outbuf *out, const VTermScreenCell *cells, int n);

#endif

/* render_inspect.h -- what tests observe of the render core beyond what
 * its owner uses (render.h). */
#ifndef RENDER_INSPECT_H
#define RENDER_INSPECT_H

#include <stdbool.h>

#include "render.h"

/* True while the alternate screen is shown. */
bool render_altscreen(const struct render *r);
/* Lines ever pushed to the scrollback. */
unsigned long render_sb_pushes(const struct render *r);

#endif /* RENDER_INSPECT_H */

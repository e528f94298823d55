/* keys.h -- keys as vterm.el names them ("<up>", "<f5>", "a", ...) into
 * libvterm's key encodings. */
#ifndef KEYS_H
#define KEYS_H

#include <stddef.h>

#include "render.h"

/* Send KEY (LEN bytes: a key name, emacs-libvterm's bracketed-paste
 * markers, or UTF-8 text) with modifiers MOD to R. */
void send_key(struct render *r, const char *key, size_t len, VTermModifier mod);

#endif /* KEYS_H */

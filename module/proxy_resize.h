/* proxy_resize.h -- the control-channel client compiled into vterm-module:
 * send one resize to a conpty-proxy session (DESIGN.md, "Control
 * channel").  One implementation per OS: posix_proxy_resize.c (a
 * Unix-domain socket), win_proxy_resize.c (a named pipe). */
#ifndef PROXY_RESIZE_H
#define PROXY_RESIZE_H

#include <stdbool.h>

/* Send "resize COLS ROWS\n" to session ID in one write and close without
 * reading the answer.  Never blocks longer than BUDGET_MS (a busy or full
 * channel is retried within it).  True when the message was written,
 * false when the channel could not be reached (bad id or size, no such
 * session, budget spent). */
bool proxy_resize_send(const char *id, int cols, int rows, int budget_ms);

#endif

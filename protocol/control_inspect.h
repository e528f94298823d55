/* control_inspect.h -- what the protocol's tests use beyond what the
 * module and the proxy do (control.h): neither sends a ping. */
#ifndef CONTROL_INSPECT_H
#define CONTROL_INSPECT_H

#include <stddef.h>

#include "control.h"

/* "ping\n" into BUF; its length, or -1 when BUF is too small. */
int ctl_encode_ping(char *buf, size_t size);

#endif /* CONTROL_INSPECT_H */

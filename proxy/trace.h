/* trace.h -- the trace log, a file named by $CONPTY_PROXY_LOG (nothing
 * when unset).  Tests read it: one line per event, no buffering. */
#ifndef TRACE_H
#define TRACE_H

#include <stdio.h>

/* Open the log named by $CONPTY_PROXY_LOG, if any. */
void trace_open(void);

#if defined(__MINGW32__)
__attribute__((format(__MINGW_PRINTF_FORMAT, 1, 2)))
#elif defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
void trace(const char *fmt, ...);

void trace_close(void);

#endif

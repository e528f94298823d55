/* trace.c -- see trace.h. */
#include "trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <io.h>
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#endif

static FILE *trace_file;
static const char *trace_path;

void trace_open(void)
{
    const char *path = getenv("CONPTY_PROXY_LOG");

    if (path == NULL || path[0] == '\0' || trace_file != NULL)
        return;
#ifdef _WIN32
    /* Binary: the same "\n" line ends as on POSIX, for the tests.  Not
     * inheritable (the C runtime's files are, by default), so no process
     * started with handle inheritance keeps the log open. */
    trace_file = fopen(path, "ab");
    if (trace_file != NULL)
        SetHandleInformation((HANDLE)_get_osfhandle(_fileno(trace_file)),
                             HANDLE_FLAG_INHERIT, 0);
#else
    /* "e": close-on-exec, so the child never inherits the log. */
    trace_file = fopen(path, "ae");
#endif
    if (trace_file == NULL)
        fprintf(stderr, "conpty-proxy: cannot open trace log %s\n", path);
    trace_path = path;
}

void trace(const char *fmt, ...)
{
    va_list ap;

    if (trace_file == NULL)
        return;
    va_start(ap, fmt);
    vfprintf(trace_file, fmt, ap);
    va_end(ap);
    fputc('\n', trace_file);
    /* Tests read the log while the proxy runs.  A log that cannot be
     * written (a full disk) is given up, once, with a note: the session
     * goes on without it. */
    if (fflush(trace_file) != 0 || ferror(trace_file)) {
        fprintf(stderr,
                "conpty-proxy: trace log %s: %s; tracing stopped, the "
                "session goes on\n",
                trace_path, strerror(errno));
        fclose(trace_file);
        trace_file = NULL;
    }
}

void trace_close(void)
{
    if (trace_file != NULL)
        fclose(trace_file);
    trace_file = NULL;
}

/* win_error.c -- the one place that reports Win32 failures: the function
 * name, GetLastError() and the system's text for it.  Before the session
 * starts the report goes to stderr; once it runs, stdout and stderr may be
 * the terminal stream Emacs reads, so it goes to the trace log. */
#include "win_backend.h"

#include <stdio.h>
#include <string.h>

#include "trace.h"

static bool to_trace;

void win_report_to_trace(bool on)
{
    to_trace = on;
}

const char *win_strerror(DWORD err, char *buf, size_t size)
{
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM |
                                 FORMAT_MESSAGE_IGNORE_INSERTS |
                                 FORMAT_MESSAGE_MAX_WIDTH_MASK,
                             NULL, err, 0, buf, (DWORD)size, NULL);

    if (n == 0) {
        snprintf(buf, size, "unknown error");
        return buf;
    }
    while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\r' ||
                     buf[n - 1] == '\n' || buf[n - 1] == '.'))
        buf[--n] = '\0';
    return buf;
}

void win_fail_code(const char *fn, DWORD err)
{
    char text[256];

    win_strerror(err, text, sizeof text);
    if (to_trace)
        trace("error: %s failed: error %lu (%s)", fn, (unsigned long)err,
              text);
    else
        fprintf(stderr, "conpty-proxy: %s failed: error %lu (%s)\n", fn,
                (unsigned long)err, text);
}

void win_fail(const char *fn)
{
    win_fail_code(fn, GetLastError());
}

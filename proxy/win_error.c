/* win_error.c -- the one place that reports Win32 failures: the function
 * name, GetLastError() and the system's text for it.  Before the session
 * starts the report goes to stderr; once it runs, stdout and stderr may be
 * the terminal stream Emacs reads, so it goes to the trace log. */
#include "win_error.h"

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
    wchar_t wide[512];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
                                 FORMAT_MESSAGE_IGNORE_INSERTS |
                                 FORMAT_MESSAGE_MAX_WIDTH_MASK,
                             NULL, err, 0, wide, 512, NULL);

    while (n > 0 && (wide[n - 1] == L' ' || wide[n - 1] == L'\r' ||
                     wide[n - 1] == L'\n' || wide[n - 1] == L'.'))
        n--;
    /* UTF-8, as every byte that reaches the terminal or the log: the
     * ANSI code page's bytes would be mojibake in a UTF-8 stream.  A
     * message too long for BUF is cut at a character boundary. */
    while (n > 0) {
        int len = WideCharToMultiByte(CP_UTF8, 0, wide, (int)n, buf,
                                      (int)size - 1, NULL, NULL);
        if (len > 0) {
            buf[len] = '\0';
            return buf;
        }
        if (GetLastError() != ERROR_INSUFFICIENT_BUFFER)
            break;
        n--;
        if (n > 0 && IS_HIGH_SURROGATE(wide[n - 1]))
            n--;
    }
    snprintf(buf, size, "unknown error");
    return buf;
}

void win_fail_code(const char *fn, DWORD err)
{
    char text[256];

    win_strerror(err, text, sizeof text);
    if (to_trace)
        trace("error: %s failed: error %lu (%s)", fn, (unsigned long)err, text);
    else
        fprintf(stderr, "conpty-proxy: %s failed: error %lu (%s)\n", fn,
                (unsigned long)err, text);
}

void win_fail(const char *fn)
{
    win_fail_code(fn, GetLastError());
}

/* win_error.h -- reporting Win32 failures (win_error.c), for every piece
 * of the Windows backend, the loop's operation objects among them. */
#ifndef WIN_ERROR_H
#define WIN_ERROR_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdbool.h>
#include <stddef.h>

/* Before the session starts diagnostics go to stderr; after
 * win_report_to_trace(true) they go to the trace log. */
void win_report_to_trace(bool on);
/* "<fn> failed: error <code> (<system message>)". */
void win_fail_code(const char *fn, DWORD err);
/* The same with GetLastError(). */
void win_fail(const char *fn);
/* Text of a system error code, without the trailing newline. */
const char *win_strerror(DWORD err, char *buf, size_t size);

#endif /* WIN_ERROR_H */

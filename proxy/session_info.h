/* session_info.h -- a session server's "info" and the line "conpty-proxy
 * list" prints for it, whatever the OS. */
#ifndef SESSION_INFO_H
#define SESSION_INFO_H

#include <stdbool.h>
#include <stddef.h>

#include "control.h"

/* Fill INFO: PROGRAM is the command's first word as given (a path; its
 * last component is kept, after '/' or '\\'). */
void session_describe(struct ctl_info *info, int cols, int rows, long pid,
                      long long start, bool attached, const char *program,
                      const char *title);

/* Print session ID's list line on stdout from ANSWER (N bytes), its
 * server's answer to "info": tab-separated id, cols, rows, pid, start
 * time, attached (0/1), program, title.  A malformed answer is reported
 * on stderr instead. */
void session_list_line(const char *id, const char *answer, size_t n);

#endif

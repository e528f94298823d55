/* channel.h -- where a control channel is (DESIGN.md, "Control channel",
 * "Name"): the Windows pipe name and the POSIX socket directory and
 * path of a session id, as strings; and, on POSIX, the check that the
 * socket directory is the user's alone (posix_socket_dir.c). */
#ifndef CHANNEL_H
#define CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "control.h"

/* Windows pipe name "\\.\pipe\conpty-proxy-<id>" into BUF. */
enum ctl_status ctl_pipe_name(const char *id, char *buf, size_t size);

/* Windows: a session server's data channel (what "conpty-proxy attach"
 * opens), "\\.\pipe\conpty-proxy-<id>" CTL_DATA_SUFFIX. */
enum ctl_status ctl_data_pipe_name(const char *id, char *buf, size_t size);

/* POSIX socket directory: "$XDG_RUNTIME_DIR/conpty-proxy" when that
 * variable is set to an absolute path, else
 * "${TMPDIR:-/tmp}/conpty-proxy-<UID>".  XDG and TMPDIR are passed in
 * (NULL = unset) so the rule is testable. */
enum ctl_status ctl_socket_dir(const char *xdg_runtime_dir, const char *tmpdir,
                               unsigned long uid, char *buf, size_t size);

/* "<DIR>/<ID>.sock" into BUF; CTL_E_TOO_LONG when it would not fit in a
 * sockaddr_un (107 bytes + NUL). */
enum ctl_status ctl_socket_path(const char *dir, const char *id, char *buf,
                                size_t size);

/* A session server's data channel (what "conpty-proxy attach" connects
 * to): "<DIR>/<ID>.data", beside its control channel; CTL_E_TOO_LONG as
 * for ctl_socket_path.  The suffix is how "conpty-proxy list" tells
 * servers from "new" sessions. */
#define CTL_DATA_SUFFIX ".data"
enum ctl_status ctl_data_socket_path(const char *dir, const char *id, char *buf,
                                     size_t size);

/* POSIX only.  Check (and with CREATE, first create with mode 0700) the
 * socket directory DIR: it must be a real directory, owned by the
 * effective user, with no permission bits for group or others.  On
 * CTL_E_DIR, errno says why. */
enum ctl_status ctl_socket_dir_check(const char *dir, bool create);

#endif /* CHANNEL_H */

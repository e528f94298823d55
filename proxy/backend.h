/* backend.h -- what each OS backend of conpty-proxy provides.  main.c
 * parses the command line and calls exactly one of these; the backend
 * (posix_*.c or win_*.c, chosen at build time) owns the pseudo terminal,
 * the event loop and the control channel. */
#ifndef BACKEND_H
#define BACKEND_H

#include <stdbool.h>

/* Exit statuses of conpty-proxy besides the child's own. */
enum {
    PROXY_EXIT_FAILURE = 1, /* resize refused/unreachable, I/O error */
    PROXY_EXIT_USAGE = 2,   /* bad command line */
    PROXY_EXIT_START = 127  /* the program could not be started */
};

struct session_config {
    const char *id; /* valid control-channel id (ctl_id_check) */
    int cols, rows; /* CTL_DIM_MIN..CTL_DIM_MAX */
    char **argv;    /* program and arguments, NULL-terminated */
};

/* "conpty-proxy new": run CFG->argv in a pseudo terminal, relay stdin and
 * stdout, serve the control channel, and return the child's exit code
 * once all its output has reached stdout (PROXY_EXIT_START when it cannot
 * be started, PROXY_EXIT_FAILURE when the channel cannot be set up). */
int backend_run_session(const struct session_config *cfg);

/* "conpty-proxy resize": send one resize to session ID and wait (briefly,
 * bounded) for its answer.  Returns 0 on "ok", PROXY_EXIT_FAILURE with a
 * message on stderr otherwise. */
int backend_send_resize(const char *id, int cols, int rows);

/* "conpty-proxy kill": ask session server ID to end its session.  0 on
 * "ok", PROXY_EXIT_FAILURE with a message on stderr otherwise. */
int backend_kill(const char *id);

/* "conpty-proxy serve": start a detached session server for CFG keeping
 * SCROLLBACK lines, and return once it serves (0), or with the start's
 * failure (PROXY_EXIT_START, PROXY_EXIT_FAILURE; a message on stderr). */
int backend_serve(const struct session_config *cfg, int scrollback);

/* "conpty-proxy attach": resize session server ID to COLSxROWS, then
 * relay stdin and stdout to it as "new" does to its program, and return the
 * session's exit code once its output is written; TAKE_OVER detaches a client
 * already attached (otherwise such an attach fails).  PROXY_EXIT_FAILURE, with
 * a message on stderr, when the session cannot be reached or is lost. */
int backend_attach(const char *id, bool take_over, int cols, int rows);

/* "conpty-proxy list": one line per live session server of this user on
 * stdout (tab-separated: id, cols, rows, pid, start time, attached 0/1,
 * program, title); the channels of servers that died are removed. */
int backend_list(void);

#endif

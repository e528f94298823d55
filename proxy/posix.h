/* posix.h -- internals shared by the POSIX backend's files: the pty and
 * child (posix_pty.c), the control-channel server (posix_ctl_server.c)
 * and the poll loop that owns the session (posix_session.c). */
#ifndef POSIX_H
#define POSIX_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctl_conn.h"

/* Monotonic milliseconds. */
uint64_t posix_now_ms(void);

/* Set O_NONBLOCK on FD; -1 with errno on failure. */
int posix_set_nonblock(int fd);

/* Catch SIGCHLD, SIGHUP, SIGTERM and SIGINT (each becomes its number as
 * a byte on the returned non-blocking descriptor) and ignore SIGPIPE.
 * Prints why on stderr and returns -1 on failure. */
int posix_signals_install(void);

/* True when the peer of the Unix socket FD runs as our effective user
 * (SO_PEERCRED). */
bool posix_peer_is_us(int fd);

/* Refuse connection FD, whose peer is another user: tell it so in one
 * line ("error another user's session") and close it. */
void posix_refuse_peer(int fd);

/* --- clients (posix_client.c) --- */

/* The socket directory into DIR, checked (with CREATE, created first
 * when missing); prints why on stderr and returns -1 when it is
 * unusable. */
int posix_socket_dir(char *dir, size_t size, bool create);

/* Connect a socket of TYPE to PATH within the clients' time budget,
 * retrying while the listen backlog is full; a peer of another user is
 * refused (EPERM).  The socket, or -1 with errno set. */
int posix_connect(const char *path, int type);

/* Remove PATH when it is a socket nobody listens on (its server was
 * killed outright); TYPE is the socket type its server listened with. */
void posix_remove_stale(const char *path, int type);

/* Send the message of LEN bytes at MSG to session ID's control channel
 * and read the answer into ANSWER (SIZE bytes).  Its length, or -1 with
 * a message on stderr. */
int posix_ctl_request(const char *id, const char *msg, size_t len, char *answer,
                      size_t size);

/* --- pty + child --- */

struct pty_child {
    int master; /* non-blocking master side */
    pid_t pid;  /* child: session leader and process-group leader */
};

/* Start ARGV in a new session on a fresh COLSxROWS pty.  On failure
 * prints why on stderr and returns -1; *EXIT_CODE is the exit status the
 * proxy should end with (127 when the program cannot be started). */
int pty_spawn(char **argv, int cols, int rows, struct pty_child *child,
              int *exit_code);

/* TIOCSWINSZ on the master; returns 0 or an errno value. */
int pty_resize(int master, int cols, int rows);

/* --- the child on its pty, as the session loops run it
 * (posix_pty_life.c: the `new' loop and the session server) --- */

enum { PTY_LIFE_INPUT_MAX = 64 << 10 };

struct pty_life {
    struct pty_child child;
    bool running;  /* not reaped yet */
    bool pty_open; /* the master is open */
    bool killed;   /* SIGKILL sent after the hang-up grace period */
    int exit_code;
    uint64_t drain_deadline, kill_deadline;
    /* Input the pty did not take yet. */
    char input[PTY_LIFE_INPUT_MAX];
    size_t input_len;
};

/* Hang up the child's process group, as a terminal closing would, and
 * give it POLICY_HANGUP_MS to go before it is killed; WHY is traced. */
void pty_life_hang_up(struct pty_life *l, const char *why, uint64_t now);
/* Read the signal bytes of posix_signals_install's descriptor FD:
 * SIGCHLD reaps the child, any other hangs it up (WHY). */
void pty_life_read_signals(struct pty_life *l, int fd, const char *why,
                           uint64_t now);
/* Output came after the child ended: draining goes on. */
void pty_life_output(struct pty_life *l, uint64_t now);
/* Write pending input to the pty (POLLOUT). */
void pty_life_write_input(struct pty_life *l);
void pty_life_close_pty(struct pty_life *l);
/* NEXT, or an earlier deadline of L's (draining, unless reading is
 * PAUSED; the SIGKILL after a hang-up). */
uint64_t pty_life_next_deadline(const struct pty_life *l, bool paused,
                                uint64_t next);
/* Act on the deadlines that have come: stop draining, or SIGKILL. */
void pty_life_check_deadlines(struct pty_life *l, bool paused, uint64_t now);

/* --- control-channel server --- */

enum { POSIX_CTL_MAX_CLIENTS = 64 };

struct posix_ctl_client {
    int fd;            /* -1 when free */
    uint64_t deadline; /* drop the client when nothing comes by then */
};

struct posix_ctl_server {
    int listen_fd;
    char path[CTL_NAME_MAX];
    struct posix_ctl_client clients[POSIX_CTL_MAX_CLIENTS];
    struct ctl_handlers handlers;
};

/* Create the socket directory (0700, checked) and listen on the channel
 * for ID, served with HANDLERS.  Prints why on stderr and returns -1 on
 * failure. */
int posix_ctl_server_open(struct posix_ctl_server *srv, const char *id,
                          const struct ctl_handlers *handlers);

/* Close every socket and remove the channel's path. */
void posix_ctl_server_close(struct posix_ctl_server *srv);

/* Append the server's pollfds to FDS (at most 1 + MAX_CLIENTS); returns
 * how many were added.  posix_ctl_server_dispatch() must get the same slice. */
int posix_ctl_server_pollfds(const struct posix_ctl_server *srv,
                             struct pollfd *fds);

/* Handle what poll() reported for the slice FDS[0..N) and drop clients
 * past their deadline. */
void posix_ctl_server_dispatch(struct posix_ctl_server *srv,
                               const struct pollfd *fds, int n, uint64_t now);

/* Earliest client deadline, or UINT64_MAX when no client is connected. */
uint64_t posix_ctl_server_next_deadline(const struct posix_ctl_server *srv);

#endif

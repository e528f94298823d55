/* win_backend.h -- the pieces of conpty-proxy's Windows backend and how
 * they talk to each other (DESIGN.md, "Event loop rules").
 *
 *   win_session.c     the IOCP loop thread, session state, shutdown
 *   win_op.c          operation objects and posting to the loop's IOCP
 *   win_conpty.c      pseudo console, its pipes, the child process
 *   win_pty_life.c    the child's exit, hang-up, drain, close bounds
 *   win_ctl_server.c  the message-mode control pipe (4 instances)
 *   win_ctl_pipe.c    creating its instances (and the data pipe's):
 *                     modes, a squatted name
 *   win_pipe_listen.c an instance waiting for a client
 *   win_server.c      "conpty-proxy serve": the detached session server
 *                     and its IOCP loop
 *   win_data_server.c the server's data pipe: hellos, the attached client
 *   win_attach.c      "conpty-proxy attach": the relay Emacs runs
 *   win_list.c        the sessions' directory, "list"
 *   win_stdio.c       stdin reader thread, stdout writer thread + queue
 *   win_security.c    the DACL (current user + SYSTEM), random names
 *   win_error.c       reporting Win32 failures
 *   win_client.c      "conpty-proxy resize" and "kill": control requests
 *
 * Every overlapped operation is a struct win_op (rule 2): one OVERLAPPED,
 * an explicit idle/pending state, and a kind that says who handles its
 * completion.  All of them complete on the one IOCP with key WIN_KEY_IO;
 * the loop finds the operation from the OVERLAPPED pointer.  The threads
 * post everything else with their own keys. */
#ifndef WIN_BACKEND_H
#define WIN_BACKEND_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "ctl_conn.h"
#include "win_error.h"
#include "win_op.h"

/* The proxy's console control handler (win_session.c): Ctrl-C and
 * Ctrl-Break are ignored (the proxy is never their target); close,
 * logoff and shutdown -- how Emacs's delete-process and kill-emacs end a
 * process started with CREATE_NEW_CONSOLE (WM_CLOSE to its console) --
 * hang the session up like stdin EOF, and hold the handler thread until
 * the session has exited the process. */
BOOL WINAPI win_ctrl_handler(DWORD type);

/* ---- win_security.c -------------------------------------------------- */

/* Security attributes whose DACL grants only the current user and SYSTEM
 * (never the default DACL), not inheritable.  Lives until
 * win_security_free(). */
struct win_security {
    SECURITY_ATTRIBUTES sa;
    SECURITY_DESCRIPTOR sd;
    PACL acl;
    PSID user;
};
bool win_security_init(struct win_security *sec);
void win_security_free(struct win_security *sec);

/* NBYTES random bytes as 2*NBYTES hex digits + NUL into BUF. */
bool win_random_hex(char *buf, size_t nbytes);

/* ---- win_conpty.c ---------------------------------------------------- */

struct win_pty {
    HPCON hpc;
    HANDLE in_w;    /* ours: overlapped server end, ConPTY's input */
    HANDLE out_r;   /* ours: overlapped server end, ConPTY's output */
    HANDLE process; /* the child */
    DWORD pid;
    HANDLE job;          /* kills the child when the proxy dies; never closed */
    HANDLE close_thread; /* ClosePseudoConsole runs here (rule 9) */
    HANDLE iocp;
    /* Resizes: ResizePseudoConsole is a synchronous write into ConPTY's
     * signal pipe, which blocks while conhost is stuck writing output we
     * are not reading, so it runs on a thread of its own (rule 1).  The
     * loop leaves the newest size here (newest wins); the thread applies
     * it and posts WIN_KEY_RESIZED. */
    CRITICAL_SECTION rs_lock;  /* rs_cols, rs_rows, rs_pending */
    CRITICAL_SECTION hpc_lock; /* a resize vs ClosePseudoConsole */
    HANDLE rs_event;           /* auto-reset: a size is pending */
    HANDLE rs_thread;
    int rs_cols, rs_rows;
    bool rs_pending;
    bool hpc_closed; /* under hpc_lock */
};

/* Create the pseudo console and start CFG->argv in it.  Returns 0, or
 * PROXY_EXIT_START (the program could not be started: reported on
 * stderr naming the program) or PROXY_EXIT_FAILURE. */
int win_pty_start(struct win_pty *pty, const struct session_config *cfg,
                  struct win_security *sec);
/* ctl_resize_fn: leaves the size for the resize thread and returns
 * CTL_RESIZE_QUEUED (an error HRESULT when there is no pseudo console,
 * or no thread could be started). */
uint32_t win_pty_resize(void *pty, int cols, int rows);
/* Start ClosePseudoConsole on its own thread; it posts WIN_KEY_PTY_CLOSED
 * to IOCP when it returns. */
bool win_pty_close_async(struct win_pty *pty, HANDLE iocp);
/* Close the handles left (the pipes must have no pending I/O). */
void win_pty_free(struct win_pty *pty);

/* ---- win_pty_life.c -------------------------------------------------- */

/* The child on its pseudo console, as both loops have it ("new"'s,
 * win_session.c, and the session server's, win_server.c): its exit (a
 * registered wait posts WIN_KEY_CHILD_EXIT), the hang-up
 * (ClosePseudoConsole on its thread, the child terminated if still there
 * POLICY_HANGUP_MS later), ConPTY read to its end after the exit
 * (bounded by POLICY_DRAIN_MS of silence, never while the output is
 * held back), and ClosePseudoConsole's own bound. */
struct win_pty_life {
    struct win_pty pty;
    HANDLE iocp;
    HANDLE child_wait;
    bool pty_eof;
    bool pty_closing; /* ClosePseudoConsole started */
    bool pty_closed;  /* ClosePseudoConsole returned */
    bool child_exited;
    DWORD exit_code;
    uint64_t drain_deadline;  /* child exited, pty not at EOF */
    uint64_t close_deadline;  /* ClosePseudoConsole running */
    uint64_t hangup_deadline; /* ending the child after a hang-up */
};

/* After win_pty_start: the pipes on IOCP, the wait on the child.  False
 * (reported) on failure: the caller ends the child. */
bool win_pty_life_start(struct win_pty_life *l, HANDLE iocp);
/* No more exit packets (before the loop's end). */
void win_pty_life_stop(struct win_pty_life *l);
/* Output came: the drain's bound starts again. */
void win_pty_life_output(struct win_pty_life *l);
/* A ConPTY read failed with ERR: its output is over. */
void win_pty_life_read_failed(struct win_pty_life *l, DWORD err);
/* End the child (WHY for the trace log), bounded. */
void win_pty_life_hang_up(struct win_pty_life *l, const char *why);
/* A packet with KEY: true when it was the life's (WIN_KEY_CHILD_EXIT,
 * WIN_KEY_PTY_CLOSED, WIN_KEY_RESIZED), handled. */
bool win_pty_life_dispatch(struct win_pty_life *l, ULONG_PTR key,
                           OVERLAPPED *ov, DWORD bytes);
/* Act on the deadlines that passed at NOW; true once the session is
 * over: the child exited, its output read (when WANT_OUTPUT; never given
 * up while HELD), the pseudo console closed or past its bound. */
bool win_pty_life_over(struct win_pty_life *l, bool want_output, bool held,
                       uint64_t now);
/* The earliest of those deadlines, 0 when none (rule 10). */
uint64_t win_pty_life_deadline(const struct win_pty_life *l, bool held);
/* Cancel READ and WRITE, pending on the pipes (rule 6). */
void win_pty_life_cancel(struct win_pty_life *l, struct win_op *read,
                         struct win_op *write);

/* ---- win_ctl_pipe.c -------------------------------------------------- */

enum { WIN_CTL_INSTANCES = 4 }; /* control pipe instances pending at once */

/* One instance of the control pipe NAME (one of WIN_CTL_INSTANCES);
 * INVALID_HANDLE_VALUE with GetLastError() on failure. */
HANDLE win_ctl_pipe_create(const char *name, bool first,
                           SECURITY_ATTRIBUTES *sa);
/* True when ERR, from creating the first instance, means the name exists
 * already (another session, or a squatter): the proxy says so and exits
 * instead of reporting a failed call. */
bool win_ctl_name_taken(DWORD err);

enum { WIN_DATA_INSTANCES = 4 }; /* data pipe instances */

/* One instance of session server's data pipe NAME: bytes, local clients
 * only, the FIRST with FILE_FLAG_FIRST_PIPE_INSTANCE. */
HANDLE win_data_pipe_create(const char *name, bool first,
                            SECURITY_ATTRIBUTES *sa);

/* ---- win_pipe_listen.c ----------------------------------------------- */

enum win_listen {
    WIN_LISTEN_PENDING,   /* CONNECT is armed: its completion will come */
    WIN_LISTEN_CONNECTED, /* a client is there already; no packet comes */
    WIN_LISTEN_FAILED     /* reported: the instance is out of service */
};

/* Arm CONNECT (ConnectNamedPipe) on PIPE, an instance of the pipe WHAT
 * ("control", "data"), disconnecting clients that came and went first. */
enum win_listen win_pipe_listen(HANDLE pipe, struct win_op *connect,
                                const char *what);

/* ---- win_ctl_server.c ------------------------------------------------ */

struct win_ctl_server;

/* Create the WIN_CTL_INSTANCES instances of \\.\pipe\conpty-proxy-<ID>
 * on IOCP and start listening; messages go to HANDLERS (copied; kill
 * and info NULL but in a session server).  NULL (reported) on failure,
 * including a name that exists already (someone squats it). */
struct win_ctl_server *win_ctl_start(const char *id, HANDLE iocp,
                                     struct win_security *sec,
                                     const struct ctl_handlers *handlers);
/* A completion of one of the server's operations. */
void win_ctl_complete(struct win_ctl_server *srv, struct win_op *op, DWORD err,
                      DWORD bytes);
/* Milliseconds until the earliest client deadline (INFINITE: none). */
DWORD win_ctl_timeout(const struct win_ctl_server *srv, uint64_t now);
/* Drop every client whose deadline has passed. */
void win_ctl_expire(struct win_ctl_server *srv, uint64_t now);
/* Stop: cancel every pending operation (rule 6). */
void win_ctl_stop(struct win_ctl_server *srv);
/* True when no operation of the server is pending. */
bool win_ctl_idle(const struct win_ctl_server *srv);
/* Free; only when win_ctl_idle(). */
void win_ctl_free(struct win_ctl_server *srv);

/* ---- win_data_server.c ----------------------------------------------- */

struct queue;
struct win_data_server;

/* What the data channel tells the session server (on the loop). */
struct win_data_events {
    /* A client attaches at COLSxROWS: take the size, queue the snapshot
     * on OUT (after the answer); false when out of memory. */
    bool (*attached)(void *ctx, struct queue *out, int cols, int rows);
    /* The attached client's keys: LEN bytes at DATA, held until
     * win_data_input_done(). */
    void (*input)(void *ctx, const char *data, size_t len);
    /* Its queue is below the low-water mark (rule 5). */
    void (*drained)(void *ctx);
    /* It is gone (closed, failed, taken over): no queue any more. */
    void (*detached)(void *ctx);
    void *ctx;
};

/* Create the WIN_DATA_INSTANCES instances of the data pipe of ID on IOCP
 * and listen.  NULL (reported) on failure, including a squatted name. */
struct win_data_server *win_data_start(const char *id, HANDLE iocp,
                                       struct win_security *sec,
                                       const struct win_data_events *ev);
void win_data_complete(struct win_data_server *srv, struct win_op *op,
                       DWORD err, DWORD bytes);
/* The attached client's queue (frames go there), or NULL. */
struct queue *win_data_queue(const struct win_data_server *srv);
/* Write what was queued for the attached client. */
void win_data_flush(struct win_data_server *srv);
/* The keys of the input event are consumed: read more. */
void win_data_input_done(struct win_data_server *srv);
/* The session ended (its exit frame is queued): no more clients; the
 * attached one gets its queue, however long it takes to read it. */
void win_data_finish(struct win_data_server *srv);
/* After win_data_finish(): every client has its queue, or is gone. */
bool win_data_finished(const struct win_data_server *srv);
DWORD win_data_timeout(const struct win_data_server *srv, uint64_t now);
void win_data_expire(struct win_data_server *srv, uint64_t now);
void win_data_stop(struct win_data_server *srv);
bool win_data_idle(const struct win_data_server *srv);
void win_data_free(struct win_data_server *srv);

/* ---- win_client.c ---------------------------------------------------- */

enum { WIN_CLIENT_BUDGET_MS = 2000 };

/* One overlapped read or write on H, waited for until DEADLINE (a
 * win_now_ms() time).  0 or the error (ERROR_TIMEOUT: out of time). */
DWORD win_timed_io(HANDLE h, bool write, void *buf, DWORD len, DWORD *done,
                   uint64_t deadline);
/* Open pipe NAME (overlapped, identification only), waiting for a free
 * instance until DEADLINE; INVALID_HANDLE_VALUE with the error in *ERR. */
HANDLE win_open_pipe(const char *name, uint64_t deadline, DWORD *err);
/* Send MSG (LEN bytes) to session ID's control pipe and read the answer
 * into ANSWER (SIZE bytes): its length, or -1, reported on stderr (with
 * QUIET, not when there is no such pipe). */
int win_ctl_request(const char *id, const char *msg, size_t len, char *answer,
                    size_t size, bool quiet);

/* ---- win_list.c ------------------------------------------------------ */

/* The directory of this user's session servers,
 * %LOCALAPPDATA%\conpty-proxy\sessions, into BUF (with CREATE, made with
 * SEC's DACL when missing).  False, reported, when there is none. */
bool win_session_dir(char *buf, size_t size, bool create,
                     struct win_security *sec);
/* The server's entry <dir>\<ID>: a file that goes away with its last
 * handle (the server's, whatever ends it).  INVALID_HANDLE_VALUE,
 * reported, on failure. */
HANDLE win_session_register(const char *id, struct win_security *sec);

/* ---- win_stdio.c ----------------------------------------------------- */

/* stdin: a thread reads the anonymous pipe (synchronous, it cannot do
 * overlapped I/O: rule 4) into one buffer, posts WIN_KEY_STDIN_DATA, and
 * reads again only after win_stdin_release(). */
struct win_stdin;
struct win_stdin *win_stdin_start(HANDLE in, HANDLE iocp);
const char *win_stdin_data(const struct win_stdin *in);
void win_stdin_release(struct win_stdin *in);

/* stdout: a thread writes the bounded queue to the anonymous pipe. */
struct win_stdout;
struct win_stdout *win_stdout_start(HANDLE out, HANDLE iocp);
/* Queue LEN bytes for stdout.  Returns true when the queue has reached
 * its high-water mark: the caller must stop reading the pty until
 * WIN_KEY_OUT_RESUME arrives.  False with *OOM set when memory ran out. */
bool win_stdout_push(struct win_stdout *out, const void *data, size_t len,
                     bool *oom);
size_t win_stdout_queued(struct win_stdout *out);
/* No more data: the writer flushes the queue, posts WIN_KEY_OUT_DONE and
 * ends. */
void win_stdout_finish(struct win_stdout *out);

#endif

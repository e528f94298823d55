/* win_op.h -- what the Windows backend's threads and operations hand the
 * loop: operation objects (DESIGN.md rule 2), the completion keys of the
 * session's IOCP, and posting a packet to it.  Apart from the loop
 * (win_session.c) so that the pieces that arm operations and post
 * packets (win_conpty.c, win_ctl_server.c, win_stdio.c) need only this. */
#ifndef WIN_OP_H
#define WIN_OP_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdbool.h>
#include <stdint.h>

enum win_op_kind {
    WIN_OP_PTY_READ,     /* ConPTY output -> queue */
    WIN_OP_PTY_WRITE,    /* stdin bytes -> ConPTY input */
    WIN_OP_CTL_CONNECT,  /* ConnectNamedPipe on a control instance */
    WIN_OP_CTL_READ,     /* one control message */
    WIN_OP_CTL_WRITE,    /* one answer */
    WIN_OP_DATA_CONNECT, /* ConnectNamedPipe on a data pipe instance */
    WIN_OP_DATA_READ,    /* a hello, keys; in "attach": frames */
    WIN_OP_DATA_WRITE    /* frames; in "attach": keys */
};

enum win_op_state { WIN_OP_IDLE, WIN_OP_PENDING };

struct win_op {
    OVERLAPPED ov; /* first member: the completion gives us &ov */
    enum win_op_kind kind;
    enum win_op_state state;
    void *owner;
};

void win_op_init(struct win_op *op, enum win_op_kind kind, void *owner);
/* Mark OP pending before the call that arms it; asserts it was idle. */
OVERLAPPED *win_op_arm(struct win_op *op);
/* Back to idle: after its completion was dequeued, or when the arming
 * call failed at once (no packet will come, rule 3). */
void win_op_done(struct win_op *op);
/* The operation whose OVERLAPPED a completion gave back. */
struct win_op *win_op_from_ov(OVERLAPPED *ov);
static inline bool win_op_pending(const struct win_op *op)
{
    return op->state == WIN_OP_PENDING;
}

/* Completion keys of the session's IOCP. */
enum win_key {
    WIN_KEY_IO = 1,     /* an overlapped operation: see the OVERLAPPED */
    WIN_KEY_STDIN_DATA, /* stdin reader: bytes ready (count = length) */
    WIN_KEY_STDIN_EOF,  /* stdin reader: end of input (count = error) */
    WIN_KEY_CHILD_EXIT, /* the wait on the child process fired */
    WIN_KEY_PTY_CLOSED, /* ClosePseudoConsole returned on its thread */
    WIN_KEY_OUT_RESUME, /* stdout writer: queue below low water */
    WIN_KEY_OUT_DONE,   /* stdout writer: queue flushed after finish */
    WIN_KEY_OUT_BROKEN, /* stdout writer: WriteFile failed (count = error) */
    WIN_KEY_HANGUP,     /* console handler: close/logoff/shutdown (count =
                           the event) */
    WIN_KEY_RESIZED     /* resize thread: a size applied (count = HRESULT,
                           OVERLAPPED pointer = cols << 16 | rows) */
};

/* Post a packet with KEY and COUNT; reports a failure. */
bool win_post(HANDLE iocp, enum win_key key, DWORD count);

/* Milliseconds since boot, for deadlines. */
static inline uint64_t win_now_ms(void)
{
    return GetTickCount64();
}

#endif /* WIN_OP_H */

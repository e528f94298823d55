/* win_ctl_server.c -- the control channel on Windows: a message-mode
 * named pipe \\.\pipe\conpty-proxy-<id> with WIN_CTL_INSTANCES
 * instances listening at once, every operation overlapped on the loop's
 * IOCP (DESIGN.md, "Control channel").
 *
 * Each instance is a small state machine:
 *   LISTENING --connect--> CONNECTED --read--> answer --write--> read ...
 *   any error / client gone / deadline --> RECYCLING (cancel, wait for
 *   every pending completion, DisconnectNamedPipe) --> LISTENING
 * An instance has at most one read or one write pending, never both: the
 * next message is read only after the answer to the previous one was
 * written, so a client that does not read its answers stalls only itself
 * and is dropped by its deadline. */
#include "win_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "trace.h"

enum inst_state {
    INST_LISTENING, /* ConnectNamedPipe pending */
    INST_CONNECTED, /* a client; a read or a write pending */
    INST_RECYCLING, /* cancelling; disconnect once nothing is pending */
    INST_DEAD       /* unusable after an unexpected error */
};

struct ctl_inst {
    struct win_ctl_server *srv;
    HANDLE pipe;
    int index;
    enum inst_state state;
    struct win_op connect, read, write;
    uint64_t deadline;     /* CONNECTED: drop the client at this time */
    size_t total;          /* bytes of the message being read */
    char buf[CTL_MSG_MAX]; /* its first bytes */
    char drain[256];       /* the rest of an oversize message, discarded */
    struct ctl_answer answer;
};

struct win_ctl_server {
    HANDLE iocp;
    char name[CTL_NAME_MAX];
    struct ctl_handlers handlers;
    bool stopping;
    struct ctl_inst inst[WIN_CTL_INSTANCES];
};

static void listen_inst(struct ctl_inst *in);
static void recycle(struct ctl_inst *in);

static bool any_pending(const struct ctl_inst *in)
{
    return win_op_pending(&in->connect) || win_op_pending(&in->read) ||
           win_op_pending(&in->write);
}

/* Errors that only mean the client went away. */
static bool client_gone_error(DWORD err)
{
    return err == ERROR_BROKEN_PIPE || err == ERROR_NO_DATA ||
           err == ERROR_PIPE_NOT_CONNECTED || err == ERROR_OPERATION_ABORTED;
}

static void client_gone(struct ctl_inst *in, const char *what, DWORD err)
{
    if (!client_gone_error(err)) {
        char text[256];
        trace("control: client %s: error %lu (%s)", what, (unsigned long)err,
              win_strerror(err, text, sizeof text));
    }
    recycle(in);
}

static void start_read(struct ctl_inst *in, char *buf, size_t size)
{
    DWORD err;

    if (ReadFile(in->pipe, buf, (DWORD)size, NULL, win_op_arm(&in->read)))
        return; /* completed: the packet is queued all the same */
    err = GetLastError();
    /* ERROR_MORE_DATA is a warning status: the read completed (with part
     * of an oversize message) and its packet is queued like a success. */
    if (err == ERROR_IO_PENDING || err == ERROR_MORE_DATA)
        return;
    /* Rule 3: failed at once, no packet will come: handle it here (a
     * client that wrote and closed gives ERROR_BROKEN_PIPE). */
    win_op_done(&in->read);
    client_gone(in, "read", err);
}

static void start_message(struct ctl_inst *in)
{
    in->total = 0;
    start_read(in, in->buf, sizeof in->buf);
}

static void connected(struct ctl_inst *in)
{
    in->state = INST_CONNECTED;
    in->deadline = ctl_conn_deadline(win_now_ms());
    /* Rule 3: a connection is not data: issue the read now. */
    start_message(in);
}

static void send_answer(struct ctl_inst *in)
{
    DWORD err;

    /* Overlapped: writing an answer never blocks the loop, whether or not
     * the client reads it. */
    if (WriteFile(in->pipe, in->answer.text, (DWORD)in->answer.len, NULL,
                  win_op_arm(&in->write)))
        return;
    err = GetLastError();
    if (err == ERROR_IO_PENDING)
        return;
    /* Rule 3: no packet; ERROR_NO_DATA is a client that closed without
     * reading its answer, which is normal. */
    win_op_done(&in->write);
    client_gone(in, "write", err);
}

static void message_done(struct ctl_inst *in)
{
    struct win_ctl_server *srv = in->srv;

    ctl_conn_handle(in->buf, in->total, &srv->handlers, &in->answer);
    /* A complete message: the client gets another CTL_IDLE_TIMEOUT_MS. */
    in->deadline = ctl_conn_deadline(win_now_ms());
    send_answer(in);
}

static void finish_recycle(struct ctl_inst *in)
{
    /* Rule 6: only now, with nothing pending, is the instance reused. */
    if (!DisconnectNamedPipe(in->pipe) &&
        GetLastError() != ERROR_PIPE_NOT_CONNECTED)
        win_fail("DisconnectNamedPipe (control)");
    if (in->srv->stopping) {
        in->state = INST_DEAD;
        return;
    }
    listen_inst(in);
}

static void cancel_op(struct ctl_inst *in, struct win_op *op)
{
    /* ERROR_NOT_FOUND: it completed already and its packet is queued. */
    if (win_op_pending(op) && !CancelIoEx(in->pipe, &op->ov) &&
        GetLastError() != ERROR_NOT_FOUND)
        win_fail("CancelIoEx (control)");
}

static void recycle(struct ctl_inst *in)
{
    in->state = INST_RECYCLING;
    in->deadline = 0;
    /* Rule 6: cancel, then wait for each completion before reuse. */
    cancel_op(in, &in->connect);
    cancel_op(in, &in->read);
    cancel_op(in, &in->write);
    if (!any_pending(in))
        finish_recycle(in);
}

static void listen_inst(struct ctl_inst *in)
{
    in->state = INST_LISTENING;
    in->deadline = 0;
    switch (win_pipe_listen(in->pipe, &in->connect, "control")) {
    case WIN_LISTEN_PENDING: break;
    case WIN_LISTEN_CONNECTED: connected(in); break;
    case WIN_LISTEN_FAILED:
        trace("control: instance %d out of service", in->index);
        in->state = INST_DEAD;
        break;
    }
}

static void read_done(struct ctl_inst *in, DWORD err, DWORD bytes)
{
    if (err == ERROR_MORE_DATA) {
        /* Oversize (longer than CTL_MSG_MAX): drain it, then answer with
         * an error.  The first bytes stay in buf. */
        in->total += bytes;
        start_read(in, in->drain, sizeof in->drain);
        return;
    }
    if (err != 0) {
        client_gone(in, "read", err);
        return;
    }
    in->total += bytes;
    message_done(in);
}

void win_ctl_complete(struct win_ctl_server *srv, struct win_op *op, DWORD err,
                      DWORD bytes)
{
    struct ctl_inst *in = op->owner;

    /* Rule 2: the OVERLAPPED named this operation; it is idle again only
     * now that its completion has been dequeued. */
    win_op_done(op);
    if (srv->stopping || in->state == INST_RECYCLING) {
        if (!any_pending(in)) {
            if (srv->stopping)
                in->state = INST_DEAD;
            else
                finish_recycle(in);
        }
        return;
    }
    switch (op->kind) {
    case WIN_OP_CTL_CONNECT:
        if (err == 0)
            connected(in);
        else if (err == ERROR_NO_DATA)
            recycle(in); /* came and went: disconnect, listen again */
        else {
            win_fail_code("ConnectNamedPipe (control)", err);
            trace("control: instance %d out of service", in->index);
            in->state = INST_DEAD;
        }
        break;
    case WIN_OP_CTL_READ: read_done(in, err, bytes); break;
    case WIN_OP_CTL_WRITE:
        if (err != 0)
            client_gone(in, "write", err);
        else
            start_message(in);
        break;
    default: break;
    }
}

struct win_ctl_server *win_ctl_start(const char *id, HANDLE iocp,
                                     struct win_security *sec,
                                     const struct ctl_handlers *handlers)
{
    struct win_ctl_server *srv = calloc(1, sizeof *srv);
    enum ctl_status st;

    if (srv == NULL) {
        win_fail_code("calloc", ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    st = ctl_pipe_name(id, srv->name, sizeof srv->name);
    if (st != CTL_OK) {
        fprintf(stderr, "conpty-proxy: control pipe name: %s\n",
                ctl_strerror(st));
        free(srv);
        return NULL;
    }
    srv->iocp = iocp;
    srv->handlers = *handlers;
    for (int i = 0; i < WIN_CTL_INSTANCES; i++) {
        struct ctl_inst *in = &srv->inst[i];

        in->srv = srv;
        in->index = i;
        in->state = INST_DEAD;
        win_op_init(&in->connect, WIN_OP_CTL_CONNECT, in);
        win_op_init(&in->read, WIN_OP_CTL_READ, in);
        win_op_init(&in->write, WIN_OP_CTL_WRITE, in);
        in->pipe = win_ctl_pipe_create(srv->name, i == 0, &sec->sa);
        if (in->pipe == INVALID_HANDLE_VALUE) {
            DWORD err = GetLastError();
            if (i == 0 && win_ctl_name_taken(err))
                fprintf(stderr,
                        "conpty-proxy: control pipe %s exists already "
                        "(another session, or someone squatting it)\n",
                        srv->name);
            else
                win_fail_code("CreateNamedPipe (control)", err);
            goto fail;
        }
        if (CreateIoCompletionPort(in->pipe, iocp, WIN_KEY_IO, 0) == NULL) {
            win_fail("CreateIoCompletionPort (control)");
            goto fail;
        }
    }
    for (int i = 0; i < WIN_CTL_INSTANCES; i++)
        listen_inst(&srv->inst[i]);
    return srv;
fail:
    /* Nothing was armed yet: closing is safe. */
    for (int i = 0; i < WIN_CTL_INSTANCES; i++)
        if (srv->inst[i].pipe != NULL &&
            srv->inst[i].pipe != INVALID_HANDLE_VALUE)
            CloseHandle(srv->inst[i].pipe);
    free(srv);
    return NULL;
}

DWORD win_ctl_timeout(const struct win_ctl_server *srv, uint64_t now)
{
    uint64_t first = 0;

    for (int i = 0; i < WIN_CTL_INSTANCES; i++) {
        const struct ctl_inst *in = &srv->inst[i];
        if (in->state == INST_CONNECTED && (first == 0 || in->deadline < first))
            first = in->deadline;
    }
    if (first == 0)
        return INFINITE; /* rule 10: no client, no timer */
    return first <= now ? 0 : (DWORD)(first - now);
}

void win_ctl_expire(struct win_ctl_server *srv, uint64_t now)
{
    for (int i = 0; i < WIN_CTL_INSTANCES; i++) {
        struct ctl_inst *in = &srv->inst[i];
        if (in->state == INST_CONNECTED && in->deadline <= now) {
            trace("control: silent client dropped after %d ms",
                  CTL_IDLE_TIMEOUT_MS);
            recycle(in);
        }
    }
}

void win_ctl_stop(struct win_ctl_server *srv)
{
    srv->stopping = true;
    for (int i = 0; i < WIN_CTL_INSTANCES; i++) {
        struct ctl_inst *in = &srv->inst[i];
        /* Rule 6: cancel everything; completions are awaited by the
         * loop (win_ctl_idle) before win_ctl_free. */
        cancel_op(in, &in->connect);
        cancel_op(in, &in->read);
        cancel_op(in, &in->write);
        if (!any_pending(in))
            in->state = INST_DEAD;
    }
}

bool win_ctl_idle(const struct win_ctl_server *srv)
{
    for (int i = 0; i < WIN_CTL_INSTANCES; i++)
        if (any_pending(&srv->inst[i]))
            return false;
    return true;
}

void win_ctl_free(struct win_ctl_server *srv)
{
    if (srv == NULL)
        return;
    for (int i = 0; i < WIN_CTL_INSTANCES; i++)
        CloseHandle(srv->inst[i].pipe);
    free(srv);
}

/* win_data_server.c -- a session server's data channel on Windows: a
 * byte-mode named pipe \\.\pipe\conpty-proxy-<id>.data with
 * WIN_DATA_INSTANCES instances, every operation overlapped on the
 * server's IOCP.  One client at a time is attached: it gets the answer
 * to its hello, the snapshot and the live frames from its queue, and its
 * keys go to the server.  A second one is answered "error attached
 * elsewhere" unless it takes over (attach_frame.h).
 *
 * Each instance is a state machine:
 *   LISTENING --connect--> HELLO (1-byte reads up to the newline)
 *   HELLO --refused--> CLOSING;  HELLO --accepted--> ATTACHED
 *   ATTACHED: a read (keys) and a write (the queue) pending at once
 *   ATTACHED --taken over, session ended--> CLOSING
 *   CLOSING: write what is queued, then wait (bounded) for the client to
 *   close: DisconnectNamedPipe would discard what it has not read
 *   any error / client gone / deadline --> RECYCLING (cancel, wait for
 *   every pending completion, disconnect) --> LISTENING */
#include "win_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach_frame.h"
#include "attach_serve.h"
#include "channel.h"
#include "queue.h"
#include "trace.h"

enum { HELLO_MAX = 64, INPUT_BUFFER = 64 << 10 };

enum dinst_state {
    D_LISTENING, /* ConnectNamedPipe pending */
    D_HELLO,     /* reading the hello */
    D_ATTACHED,  /* the client */
    D_CLOSING,   /* flushing its queue, then waiting for it to close */
    D_RECYCLING, /* cancelling; disconnect once nothing is pending */
    D_DEAD       /* stopped, or unusable after an unexpected error */
};

struct dinst {
    struct win_data_server *srv;
    HANDLE pipe;
    int index;
    enum dinst_state state;
    struct win_op connect, read, write;
    uint64_t deadline; /* HELLO, CLOSING (once flushed): give up then */
    char hello[HELLO_MAX];
    size_t hello_len;
    char input[INPUT_BUFFER]; /* ATTACHED: keys; CLOSING: discarded */
    bool input_held;          /* its keys wait for the server: no read */
    struct queue *out;        /* what is written to the client */
};

struct win_data_server {
    HANDLE iocp;
    struct win_data_events ev;
    bool stopping, finishing;
    bool input_busy;        /* the server has not consumed the last keys */
    struct dinst *attached; /* the D_ATTACHED instance, or NULL */
    struct dinst inst[WIN_DATA_INSTANCES];
};

static void listen_inst(struct dinst *in);
static void recycle(struct dinst *in, const char *why);
static void arm_read(struct dinst *in);

static bool any_pending(const struct dinst *in)
{
    return win_op_pending(&in->connect) || win_op_pending(&in->read) ||
           win_op_pending(&in->write);
}

static bool client_gone_error(DWORD err)
{
    return err == ERROR_BROKEN_PIPE || err == ERROR_NO_DATA ||
           err == ERROR_PIPE_NOT_CONNECTED || err == ERROR_OPERATION_ABORTED;
}

static void failed(struct dinst *in, const char *what, DWORD err)
{
    char why[300], text[256];

    if (client_gone_error(err))
        snprintf(why, sizeof why, "client closed");
    else
        snprintf(why, sizeof why, "%s: error %lu (%s)", what,
                 (unsigned long)err, win_strerror(err, text, sizeof text));
    recycle(in, why);
}

static void arm_write(struct dinst *in)
{
    const void *data;
    size_t len;
    DWORD err;

    if (win_op_pending(&in->write) || in->out == NULL ||
        (len = queue_front(in->out, &data)) == 0)
        return;
    if (WriteFile(in->pipe, data, (DWORD)len, NULL, win_op_arm(&in->write)))
        return; /* completed: its packet is queued all the same */
    err = GetLastError();
    if (err == ERROR_IO_PENDING)
        return;
    /* Rule 3: failed at once, no packet will come. */
    win_op_done(&in->write);
    failed(in, "write", err);
}

/* CLOSING with its queue written: wait for the client to close. */
static void closing_flushed(struct dinst *in)
{
    if (in->deadline == 0)
        in->deadline = win_now_ms() + CTL_IDLE_TIMEOUT_MS;
    arm_read(in);
}

static void arm_read(struct dinst *in)
{
    char *buf;
    DWORD size, err;

    if (win_op_pending(&in->read))
        return;
    switch (in->state) {
    case D_HELLO:
        /* One byte at a time: keys may follow the newline. */
        buf = in->hello + in->hello_len;
        size = 1;
        break;
    case D_ATTACHED:
        if (in->input_held)
            return;
        buf = in->input;
        size = sizeof in->input;
        break;
    case D_CLOSING:
        buf = in->input;
        size = sizeof in->input;
        break;
    default: return;
    }
    if (ReadFile(in->pipe, buf, size, NULL, win_op_arm(&in->read)))
        return;
    err = GetLastError();
    if (err == ERROR_IO_PENDING)
        return;
    /* Rule 3: a client that wrote and closed gives ERROR_BROKEN_PIPE. */
    win_op_done(&in->read);
    failed(in, "read", err);
}

static void connected(struct dinst *in)
{
    in->state = D_HELLO;
    in->hello_len = 0;
    in->deadline = win_now_ms() + CTL_IDLE_TIMEOUT_MS;
    /* Rule 3: a connection is not data: issue the read now. */
    arm_read(in);
}

/* Answer IN with TEXT (or just the queue it has), then let it go. */
static void close_client(struct dinst *in, const char *text)
{
    if (in->out == NULL && (in->out = queue_new()) == NULL) {
        recycle(in, "out of memory");
        return;
    }
    if (text != NULL && !queue_push(in->out, text, strlen(text))) {
        recycle(in, "out of memory");
        return;
    }
    if (in == in->srv->attached)
        in->srv->attached = NULL;
    in->state = D_CLOSING;
    in->deadline = 0;
    if (queue_size(in->out) == 0)
        closing_flushed(in);
    else
        arm_write(in);
}

static void hello_done(struct dinst *in)
{
    struct win_data_server *srv = in->srv;
    struct dinst *old = srv->attached;
    bool take_over;
    int cols, rows;

    if (!attach_hello_parse(in->hello, in->hello_len, &take_over, &cols,
                            &rows)) {
        trace("attach: bad hello (%zu bytes): dropped", in->hello_len);
        recycle(in, NULL);
        return;
    }
    if (srv->finishing) {
        close_client(in, "error session ended\n");
        return;
    }
    if (old != NULL && !take_over) {
        trace("attach: refused, a client is attached");
        close_client(in, ATTACH_ANSWER_BUSY);
        return;
    }
    if (old != NULL) {
        trace("detach: taken over");
        if (!attach_push_frame(old->out, FRAME_TAKEN, "", 0))
            recycle(old, "out of memory");
        else
            close_client(old, NULL);
        srv->ev.detached(srv->ev.ctx);
    }
    in->out = queue_new();
    if (in->out == NULL ||
        !queue_push(in->out, ATTACH_ANSWER_OK, strlen(ATTACH_ANSWER_OK)) ||
        !srv->ev.attached(srv->ev.ctx, in->out, cols, rows)) {
        trace("attach: failed (out of memory)");
        recycle(in, NULL);
        return;
    }
    in->state = D_ATTACHED;
    in->deadline = 0;
    /* A client taken over may have left keys the server is writing: the
     * new one's are read once those are consumed. */
    in->input_held = srv->input_busy;
    srv->attached = in;
    arm_write(in);
    arm_read(in);
}

static void read_done(struct dinst *in, DWORD err, DWORD bytes)
{
    struct win_data_server *srv = in->srv;

    if (err != 0 || bytes == 0) {
        failed(in, "read", err != 0 ? err : ERROR_BROKEN_PIPE);
        return;
    }
    switch (in->state) {
    case D_HELLO:
        in->hello_len++;
        if (in->hello[in->hello_len - 1] == '\n' || in->hello_len == HELLO_MAX)
            hello_done(in);
        else
            arm_read(in);
        break;
    case D_ATTACHED:
        in->input_held = srv->input_busy = true;
        srv->ev.input(srv->ev.ctx, in->input, bytes);
        break;
    case D_CLOSING: arm_read(in); break; /* discarded */
    default: break;
    }
}

static void write_done(struct dinst *in, DWORD err, DWORD bytes)
{
    struct win_data_server *srv = in->srv;

    if (err != 0) {
        failed(in, "write", err);
        return;
    }
    queue_pop(in->out, bytes);
    if (in->state == D_ATTACHED && queue_drained(in->out))
        srv->ev.drained(srv->ev.ctx);
    if (queue_size(in->out) > 0)
        arm_write(in);
    else if (in->state == D_CLOSING)
        closing_flushed(in);
}

static void finish_recycle(struct dinst *in)
{
    /* Rule 6: only now, with nothing pending, is the instance reused. */
    /* ERROR_PIPE_LISTENING: an instance that had no client. */
    if (!DisconnectNamedPipe(in->pipe) &&
        GetLastError() != ERROR_PIPE_NOT_CONNECTED &&
        GetLastError() != ERROR_PIPE_LISTENING)
        win_fail("DisconnectNamedPipe (data)");
    queue_free(in->out);
    in->out = NULL;
    if (in->srv->stopping || in->srv->finishing) {
        in->state = D_DEAD;
        return;
    }
    listen_inst(in);
}

static void cancel_op(struct dinst *in, struct win_op *op)
{
    /* ERROR_NOT_FOUND: it completed already and its packet is queued. */
    if (win_op_pending(op) && !CancelIoEx(in->pipe, &op->ov) &&
        GetLastError() != ERROR_NOT_FOUND)
        win_fail("CancelIoEx (data)");
}

static void recycle(struct dinst *in, const char *why)
{
    struct win_data_server *srv = in->srv;

    if (in->state == D_RECYCLING || in->state == D_DEAD)
        return;
    if (in == srv->attached) {
        srv->attached = NULL;
        trace("detach: %s", why != NULL ? why : "dropped");
        srv->ev.detached(srv->ev.ctx);
    }
    in->state = D_RECYCLING;
    in->deadline = 0;
    in->input_held = false;
    /* Rule 6: cancel, then wait for each completion before reuse. */
    cancel_op(in, &in->connect);
    cancel_op(in, &in->read);
    cancel_op(in, &in->write);
    if (!any_pending(in))
        finish_recycle(in);
}

static void listen_inst(struct dinst *in)
{
    in->state = D_LISTENING;
    in->deadline = 0;
    switch (win_pipe_listen(in->pipe, &in->connect, "data")) {
    case WIN_LISTEN_PENDING: break;
    case WIN_LISTEN_CONNECTED: connected(in); break;
    case WIN_LISTEN_FAILED:
        trace("data: instance %d out of service", in->index);
        in->state = D_DEAD;
        break;
    }
}

void win_data_complete(struct win_data_server *srv, struct win_op *op,
                       DWORD err, DWORD bytes)
{
    struct dinst *in = op->owner;

    /* Rule 2: idle again only now that its completion was dequeued. */
    win_op_done(op);
    if (srv->stopping || in->state == D_RECYCLING || in->state == D_DEAD) {
        if (!any_pending(in)) {
            if (srv->stopping)
                in->state = D_DEAD;
            else if (in->state == D_RECYCLING)
                finish_recycle(in);
        }
        return;
    }
    switch (op->kind) {
    case WIN_OP_DATA_CONNECT:
        if (err == 0)
            connected(in);
        else if (err == ERROR_NO_DATA)
            recycle(in, NULL); /* came and went: disconnect, listen again */
        else
            failed(in, "connect", err);
        break;
    case WIN_OP_DATA_READ: read_done(in, err, bytes); break;
    case WIN_OP_DATA_WRITE: write_done(in, err, bytes); break;
    default: break;
    }
}

struct win_data_server *win_data_start(const char *id, HANDLE iocp,
                                       struct win_security *sec,
                                       const struct win_data_events *ev)
{
    struct win_data_server *srv = calloc(1, sizeof *srv);
    char name[CTL_NAME_MAX];
    enum ctl_status st;

    if (srv == NULL) {
        win_fail_code("calloc", ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    st = ctl_data_pipe_name(id, name, sizeof name);
    if (st != CTL_OK) {
        fprintf(stderr, "conpty-proxy: data pipe name: %s\n", ctl_strerror(st));
        free(srv);
        return NULL;
    }
    srv->iocp = iocp;
    srv->ev = *ev;
    for (int i = 0; i < WIN_DATA_INSTANCES; i++) {
        struct dinst *in = &srv->inst[i];

        in->srv = srv;
        in->index = i;
        in->state = D_DEAD;
        win_op_init(&in->connect, WIN_OP_DATA_CONNECT, in);
        win_op_init(&in->read, WIN_OP_DATA_READ, in);
        win_op_init(&in->write, WIN_OP_DATA_WRITE, in);
        in->pipe = win_data_pipe_create(name, i == 0, &sec->sa);
        if (in->pipe == INVALID_HANDLE_VALUE) {
            DWORD err = GetLastError();
            if (i == 0 && win_ctl_name_taken(err))
                fprintf(stderr,
                        "conpty-proxy: data pipe %s exists already "
                        "(another session, or someone squatting it)\n",
                        name);
            else
                win_fail_code("CreateNamedPipe (data)", err);
            goto fail;
        }
        if (CreateIoCompletionPort(in->pipe, iocp, WIN_KEY_IO, 0) == NULL) {
            win_fail("CreateIoCompletionPort (data)");
            goto fail;
        }
    }
    for (int i = 0; i < WIN_DATA_INSTANCES; i++)
        listen_inst(&srv->inst[i]);
    return srv;
fail:
    /* Nothing was armed yet: closing is safe. */
    for (int i = 0; i < WIN_DATA_INSTANCES; i++)
        if (srv->inst[i].pipe != NULL &&
            srv->inst[i].pipe != INVALID_HANDLE_VALUE)
            CloseHandle(srv->inst[i].pipe);
    free(srv);
    return NULL;
}

struct queue *win_data_queue(const struct win_data_server *srv)
{
    return srv->attached != NULL ? srv->attached->out : NULL;
}

void win_data_flush(struct win_data_server *srv)
{
    if (srv->attached != NULL)
        arm_write(srv->attached);
}

void win_data_input_done(struct win_data_server *srv)
{
    srv->input_busy = false;
    if (srv->attached != NULL && srv->attached->input_held) {
        srv->attached->input_held = false;
        arm_read(srv->attached);
    }
}

void win_data_finish(struct win_data_server *srv)
{
    srv->finishing = true;
    for (int i = 0; i < WIN_DATA_INSTANCES; i++) {
        struct dinst *in = &srv->inst[i];

        if (in == srv->attached)
            close_client(in, NULL); /* the exit frame is queued */
        else if (in->state == D_LISTENING || in->state == D_HELLO)
            recycle(in, NULL);
    }
}

bool win_data_finished(const struct win_data_server *srv)
{
    for (int i = 0; i < WIN_DATA_INSTANCES; i++)
        if (srv->inst[i].state == D_CLOSING)
            return false;
    return true;
}

DWORD win_data_timeout(const struct win_data_server *srv, uint64_t now)
{
    uint64_t first = 0;

    for (int i = 0; i < WIN_DATA_INSTANCES; i++) {
        const struct dinst *in = &srv->inst[i];
        if (in->deadline != 0 && (first == 0 || in->deadline < first))
            first = in->deadline;
    }
    if (first == 0)
        return INFINITE; /* rule 10 */
    return first <= now ? 0 : (DWORD)(first - now);
}

void win_data_expire(struct win_data_server *srv, uint64_t now)
{
    for (int i = 0; i < WIN_DATA_INSTANCES; i++) {
        struct dinst *in = &srv->inst[i];
        if (in->deadline != 0 && in->deadline <= now) {
            trace("attach: silent client dropped");
            recycle(in, NULL);
        }
    }
}

void win_data_stop(struct win_data_server *srv)
{
    srv->stopping = true;
    for (int i = 0; i < WIN_DATA_INSTANCES; i++) {
        struct dinst *in = &srv->inst[i];
        /* Rule 6: cancel everything; completions are awaited. */
        cancel_op(in, &in->connect);
        cancel_op(in, &in->read);
        cancel_op(in, &in->write);
        if (!any_pending(in))
            in->state = D_DEAD;
    }
}

bool win_data_idle(const struct win_data_server *srv)
{
    for (int i = 0; i < WIN_DATA_INSTANCES; i++)
        if (any_pending(&srv->inst[i]))
            return false;
    return true;
}

void win_data_free(struct win_data_server *srv)
{
    if (srv == NULL)
        return;
    for (int i = 0; i < WIN_DATA_INSTANCES; i++) {
        CloseHandle(srv->inst[i].pipe);
        queue_free(srv->inst[i].out);
    }
    free(srv);
}

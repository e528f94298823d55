/* posix_attach.c -- "conpty-proxy attach": what Emacs runs for a
 * persistent session.  To Emacs it is the relay "new" is (keys on
 * stdin, terminal bytes on stdout, the session's exit code), with a
 * session server's data channel where "new" has a pty: it says hello,
 * then relays stdin to the server and the server's frames
 * (attach_frame.h) to stdout through the bounded queue. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attach_client.h"
#include "backend.h"
#include "channel.h"
#include "posix.h"
#include "queue.h"
#include "trace.h"

enum { INPUT_MAX = 64 << 10 };

struct attach {
    int sock;
    struct queue *out;
    bool stdin_open, sock_open, stdout_open;
    char input[INPUT_MAX];
    size_t input_len;
    struct attach_stream frames; /* what the server sent */
};

/* Read the server's answer to the hello, one byte at a time up to the
 * newline (the frames follow it); blocking, bounded by SO_RCVTIMEO. */
static int read_answer(int sock, char *buf, size_t size)
{
    size_t n = 0;

    while (n + 1 < size) {
        ssize_t r = recv(sock, buf + n, 1, 0);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        if (buf[n++] == '\n')
            break;
    }
    buf[n] = '\0';
    return 0;
}

static int say_hello(const char *id, bool take_over, int cols, int rows)
{
    char dir[CTL_NAME_MAX], path[CTL_NAME_MAX], answer[CTL_MSG_MAX + 1];
    char hello[CTL_MSG_MAX + 1];
    struct timeval tv = {2, 0}, none = {0, 0};
    int sock, len;

    len = attach_hello_encode(hello, sizeof hello, take_over, cols, rows);

    if (posix_socket_dir(dir, sizeof dir, false) != 0)
        return -1;
    if (ctl_data_socket_path(dir, id, path, sizeof path) != CTL_OK) {
        fprintf(stderr, "conpty-proxy: attach: bad id '%s'\n", id);
        return -1;
    }
    sock = posix_connect(path, SOCK_STREAM);
    if (sock < 0) {
        fprintf(stderr, "conpty-proxy: attach: no session '%s': %s\n", id,
                strerror(errno));
        return -1;
    }
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (send(sock, hello, (size_t)len, MSG_NOSIGNAL) != len ||
        read_answer(sock, answer, sizeof answer) != 0) {
        fprintf(stderr, "conpty-proxy: attach: session '%s' did not answer\n",
                id);
        close(sock);
        return -1;
    }
    if (!attach_answer_ok(id, answer)) {
        close(sock);
        return -1;
    }
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
    if (posix_set_nonblock(sock) != 0) {
        close(sock);
        return -1;
    }
    return sock;
}

static void flush_stdout(struct attach *a)
{
    const void *data;
    size_t len;

    while ((len = queue_front(a->out, &data)) > 0) {
        ssize_t n = write(STDOUT_FILENO, data, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                a->stdout_open = false;
            return;
        }
        queue_pop(a->out, (size_t)n);
    }
}

static bool to_stdout(void *ctx, const void *data, size_t len)
{
    struct attach *a = ctx;

    return queue_push(a->out, data, len);
}

static void read_sock(struct attach *a)
{
    ssize_t n = recv(a->sock, a->frames.buf + a->frames.len,
                     ATTACH_STREAM_BUF - a->frames.len, 0);

    if (n > 0) {
        a->frames.len += (size_t)n;
        attach_stream_take(&a->frames, to_stdout, a);
        if (a->frames.broken)
            a->sock_open = false;
        flush_stdout(a);
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    a->sock_open = false;
}

static void read_stdin(struct attach *a)
{
    ssize_t n = read(STDIN_FILENO, a->input, sizeof a->input);

    if (n > 0) {
        a->input_len = (size_t)n;
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    /* EOF: Emacs is done with us; the session stays (detached). */
    a->stdin_open = false;
}

static void write_sock(struct attach *a)
{
    ssize_t n = send(a->sock, a->input, a->input_len, MSG_NOSIGNAL);

    if (n > 0) {
        memmove(a->input, a->input + n, a->input_len - (size_t)n);
        a->input_len -= (size_t)n;
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        a->sock_open = false;
    }
}

static void run_loop(struct attach *a)
{
    enum { IN, SOCK, OUT };
    struct pollfd fds[3];

    while (a->stdout_open && a->stdin_open &&
           (a->sock_open || queue_size(a->out) > 0)) {
        fds[IN] = (struct pollfd){
            .fd = a->input_len == 0 && a->sock_open ? STDIN_FILENO : -1,
            .events = POLLIN};
        fds[SOCK] = (struct pollfd){
            .fd = a->sock_open ? a->sock : -1,
            .events = (short)((queue_full(a->out) ? 0 : POLLIN) |
                              (a->input_len > 0 ? POLLOUT : 0))};
        fds[OUT] =
            (struct pollfd){.fd = queue_size(a->out) > 0 ? STDOUT_FILENO : -1,
                            .events = POLLOUT};
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[IN].revents)
            read_stdin(a);
        if (a->sock_open && (fds[SOCK].revents & POLLOUT))
            write_sock(a);
        if (a->sock_open && (fds[SOCK].revents & (POLLIN | POLLHUP | POLLERR)))
            read_sock(a);
        if (fds[OUT].revents)
            flush_stdout(a);
    }
}

int backend_attach(const char *id, bool take_over, int cols, int rows)
{
    struct attach *a;
    int code;

    if (posix_signals_install() < 0)
        return PROXY_EXIT_FAILURE;
    a = calloc(1, sizeof *a);
    if (a == NULL || (a->out = queue_new()) == NULL ||
        (a->frames.buf = malloc(ATTACH_STREAM_BUF)) == NULL) {
        fprintf(stderr, "conpty-proxy: out of memory\n");
        if (a != NULL)
            queue_free(a->out);
        free(a);
        return PROXY_EXIT_FAILURE;
    }
    trace_open();
    a->sock = say_hello(id, take_over, cols, rows);
    if (a->sock < 0 || posix_set_nonblock(STDOUT_FILENO) != 0) {
        code = PROXY_EXIT_FAILURE;
    } else {
        trace("attach: %s", id);
        a->stdin_open = a->sock_open = a->stdout_open = true;
        run_loop(a);
        code = attach_exit_code(&a->frames, !a->stdin_open);
    }
    if (a->sock >= 0)
        close(a->sock);
    queue_free(a->out);
    free(a->frames.buf);
    free(a);
    trace_close();
    return code;
}

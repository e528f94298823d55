/* posix_wake_writer.c -- wake_writer.h over the write end of a pipe
 * Emacs reads (a pipe process's descriptor, from open_channel). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "wake_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

struct wake_writer {
    int fd;
};

struct wake_writer *wake_writer_open(const struct parse_wakeup *wake)
{
    struct wake_writer *w;
    int flags;

    if (wake->fd < 0 || (w = malloc(sizeof *w)) == NULL)
        return NULL;
    w->fd = wake->fd;
    /* Emacs never writes to its end: the flag is the writer's alone. */
    flags = fcntl(w->fd, F_GETFL);
    if (flags < 0 || fcntl(w->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        free(w);
        return NULL;
    }
    return w;
}

/* Non-blocking: a full pipe (EAGAIN) has bytes for Emacs already.  A
 * pipe Emacs closed answers EPIPE, which is ignored (the parse thread
 * blocks SIGPIPE: thread.h). */
void wake_writer_write(struct wake_writer *w)
{
    ssize_t n;

    do
        n = write(w->fd, "w", 1);
    while (n < 0 && errno == EINTR);
}

void wake_writer_close(struct wake_writer *w)
{
    close(w->fd);
    free(w);
}

void wake_writer_abandon(struct wake_writer *w)
{
    free(w);
}

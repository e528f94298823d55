/* posix_wake_chan.c -- wake_chan.h over a pipe, as Emacs's pipe process
 * reads it. */
#define _POSIX_C_SOURCE 200809L
#include "wake_chan.h"

#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

struct wake_chan {
    int fd; /* the read end; the worker has the write end */
};

struct wake_chan *chan_open(struct parse_wakeup *wake)
{
    struct wake_chan *c = malloc(sizeof *c);
    int fds[2];

    if (c == NULL)
        return NULL;
    if (pipe(fds) != 0) {
        free(c);
        return NULL;
    }
    c->fd = fds[0];
    *wake = (struct parse_wakeup){.fd = fds[1]};
    return c;
}

bool chan_started(struct wake_chan *c)
{
    (void)c;
    return true;
}

bool chan_readable(struct wake_chan *c, int ms)
{
    struct pollfd p = {c->fd, POLLIN, 0};
    return poll(&p, 1, ms) == 1;
}

bool chan_read_byte(struct wake_chan *c)
{
    char byte;
    return read(c->fd, &byte, 1) == 1;
}

bool chan_at_end(struct wake_chan *c)
{
    char buf[16];
    ssize_t n;

    while ((n = read(c->fd, buf, sizeof buf)) > 0)
        ;
    return n == 0;
}

void chan_close(struct wake_chan *c)
{
    if (c == NULL)
        return;
    close(c->fd);
    free(c);
}

void chan_sleep_ms(int ms)
{
    poll(NULL, 0, ms);
}

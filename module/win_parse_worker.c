/* win_parse_worker.c -- parse_worker.h on Windows, where there is no
 * worker: parse_worker_start fails and the caller parses on its own
 * thread. */
#include "parse_worker.h"

/* Windows: Emacs's channel is a descriptor of Emacs's C runtime, which
 * the DLL may not share (DESIGN.md, "Module"); output is parsed on
 * Emacs's thread there. */
struct parse_worker *parse_worker_start(struct render *r, int notify_fd,
                                        int quiet_ms)
{
    (void)r;
    (void)notify_fd;
    (void)quiet_ms;
    return NULL;
}

bool parse_worker_push(struct parse_worker *w, const char *bytes, size_t len)
{
    (void)w;
    (void)bytes;
    (void)len;
    return false;
}

void parse_worker_acquire(struct parse_worker *w)
{
    (void)w;
}
void parse_worker_release(struct parse_worker *w)
{
    (void)w;
}
void parse_worker_drawn(struct parse_worker *w)
{
    (void)w;
}

bool parse_worker_woken(struct parse_worker *w)
{
    (void)w;
    return false;
}

bool parse_worker_busy(struct parse_worker *w)
{
    (void)w;
    return false;
}

void parse_worker_finish(struct parse_worker *w)
{
    (void)w;
}
void parse_worker_stop(struct parse_worker *w)
{
    (void)w;
}

/* ctl_conn.h -- what the proxy does with one control message, whatever
 * the transport: parse it, log it, apply a valid resize through the
 * backend's callback and produce the answer to send back.  Also the
 * per-connection idle deadline. */
#ifndef CTL_CONN_H
#define CTL_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "control.h"

/* Applies a resize; returns its result, the trace line's hr= field (0 on
 * success; see policy_trace_resize). */
typedef uint32_t (*ctl_resize_fn)(void *ctx, int cols, int rows);

/* What a ctl_resize_fn returns when it has queued the size to apply it
 * later (off the event loop): the message is answered "ok" and logged as
 * "control: resize <cols> <rows> queued"; the backend writes the
 * "resize <cols> <rows> hr=..." line when it has applied it. */
#define CTL_RESIZE_QUEUED 0xFFFFFFFFu

/* Ends the session ("kill"): the server hangs up its child. */
typedef void (*ctl_kill_fn)(void *ctx);

/* Fills INFO for an "info" message. */
typedef void (*ctl_info_fn)(void *ctx, struct ctl_info *info);

/* What a session does with the messages; KILL and INFO are NULL in a
 * session that is not a server ("new"): those verbs are then answered
 * "error not a session server". */
struct ctl_handlers {
    ctl_resize_fn resize;
    ctl_kill_fn kill;
    ctl_info_fn info;
    void *ctx;
};

struct ctl_answer {
    char text[CTL_ANSWER_MAX + 1];
    size_t len;
};

/* Handle the message of LEN bytes at BUF: calls H's function for a
 * valid message, writes the trace line, and fills ANSWER ("error resize
 * failed" when RESIZE returns non-zero).  LEN may exceed CTL_MSG_MAX
 * (the transport reports an oversize message with its first bytes); it
 * is answered with an error. */
void ctl_conn_handle(const char *buf, size_t len, const struct ctl_handlers *h,
                     struct ctl_answer *answer);

/* Deadline for a connection that became active at NOW_MS. */
static inline uint64_t ctl_conn_deadline(uint64_t now_ms)
{
    return now_ms + CTL_IDLE_TIMEOUT_MS;
}

#endif

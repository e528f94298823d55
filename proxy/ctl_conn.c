/* ctl_conn.c -- see ctl_conn.h. */
#include "ctl_conn.h"

#include <string.h>

#include "policy.h"
#include "trace.h"

void ctl_conn_handle(const char *buf, size_t len, ctl_resize_fn resize,
                     void *ctx, struct ctl_answer *answer)
{
    struct ctl_msg msg;
    enum ctl_status st = ctl_parse(buf, len, &msg);
    int n;

    if (st != CTL_OK) {
        trace("control: rejected %zu-byte message: %s", len, ctl_strerror(st));
    } else if (msg.verb == CTL_VERB_RESIZE) {
        uint32_t result = resize(ctx, msg.cols, msg.rows);
        if (result == CTL_RESIZE_QUEUED) {
            trace("control: resize %d %d queued", msg.cols, msg.rows);
        } else {
            policy_trace_resize(msg.cols, msg.rows, result);
            if (result != 0)
                st = CTL_E_APPLY;
        }
    } else {
        trace("control: ping");
    }
    n = ctl_format_answer(answer->text, sizeof answer->text, st, &msg);
    /* Every answer fits: they are short fixed phrases. */
    answer->len = n > 0 ? (size_t)n : 0;
}

/* ctl_conn.c -- see ctl_conn.h. */
#include "ctl_conn.h"

#include <string.h>

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
        uint32_t hr = resize(ctx, msg.cols, msg.rows);
        if (hr == CTL_RESIZE_QUEUED) {
            trace("control: resize %d %d queued", msg.cols, msg.rows);
        } else {
            trace("resize %d %d hr=0x%08lx", msg.cols, msg.rows,
                  (unsigned long)hr);
            if (hr != 0)
                st = CTL_E_APPLY;
        }
    } else {
        trace("control: ping");
    }
    n = ctl_format_answer(answer->text, sizeof answer->text, st, &msg);
    /* Every answer fits: they are short fixed phrases. */
    answer->len = n > 0 ? (size_t)n : 0;
}

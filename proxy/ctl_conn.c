/* ctl_conn.c -- see ctl_conn.h. */
#include "ctl_conn.h"

#include <string.h>

#include "policy.h"
#include "trace.h"

void ctl_conn_handle(const char *buf, size_t len, const struct ctl_handlers *h,
                     struct ctl_answer *answer)
{
    struct ctl_msg msg;
    enum ctl_status st = ctl_parse(buf, len, &msg);
    int n;

    if (st != CTL_OK) {
        trace("control: rejected %zu-byte message: %s", len, ctl_strerror(st));
    } else if (msg.verb == CTL_VERB_RESIZE) {
        uint32_t result = h->resize(h->ctx, msg.cols, msg.rows);
        if (result == CTL_RESIZE_QUEUED) {
            trace("control: resize %d %d queued", msg.cols, msg.rows);
        } else {
            policy_trace_resize(msg.cols, msg.rows, result);
            if (result != 0)
                st = CTL_E_APPLY;
        }
    } else if (msg.verb == CTL_VERB_PING) {
        trace("control: ping");
    } else if ((msg.verb == CTL_VERB_KILL && h->kill == NULL) ||
               (msg.verb == CTL_VERB_INFO && h->info == NULL)) {
        trace("control: %s: not a session server",
              msg.verb == CTL_VERB_KILL ? "kill" : "info");
        st = CTL_E_UNSUPPORTED;
    } else if (msg.verb == CTL_VERB_KILL) {
        trace("control: kill");
        h->kill(h->ctx);
    } else {
        struct ctl_info info;

        memset(&info, 0, sizeof info);
        h->info(h->ctx, &info);
        n = ctl_format_info(answer->text, sizeof answer->text, &info);
        if (n > 0) {
            answer->len = (size_t)n;
            return;
        }
        st = CTL_E_APPLY;
    }
    n = ctl_format_answer(answer->text, sizeof answer->text, st, &msg);
    /* Every answer fits: they are short fixed phrases. */
    answer->len = n > 0 ? (size_t)n : 0;
}

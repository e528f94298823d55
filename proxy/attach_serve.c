/* attach_serve.c -- see attach_serve.h. */
#include "attach_serve.h"

#include "attach_frame.h"
#include "outbuf.h"
#include "snapshot.h"
#include "trace.h"

bool attach_push_frame(struct queue *q, int type, const void *data, size_t len)
{
    unsigned char hdr[FRAME_HEADER];

    frame_header(hdr, type, (uint32_t)len);
    if (!queue_push(q, hdr, sizeof hdr) || !queue_push(q, data, len)) {
        trace("queue: out of memory");
        return false;
    }
    return true;
}

bool attach_push_snapshot(struct queue *q, struct screen *s)
{
    struct outbuf snap = {0};
    bool ok;

    snapshot_write(s, &snap);
    ok = !snap.failed;
    for (size_t at = 0; ok && at < snap.len; at += FRAME_MAX)
        ok = attach_push_frame(q, FRAME_DATA, snap.data + at,
                               snap.len - at < FRAME_MAX ? snap.len - at
                                                         : FRAME_MAX);
    trace("attach: snapshot of %zu bytes", snap.len);
    outbuf_free(&snap);
    return ok;
}

bool attach_push_exit(struct queue *q, int code)
{
    unsigned char frame[FRAME_HEADER + 4];

    frame_exit(frame, code);
    return queue_push(q, frame, sizeof frame);
}

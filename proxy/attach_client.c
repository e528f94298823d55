/* attach_client.c -- see attach_client.h. */
#include "attach_client.h"

#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "trace.h"

bool attach_answer_ok(const char *id, const char *answer)
{
    if (strcmp(answer, ATTACH_ANSWER_OK) == 0)
        return true;
    fprintf(stderr, "conpty-proxy: attach: session '%s' refused: %s", id,
            answer);
    return false;
}

void attach_stream_take(struct attach_stream *s, attach_sink_fn sink, void *ctx)
{
    size_t at = 0;

    while (!s->broken) {
        const unsigned char *payload;
        size_t payload_len, total;
        int type;
        bool bad;

        if (!frame_next(s->buf + at, s->len - at, &type, &payload, &payload_len,
                        &total, &bad))
            break;
        if (bad) {
            fprintf(stderr, "conpty-proxy: attach: broken stream\n");
            s->broken = true;
            break;
        }
        if (type == FRAME_DATA && !sink(ctx, payload, payload_len)) {
            trace("queue: out of memory");
            break;
        }
        if (type == FRAME_EXIT) {
            s->ended = true;
            s->exit_code = frame_exit_code(payload);
        }
        if (type == FRAME_TAKEN)
            s->taken = true;
        at += total;
    }
    memmove(s->buf, s->buf + at, s->len - at);
    s->len -= at;
}

int attach_exit_code(const struct attach_stream *s, bool detached)
{
    int code;

    if (s->ended) {
        code = s->exit_code;
    } else if (detached) {
        code = 0;
    } else {
        fprintf(stderr, "conpty-proxy: attach: %s\n",
                s->taken ? "another client took the session over"
                         : "the session server is gone");
        code = PROXY_EXIT_FAILURE;
    }
    trace("attach: exit: code %d", code);
    return code;
}

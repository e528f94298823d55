/* attach_client.h -- what "conpty-proxy attach" does with the data
 * channel, whatever the OS: check the server's answer to the hello,
 * take the frames (attach_frame.h) out of what the server sent, and
 * decide the exit code at the end.  The backends own the I/O. */
#ifndef ATTACH_CLIENT_H
#define ATTACH_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "attach_frame.h"

/* Room for what the server sent that is not yet a whole frame. */
enum { ATTACH_STREAM_BUF = FRAME_MAX + FRAME_HEADER };

struct attach_stream {
    unsigned char *buf; /* ATTACH_STREAM_BUF bytes */
    size_t len;
    bool ended;  /* an exit frame came: EXIT_CODE is the session's */
    bool taken;  /* another client took the session over */
    bool broken; /* a malformed frame: nothing more is read */
    int exit_code;
};

/* Where the bytes of data frames go: false when they could not be taken
 * (out of memory): the frame stays in the stream for the next call. */
typedef bool (*attach_sink_fn)(void *ctx, const void *data, size_t len);

/* The server's answer line ANSWER (NUL-terminated, with its newline)
 * for session ID: true on "ok\n", else false with a message on stderr. */
bool attach_answer_ok(const char *id, const char *answer);

/* Take every whole frame out of S->buf: the payloads of data frames to
 * SINK, in order; the others set S's flags. */
void attach_stream_take(struct attach_stream *s, attach_sink_fn sink,
                        void *ctx);

/* The exit code of "attach" once its loop is over: the session's when
 * it ended, 0 when DETACHED (stdin closed: Emacs let go), else
 * PROXY_EXIT_FAILURE with the reason on stderr. */
int attach_exit_code(const struct attach_stream *s, bool detached);

#endif

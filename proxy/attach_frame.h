/* attach_frame.h -- what a session server sends an attached client
 * ("conpty-proxy attach") over the data channel, after the handshake:
 * frames of a type byte and a 4-byte big-endian payload length.
 *   'D' terminal bytes (the snapshot first, then the live stream);
 *   'X' the session ended: 4-byte big-endian exit code;
 *   'T' another client took the session over.
 * The client sends raw input bytes after its hello line.  Plain C, no
 * I/O: the same on every OS. */
#ifndef ATTACH_FRAME_H
#define ATTACH_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    FRAME_HEADER = 5,
    FRAME_DATA = 'D',
    FRAME_EXIT = 'X',
    FRAME_TAKEN = 'T',
    FRAME_MAX = 1 << 20 /* a longer frame is a broken stream */
};

/* The client's hello, at most CTL_MSG_MAX bytes: "attach <cols>
 * <rows>\n" or "attach take-over <cols> <rows>\n", the size of the
 * client's terminal (the session takes it before its snapshot).  The
 * server answers ATTACH_ANSWER_OK (the frames follow) or "error
 * <reason>\n" (ATTACH_ANSWER_BUSY while another client is attached). */
#define ATTACH_ANSWER_OK "ok\n"
#define ATTACH_ANSWER_BUSY "error attached elsewhere\n"
int attach_hello_encode(char *buf, size_t size, bool take_over, int cols,
                        int rows);
bool attach_hello_parse(const char *buf, size_t len, bool *take_over, int *cols,
                        int *rows);

/* Write the header of a frame of TYPE with LEN payload bytes. */
void frame_header(unsigned char hdr[FRAME_HEADER], int type, uint32_t len);

/* Write an exit frame for CODE (header and payload) into OUT. */
void frame_exit(unsigned char out[FRAME_HEADER + 4], int code);

/* Read a frame at BUF (LEN bytes): false while incomplete; else true
 * with *TYPE, the payload at *PAYLOAD of *PAYLOAD_LEN bytes and *TOTAL,
 * the frame's size.  *BAD is set for an unknown type or a length over
 * FRAME_MAX (or an exit frame of the wrong size). */
bool frame_next(const unsigned char *buf, size_t len, int *type,
                const unsigned char **payload, size_t *payload_len,
                size_t *total, bool *bad);

/* The exit code in an exit frame's 4-byte payload. */
int frame_exit_code(const unsigned char *payload);

#endif

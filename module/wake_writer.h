/* wake_writer.h -- the parse worker's end of its wake-up channel: where
 * the bytes go (struct parse_wakeup, filled from Lisp by parse_wakeup.h
 * or by a test), and writing them.  One file per OS: the write end of a
 * pipe (posix_wake_writer.c), a loopback TCP connection
 * (win_wake_writer.c); module.mk picks the build's.  Plain C, no Emacs
 * types. */
#ifndef WAKE_WRITER_H
#define WAKE_WRITER_H

#include <stddef.h>

/* The longest secret a Windows wake-up channel proves itself with. */
#define PARSE_WAKEUP_SECRET_MAX 64

/* Where the wake-up bytes go; each OS's writer uses its own members.
 * - POSIX: FD, the write end of a pipe Emacs reads (a pipe process's
 *   channel, open_channel).
 * - Windows: a TCP connection to PORT on 127.0.0.1, where Lisp listens
 *   and takes the first connection that sends SECRET: a descriptor of
 *   Emacs's belongs to its C runtime, which the DLL may not share
 *   (DESIGN.md, "Module"), while a socket is the OS's. */
struct parse_wakeup {
    int fd;
    unsigned port;
    char secret[PARSE_WAKEUP_SECRET_MAX];
    size_t secret_len;
};

struct wake_writer;

/* Open the channel WAKE names, for writes that never block.  NULL on
 * failure, with WAKE's descriptor left to the caller. */
struct wake_writer *wake_writer_open(const struct parse_wakeup *wake);

/* Write one wake-up byte.  A full channel has bytes for Emacs already,
 * and one Emacs closed changes nothing for the writer: neither is an
 * error. */
void wake_writer_write(struct wake_writer *w);

/* Close the channel (WAKE's descriptor too) and free W. */
void wake_writer_close(struct wake_writer *w);

/* Free W unused, leaving WAKE's descriptor to the caller again (what W
 * made itself, it closes). */
void wake_writer_abandon(struct wake_writer *w);

#endif /* WAKE_WRITER_H */

/* buf.h -- a growable byte buffer, also used as a growable array of
 * records (runs, text properties) and as a queue's storage.  On
 * allocation failure it stays as it was and remembers the failure, so
 * a caller can drop a partial result once instead of checking every
 * append. */
#ifndef BUF_H
#define BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *data;
    size_t len, cap;
    bool failed;
};

/* Room for EXTRA more bytes; false (and FAILED set) when out of memory. */
bool buf_reserve(struct buf *b, size_t extra);
/* Append LEN bytes (BYTES may be NULL when LEN is 0). */
bool buf_append(struct buf *b, const void *bytes, size_t len);
/* LEN more bytes at the end, for the caller to fill; NULL when out of
 * memory.  The pointer is valid until the buffer next grows. */
void *buf_extend(struct buf *b, size_t len);
/* Keep the contents NUL-terminated (the NUL is not counted in LEN). */
bool buf_terminate(struct buf *b);
/* Replace the contents, forgetting an earlier failure. */
void buf_set(struct buf *b, const void *bytes, size_t len);
/* Empty, forgetting an earlier failure; the memory is kept. */
void buf_clear(struct buf *b);
void buf_free(struct buf *b);

#endif /* BUF_H */

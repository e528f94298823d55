/* buf.c -- see buf.h. */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

bool buf_reserve(struct buf *b, size_t extra)
{
    size_t need = b->len + extra, cap;
    char *data;

    if (need <= b->cap)
        return true;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    data = realloc(b->data, cap);
    if (data == NULL) {
        b->failed = true;
        return false;
    }
    b->data = data;
    b->cap = cap;
    return true;
}

bool buf_append(struct buf *b, const void *bytes, size_t len)
{
    if (len == 0) /* BYTES and b->data may be NULL: memcpy must not see them */
        return true;
    if (!buf_reserve(b, len))
        return false;
    memcpy(b->data + b->len, bytes, len);
    b->len += len;
    return true;
}

void *buf_extend(struct buf *b, size_t len)
{
    void *p;

    if (!buf_reserve(b, len))
        return NULL;
    p = b->data + b->len;
    b->len += len;
    return p;
}

bool buf_terminate(struct buf *b)
{
    if (!buf_reserve(b, 1))
        return false;
    b->data[b->len] = '\0';
    return true;
}

void buf_set(struct buf *b, const void *bytes, size_t len)
{
    buf_clear(b);
    buf_append(b, bytes, len);
}

void buf_clear(struct buf *b)
{
    b->len = 0;
    b->failed = false;
}

void buf_free(struct buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

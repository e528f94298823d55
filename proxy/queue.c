/* queue.c -- see queue.h. */
#include "queue.h"

#include <stdlib.h>
#include <string.h>

struct chunk {
    struct chunk *next;
    size_t start, end; /* bytes [start, end) of data are queued */
    unsigned char data[QUEUE_CHUNK];
};

struct queue {
    struct chunk *head, *tail;
    size_t size;
};

struct queue *queue_new(void)
{
    return calloc(1, sizeof(struct queue));
}

void queue_free(struct queue *q)
{
    if (q == NULL)
        return;
    while (q->head != NULL) {
        struct chunk *next = q->head->next;
        free(q->head);
        q->head = next;
    }
    free(q);
}

size_t queue_size(const struct queue *q)
{
    return q->size;
}

bool queue_full(const struct queue *q)
{
    return q->size >= QUEUE_HIGH_WATER;
}

bool queue_drained(const struct queue *q)
{
    return q->size < QUEUE_LOW_WATER;
}

bool queue_push(struct queue *q, const void *data, size_t len)
{
    const unsigned char *p = data;
    struct chunk *first_new = NULL, *last_new = NULL;
    size_t room = q->tail != NULL ? QUEUE_CHUNK - q->tail->end : 0;
    size_t rest = len > room ? len - room : 0;

    /* Allocate every chunk first so that running out of memory leaves
     * the queue exactly as it was. */
    while (rest > 0) {
        struct chunk *c = malloc(sizeof *c);
        if (c == NULL) {
            while (first_new != NULL) {
                struct chunk *next = first_new->next;
                free(first_new);
                first_new = next;
            }
            return false;
        }
        c->next = NULL;
        c->start = c->end = 0;
        if (last_new != NULL)
            last_new->next = c;
        else
            first_new = c;
        last_new = c;
        rest = rest > QUEUE_CHUNK ? rest - QUEUE_CHUNK : 0;
    }
    if (first_new != NULL) {
        if (q->tail != NULL)
            q->tail->next = first_new;
        else
            q->head = first_new;
    }

    q->size += len;
    for (struct chunk *c = q->tail != NULL ? q->tail : first_new; len > 0;
         c = c->next) {
        size_t n = QUEUE_CHUNK - c->end;
        if (n > len)
            n = len;
        memcpy(c->data + c->end, p, n);
        c->end += n;
        p += n;
        len -= n;
    }
    if (last_new != NULL)
        q->tail = last_new;
    return true;
}

size_t queue_front(const struct queue *q, const void **data)
{
    if (q->head == NULL) {
        *data = NULL;
        return 0;
    }
    *data = q->head->data + q->head->start;
    return q->head->end - q->head->start;
}

void queue_pop(struct queue *q, size_t len)
{
    while (len > 0 && q->head != NULL) {
        struct chunk *c = q->head;
        size_t n = c->end - c->start;
        if (n > len)
            n = len;
        c->start += n;
        q->size -= n;
        len -= n;
        if (c->start == c->end) {
            q->head = c->next;
            if (q->head == NULL)
                q->tail = NULL;
            free(c);
        }
    }
}

/* proxy_core_test.c -- the proxy's platform-independent core: the
 * bounded output queue and control-message handling. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/check.h"
#include "ctl_conn.h"
#include "queue.h"

/* Fill BUF with a position-dependent pattern starting at OFFSET. */
static void pattern(unsigned char *buf, size_t len, size_t offset)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)((offset + i) * 131 + ((offset + i) >> 11));
}

/* Drain Q in pieces of at most STEP bytes, checking the pattern from
 * OFFSET; returns the number of bytes drained or -1 on a mismatch. */
static long drain_checked(struct queue *q, size_t step, size_t offset)
{
    const void *data;
    size_t len, total = 0;
    unsigned char expect[QUEUE_CHUNK];

    while ((len = queue_front(q, &data)) > 0) {
        if (len > step)
            len = step;
        pattern(expect, len, offset + total);
        if (memcmp(data, expect, len) != 0)
            return -1;
        queue_pop(q, len);
        total += len;
    }
    return (long)total;
}

TEST(queue_keeps_every_byte_in_order_across_chunks)
{
    struct queue *q = queue_new();
    static unsigned char buf[3 * QUEUE_CHUNK + 17];
    size_t pushed = 0;

    CHECK(q != NULL && queue_size(q) == 0);
    /* Odd-sized pushes straddle chunk boundaries. */
    for (size_t n = 1; pushed < 5 * QUEUE_CHUNK; n = n * 7 % sizeof buf + 1) {
        pattern(buf, n, pushed);
        CHECK(queue_push(q, buf, n));
        pushed += n;
    }
    CHECK(queue_size(q) == pushed);
    CHECK(drain_checked(q, 1000, 0) == (long)pushed);
    CHECK(queue_size(q) == 0);
    queue_free(q);
}

TEST(queue_interleaved_push_and_pop)
{
    struct queue *q = queue_new();
    unsigned char buf[5000];
    size_t in = 0, out = 0;
    const void *data;

    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(round * 37 % 5000) + 1, len;
        pattern(buf, n, in);
        CHECK(queue_push(q, buf, n));
        in += n;
        len = queue_front(q, &data);
        if (len > 3000)
            len = 3000;
        pattern(buf, len, out);
        CHECK(memcmp(data, buf, len) == 0);
        queue_pop(q, len);
        out += len;
        CHECK(queue_size(q) == in - out);
    }
    CHECK(drain_checked(q, QUEUE_CHUNK, out) == (long)(in - out));
    queue_free(q);
}

TEST(queue_water_marks)
{
    struct queue *q = queue_new();
    static unsigned char buf[QUEUE_CHUNK];

    CHECK(!queue_full(q) && queue_drained(q));
    while (!queue_full(q))
        CHECK(queue_push(q, buf, sizeof buf));
    CHECK(queue_size(q) == QUEUE_HIGH_WATER);
    CHECK(!queue_drained(q));
    queue_pop(q, QUEUE_HIGH_WATER - QUEUE_LOW_WATER);
    CHECK(!queue_full(q) && !queue_drained(q));
    queue_pop(q, 1);
    CHECK(queue_drained(q));
    queue_free(q);
}

TEST(queue_empty_front)
{
    struct queue *q = queue_new();
    const void *data = q;

    CHECK(queue_front(q, &data) == 0 && data == NULL);
    queue_pop(q, 10);
    CHECK(queue_size(q) == 0);
    CHECK(queue_push(q, "", 0));
    CHECK(queue_size(q) == 0);
    queue_free(q);
}

struct resize_log {
    int calls, cols, rows;
    uint32_t result;
};

static uint32_t record_resize(void *ctx, int cols, int rows)
{
    struct resize_log *log = ctx;

    log->calls++;
    log->cols = cols;
    log->rows = rows;
    return log->result;
}

static void handle(const char *msg, size_t len, struct resize_log *log,
                   struct ctl_answer *a)
{
    struct ctl_handlers h = {.resize = record_resize, .ctx = log};

    ctl_conn_handle(msg, len, &h, a);
    a->text[a->len] = '\0';
}

TEST(ctl_conn_applies_valid_resize_and_answers_ok)
{
    struct resize_log log = {0};
    struct ctl_answer a;

    handle("resize 132 43\n", 14, &log, &a);
    CHECK(log.calls == 1 && log.cols == 132 && log.rows == 43);
    CHECK(strcmp(a.text, "ok\n") == 0 && a.len == 3);
}

TEST(ctl_conn_reports_failed_resize)
{
    struct resize_log log = {.result = 0x80004001u};
    struct ctl_answer a;

    handle("resize 10 10\n", 13, &log, &a);
    CHECK(log.calls == 1);
    CHECK(strcmp(a.text, "error resize failed\n") == 0);
}

TEST(ctl_conn_answers_ping_and_errors_without_resizing)
{
    struct resize_log log = {0};
    struct ctl_answer a;
    char big[200];

    handle("ping\n", 5, &log, &a);
    CHECK(strcmp(a.text, "pong\n") == 0);
    handle("resize 0 0\n", 11, &log, &a);
    CHECK(strncmp(a.text, "error ", 6) == 0);
    handle("\x01\x02\xff\n", 4, &log, &a);
    CHECK(strcmp(a.text, "error invalid byte\n") == 0);
    memset(big, 'r', sizeof big);
    handle(big, sizeof big, &log, &a);
    CHECK(strcmp(a.text, "error message too long\n") == 0);
    CHECK(log.calls == 0);
}

int main(void)
{
    RUN(queue_keeps_every_byte_in_order_across_chunks);
    RUN(queue_interleaved_push_and_pop);
    RUN(queue_water_marks);
    RUN(queue_empty_front);
    RUN(ctl_conn_applies_valid_resize_and_answers_ok);
    RUN(ctl_conn_reports_failed_resize);
    RUN(ctl_conn_answers_ping_and_errors_without_resizing);
    return check_end("proxy-core");
}

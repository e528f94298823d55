/* proxy_core_test.c -- the proxy's platform-independent core: the
 * bounded output queue and control-message handling. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/check.h"
#include "attach_frame.h"
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

static void on_kill(void *ctx)
{
    ((struct resize_log *)ctx)->calls += 100;
}

static void on_info(void *ctx, struct ctl_info *info)
{
    (void)ctx;
    info->cols = 10;
    info->rows = 5;
    info->pid = 7;
    info->start = 99;
    strcpy(info->program, "sh");
    strcpy(info->title, "hi");
}

TEST(ctl_conn_kill_and_info_only_in_a_session_server)
{
    struct resize_log log = {0};
    struct ctl_handlers server = {
        .resize = record_resize, .kill = on_kill, .info = on_info, .ctx = &log};
    struct ctl_answer a;

    handle("kill\n", 5, &log, &a);
    CHECK(strcmp(a.text, "error not a session server\n") == 0);
    handle("info\n", 5, &log, &a);
    CHECK(strcmp(a.text, "error not a session server\n") == 0);
    CHECK(log.calls == 0);
    ctl_conn_handle("kill\n", 5, &server, &a);
    a.text[a.len] = '\0';
    CHECK(strcmp(a.text, "ok\n") == 0 && log.calls == 100);
    ctl_conn_handle("info\n", 5, &server, &a);
    a.text[a.len] = '\0';
    CHECK(strcmp(a.text, "info 10 5 7 99 0 sh hi\n") == 0);
}

TEST(attach_frames_and_hello)
{
    unsigned char buf[64];
    const unsigned char *payload;
    size_t len, total;
    int type, cols, rows;
    bool bad, take;
    char hello[CTL_MSG_MAX + 1];
    int n;

    frame_header(buf, FRAME_DATA, 3);
    memcpy(buf + FRAME_HEADER, "abc", 3);
    frame_exit(buf + 8, 300);
    CHECK(!frame_next(buf, 4, &type, &payload, &len, &total, &bad) && !bad);
    CHECK(!frame_next(buf, 7, &type, &payload, &len, &total, &bad) && !bad);
    CHECK(frame_next(buf, 17, &type, &payload, &len, &total, &bad) && !bad);
    CHECK(type == FRAME_DATA && len == 3 && total == 8 &&
          memcmp(payload, "abc", 3) == 0);
    CHECK(frame_next(buf + 8, 9, &type, &payload, &len, &total, &bad) && !bad &&
          type == FRAME_EXIT && frame_exit_code(payload) == 300);
    frame_header(buf, 'Q', 0);
    CHECK(frame_next(buf, 5, &type, &payload, &len, &total, &bad) && bad);
    frame_header(buf, FRAME_DATA, FRAME_MAX + 1);
    CHECK(frame_next(buf, 5, &type, &payload, &len, &total, &bad) && bad);

    n = attach_hello_encode(hello, sizeof hello, true, 120, 40);
    CHECK(n > 0 && strcmp(hello, "attach take-over 120 40\n") == 0);
    CHECK(attach_hello_parse(hello, (size_t)n, &take, &cols, &rows) && take &&
          cols == 120 && rows == 40);
    CHECK(attach_hello_parse("attach 80 24\n", 13, &take, &cols, &rows) &&
          !take && cols == 80 && rows == 24);
    CHECK(!attach_hello_parse("attach 80 0\n", 12, &take, &cols, &rows));
    CHECK(!attach_hello_parse("attach 80\n", 10, &take, &cols, &rows));
    CHECK(!attach_hello_parse("attach 80 24", 12, &take, &cols, &rows));
    CHECK(!attach_hello_parse("detach 80 24\n", 13, &take, &cols, &rows));
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
    RUN(ctl_conn_kill_and_info_only_in_a_session_server);
    RUN(attach_frames_and_hello);
    return check_end("proxy-core");
}

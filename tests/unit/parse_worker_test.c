/* parse_worker_test.c -- the parse thread (parse_worker.h): what it
 * makes of output equals what the render core makes of it on one
 * thread, news and output that stops undrawn wake Emacs and nothing
 * else does, a held core never deadlocks a push, and stopping with
 * output queued is clean.  The same tests for each OS's worker, over
 * its wake-up channel (wake_chan.h): on Linux under valgrind, and
 * built with ThreadSanitizer as its own suite; the Windows worker under
 * Wine (tests/wine/run.sh). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/check.h"
#include "parse_worker.h"
#include "render_inspect.h"
#include "wake_chan.h"

#ifndef WORKER_SUITE
#define WORKER_SUITE "parse-worker"
#endif

static struct render *make(int rows, int cols, int sb)
{
    struct render_options opt = {rows, cols, sb};
    return render_new(&opt);
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

/* About LEN bytes of what shells print: words, colours, cursor moves,
 * newlines, titles, wide characters. */
static char *random_output(size_t len, size_t *out_len)
{
    static const char *const pieces[] = {"hello ",
                                         "world ",
                                         "\r\n",
                                         "\033[1;31m",
                                         "\033[0m",
                                         "\033[42m",
                                         "\033[2;5H",
                                         "\033[K",
                                         "\033[3A",
                                         "\t",
                                         "\xe4\xb8\xad",
                                         "\xc3\xa9",
                                         "\033]2;title\007",
                                         "\033[?25l",
                                         "\033[?25h",
                                         "\033[J",
                                         "\b",
                                         "\033[38;2;1;2;3mrgb",
                                         "\033[4mu\033[24m",
                                         "0123456789"};
    char *buf = malloc(len + 64);
    size_t n = 0;

    while (buf != NULL && n < len) {
        const char *p = pieces[rnd() % (sizeof pieces / sizeof *pieces)];
        size_t k = strlen(p);
        memcpy(buf + n, p, k);
        n += k;
    }
    *out_len = n;
    return buf;
}

static bool same_screen(struct render *a, struct render *b, int rows)
{
    struct render_cursor ca, cb;

    for (int row = 0; row < rows; row++) {
        const struct render_line *la, *lb;
        char *copy;
        bool same;

        if (!render_get_row(a, row, 0, &la))
            return false;
        copy = malloc(la->len + 1);
        if (copy == NULL)
            return false;
        memcpy(copy, la->text, la->len);
        if (!render_get_row(b, row, 0, &lb)) {
            free(copy);
            return false;
        }
        same = la->len == lb->len && memcmp(copy, lb->text, la->len) == 0;
        free(copy);
        if (!same) {
            fprintf(stderr, "  row %d differs\n", row);
            return false;
        }
    }
    render_get_cursor(a, &ca);
    render_get_cursor(b, &cb);
    return ca.row == cb.row && ca.col == cb.col &&
           render_sb_pushes(a) == render_sb_pushes(b);
}

/* A worker for R waking the test through a new channel *C; NULL (and
 * *C closed) on failure. */
static struct parse_worker *start(struct render *r, int quiet_ms,
                                  struct wake_chan **c)
{
    struct parse_wakeup wake;
    struct parse_worker *w;

    *c = chan_open(&wake);
    if (*c == NULL)
        return NULL;
    w = parse_worker_start(r, &wake, quiet_ms);
    if (w != NULL && !chan_started(*c)) {
        parse_worker_stop(w);
        w = NULL;
    }
    if (w == NULL) {
        chan_close(*c);
        *c = NULL;
    }
    return w;
}

/* Take everything the render core has for Emacs, as dispatch does. */
static void take_news(struct render *r)
{
    struct render_request req;
    size_t n;
    bool blink;

    render_take_output(r, &n);
    render_take_title(r);
    render_take_directory(r);
    render_take_cursor_blink(r, &blink);
    while (render_next_request(r, &req))
        ;
}

/* No channel, no worker: the caller parses on its own thread. */
TEST(start_needs_a_channel)
{
    struct render *r = make(5, 20, 10);
    struct parse_wakeup none = {.fd = -1};

    CHECK(r != NULL);
    if (r == NULL)
        return;
    CHECK(parse_worker_start(r, &none, PARSE_WORKER_QUIET_MS) == NULL);
    render_free(r);
}

TEST(same_screen_as_on_one_thread)
{
    struct render *a = make(24, 80, 500), *b = make(24, 80, 500);
    struct wake_chan *c = NULL;
    struct parse_worker *w = NULL;
    size_t len, off = 0;
    char *out = random_output(400000, &len);

    CHECK(a != NULL && b != NULL && out != NULL);
    if (b != NULL)
        w = start(b, PARSE_WORKER_QUIET_MS, &c);
    CHECK(w != NULL);
    if (w == NULL || out == NULL) {
        free(out);
        return;
    }
    render_write(a, out, len);
    /* The other in random pieces, looking at the screen now and then
     * as a redraw would. */
    while (off < len) {
        size_t n = 1 + rnd() % 5000;
        if (n > len - off)
            n = len - off;
        CHECK(parse_worker_push(w, out + off, n));
        off += n;
        if (rnd() % 8 == 0) {
            const struct render_line *l;
            parse_worker_acquire(w);
            CHECK(render_get_row(b, (int)(rnd() % 24), 0, &l));
            parse_worker_release(w);
        }
    }
    parse_worker_acquire(w);
    CHECK(same_screen(a, b, 24));
    parse_worker_release(w);
    parse_worker_stop(w);
    chan_close(c);
    render_free(a);
    render_free(b);
    free(out);
}

/* Quiet times for the tests: one that never ends within a test, and
 * one long enough that the test's own steps (a push, then a hold) come
 * well within it on a loaded machine. */
enum { QUIET_NEVER_MS = 600000, QUIET_TEST_MS = 300 };

/* A worker for a new 5x20 terminal *R whose own news (the cursor's
 * blinking, from its reset) is taken; NULL on failure. */
static struct parse_worker *start_quiet(struct render **r, struct wake_chan **c,
                                        int quiet_ms)
{
    struct parse_worker *w;

    *r = make(5, 20, 10);
    if (*r == NULL)
        return NULL;
    w = start(*r, quiet_ms, c);
    if (w == NULL)
        return NULL;
    parse_worker_acquire(w);
    take_news(*r);
    parse_worker_release(w);
    return w;
}

TEST(only_news_wakes_emacs)
{
    struct render *r;
    struct wake_chan *c;
    /* The output's end is output_that_stops_wakes_emacs's business. */
    struct parse_worker *w = start_quiet(&r, &c, QUIET_NEVER_MS);

    CHECK(w != NULL);
    if (w == NULL)
        return;
    /* Plain text, drawn (a redraw waits for the queue anyway): nothing
     * for Emacs to take, no wake-up. */
    CHECK(parse_worker_push(w, "plain text\r\n", 12));
    parse_worker_acquire(w); /* drained */
    parse_worker_drawn(w);
    parse_worker_release(w);
    CHECK(!chan_readable(c, 200));
    /* A title is news. */
    CHECK(parse_worker_push(w, "\033]2;t\007", 6));
    CHECK(chan_readable(c, 10000));
    CHECK(chan_read_byte(c));
    /* One byte until Emacs says it woke, whatever comes meanwhile. */
    CHECK(parse_worker_push(w, "\033[c", 3)); /* a reply */
    parse_worker_acquire(w);
    CHECK(render_has_news(r));
    parse_worker_release(w);
    CHECK(!chan_readable(c, 200));
    parse_worker_woken(w);
    parse_worker_acquire(w);
    CHECK(render_take_title(r) != NULL);
    {
        size_t n;
        render_take_output(r, &n);
        CHECK(n > 0);
    }
    take_news(r);
    CHECK(!render_has_news(r));
    parse_worker_release(w);
    CHECK(parse_worker_push(w, "\033]2;u\007", 6));
    CHECK(chan_readable(c, 10000));
    parse_worker_stop(w);
    chan_close(c);
    render_free(r);
}

/* Output that stops with some of it undrawn wakes Emacs to draw it. */
TEST(output_that_stops_wakes_emacs)
{
    struct render *r;
    struct wake_chan *c;
    struct parse_worker *w = start_quiet(&r, &c, QUIET_TEST_MS);

    CHECK(w != NULL);
    if (w == NULL)
        return;
    CHECK(!parse_worker_woken(w));
    /* Parsed, not drawn, nothing more: a wake-up that says so. */
    CHECK(parse_worker_push(w, "plain text\r\n", 12));
    CHECK(chan_readable(c, 10000));
    CHECK(chan_read_byte(c));
    CHECK(parse_worker_woken(w));
    CHECK(!parse_worker_woken(w)); /* once */
    /* While Emacs holds the core, the output has not stopped for it:
     * no wake-up however long the hold. */
    CHECK(parse_worker_push(w, "more\r\n", 6));
    parse_worker_acquire(w);
    CHECK(!chan_readable(c, 3 * QUIET_TEST_MS));
    parse_worker_release(w);
    /* Released undrawn: the quiet time runs again, and ends. */
    CHECK(chan_readable(c, 10000));
    CHECK(chan_read_byte(c));
    CHECK(parse_worker_woken(w));
    /* News and the output's end in one wake-up byte: both known. */
    CHECK(parse_worker_push(w, "\033]2;t\007", 6));
    CHECK(chan_readable(c, 10000));
    CHECK(chan_read_byte(c));
    parse_worker_acquire(w);
    CHECK(render_take_title(r) != NULL);
    parse_worker_release(w);
    {
        /* The quiet wake-up comes later, or found the byte pending. */
        int ms = 0;
        bool quiet = false;
        while (!quiet && ms < 10000) {
            if (chan_readable(c, 50))
                CHECK(chan_read_byte(c));
            quiet = parse_worker_woken(w);
            ms += 50;
        }
        CHECK(quiet);
    }
    parse_worker_stop(w);
    chan_close(c);
    render_free(r);
}

TEST(push_while_held_does_not_wait)
{
    struct render *r = make(5, 20, 10);
    struct wake_chan *c = NULL;
    struct parse_worker *w = NULL;
    size_t len;
    char *out = random_output(1 << 20, &len); /* past the queue bound */

    CHECK(r != NULL && out != NULL);
    if (r != NULL)
        w = start(r, PARSE_WORKER_QUIET_MS, &c);
    CHECK(w != NULL);
    if (w == NULL || out == NULL) {
        free(out);
        return;
    }
    parse_worker_acquire(w);
    parse_worker_acquire(w); /* nested, as a timer inside a held call */
    CHECK(parse_worker_push(w, out, len));
    CHECK(parse_worker_push(w, "x", 1));
    parse_worker_release(w);
    parse_worker_release(w);
    parse_worker_acquire(w); /* everything parsed now */
    CHECK(render_sb_pushes(r) > 0);
    parse_worker_release(w);
    parse_worker_stop(w);
    chan_close(c);
    render_free(r);
    free(out);
}

TEST(stop_with_output_queued)
{
    struct render *r = make(5, 20, 10);
    struct wake_chan *c = NULL;
    struct parse_worker *w = NULL;
    size_t len;
    char *out = random_output(200000, &len);

    CHECK(r != NULL && out != NULL);
    if (r != NULL)
        w = start(r, PARSE_WORKER_QUIET_MS, &c);
    CHECK(w != NULL);
    if (w != NULL && out != NULL) {
        for (int i = 0; i < 20; i++)
            CHECK(parse_worker_push(w, out, len / 20));
        parse_worker_stop(w);
        /* Its end is closed: the test's end sees the end. */
        CHECK(chan_at_end(c));
    }
    chan_close(c);
    render_free(r);
    free(out);
}

/* parse_worker_finish parses everything queued before the worker goes:
 * the core then shows what one parsed on Emacs's thread does. */
TEST(finish_parses_what_is_queued)
{
    struct render *r = make(5, 20, 10), *ref = make(5, 20, 10);
    struct wake_chan *c = NULL;
    struct parse_worker *w = NULL;
    size_t len;
    char *out = random_output(200000, &len);

    CHECK(r != NULL && ref != NULL && out != NULL);
    if (r != NULL)
        w = start(r, PARSE_WORKER_QUIET_MS, &c);
    CHECK(w != NULL);
    if (w != NULL && out != NULL && ref != NULL) {
        for (int i = 0; i < 20; i++)
            CHECK(parse_worker_push(w, out + i * (len / 20), len / 20));
        parse_worker_finish(w);
        render_write(ref, out, 20 * (len / 20));
        CHECK(same_screen(r, ref, 5));
        CHECK(chan_at_end(c));
    }
    chan_close(c);
    render_free(r);
    render_free(ref);
    free(out);
}

/* Busy while a wake-up may come without more output; once not, the
 * bytes it wrote are in the channel (Emacs drains it then). */
TEST(not_busy_means_every_byte_written)
{
    struct render *r;
    struct wake_chan *c;
    struct parse_worker *w = start_quiet(&r, &c, QUIET_TEST_MS);
    int ms = 0;

    CHECK(w != NULL);
    if (w == NULL)
        return;
    CHECK(!parse_worker_busy(w));
    CHECK(parse_worker_push(w, "plain text\r\n", 12));
    CHECK(parse_worker_busy(w)); /* queued, parsing or undrawn */
    while (parse_worker_busy(w) && ms < 10000) {
        chan_sleep_ms(10);
        ms += 10;
    }
    CHECK(!parse_worker_busy(w));
    /* The quiet time's wake-up is there already. */
    CHECK(chan_readable(c, 0));
    CHECK(chan_read_byte(c));
    CHECK(parse_worker_woken(w));
    /* Drawn output: nothing more to come. */
    CHECK(parse_worker_push(w, "more\r\n", 6));
    parse_worker_acquire(w);
    parse_worker_drawn(w);
    parse_worker_release(w);
    CHECK(!parse_worker_busy(w));
    CHECK(!chan_readable(c, 2 * QUIET_TEST_MS));
    parse_worker_stop(w);
    chan_close(c);
    render_free(r);
}

int main(void)
{
    RUN(start_needs_a_channel);
    RUN(same_screen_as_on_one_thread);
    RUN(only_news_wakes_emacs);
    RUN(output_that_stops_wakes_emacs);
    RUN(push_while_held_does_not_wait);
    RUN(stop_with_output_queued);
    RUN(finish_parses_what_is_queued);
    RUN(not_busy_means_every_byte_written);
    return check_end(WORKER_SUITE);
}

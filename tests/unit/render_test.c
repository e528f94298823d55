/* render_test.c -- the render core (module/render.c) against the libvterm
 * it is built with: bytes in, rows, runs, cursor, scrollback and output
 * out.  Built twice (tests/unit/render.mk): against the system libvterm
 * (0.1.4 on Debian 12) and against 0.3.3; RENDER_SUITE names the suite. */
#include <string.h>

#include "../lib/check.h"
#include "render.h"
#include "render_inspect.h"
#include "unseen.h"

#ifdef RENDER_HAVE_REFLOW
#define HAVE_REFLOW true
#else
#define HAVE_REFLOW false
#endif

#ifndef RENDER_SUITE
#error "RENDER_SUITE must name the suite"
#endif

static struct render *make(int rows, int cols, int sb)
{
    struct render_options opt = {rows, cols, sb};
    return render_new(&opt);
}

static void put(struct render *r, const char *s)
{
    render_write(r, s, strlen(s));
}

/* Row ROW's text compared with WANT (trailing blanks trimmed). */
static bool row_is(struct render *r, int row, const char *want)
{
    const struct render_line *line;

    if (!render_get_row(r, row, 0, &line))
        return false;
    if (line->len != strlen(want) || memcmp(line->text, want, line->len)) {
        fprintf(stderr, "  row %d: \"%.*s\", want \"%s\"\n", row,
                (int)line->len, line->text, want);
        return false;
    }
    return true;
}

static const struct render_line *row(struct render *r, int n)
{
    const struct render_line *line = NULL;

    render_get_row(r, n, 0, &line);
    return line;
}

static bool output_is(struct render *r, const char *want)
{
    size_t len;
    const char *out = render_take_output(r, &len);

    return len == strlen(want) && memcmp(out, want, len) == 0;
}

static bool cursor_at(struct render *r, int crow, int ccol)
{
    struct render_cursor c;

    render_get_cursor(r, &c);
    return c.row == crow && c.col == ccol;
}

static bool run_text(const struct render_line *line, int i, const char *want)
{
    return line != NULL && i < line->nruns &&
           line->runs[i].len == strlen(want) &&
           memcmp(line->text + line->runs[i].off, want, line->runs[i].len) == 0;
}

TEST(plain_text_and_cursor)
{
    struct render *r = make(4, 20, 100);

    put(r, "hello\r\nworld");
    CHECK(row_is(r, 0, "hello"));
    CHECK(row_is(r, 1, "world"));
    CHECK(row_is(r, 2, ""));
    CHECK(cursor_at(r, 1, 5));
    CHECK(row(r, 0)->nruns == 1);
    CHECK(row(r, 0)->runs[0].chars == 5);
    CHECK(row(r, 0)->runs[0].cols == 5);
    render_free(r);
}

TEST(runs_split_on_attribute_changes)
{
    struct render *r = make(2, 20, 0);
    const struct render_line *l;

    put(r, "a\033[1;31mbc\033[0m-d");
    l = row(r, 0);
    CHECK(l != NULL && l->nruns == 3);
    CHECK(run_text(l, 0, "a"));
    CHECK(run_text(l, 1, "bc"));
    CHECK(run_text(l, 2, "-d"));
    CHECK(l->runs[0].attrs.fg.kind == RENDER_COLOR_DEFAULT);
    CHECK(!l->runs[0].attrs.bold);
    CHECK(l->runs[1].attrs.bold);
    CHECK(l->runs[1].attrs.fg.kind == RENDER_COLOR_INDEXED);
    CHECK(l->runs[1].attrs.fg.idx == 1);
    CHECK(l->runs[1].attrs.bg.kind == RENDER_COLOR_DEFAULT);
    CHECK(!l->runs[2].attrs.bold);
    render_free(r);
}

/* A blank that draws the same as the run before it joins that run. */
TEST(blanks_join_the_run_they_look_like)
{
    static const struct {
        const char *input;
        const char *runs[3];
    } cases[] = {
        /* Only the foreground or bold differs: nothing a blank shows. */
        {"\033[31mab\033[0m c", {"ab ", "c"}},
        {"\033[1;32mab\033[0m   c", {"ab   ", "c"}},
        {"\033[3;33mab\033[0;1m c", {"ab ", "c"}},
        /* Reverse video shows the foreground as background. */
        {"\033[7mab\033[0m c", {"ab", " c"}},
        {"\033[31mab\033[0;7m c", {"ab", " c"}},
        /* Background, underline and strike-through show on a blank. */
        {"\033[31mab\033[0;44m c", {"ab", " c"}},
        {"\033[4mab\033[0m c", {"ab", " c"}},
        {"\033[9mab\033[0m c", {"ab", " c"}},
        {"\033[31mab\033[0;4m c", {"ab", " c"}},
        /* Only blanks join: a letter starts its own run. */
        {"\033[31mab\033[0mc d", {"ab", "c d"}},
    };
    size_t i;
    int j;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct render *r = make(2, 20, 0);
        const struct render_line *l;
        int want = 0;

        put(r, cases[i].input);
        l = row(r, 0);
        while (want < 3 && cases[i].runs[want] != NULL)
            want++;
        CHECK(l != NULL && l->nruns == want);
        for (j = 0; l != NULL && j < want && j < l->nruns; j++)
            CHECK(run_text(l, j, cases[i].runs[j]));
        if (l == NULL || l->nruns != want ||
            (want > 0 && !run_text(l, 0, cases[i].runs[0])))
            fprintf(stderr, "  case %zu: %s\n", i, cases[i].input + 1);
        /* The letter after a joined blank keeps its own attributes. */
        if (l != NULL && i == 0 && l->nruns == 2) {
            CHECK(l->runs[0].attrs.fg.kind == RENDER_COLOR_INDEXED);
            CHECK(l->runs[1].attrs.fg.kind == RENDER_COLOR_DEFAULT);
        }
        render_free(r);
    }
}

/* libvterm hands the scrollback a reused buffer of cells and copies a
 * cell's characters only up to the first 0: an empty cell there keeps
 * the combining mark an earlier line had in that column.  Such a blank
 * still joins the run it looks like. */
TEST(blank_under_an_old_combining_mark_joins_the_run)
{
    struct render *r = make(2, 10, 10);
    const struct render_line *l;

    put(r, "\033[5Ge\xcc\x81\r\n\r\n");
    put(r, "\033[44m\033[K\033[1mab\033[0m\r\n\r\n");
    CHECK(render_sb_pending(r) == 3);
    l = render_sb_pending_line(r, 2);
    CHECK(l != NULL && l->nruns == 1 && l->runs[0].attrs.bold);
    render_free(r);
}

TEST(every_attribute)
{
    struct render *r = make(2, 20, 0);
    const struct render_line *l;

    put(r, "\033[3mi\033[0m\033[4mu\033[0m\033[9ms\033[0m\033[7mr\033[0m"
           "\033[5mb\033[0m\033[4:3mc\033[0m\033[21md");
    l = row(r, 0);
    CHECK(l != NULL && l->nruns == 7);
    if (l == NULL || l->nruns != 7)
        return;
    CHECK(l->runs[0].attrs.italic);
    CHECK(l->runs[1].attrs.underline == 1);
    CHECK(l->runs[2].attrs.strike);
    CHECK(l->runs[3].attrs.reverse);
    CHECK(l->runs[4].attrs.blink);
    CHECK(l->runs[5].attrs.underline == 3);
    CHECK(l->runs[6].attrs.underline == 2);
    render_free(r);
}

TEST(colours_indexed_palette_and_truecolour)
{
    struct render *r = make(2, 20, 0);
    const struct render_line *l;

    put(r, "\033[94ma\033[38;5;196mb\033[38;2;1;2;3mc\033[0;44md");
    l = row(r, 0);
    CHECK(l != NULL && l->nruns == 4);
    if (l == NULL || l->nruns != 4)
        return;
    CHECK(l->runs[0].attrs.fg.kind == RENDER_COLOR_INDEXED);
    CHECK(l->runs[0].attrs.fg.idx == 12);
    /* Palette entries past 15 are plain colours: 196 is pure red. */
    CHECK(l->runs[1].attrs.fg.kind == RENDER_COLOR_RGB);
    CHECK(l->runs[1].attrs.fg.r == 255 && l->runs[1].attrs.fg.g == 0 &&
          l->runs[1].attrs.fg.b == 0);
    CHECK(l->runs[2].attrs.fg.kind == RENDER_COLOR_RGB);
    CHECK(l->runs[2].attrs.fg.r == 1 && l->runs[2].attrs.fg.g == 2 &&
          l->runs[2].attrs.fg.b == 3);
    CHECK(l->runs[3].attrs.fg.kind == RENDER_COLOR_DEFAULT);
    CHECK(l->runs[3].attrs.bg.kind == RENDER_COLOR_INDEXED);
    CHECK(l->runs[3].attrs.bg.idx == 4);
    render_free(r);
}

TEST(trailing_blanks_trimmed_but_not_coloured_ones)
{
    struct render *r = make(3, 20, 0);
    const struct render_line *l;

    put(r, "ab   \r\n\033[41m  \033[0m\r\nx");
    CHECK(row_is(r, 0, "ab"));
    l = row(r, 1);
    CHECK(l != NULL && l->len == 2 && l->nruns == 1);
    CHECK(l != NULL && l->runs[0].attrs.bg.kind == RENDER_COLOR_INDEXED);
    /* The cursor's row keeps blanks up to the cursor. */
    CHECK(render_get_row(r, 0, 5, &l) && l->len == 5 && l->cols == 5);
    render_free(r);
}

TEST(cursor_visibility)
{
    struct render *r = make(2, 10, 0);
    struct render_cursor c;

    render_get_cursor(r, &c);
    CHECK(c.visible);
    put(r, "\033[?25l");
    render_get_cursor(r, &c);
    CHECK(!c.visible);
    put(r, "\033[?25h");
    render_get_cursor(r, &c);
    CHECK(c.visible);
    render_free(r);
}

TEST(wide_characters)
{
    struct render *r = make(2, 10, 0);
    const struct render_line *l;

    put(r, "\xe4\xb8\xad\xe6\x96\x87x");
    l = row(r, 0);
    CHECK(row_is(r, 0, "\xe4\xb8\xad\xe6\x96\x87x"));
    CHECK(l != NULL && l->runs[0].chars == 3 && l->runs[0].cols == 5);
    CHECK(cursor_at(r, 0, 5));
    CHECK(render_chars_before(r, 0, 5) == 3);
    CHECK(render_chars_before(r, 0, 2) == 1);
    render_free(r);
}

TEST(combining_characters)
{
    struct render *r = make(2, 10, 0);
    const struct render_line *l;

    put(r, "e\xcc\x81x");
    l = row(r, 0);
    CHECK(row_is(r, 0, "e\xcc\x81x"));
    CHECK(l != NULL && l->runs[0].chars == 3 && l->runs[0].cols == 2);
    CHECK(cursor_at(r, 0, 2));
    CHECK(render_chars_before(r, 0, 2) == 3);
    render_free(r);
}

TEST(utf8_split_across_writes)
{
    struct render *r = make(2, 10, 0);

    put(r, "a\xe4");
    put(r, "\xb8");
    put(r, "\xad"
           "b");
    CHECK(row_is(r, 0,
                 "a\xe4\xb8\xad"
                 "b"));
    CHECK(cursor_at(r, 0, 4));
    render_free(r);
}

TEST(escape_sequence_split_across_writes)
{
    struct render *r = make(2, 10, 0);
    const struct render_line *l;

    put(r, "\033");
    put(r, "[3");
    put(r, "1mR\033[");
    put(r, "0mN");
    l = row(r, 0);
    CHECK(row_is(r, 0, "RN"));
    CHECK(l != NULL && l->nruns == 2);
    CHECK(l != NULL && l->runs[0].attrs.fg.kind == RENDER_COLOR_INDEXED &&
          l->runs[0].attrs.fg.idx == 1);
    render_free(r);
}

TEST(scrollback_push_and_pending)
{
    struct render *r = make(3, 10, 100);
    const struct render_line *l;

    put(r, "l1\r\nl2\r\nl3\r\nl4\r\nl5");
    CHECK(render_sb_pushes(r) == 2);
    CHECK(render_sb_count(r) == 2);
    CHECK(render_sb_pending(r) == 2);
    l = render_sb_pending_line(r, 0);
    CHECK(l != NULL && l->len == 2 && memcmp(l->text, "l1", 2) == 0);
    l = render_sb_pending_line(r, 1);
    CHECK(l != NULL && l->len == 2 && memcmp(l->text, "l2", 2) == 0);
    CHECK(row_is(r, 0, "l3"));
    CHECK(row_is(r, 2, "l5"));
    render_sb_taken(r);
    CHECK(render_sb_pending(r) == 0);
    put(r, "\r\nl6");
    CHECK(render_sb_pending(r) == 1);
    l = render_sb_pending_line(r, 0);
    CHECK(l != NULL && l->len == 2 && memcmp(l->text, "l3", 2) == 0);
    render_free(r);
}

TEST(scrollback_limit_evicts_and_never_shows_trimmed_lines)
{
    struct render *r = make(2, 10, 2);
    const struct render_line *l;

    put(r, "a\r\nb\r\nc\r\nd\r\ne\r\nf");
    CHECK(render_sb_pushes(r) == 4);
    CHECK(render_sb_count(r) == 2);
    /* a and b fell off before any redraw: never pending, not evicted. */
    CHECK(render_sb_pending(r) == 2);
    CHECK(render_sb_evicted(r) == 0);
    l = render_sb_pending_line(r, 0);
    CHECK(l != NULL && l->len == 1 && l->text[0] == 'c');
    render_sb_taken(r);
    put(r, "\r\ng");
    CHECK(render_sb_evicted(r) == 1);
    CHECK(render_sb_pending(r) == 1);
    CHECK(render_sb_count(r) == 2);
    render_free(r);
}

TEST(scrollback_pops_back_when_screen_grows)
{
    struct render *r = make(2, 10, 100);
    const struct render_line *l;

    put(r, "\033[31ml1\033[0m\r\n\xe4\xb8\xad"
           "2\r\nl3\r\nl4");
    CHECK(render_sb_count(r) == 2);
    render_sb_taken(r);
    render_resize(r, 4, 10);
    CHECK(render_sb_count(r) == 0);
    CHECK(render_sb_popped(r) == 2);
    CHECK(render_sb_pending(r) == 0);
    CHECK(row_is(r, 0, "l1"));
    CHECK(row_is(r, 1,
                 "\xe4\xb8\xad"
                 "2"));
    CHECK(row_is(r, 2, "l3"));
    CHECK(row_is(r, 3, "l4"));
    l = row(r, 0);
    CHECK(l != NULL && l->runs[0].attrs.fg.kind == RENDER_COLOR_INDEXED &&
          l->runs[0].attrs.fg.idx == 1);
    l = row(r, 1);
    CHECK(l != NULL && l->cols == 3);
    CHECK(cursor_at(r, 3, 2));
    render_free(r);
}

TEST(pending_lines_pop_before_shown_ones)
{
    struct render *r = make(2, 10, 100);

    put(r, "a\r\nb\r\nc");
    render_sb_taken(r); /* "a" shown */
    put(r, "\r\nd");    /* "b" pending */
    render_resize(r, 4, 10);
    CHECK(render_sb_pending(r) == 0);
    CHECK(render_sb_popped(r) == 1);
    CHECK(row_is(r, 0, "a"));
    render_free(r);
}

TEST(resize_changes_size_and_marks_dirty)
{
    struct render *r = make(3, 10, 100);
    int rows, cols;

    put(r, "abcdefghij\r\n12345");
    render_clear_dirty(r);
    render_resize(r, 3, 5);
    render_get_size(r, &rows, &cols);
    CHECK(rows == 3 && cols == 5);
    CHECK(render_row_dirty(r, 0) && render_row_dirty(r, 2));
#ifdef RENDER_HAVE_REFLOW
    /* 0.3 reflows the long line onto two rows. */
    CHECK(row_is(r, 0, "abcde"));
    CHECK(row_is(r, 1, "fghij"));
    CHECK(row_is(r, 2, "12345"));
    CHECK(row(r, 0)->wrapped);
#else
    CHECK(row_is(r, 0, "abcde"));
    CHECK(row_is(r, 1, "12345"));
#endif
    render_free(r);
}

/* libvterm 0.3.3's reflow reads before its buffer when the top row
 * continues a line in the scrollback, and abort()s when the cursor's line
 * would not fit; render_resize steers around both (valgrind watches). */
TEST(resize_survives_libvterm_reflow_bugs)
{
    struct render *r = make(3, 5, 10);
    int rows, cols;

    put(r, "abcdefgh\r\n\r\n");
    render_resize(r, 4, 4);
    render_get_size(r, &rows, &cols);
    CHECK(rows == 4 && cols == 4);
    render_free(r);

    r = make(5, 12, 10);
    put(r, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    render_resize(r, 5, 7);
    render_get_size(r, &rows, &cols);
    CHECK(rows == 5 && cols == 7);
    render_free(r);

    /* Stale rows of the alternate screen are resized too. */
    r = make(3, 5, 10);
    put(r, "\033[?1049habcdefgh\r\n\r\n\033[?1049l");
    render_resize(r, 4, 4);
    render_get_size(r, &rows, &cols);
    CHECK(rows == 4 && cols == 4);
    render_free(r);
}

TEST(never_narrower_than_two_columns)
{
    struct render *r = make(3, 1, 0);
    int rows, cols;

    render_get_size(r, &rows, &cols);
    CHECK(cols == 2);
    /* A wide character in one column crashes libvterm. */
    put(r, "\xe4\xb8\xad\xe4\xb8\xad");
    CHECK(row_is(r, 0, "\xe4\xb8\xad"));
    render_resize(r, 3, 1);
    render_get_size(r, &rows, &cols);
    CHECK(cols == 2);
    put(r, "\xe4\xb8\xad");
    render_free(r);
}

/* REP (CSI Ps b) is expanded by the render core: libvterm crashes
 * repeating a wide character into the last column. */
TEST(rep_repeats_the_last_character)
{
    struct render *r = make(3, 12, 0);

    put(r, "ab\033[3bc");
    CHECK(row_is(r, 0, "abbbbc"));
    put(r, "\r\n\xe4\xb8\xad\033[");
    put(r, "2b");
    CHECK(row_is(r, 1, "\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad"));
    /* Other CSI sequences still work, split or not. */
    put(r, "\r\n\033[31");
    put(r, "mR\033[0m\033[?25l");
    CHECK(row(r, 2)->runs[0].attrs.fg.kind == RENDER_COLOR_INDEXED);
    render_free(r);

    r = make(3, 12, 0);
    put(r, "xxxxxxxxx\xe4\xb8\xad\033[1b");
    CHECK(row_is(r, 0, "xxxxxxxxx\xe4\xb8\xad"));
    CHECK(row_is(r, 1, "\xe4\xb8\xad"));
    put(r, "\033[1;5b"); /* the first parameter counts */
    CHECK(row_is(r, 1, "\xe4\xb8\xad\xe4\xb8\xad"));
    render_free(r);
}

/* Text runs pass the input guard in one step (text_run): REP still
 * repeats the last character of the run, whatever its length, and a
 * character cut between two writes. */
TEST(rep_repeats_the_end_of_a_utf8_run)
{
    struct render *r = make(4, 12, 0);

    put(r, "a\xf0\x9f\x98\x80\033[2b"); /* U+1F600, 4 bytes */
    CHECK(row_is(r, 0, "a\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"));
    put(r, "\r\n\xe4\xb8\xadz\033[1b"); /* ASCII ends the run */
    CHECK(row_is(r, 1, "\xe4\xb8\xadzz"));
    put(r, "\r\nb\xe4\xb8");
    put(r, "\xad\033[1b");
    CHECK(row_is(r, 2, "b\xe4\xb8\xad\xe4\xb8\xad"));
    render_free(r);
}

TEST(damage_marks_only_touched_rows)
{
    struct render *r = make(4, 10, 0);

    put(r, "x");
    render_clear_dirty(r);
    put(r, "\033[3;1Hy");
    CHECK(!render_row_dirty(r, 0));
    CHECK(!render_row_dirty(r, 1));
    CHECK(render_row_dirty(r, 2));
    CHECK(!render_row_dirty(r, 3));
    render_free(r);
}

TEST(wrapped_line_is_marked)
{
    struct render *r = make(3, 5, 0);

    put(r, "abcdefg\r\nxy");
    CHECK(row_is(r, 0, "abcde"));
    CHECK(row(r, 0)->wrapped);
    CHECK(!row(r, 1)->wrapped);
    CHECK(!row(r, 2)->wrapped);
    render_free(r);
}

/* Scrollback lines keep their wrap marks: copy mode joins them.  A line
 * exactly as wide as the screen did not wrap; libvterm 0.1.4 does not
 * say, and a full row there counts as wrapped. */
TEST(scrollback_lines_keep_wrap_marks)
{
    struct render *r = make(2, 5, 100);
    const struct render_line *l;
    /* Pushed in order: "abcde" (wraps), "fg", "12345" (full, no wrap),
     * "vwxyz" (wraps, pushed while the screen scrolls by one), "0". */
    const bool wraps[] = {true, false, HAVE_REFLOW ? false : true, true, false};
    const char *texts[] = {"abcde", "fg", "12345", "vwxyz", "0"};
    int i;

    put(r, "abcdefg\r\n12345\r\nvwxyz0\r\nlast\r\n");
    CHECK(render_sb_pending(r) == 5);
    for (i = 0; i < 5 && i < render_sb_pending(r); i++) {
        l = render_sb_pending_line(r, i);
        CHECK(l != NULL && l->len == strlen(texts[i]) &&
              memcmp(l->text, texts[i], l->len) == 0);
        if (l != NULL && l->wrapped != wraps[i]) {
            fprintf(stderr, "  line %d (%s): wrapped %d\n", i, texts[i],
                    l->wrapped);
            CHECK(l->wrapped == wraps[i]);
        }
    }
    render_free(r);

    /* The same when the raw pool is full and lines are built as they
     * are pushed (thousands of lines between two redraws). */
    r = make(2, 5, 40000);
    for (i = 0; i < 11000; i++)
        put(r, "12345\r\nabcdefg\r\n");
    CHECK(render_sb_pending(r) == 3 * 11000 - 1); /* "fg" stays on screen */
    for (i = 0; i < render_sb_pending(r); i++) {
        l = render_sb_pending_line(r, i);
        if (l == NULL ||
            l->wrapped != (i % 3 == 0 ? !HAVE_REFLOW : i % 3 == 1)) {
            fprintf(stderr, "  line %d: wrong wrap mark\n", i);
            CHECK(false);
            break;
        }
    }
    render_free(r);
}

TEST(device_attribute_and_cursor_reports)
{
    struct render *r = make(5, 10, 0);

    put(r, "\033[c");
    CHECK(output_is(r, "\033[?1;2c"));
    CHECK(output_is(r, ""));
    put(r, "\033[3;4H\033[6n");
    CHECK(output_is(r, "\033[3;4R"));
    render_free(r);
}

TEST(synchronized_output)
{
    struct render *r = make(5, 10, 0);
    struct render_cursor c;

    CHECK(!render_synchronized(r));
    put(r, "\033[?2026$p");
    CHECK(output_is(r, "\033[?2026;2$y")); /* known, reset */
    put(r, "\033[?2026h");
    CHECK(render_synchronized(r));
    /* The answer comes in order with libvterm's own. */
    put(r, "\033[c\033[?2026$p\033[6n");
    CHECK(output_is(r, "\033[?1;2c\033[?2026;1$y\033[1;1R"));
    put(r, "ab\033[?2026l");
    CHECK(!render_synchronized(r));
    CHECK(row_is(r, 0, "ab"));
    /* With other modes in the same CSI: they still apply. */
    put(r, "\033[?25;2026l\033[?2026;25h");
    render_get_cursor(r, &c);
    CHECK(c.visible && render_synchronized(r));
    put(r, "\033[?2026l\033[?2026;25l");
    render_get_cursor(r, &c);
    CHECK(!c.visible && !render_synchronized(r));
    /* A reset ends it. */
    put(r, "\033[?2026h\033c");
    CHECK(!render_synchronized(r));
    render_free(r);
}

TEST(keys_are_encoded)
{
    struct render *r = make(2, 10, 0);

    render_key(r, VTERM_KEY_UP, VTERM_MOD_NONE);
    CHECK(output_is(r, "\033[A"));
    render_key(r, VTERM_KEY_ENTER, VTERM_MOD_NONE);
    CHECK(output_is(r, "\r"));
    render_unichar(r, 'c', VTERM_MOD_CTRL);
    CHECK(output_is(r, "\003"));
    render_unichar(r, 'x', VTERM_MOD_ALT);
    CHECK(output_is(r, "\033x"));
    render_key(r, VTERM_KEY_FUNCTION(1), VTERM_MOD_NONE);
    CHECK(output_is(r, "\033OP"));
    /* Application cursor keys (DECCKM) change the encoding. */
    put(r, "\033[?1h");
    render_key(r, VTERM_KEY_UP, VTERM_MOD_NONE);
    CHECK(output_is(r, "\033OA"));
    render_free(r);
}

TEST(bracketed_paste_only_when_enabled)
{
    struct render *r = make(2, 10, 0);

    render_paste(r, "hi", 2);
    CHECK(output_is(r, "hi"));
    put(r, "\033[?2004h");
    render_paste(r, "hi", 2);
    CHECK(output_is(r, "\033[200~hi\033[201~"));
    render_free(r);
}

TEST(title)
{
    struct render *r = make(2, 10, 0);
    const char *t;

    put(r, "\033]2;hello\007");
    t = render_take_title(r);
    CHECK(t != NULL && strcmp(t, "hello") == 0);
    CHECK(render_take_title(r) == NULL);
    put(r, "\033]0;sp");
    put(r, "lit\033\\");
    t = render_take_title(r);
    CHECK(t != NULL && strcmp(t, "split") == 0);
    render_free(r);
}

TEST(cursor_shape)
{
    struct render *r = make(2, 10, 0);
    enum render_cursor_shape shape;

    /* The terminal starts with a block: nothing changed. */
    put(r, "x");
    CHECK(!render_take_cursor_shape(r, &shape));
    put(r, "\033[6 q"); /* steady bar */
    CHECK(render_has_news(r));
    CHECK(render_take_cursor_shape(r, &shape) && shape == RENDER_CURSOR_BAR);
    CHECK(!render_take_cursor_shape(r, &shape));
    put(r, "\033[5 q"); /* blinking bar: the shape is the same */
    CHECK(!render_take_cursor_shape(r, &shape));
    put(r, "\033[4 q");
    CHECK(render_take_cursor_shape(r, &shape) &&
          shape == RENDER_CURSOR_UNDERLINE);
    put(r, "\033[3 q\033[0 q"); /* two changes: the last counts */
    CHECK(render_take_cursor_shape(r, &shape) && shape == RENDER_CURSOR_BLOCK);
    put(r, "\033[6 q\033c"); /* a reset brings the block back */
    CHECK(render_take_cursor_shape(r, &shape) && shape == RENDER_CURSOR_BLOCK);
    render_free(r);
}

TEST(directory_tracking)
{
    struct render *r = make(2, 10, 0);
    const char *d;

    put(r, "\033]7;file://host/tmp\007");
    d = render_take_directory(r);
    CHECK(d != NULL && strcmp(d, "file://host/tmp") == 0);
    CHECK(render_take_directory(r) == NULL);
    put(r, "\033]51;Auser@host:/home/u\033\\");
    d = render_take_directory(r);
    CHECK(d != NULL && strcmp(d, "user@host:/home/u") == 0);
    CHECK(render_directory(r) != NULL &&
          strcmp(render_directory(r), "user@host:/home/u") == 0);
    /* Other OSC 51 commands are not directories. */
    put(r, "\033]51;Efoo\007");
    CHECK(render_take_directory(r) == NULL);
    render_free(r);
}

TEST(directory_split_across_writes)
{
    struct render *r = make(2, 10, 0);
    const char *d;

    put(r, "\033]7;file://ho");
    put(r, "st/var/lo");
    put(r, "g\007");
    d = render_take_directory(r);
    CHECK(d != NULL && strcmp(d, "file://host/var/log") == 0);
    /* Split right after the ESC that starts it. */
    put(r, "\033");
    put(r, "]7;file://h/x\007");
    d = render_take_directory(r);
    CHECK(d != NULL && strcmp(d, "file://h/x") == 0);
    render_free(r);
}

TEST(text_around_split_strings_is_kept)
{
    struct render *r = make(2, 20, 0);
    const char *t;

    put(r, "ab\033");
    put(r, "[1mc\033[0md\033]2;ti");
    put(r, "tle\007e\033");
    put(r, "\\f");
    CHECK(row_is(r, 0, "abcdef"));
    CHECK(row(r, 0)->nruns == 3);
    t = render_take_title(r);
    CHECK(t != NULL && strcmp(t, "title") == 0);
    render_free(r);
}

TEST(alternate_screen_keeps_scrollback_out)
{
    struct render *r = make(2, 10, 100);

    put(r, "main");
    put(r, "\033[?1049h");
    CHECK(render_altscreen(r));
    put(r, "a\r\nb\r\nc\r\nd");
    CHECK(render_sb_pushes(r) == 0);
    put(r, "\033[?1049l");
    CHECK(!render_altscreen(r));
    CHECK(row_is(r, 0, "main"));
    render_free(r);
}

#ifdef RENDER_HAVE_SB_CLEAR
TEST(csi_3j_clears_scrollback)
{
    struct render *r = make(2, 10, 100);

    put(r, "a\r\nb\r\nc\r\nd");
    render_sb_taken(r);
    CHECK(render_sb_count(r) == 2);
    put(r, "\033[3J");
    CHECK(render_sb_count(r) == 0);
    CHECK(render_sb_evicted(r) == 2);
    render_free(r);
}
#endif

TEST(eval_and_selection_requests)
{
    struct render *r = make(2, 10, 0);
    struct render_request req;

    CHECK(!render_next_request(r, &req));
    put(r, "\033]51;Efind-file \"/tmp\"\007");
    put(r, "\033]52;c;aGVs");
    put(r, "bG8=\033\\");
    put(r, "\033]52;c;?\007"); /* a query: never queued */
    CHECK(render_next_request(r, &req));
    CHECK(req.kind == RENDER_REQ_EVAL);
    CHECK(req.data_len == 16 && strcmp(req.data, "find-file \"/tmp\"") == 0);
    CHECK(render_next_request(r, &req));
    CHECK(req.kind == RENDER_REQ_SELECTION);
    CHECK(strcmp(req.targets, "c") == 0);
    CHECK(req.data_len == 5 && memcmp(req.data, "hello", 5) == 0);
    CHECK(!render_next_request(r, &req));
    /* The queue starts over once drained. */
    put(r, "\033]51;Ex\007");
    CHECK(render_next_request(r, &req) && req.data_len == 1 &&
          req.data[0] == 'x');
    render_free(r);
}

TEST(explicit_scrollback_clear)
{
    struct render *r = make(2, 10, 100);

    put(r, "a\r\nb\r\nc\r\nd");
    render_sb_taken(r);
    put(r, "\r\ne");
    CHECK(render_sb_count(r) == 3 && render_sb_pending(r) == 1);
    render_sb_clear(r);
    CHECK(render_sb_count(r) == 0);
    CHECK(render_sb_pending(r) == 0);
    CHECK(render_sb_evicted(r) == 2); /* only the shown ones */
    render_free(r);
}

/* Valid UTF-8 throughout, as the buffer needs it. */
static bool valid_utf8(const char *s, size_t len)
{
    size_t i = 0, n, k;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        if (n == 0 || i + n > len)
            return false;
        for (k = 1; k < n; k++)
            if (((unsigned char)s[i + k] & 0xc0) != 0x80)
                return false;
        i += n;
    }
    return true;
}

/* Junk, escape fragments and resizes in random order: nothing crashes
 * (valgrind watches), rows stay valid UTF-8 and within the width, the
 * scrollback stays within its limit.  Deterministic (fixed seed). */
TEST(random_input_keeps_invariants)
{
    static const char *const pieces[] = {
        "\033[",       "\033]",          "\033]2;",  "\033]7;file://",
        "\033]51;A",   "\033]52;c;",     "\033\\",   "\007",
        "\033[?1049h", "\033[?1049l",    "\033[3J",  "\033[2J",
        "\033[38;5;",  "\033[48;2;1;2;", "m",        ";",
        "\r\n",        "\xe4\xb8\xad",   "\xcc\x81", "\xf0\x9f\x98",
        "\x80",        "\033P",          "\033[6n",  "\033[c",
        "\033[?25l",   "\033[10;10H",    "\t",       "\b",
        "\033[K",      "\033[L"};
    struct render *r = make(5, 12, 20);
    unsigned long seed = 12345;
    char chunk[64];
    int i, j, row;
    bool ok = true;

    for (i = 0; i < 4000 && ok; i++) {
        size_t len = 0, n;
        while (len < 32) {
            const char *p;
            seed = seed * 6364136223846793005ul + 1442695040888963407ul;
            if ((seed >> 60) < 6) {
                chunk[len++] = (char)(seed >> 24);
                continue;
            }
            p = pieces[(seed >> 33) % (sizeof pieces / sizeof pieces[0])];
            n = strlen(p);
            memcpy(chunk + len, p, n);
            len += n;
        }
        render_write(r, chunk, len);
        if (i % 50 == 49)
            render_resize(r, 1 + (int)(seed >> 60),
                          1 + (int)((seed >> 40) % 25));
        if (i % 7 == 0) {
            struct render_request req;
            size_t out;
            int rows, cols;
            render_get_size(r, &rows, &cols);
            for (row = 0; row < rows && ok; row++) {
                const struct render_line *l;
                ok = render_get_row(r, row, 0, &l) &&
                     valid_utf8(l->text, l->len) && l->cols <= cols;
            }
            for (j = 0; j < render_sb_pending(r) && ok; j++) {
                const struct render_line *l = render_sb_pending_line(r, j);
                ok = l != NULL && valid_utf8(l->text, l->len);
            }
            ok = ok && render_sb_count(r) <= 20;
            render_sb_taken(r);
            render_clear_dirty(r);
            render_take_output(r, &out);
            render_take_title(r);
            render_take_directory(r);
            while (render_next_request(r, &req))
                ;
        }
    }
    CHECK(ok);
    render_free(r);
}

/* ---- regressions from fuzz_render (tests/fuzz/corpus/fuzz_render_*) ----
 * Each feeds the input that crashed libvterm under the render core (same
 * bytes; a resize written as render_resize) and checks the terminal is
 * still sane afterwards: cursor on the screen, rows readable, text that
 * follows lands where it should. */

/* Everything a redraw reads, checked; true when it all holds. */
static bool sane(struct render *r)
{
    struct render_cursor c;
    int rows, cols, i;
    bool ok = true;

    render_get_size(r, &rows, &cols);
    render_get_cursor(r, &c);
    if (c.row < 0 || c.row >= rows || c.col < 0 || c.col > cols) {
        fprintf(stderr, "  cursor %d,%d outside %dx%d\n", c.row, c.col, rows,
                cols);
        ok = false;
    }
    for (i = 0; i < rows && ok; i++) {
        const struct render_line *l;
        ok = render_get_row(r, i, i == c.row ? c.col : 0, &l) &&
             valid_utf8(l->text, l->len) && l->cols <= cols;
    }
    return ok;
}

static void putn(struct render *r, const char *s, size_t n)
{
    render_write(r, s, n);
}

/* Text after the crash lands on the cursor's row. */
static bool writes_after(struct render *r)
{
    struct render_cursor c;
    const struct render_line *l;
    size_t i;

    put(r, "\r\033[K@ok");
    render_get_cursor(r, &c);
    if (!render_get_row(r, c.row, 0, &l) || l->len < 3 ||
        memcmp(l->text, "@ok", 3) != 0)
        return false;
    /* 0.1.4 may leave cells it erased after a resize as spaces */
    for (i = 3; i < l->len; i++)
        if (l->text[i] != ' ')
            return false;
    return true;
}

/* ESC ] among a DCS's parameters starts an OSC on libvterm 0.3.3, whose
 * command number then overflowed an int; so it does after a control, a
 * DEL or a high byte there, which 0.3.3 keeps among the parameters (the
 * scanner took them as the start of the DCS's string). */
TEST(fuzz_osc_inside_dcs_parameters)
{
    const char *between[] = {"9999", "\r", "\a", "\x7f", "\xff", "1\r;"};
    const char *commands[] = {"0000000000000013696985909282401152",
                              "6676766667"};
    size_t i, k;

    for (i = 0; i < sizeof between / sizeof *between; i++)
        for (k = 0; k < sizeof commands / sizeof *commands; k++) {
            struct render *r = make(8, 16, 64);
            char input[128];

            snprintf(input, sizeof input, "\033P%s\033]%s;t\007ok", between[i],
                     commands[k]);
            put(r, input);
            CHECK(sane(r));
            CHECK(row_is(r, 0, "ok"));
            render_free(r);
        }
}

/* An escape with intermediates, then a CSI REP the scanner swallows:
 * libvterm 0.1.4 was left inside that escape and took a later raw "[b"
 * as a REP with nothing printed, which loops forever. */
TEST(fuzz_rep_after_intermediates_does_not_hang)
{
    struct render *r = make(8, 16, 64);

    put(r, "\033%[b[bok");
    CHECK(sane(r));
    /* The REP repeats the last character printed, the 'k' above. */
    put(r, "\r\n\033%\033[b[bok");
    CHECK(sane(r));
    CHECK(row_is(r, 1, "k[bok"));
    render_free(r);
}

/* After intermediates libvterm 0.3 starts no string: ESC , P is an
 * escape and the text after it is printed.  The scanner took it for a
 * DCS and let that text through unguarded; in insert mode near the end
 * of a row 0.3.3 then moved cells from outside its screen. */
TEST(fuzz_escape_with_intermediates_before_a_string_final)
{
    struct render *r = make(8, 16, 64);

    put(r, "\xff");
    put(r, "K");
    put(r, "\xff");
    put(r, "\033[4htl\x96\x96[9.\033,PoQrP\x96\xc2\xc2\x96Q");
    CHECK(sane(r));
    CHECK(writes_after(r));
    render_free(r);
    r = make(8, 16, 64);
    put(r, "\033,Ptext\033(]more");
    if (HAVE_REFLOW)
        CHECK(row_is(r, 0, "textmore"));
    CHECK(sane(r));
    render_free(r);
}

/* U+0080..U+009F as UTF-8: 0.1.4 moved the cursor to column -1 (width -1)
 * and wrote before the row. */
TEST(fuzz_c1_characters_are_dropped)
{
    struct render *r = make(8, 16, 64);

    put(r, "\xc2\x80");
    CHECK(cursor_at(r, 0, 0));
    put(r, "a\xc2\x85"
           "b\xc2\x9f"
           "c\xc2\xa9");
    CHECK(row_is(r, 0, "abc\xc2\xa9"));
    CHECK(sane(r));
    render_free(r);
}

/* A 0xc2 alone, then an escape, then 0x96: libvterm's decoder waited
 * across the escape and made U+0096 after all (0.3.3: NULL cell in
 * moverect with insert mode on). */
TEST(fuzz_c1_split_by_escape)
{
    struct render *r = make(8, 16, 64);
    const struct render_line *l;

    put(r, "\xc2\033[4h\x96n");
    CHECK(sane(r));
    CHECK(render_get_row(r, 0, 0, &l) && l->len >= 1 &&
          l->text[l->len - 1] == 'n');
    CHECK(writes_after(r));
    render_free(r);
}

/* DECALN fills the screen, then a resize to one row: 0.1.4 left the
 * cursor at row -7. */
TEST(fuzz_resize_after_decaln_keeps_cursor_on_screen)
{
    struct render *r = make(8, 16, 64);

    put(r, "\033#8");
    render_resize(r, 1, 22);
    CHECK(sane(r));
    CHECK(cursor_at(r, 0, 0));
    CHECK(writes_after(r));
    render_free(r);
}

/* A scroll region whose top is below a shrunken screen: both versions
 * memmove()d a negative length on the next scroll. */
TEST(fuzz_scroll_region_below_shrunken_screen)
{
    struct render *r = make(8, 16, 64);

    put(r, "\033[5r");
    render_resize(r, 1, 28);
    put(r, "\033\f");
    CHECK(sane(r));
    CHECK(writes_after(r));
    render_free(r);

    r = make(8, 16, 64);
    put(r, "\033[3r");
    render_resize(r, 1, 50);
    put(r, "\033E");
    CHECK(sane(r));
    CHECK(writes_after(r));
    render_free(r);
}

/* More than 16 CSI arguments: 0.3.3 wrote past its argument array, 0.1.4
 * crashed too (also after ESC SP, and after ESC [ inside an OSC). */
TEST(fuzz_csi_with_too_many_arguments)
{
    static const char *const inputs[] = {
        "\033[;;;;;;;;;;;;;;;;;;;;;;;;m",
        "\033 [;;;;;;;;;;;;;;;;;;;;",
        "\033]\033[\xa8;;;;;;;;;;;;;;;;;;;;",
    };
    size_t i;

    for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        struct render *r = make(8, 16, 64);
        put(r, inputs[i]);
        CHECK(sane(r));
        CHECK(writes_after(r));
        render_free(r);
    }
}

/* The first 16 arguments still count. */
TEST(fuzz_csi_arguments_kept_up_to_sixteen)
{
    struct render *r = make(4, 20, 0);
    const struct render_line *l;

    put(r, "\033[1;0;0;0;0;0;0;0;0;0;0;0;0;0;0;4;0;0;0;0;7mX");
    l = row(r, 0);
    CHECK(l != NULL && l->nruns == 1 && !l->runs[0].attrs.bold &&
          l->runs[0].attrs.underline == 1 && !l->runs[0].attrs.reverse);
    render_free(r);
}

/* Digit strings past a long: 0.3.3 overflowed (undefined behaviour) in
 * CSI arguments and OSC command numbers. */
TEST(fuzz_huge_numbers_are_clamped)
{
    struct render *r = make(4, 20, 0);

    put(r, "\033[99999999999999999999999999Cx");
    CHECK(cursor_at(r, 0, 19));
    CHECK(row_is(r, 0, "                   x"));
    putn(r,
         "\033]5\0\0\0"
         "99999999999999r\033\\",
         23);
    put(r, "\033]99999999999999999999;t\007\r\nok");
    CHECK(row_is(r, 1, "ok"));
    CHECK(sane(r));
    render_free(r);
}

/* A control byte right after an ESC inside a string: 0.3.3 made a
 * fragment of length -1 and read far past the input (OSC 52, DECRQSS). */
TEST(fuzz_control_after_esc_in_string)
{
    static const struct {
        const char *s;
        size_t n;
    } inputs[] = {
        {"\033]52q\033\0", 7},
        {"\033]52r\033[\021", 8},
        {"\033]0;t\033\n", 7},
        {"\033P$q\033\001", 6},
    };
    size_t i;

    for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        struct render *r = make(8, 16, 64);
        putn(r, inputs[i].s, inputs[i].n);
        CHECK(sane(r));
        CHECK(writes_after(r));
        render_free(r);
    }
}

/* A single byte handed to 0.1.4 inside a string with no NUL after it:
 * its strncpy read on through our stack. */
TEST(fuzz_string_bytes_fed_terminated)
{
    struct render *r = make(8, 16, 64);

    put(r, "\033]\033]5\017\033\\");
    CHECK(sane(r));
    CHECK(writes_after(r));
    render_free(r);
}

/* Reflow on 0.3.3 abort()ed when the cursor's line fitted the new screen
 * but the lines below it pushed it off the top. */
TEST(fuzz_reflow_with_lines_below_the_cursor)
{
    struct render *r = make(8, 16, 64);

    put(r, "\t\t<6\n\n\xb5\0338\n");
    render_resize(r, 5, 5);
    CHECK(sane(r));
    CHECK(writes_after(r));
    render_free(r);
}

/* A cursor saved (DECSC, or by ?1049h) before the screen shrank and
 * restored after: 0.3.3 wrote past its line info, also when the ESC 8
 * came inside a DCS. */
TEST(fuzz_restored_cursor_after_shrink)
{
    struct render *r = make(8, 16, 64);

    put(r, "\f\0337");
    render_resize(r, 1, 8);
    put(r, "\033P\0338=");
    CHECK(sane(r));
    CHECK(writes_after(r));
    render_free(r);

    r = make(8, 16, 64);
    put(r, "\n\033[?1049h");
    render_resize(r, 1, 72);
    put(r, "\0338i");
    CHECK(sane(r));
    CHECK(writes_after(r));
    render_free(r);
}

/* REP of a wide character hidden behind ESC _ (a string only from 0.2
 * on): 0.1.4 saw the REP and crashed at the right edge. */
TEST(fuzz_rep_after_apc_on_every_version)
{
    struct render *r = make(8, 16, 64);
    static const char in[] =
        "]52;Ef\001\033\377_`)_`b_\nU\n\xf0\x9f\x98\x80\n\033[b";

    putn(r, in, sizeof in - 1);
    CHECK(sane(r));
    CHECK(writes_after(r));
    render_free(r);
}

/* ESC [ inside a DCS starts a CSI on 0.1.4 (not on 0.3.3); a REP after it
 * was expanded into 86 ':' that 0.1.4 took as CSI arguments.  NULs inside
 * are dropped (0.1.4 stops copying at them). */
TEST(fuzz_esc_bracket_inside_dcs)
{
    struct render *r = make(8, 16, 64);
    static const char in[] = "U::\033\007P\xd5\033[8\0"
                             "6b\0";

    putn(r, in, sizeof in - 1);
    CHECK(sane(r));
    CHECK(writes_after(r));
    render_free(r);
}

/* ESC <intermediates> inside a DCS: 0.1.4 took the '[' after them as a
 * CSI, and REP with nothing printed yet ("ESC [ b") loops forever in
 * 0.1.4.  DEL is dropped as padding. */
TEST(fuzz_escape_intermediates_inside_dcs)
{
    struct render *r = make(8, 16, 64);

    put(r, "\033P]\177w\033\177)\177'[b6h\033\\");
    put(r, "\033)'[b");
    CHECK(sane(r));
    CHECK(writes_after(r));
    render_free(r);
}

/* ---- prompt marks and per-line directories (OSC 51;A) ---- */

#define PROMPT_END(dir) "\033]51;Au@h:" dir "\033\\"

static int prompt_chars(struct render *r, int n)
{
    const struct render_line *line = row(r, n);
    return line != NULL ? line->prompt_chars : -1;
}

TEST(prompt_is_marked_where_the_shell_says)
{
    struct render *r = make(4, 20, 100);

    put(r, "out\r\n$ " PROMPT_END("/tmp") "ls");
    CHECK(prompt_chars(r, 0) == 0);
    CHECK(prompt_chars(r, 1) == 2);
    CHECK(row(r, 1)->info.prompt_col == 2);
    /* Wide characters count as one character in two columns. */
    put(r, "\r\n\xe4\xb8\xad> " PROMPT_END("/tmp"));
    CHECK(prompt_chars(r, 2) == 2);
    render_free(r);
}

TEST(prompt_mark_goes_when_its_cells_are_overwritten)
{
    struct render *r = make(3, 20, 100);

    put(r, "$ " PROMPT_END("/tmp") "cmd");
    put(r, "\b\b\bxyz"); /* typing after the prompt keeps it */
    CHECK(prompt_chars(r, 0) == 2);
    put(r, "\r(search): "); /* readline replaced the prompt */
    CHECK(prompt_chars(r, 0) == 0);
    put(r, "\r$ " PROMPT_END("/tmp")); /* and printed it back */
    CHECK(prompt_chars(r, 0) == 2);
    put(r, "\033[2J"); /* clear */
    CHECK(prompt_chars(r, 0) == 0);
    render_free(r);
}

/* The same in single writes, where libvterm holds damage back by row:
 * the mark must still see the prompt's cells before it, and what
 * overwrites them after it, before a screen switch too. */
TEST(prompt_marks_in_one_write_see_the_damage_in_order)
{
    struct render *r = make(3, 20, 100);

    put(r, "out $ " PROMPT_END("/tmp") "cmd\b\b\bxyz");
    CHECK(prompt_chars(r, 0) == 6);
    put(r, "\r$ " PROMPT_END("/tmp") "cmd\r(search): ");
    CHECK(prompt_chars(r, 0) == 0);
    put(r, "\r$ " PROMPT_END("/tmp") "\rXY\033[?1049h\033[Halt");
    put(r, "\033[?1049l");
    CHECK(prompt_chars(r, 0) == 0);
    put(r, "\r$ " PROMPT_END("/tmp") "\033[?1049h\033[Halt\033[?1049l");
    CHECK(prompt_chars(r, 0) == 2);
    render_free(r);
}

TEST(prompt_mark_scrolls_with_its_line_into_the_scrollback)
{
    struct render *r = make(3, 20, 100);
    const struct render_line *l;

    put(r, "$ " PROMPT_END("/a") "ls\r\nx\r\ny");
    put(r, "\033[2;3r\033[3;1H\r\nz\033[r"); /* a region scroll: row 0 stays */
    CHECK(prompt_chars(r, 0) == 2);
    put(r, "\033[3;1H\r\n");
    CHECK(prompt_chars(r, 0) == 0);
    CHECK(render_sb_pending(r) == 1);
    l = render_sb_pending_line(r, 0);
    CHECK(l != NULL && l->prompt_chars == 2 && l->info.prompt_col == 2);
    /* Back onto the screen when it grows, then out again. */
    render_sb_taken(r);
    render_resize(r, 4, 20);
    CHECK(row_is(r, 0, "$ ls"));
    CHECK(prompt_chars(r, 0) == 2);
    render_resize(r, 3, 20);
    l = render_sb_pending_line(r, 0);
    CHECK(l != NULL && l->prompt_chars == 2);
    render_free(r);
}

TEST(alternate_screen_has_no_prompts_and_keeps_the_primary_ones)
{
    struct render *r = make(3, 20, 100);

    put(r, "$ " PROMPT_END("/a") "less");
    put(r, "\033[?1049h\033[H$ hello");
    CHECK(prompt_chars(r, 0) == 0);
    put(r, "\033[?1049l");
    CHECK(prompt_chars(r, 0) == 2);
    render_free(r);
}

TEST(directory_of_each_line)
{
    struct render *r = make(3, 20, 100);
    const char *d;
    int i;

    CHECK(render_line_directory(r, 0) == NULL);
    put(r, "$ " PROMPT_END("/a") "cd /b\r\nout\r\n$ " PROMPT_END("/b"));
    put(r, "ls\r\nx\r\ny");
    /* Scrollback: "$ cd /b" (0), "out" (1); screen: "$ ls" (2), x, y. */
    CHECK(render_sb_count(r) == 2);
    d = render_line_directory(r, 0);
    CHECK(d != NULL && strcmp(d, "u@h:/a") == 0);
    d = render_line_directory(r, 1); /* the output under the first prompt */
    CHECK(d != NULL && strcmp(d, "u@h:/a") == 0);
    d = render_line_directory(r, 3);
    CHECK(d != NULL && strcmp(d, "u@h:/b") == 0);
    d = render_line_directory(r, 1000); /* past the end: the last line */
    CHECK(d != NULL && strcmp(d, "u@h:/b") == 0);
    /* OSC 7 records a directory but no prompt. */
    put(r, "\033]7;file://h/c\007"); /* on "y": line 4, screen row 2 */
    d = render_line_directory(r, 4);
    CHECK(d != NULL && strcmp(d, "file://h/c") == 0);
    d = render_line_directory(r, 3);
    CHECK(d != NULL && strcmp(d, "u@h:/b") == 0);
    CHECK(prompt_chars(r, 0) == 2 && prompt_chars(r, 2) == 0);
    /* Only the newest directories are remembered: memory stays bounded. */
    for (i = 0; i < 1000; i++) {
        char osc[64];
        snprintf(osc, sizeof osc, "\033]7;/d%d\007\r\n", i);
        put(r, osc);
    }
    CHECK(render_line_directory(r, 0) == NULL);
    d = render_line_directory(r, render_sb_count(r) + 2);
    CHECK(d != NULL && strcmp(d, "/d999") == 0);
    render_free(r);
}

/* ---- semantic prompts (OSC 133 A/B/C/D) ---- */

#define OSC133(x) "\033]133;" x "\033\\"
#define PROMPT133(text) OSC133("A") text OSC133("B")

static int status_of(struct render *r, int n)
{
    const struct render_line *line = row(r, n);
    return line != NULL ? line->info.status : -1;
}

TEST(osc133_marks_prompts_as_51_does)
{
    struct render *r = make(4, 20, 100);

    put(r, "out\r\n" PROMPT133("$ ") "ls");
    CHECK(prompt_chars(r, 0) == 0);
    CHECK(prompt_chars(r, 1) == 2);
    CHECK(row(r, 1)->info.prompt_col == 2);
    /* No command ended before it: no status, one row. */
    CHECK(status_of(r, 1) == 0);
    CHECK(row(r, 1)->info.prompt_rows == 0);
    /* Overwritten, the mark goes, as 51;A's does. */
    put(r, "\r(search): ");
    CHECK(prompt_chars(r, 1) == 0);
    render_free(r);
}

TEST(osc133_status_goes_to_the_next_prompt)
{
    struct render *r = make(6, 20, 100);

    put(r, PROMPT133("$ ") "false\r\n" OSC133("C") OSC133("D;1"));
    put(r, PROMPT133("$ ") "true\r\n" OSC133("C") OSC133("D;0"));
    put(r, PROMPT133("$ ") "x\r\n" OSC133("C") OSC133("D;7;aid=12"));
    put(r, PROMPT133("$ ") "y\r\n" OSC133("C") OSC133("D"));
    put(r, PROMPT133("$ ") "z\r\n" OSC133("D;255"));
    put(r, PROMPT133("$ "));
    CHECK(status_of(r, 0) == 0);
    CHECK(status_of(r, 1) == 2); /* status + 1 */
    CHECK(status_of(r, 2) == 1);
    CHECK(status_of(r, 3) == 8); /* options after the status */
    CHECK(status_of(r, 4) == 0); /* D without a status */
    CHECK(status_of(r, 5) == 256);
    /* The status was taken by its prompt: a prompt printed again after
     * it (no D) has none. */
    put(r, "\r\n" PROMPT133("$ "));
    CHECK(status_of(r, 5) == 0);
    CHECK(status_of(r, 4) == 256);
    render_free(r);
}

TEST(osc133_status_before_the_first_prompt_is_dropped)
{
    struct render *r = make(4, 20, 100);

    /* A shell that reports a status at every prompt, the first too. */
    put(r, OSC133("D;0") PROMPT133("$ ") "false\r\n" OSC133("D;1"));
    put(r, PROMPT133("$ "));
    CHECK(prompt_chars(r, 0) == 2);
    CHECK(status_of(r, 0) == 0);
    CHECK(status_of(r, 1) == 2);
    render_free(r);
}

TEST(osc133_prompt_over_several_rows)
{
    struct render *r = make(5, 20, 100);

    put(r, "out\r\n" PROMPT133("user@host /tmp\r\n$ ") "ls\r\n");
    CHECK(prompt_chars(r, 1) == 0);
    CHECK(prompt_chars(r, 2) == 2);
    CHECK(row(r, 2)->info.prompt_rows == 1);
    put(r, PROMPT133("$ "));
    CHECK(row(r, 3)->info.prompt_rows == 0);
    /* A prompt taller than the screen says nothing of its rows. */
    put(r, "\r\n" PROMPT133("1\r\n2\r\n3\r\n4\r\n5\r\n$ "));
    CHECK(row(r, 4)->info.prompt_col == 2);
    CHECK(row(r, 4)->info.prompt_rows == 0);
    render_free(r);
}

TEST(osc133_status_scrolls_into_the_scrollback_and_51_keeps_it)
{
    struct render *r = make(3, 20, 100);
    const struct render_line *l;

    /* A shell that marks its prompt twice: 133;B then 51;A. */
    put(r, PROMPT133("$ ") "false\r\n" OSC133("D;3"));
    put(r, PROMPT133("top\r\n$ ") PROMPT_END("/a") "ls");
    CHECK(status_of(r, 2) == 4);
    CHECK(row(r, 2)->info.prompt_rows == 1);
    CHECK(prompt_chars(r, 2) == 2);
    put(r, "\r\nx\r\ny\r\nz");
    CHECK(render_sb_pending(r) == 3);
    l = render_sb_pending_line(r, 2);
    CHECK(l != NULL && l->prompt_chars == 2 && l->info.status == 4 &&
          l->info.prompt_rows == 1);
    /* Back onto the screen when it grows. */
    render_sb_taken(r);
    render_resize(r, 6, 20);
    CHECK(row_is(r, 2, "$ ls"));
    CHECK(status_of(r, 2) == 4);
    render_free(r);
}

/* ---- hyperlinks (OSC 8) ---- */

#define OSC8(uri) "\033]8;;" uri "\033\\"
#define LINK(uri, text) OSC8(uri) text OSC8("")

/* LINE's links as "START-END URI" joined by spaces ("" when none)
 * compared with WANT. */
static bool links_of_are(struct render *r, const struct render_line *line,
                         const char *what, const char *want)
{
    char got[512] = "";
    size_t n = 0;
    int i;

    for (i = 0; line != NULL && i < line->nlinks; i++) {
        const char *uri = render_link_uri(r, line->links[i].uri);
        n += (size_t)snprintf(got + n, sizeof got - n, "%s%d-%d %s",
                              i > 0 ? " " : "", line->links[i].start,
                              line->links[i].end, uri ? uri : "(forgotten)");
        if (n >= sizeof got)
            return false;
    }
    if (line == NULL || strcmp(got, want) != 0) {
        fprintf(stderr, "  %s: links \"%s\", want \"%s\"\n", what, got, want);
        return false;
    }
    return true;
}

static bool links_are(struct render *r, int n, const char *want)
{
    char what[32];

    snprintf(what, sizeof what, "row %d", n);
    return links_of_are(r, row(r, n), what, want);
}

TEST(osc8_link_written_in_one_go)
{
    struct render *r = make(4, 30, 100);

    put(r, "ab" LINK("https://example.com/a", "link") "cd\r\n");
    CHECK(row_is(r, 0, "ablinkcd"));
    CHECK(links_are(r, 0, "2-6 https://example.com/a"));
    CHECK(links_are(r, 1, ""));
    /* SGR inside the link, wide characters before and in it. */
    put(r, "\xe4\xb8\xad" LINK("file:///tmp/x",
                               "a\033[1mb\033[0m\xe6\x96\x87") "z");
    CHECK(row_is(r, 1,
                 "\xe4\xb8\xad"
                 "ab\xe6\x96\x87z"));
    CHECK(links_are(r, 1, "1-4 file:///tmp/x"));
    render_free(r);
}

TEST(osc8_several_links_on_a_row_share_their_uris)
{
    struct render *r = make(3, 40, 100);
    const struct render_line *line;

    put(r, LINK("http://a", "one") " " LINK("http://b", "two") " " LINK(
               "http://a", "three"));
    CHECK(links_are(r, 0, "0-3 http://a 4-7 http://b 8-13 http://a"));
    line = row(r, 0);
    CHECK(line->links[0].uri == line->links[2].uri);
    /* A link that follows another at once is its own. */
    put(r, "\r\n" LINK("http://a", "x") LINK("http://b", "y") "z");
    CHECK(links_are(r, 1, "0-1 http://a 1-2 http://b"));
    render_free(r);
}

TEST(osc8_link_wraps_and_scrolls_into_the_scrollback)
{
    struct render *r = make(3, 10, 100);

    put(r, "12345678" LINK("https://wrap.example", "abcdefgh") "!");
    CHECK(row_is(r, 0, "12345678ab"));
    CHECK(links_are(r, 0, "8-10 https://wrap.example"));
    CHECK(links_are(r, 1, "0-6 https://wrap.example"));
    put(r, "\r\nx\r\ny\r\nz");
    CHECK(render_sb_pending(r) == 2);
    CHECK(links_of_are(r, render_sb_pending_line(r, 0), "scrollback 0",
                       "8-10 https://wrap.example"));
    CHECK(links_of_are(r, render_sb_pending_line(r, 1), "scrollback 1",
                       "0-6 https://wrap.example"));
    CHECK(links_are(r, 0, ""));
    /* Back onto the screen when it grows. */
    render_sb_taken(r);
    render_resize(r, 6, 10);
    CHECK(row_is(r, 1, "cdefgh!"));
    CHECK(links_are(r, 1, "0-6 https://wrap.example"));
    render_free(r);
}

TEST(osc8_cells_written_over_lose_their_link)
{
    struct render *r = make(4, 20, 100);

    put(r, LINK("http://over", "abcdefgh") "\r\nnext");
    put(r, "\033[1;1HXY\033[1;6Hz");
    CHECK(row_is(r, 0, "XYcdezgh"));
    CHECK(links_are(r, 0, "2-5 http://over 6-8 http://over"));
    /* Erased cells too, and a link written over a link. */
    put(r, "\033[1;8H\033[K\033[1;3H" LINK("http://new", "C"));
    CHECK(links_are(r, 0, "2-3 http://new 3-5 http://over 6-7 http://over"));
    /* Lines that scroll take their links along, none left behind. */
    put(r, "\033[2;1H\033[L");
    CHECK(links_are(r, 0, "2-3 http://new 3-5 http://over 6-7 http://over"));
    CHECK(links_are(r, 1, ""));
    CHECK(row_is(r, 2, "next"));
    render_free(r);
}

TEST(osc8_links_come_back_with_the_primary_screen)
{
    struct render *r = make(4, 20, 100);

    put(r, LINK("http://p", "abcdefgh") "\r\n");
    put(r, "\033[?1049h" LINK("http://alt", "alt") "\033[2J");
    CHECK(links_are(r, 0, ""));
    put(r, "\033[?1049l");
    CHECK(links_are(r, 0, "0-8 http://p"));
    /* Written over in one write, only the cells written lose it. */
    put(r, "\033[1;1HXY\033[1;6Hz");
    CHECK(links_are(r, 0, "2-5 http://p 6-8 http://p"));
    render_free(r);
}

TEST(osc8_link_left_open_is_bounded)
{
    struct render *r = make(4, 20, 100);
    char *text = malloc(70001);

    CHECK(text != NULL);
    memset(text, 'x', 70000);
    text[70000] = '\0';
    put(r, OSC8("http://open") "a");
    CHECK(links_are(r, 0, "0-1 http://open"));
    put(r, text);
    put(r, "\r\nplain");
    CHECK(links_are(r, 3, ""));
    /* A prompt ends a link the command left open. */
    put(r, "\r\n" OSC8("http://open") "b\r\n" OSC133("A") "$ " OSC133("B"));
    CHECK(links_are(r, 2, "0-1 http://open"));
    CHECK(links_are(r, 3, ""));
    free(text);
    render_free(r);
}

TEST(osc8_bad_uris_are_dropped_their_text_kept)
{
    struct render *r = make(4, 20, 100);
    char *text = malloc(3000);
    size_t n;

    CHECK(text != NULL);
    put(r, LINK("http://a b", "space") " " LINK("http://\xc3\xa9", "utf8"));
    CHECK(row_is(r, 0, "space utf8"));
    CHECK(links_are(r, 0, ""));
    n = (size_t)snprintf(text, 3000, "\r\n\033]8;;http://");
    memset(text + n, 'u', 2100);
    n += 2100;
    snprintf(text + n, 3000 - n,
             "\033\\long" OSC8("") " " LINK("http://ok", "ok"));
    put(r, text);
    CHECK(row_is(r, 1, "long ok"));
    CHECK(links_are(r, 1, "5-7 http://ok"));
    free(text);
    render_free(r);
}

/* ---- lazy scrollback: lines are built only when a viewer asks ---- */

/* Line N of the scrollback tests: coloured words, a wide character, a
 * prompt mark every 7th line, a full (wrapping) row every 5th. */
static void sb_test_line(struct render *r, int n, int cols)
{
    char s[1200];
    int len = 0;

    if (n % 7 == 0)
        len += snprintf(s + len, sizeof s - len, "$ " PROMPT_END("/d"));
    len +=
        snprintf(s + len, sizeof s - len,
                 "\033[%d;%dm%04d\033[0m \xe4\xb8\xad \033[38;5;%dmw%d\033[m",
                 n % 2 ? 1 : 22, 31 + n % 7, n, 16 + n % 200, n);
    if (n % 5 == 0) {
        int used = (n % 7 == 0 ? 2 : 0) + 4 + 1 + 2 + 1 + 1 +
                   snprintf(NULL, 0, "%d", n);
        while (used++ < cols && len < (int)sizeof s - 8)
            s[len++] = 'x';
    }
    len += snprintf(s + len, sizeof s - len, "\r\n");
    render_write(r, s, (size_t)len);
}

/* Two lines are the same: text, runs, columns, wrap and prompt info. */
static bool same_line(const struct render_line *a, const struct render_line *b)
{
    int i;

    if (a == NULL || b == NULL || a->len != b->len || a->nruns != b->nruns ||
        a->cols != b->cols || a->wrapped != b->wrapped ||
        a->prompt_chars != b->prompt_chars ||
        a->info.prompt_col != b->info.prompt_col ||
        a->info.dir != b->info.dir || a->info.status != b->info.status ||
        a->info.prompt_rows != b->info.prompt_rows ||
        (a->len > 0 && memcmp(a->text, b->text, a->len) != 0) ||
        a->nlinks != b->nlinks)
        return false;
    for (i = 0; i < a->nlinks; i++)
        if (a->links[i].start != b->links[i].start ||
            a->links[i].end != b->links[i].end ||
            a->links[i].uri != b->links[i].uri)
            return false;
    for (i = 0; i < a->nruns; i++)
        if (a->runs[i].off != b->runs[i].off ||
            a->runs[i].len != b->runs[i].len ||
            a->runs[i].chars != b->runs[i].chars ||
            a->runs[i].cols != b->runs[i].cols ||
            memcmp(&a->runs[i].attrs, &b->runs[i].attrs,
                   sizeof a->runs[i].attrs) != 0)
            return false;
    return true;
}

/* What a viewer asked for each line right after it was pushed (every
 * line built at once, the old eager way) holds, as copies. */
struct sb_copy {
    char text[1200];
    struct render_line line;
    struct render_run runs[64];
};

static bool copy_line(struct sb_copy *c, const struct render_line *l)
{
    if (l == NULL || l->len > sizeof c->text || l->nruns > 64)
        return false;
    c->line = *l;
    if (l->len > 0) /* an empty line may have no text nor runs */
        memcpy(c->text, l->text, l->len);
    if (l->nruns > 0)
        memcpy(c->runs, l->runs, (size_t)l->nruns * sizeof *l->runs);
    c->line.text = c->text;
    c->line.runs = c->runs;
    return true;
}

/* N lines through a lazy terminal (nothing asked until the end) and an
 * eager one (each line asked for as soon as it is pushed): the lines a
 * viewer gets are the same. */
static bool lazy_matches_eager(int rows, int cols, int sb, int n)
{
    struct render *lazy = make(rows, cols, sb), *eager = make(rows, cols, sb);
    static struct sb_copy kept[400];
    int i, k, nkept = 0;
    bool ok = lazy != NULL && eager != NULL && sb <= 400;

    for (i = 0; i < n && ok; i++) {
        sb_test_line(lazy, i, cols);
        sb_test_line(eager, i, cols);
        for (k = 0; k < render_sb_pending(eager) && ok; k++) {
            if (nkept == sb) { /* keep the newest SB, as the ring does */
                memmove(kept, kept + 1, (size_t)(sb - 1) * sizeof *kept);
                nkept--;
                for (int j = 0; j < nkept; j++) {
                    kept[j].line.text = kept[j].text;
                    kept[j].line.runs = kept[j].runs;
                }
            }
            ok = copy_line(&kept[nkept++], render_sb_pending_line(eager, k));
        }
        render_sb_taken(eager);
    }
    ok = ok && render_sb_pending(lazy) == nkept &&
         render_sb_count(lazy) == render_sb_count(eager);
    for (k = 0; k < nkept && ok; k++) {
        ok = same_line(render_sb_pending_line(lazy, k), &kept[k].line);
        if (!ok)
            fprintf(stderr, "  line %d of %d differs\n", k, nkept);
    }
    render_free(lazy);
    render_free(eager);
    return ok;
}

TEST(scrollback_lazy_lines_equal_eager_ones)
{
    CHECK(lazy_matches_eager(3, 40, 50, 300));
    CHECK(lazy_matches_eager(3, 40, 300, 200)); /* nothing evicted */
}

TEST(scrollback_lines_evicted_while_raw_are_never_built)
{
    struct render *r = make(2, 20, 3);
    const struct render_line *l;
    int i;

    for (i = 0; i < 5000; i++) {
        char s[32];
        snprintf(s, sizeof s, "\033[3%dmL%04d\r\n", i % 8, i);
        put(r, s);
    }
    CHECK(render_sb_pushes(r) == 4999); /* the last one is on the screen */
    CHECK(render_sb_count(r) == 3);
    CHECK(render_sb_pending(r) == 3);
    CHECK(render_sb_evicted(r) == 0);
    l = render_sb_pending_line(r, 0);
    CHECK(l != NULL && l->len == 5 && memcmp(l->text, "L4996", 5) == 0);
    l = render_sb_pending_line(r, 2);
    CHECK(l != NULL && l->len == 5 && memcmp(l->text, "L4998", 5) == 0 &&
          l->runs[0].attrs.fg.idx == 4998 % 8);
    /* Shown without being asked for: still evicted as shown lines. */
    render_sb_taken(r);
    put(r, "a\r\nb\r\n");
    CHECK(render_sb_evicted(r) == 2 && render_sb_pending(r) == 2);
    l = render_sb_pending_line(r, 1);
    CHECK(l != NULL && l->len == 1 && l->text[0] == 'a');
    render_free(r);
}

/* A wide screen fills the pool of raw lines (4 MiB of cells) within a
 * few hundred lines: older pending lines are built to stay in bounds. */
TEST(scrollback_lines_taken_after_the_raw_cap_forced_building)
{
    CHECK(lazy_matches_eager(2, 1000, 300, 400));
}

TEST(scrollback_raw_lines_pop_back_when_the_screen_grows)
{
    struct render *r = make(2, 10, 100);
    const struct render_line *l;

    put(r, "$ " PROMPT_END("/a") "\033[31ml1\033[0m\r\n\xe4\xb8\xad"
                                 "2\r\nl3\r\nl4");
    CHECK(render_sb_count(r) == 2 && render_sb_pending(r) == 2);
    /* Never asked for: both pop back raw, first the pending ones. */
    render_resize(r, 4, 10);
    CHECK(render_sb_count(r) == 0);
    CHECK(render_sb_pending(r) == 0 && render_sb_popped(r) == 0);
    CHECK(row_is(r, 0, "$ l1"));
    CHECK(row_is(r, 1,
                 "\xe4\xb8\xad"
                 "2"));
    CHECK(row_is(r, 3, "l4"));
    l = row(r, 0);
    CHECK(l != NULL && l->prompt_chars == 2 && l->nruns >= 2 &&
          l->runs[1].attrs.fg.kind == RENDER_COLOR_INDEXED &&
          l->runs[1].attrs.fg.idx == 1);
    l = row(r, 1);
    CHECK(l != NULL && l->cols == 3);
    CHECK(cursor_at(r, 3, 2));
    /* Out again with its prompt info, then back after being shown. */
    render_resize(r, 2, 10);
    l = render_sb_pending_line(r, 0);
    CHECK(l != NULL && l->prompt_chars == 2 && l->info.prompt_col == 2);
    render_sb_taken(r);
    put(r, "\r\nl5");
    render_resize(r, 5, 10);
    CHECK(render_sb_popped(r) == 2 && render_sb_pending(r) == 0);
    CHECK(row_is(r, 0, "$ l1"));
    CHECK(row_is(r, 4, "l5"));
    render_free(r);
}

TEST(scrollback_cleared_while_lines_are_raw)
{
    struct render *r = make(2, 10, 100);
    const char *d;

    put(r, "$ " PROMPT_END("/a") "a\r\nb\r\nc\r\nd");
    render_sb_taken(r); /* a, b shown, still raw */
    put(r, "\r\ne\r\nf");
    CHECK(render_sb_count(r) == 4 && render_sb_pending(r) == 2);
    d = render_line_directory(r, 1); /* read from a raw line */
    CHECK(d != NULL && strcmp(d, "u@h:/a") == 0);
#ifdef RENDER_HAVE_SB_CLEAR
    put(r, "\033[3J");
#else
    render_sb_clear(r);
#endif
    CHECK(render_sb_count(r) == 0 && render_sb_pending(r) == 0);
    CHECK(render_sb_evicted(r) == 2);
    render_sb_taken(r);
    put(r, "\r\ng\r\nh");
    CHECK(render_sb_count(r) == 2 && render_sb_pending(r) == 2);
    CHECK(render_sb_pending_line(r, 1) != NULL &&
          render_sb_pending_line(r, 1)->text[0] == 'f');
    render_free(r); /* valgrind: raw and built lines all freed */
}

/* Everything a viewer reads of A and B is the same: screen rows, cursor,
 * the scrollback's lines, line info and counts.  A may count fewer lines
 * ever pushed (lines not parsed count their line feeds, not the rows
 * they wrapped into). */
static bool same_terminal(struct render *a, struct render *b)
{
    struct render_cursor ca, cb;
    int rows, cols, i;

    render_get_size(a, &rows, &cols);
    render_get_cursor(a, &ca);
    render_get_cursor(b, &cb);
    if (ca.row != cb.row || ca.col != cb.col ||
        render_sb_pushes(a) > render_sb_pushes(b) ||
        render_sb_count(a) != render_sb_count(b) ||
        render_sb_pending(a) != render_sb_pending(b) ||
        render_sb_evicted(a) != render_sb_evicted(b)) {
        fprintf(stderr,
                "  cursor %d,%d / %d,%d; pushes %lu / %lu; "
                "count %d / %d; pending %d / %d; evicted %d / %d\n",
                ca.row, ca.col, cb.row, cb.col, render_sb_pushes(a),
                render_sb_pushes(b), render_sb_count(a), render_sb_count(b),
                render_sb_pending(a), render_sb_pending(b),
                render_sb_evicted(a), render_sb_evicted(b));
        return false;
    }
    for (i = 0; i < render_sb_pending(a); i++)
        if (!same_line(render_sb_pending_line(a, i),
                       render_sb_pending_line(b, i))) {
            fprintf(stderr, "  scrollback line %d differs\n", i);
            return false;
        }
    for (i = 0; i < rows; i++) {
        const struct render_line *la, *lb;
        static struct sb_copy copy;

        if (!render_get_row(a, i, 0, &la) || !copy_line(&copy, la) ||
            !render_get_row(b, i, 0, &lb) || !same_line(&copy.line, lb)) {
            fprintf(stderr, "  row %d differs\n", i);
            return false;
        }
    }
    return true;
}

/* A prompt row written over from its first column and scrolled off in
 * the same write is no prompt in the scrollback (libvterm pushes the
 * row before it reports the damage it merged), as when the two come in
 * two writes. */
TEST(prompt_written_over_and_pushed_in_one_write_is_gone)
{
    int cut;

    for (cut = 0; cut < 2; cut++) {
        struct render *r = make(3, 12, 4);
        const struct render_line *l;

        put(r, "$ " PROMPT_END("/p"));
        if (cut) {
            put(r, "\rred");
            put(r, "\r\n\r\n\r\n");
        } else {
            put(r, "\rred\r\n\r\n\r\n");
        }
        l = render_sb_pending_line(r, 0);
        CHECK(l != NULL && l->len == 3 && memcmp(l->text, "red", 3) == 0);
        CHECK(l != NULL && l->prompt_chars == 0 && l->info.prompt_col == 0);
        render_free(r);
    }
}

/* A write that ends in more line feeds than the scrollback keeps has
 * its first lines dropped without libvterm building them, most not even
 * parsed (render_write, unseen.h): the same writes cut into pieces too
 * small for that give the same terminal, whatever came before (colours,
 * prompts, scroll regions with and without the top row, the cursor below
 * one, the alternate screen, wide and wrapping text, a half-read
 * sequence), and REP after them repeats the same character.
 * Deterministic. */
TEST(dropped_scrollback_lines_equal_pushed_ones)
{
    static const char *const before[] = {"\033[31mred\033[0m ",
                                         "$ " PROMPT_END("/p"),
                                         "\033]133;D;1\007",
                                         "\033[1;3r",
                                         "\033[2;4r",
                                         "\033[r",
                                         "\033[5;1H",
                                         "\033[?1049h",
                                         "\033[?1049l",
                                         "\033[3",
                                         "\xe4\xb8\xad",
                                         "\033[?7l",
                                         "\033[?7h",
                                         "x\r\n",
                                         "\033]2;t",
                                         "\033]8;;http://a\033\\",
                                         "L\033]8;;\033\\"};
    static const char *const text[] = {"\r\n",
                                       "\n",
                                       "line ",
                                       "\xe4\xb8\xad\xe6\x96\x87",
                                       "\t",
                                       "\b",
                                       "\r",
                                       "0123456789abcdef",
                                       "\xc2\xa9",
                                       "e\xcc\x81",
                                       "\033[31m",
                                       "\033[1;44m",
                                       "\033[m",
                                       "\033[0;7m",
                                       "\033[;38;5;200m",
                                       "\033[22;49m"};
    static char stream[16384];
    unsigned long seed = 4242;
    int round;
    bool ok = true;

    for (round = 0; round < 300 && ok; round++) {
        int rows = 2 + round % 5, cols = 4 + round % 13, limit = round % 9;
        struct render *whole = make(rows, cols, limit);
        struct render *pieces = make(rows, cols, limit);
        int step;

        for (step = 0; step < 3 && ok; step++) {
            size_t len = 0, off, n;
            int k;

            for (k = 0; k < 3; k++) {
                const char *p;
                seed = seed * 6364136223846793005ul + 1442695040888963407ul;
                p = before[(seed >> 33) % (sizeof before / sizeof *before)];
                n = strlen(p);
                memcpy(stream + len, p, n);
                len += n;
            }
            while (len < sizeof stream - 64) {
                const char *p;
                seed = seed * 6364136223846793005ul + 1442695040888963407ul;
                if ((seed >> 58) == 0 && step == 2)
                    break; /* sometimes fewer line feeds than kept */
                p = text[(seed >> 33) % (sizeof text / sizeof *text)];
                n = strlen(p);
                memcpy(stream + len, p, n);
                len += n;
            }
            render_write(whole, stream, len);
            /* A line feed a piece, fewer than the scrollback keeps (cut
             * where libvterm does not see a difference: not before a
             * combining mark, which it joins to what its last write
             * printed). */
            for (off = 0; off < len; off += n) {
                n = 1;
                while (off + n < len && (stream[off + n - 1] != '\n' ||
                                         stream[off + n] == '\xcc'))
                    n++;
                render_write(pieces, stream + off, n);
            }
            ok = same_terminal(whole, pieces);
            put(whole, "\033[3b");
            put(pieces, "\033[3b");
            ok = ok && same_terminal(whole, pieces);
            if (!ok)
                fprintf(stderr, "  round %d step %d (%dx%d, %d kept)\n", round,
                        step, rows, cols, limit);
            if (step == 1) {
                render_sb_taken(whole);
                render_sb_taken(pieces);
            }
        }
        render_free(whole);
        render_free(pieces);
    }
    CHECK(ok);
}

/* A pty cuts output anywhere: a write of coloured lines that ends
 * inside an SGR (or after the 0xc2 of a possible C1 control) is found
 * unseen up to that SGR, not refused; one that ends in a cursor move is
 * refused. */
TEST(a_write_cut_inside_an_sgr_is_still_unseen)
{
    static const char *const cuts[] = {"", "\033", "\033[", "\033[22;3",
                                       "\xc2"};
    char s[4096];
    struct unseen u;
    size_t i, len = 0;

    for (i = 0; i < 100; i++)
        len += (size_t)snprintf(s + len, sizeof s - len,
                                "\033[1;31mab\033[m %zu\r\n", i);
    for (i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        size_t n = strlen(cuts[i]);

        memcpy(s + len, cuts[i], n);
        CHECK(unseen_find(s, len + n, 10, 3, &u));
        CHECK(u.to <= len && u.skip_from < u.skip_to);
    }
    memcpy(s + len, "\033[3A", 4);
    CHECK(!unseen_find(s, len + 4, 10, 3, &u));
}

/* Below a scroll region that starts at the top, line feeds do not
 * scroll: each line overwrites the last row, and a shorter line leaves
 * the end of a longer one before it.  Nothing is skipped there. */
TEST(lines_below_the_scroll_region_are_all_parsed)
{
    struct render *whole = make(4, 10, 3), *pieces = make(4, 10, 3);
    char s[2000];
    size_t len = 0, off, n;
    int i;

    len += (size_t)snprintf(s, sizeof s, "\033[1;2r\033[4;1H");
    for (i = 0; i < 30; i++)
        len += (size_t)snprintf(s + len, sizeof s - len, "%s\r\n",
                                i == 10 ? "abcdefgh" : "x");
    render_write(whole, s, len);
    for (off = 0; off < len; off += n) {
        n = 1;
        while (off + n < len && s[off + n - 1] != '\n')
            n++;
        render_write(pieces, s + off, n);
    }
    CHECK(row_is(whole, 3, "xbcdefgh"));
    CHECK(same_terminal(whole, pieces));
    render_free(whole);
    render_free(pieces);
}

/* REP after a write whose last lines are empty repeats the last
 * character of the lines before them, parsed or not. */
TEST(rep_after_unparsed_lines_repeats_their_last_character)
{
    struct render *r = make(3, 10, 4);
    char s[400];
    size_t len = 0;
    int i;

    for (i = 0; i < 10; i++)
        len += (size_t)snprintf(s + len, sizeof s - len, "a\r\n");
    for (i = 0; i < 50; i++)
        len += (size_t)snprintf(s + len, sizeof s - len, "%s\r\n",
                                i < 40 ? "b" : "");
    render_write(r, s, len);
    put(r, "\033[3b");
    CHECK(row_is(r, 2, "bbb"));
    render_free(r);
}

/* CSIs the scanner passes on inside the text (one libvterm write for a
 * coloured line) and ones it rebuilds or expands byte by byte give the
 * same screen. */
TEST(whole_writes_equal_byte_by_byte_writes)
{
    static const char input[] =
        "\033[1;31mred\033[0m \033[38:2::1:2:3mrgb\033[m\033[01;34mdir\033[0m"
        "\r\n\xe4\xb8\xad\033[5C@\033[2;3H\033[Kx\033[3b\033]2;t\007y\033[1P"
        "\033[?25l\033[?25h\033[2;1H\033[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;"
        "16;17mz\033[99999999mq\033[\n4mw\xc3\033[31m\xa9"
        "\033Pq\033[31m\033\\v\033]51;Au@h:/x\033\\\r\n$ \033[7m \033[0mend";
    struct render *a = make(4, 30, 10), *b = make(4, 30, 10);
    const struct render_line *la, *lb;
    size_t i;
    int row;

    put(a, input);
    for (i = 0; i + 1 < sizeof input; i++)
        render_write(b, input + i, 1);
    for (row = 0; row < 4; row++) {
        char text[256];
        struct render_run runs[64];
        struct render_line copy;
        CHECK(render_get_row(a, row, 0, &la));
        if (la == NULL || la->len > sizeof text || la->nruns > 64)
            continue;
        copy = *la;
        memcpy(text, la->text, la->len);
        memcpy(runs, la->runs, (size_t)la->nruns * sizeof *runs);
        copy.text = text;
        copy.runs = runs;
        CHECK(render_get_row(b, row, 0, &lb) && same_line(&copy, lb));
    }
    CHECK(cursor_at(a, 3, 6) && cursor_at(b, 3, 6));
    CHECK(strcmp(render_take_title(a), "t") == 0);
    CHECK(strcmp(render_take_title(b), "t") == 0);
    render_free(a);
    render_free(b);
}

TEST(rejects_bad_sizes)
{
    struct render_options bad = {0, 10, 0};
    CHECK(render_new(&bad) == NULL);
    bad.rows = 10;
    bad.cols = -1;
    CHECK(render_new(&bad) == NULL);
}

int main(void)
{
    RUN(plain_text_and_cursor);
    RUN(runs_split_on_attribute_changes);
    RUN(blanks_join_the_run_they_look_like);
    RUN(prompt_written_over_and_pushed_in_one_write_is_gone);
    RUN(blank_under_an_old_combining_mark_joins_the_run);
    RUN(every_attribute);
    RUN(colours_indexed_palette_and_truecolour);
    RUN(trailing_blanks_trimmed_but_not_coloured_ones);
    RUN(cursor_visibility);
    RUN(wide_characters);
    RUN(combining_characters);
    RUN(utf8_split_across_writes);
    RUN(escape_sequence_split_across_writes);
    RUN(scrollback_push_and_pending);
    RUN(scrollback_limit_evicts_and_never_shows_trimmed_lines);
    RUN(scrollback_pops_back_when_screen_grows);
    RUN(pending_lines_pop_before_shown_ones);
    RUN(resize_changes_size_and_marks_dirty);
    RUN(resize_survives_libvterm_reflow_bugs);
    RUN(never_narrower_than_two_columns);
    RUN(rep_repeats_the_last_character);
    RUN(rep_repeats_the_end_of_a_utf8_run);
    RUN(damage_marks_only_touched_rows);
    RUN(wrapped_line_is_marked);
    RUN(scrollback_lines_keep_wrap_marks);
    RUN(device_attribute_and_cursor_reports);
    RUN(synchronized_output);
    RUN(keys_are_encoded);
    RUN(bracketed_paste_only_when_enabled);
    RUN(title);
    RUN(cursor_shape);
    RUN(directory_tracking);
    RUN(directory_split_across_writes);
    RUN(text_around_split_strings_is_kept);
    RUN(alternate_screen_keeps_scrollback_out);
#ifdef RENDER_HAVE_SB_CLEAR
    RUN(csi_3j_clears_scrollback);
#endif
    RUN(eval_and_selection_requests);
    RUN(explicit_scrollback_clear);
    RUN(random_input_keeps_invariants);
    RUN(prompt_is_marked_where_the_shell_says);
    RUN(prompt_mark_goes_when_its_cells_are_overwritten);
    RUN(prompt_marks_in_one_write_see_the_damage_in_order);
    RUN(prompt_mark_scrolls_with_its_line_into_the_scrollback);
    RUN(alternate_screen_has_no_prompts_and_keeps_the_primary_ones);
    RUN(directory_of_each_line);
    RUN(osc133_marks_prompts_as_51_does);
    RUN(osc133_status_goes_to_the_next_prompt);
    RUN(osc133_status_before_the_first_prompt_is_dropped);
    RUN(osc8_link_written_in_one_go);
    RUN(osc8_several_links_on_a_row_share_their_uris);
    RUN(osc8_link_wraps_and_scrolls_into_the_scrollback);
    RUN(osc8_cells_written_over_lose_their_link);
    RUN(osc8_links_come_back_with_the_primary_screen);
    RUN(osc8_link_left_open_is_bounded);
    RUN(osc8_bad_uris_are_dropped_their_text_kept);
    RUN(osc133_prompt_over_several_rows);
    RUN(osc133_status_scrolls_into_the_scrollback_and_51_keeps_it);
    RUN(scrollback_lazy_lines_equal_eager_ones);
    RUN(scrollback_lines_evicted_while_raw_are_never_built);
    RUN(scrollback_lines_taken_after_the_raw_cap_forced_building);
    RUN(scrollback_raw_lines_pop_back_when_the_screen_grows);
    RUN(scrollback_cleared_while_lines_are_raw);
    RUN(whole_writes_equal_byte_by_byte_writes);
    RUN(dropped_scrollback_lines_equal_pushed_ones);
    RUN(a_write_cut_inside_an_sgr_is_still_unseen);
    RUN(rep_after_unparsed_lines_repeats_their_last_character);
    RUN(lines_below_the_scroll_region_are_all_parsed);
    RUN(rejects_bad_sizes);
    RUN(fuzz_osc_inside_dcs_parameters);
    RUN(fuzz_rep_after_intermediates_does_not_hang);
    RUN(fuzz_escape_with_intermediates_before_a_string_final);
    RUN(fuzz_c1_characters_are_dropped);
    RUN(fuzz_c1_split_by_escape);
    RUN(fuzz_resize_after_decaln_keeps_cursor_on_screen);
    RUN(fuzz_scroll_region_below_shrunken_screen);
    RUN(fuzz_csi_with_too_many_arguments);
    RUN(fuzz_csi_arguments_kept_up_to_sixteen);
    RUN(fuzz_huge_numbers_are_clamped);
    RUN(fuzz_control_after_esc_in_string);
    RUN(fuzz_string_bytes_fed_terminated);
    RUN(fuzz_reflow_with_lines_below_the_cursor);
    RUN(fuzz_restored_cursor_after_shrink);
    RUN(fuzz_rep_after_apc_on_every_version);
    RUN(fuzz_esc_bracket_inside_dcs);
    RUN(fuzz_escape_intermediates_inside_dcs);
    return check_end(RENDER_SUITE);
}

/* fuzz_render.c -- libFuzzer target for the render core (module/render.c)
 * and the libvterm under it: arbitrary process output, with resizes, typed
 * keys, row rendering and scrollback fetches in between, as the Emacs glue
 * does them.  Built once per supported libvterm (tests/fuzz/fuzz.mk):
 * fuzz_render_014 (system 0.1.4) and fuzz_render_033 (0.3.3 from source,
 * instrumented).
 *
 * Input: bytes for the terminal, except that 0xff starts a command:
 *   ff ff        a literal 0xff byte
 *   ff 'R' r c   resize to 1 + r % 40 rows, 1 + c % 90 columns
 *   ff 'K' k m   a key (k picks one of the VTERM_KEY_*) with modifiers m
 *   ff 'U' a b m character (a << 8 | b) typed with modifiers m
 *   ff 'P' n     paste the next n bytes (bracketed if enabled)
 *   ff 'C'       clear the scrollback (as vterm-clear-scrollback)
 *   ff <other>   end of one write: redraw (rows, scrollback, drain)
 * Text between commands goes in as one render_write; a redraw follows
 * every write, checking what the render core promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

#define REQUIRE(cond)                                                          \
    do {                                                                       \
        if (!(cond))                                                           \
            abort();                                                           \
    } while (0)

enum { SB_LIMIT = 64, CMD = 0xff };

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

/* A line as the render core promises it: valid UTF-8, runs that tile the
 * text in order, column counts that add up. */
static void check_line(const struct render_line *l, int max_cols)
{
    size_t off = 0;
    int i, cols = 0;

    REQUIRE(l != NULL);
    REQUIRE(valid_utf8(l->text, l->len));
    REQUIRE(l->nruns >= 0 && l->cols >= 0);
    for (i = 0; i < l->nruns; i++) {
        REQUIRE(l->runs[i].off == off);
        REQUIRE(l->runs[i].chars >= 0 && l->runs[i].cols >= 1);
        off += l->runs[i].len;
        cols += l->runs[i].cols;
    }
    REQUIRE(off == l->len);
    REQUIRE(cols == l->cols);
    if (max_cols > 0)
        REQUIRE(l->cols <= max_cols);
}

/* One of the keys the Emacs glue can send: the named ones, F0..F63,
 * the keypad. */
static VTermKey fuzz_key(uint8_t k)
{
    int named = VTERM_KEY_PAGEDOWN,
        keypad = VTERM_KEY_KP_EQUAL - VTERM_KEY_KP_0 + 1;

    if (k < named)
        return (VTermKey)(k + 1);
    k -= named;
    if (k < 64)
        return (VTermKey)(VTERM_KEY_FUNCTION_0 + k);
    return (VTermKey)(VTERM_KEY_KP_0 + (k - 64) % keypad);
}

/* What the Emacs glue does on its redraw timer, with checks. */
static void redraw(struct render *r)
{
    struct render_request req;
    struct render_cursor cur;
    const struct render_line *line;
    int rows, cols, row, i, before = render_sb_count(r);
    size_t len;

    render_get_size(r, &rows, &cols);
    REQUIRE(rows >= 1 && cols >= 2);
    render_get_cursor(r, &cur);
    REQUIRE(cur.row >= 0 && cur.row < rows);
    REQUIRE(cur.col >= 0 && cur.col <= cols);
    for (row = 0; row < rows; row++) {
        if (!render_row_dirty(r, row) && row != cur.row)
            continue;
        REQUIRE(render_get_row(r, row, row == cur.row ? cur.col : 0, &line));
        check_line(line, cols);
    }
    REQUIRE(render_chars_before(r, cur.row, cur.col) >= 0);
    REQUIRE(!render_get_row(r, rows, 0, &line));
    REQUIRE(render_sb_count(r) <= SB_LIMIT);
    REQUIRE(render_sb_pending(r) <= render_sb_count(r));
    for (i = 0; i < render_sb_pending(r); i++)
        check_line(render_sb_pending_line(r, i), 0);
    REQUIRE(render_sb_pending_line(r, render_sb_pending(r)) == NULL);
    REQUIRE(render_sb_count(r) == before);
    render_sb_taken(r);
    render_clear_dirty(r);
    render_take_output(r, &len);
    render_take_title(r);
    render_take_directory(r);
    while (render_next_request(r, &req))
        REQUIRE(req.data != NULL && req.data[req.data_len] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct render_options opt = {8, 16, SB_LIMIT};
    struct render *r = render_new(&opt);
    size_t i = 0, start = 0;
    int rows, cols;

    REQUIRE(r != NULL);
    /* Literal 0xff bytes (ff ff) are fed one at a time. */
    while (i < size) {
        uint8_t op;

        if (data[i] != CMD) {
            i++;
            continue;
        }
        if (i > start)
            render_write(r, (const char *)data + start, i - start);
        if (i + 1 >= size) {
            start = i = size;
            break;
        }
        op = data[i + 1];
        i += 2;
        if (op == CMD) {
            render_write(r, "\xff", 1);
        } else if (op == 'R' && i + 2 <= size) {
            render_resize(r, 1 + data[i] % 40, 1 + data[i + 1] % 90);
            render_get_size(r, &rows, &cols);
            REQUIRE(rows == 1 + data[i] % 40);
            REQUIRE(cols == (data[i + 1] % 90 ? 1 + data[i + 1] % 90 : 2));
            i += 2;
        } else if (op == 'K' && i + 2 <= size) {
            render_key(r, fuzz_key(data[i]),
                       (VTermModifier)(data[i + 1] & VTERM_ALL_MODS_MASK));
            i += 2;
        } else if (op == 'U' && i + 3 <= size) {
            uint32_t c = (uint32_t)data[i] << 8 | data[i + 1];
            render_unichar(r, c ? c : 'a',
                           (VTermModifier)(data[i + 2] & VTERM_ALL_MODS_MASK));
            i += 3;
        } else if (op == 'P' && i + 1 <= size) {
            size_t n = data[i];
            if (n > size - i - 1)
                n = size - i - 1;
            render_paste(r, (const char *)data + i + 1, n);
            i += 1 + n;
        } else if (op == 'C') {
            render_sb_clear(r);
            REQUIRE(render_sb_count(r) == 0);
        }
        redraw(r);
        start = i;
    }
    if (start < size)
        render_write(r, (const char *)data + start, size - start);
    redraw(r);
    render_free(r);
    return 0;
}

/* stream_check.c -- for the proxy suite's "nothing lost" checks: does what
 * a reattached client received rebuild the terminal a whole stream makes?
 *
 *   stream_check COLS ROWS REFERENCE CAPTURE N
 *
 * REFERENCE holds every byte the program in the session wrote; it is fed
 * to a fresh libvterm (this build's 0.3.3) with each LF as CR LF, as the
 * pty's onlcr hands it to the server.  CAPTURE holds what `conpty-proxy
 * attach' wrote to its stdout after the reattach (the snapshot, then the
 * live stream); it is fed raw to a second fresh libvterm.  Checks:
 *   - the two screens hold the same characters, and the cursor is at the
 *     same place;
 *   - the last N lines that scrolled off the second terminal, then its
 *     screen's lines, are the stream's numbered lines ("line-<number>")
 *     in order: each number one more than the one before (no gap, no
 *     duplicate).
 * Prints what differs; exit 0 when all holds, 1 otherwise, 2 on bad use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vterm.h"

enum { LINE_MAX_COLS = 512 };

struct ring {
    char (*lines)[LINE_MAX_COLS + 1];
    size_t size, count, next;
};

static void cells_text(const VTermScreenCell *cells, int cols, char *out)
{
    int n = 0;

    for (int c = 0; c < cols && c < LINE_MAX_COLS; c++) {
        uint32_t ch = cells[c].chars[0];

        out[n++] = ch == 0 ? ' ' : ch < 128 ? (char)ch : '?';
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

static int push_line(int cols, const VTermScreenCell *cells, void *user)
{
    struct ring *r = user;

    cells_text(cells, cols, r->lines[r->next]);
    r->next = (r->next + 1) % r->size;
    if (r->count < r->size)
        r->count++;
    return 1;
}

static VTerm *new_term(int cols, int rows, struct ring *r)
{
    static VTermScreenCallbacks cbs = {.sb_pushline = push_line};
    VTerm *vt = vterm_new(rows, cols);
    VTermScreen *screen = vterm_obtain_screen(vt);

    vterm_set_utf8(vt, 1);
    vterm_screen_reset(screen, 1);
    vterm_screen_set_callbacks(screen, &cbs, r);
    return vt;
}

/* Feed FILE to VT, each LF as CR LF when ONLCR; -1 if it cannot be read. */
static int feed(VTerm *vt, const char *file, int onlcr)
{
    FILE *f = fopen(file, "rb");
    char buf[65536], out[2 * sizeof buf];
    size_t n;

    if (f == NULL) {
        perror(file);
        return -1;
    }
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        size_t m = 0;

        for (size_t i = 0; i < n; i++) {
            if (onlcr && buf[i] == '\n')
                out[m++] = '\r';
            out[m++] = buf[i];
        }
        vterm_input_write(vt, out, m);
    }
    fclose(f);
    return 0;
}

static void screen_line(VTerm *vt, int row, int cols, char *out)
{
    VTermScreen *screen = vterm_obtain_screen(vt);
    VTermScreenCell cells[LINE_MAX_COLS];

    for (int c = 0; c < cols && c < LINE_MAX_COLS; c++) {
        VTermPos pos = {row, c};

        vterm_screen_get_cell(screen, pos, &cells[c]);
    }
    cells_text(cells, cols, out);
}

/* The number of a stream line "line-<number>...", or -1. */
static long line_number(const char *text)
{
    char *end;
    long n;

    if (strncmp(text, "line-", 5) != 0)
        return -1;
    n = strtol(text + 5, &end, 10);
    return end == text + 5 ? -1 : n;
}

/* Check that each numbered line follows the one before; *PREV is the
 * last number seen (-1: none yet).  WHERE names the line in messages. */
static int follows(const char *text, long *prev, const char *where, int at)
{
    long n = line_number(text);

    if (n < 0) {
        printf("%s %d is not a stream line: '%s'\n", where, at, text);
        return 0;
    }
    if (*prev >= 0 && n != *prev + 1) {
        printf("%s %d: line %ld after line %ld (%s)\n", where, at, n, *prev,
               n <= *prev ? "a duplicate" : "a gap");
        *prev = n;
        return 0;
    }
    *prev = n;
    return 1;
}

int main(int argc, char **argv)
{
    struct ring ref_sb = {0}, cap_sb = {0};
    VTerm *ref, *cap;
    VTermPos ref_cur, cap_cur;
    char a[LINE_MAX_COLS + 1], b[LINE_MAX_COLS + 1];
    int cols, rows, ok = 1, bad_rows = 0;
    long prev = -1;

    if (argc != 6 || (cols = atoi(argv[1])) <= 0 || cols > LINE_MAX_COLS ||
        (rows = atoi(argv[2])) <= 0 || atol(argv[5]) <= 0) {
        fprintf(stderr, "usage: stream_check COLS ROWS REFERENCE CAPTURE N\n");
        return 2;
    }
    ref_sb.size = 1;
    cap_sb.size = (size_t)atol(argv[5]);
    ref_sb.lines = malloc(sizeof *ref_sb.lines);
    cap_sb.lines = calloc(cap_sb.size, sizeof *cap_sb.lines);
    if (ref_sb.lines == NULL || cap_sb.lines == NULL)
        return 2;
    ref = new_term(cols, rows, &ref_sb);
    cap = new_term(cols, rows, &cap_sb);
    if (feed(ref, argv[3], 1) != 0 || feed(cap, argv[4], 0) != 0)
        return 2;

    for (int r = 0; r < rows; r++) {
        screen_line(ref, r, cols, a);
        screen_line(cap, r, cols, b);
        if (strcmp(a, b) != 0 && bad_rows++ < 5)
            printf("screen row %d: '%s' after the whole stream, '%s' after "
                   "the reattach\n",
                   r, a, b);
    }
    if (bad_rows > 0) {
        printf("%d screen rows differ\n", bad_rows);
        ok = 0;
    }
    vterm_state_get_cursorpos(vterm_obtain_state(ref), &ref_cur);
    vterm_state_get_cursorpos(vterm_obtain_state(cap), &cap_cur);
    if (ref_cur.row != cap_cur.row || ref_cur.col != cap_cur.col) {
        printf("cursor at %d,%d after the whole stream, %d,%d after the "
               "reattach\n",
               ref_cur.row, ref_cur.col, cap_cur.row, cap_cur.col);
        ok = 0;
    }

    if (cap_sb.count < cap_sb.size) {
        printf("only %zu lines scrolled off after the reattach, not %zu\n",
               cap_sb.count, cap_sb.size);
        ok = 0;
    }
    for (size_t i = 0; i < cap_sb.count; i++) {
        size_t at =
            (cap_sb.next + cap_sb.size - cap_sb.count + i) % cap_sb.size;

        if (!follows(cap_sb.lines[at], &prev, "scrollback line", (int)i))
            ok = 0;
    }
    for (int r = 0; r < rows; r++) {
        screen_line(cap, r, cols, b);
        if (line_number(b) < 0)
            break; /* the end of the stream: what follows it */
        if (!follows(b, &prev, "screen row", r))
            ok = 0;
    }
    printf("%s: %zu scrollback lines and the screen checked, last line %ld\n",
           ok ? "same" : "DIFFERENT", cap_sb.count, prev);
    vterm_free(ref);
    vterm_free(cap);
    free(ref_sb.lines);
    free(cap_sb.lines);
    return ok ? 0 : 1;
}

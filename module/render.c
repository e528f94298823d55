/* render.c -- libvterm screen and scrollback as rows of attribute runs.
 * See render.h for the contract.  Nothing here knows about Emacs. */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"

enum {
    /* libvterm (0.1.4 and 0.3.3) crashes putting a wide character on a
     * one-column screen: the screen is never narrower than this. */
    MIN_COLS = 2,
    STR_MAX = 1 << 16,    /* an OSC payload longer than this is dropped */
    REQ_MAX = 1 << 20,    /* requests queued and not taken, in bytes */
    SEL_BUF = 1024,       /* libvterm's decode buffer for OSC 52 */
    /* A scrollback line's cell info, one byte per cell: its bytes of
     * text, and what the text does not say.  A blank is drawn as one
     * space whatever the cell held, but libvterm tells an empty cell
     * from a space (0.3's reflow counts a line's width up to its last
     * non-empty cell), so a line popped back must have what it had. */
    CELL_BYTES_MASK = 0x1f, /* 4 * VTERM_MAX_CHARS_PER_CELL at most */
    CELL_STRAY = 0x20,      /* a stray wide-character half (-1) */
    CELL_EMPTY = 0x40,      /* an empty cell (0), not a space */
    CELL_WIDE = 0x80,
    /* libvterm 0.3.3 writes past its 16-entry argument array on a CSI
     * with more arguments, and both versions overflow a long on long
     * digit strings: CSIs are passed on with at most this many
     * arguments, each at most ARG_MAX. */
    CSI_ARGS = 16,
    CSI_LEADER = 15, /* what libvterm keeps of leader and intermediate */
    CSI_INTER = 15,  /* bytes */
    ARG_MAX = 65535,
    OSC_COMMAND_MAX = 99999, /* 0.3.3 overflows an int on more digits */
    /* Raw scrollback lines (see struct render) take at most this many
     * bytes of cells, and room for at least RAW_MIN_LINES lines. */
    RAW_BYTES = 4 << 20,
    RAW_MIN_LINES = 16
};

/* A scrollback line: the line itself plus, per stored cell, its byte
 * length in the text and whether it is double-width, so the cells can be
 * rebuilt when the line is popped back onto the screen.  All of it lives
 * in one allocation that starts at the struct. */
struct sb_line {
    struct render_line line;
    uint8_t *cellinfo;
    int ncells;
};

/* A raw scrollback line's metadata: the line as known at push time (its
 * text and runs not built yet; the screen rows have moved on by the time
 * it is built) and how many cells were pushed. */
struct raw_line {
    struct render_line line;
    int ncols;
    signed char wrap; /* see sb_set_newest_wrap; -1: guess from the cells */
};

/* An OSC string being collected from fragments (libvterm 0.2+), or the
 * latest complete one. */
struct osc_acc {
    int command;
    struct buf text;
};

struct render {
    VTerm *vt;
    VTermScreen *screen;
    VTermState *state;
    int rows, cols;

    bool *dirty; /* per screen row */
    struct lineinfo li;
    bool cursor_visible;
    bool cursor_blink, blink_pending; /* see render_take_cursor_blink */
    bool altscreen;
    bool alt_used; /* the alternate screen has been shown */

    /* A scanner that follows libvterm's parser and rewrites what would
     * crash it (see rep_step).  REP (CSI Ps b) is expanded here, never
     * seen by libvterm: both 0.1.4 and 0.3.3 crash repeating a wide
     * character into the last column, so the scanner knows the last
     * printed character.  A CSI is held back until its final byte and
     * passed on rebuilt from what was parsed (struct csi). */
    int rep_state;
    struct csi {
        char leader[CSI_LEADER], inter[CSI_INTER];
        int nleader, ninter, nargs;
        long args[CSI_ARGS];   /* -1: missing */
        char seps[CSI_ARGS];   /* ';' or ':' after args[i] */
        bool phase_args, phase_inter, args_full;
    } csi;
    long osc_command; /* digits of an OSC command so far, -1 none */
    bool esc_sent;    /* REP_ESC: the ESC went to libvterm already */
    const char *run;  /* pass-through bytes not fed yet (feed_rep) */
    size_t run_len;
    char last[5], cur[4]; /* last is NUL-terminated: see scan_emit_byte */
    size_t last_len, cur_len;

    /* An incomplete UTF-8 sequence at the end of the last write, held
     * back so libvterm sees the character whole. */
    unsigned char utf8_hold[5]; /* NUL-terminated when fed */
    size_t utf8_held;
#ifndef RENDER_HAVE_FRAGMENTS
    /* libvterm 0.1.4 loses the start of an OSC (or DCS) string split
     * across writes: an unterminated one is held back until complete. */
    struct buf osc_hold;
    int osc_state;
    struct buf in; /* NUL-terminated copy of the input */
#endif

    struct buf out;   /* bytes libvterm produced, for the process */
    struct buf title; /* pending title, NUL-terminated when has_title */
    bool has_title;
    struct buf dir; /* last directory, NUL-terminated when dir.len */
    bool dir_pending;
    /* Queued requests: records of kind byte, targets, NUL, data length
     * (size_t), data, NUL; REQ_OFF is where the next unread one starts. */
    struct buf reqs;
    size_t req_off;
#ifdef RENDER_HAVE_FRAGMENTS
    struct buf sel_acc;      /* OSC 52 data decoded so far */
    char sel_buf[SEL_BUF];   /* handed to libvterm, which never frees it */
    struct buf title_acc; /* title fragments so far */
    struct osc_acc osc;   /* OSC fragments so far */
#endif

    /* Scratch for render_get_row. */
    VTermScreenCell *cells;
    struct render_line row;
    struct buf row_text, row_runs;

    /* Scratch for lines pushed to the scrollback. */
    struct buf sb_text, sb_runs, sb_info;

    /* Scrollback ring: ring[(head + i) % cap] for i in [0, count). */
    struct sb_line **ring;
    int sb_limit, cap, head, count;
    int pending, evicted, popped;
    unsigned long pushes;

    /* The newest NRAW lines of the ring are raw: kept as libvterm pushed
     * them, their ring slots NULL, until the viewer asks for them (or the
     * pool is full).  With a cat of megabytes most pushed lines are
     * evicted before the next redraw, and building them was most of the
     * render core's time.  Raw line k (0: the oldest raw one) is pool
     * slot (raw_head + k) % raw_cap: raw_stride cells and its metadata
     * captured at push time. */
    VTermScreenCell *raw_cells;
    struct raw_line *raw_meta;
    int raw_cap, raw_stride, raw_head, nraw;
    bool raw_used; /* a line went raw since the last render_sb_taken */
    bool newest_pushed; /* the latest push is the ring's newest line */
};

/* ---- cells to runs ---- */

static struct render_color convert_color(const struct render *r,
                                         const VTermColor *col, bool fg)
{
    struct render_color out = {0};
    VTermColor rgb = *col;

    if (fg ? VTERM_COLOR_IS_DEFAULT_FG(col) : VTERM_COLOR_IS_DEFAULT_BG(col))
        return out;
    if (VTERM_COLOR_IS_INDEXED(col) && col->indexed.idx < 16) {
        out.kind = RENDER_COLOR_INDEXED;
        out.idx = col->indexed.idx;
        return out;
    }
    /* Palette entries past the named 16 are just colours. */
    if (VTERM_COLOR_IS_INDEXED(col))
        vterm_screen_convert_color_to_rgb(r->screen, &rgb);
    out.kind = RENDER_COLOR_RGB;
    out.r = rgb.rgb.red;
    out.g = rgb.rgb.green;
    out.b = rgb.rgb.blue;
    return out;
}

static void convert_attrs(const struct render *r, const VTermScreenCell *cell,
                          struct render_attrs *a)
{
    memset(a, 0, sizeof *a);
    a->fg = convert_color(r, &cell->fg, true);
    a->bg = convert_color(r, &cell->bg, false);
    a->bold = cell->attrs.bold;
    a->italic = cell->attrs.italic;
    a->blink = cell->attrs.blink;
    a->reverse = cell->attrs.reverse;
    a->strike = cell->attrs.strike;
    a->underline = cell->attrs.underline;
#ifdef RENDER_HAVE_FRAGMENTS
    a->conceal = cell->attrs.conceal;
#endif
}

/* A blank: empty, a space, or a stray wide-character continuation (the
 * right half of a wide character that is gone, e.g. cut by a resize).
 * build_line draws each as one space; a stray half kept as it came
 * (a raw scrollback line popped back) must count as the blank a built
 * one becomes (sb_line_to_cells), or a popped line's trailing blank
 * would show in one and not in the other. */
static bool char_blank(uint32_t c)
{
    return c == 0 || c == ' ' || c == (uint32_t)-1;
}

/* A cell that draws nothing when it is past the end of the text. */
static bool cell_invisible(const VTermScreenCell *cell)
{
    if (!char_blank(cell->chars[0]))
        return false;
    return VTERM_COLOR_IS_DEFAULT_BG(&cell->bg) && !cell->attrs.reverse &&
           !cell->attrs.underline && !cell->attrs.strike;
}

static bool same_color(const VTermColor *a, const VTermColor *b)
{
    if (a->type != b->type)
        return false;
    if (VTERM_COLOR_IS_INDEXED(a))
        return a->indexed.idx == b->indexed.idx;
    return a->rgb.red == b->rgb.red && a->rgb.green == b->rgb.green &&
           a->rgb.blue == b->rgb.blue;
}

/* True when cells A and B convert to the same attributes (what
 * convert_attrs reads); false may still convert the same. */
static bool same_pen(const VTermScreenCell *a, const VTermScreenCell *b)
{
    return a->attrs.bold == b->attrs.bold &&
           a->attrs.underline == b->attrs.underline &&
           a->attrs.italic == b->attrs.italic &&
           a->attrs.blink == b->attrs.blink &&
           a->attrs.reverse == b->attrs.reverse &&
           a->attrs.strike == b->attrs.strike &&
#ifdef RENDER_HAVE_FRAGMENTS
           a->attrs.conceal == b->attrs.conceal &&
#endif
           same_color(&a->fg, &b->fg) && same_color(&a->bg, &b->bg);
}

/* A single-width blank: a space or an empty cell, nothing combined. */
static bool cell_blank(const VTermScreenCell *cell)
{
    return char_blank(cell->chars[0]) && cell->chars[1] == 0 &&
           cell->width == 1;
}

/* True when a blank cell with attributes B draws exactly what one with
 * RUN's attributes would: they differ at most in what only a glyph shows
 * (foreground, bold, italic, blink), and neither is reversed, which
 * would paint the foreground as background.  Such a blank joins RUN:
 * `ls --color' and the like reset the colour before each separating
 * space, and every separate run is a text property in Emacs. */
static bool blank_draws_as(const struct render_attrs *run,
                           const struct render_attrs *b)
{
    return !run->reverse && !b->reverse && run->underline == b->underline &&
           run->strike == b->strike && run->conceal == b->conceal &&
           memcmp(&run->bg, &b->bg, sizeof b->bg) == 0;
}

static int visible_end(const VTermScreenCell *cells, int ncols)
{
    while (ncols > 0 && cell_invisible(&cells[ncols - 1]))
        ncols--;
    return ncols;
}

/* Build a line from NCOLS cells into TEXT/RUNS (growable, owned by the
 * caller), keeping cells up to max(visible end, MIN_COLS).  CELLINFO, when
 * not NULL, gets one entry per stored cell.  Returns false on allocation
 * failure. */
struct line_builder {
    struct buf *text;
    struct buf *runs; /* of struct render_run */
    struct buf *cellinfo; /* optional */
};

static struct render_run *add_run(struct line_builder *lb,
                                  struct render_line *line,
                                  const struct render_attrs *a)
{
    struct render_run *run = buf_extend(lb->runs, sizeof *run);

    if (run == NULL)
        return NULL;
    line->nruns++;
    memset(run, 0, sizeof *run);
    run->off = lb->text->len;
    run->attrs = *a;
    return run;
}

static bool build_line(const struct render *r, struct line_builder *lb,
                       const VTermScreenCell *cells, int ncols, int min_cols,
                       struct render_line *line)
{
    int end = visible_end(cells, ncols), col, i;
    struct render_run *run = NULL;
    const VTermScreenCell *pen = NULL; /* the cell RUN's attributes came from */
    const VTermScreenCell *joined = NULL; /* a blank that joined RUN */
    struct render_attrs a;

    if (min_cols > end)
        end = min_cols < ncols ? min_cols : ncols;
    buf_clear(lb->text);
    buf_clear(lb->runs);
    line->nruns = 0;
    line->cols = 0;
    line->prompt_chars = 0;
    /* Room for every cell at once: the loop writes without checks (it
     * runs for every line a viewer is shown). */
    if (!buf_reserve(lb->text, (size_t)end * 4 * VTERM_MAX_CHARS_PER_CELL) ||
        (lb->cellinfo != NULL && !buf_reserve(lb->cellinfo, (size_t)end)))
        return false;
    for (col = 0; col < end;) {
        const VTermScreenCell *cell = &cells[col];
        int width = cell->width >= 1 && cell->width <= 2 ? cell->width : 1;
        char *enc = lb->text->data + lb->text->len;
        uint32_t c = cell->chars[0];
        size_t n = 0;
        int nchars = 0;

        /* Runs of cells with the same pen are the rule: convert once (a
         * blank like one that joined RUN joins it too). */
        if ((pen == NULL || !same_pen(pen, cell)) &&
            !(joined != NULL && cell_blank(cell) && same_pen(joined, cell))) {
            convert_attrs(r, cell, &a);
            if (run != NULL && memcmp(&run->attrs, &a, sizeof a) == 0) {
                pen = cell;
            } else if (run != NULL && cell_blank(cell) &&
                       blank_draws_as(&run->attrs, &a)) {
                joined = cell;
            } else {
                run = add_run(lb, line, &a);
                if (run == NULL)
                    return false;
                pen = cell;
                joined = NULL;
            }
        }
        if (c == 0 || c == (uint32_t)-1) {
            /* Blank (or a stray wide-char continuation): one space. */
            enc[n++] = ' ';
            nchars = 1;
        } else if (c < 0x80 && cell->chars[1] == 0) {
            enc[n++] = (char)c;
            nchars = 1;
        } else {
            for (i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell->chars[i] != 0;
                 i++)
                n += utf8_encode(cell->chars[i], enc + n);
            nchars = i;
        }
        lb->text->len += n;
        if (lb->cellinfo != NULL)
            lb->cellinfo->data[lb->cellinfo->len++] =
                (char)(n | (width == 2 ? CELL_WIDE : 0) |
                       (c == 0 ? CELL_EMPTY : 0) |
                       (c == (uint32_t)-1 ? CELL_STRAY : 0));
        run->len += n;
        run->chars += nchars;
        run->cols += width;
        if (col < line->info.prompt_col)
            line->prompt_chars += nchars;
        col += width;
    }
    if (lb->text->failed || (lb->cellinfo && lb->cellinfo->failed))
        return false;
    line->cols = col;
    line->text = lb->text->data;
    line->len = lb->text->len;
    line->runs = (struct render_run *)lb->runs->data;
    /* A full row whose last cell is used most likely wrapped; libvterm
     * 0.3 knows for sure and the caller overrides this. */
    line->wrapped = ncols > 0 && !cell_invisible(&cells[ncols - 1]) &&
                    end == ncols;
    return true;
}

/* ---- scrollback ---- */

/* What a raw line becomes when even an empty copy of it cannot be
 * allocated (see raw_compact_oldest); shared, never freed. */
static struct sb_line sb_empty_line = {.line = {.text = ""}};

static void sb_line_free(struct sb_line *l)
{
    if (l != &sb_empty_line)
        free(l);
}

/* One allocation: the struct, the runs, the cell info, the text. */
static struct sb_line *sb_line_new(const struct render_line *src,
                                   const struct buf *cellinfo)
{
    size_t runs_size = (size_t)src->nruns * sizeof(struct render_run);
    struct sb_line *l =
        malloc(sizeof *l + runs_size + cellinfo->len + src->len + 1);
    char *p;

    if (l == NULL)
        return NULL;
    p = (char *)(l + 1);
    l->line = *src;
    l->line.runs = (struct render_run *)p;
    if (runs_size > 0) /* an empty line may have no buffers at all */
        memcpy(p, src->runs, runs_size);
    p += runs_size;
    l->cellinfo = (uint8_t *)p;
    l->ncells = (int)cellinfo->len;
    if (cellinfo->len > 0)
        memcpy(p, cellinfo->data, cellinfo->len);
    p += cellinfo->len;
    l->line.text = p;
    if (src->len > 0)
        memcpy(p, src->text, src->len);
    p[src->len] = '\0';
    return l;
}

static bool sb_grow(struct render *r)
{
    int cap = r->cap ? r->cap * 2 : 64;
    struct sb_line **ring;

    if (cap > r->sb_limit)
        cap = r->sb_limit;
    /* Growth happens only before the ring first filled up (see
     * sb_pushline), so head is 0 and the lines are in order. */
    ring = realloc(r->ring, (size_t)cap * sizeof *ring);
    if (ring == NULL)
        return false;
    r->ring = ring;
    r->cap = cap;
    return true;
}

static struct sb_line **sb_slot(const struct render *r, int i)
{
    return &r->ring[(r->head + i) % r->cap];
}

/* Build LINE (its metadata as captured at push time) from NCOLS cells
 * into a compact scrollback line, wrapped as WRAP says (-1: as the cells
 * suggest); NULL when out of memory. */
static struct sb_line *sb_build(struct render *r, struct render_line *line,
                                const VTermScreenCell *cells, int ncols,
                                int wrap)
{
    struct line_builder lb = {&r->sb_text, &r->sb_runs, &r->sb_info};

    buf_clear(&r->sb_info);
    if (!build_line(r, &lb, cells, ncols, 0, line))
        return NULL;
    if (wrap >= 0)
        line->wrapped = wrap != 0;
    return sb_line_new(line, &r->sb_info);
}

/* ---- raw scrollback lines (see struct render) ---- */

static VTermScreenCell *raw_cells(const struct render *r, int k)
{
    return r->raw_cells +
           (size_t)((r->raw_head + k) % r->raw_cap) * (size_t)r->raw_stride;
}

static struct raw_line *raw_meta(const struct render *r, int k)
{
    return &r->raw_meta[(r->raw_head + k) % r->raw_cap];
}

static void raw_free(struct render *r)
{
    free(r->raw_cells);
    free(r->raw_meta);
    r->raw_cells = NULL;
    r->raw_meta = NULL;
    r->raw_cap = r->raw_stride = r->raw_head = 0;
}

/* Build the oldest raw line into its ring slot.  Out of memory it stays
 * in the scrollback empty (with its metadata when possible): the ring
 * cannot have a hole. */
static void raw_compact_oldest(struct render *r)
{
    struct raw_line *m = raw_meta(r, 0);
    struct render_line line = m->line;
    struct sb_line *l = sb_build(r, &line, raw_cells(r, 0), m->ncols,
                                 m->wrap);

    if (l == NULL) {
        line = m->line;
        r->sb_info.len = 0;
        l = sb_line_new(&line, &r->sb_info);
        if (l == NULL)
            l = &sb_empty_line;
    }
    *sb_slot(r, r->count - r->nraw) = l;
    r->raw_head = (r->raw_head + 1) % r->raw_cap;
    r->nraw--;
}

/* A free pool slot for a line of COLS cells; false when out of memory
 * (the caller builds the line at once). */
static bool raw_reserve(struct render *r, int cols)
{
    if (r->raw_cells != NULL && cols > r->raw_stride) {
        /* Wider than the slots (a resize): build what is raw, start a
         * new pool. */
        while (r->nraw > 0)
            raw_compact_oldest(r);
        raw_free(r);
    }
    if (r->raw_cells == NULL) {
        int stride = cols > r->cols ? cols : r->cols;
        int cap = RAW_BYTES / (stride * (int)sizeof(VTermScreenCell));

        if (cap < RAW_MIN_LINES)
            cap = RAW_MIN_LINES;
        if (cap > r->sb_limit)
            cap = r->sb_limit;
        r->raw_cells = malloc((size_t)cap * (size_t)stride *
                              sizeof(VTermScreenCell));
        r->raw_meta = malloc((size_t)cap * sizeof(struct raw_line));
        if (r->raw_cells == NULL || r->raw_meta == NULL) {
            raw_free(r);
            return false;
        }
        r->raw_cap = cap;
        r->raw_stride = stride;
    }
    if (r->nraw == r->raw_cap)
        raw_compact_oldest(r); /* the memory bound: the oldest is built */
    return true;
}

static void cell_from_attrs(const struct render *r, const struct render_attrs *a,
                            VTermScreenCell *cell);

/* Cells FROM.. of a popped line COLS wide: blanks in the default colours. */
static void pad_blank_cells(const struct render *r, VTermScreenCell *cells,
                            int from, int cols)
{
    struct render_attrs blank;

    memset(&blank, 0, sizeof blank);
    for (; from < cols; from++) {
        memset(&cells[from], 0, sizeof cells[from]);
        cell_from_attrs(r, &blank, &cells[from]);
        cells[from].width = 1;
    }
}

static int visible_end(const VTermScreenCell *cells, int ncols);

/* The NCOLS cells of a raw line onto a screen COLS wide: cut, or padded.
 * Its trailing blanks become the default blanks a built line comes back
 * with (sb_line_to_cells: build_line keeps no trailing blank): whether
 * the viewer drew a line before it came back must not change the
 * screen, and libvterm 0.3's reflow counts a trailing space, not an
 * empty cell, as part of the line (with SGR 7 on, a resize filled the
 * rest of such a row reversed from one column further). */
static void raw_to_cells(const struct render *r, const VTermScreenCell *src,
                         int ncols, int cols, VTermScreenCell *cells)
{
    int col, n = visible_end(src, ncols);

    if (n > cols)
        n = cols;

    memcpy(cells, src, (size_t)n * sizeof *cells);
    pad_blank_cells(r, cells, n, cols);
    /* libvterm steps over the cells by width: never 0, and a wide cell
     * cut off at the edge is narrowed (as sb_line_to_cells does). */
    for (col = 0; col < n; col++)
        if (cells[col].width != 2 || col + 1 == cols)
            cells[col].width = 1;
}

static void sb_evict_oldest(struct render *r)
{
    if (r->nraw == r->count) {
        /* Raw: nothing was built, nothing to free. */
        r->raw_head = (r->raw_head + 1) % r->raw_cap;
        r->nraw--;
    } else {
        sb_line_free(*sb_slot(r, 0));
    }
    r->head = (r->head + 1) % r->cap;
    r->count--;
    /* The oldest line was shown unless every line is still pending. */
    if (r->pending > r->count)
        r->pending--;
    else
        r->evicted++;
}

/* A line goes into the scrollback raw: its cells copied, its metadata
 * captured now (the screen rows move on); it is built only when the
 * viewer asks for it (render_sb_pending_line), the pool is full, or
 * never if it is evicted first. */
static int cb_sb_pushline(int cols, const VTermScreenCell *cells, void *user)
{
    struct render *r = user;
    struct render_line line;
    struct sb_line *l = NULL;

    memset(&line, 0, sizeof line);
    line.info = lineinfo_take_pushed(&r->li);
    r->pushes++;
    r->newest_pushed = false;
    if (r->sb_limit <= 0 || cols < 0)
        return 1;
    if (r->count == r->sb_limit)
        sb_evict_oldest(r);
    if (r->count == r->cap && !sb_grow(r))
        return 0;
    if (raw_reserve(r, cols)) {
        struct raw_line *m = raw_meta(r, r->nraw);

        memcpy(raw_cells(r, r->nraw), cells, (size_t)cols * sizeof *cells);
        m->line = line;
        m->ncols = cols;
        m->wrap = -1;
        r->nraw++;
        r->raw_used = true;
    } else {
        l = sb_build(r, &line, cells, cols, -1);
        if (l == NULL)
            return 0;
    }
    *sb_slot(r, r->count) = l; /* NULL while raw */
    r->count++;
    r->pending++;
    r->newest_pushed = true;
    return 1;
}

static void color_from_render(const struct render *r,
                              const struct render_color *c, bool fg,
                              VTermColor *out)
{
    VTermColor dfg, dbg;

    switch (c->kind) {
    case RENDER_COLOR_INDEXED:
        vterm_color_indexed(out, c->idx);
        break;
    case RENDER_COLOR_RGB:
        vterm_color_rgb(out, c->r, c->g, c->b);
        break;
    default:
        vterm_state_get_default_colors(r->state, &dfg, &dbg);
        *out = fg ? dfg : dbg;
        break;
    }
}

static void cell_from_attrs(const struct render *r, const struct render_attrs *a,
                            VTermScreenCell *cell)
{
    cell->attrs.bold = a->bold;
    cell->attrs.italic = a->italic;
    cell->attrs.blink = a->blink;
    cell->attrs.reverse = a->reverse;
    cell->attrs.strike = a->strike;
    cell->attrs.underline = a->underline;
#ifdef RENDER_HAVE_FRAGMENTS
    cell->attrs.conceal = a->conceal;
#endif
    color_from_render(r, &a->fg, true, &cell->fg);
    color_from_render(r, &a->bg, false, &cell->bg);
}

/* Rebuild the cells of a stored line: text and attributes from the runs,
 * blanks with default colours past its end. */
_Static_assert(4 * VTERM_MAX_CHARS_PER_CELL <= CELL_BYTES_MASK,
               "a cell's bytes fit in its cell info");

static void sb_line_to_cells(const struct render *r, const struct sb_line *l,
                             int cols, VTermScreenCell *cells)
{
    const unsigned char *text = (const unsigned char *)l->line.text;
    size_t off = 0;
    int col = 0, k, run = 0;

    memset(cells, 0, (size_t)cols * sizeof *cells);
    for (k = 0; k < l->ncells && col < cols; k++) {
        VTermScreenCell *cell = &cells[col];
        size_t n = l->cellinfo[k] & CELL_BYTES_MASK, used = 0;
        int i = 0;

        while (run + 1 < l->line.nruns && off >= l->line.runs[run + 1].off)
            run++;
        cell_from_attrs(r, &l->line.runs[run].attrs, cell);
        while (used < n && i < VTERM_MAX_CHARS_PER_CELL) {
            used += utf8_decode(text + off + used, n - used, &cell->chars[i]);
            i++;
        }
        /* An empty cell and a stray half were stored as one space. */
        if (l->cellinfo[k] & CELL_EMPTY)
            cell->chars[0] = 0;
        else if (l->cellinfo[k] & CELL_STRAY)
            cell->chars[0] = (uint32_t)-1;
        cell->width = (l->cellinfo[k] & CELL_WIDE) && col + 1 < cols ? 2 : 1;
        off += n;
        col += cell->width;
    }
    pad_blank_cells(r, cells, col, cols);
    /* Continuation halves of wide cells: libvterm skips them by width but
     * give them a sane width anyway. */
    for (col = 0; col < cols; col++)
        if (cells[col].width == 0)
            cells[col].width = 1;
}

static int cb_sb_popline(int cols, VTermScreenCell *cells, void *user)
{
    struct render *r = user;
    struct sb_line *l;

    if (r->count == 0)
        return 0;
    if (r->nraw > 0) {
        /* Raw: back as libvterm gave it, never built. */
        const struct raw_line *m = raw_meta(r, r->nraw - 1);

        raw_to_cells(r, raw_cells(r, r->nraw - 1), m->ncols, cols, cells);
        lineinfo_popped(&r->li, &m->line.info);
        r->nraw--;
    } else {
        l = *sb_slot(r, r->count - 1);
        sb_line_to_cells(r, l, cols, cells);
        lineinfo_popped(&r->li, &l->line.info);
        sb_line_free(l);
    }
    r->count--;
    if (r->pending > 0)
        r->pending--;
    else
        r->popped++;
    return 1;
}

void render_sb_clear(struct render *r)
{
    while (r->count > 0)
        sb_evict_oldest(r);
}

#ifdef RENDER_HAVE_SB_CLEAR
/* CSI 3 J: every line goes, shown ones are deleted by the viewer. */
static int cb_sb_clear(void *user)
{
    render_sb_clear(user);
    return 1;
}
#endif

/* ---- screen callbacks ---- */

static void mark_all_dirty(struct render *r)
{
    int i;

    for (i = 0; i < r->rows; i++)
        r->dirty[i] = true;
}

static int cb_damage(VTermRect rect, void *user)
{
    struct render *r = user;
    int row;

    /* ED 1 (erase above) with the cursor on the top row erases rows
     * 0..0, an empty rectangle, before the cursor's row: with row merging
     * (VTERM_DAMAGE_ROW) libvterm keeps that empty rectangle and merges
     * the cursor row's damage into it by columns only, so the row it
     * erased came as damage of no row (0.1.4 and 0.3.3).  A rectangle
     * of no rows means its first row. */
    if (rect.end_row == rect.start_row && rect.end_col > rect.start_col)
        rect.end_row = rect.start_row + 1;
    for (row = rect.start_row; row < rect.end_row; row++) {
        if (row >= 0 && row < r->rows)
            r->dirty[row] = true;
        lineinfo_damage(&r->li, row, rect.start_col);
    }
    return 1;
}

#ifdef RENDER_HAVE_REFLOW
/* Whether the newest scrollback line wraps into the row after it: W.
 * libvterm 0.3 marks a row that continues the one above, but pushes a
 * row without saying whether the next one continues it; the scroll that
 * pushed it tells, once libvterm has moved its line info (see
 * cb_moverect).  Without it, build_line guesses from the cells. */
static void sb_set_newest_wrap(struct render *r, bool w)
{
    if (r->nraw > 0) {
        raw_meta(r, r->nraw - 1)->wrap = w;
    } else if (r->count > 0) {
        struct sb_line *l = *sb_slot(r, r->count - 1);
        if (l != &sb_empty_line)
            l->line.wrapped = w;
    }
}
#endif

/* Whole rows moving (a scroll) take their line info along; a partial
 * move is left to libvterm, which reports it as damage. */
static int cb_moverect(VTermRect dest, VTermRect src, void *user)
{
    struct render *r = user;
    int row;

    if (src.start_col != 0 || src.end_col != r->cols)
        return 0;
#ifdef RENDER_HAVE_REFLOW
    /* A scroll of the whole width from the top that pushed rows: the row
     * now at the top followed the last of them (libvterm moved the line
     * info before this call).  Rows pushed before that one in the same
     * scroll lost theirs: they keep the guess. */
    if (r->newest_pushed && dest.start_row == 0 && r->li.pushed > 0 &&
        src.start_row == r->li.pushed) {
        const VTermLineInfo *next = vterm_state_get_lineinfo(r->state, 0);
        sb_set_newest_wrap(r, next != NULL && next->continuation);
    }
#endif
    lineinfo_move(&r->li, dest.start_row, src.start_row,
                  src.end_row - src.start_row);
    for (row = dest.start_row; row < dest.end_row; row++)
        if (row >= 0 && row < r->rows)
            r->dirty[row] = true;
    return 1;
}

static int cb_movecursor(VTermPos pos, VTermPos oldpos, int visible,
                         void *user)
{
    struct render *r = user;

    (void)pos;
    (void)oldpos;
    r->cursor_visible = visible != 0;
    return 1;
}

static void set_title(struct render *r, const char *s, size_t len)
{
    buf_set(&r->title, s, len);
    r->has_title = buf_terminate(&r->title) && !r->title.failed;
}

static void set_directory(struct render *r, const char *s, size_t len)
{
    buf_set(&r->dir, s, len);
    r->dir_pending = buf_terminate(&r->dir) && !r->dir.failed;
}

static void title_prop(struct render *r, const VTermValue *val)
{
#ifdef RENDER_HAVE_FRAGMENTS
    /* 0.2+: the title may come in fragments across writes. */
    if (val->string.initial)
        buf_set(&r->title_acc, NULL, 0);
    if (r->title_acc.len + val->string.len <= STR_MAX)
        buf_append(&r->title_acc, val->string.str, val->string.len);
    if (val->string.final)
        set_title(r, r->title_acc.data ? r->title_acc.data : "",
                  r->title_acc.len);
#else
    set_title(r, val->string, strlen(val->string));
#endif
}

static int cb_settermprop(VTermProp prop, VTermValue *val, void *user)
{
    struct render *r = user;

    switch (prop) {
    case VTERM_PROP_CURSORVISIBLE:
        r->cursor_visible = val->boolean != 0;
        break;
    case VTERM_PROP_CURSORBLINK:
        r->cursor_blink = val->boolean != 0;
        r->blink_pending = true;
        break;
    case VTERM_PROP_ALTSCREEN:
        /* Damage still held belongs to the screen being left. */
        vterm_screen_flush_damage(r->screen);
        r->altscreen = val->boolean != 0;
        r->alt_used = r->alt_used || r->altscreen;
        lineinfo_set_alt(&r->li, r->altscreen);
        mark_all_dirty(r);
        break;
    case VTERM_PROP_TITLE:
        title_prop(r, val);
        break;
    default:
        break;
    }
    return 1;
}

static int cb_resize(int rows, int cols, void *user)
{
    (void)rows;
    (void)cols;
    (void)user; /* render_resize reallocates and marks everything dirty */
    return 1;
}

static void queue_request(struct render *r, enum render_request_kind kind,
                          const char *targets, const char *data, size_t len)
{
    char k = (char)kind;

    if (r->req_off == r->reqs.len)
        r->reqs.len = r->req_off = 0; /* all taken: start over */
    if (r->reqs.len + len > REQ_MAX)
        return; /* nobody is taking them: drop rather than grow forever */
    buf_append(&r->reqs, &k, 1);
    buf_append(&r->reqs, targets, strlen(targets) + 1);
    buf_append(&r->reqs, (const char *)&len, sizeof len);
    buf_append(&r->reqs, data, len);
    buf_append(&r->reqs, "", 1);
}

bool render_next_request(struct render *r, struct render_request *req)
{
    const char *p;

    if (r->reqs.failed) {
        /* A record may be cut short: drop the queue rather than misread. */
        r->reqs.len = r->req_off = 0;
        r->reqs.failed = false;
    }
    if (r->req_off >= r->reqs.len)
        return false;
    p = r->reqs.data + r->req_off;
    req->kind = (enum render_request_kind)p[0];
    req->targets = p + 1;
    p = req->targets + strlen(req->targets) + 1;
    memcpy(&req->data_len, p, sizeof req->data_len);
    req->data = p + sizeof req->data_len;
    r->req_off = (size_t)(req->data + req->data_len + 1 - r->reqs.data);
    return true;
}

/* Standard base64 into OUT (room for LEN * 3 / 4 bytes); stops at the
 * first byte that is not base64.  Returns the decoded length. */
static size_t base64_decode(const char *in, size_t len, char *out)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        char c = in[i];
        int v = c >= 'A' && c <= 'Z'   ? c - 'A'
                : c >= 'a' && c <= 'z' ? c - 'a' + 26
                : c >= '0' && c <= '9' ? c - '0' + 52
                : c == '+'             ? 62
                : c == '/'             ? 63
                                       : -1;
        if (v < 0)
            break;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    return n;
}

/* OSC 52 on libvterm 0.1.4, which leaves it to us: "<targets>;<base64>". */
static void osc52(struct render *r, const char *payload, size_t len)
{
    const char *semi = memchr(payload, ';', len);
    char targets[16];
    size_t tlen;
    char *data;

    if (semi == NULL)
        return;
    tlen = (size_t)(semi - payload);
    if (tlen >= sizeof targets)
        return;
    memcpy(targets, payload, tlen);
    targets[tlen] = '\0';
    len -= tlen + 1;
    if (len == 1 && semi[1] == '?')
        return; /* a query: the selection is not readable */
    data = malloc(len / 4 * 3 + 3);
    if (data == NULL)
        return;
    queue_request(r, RENDER_REQ_SELECTION, targets[0] ? targets : "s0", data,
                  base64_decode(semi + 1, len, data));
    free(data);
}

/* A complete OSC string COMMAND;PAYLOAD we care about. */
static void handle_osc(struct render *r, int command, const char *payload,
                       size_t len)
{
    if (command == 7 || (command == 51 && len >= 1 && payload[0] == 'A')) {
        /* OSC 7 and emacs-libvterm's prompt tracking, sent at the end of
         * the prompt: "51;A<user>@<host>:<dir>". */
        bool prompt = command == 51;
        VTermPos pos;

        if (prompt)
            set_directory(r, payload + 1, len - 1);
        else
            set_directory(r, payload, len);
        /* The prompt's own cells first: their damage, held back by row
         * merging, would otherwise land after the mark and erase it. */
        vterm_screen_flush_damage(r->screen);
        vterm_state_get_cursorpos(r->state, &pos);
        lineinfo_mark(&r->li, pos.row, pos.col, prompt, render_directory(r));
        /* The mark is drawn as a property of the row's text, which may
         * not have changed: the row is drawn again. */
        if (prompt && pos.row >= 0 && pos.row < r->rows)
            r->dirty[pos.row] = true;
    } else if (command == 51 && len >= 1 && payload[0] == 'E') {
        queue_request(r, RENDER_REQ_EVAL, "", payload + 1, len - 1);
    } else if (command == 52) {
        osc52(r, payload, len);
    }
}

#ifdef RENDER_HAVE_FRAGMENTS
static int cb_osc(int command, VTermStringFragment frag, void *user)
{
    struct render *r = user;

    if (command != 7 && command != 51) /* 52 comes through cb_selection */
        return 0;
    if (frag.initial) {
        r->osc.command = command;
        buf_set(&r->osc.text, NULL, 0);
    }
    if (r->osc.text.len + frag.len <= STR_MAX)
        buf_append(&r->osc.text, frag.str, frag.len);
    else
        r->osc.text.failed = true;
    if (frag.final && !r->osc.text.failed)
        handle_osc(r, r->osc.command, r->osc.text.data ? r->osc.text.data : "",
                   r->osc.text.len);
    return 1;
}
#else
/* 0.1.4 hands over the whole "<number>;<payload>" string at once. */
static int cb_osc(const char *command, size_t len, void *user)
{
    int number = 0;
    size_t i = 0;

    while (i < len && command[i] >= '0' && command[i] <= '9' && number < 1000)
        number = number * 10 + (command[i++] - '0');
    if (i == 0 || i >= len || command[i] != ';')
        return 0;
    handle_osc(user, number, command + i + 1, len - i - 1);
    return 1;
}
#endif

#ifdef RENDER_HAVE_FRAGMENTS
/* OSC 52 on libvterm 0.3: decoded by libvterm, in fragments. */
static int cb_selection_set(VTermSelectionMask mask, VTermStringFragment frag,
                            void *user)
{
    static const char names[] = "cpqs01234567";
    struct render *r = user;
    char targets[sizeof names];
    size_t i, n = 0;

    if (frag.initial)
        buf_set(&r->sel_acc, NULL, 0);
    if (r->sel_acc.len + frag.len <= STR_MAX)
        buf_append(&r->sel_acc, frag.str, frag.len);
    else
        r->sel_acc.failed = true;
    if (!frag.final || r->sel_acc.failed)
        return 1;
    for (i = 0; i < sizeof names - 1; i++)
        if (mask & (1u << i))
            targets[n++] = names[i];
    targets[n] = '\0';
    queue_request(r, RENDER_REQ_SELECTION, targets,
                  r->sel_acc.data ? r->sel_acc.data : "", r->sel_acc.len);
    return 1;
}

static const VTermSelectionCallbacks selection_callbacks = {
    .set = cb_selection_set,
};
#endif

static void cb_output(const char *s, size_t len, void *user)
{
    struct render *r = user;

    buf_append(&r->out, s, len);
}

static const VTermScreenCallbacks screen_callbacks = {
    .damage = cb_damage,
    .moverect = cb_moverect,
    .movecursor = cb_movecursor,
    .settermprop = cb_settermprop,
    .resize = cb_resize,
    .sb_pushline = cb_sb_pushline,
    .sb_popline = cb_sb_popline,
#ifdef RENDER_HAVE_SB_CLEAR
    .sb_clear = cb_sb_clear,
#endif
};

#ifdef RENDER_HAVE_FRAGMENTS
static const VTermStateFallbacks fallbacks = {.osc = cb_osc};
#else
static const VTermParserCallbacks fallbacks = {.osc = cb_osc};
#endif

/* ---- public ---- */

static bool alloc_rows(struct render *r, int rows, int cols)
{
    bool *dirty = calloc((size_t)rows, sizeof *dirty);
    VTermScreenCell *cells = calloc((size_t)cols, sizeof *cells);

    if (dirty == NULL || cells == NULL) {
        free(dirty);
        free(cells);
        return false;
    }
    free(r->dirty);
    free(r->cells);
    r->dirty = dirty;
    r->cells = cells;
    r->rows = rows;
    r->cols = cols;
    mark_all_dirty(r);
    return true;
}

struct render *render_new(const struct render_options *opt)
{
    struct render *r;
    int cols;

    if (opt->rows < 1 || opt->cols < 1 || opt->rows > 10000 ||
        opt->cols > 10000 || opt->sb_limit < 0)
        return NULL;
    cols = opt->cols < MIN_COLS ? MIN_COLS : opt->cols;
    r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->sb_limit = opt->sb_limit;
    r->cursor_visible = true;
    if (!lineinfo_init(&r->li, opt->rows)) {
        free(r);
        return NULL;
    }
    if (!alloc_rows(r, opt->rows, cols)) {
        lineinfo_free(&r->li);
        free(r);
        return NULL;
    }
    r->vt = vterm_new(opt->rows, cols);
    if (r->vt == NULL) {
        render_free(r);
        return NULL;
    }
    vterm_set_utf8(r->vt, 1);
    vterm_output_set_callback(r->vt, cb_output, r);
    r->screen = vterm_obtain_screen(r->vt);
    r->state = vterm_obtain_state(r->vt);
    vterm_screen_set_callbacks(r->screen, &screen_callbacks, r);
    vterm_screen_set_unrecognised_fallbacks(r->screen, &fallbacks, r);
    vterm_screen_enable_altscreen(r->screen, 1);
    /* Damage by row, not by cell: a callback per row touched instead of
     * one per character (measured: 8 % fewer instructions for plain text,
     * 6 % for coloured).  libvterm flushes it before every scroll; the
     * render core before a prompt mark, a screen switch and at the end of
     * each write, where line info must see it in order. */
    vterm_screen_set_damage_merge(r->screen, VTERM_DAMAGE_ROW);
#ifdef RENDER_HAVE_REFLOW
    vterm_screen_enable_reflow(r->screen, true);
#endif
#ifdef RENDER_HAVE_FRAGMENTS
    vterm_state_set_selection_callbacks(r->state, &selection_callbacks, r,
                                        r->sel_buf, sizeof r->sel_buf);
#endif
    vterm_screen_reset(r->screen, 1);
    return r;
}

void render_free(struct render *r)
{
    if (r == NULL)
        return;
    if (r->vt != NULL)
        vterm_free(r->vt);
    while (r->count > 0) {
        if (r->count > r->nraw) /* raw slots hold nothing */
            sb_line_free(*sb_slot(r, r->count - 1));
        r->count--;
    }
    free(r->ring);
    raw_free(r);
    lineinfo_free(&r->li);
    free(r->dirty);
    free(r->cells);
    buf_free(&r->row_runs);
    buf_free(&r->row_text);
    buf_free(&r->sb_runs);
    buf_free(&r->sb_text);
    buf_free(&r->sb_info);
    buf_free(&r->out);
    buf_free(&r->title);
    buf_free(&r->dir);
#ifndef RENDER_HAVE_FRAGMENTS
    buf_free(&r->osc_hold);
    buf_free(&r->in);
#endif
    buf_free(&r->reqs);
#ifdef RENDER_HAVE_FRAGMENTS
    buf_free(&r->sel_acc);
    buf_free(&r->title_acc);
    buf_free(&r->osc.text);
#endif
    free(r);
}

/* Feed libvterm, completing a held UTF-8 sequence first and holding back
 * an incomplete one at the end. */
static void feed_utf8(struct render *r, const char *bytes, size_t len)
{
    const unsigned char *b = (const unsigned char *)bytes;
    size_t tail;

    if (r->utf8_held > 0) {
        unsigned char lead = r->utf8_hold[0];
        size_t need = utf8_seq_len(lead);
        while (r->utf8_held < need && len > 0 && (*b & 0xc0) == 0x80) {
            r->utf8_hold[r->utf8_held++] = *b++;
            len--;
        }
        if (r->utf8_held < need && len == 0)
            return; /* still incomplete: wait for more */
        if (r->utf8_held < need && *b < 0x80) {
            /* Broken by an ASCII byte: libvterm must see that byte in the
             * same write, as it would have without the hold.  Alone, the
             * held bytes leave libvterm's UTF-8 decoder waiting, and text
             * that starts with ASCII goes to its ASCII decoder: the
             * U+FFFD of the broken sequence was lost (a lead byte after
             * it goes to the UTF-8 decoder either way). */
            r->utf8_hold[r->utf8_held++] = *b++;
            len--;
        }
        r->utf8_hold[r->utf8_held] = 0; /* see scan_emit_byte */
        vterm_input_write(r->vt, (const char *)r->utf8_hold, r->utf8_held);
        r->utf8_held = 0;
    }
    tail = utf8_incomplete_tail(b, len);
    vterm_input_write(r->vt, (const char *)b, len - tail);
    memcpy(r->utf8_hold, b + len - tail, tail);
    r->utf8_held = tail;
}

/* Pass-through text not yet fed (see feed_rep). */
static void flush_run(struct render *r)
{
    if (r->run_len > 0)
        feed_utf8(r, r->run, r->run_len);
    r->run_len = 0;
}

static void scan_emit(struct render *r, const char *bytes, size_t len)
{
    flush_run(r);
    feed_utf8(r, bytes, len);
}

/* One byte, NUL-terminated: 0.1.4 strncpy()s string contents and reads
 * past the length it was given, up to a NUL (see feed()). */
static void scan_emit_byte(struct render *r, unsigned char c)
{
    char b[2] = {(char)c, '\0'};

    scan_emit(r, b, 1);
}

/* APC, PM and SOS strings came with libvterm 0.2; 0.1.4 reads ESC _
 * and friends as plain escapes. */
#ifdef RENDER_HAVE_FRAGMENTS
#define RENDER_APC_PM_SOS 1
#else
#define RENDER_APC_PM_SOS 0
#endif

enum {
    REP_NORMAL,
    REP_C2,         /* a 0xc2 byte held: the lead of U+0080..U+00FF */
    REP_ESC,        /* an ESC held */
    REP_CSI,        /* a CSI being parsed into r->csi */
    REP_OSC_CMD,    /* the command number of an OSC */
    REP_DCS_CMD,    /* 0.2+: the parameters of a DCS, before its final */
    REP_STRING,     /* inside OSC, DCS, APC, PM or SOS */
    REP_STRING_ESC  /* an ESC inside one */
};

/* Follow printed text so REP knows what to repeat. */
static void track_text(struct render *r, unsigned char c)
{
    if (c < 0x20 || c == 0x7f) {
        r->cur_len = 0;
    } else if (c < 0x80) {
        r->last[0] = (char)c;
        r->last[1] = '\0';
        r->last_len = 1;
        r->cur_len = 0;
    } else if (c >= 0xc0) {
        r->cur[0] = (char)c;
        r->cur_len = 1;
    } else if (r->cur_len > 0 && r->cur_len < sizeof r->cur) {
        r->cur[r->cur_len++] = (char)c;
        if (r->cur_len == utf8_seq_len((unsigned char)r->cur[0])) {
            memcpy(r->last, r->cur, r->cur_len);
            r->last[r->cur_len] = '\0';
            r->last_len = r->cur_len;
            r->cur_len = 0;
        }
    }
}

static void clamp_cursor(struct render *r);

static void csi_begin(struct render *r)
{
    memset(&r->csi, 0, sizeof r->csi);
    r->rep_state = REP_CSI;
}

/* The parsed CSI ended with FINAL: a plain REP is expanded, anything else
 * goes to libvterm rebuilt, with its arguments bounded. */
static void csi_done(struct render *r, char final)
{
    const struct csi *q = &r->csi;
    char seq[2 + CSI_LEADER + CSI_ARGS * 7 + CSI_INTER + 2];
    size_t n = 0;
    int i;

    r->rep_state = REP_NORMAL;
    if (final == 'b' && q->nleader == 0 && q->ninter == 0) {
        long count = q->nargs > 0 && q->args[0] > 0 ? q->args[0] : 1;
        long max = (long)r->rows * r->cols;
        if (count > max)
            count = max; /* more only scrolls the same character by */
        while (count-- > 0 && r->last_len > 0)
            scan_emit(r, r->last, r->last_len);
        return;
    }
    seq[n++] = '\033';
    seq[n++] = '[';
    memcpy(seq + n, q->leader, (size_t)q->nleader);
    n += (size_t)q->nleader;
    for (i = 0; i < q->nargs; i++) {
        char digits[8];
        int k = 0;
        long v = q->args[i];
        if (v >= 0) {
            do
                digits[k++] = (char)('0' + v % 10);
            while ((v /= 10) > 0);
            while (k > 0)
                seq[n++] = digits[--k];
        }
        if (i + 1 < q->nargs)
            seq[n++] = q->seps[i];
    }
    memcpy(seq + n, q->inter, (size_t)q->ninter);
    n += (size_t)q->ninter;
    seq[n++] = final;
    seq[n] = '\0'; /* see scan_emit_byte */
    scan_emit(r, seq, n);
    clamp_cursor(r); /* CSI u and ?1049l restore a cursor, see clamp_cursor */
}

/* One byte of a CSI, parsed the way libvterm's parser does (0.3.3
 * parser.c; 0.1.4 agrees for everything we pass on).  Returns true when
 * the byte goes to libvterm as it is (a control executed inside the
 * sequence), false when the scanner took it. */
static bool csi_step(struct render *r, unsigned char c)
{
    struct csi *q = &r->csi;

    if (c == 0x1b) { /* cancels the CSI, starts an escape */
        r->rep_state = REP_ESC;
        r->esc_sent = false;
        return false;
    }
    if (c == 0x18 || c == 0x1a) { /* CAN, SUB: cancel */
        r->rep_state = REP_NORMAL;
        return true;
    }
    if (c < 0x20 || c == 0x7f)
        return true; /* executed (or ignored) in the middle: same order */
    if (!q->phase_args && !q->phase_inter && c >= 0x3c && c <= 0x3f) {
        if (q->nleader < CSI_LEADER)
            q->leader[q->nleader++] = (char)c;
        return false;
    }
    if (!q->phase_inter && ((c >= '0' && c <= '9') || c == ';' || c == ':')) {
        if (!q->phase_args) {
            q->phase_args = true;
            q->nargs = 1;
            q->args[0] = -1;
        }
        if (q->args_full)
            return false; /* arguments past the 16th are dropped */
        if (c == ';' || c == ':') {
            if (q->nargs == CSI_ARGS) {
                q->args_full = true;
                return false;
            }
            q->seps[q->nargs - 1] = (char)c;
            q->args[q->nargs++] = -1;
        } else {
            long *v = &q->args[q->nargs - 1];
            *v = *v < 0 ? c - '0' : *v * 10 + (c - '0');
            if (*v > ARG_MAX)
                *v = ARG_MAX;
        }
        return false;
    }
    if (c >= 0x20 && c <= 0x2f) {
        q->phase_inter = true;
        if (q->ninter < CSI_INTER)
            q->inter[q->ninter++] = (char)c;
        return false;
    }
    if (c >= 0x40 && c <= 0x7e) {
        csi_done(r, (char)c);
        return false;
    }
    /* Anything else makes the CSI invalid: 0.3.3 drops it whole, 0.1.4
     * carries on parsing it (arguments and all), so it gets a CAN. */
    scan_emit_byte(r, 0x18);
    r->rep_state = REP_NORMAL;
    return false;
}

/* One byte of the scanner; returns true when the byte belongs to the
 * pass-through text, false when the scanner took it (and fed libvterm
 * whatever it stands for). */
static bool rep_step(struct render *r, unsigned char c)
{
    /* NUL and DEL are padding libvterm ignores, but 0.1.4 strncpy()s
     * strings and stops at a NUL, then parses what it never copied, and
     * loops forever on some DEL inside an escape in a DCS. */
    if (c == 0 || c == 0x7f)
        return false;
    switch (r->rep_state) {
    case REP_C2:
        r->rep_state = REP_NORMAL;
        if (c >= 0x80 && c <= 0x9f) {
            /* U+0080..U+009F (C1 controls as UTF-8) are dropped: libvterm
             * 0.1.4 moves the cursor by their width, -1, to column -1
             * and writes before the row; 0.3.3 prints to stderr. */
            r->cur_len = 0;
            return false;
        }
        if (c < 0xa0 || c > 0xbf) {
            /* A lone 0xc2 is dropped too: libvterm's decoder would keep
             * waiting across controls and escapes, and a later 0x80..0x9f
             * would complete a C1 character after all. */
            r->cur_len = 0;
            return rep_step(r, c) && (scan_emit_byte(r, c), false);
        }
        scan_emit(r, "\xc2", 1);
        track_text(r, 0xc2);
        if (!rep_step(r, c)) /* C as if the 0xc2 had gone through */
            return false;
        /* The byte must follow the 0xc2 just fed: feed it here. */
        scan_emit_byte(r, c);
        return false;
    case REP_ESC:
        if (c == '[') {
            /* After intermediates already sent, libvterm 0.1.4 starts a
             * CSI at this '[' and stays in it once the scanner has
             * swallowed a REP: end it with CAN (a later raw "[b" hung
             * 0.1.4), as the CSI is rebuilt from its own ESC anyway. */
            if (r->esc_sent)
                scan_emit(r, "[\x18", 2);
            csi_begin(r);
            return false;
        }
        if (c == 0x1b) {
            /* ESC ESC is one ESC to libvterm; but an escape whose
             * intermediates libvterm has seen is cancelled first, or
             * 0.1.4 would still be in it after the scanner's CSI. */
            if (r->esc_sent)
                scan_emit(r, "\x18", 1);
            r->esc_sent = false;
            return false;
        }
        if (c < 0x20 && c != 0x18 && c != 0x1a)
            return true; /* executed inside the escape: same order */
        if (c == 0x7f || c >= 0x80)
            return false; /* ignored by libvterm, which stays in ESC */
        if (c >= 0x20 && c <= 0x2f) {
            /* Intermediates: 0.1.4 still starts a CSI at a '[' after
             * them (and overflows its arguments), so stay here. */
            if (!r->esc_sent)
                scan_emit(r, "\033", 1);
            r->esc_sent = true;
            scan_emit_byte(r, c);
            return false;
        }
        if (!r->esc_sent)
            scan_emit(r, "\033", 1);
        if (c >= 0x30 && c <= 0x7e &&
            ((RENDER_APC_PM_SOS && r->esc_sent) ||
             (c != ']' && c != 'P' && c != '_' && c != '^' && c != 'X'))) {
            /* A complete escape (ESC 8 restores a cursor saved before the
             * screen shrank: 0.3.3 writes past its line info there).
             * After intermediates libvterm 0.3 starts no string: ESC , P
             * is an escape there, and what follows is text (taken for a
             * DCS, it went unguarded: 0.3.3 then moved cells from outside
             * its screen in insert mode). */
            scan_emit_byte(r, c);
            r->rep_state = REP_NORMAL;
            clamp_cursor(r);
            return false;
        }
        if (c == ']') {
            r->osc_command = -1;
            r->rep_state = REP_OSC_CMD;
        } else if (c == 'P' && RENDER_APC_PM_SOS) {
            r->rep_state = REP_DCS_CMD;
        } else if (c == 'P' || (RENDER_APC_PM_SOS && (c == '_' || c == '^' ||
                                                      c == 'X'))) {
            r->rep_state = REP_STRING;
        } else {
            r->rep_state = REP_NORMAL;
        }
        return true;
    case REP_CSI:
        return csi_step(r, c);
    case REP_OSC_CMD:
        if ((c < 0x20 && c != 0x07 && c != 0x18 && c != 0x1a && c != 0x1b) ||
            c == 0x7f)
            return true; /* libvterm stays in the command number */
        if (c >= '0' && c <= '9') {
            long v = r->osc_command < 0 ? 0 : r->osc_command;
            v = v * 10 + (c - '0');
            if (v > OSC_COMMAND_MAX)
                return false; /* libvterm 0.3.3 would overflow an int */
            r->osc_command = v;
            return true;
        }
        r->rep_state = REP_STRING;
        return rep_step(r, c);
    case REP_DCS_CMD:
        /* libvterm 0.3.3 takes an ESC among a DCS's parameters as a new
         * escape: ESC ] there starts an OSC whose command number it
         * would overflow, so the scanner follows it into that OSC. */
        if (c == 0x1b) {
            r->rep_state = REP_ESC;
            r->esc_sent = false;
            return false;
        }
        if (c == 0x18 || c == 0x1a) {
            r->rep_state = REP_NORMAL;
            return true;
        }
        /* Only a final byte ends the parameters: 0.3.3 runs C0 controls
         * and keeps every other byte among them, so an ESC ] after a CR
         * there still starts an OSC. */
        if (c >= 0x40 && c <= 0x7e)
            r->rep_state = REP_STRING;
        return true;
    case REP_STRING:
        if (c == 0x07 || c == 0x18 || c == 0x1a)
            r->rep_state = REP_NORMAL;
        else if (c == 0x1b)
            r->rep_state = REP_STRING_ESC;
        return true;
    case REP_STRING_ESC:
        /* libvterm 0.3.3 computes a fragment length of -1 (and reads
         * far past the buffer) when a control byte follows an ESC inside
         * a string: such bytes are dropped. */
        if (c == 0x1b)
            return true;
        if ((c < 0x20 && c != 0x18 && c != 0x1a) || c == 0x7f)
            return false;
        if (c >= 0x80)
            return false; /* ignored by libvterm, which stays in ESC */
        if (c == '[') {
            /* Whether this starts a CSI differs between versions: the '['
             * ends the string for libvterm (0.1.4 then cancels the CSI it
             * started at the CAN), and the scanner takes what follows as a
             * CSI (rebuilt with its own ESC), so a REP in it is expanded
             * either way. */
            scan_emit(r, "[\x18", 2); /* CAN: 0.1.4 is in a CSI now */
            csi_begin(r);
            return false;
        }
        if (c >= 0x20 && c <= 0x2f) {
            /* An escape with intermediates: on 0.1.4 a '[' after them
             * still starts a CSI (REP in it hangs 0.1.4), so on as in
             * REP_ESC, the ESC already sent. */
            r->rep_state = REP_ESC;
            r->esc_sent = true;
            scan_emit_byte(r, c);
            return false;
        }
        r->rep_state = REP_NORMAL;
        if (c >= 0x30 && c <= 0x7e && c != '\\') {
            /* Ends the string and runs as an escape (ESC 8 too). */
            scan_emit_byte(r, c);
            clamp_cursor(r);
            return false;
        }
        return true;
    default:
        if (c == 0x1b) {
            r->rep_state = REP_ESC;
            r->esc_sent = false;
            return false;
        }
        if (c == 0xc2) {
            r->rep_state = REP_C2;
            return false;
        }
        track_text(r, c);
        return true;
    }
}

/* CSI finals that cannot take the cursor off the screen. */
static bool keeps_cursor_in(char final)
{
    switch (final) {
    case '@': case 'A': case 'B': case 'C': case 'D': case 'E': case 'F':
    case 'G': case 'H': case 'J': case 'K': case 'L': case 'M': case 'P':
    case 'S': case 'T': case 'X': case 'd': case 'f': case 'm':
        return true;
    default:
        return false;
    }
}

/* The length of the CSI at BYTES (an ESC) when it is one the scanner
 * would pass on exactly as it stands, else 0: no leader or intermediate,
 * at most CSI_ARGS arguments of at most ARG_MAX and 5 digits (what the
 * rebuilt CSI would carry), and a final that cannot take the
 * cursor off the screen (so clamp_cursor would do nothing).  Such a CSI
 * stays in the pass-through run: splitting the run at every SGR made
 * coloured output many small libvterm writes. */
static size_t plain_csi_len(const char *bytes, size_t len)
{
    size_t i = 2;
    int args = 1, digits = 0;
    long v = 0;

    if (len < 3 || bytes[1] != '[')
        return 0;
    for (; i < len; i++) {
        char c = bytes[i];
        if (c >= '0' && c <= '9') {
            v = v * 10 + (c - '0');
            if (++digits > 5 || v > ARG_MAX)
                return 0;
        } else if (c == ';' || c == ':') {
            if (++args > CSI_ARGS)
                return 0;
            digits = 0;
            v = 0;
        } else {
            return keeps_cursor_in(c) ? i + 1 : 0;
        }
    }
    return 0; /* incomplete: the scanner holds it across writes */
}

static void feed_rep(struct render *r, const char *bytes, size_t len)
{
    size_t i, n;
    /* The run has non-ASCII text since its last CSI (or follows a
     * character cut off at the end of the last write). */
    bool utf8 = r->utf8_held > 0 || r->cur_len > 0;

    /* Bytes the scanner passes through go in runs, flushed before
     * anything the scanner feeds itself (scan_emit), so libvterm sees
     * everything in order.  A non-empty run always ends at bytes + i. */
    r->run = bytes;
    r->run_len = 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)bytes[i];

        if (c == 0x1b && r->rep_state == REP_NORMAL && !utf8 &&
            (n = plain_csi_len(bytes + i, len - i)) > 0) {
            /* What rep_step would do over these bytes: nothing to its
             * state (text tracking ignores escapes), the CSI rebuilt the
             * same.  Not after non-ASCII text: libvterm's decoder reads
             * invalid UTF-8 differently when an escape follows in the
             * same write, and the run would end there otherwise. */
            if (r->run_len == 0)
                r->run = bytes + i;
            r->run_len += n;
            i += n - 1;
            continue;
        }
        if (r->rep_state == REP_NORMAL && c >= 0x01 && c < 0x7f && c != 0x1b) {
            /* ASCII text and controls, what rep_step would pass through
             * one by one: only the last printable one is remembered. */
            size_t j = i + 1, k;

            while (j < len && (unsigned char)bytes[j] >= 0x01 &&
                   (unsigned char)bytes[j] < 0x7f && bytes[j] != 0x1b)
                j++;
            for (k = j; k > i && (unsigned char)bytes[k - 1] < 0x20; k--)
                ;
            if (k > i) {
                r->last[0] = bytes[k - 1];
                r->last[1] = '\0';
                r->last_len = 1;
            }
            r->cur_len = 0;
            if (r->run_len == 0)
                r->run = bytes + i;
            r->run_len += j - i;
            i = j - 1;
            continue;
        }
        if (rep_step(r, c)) {
            if (r->run_len == 0)
                r->run = bytes + i;
            r->run_len++;
            utf8 = utf8 || c >= 0x80;
        } else {
            flush_run(r);
            utf8 = false;
        }
    }
    flush_run(r);
}

#ifndef RENDER_HAVE_FRAGMENTS
enum { OSC_NORMAL, OSC_ESC, OSC_STRING, OSC_STRING_ESC };

/* Advance the OSC scanner over one byte; true when a held string (or a
 * lone ESC) is complete, i.e. may go to libvterm. */
static bool osc_step(struct render *r, unsigned char c)
{
    switch (r->osc_state) {
    case OSC_ESC:
        /* DCS too: 0.1.4 mishandles any string split across writes. */
        r->osc_state = c == ']' || c == 'P' ? OSC_STRING : OSC_NORMAL;
        return r->osc_state == OSC_NORMAL;
    case OSC_STRING:
        if (c == 0x07 || c == 0x18 || c == 0x1a) {
            r->osc_state = OSC_NORMAL;
            return true;
        }
        if (c == 0x1b)
            r->osc_state = OSC_STRING_ESC;
        return false;
    case OSC_STRING_ESC:
        r->osc_state = OSC_NORMAL; /* ESC \ or ESC anything ends it */
        return true;
    default:
        if (c == 0x1b)
            r->osc_state = OSC_ESC;
        return false;
    }
}

static void feed_held(struct render *r, const char *bytes, size_t len)
{
    size_t i, start = 0;

    for (i = 0; i < len; i++) {
        int before;
        bool done;

        if (r->osc_state == OSC_NORMAL) {
            /* Outside a string only an ESC changes anything. */
            const char *esc = memchr(bytes + i, 0x1b, len - i);
            if (esc == NULL)
                break;
            i = (size_t)(esc - bytes);
        }
        before = r->osc_state;
        done = osc_step(r, (unsigned char)bytes[i]);

        if (before == OSC_ESC && r->osc_state == OSC_STRING && i > start) {
            /* A string starts at the ESC before this byte (unless that
             * ESC is held from the last write): what precedes it can go
             * now.  Other escapes stay in the text, so that libvterm gets
             * coloured output in a few large writes. */
            feed_rep(r, bytes + start, i - 1 - start);
            start = i - 1;
        }
        if (done && r->osc_hold.len > 0) {
            buf_append(&r->osc_hold, bytes + start, i + 1 - start);
            buf_terminate(&r->osc_hold); /* see feed() */
            feed_rep(r, r->osc_hold.data, r->osc_hold.len);
            r->osc_hold.len = 0;
            start = i + 1;
        }
    }
    if (r->osc_state == OSC_NORMAL) {
        feed_rep(r, bytes + start, len - start);
        return;
    }
    if (r->osc_state == OSC_ESC && len > start + 1) {
        /* A last ESC may start a string: hold only that. */
        feed_rep(r, bytes + start, len - 1 - start);
        start = len - 1;
    }
    buf_append(&r->osc_hold, bytes + start, len - start);
    buf_terminate(&r->osc_hold);
    if (r->osc_hold.len > STR_MAX || r->osc_hold.failed) {
        /* Too long to be ours to fix: let libvterm have it as it is. */
        feed_rep(r, r->osc_hold.data, r->osc_hold.len);
        r->osc_hold.len = 0;
        r->osc_hold.failed = false;
    }
}

/* 0.1.4 strncpy()s string contents and reads past the length it was
 * given, up to a NUL: work on a NUL-terminated copy so that it stops
 * inside our buffer. */
static void feed(struct render *r, const char *bytes, size_t len)
{
    buf_set(&r->in, bytes, len);
    if (!buf_terminate(&r->in) || r->in.failed)
        return;
    feed_held(r, r->in.data, r->in.len);
}
#else
static void feed(struct render *r, const char *bytes, size_t len)
{
    feed_rep(r, bytes, len);
}
#endif

/* libvterm 0.1.4 leaves the cursor above the screen when a resize pushes
 * more lines to the scrollback than there are above the cursor (e.g.
 * after DECALN filled the screen), and the next character is written
 * before the screen's rows.  A cursor outside the screen is moved back in
 * with relative moves (absolute ones would depend on origin mode). */
static void clamp_cursor(struct render *r)
{
    VTermPos pos;
    char seq[48];
    int n = 0;

    vterm_state_get_cursorpos(r->state, &pos);
    if (pos.row >= 0 && pos.row < r->rows && pos.col >= 0 && pos.col < r->cols)
        return;
    if (r->rep_state >= REP_OSC_CMD) {
        /* libvterm is inside a string: CAN ends it so the moves count. */
        seq[n++] = 0x18;
        r->rep_state = REP_NORMAL;
    }
    if (pos.row < 0)
        n += snprintf(seq + n, sizeof seq - n, "\033[%dB", -pos.row);
    else if (pos.row >= r->rows)
        n += snprintf(seq + n, sizeof seq - n, "\033[%dA", pos.row - r->rows + 1);
    if (pos.col < 0)
        n += snprintf(seq + n, sizeof seq - n, "\033[%dC", -pos.col);
    else if (pos.col >= r->cols)
        n += snprintf(seq + n, sizeof seq - n, "\033[%dD", pos.col - r->cols + 1);
    vterm_input_write(r->vt, seq, (size_t)n);
}

/* Neither 0.1.4 nor 0.3.3 moves the top of the scroll region (DECSTBM)
 * into a screen that shrank below it, and the next scroll memmove()s a
 * negative length.  The region cannot be read back, so after shrinking
 * it is reset (as a full-screen program redraws after SIGWINCH anyway);
 * DECSTBM homes the cursor, which is then moved back relatively. */
static void reset_scroll_region(struct render *r)
{
    VTermPos pos;
    char seq[64];
    int n = 0;

    vterm_state_get_cursorpos(r->state, &pos);
    if (r->rep_state >= REP_OSC_CMD) {
        seq[n++] = 0x18; /* end a string libvterm is inside */
        r->rep_state = REP_NORMAL;
    }
    n += snprintf(seq + n, sizeof seq - n, "\033[r");
    if (pos.row > 0)
        n += snprintf(seq + n, sizeof seq - n, "\033[%dB", pos.row);
    if (pos.col > 0)
        n += snprintf(seq + n, sizeof seq - n, "\033[%dC", pos.col);
    vterm_input_write(r->vt, seq, (size_t)n);
}

void render_write(struct render *r, const char *bytes, size_t len)
{
    feed(r, bytes, len);
    clamp_cursor(r);
    vterm_screen_flush_damage(r->screen);
}

void render_key(struct render *r, VTermKey key, VTermModifier mod)
{
    vterm_keyboard_key(r->vt, key, mod);
}

void render_unichar(struct render *r, uint32_t c, VTermModifier mod)
{
    vterm_keyboard_unichar(r->vt, c, mod);
}

void render_paste_bracket(struct render *r, bool start)
{
    if (start)
        vterm_keyboard_start_paste(r->vt);
    else
        vterm_keyboard_end_paste(r->vt);
}

void render_paste(struct render *r, const char *text, size_t len)
{
    /* The markers come from libvterm (only when the application enabled
     * bracketed paste); the text itself goes through unchanged. */
    vterm_keyboard_start_paste(r->vt);
    buf_append(&r->out, text, len);
    vterm_keyboard_end_paste(r->vt);
}

const char *render_take_output(struct render *r, size_t *len)
{
    *len = r->out.len;
    r->out.len = 0;
    return r->out.data;
}

const char *render_take_title(struct render *r)
{
    if (!r->has_title)
        return NULL;
    r->has_title = false;
    return r->title.data;
}

const char *render_take_directory(struct render *r)
{
    if (!r->dir_pending)
        return NULL;
    r->dir_pending = false;
    return r->dir.data;
}

bool render_has_news(const struct render *r)
{
    return r->out.len > 0 || r->has_title || r->dir_pending ||
           r->blink_pending || r->req_off < r->reqs.len;
}

bool render_take_cursor_blink(struct render *r, bool *blink)
{
    if (!r->blink_pending)
        return false;
    r->blink_pending = false;
    *blink = r->cursor_blink;
    return true;
}

const char *render_directory(const struct render *r)
{
    return r->dir.len > 0 && !r->dir.failed ? r->dir.data : NULL;
}

#ifdef RENDER_HAVE_REFLOW
/* Whether screen ROW continues the line of the row above it. */
static bool continues(const struct render *r, int row)
{
    const VTermLineInfo *info;

    if (row >= r->rows)
        return false;
    info = vterm_state_get_lineinfo(r->state, row);
    return info != NULL && info->continuation;
}

/* Columns used in screen ROW: up to its last non-blank cell. */
static int row_used(const struct render *r, int row)
{
    VTermScreenCell cell;
    VTermPos pos;

    pos.row = row;
    for (pos.col = r->cols - 1; pos.col >= 0; pos.col--) {
        vterm_screen_get_cell(r->screen, pos, &cell);
        if (cell.chars[0] != 0)
            return pos.col + 1;
    }
    return 0;
}

/* libvterm 0.3.3's reflow has two fatal bugs, found by the random-input
 * test in tests/unit/render_test.c:
 *   - it reads before its buffer (a crash) when the top row continues a
 *     line that has gone to the scrollback (e.g. 3x5: "abcdefgh\r\n\r\n"
 *     then 4x4);
 *   - it abort()s ("screen_resize failed to update cursor position") when
 *     the cursor's logical line, with the lines below it, gets taller
 *     than the new screen (reflow_safe replays its placement).
 * True when neither can happen at ROWS x COLS; otherwise the caller
 * resizes without reflow.  The buffer not shown is reflowed too and its
 * rows cannot be inspected, so once the alternate screen has been used
 * (its stale rows stay behind) resizes never reflow again. */
static bool reflow_safe(const struct render *r, int rows, int cols)
{
    VTermPos cur;
    int old_row = r->rows - 1, new_row = rows - 1, final_blank = rows;
    int cur_new = -1;

    if (r->alt_used || continues(r, 0))
        return false;
    vterm_state_get_cursorpos(r->state, &cur);
    /* Replay where libvterm's resize_buffer places each logical line,
     * bottom up, with its scroll into blank rows (0.3.3 screen.c); the
     * lines below the cursor's take room too. */
    while (old_row >= 0) {
        int end = old_row, start, row, width = 0, height, first, spare;

        while (old_row > 0 && continues(r, old_row))
            old_row--;
        start = old_row;
        for (row = start; row <= end; row++)
            width += continues(r, row + 1) ? r->cols : row_used(r, row);
        if (final_blank == new_row + 1 && width == 0)
            final_blank = new_row;
        height = width ? (width + cols - 1) / cols : 1;
        first = new_row - height + 1;
        spare = rows - final_blank;
        if (first < 0 && spare >= 0 && (cur_new < 0 || cur_new - first < rows)) {
            int down = -first < spare ? -first : spare;
            first += down;
            new_row += down;
            final_blank += down;
            if (cur_new >= 0)
                cur_new += down;
        }
        if (first < 0) /* falls off the top: the cursor must be placed */
            return cur_new >= 0 || (start <= cur.row && cur.row < end);
        if (start <= cur.row && cur.row <= end) {
            int off = ((cur.row - start) * r->cols + cur.col) / cols;
            cur_new = first + (off < height ? off : height - 1);
        }
        new_row = first - 1;
        old_row = start - 1;
    }
    return cur_new >= 0;
}
#endif

void render_resize(struct render *r, int rows, int cols)
{
    if (rows < 1 || cols < 1 || rows > 10000 || cols > 10000)
        return;
    if (cols < MIN_COLS)
        cols = MIN_COLS;
    if (rows == r->rows && cols == r->cols)
        return;
    int old_rows = r->rows;
#ifdef RENDER_HAVE_REFLOW
    bool safe = reflow_safe(r, rows, cols); /* at the old size */
#endif

    /* Scratch first: libvterm calls back into us while resizing.  Line
     * info that cannot follow (out of memory) stays as it was, which is
     * safe: it is looked up by row within its own size. */
    if (!alloc_rows(r, rows, cols))
        return;
    bool info_follows = lineinfo_resize_begin(&r->li, rows);
#ifdef RENDER_HAVE_REFLOW
    if (!safe) {
        vterm_screen_enable_reflow(r->screen, false);
        vterm_set_size(r->vt, rows, cols);
        vterm_screen_enable_reflow(r->screen, true);
    } else {
        vterm_set_size(r->vt, rows, cols);
    }
#else
    vterm_set_size(r->vt, rows, cols);
#endif
    if (info_follows)
        lineinfo_resize_end(&r->li);
    if (rows < old_rows)
        reset_scroll_region(r);
    clamp_cursor(r);
    vterm_screen_flush_damage(r->screen);
    mark_all_dirty(r);
}

void render_get_size(const struct render *r, int *rows, int *cols)
{
    *rows = r->rows;
    *cols = r->cols;
}

void render_get_cursor(const struct render *r, struct render_cursor *c)
{
    VTermPos pos;

    vterm_state_get_cursorpos(r->state, &pos);
    c->row = pos.row;
    c->col = pos.col;
    c->visible = r->cursor_visible;
}

bool render_altscreen(const struct render *r)
{
    return r->altscreen;
}

bool render_row_dirty(const struct render *r, int row)
{
    return row >= 0 && row < r->rows && r->dirty[row];
}

void render_clear_dirty(struct render *r)
{
    memset(r->dirty, 0, (size_t)r->rows * sizeof *r->dirty);
}

bool render_get_row(struct render *r, int row, int min_cols,
                    const struct render_line **line)
{
    struct line_builder lb = {&r->row_text, &r->row_runs, NULL};
    const struct line_info *info;
    VTermPos pos;

    if (row < 0 || row >= r->rows)
        return false;
    pos.row = row;
    for (pos.col = 0; pos.col < r->cols; pos.col++)
        vterm_screen_get_cell(r->screen, pos, &r->cells[pos.col]);
    info = lineinfo_row(&r->li, row);
    if (info != NULL)
        r->row.info = *info;
    else
        memset(&r->row.info, 0, sizeof r->row.info);
    if (!build_line(r, &lb, r->cells, r->cols, min_cols, &r->row))
        return false;
#ifdef RENDER_HAVE_REFLOW
    r->row.wrapped = continues(r, row + 1);
#endif
    *line = &r->row;
    return true;
}

int render_chars_before(struct render *r, int row, int col)
{
    VTermScreenCell cell;
    VTermPos pos;
    int chars = 0, i;

    if (row < 0 || row >= r->rows)
        return 0;
    pos.row = row;
    for (pos.col = 0; pos.col < col && pos.col < r->cols;) {
        vterm_screen_get_cell(r->screen, pos, &cell);
        if (cell.chars[0] == 0 || cell.chars[0] == (uint32_t)-1) {
            chars++;
        } else {
            for (i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i]; i++)
                chars++;
        }
        pos.col += cell.width == 2 ? 2 : 1;
    }
    return chars;
}

/* Line info of scrollback line I (0: the oldest kept). */
static const struct line_info *sb_info(const struct render *r, int i)
{
    int raw = i - (r->count - r->nraw);

    if (raw >= 0)
        return &raw_meta(r, raw)->line.info;
    return &(*sb_slot(r, i))->line.info;
}

const char *render_line_directory(const struct render *r, int line)
{
    const struct line_info *info;
    const char *dir;

    if (line >= r->count + r->rows)
        line = r->count + r->rows - 1;
    for (; line >= 0; line--) {
        info = line >= r->count ? lineinfo_row(&r->li, line - r->count)
                                : sb_info(r, line);
        if (info != NULL && (dir = lineinfo_dir(&r->li, info->dir)) != NULL)
            return dir;
    }
    return NULL;
}

int render_sb_count(const struct render *r)
{
    return r->count;
}

int render_sb_pending(const struct render *r)
{
    return r->pending;
}

const struct render_line *render_sb_pending_line(struct render *r, int i)
{
    int line = r->count - r->pending + i;

    if (i < 0 || i >= r->pending)
        return NULL;
    /* Raw lines are built oldest first, so the raw ones stay the newest
     * (a viewer asks for them in order: one build per call). */
    while (line >= r->count - r->nraw)
        raw_compact_oldest(r);
    return &(*sb_slot(r, line))->line;
}

int render_sb_evicted(const struct render *r)
{
    return r->evicted;
}

int render_sb_popped(const struct render *r)
{
    return r->popped;
}

void render_sb_taken(struct render *r)
{
    r->pending = 0;
    r->evicted = 0;
    r->popped = 0;
    /* The raw pool is kept while output streams in (no allocation per
     * redraw) and let go once a whole redraw interval left it empty. */
    if (r->nraw == 0 && !r->raw_used)
        raw_free(r);
    r->raw_used = false;
}

unsigned long render_sb_pushes(const struct render *r)
{
    return r->pushes;
}

void render_palette_rgb(const struct render *r, int idx, uint8_t *red,
                        uint8_t *green, uint8_t *blue)
{
    VTermColor c;

    vterm_color_indexed(&c, (uint8_t)(idx & 0xff));
    vterm_screen_convert_color_to_rgb(r->screen, &c);
    *red = c.rgb.red;
    *green = c.rgb.green;
    *blue = c.rgb.blue;
}

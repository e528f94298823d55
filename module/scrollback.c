/* scrollback.c -- see scrollback.h. */
#include "scrollback.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

enum {
    /* Raw lines take at most this many bytes of cells, and room for at
     * least RAW_MIN_LINES lines. */
    RAW_BYTES = 4 << 20,
    RAW_MIN_LINES = 16
};

/* A stored line: the line itself plus, per stored cell, its byte length
 * in the text and whether it is double-width, so the cells can be
 * rebuilt when the line is popped back onto the screen.  All of it lives
 * in one allocation that starts at the struct. */
struct sb_line {
    struct render_line line;
    uint8_t *cellinfo;
    int ncells;
};

/* A raw line's metadata: the line as known at push time (its text and
 * runs not built yet; the screen rows have moved on by the time it is
 * built) and how many cells were pushed. */
struct raw_line {
    struct render_line line;
    int ncols;
    signed char wrap; /* see sb_set_newest_wrap; -1: guess from the cells */
};

/* What a raw line becomes when even an empty copy of it cannot be
 * allocated (see raw_compact_oldest); shared, never freed. */
static struct sb_line sb_empty_line = {.line = {.text = ""}};

static void sb_line_free(struct sb_line *l)
{
    if (l != &sb_empty_line)
        free(l);
}

/* One allocation: the struct, the runs, the links, the cell info, the
 * text. */
static struct sb_line *sb_line_new(const struct render_line *src,
                                   const struct buf *cellinfo)
{
    size_t runs_size = (size_t)src->nruns * sizeof(struct render_run);
    size_t links_size = (size_t)src->nlinks * sizeof(struct render_link);
    struct sb_line *l = malloc(sizeof *l + runs_size + links_size +
                               cellinfo->len + src->len + 1);
    char *p;

    if (l == NULL)
        return NULL;
    p = (char *)(l + 1);
    l->line = *src;
    l->line.runs = (struct render_run *)p;
    if (runs_size > 0) /* an empty line may have no buffers at all */
        memcpy(p, src->runs, runs_size);
    p += runs_size;
    l->line.links = (const struct render_link *)p;
    if (links_size > 0)
        memcpy(p, src->links, links_size);
    p += links_size;
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

static bool sb_grow(struct scrollback *sb)
{
    int cap = sb->cap ? sb->cap * 2 : 64;
    struct sb_line **ring;

    if (cap > sb->limit)
        cap = sb->limit;
    /* Growth happens only before the ring first filled up (see
     * sb_pushline), so head is 0 and the lines are in order. */
    ring = realloc(sb->ring, (size_t)cap * sizeof *ring);
    if (ring == NULL)
        return false;
    sb->ring = ring;
    sb->cap = cap;
    return true;
}

static struct sb_line **sb_slot(const struct scrollback *sb, int i)
{
    return &sb->ring[(sb->head + i) % sb->cap];
}

/* Build LINE (its metadata as captured at push time) from NCOLS cells
 * into a compact scrollback line, wrapped as WRAP says (-1: as the cells
 * suggest); NULL when out of memory. */
static struct sb_line *sb_build(struct scrollback *sb, struct render_line *line,
                                const VTermScreenCell *cells, int ncols,
                                int wrap)
{
    if (!line_build(&sb->build, cells, ncols, 0, line))
        return NULL;
    if (wrap >= 0)
        line->wrapped = wrap != 0;
    return sb_line_new(line, &sb->build.cellinfo);
}

/* ---- raw lines (see struct scrollback) ---- */

static VTermScreenCell *raw_cells(const struct scrollback *sb, int k)
{
    return sb->raw_cells +
           (size_t)((sb->raw_head + k) % sb->raw_cap) * (size_t)sb->raw_stride;
}

static struct raw_line *raw_meta(const struct scrollback *sb, int k)
{
    return &sb->raw_meta[(sb->raw_head + k) % sb->raw_cap];
}

static void raw_free(struct scrollback *sb)
{
    free(sb->raw_cells);
    free(sb->raw_meta);
    sb->raw_cells = NULL;
    sb->raw_meta = NULL;
    sb->raw_cap = sb->raw_stride = sb->raw_head = 0;
}

/* Build the oldest raw line into its ring slot.  Out of memory it stays
 * in the scrollback empty (with its metadata when possible): the ring
 * cannot have a hole. */
static void raw_compact_oldest(struct scrollback *sb)
{
    struct raw_line *m = raw_meta(sb, 0);
    struct render_line line = m->line;
    struct sb_line *l =
        sb_build(sb, &line, raw_cells(sb, 0), m->ncols, m->wrap);

    if (l == NULL) {
        line = m->line;
        buf_clear(&sb->build.cellinfo);
        l = sb_line_new(&line, &sb->build.cellinfo);
        if (l == NULL)
            l = &sb_empty_line;
    }
    *sb_slot(sb, sb->count - sb->nraw) = l;
    sb->raw_head = (sb->raw_head + 1) % sb->raw_cap;
    sb->nraw--;
}

/* A free pool slot for a line of COLS cells on a screen SCREEN_COLS
 * wide; false when out of memory (the caller builds the line at once). */
static bool raw_reserve(struct scrollback *sb, int cols, int screen_cols)
{
    if (sb->raw_cells != NULL && cols > sb->raw_stride) {
        /* Wider than the slots (a resize): build what is raw, start a
         * new pool. */
        while (sb->nraw > 0)
            raw_compact_oldest(sb);
        raw_free(sb);
    }
    if (sb->raw_cells == NULL) {
        int stride = cols > screen_cols ? cols : screen_cols;
        int cap = RAW_BYTES / (stride * (int)sizeof(VTermScreenCell));

        if (cap < RAW_MIN_LINES)
            cap = RAW_MIN_LINES;
        if (cap > sb->limit)
            cap = sb->limit;
        sb->raw_cells =
            malloc((size_t)cap * (size_t)stride * sizeof(VTermScreenCell));
        sb->raw_meta = malloc((size_t)cap * sizeof(struct raw_line));
        if (sb->raw_cells == NULL || sb->raw_meta == NULL) {
            raw_free(sb);
            return false;
        }
        sb->raw_cap = cap;
        sb->raw_stride = stride;
    }
    if (sb->nraw == sb->raw_cap)
        raw_compact_oldest(sb); /* the memory bound: the oldest is built */
    return true;
}

static void sb_evict_oldest(struct scrollback *sb)
{
    if (sb->nraw == sb->count) {
        /* Raw: nothing was built, nothing to free. */
        sb->raw_head = (sb->raw_head + 1) % sb->raw_cap;
        sb->nraw--;
    } else {
        sb_line_free(*sb_slot(sb, 0));
    }
    sb->head = (sb->head + 1) % sb->cap;
    sb->count--;
    /* The oldest line was shown unless every line is still pending. */
    if (sb->pending > sb->count)
        sb->pending--;
    else
        sb->evicted++;
}

/* The NCOLS cells of a raw line onto a screen COLS wide, when it cannot
 * be built (sb_pop out of memory): cut, or padded.  Its trailing blanks
 * become the default blanks a built line comes back with
 * (sb_line_to_cells: line_build keeps no trailing blank), as near as
 * this comes to a built line, and libvterm 0.3's reflow counts a trailing
 * space, not an empty cell, as part of the line (with SGR 7 on, a resize filled
 * the rest of such a row reversed from one column further). */
static void raw_to_cells(const struct scrollback *sb,
                         const VTermScreenCell *src, int ncols, int cols,
                         VTermScreenCell *cells)
{
    int col, n = cells_visible_end(src, ncols);

    if (n > cols)
        n = cols;

    memcpy(cells, src, (size_t)n * sizeof *cells);
    cells_pad_blank(&sb->build, cells, n, cols);
    /* libvterm steps over the cells by width: never 0, and a wide cell
     * cut off at the edge is narrowed (as sb_line_to_cells does). */
    for (col = 0; col < n; col++)
        if (cells[col].width != 2 || col + 1 == cols)
            cells[col].width = 1;
}

/* A line goes into the scrollback raw: its cells copied, its metadata
 * captured now (the screen rows move on); it is built only when the
 * viewer asks for it (sb_pending_line), the pool is full, or never if
 * it is evicted first. */
bool sb_push(struct scrollback *sb, int cols, const VTermScreenCell *cells,
             const struct line_info *info, int screen_cols)
{
    struct render_line line;
    struct sb_line *l = NULL;

    memset(&line, 0, sizeof line);
    line.info = *info;
    sb->pushes++;
    sb->newest_pushed = false;
    if (sb->limit <= 0 || cols < 0)
        return true;
    if (sb->count == sb->limit)
        sb_evict_oldest(sb);
    if (sb->count == sb->cap && !sb_grow(sb))
        return false;
    if (raw_reserve(sb, cols, screen_cols)) {
        struct raw_line *m = raw_meta(sb, sb->nraw);

        memcpy(raw_cells(sb, sb->nraw), cells, (size_t)cols * sizeof *cells);
        m->line = line;
        m->ncols = cols;
        m->wrap = -1;
        sb->nraw++;
        sb->raw_used = true;
    } else {
        l = sb_build(sb, &line, cells, cols, -1);
        if (l == NULL)
            return false;
    }
    *sb_slot(sb, sb->count) = l; /* NULL while raw */
    sb->count++;
    sb->pending++;
    sb->newest_pushed = true;
    return true;
}

void sb_count_skipped(struct scrollback *sb, unsigned long n)
{
    sb->pushes += n;
}

/* Rebuild the cells of a stored line: text and attributes from the runs,
 * blanks with default colours past its end. */
static void sb_line_to_cells(const struct scrollback *sb,
                             const struct sb_line *l, int cols,
                             VTermScreenCell *cells)
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
        cell_from_attrs(&sb->build, &l->line.runs[run].attrs, cell);
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
    cells_pad_blank(&sb->build, cells, col, cols);
    /* Continuation halves of wide cells: libvterm skips them by width but
     * give them a sane width anyway. */
    for (col = 0; col < cols; col++)
        if (cells[col].width == 0)
            cells[col].width = 1;
}

bool sb_pop(struct scrollback *sb, int cols, VTermScreenCell *cells,
            struct line_info *info)
{
    struct sb_line *l;

    if (sb->count == 0)
        return false;
    if (sb->nraw > 0) {
        /* Raw: built first, and back as a built line comes back.  Whether
         * the viewer drew a line before it came back must not change the
         * screen, and building is not exact: a blank that joined its
         * run took the run's pen, which DECSCNM shows.  Out of memory,
         * the cells as libvterm gave them. */
        const struct raw_line *m = raw_meta(sb, sb->nraw - 1);
        struct render_line line = m->line;

        l = sb_build(sb, &line, raw_cells(sb, sb->nraw - 1), m->ncols, m->wrap);
        if (l != NULL) {
            sb_line_to_cells(sb, l, cols, cells);
            sb_line_free(l);
        } else {
            raw_to_cells(sb, raw_cells(sb, sb->nraw - 1), m->ncols, cols,
                         cells);
        }
        *info = m->line.info;
        sb->nraw--;
    } else {
        l = *sb_slot(sb, sb->count - 1);
        sb_line_to_cells(sb, l, cols, cells);
        *info = l->line.info;
        sb_line_free(l);
    }
    sb->count--;
    if (sb->pending > 0)
        sb->pending--;
    else
        sb->popped++;
    return true;
}

void sb_clear(struct scrollback *sb)
{
    while (sb->count > 0)
        sb_evict_oldest(sb);
}

#ifdef RENDER_HAVE_REFLOW
/* Whether the newest scrollback line wraps into the row after it: W.
 * libvterm 0.3 marks a row that continues the one above, but pushes a
 * row without saying whether the next one continues it; the scroll that
 * pushed it tells, once libvterm has moved its line info (see
 * cb_moverect in render.c).  Without it, line_build guesses from the
 * cells. */
void sb_set_newest_wrap(struct scrollback *sb, bool w)
{
    if (sb->nraw > 0) {
        raw_meta(sb, sb->nraw - 1)->wrap = w;
    } else if (sb->count > 0) {
        struct sb_line *l = *sb_slot(sb, sb->count - 1);
        if (l != &sb_empty_line)
            l->line.wrapped = w;
    }
}
#endif

const struct line_info *sb_line_info(const struct scrollback *sb, int i)
{
    int raw = i - (sb->count - sb->nraw);

    if (raw >= 0)
        return &raw_meta(sb, raw)->line.info;
    return &(*sb_slot(sb, i))->line.info;
}

const struct render_line *sb_pending_line(struct scrollback *sb, int i)
{
    int line = sb->count - sb->pending + i;

    if (i < 0 || i >= sb->pending)
        return NULL;
    /* Raw lines are built oldest first, so the raw ones stay the newest
     * (a viewer asks for them in order: one build per call). */
    while (line >= sb->count - sb->nraw)
        raw_compact_oldest(sb);
    return &(*sb_slot(sb, line))->line;
}

void sb_taken(struct scrollback *sb)
{
    sb->pending = 0;
    sb->evicted = 0;
    sb->popped = 0;
    /* The raw pool is kept while output streams in (no allocation per
     * redraw) and let go once a whole redraw interval left it empty. */
    if (sb->nraw == 0 && !sb->raw_used)
        raw_free(sb);
    sb->raw_used = false;
}

void sb_init(struct scrollback *sb, VTerm *vt, int limit)
{
    memset(sb, 0, sizeof *sb);
    line_builder_init(&sb->build, vt, true);
    sb->limit = limit;
}

void sb_free(struct scrollback *sb)
{
    while (sb->count > 0) {
        if (sb->count > sb->nraw) /* raw slots hold nothing */
            sb_line_free(*sb_slot(sb, sb->count - 1));
        sb->count--;
    }
    free(sb->ring);
    raw_free(sb);
    line_builder_free(&sb->build);
}

/* runs.c -- see runs.h. */
#include "runs.h"

#include <string.h>

#include "utf8.h"

_Static_assert(4 * VTERM_MAX_CHARS_PER_CELL <= CELL_BYTES_MASK,
               "a cell's bytes fit in its cell info");

void line_builder_init(struct line_builder *lb, VTerm *vt, bool keep_cellinfo)
{
    memset(lb, 0, sizeof *lb);
    lb->screen = vterm_obtain_screen(vt);
    lb->state = vterm_obtain_state(vt);
    lb->keep_cellinfo = keep_cellinfo;
}

void line_builder_free(struct line_builder *lb)
{
    buf_free(&lb->text);
    buf_free(&lb->runs);
    buf_free(&lb->cellinfo);
    buf_free(&lb->line_links);
}

/* ---- cells to runs ---- */

static struct render_color convert_color(const struct line_builder *lb,
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
        vterm_screen_convert_color_to_rgb(lb->screen, &rgb);
    out.kind = RENDER_COLOR_RGB;
    out.r = rgb.rgb.red;
    out.g = rgb.rgb.green;
    out.b = rgb.rgb.blue;
    return out;
}

static void convert_attrs(const struct line_builder *lb,
                          const VTermScreenCell *cell, struct render_attrs *a)
{
    memset(a, 0, sizeof *a);
    a->fg = convert_color(lb, &cell->fg, true);
    a->bg = convert_color(lb, &cell->bg, false);
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
 * line_build draws each as one space; a stray half kept as it came
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
    /* Equal bytes are the same pen: a few loads, where the fields one by
     * one were a third of line_build's time on plain text (callgrind). */
    if (memcmp(&a->attrs, &b->attrs, sizeof a->attrs) == 0 &&
        memcmp(&a->fg, &b->fg, sizeof a->fg) == 0 &&
        memcmp(&a->bg, &b->bg, sizeof a->bg) == 0)
        return true;
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

/* A single-width blank: a space or an empty cell, nothing combined.
 * Past an empty first character CHARS holds whatever the caller's cell
 * held before (libvterm copies up to the first 0: the cells it pushes
 * to the scrollback are a reused buffer), so only a space's are read. */
static bool cell_blank(const VTermScreenCell *cell)
{
    return char_blank(cell->chars[0]) &&
           (cell->chars[0] != ' ' || cell->chars[1] == 0) && cell->width == 1;
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

/* ---- links ---- */

/* The characters line_build makes of CELL. */
static int cell_chars(const VTermScreenCell *cell)
{
    int i;

    if (cell->chars[0] == 0 || cell->chars[0] == (uint32_t)-1)
        return 1;
    for (i = 1; i < VTERM_MAX_CHARS_PER_CELL && cell->chars[i] != 0; i++)
        ;
    return i;
}

/* LINE's links (its info's spans of cells) as spans of its characters;
 * LINE's text is built from CELLS up to LINE->cols.  False when out of
 * memory. */
static bool build_links(struct line_builder *lb, const VTermScreenCell *cells,
                        struct render_line *line)
{
    const struct link_span *spans = NULL;
    int n = 0, i, col = 0, chars = 0;

    line->links = NULL;
    line->nlinks = 0;
    if (lb->links != NULL && line->info.links != 0)
        spans = links_spans(lb->links, line->info.links, &n);
    if (n == 0)
        return true;
    buf_clear(&lb->line_links);
    for (i = 0; i < n && spans[i].start < line->cols; i++) {
        struct render_link *k = buf_extend(&lb->line_links, sizeof *k);

        if (k == NULL)
            return false;
        while (col < spans[i].start) {
            chars += cell_chars(&cells[col]);
            col += cells[col].width == 2 ? 2 : 1;
        }
        k->start = chars;
        while (col < spans[i].end && col < line->cols) {
            chars += cell_chars(&cells[col]);
            col += cells[col].width == 2 ? 2 : 1;
        }
        k->end = chars;
        k->uri = spans[i].uri;
        line->nlinks++;
    }
    line->links = (const struct render_link *)lb->line_links.data;
    return true;
}

/* How many cells from COL (before END) hold one printable ASCII
 * character each, single width, in PEN's attributes: the bulk of most
 * lines, copied in one stretch by line_build. */
static int ascii_stretch(const VTermScreenCell *cells, int col, int end,
                         const VTermScreenCell *pen)
{
    int k = col;

    while (k < end && cells[k].chars[0] >= 0x20 && cells[k].chars[0] < 0x7f &&
           cells[k].chars[1] == 0 && cells[k].width == 1 &&
           same_pen(pen, &cells[k]))
        k++;
    return k - col;
}

int cells_visible_end(const VTermScreenCell *cells, int ncols)
{
    while (ncols > 0 && cell_invisible(&cells[ncols - 1]))
        ncols--;
    return ncols;
}

static struct render_run *add_run(struct line_builder *lb,
                                  struct render_line *line,
                                  const struct render_attrs *a)
{
    struct render_run *run = buf_extend(&lb->runs, sizeof *run);

    if (run == NULL)
        return NULL;
    line->nruns++;
    memset(run, 0, sizeof *run);
    run->off = lb->text.len;
    run->attrs = *a;
    return run;
}

bool line_build(struct line_builder *lb, const VTermScreenCell *cells,
                int ncols, int min_cols, struct render_line *line)
{
    int end = cells_visible_end(cells, ncols), col, i;
    struct render_run *run = NULL;
    const VTermScreenCell *pen = NULL; /* the cell RUN's attributes came from */
    const VTermScreenCell *joined = NULL; /* a blank that joined RUN */
    struct render_attrs a;

    if (min_cols > end)
        end = min_cols < ncols ? min_cols : ncols;
    buf_clear(&lb->text);
    buf_clear(&lb->runs);
    buf_clear(&lb->cellinfo);
    line->nruns = 0;
    line->cols = 0;
    line->prompt_chars = 0;
    /* Room for every cell at once: the loop writes without checks (it
     * runs for every line a viewer is shown). */
    if (!buf_reserve(&lb->text, (size_t)end * 4 * VTERM_MAX_CHARS_PER_CELL) ||
        (lb->keep_cellinfo && !buf_reserve(&lb->cellinfo, (size_t)end)))
        return false;
    for (col = 0; col < end;) {
        const VTermScreenCell *cell = &cells[col];
        int stretch = pen != NULL ? ascii_stretch(cells, col, end, pen) : 0;

        if (stretch > 0) {
            /* What the cell by cell loop below does for each of them. */
            char *to = lb->text.data + lb->text.len;
            int before_prompt = line->info.prompt_col - col;

            for (i = 0; i < stretch; i++)
                to[i] = (char)cells[col + i].chars[0];
            lb->text.len += (size_t)stretch;
            if (lb->keep_cellinfo) {
                memset(lb->cellinfo.data + lb->cellinfo.len, 1,
                       (size_t)stretch);
                lb->cellinfo.len += (size_t)stretch;
            }
            run->len += (size_t)stretch;
            run->chars += stretch;
            run->cols += stretch;
            if (before_prompt > 0)
                line->prompt_chars +=
                    before_prompt < stretch ? before_prompt : stretch;
            col += stretch;
            continue;
        }
        int width = cell->width >= 1 && cell->width <= 2 ? cell->width : 1;
        char *enc = lb->text.data + lb->text.len;
        uint32_t c = cell->chars[0];
        size_t n = 0;
        int nchars = 0;

        /* Runs of cells with the same pen are the rule: convert once (a
         * blank like one that joined RUN joins it too). */
        if ((pen == NULL || !same_pen(pen, cell)) &&
            !(joined != NULL && cell_blank(cell) && same_pen(joined, cell))) {
            convert_attrs(lb, cell, &a);
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
        lb->text.len += n;
        if (lb->keep_cellinfo)
            lb->cellinfo.data[lb->cellinfo.len++] =
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
    line->cols = col;
    if (lb->text.failed || lb->cellinfo.failed || !build_links(lb, cells, line))
        return false;
    line->text = lb->text.data;
    line->len = lb->text.len;
    line->runs = (struct render_run *)lb->runs.data;
    /* A full row whose last cell is used most likely wrapped; libvterm
     * 0.3 knows for sure and the caller overrides this. */
    line->wrapped =
        ncols > 0 && !cell_invisible(&cells[ncols - 1]) && end == ncols;
    return true;
}

/* ---- attributes back to cells ---- */

static void color_from_render(const struct line_builder *lb,
                              const struct render_color *c, bool fg,
                              VTermColor *out)
{
    VTermColor dfg, dbg;

    switch (c->kind) {
    case RENDER_COLOR_INDEXED: vterm_color_indexed(out, c->idx); break;
    case RENDER_COLOR_RGB: vterm_color_rgb(out, c->r, c->g, c->b); break;
    default:
        vterm_state_get_default_colors(lb->state, &dfg, &dbg);
        *out = fg ? dfg : dbg;
        break;
    }
}

void cell_from_attrs(const struct line_builder *lb,
                     const struct render_attrs *a, VTermScreenCell *cell)
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
    color_from_render(lb, &a->fg, true, &cell->fg);
    color_from_render(lb, &a->bg, false, &cell->bg);
}

void cells_pad_blank(const struct line_builder *lb, VTermScreenCell *cells,
                     int from, int cols)
{
    struct render_attrs blank;

    memset(&blank, 0, sizeof blank);
    for (; from < cols; from++) {
        memset(&cells[from], 0, sizeof cells[from]);
        cell_from_attrs(lb, &blank, &cells[from]);
        cells[from].width = 1;
    }
}

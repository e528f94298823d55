/* screen.c -- see screen.h. */
#include "screen.h"

#include <stdlib.h>
#include <string.h>

#include "cells.h"
#include "csi_guard.h"
#include "outbuf.h"

enum { TITLE_MAX = 1024 };

struct sb_line {
    char *data;
    size_t len;
};

struct screen {
    VTerm *vt;
    VTermScreen *vts;
    int cols, rows;
    /* Scrollback: a ring of SB_MAX lines, COUNT of them from FIRST. */
    struct sb_line *sb;
    int sb_max, sb_first, sb_count;
    char title[TITLE_MAX + 1];
    size_t title_len;
    bool alt;                 /* the alternate screen is on */
    bool reverse;             /* the whole screen is reversed (DECSCNM) */
    VTermScreenCell *primary; /* see screen_primary() */
    struct csi_guard guard;
    int primary_cols, primary_rows;
};

static void drop_output(const char *s, size_t len, void *user)
{
    (void)s;
    (void)len;
    (void)user;
}

static void sb_drop_oldest(struct screen *s)
{
    free(s->sb[s->sb_first].data);
    s->sb[s->sb_first] = (struct sb_line){0};
    s->sb_first = (s->sb_first + 1) % s->sb_max;
    s->sb_count--;
}

static int on_pushline(int cols, const VTermScreenCell *cells, void *user)
{
    struct screen *s = user;
    struct outbuf line = {0};
    VTermScreenCell *raw;

    if (s->sb_max == 0)
        return 1;
    raw = malloc((size_t)cols * sizeof *raw);
    if (raw == NULL)
        return 1;
    /* The cells' own reverse attribute, not what DECSCNM makes of it. */
    memcpy(raw, cells, (size_t)cols * sizeof *raw);
    for (int i = 0; i < cols; i++)
        raw[i].attrs.reverse ^= s->reverse;
    cells_encode(&line, raw, cols);
    free(raw);
    if (line.failed) {
        outbuf_free(&line);
        return 1;
    }
    if (s->sb_count == s->sb_max)
        sb_drop_oldest(s);
    s->sb[(s->sb_first + s->sb_count) % s->sb_max] =
        (struct sb_line){line.data, line.len};
    s->sb_count++;
    return 1;
}

static int on_sb_clear(void *user)
{
    struct screen *s = user;

    while (s->sb_count > 0)
        sb_drop_oldest(s);
    return 1;
}

static int on_settermprop(VTermProp prop, VTermValue *val, void *user)
{
    struct screen *s = user;

    if (prop == VTERM_PROP_REVERSE) {
        s->reverse = val->boolean;
        return 1;
    }
    if (prop == VTERM_PROP_ALTSCREEN) {
        s->alt = val->boolean;
        if (!s->alt) {
            free(s->primary);
            s->primary = NULL;
        }
        return 1;
    }
    if (prop != VTERM_PROP_TITLE)
        return 1;
    if (val->string.initial)
        s->title_len = 0;
    for (size_t i = 0; i < val->string.len && s->title_len < TITLE_MAX; i++)
        s->title[s->title_len++] = val->string.str[i];
    s->title[s->title_len] = '\0';
    return 1;
}

static const VTermScreenCallbacks callbacks = {
    .settermprop = on_settermprop,
    .sb_pushline = on_pushline,
    .sb_clear = on_sb_clear,
};

struct screen *screen_new(int cols, int rows, int sb_max)
{
    struct screen *s = calloc(1, sizeof *s);

    if (s == NULL)
        return NULL;
    s->sb_max = sb_max > 0 ? sb_max : 0;
    s->sb = calloc((size_t)(s->sb_max > 0 ? s->sb_max : 1), sizeof *s->sb);
    s->vt = vterm_new(rows, cols);
    if (s->sb == NULL || s->vt == NULL) {
        screen_free(s);
        return NULL;
    }
    s->cols = cols;
    s->rows = rows;
    vterm_set_utf8(s->vt, 1);
    vterm_output_set_callback(s->vt, drop_output, NULL);
    s->vts = vterm_obtain_screen(s->vt);
    vterm_screen_set_callbacks(s->vts, &callbacks, s);
    vterm_screen_enable_altscreen(s->vts, 1);
    vterm_screen_reset(s->vts, 1);
    return s;
}

void screen_free(struct screen *s)
{
    if (s == NULL)
        return;
    if (s->vt != NULL)
        vterm_free(s->vt);
    for (int i = 0; i < s->sb_max; i++)
        free(s->sb[i].data);
    free(s->sb);
    free(s->primary);
    free(s);
}

/* Offset of the ESC of the first complete "CSI ? Pm h" in BYTES that
 * switches to the alternate screen (mode 47, 1047 or 1049), and in *END
 * the offset after it; LEN when there is none. */
static size_t alt_switch_at(const char *bytes, size_t len, size_t *end)
{
    for (size_t i = 0; i + 2 < len; i++) {
        size_t j = i + 3;
        bool alt = false;

        if (bytes[i] != '\033' || bytes[i + 1] != '[' || bytes[i + 2] != '?')
            continue;
        while (j < len) {
            long n = 0;
            size_t start = j;

            while (j < len && bytes[j] >= '0' && bytes[j] <= '9' && n < 100000)
                n = n * 10 + (bytes[j++] - '0');
            if (j > start && (n == 47 || n == 1047 || n == 1049))
                alt = true;
            if (j < len && bytes[j] == ';')
                j++;
            else
                break;
        }
        if (j < len && bytes[j] == 'h' && alt) {
            *end = j + 1;
            return i;
        }
    }
    *end = len;
    return len;
}

/* Keep the primary screen's cells: the alternate screen is coming. */
static void keep_primary(struct screen *s)
{
    size_t n = (size_t)s->cols * (size_t)s->rows;
    VTermScreenCell *cells;

    /* A switch while on the alternate screen changes nothing. */
    if (s->alt)
        return;
    free(s->primary);
    s->primary = NULL;
    cells = malloc(n * sizeof *cells);
    if (cells == NULL)
        return;
    for (int r = 0; r < s->rows; r++)
        for (int c = 0; c < s->cols; c++)
            screen_get_cell(s, r, c,
                            &cells[(size_t)r * (size_t)s->cols + (size_t)c]);
    s->primary = cells;
    s->primary_cols = s->cols;
    s->primary_rows = s->rows;
}

static void feed_guarded(struct screen *s, const char *bytes, size_t len)
{
    char buf[4096];

    while (len > 0) {
        size_t take = len < sizeof buf ? len : sizeof buf;

        vterm_input_write(s->vt, buf,
                          csi_guard_filter(&s->guard, bytes, take, buf));
        bytes += take;
        len -= take;
    }
}

void screen_feed(struct screen *s, const char *bytes, size_t len)
{
    while (len > 0) {
        size_t end, at = alt_switch_at(bytes, len, &end);

        feed_guarded(s, bytes, at);
        if (at == len)
            break;
        keep_primary(s);
        feed_guarded(s, bytes + at, end - at);
        bytes += end;
        len -= end;
    }
}

void screen_resize(struct screen *s, int cols, int rows)
{
    s->cols = cols;
    s->rows = rows;
    vterm_set_size(s->vt, rows, cols);
}

void screen_get_cell(const struct screen *s, int row, int col,
                     VTermScreenCell *cell)
{
    vterm_screen_get_cell(s->vts, (VTermPos){row, col}, cell);
    cell->attrs.reverse ^= s->reverse;
}

VTerm *screen_vterm(const struct screen *s)
{
    return s->vt;
}

const char *screen_title(const struct screen *s)
{
    return s->title;
}

int screen_sb_count(const struct screen *s)
{
    return s->sb_count;
}

const char *screen_sb_line(const struct screen *s, int i, size_t *len)
{
    const struct sb_line *line = &s->sb[(s->sb_first + i) % s->sb_max];

    *len = line->len;
    return line->data;
}

const VTermScreenCell *screen_primary(const struct screen *s, int *cols,
                                      int *rows)
{
    if (!s->alt)
        return NULL;
    *cols = s->primary_cols;
    *rows = s->primary_rows;
    return s->primary;
}

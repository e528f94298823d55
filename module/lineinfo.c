/* lineinfo.c -- per-row prompt and directory info.  See lineinfo.h. */
#include "lineinfo.h"

#include <stdlib.h>
#include <string.h>

static struct line_info *blank_rows(int rows)
{
    return calloc((size_t)(rows > 0 ? rows : 1), sizeof(struct line_info));
}

bool lineinfo_init(struct lineinfo_store *li, int rows)
{
    memset(li, 0, sizeof *li);
    li->rows[0] = blank_rows(rows);
    li->rows[1] = blank_rows(rows);
    if (li->rows[0] == NULL || li->rows[1] == NULL) {
        lineinfo_free(li);
        return false;
    }
    li->nrows = rows;
    return true;
}

void lineinfo_free(struct lineinfo_store *li)
{
    int i;

    free(li->rows[0]);
    free(li->rows[1]);
    free(li->next[0]);
    free(li->next[1]);
    free(li->popped);
    for (i = 0; i < LINEINFO_DIRS; i++)
        free(li->dirs[i].path);
    links_free(&li->links);
    memset(li, 0, sizeof *li);
}

static struct line_info *shown(const struct lineinfo_store *li)
{
    return li->rows[li->alt ? 1 : 0];
}

const struct line_info *lineinfo_row(const struct lineinfo_store *li, int row)
{
    return row >= 0 && row < li->nrows ? &shown(li)[row] : NULL;
}

const char *lineinfo_dir(const struct lineinfo_store *li, unsigned id)
{
    if (id == 0 || li->dirs[id % LINEINFO_DIRS].id != id)
        return NULL;
    return li->dirs[id % LINEINFO_DIRS].path;
}

/* The id of PATH: the newest one again when it is the same (a shell
 * reports its directory at every prompt), else a new one that takes the
 * place of the oldest.  0 when out of memory. */
static unsigned intern_dir(struct lineinfo_store *li, const char *path)
{
    const char *last = lineinfo_dir(li, li->last_dir);
    unsigned id;
    char *copy;

    if (last != NULL && strcmp(last, path) == 0)
        return li->last_dir;
    copy = malloc(strlen(path) + 1);
    if (copy == NULL)
        return 0;
    strcpy(copy, path);
    id = li->last_dir + 1;
    if (id == 0) /* wrapped around: 0 means none */
        id = 1;
    free(li->dirs[id % LINEINFO_DIRS].path);
    li->dirs[id % LINEINFO_DIRS].id = id;
    li->dirs[id % LINEINFO_DIRS].path = copy;
    li->last_dir = id;
    return id;
}

void lineinfo_mark(struct lineinfo_store *li, int row, int col,
                   const struct line_info *prompt, const char *path)
{
    struct line_info *info;

    if (row < 0 || row >= li->nrows)
        return;
    info = &shown(li)[row];
    if (prompt != NULL) {
        info->prompt_col = col;
        /* A shell may mark one prompt twice (OSC 133 B and 51;A): what
         * the first said stays. */
        if (prompt->status != 0)
            info->status = prompt->status;
        if (prompt->prompt_rows != 0)
            info->prompt_rows = prompt->prompt_rows;
    }
    if (path != NULL)
        info->dir = intern_dir(li, path);
}

void lineinfo_damage(struct lineinfo_store *li, int row, int start_col)
{
    if (row >= 0 && row < li->nrows && start_col < shown(li)[row].prompt_col) {
        shown(li)[row].prompt_col = 0;
        shown(li)[row].status = 0;
        shown(li)[row].prompt_rows = 0;
    }
}

void lineinfo_link(struct lineinfo_store *li, int row, int start, int end,
                   unsigned uri)
{
    struct line_info *info;

    if (row < 0 || row >= li->nrows)
        return;
    info = &shown(li)[row];
    if (info->links != 0 || uri != 0)
        links_set(&li->links, &info->links, start, end, uri);
}

bool lineinfo_has_links(const struct lineinfo_store *li)
{
    int i;

    for (i = 0; i < li->nrows; i++)
        if (shown(li)[i].links != 0)
            return true;
    return false;
}

void lineinfo_move(struct lineinfo_store *li, int dest, int src, int n)
{
    struct line_info *rows = shown(li);
    int i;

    li->pushed = 0;
    if (n <= 0 || dest < 0 || src < 0 || dest + n > li->nrows ||
        src + n > li->nrows || dest == src)
        return;
    memmove(rows + dest, rows + src, (size_t)n * sizeof *rows);
    /* The rows uncovered behind the move. */
    for (i = src; i < src + n; i++)
        if (i < dest || i >= dest + n)
            memset(&rows[i], 0, sizeof rows[i]);
}

struct line_info lineinfo_take_pushed(struct lineinfo_store *li)
{
    struct line_info none = {0};

    if (li->pushed >= li->nrows)
        return none;
    return li->rows[0][li->pushed++];
}

void lineinfo_set_alt(struct lineinfo_store *li, bool alt)
{
    if (alt && !li->alt)
        memset(li->rows[1], 0, (size_t)li->nrows * sizeof *li->rows[1]);
    li->alt = alt;
}

bool lineinfo_resize_begin(struct lineinfo_store *li, int rows)
{
    li->next[0] = blank_rows(rows);
    li->next[1] = blank_rows(rows);
    li->popped = blank_rows(rows);
    if (li->next[0] == NULL || li->next[1] == NULL || li->popped == NULL) {
        free(li->next[0]);
        free(li->next[1]);
        free(li->popped);
        li->next[0] = li->next[1] = li->popped = NULL;
        return false;
    }
    li->next_rows = rows;
    li->npopped = 0;
    li->pushed = 0;
    return true;
}

void lineinfo_popped(struct lineinfo_store *li, const struct line_info *info)
{
    /* Only while resizing: libvterm pops lines back into the new rows. */
    if (li->popped != NULL && li->npopped < li->next_rows)
        li->popped[li->npopped++] = *info;
}

void lineinfo_resize_end(struct lineinfo_store *li)
{
    int rows = li->next_rows, keep, i, n = 0;

    if (li->popped == NULL)
        return;
    for (i = li->npopped - 1; i >= 0; i--)
        li->next[0][n++] = li->popped[i];
    keep = li->nrows - li->pushed;
    if (keep > rows - n)
        keep = rows - n;
    if (keep > 0)
        memcpy(li->next[0] + n, li->rows[0] + li->pushed,
               (size_t)keep * sizeof *li->rows[0]);
    keep = li->nrows < rows ? li->nrows : rows;
    memcpy(li->next[1], li->rows[1], (size_t)keep * sizeof *li->rows[1]);
    free(li->rows[0]);
    free(li->rows[1]);
    free(li->popped);
    li->rows[0] = li->next[0];
    li->rows[1] = li->next[1];
    li->next[0] = li->next[1] = li->popped = NULL;
    li->nrows = rows;
    li->npopped = li->pushed = 0;
}

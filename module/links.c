/* links.c -- hyperlinks on rows.  See links.h. */
#include "links.h"

#include <stdlib.h>
#include <string.h>

struct link_uri {
    unsigned id, hash;
    char *uri;
};

struct link_row {
    unsigned id;
    int n, cap;
    struct link_span *spans;
};

void links_free(struct links *l)
{
    int i;

    if (l->uris != NULL)
        for (i = 0; i < LINKS_URIS; i++)
            free(l->uris[i].uri);
    if (l->rows != NULL)
        for (i = 0; i < LINKS_ROWS; i++)
            free(l->rows[i].spans);
    free(l->uris);
    free(l->rows);
    memset(l, 0, sizeof *l);
}

static unsigned hash_of(const char *s, size_t len)
{
    unsigned h = 2166136261u;
    size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The next id after LAST, never 0. */
static unsigned next_id(unsigned last)
{
    return last + 1 != 0 ? last + 1 : 1;
}

unsigned links_intern(struct links *l, const char *uri, size_t len)
{
    unsigned h, id;
    struct link_uri *slot;
    size_t i;
    char *copy;

    if (len == 0 || len > LINKS_URI_MAX)
        return 0;
    for (i = 0; i < len; i++)
        if ((unsigned char)uri[i] <= 0x20 || (unsigned char)uri[i] >= 0x7f)
            return 0;
    if (l->uris == NULL &&
        (l->uris = calloc(LINKS_URIS, sizeof *l->uris)) == NULL)
        return 0;
    h = hash_of(uri, len);
    /* Links open once per piece of linked text: a look over the table
     * then costs less than keeping an index of it in step. */
    for (i = 0; i < LINKS_URIS; i++) {
        slot = &l->uris[i];
        if (slot->uri != NULL && slot->hash == h &&
            strncmp(slot->uri, uri, len) == 0 && slot->uri[len] == '\0')
            return slot->id;
    }
    copy = malloc(len + 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, uri, len);
    copy[len] = '\0';
    id = next_id(l->last_uri);
    slot = &l->uris[id % LINKS_URIS];
    free(slot->uri);
    slot->id = id;
    slot->hash = h;
    slot->uri = copy;
    l->last_uri = id;
    return id;
}

const char *links_uri(const struct links *l, unsigned id)
{
    if (id == 0 || l->uris == NULL || l->uris[id % LINKS_URIS].id != id)
        return NULL;
    return l->uris[id % LINKS_URIS].uri;
}

static struct link_row *row_of(const struct links *l, unsigned id)
{
    if (id == 0 || l->rows == NULL || l->rows[id % LINKS_ROWS].id != id)
        return NULL;
    return &l->rows[id % LINKS_ROWS];
}

/* A record for a row, in place of the oldest; NULL when out of memory. */
static struct link_row *new_row(struct links *l, unsigned *row)
{
    struct link_row *rec;
    unsigned id;

    if (l->rows == NULL &&
        (l->rows = calloc(LINKS_ROWS, sizeof *l->rows)) == NULL)
        return NULL;
    id = next_id(l->last_row);
    rec = &l->rows[id % LINKS_ROWS];
    rec->id = id;
    rec->n = 0;
    l->last_row = id;
    *row = id;
    return rec;
}

/* Room for two more spans: a removal splits one in two, then one is
 * added. */
static bool reserve(struct link_row *rec)
{
    struct link_span *spans;
    int cap;

    if (rec->n + 2 <= rec->cap)
        return true;
    cap = rec->cap > 0 ? rec->cap * 2 : 4;
    spans = realloc(rec->spans, (size_t)cap * sizeof *spans);
    if (spans == NULL)
        return false;
    rec->spans = spans;
    rec->cap = cap;
    return true;
}

/* Cells [START, END) link nowhere. */
static void cut(struct link_row *rec, int start, int end)
{
    int i, k = 0, n = rec->n;
    struct link_span *s = rec->spans;

    for (i = 0; i < n; i++) {
        struct link_span sp = s[i];

        if (sp.end <= start || sp.start >= end) {
            s[k++] = sp;
            continue;
        }
        if (sp.start < start) {
            s[k] = sp;
            s[k++].end = start;
        }
        if (sp.end > end) {
            /* The right part of a span split in two goes after its left
             * part: later spans move up by one (reserve made room). */
            if (k <= i) {
                s[k] = sp;
                s[k++].start = end;
            } else {
                memmove(s + k + 1, s + i + 1, (size_t)(n - i - 1) * sizeof *s);
                s[k] = sp;
                s[k].start = end;
                rec->n = k + 1 + (n - i - 1);
                return;
            }
        }
    }
    rec->n = k;
}

void links_set(struct links *l, unsigned *row, int start, int end, unsigned uri)
{
    struct link_row *rec = row_of(l, *row);
    struct link_span *s;
    int i;

    if (start >= end)
        return;
    if (rec == NULL) {
        *row = 0;
        if (uri == 0 || (rec = new_row(l, row)) == NULL)
            return;
    }
    if (!reserve(rec))
        return;
    s = rec->spans;
    /* Text written in one go extends the row's last span. */
    if (uri != 0 && rec->n > 0 && s[rec->n - 1].uri == uri &&
        s[rec->n - 1].end == start) {
        s[rec->n - 1].end = end;
        return;
    }
    cut(rec, start, end);
    if (uri == 0) {
        if (rec->n == 0)
            *row = 0; /* a row without links names no record */
        return;
    }
    for (i = rec->n; i > 0 && s[i - 1].start > start; i--)
        s[i] = s[i - 1];
    s[i].start = start;
    s[i].end = end;
    s[i].uri = uri;
    rec->n++;
    /* Joined with equal neighbours. */
    if (i + 1 < rec->n && s[i + 1].uri == uri && s[i + 1].start == end) {
        s[i].end = s[i + 1].end;
        memmove(s + i + 1, s + i + 2, (size_t)(rec->n - i - 2) * sizeof *s);
        rec->n--;
    }
    if (i > 0 && s[i - 1].uri == uri && s[i - 1].end == start) {
        s[i - 1].end = s[i].end;
        memmove(s + i, s + i + 1, (size_t)(rec->n - i - 1) * sizeof *s);
        rec->n--;
    }
}

const struct link_span *links_spans(const struct links *l, unsigned row, int *n)
{
    const struct link_row *rec = row_of(l, row);

    *n = rec != NULL ? rec->n : 0;
    return *n > 0 ? rec->spans : NULL;
}

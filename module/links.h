/* links.h -- hyperlinks (OSC 8): which cells of a row link where.  The
 * URIs are interned in one table per terminal (at most LINKS_URIS, the
 * oldest forgotten first); a row's linked cells are spans in a record
 * the row names by id (line_info's links), at most LINKS_ROWS records,
 * the oldest dropped first.  A row naming a dropped record, or a span
 * naming a forgotten URI, links nowhere: memory stays bounded however
 * much linked text goes by.  Plain C, no libvterm or Emacs types. */
#ifndef LINKS_H
#define LINKS_H

#include <stdbool.h>
#include <stddef.h>

enum {
    LINKS_URIS = 1024,
    LINKS_ROWS = 4096,
    LINKS_URI_MAX = 2048 /* a longer URI is dropped (its text stays) */
};

/* Cells [start, end) of a row link to URI (an id from links_intern). */
struct link_span {
    int start, end;
    unsigned uri;
};

struct links {
    struct link_uri *uris; /* LINKS_URIS slots, allocated when first used */
    unsigned last_uri;
    struct link_row *rows; /* LINKS_ROWS slots, likewise */
    unsigned last_row;
};

/* L is zeroed by its owner. */
void links_free(struct links *l);

/* The id of URI (LEN bytes), the same for the same URI while it is
 * kept; 0 when it is empty, longer than LINKS_URI_MAX, has a byte
 * outside printable ASCII (URIs are percent-encoded), or out of
 * memory. */
unsigned links_intern(struct links *l, const char *uri, size_t len);
/* The URI of ID, NUL-terminated, or NULL when forgotten. */
const char *links_uri(const struct links *l, unsigned id);

/* Cells [START, END) of the row whose record *ROW names (0: none yet)
 * link to URI, or to nothing when URI is 0; *ROW gets a new record when
 * it needs one. */
void links_set(struct links *l, unsigned *row, int start, int end,
               unsigned uri);
/* The spans of record ROW, in order of their cells; NULL (*N 0) when
 * it has none or was dropped. */
const struct link_span *links_spans(const struct links *l, unsigned row,
                                    int *n);

#endif /* LINKS_H */

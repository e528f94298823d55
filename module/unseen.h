/* unseen.h -- the part of a write of output that nobody will see: text
 * (coloured or not) whose lines the scrollback evicts again before the
 * write ends.
 *
 * libvterm builds a row of cells for every line it scrolls into the
 * scrollback (a fifth of its time on a large write of text), and parses
 * every character of lines that, in a write ending in more line feeds
 * than the scrollback keeps, are evicted before anyone sees them.  The
 * render core (render_write) feeds such a write in parts: lines pushed
 * in [from, to) are not built, and [skip_from, skip_to) is not parsed at
 * all when the lines before it show that it would only scroll.
 *
 * Why that is exact: only plain bytes (text, CR, LF, TAB, BS) and SGRs
 * follow FROM, and they leave libvterm's parser and the scroll region as
 * they are and never move the cursor up.  So once a line has been pushed,
 * the cursor is on the last row of a scroll region that starts at the
 * top, and every later line feed pushes a line too: the KEEP line feeds
 * after TO evict whatever was pushed before them.  Whole lines (each
 * ended by CR LF) between SKIP_FROM and SKIP_TO, with a line pushed
 * before, leave the cursor where it was, at the start of that last
 * row; the ROWS more line feeds after SKIP_TO then scroll every row of
 * the region away, so what those lines would have drawn is gone too,
 * and a character printed after SKIP_TO is the last one printed, which
 * REP repeats (libvterm's, or the module's input guard's).  The pen the
 * skipped lines leave is theirs: their SGRs are fed alone (unseen_pen),
 * so the line feeds after SKIP_TO clear rows as they would have. */
#ifndef UNSEEN_H
#define UNSEEN_H

#include <stdbool.h>
#include <stddef.h>

struct unseen {
    size_t from, to;             /* pushed lines here are evicted by the end */
    size_t skip_from, skip_to;   /* whole lines not parsed; equal: none */
    unsigned long skipped_feeds; /* line feeds in [skip_from, skip_to) */
};

/* Find them in BYTES (LEN long) for a scrollback of KEEP lines (> 0) on a
 * screen of ROWS: [FROM, TO) starts at BYTES or after a line feed, with
 * only plain bytes and SGRs from FROM to the end (or to an SGR cut off
 * there) and at least KEEP line feeds after TO; SKIP_FROM is after the ROWS +
 * 1st line feed after FROM, SKIP_TO has at least KEEP + ROWS line feeds and a
 * printable character after it, both right after a CR LF.  False when there is
 * no such FROM and TO. */
bool unseen_find(const char *bytes, size_t len, long keep, int rows,
                 struct unseen *u);

/* Pass FEED the SGRs of [U->skip_from, U->skip_to) of BYTES that decide
 * the pen after them (those from the last one that resets it), in order,
 * adjacent ones in one call: fed alone, they leave the pen as the whole
 * lines would. */
void unseen_pen(const char *bytes, const struct unseen *u,
                void (*feed)(void *ctx, const char *sgrs, size_t len),
                void *ctx);

#endif /* UNSEEN_H */

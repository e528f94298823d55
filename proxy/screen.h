/* screen.h -- the session server's terminal: a libvterm screen fed with
 * every byte the program writes, so the state is current whether or not
 * a client is attached; the scrollback it pushed (as the sequences that
 * draw each line, cells.h), the title, and the primary screen as it was
 * when the program switched to the alternate one.  Plain C over
 * libvterm and the module's thread.h (a parse thread), no I/O: the same
 * on every OS.  One thread calls these functions. */
#ifndef SCREEN_H
#define SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vterm.h>

struct screen;

/* A COLSxROWS screen keeping at most SB_MAX scrollback lines; NULL when
 * out of memory. */
struct screen *screen_new(int cols, int rows, int sb_max);
void screen_free(struct screen *s);

/* Feed LEN bytes of program output, come at NOW (milliseconds, the
 * caller's clock: see screen_quiet_at).  Replies libvterm would send (to a
 * device-attributes query, say) are dropped: the attached client's
 * terminal answers those.  Held until something reads the screen or
 * resizes it, or until six times the lines the scrollback and screen
 * keep are held (16 MiB at most); then parsed at once, by the screen's
 * parse thread while more is held (a caller that comes back with more
 * before the thread is done waits for it), so that what scrolls
 * through the scrollback in a flood mostly goes unparsed (unseen.h).
 * The lines that would stay in the scrollback are left for the next
 * batch, which in a flood pushes them out unparsed in turn: a flood
 * costs a scan of its bytes and a screenful parsed per batch. */
void screen_feed(struct screen *s, const char *bytes, size_t len, uint64_t now);
/* Parse what screen_feed holds, once the parse thread is done (every
 * function below does first). */
void screen_settle(struct screen *s);

/* Output held, or with the parse thread and not sure to be parsed (it
 * may leave a flood's last lines): its bytes. */
size_t screen_held(struct screen *s);

/* Once the program has been quiet for SCREEN_QUIET_MS, what is held
 * goes to the parse thread (parsed then without one), so that a server
 * nobody reads holds no more than its screen and scrollback: when that
 * is due (UINT64_MAX: nothing is held), and, at NOW, doing it if it is
 * due: the bytes it handed over (0: none). */
enum { SCREEN_QUIET_MS = 1000 };
uint64_t screen_quiet_at(struct screen *s);
size_t screen_quiet_if_due(struct screen *s, uint64_t now);

void screen_resize(struct screen *s, int cols, int rows);

VTerm *screen_vterm(struct screen *s);

/* The cell at ROW, COL of the current screen as written: its reverse
 * attribute its own, not flipped by a reversed screen (DECSCNM, which
 * libvterm's vterm_screen_get_cell applies). */
void screen_get_cell(struct screen *s, int row, int col, VTermScreenCell *cell);

/* The title the program set last ("" if none). */
const char *screen_title(struct screen *s);

/* Scrollback lines kept, oldest first: line I (0 <= I < COUNT) as the
 * sequences that draw it from column 0 on an erased line. */
int screen_sb_count(struct screen *s);
const char *screen_sb_line(struct screen *s, int i, size_t *len);

/* While the alternate screen is on: the primary screen's cells as they
 * were when it was switched on (*COLS x *ROWS, row by row), or NULL
 * when not known. */
const VTermScreenCell *screen_primary(struct screen *s, int *cols, int *rows);

#endif

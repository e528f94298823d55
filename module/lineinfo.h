/* lineinfo.h -- what the shell said about each screen row: where its
 * prompt ends (OSC 51;A, 133;B; with 133, the status of the command
 * before it and the rows it spans), which directory it reported (OSC
 * 51;A, OSC 7) and which of its cells are hyperlinks (OSC 8).  The
 * render core keeps the rows in step with libvterm's screen (scrolls,
 * lines pushed to and popped from the scrollback, resizes) and copies a
 * row's info into the scrollback line it becomes, so copy mode can leave
 * prompts out and prompt navigation, per-line directories and links work
 * over the whole buffer.  Plain C, no libvterm or Emacs types. */
#ifndef LINEINFO_H
#define LINEINFO_H

#include <stdbool.h>

#include "links.h"

/* One line's info; all zero when the shell said nothing about it. */
struct line_info {
    int prompt_col; /* cells [0, prompt_col) are the prompt; 0: none */
    unsigned dir;   /* directory id (lineinfo_dir), 0: none */
    /* With a prompt (OSC 133): the exit status of the command before it
     * plus 1 (0: not reported), and the rows above this one the prompt
     * began on (it ends on this one). */
    int status;
    int prompt_rows;
    unsigned links; /* the row's linked cells (links_spans), 0: none */
};

enum { LINEINFO_DIRS = 64 }; /* directories remembered, newest first */

/* The info of every row of both screens, and the directories it names. */
struct lineinfo_store {
    struct line_info *rows[2]; /* the primary and the alternate screen */
    int nrows;
    bool alt;   /* the alternate screen is shown */
    int pushed; /* primary rows pushed to the scrollback since the last move */
    /* Lines popped back from the scrollback during a resize, in the
     * order libvterm pops them (newest first). */
    struct line_info *popped;
    int npopped;
    struct line_info *next[2]; /* the rows after the resize in progress */
    int next_rows;
    struct {
        unsigned id;
        char *path;
    } dirs[LINEINFO_DIRS];
    unsigned last_dir;
    struct links links; /* the URIs and the rows' linked cells */
};

bool lineinfo_init(struct lineinfo_store *li, int rows);
void lineinfo_free(struct lineinfo_store *li);

/* Info of screen ROW, or NULL when out of range. */
const struct line_info *lineinfo_row(const struct lineinfo_store *li, int row);
/* The path of directory ID, or NULL when unknown or forgotten. */
const char *lineinfo_dir(const struct lineinfo_store *li, unsigned id);

/* The shell reported, with the cursor at (ROW, COL), a prompt ending at
 * COL (PROMPT non-NULL: its status and prompt_rows are copied) and/or
 * directory PATH (NULL: none). */
void lineinfo_mark(struct lineinfo_store *li, int row, int col,
                   const struct line_info *prompt, const char *path);

/* Cells from START_COL on of ROW changed.  A prompt whose cells are
 * overwritten is gone, with what was said of it (the shell reprints its
 * mark with the prompt). */
void lineinfo_damage(struct lineinfo_store *li, int row, int start_col);

/* Cells [START, END) of ROW link to URI (links_intern), or to nothing
 * when URI is 0. */
void lineinfo_link(struct lineinfo_store *li, int row, int start, int end,
                   unsigned uri);

/* Some row of the shown screen has links. */
bool lineinfo_has_links(const struct lineinfo_store *li);

/* Whole rows [SRC, SRC+N) of the shown screen moved to [DEST, DEST+N);
 * rows left behind are new and blank. */
void lineinfo_move(struct lineinfo_store *li, int dest, int src, int n);

/* The next primary row from the top went to the scrollback (libvterm
 * pushes rows 0, 1, ... before the move that scrolls them away): its
 * info, for the scrollback line. */
struct line_info lineinfo_take_pushed(struct lineinfo_store *li);

/* Showing the alternate screen (ALT) or back; a newly shown alternate
 * screen starts blank. */
void lineinfo_set_alt(struct lineinfo_store *li, bool alt);

/* Resizing to ROWS: begin before libvterm resizes (false when out of
 * memory: nothing changed), report every line libvterm pops back from
 * the scrollback meanwhile, end after.  Rows stay in order: lines pushed
 * off the top go, popped ones come in above, the rest follow. */
bool lineinfo_resize_begin(struct lineinfo_store *li, int rows);
void lineinfo_popped(struct lineinfo_store *li, const struct line_info *info);
void lineinfo_resize_end(struct lineinfo_store *li);

#endif /* LINEINFO_H */

/* term.h -- a terminal as the Lisp functions hold it: its render core,
 * its parse thread, what the buffer shows of it, and its lifetime
 * (HACKING.md, "Terminal lifetime"). */
#ifndef TERM_H
#define TERM_H

#include <emacs-module.h>

#include <stdbool.h>

#include "faces.h"
#include "parse_worker.h"
#include "render.h"

struct term {
    struct render *r;
    int sb_shown;     /* scrollback lines in the buffer */
    int screen_lines; /* screen rows in the buffer; 0 = nothing drawn */
    int cursor_row;   /* where the cursor was at the last redraw */
    bool cursor_visible;
    enum render_cursor_shape cursor_shape; /* as the program last set it */
    struct face_options faces;
    bool ignore_blink_cursor;
    /* Parses output in a thread of its own, when vterm.el started one
     * (vterm--start-parse-thread); NULL: on Emacs's thread. */
    struct parse_worker *worker;
    double sb_drawn_at; /* float-time of the last redraw with no deferral */
    /* Lifetime (term_call, vterm--free): the Lisp functions running with
     * this terminal, nested through the Lisp they call; what is to go
     * once the outermost returns. */
    int busy;
    bool dead;       /* vterm--free was called: no more calls */
    bool free_due;   /* ... and the core goes when busy drops to 0 */
    bool finish_due; /* vterm--stop-parse-thread waits for busy too */
};

/* T of Lisp object V, or NULL with an error signalled when V is not a
 * live terminal. */
struct term *get_term(emacs_env *env, emacs_value v);
/* The thread and the core of T go; T itself stays for its Lisp object
 * (whose finalizer frees it), and says it is dead (get_term). */
void term_release(struct term *t);
/* The Lisp object's finalizer. */
void term_finalize(void *p);

/* The one way to hold T's render core while its parse thread runs: once
 * everything queued is parsed, the thread parses nothing until
 * core_release.  Returns what to give to core_release (NULL: T has no
 * thread, and nothing is held). */
struct parse_worker *core_hold(struct term *t);
void core_release(struct parse_worker *held);

#endif /* TERM_H */

/* input_guard.h -- what stands between process output and libvterm's
 * parser: a scanner that follows that parser byte by byte and rewrites
 * what would crash libvterm 0.1.4 or 0.3.3 (found by the fuzzers and the
 * random-input tests), and passes everything else through in as few
 * writes as it can:
 *   - a UTF-8 sequence split across writes is held back until whole;
 *   - a CSI is held until its final byte and passed on rebuilt, its
 *     arguments bounded;
 *   - REP (CSI Ps b) is expanded here, never seen by libvterm: both
 *     versions crash repeating a wide character into the last column;
 *   - C1 controls as UTF-8, and bytes libvterm mis-parses inside
 *     strings, are dropped;
 *   - on 0.1.4 an OSC (or DCS) string split across writes is held back
 *     until complete (0.1.4 loses its start);
 *   - a cursor libvterm left outside the screen is moved back in, and a
 *     scroll region a shrinking screen left outside is reset;
 *   - synchronized output (DEC mode 2026), which libvterm does not know,
 *     is followed here (guard.synchronized), and its query (DECRQM)
 *     answered into the replies buffer;
 *   - the title stack (CSI 22 t, CSI 23 t) goes to guard.title_stack. */
#ifndef INPUT_GUARD_H
#define INPUT_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include <vterm.h>

#include "buf.h"
#include "render_types.h"
#include "utf8_feed.h"

enum {
    /* libvterm 0.3.3 writes past its 16-entry argument array on a CSI
     * with more arguments, and both versions overflow a long on long
     * digit strings: CSIs are passed on with at most this many
     * arguments, each at most GUARD_ARG_MAX. */
    GUARD_CSI_ARGS = 16,
    GUARD_CSI_LEADER = 15, /* what libvterm keeps of leader and */
    GUARD_CSI_INTER = 15,  /* intermediate bytes */
    GUARD_ARG_MAX = 65535
};

struct input_guard {
    VTerm *vt;
    VTermState *vts;
    struct buf *replies; /* where libvterm's own replies go too */
    /* CSI 22 t (PUSH) and CSI 23 t, the title stack, which libvterm does
     * not know: called in order with what libvterm parsed before. */
    void (*title_stack)(void *user, bool push);
    void *user;
    /* Between CSI ? 2026 h and l (or a reset): the program draws a frame
     * it wants shown whole. */
    bool synchronized;
    int state; /* where the scanner is (GUARD_* in input_guard.c) */
    /* The CSI being parsed: passed on rebuilt from this. */
    struct csi {
        char leader[GUARD_CSI_LEADER], inter[GUARD_CSI_INTER];
        int nleader, ninter, nargs;
        long args[GUARD_CSI_ARGS]; /* -1: missing */
        char seps[GUARD_CSI_ARGS]; /* ';' or ':' after args[i] */
        bool phase_args, phase_inter, args_full;
    } csi;
    long osc_command;  /* digits of an OSC command so far, -1 none */
    bool esc_sent;     /* GUARD_ESC: the ESC went to libvterm already */
    const char *unfed; /* pass-through bytes not fed yet (guard_scan) */
    size_t unfed_len;
    /* The last printed character, for REP, and the one being read. */
    char last[5], cur[4]; /* last is NUL-terminated: see scan_emit_byte */
    size_t last_len, cur_len;

    /* An incomplete UTF-8 sequence at the end of the last write, held
     * back so libvterm sees the character whole. */
    struct utf8_feed utf8;
#ifndef RENDER_HAVE_FRAGMENTS
    /* libvterm 0.1.4 loses the start of an OSC (or DCS) string split
     * across writes: an unterminated one is held back until complete. */
    struct buf held_string;
    int hold_state;
    struct buf in; /* NUL-terminated copy of the input */
#endif
};

/* REPLIES: the buffer libvterm's output callback appends to, for the
 * answers the guard gives itself, in order with libvterm's. */
void guard_init(struct input_guard *g, VTerm *vt, struct buf *replies);
void guard_free(struct input_guard *g);

/* Feed process output to libvterm, guarded. */
void guard_write(struct input_guard *g, const char *bytes, size_t len);

/* Nothing held and no sequence begun: what follows is read as text and
 * controls, as at the start. */
bool guard_at_ground(const struct input_guard *g);
/* After a resize: the scroll region reset when the screen lost rows
 * (SHRANK), the cursor moved back onto the screen. */
void guard_resized(struct input_guard *g, bool shrank);

#endif /* INPUT_GUARD_H */

/* input_guard.c -- see input_guard.h. */
#include "input_guard.h"

#include <stdio.h>
#include <string.h>

#include "utf8.h"

enum {
    OSC_COMMAND_MAX = 99999, /* 0.3.3 overflows an int on more digits */
    /* A string held back (0.1.4) longer than this is not ours to fix. */
    HOLD_MAX = 1 << 16
};

/* Pass-through text not yet fed (see guard_scan). */
static void flush_unfed(struct input_guard *g)
{
    if (g->unfed_len > 0)
        utf8_feed(&g->utf8, g->vt, g->unfed, g->unfed_len);
    g->unfed_len = 0;
}

static void scan_emit(struct input_guard *g, const char *bytes, size_t len)
{
    flush_unfed(g);
    utf8_feed(&g->utf8, g->vt, bytes, len);
}

/* One byte, NUL-terminated: 0.1.4 strncpy()s string contents and reads
 * past the length it was given, up to a NUL (see feed()). */
static void scan_emit_byte(struct input_guard *g, unsigned char c)
{
    char b[2] = {(char)c, '\0'};

    scan_emit(g, b, 1);
}

/* APC, PM and SOS strings came with libvterm 0.2; 0.1.4 reads ESC _
 * and friends as plain escapes. */
#ifdef RENDER_HAVE_FRAGMENTS
#define RENDER_APC_PM_SOS 1
#else
#define RENDER_APC_PM_SOS 0
#endif

enum {
    GUARD_TEXT,
    GUARD_C2,         /* a 0xc2 byte held: the lead of U+0080..U+00FF */
    GUARD_ESC,        /* an ESC held */
    GUARD_CSI,        /* a CSI being parsed into g->csi */
    GUARD_OSC_NUMBER, /* the command number of an OSC */
    GUARD_DCS_PARAMS, /* 0.2+: the parameters of a DCS, before its final */
    GUARD_STRING,     /* inside OSC, DCS, APC, PM or SOS */
    GUARD_STRING_ESC  /* an ESC inside one */
};

/* Follow printed text so REP knows what to repeat. */
static void track_text(struct input_guard *g, unsigned char c)
{
    if (c < 0x20 || c == 0x7f) {
        g->cur_len = 0;
    } else if (c < 0x80) {
        g->last[0] = (char)c;
        g->last[1] = '\0';
        g->last_len = 1;
        g->cur_len = 0;
    } else if (c >= 0xc0) {
        g->cur[0] = (char)c;
        g->cur_len = 1;
    } else if (g->cur_len > 0 && g->cur_len < sizeof g->cur) {
        g->cur[g->cur_len++] = (char)c;
        if (g->cur_len == utf8_seq_len((unsigned char)g->cur[0])) {
            memcpy(g->last, g->cur, g->cur_len);
            g->last[g->cur_len] = '\0';
            g->last_len = g->cur_len;
            g->cur_len = 0;
        }
    }
}

static void clamp_cursor(struct input_guard *g);

static void csi_begin(struct input_guard *g)
{
    memset(&g->csi, 0, sizeof g->csi);
    g->state = GUARD_CSI;
}

enum { MODE_SYNCHRONIZED = 2026 };

/* DEC private modes libvterm does not know, taken here: true when the
 * CSI (leader "?", FINAL) was one that libvterm must not see. */
static bool dec_mode(struct input_guard *g, char final)
{
    struct csi *q = &g->csi;
    int i, kept = 0;

    if (q->nleader != 1 || q->leader[0] != '?')
        return false;
    if ((final == 'h' || final == 'l') && q->ninter == 0) {
        /* Set or reset, and left out of what libvterm gets (0.1.4 stops
         * at a mode it does not know, leaving the ones after it). */
        for (i = 0; i < q->nargs; i++) {
            if (q->args[i] == MODE_SYNCHRONIZED) {
                g->synchronized = final == 'h';
            } else {
                q->args[kept] = q->args[i];
                q->seps[kept] = ';';
                kept++;
            }
        }
        if (kept == q->nargs)
            return false;
        q->nargs = kept;
        return kept == 0;
    }
    if (final == 'p' && q->ninter == 1 && q->inter[0] == '$' && q->nargs == 1 &&
        q->args[0] == MODE_SYNCHRONIZED) {
        /* DECRQM: "set" (1) or "reset" (2), after the replies to what
         * came before it. */
        char reply[24];
        int n = snprintf(reply, sizeof reply, "\033[?%d;%d$y",
                         MODE_SYNCHRONIZED, g->synchronized ? 1 : 2);

        flush_unfed(g);
        buf_append(g->replies, reply, (size_t)n);
        return true;
    }
    return false;
}

/* The parsed CSI ended with FINAL: a plain REP is expanded, the modes of
 * dec_mode are taken, anything else goes to libvterm rebuilt, with its
 * arguments bounded. */
static void csi_done(struct input_guard *g, char final)
{
    const struct csi *q = &g->csi;
    char seq[2 + GUARD_CSI_LEADER + GUARD_CSI_ARGS * 7 + GUARD_CSI_INTER + 2];
    size_t n = 0;
    int i;

    g->state = GUARD_TEXT;
    if (final == 'b' && q->nleader == 0 && q->ninter == 0) {
        long count = q->nargs > 0 && q->args[0] > 0 ? q->args[0] : 1;
        int rows, cols;
        long max;

        vterm_get_size(g->vt, &rows, &cols);
        max = (long)rows * cols;
        if (count > max)
            count = max; /* more only scrolls the same character by */
        while (count-- > 0 && g->last_len > 0)
            scan_emit(g, g->last, g->last_len);
        return;
    }
    if (dec_mode(g, final))
        return;
    if (final == 't' && q->nleader == 0 && q->ninter == 0 && q->nargs >= 1 &&
        (q->args[0] == 22 || q->args[0] == 23)) {
        /* The window title (0, 2, or none given), not the icon's alone. */
        if (g->title_stack != NULL &&
            (q->nargs < 2 || q->args[1] <= 0 || q->args[1] == 2)) {
            flush_unfed(g);
            g->title_stack(g->user, q->args[0] == 22);
        }
        return;
    }
    seq[n++] = '\033';
    seq[n++] = '[';
    memcpy(seq + n, q->leader, (size_t)q->nleader);
    n += (size_t)q->nleader;
    for (i = 0; i < q->nargs; i++) {
        char digits[8];
        int k = 0;
        long v = q->args[i];
        if (v >= 0) {
            do
                digits[k++] = (char)('0' + v % 10);
            while ((v /= 10) > 0);
            while (k > 0)
                seq[n++] = digits[--k];
        }
        if (i + 1 < q->nargs)
            seq[n++] = q->seps[i];
    }
    memcpy(seq + n, q->inter, (size_t)q->ninter);
    n += (size_t)q->ninter;
    seq[n++] = final;
    seq[n] = '\0'; /* see scan_emit_byte */
    scan_emit(g, seq, n);
    clamp_cursor(g); /* CSI u and ?1049l restore a cursor, see clamp_cursor */
}

/* One byte of a CSI, parsed the way libvterm's parser does (0.3.3
 * parser.c; 0.1.4 agrees for everything we pass on).  Returns true when
 * the byte goes to libvterm as it is (a control executed inside the
 * sequence), false when the scanner took it. */
static bool csi_step(struct input_guard *g, unsigned char c)
{
    struct csi *q = &g->csi;

    if (c == 0x1b) { /* cancels the CSI, starts an escape */
        g->state = GUARD_ESC;
        g->esc_sent = false;
        return false;
    }
    if (c == 0x18 || c == 0x1a) { /* CAN, SUB: cancel */
        g->state = GUARD_TEXT;
        return true;
    }
    if (c < 0x20 || c == 0x7f)
        return true; /* executed (or ignored) in the middle: same order */
    if (!q->phase_args && !q->phase_inter && c >= 0x3c && c <= 0x3f) {
        if (q->nleader < GUARD_CSI_LEADER)
            q->leader[q->nleader++] = (char)c;
        return false;
    }
    if (!q->phase_inter && ((c >= '0' && c <= '9') || c == ';' || c == ':')) {
        if (!q->phase_args) {
            q->phase_args = true;
            q->nargs = 1;
            q->args[0] = -1;
        }
        if (q->args_full)
            return false; /* arguments past the 16th are dropped */
        if (c == ';' || c == ':') {
            if (q->nargs == GUARD_CSI_ARGS) {
                q->args_full = true;
                return false;
            }
            q->seps[q->nargs - 1] = (char)c;
            q->args[q->nargs++] = -1;
        } else {
            long *v = &q->args[q->nargs - 1];
            *v = *v < 0 ? c - '0' : *v * 10 + (c - '0');
            if (*v > GUARD_ARG_MAX)
                *v = GUARD_ARG_MAX;
        }
        return false;
    }
    if (c >= 0x20 && c <= 0x2f) {
        q->phase_inter = true;
        if (q->ninter < GUARD_CSI_INTER)
            q->inter[q->ninter++] = (char)c;
        return false;
    }
    if (c >= 0x40 && c <= 0x7e) {
        csi_done(g, (char)c);
        return false;
    }
    /* Anything else makes the CSI invalid: 0.3.3 drops it whole, 0.1.4
     * carries on parsing it (arguments and all), so it gets a CAN. */
    scan_emit_byte(g, 0x18);
    g->state = GUARD_TEXT;
    return false;
}

/* One byte of the scanner; returns true when the byte belongs to the
 * pass-through text, false when the scanner took it (and fed libvterm
 * whatever it stands for). */
static bool guard_step(struct input_guard *g, unsigned char c)
{
    /* NUL and DEL are padding libvterm ignores, but 0.1.4 strncpy()s
     * strings and stops at a NUL, then parses what it never copied, and
     * loops forever on some DEL inside an escape in a DCS. */
    if (c == 0 || c == 0x7f)
        return false;
    switch (g->state) {
    case GUARD_C2:
        g->state = GUARD_TEXT;
        if (c >= 0x80 && c <= 0x9f) {
            /* U+0080..U+009F (C1 controls as UTF-8) are dropped: libvterm
             * 0.1.4 moves the cursor by their width, -1, to column -1
             * and writes before the row; 0.3.3 prints to stderr. */
            g->cur_len = 0;
            return false;
        }
        if (c < 0xa0 || c > 0xbf) {
            /* A lone 0xc2 is dropped too: libvterm's decoder would keep
             * waiting across controls and escapes, and a later 0x80..0x9f
             * would complete a C1 character after all. */
            g->cur_len = 0;
            return guard_step(g, c) && (scan_emit_byte(g, c), false);
        }
        scan_emit(g, "\xc2", 1);
        track_text(g, 0xc2);
        if (!guard_step(g, c)) /* C as if the 0xc2 had gone through */
            return false;
        /* The byte must follow the 0xc2 just fed: feed it here. */
        scan_emit_byte(g, c);
        return false;
    case GUARD_ESC:
        if (c == '[') {
            /* After intermediates already sent, libvterm 0.1.4 starts a
             * CSI at this '[' and stays in it once the scanner has
             * swallowed a REP: end it with CAN (a later raw "[b" hung
             * 0.1.4), as the CSI is rebuilt from its own ESC anyway. */
            if (g->esc_sent)
                scan_emit(g, "[\x18", 2);
            csi_begin(g);
            return false;
        }
        if (c == 0x1b) {
            /* ESC ESC is one ESC to libvterm; but an escape whose
             * intermediates libvterm has seen is cancelled first, or
             * 0.1.4 would still be in it after the scanner's CSI. */
            if (g->esc_sent)
                scan_emit(g, "\x18", 1);
            g->esc_sent = false;
            return false;
        }
        if (c < 0x20 && c != 0x18 && c != 0x1a)
            return true; /* executed inside the escape: same order */
        if (c == 0x7f || c >= 0x80)
            return false; /* ignored by libvterm, which stays in ESC */
        if (c >= 0x20 && c <= 0x2f) {
            /* Intermediates: 0.1.4 still starts a CSI at a '[' after
             * them (and overflows its arguments), so stay here. */
            if (!g->esc_sent)
                scan_emit(g, "\033", 1);
            g->esc_sent = true;
            scan_emit_byte(g, c);
            return false;
        }
        if (!g->esc_sent)
            scan_emit(g, "\033", 1);
        if (c >= 0x30 && c <= 0x7e &&
            ((RENDER_APC_PM_SOS && g->esc_sent) ||
             (c != ']' && c != 'P' && c != '_' && c != '^' && c != 'X'))) {
            /* A complete escape (ESC 8 restores a cursor saved before the
             * screen shrank: 0.3.3 writes past its line info there).
             * After intermediates libvterm 0.3 starts no string: ESC , P
             * is an escape there, and what follows is text (taken for a
             * DCS, it went unguarded: 0.3.3 then moved cells from outside
             * its screen in insert mode). */
            scan_emit_byte(g, c);
            g->state = GUARD_TEXT;
            if (c == 'c' && !g->esc_sent)
                g->synchronized = false; /* RIS resets every mode */
            clamp_cursor(g);
            return false;
        }
        if (c == ']') {
            g->osc_command = -1;
            g->state = GUARD_OSC_NUMBER;
        } else if (c == 'P' && RENDER_APC_PM_SOS) {
            g->state = GUARD_DCS_PARAMS;
        } else if (c == 'P' ||
                   (RENDER_APC_PM_SOS && (c == '_' || c == '^' || c == 'X'))) {
            g->state = GUARD_STRING;
        } else {
            g->state = GUARD_TEXT;
        }
        return true;
    case GUARD_CSI: return csi_step(g, c);
    case GUARD_OSC_NUMBER:
        if ((c < 0x20 && c != 0x07 && c != 0x18 && c != 0x1a && c != 0x1b) ||
            c == 0x7f)
            return true; /* libvterm stays in the command number */
        if (c >= '0' && c <= '9') {
            long v = g->osc_command < 0 ? 0 : g->osc_command;
            v = v * 10 + (c - '0');
            if (v > OSC_COMMAND_MAX)
                return false; /* libvterm 0.3.3 would overflow an int */
            g->osc_command = v;
            return true;
        }
        g->state = GUARD_STRING;
        return guard_step(g, c);
    case GUARD_DCS_PARAMS:
        /* libvterm 0.3.3 takes an ESC among a DCS's parameters as a new
         * escape: ESC ] there starts an OSC whose command number it
         * would overflow, so the scanner follows it into that OSC. */
        if (c == 0x1b) {
            g->state = GUARD_ESC;
            g->esc_sent = false;
            return false;
        }
        if (c == 0x18 || c == 0x1a) {
            g->state = GUARD_TEXT;
            return true;
        }
        /* Only a final byte ends the parameters: 0.3.3 runs C0 controls
         * and keeps every other byte among them, so an ESC ] after a CR
         * there still starts an OSC. */
        if (c >= 0x40 && c <= 0x7e)
            g->state = GUARD_STRING;
        return true;
    case GUARD_STRING:
        if (c == 0x07 || c == 0x18 || c == 0x1a)
            g->state = GUARD_TEXT;
        else if (c == 0x1b)
            g->state = GUARD_STRING_ESC;
        return true;
    case GUARD_STRING_ESC:
        /* libvterm 0.3.3 computes a fragment length of -1 (and reads
         * far past the buffer) when a control byte follows an ESC inside
         * a string: such bytes are dropped. */
        if (c == 0x1b)
            return true;
        if ((c < 0x20 && c != 0x18 && c != 0x1a) || c == 0x7f)
            return false;
        if (c >= 0x80)
            return false; /* ignored by libvterm, which stays in ESC */
        if (c == '[') {
            /* Whether this starts a CSI differs between versions: the '['
             * ends the string for libvterm (0.1.4 then cancels the CSI it
             * started at the CAN), and the scanner takes what follows as a
             * CSI (rebuilt with its own ESC), so a REP in it is expanded
             * either way. */
            scan_emit(g, "[\x18", 2); /* CAN: 0.1.4 is in a CSI now */
            csi_begin(g);
            return false;
        }
        if (c >= 0x20 && c <= 0x2f) {
            /* An escape with intermediates: on 0.1.4 a '[' after them
             * still starts a CSI (REP in it hangs 0.1.4), so on as in
             * GUARD_ESC, the ESC already sent. */
            g->state = GUARD_ESC;
            g->esc_sent = true;
            scan_emit_byte(g, c);
            return false;
        }
        g->state = GUARD_TEXT;
        if (c >= 0x30 && c <= 0x7e && c != '\\') {
            /* Ends the string and runs as an escape (ESC 8 too). */
            scan_emit_byte(g, c);
            clamp_cursor(g);
            return false;
        }
        return true;
    default:
        if (c == 0x1b) {
            g->state = GUARD_ESC;
            g->esc_sent = false;
            return false;
        }
        if (c == 0xc2) {
            g->state = GUARD_C2;
            return false;
        }
        track_text(g, c);
        return true;
    }
}

/* CSI finals that cannot take the cursor off the screen. */
static bool keeps_cursor_in(char final)
{
    switch (final) {
    case '@':
    case 'A':
    case 'B':
    case 'C':
    case 'D':
    case 'E':
    case 'F':
    case 'G':
    case 'H':
    case 'J':
    case 'K':
    case 'L':
    case 'M':
    case 'P':
    case 'S':
    case 'T':
    case 'X':
    case 'd':
    case 'f':
    case 'm': return true;
    default: return false;
    }
}

/* The length of the CSI at BYTES (an ESC) when it is one the scanner
 * would pass on exactly as it stands, else 0: no leader or intermediate,
 * at most GUARD_CSI_ARGS arguments of at most GUARD_ARG_MAX and 5 digits
 * (what the rebuilt CSI would carry), and a final that cannot take the
 * cursor off the screen (so clamp_cursor would do nothing).  Such a CSI
 * stays among the unfed bytes: feeding them at every SGR made coloured
 * output many small libvterm writes. */
static size_t plain_csi_len(const char *bytes, size_t len)
{
    size_t i = 2;
    int args = 1, digits = 0;
    long v = 0;

    if (len < 3 || bytes[1] != '[')
        return 0;
    for (; i < len; i++) {
        char c = bytes[i];
        if (c >= '0' && c <= '9') {
            v = v * 10 + (c - '0');
            if (++digits > 5 || v > GUARD_ARG_MAX)
                return 0;
        } else if (c == ';' || c == ':') {
            if (++args > GUARD_CSI_ARGS)
                return 0;
            digits = 0;
            v = 0;
        } else {
            return keeps_cursor_in(c) ? i + 1 : 0;
        }
    }
    return 0; /* incomplete: the scanner holds it across writes */
}

/* The bytes of the character at S (LEN > 0 bytes) that guard_step would
 * pass through as text one by one, leaving no state but the text
 * tracking: ASCII text and controls but ESC, or a lead byte with all its
 * continuation bytes (0xc2 excepted: U+0080..U+009F are C1 controls to
 * drop).  0 for any other byte. */
static size_t text_char_len(const unsigned char *s, size_t len)
{
    size_t n, k;

    if (s[0] < 0x7f)
        return s[0] != 0 && s[0] != 0x1b;
    if (s[0] < 0xc0 || s[0] == 0xc2 || (n = utf8_seq_len(s[0])) > len)
        return 0;
    for (k = 1; k < n; k++)
        if ((s[k] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* The length of the text at BYTES that guard_step would pass through
 * byte by byte (text_char_len), with the text tracking it would leave:
 * the last printable character remembered, none being read.  Sets
 * *NON_ASCII when the run has non-ASCII text.  One call per run
 * instead of a guard_step per byte: CJK and emoji are 3 and 4 bytes a
 * character. */
static size_t text_run(struct input_guard *g, const char *bytes, size_t len,
                       bool *non_ascii)
{
    const unsigned char *s = (const unsigned char *)bytes;
    const unsigned char *last = NULL;
    size_t i = 0, n, last_len = 0;

    while (i < len) {
        if (s[i] >= 0x20 && s[i] < 0x7f) {
            last = s + i;
            last_len = 1;
            i++;
            continue;
        }
        if ((n = text_char_len(s + i, len - i)) == 0)
            break;
        if (n > 1) {
            last = s + i;
            last_len = n;
            *non_ascii = true;
        }
        i += n;
    }
    if (i == 0)
        return 0;
    if (last != NULL) {
        memcpy(g->last, last, last_len);
        g->last[last_len] = '\0';
        g->last_len = last_len;
    }
    g->cur_len = 0;
    return i;
}

static void guard_scan(struct input_guard *g, const char *bytes, size_t len)
{
    size_t i, n;
    /* The unfed bytes have non-ASCII text since their last CSI (or
     * follow a character cut off at the end of the last write). */
    bool utf8 = g->utf8.held > 0 || g->cur_len > 0;

    /* Bytes the scanner passes through stay unfed, and are fed before
     * anything the scanner feeds itself (scan_emit), so libvterm sees
     * everything in order.  Unfed bytes always end at bytes + i. */
    g->unfed = bytes;
    g->unfed_len = 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)bytes[i];

        if (c == 0x1b && g->state == GUARD_TEXT && !utf8 &&
            (n = plain_csi_len(bytes + i, len - i)) > 0) {
            /* What guard_step would do over these bytes: nothing to its
             * state (text tracking ignores escapes), the CSI rebuilt the
             * same.  Not after non-ASCII text: libvterm's decoder reads
             * invalid UTF-8 differently when an escape follows in the
             * same write, and the unfed bytes would end there
             * otherwise. */
            if (g->unfed_len == 0)
                g->unfed = bytes + i;
            g->unfed_len += n;
            i += n - 1;
            continue;
        }
        if (g->state == GUARD_TEXT &&
            (n = text_run(g, bytes + i, len - i, &utf8)) > 0) {
            if (g->unfed_len == 0)
                g->unfed = bytes + i;
            g->unfed_len += n;
            i += n - 1;
            continue;
        }
        if (guard_step(g, c)) {
            if (g->unfed_len == 0)
                g->unfed = bytes + i;
            g->unfed_len++;
            utf8 = utf8 || c >= 0x80;
        } else {
            flush_unfed(g);
            utf8 = false;
        }
    }
    flush_unfed(g);
}

#ifndef RENDER_HAVE_FRAGMENTS
enum { HOLD_TEXT, HOLD_ESC, HOLD_STRING, HOLD_STRING_ESC };

/* Advance the OSC scanner over one byte; true when a held string (or a
 * lone ESC) is complete, i.e. may go to libvterm. */
static bool hold_step(struct input_guard *g, unsigned char c)
{
    switch (g->hold_state) {
    case HOLD_ESC:
        /* DCS too: 0.1.4 mishandles any string split across writes. */
        g->hold_state = c == ']' || c == 'P' ? HOLD_STRING : HOLD_TEXT;
        return g->hold_state == HOLD_TEXT;
    case HOLD_STRING:
        if (c == 0x07 || c == 0x18 || c == 0x1a) {
            g->hold_state = HOLD_TEXT;
            return true;
        }
        if (c == 0x1b)
            g->hold_state = HOLD_STRING_ESC;
        return false;
    case HOLD_STRING_ESC:
        g->hold_state = HOLD_TEXT; /* ESC \ or ESC anything ends it */
        return true;
    default:
        if (c == 0x1b)
            g->hold_state = HOLD_ESC;
        return false;
    }
}

static void feed_held(struct input_guard *g, const char *bytes, size_t len)
{
    size_t i, start = 0;

    for (i = 0; i < len; i++) {
        int before;
        bool done;

        if (g->hold_state == HOLD_TEXT) {
            /* Outside a string only an ESC changes anything. */
            const char *esc = memchr(bytes + i, 0x1b, len - i);
            if (esc == NULL)
                break;
            i = (size_t)(esc - bytes);
        }
        before = g->hold_state;
        done = hold_step(g, (unsigned char)bytes[i]);

        if (before == HOLD_ESC && g->hold_state == HOLD_STRING && i > start) {
            /* A string starts at the ESC before this byte (unless that
             * ESC is held from the last write): what precedes it can go
             * now.  Other escapes stay in the text, so that libvterm gets
             * coloured output in a few large writes. */
            guard_scan(g, bytes + start, i - 1 - start);
            start = i - 1;
        }
        if (done && g->held_string.len > 0) {
            buf_append(&g->held_string, bytes + start, i + 1 - start);
            buf_terminate(&g->held_string); /* see feed() */
            guard_scan(g, g->held_string.data, g->held_string.len);
            g->held_string.len = 0;
            start = i + 1;
        }
    }
    if (g->hold_state == HOLD_TEXT) {
        guard_scan(g, bytes + start, len - start);
        return;
    }
    if (g->hold_state == HOLD_ESC && len > start + 1) {
        /* A last ESC may start a string: hold only that. */
        guard_scan(g, bytes + start, len - 1 - start);
        start = len - 1;
    }
    buf_append(&g->held_string, bytes + start, len - start);
    buf_terminate(&g->held_string);
    if (g->held_string.len > HOLD_MAX || g->held_string.failed) {
        /* Too long to be ours to fix: let libvterm have it as it is. */
        guard_scan(g, g->held_string.data, g->held_string.len);
        g->held_string.len = 0;
        g->held_string.failed = false;
    }
}

/* 0.1.4 strncpy()s string contents and reads past the length it was
 * given, up to a NUL: work on a NUL-terminated copy so that it stops
 * inside our buffer. */
static void feed(struct input_guard *g, const char *bytes, size_t len)
{
    buf_set(&g->in, bytes, len);
    if (!buf_terminate(&g->in) || g->in.failed)
        return;
    feed_held(g, g->in.data, g->in.len);
}
#else
static void feed(struct input_guard *g, const char *bytes, size_t len)
{
    guard_scan(g, bytes, len);
}
#endif

/* libvterm 0.1.4 leaves the cursor above the screen when a resize pushes
 * more lines to the scrollback than there are above the cursor (e.g.
 * after DECALN filled the screen), and the next character is written
 * before the screen's rows.  A cursor outside the screen is moved back in
 * with relative moves (absolute ones would depend on origin mode). */
static void clamp_cursor(struct input_guard *g)
{
    VTermPos pos;
    char seq[48];
    int n = 0, rows, cols;

    vterm_get_size(g->vt, &rows, &cols);
    vterm_state_get_cursorpos(g->vts, &pos);
    if (pos.row >= 0 && pos.row < rows && pos.col >= 0 && pos.col < cols)
        return;
    if (g->state >= GUARD_OSC_NUMBER) {
        /* libvterm is inside a string: CAN ends it so the moves count. */
        seq[n++] = 0x18;
        g->state = GUARD_TEXT;
    }
    if (pos.row < 0)
        n += snprintf(seq + n, sizeof seq - n, "\033[%dB", -pos.row);
    else if (pos.row >= rows)
        n += snprintf(seq + n, sizeof seq - n, "\033[%dA", pos.row - rows + 1);
    if (pos.col < 0)
        n += snprintf(seq + n, sizeof seq - n, "\033[%dC", -pos.col);
    else if (pos.col >= cols)
        n += snprintf(seq + n, sizeof seq - n, "\033[%dD", pos.col - cols + 1);
    vterm_input_write(g->vt, seq, (size_t)n);
}

/* Neither 0.1.4 nor 0.3.3 moves the top of the scroll region (DECSTBM)
 * into a screen that shrank below it, and the next scroll memmove()s a
 * negative length.  The region cannot be read back, so after shrinking
 * it is reset (as a full-screen program redraws after SIGWINCH anyway);
 * DECSTBM homes the cursor, which is then moved back relatively. */
static void reset_scroll_region(struct input_guard *g)
{
    VTermPos pos;
    char seq[64];
    int n = 0;

    vterm_state_get_cursorpos(g->vts, &pos);
    if (g->state >= GUARD_OSC_NUMBER) {
        seq[n++] = 0x18; /* end a string libvterm is inside */
        g->state = GUARD_TEXT;
    }
    n += snprintf(seq + n, sizeof seq - n, "\033[r");
    if (pos.row > 0)
        n += snprintf(seq + n, sizeof seq - n, "\033[%dB", pos.row);
    if (pos.col > 0)
        n += snprintf(seq + n, sizeof seq - n, "\033[%dC", pos.col);
    vterm_input_write(g->vt, seq, (size_t)n);
}

void guard_init(struct input_guard *g, VTerm *vt, struct buf *replies)
{
    memset(g, 0, sizeof *g);
    g->vt = vt;
    g->replies = replies;
    g->vts = vterm_obtain_state(vt);
}

void guard_free(struct input_guard *g)
{
#ifndef RENDER_HAVE_FRAGMENTS
    buf_free(&g->held_string);
    buf_free(&g->in);
#else
    (void)g;
#endif
}

bool guard_at_ground(const struct input_guard *g)
{
#ifndef RENDER_HAVE_FRAGMENTS
    if (g->hold_state != HOLD_TEXT || g->held_string.len > 0)
        return false;
#endif
    return g->state == GUARD_TEXT && g->utf8.held == 0;
}

void guard_write(struct input_guard *g, const char *bytes, size_t len)
{
    feed(g, bytes, len);
    clamp_cursor(g);
}

void guard_resized(struct input_guard *g, bool shrank)
{
    if (shrank)
        reset_scroll_region(g);
    clamp_cursor(g);
}

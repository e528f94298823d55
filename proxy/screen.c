/* screen.c -- see screen.h. */
#include "screen.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "../module/thread.h"
#include "../module/unseen.h"
#include "../module/utf8_feed.h"
#include "cells.h"
#include "csi_guard.h"
#include "outbuf.h"

enum {
    TITLE_MAX = 1024,
    /* Output is held before it is parsed, and nothing reads the screen
     * until a client attaches or asks: a flood parsed once it holds
     * HOLD_SCREENFULS times the line feeds the scrollback and screen
     * keep leaves most of its lines unparsed (unseen.h); at most
     * PENDING_MAX bytes are held whatever the lines.  In a flood the
     * thread leaves the last lines of what it was given (at most
     * REST_MAX bytes) for the next batch: they evict what it skipped,
     * and may be evicted in turn before anyone looks. */
    HOLD_SCREENFULS = 6,
    PENDING_MAX = 16 << 20,
    REST_MAX = PENDING_MAX / 4,
    /* Held memory above this is given back once parsed. */
    PENDING_KEPT = 1 << 20
};

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
    struct utf8_feed utf8; /* see feed_guarded */
    int primary_cols, primary_rows;
    struct outbuf pending;       /* output not parsed yet */
    uint64_t quiet_at;           /* see screen_quiet_at */
    unsigned long pending_feeds; /* line feeds in it */
    /* The parse thread (none if it could not start: screen_feed parses
     * then): it parses BATCH while BUSY, and the libvterm screen and
     * everything its callbacks set are its own until BUSY is false.
     * Unless BATCH_ALL, it may leave BATCH's last MAY_STAY bytes
     * unparsed (the rest of a flood, see parse_batch); they go first in
     * the next batch. */
    struct thread *thread;
    struct thread_sync *sync; /* condition 0: BUSY or QUIT changed */
    struct outbuf batch;
    bool batch_all, busy, quit;
    /* Bytes of BATCH that may stay unparsed: all of one that may leave
     * a rest while it is parsed, then the rest. */
    atomic_size_t may_stay;
    atomic_bool abandon;        /* the screen is being freed: stop parsing */
    unsigned long scrolled_off; /* lines parse_unseen saw scroll off */
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

/* Line DATA (LEN bytes, the sequences that draw it) into the ring. */
static void sb_push(struct screen *s, char *data, size_t len)
{
    if (s->sb_count == s->sb_max)
        sb_drop_oldest(s);
    s->sb[(s->sb_first + s->sb_count) % s->sb_max] =
        (struct sb_line){data, len};
    s->sb_count++;
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
    sb_push(s, line.data, line.len);
    return 1;
}

/* While lines the write evicts again are parsed (parse_unseen): those
 * libvterm scrolls off the top of the primary screen, which it builds
 * for nobody, only counted. */
static int on_moverect_unseen(VTermRect dest, VTermRect src, void *user)
{
    struct screen *s = user;

    if (dest.start_row == 0 && dest.start_col == 0 && dest.end_col == s->cols &&
        !s->alt && src.start_row > 0)
        s->scrolled_off += (unsigned long)src.start_row;
    return 0; /* libvterm damages the rows as without this callback */
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

static const VTermScreenCallbacks unseen_callbacks = {
    .settermprop = on_settermprop,
    .moverect = on_moverect_unseen,
    .sb_clear = on_sb_clear,
};

static size_t parse_batch(struct screen *s, const char *bytes, size_t len,
                          bool all);

static void parse_thread(void *screen)
{
    struct screen *s = screen;

    thread_lock(s->sync);
    for (;;) {
        size_t end;

        while (!s->busy && !s->quit)
            thread_wait(s->sync, 0);
        if (!s->busy)
            break;
        thread_unlock(s->sync);
        end = parse_batch(s, s->batch.data, s->batch.len, s->batch_all);
        atomic_store(&s->may_stay, s->batch.len - end);
        if (end == s->batch.len)
            outbuf_free(&s->batch);
        thread_lock(s->sync);
        s->busy = false;
        thread_broadcast(s->sync, 0);
    }
    thread_unlock(s->sync);
}

/* Until the parse thread has parsed what it was given. */
static void wait_parsed(struct screen *s)
{
    if (s->thread == NULL)
        return;
    thread_lock(s->sync);
    while (s->busy)
        thread_wait(s->sync, 0);
    thread_unlock(s->sync);
}

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
    s->sync = thread_sync_new(1);
    if (s->sync != NULL)
        s->thread = thread_start(parse_thread, s);
    return s;
}

void screen_free(struct screen *s)
{
    if (s == NULL)
        return;
    if (s->thread != NULL) {
        atomic_store(&s->abandon, true);
        thread_lock(s->sync);
        s->quit = true;
        thread_broadcast(s->sync, 0);
        thread_unlock(s->sync);
        thread_join(s->thread);
    }
    if (s->sync != NULL)
        thread_sync_free(s->sync);
    if (s->vt != NULL)
        vterm_free(s->vt);
    for (int i = 0; i < s->sb_max; i++)
        free(s->sb[i].data);
    free(s->sb);
    free(s->primary);
    outbuf_free(&s->pending);
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

static void cell_at(const struct screen *s, int row, int col,
                    VTermScreenCell *cell)
{
    vterm_screen_get_cell(s->vts, (VTermPos){row, col}, cell);
    cell->attrs.reverse ^= s->reverse;
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
            cell_at(s, r, c, &cells[(size_t)r * (size_t)s->cols + (size_t)c]);
    s->primary = cells;
    s->primary_cols = s->cols;
    s->primary_rows = s->rows;
}

/* Through the CSI guard, in pieces, whole UTF-8 sequences only: the
 * pieces, the batches and the pty's reads are cut anywhere. */
static void feed_guarded(struct screen *s, const char *bytes, size_t len)
{
    char buf[4096];

    while (len > 0 &&
           !atomic_load_explicit(&s->abandon, memory_order_relaxed)) {
        size_t take = len < sizeof buf ? len : sizeof buf;

        utf8_feed(&s->utf8, s->vt, buf,
                  csi_guard_filter(&s->guard, bytes, take, buf));
        bytes += take;
        len -= take;
    }
}

static void parse(struct screen *s, const char *bytes, size_t len)
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

static void parse_sgrs(void *screen, const char *sgrs, size_t len)
{
    parse(screen, sgrs, len);
}

/* Parse [U->from, U->to) of BYTES of LEN (see unseen.h): lines
 * scrolled off not pushed (the line feeds after TO push as many again),
 * whole lines that would only scroll skipped.  Unless ALL, where lines
 * were skipped it stops at SKIP_TO when no more than REST_MAX bytes
 * follow: what is left is whole lines of plain text and SGRs with the
 * line feeds that evict what was not pushed, parsed later in order
 * (perhaps skipped in turn).  Returns where it stopped. */
static size_t parse_unseen(struct screen *s, const char *bytes, size_t len,
                           const struct unseen *u, bool all)
{
    size_t end = u->to;

    vterm_screen_set_callbacks(s->vts, &unseen_callbacks, s);
    s->scrolled_off = 0;
    parse(s, bytes + u->from, u->skip_from - u->from);
    if (u->skip_to > u->skip_from && s->scrolled_off > 0) {
        unseen_pen(bytes, u, parse_sgrs, s);
        if (!all && len - u->skip_to <= REST_MAX)
            end = u->skip_to;
        else
            parse(s, bytes + u->skip_to, u->to - u->skip_to);
    } else
        parse(s, bytes + u->skip_from, u->to - u->skip_from);
    vterm_screen_set_callbacks(s->vts, &callbacks, s);
    return end;
}

/* Parse BYTES (LEN of them); unless ALL, a flood's last lines may be
 * left (parse_unseen).  Returns how far it parsed. */
static size_t parse_batch(struct screen *s, const char *bytes, size_t len,
                          bool all)
{
    struct unseen u;

    if (s->sb_max == 0 || !unseen_find(bytes, len, s->sb_max, s->rows, &u)) {
        parse(s, bytes, len);
        return len;
    }
    parse(s, bytes, u.from);
    /* Inside an escape sequence all is parsed; inside a string, plain
     * bytes only add to it (nothing scrolls, so nothing is skipped). */
    if (csi_guard_in_text(&s->guard)) {
        size_t end = parse_unseen(s, bytes, len, &u, all);

        if (end < u.to)
            return end;
        parse(s, bytes + u.to, len - u.to);
    } else {
        parse(s, bytes + u.from, len - u.from);
    }
    return len;
}

/* What the parse thread left of its batch, put before what is held
 * (the thread done).  Out of memory it is parsed now instead. */
static void take_rest(struct screen *s)
{
    struct outbuf *b = &s->batch;
    size_t rest = atomic_load(&s->may_stay);

    if (b->data == NULL)
        return;
    memmove(b->data, b->data + b->len - rest, rest);
    b->len = rest;
    outbuf_append(b, s->pending.data, s->pending.len);
    if (b->failed) { /* nothing was appended */
        parse_batch(s, b->data, b->len, true);
        outbuf_free(b);
    } else {
        outbuf_free(&s->pending);
        s->pending = *b;
        *b = (struct outbuf){0};
    }
    atomic_store(&s->may_stay, 0);
}

void screen_settle(struct screen *s)
{
    struct outbuf batch;

    wait_parsed(s);
    take_rest(s);
    batch = s->pending;
    if (batch.len == 0)
        return;
    /* Taken out first: a settle while it is parsed finds nothing. */
    s->pending = (struct outbuf){0};
    s->pending_feeds = 0;
    parse_batch(s, batch.data, batch.len, true);
    batch.len = 0;
    if (s->pending.data == NULL && batch.cap <= PENDING_KEPT)
        s->pending = batch; /* its memory kept for the next */
    else
        outbuf_free(&batch);
}

static unsigned long count_feeds(const char *bytes, size_t len)
{
    const char *p = bytes, *end = bytes + len;
    unsigned long n = 0;

    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

/* What is held to the parse thread, once it has parsed what it had (so
 * a program writing faster than the thread parses waits for it), or
 * parsed now without one.  ALL: the thread parses it all (see
 * parse_batch). */
static void hand_over(struct screen *s, bool all)
{
    if (s->thread == NULL) {
        screen_settle(s);
        return;
    }
    wait_parsed(s);
    take_rest(s);
    if (s->pending.len == 0)
        return;
    thread_lock(s->sync);
    s->batch = s->pending;
    s->batch_all = all;
    atomic_store(&s->may_stay, all ? 0 : s->batch.len);
    s->busy = true;
    thread_signal(s->sync, 0);
    thread_unlock(s->sync);
    s->pending = (struct outbuf){0};
    s->pending_feeds = 0;
}

size_t screen_held(struct screen *s)
{
    return s->pending.len + atomic_load(&s->may_stay);
}

uint64_t screen_quiet_at(struct screen *s)
{
    return screen_held(s) > 0 ? s->quiet_at : UINT64_MAX;
}

size_t screen_quiet_if_due(struct screen *s, uint64_t now)
{
    size_t held = screen_held(s);

    if (held == 0 || now < s->quiet_at)
        return 0;
    hand_over(s, true);
    return held;
}

void screen_feed(struct screen *s, const char *bytes, size_t len, uint64_t now)
{
    size_t held = s->pending.len;
    unsigned long hold_feeds =
        (unsigned long)HOLD_SCREENFULS * (unsigned long)(s->sb_max + s->rows);

    s->quiet_at = now + SCREEN_QUIET_MS;

    if (held + len > PENDING_MAX || s->pending_feeds >= hold_feeds) {
        hand_over(s, false);
        held = 0;
    }
    if (len > PENDING_MAX) {
        screen_settle(s); /* the thread done: nothing is held */
        parse_batch(s, bytes, len, true);
        return;
    }
    outbuf_append(&s->pending, bytes, len);
    s->pending_feeds += count_feeds(bytes, len);
    if (s->pending.failed) { /* out of memory: parsed now, in order */
        s->pending.len = held;
        s->pending.failed = false;
        screen_settle(s);
        parse_batch(s, bytes, len, true);
    }
}

void screen_resize(struct screen *s, int cols, int rows)
{
    screen_settle(s);
    s->cols = cols;
    s->rows = rows;
    vterm_set_size(s->vt, rows, cols);
}

void screen_get_cell(struct screen *s, int row, int col, VTermScreenCell *cell)
{
    screen_settle(s);
    cell_at(s, row, col, cell);
}

VTerm *screen_vterm(struct screen *s)
{
    screen_settle(s);
    return s->vt;
}

const char *screen_title(struct screen *s)
{
    screen_settle(s);
    return s->title;
}

int screen_sb_count(struct screen *s)
{
    screen_settle(s);
    return s->sb_count;
}

const char *screen_sb_line(struct screen *s, int i, size_t *len)
{
    const struct sb_line *line;

    screen_settle(s);
    line = &s->sb[(s->sb_first + i) % s->sb_max];
    *len = line->len;
    return line->data != NULL ? line->data : "";
}

const VTermScreenCell *screen_primary(struct screen *s, int *cols, int *rows)
{
    screen_settle(s);
    if (!s->alt)
        return NULL;
    *cols = s->primary_cols;
    *rows = s->primary_rows;
    return s->primary;
}

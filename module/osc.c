/* osc.c -- see osc.h. */
#include "osc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { REQ_MAX = 1 << 20 }; /* requests queued and not taken, in bytes */

static void set_title(struct osc *o, const char *s, size_t len)
{
    buf_set(&o->title, s, len);
    o->has_title = buf_terminate(&o->title) && !o->title.failed;
}

void osc_set_directory(struct osc *o, const char *s, size_t len)
{
    buf_set(&o->dir, s, len);
    o->dir_pending = buf_terminate(&o->dir) && !o->dir.failed;
}

void osc_title(struct osc *o, const VTermValue *val)
{
#ifdef RENDER_HAVE_FRAGMENTS
    /* 0.2+: the title may come in fragments across writes. */
    if (val->string.initial)
        buf_set(&o->title_acc, NULL, 0);
    if (o->title_acc.len + val->string.len <= OSC_STR_MAX)
        buf_append(&o->title_acc, val->string.str, val->string.len);
    if (val->string.final)
        set_title(o, o->title_acc.data ? o->title_acc.data : "",
                  o->title_acc.len);
#else
    set_title(o, val->string, strlen(val->string));
#endif
}

void osc_push_title(struct osc *o)
{
    struct buf oldest;

    if (o->title_depth == OSC_TITLE_STACK) {
        oldest = o->title_stack[0];
        memmove(o->title_stack, o->title_stack + 1,
                (OSC_TITLE_STACK - 1) * sizeof o->title_stack[0]);
        o->title_stack[OSC_TITLE_STACK - 1] = oldest;
        o->title_depth--;
    }
    buf_set(&o->title_stack[o->title_depth++], o->title.data, o->title.len);
}

void osc_pop_title(struct osc *o)
{
    const struct buf *b;

    if (o->title_depth == 0)
        return;
    b = &o->title_stack[--o->title_depth];
    set_title(o, b->data ? b->data : "", b->len);
}

static void queue_request(struct osc *o, enum render_request_kind kind,
                          const char *targets, const char *data, size_t len)
{
    char k = (char)kind;

    if (o->req_off == o->reqs.len)
        o->reqs.len = o->req_off = 0; /* all taken: start over */
    if (o->reqs.len + len > REQ_MAX)
        return; /* nobody is taking them: drop rather than grow forever */
    buf_append(&o->reqs, &k, 1);
    buf_append(&o->reqs, targets, strlen(targets) + 1);
    buf_append(&o->reqs, (const char *)&len, sizeof len);
    buf_append(&o->reqs, data, len);
    buf_append(&o->reqs, "", 1);
}

bool osc_next_request(struct osc *o, struct render_request *req)
{
    const char *p;

    if (o->reqs.failed) {
        /* A record may be cut short: drop the queue rather than misread. */
        o->reqs.len = o->req_off = 0;
        o->reqs.failed = false;
    }
    if (o->req_off >= o->reqs.len)
        return false;
    p = o->reqs.data + o->req_off;
    req->kind = (enum render_request_kind)p[0];
    req->targets = p + 1;
    p = req->targets + strlen(req->targets) + 1;
    memcpy(&req->data_len, p, sizeof req->data_len);
    req->data = p + sizeof req->data_len;
    o->req_off = (size_t)(req->data + req->data_len + 1 - o->reqs.data);
    return true;
}

/* Standard base64 into OUT (room for LEN * 3 / 4 bytes); stops at the
 * first byte that is not base64.  Returns the decoded length. */
static size_t base64_decode(const char *in, size_t len, char *out)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        char c = in[i];
        int v = c >= 'A' && c <= 'Z'   ? c - 'A'
                : c >= 'a' && c <= 'z' ? c - 'a' + 26
                : c >= '0' && c <= '9' ? c - '0' + 52
                : c == '+'             ? 62
                : c == '/'             ? 63
                                       : -1;
        if (v < 0)
            break;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    return n;
}

void osc_selection(struct osc *o, const char *payload, size_t len)
{
    const char *semi = memchr(payload, ';', len);
    char targets[16];
    size_t tlen;
    char *data;

    if (semi == NULL)
        return;
    tlen = (size_t)(semi - payload);
    if (tlen >= sizeof targets)
        return;
    memcpy(targets, payload, tlen);
    targets[tlen] = '\0';
    len -= tlen + 1;
    if (len == 1 && semi[1] == '?')
        return; /* a query: the selection is not readable */
    data = malloc(len / 4 * 3 + 3);
    if (data == NULL)
        return;
    queue_request(o, RENDER_REQ_SELECTION, targets[0] ? targets : "s0", data,
                  base64_decode(semi + 1, len, data));
    free(data);
}

#ifdef RENDER_HAVE_FRAGMENTS
/* OSC 52 on libvterm 0.3: decoded by libvterm, in fragments. */
static int cb_selection_set(VTermSelectionMask mask, VTermStringFragment frag,
                            void *user)
{
    static const char names[] = "cpqs01234567";
    struct osc *o = user;
    char targets[sizeof names];
    size_t i, n = 0;

    if (frag.initial)
        buf_set(&o->sel_acc, NULL, 0);
    if (o->sel_acc.len + frag.len <= OSC_STR_MAX)
        buf_append(&o->sel_acc, frag.str, frag.len);
    else
        o->sel_acc.failed = true;
    if (!frag.final || o->sel_acc.failed)
        return 1;
    for (i = 0; i < sizeof names - 1; i++)
        if (mask & (1u << i))
            targets[n++] = names[i];
    targets[n] = '\0';
    queue_request(o, RENDER_REQ_SELECTION, targets,
                  o->sel_acc.data ? o->sel_acc.data : "", o->sel_acc.len);
    return 1;
}

static const VTermSelectionCallbacks selection_callbacks = {
    .set = cb_selection_set,
};
#endif

const char *osc_take_title(struct osc *o)
{
    if (!o->has_title)
        return NULL;
    o->has_title = false;
    return o->title.data;
}

const char *osc_take_directory(struct osc *o)
{
    if (!o->dir_pending)
        return NULL;
    o->dir_pending = false;
    return o->dir.data;
}

bool osc_has_news(const struct osc *o)
{
    return o->has_title || o->dir_pending || o->req_off < o->reqs.len;
}

const char *osc_directory(const struct osc *o)
{
    return o->dir.len > 0 && !o->dir.failed ? o->dir.data : NULL;
}

void osc_eval(struct osc *o, const char *command, size_t len)
{
    queue_request(o, RENDER_REQ_EVAL, "", command, len);
}

/* "rgb:RRRR/GGGG/BBBB" for COMMAND (and "N;" for a palette entry). */
static void answer_color(struct buf *out, int command, int index,
                         const struct osc_rgb *c)
{
    char reply[64];
    int n;

    if (command == 4)
        n = snprintf(reply, sizeof reply, "\033]4;%d;rgb:%04x/%04x/%04x\033\\",
                     index, c->r, c->g, c->b);
    else
        n = snprintf(reply, sizeof reply, "\033]%d;rgb:%04x/%04x/%04x\033\\",
                     command, c->r, c->g, c->b);
    buf_append(out, reply, (size_t)n);
}

static const struct osc_rgb *palette_color(const struct osc *o,
                                           VTermState *state, long index,
                                           struct osc_rgb *scratch)
{
    VTermColor col;

    if (index < 16)
        return o->colors.palette[index].set ? &o->colors.palette[index] : NULL;
    vterm_state_get_palette_color(state, (int)index, &col);
    vterm_state_convert_color_to_rgb(state, &col);
    scratch->set = true;
    scratch->r = (unsigned short)(col.rgb.red * 0x101);
    scratch->g = (unsigned short)(col.rgb.green * 0x101);
    scratch->b = (unsigned short)(col.rgb.blue * 0x101);
    return scratch;
}

void osc_color_query(const struct osc *o, VTermState *state, int command,
                     const char *payload, size_t len, struct buf *out)
{
    size_t i = 0;

    if (command == 10 || command == 11) {
        /* "?": the one colour (xterm's following ";?" ask for 11, 12...;
         * only the first is answered). */
        const struct osc_rgb *c = command == 10 ? &o->colors.fg : &o->colors.bg;

        if (len >= 1 && payload[0] == '?' && c->set)
            answer_color(out, command, 0, c);
        return;
    }
    /* "N;?;M;spec;...": pairs of an index and a query or a colour. */
    while (i < len) {
        long index = 0;
        size_t start = i;
        struct osc_rgb scratch;
        const struct osc_rgb *c;

        while (i < len && payload[i] >= '0' && payload[i] <= '9' && index < 256)
            index = index * 10 + (payload[i++] - '0');
        if (i == start || i >= len || payload[i] != ';' || index > 255)
            return;
        start = ++i;
        while (i < len && payload[i] != ';')
            i++;
        if (i - start == 1 && payload[start] == '?' &&
            (c = palette_color(o, state, index, &scratch)) != NULL)
            answer_color(out, 4, (int)index, c);
        i++;
    }
}

void osc_notify(struct osc *o, int command, const char *payload, size_t len)
{
    char title[256];
    const char *body = payload;
    size_t tlen = 0;

    if (command == 9) {
        /* ConEmu's subcommands ("9;4;..." progress and the like) are
         * no notification. */
        size_t i = 0;

        while (i < len && payload[i] >= '0' && payload[i] <= '9')
            i++;
        if (i > 0 && (i == len || payload[i] == ';'))
            return;
    } else {
        const char *semi;

        if (len < 7 || memcmp(payload, "notify;", 7) != 0)
            return;
        body = payload + 7;
        len -= 7;
        semi = memchr(body, ';', len);
        if (semi != NULL) {
            tlen = (size_t)(semi - body);
            if (tlen >= sizeof title)
                tlen = sizeof title - 1;
            memcpy(title, body, tlen);
            len -= (size_t)(semi - body) + 1;
            body = semi + 1;
        }
    }
    title[tlen] = '\0';
    queue_request(o, RENDER_REQ_NOTIFY, title, body, len);
}

#ifdef RENDER_HAVE_FRAGMENTS
bool osc_fragment(struct osc *o, int command, VTermStringFragment frag)
{
    if (frag.initial) {
        o->command = command;
        buf_set(&o->text, NULL, 0);
    }
    if (o->text.len + frag.len <= OSC_STR_MAX)
        buf_append(&o->text, frag.str, frag.len);
    else
        o->text.failed = true;
    return frag.final && !o->text.failed;
}
#endif

void osc_attach(struct osc *o, VTermState *state)
{
#ifdef RENDER_HAVE_FRAGMENTS
    vterm_state_set_selection_callbacks(state, &selection_callbacks, o,
                                        o->sel_buf, sizeof o->sel_buf);
#else
    (void)o;
    (void)state;
#endif
}

void osc_free(struct osc *o)
{
    buf_free(&o->title);
    buf_free(&o->dir);
    buf_free(&o->reqs);
    for (int i = 0; i < OSC_TITLE_STACK; i++)
        buf_free(&o->title_stack[i]);
#ifdef RENDER_HAVE_FRAGMENTS
    buf_free(&o->sel_acc);
    buf_free(&o->title_acc);
    buf_free(&o->text);
#endif
}

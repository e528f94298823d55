/* osc.h -- what the application says through OSC strings and what the
 * render core keeps of it for its owner: the title (OSC 0/2), the
 * directory (OSC 7, OSC 51;A), and requests (OSC 51;E eval, OSC 52 set
 * the selection, base64-decoded on 0.1.4; OSC 9 and 777 notifications)
 * queued until taken; colour queries (OSC 10, 11, 4) answered.  The
 * strings are collected from libvterm 0.2+'s fragments here; where a
 * prompt mark goes on the screen is render.c's. */
#ifndef OSC_H
#define OSC_H

#include <stdbool.h>
#include <stddef.h>

#include <vterm.h>

#include "buf.h"
#include "render_types.h"

enum {
    OSC_STR_MAX = 1 << 16, /* an OSC payload longer than this is dropped */
    OSC_SEL_BUF = 1024,    /* libvterm's decode buffer for OSC 52 */
    OSC_TITLE_STACK = 10   /* titles kept by CSI 22 t; older are dropped */
};

/* The colours a program may ask for (OSC 10, 11, 4): 16-bit red,
 * green, blue, as the owner knows them (set).  Palette entries above 15
 * are libvterm's. */
struct osc_rgb {
    bool set;
    unsigned short r, g, b;
};
struct osc_colors {
    struct osc_rgb fg, bg, palette[16];
};

struct osc {
    struct buf title; /* pending title, NUL-terminated when has_title */
    bool has_title;
    struct buf dir; /* last directory, NUL-terminated when dir.len */
    bool dir_pending;
    /* Queued requests: records of kind byte, targets, NUL, data length
     * (size_t), data, NUL; REQ_OFF is where the next unread one starts. */
    struct buf reqs;
    size_t req_off;
    struct osc_colors colors;
    /* Titles pushed with CSI 22 t, popped with CSI 23 t. */
    struct buf title_stack[OSC_TITLE_STACK];
    int title_depth;
#ifdef RENDER_HAVE_FRAGMENTS
    struct buf sel_acc;        /* OSC 52 data decoded so far */
    char sel_buf[OSC_SEL_BUF]; /* handed to libvterm, which never frees it */
    struct buf title_acc;      /* title fragments so far */
    int command;               /* the OSC being collected, ... */
    struct buf text;           /* ... and its payload so far */
#endif
};

/* O is zeroed by its owner.  On libvterm 0.2+ OSC 52 comes decoded from
 * STATE's selection callbacks, which O registers. */
void osc_attach(struct osc *o, VTermState *state);
void osc_free(struct osc *o);

/* The title property (VTERM_PROP_TITLE) as libvterm gives it. */
void osc_title(struct osc *o, const VTermValue *val);
void osc_set_directory(struct osc *o, const char *s, size_t len);
const char *osc_take_title(struct osc *o);
const char *osc_take_directory(struct osc *o);
const char *osc_directory(const struct osc *o);
/* A title, directory or request waits to be taken. */
bool osc_has_news(const struct osc *o);

#ifdef RENDER_HAVE_FRAGMENTS
/* Collect a fragment of OSC COMMAND; true once the string is complete:
 * then o->text holds it (data may be NULL when empty). */
bool osc_fragment(struct osc *o, int command, VTermStringFragment frag);
#endif

/* Queue OSC 51;E's command. */
void osc_eval(struct osc *o, const char *command, size_t len);
/* OSC 52 as libvterm 0.1.4 leaves it: "<targets>;<base64>". */
void osc_selection(struct osc *o, const char *payload, size_t len);
bool osc_next_request(struct osc *o, struct render_request *req);

/* CSI 22 t: keep the title; CSI 23 t: the title kept last is the
 * title again (taken as a new one). */
void osc_push_title(struct osc *o);
void osc_pop_title(struct osc *o);

/* OSC 10 / 11 (default foreground / background) or 4 (palette) with
 * PAYLOAD: each colour asked for ("?") that is known is answered into
 * OUT, in order with libvterm's replies; STATE has the palette above
 * 15.  Colours not known are not answered, as by a terminal that does
 * not know them.  Setting colours is ignored. */
void osc_color_query(const struct osc *o, VTermState *state, int command,
                     const char *payload, size_t len, struct buf *out);
/* OSC 9 (iTerm2's "9;<body>", not ConEmu's "9;<n>;...") and OSC 777
 * ("777;notify;<title>;<body>"): queued as RENDER_REQ_NOTIFY. */
void osc_notify(struct osc *o, int command, const char *payload, size_t len);

#endif /* OSC_H */

/* faces.c -- see faces.h. */
#include "faces.h"

#include <stdio.h>
#include <string.h>

#include "emacs_call.h"

enum {
    FACE_CACHE_SIZE = 4096
}; /* face specs kept; later ones are not cached */

/* Face specs by attributes, shared by every terminal (global references
 * cannot be freed from a finalizer, so they live as long as Emacs). */
static struct face_entry {
    struct render_attrs key;
    emacs_value spec;
    bool used;
} face_cache[FACE_CACHE_SIZE];

static emacs_value hex_color(emacs_env *env, const struct render_color *c)
{
    char hex[8];

    snprintf(hex, sizeof hex, "#%02x%02x%02x", c->r, c->g, c->b);
    return env->make_string(env, hex, 7);
}

/* The colours of the vterm-color-* faces that cached face specs were
 * built with.  They are looked up again once per redraw (for the named
 * colours that redraw uses): a change (a theme, a customisation) empties
 * the face cache so new text gets the new colours. */
static struct {
    emacs_value fg[16], bg[16]; /* global refs; NULL = not looked up */
    uint32_t checked;           /* bit per colour: looked up this redraw */
} named;

static void flush_face_cache(emacs_env *env)
{
    size_t i;

    for (i = 0; i < FACE_CACHE_SIZE; i++) {
        if (face_cache[i].used)
            env->free_global_ref(env, face_cache[i].spec);
        face_cache[i].used = false;
    }
}

/* Replace *SLOT with VALUE; true when it differs from what was there. */
static bool update_named(emacs_env *env, emacs_value *slot, emacs_value value)
{
    bool changed;

    if (*slot != NULL &&
        env->is_not_nil(env, call2(env, S.equal, *slot, value)))
        return false;
    changed = *slot != NULL;
    if (*slot != NULL)
        env->free_global_ref(env, *slot);
    *slot = env->make_global_ref(env, value);
    return changed;
}

/* The face of named colour IDX: element IDX of `vterm-color-palette'
 * when that is a vector of 16, else the face vterm-color-NAME. */
static emacs_value color_face(emacs_env *env, int idx)
{
    emacs_value palette;

    if (!env->is_not_nil(env, call1(env, S.boundp, S.color_palette)))
        return S.color_faces[idx];
    palette = call1(env, S.symbol_value, S.color_palette);
    if (failed(env) || !env->is_not_nil(env, call1(env, S.vectorp, palette)) ||
        env->vec_size(env, palette) != 16)
        return S.color_faces[idx];
    return env->vec_get(env, palette, idx);
}

/* Make sure named colour IDX is current (see `named').  PALETTE: the
 * terminal's own 16 colours, for when the faces are not defined. */
static void check_named(emacs_env *env, const struct render_color *palette,
                        int idx)
{
    emacs_value args[3], fg, bg;
    bool changed;

    if (named.checked & (1u << idx))
        return;
    named.checked |= 1u << idx;
    args[0] = color_face(env, idx);
    if (failed(env))
        return;
    args[1] = S.nil;
    args[2] = S.default_;
    if (env->is_not_nil(env, call1(env, S.facep, args[0]))) {
        fg = call(env, S.face_foreground, 3, args);
        bg = call(env, S.face_background, 3, args);
    } else {
        /* Faces not defined (module used without vterm.el): libvterm's
         * own palette. */
        fg = bg = hex_color(env, &palette[idx]);
    }
    if (failed(env))
        return;
    changed = update_named(env, &named.fg[idx], fg);
    changed = update_named(env, &named.bg[idx], bg) || changed;
    if (changed)
        flush_face_cache(env);
}

static emacs_value color_value(emacs_env *env, const struct render_color *c,
                               bool fg)
{
    if (c->kind == RENDER_COLOR_RGB)
        return hex_color(env, c);
    return fg ? named.fg[c->idx & 15] : named.bg[c->idx & 15];
}

static emacs_value build_face(emacs_env *env, const struct render_attrs *a)
{
    emacs_value items[16], style[2];
    int n = 0;

    if (a->fg.kind != RENDER_COLOR_DEFAULT) {
        items[n++] = S.k_foreground;
        items[n++] = color_value(env, &a->fg, true);
    }
    if (a->bg.kind != RENDER_COLOR_DEFAULT) {
        items[n++] = S.k_background;
        items[n++] = color_value(env, &a->bg, false);
    }
    if (a->bold) {
        items[n++] = S.k_weight;
        items[n++] = S.bold;
    }
    if (a->italic) {
        items[n++] = S.k_slant;
        items[n++] = S.italic;
    }
    if (a->underline) {
        items[n++] = S.k_underline;
        if (a->underline == 3) {
            style[0] = S.k_style;
            style[1] = S.wave;
            items[n++] = call(env, S.list, 2, style);
        } else {
            items[n++] = S.t;
        }
    }
    if (a->strike) {
        items[n++] = S.k_strike_through;
        items[n++] = S.t;
    }
    if (a->reverse) {
        items[n++] = S.k_inverse_video;
        items[n++] = S.t;
    }
    return call(env, S.list, n, items);
}

bool attrs_plain(const struct render_attrs *a)
{
    return a->fg.kind == RENDER_COLOR_DEFAULT &&
           a->bg.kind == RENDER_COLOR_DEFAULT && !a->bold && !a->italic &&
           !a->underline && !a->strike && !a->reverse;
}

static size_t attrs_hash(const struct render_attrs *a)
{
    const unsigned char *p = (const unsigned char *)a;
    size_t h = 2166136261u, i;

    for (i = 0; i < sizeof *a; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* The face spec for A: from the cache, or built and cached (as a global
 * reference) while there is room. */
emacs_value face_for(emacs_env *env, const struct render_color *palette,
                     const struct render_attrs *a)
{
    size_t h = attrs_hash(a), i;
    struct face_entry *e;
    emacs_value spec;

    if (a->fg.kind == RENDER_COLOR_INDEXED)
        check_named(env, palette, a->fg.idx & 15);
    if (a->bg.kind == RENDER_COLOR_INDEXED)
        check_named(env, palette, a->bg.idx & 15);
    if (failed(env))
        return S.nil;
    for (i = 0; i < 16; i++) {
        e = &face_cache[(h + i) % FACE_CACHE_SIZE];
        if (!e->used)
            break;
        if (memcmp(&e->key, a, sizeof *a) == 0)
            return e->spec;
    }
    spec = build_face(env, a);
    if (failed(env) || i == 16)
        return spec;
    e->key = *a;
    e->spec = env->make_global_ref(env, spec);
    e->used = true;
    return e->spec;
}

void faces_redraw_begin(void)
{
    named.checked = 0;
}

/* The attributes as this terminal shows them (the vterm-disable-* and
 * bold-as-bright options). */
void face_options_apply(const struct face_options *t, struct render_attrs *a)
{
    if (t->bold_highbright && a->bold && a->fg.kind == RENDER_COLOR_INDEXED &&
        a->fg.idx < 8)
        a->fg.idx += 8;
    if (t->disable_bold)
        a->bold = 0;
    if (t->disable_underline)
        a->underline = 0;
    if (t->disable_inverse)
        a->reverse = 0;
    a->blink = 0;   /* Emacs has no blinking text */
    a->conceal = 0; /* not rendered either */
}

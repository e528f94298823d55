/* text.c -- see text.h. */
#include "text.h"

#include <string.h>

#include "emacs_call.h"

void text_free(struct text *x)
{
    buf_free(&x->bytes);
    buf_free(&x->props);
    buf_free(&x->uris);
}

bool text_failed(const struct text *x)
{
    return x->bytes.failed || x->props.failed || x->uris.failed;
}

/* A property over characters [START, END) of X; NULL when out of memory
 * (then X has failed). */
static struct prop *text_prop(struct text *x, int start, int end,
                              enum prop_kind kind)
{
    struct prop *p = buf_extend(&x->props, sizeof *p);

    if (p != NULL) {
        p->start = start;
        p->end = end;
        p->kind = kind;
    }
    return p;
}

static void text_value_prop(struct text *x, int start, int end,
                            enum prop_kind kind, int value)
{
    struct prop *p = text_prop(x, start, end, kind);

    if (p != NULL)
        p->value = value;
}

/* LINE's links (LINE starts at character START of X), their URIs
 * copied: the terminal may forget them before X is inserted. */
static void text_links(struct text *x, const struct render *r,
                       const struct render_line *line, int start)
{
    int i;

    for (i = 0; i < line->nlinks; i++) {
        const char *uri = render_link_uri(r, line->links[i].uri);
        size_t off = x->uris.len;

        if (uri == NULL || !buf_append(&x->uris, uri, strlen(uri) + 1))
            continue;
        text_value_prop(x, start + line->links[i].start,
                        start + line->links[i].end, PROP_LINK, (int)off);
    }
}

void text_line(struct text *x, const struct face_options *fo,
               const struct render *r, const struct render_line *line,
               bool newline)
{
    int i, start = x->chars;

    buf_append(&x->bytes, line->text, line->len);
    for (i = 0; i < line->nruns; i++) {
        struct render_attrs a = line->runs[i].attrs;
        face_options_apply(fo, &a);
        if (!attrs_plain(&a)) {
            struct prop *p = text_prop(
                x, x->chars, x->chars + line->runs[i].chars, PROP_FACE);
            if (p != NULL)
                p->attrs = a;
        }
        x->chars += line->runs[i].chars;
    }
    if (line->prompt_chars > 0) {
        int end = start + line->prompt_chars;

        text_prop(x, start, end, PROP_PROMPT);
        if (line->info.status > 0)
            text_value_prop(x, start, end, PROP_STATUS, line->info.status - 1);
        if (line->info.prompt_rows > 0)
            text_value_prop(x, start, end, PROP_PROMPT_LINES,
                            line->info.prompt_rows);
    }
    text_links(x, r, line, start);
    if (newline) {
        buf_append(&x->bytes, "\n", 1);
        if (line->wrapped)
            text_prop(x, x->chars, x->chars + 1, PROP_WRAP);
        x->chars++;
    }
}

void text_insert(emacs_env *env, const struct render_color *palette,
                 struct text *x)
{
    emacs_value args[4];
    intmax_t base;
    const struct prop *props = (const struct prop *)x->props.data;
    size_t i, nprops = x->props.len / sizeof *props;

    if (text_failed(x)) {
        signal_error(env, "vterm: out of memory");
        return;
    }
    if (x->bytes.len == 0)
        return;
    base = env->extract_integer(env, call0(env, S.point));
    if (failed(env))
        return;
    call1(env, S.insert, insert_value(env, x->bytes.data, x->bytes.len));
    for (i = 0; i < nprops && !failed(env); i++) {
        const struct prop *p = &props[i];
        args[0] = env->make_integer(env, base + p->start);
        args[1] = env->make_integer(env, base + p->end);
        switch (p->kind) {
        case PROP_FACE:
            args[2] = S.face;
            args[3] = face_for(env, palette, &p->attrs);
            break;
        case PROP_WRAP:
            args[2] = S.vterm_line_wrap;
            args[3] = S.t;
            break;
        case PROP_PROMPT:
            args[2] = S.vterm_prompt;
            args[3] = S.t;
            break;
        case PROP_STATUS:
            args[2] = S.category;
            args[3] =
                p->value == 0 ? S.vterm_exit_success : S.vterm_exit_failure;
            call(env, S.put_text_property, 4, args);
            args[2] = S.vterm_exit_status;
            args[3] = env->make_integer(env, p->value);
            break;
        case PROP_PROMPT_LINES:
            args[2] = S.vterm_prompt_lines;
            args[3] = env->make_integer(env, p->value);
            break;
        case PROP_LINK: {
            const char *uri = x->uris.data + p->value;

            args[2] = S.vterm_hyperlink;
            args[3] = env->make_string(env, uri, (ptrdiff_t)strlen(uri));
            break;
        }
        }
        call(env, S.put_text_property, 4, args);
    }
}

/* text.c -- see text.h. */
#include "text.h"

#include "emacs_call.h"

void text_free(struct text *x)
{
    buf_free(&x->bytes);
    buf_free(&x->props);
}

bool text_failed(const struct text *x)
{
    return x->bytes.failed || x->props.failed;
}

static void text_prop(struct text *x, int start, int end,
                      const struct render_attrs *a, enum prop_kind kind)
{
    struct prop *p = buf_extend(&x->props, sizeof *p);

    if (p == NULL)
        return;
    p->start = start;
    p->end = end;
    p->kind = kind;
    if (a != NULL)
        p->attrs = *a;
}

void text_line(struct text *x, const struct face_options *fo,
               const struct render_line *line, bool newline)
{
    int i, start = x->chars;

    buf_append(&x->bytes, line->text, line->len);
    for (i = 0; i < line->nruns; i++) {
        struct render_attrs a = line->runs[i].attrs;
        face_options_apply(fo, &a);
        if (!attrs_plain(&a))
            text_prop(x, x->chars, x->chars + line->runs[i].chars, &a,
                      PROP_FACE);
        x->chars += line->runs[i].chars;
    }
    if (line->prompt_chars > 0)
        text_prop(x, start, start + line->prompt_chars, NULL, PROP_PROMPT);
    if (newline) {
        buf_append(&x->bytes, "\n", 1);
        if (line->wrapped)
            text_prop(x, x->chars, x->chars + 1, NULL, PROP_WRAP);
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
        }
        call(env, S.put_text_property, 4, args);
    }
}

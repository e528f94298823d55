/* term.c -- see term.h. */
#include "term.h"

#include <stdlib.h>

#include "emacs_call.h"

struct term *get_term(emacs_env *env, emacs_value v)
{
    struct term *t = env->get_user_ptr(env, v);

    if (failed(env))
        return NULL;
    if (t == NULL || t->r == NULL || t->dead) {
        signal_error(env, "vterm: not a live terminal (freed by vterm--free)");
        return NULL;
    }
    return t;
}

void term_release(struct term *t)
{
    if (t->worker != NULL)
        parse_worker_stop(t->worker);
    t->worker = NULL;
    render_free(t->r);
    t->r = NULL;
    t->dead = true;
    t->free_due = false;
    t->finish_due = false;
}

void term_finalize(void *p)
{
    struct term *t = p;

    if (t->r != NULL)
        term_release(t);
    free(t);
}

struct parse_worker *core_hold(struct term *t)
{
    if (t->worker != NULL)
        parse_worker_acquire(t->worker);
    return t->worker;
}

void core_release(struct parse_worker *held)
{
    if (held != NULL)
        parse_worker_release(held);
}

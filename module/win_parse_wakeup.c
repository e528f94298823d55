/* win_parse_wakeup.c -- parse_wakeup.h on Windows: a loopback port and a
 * secret, plain Lisp values; no descriptor of Emacs's C runtime crosses
 * into the DLL. */
#include "parse_wakeup.h"

#include <string.h>

#include "emacs_call.h"

bool parse_wakeup_from_lisp(emacs_env *env, emacs_value channel,
                            emacs_value secret, struct parse_wakeup *out)
{
    ptrdiff_t size = sizeof out->secret + 1;
    char buf[PARSE_WAKEUP_SECRET_MAX + 1];
    int port;

    *out = (struct parse_wakeup){.fd = -1};
    if (!get_int(env, channel, 1, 65535, "port", &port))
        return false;
    /* Too long a secret fails here (copy_string_contents signals). */
    if (!env->copy_string_contents(env, secret, buf, &size) || size < 2)
        return false;
    out->port = (unsigned)port;
    out->secret_len = (size_t)size - 1;
    memcpy(out->secret, buf, out->secret_len);
    return true;
}

void parse_wakeup_discard(struct parse_wakeup *wake)
{
    (void)wake; /* the worker's socket is its own, closed when it fails */
}

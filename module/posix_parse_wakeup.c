/* posix_parse_wakeup.c -- parse_wakeup.h on POSIX: a pipe process's
 * descriptor, from Emacs 28's open_channel. */
#include "parse_wakeup.h"

#include <unistd.h>

#include "emacs_call.h"

#if defined(EMACS_MAJOR_VERSION) && EMACS_MAJOR_VERSION >= 28
#define HAVE_OPEN_CHANNEL 1
#endif

bool parse_wakeup_from_lisp(emacs_env *env, emacs_value channel,
                            emacs_value secret, struct parse_wakeup *out)
{
    (void)secret;
    *out = (struct parse_wakeup){.fd = -1};
#ifdef HAVE_OPEN_CHANNEL
    if ((size_t)env->size >= sizeof(struct emacs_env_28)) {
        int fd = env->open_channel(env, channel);

        if (failed(env) || fd < 0)
            return false;
        out->fd = fd;
        return true;
    }
#else
    (void)env;
    (void)channel;
#endif
    return false;
}

void parse_wakeup_discard(struct parse_wakeup *wake)
{
    if (wake->fd >= 0)
        close(wake->fd);
    wake->fd = -1;
}

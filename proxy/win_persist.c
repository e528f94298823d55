/* win_persist.c -- the persistent-session commands of the Windows
 * backend: not there yet (the POSIX backend has them). */
#include <stdio.h>

#include "backend.h"

static int not_yet(const char *what)
{
    fprintf(stderr,
            "conpty-proxy: %s: persistent sessions are not yet on "
            "Windows\n",
            what);
    return PROXY_EXIT_FAILURE;
}

int backend_serve(const struct session_config *cfg, int scrollback)
{
    (void)cfg;
    (void)scrollback;
    return not_yet("serve");
}

int backend_attach(const char *id, bool take_over, int cols, int rows)
{
    (void)id;
    (void)take_over;
    (void)cols;
    (void)rows;
    return not_yet("attach");
}

int backend_list(void)
{
    return not_yet("list");
}

int backend_kill(const char *id)
{
    (void)id;
    return not_yet("kill");
}

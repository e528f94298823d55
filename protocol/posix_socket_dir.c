/* posix_socket_dir.c -- ctl_socket_dir_check (channel.h), POSIX only. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "channel.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

enum ctl_status ctl_socket_dir_check(const char *dir, bool create)
{
    struct stat st;

    if (create && mkdir(dir, 0700) != 0 && errno != EEXIST)
        return CTL_E_DIR;
    /* lstat: a symlink planted at the path is refused, not followed. */
    if (lstat(dir, &st) != 0)
        return CTL_E_DIR;
    if (!S_ISDIR(st.st_mode))
        return CTL_E_DIR_TYPE;
    if (st.st_uid != geteuid())
        return CTL_E_DIR_OWNER;
    if ((st.st_mode & 077) != 0)
        return CTL_E_DIR_MODE;
    return CTL_OK;
}

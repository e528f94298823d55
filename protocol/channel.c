/* channel.c -- see channel.h. */
#include "channel.h"

#include <stdio.h>

static const char pipe_prefix[] = "\\\\.\\pipe\\conpty-proxy-";
/* sockaddr_un.sun_path is 108 bytes on Linux, 104 on the BSDs. */
enum { SOCKET_PATH_MAX = 103 };

/* What snprintf into SIZE bytes returning LEN amounts to. */
static enum ctl_status written(size_t size, int len)
{
    return len < 0 || (size_t)len >= size ? CTL_E_NO_ROOM : CTL_OK;
}

enum ctl_status ctl_pipe_name(const char *id, char *buf, size_t size)
{
    enum ctl_status st = ctl_id_check(id);

    if (st != CTL_OK)
        return st;
    return written(size, snprintf(buf, size, "%s%s", pipe_prefix, id));
}

enum ctl_status ctl_data_pipe_name(const char *id, char *buf, size_t size)
{
    enum ctl_status st = ctl_id_check(id);

    if (st != CTL_OK)
        return st;
    return written(
        size, snprintf(buf, size, "%s%s" CTL_DATA_SUFFIX, pipe_prefix, id));
}

enum ctl_status ctl_socket_dir(const char *xdg_runtime_dir, const char *tmpdir,
                               unsigned long uid, char *buf, size_t size)
{
    if (xdg_runtime_dir != NULL && xdg_runtime_dir[0] == '/')
        return written(size,
                       snprintf(buf, size, "%s/conpty-proxy", xdg_runtime_dir));
    if (tmpdir == NULL || tmpdir[0] == '\0')
        tmpdir = "/tmp";
    return written(size,
                   snprintf(buf, size, "%s/conpty-proxy-%lu", tmpdir, uid));
}

/* "<DIR>/<ID><SUFFIX>" into BUF, no longer than a sockaddr_un holds. */
static enum ctl_status id_path(const char *dir, const char *id,
                               const char *suffix, char *buf, size_t size)
{
    enum ctl_status st = ctl_id_check(id);
    int len;

    if (st != CTL_OK)
        return st;
    len = snprintf(buf, size, "%s/%s%s", dir, id, suffix);
    if (len > SOCKET_PATH_MAX)
        return CTL_E_TOO_LONG;
    return written(size, len);
}

enum ctl_status ctl_socket_path(const char *dir, const char *id, char *buf,
                                size_t size)
{
    return id_path(dir, id, ".sock", buf, size);
}

enum ctl_status ctl_data_socket_path(const char *dir, const char *id, char *buf,
                                     size_t size)
{
    return id_path(dir, id, CTL_DATA_SUFFIX, buf, size);
}

/* posix_list.c -- "conpty-proxy list": the session servers of this user,
 * found by their data channels in the socket directory and asked for
 * their "info"; the channels of servers that are gone are removed. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend.h"
#include "channel.h"
#include "posix.h"
#include "session_info.h"

/* Print session ID's line, or remove its channels when its server is
 * gone. */
static void list_one(const char *dir, const char *id)
{
    char msg[CTL_MSG_MAX + 1], answer[CTL_ANSWER_MAX + 1];
    char path[CTL_NAME_MAX];
    int len = ctl_encode_verb(msg, sizeof msg, CTL_VERB_INFO);
    int n = posix_ctl_request(id, msg, (size_t)len, answer, sizeof answer);

    if (n < 0) {
        if (ctl_data_socket_path(dir, id, path, sizeof path) == CTL_OK)
            posix_remove_stale(path, SOCK_STREAM);
        if (ctl_socket_path(dir, id, path, sizeof path) == CTL_OK)
            posix_remove_stale(path, SOCK_SEQPACKET);
        return;
    }
    session_list_line(id, answer, (size_t)n);
}

int backend_list(void)
{
    char dir[CTL_NAME_MAX];
    const size_t suffix = strlen(CTL_DATA_SUFFIX);
    struct dirent *e;
    DIR *d;

    if (posix_socket_dir(dir, sizeof dir, false) != 0)
        return errno == ENOENT ? 0 : PROXY_EXIT_FAILURE;
    d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "conpty-proxy: %s: %s\n", dir, strerror(errno));
        return PROXY_EXIT_FAILURE;
    }
    while ((e = readdir(d)) != NULL) {
        char id[CTL_ID_MAX + 1];
        size_t n = strlen(e->d_name);

        if (n <= suffix || n - suffix > CTL_ID_MAX ||
            strcmp(e->d_name + n - suffix, CTL_DATA_SUFFIX) != 0)
            continue;
        memcpy(id, e->d_name, n - suffix);
        id[n - suffix] = '\0';
        if (ctl_id_check(id) == CTL_OK)
            list_one(dir, id);
    }
    closedir(d);
    return fflush(stdout) == 0 ? 0 : PROXY_EXIT_FAILURE;
}

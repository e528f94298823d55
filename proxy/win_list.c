/* win_list.c -- where "conpty-proxy list" finds this user's session
 * servers on Windows: each holds an entry, a file named by its id, in
 * %LOCALAPPDATA%\conpty-proxy\sessions, opened delete-on-close, so that
 * the entry goes when the server goes, however it ends.  A directory of
 * the user's own, rather than the list of every pipe on the machine:
 * other users' sessions are none of this user's business.  Each entry's
 * server is asked for its "info" over its control pipe. */
#include "win_backend.h"

#include <stdio.h>
#include <string.h>

#include "channel.h"
#include "session_info.h"

bool win_session_dir(char *buf, size_t size, bool create,
                     struct win_security *sec)
{
    char base[MAX_PATH];
    DWORD n = GetEnvironmentVariableA("LOCALAPPDATA", base, sizeof base);
    int len;

    if (n == 0 || n >= sizeof base) {
        fprintf(stderr, "conpty-proxy: LOCALAPPDATA is not set\n");
        return false;
    }
    len = snprintf(buf, size, "%s\\conpty-proxy", base);
    if (len < 0 || (size_t)len + sizeof "\\sessions" > size) {
        fprintf(stderr, "conpty-proxy: %s: too long\n", base);
        return false;
    }
    if (create && !CreateDirectoryA(buf, &sec->sa) &&
        GetLastError() != ERROR_ALREADY_EXISTS) {
        win_fail("CreateDirectory (sessions)");
        return false;
    }
    strcat(buf, "\\sessions");
    if (create && !CreateDirectoryA(buf, &sec->sa) &&
        GetLastError() != ERROR_ALREADY_EXISTS) {
        win_fail("CreateDirectory (sessions)");
        return false;
    }
    return true;
}

HANDLE win_session_register(const char *id, struct win_security *sec)
{
    char dir[MAX_PATH], path[MAX_PATH + CTL_ID_MAX + 2];
    HANDLE h;

    if (!win_session_dir(dir, sizeof dir, true, sec))
        return INVALID_HANDLE_VALUE;
    snprintf(path, sizeof path, "%s\\%s", dir, id);
    /* CREATE_NEW: two servers of one id never share an entry (the pipes
     * refuse the second one first). */
    h = CreateFileA(path, GENERIC_WRITE | DELETE,
                    FILE_SHARE_READ | FILE_SHARE_DELETE, &sec->sa, CREATE_NEW,
                    FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, NULL);
    if (h == INVALID_HANDLE_VALUE)
        win_fail("CreateFile (session entry)");
    return h;
}

int backend_list(void)
{
    char dir[MAX_PATH], pattern[MAX_PATH + 3];
    WIN32_FIND_DATAA fd;
    HANDLE find;

    if (!win_session_dir(dir, sizeof dir, false, NULL))
        return PROXY_EXIT_FAILURE;
    snprintf(pattern, sizeof pattern, "%s\\*", dir);
    find = FindFirstFileA(pattern, &fd);
    if (find == INVALID_HANDLE_VALUE) {
        DWORD err = GetLastError();
        if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND)
            return 0; /* no session ever ran */
        win_fail_code("FindFirstFile (sessions)", err);
        return PROXY_EXIT_FAILURE;
    }
    do {
        char msg[CTL_MSG_MAX + 1], answer[CTL_ANSWER_MAX + 1];
        int len, n;

        if ((fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ||
            ctl_id_check(fd.cFileName) != CTL_OK)
            continue;
        len = ctl_encode_verb(msg, sizeof msg, CTL_VERB_INFO);
        /* A server that is gone has no pipe: its entry is going too. */
        n = win_ctl_request(fd.cFileName, msg, (size_t)len, answer,
                            sizeof answer, true);
        if (n > 0)
            session_list_line(fd.cFileName, answer, (size_t)n);
    } while (FindNextFileA(find, &fd));
    FindClose(find);
    return fflush(stdout) == 0 ? 0 : PROXY_EXIT_FAILURE;
}

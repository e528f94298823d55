/* win_ctl_pipe.c -- how an instance of the control pipe, or of a session
 * server's data pipe, is created, and what it means when the first one
 * cannot be (DESIGN.md, "Transport").
 * Kept apart from the server, with no dependencies, so that a test can
 * link it alone and check the modes and the decision directly. */
#include "win_ctl_pipe_inspect.h"

enum { CTL_PIPE_BUFFER = 4096, DATA_PIPE_BUFFER = 64 << 10 };

DWORD win_ctl_open_mode(bool first)
{
    DWORD mode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED;

    /* The first instance must create the name: if it exists, someone
     * squats it and could read what clients send. */
    if (first)
        mode |= FILE_FLAG_FIRST_PIPE_INSTANCE;
    return mode;
}

DWORD win_ctl_pipe_mode(void)
{
    return PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT |
           PIPE_REJECT_REMOTE_CLIENTS;
}

HANDLE win_ctl_pipe_create(const char *name, bool first,
                           SECURITY_ATTRIBUTES *sa)
{
    return CreateNamedPipeA(name, win_ctl_open_mode(first), win_ctl_pipe_mode(),
                            WIN_CTL_INSTANCES, CTL_PIPE_BUFFER, CTL_PIPE_BUFFER,
                            0, sa);
}

DWORD win_data_pipe_mode(void)
{
    /* A byte stream: frames one way, keys the other. */
    return PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT |
           PIPE_REJECT_REMOTE_CLIENTS;
}

HANDLE win_data_pipe_create(const char *name, bool first,
                            SECURITY_ATTRIBUTES *sa)
{
    /* The same open mode: the first instance must create the name. */
    return CreateNamedPipeA(name, win_ctl_open_mode(first),
                            win_data_pipe_mode(), WIN_DATA_INSTANCES,
                            DATA_PIPE_BUFFER, DATA_PIPE_BUFFER, 0, sa);
}

bool win_ctl_name_taken(DWORD err)
{
    /* ERROR_ACCESS_DENIED: FILE_FLAG_FIRST_PIPE_INSTANCE and the name
     * exists.  ERROR_PIPE_BUSY: it exists with no instance to spare (a
     * running session has all of its instances). */
    return err == ERROR_ACCESS_DENIED || err == ERROR_PIPE_BUSY;
}

/* win_pipe_listen.c -- waiting for a client on one instance of a named
 * pipe we serve (the control pipe's, a data pipe's): see win_backend.h. */
#include "win_backend.h"

#include <stdio.h>

#include "trace.h"

enum win_listen win_pipe_listen(HANDLE pipe, struct win_op *connect,
                                const char *what)
{
    /* A client that connects and closes before we call ConnectNamedPipe
     * leaves the instance needing a disconnect (ERROR_NO_DATA): retry,
     * once per such client; the bound only guards against a broken pipe
     * driver. */
    for (int attempt = 0; attempt < 64; attempt++) {
        char fn[64];
        DWORD err;

        if (ConnectNamedPipe(pipe, win_op_arm(connect)))
            return WIN_LISTEN_PENDING; /* completed: its packet is queued */
        err = GetLastError();
        if (err == ERROR_IO_PENDING)
            return WIN_LISTEN_PENDING;
        /* Rule 3: every other result queues no packet. */
        win_op_done(connect);
        if (err == ERROR_PIPE_CONNECTED)
            return WIN_LISTEN_CONNECTED; /* a client is there already */
        if (err != ERROR_NO_DATA) {
            snprintf(fn, sizeof fn, "ConnectNamedPipe (%s)", what);
            win_fail_code(fn, err);
            return WIN_LISTEN_FAILED;
        }
        if (!DisconnectNamedPipe(pipe)) {
            snprintf(fn, sizeof fn, "DisconnectNamedPipe (%s)", what);
            win_fail(fn);
            return WIN_LISTEN_FAILED;
        }
    }
    trace("%s: clients keep vanishing", what);
    return WIN_LISTEN_FAILED;
}

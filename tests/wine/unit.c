/* unit.c -- checks of the proxy's control- and data-pipe creation (proxy/
 * win_ctl_pipe.c, linked alone) for what Wine cannot exercise end to end.
 * Prints "PASS <what>" / "FAIL <what>"; exit 0 when all passed.
 *
 * Remote clients: Wine cannot make a remote client (no SMB redirector for
 * \\host\pipe\...), so PIPE_REJECT_REMOTE_CLIENTS is checked in the pipe
 * mode the proxy creates its instances with.
 *
 * A squatted name: on Windows, a name that another process holds with
 * instances to spare fails the first instance's FILE_FLAG_FIRST_PIPE_
 * INSTANCE with ERROR_ACCESS_DENIED.  Wine 8 does not enforce the flag: it
 * creates the instance beside the squatter's (probed with a squatter of
 * PIPE_UNLIMITED_INSTANCES), so the proxy's decision on that error is
 * checked here.  The squatter with no instance to spare, which Wine does
 * refuse (ERROR_PIPE_BUSY), is driver.c's "squatter" scenario. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "win_ctl_pipe_inspect.h"
#include "wine_test.h"

static void check_modes(void)
{
    DWORD pipe = win_ctl_pipe_mode();
    DWORD first = win_ctl_open_mode(true), other = win_ctl_open_mode(false);

    wt_result(pipe & PIPE_REJECT_REMOTE_CLIENTS,
              "unit: the control pipe rejects remote clients (pipe mode 0x%lx)",
              (unsigned long)pipe);
    wt_result(
        (pipe & (PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_NOWAIT)) ==
            (PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE),
        "unit: message type, message read mode, blocking (PIPE_WAIT)");
    wt_result((first & ~(DWORD)FILE_FLAG_FIRST_PIPE_INSTANCE) == other &&
                  (first & FILE_FLAG_FIRST_PIPE_INSTANCE) &&
                  !(other & FILE_FLAG_FIRST_PIPE_INSTANCE),
              "unit: only the first instance asks to be the first "
              "(open modes 0x%lx, 0x%lx)",
              (unsigned long)first, (unsigned long)other);
    wt_result((other & (PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED)) ==
                  (PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED),
              "unit: duplex and overlapped");
}

/* A session server's data pipe: the control pipe's open modes (checked
 * above), a byte stream, local clients only. */
static void check_data_modes(void)
{
    DWORD pipe = win_data_pipe_mode();

    wt_result(pipe & PIPE_REJECT_REMOTE_CLIENTS,
              "unit: the data pipe rejects remote clients (pipe mode 0x%lx)",
              (unsigned long)pipe);
    wt_result(
        (pipe & (PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_NOWAIT)) == 0,
        "unit: the data pipe: byte type, byte read mode, blocking");
}

static void check_name_taken(void)
{
    static const struct {
        DWORD err;
        bool taken;
        const char *why;
    } cases[] = {
        {ERROR_ACCESS_DENIED, true, "the name exists (FIRST_PIPE_INSTANCE)"},
        {ERROR_PIPE_BUSY, true, "the name exists, no instance to spare"},
        {ERROR_INVALID_NAME, false, "a bad name"},
        {ERROR_INVALID_PARAMETER, false, "bad parameters"},
        {ERROR_NOT_ENOUGH_MEMORY, false, "no memory"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        wt_result(win_ctl_name_taken(cases[i].err) == cases[i].taken,
                  "unit: error %lu (%s) %s", (unsigned long)cases[i].err,
                  cases[i].why,
                  cases[i].taken
                      ? "means squatted: exit with \"exists already\""
                      : "is reported as a failed call");
}

/* Real instances made by the product's function: what Wine reports of
 * them. */
static void check_instances(void)
{
    char name[128];
    HANDLE first, second;
    DWORD flags = 0, out = 0, in = 0, max = 0;
    bool ok;

    snprintf(name, sizeof name, "\\\\.\\pipe\\conpty-proxy-unit-%lu-%lu",
             (unsigned long)GetCurrentProcessId(),
             (unsigned long)GetTickCount());
    first = win_ctl_pipe_create(name, true, NULL);
    wt_result(first != INVALID_HANDLE_VALUE, "unit: first instance created");
    if (first == INVALID_HANDLE_VALUE)
        return;
    ok = GetNamedPipeInfo(first, &flags, &out, &in, &max) &&
         flags == (PIPE_SERVER_END | PIPE_TYPE_MESSAGE) &&
         max == WIN_CTL_INSTANCES;
    wt_result(ok,
              "unit: GetNamedPipeInfo: server end of a message pipe, %lu "
              "instances (flags 0x%lx, buffers %lu/%lu)",
              (unsigned long)max, (unsigned long)flags, (unsigned long)out,
              (unsigned long)in);
    second = win_ctl_pipe_create(name, false, NULL);
    wt_result(second != INVALID_HANDLE_VALUE,
              "unit: a further instance created");
    if (second != INVALID_HANDLE_VALUE)
        CloseHandle(second);
    CloseHandle(first);
}

int main(void)
{
    check_modes();
    check_data_modes();
    check_name_taken();
    check_instances();
    return wt_failures == 0 ? 0 : 1;
}

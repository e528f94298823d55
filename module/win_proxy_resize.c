/* win_proxy_resize.c -- proxy_resize.h on Windows: a message-mode named
 * pipe, opened and written without blocking past the budget. */
#include "proxy_resize.h"

#include <stdint.h>
#include <string.h>

#include "channel.h"
#include "control.h"

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

static DWORD remaining(ULONGLONG deadline)
{
    ULONGLONG now = GetTickCount64();
    return now >= deadline ? 0 : (DWORD)(deadline - now);
}

bool proxy_resize_send(const char *id, int cols, int rows, int budget_ms)
{
    ULONGLONG deadline =
        GetTickCount64() + (budget_ms > 0 ? (ULONGLONG)budget_ms : 0);
    char name[CTL_NAME_MAX], msg[CTL_MSG_MAX + 1];
    OVERLAPPED ov;
    HANDLE h;
    DWORD n = 0;
    bool ok = false;
    int len;

    if (ctl_pipe_name(id, name, sizeof name) != CTL_OK)
        return false;
    len = ctl_encode_resize(msg, sizeof msg, cols, rows);
    if (len < 0)
        return false;
    for (;;) {
        DWORD err;

        /* Overlapped, so that the write below can be bounded; identify-
         * only, so that whoever serves the name cannot act as us. */
        h = CreateFileA(name, GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                        FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT |
                            SECURITY_IDENTIFICATION,
                        NULL);
        if (h != INVALID_HANDLE_VALUE)
            break;
        err = GetLastError();
        /* Every instance busy: wait for one with what is left of the
         * budget; anything else (no such pipe) is final. */
        if (err != ERROR_PIPE_BUSY || remaining(deadline) == 0)
            return false;
        if (!WaitNamedPipeA(name, remaining(deadline)) &&
            GetLastError() != ERROR_SEM_TIMEOUT)
            Sleep(1); /* gone or failing: CreateFile above decides */
    }
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    if (ov.hEvent == NULL) {
        CloseHandle(h);
        return false;
    }
    /* One message, one write; the answer is not read. */
    if (WriteFile(h, msg, (DWORD)len, NULL, &ov) ||
        GetLastError() == ERROR_IO_PENDING) {
        if (WaitForSingleObject(ov.hEvent, remaining(deadline)) ==
            WAIT_OBJECT_0) {
            ok = GetOverlappedResult(h, &ov, &n, FALSE) && n == (DWORD)len;
        } else {
            CancelIoEx(h, &ov);
            GetOverlappedResult(h, &ov, &n, TRUE); /* wait for the cancel */
        }
    }
    CloseHandle(ov.hEvent);
    CloseHandle(h);
    return ok;
}

/* win_client.c -- "conpty-proxy resize <id> <cols> <rows>" on Windows:
 * send one resize to the session's control pipe and read its answer,
 * every wait bounded by one time budget.  (Not the loop: blocking here is
 * fine as long as it is bounded.) */
#include "win_backend.h"

#include <stdio.h>
#include <string.h>

#include "channel.h"

enum { CLIENT_BUDGET_MS = 2000 };

static DWORD remaining(uint64_t deadline)
{
    uint64_t now = win_now_ms();
    return now >= deadline ? 0 : (DWORD)(deadline - now);
}

/* One overlapped read or write on H, waited for until DEADLINE.  Returns
 * 0 or the error (ERROR_TIMEOUT when the budget ran out). */
static DWORD timed_io(HANDLE h, bool write, void *buf, DWORD len, DWORD *done,
                      uint64_t deadline)
{
    OVERLAPPED ov;
    BOOL ok;
    DWORD err = 0;

    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    if (ov.hEvent == NULL)
        return GetLastError();
    ok = write ? WriteFile(h, buf, len, NULL, &ov)
               : ReadFile(h, buf, len, NULL, &ov);
    if (!ok && (err = GetLastError()) != ERROR_IO_PENDING) {
        CloseHandle(ov.hEvent);
        return err;
    }
    if (WaitForSingleObject(ov.hEvent, remaining(deadline)) != WAIT_OBJECT_0) {
        CancelIoEx(h, &ov);
        GetOverlappedResult(h, &ov, done, TRUE); /* the cancel completes */
        CloseHandle(ov.hEvent);
        return ERROR_TIMEOUT;
    }
    err = GetOverlappedResult(h, &ov, done, FALSE) ? 0 : GetLastError();
    CloseHandle(ov.hEvent);
    return err;
}

static void client_error(const char *what, const char *name, DWORD err)
{
    char text[256];

    fprintf(stderr, "conpty-proxy: resize: %s %s: error %lu (%s)\n", what, name,
            (unsigned long)err, win_strerror(err, text, sizeof text));
}

int backend_send_resize(const char *id, int cols, int rows)
{
    uint64_t deadline = win_now_ms() + CLIENT_BUDGET_MS;
    char name[CTL_NAME_MAX], msg[CTL_MSG_MAX + 1], answer[CTL_MSG_MAX + 1];
    DWORD mode = PIPE_READMODE_MESSAGE, n = 0, err;
    enum ctl_status st;
    enum ctl_answer_kind kind;
    const char *reason;
    size_t reason_len;
    HANDLE h;
    int len;

    st = ctl_pipe_name(id, name, sizeof name);
    len = ctl_encode_resize(msg, sizeof msg, cols, rows);
    if (st != CTL_OK || len < 0) {
        fprintf(stderr, "conpty-proxy: resize: %s\n",
                ctl_strerror(st != CTL_OK ? st : CTL_E_RANGE));
        return PROXY_EXIT_FAILURE;
    }
    for (;;) {
        /* SECURITY_IDENTIFICATION: whoever serves the name cannot act as
         * us. */
        h = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                        OPEN_EXISTING,
                        FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT |
                            SECURITY_IDENTIFICATION,
                        NULL);
        if (h != INVALID_HANDLE_VALUE)
            break;
        err = GetLastError();
        if (err != ERROR_PIPE_BUSY || remaining(deadline) == 0) {
            client_error("cannot open", name, err);
            return PROXY_EXIT_FAILURE;
        }
        /* Every instance busy: wait for one, within the budget. */
        if (!WaitNamedPipeA(name, remaining(deadline)) &&
            GetLastError() != ERROR_SEM_TIMEOUT)
            Sleep(1); /* gone or failing: CreateFile above decides */
    }
    if (!SetNamedPipeHandleState(h, &mode, NULL, NULL)) {
        client_error("SetNamedPipeHandleState on", name, GetLastError());
        CloseHandle(h);
        return PROXY_EXIT_FAILURE;
    }
    err = timed_io(h, true, msg, (DWORD)len, &n, deadline);
    if (err != 0) {
        client_error("cannot write to", name, err);
        CloseHandle(h);
        return PROXY_EXIT_FAILURE;
    }
    err = timed_io(h, false, answer, sizeof answer, &n, deadline);
    CloseHandle(h);
    if (err != 0) {
        client_error("no answer from", name, err);
        return PROXY_EXIT_FAILURE;
    }
    st = ctl_parse_answer(answer, n, &kind, &reason, &reason_len);
    if (st != CTL_OK) {
        fprintf(stderr, "conpty-proxy: resize: %s\n", ctl_strerror(st));
        return PROXY_EXIT_FAILURE;
    }
    if (kind == CTL_ANSWER_ERROR) {
        fprintf(stderr, "conpty-proxy: resize refused: %.*s\n", (int)reason_len,
                reason);
        return PROXY_EXIT_FAILURE;
    }
    return kind == CTL_ANSWER_OK ? 0 : PROXY_EXIT_FAILURE;
}

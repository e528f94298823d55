/* win_client.c -- the control channel's client side on Windows:
 * "conpty-proxy resize" and "kill", and the request that "list" uses
 * too; every wait bounded by one time budget.  (Not the loop: blocking
 * here is fine as long as it is bounded.) */
#include "win_backend.h"

#include <stdio.h>
#include <string.h>

#include "channel.h"

static DWORD remaining(uint64_t deadline)
{
    uint64_t now = win_now_ms();
    return now >= deadline ? 0 : (DWORD)(deadline - now);
}

DWORD win_timed_io(HANDLE h, bool write, void *buf, DWORD len, DWORD *done,
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

HANDLE win_open_pipe(const char *name, uint64_t deadline, DWORD *err)
{
    for (;;) {
        /* SECURITY_IDENTIFICATION: whoever serves the name cannot act as
         * us. */
        HANDLE h = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                               OPEN_EXISTING,
                               FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT |
                                   SECURITY_IDENTIFICATION,
                               NULL);
        if (h != INVALID_HANDLE_VALUE)
            return h;
        *err = GetLastError();
        if (*err != ERROR_PIPE_BUSY || remaining(deadline) == 0)
            return INVALID_HANDLE_VALUE;
        /* Every instance busy: wait for one, within the budget. */
        if (!WaitNamedPipeA(name, remaining(deadline)) &&
            GetLastError() != ERROR_SEM_TIMEOUT)
            Sleep(1); /* gone or failing: CreateFile above decides */
    }
}

static void client_error(const char *what, const char *name, DWORD err)
{
    char text[256];

    fprintf(stderr, "conpty-proxy: %s %s: error %lu (%s)\n", what, name,
            (unsigned long)err, win_strerror(err, text, sizeof text));
}

int win_ctl_request(const char *id, const char *msg, size_t len, char *answer,
                    size_t size, bool quiet)
{
    uint64_t deadline = win_now_ms() + WIN_CLIENT_BUDGET_MS;
    char name[CTL_NAME_MAX];
    DWORD mode = PIPE_READMODE_MESSAGE, n = 0, err = 0;
    enum ctl_status st = ctl_pipe_name(id, name, sizeof name);
    HANDLE h;

    if (st != CTL_OK) {
        fprintf(stderr, "conpty-proxy: %s: %s\n", id, ctl_strerror(st));
        return -1;
    }
    h = win_open_pipe(name, deadline, &err);
    if (h == INVALID_HANDLE_VALUE) {
        if (!quiet || err != ERROR_FILE_NOT_FOUND)
            client_error("cannot open", name, err);
        return -1;
    }
    if (!SetNamedPipeHandleState(h, &mode, NULL, NULL)) {
        client_error("SetNamedPipeHandleState on", name, GetLastError());
        CloseHandle(h);
        return -1;
    }
    err = win_timed_io(h, true, (void *)msg, (DWORD)len, &n, deadline);
    if (err != 0) {
        client_error("cannot write to", name, err);
        CloseHandle(h);
        return -1;
    }
    err = win_timed_io(h, false, answer, (DWORD)size, &n, deadline);
    CloseHandle(h);
    if (err != 0) {
        client_error("no answer from", name, err);
        return -1;
    }
    return (int)n;
}

/* Send the message of LEN bytes at MSG to session ID and expect "ok";
 * WHAT names the request in messages. */
static int request_ok(const char *what, const char *id, const char *msg,
                      int len)
{
    char answer[CTL_ANSWER_MAX + 1];
    enum ctl_answer_kind kind;
    const char *reason;
    size_t reason_len;
    enum ctl_status st;
    int n;

    if (len < 0) {
        fprintf(stderr, "conpty-proxy: %s: %s\n", what,
                ctl_strerror(CTL_E_RANGE));
        return PROXY_EXIT_FAILURE;
    }
    n = win_ctl_request(id, msg, (size_t)len, answer, sizeof answer, false);
    if (n < 0)
        return PROXY_EXIT_FAILURE;
    st = ctl_parse_answer(answer, (size_t)n, &kind, &reason, &reason_len);
    if (st != CTL_OK) {
        fprintf(stderr, "conpty-proxy: %s: %s\n", what, ctl_strerror(st));
        return PROXY_EXIT_FAILURE;
    }
    if (kind == CTL_ANSWER_ERROR) {
        fprintf(stderr, "conpty-proxy: %s refused: %.*s\n", what,
                (int)reason_len, reason);
        return PROXY_EXIT_FAILURE;
    }
    return kind == CTL_ANSWER_OK ? 0 : PROXY_EXIT_FAILURE;
}

int backend_send_resize(const char *id, int cols, int rows)
{
    char msg[CTL_MSG_MAX + 1];

    return request_ok("resize", id, msg,
                      ctl_encode_resize(msg, sizeof msg, cols, rows));
}

int backend_kill(const char *id)
{
    char msg[CTL_MSG_MAX + 1];

    return request_ok("kill", id, msg,
                      ctl_encode_verb(msg, sizeof msg, CTL_VERB_KILL));
}

/* client.c -- the Windows control-channel test client.
 *
 *   client resize ID COLS ROWS   module/proxy_resize.h's
 *                                proxy_resize_send (the module's own
 *                                code): exit 0 when it returns true
 *   client ping ID               "ping\n" -> expects "pong\n"
 *   client abuse ID              the abuse list; prints PASS/FAIL lines
 *   client vanish ID HOW N       N connections that write part of a
 *                                message (HOW "partial": no newline) or
 *                                the start of one (HOW "oversize": 64
 *                                KiB) and close at once without reading;
 *                                the last one ends the process instead
 *   client storm ID THREADS N    THREADS concurrent clients sending N
 *                                resizes each: exit 0 when all were
 *                                written
 *   client data-pipe ID          session server ID's data pipe: its DACL
 *                                and GetNamedPipeInfo; prints PASS/FAIL
 *                                lines
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <aclapi.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "control.h"
#include "proxy_resize.h"
#include "win_backend.h" /* WIN_CTL_INSTANCES */
#include "wine_test.h"

static char pipe_name[CTL_NAME_MAX];

/* Open the control pipe (waiting while busy, up to MS). */
static HANDLE open_pipe(DWORD ms)
{
    ULONGLONG deadline = GetTickCount64() + ms;

    for (;;) {
        HANDLE h = CreateFileA(pipe_name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                               OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
        DWORD mode = PIPE_READMODE_MESSAGE;
        if (h != INVALID_HANDLE_VALUE) {
            if (!SetNamedPipeHandleState(h, &mode, NULL, NULL)) {
                fprintf(stderr, "SetNamedPipeHandleState: %lu\n",
                        (unsigned long)GetLastError());
                CloseHandle(h);
                return INVALID_HANDLE_VALUE;
            }
            return h;
        }
        if (GetLastError() != ERROR_PIPE_BUSY || GetTickCount64() >= deadline) {
            fprintf(stderr, "CreateFile %s: %lu\n", pipe_name,
                    (unsigned long)GetLastError());
            return INVALID_HANDLE_VALUE;
        }
        WaitNamedPipeA(pipe_name, 100);
    }
}

/* Overlapped I/O bounded by MS; returns the error (0 = ok). */
static DWORD io(HANDLE h, bool write, void *buf, DWORD len, DWORD *done,
                DWORD ms)
{
    OVERLAPPED ov;
    DWORD err = 0;

    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    *done = 0;
    if (!(write ? WriteFile(h, buf, len, NULL, &ov)
                : ReadFile(h, buf, len, NULL, &ov)) &&
        (err = GetLastError()) != ERROR_IO_PENDING) {
        CloseHandle(ov.hEvent);
        return err;
    }
    if (WaitForSingleObject(ov.hEvent, ms) != WAIT_OBJECT_0) {
        CancelIoEx(h, &ov);
        GetOverlappedResult(h, &ov, done, TRUE);
        CloseHandle(ov.hEvent);
        return WAIT_TIMEOUT;
    }
    err = GetOverlappedResult(h, &ov, done, FALSE) ? 0 : GetLastError();
    CloseHandle(ov.hEvent);
    return err;
}

/* Send LEN bytes as one message on H and read the answer into ANS. */
static bool exchange(HANDLE h, const void *msg, DWORD len, char *ans,
                     size_t size)
{
    DWORD n;

    if (io(h, true, (void *)msg, len, &n, 5000) != 0 || n != len)
        return false;
    if (io(h, false, ans, (DWORD)size - 1, &n, 5000) != 0)
        return false;
    ans[n] = '\0';
    return true;
}

/* One connection, one message, the answer compared with EXPECT (a
 * prefix). */
static bool ask(const void *msg, DWORD len, const char *expect)
{
    char ans[CTL_MSG_MAX + 1];
    HANDLE h = open_pipe(3000);
    bool ok;

    if (h == INVALID_HANDLE_VALUE)
        return false;
    ok = exchange(h, msg, len, ans, sizeof ans) &&
         strncmp(ans, expect, strlen(expect)) == 0;
    if (!ok)
        fprintf(stderr, "sent %lu bytes, answer '%s', wanted '%s'\n",
                (unsigned long)len, ans, expect);
    CloseHandle(h);
    return ok;
}

static bool ping(void)
{
    return ask("ping\n", 5, "pong\n");
}

struct flood {
    const char *id;
    int count, ok;
};

static DWORD WINAPI flood_main(void *arg)
{
    struct flood *f = arg;

    for (int i = 0; i < f->count; i++)
        if (proxy_resize_send(f->id, 100 + i % 50, 30 + i % 10, 5000))
            f->ok++;
    return 0;
}

enum { FLOOD_MAX_THREADS = 64 };

/* THREADS concurrent clients, COUNT resizes each: true when every one
 * was written. */
static bool flood(const char *id, int threads, int count)
{
    struct flood f[FLOOD_MAX_THREADS];
    HANDLE t[FLOOD_MAX_THREADS];
    int total = 0;

    if (threads < 1 || threads > FLOOD_MAX_THREADS)
        return false;
    for (int i = 0; i < threads; i++) {
        f[i].id = id;
        f[i].count = count;
        f[i].ok = 0;
        t[i] = CreateThread(NULL, 0, flood_main, &f[i], 0, NULL);
        if (t[i] == NULL) {
            fprintf(stderr, "CreateThread: %lu\n",
                    (unsigned long)GetLastError());
            ExitProcess(3);
        }
    }
    if (WaitForMultipleObjects((DWORD)threads, t, TRUE, 240000) !=
        WAIT_OBJECT_0) {
        fprintf(stderr, "flood: threads still running\n");
        ExitProcess(3);
    }
    for (int i = 0; i < threads; i++) {
        total += f[i].ok;
        CloseHandle(t[i]);
    }
    if (total != threads * count)
        fprintf(stderr, "flood: %d of %d written\n", total, threads * count);
    return total == threads * count;
}

/* COUNT clients vanish mid-message (see the usage above). */
static int vanish(const char *how, int count)
{
    static char big[64 << 10];
    /* A pending write may complete after its handle is closed: every one
     * keeps its OVERLAPPED for the life of the process. */
    static OVERLAPPED ov[256];
    bool oversize = strcmp(how, "oversize") == 0;
    const char *msg = oversize ? big : "resize 12";
    DWORD len = oversize ? (DWORD)sizeof big : 9;

    if ((!oversize && strcmp(how, "partial") != 0) || count < 1 ||
        count > (int)(sizeof ov / sizeof ov[0]))
        return 2;
    memset(big, 'r', sizeof big);
    for (int i = 0; i < count; i++) {
        HANDLE h = open_pipe(3000);
        DWORD err;
        if (h == INVALID_HANDLE_VALUE)
            return 1;
        if (!WriteFile(h, msg, len, NULL, &ov[i]) &&
            (err = GetLastError()) != ERROR_IO_PENDING) {
            fprintf(stderr, "WriteFile: %lu\n", (unsigned long)err);
            return 1;
        }
        /* The last one is closed by the process's exit, its write
         * perhaps still pending. */
        if (i < count - 1)
            CloseHandle(h);
    }
    return 0;
}

/* GetNamedPipeInfo on our end: a message pipe with WIN_CTL_INSTANCES
 * instances at most. */
static bool check_pipe_info(void)
{
    HANDLE h = open_pipe(3000);
    DWORD flags = 0, out = 0, in = 0, max = 0;
    bool ok;

    if (h == INVALID_HANDLE_VALUE)
        return false;
    ok = GetNamedPipeInfo(h, &flags, &out, &in, &max);
    if (!ok)
        fprintf(stderr, "GetNamedPipeInfo: %lu\n",
                (unsigned long)GetLastError());
    CloseHandle(h);
    if (ok && (flags != (PIPE_CLIENT_END | PIPE_TYPE_MESSAGE) ||
               max != WIN_CTL_INSTANCES)) {
        fprintf(stderr, "GetNamedPipeInfo: flags 0x%lx, %lu instances\n",
                (unsigned long)flags, (unsigned long)max);
        ok = false;
    }
    return ok;
}

/* The control pipe's DACL: exactly two allow entries, the current user
 * and SYSTEM (never the default DACL that lets Everyone read). */
static bool check_dacl(void)
{
    HANDLE h, token;
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    BYTE user_buf[256], system_sid[SECURITY_MAX_SID_SIZE];
    DWORD len = sizeof user_buf, system_len = sizeof system_sid, err;
    bool user = false, system = false, other = false;

    h = CreateFileA(pipe_name, READ_CONTROL, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "CreateFile (READ_CONTROL): %lu\n",
                (unsigned long)GetLastError());
        return false;
    }
    err = GetSecurityInfo(h, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, NULL,
                          NULL, &dacl, NULL, &sd);
    CloseHandle(h);
    if (err != ERROR_SUCCESS || dacl == NULL) {
        fprintf(stderr, "GetSecurityInfo: %lu (dacl %p)\n", (unsigned long)err,
                (void *)dacl);
        return false;
    }
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token) ||
        !GetTokenInformation(token, TokenUser, user_buf, len, &len) ||
        !CreateWellKnownSid(WinLocalSystemSid, NULL, system_sid, &system_len)) {
        fprintf(stderr, "token/SID: %lu\n", (unsigned long)GetLastError());
        LocalFree(sd);
        return false;
    }
    CloseHandle(token);
    for (DWORD i = 0; i < dacl->AceCount; i++) {
        ACCESS_ALLOWED_ACE *ace;
        PSID sid;
        if (!GetAce(dacl, i, (void **)&ace))
            continue;
        sid = (PSID)&ace->SidStart;
        if (ace->Header.AceType != ACCESS_ALLOWED_ACE_TYPE)
            other = true;
        else if (EqualSid(sid, ((TOKEN_USER *)user_buf)->User.Sid))
            user = true;
        else if (EqualSid(sid, (PSID)system_sid))
            system = true;
        else
            other = true;
    }
    if (!user || !system || other)
        fprintf(stderr, "DACL: %u entries, user %d, system %d, other %d\n",
                dacl->AceCount, user, system, other);
    LocalFree(sd);
    return user && system && !other;
}

/* The data pipe of a session server: the same DACL as the control
 * pipe's, a byte pipe of WIN_DATA_INSTANCES instances. */
static int data_pipe(void)
{
    HANDLE h = CreateFileA(pipe_name, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                           OPEN_EXISTING, 0, NULL);
    DWORD flags = 0, out = 0, in = 0, max = 0;
    bool info = h != INVALID_HANDLE_VALUE &&
                GetNamedPipeInfo(h, &flags, &out, &in, &max);

    wt_result(check_dacl(),
              "data-pipe: the DACL grants only the user and SYSTEM");
    wt_result(info && flags == (PIPE_CLIENT_END | PIPE_TYPE_BYTE) &&
                  max == WIN_DATA_INSTANCES,
              "data-pipe: a byte pipe of %d instances (flags 0x%lx, %lu)",
              WIN_DATA_INSTANCES, (unsigned long)flags, (unsigned long)max);
    if (h != INVALID_HANDLE_VALUE)
        CloseHandle(h);
    return wt_failures == 0 ? 0 : 1;
}

static int abuse(const char *id)
{
    char buf[CTL_MSG_MAX + 1];
    static char big[64 << 10];
    unsigned char junk[40];
    HANDLE h, silent;
    DWORD n, err;
    bool ok;

    wt_result(ping(), "control: ping answered pong");
    wt_result(check_dacl(),
              "control: pipe DACL grants only the user and SYSTEM");
    wt_result(check_pipe_info(),
              "control: GetNamedPipeInfo: a message pipe of 4 instances");

    memset(big, 'a', sizeof big);
    big[sizeof big - 1] = '\n';
    wt_result(ask(big, sizeof big, "error "),
              "control: 64 KiB message -> error");
    /* One byte over CTL_MSG_MAX: ERROR_MORE_DATA in the proxy. */
    memset(big, 'x', CTL_MSG_MAX);
    big[CTL_MSG_MAX] = '\n';
    wt_result(ask(big, CTL_MSG_MAX + 1, "error "),
              "control: 65-byte message -> error");

    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 37 + 200);
    wt_result(ask(junk, sizeof junk, "error "),
              "control: binary junk -> error");
    wt_result(ask("hello\n", 6, "error "), "control: unknown verb -> error");
    wt_result(ask("resize 0 10\n", 12, "error "), "control: size 0 -> error");
    wt_result(ask("resize 40000 10\n", 16, "error "),
              "control: size 40000 -> error");
    wt_result(ask("ping", 4, "error "), "control: missing newline -> error");
    wt_result(ask("", 0, "error "), "control: empty message -> error");

    /* Several messages on one connection. */
    h = open_pipe(3000);
    ok = h != INVALID_HANDLE_VALUE;
    for (int i = 0; ok && i < 3; i++)
        ok = exchange(h, "ping\n", 5, buf, sizeof buf) &&
             strcmp(buf, "pong\n") == 0;
    if (h != INVALID_HANDLE_VALUE)
        CloseHandle(h);
    wt_result(ok, "control: three pings on one connection");

    /* Connect and close without writing; write and close without reading
     * (what the module does). */
    ok = true;
    for (int i = 0; i < 100 && ok; i++) {
        h = open_pipe(3000);
        ok = h != INVALID_HANDLE_VALUE;
        if (ok)
            CloseHandle(h);
    }
    wt_result(ok, "control: 100 x connect-close");
    n = 0;
    for (int i = 0; i < 1000; i++)
        if (proxy_resize_send(id, 90 + i % 20, 30, 3000))
            n++;
    wt_result(n == 1000, "control: 1000 x proxy_resize_send (write, close)");

    /* A silent client is dropped after 5 s; others are served meanwhile. */
    silent = open_pipe(3000);
    {
        ULONGLONG t0 = GetTickCount64();
        bool served = ping();
        wt_result(silent != INVALID_HANDLE_VALUE && served,
                  "control: ping served while a silent client is connected");
        if (silent != INVALID_HANDLE_VALUE) {
            err = io(silent, false, buf, sizeof buf - 1, &n, 9000);
            ULONGLONG waited = GetTickCount64() - t0;
            wt_result(err != 0 && err != WAIT_TIMEOUT && waited >= 4000 &&
                          waited <= 8000,
                      "control: silent client dropped after about 5 s");
            if (!(err != 0 && err != WAIT_TIMEOUT))
                fprintf(stderr, "silent client: err %lu after %llu ms\n",
                        (unsigned long)err, (unsigned long long)waited);
            CloseHandle(silent);
        }
    }

    wt_result(flood(id, 8, 1000),
              "control: 8 concurrent clients x 1000 resizes");
    wt_result(ping(), "control: still answering after the abuse");
    return wt_failures == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 3 ||
        ctl_pipe_name(argv[2], pipe_name, sizeof pipe_name) != CTL_OK) {
        fprintf(stderr,
                "usage: client resize|ping|abuse|vanish|storm ID ...\n");
        return 2;
    }
    if (strcmp(argv[1], "resize") == 0 && argc == 5)
        return proxy_resize_send(argv[2], atoi(argv[3]), atoi(argv[4]), 2000)
                   ? 0
                   : 1;
    if (strcmp(argv[1], "ping") == 0)
        return ping() ? 0 : 1;
    if (strcmp(argv[1], "data-pipe") == 0)
        return ctl_data_pipe_name(argv[2], pipe_name, sizeof pipe_name) ==
                       CTL_OK
                   ? data_pipe()
                   : 2;
    if (strcmp(argv[1], "abuse") == 0)
        return abuse(argv[2]);
    if (strcmp(argv[1], "vanish") == 0 && argc == 5)
        return vanish(argv[3], atoi(argv[4]));
    if (strcmp(argv[1], "storm") == 0 && argc == 5)
        return flood(argv[2], atoi(argv[3]), atoi(argv[4])) ? 0 : 1;
    fprintf(stderr, "client: unknown mode %s\n", argv[1]);
    return 2;
}

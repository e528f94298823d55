/* winbench.c -- the Windows half of "make bench", run under Wine.
 *
 *   winbench resize PROXY ID N   start "PROXY new ID 80 24 winbench child
 *                                ID" over CreatePipe pipes (as Emacs does),
 *                                then N direct control-channel resizes
 *                                (module/proxy_resize.h) and N spawns of
 *                                "PROXY resize ID COLS ROWS"; prints
 *                                p50/p99 of each in microseconds
 *   winbench child ID            the session's child: waits until the
 *                                benchmark says it is done (Wine 8 gives
 *                                it no pseudo-console handles to read)
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_resize.h"

static double freq;

static double now(void)
{
    LARGE_INTEGER c;

    QueryPerformanceCounter(&c);
    return (double)c.QuadPart / freq;
}

static void fail(const char *what)
{
    fprintf(stderr, "winbench: %s: %lu\n", what, (unsigned long)GetLastError());
    exit(1);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void print_pct(const char *key, double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    printf("%s_p50_us %.1f\n", key, v[n / 2] * 1e6);
    printf("%s_p99_us %.1f\n", key, v[(n * 99) / 100] * 1e6);
}

static DWORD WINAPI drain(LPVOID arg)
{
    char buf[4096];
    DWORD n;

    while (ReadFile((HANDLE)arg, buf, sizeof buf, &n, NULL) && n > 0)
        ;
    return 0;
}

static int cmd_child(const char *id)
{
    char name[128];
    HANDLE ev;

    snprintf(name, sizeof name, "winbench-done-%s", id);
    ev = CreateEventA(NULL, TRUE, FALSE, name);
    if (ev != NULL)
        WaitForSingleObject(ev, 600000);
    return 0;
}

static int cmd_resize(const char *proxy, const char *id, int n)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE child_in, in_w, out_r, child_out, done_ev;
    char self[MAX_PATH], cmd[2048], evname[128];
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    double *direct = calloc((size_t)n, sizeof *direct);
    double *helper = calloc((size_t)n, sizeof *helper);
    int failed = 0, nonzero = 0, spawn_errors = 0;

    snprintf(evname, sizeof evname, "winbench-done-%s", id);
    done_ev = CreateEventA(NULL, TRUE, FALSE, evname);
    if (done_ev == NULL)
        fail("CreateEvent");
    if (!GetModuleFileNameA(NULL, self, sizeof self))
        fail("GetModuleFileName");
    if (!CreatePipe(&child_in, &in_w, &sa, 0) ||
        !CreatePipe(&out_r, &child_out, &sa, 0))
        fail("CreatePipe");
    SetHandleInformation(in_w, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(out_r, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = child_in;
    si.hStdOutput = child_out;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    snprintf(cmd, sizeof cmd, "\"%s\" new %s 80 24 \"%s\" child %s", proxy, id,
             self, id);
    if (!CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
        fail("CreateProcess proxy");
    CloseHandle(child_in);
    CloseHandle(child_out);
    CloseHandle(pi.hThread);
    CloseHandle(CreateThread(NULL, 0, drain, out_r, 0, NULL));

    /* Ready when the channel takes a message. */
    bool ready = false;
    for (int i = 0; i < 300 && !ready; i++) {
        ready = proxy_resize_send(id, 80, 24, 100);
        if (!ready)
            Sleep(20);
    }
    if (!ready) {
        fprintf(stderr, "winbench: control channel of %s never answered\n", id);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        double t0 = now();
        bool ok = proxy_resize_send(id, 60 + i % 40, 20 + i % 7, 1000);
        direct[i] = now() - t0;
        failed += !ok;
    }
    for (int i = 0; i < n; i++) {
        STARTUPINFOA hsi;
        PROCESS_INFORMATION hpi;
        DWORD code = 1;

        memset(&hsi, 0, sizeof hsi);
        hsi.cb = sizeof hsi;
        snprintf(cmd, sizeof cmd, "\"%s\" resize %s %d %d", proxy, id,
                 61 + i % 40, 21 + i % 7);
        /* Wine now and then fails a CreateProcess (1359) after hundreds
         * of them: count it and try again; the time is that of the
         * attempt that started the helper. */
        double t0 = now();
        int tries = 0;
        while (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, CREATE_NO_WINDOW,
                               NULL, NULL, &hsi, &hpi)) {
            spawn_errors++;
            if (++tries == 10)
                fail("CreateProcess resize");
            Sleep(100);
            t0 = now();
        }
        WaitForSingleObject(hpi.hProcess, INFINITE);
        helper[i] = now() - t0;
        GetExitCodeProcess(hpi.hProcess, &code);
        nonzero += code != 0;
        CloseHandle(hpi.hProcess);
        CloseHandle(hpi.hThread);
    }
    print_pct("wine_resize_direct", direct, n);
    print_pct("wine_resize_helper", helper, n);
    printf("wine_resize_failed %d\n", failed);
    /* Wine 8: ResizePseudoConsole is E_NOTIMPL, so the helper exits 1. */
    printf("wine_resize_helper_nonzero %d\n", nonzero);
    printf("wine_resize_spawn_errors %d\n", spawn_errors);
    fflush(stdout);

    SetEvent(done_ev);
    CloseHandle(in_w);
    if (WaitForSingleObject(pi.hProcess, 10000) != WAIT_OBJECT_0)
        TerminateProcess(pi.hProcess, 1);
    CloseHandle(pi.hProcess);
    return 0;
}

int main(int argc, char **argv)
{
    LARGE_INTEGER f;

    QueryPerformanceFrequency(&f);
    freq = (double)f.QuadPart;
    if (argc == 5 && strcmp(argv[1], "resize") == 0)
        return cmd_resize(argv[2], argv[3], atoi(argv[4]));
    if (argc == 3 && strcmp(argv[1], "child") == 0)
        return cmd_child(argv[2]);
    fprintf(stderr, "usage: see the top of tests/bench/winbench.c\n");
    return 2;
}

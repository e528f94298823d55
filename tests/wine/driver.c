/* driver.c -- an Emacs-like parent for conpty-proxy.exe under Wine.
 *
 * It starts the proxy the way Emacs's w32proc.c starts a subprocess:
 * two anonymous pipes from CreatePipe, the child's ends inheritable and
 * ours not, STARTF_USESTDHANDLES with stderr on the stdout pipe, inherited
 * handles, a new console with a hidden window, our error mode inherited.  A
 * reader thread collects the proxy's stdout (and can be told to stall); the
 * main thread writes its stdin and checks what comes back.  Each check prints
 * "PASS <what>" or "FAIL <what>"; the exit status is 0 when all passed.
 *
 *   driver SCENARIO PROXY FIXTURE CLIENT ID [SIZE]
 *
 * Scenarios: basic, exitcode, env, raw, stdout-close, idle, big (SIZE in
 * lines), stall (SIZE in MiB), stdin-eof, start-fail, squat, squatter,
 * abuse, path-search, conpty-dll, error-mode, inherit, resize-stall;
 * persistent sessions: persist, persist-held, persist-squat, persist-stall,
 * persist-job, persist-race, persist-server-kill, persist-start-fail;
 * fault injection: wm-close, child-kill, proxy-kill, vanish, storm. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <tlhelp32.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "control.h"
#include "queue.h"
#include "wine_test.h"

static const char *proxy_path, *fixture_path, *client_path, *id;

static void note(const char *fmt, ...)
    __attribute__((format(__MINGW_PRINTF_FORMAT, 1, 2)));
static void note(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "driver: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
}

/* ---- the proxy as a child, over anonymous pipes ---------------------- */

struct proc {
    HANDLE process;
    DWORD pid;
    HANDLE in_w;  /* our end of its stdin */
    HANDLE out_r; /* our end of its stdout + stderr */
    HANDLE reader;
    CRITICAL_SECTION lock;
    HANDLE more;   /* auto-reset: new bytes or EOF */
    HANDLE resume; /* manual-reset: set when not stalled */
    char *buf;     /* under lock */
    size_t len, cap;
    bool eof;
};

static DWORD WINAPI reader_main(void *arg)
{
    struct proc *p = arg;
    static char tmp[64 << 10];

    for (;;) {
        DWORD n = 0;
        WaitForSingleObject(p->resume, INFINITE);
        if (!ReadFile(p->out_r, tmp, sizeof tmp, &n, NULL) || n == 0)
            break;
        EnterCriticalSection(&p->lock);
        if (p->len + n + 1 > p->cap) {
            size_t cap = p->cap ? p->cap : 1 << 16;
            while (p->len + n + 1 > cap)
                cap *= 2;
            p->buf = realloc(p->buf, cap);
            if (p->buf == NULL)
                ExitProcess(99);
            p->cap = cap;
        }
        memcpy(p->buf + p->len, tmp, n);
        p->len += n;
        p->buf[p->len] = '\0';
        LeaveCriticalSection(&p->lock);
        SetEvent(p->more);
    }
    EnterCriticalSection(&p->lock);
    p->eof = true;
    LeaveCriticalSection(&p->lock);
    SetEvent(p->more);
    return 0;
}

static void to_backslashes(char *s)
{
    for (; *s; s++)
        if (*s == '/')
            *s = '\\';
}

/* PATH with backslashes, made absolute. */
static const char *full_path(char *path)
{
    static char bufs[3][MAX_PATH];
    static int next;
    char *buf = bufs[next++ % 3];

    to_backslashes(path);
    if (GetFullPathNameA(path, MAX_PATH, buf, NULL) == 0)
        return path;
    return buf;
}

/* For the "inherit" scenario: keep a duplicate of the proxy's stdout
 * pipe end in KEPT_CHILD_OUT. */
static bool keep_child_out;
static HANDLE kept_child_out;
/* For the "persist-job" scenario: the proxy starts in this job, as the
 * children of an Emacs that runs in one do. */
static HANDLE proxy_job;

static bool start_proxy_in(struct proc *p, const char *args, const char *cwd)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE child_in, child_out;
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    char cmd[2048];

    memset(p, 0, sizeof *p);
    InitializeCriticalSection(&p->lock);
    p->more = CreateEventA(NULL, FALSE, FALSE, NULL);
    p->resume = CreateEventA(NULL, TRUE, TRUE, NULL);
    /* As Emacs: inheritable pipes, then our ends made non-inheritable. */
    if (!CreatePipe(&child_in, &p->in_w, &sa, 0) ||
        !CreatePipe(&p->out_r, &child_out, &sa, 0)) {
        note("CreatePipe: %lu", (unsigned long)GetLastError());
        return false;
    }
    SetHandleInformation(p->in_w, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(p->out_r, HANDLE_FLAG_INHERIT, 0);
    snprintf(cmd, sizeof cmd, "\"%s\" %s", proxy_path, args);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES | STARTF_USESHOWWINDOW;
    si.wShowWindow = SW_HIDE;
    si.hStdInput = child_in;
    si.hStdOutput = child_out;
    si.hStdError = child_out;
    /* Emacs's create_child (w32proc.c), w32-start-process-share-console
     * nil and w32-start-process-inherit-error-mode t: a new console,
     * hidden (STARTF_USESHOWWINDOW + SW_HIDE above), and no
     * CREATE_DEFAULT_ERROR_MODE, so the proxy inherits our error mode
     * (main sets Emacs's). */
    if (!CreateProcessA(NULL, cmd, NULL, NULL, TRUE,
                        CREATE_NEW_CONSOLE |
                            (proxy_job != NULL ? CREATE_SUSPENDED : 0),
                        NULL, cwd, &si, &pi)) {
        note("CreateProcess %s: %lu", cmd, (unsigned long)GetLastError());
        return false;
    }
    if (proxy_job != NULL) {
        if (!AssignProcessToJobObject(proxy_job, pi.hProcess))
            note("AssignProcessToJobObject: %lu",
                 (unsigned long)GetLastError());
        ResumeThread(pi.hThread);
    }
    if (keep_child_out)
        DuplicateHandle(GetCurrentProcess(), child_out, GetCurrentProcess(),
                        &kept_child_out, 0, FALSE, DUPLICATE_SAME_ACCESS);
    CloseHandle(child_in);
    CloseHandle(child_out);
    CloseHandle(pi.hThread);
    p->process = pi.hProcess;
    p->pid = pi.dwProcessId;
    p->reader = CreateThread(NULL, 0, reader_main, p, 0, NULL);
    return p->reader != NULL;
}

static bool start_proxy(struct proc *p, const char *args)
{
    return start_proxy_in(p, args, NULL);
}

static bool start_fixture(struct proc *p, int cols, int rows, const char *mode)
{
    char args[1024];

    snprintf(args, sizeof args, "new %s %d %d \"%s\" %s", id, cols, rows,
             fixture_path, mode);
    return start_proxy(p, args);
}

static size_t out_len(struct proc *p)
{
    size_t n;
    EnterCriticalSection(&p->lock);
    n = p->len;
    LeaveCriticalSection(&p->lock);
    return n;
}

/* Copy LEN bytes of terminal output at IN to OUT without escape
 * sequences (CSI ... final, OSC ... BEL or ST, ESC x); returns the
 * length.  ConPTY re-renders the screen, so text arrives interleaved with
 * cursor and mode sequences. */
static size_t strip_vt(const char *in, size_t len, char *out)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c != 0x1b) {
            out[n++] = (char)c;
            continue;
        }
        if (i + 1 < len && in[i + 1] == '[') {
            i += 2;
            while (i < len &&
                   ((unsigned char)in[i] < 0x40 || (unsigned char)in[i] > 0x7e))
                i++;
        } else if (i + 1 < len && in[i + 1] == ']') {
            i += 2;
            while (i < len && in[i] != '\a' &&
                   !(in[i] == 0x1b && i + 1 < len && in[i + 1] == '\\'))
                i++;
            if (i < len && in[i] == 0x1b)
                i++;
        } else {
            i++;
        }
    }
    out[n] = '\0';
    return n;
}

/* The output from offset FROM with escape sequences stripped (malloc'd). */
static char *clean_output(struct proc *p, size_t from)
{
    char *clean;

    EnterCriticalSection(&p->lock);
    if (from > p->len)
        from = p->len;
    clean = malloc(p->len - from + 1);
    if (clean == NULL)
        ExitProcess(99);
    strip_vt(p->buf + from, p->len - from, clean);
    LeaveCriticalSection(&p->lock);
    return clean;
}

/* Wait up to MS for NEEDLE in the output after offset FROM. */
static bool wait_for(struct proc *p, const char *needle, size_t from, DWORD ms)
{
    ULONGLONG deadline = GetTickCount64() + ms;

    for (;;) {
        bool found, eof;
        ULONGLONG now;
        char *clean;
        /* EOF first: if it was there before the copy, the copy is all. */
        EnterCriticalSection(&p->lock);
        eof = p->eof;
        LeaveCriticalSection(&p->lock);
        clean = clean_output(p, from);
        found = strstr(clean, needle) != NULL;
        free(clean);
        if (found)
            return true;
        now = GetTickCount64();
        if (eof || now >= deadline)
            return false;
        WaitForSingleObject(p->more, (DWORD)(deadline - now));
    }
}

static bool wait_eof(struct proc *p, DWORD ms)
{
    ULONGLONG deadline = GetTickCount64() + ms;

    for (;;) {
        bool eof;
        ULONGLONG now = GetTickCount64();
        EnterCriticalSection(&p->lock);
        eof = p->eof;
        LeaveCriticalSection(&p->lock);
        if (eof)
            return true;
        if (now >= deadline)
            return false;
        WaitForSingleObject(p->more, (DWORD)(deadline - now));
    }
}

static bool send_text(struct proc *p, const char *s)
{
    DWORD n;
    return WriteFile(p->in_w, s, (DWORD)strlen(s), &n, NULL) && n == strlen(s);
}

/* The proxy's exit code, or -1 if it is still running after MS. */
static long wait_exit(struct proc *p, DWORD ms)
{
    DWORD code;

    if (WaitForSingleObject(p->process, ms) != WAIT_OBJECT_0)
        return -1;
    if (!GetExitCodeProcess(p->process, &code))
        return -1;
    return (long)code;
}

static void dump_output(struct proc *p)
{
    EnterCriticalSection(&p->lock);
    note("proxy output (%zu bytes, last 600 shown):", p->len);
    if (p->len > 0)
        fprintf(stderr, "%s\n", p->buf + (p->len > 600 ? p->len - 600 : 0));
    LeaveCriticalSection(&p->lock);
}

static void finish_proxy(struct proc *p)
{
    if (wait_exit(p, 0) < 0) {
        note("proxy still running: terminating it");
        TerminateProcess(p->process, 255);
        WaitForSingleObject(p->process, 5000);
    }
    CloseHandle(p->in_w);
    wait_eof(p, 5000);
}

/* Run PROGRAM ARGS and return its exit code (-1: none within MS). */
static long run_program(const char *program, const char *args, DWORD ms)
{
    char cmd[1024];
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    DWORD code;

    snprintf(cmd, sizeof cmd, "\"%s\" %s", program, args);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si,
                        &pi)) {
        note("CreateProcess %s: %lu", cmd, (unsigned long)GetLastError());
        return -1;
    }
    CloseHandle(pi.hThread);
    if (WaitForSingleObject(pi.hProcess, ms) != WAIT_OBJECT_0) {
        TerminateProcess(pi.hProcess, 255);
        WaitForSingleObject(pi.hProcess, 5000);
        CloseHandle(pi.hProcess);
        return -1;
    }
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    return (long)code;
}

/* Run client.exe ARGS. */
static long run_client(const char *args, DWORD ms)
{
    return run_program(client_path, args, ms);
}

/* ---- the processes around the proxy, and Linux's /proc --------------- */

/* Wine's GetProcessTimes on another process returns 0: the proxy's CPU
 * time, and its peak memory as Linux sees it (Wine's own included), come
 * from Linux's /proc through drive Z:.  Reads file NAME of Unix process
 * UNIX_PID into BUF (NUL-terminated); its length, or -1. */
static long read_proc_file(long unix_pid, const char *name, char *buf,
                           size_t size)
{
    char path[64];
    FILE *f;
    size_t n;

    snprintf(path, sizeof path, "Z:\\proc\\%ld\\%s", unix_pid, name);
    f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    return (long)n;
}

/* utime + stime of Unix process UNIX_PID, in clock ticks (-1: unknown). */
static long long proc_cpu_ticks(long unix_pid)
{
    char buf[1024];
    char *s;
    unsigned long long ut, st;

    if (read_proc_file(unix_pid, "stat", buf, sizeof buf) < 0)
        return -1;
    s = strrchr(buf, ')');
    /* The file must be that process's: "<pid> (<comm>) <state> ...". */
    if (atol(buf) != unix_pid)
        return -1;
    if (s == NULL ||
        sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
               &ut, &st) != 2)
        return -1;
    return (long long)(ut + st);
}

/* Peak resident memory (VmHWM) of Unix process UNIX_PID in KiB (-1:
 * unknown). */
static long proc_hwm_kib(long unix_pid)
{
    char buf[4096];
    const char *s;

    if (read_proc_file(unix_pid, "status", buf, sizeof buf) < 0 ||
        (s = strstr(buf, "\nVmHWM:")) == NULL)
        return -1;
    return atol(s + 7);
}

/* The Unix pid of the Wine process running "conpty-proxy.exe new <id>",
 * or -1. */
static long find_unix_pid(const char *verb)
{
    WIN32_FIND_DATAA fd;
    HANDLE find = FindFirstFileA("Z:\\proc\\*", &fd);
    long found = -1;

    if (find == INVALID_HANDLE_VALUE)
        return -1;
    do {
        char buf[4096];
        const char *arg[4];
        long n;
        int k = 0;

        if (fd.cFileName[0] < '1' || fd.cFileName[0] > '9')
            continue;
        n = read_proc_file(atol(fd.cFileName), "cmdline", buf, sizeof buf);
        /* argv: ...conpty-proxy.exe, VERB, <id>, ... */
        for (long i = 0; i < n && k < 4; i += (long)strlen(buf + i) + 1)
            arg[k++] = buf + i;
        if (k >= 3 && strstr(arg[0], "conpty-proxy") != NULL &&
            strcmp(arg[1], verb) == 0 && strcmp(arg[2], id) == 0)
            found = atol(fd.cFileName);
    } while (found < 0 && FindNextFileA(find, &fd));
    FindClose(find);
    return found;
}

/* Idle means idle: the proxy ("conpty-proxy VERB <id>") uses at most
 * MAX ticks (10 ms each) of CPU in MS of doing nothing. */
static void check_idle(const char *name, const char *verb, DWORD ms,
                       long long max)
{
    long unix_pid = find_unix_pid(verb);
    long long before, after;

    wt_result(unix_pid > 0, "%s: found the proxy's Unix process (%ld)", name,
              unix_pid);
    before = proc_cpu_ticks(unix_pid);
    Sleep(ms);
    after = proc_cpu_ticks(unix_pid);
    wt_result(before >= 0 && after >= 0 && after - before <= max,
              "%s: proxy used %lld ticks of CPU in %lu ms idle (at most %lld)",
              name, after - before, (unsigned long)ms, max);
}

/* The fixture running inside the proxy P (a child of the proxy), opened
 * to wait for, query and terminate; NULL when there is none. */
static HANDLE open_fixture(struct proc *p)
{
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    PROCESSENTRY32 pe;
    HANDLE h = NULL;

    if (snap == INVALID_HANDLE_VALUE) {
        note("CreateToolhelp32Snapshot: %lu", (unsigned long)GetLastError());
        return NULL;
    }
    pe.dwSize = sizeof pe;
    for (BOOL more = Process32First(snap, &pe); more && h == NULL;
         more = Process32Next(snap, &pe)) {
        if (pe.th32ParentProcessID != p->pid ||
            _stricmp(pe.szExeFile, "fixture.exe") != 0)
            continue;
        h = OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE |
                            PROCESS_QUERY_LIMITED_INFORMATION,
                        FALSE, pe.th32ProcessID);
        if (h == NULL)
            note("OpenProcess %lu: %lu", (unsigned long)pe.th32ProcessID,
                 (unsigned long)GetLastError());
    }
    CloseHandle(snap);
    return h;
}

/* A named event for the fixture's "hold" and "stream" modes; its name
 * (from the session id: unique per run) into NAME. */
static HANDLE fixture_event(char *name, size_t size)
{
    HANDLE ev;

    snprintf(name, size, "vterm-wine-%s", id);
    ev = CreateEventA(NULL, TRUE, FALSE, name);
    if (ev == NULL)
        note("CreateEvent %s: %lu", name, (unsigned long)GetLastError());
    return ev;
}

/* The number after PREFIX in the output. */
static bool output_number(struct proc *p, const char *prefix, long *n)
{
    char *clean = clean_output(p, 0);
    char *s = strstr(clean, prefix);
    bool ok = s != NULL && sscanf(s + strlen(prefix), "%ld", n) == 1;

    free(clean);
    return ok;
}

enum { READY_MS = 60000 };

/* ---- scenarios ------------------------------------------------------- */

static void scenario_basic(void)
{
    struct proc p;
    char word[64], line[128], args[128];
    long code;
    size_t mark;

    if (!start_fixture(&p, 80, 25, "echo")) {
        wt_result(false, "basic: proxy started");
        return;
    }
    wt_result(wait_for(&p, "READY", 0, READY_MS),
              "basic: fixture READY through the proxy");
    snprintf(word, sizeof word, "hello-%lu-%lu", (unsigned long)GetTickCount(),
             (unsigned long)GetCurrentProcessId());
    mark = out_len(&p);
    snprintf(line, sizeof line, "%s\r", word);
    send_text(&p, line);
    snprintf(line, sizeof line, "ECHO:%s", word);
    wt_result(wait_for(&p, line, mark, 15000), "basic: echo round trip (%s)",
              word);

    mark = out_len(&p);
    send_text(&p, "size\r");
    wt_result(wait_for(&p, "SIZE 80 25", mark, 15000),
              "basic: child sees the 80x25 console from the command line");

    snprintf(args, sizeof args, "resize %s 100 40", id);
    wt_result(run_client(args, 10000) == 0,
              "basic: proxy_resize_send wrote resize 100 40");

    /* The helper: 0 on "ok"; 1 on an error answer (Wine's E_NOTIMPL);
     * the runner checks the trace line. */
    {
        ULONGLONG t0 = GetTickCount64();
        long code;
        snprintf(args, sizeof args, "resize %s 90 30", id);
        code = run_program(proxy_path, args, 10000);
        wt_result(code == 0 || code == 1,
                  "basic: conpty-proxy resize got an answer (exit %ld)", code);
        snprintf(args, sizeof args, "resize no-such-%s 90 30", id);
        t0 = GetTickCount64();
        code = run_program(proxy_path, args, 10000);
        wt_result(
            code == 1 && GetTickCount64() - t0 < 3000,
            "basic: conpty-proxy resize to no session fails at once (exit %ld)",
            code);
    }

    mark = out_len(&p);
    send_text(&p, "\xc3\xa9t\xc3\xa9\r"); /* UTF-8 in and out: "été" */
    wt_result(wait_for(&p, "ECHO:\xc3\xa9t\xc3\xa9", mark, 15000),
              "basic: UTF-8 input comes back as UTF-8");

    send_text(&p, "exit 7\r");
    code = wait_exit(&p, 15000);
    wt_result(code == 7, "basic: proxy exits with the child's code 7 (got %ld)",
              code);
    wt_result(wait_eof(&p, 5000), "basic: stdout reaches EOF");
    if (wt_failures)
        dump_output(&p);
    finish_proxy(&p);
}

static void scenario_exitcode(void)
{
    struct proc p;
    long code;

    if (!start_fixture(&p, 80, 25, "exit 42")) {
        wt_result(false, "exitcode: proxy started");
        return;
    }
    wt_result(wait_for(&p, "BYE", 0, READY_MS),
              "exitcode: fixture output arrives");
    {
        ULONGLONG t0 = GetTickCount64();
        code = wait_exit(&p, 15000);
        wt_result(code >= 0 && GetTickCount64() - t0 <= 2000,
                  "exitcode: proxy exits within 2 s of the child (%llu ms)",
                  (unsigned long long)(GetTickCount64() - t0));
    }
    wt_result(code == 42, "exitcode: exit code 42 propagated (got %ld)", code);
    wt_result(wait_eof(&p, 5000) && wait_for(&p, "BYE", 0, 0),
              "exitcode: output written before exit arrives");
    finish_proxy(&p);
}

/* Emacs kills the process (stdin EOF): the proxy ends the child and
 * exits with the child's exit code, whatever ended it (the pseudo console
 * closing, or TerminateProcess after the grace period). */
static void scenario_stdin_eof(void)
{
    struct proc p;
    ULONGLONG t0;
    HANDLE child;
    DWORD child_code = STILL_ACTIVE;
    long code;

    if (!start_fixture(&p, 80, 25, "echo")) {
        wt_result(false, "stdin-eof: proxy started");
        return;
    }
    wt_result(wait_for(&p, "READY", 0, READY_MS), "stdin-eof: fixture READY");
    child = open_fixture(&p);
    wt_result(child != NULL,
              "stdin-eof: found the fixture (a child of the proxy)");
    t0 = GetTickCount64();
    CloseHandle(p.in_w);
    p.in_w = NULL;
    code = wait_exit(&p, 10000);
    wt_result(
        code >= 0 && GetTickCount64() - t0 <= 2000,
        "stdin-eof: proxy exits within 2 s of stdin EOF (%llu ms, code %ld)",
        (unsigned long long)(GetTickCount64() - t0), code);
    if (child != NULL) {
        /* The proxy waits for the child's exit before its own. */
        wt_result(WaitForSingleObject(child, 0) == WAIT_OBJECT_0,
                  "stdin-eof: the child is gone when the proxy has exited");
        GetExitCodeProcess(child, &child_code);
        wt_result(child_code != STILL_ACTIVE && code == (long)child_code,
                  "stdin-eof: the proxy's exit code %ld is the child's (%lu)",
                  code, (unsigned long)child_code);
        if (child_code == STILL_ACTIVE)
            TerminateProcess(child, 255);
        CloseHandle(child);
    }
    if (code < 0)
        dump_output(&p);
    finish_proxy(&p);
}

/* A proxy that must refuse to run: exit code WANT, and NEEDLE in what it
 * printed. */
static void expect_refusal(struct proc *p, const char *name, long want,
                           const char *needle)
{
    long code = wait_exit(p, 30000);

    wt_result(code == want, "%s: the proxy exits %ld (got %ld)", name, want,
              code);
    wait_eof(p, 5000);
    wt_result(wait_for(p, needle, 0, 0), "%s: its message says \"%s\"", name,
              needle);
}

static void scenario_start_fail(void)
{
    struct proc p;
    char args[256];

    snprintf(args, sizeof args, "new %s 80 25 no-such-program-%lu.exe", id,
             (unsigned long)GetTickCount());
    if (!start_proxy(&p, args)) {
        wt_result(false, "start-fail: proxy started");
        return;
    }
    expect_refusal(&p, "start-fail", 127, "no-such-program");
    finish_proxy(&p);
}

static void scenario_squat(void)
{
    struct proc a, b;

    if (!start_fixture(&a, 80, 25, "echo")) {
        wt_result(false, "squat: first proxy started");
        return;
    }
    wt_result(wait_for(&a, "READY", 0, READY_MS), "squat: first session READY");
    if (!start_fixture(&b, 80, 25, "echo")) {
        wt_result(false, "squat: second proxy started");
        finish_proxy(&a);
        return;
    }
    /* A second session with the same id. */
    expect_refusal(&b, "squat", 1, "exists already");
    finish_proxy(&b);
    send_text(&a, "exit 0\r");
    wt_result(wait_exit(&a, 15000) == 0,
              "squat: the first session is unharmed");
    finish_proxy(&a);
}

/* Strip escape sequences and check lines 0..N-1 arrived in order. */
static bool check_lines(struct proc *p, long count, long *seen, long *bad)
{
    char *clean = clean_output(p, 0);
    long next = 0;

    *bad = 0;
    for (char *s = clean; (s = strchr(s, 'L')) != NULL; s++) {
        char want[WT_LINE_MAX + 1];
        long k;
        bool digits = true;
        for (int j = 1; j < 8; j++)
            digits = digits && s[j] >= '0' && s[j] <= '9';
        if (!digits || s[8] != ' ' || sscanf(s + 1, "%7ld", &k) != 1)
            continue;
        if (k != next) {
            if (*bad < 5)
                note("line %ld where %ld was expected", k, next);
            (*bad)++;
            continue;
        }
        wt_line_text(k, want, sizeof want);
        if (strncmp(s, want, strlen(want)) != 0) {
            if (*bad < 5)
                note("line %ld garbled", k);
            (*bad)++;
            continue;
        }
        next++;
        s += strlen(want) - 1;
    }
    free(clean);
    *seen = next;
    return next == count && *bad == 0;
}

enum {
    STALL_MS = 10000,
    /* The stall's peak memory bound: the queue's plus Wine's own. */
    STALL_HWM_KIB = (QUEUE_HIGH_WATER >> 10) + (16 << 10)
};

/* The proxy's peak memory (VmHWM) is within the queue's bound. */
static void check_hwm(const char *name)
{
    long kib = proc_hwm_kib(find_unix_pid("new"));

    wt_result(kib > 0 && kib < STALL_HWM_KIB,
              "%s: proxy's peak memory (VmHWM) %ld KiB is under the %d KiB "
              "queue bound + 16 MiB",
              name, kib, QUEUE_HIGH_WATER >> 10);
}

static void scenario_big(long count, bool stall)
{
    struct proc p;
    char mode[64], args[128];
    long code, seen, bad;
    bool ok;
    const char *name = stall ? "stall" : "big";

    snprintf(mode, sizeof mode, "lines %ld 3", count);
    if (!start_fixture(&p, 120, 30, mode)) {
        wt_result(false, "%s: proxy started", name);
        return;
    }
    if (stall) {
        /* Stop reading for STALL_MS while the child writes; the control
         * channel must answer meanwhile, and memory stays bounded. */
        ULONGLONG t0 = GetTickCount64(), waited;
        ResetEvent(p.resume);
        Sleep(1000);
        snprintf(args, sizeof args, "ping %s", id);
        wt_result(run_client(args, 4000) == 0,
                  "stall: ping answered while stdout is not read");
        waited = GetTickCount64() - t0;
        Sleep(waited < STALL_MS ? (DWORD)(STALL_MS - waited) : 0);
        /* The queue is at its fullest now. */
        check_hwm(name);
        SetEvent(p.resume);
    }
    code = wait_exit(&p, 300000);
    wait_eof(&p, 10000);
    wt_result(code == 3, "%s: exit code 3 after the output (got %ld)", name,
              code);
    seen = bad = 0;
    ok = check_lines(&p, count, &seen, &bad);
    wt_result(
        ok,
        "%s: %ld lines (%zu bytes) complete and in order (%ld seen, %ld bad)",
        name, count, out_len(&p), seen, bad);
    wt_result(wait_for(&p, "END", 0, 0), "%s: END marker arrived", name);
    finish_proxy(&p);
}

static void scenario_abuse(void)
{
    struct proc p;
    char args[128];
    size_t mark;

    if (!start_fixture(&p, 80, 25, "echo")) {
        wt_result(false, "abuse: proxy started");
        return;
    }
    wt_result(wait_for(&p, "READY", 0, READY_MS), "abuse: fixture READY");
    snprintf(args, sizeof args, "abuse %s", id);
    fflush(stdout);
    wt_result(run_client(args, 180000) == 0,
              "abuse: client reports every check passed");
    mark = out_len(&p);
    send_text(&p, "still-alive\r");
    wt_result(wait_for(&p, "ECHO:still-alive", mark, 15000),
              "abuse: child alive and relayed after the abuse");
    send_text(&p, "exit 5\r");
    wt_result(wait_exit(&p, 15000) == 5,
              "abuse: proxy exits cleanly afterwards");
    finish_proxy(&p);
}

/* ---- fault injection -------------------------------------------------- */

enum { HOLD_LINES = 3000 };

/* Start the fixture in "hold" mode and wait until it has written its
 * lines.  False when the proxy did not start; else *CHILD is the fixture,
 * opened, or NULL. */
static bool start_held(struct proc *p, const char *name, HANDLE *child)
{
    char ev_name[128], mode[192];
    HANDLE ev = fixture_event(ev_name, sizeof ev_name);
    bool held;

    snprintf(mode, sizeof mode, "hold %d %s", HOLD_LINES, ev_name);
    if (ev == NULL || !start_fixture(p, 120, 30, mode)) {
        wt_result(false, "%s: proxy started", name);
        return false;
    }
    held = WaitForSingleObject(ev, READY_MS) == WAIT_OBJECT_0;
    CloseHandle(ev);
    wt_result(held, "%s: the fixture wrote its %d lines", name, HOLD_LINES);
    *child = held ? open_fixture(p) : NULL;
    wt_result(*child != NULL, "%s: found the fixture (a child of the proxy)",
              name);
    return true;
}

/* The child is killed: the proxy exits at once with the child's code,
 * and everything the child wrote before it died reaches stdout. */
static void scenario_child_kill(void)
{
    struct proc p;
    HANDLE child;
    ULONGLONG t0;
    long code, seen = 0, bad = 0;
    bool ok;

    if (!start_held(&p, "child-kill", &child))
        return;
    if (child == NULL) {
        finish_proxy(&p);
        return;
    }
    t0 = GetTickCount64();
    if (!TerminateProcess(child, 77))
        note("TerminateProcess (fixture): %lu", (unsigned long)GetLastError());
    CloseHandle(child);
    code = wait_exit(&p, 15000);
    wt_result(
        code == 77 && GetTickCount64() - t0 <= 3000,
        "child-kill: proxy exits within 3 s with the killed child's code 77 "
        "(got %ld after %llu ms)",
        code, (unsigned long long)(GetTickCount64() - t0));
    wt_result(wait_eof(&p, 5000), "child-kill: stdout reaches EOF");
    ok = check_lines(&p, HOLD_LINES, &seen, &bad) && wait_for(&p, "HELD", 0, 0);
    wt_result(
        ok,
        "child-kill: all output written before the kill arrived (%ld of %d "
        "lines, %ld bad)",
        seen, HOLD_LINES, bad);
    finish_proxy(&p);
}

enum { ORPHAN_MS = 5000 };

/* The proxy is killed (task manager, crash): the child must not live on
 * as an orphan, even one that has left the console (the fixture's "hold"
 * does: Wine's conhost, dying with the proxy, would end a child still
 * attached, and Windows's would at best send it CTRL_CLOSE_EVENT). */
static void scenario_proxy_kill(void)
{
    struct proc p;
    HANDLE child;
    ULONGLONG t0;
    bool gone;

    if (!start_held(&p, "proxy-kill", &child))
        return;
    if (child == NULL) {
        finish_proxy(&p);
        return;
    }
    TerminateProcess(p.process, 255);
    t0 = GetTickCount64();
    gone = WaitForSingleObject(child, ORPHAN_MS) == WAIT_OBJECT_0;
    wt_result(gone,
              "proxy-kill: the child is gone within %d ms of the proxy's "
              "death (%llu ms)",
              ORPHAN_MS, (unsigned long long)(GetTickCount64() - t0));
    if (!gone)
        TerminateProcess(child, 255);
    CloseHandle(child);
    wt_result(wait_eof(&p, 5000), "proxy-kill: stdout reaches EOF");
    finish_proxy(&p);
}

enum { VANISH_RUNS = 10, VANISH_PER_RUN = 10 };

/* Control clients that write part of a message, or the start of an
 * oversize one, and vanish without reading: the session goes on
 * relaying, resizing, answering, and idles afterwards. */
static void scenario_vanish(void)
{
    static const char *const hows[] = {"partial", "oversize"};
    struct proc p;
    char args[128];
    int failed = 0;
    size_t mark;

    if (!start_fixture(&p, 80, 25, "echo")) {
        wt_result(false, "vanish: proxy started");
        return;
    }
    wt_result(wait_for(&p, "READY", 0, READY_MS), "vanish: fixture READY");
    for (int h = 0; h < 2; h++) {
        for (int i = 0; i < VANISH_RUNS; i++) {
            snprintf(args, sizeof args, "vanish %s %s %d", id, hows[h],
                     VANISH_PER_RUN);
            if (run_client(args, 30000) != 0)
                failed++;
        }
    }
    wt_result(
        failed == 0,
        "vanish: %d clients vanished mid-message (%d processes, %d failed)",
        2 * VANISH_RUNS * VANISH_PER_RUN, 2 * VANISH_RUNS, failed);
    snprintf(args, sizeof args, "ping %s", id);
    wt_result(run_client(args, 10000) == 0, "vanish: ping answered afterwards");
    /* A size no other test sends: run.sh finds its line in the trace log. */
    snprintf(args, sizeof args, "resize %s 111 33", id);
    wt_result(run_client(args, 10000) == 0,
              "vanish: resize 111 33 written afterwards");
    mark = out_len(&p);
    send_text(&p, "after-vanish\r");
    wt_result(wait_for(&p, "ECHO:after-vanish", mark, 15000),
              "vanish: output still relayed afterwards");
    check_idle("vanish", "new", 2000, 9);
    send_text(&p, "exit 0\r");
    wt_result(wait_exit(&p, 15000) == 0, "vanish: exits cleanly");
    finish_proxy(&p);
}

enum { STORM_CLIENTS = 8, STORM_EACH = 1250 };

/* A resize storm from concurrent clients while output streams: no line
 * lost or garbled, every resize applied (run.sh counts them in the trace
 * log), and the proxy idle once it is over. */
static void scenario_storm(void)
{
    struct proc p;
    char ev_name[128], mode[192], args[128];
    HANDLE ev = fixture_event(ev_name, sizeof ev_name);
    long code, count = -1, seen = 0, bad = 0;
    size_t mark;
    bool ok;

    snprintf(mode, sizeof mode, "stream %s", ev_name);
    if (ev == NULL || !start_fixture(&p, 120, 30, mode)) {
        wt_result(false, "storm: proxy started");
        return;
    }
    wt_result(wait_for(&p, "L0000100 ", 0, READY_MS), "storm: output streams");
    mark = out_len(&p);
    snprintf(args, sizeof args, "storm %s %d %d", id, STORM_CLIENTS,
             STORM_EACH);
    code = run_client(args, 240000);
    wt_result(code == 0,
              "storm: %d clients x %d resizes all written (exit %ld)",
              STORM_CLIENTS, STORM_EACH, code);
    wt_result(out_len(&p) > mark + (64 << 10),
              "storm: output streamed during the storm (%zu bytes)",
              out_len(&p) - mark);
    SetEvent(ev);
    CloseHandle(ev);
    ok = wait_for(&p, "READY", 0, 60000) && output_number(&p, "COUNT ", &count);
    wt_result(ok, "storm: the fixture stopped streaming (%ld lines)", count);
    ok = ok && check_lines(&p, count, &seen, &bad);
    wt_result(ok, "storm: %ld lines complete and in order (%ld seen, %ld bad)",
              count, seen, bad);
    Sleep(500); /* the last answers and disconnects */
    check_idle("storm", "new", 2000, 9);
    send_text(&p, "exit 0\r");
    wt_result(wait_exit(&p, 15000) == 0, "storm: exits cleanly");
    finish_proxy(&p);
}

/* Another process holds \\.\pipe\conpty-proxy-<id> with its only
 * instance: the proxy refuses to run a session on it.  (A squatter with
 * instances to spare makes Windows fail the first instance's
 * FILE_FLAG_FIRST_PIPE_INSTANCE with ERROR_ACCESS_DENIED; Wine 8 does not
 * enforce that flag and creates the instance, so that case is checked on
 * the proxy's decision in unit.c instead.  With no instance to spare,
 * Wine and Windows both refuse, with ERROR_PIPE_BUSY.) */
static void scenario_squatter(void)
{
    char name[CTL_NAME_MAX];
    HANDLE squat;
    struct proc p;

    if (ctl_pipe_name(id, name, sizeof name) != CTL_OK) {
        wt_result(false, "squatter: pipe name for %s", id);
        return;
    }
    squat = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                             PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 1, 4096,
                             4096, 0, NULL);
    if (squat == INVALID_HANDLE_VALUE) {
        wt_result(false, "squatter: created %s (error %lu)", name,
                  (unsigned long)GetLastError());
        return;
    }
    if (!start_fixture(&p, 80, 25, "echo")) {
        wt_result(false, "squatter: proxy started");
        CloseHandle(squat);
        return;
    }
    expect_refusal(&p, "squatter", 1, "exists already");
    wt_result(!wait_for(&p, "READY", 0, 0),
              "squatter: no child was started on a squatted name");
    finish_proxy(&p);
    CloseHandle(squat);
}

static void scenario_idle(void)
{
    struct proc p;
    size_t mark;

    if (!start_fixture(&p, 80, 25, "echo")) {
        wt_result(false, "idle: proxy started");
        return;
    }
    wt_result(wait_for(&p, "READY", 0, READY_MS), "idle: fixture READY");
    Sleep(500); /* let start-up settle */
    check_idle("idle", "new", 5000, 5);
    mark = out_len(&p);
    send_text(&p, "awake\r");
    wt_result(wait_for(&p, "ECHO:awake", mark, 15000),
              "idle: relays after idling");
    send_text(&p, "exit 0\r");
    wt_result(wait_exit(&p, 15000) == 0, "idle: exits cleanly");
    finish_proxy(&p);
}

/* The child gets the proxy's environment and working directory. */
static void scenario_env(void)
{
    struct proc p;
    char value[64], args[1024], cwd[MAX_PATH], want[MAX_PATH + 8];
    char *slash;

    snprintf(value, sizeof value, "v-%lu-%lu", (unsigned long)GetTickCount(),
             (unsigned long)GetCurrentProcessId());
    SetEnvironmentVariableA("VTERM_WINE_TEST", value);
    /* Run in the fixture's directory. */
    snprintf(cwd, sizeof cwd, "%s", fixture_path);
    slash = strrchr(cwd, '\\');
    if (slash != NULL)
        *slash = '\0';
    snprintf(args, sizeof args, "new %s 80 25 \"%s\" env VTERM_WINE_TEST", id,
             fixture_path);
    if (!start_proxy_in(&p, args, cwd)) {
        wt_result(false, "env: proxy started");
        return;
    }
    wt_result(wait_exit(&p, READY_MS) == 0, "env: exit code 0");
    wait_eof(&p, 5000);
    snprintf(want, sizeof want, "ENV:%s", value);
    wt_result(wait_for(&p, want, 0, 0),
              "env: the child sees the proxy's environment");
    snprintf(want, sizeof want, "CWD:%s", cwd);
    wt_result(wait_for(&p, want, 0, 0),
              "env: the child runs in the proxy's working directory");
    if (wt_failures)
        dump_output(&p);
    finish_proxy(&p);
}

/* Raw input bytes reach the console unchanged.  Not 0x03: Wine 8 raises
 * no CTRL_C_EVENT for it, and its conhost stops delivering input after
 * one in raw mode, so Ctrl-C cannot be tested under Wine. */
static void scenario_raw(void)
{
    struct proc p;
    size_t mark;

    if (!start_fixture(&p, 80, 25, "raw")) {
        wt_result(false, "raw: proxy started");
        return;
    }
    wt_result(wait_for(&p, "READY", 0, READY_MS), "raw: fixture READY");
    mark = out_len(&p);
    send_text(&p, "a");
    wt_result(wait_for(&p, "RAW:61", mark, 15000),
              "raw: a byte written to stdin reaches the console input");
    /* A tab and a capital: unprocessed input, byte for byte. */
    mark = out_len(&p);
    send_text(&p, "\tZ");
    wt_result(wait_for(&p, "RAW:09", mark, 15000) &&
                  wait_for(&p, "RAW:5a", mark, 15000),
              "raw: tab and 'Z' reach the console input unprocessed");
    send_text(&p, "q");
    wt_result(wait_exit(&p, 15000) == 0, "raw: exits cleanly");
    if (wt_failures)
        dump_output(&p);
    finish_proxy(&p);
}

/* Emacs closes the output pipe: the proxy ends the child and exits. */
static void scenario_stdout_close(void)
{
    struct proc p;
    ULONGLONG t0;
    long code;

    if (!start_fixture(&p, 120, 30, "lines 100000000 0")) {
        wt_result(false, "stdout-close: proxy started");
        return;
    }
    wt_result(wait_for(&p, "L0000100 ", 0, READY_MS),
              "stdout-close: output flows");
    ResetEvent(p.resume);
    Sleep(200); /* the reader finishes its current read and stops */
    t0 = GetTickCount64();
    CloseHandle(p.out_r);
    code = wait_exit(&p, 15000);
    wt_result(code >= 0 && GetTickCount64() - t0 <= 3000,
              "stdout-close: proxy exits within 3 s of stdout closing (%llu "
              "ms, code %ld)",
              (unsigned long long)(GetTickCount64() - t0), code);
    if (code < 0)
        TerminateProcess(p.process, 255);
    CloseHandle(p.in_w);
}

/* The console window of process PID (Emacs's find_child_console looks
 * for the "ConsoleWindowClass" window of the process). */
struct console_search {
    DWORD pid;
    HWND hwnd;
};

static BOOL CALLBACK find_console(HWND hwnd, LPARAM arg)
{
    struct console_search *cs = (struct console_search *)arg;
    DWORD pid = 0;
    char cls[64];

    GetWindowThreadProcessId(hwnd, &pid);
    if (pid == cs->pid && GetClassNameA(hwnd, cls, sizeof cls) > 0 &&
        strcmp(cls, "ConsoleWindowClass") == 0) {
        cs->hwnd = hwnd;
        return FALSE;
    }
    return TRUE;
}

/* Raise CTRL_CLOSE_EVENT in process PID the way the console does: a
 * thread at CtrlRoutine (kernelbase, forwarded by kernel32) with the
 * event as its argument. */
static bool raise_close_event(DWORD pid)
{
    static const char *const dlls[] = {"kernelbase.dll", "kernel32.dll"};
    FARPROC routine = NULL;
    HANDLE proc, thread;

    for (int i = 0; i < 2 && routine == NULL; i++) {
        HMODULE dll = GetModuleHandleA(dlls[i]);
        if (dll != NULL)
            routine = GetProcAddress(dll, "CtrlRoutine");
    }
    if (routine == NULL) {
        note("no CtrlRoutine export");
        return false;
    }
    proc = OpenProcess(PROCESS_CREATE_THREAD | PROCESS_QUERY_INFORMATION |
                           PROCESS_VM_OPERATION | PROCESS_VM_WRITE |
                           PROCESS_VM_READ,
                       FALSE, pid);
    if (proc == NULL) {
        note("OpenProcess: %lu", (unsigned long)GetLastError());
        return false;
    }
    thread = CreateRemoteThread(proc, NULL, 0,
                                (LPTHREAD_START_ROUTINE)(void *)routine,
                                (void *)(ULONG_PTR)CTRL_CLOSE_EVENT, 0, NULL);
    if (thread == NULL)
        note("CreateRemoteThread: %lu", (unsigned long)GetLastError());
    else
        CloseHandle(thread);
    CloseHandle(proc);
    return thread != NULL;
}

/* delete-process and kill-emacs: Emacs posts WM_CLOSE to the hidden
 * console it started the proxy with, which raises CTRL_CLOSE_EVENT in
 * the proxy.  The proxy must hang the session up (the shell ended through
 * the pseudo console, its code passed on), never die by the default
 * handler with 0xC000013A, which Emacs reads as "signal 2".  When there
 * is no console window (Wine 8 without a display makes none), the event
 * is raised the way the console raises it: a thread at CtrlRoutine. */
static void scenario_wm_close(void)
{
    struct proc p;
    struct console_search cs = {0, NULL};
    HANDLE child;
    DWORD child_code = STILL_ACTIVE;
    ULONGLONG t0;
    long code;

    if (!start_fixture(&p, 80, 25, "echo")) {
        wt_result(false, "wm-close: proxy started");
        return;
    }
    wt_result(wait_for(&p, "READY", 0, READY_MS), "wm-close: fixture READY");
    child = open_fixture(&p);
    wt_result(child != NULL,
              "wm-close: found the fixture (a child of the proxy)");
    cs.pid = p.pid;
    EnumWindows(find_console, (LPARAM)&cs);
    t0 = GetTickCount64();
    if (cs.hwnd != NULL) {
        wt_result(PostMessageA(cs.hwnd, WM_CLOSE, 0, 0),
                  "wm-close: WM_CLOSE posted to the proxy's console window");
    } else {
        note("no console window for the proxy: raising CTRL_CLOSE_EVENT "
             "through CtrlRoutine");
        wt_result(raise_close_event(p.pid),
                  "wm-close: CTRL_CLOSE_EVENT raised in the proxy (no console "
                  "window to post WM_CLOSE to)");
    }
    code = wait_exit(&p, 15000);
    wt_result(code >= 0 && GetTickCount64() - t0 <= 5000,
              "wm-close: proxy exits within 5 s of the close (%llu ms)",
              (unsigned long long)(GetTickCount64() - t0));
    wt_result(code != (long)STATUS_CONTROL_C_EXIT,
              "wm-close: the proxy did not die by the close event (exit 0x%lx)",
              (unsigned long)code);
    if (child != NULL) {
        wt_result(WaitForSingleObject(child, 5000) == WAIT_OBJECT_0,
                  "wm-close: the child is gone");
        GetExitCodeProcess(child, &child_code);
        wt_result(child_code != STILL_ACTIVE && code == (long)child_code,
                  "wm-close: the proxy's exit code %ld is the child's (%lu)",
                  code, (unsigned long)child_code);
        if (child_code == STILL_ACTIVE)
            TerminateProcess(child, 255);
        CloseHandle(child);
    }
    if (wt_failures)
        dump_output(&p);
    finish_proxy(&p);
}

/* One echo session of the proxy copy PROXY: READY, a round trip, exit. */
static void conpty_dll_session(const char *name, const char *proxy)
{
    struct proc p;
    char args[1024];
    const char *saved = proxy_path;
    size_t mark;

    proxy_path = proxy;
    snprintf(args, sizeof args, "new %s-%s 80 25 \"%s\" echo", id, name,
             fixture_path);
    if (!start_proxy(&p, args)) {
        wt_result(false, "conpty-dll: %s: proxy started", name);
        proxy_path = saved;
        return;
    }
    proxy_path = saved;
    wt_result(wait_for(&p, "READY", 0, READY_MS),
              "conpty-dll: %s: fixture READY", name);
    mark = out_len(&p);
    send_text(&p, "dll-check\r");
    wt_result(wait_for(&p, "ECHO:dll-check", mark, 15000),
              "conpty-dll: %s: echo round trip", name);
    send_text(&p, "exit 3\r");
    wt_result(wait_exit(&p, 15000) == 3, "conpty-dll: %s: exit code 3", name);
    if (wt_failures)
        dump_output(&p);
    finish_proxy(&p);
}

/* A conpty.dll beside the proxy is used only with its OpenConsole.exe
 * beside it too (run.sh reads which one each session used in the trace
 * log: kernel32 first, then the copy's conpty.dll). */
static void scenario_conpty_dll(void)
{
    char dir[MAX_PATH], dll[MAX_PATH], fake[MAX_PATH], proxy[MAX_PATH],
        host[MAX_PATH];
    char *slash;

    if (GetTempPathA(sizeof dir, dir) == 0) {
        wt_result(false, "conpty-dll: temporary directory");
        return;
    }
    snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "vterm-dll-%s", id);
    CreateDirectoryA(dir, NULL);
    snprintf(fake, sizeof fake, "%s", fixture_path);
    slash = strrchr(fake, '\\');
    snprintf(slash + 1, sizeof fake - (size_t)(slash + 1 - fake),
             "fake\\conpty.dll");
    snprintf(dll, sizeof dll, "%s\\conpty.dll", dir);
    snprintf(proxy, sizeof proxy, "%s\\conpty-proxy.exe", dir);
    snprintf(host, sizeof host, "%s\\OpenConsole.exe", dir);
    wt_result(CopyFileA(proxy_path, proxy, FALSE) &&
                  CopyFileA(fake, dll, FALSE),
              "conpty-dll: copied the proxy and a conpty.dll to %s", dir);
    conpty_dll_session("no-host", proxy);
    wt_result(CopyFileA(fixture_path, host, FALSE),
              "conpty-dll: an OpenConsole.exe beside them");
    conpty_dll_session("with-host", proxy);
}

/* The shell does not inherit Emacs's error mode (main sets it, as Emacs
 * does, and the proxy inherits it): it is started with
 * CREATE_DEFAULT_ERROR_MODE. */
static void scenario_error_mode(void)
{
    struct proc p;
    char args[1024];

    snprintf(args, sizeof args, "new %s 80 25 \"%s\" errormode", id,
             fixture_path);
    if (!start_proxy(&p, args)) {
        wt_result(false, "error-mode: proxy started");
        return;
    }
    wt_result(wait_exit(&p, READY_MS) == 0, "error-mode: exit code 0");
    wait_eof(&p, 5000);
    wt_result(
        wait_for(&p, "ERRMODE 0\r", 0, 0),
        "error-mode: the shell has the default error mode, not ours (0x%x)",
        GetErrorMode());
    if (wt_failures)
        dump_output(&p);
    finish_proxy(&p);
}

/* Handles open on the object of H (H's own included), or -1. */
static long handle_count(HANDLE h)
{
    typedef LONG(NTAPI * query_fn)(HANDLE, int, void *, ULONG, ULONG *);
    query_fn query = (query_fn)(void (*)(void))GetProcAddress(
        GetModuleHandleA("ntdll.dll"), "NtQueryObject");
    ULONG info[16]; /* OBJECT_BASIC_INFORMATION: Attributes, GrantedAccess,
                       HandleCount, ... */

    if (query == NULL ||
        query(h, 0 /* ObjectBasicInformation */, info, sizeof info, NULL) < 0)
        return -1;
    return (long)info[2];
}

/* The std handles Emacs gives the proxy are inheritable; the proxy must
 * clear that, or ConPTY's host (started with inheritance) keeps a copy
 * of Emacs's pipes.  Counted on the stdout pipe's write end: ours (a
 * duplicate kept for counting) and the proxy's, nothing more. */
static void scenario_inherit(void)
{
    struct proc p;
    long count;

    keep_child_out = true;
    if (!start_fixture(&p, 80, 25, "echo")) {
        wt_result(false, "inherit: proxy started");
        keep_child_out = false;
        return;
    }
    keep_child_out = false;
    wt_result(wait_for(&p, "READY", 0, READY_MS), "inherit: fixture READY");
    /* A copy kept is a copy for good: the count must settle at 2 (Wine 8
     * once counted 3 at READY, in one run of about ten). */
    for (int waited = 0;; waited += 50) {
        count = handle_count(kept_child_out);
        if (count == 2 || waited >= 2000)
            break;
        Sleep(50);
    }
    wt_result(count == 2,
              "inherit: the proxy's stdout pipe has 2 handles (ours and the "
              "proxy's), not a copy in ConPTY's host (got %ld)",
              count);
    CloseHandle(kept_child_out);
    send_text(&p, "exit 0\r");
    wt_result(wait_exit(&p, 15000) == 0, "inherit: exits cleanly");
    finish_proxy(&p);
}

enum { STALL_RESIZE_MS = 3000 };

/* ResizePseudoConsole blocks while conhost is stuck (the stand-in
 * conpty.dll sleeps STALL_RESIZE_MS in it): the loop must go on relaying
 * and answering meanwhile, and the sizes sent during the stall are
 * coalesced, newest wins (run.sh reads the applied ones in the trace
 * log: 100x40, then 105x40 only). */
static void scenario_resize_stall(void)
{
    char dir[MAX_PATH], fake[MAX_PATH], dll[MAX_PATH], proxy[MAX_PATH],
        host[MAX_PATH], args[1024], ms[16];
    const char *saved = proxy_path;
    struct proc p;
    ULONGLONG t0, took;
    char *slash;
    size_t mark;

    if (GetTempPathA(sizeof dir, dir) == 0) {
        wt_result(false, "resize-stall: temporary directory");
        return;
    }
    snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "vterm-rs-%s", id);
    CreateDirectoryA(dir, NULL);
    snprintf(fake, sizeof fake, "%s", fixture_path);
    slash = strrchr(fake, '\\');
    snprintf(slash + 1, sizeof fake - (size_t)(slash + 1 - fake),
             "fake\\conpty.dll");
    snprintf(dll, sizeof dll, "%s\\conpty.dll", dir);
    snprintf(proxy, sizeof proxy, "%s\\conpty-proxy.exe", dir);
    snprintf(host, sizeof host, "%s\\OpenConsole.exe", dir);
    wt_result(
        CopyFileA(proxy_path, proxy, FALSE) && CopyFileA(fake, dll, FALSE) &&
            CopyFileA(fixture_path, host, FALSE),
        "resize-stall: the proxy beside a conpty.dll whose resize blocks");
    snprintf(ms, sizeof ms, "%d", STALL_RESIZE_MS);
    SetEnvironmentVariableA("VTERM_FAKE_RESIZE_MS", ms);
    proxy_path = proxy;
    snprintf(args, sizeof args, "new %s 80 25 \"%s\" echo", id, fixture_path);
    if (!start_proxy(&p, args)) {
        wt_result(false, "resize-stall: proxy started");
        proxy_path = saved;
        SetEnvironmentVariableA("VTERM_FAKE_RESIZE_MS", NULL);
        return;
    }
    proxy_path = saved;
    SetEnvironmentVariableA("VTERM_FAKE_RESIZE_MS", NULL);
    wt_result(wait_for(&p, "READY", 0, READY_MS),
              "resize-stall: fixture READY");
    t0 = GetTickCount64();
    snprintf(args, sizeof args, "resize %s 100 40", id);
    run_client(args, 15000);
    mark = out_len(&p);
    send_text(&p, "during-resize\r");
    wt_result(wait_for(&p, "ECHO:during-resize", mark, 15000),
              "resize-stall: echo round trip during the stuck resize");
    took = GetTickCount64() - t0;
    wt_result(took < STALL_RESIZE_MS - 500,
              "resize-stall: the resize message and an echo took %llu ms (the "
              "resize blocks %d ms)",
              (unsigned long long)took, STALL_RESIZE_MS);
    for (int cols = 101; cols <= 105; cols++) {
        snprintf(args, sizeof args, "resize %s %d 40", id, cols);
        run_client(args, 15000);
    }
    snprintf(args, sizeof args, "ping %s", id);
    t0 = GetTickCount64();
    wt_result(run_client(args, 15000) == 0 && GetTickCount64() - t0 < 2000,
              "resize-stall: ping answered while resizes are pending (%llu ms)",
              (unsigned long long)(GetTickCount64() - t0));
    Sleep(2 * STALL_RESIZE_MS + 1000); /* both applied */
    send_text(&p, "exit 0\r");
    wt_result(wait_exit(&p, 15000) == 0, "resize-stall: exits cleanly");
    if (wt_failures)
        dump_output(&p);
    finish_proxy(&p);
}

/* A directory DIR\NAME made for this run. */
static bool make_dir(const char *base, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s\\%s", base, name);
    return CreateDirectoryA(out, NULL) ||
           GetLastError() == ERROR_ALREADY_EXISTS;
}

/* The shell is named without a directory, as vterm-shell often is, and
 * the proxy runs in the buffer's directory, which may be an untrusted
 * checkout holding an exe of that name: the one on PATH must run, never
 * the planted one (CreateProcess's own search looks in the current
 * directory before PATH).  A relative "." in PATH must not bring the
 * current directory back. */
static void scenario_path_search(void)
{
    static const char *const names[] = {"vtshell", "vtshell.exe"};
    char base[MAX_PATH], planted[MAX_PATH], bin[MAX_PATH], exe[MAX_PATH];
    char old_path[8192], path[8192 + MAX_PATH], args[1024], want[MAX_PATH + 8];

    if (GetTempPathA(sizeof base, base) == 0) {
        wt_result(false, "path-search: temporary directory");
        return;
    }
    snprintf(base + strlen(base), sizeof base - strlen(base), "vterm-%s", id);
    CreateDirectoryA(base, NULL);
    if (!make_dir(base, "checkout", planted, sizeof planted) ||
        !make_dir(base, "bin", bin, sizeof bin)) {
        wt_result(false, "path-search: made the directories under %s", base);
        return;
    }
    snprintf(exe, sizeof exe, "%s\\vtshell.exe", planted);
    wt_result(CopyFileA(fixture_path, exe, FALSE), "path-search: planted %s",
              exe);
    snprintf(exe, sizeof exe, "%s\\vtshell.exe", bin);
    wt_result(CopyFileA(fixture_path, exe, FALSE), "path-search: installed %s",
              exe);
    if (GetEnvironmentVariableA("PATH", old_path, sizeof old_path) >=
        sizeof old_path)
        old_path[0] = '\0';
    snprintf(path, sizeof path, ".;%s;%s", bin, old_path);
    SetEnvironmentVariableA("PATH", path);
    for (int i = 0; i < 2; i++) {
        struct proc p;
        snprintf(args, sizeof args, "new %s-%d 80 25 %s whoami", id, i,
                 names[i]);
        if (!start_proxy_in(&p, args, planted)) {
            wt_result(false, "path-search: proxy started");
            continue;
        }
        wt_result(wait_exit(&p, READY_MS) == 0, "path-search: %s: exit code 0",
                  names[i]);
        wait_eof(&p, 5000);
        snprintf(want, sizeof want, "EXE:%s", exe);
        wt_result(wait_for(&p, want, 0, 0),
                  "path-search: %s ran the one on PATH, not the one in the "
                  "current directory",
                  names[i]);
        if (wt_failures)
            dump_output(&p);
        finish_proxy(&p);
    }
    SetEnvironmentVariableA("PATH", old_path);
}

/* ---- persistent sessions ---------------------------------------------- */

/* Run "conpty-proxy ARGS" as Emacs runs its helpers, into P; its exit
 * code (-1: none within MS) once its output reached EOF. */
static long run_captured(struct proc *p, const char *args, DWORD ms)
{
    long code;

    if (!start_proxy(p, args)) {
        note("cannot start conpty-proxy %s", args);
        return -1;
    }
    code = wait_exit(p, ms);
    if (!wait_eof(p, 5000))
        note("conpty-proxy %s: stdout still open after its exit", args);
    return code;
}

/* Session ID's line of "conpty-proxy list" into LINE (empty when not
 * listed); false when list failed.  EXPECTED: its absence is noted
 * with list's output. */
static bool list_line(char *line, size_t size, bool expected)
{
    struct proc p;
    char key[128];
    long code = run_captured(&p, "list", 30000);
    bool ok = code == 0;
    const char *at;

    line[0] = '\0';
    snprintf(key, sizeof key, "%s\t", id);
    EnterCriticalSection(&p.lock);
    at = p.buf != NULL ? strstr(p.buf, key) : NULL;
    if (at != NULL) {
        size_t n = strcspn(at, "\r\n");
        snprintf(line, size, "%.*s", (int)n, at);
    }
    LeaveCriticalSection(&p.lock);
    if (!ok || (p.buf != NULL && strstr(p.buf, "conpty-proxy:") != NULL) ||
        (expected && at == NULL)) {
        note("list exited %ld%s", code, at == NULL ? ", without the id" : "");
        dump_output(&p);
    }
    finish_proxy(&p);
    return ok;
}

/* Poll "list" until session ID is gone from it, up to MS. */
static bool list_drops(DWORD ms)
{
    ULONGLONG deadline = GetTickCount64() + ms;
    char line[512];

    while (list_line(line, sizeof line, false) && line[0] != '\0') {
        if (GetTickCount64() >= deadline)
            return false;
        Sleep(200);
    }
    return line[0] == '\0';
}

/* Start "conpty-proxy serve ID 80 25 1000 FIXTURE MODE" as Emacs would;
 * true when it said it serves (exit 0) and left Emacs's pipes. */
static bool serve_fixture_sb(const char *name, const char *mode, int scrollback,
                             struct proc *out)
{
    struct proc p;
    char args[1024];
    long code;
    bool eof;

    snprintf(args, sizeof args, "serve %s 80 25 %d \"%s\" %s", id, scrollback,
             fixture_path, mode);
    if (!start_proxy(&p, args)) {
        wt_result(false, "%s: serve started", name);
        return false;
    }
    code = wait_exit(&p, 30000);
    eof = wait_eof(&p, 5000);
    wt_result(code == 0, "%s: serve exits 0 once the server serves (got %ld)",
              name, code);
    wt_result(eof,
              "%s: serve's stdout reaches EOF: the detached server "
              "holds none of Emacs's pipes",
              name);
    if (code != 0)
        dump_output(&p);
    if (out != NULL) {
        *out = p;
        return code == 0;
    }
    finish_proxy(&p);
    return code == 0;
}

static bool serve_fixture(const char *name, const char *mode)
{
    return serve_fixture_sb(name, mode, 1000, NULL);
}

static bool start_attach(struct proc *p, bool take_over)
{
    char args[256];

    snprintf(args, sizeof args, "attach %s%s 80 25",
             take_over ? "--take-over " : "", id);
    return start_proxy(p, args);
}

/* serve, attach, list, a second attach refused, detach while output
 * streams, reattach (what came while detached, then live), take-over,
 * the session's exit code through attach. */
static void scenario_persist(void)
{
    struct proc a, b, c, d;
    char ev_name[128], mode[192], line[512], args[256], want[256];
    HANDLE ev = fixture_event(ev_name, sizeof ev_name);
    long code;

    snprintf(mode, sizeof mode, "stream %s", ev_name);
    if (ev == NULL || !serve_fixture("persist", mode))
        return;
    snprintf(want, sizeof want, "%s\t80\t25\t", id);
    wt_result(list_line(line, sizeof line, true) &&
                  strncmp(line, want, strlen(want)) == 0 &&
                  strstr(line, "\t0\tfixture.exe\t") != NULL,
              "persist: list: the session, 80x25, not attached, fixture.exe "
              "(\"%s\")",
              line);
    snprintf(args, sizeof args, "data-pipe %s", id);
    fflush(stdout);
    wt_result(run_client(args, 30000) == 0,
              "persist: client reports the data pipe's DACL (user and "
              "SYSTEM only) and mode (bytes, its instance count)");

    /* A: output streams; it lets go (stdin EOF) in the middle. */
    if (!start_attach(&a, false)) {
        wt_result(false, "persist: attach started");
        return;
    }
    wt_result(wait_for(&a, "L00", 0, READY_MS),
              "persist: attach relays the streaming output");
    wt_result(list_line(line, sizeof line, true) &&
                  strstr(line, "\t1\tfixture.exe\t") != NULL,
              "persist: list: attached (\"%s\")", line);
    if (!start_attach(&b, false)) {
        wt_result(false, "persist: second attach started");
    } else {
        expect_refusal(&b, "persist: a second attach", 1, "attached elsewhere");
        finish_proxy(&b);
    }
    CloseHandle(a.in_w);
    a.in_w = NULL;
    code = wait_exit(&a, 15000);
    wt_result(code == 0,
              "persist: attach exits 0 when Emacs lets go "
              "(detach) while output streams (got %ld)",
              code);
    finish_proxy(&a);

    /* Detached, the output goes on into the server's screen. */
    Sleep(1000);
    SetEvent(ev);
    if (!start_attach(&b, false)) {
        wt_result(false, "persist: reattach started");
        return;
    }
    /* (ConPTY redraws only the cells that changed: the count's digits
     * may come apart.) */
    wt_result(wait_for(&b, "COUNT ", 0, READY_MS),
              "persist: reattach shows the stream's end (COUNT)");
    {
        size_t mark = out_len(&b);
        send_text(&b, "two\r");
        wt_result(wait_for(&b, "ECHO:two", mark, 15000),
                  "persist: then live: the echo round trip");
    }

    /* C takes over: B is told and exits 1; C gets the screen. */
    if (!start_attach(&c, true)) {
        wt_result(false, "persist: take-over attach started");
        return;
    }
    code = wait_exit(&b, 15000);
    wait_eof(&b, 5000);
    wt_result(code == 1 && wait_for(&b, "took the session over", 0, 0),
              "persist: --take-over: the client attached before exits 1, "
              "saying so (got %ld)",
              code);
    finish_proxy(&b);
    wt_result(wait_for(&c, "ECHO:two", 0, READY_MS),
              "persist: --take-over: the new client gets the screen");
    {
        size_t mark = out_len(&c);
        send_text(&c, "three\r");
        wt_result(wait_for(&c, "ECHO:three", mark, 15000),
                  "persist: --take-over: and the live session");
    }
    send_text(&c, "exit 9\r");
    code = wait_exit(&c, 15000);
    wt_result(code == 9,
              "persist: attach exits with the session's exit "
              "code 9 (got %ld)",
              code);
    wt_result(wait_eof(&c, 5000), "persist: attach's stdout reaches EOF");
    if (wt_failures)
        dump_output(&c);
    finish_proxy(&c);
    wt_result(list_drops(15000), "persist: list drops the ended session");
    if (start_attach(&d, false)) {
        expect_refusal(&d, "persist: attach to the ended session", 1,
                       "no session");
        finish_proxy(&d);
    }
    snprintf(args, sizeof args, "kill %s", id);
    code = run_program(proxy_path, args, 15000);
    wt_result(code == 1, "persist: kill of an ended session exits 1 (got %ld)",
              code);
    CloseHandle(ev);
}

/* A session nobody attached to while its program wrote HOLD_LINES lines
 * (more than ConPTY holds unread: the program finishes only if the
 * server reads): the first attach gets them from the server's screen and
 * scrollback; "kill" ends the session and the attached client gets its
 * exit code. */
static void scenario_persist_held(void)
{
    struct proc a;
    char ev_name[128], mode[192], line[WT_LINE_MAX + 1], args[256];
    HANDLE ev = fixture_event(ev_name, sizeof ev_name);
    long code;

    snprintf(mode, sizeof mode, "hold %d %s", HOLD_LINES, ev_name);
    if (ev == NULL || !serve_fixture("persist-held", mode))
        return;
    wt_result(WaitForSingleObject(ev, READY_MS) == WAIT_OBJECT_0,
              "persist-held: the program wrote its %d lines with no client "
              "attached",
              HOLD_LINES);
    Sleep(500); /* let it settle */
    check_idle("persist-held: the detached server", "serve", 5000, 5);
    if (!start_attach(&a, false)) {
        wt_result(false, "persist-held: attach started");
        return;
    }
    wt_result(wait_for(&a, "HELD", 0, READY_MS),
              "persist-held: attach shows the screen (HELD)");
    wt_line_text(HOLD_LINES - 1, line, sizeof line);
    wt_result(wait_for(&a, line, 0, 0), "persist-held: the last line");
    /* 1000 lines of scrollback were asked for. */
    wt_line_text(HOLD_LINES - 900, line, sizeof line);
    wt_result(wait_for(&a, line, 0, 0),
              "persist-held: a line 900 back, from the scrollback");
    snprintf(args, sizeof args, "kill %s", id);
    code = run_program(proxy_path, args, 15000);
    wt_result(code == 0, "persist-held: kill exits 0 (got %ld)", code);
    /* The program left its console: closing it does not end it; the
     * server ends it after its hang-up bound (exit code 1). */
    code = wait_exit(&a, 30000);
    wt_result(code == 1,
              "persist-held: the attached client exits with the "
              "session's code 1 (got %ld)",
              code);
    finish_proxy(&a);
    wt_result(list_drops(15000), "persist-held: list drops the session");
    CloseHandle(ev);
}

/* Someone holds the data pipe's name: serve fails, saying so, and
 * starts no program. */
static void scenario_persist_squat(void)
{
    char name[CTL_NAME_MAX], args[1024], line[512];
    HANDLE squat;
    struct proc p;
    long code;

    if (ctl_data_pipe_name(id, name, sizeof name) != CTL_OK) {
        wt_result(false, "persist-squat: pipe name for %s", id);
        return;
    }
    squat = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                             PIPE_TYPE_BYTE, 1, 4096, 4096, 0, NULL);
    if (squat == INVALID_HANDLE_VALUE) {
        wt_result(false, "persist-squat: created %s (error %lu)", name,
                  (unsigned long)GetLastError());
        return;
    }
    snprintf(args, sizeof args, "serve %s 80 25 1000 \"%s\" echo", id,
             fixture_path);
    code = run_captured(&p, args, 30000);
    wt_result(code == 1, "persist-squat: serve exits 1 (got %ld)", code);
    wt_result(wait_for(&p, "exists already", 0, 0),
              "persist-squat: its message says \"exists already\"");
    finish_proxy(&p);
    wt_result(list_line(line, sizeof line, false) && line[0] == '\0',
              "persist-squat: list has no such session");
    CloseHandle(squat);
}

enum { PERSIST_LINES = 20000 };

/* Rule 5 end to end: Emacs stops reading an attached session's output
 * for STALL_MS while the program writes; the attach client's queue
 * fills, then the server's, then the server stops reading ConPTY; once
 * Emacs reads again every line arrives, in order, none twice, and the
 * exit code after them.  The attach client's trace log is the
 * scenario's with ".attach" added. */
static void scenario_persist_stall(void)
{
    struct proc a;
    char mode[64], log[MAX_PATH], attach_log[MAX_PATH + 8];
    long code, seen = 0, bad = 0;
    DWORD n = GetEnvironmentVariableA("CONPTY_PROXY_LOG", log, sizeof log);
    bool ok;

    snprintf(mode, sizeof mode, "lines %d 3", PERSIST_LINES);
    /* Scrollback for every line: what came before the attach is in the
     * snapshot. */
    if (n == 0 || n >= sizeof log ||
        !serve_fixture_sb("persist-stall", mode, 100000, NULL))
        return;
    snprintf(attach_log, sizeof attach_log, "%s.attach", log);
    SetEnvironmentVariableA("CONPTY_PROXY_LOG", attach_log);
    ok = start_attach(&a, false);
    SetEnvironmentVariableA("CONPTY_PROXY_LOG", log);
    if (!ok) {
        wt_result(false, "persist-stall: attach started");
        return;
    }
    ResetEvent(a.resume);
    Sleep(STALL_MS);
    SetEvent(a.resume);
    code = wait_exit(&a, 300000);
    wait_eof(&a, 10000);
    wt_result(code == 3,
              "persist-stall: attach exits with the session's code 3 after "
              "the output (got %ld)",
              code);
    ok = check_lines(&a, PERSIST_LINES, &seen, &bad);
    wt_result(ok,
              "persist-stall: %d lines (snapshot, then live) complete and "
              "in order (%ld seen, %ld bad)",
              PERSIST_LINES, seen, bad);
    wt_result(wait_for(&a, "END", 0, 0), "persist-stall: END arrived");
    finish_proxy(&a);
}

/* Emacs in a job (its children start in it): where the job lets them
 * break away, the server leaves it and outlives it; where it does not,
 * serve says so, and the session ends with the job. */
static void scenario_persist_job(void)
{
    static char id2[CTL_ID_MAX + 1];
    const char *first = id;
    char line[512];

    for (int allow = 1; allow >= 0; allow--) {
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION li;
        const char *name = allow ? "persist-job (breakaway allowed)"
                                 : "persist-job (breakaway denied)";
        struct proc p;
        bool said;

        memset(&li, 0, sizeof li);
        li.BasicLimitInformation.LimitFlags =
            JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE |
            (allow ? JOB_OBJECT_LIMIT_BREAKAWAY_OK : 0);
        proxy_job = CreateJobObjectA(NULL, NULL);
        if (proxy_job == NULL ||
            !SetInformationJobObject(
                proxy_job, JobObjectExtendedLimitInformation, &li, sizeof li)) {
            wt_result(false, "%s: job made", name);
            return;
        }
        if (!allow) {
            snprintf(id2, sizeof id2, "%s-2", first);
            id = id2;
        }
        if (!serve_fixture_sb(name, "echo", 1000, &p)) {
            CloseHandle(proxy_job);
            proxy_job = NULL;
            return;
        }
        said = wait_for(&p, "does not allow breaking away", 0, 0);
        finish_proxy(&p);
        wt_result(allow ? !said : said, "%s: serve %s so on stderr", name,
                  allow ? "does not say" : "says");
        /* The job ends: KILL_ON_JOB_CLOSE ends what is still in it. */
        CloseHandle(proxy_job);
        proxy_job = NULL;
        if (allow) {
            char args[256];
            Sleep(1000);
            wt_result(list_line(line, sizeof line, true) && line[0] != '\0',
                      "%s: the session outlives the job", name);
            snprintf(args, sizeof args, "kill %s", id);
            wt_result(run_program(proxy_path, args, 15000) == 0,
                      "%s: kill ends it", name);
            wt_result(list_drops(15000), "%s: list drops it", name);
        } else {
            wt_result(list_drops(15000), "%s: the session ended with the job",
                      name);
        }
    }
    id = first;
}

/* The parent of process PID (the session server of the child "list"
 * names), opened to terminate and wait for; NULL when not found. */
static HANDLE open_parent(DWORD pid)
{
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    PROCESSENTRY32 pe;
    HANDLE h = NULL;

    if (snap == INVALID_HANDLE_VALUE)
        return NULL;
    pe.dwSize = sizeof pe;
    for (BOOL more = Process32First(snap, &pe); more && h == NULL;
         more = Process32Next(snap, &pe))
        if (pe.th32ProcessID == pid)
            h = OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE,
                            pe.th32ParentProcessID);
    CloseHandle(snap);
    return h;
}

/* The session server is killed outright (TerminateProcess): its
 * attached client says so and exits 1, its program goes with it (the
 * server's job), "list" drops it at once (its entry goes with its
 * handle), and nothing left blocks a new session of that id. */
static void scenario_persist_server_kill(void)
{
    struct proc a;
    char line[512];
    HANDLE server = NULL, child = NULL;
    unsigned long child_pid = 0;
    long code;

    if (!serve_fixture("persist-server-kill", "echo"))
        return;
    if (!start_attach(&a, false)) {
        wt_result(false, "persist-server-kill: attach started");
        return;
    }
    wt_result(wait_for(&a, "READY", 0, READY_MS),
              "persist-server-kill: attached");
    if (list_line(line, sizeof line, true) &&
        sscanf(line + strlen(id), "\t%*d\t%*d\t%lu", &child_pid) == 1) {
        child = OpenProcess(SYNCHRONIZE, FALSE, child_pid);
        server = open_parent(child_pid);
    }
    wt_result(server != NULL && child != NULL,
              "persist-server-kill: found the server (the parent of the "
              "program list names, %lu)",
              child_pid);
    if (server == NULL || child == NULL)
        return;
    TerminateProcess(server, 9);
    WaitForSingleObject(server, 10000);
    code = wait_exit(&a, 15000);
    wait_eof(&a, 5000);
    wt_result(code == 1 && wait_for(&a, "session server is gone", 0, 0),
              "persist-server-kill: the attached client exits 1, saying the "
              "server is gone (got %ld)",
              code);
    finish_proxy(&a);
    wt_result(WaitForSingleObject(child, 15000) == WAIT_OBJECT_0,
              "persist-server-kill: the program went with its server");
    wt_result(list_line(line, sizeof line, false) && line[0] == '\0',
              "persist-server-kill: list drops it at once");
    if (serve_fixture("persist-server-kill: again", "echo")) {
        char args[256];
        snprintf(args, sizeof args, "kill %s", id);
        wt_result(run_program(proxy_path, args, 15000) == 0,
                  "persist-server-kill: the new session of that id ends by "
                  "kill");
    }
    CloseHandle(child);
    CloseHandle(server);
}

/* Two clients attach at the same moment, RACE_ROUNDS times: exactly one
 * gets the session (live: its input echoes), the other is refused
 * ("attached elsewhere", exit 1); the winner lets go, and the next
 * round races again. */
enum { RACE_ROUNDS = 5 };

static void scenario_persist_race(void)
{
    int round, won = 0;
    char args[256];

    if (!serve_fixture("persist-race", "echo"))
        return;
    for (round = 0; round < RACE_ROUNDS; round++) {
        struct proc p[2];
        HANDLE h[2];
        DWORD w;
        int loser;
        long code;
        char text[32], echo[40];

        if (!start_attach(&p[0], false))
            break;
        if (!start_attach(&p[1], false)) {
            finish_proxy(&p[0]);
            break;
        }
        h[0] = p[0].process;
        h[1] = p[1].process;
        w = WaitForMultipleObjects(2, h, FALSE, 30000);
        if (w != WAIT_OBJECT_0 && w != WAIT_OBJECT_0 + 1) {
            note("round %d: neither client exited (both attached?)", round);
            TerminateProcess(p[0].process, 1);
            TerminateProcess(p[1].process, 1);
            finish_proxy(&p[0]);
            finish_proxy(&p[1]);
            break;
        }
        loser = (int)(w - WAIT_OBJECT_0);
        code = wait_exit(&p[loser], 0);
        wait_eof(&p[loser], 5000);
        snprintf(text, sizeof text, "race%d\r", round);
        snprintf(echo, sizeof echo, "ECHO:race%d", round);
        if (code == 1 && wait_for(&p[loser], "attached elsewhere", 0, 0) &&
            wait_exit(&p[1 - loser], 0) == -1 &&
            send_text(&p[1 - loser], text) &&
            wait_for(&p[1 - loser], echo, 0, 15000))
            won++;
        else
            note("round %d: the loser exited %ld", round, code);
        CloseHandle(p[1 - loser].in_w);
        p[1 - loser].in_w = NULL;
        code = wait_exit(&p[1 - loser], 15000);
        if (code != 0)
            note("round %d: the winner exited %ld on detach", round, code);
        finish_proxy(&p[0]);
        finish_proxy(&p[1]);
    }
    wt_result(won == RACE_ROUNDS,
              "persist-race: two clients attaching at once: one gets the "
              "live session, the other is refused, %d of %d rounds",
              won, RACE_ROUNDS);
    snprintf(args, sizeof args, "kill %s", id);
    wt_result(run_program(proxy_path, args, 15000) == 0,
              "persist-race: the session ends by kill");
}

/* A program that cannot start: serve exits 127 with the reason, and no
 * session is left. */
static void scenario_persist_start_fail(void)
{
    struct proc p;
    char args[256], line[512];
    long code;

    snprintf(args, sizeof args, "serve %s 80 25 1000 no-such-program-%s.exe",
             id, id);
    code = run_captured(&p, args, 30000);
    wt_result(code == 127, "persist-start-fail: serve exits 127 (got %ld)",
              code);
    wt_result(wait_for(&p, "cannot start", 0, 0),
              "persist-start-fail: its message says \"cannot start\"");
    if (wt_failures)
        dump_output(&p);
    finish_proxy(&p);
    wt_result(list_line(line, sizeof line, false) && line[0] == '\0',
              "persist-start-fail: list has no such session");
}

int main(int argc, char **argv)
{
    const char *scenario;

    setvbuf(stdout, NULL, _IONBF, 0);
    /* Emacs's error mode (w32.c), which its children inherit. */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX);
    if (argc < 6) {
        fprintf(stderr, "usage: driver SCENARIO PROXY FIXTURE CLIENT ID\n");
        return 2;
    }
    scenario = argv[1];
    proxy_path = full_path(argv[2]);
    fixture_path = full_path(argv[3]);
    client_path = full_path(argv[4]);
    id = argv[5];
    if (strcmp(scenario, "basic") == 0)
        scenario_basic();
    else if (strcmp(scenario, "exitcode") == 0)
        scenario_exitcode();
    else if (strcmp(scenario, "stdin-eof") == 0)
        scenario_stdin_eof();
    else if (strcmp(scenario, "start-fail") == 0)
        scenario_start_fail();
    else if (strcmp(scenario, "squat") == 0)
        scenario_squat();
    else if (strcmp(scenario, "big") == 0)
        scenario_big(argc > 6 ? atol(argv[6]) : 30000, false);
    else if (strcmp(scenario, "stall") == 0)
        /* The size in MiB, in whole lines. */
        scenario_big(argc > 6 ? (atol(argv[6]) << 20) / WT_LINE_BYTES : 30000,
                     true);
    else if (strcmp(scenario, "abuse") == 0)
        scenario_abuse();
    else if (strcmp(scenario, "env") == 0)
        scenario_env();
    else if (strcmp(scenario, "raw") == 0)
        scenario_raw();
    else if (strcmp(scenario, "stdout-close") == 0)
        scenario_stdout_close();
    else if (strcmp(scenario, "idle") == 0)
        scenario_idle();
    else if (strcmp(scenario, "child-kill") == 0)
        scenario_child_kill();
    else if (strcmp(scenario, "proxy-kill") == 0)
        scenario_proxy_kill();
    else if (strcmp(scenario, "vanish") == 0)
        scenario_vanish();
    else if (strcmp(scenario, "storm") == 0)
        scenario_storm();
    else if (strcmp(scenario, "squatter") == 0)
        scenario_squatter();
    else if (strcmp(scenario, "wm-close") == 0)
        scenario_wm_close();
    else if (strcmp(scenario, "conpty-dll") == 0)
        scenario_conpty_dll();
    else if (strcmp(scenario, "error-mode") == 0)
        scenario_error_mode();
    else if (strcmp(scenario, "inherit") == 0)
        scenario_inherit();
    else if (strcmp(scenario, "resize-stall") == 0)
        scenario_resize_stall();
    else if (strcmp(scenario, "path-search") == 0)
        scenario_path_search();
    else if (strcmp(scenario, "persist") == 0)
        scenario_persist();
    else if (strcmp(scenario, "persist-held") == 0)
        scenario_persist_held();
    else if (strcmp(scenario, "persist-squat") == 0)
        scenario_persist_squat();
    else if (strcmp(scenario, "persist-stall") == 0)
        scenario_persist_stall();
    else if (strcmp(scenario, "persist-job") == 0)
        scenario_persist_job();
    else if (strcmp(scenario, "persist-race") == 0)
        scenario_persist_race();
    else if (strcmp(scenario, "persist-server-kill") == 0)
        scenario_persist_server_kill();
    else if (strcmp(scenario, "persist-start-fail") == 0)
        scenario_persist_start_fail();
    else {
        fprintf(stderr, "driver: unknown scenario %s\n", scenario);
        return 2;
    }
    return wt_failures == 0 ? 0 : 1;
}

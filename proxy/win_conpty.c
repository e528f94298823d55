/* win_conpty.c -- the pseudo console, its two pipes and the child.
 *
 * Rule 1: a handle is either overlapped (ours, used only by the loop) or
 * synchronous (ConPTY's), never both.
 * Rule 7: ConPTY's ends of its pipes are synchronous handles; ours are
 * overlapped named-pipe server ends with random names, the explicit DACL
 * and PIPE_REJECT_REMOTE_CLIENTS.
 * Rule 8: the child gets STARTF_USESTDHANDLES with NULL std handles (it
 * must not inherit the stdio Emacs gave us) plus the pseudo-console
 * attribute, no PSEUDOCONSOLE_INHERIT_CURSOR, and the default Ctrl-C
 * handling so that 0x03 on ConPTY's input reaches its process group. */
#include "win_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "trace.h"

enum { PTY_PIPE_BUFFER = 64 << 10 };

/* One pipe between us and ConPTY.  INBOUND: ConPTY writes, we read
 * (its output); otherwise we write, ConPTY reads (its input). */
static bool make_pty_pipe(struct win_security *sec, bool inbound, HANDLE *ours,
                          HANDLE *theirs)
{
    char name[128], rnd[33];
    OVERLAPPED ov;
    HANDLE srv, cli;
    DWORD err;

    if (!win_random_hex(rnd, 16))
        return false;
    snprintf(name, sizeof name, "\\\\.\\pipe\\conpty-proxy-io-%lu-%s",
             (unsigned long)GetCurrentProcessId(), rnd);
    /* Rule 7: our end overlapped, random name, our DACL, local only. */
    srv = CreateNamedPipeA(
        name,
        (inbound ? PIPE_ACCESS_INBOUND : PIPE_ACCESS_OUTBOUND) |
            FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
        PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT |
            PIPE_REJECT_REMOTE_CLIENTS,
        1, PTY_PIPE_BUFFER, PTY_PIPE_BUFFER, 0, &sec->sa);
    if (srv == INVALID_HANDLE_VALUE) {
        win_fail("CreateNamedPipe (pseudo console pipe)");
        return false;
    }
    /* Rule 7: ConPTY's end is a plain synchronous handle (flags 0),
     * not inheritable (sec->sa.bInheritHandle is FALSE). */
    cli = CreateFileA(name, inbound ? GENERIC_WRITE : GENERIC_READ, 0, &sec->sa,
                      OPEN_EXISTING, 0, NULL);
    if (cli == INVALID_HANDLE_VALUE) {
        win_fail("CreateFile (pseudo console pipe)");
        CloseHandle(srv);
        return false;
    }
    /* The client is connected already: ConnectNamedPipe answers
     * ERROR_PIPE_CONNECTED.  Not yet on the IOCP, so a pending connect
     * (which should not happen) is waited for here, bounded. */
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    if (ov.hEvent == NULL) {
        win_fail("CreateEvent");
        goto fail;
    }
    if (!ConnectNamedPipe(srv, &ov)) {
        err = GetLastError();
        if (err == ERROR_IO_PENDING) {
            DWORD n;
            if (WaitForSingleObject(ov.hEvent, 5000) != WAIT_OBJECT_0) {
                CancelIoEx(srv, &ov);
                GetOverlappedResult(srv, &ov, &n, TRUE);
                win_fail_code("ConnectNamedPipe (pseudo console pipe)",
                              ERROR_TIMEOUT);
                CloseHandle(ov.hEvent);
                goto fail;
            }
            if (!GetOverlappedResult(srv, &ov, &n, FALSE)) {
                win_fail("ConnectNamedPipe (pseudo console pipe)");
                CloseHandle(ov.hEvent);
                goto fail;
            }
        } else if (err != ERROR_PIPE_CONNECTED) {
            win_fail_code("ConnectNamedPipe (pseudo console pipe)", err);
            CloseHandle(ov.hEvent);
            goto fail;
        }
    }
    CloseHandle(ov.hEvent);
    *ours = srv;
    *theirs = cli;
    return true;
fail:
    CloseHandle(cli);
    CloseHandle(srv);
    return false;
}

/* Append ARG to the command line at W (room checked by the caller)
 * quoted the way CommandLineToArgvW and the C runtimes split it. */
static wchar_t *quote_arg(wchar_t *w, const wchar_t *arg)
{
    bool quote = arg[0] == L'\0' || wcspbrk(arg, L" \t\n\v\"") != NULL;

    if (!quote) {
        size_t n = wcslen(arg);
        memcpy(w, arg, n * sizeof *w);
        return w + n;
    }
    *w++ = L'"';
    for (const wchar_t *p = arg;; p++) {
        size_t backslashes = 0;
        while (*p == L'\\') {
            backslashes++;
            p++;
        }
        if (*p == L'\0') {
            /* Double them: the closing quote must stay a quote. */
            for (size_t i = 0; i < 2 * backslashes; i++)
                *w++ = L'\\';
            break;
        }
        if (*p == L'"') {
            for (size_t i = 0; i < 2 * backslashes + 1; i++)
                *w++ = L'\\';
        } else {
            for (size_t i = 0; i < backslashes; i++)
                *w++ = L'\\';
        }
        *w++ = *p;
    }
    *w++ = L'"';
    return w;
}

/* The child's command line from ARGV (in the ANSI code page, as the C
 * runtime gave it to main), or NULL (reported). */
static wchar_t *build_command_line(char **argv)
{
    size_t room = 1;
    wchar_t **wide;
    wchar_t *line, *w;
    int argc = 0;

    while (argv[argc] != NULL)
        argc++;
    wide = calloc((size_t)argc + 1, sizeof *wide);
    if (wide == NULL) {
        win_fail_code("calloc", ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    for (int i = 0; i < argc; i++) {
        int n = MultiByteToWideChar(CP_ACP, 0, argv[i], -1, NULL, 0);
        if (n <= 0 || (wide[i] = malloc((size_t)n * sizeof(wchar_t))) == NULL ||
            MultiByteToWideChar(CP_ACP, 0, argv[i], -1, wide[i], n) <= 0) {
            win_fail("MultiByteToWideChar");
            line = NULL;
            goto out;
        }
        /* Worst case: every character a quote or backslash (2x), plus
         * the quotes and a space. */
        room += 2 * (size_t)n + 3;
    }
    line = malloc(room * sizeof *line);
    if (line == NULL) {
        win_fail_code("malloc", ERROR_NOT_ENOUGH_MEMORY);
        goto out;
    }
    w = line;
    for (int i = 0; i < argc; i++) {
        if (i > 0)
            *w++ = L' ';
        w = quote_arg(w, wide[i]);
    }
    *w = L'\0';
out:
    for (int i = 0; i < argc; i++)
        free(wide[i]);
    free(wide);
    return line;
}

/* True when PATH names an existing file (not a directory). */
static bool is_file(const wchar_t *path)
{
    DWORD a = GetFileAttributesW(path);

    return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

/* True when the last component of NAME has an extension. */
static bool has_extension(const wchar_t *name)
{
    const wchar_t *dot = wcsrchr(name, L'.');

    return dot != NULL && wcspbrk(dot, L"\\/") == NULL;
}

/* Try DIR\NAME (DIR may be NULL: NAME alone), with NAME's own extension
 * or, without one, each of ".com" and ".exe" in PATHEXT's order (the
 * program must be an executable image: a batch file needs cmd.exe).
 * The full path into OUT (MAX_PATH * 4 characters). */
static bool try_program(const wchar_t *dir, const wchar_t *name, wchar_t *out)
{
    static const wchar_t *const exts[] = {L".com", L".exe"};
    wchar_t pathext[1024], candidate[MAX_PATH * 4];
    const wchar_t *order[2] = {exts[0], exts[1]};
    size_t n;
    int len;

    if (dir != NULL)
        len = swprintf(candidate, MAX_PATH * 4, L"%ls%ls%ls", dir,
                       dir[0] != L'\0' &&
                               wcschr(L"\\/", dir[wcslen(dir) - 1]) == NULL
                           ? L"\\"
                           : L"",
                       name);
    else
        len = swprintf(candidate, MAX_PATH * 4, L"%ls", name);
    if (len < 0 || len > MAX_PATH * 4 - 8)
        return false;
    if (has_extension(name)) {
        if (!is_file(candidate))
            return false;
    } else {
        /* PATHEXT decides the order (".COM;.EXE;..." by default). */
        n = GetEnvironmentVariableW(L"PATHEXT", pathext, 1024);
        if (n > 0 && n < 1024) {
            _wcslwr(pathext);
            const wchar_t *com = wcsstr(pathext, L".com");
            const wchar_t *exe = wcsstr(pathext, L".exe");
            if (exe != NULL && (com == NULL || exe < com)) {
                order[0] = exts[1];
                order[1] = exts[0];
            }
        }
        bool found = false;
        for (int i = 0; i < 2 && !found; i++) {
            wcscpy(candidate + len, order[i]);
            found = is_file(candidate);
        }
        if (!found)
            return false;
    }
    if (GetFullPathNameW(candidate, MAX_PATH * 4, out, NULL) - 1 >=
        MAX_PATH * 4 - 1)
        return false;
    return true;
}

/* The program NAME resolved to an absolute file name in OUT (MAX_PATH * 4
 * characters), never from the current directory: it is the buffer's
 * default-directory, perhaps an untrusted checkout, and CreateProcess
 * would look there (and in the proxy's directory) before PATH.  A name
 * with a directory part is taken as given; a bare name is looked for in
 * the system directories and then in the absolute directories of PATH,
 * with ".com"/".exe" added when it has no extension. */
static bool resolve_program(const wchar_t *name, wchar_t *out)
{
    wchar_t dir[MAX_PATH];
    wchar_t *path, *entry, *next;
    DWORD n;
    bool found = false;

    if (name[0] == L'\0')
        return false;
    if (wcspbrk(name, L"\\/:") != NULL)
        return try_program(NULL, name, out);
    n = GetSystemDirectoryW(dir, MAX_PATH);
    if (n > 0 && n < MAX_PATH && try_program(dir, name, out))
        return true;
    n = GetWindowsDirectoryW(dir, MAX_PATH);
    if (n > 0 && n < MAX_PATH && try_program(dir, name, out))
        return true;
    n = GetEnvironmentVariableW(L"PATH", NULL, 0);
    if (n == 0 || (path = malloc((size_t)n * sizeof *path)) == NULL)
        return false;
    if (GetEnvironmentVariableW(L"PATH", path, n) >= n) {
        free(path);
        return false;
    }
    for (entry = path; entry != NULL && !found; entry = next) {
        size_t len;
        next = wcschr(entry, L';');
        if (next != NULL)
            *next++ = L'\0';
        /* "C:\My Tools" may be quoted in PATH. */
        if (entry[0] == L'"') {
            entry++;
            len = wcslen(entry);
            if (len > 0 && entry[len - 1] == L'"')
                entry[len - 1] = L'\0';
        }
        /* Only absolute directories: "." or "bin" would be the current
         * directory again. */
        if (!((iswalpha(entry[0]) && entry[1] == L':' &&
               (entry[2] == L'\\' || entry[2] == L'/')) ||
              (entry[0] == L'\\' && entry[1] == L'\\')))
            continue;
        found = try_program(entry, name, out);
    }
    free(path);
    return found;
}

/* ---- the ConPTY functions, looked up at run time ---------------------
 * Static imports would keep the exe from loading at all on Windows
 * before 10 1809 (Emacs would show an exit code and nothing else).  A
 * conpty.dll beside the proxy (the ConPTY Windows Terminal ships, which
 * starts the OpenConsole.exe beside it) is preferred to the inbox one:
 * it is maintained and fixed where old Windows builds are not. */
typedef HRESULT(WINAPI *create_pc_fn)(COORD, HANDLE, HANDLE, DWORD, HPCON *);
typedef HRESULT(WINAPI *resize_pc_fn)(HPCON, COORD);
typedef void(WINAPI *close_pc_fn)(HPCON);

static struct {
    create_pc_fn create;
    resize_pc_fn resize;
    close_pc_fn close;
} conpty;

static bool lookup_conpty(HMODULE dll, const char *prefix)
{
    char name[64];

    snprintf(name, sizeof name, "%sCreatePseudoConsole", prefix);
    conpty.create = (create_pc_fn)(void (*)(void))GetProcAddress(dll, name);
    snprintf(name, sizeof name, "%sResizePseudoConsole", prefix);
    conpty.resize = (resize_pc_fn)(void (*)(void))GetProcAddress(dll, name);
    snprintf(name, sizeof name, "%sClosePseudoConsole", prefix);
    conpty.close = (close_pc_fn)(void (*)(void))GetProcAddress(dll, name);
    return conpty.create != NULL && conpty.resize != NULL &&
           conpty.close != NULL;
}

/* conpty.dll from the proxy's own directory, when OpenConsole.exe is
 * there too (conpty.dll starts it from its own directory). */
static bool load_conpty_dll(void)
{
    wchar_t dir[MAX_PATH * 2], dll_path[MAX_PATH * 2 + 16],
        host[MAX_PATH * 2 + 16];
    DWORD n = GetModuleFileNameW(NULL, dir, MAX_PATH * 2);
    wchar_t *slash;
    HMODULE dll;

    if (n == 0 || n >= MAX_PATH * 2 || (slash = wcsrchr(dir, L'\\')) == NULL)
        return false;
    *slash = L'\0';
    swprintf(dll_path, MAX_PATH * 2 + 16, L"%ls\\conpty.dll", dir);
    swprintf(host, MAX_PATH * 2 + 16, L"%ls\\OpenConsole.exe", dir);
    if (!is_file(dll_path) || !is_file(host))
        return false;
    /* By full path: never a conpty.dll from the search path. */
    dll = LoadLibraryExW(dll_path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (dll == NULL) {
        win_fail("LoadLibrary (conpty.dll beside conpty-proxy)");
        return false;
    }
    if (lookup_conpty(dll, "Conpty")) {
        trace("conpty: %ls", dll_path);
        return true;
    }
    trace("conpty: %ls lacks the Conpty*PseudoConsole functions: not used",
          dll_path);
    FreeLibrary(dll);
    return false;
}

/* Find the ConPTY functions; false (reported on stderr) when this
 * Windows has none. */
static bool load_conpty(void)
{
    HMODULE k32;

    if (conpty.create != NULL)
        return true;
    if (load_conpty_dll())
        return true;
    k32 = GetModuleHandleW(L"kernel32.dll");
    if (k32 != NULL && lookup_conpty(k32, "")) {
        trace("conpty: kernel32");
        return true;
    }
    fprintf(stderr,
            "conpty-proxy: this Windows has no pseudo console (ConPTY): "
            "Windows 10 version 1809 (build 17763) or later is needed, or "
            "conpty.dll with its OpenConsole.exe beside conpty-proxy.exe\n");
    return false;
}

/* A job that kills the child when the proxy dies: the last handle to it
 * is ours, so it closes however the proxy ends (killed from the task
 * manager, crashed), and the kernel ends the child then.  Without it the
 * child's end depends on conhost noticing and on the child honouring
 * CTRL_CLOSE_EVENT, and a child that does not lives on as an orphan.
 * Only the child: JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK leaves what it
 * starts outside the job, as a console closing does not end a program
 * started from it with "start".  NULL (reported) when it cannot be made:
 * the session runs all the same. */
static HANDLE make_kill_job(void)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits;
    HANDLE job = CreateJobObjectW(NULL, NULL);

    if (job == NULL) {
        win_fail("CreateJobObject");
        return NULL;
    }
    memset(&limits, 0, sizeof limits);
    limits.BasicLimitInformation.LimitFlags =
        JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE |
        JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK;
    if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation,
                                 &limits, sizeof limits)) {
        win_fail("SetInformationJobObject");
        CloseHandle(job);
        return NULL;
    }
    return job;
}

static int start_child(struct win_pty *pty, const struct session_config *cfg)
{
    STARTUPINFOEXW si;
    PROCESS_INFORMATION pi;
    SIZE_T attr_len = 0;
    wchar_t *cmd, *program = NULL, app[MAX_PATH * 4];
    int ret = PROXY_EXIT_FAILURE, n;

    n = MultiByteToWideChar(CP_ACP, 0, cfg->argv[0], -1, NULL, 0);
    if (n <= 0 || (program = malloc((size_t)n * sizeof *program)) == NULL ||
        MultiByteToWideChar(CP_ACP, 0, cfg->argv[0], -1, program, n) <= 0) {
        win_fail("MultiByteToWideChar");
        free(program);
        return PROXY_EXIT_FAILURE;
    }
    if (!resolve_program(program, app)) {
        fprintf(stderr,
                "conpty-proxy: cannot start %s: no such program (looked for "
                "in the system directories and PATH, never in the current "
                "directory)\n",
                cfg->argv[0]);
        free(program);
        return PROXY_EXIT_START;
    }
    free(program);
    cmd = build_command_line(cfg->argv);
    if (cmd == NULL)
        return PROXY_EXIT_FAILURE;
    memset(&si, 0, sizeof si);
    si.StartupInfo.cb = sizeof si;
    /* Rule 8: STARTF_USESTDHANDLES with NULL handles: the child must not
     * inherit the pipes Emacs gave us; the pseudo console is its
     * console. */
    si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    si.StartupInfo.hStdInput = NULL;
    si.StartupInfo.hStdOutput = NULL;
    si.StartupInfo.hStdError = NULL;
    InitializeProcThreadAttributeList(NULL, 1, 0, &attr_len);
    si.lpAttributeList = malloc(attr_len);
    if (si.lpAttributeList == NULL) {
        win_fail_code("malloc", ERROR_NOT_ENOUGH_MEMORY);
        goto out;
    }
    if (!InitializeProcThreadAttributeList(si.lpAttributeList, 1, 0,
                                           &attr_len)) {
        win_fail("InitializeProcThreadAttributeList");
        free(si.lpAttributeList);
        si.lpAttributeList = NULL;
        goto out;
    }
    if (!UpdateProcThreadAttribute(si.lpAttributeList, 0,
                                   PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE,
                                   pty->hpc, sizeof pty->hpc, NULL, NULL)) {
        win_fail("UpdateProcThreadAttribute");
        goto out;
    }
    /* Rule 8: Ctrl-C must reach the child.  A process started with
     * CREATE_NEW_PROCESS_GROUP (as Emacs may start us) ignores Ctrl-C and
     * its children inherit that; clear it so the child gets the default
     * handling, and ignore Ctrl-C in the proxy with a handler instead
     * (handlers are not inherited).  The same handler turns the console's
     * close event into a hang-up (win_ctrl_handler). */
    if (!SetConsoleCtrlHandler(NULL, FALSE))
        win_fail("SetConsoleCtrlHandler (restore Ctrl-C)");
    if (!SetConsoleCtrlHandler(win_ctrl_handler, TRUE))
        win_fail("SetConsoleCtrlHandler (proxy handler)");
    pty->job = make_kill_job();
    /* Inherit nothing (FALSE); our environment and working directory.
     * Suspended until it is in the job, so that nothing it starts
     * escapes before.  CREATE_DEFAULT_ERROR_MODE: not Emacs's error mode
     * (w32-start-process-inherit-error-mode), which the proxy inherits:
     * the shell gets the system's, as in any terminal. */
    /* The resolved program, never CreateProcess's own search (which
     * looks in the current directory first). */
    if (!CreateProcessW(app, cmd, NULL, NULL, FALSE,
                        EXTENDED_STARTUPINFO_PRESENT | CREATE_SUSPENDED |
                            CREATE_DEFAULT_ERROR_MODE,
                        NULL, NULL, &si.StartupInfo, &pi)) {
        DWORD err = GetLastError();
        char text[256];
        fprintf(stderr, "conpty-proxy: cannot start %s: error %lu (%s)\n",
                cfg->argv[0], (unsigned long)err,
                win_strerror(err, text, sizeof text));
        ret = PROXY_EXIT_START;
        goto out;
    }
    if (pty->job != NULL && !AssignProcessToJobObject(pty->job, pi.hProcess))
        win_fail("AssignProcessToJobObject");
    if (ResumeThread(pi.hThread) == (DWORD)-1) {
        win_fail("ResumeThread");
        TerminateProcess(pi.hProcess, PROXY_EXIT_FAILURE);
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
        goto out;
    }
    CloseHandle(pi.hThread);
    pty->process = pi.hProcess;
    pty->pid = pi.dwProcessId;
    ret = 0;
out:
    if (si.lpAttributeList != NULL) {
        DeleteProcThreadAttributeList(si.lpAttributeList);
        free(si.lpAttributeList);
    }
    free(cmd);
    return ret;
}

int win_pty_start(struct win_pty *pty, const struct session_config *cfg,
                  struct win_security *sec)
{
    HANDLE con_in = NULL, con_out = NULL;
    COORD size = {(SHORT)cfg->cols, (SHORT)cfg->rows};
    HRESULT hr;
    int ret;

    memset(pty, 0, sizeof *pty);
    pty->in_w = pty->out_r = INVALID_HANDLE_VALUE;
    /* Never deleted: the resize thread may use them until exit. */
    InitializeCriticalSection(&pty->rs_lock);
    InitializeCriticalSection(&pty->hpc_lock);
    if (!load_conpty())
        return PROXY_EXIT_FAILURE;
    if (!make_pty_pipe(sec, false, &pty->in_w, &con_in))
        return PROXY_EXIT_FAILURE;
    if (!make_pty_pipe(sec, true, &pty->out_r, &con_out)) {
        CloseHandle(con_in);
        return PROXY_EXIT_FAILURE;
    }
    /* Rule 8: flags 0, no PSEUDOCONSOLE_INHERIT_CURSOR (it would make
     * ConPTY wait for a cursor-position answer we never send). */
    hr = conpty.create(size, con_in, con_out, 0, &pty->hpc);
    /* The pseudo console holds its own copies now; closing ours lets the
     * output pipe reach EOF when ConPTY is gone. */
    CloseHandle(con_in);
    CloseHandle(con_out);
    if (FAILED(hr)) {
        win_fail_code("CreatePseudoConsole", (DWORD)hr);
        pty->hpc = NULL;
        return PROXY_EXIT_FAILURE;
    }
    ret = start_child(pty, cfg);
    if (ret != 0) {
        conpty.close(pty->hpc); /* nothing attached: returns at once */
        pty->hpc = NULL;
    }
    return ret;
}

static DWORD WINAPI resize_thread_main(void *arg)
{
    struct win_pty *pty = arg;

    for (;;) {
        COORD size;
        HRESULT hr = HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE);
        bool pending;

        if (WaitForSingleObject(pty->rs_event, INFINITE) != WAIT_OBJECT_0)
            return 0;
        EnterCriticalSection(&pty->rs_lock);
        pending = pty->rs_pending;
        size.X = (SHORT)pty->rs_cols;
        size.Y = (SHORT)pty->rs_rows;
        pty->rs_pending = false;
        LeaveCriticalSection(&pty->rs_lock);
        if (!pending)
            continue;
        /* May block (conhost stuck on output): only this thread waits. */
        EnterCriticalSection(&pty->hpc_lock);
        if (!pty->hpc_closed)
            hr = conpty.resize(pty->hpc, size);
        LeaveCriticalSection(&pty->hpc_lock);
        PostQueuedCompletionStatus(
            pty->iocp, (DWORD)hr, WIN_KEY_RESIZED,
            (OVERLAPPED *)(ULONG_PTR)(((DWORD)size.X << 16) | (DWORD)size.Y));
    }
}

uint32_t win_pty_resize(void *ctx, int cols, int rows)
{
    struct win_pty *pty = ctx;

    if (pty->close_thread != NULL || pty->hpc == NULL || pty->iocp == NULL)
        return (uint32_t)HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE);
    if (pty->rs_thread == NULL) {
        pty->rs_event = CreateEventA(NULL, FALSE, FALSE, NULL);
        if (pty->rs_event == NULL) {
            win_fail("CreateEvent (resize)");
            return (uint32_t)HRESULT_FROM_WIN32(GetLastError());
        }
        pty->rs_thread =
            CreateThread(NULL, 64 << 10, resize_thread_main, pty, 0, NULL);
        if (pty->rs_thread == NULL) {
            DWORD err = GetLastError();
            win_fail("CreateThread (resize)");
            CloseHandle(pty->rs_event);
            pty->rs_event = NULL;
            return (uint32_t)HRESULT_FROM_WIN32(err);
        }
    }
    /* Rule 1: never ResizePseudoConsole on the loop.  Newest wins. */
    EnterCriticalSection(&pty->rs_lock);
    pty->rs_cols = cols;
    pty->rs_rows = rows;
    pty->rs_pending = true;
    LeaveCriticalSection(&pty->rs_lock);
    SetEvent(pty->rs_event);
    return CTL_RESIZE_QUEUED;
}

static DWORD WINAPI close_thread_main(void *arg)
{
    struct win_pty *pty = arg;

    /* Blocks until ConPTY's output is drained (Windows before 11 24H2):
     * the loop keeps reading meanwhile (rule 9).  Not while a resize
     * uses the pseudo console; none starts after. */
    EnterCriticalSection(&pty->hpc_lock);
    pty->hpc_closed = true;
    conpty.close(pty->hpc);
    LeaveCriticalSection(&pty->hpc_lock);
    win_post(pty->iocp, WIN_KEY_PTY_CLOSED, 0);
    return 0;
}

bool win_pty_close_async(struct win_pty *pty, HANDLE iocp)
{
    if (pty->close_thread != NULL || pty->hpc == NULL)
        return true;
    pty->iocp = iocp;
    /* Rule 1/9: ClosePseudoConsole can block, so never on the loop. */
    pty->close_thread =
        CreateThread(NULL, 64 << 10, close_thread_main, pty, 0, NULL);
    if (pty->close_thread == NULL) {
        win_fail("CreateThread (ClosePseudoConsole)");
        return false;
    }
    return true;
}

void win_pty_free(struct win_pty *pty)
{
    if (pty->in_w != INVALID_HANDLE_VALUE)
        CloseHandle(pty->in_w);
    if (pty->out_r != INVALID_HANDLE_VALUE)
        CloseHandle(pty->out_r);
    pty->in_w = pty->out_r = INVALID_HANDLE_VALUE;
    if (pty->process != NULL)
        CloseHandle(pty->process);
    pty->process = NULL;
    /* The close thread and the pseudo console are left alone: the thread
     * may still be inside ClosePseudoConsole when a bounded wait gave up,
     * and the process is about to exit.  So is the job: its handle closes
     * with the process, ending the child should it still run. */
}

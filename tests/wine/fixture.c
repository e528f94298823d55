/* fixture.c -- the child the Wine tests run inside conpty-proxy.exe.
 * Wine 8 gives a pseudo-console child no std handles, so it opens CONIN$
 * and CONOUT$ itself (cmd.exe cannot be the fixture).
 *
 *   fixture echo          print READY, then for each input line:
 *                           "exit N" -> exit with code N
 *                           "size"   -> print "SIZE <cols> <rows>"
 *                           "pid"    -> print "PID <its process id>"
 *                           other    -> print "ECHO:<line>"
 *   fixture exit N        print BYE, exit with code N
 *   fixture lines N K     print N numbered lines (see line_text), then
 *                         "END", exit with code K
 *   fixture hold N EVENT  print N numbered lines and "HELD", leave the
 *                         console (FreeConsole), set the named event
 *                         EVENT, then sleep until killed
 *   fixture stream EVENT  print numbered lines until the named event
 *                         EVENT is set, then "COUNT <n>" (lines printed),
 *                         then go on as "echo"
 *   fixture env VAR       print "ENV:<value of VAR>" and "CWD:<cwd>", exit 0
 *   fixture whoami        print "EXE:<its own file name>", exit 0
 *   fixture errormode     print "ERRMODE <GetErrorMode()>", exit 0
 *   fixture raw           console input in raw mode: print READY, then
 *                         "RAW:<hex>" for each byte read; "q" exits 0
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wine_test.h"

static HANDLE con_in, con_out;

static void put(const char *s, size_t n)
{
    while (n > 0) {
        DWORD w = 0;
        if (!WriteFile(con_out, s, (DWORD)n, &w, NULL) || w == 0)
            ExitProcess(90);
        s += w;
        n -= w;
    }
}

static void puts_con(const char *s)
{
    put(s, strlen(s));
}

static int echo_mode(void)
{
    char line[512];
    size_t len = 0;

    puts_con("READY\r\n");
    for (;;) {
        char c;
        DWORD n = 0;
        if (!ReadFile(con_in, &c, 1, &n, NULL) || n == 0)
            return 91; /* console input gone */
        if (c == '\r')
            continue;
        if (c != '\n') {
            if (len < sizeof line - 1)
                line[len++] = c;
            continue;
        }
        line[len] = '\0';
        len = 0;
        if (strncmp(line, "exit ", 5) == 0) {
            return atoi(line + 5);
        } else if (strcmp(line, "size") == 0) {
            CONSOLE_SCREEN_BUFFER_INFO info;
            char out[64];
            if (!GetConsoleScreenBufferInfo(con_out, &info)) {
                snprintf(out, sizeof out, "SIZE error %lu\r\n",
                         (unsigned long)GetLastError());
            } else {
                snprintf(out, sizeof out, "SIZE %d %d\r\n",
                         info.srWindow.Right - info.srWindow.Left + 1,
                         info.srWindow.Bottom - info.srWindow.Top + 1);
            }
            puts_con(out);
        } else if (strcmp(line, "pid") == 0) {
            char out[64];
            snprintf(out, sizeof out, "PID %lu\r\n",
                     (unsigned long)GetCurrentProcessId());
            puts_con(out);
        } else {
            puts_con("ECHO:");
            puts_con(line);
            puts_con("\r\n");
        }
    }
}

/* Numbered lines (see wt_line_text) batched into large console writes. */
static char lines_buf[1 << 16];
static size_t lines_used;

static void flush_lines(void)
{
    put(lines_buf, lines_used);
    lines_used = 0;
}

static void put_lines(long from, long to)
{
    for (long i = from; i < to; i++) {
        char line[WT_LINE_MAX + 3];
        size_t n = wt_line_text(i, line, sizeof line);
        memcpy(line + n, "\r\n", 2);
        n += 2;
        if (lines_used + n > sizeof lines_buf)
            flush_lines();
        memcpy(lines_buf + lines_used, line, n);
        lines_used += n;
    }
    flush_lines();
}

static int lines_mode(long count, int code)
{
    put_lines(0, count);
    puts_con("END\r\n");
    return code;
}

static HANDLE open_event(const char *name)
{
    HANDLE ev = OpenEventA(EVENT_MODIFY_STATE | SYNCHRONIZE, FALSE, name);

    if (ev == NULL)
        ExitProcess(95);
    return ev;
}

/* The event tells the driver that everything before it was written: what
 * it does next (kill us or the proxy) must not lose any of it. */
static int hold_mode(long count, const char *event)
{
    HANDLE ev = open_event(event);

    put_lines(0, count);
    puts_con("HELD\r\n");
    /* Detached, the console's end cannot end us: only a job can. */
    CloseHandle(con_in);
    CloseHandle(con_out);
    if (!FreeConsole())
        ExitProcess(96);
    SetEvent(ev);
    Sleep(INFINITE);
    return 0;
}

static int stream_mode(const char *event)
{
    HANDLE ev = open_event(event);
    char out[32];
    long n = 0;

    /* Paced batches, small enough to stop soon after the event: what
     * matters is that output flows for as long as the driver wants, not
     * how much of it (a fast conhost would relay gigabytes). */
    while (WaitForSingleObject(ev, 20) != WAIT_OBJECT_0) {
        put_lines(n, n + 200);
        n += 200;
    }
    snprintf(out, sizeof out, "COUNT %ld\r\n", n);
    puts_con(out);
    return echo_mode();
}

static int env_mode(const char *var)
{
    char value[512], cwd[MAX_PATH], out[1200];
    DWORD n = GetEnvironmentVariableA(var, value, sizeof value);

    if (n == 0 || n >= sizeof value)
        snprintf(value, sizeof value, "(unset)");
    if (GetCurrentDirectoryA(sizeof cwd, cwd) == 0)
        snprintf(cwd, sizeof cwd, "(error %lu)", (unsigned long)GetLastError());
    snprintf(out, sizeof out, "ENV:%s\r\nCWD:%s\r\n", value, cwd);
    puts_con(out);
    return 0;
}

static int raw_mode(void)
{
    if (!SetConsoleMode(con_in, 0)) {
        char out[64];
        snprintf(out, sizeof out, "SetConsoleMode error %lu\r\n",
                 (unsigned long)GetLastError());
        puts_con(out);
        return 94;
    }
    int errors = 0;

    puts_con("READY\r\n");
    for (;;) {
        unsigned char c;
        char out[16];
        DWORD n = 0;
        if (!ReadFile(con_in, &c, 1, &n, NULL)) {
            /* A read aborted by Ctrl-C processing: say so, go on. */
            snprintf(out, sizeof out, "RAWERR:%lu\r\n",
                     (unsigned long)GetLastError());
            puts_con(out);
            if (++errors > 3)
                return 91;
            continue;
        }
        if (n == 0)
            return 91;
        snprintf(out, sizeof out, "RAW:%02x\r\n", c);
        puts_con(out);
        if (c == 'q')
            return 0;
    }
}

int main(int argc, char **argv)
{
    con_in = CreateFileA("CONIN$", GENERIC_READ | GENERIC_WRITE,
                         FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                         OPEN_EXISTING, 0, NULL);
    con_out = CreateFileA("CONOUT$", GENERIC_READ | GENERIC_WRITE,
                          FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                          OPEN_EXISTING, 0, NULL);
    if (con_in == INVALID_HANDLE_VALUE || con_out == INVALID_HANDLE_VALUE)
        return 92;
    if (argc >= 2 && strcmp(argv[1], "echo") == 0)
        return echo_mode();
    if (argc >= 3 && strcmp(argv[1], "exit") == 0) {
        puts_con("BYE\r\n");
        return atoi(argv[2]);
    }
    if (argc >= 4 && strcmp(argv[1], "lines") == 0)
        return lines_mode(atol(argv[2]), atoi(argv[3]));
    if (argc >= 4 && strcmp(argv[1], "hold") == 0)
        return hold_mode(atol(argv[2]), argv[3]);
    if (argc >= 3 && strcmp(argv[1], "stream") == 0)
        return stream_mode(argv[2]);
    if (argc >= 3 && strcmp(argv[1], "env") == 0)
        return env_mode(argv[2]);
    if (argc >= 2 && strcmp(argv[1], "errormode") == 0) {
        char out[32];
        snprintf(out, sizeof out, "ERRMODE %u\r\n", GetErrorMode());
        puts_con(out);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "whoami") == 0) {
        char exe[MAX_PATH], out[MAX_PATH + 16];
        GetModuleFileNameA(NULL, exe, sizeof exe);
        snprintf(out, sizeof out, "EXE:%s\r\n", exe);
        puts_con(out);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "raw") == 0)
        return raw_mode();
    puts_con("fixture: bad arguments\r\n");
    return 93;
}

/* fake_conpty.c -- a stand-in for Windows Terminal's conpty.dll: its
 * Conpty*PseudoConsole exports forward to kernel32's (looked up at run
 * time, as the proxy does).  The "conpty-dll" scenario puts it beside a
 * copy of the proxy to check that the proxy prefers it, and only with
 * an OpenConsole.exe beside it; "resize-stall" makes its resize block. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdlib.h>

typedef HRESULT(WINAPI *create_fn)(COORD, HANDLE, HANDLE, DWORD, HPCON *);
typedef HRESULT(WINAPI *resize_fn)(HPCON, COORD);
typedef void(WINAPI *close_fn)(HPCON);

static FARPROC k32(const char *name)
{
    return GetProcAddress(GetModuleHandleA("kernel32.dll"), name);
}

__declspec(dllexport) HRESULT WINAPI
    ConptyCreatePseudoConsole(COORD size, HANDLE in, HANDLE out, DWORD flags,
                              HPCON *pc)
{
    create_fn f = (create_fn)(void (*)(void))k32("CreatePseudoConsole");
    return f ? f(size, in, out, flags, pc) : E_NOTIMPL;
}

__declspec(dllexport) HRESULT WINAPI
    ConptyResizePseudoConsole(HPCON pc, COORD size)
{
    resize_fn f = (resize_fn)(void (*)(void))k32("ResizePseudoConsole");
    char ms[16];

    /* VTERM_FAKE_RESIZE_MS: block as ResizePseudoConsole does while
     * conhost is stuck writing output nobody reads. */
    if (GetEnvironmentVariableA("VTERM_FAKE_RESIZE_MS", ms, sizeof ms) > 0)
        Sleep((DWORD)atoi(ms));
    return f ? f(pc, size) : E_NOTIMPL;
}

__declspec(dllexport) void WINAPI ConptyClosePseudoConsole(HPCON pc)
{
    close_fn f = (close_fn)(void (*)(void))k32("ClosePseudoConsole");
    if (f)
        f(pc);
}

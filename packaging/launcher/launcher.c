/*
 * Return Desk launcher: runs the bundled Python on the app, passing the arguments through.
 *
 * Built twice by packaging/build.py with Debian's mingw-w64:
 *   ReturnDesk.exe   -mwindows, runs runtime\pythonw.exe: no console window (shortcuts)
 *   returndesk.com   -mconsole, runs runtime\python.exe: output in the terminal, exit code
 *
 * Both wait for Python and return its exit code. Nothing else: no registry, no network,
 * no environment changes beyond what Python needs to find the app (the ._pth file does that).
 */
#define WIN32_LEAN_AND_MEAN
#ifndef UNICODE
#define UNICODE
#endif
#ifndef _UNICODE
#define _UNICODE
#endif
#include <windows.h>
#include <wchar.h>

#ifdef RD_CONSOLE
#define RD_PYTHON L"runtime\\python.exe"
#else
#define RD_PYTHON L"runtime\\pythonw.exe"
#endif

static void fail(const wchar_t *what, const wchar_t *detail)
{
    wchar_t text[2048];
    DWORD err = GetLastError();
    _snwprintf(text, 2047, L"Return Desk cannot start: %ls\n%ls\n(Windows error %lu)\n"
               L"Reinstalling Return Desk should fix this.", what, detail, (unsigned long)err);
    text[2047] = 0;
#ifdef RD_CONSOLE
    fwprintf(stderr, L"%ls\n", text);
#else
    MessageBoxW(NULL, text, L"Return Desk", MB_OK | MB_ICONERROR);
#endif
}

/* The command line after argv[0], exactly as given (quotes kept). */
static const wchar_t *arguments_after_program(const wchar_t *cmd)
{
    if (*cmd == L'"') {
        cmd++;
        while (*cmd && *cmd != L'"')
            cmd++;
        if (*cmd == L'"')
            cmd++;
    } else {
        while (*cmd && *cmd != L' ' && *cmd != L'\t')
            cmd++;
    }
    while (*cmd == L' ' || *cmd == L'\t')
        cmd++;
    return cmd;
}

static int run(void)
{
    wchar_t dir[MAX_PATH + 1], python[MAX_PATH + 64];
    DWORD n = GetModuleFileNameW(NULL, dir, MAX_PATH);
    if (n == 0 || n >= MAX_PATH) {
        fail(L"the launcher cannot find its own folder", L"");
        return 120;
    }
    wchar_t *slash = wcsrchr(dir, L'\\');
    if (!slash) {
        fail(L"unexpected launcher path", dir);
        return 120;
    }
    *slash = 0;
    _snwprintf(python, MAX_PATH + 63, L"%ls\\%ls", dir, RD_PYTHON);
    python[MAX_PATH + 63] = 0;
    if (GetFileAttributesW(python) == INVALID_FILE_ATTRIBUTES) {
        fail(L"the bundled Python is missing", python);
        return 121;
    }

    const wchar_t *args = arguments_after_program(GetCommandLineW());
    size_t size = wcslen(python) + wcslen(args) + 32;
    wchar_t *cmdline = (wchar_t *)HeapAlloc(GetProcessHeap(), 0, size * sizeof(wchar_t));
    if (!cmdline)
        return 122;
    /* -m ui: the same entry point as the "returndesk" console script (ui.launcher:main). */
    _snwprintf(cmdline, size - 1, L"\"%ls\" -m ui %ls", python, args);
    cmdline[size - 1] = 0;

#ifdef RD_CONSOLE
    SetConsoleCtrlHandler(NULL, TRUE); /* Ctrl+C goes to Python; the launcher waits for it. */
#endif
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    GetStartupInfoW(&si);
    if (!CreateProcessW(python, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        fail(L"Python did not start", python);
        return 123;
    }
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD code = 1;
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return (int)code;
}

#ifdef RD_CONSOLE
int wmain(void) { return run(); }
#else
int WINAPI wWinMain(HINSTANCE a, HINSTANCE b, PWSTR c, int d)
{
    (void)a; (void)b; (void)c; (void)d;
    return run();
}
#endif

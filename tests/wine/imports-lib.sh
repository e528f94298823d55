# imports-lib.sh -- sourced after tests/lib/suite.sh by the suites that
# check Windows binaries (windows-imports, dist).
#
# check_imports PE: PE must load on a bare Windows: every DLL it imports
# is part of Windows itself (libvterm and libgcc are linked statically),
# and it imports no *PseudoConsole function: those are looked up at run
# time, or the exe would not load at all on Windows before 10 1809.
check_imports() {
    pe=$1
    system_dlls='^(kernel32|msvcrt|advapi32|user32|ws2_32|ucrtbase)\.dll$|^api-ms-win-'
    imports=$(x86_64-w64-mingw32-objdump -p "$pe" | sed -n 's/^[[:space:]]*DLL Name: //p')
    foreign=$(printf '%s\n' "$imports" | grep -v -i -E "$system_dlls")
    if [ -n "$imports" ] && [ -z "$foreign" ]; then
        pass "$pe imports system DLLs only: $(echo $imports)"
    else
        fail "$pe imports non-system DLLs: $(echo $foreign)"
    fi
    # The import tables only: objdump -p lists each imported name
    # under its "DLL Name" line.
    pseudo=$(x86_64-w64-mingw32-objdump -p "$pe" |
        sed -n '/^The Import Tables/,/^The Export Tables\|^PE File Base Relocations/p' |
        grep -o '[A-Za-z]*PseudoConsole[A-Za-z]*' | sort -u)
    if [ -z "$pseudo" ]; then
        pass "$pe imports no *PseudoConsole function statically"
    else
        fail "$pe imports $(echo $pseudo) statically: it cannot load before Windows 10 1809"
    fi
}

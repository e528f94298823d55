#!/bin/sh
# emacs.sh -- run the Windows Emacs (build-aux/w32-emacs.sh, cached
# outside the clone; make deps builds it) under Wine:
#
#   tests/wine/emacs.sh [emacs args...]
#
# exits with Emacs's exit status (124 when it timed out, 125 when there
# is no Windows Emacs or Wine does not start).  Emacs runs with
# WINEDEBUG=-all, SHELL and DISPLAY unset, for at most
# VTERM_EMACS_TIMEOUT seconds (default 300).  WINEPREFIX is used when
# set (the caller kills its wineserver); otherwise a fresh prefix in a
# temporary directory serves this run and is removed after it.
# WIN_EMACS names another emacs.exe.
#
# Emacs's output goes to files that are copied to our stdout and stderr
# when it has exited: a Wine process it started can keep a pipe open
# after Emacs is gone, and a caller reading our output through a pipe
# would wait for it.  Every Wine process prints "Read access denied for
# device z:..." (Wine has no volume label for /): that line is dropped.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
exe=${WIN_EMACS:-$("$top/build-aux/w32-emacs.sh" --path)}
limit=${VTERM_EMACS_TIMEOUT:-300}
if [ ! -f "$exe" ]; then
    echo "emacs.sh: no Windows Emacs at $exe (make deps builds it)" >&2
    exit 125
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/vterm-w32-emacs.XXXXXX")
own_prefix=no
if [ -z "${WINEPREFIX:-}" ]; then
    export WINEPREFIX="$T/prefix"
    own_prefix=yes
fi
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset SHELL DISPLAY WAYLAND_DISPLAY

cleanup() {
    if [ "$own_prefix" = yes ]; then
        timeout 30 wineserver -k >/dev/null 2>&1
        timeout 30 wineserver -w >/dev/null 2>&1
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

timeout -k 10 "$limit" wine "$exe" "$@" > "$T/out" 2> "$T/err"
status=$?
cat "$T/out"
grep -v '^wine: Read access denied for device ' "$T/err" >&2
if [ "$status" -eq 124 ]; then
    echo "emacs.sh: Emacs timed out after $limit s" >&2
fi
exit "$status"

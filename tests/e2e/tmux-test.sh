#!/bin/sh
# End-to-end test: a real "emacs -Q -nw" in a detached tmux session of a
# fixed size, started by build-aux/run-emacs.sh (what "make run" runs:
# this checkout's lisp/ and module/ on the load path, a vterm open); the test types into it with "tmux send-keys" and reads
# the screen with "tmux capture-pane".  A private tmux server (-L) is
# always killed at the end.
#
# Usage (from the top of the checkout): tests/e2e/tmux-test.sh [SUITE]
# Environment: EMACS (default emacs), VTERM_E2E_PROXY=1 runs the shell
# through conpty-proxy instead of a native pty.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_begin "${1:-e2e-tmux}"

EMACS=${EMACS:-emacs}
top=$(pwd)
sock="vterm-e2e-$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
work=$(mktemp -d "${TMPDIR:-/tmp}/vterm-e2e.XXXXXX")
cols=100
rows=30

tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
    tm kill-server >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

if ! command -v tmux >/dev/null 2>&1; then
    fail "tmux is installed (make deps)"
    suite_end
    exit 1
fi

screen() { tm capture-pane -p -t e2e 2>/dev/null; }

# wait_for REGEXP [SECONDS]: until a screen line matches (grep -E).
wait_for() {
    n=0
    limit=$(( ${2:-15} * 10 ))
    while [ "$n" -lt "$limit" ]; do
        if screen | grep -Eq -- "$1"; then return 0; fi
        sleep 0.1
        n=$((n + 1))
    done
    echo "--- screen while waiting for /$1/:" >&2
    screen >&2
    echo "---" >&2
    return 1
}

# wait_gone REGEXP [SECONDS]: until no screen line matches.
wait_gone() {
    n=0
    limit=$(( ${2:-15} * 10 ))
    while [ "$n" -lt "$limit" ]; do
        if ! screen | grep -Eq -- "$1"; then return 0; fi
        sleep 0.1
        n=$((n + 1))
    done
    screen >&2
    return 1
}

type_line() { tm send-keys -t e2e -l "$1" && tm send-keys -t e2e Enter; }

proxy_setting=nil
[ "${VTERM_E2E_PROXY:-}" = 1 ] && proxy_setting=t

seq 1 500 > "$work/long.txt"
cat > "$work/init.el" <<EOF
(setq vterm-shell "/bin/sh")
(setq vterm-use-conpty-proxy $proxy_setting)
(setq vterm-conpty-proxy-path "$top/proxy/conpty-proxy")
EOF

tm new-session -d -s e2e -x "$cols" -y "$rows" \
    env -i HOME="$work" PATH="$PATH" TERM=screen LANG=C.UTF-8 PS1='$ ' \
    EMACS="$EMACS" "$top/build-aux/run-emacs.sh" -l "$work/init.el"
tm set-option -t e2e remain-on-exit on >/dev/null 2>&1

# The renderer trims trailing blanks: an empty prompt line reads "$".
check "vterm shows the shell prompt" wait_for '^\$ ?$' 20
check "the mode line names *vterm*" wait_for '\*vterm\*' 5

# The shell runs under conpty-proxy exactly when asked to.
emacs_pid=$(tm display-message -p -t e2e '#{pane_pid}')
children=$(ps -o comm= --ppid "$emacs_pid" 2>/dev/null | tr '\n' ' ')
if [ "$proxy_setting" = t ]; then
    check "the shell runs under conpty-proxy ($children)" \
        sh -c "echo '$children' | grep -q conpty-proxy"
else
    check "the shell runs in a native pty ($children)" \
        sh -c "! echo '$children' | grep -q conpty-proxy"
fi

type_line "echo hello"
check "echo hello: output line 'hello' appears" wait_for '^hello$'

# Size: the window is $cols columns; the terminal gets one less (the last
# column is the continuation glyph's); rows are the window's body lines
# (frame minus menu bar, mode line and echo area).
want_cols=$((cols - 1))
want_rows=$((rows - 3))
type_line "stty size"
check "stty size is $want_rows $want_cols" wait_for "^$want_rows $want_cols\$"

full=$(printf "%0${want_cols}d" 7)
type_line "printf '%0${want_cols}d\\n' 7"
check "a full-width line shows whole, without a \$ glyph" wait_for "^$full\$"

# Resize the tmux window: the terminal follows.
tm resize-window -t e2e -x 90 -y 25 >/dev/null 2>&1 ||
    tm resize-pane -t e2e -x 90 -y 25
sleep 0.5
type_line "clear; stty size"
check "after resizing tmux to 90x25, stty size is 22 89" wait_for '^22 89$'

# Control and meta keys reach the program (cat -v shows them).
type_line "cat -v"
sleep 0.3
tm send-keys -t e2e M-b C-v C-a Enter
check "M-b and C-v C-a reach the program as ESC b and ^A" wait_for '^\^\[b\^A$'
tm send-keys -t e2e C-c C-c
check "C-c C-c interrupts it" wait_for '^\^C$' 5

# A full-screen program: less pages and quits, the screen comes back.
type_line "echo before-less; less $work/long.txt"
check "less shows the file" wait_for '^1$'
tm send-keys -t e2e Space
check "less pages forward" wait_for '^30$'
tm send-keys -t e2e q
check "quitting less restores the screen" wait_for '^before-less$'
check "less's pages are gone" wait_gone '^30$' 5

# Copy mode: copy a line, paste it back into the shell.
type_line "echo copy-me-42"
wait_for '^copy-me-42$' 5 >/dev/null
tm send-keys -t e2e C-c C-t
check "copy mode is on" wait_for 'VTermCopy' 5
# Point is on the prompt line; the output line is just above it.
tm send-keys -t e2e C-p
tm send-keys -t e2e Enter
check "copy mode is off after RET" wait_gone 'VTermCopy' 5
tm send-keys -t e2e -l "echo pasted:"
tm send-keys -t e2e C-y Enter
check "the copied line pastes back" wait_for '^pasted:copy-me-42$'

# exit kills the buffer (vterm-kill-buffer-on-exit).
type_line "exit"
check "exit kills the vterm buffer" wait_gone '\*vterm\*' 10

tm kill-server >/dev/null 2>&1
suite_end

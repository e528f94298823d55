#!/bin/sh
# End-to-end test of the basics: a real "emacs -Q -nw" in tmux
# (tests/e2e/tmux-lib.sh) runs a shell; commands, size, keys, less, copy
# mode and exit, as a person types them.
#
# Usage (from the top of the checkout): tests/e2e/tmux-test.sh [SUITE]
# Environment: EMACS (default emacs), VTERM_E2E_PROXY=1 runs the shell
# through conpty-proxy instead of a native pty.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_begin "${1:-e2e-tmux}"

. tests/e2e/tmux-lib.sh
cols=100
rows=30
seq 1 500 > "$e2e_work/long.txt"

if ! command -v tmux >/dev/null 2>&1; then
    fail "tmux is installed (make deps)"
    suite_end
    exit 1
fi

check "vterm shows the shell prompt" e2e_start "$cols" "$rows"
check "the mode line names *vterm*" wait_for '\*vterm\*' 5

# The shell runs under conpty-proxy exactly when asked to.
children=$(ps -o comm= --ppid "$(emacs_pid)" 2>/dev/null | tr '\n' ' ')
if [ "$e2e_proxy" = t ]; then
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

# Resize the tmux window: the terminal follows, with nothing typed.
resize 90 25
check "after resizing tmux to 90x25, the shell's tty is 22 89 untouched" \
    expect_tty_size 22 89
type_line "clear; stty size"
check "after resizing tmux to 90x25, stty size is 22 89" wait_for '^22 89$'

# Control and meta keys reach the program (cat -v shows them).
type_line "cat -v"
sleep 0.3
keys M-b C-v C-a Enter
check "M-b and C-v C-a reach the program as ESC b and ^A" wait_for '^\^\[b\^A$'
keys C-c C-c
check "C-c C-c interrupts it" wait_for '^\^C$' 5

# A full-screen program: less pages and quits, the screen comes back.
type_line "echo before-less; less $e2e_work/long.txt"
check "less shows the file" wait_for '^1$'
keys Space
check "less pages forward" wait_for '^30$'
keys q
check "quitting less restores the screen" wait_for '^before-less$'
check "less's pages are gone" wait_gone '^30$' 5

# Copy mode: copy a line, paste it back into the shell.
type_line "echo copy-me-42"
wait_for '^copy-me-42$' 5 >/dev/null
keys C-c C-t
check "copy mode is on" wait_for 'VTermCopy' 5
# Point is on the prompt line; the output line is just above it.
keys C-p
keys Enter
check "copy mode is off after RET" wait_gone 'VTermCopy' 5
keys -l "echo pasted:"
keys C-y Enter
check "the copied line pastes back" wait_for '^pasted:copy-me-42$'

# exit kills the buffer (vterm-kill-buffer-on-exit).
type_line "exit"
check "exit kills the vterm buffer" wait_gone '\*vterm\*' 10

e2e_stop
suite_end

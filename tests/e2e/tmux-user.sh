#!/bin/sh
# The user's path in a real "emacs -Q -nw" under tmux (tests/e2e/tmux-lib.sh):
# every change of the window's text area reaches the shell's tty with
# nothing typed afterwards, read from outside with stty -F; copy mode
# starts where the user scrolled; C-g quits the minibuffer during a
# flood of output; with vterm-shell "bash" and a plain ~/.bashrc, the
# alias works and default-directory follows cd.
#
# Usage (from the top of the checkout): tests/e2e/tmux-user.sh [SUITE]
# Environment: as tests/e2e/tmux-lib.sh (VTERM_E2E_PROXY=1: conpty-proxy).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_begin "${1:-e2e-user}"
. tests/e2e/tmux-lib.sh

if ! command -v tmux >/dev/null 2>&1; then
    fail "tmux is installed (make deps)"
    suite_end
    exit 1
fi

# The terminal gets the window's body: the frame less the menu bar, mode
# line and echo area, and one column less (the continuation glyph's).
cols=120
rows=40
seq 1 500 > "$e2e_work/long.txt"
seq 1 2000000 > "$e2e_work/big.txt"

check "vterm shows the shell prompt" e2e_start "$cols" "$rows"
check "the shell's tty starts at the window's size" expect_tty_size 37 119

# A resize with nothing typed after it, at the prompt: the shell is
# idle, Emacs is idle, nobody presses a key.  Emacs takes the new size
# at once; a resize sent from a timer set then waited for whatever
# woke Emacs next (measured before the fix: 0.2, 2.2, 7.2 and 76 s for
# four resizes in a row), so each is given 2 s, not the usual 5.
for size in "100 30" "120 40" "90 25" "120 40"; do
    set -- $size
    resize "$1" "$2"
    check "resize to $1x$2 at the prompt: the tty follows with no key pressed" \
        expect_tty_size $(($2 - 3)) $(($1 - 1)) 2
done

# The height alone waits vterm-resize-height-delay (0.5 s) to last, and
# then arrives with nothing typed (without the nudge it never arrives).
for rows in 30 40 25 40; do
    resize 120 "$rows"
    check "resize to 120x$rows (the height alone): the tty follows with no key pressed" \
        expect_tty_size $((rows - 3)) 119 5
done

# In less: the tty follows, and less redraws with the new page size.
type_line "less $e2e_work/long.txt"
check "less shows its first page" wait_for '^36$'
resize 100 30
check "resize in less: the tty follows with no key pressed" \
    expect_tty_size 27 99 2
check "less redraws a page of the new size (26 lines)" wait_gone '^36$' 5
check "less's new page ends at line 26" wait_for '^26$' 5
resize 120 40
check "resize back in less: the tty follows" expect_tty_size 37 119 2
check "less's page is 36 lines again" wait_for '^36$' 5
keys q
check "less quits" wait_for '^\$ ?$' 5

# Window commands are keys too; nothing is typed after them.
keys C-x 2
check "C-x 2: the tty gets the upper window's rows" expect_tty_size 18 119
keys C-x 1
check "C-x 1: the tty gets the whole frame back" expect_tty_size 37 119
keys C-x 3
check "C-x 3: the tty gets the left window's columns (less its divider)" \
    expect_tty_size 37 58
keys C-x 1
check "C-x 1 after C-x 3: the columns come back" expect_tty_size 37 119

# Line numbers narrow the text area without changing the window.
tty_cols_below() {
    find_tty || return 1
    _c=$(stty -F "$e2e_tty" size | cut -d' ' -f2)
    [ "$_c" -lt "$1" ]
}
keys M-x
type_line "display-line-numbers-mode"
check "line numbers on: the tty loses their columns" \
    wait_true 5 tty_cols_below 119
keys M-x
type_line "display-line-numbers-mode"
check "line numbers off: the columns come back" expect_tty_size 37 119

# The echo area growing shrinks the window above it.
keys M-x
type_line "eval-expression"
type_line '(message "one\ntwo\nthree\nfour")'
check "a four-line message: the tty loses three rows" expect_tty_size 34 119
keys C-g
check "the echo area shrinks back: so does the tty" expect_tty_size 37 119

# An echo area that grows and shrinks back within
# vterm-resize-height-delay does not resize the terminal: a program that
# redraws on SIGWINCH gets none.
type_line "sh -c 'trap \"echo WINCH-SEEN\" WINCH; echo TRAP-SET; while :; do sleep 0.1; done'"
check "a program that reports SIGWINCH runs" wait_for '^TRAP-SET$' 5
keys M-x
type_line "eval-expression"
type_line '(progn (message "one\ntwo\nthree\nfour") (sit-for 0.2) (message nil))'
sleep 2
check "a four-line message for 0.2 s: no SIGWINCH" wait_gone '^WINCH-SEEN$' 1
check "a four-line message for 0.2 s: the tty kept its size" expect_tty_size 37 119
keys C-x 2
check "a split that lasts: SIGWINCH, with nothing typed" wait_for '^WINCH-SEEN$' 5
keys C-x 1
keys C-c C-c
check "the program ends" wait_for '^\$ ?$' 5

# A storm of resizes while output floods in: the tty ends at the size
# the window ends at.
type_line "cat $e2e_work/big.txt"
sleep 0.3
for size in "100 30" "80 20" "110 35" "90 25" "70 22" "112 24" "95 33"; do
    # shellcheck disable=SC2086
    resize $size
    sleep 0.05
done
resize 120 40
check "after a resize storm during output, the tty is the window's size" \
    expect_tty_size 37 119 10
keys C-c C-c
check "the flood ends" wait_for '^\$ ?$' 30

# Copy mode starts where the user is looking.
type_line "clear; seq 1 3000"
check "seq's output is drawn" wait_for '^3000$' 10
keys S-PPage
sleep 0.2
keys S-PPage
top_line() { screen | sed -n 2p; }
check "S-PgUp twice scrolls back (the top line is $(top_line))" \
    wait_gone '^3000$' 5
scrolled=$(top_line)
keys C-c C-t
check "copy mode is on" wait_for 'VTermCopy' 5
check "copy mode starts at the scrolled position (top line $scrolled)" \
    sh -c "[ \"\$(tmux -L '$e2e_sock' capture-pane -p -t e2e | sed -n 2p)\" = '$scrolled' ]"
keys C-c C-t
check "copy mode is off" wait_gone 'VTermCopy' 5

# Reading the scrollback while output arrives: the view stays where the
# user scrolled (vterm-scrolled-window-stays); a key sent brings it back
# to the live screen.
type_line "clear; seq 1 3000; sleep 2; seq 5001 5020"
check "seq's output is drawn" wait_for '^3000$' 10
# The scrollback comes up to a second after the screen while output
# streams (vterm--render); the user scrolls once it is there.
sleep 1.5
keys S-PPage
sleep 0.2
keys S-PPage
check "S-PgUp twice scrolls back" wait_gone '^3000$' 5
reading=$(top_line)
sleep 3
check "output arrived meanwhile, and the view stayed (top line $reading)" \
    sh -c "[ \"\$(tmux -L '$e2e_sock' capture-pane -p -t e2e | sed -n 2p)\" = '$reading' ]"
check "the new output is not in view" wait_gone '^5020$' 1
keys Enter
check "a key sent: the window shows the live screen again" wait_for '^5020$' 5

# C-g quits the minibuffer whatever the output rate: M-x, then C-g, while
# a flood of output keeps Emacs busy; the prompt must be gone each time.
# A C-g that lands while Emacs redisplays is signalled by the mode
# line's display and showed "[Quit]" with the prompt left open, once in
# 20 to 60 tries (vterm--quit-between-commands).
prompt_closed() { ! screen | tail -n 1 | grep -q 'M-x'; }
quits=0
for try in 1 2 3 4 5 6 7 8; do
    type_line "cat $e2e_work/big.txt"
    sleep 0.5
    keys M-x
    sleep 0.3
    keys C-g
    # Emacs answers the key when the flood lets it; a prompt left open
    # stays open however long one waits.
    if ! wait_true 5 prompt_closed; then
        echo "--- try $try: the minibuffer stayed open: $(screen | tail -n 1)" >&2
        keys C-g
        sleep 0.3
    else
        quits=$((quits + 1))
    fi
    keys C-c C-c
    wait_for '^\$ ?$' 30 >/dev/null
done
check "C-g during a flood quit the M-x prompt in $quits of 8 tries" \
    [ "$quits" -eq 8 ]

# Shell integration with nothing about it in the user's start-up files:
# M-x vterm with vterm-shell "bash" and an ordinary ~/.bashrc (the
# prompt, an alias); after cd, C-x C-f offers the shell's directory.
e2e_stop
mkdir -p "$e2e_work/proj"
cat > "$e2e_work/.bashrc" <<'EOF'
PS1='$ '
alias e2ehi='echo alias-from-bashrc'
EOF
check "vterm-shell \"bash\": the prompt ~/.bashrc sets" \
    e2e_start "$cols" "$rows" '(setq vterm-shell "bash")'
type_line "e2ehi"
check "the alias ~/.bashrc defines works" wait_for '^alias-from-bashrc$' 5
type_line "cd $e2e_work/proj; echo cd-done"
wait_for '^cd-done$' 5 && wait_for '^\$ ?$' 5
keys C-x C-f
check "after cd, C-x C-f offers the shell's directory" \
    wait_for "Find file: (~|$e2e_work)/proj/\$" 5
keys C-g

# Exit statuses from a shell that sends OSC 133 (D with $?, A and B
# around the prompt), in the left margin: a check mark on the prompt
# after a command that succeeded, a cross after one that failed, and
# a blank margin beside the other lines.
e2e_stop
cat > "$e2e_work/osc133.sh" <<'EOF'
PROMPT_COMMAND='printf "\e]133;D;%s\a" $?'
PS1='\[\e]133;A\a\]$ \[\e]133;B\a\]'
EOF
E2E_READY='^ \$ ?$'
check "vterm-exit-status-marks margin: the prompt is beside a blank margin" \
    e2e_start "$cols" "$rows" \
    '(setq vterm-shell "bash --norc --noprofile" vterm-exit-status-marks (quote margin))'
E2E_READY=
type_line ". $e2e_work/osc133.sh"
type_line "echo osc133-out"
check "command output is beside a blank margin" wait_for '^ osc133-out$' 5
type_line "false"
check "the prompt after a command that succeeded has a check mark" \
    wait_for '^✓\$ false$' 5
check "the prompt after a command that failed has a cross" \
    wait_for '^✗\$ ?$' 5

e2e_stop
suite_end

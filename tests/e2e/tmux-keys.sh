#!/bin/sh
# End-to-end test of keys: a real "emacs -Q -nw" in tmux
# (tests/e2e/tmux-lib.sh) with a vterm running keylog
# (tests/e2e/keylog.c), which logs the bytes of each read of its
# terminal in hex.  Keys are typed as keys ("tmux send-keys"), so they
# reach Emacs as a text terminal sends them (Meta as ESC and the key)
# and go through its input decoding and keymaps; the log says what the
# program got.  Then vim, left with Escape, writes its file.
#
# Usage (from the top of the checkout): tests/e2e/tmux-keys.sh [SUITE]
# Environment: EMACS (default emacs), KEYLOG (default
# build/tests/e2e/keylog), VTERM_E2E_PROXY=1 runs the shell through
# conpty-proxy instead of a native pty.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_begin "${1:-e2e-tmux-keys}"

. tests/e2e/tmux-lib.sh
keylog=$(pwd)/${KEYLOG:-build/tests/e2e/keylog}
log="$e2e_work/keys.log"

if ! command -v tmux >/dev/null 2>&1; then
    fail "tmux is installed (make deps)"
    suite_end
    exit 1
fi
if [ ! -x "$keylog" ]; then
    fail "keylog is built ($keylog)"
    suite_end
    exit 1
fi

# log_lines: how many reads keylog has logged.
log_lines() { wc -l < "$log"; }

# got_after N: the bytes logged after the first N reads, on one line.
got_after() { tail -n +"$(($1 + 1))" "$log" | tr '\n' ' ' | sed 's/ $//'; }

got_is() { [ "$(got_after "$1")" = "$2" ]; }

# two_windows: the frame shows two windows (two *vterm* mode lines).
two_windows() { [ "$(screen | grep -c '\*vterm\*')" -ge 2 ]; }

# expect_keys EXPECTED KEY...: type KEY... (tmux key names); the program
# gets the bytes EXPECTED (hex, as keylog logs them), whatever the reads.
expect_keys() {
    _want=$1
    shift
    _before=$(log_lines)
    keys "$@"
    if wait_true 5 got_is "$_before" "$_want"; then
        pass "$* reaches the program as $_want"
    else
        fail "$* reaches the program as $_want (got '$(got_after "$_before")')"
        # Whatever the key started in Emacs (a minibuffer), end it.
        keys C-g
        sleep 0.3
    fi
}

# A browser that writes the URL it is given where the test reads it.
check "vterm shows the shell prompt" e2e_start 100 30 \
    "(setq browse-url-browser-function
       (lambda (url &rest _) (write-region url nil \"$e2e_work/url\")))"
type_line "$keylog $log"
check "keylog runs in the vterm" wait_for '^keylog ready$' 10

# Meta with punctuation, typed as ESC and the key.
expect_keys "1b 23" 'M-#'
expect_keys "1b 2f" 'M-/'
expect_keys "1b 21" 'M-!'
expect_keys "1b 3f" 'M-?'
expect_keys "1b 5f" 'M-_'
expect_keys "1b 2a" 'M-*'
expect_keys "1b 26" 'M-&'
expect_keys "1b 3d" 'M-='
expect_keys "1b 5c" 'M-\'
expect_keys "1b 5e" 'M-^'
expect_keys "1b 7e" 'M-~'
expect_keys "1b 24" 'M-$'
expect_keys "1b 25" 'M-%'
expect_keys "1b 7b" 'M-{'
expect_keys "1b 7d" 'M-}'
expect_keys "1b 28" 'M-('
expect_keys "1b 29" 'M-)'
expect_keys "1b 27" "M-'"
expect_keys "1b 22" 'M-"'
expect_keys "1b 7c" 'M-|'
expect_keys "1b 40" 'M-@'
expect_keys "1b 2b" 'M-+'
expect_keys "1b 2d" 'M--'
expect_keys "1b 3a" 'M-:'
expect_keys "1b 2e" 'M-.'
expect_keys "1b 2c" 'M-,'
expect_keys "1b 3c" 'M-<'
expect_keys "1b 3e" 'M->'
no_prompt() { ! screen | grep -Eq 'Eval:|[Cc]ommand:|read-only'; }
check "no minibuffer prompt or read-only message (Eval:, Shell command:)" \
    no_prompt

# Control characters.
expect_keys "1e" 'C-^'
expect_keys "00" 'C-Space'
expect_keys "01" 'C-a'
expect_keys "0a" 'C-j'
expect_keys "11" 'C-q'
expect_keys "1a" 'C-z'
expect_keys "1c" 'C-\'
expect_keys "1d" 'C-]'
expect_keys "1f" 'C-_'
expect_keys "09" Tab
expect_keys "0d" Enter
expect_keys "7f" BSpace

# Meta with letters, capitals and control characters.
expect_keys "1b 61" 'M-a'
expect_keys "1b 41" 'M-A'
expect_keys "1b 01" 'C-M-a'
expect_keys "1b 0d" 'M-Enter'
expect_keys "1b 09" 'M-Tab'
expect_keys "1b 7f" 'M-BSpace'

# Cursor, editing and function keys, plain and modified.
expect_keys "1b 5b 41" Up
expect_keys "1b 5b 42" Down
expect_keys "1b 5b 43" Right
expect_keys "1b 5b 44" Left
expect_keys "1b 5b 48" Home
expect_keys "1b 5b 46" End
expect_keys "1b 5b 35 7e" PPage
expect_keys "1b 5b 36 7e" NPage
expect_keys "1b 5b 32 7e" IC
expect_keys "1b 5b 33 7e" DC
expect_keys "1b 5b 5a" BTab
expect_keys "1b 4f 50" F1
expect_keys "1b 5b 31 35 7e" F5
expect_keys "1b 5b 32 34 7e" F12
expect_keys "1b 5b 31 3b 35 41" C-Up
expect_keys "1b 5b 31 3b 33 41" M-Up
expect_keys "1b 5b 31 3b 32 41" S-Up
expect_keys "1b 5b 31 3b 35 43" C-Right
expect_keys "1b 5b 31 3b 33 44" M-Left
expect_keys "1b 5b 31 35 3b 35 7e" C-F5

# Escape, a pause, then ":" (a person typing slowly): Emacs reads ESC as
# the Meta prefix and waits for the next key; the program gets both.
_before=$(log_lines)
keys Escape
sleep 1
keys ':'
check "Escape, a pause, ':' reaches the program as 1b 3a" \
    wait_true 5 got_is "$_before" "1b 3a"

# Escape three times: not keyboard-escape-quit, which deletes the other
# windows; the program gets them (the third with the key after it).
keys C-x 2
check "C-x 2 (an exception) splits the window" wait_true 5 two_windows
_before=$(log_lines)
keys Escape Escape Escape
sleep 0.5
keys a
check "Escape Escape Escape a reaches the program as 1b 1b 1b 61" \
    wait_true 5 got_is "$_before" "1b 1b 1b 61"
check "Escape Escape Escape deleted no window" two_windows
keys C-x 1

type_text '~~q'
check "keylog ends" wait_for '^\$ ?$' 10

# vim, left with Escape, writes its file: Escape with a pause before ":",
# then Escape and ":wq" typed at once (tmux sends them in one write).
if command -v vim.tiny >/dev/null 2>&1; then vim=vim.tiny; else vim=vim; fi
if command -v "$vim" >/dev/null 2>&1; then
    type_line "clear; $vim -u NONE $e2e_work/slow.txt"
    check "$vim starts" wait_for '^~' 10
    keys i
    type_text 'hello'
    sleep 0.3
    keys Escape
    sleep 1
    type_text ':wq'
    keys Enter
    check "$vim: i hello, Escape, a pause, :wq writes the file" \
        wait_true 10 sh -c "[ \"\$(cat '$e2e_work/slow.txt' 2>/dev/null)\" = hello ]"
    check "$vim exits" wait_for '^\$ ?$' 10

    type_line "clear; $vim -u NONE $e2e_work/fast.txt"
    check "$vim starts again" wait_for '^~' 10
    keys i
    type_text 'fast'
    sleep 0.3
    keys Escape ':' w q Enter
    check "$vim: i fast, then Escape :wq Enter at once writes the file" \
        wait_true 10 sh -c "[ \"\$(cat '$e2e_work/fast.txt' 2>/dev/null)\" = fast ]"
    check "$vim exits again" wait_for '^\$ ?$' 10
else
    fail "vim.tiny or vim is installed (make deps)"
fi

# The mouse: a person turns xterm-mouse-mode on; a program that asks
# for clicks (DECSET 1000, SGR reports 1006) gets them at the cell
# clicked.  The mouse is typed as the terminal sends it (SGR reports
# into Emacs's input): column 11, row 6 of the tmux window is the
# terminal's cell (row 4, column 10), under the menu bar's row.
keys M-x
type_text 'xterm-mouse-mode'
keys Enter
check "M-x xterm-mouse-mode turns it on" wait_for 'Xterm-Mouse mode enabled' 5
# Links in the output: a click on a URL opens it in the browser, one on
# FILE:LINE shows that line of the file.  Row 2 of the tmux window is
# the terminal's first row.
printf 'first\nsecond line\nthird\n' > "$e2e_work/f.txt"
type_line "clear; echo https://example.com/clicked; echo $e2e_work/f.txt:2"
check "the links are shown" wait_for '^https://example.com/clicked$' 10
type_text "$(printf '\033[<0;5;2M\033[<0;5;2m')"
check "a click on a URL opens it in the browser" \
    wait_true 5 sh -c "[ \"\$(cat '$e2e_work/url' 2>/dev/null)\" = https://example.com/clicked ]"
type_text "$(printf '\033[<0;5;3M\033[<0;5;3m')"
check "a click on FILE:LINE shows the file at that line, selected" \
    wait_for 'f\.txt +All L2 ' 5
check "... with its text" wait_for '^second line$' 5
keys C-x o
keys C-x 1
check "back in the vterm, alone" wait_true 5 sh -c "! tmux -L '$e2e_sock' capture-pane -p -t e2e | grep -Eq 'f\.txt +All'"
# Hyperlinks (OSC 8): a click on the linked text opens its URI, not the
# text; a file:// one shows the file.
rm -f "$e2e_work/url"
type_line "clear; printf '\\033]8;;https://example.com/osc8\\033\\\\the docs\\033]8;;\\033\\\\\\n'"
check "the hyperlink's text is shown" wait_for '^the docs$' 10
type_text "$(printf '\033[<0;5;2M\033[<0;5;2m')"
check "a click on a hyperlink opens its URI in the browser" \
    wait_true 5 sh -c "[ \"\$(cat '$e2e_work/url' 2>/dev/null)\" = https://example.com/osc8 ]"
type_line "clear; printf '\\033]8;;file://%s\\033\\\\see the file\\033]8;;\\033\\\\\\n' $e2e_work/f.txt"
check "the file hyperlink's text is shown" wait_for '^see the file$' 10
# Another cell than the last click's: the same one at once is a
# double click.
type_text "$(printf '\033[<0;10;2M\033[<0;10;2m')"
check "a click on a file:// hyperlink shows the file" wait_for 'f\.txt +All L1 ' 5
keys C-x o
keys C-x 1
check "back in the vterm, alone again" wait_true 5 sh -c "! tmux -L '$e2e_sock' capture-pane -p -t e2e | grep -Eq 'f\.txt +All'"
type_line "clear; printf '\\033[?1000h\\033[?1006h'; $keylog $log"
check "keylog runs again, the mouse asked for" wait_for '^keylog ready$' 10
expect_mouse() {
    _want=$1
    _what=$2
    shift 2
    _before=$(log_lines)
    for _report in "$@"; do type_text "$(printf '\033[<%s' "$_report")"; done
    if wait_true 5 got_is "$_before" "$_want"; then
        pass "$_what reaches the program as $_want"
    else
        fail "$_what reaches the program as $_want (got '$(got_after "$_before")')"
    fi
}
expect_mouse "1b 5b 3c 30 3b 31 31 3b 35 4d 1b 5b 3c 30 3b 31 31 3b 35 6d" \
    "a click of button 1" '0;11;6M' '0;11;6m'
expect_mouse "1b 5b 3c 36 34 3b 33 3b 32 4d" "the wheel up" '64;3;3M'
expect_mouse "1b 5b 3c 32 3b 31 3b 31 4d 1b 5b 3c 32 3b 31 3b 31 6d" \
    "a click of button 3" '2;1;2M' '2;1;2m'
type_text '~~q'
check "keylog ends, mouse still asked for" wait_for '^\$ ?$' 10
# Asked for nothing: the click is Emacs's, the program gets no byte.
type_line "clear; printf '\\033[?1000l'; $keylog $log"
check "keylog runs, the mouse not asked for" wait_for '^keylog ready$' 10
_before=$(log_lines)
type_text "$(printf '\033[<0;11;6M\033[<0;11;6m')"
sleep 1
check "a click the program did not ask for does not reach it" \
    got_is "$_before" ""
type_text '~~q'
check "keylog ends at last" wait_for '^\$ ?$' 10

e2e_stop
suite_end

#!/bin/sh
# Persistent sessions in a real "emacs -Q -nw" under tmux
# (tests/e2e/tmux-lib.sh): M-x vterm-persistent, some output, less
# running; Emacs killed with SIGKILL; a new Emacs, M-x vterm-attach with
# the session chosen by completion (TAB, RET): the screen shows less's
# page, and q returns to the shell with the earlier output.
#
# Usage (from the top of the checkout): tests/e2e/tmux-persist.sh [SUITE]
# Environment: as tests/e2e/tmux-lib.sh.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_begin "${1:-e2e-persist}"
. tests/e2e/tmux-lib.sh

if ! command -v tmux >/dev/null 2>&1; then
    fail "tmux is installed (make deps)"
    suite_end
    exit 1
fi

# The sessions of this run only: in their own socket directory, which
# the attach prompt's completion lists (so one candidate) and the end
# of the run empties.
runtime="$e2e_work/run"
mkdir -m 700 "$runtime"
E2E_ENV="XDG_RUNTIME_DIR=$runtime"
proxy="$e2e_top/proxy/conpty-proxy"
sessions() { XDG_RUNTIME_DIR=$runtime "$proxy" list 2>/dev/null; }
persist_cleanup() {
    for id in $(sessions | cut -f1); do
        XDG_RUNTIME_DIR=$runtime "$proxy" kill "$id"
    done
    e2e_cleanup
}
trap persist_cleanup EXIT INT TERM

check "vterm shows the shell prompt" e2e_start 120 40
keys M-x
type_line "vterm-persistent"
check "M-x vterm-persistent: a session is listed" \
    wait_true 10 sh -c "[ \"\$(XDG_RUNTIME_DIR=$runtime $proxy list | wc -l)\" = 1 ]"
id=$(sessions | cut -f1)
# The plain terminal's prompt is on the screen until the new buffer is
# drawn: its name in the mode line first.
check "the new terminal is shown" wait_for '\*vterm\*<2>' 10
check "the new terminal shows its prompt" wait_for '^\$ ?$' 10
type_line 'echo BEFORE-$((6*7))'
check "the shell's output is drawn" wait_for '^BEFORE-42$' 5
type_line "seq 1 500 | sed 's/^/page-/' | less"
check "less shows its first page" wait_for '^page-1$' 5
check "less's page ends at line 36" wait_for '^page-36$' 5

attached_is() { [ "$(sessions | cut -f6)" = "$1" ]; }
check "the session is attached" attached_is 1
kill -9 "$(emacs_pid)"
check "Emacs killed with SIGKILL: the session lives on, detached" \
    wait_true 10 attached_is 0
check "the session is the same one ($id)" \
    [ "$(sessions | cut -f1)" = "$id" ]

e2e_stop
check "a new Emacs shows a (plain) vterm" e2e_start 120 40
keys M-x
type_line "vterm-attach"
check "M-x vterm-attach prompts for a session" \
    wait_for '^Attach to session:' 5
keys Tab
check "TAB completes the one session" wait_for "Attach to session: $id" 5
keys Enter
check "after reattach, the screen shows less's page" wait_for '^page-36$' 10
check "the page starts at line 1" wait_for '^page-1$' 2
check "the shell's lines are not on less's screen" wait_gone '^BEFORE-42$' 1
check "the session is attached again" wait_true 5 attached_is 1
keys Space
check "less still reads its keys: the next page" wait_for '^page-7[0-9]$' 5
keys q
check "q: back on the shell's screen, with the earlier output" \
    wait_for '^BEFORE-42$' 5
type_line 'echo AFTER-$((2*3))'
check "the shell runs" wait_for '^AFTER-6$' 5

e2e_stop
suite_end

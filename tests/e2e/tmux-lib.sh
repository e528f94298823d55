# tmux-lib.sh -- sourced by the tmux suites: a real "emacs -Q -nw" in a
# detached tmux session on a private server (-L), started by
# build-aux/run-emacs.sh (what "make run" runs), driven only as a person
# drives it (keys with "tmux send-keys", resizes with "tmux
# resize-window") and read from outside ("tmux capture-pane", the
# shell's tty with "stty -F").
#
# Usage, from the top of the checkout, after ". tests/lib/suite.sh":
#   . tests/e2e/tmux-lib.sh
#   e2e_start COLS ROWS [INIT-LISP]   emacs with a vterm open, shell /bin/sh
#   ... checks ...
#   e2e_stop
# Environment: EMACS (default emacs), VTERM_E2E_PROXY=1 runs the shell
# through conpty-proxy instead of a native pty, E2E_ENV: more VAR=VALUE
# words (no blanks) for Emacs's environment.

EMACS=${EMACS:-emacs}
e2e_top=$(pwd)
e2e_sock="vterm-e2e-$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
e2e_work=$(mktemp -d "${TMPDIR:-/tmp}/vterm-e2e.XXXXXX")
e2e_proxy=nil
[ "${VTERM_E2E_PROXY:-}" = 1 ] && e2e_proxy=t

tm() { tmux -L "$e2e_sock" -f /dev/null "$@"; }

e2e_cleanup() {
    tm kill-server >/dev/null 2>&1
    rm -rf "$e2e_work"
}
trap e2e_cleanup EXIT INT TERM

screen() { tm capture-pane -p -t e2e 2>/dev/null; }

# wait_for REGEXP [SECONDS]: until a screen line matches (grep -E).
wait_for() {
    _n=0
    _limit=$(( ${2:-15} * 10 ))
    while [ "$_n" -lt "$_limit" ]; do
        if screen | grep -Eq -- "$1"; then return 0; fi
        sleep 0.1
        _n=$((_n + 1))
    done
    echo "--- screen while waiting for /$1/:" >&2
    screen >&2
    echo "---" >&2
    return 1
}

# wait_gone REGEXP [SECONDS]: until no screen line matches.
wait_gone() {
    _n=0
    _limit=$(( ${2:-15} * 10 ))
    while [ "$_n" -lt "$_limit" ]; do
        if ! screen | grep -Eq -- "$1"; then return 0; fi
        sleep 0.1
        _n=$((_n + 1))
    done
    echo "--- screen while waiting for /$1/ to go:" >&2
    screen >&2
    echo "---" >&2
    return 1
}

# wait_true SECONDS COMMAND...: until COMMAND succeeds.
wait_true() {
    _limit=$(( $1 * 10 ))
    shift
    _n=0
    while [ "$_n" -lt "$_limit" ]; do
        if "$@"; then return 0; fi
        sleep 0.1
        _n=$((_n + 1))
    done
    return 1
}

keys() { tm send-keys -t e2e "$@"; }
type_text() { tm send-keys -t e2e -l "$1"; }
type_line() { tm send-keys -t e2e -l "$1" && tm send-keys -t e2e Enter; }

# resize COLS ROWS: the tmux window (the terminal emacs -nw runs in).
resize() {
    tm resize-window -t e2e -x "$1" -y "$2" >/dev/null 2>&1 ||
        tm resize-pane -t e2e -x "$1" -y "$2"
}

# e2e_start COLS ROWS [INIT-LISP]: emacs -Q -nw in a COLS x ROWS tmux
# window with a vterm running /bin/sh (prompt "$ "); INIT-LISP runs
# before the vterm opens.  Waits for the prompt (E2E_READY: a regexp
# of the screen when the prompt is drawn otherwise).
e2e_start() {
    # No deferred native compilation: its subprocess's output would wake
    # Emacs at random, as nothing does in a settled session.
    cat > "$e2e_work/init.el" <<EOF
(setq native-comp-deferred-compilation nil)
(setq vterm-shell "/bin/sh")
(setq vterm-use-conpty-proxy $e2e_proxy)
(setq vterm-conpty-proxy-path "$e2e_top/proxy/conpty-proxy")
${3:-}
EOF
    tm new-session -d -s e2e -x "$1" -y "$2" \
        env -i HOME="$e2e_work" PATH="$PATH" TERM=${E2E_TERM:-screen} LANG=C.UTF-8 \
        PS1='$ ' EMACS="$EMACS" ${E2E_ENV:-} \
        "$e2e_top/build-aux/run-emacs.sh" -l "$e2e_work/init.el"
    tm set-option -t e2e remain-on-exit on >/dev/null 2>&1
    # The renderer trims trailing blanks: an empty prompt line reads "$".
    wait_for "${E2E_READY:-^\\$ ?\$}" 20
}

e2e_stop() {
    tm kill-server >/dev/null 2>&1
    e2e_tty=
}

# emacs_pid: the pid of the Emacs in the tmux pane.
emacs_pid() { tm display-message -p -t e2e '#{pane_pid}'; }

# find_tty: set e2e_tty to the tty of the shell vterm started (the
# Emacs's child, or the proxy's child), read from /proc; once a session.
e2e_tty=
find_tty() {
    [ -n "$e2e_tty" ] && [ -e "$e2e_tty" ] && return 0
    _e=$(emacs_pid)
    for _p in $(ps -o pid= --ppid "$_e") \
              $(for _c in $(ps -o pid= --ppid "$_e"); do
                    ps -o pid= --ppid "$_c"; done); do
        if [ "$(ps -o comm= -p "$_p")" = sh ]; then
            e2e_tty=$(readlink "/proc/$_p/fd/0")
            return 0
        fi
    done
    return 1
}

# tty_size_is ROWS COLS: the shell's tty has that size, read from outside.
tty_size_is() {
    find_tty || return 1
    [ "$(stty -F "$e2e_tty" size 2>/dev/null)" = "$1 $2" ]
}

# expect_tty_size ROWS COLS [SECONDS]: wait for it (5 s); on failure say
# what it was.
expect_tty_size() {
    if wait_true "${3:-5}" tty_size_is "$1" "$2"; then return 0; fi
    find_tty
    echo "--- the shell's tty $e2e_tty is $(stty -F "$e2e_tty" size 2>&1), not $1 $2" >&2
    return 1
}

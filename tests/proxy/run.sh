#!/bin/bash
# End-to-end tests of the POSIX conpty-proxy binary: sessions, exit codes,
# resize through the helper and through a direct client, control-channel
# abuse, a stalled reader, and bad command lines.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/suite.sh

PROXY=${PROXY:-$PWD/proxy/conpty-proxy}
SUITE=${SUITE:-proxy}
# Peak RSS allowed under a stall: 16 MiB for the real build.  A sanitizer
# build passes its own bound (its shadow memory is not the proxy's).
RSS_LIMIT_KIB=${PROXY_RSS_LIMIT_KIB:-16384}
PROBE=$PWD/build/tests/proxy/ctl_probe
work=$(mktemp -d /tmp/proxy-test.XXXXXX)
# A private socket directory for this run.
export TMPDIR=$work
unset XDG_RUNTIME_DIR
suite_begin "$SUITE"
echo "proxy under test: $PROXY"
if [ -n "${SANITIZED:-}" ]; then
    # Sanitizer reports land in files the last check looks for.
    export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:log_path=$work/sanitizer"
    export UBSAN_OPTIONS="print_stacktrace=1:log_path=$work/sanitizer"
fi
pids=()

cleanup() {
    local id
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    # Session servers a failed check left (this run's socket directory).
    for id in $("$PROXY" list 2>/dev/null | cut -f1); do
        "$PROXY" kill "$id" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT

AT_LINE='(^|^[#$] )'

new_id() { echo "t$$-$RANDOM$RANDOM"; }

# wait_for FILE REGEX [SECONDS]: true once FILE matches.  Output of a
# command sent before sh printed its first prompt follows that prompt on
# the same line: match it with "$AT_LINE" in front rather than "^".
wait_for() {
    local deadline=$((SECONDS + ${3:-10}))
    while [ $SECONDS -lt $deadline ]; do
        grep -qaE "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "  timed out waiting for /$2/ in $1:"; tail -c 300 "$1" 2>/dev/null | sed 's/^/  | /'
    return 1
}

# start ID COLS ROWS PROGRAM...: a session whose stdin is fd 9 of a fifo
# kept open by this shell (close_input ends it), stdout in $work/ID.out.
start() {
    local id=$1
    shift
    mkfifo "$work/$id.in"
    CONPTY_PROXY_LOG=$work/$id.log "$PROXY" new "$id" "$@" \
        < "$work/$id.in" > "$work/$id.out" 2> "$work/$id.err" &
    proxy_pid=$!
    pids+=("$proxy_pid")
    exec 9> "$work/$id.in"
    wait_for "$work/$id.log" '^start: ' 5
}
send() { printf '%s' "$1" >&9; }
close_input() { exec 9>&-; }
# wait_exit PID SECONDS: exit status of PID, or 255 if it did not end.
wait_exit() {
    local deadline=$((SECONDS + $2))
    while kill -0 "$1" 2>/dev/null; do
        [ $SECONDS -ge $deadline ] && return 255
        sleep 0.05
    done
    wait "$1"
}
child_pid() { sed -n 's/^start: pid \([0-9]*\),.*/\1/p' "$work/$1.log"; }

test_exit_code_and_output() {
    local id
    id=$(new_id)
    start "$id" 80 24 sh -c 'echo hi; exit 3' || return 1
    wait_exit "$proxy_pid" 10
    local status=$?
    close_input
    [ "$status" -eq 3 ] || { echo "  status $status"; return 1; }
    [ "$(tr -d '\r' < "$work/$id.out")" = hi ]
}
check "sh -c 'echo hi; exit 3' prints hi and exits 3" test_exit_code_and_output

test_interactive() {
    local id
    id=$(new_id)
    start "$id" 80 24 sh || return 1
    send 'echo $((6*7))
'
    wait_for "$work/$id.out" "${AT_LINE}42" || return 1
    send 'exit 4
'
    wait_exit "$proxy_pid" 10
    local status=$?
    close_input
    [ "$status" -eq 4 ]
}
check "interactive shell: echo \$((6*7)) answers 42, exit 4 ends with 4" test_interactive

test_resize() {
    local id status
    id=$(new_id)
    start "$id" 80 24 sh || return 1
    send 'stty size
'
    wait_for "$work/$id.out" "${AT_LINE}24 80" || return 1
    "$PROXY" resize "$id" 100 40 || { echo "  resize helper failed"; return 1; }
    send 'stty size
'
    wait_for "$work/$id.out" "${AT_LINE}40 100" || return 1
    wait_for "$work/$id.log" '^resize 100 40 hr=0x00000000$' || return 1
    [ "$("$PROBE" send "$id" 'resize 132 43\n')" = ok ] || return 1
    send 'stty size
'
    wait_for "$work/$id.out" "${AT_LINE}43 132" || return 1
    close_input
    wait_exit "$proxy_pid" 10
    status=$?
    [ "$status" -eq 129 ] || { echo "  status $status"; return 1; }
}
check "resize via 'conpty-proxy resize' and a direct client reaches stty size" test_resize

test_control_answers() {
    local id out expect
    id=$(new_id)
    start "$id" 80 24 sh || return 1
    out=$("$PROBE" send "$id" 'ping\n' 'resize 0 10\n' 'resize 80\n' 'jump 1 2\n' \
          'resize 80 24' '\xff\x01junk\n' "$(printf 'x%.0s' $(seq 100))\n" \
          'resize 90 30\n' 'ping\n')
    expect='pong
error bad number
error wrong number of arguments
error unknown verb
error missing newline
error invalid byte
error message too long
ok
pong'
    [ "$out" = "$expect" ] || { echo "  got: $out"; return 1; }
    wait_for "$work/$id.log" 'rejected 65-byte message: message too long' || return 1
    close_input
    wait_exit "$proxy_pid" 10 >/dev/null
    true
}
check "every control message gets ok, pong or the right error" test_control_answers

test_abuse() {
    local id child
    id=$(new_id)
    start "$id" 80 24 sh || return 1
    child=$(child_pid "$id")
    "$PROBE" hit-and-run "$id" 1000 || { echo "  hit-and-run"; return 1; }
    "$PROBE" connect-close "$id" 100 || { echo "  connect-close"; return 1; }
    "$PROBE" random "$id" 1000 || { echo "  random bytes"; return 1; }
    [ "$("$PROBE" send "$id" "$(head -c 65536 /dev/zero | tr '\0' r)")" = \
      "error message too long" ] || { echo "  64 KiB message"; return 1; }
    for i in 1 2 3 4 5 6 7 8; do "$PROBE" resizes "$id" 1000 & done
    local bad=0
    for job in $(jobs -p); do
        [ "$job" = "$proxy_pid" ] && continue
        wait "$job" || bad=1
    done
    [ $bad -eq 0 ] || { echo "  concurrent resizes failed"; return 1; }
    [ "$("$PROBE" send "$id" 'ping\n')" = pong ] || return 1
    kill -0 "$child" || { echo "  child died"; return 1; }
    send 'echo still-$((1+1))
'
    wait_for "$work/$id.out" 'still-2' || return 1
    close_input
    wait_exit "$proxy_pid" 10 >/dev/null
    true
}
check "1000 hit-and-run, 100 silent closes, random bytes, 64 KiB, 8x1000 concurrent resizes: still serving" test_abuse

test_module_client() {
    local id out
    id=$(new_id)
    start "$id" 80 24 sh || return 1
    out=$("$PROBE" module-client "$id" 1000) || { echo "  $out"; return 1; }
    echo "  $out"
    # Written and closed: the proxy applies them on its own time.
    local deadline=$((SECONDS + 10))
    until [ "$(grep -c '^resize [0-9]* 20 hr=0x00000000$' "$work/$id.log")" -eq 1000 ]; do
        [ $SECONDS -lt $deadline ] || { echo "  not every resize applied"; return 1; }
        sleep 0.1
    done
    "$PROBE" module-client-missing "$(new_id)" > /dev/null || return 1
    send 'stty size
'
    wait_for "$work/$id.out" "${AT_LINE}20 139" || return 1
    close_input
    wait_exit "$proxy_pid" 10 >/dev/null
    true
}
check "module's client: 1000 write-and-close resizes all applied; missing session fails fast" test_module_client

test_module_client_stalled() {
    local out
    out=$("$PROBE" module-client-stalled "$(new_id)") || { echo "  $out"; return 1; }
    echo "  $out"
}
check "module's client against a server that never accepts (backlog full): fails within 50 ms" test_module_client_stalled

# CPU ticks (user + system) a process has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

test_idle_proxy() {
    local id before after
    id=$(new_id)
    start "$id" 80 24 sh || return 1
    "$PROBE" send "$id" 'ping\n' > /dev/null || return 1
    sleep 0.5
    before=$(cpu_ticks "$proxy_pid")
    sleep 5
    after=$(cpu_ticks "$proxy_pid")
    echo "  idle proxy used $((after - before)) ticks in 5 s"
    close_input
    wait_exit "$proxy_pid" 10 >/dev/null
    # Under 50 ms: fewer than 5 ticks of 10 ms.
    [ $((after - before)) -lt 5 ]
}
check "an idle proxy uses under 50 ms of CPU in 5 s" test_idle_proxy

test_silent_client() {
    local id ms
    id=$(new_id)
    start "$id" 80 24 sh || return 1
    "$PROBE" silent "$id" > "$work/silent" &
    local silent=$!
    sleep 1
    [ "$("$PROBE" send "$id" 'ping\n')" = pong ] || { echo "  not served"; return 1; }
    wait "$silent" || return 1
    ms=$(cat "$work/silent")
    [ "$ms" -ge 4500 ] && [ "$ms" -le 7000 ] || { echo "  dropped after $ms ms"; return 1; }
    wait_for "$work/$id.log" 'silent client dropped' || return 1
    close_input
    wait_exit "$proxy_pid" 10 >/dev/null
    true
}
check "a silent client is dropped after 5 s while others are served" test_silent_client

test_stdin_eof_hangs_up() {
    local id status
    id=$(new_id)
    start "$id" 80 24 sh -c "trap 'echo got-hup > $work/hup; exit 7' HUP; echo ready; while :; do sleep 0.1; done" || return 1
    wait_for "$work/$id.out" ready || return 1
    close_input
    wait_exit "$proxy_pid" 10
    status=$?
    [ "$status" -eq 7 ] || { echo "  status $status"; return 1; }
    grep -q got-hup "$work/hup"
}
check "stdin closed: child gets SIGHUP, proxy exits with its code" test_stdin_eof_hangs_up

test_child_killed() {
    local id status child
    id=$(new_id)
    start "$id" 80 24 sleep 100 || return 1
    child=$(child_pid "$id")
    kill -9 "$child"
    wait_exit "$proxy_pid" 5
    status=$?
    close_input
    [ "$status" -eq 137 ] || { echo "  status $status"; return 1; }
}
check "child killed by SIGKILL: proxy exits promptly with 137" test_child_killed

test_start_failure() {
    local status
    "$PROXY" new "$(new_id)" 80 24 /no/such/program < /dev/null > "$work/sf.out" 2> "$work/sf.err"
    status=$?
    [ "$status" -eq 127 ] && grep -q "/no/such/program" "$work/sf.err" &&
        grep -q "No such file" "$work/sf.err" && [ ! -s "$work/sf.out" ]
}
check "a program that cannot start: message naming it, exit 127, nothing on stdout" test_start_failure

test_stalled_reader() {
    local id lines=6000000 expect got hwm bytes
    id=$(new_id)
    mkfifo "$work/stall.out"
    # Every line arrives with a \r added by the pty.
    bytes=$(( $(seq 1 $lines | wc -c) + lines ))
    # The reader stalls for 5 s, then reads everything.
    (sleep 5; head -c "$bytes" | tr -d '\r' | sha256sum | cut -d' ' -f1 > "$work/stall.sum") < "$work/stall.out" &
    local reader=$!
    mkfifo "$work/$id.in"
    CONPTY_PROXY_LOG=$work/$id.log "$PROXY" new "$id" 80 24 \
        sh -c "stty -echo; seq 1 $lines; read x" < "$work/$id.in" > "$work/stall.out" &
    proxy_pid=$!
    pids+=("$proxy_pid")
    exec 9> "$work/$id.in"
    sleep 2
    [ "$("$PROBE" send "$id" 'ping\n')" = pong ] || { echo "  no pong during stall"; return 1; }
    wait_for "$work/$id.log" '^backpressure on' 5 || return 1
    wait "$reader"
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$proxy_pid/status")
    send 'x
'
    close_input
    wait_exit "$proxy_pid" 10 >/dev/null
    expect=$(seq 1 $lines | sha256sum | cut -d' ' -f1)
    got=$(cat "$work/stall.sum")
    [ "$got" = "$expect" ] || { echo "  checksum mismatch"; return 1; }
    [ "$hwm" -lt "$RSS_LIMIT_KIB" ] || { echo "  peak RSS ${hwm} KiB"; return 1; }
    echo "  50 MB intact after a 5 s stall, peak RSS ${hwm} KiB"
}
check "stalled reader: 50 MB arrive intact, RSS < 16 MiB, ping answered" test_stalled_reader

test_bad_command_lines() {
    local ok=0
    expect_usage() {
        "$PROXY" "$@" > "$work/u.out" 2> "$work/u.err" < /dev/null
        local s=$?
        if [ $s -ne 2 ] || [ -s "$work/u.out" ] || ! grep -q usage "$work/u.err"; then
            echo "  '$*': status $s"; ok=1
        fi
    }
    expect_usage
    expect_usage bogus
    expect_usage new
    expect_usage new id 80 24
    expect_usage new 'bad/id' 80 24 sh
    expect_usage new '' 80 24 sh
    expect_usage new "$(printf 'a%.0s' $(seq 65))" 80 24 sh
    expect_usage new id 0 24 sh
    expect_usage new id 80 32768 sh
    expect_usage new id 8O 24 sh
    expect_usage resize id 80
    expect_usage resize id 80 24 1
    expect_usage resize 'a b' 80 24
    "$PROXY" --help | grep -q 'conpty-proxy new' || { echo "  --help"; ok=1; }
    "$PROXY" --version | grep -qE '^conpty-proxy [0-9]' || { echo "  --version"; ok=1; }
    return $ok
}
check "bad arguments and ids: usage on stderr, exit 2; --help and --version" test_bad_command_lines

test_resize_unreachable() {
    "$PROXY" resize "$(new_id)" 80 24 2> "$work/r.err"
    [ $? -eq 1 ] && grep -q 'resize' "$work/r.err"
}
check "resize of a session that does not exist: message, exit 1" test_resize_unreachable

test_squatted_path() {
    local id dir status
    id=$(new_id)
    dir=$work/conpty-proxy-$(id -u)
    mkdir -p "$dir" && chmod 700 "$dir"
    : > "$dir/$id.sock"
    "$PROXY" new "$id" 80 24 sh < /dev/null > /dev/null 2> "$work/sq.err"
    status=$?
    rm -f "$dir/$id.sock"
    [ $status -ne 0 ] && grep -q 'already exists' "$work/sq.err"
}
check "a squatted socket path: clear error, non-zero exit" test_squatted_path

test_unsafe_dir() {
    local other=$work/other dir status1 status2
    dir=$other/conpty-proxy-$(id -u)
    mkdir -p "$dir"
    chmod 755 "$dir"
    TMPDIR=$other "$PROXY" new "$(new_id)" 80 24 sh < /dev/null > /dev/null 2> "$work/d1.err"
    status1=$?
    grep -q 'open to other users' "$work/d1.err" || status1=0
    chmod 700 "$dir"
    # Giving the directory to another user takes root (or sudo); without
    # either the owner rule cannot be tested here, and that is a failure.
    if [ "$(id -u)" -eq 0 ]; then
        chown 65534 "$dir"
    elif ! sudo -n chown 65534 "$dir" 2>/dev/null; then
        echo "  not root and no sudo: cannot give $dir to another user"
        return 1
    fi
    TMPDIR=$other "$PROXY" new "$(new_id)" 80 24 sh < /dev/null > /dev/null 2> "$work/d2.err"
    status2=$?
    grep -q 'not owned by this user' "$work/d2.err" || status2=0
    [ $status1 -ne 0 ] && [ $status2 -ne 0 ]
}
check "socket directory open to others or owned by another user: refused" test_unsafe_dir

# Whatever the umask, the directory the proxy makes is private, and a
# symlink planted where it would go is refused, not followed.
test_dir_created_private() {
    local base=$work/fresh id mode status
    mkdir -p "$base/a" "$base/b" "$base/target"
    id=$(new_id)
    (umask 000; TMPDIR=$base/a CONPTY_PROXY_LOG=$work/$id.log \
        "$PROXY" new "$id" 80 24 sh -c 'exit 0' < /dev/null > /dev/null 2>&1)
    grep -q '^start: ' "$work/$id.log" || { echo "  the proxy did not start"; return 1; }
    mode=$(stat -c %a "$base/a/conpty-proxy-$(id -u)")
    [ "$mode" = 700 ] || { echo "  created with mode $mode"; return 1; }
    ln -s "$base/target" "$base/b/conpty-proxy-$(id -u)"
    TMPDIR=$base/b "$PROXY" new "$(new_id)" 80 24 sh < /dev/null > /dev/null 2> "$work/d3.err"
    status=$?
    [ $status -ne 0 ] || { echo "  a symlinked directory was used"; return 1; }
    [ -z "$(ls -A "$base/target")" ] || { echo "  something was made through the symlink"; return 1; }
}
check "socket directory: created 0700 under umask 000; a symlink there refused" test_dir_created_private

# --- session servers: serve, attach, list, kill ---

sock_dir() { echo "$work/conpty-proxy-$(id -u)"; }

# attach_bg ID NAME [--take-over]: "attach" of session ID at 80x24 with
# stdin the fifo $work/NAME.in (fd 8 keeps it open), stdout in
# $work/NAME.out; its pid in $attach_pid.
attach_bg() {
    local id=$1 name=$2
    mkfifo "$work/$name.in"
    CONPTY_PROXY_LOG=$work/$name.log "$PROXY" attach ${3:-} "$id" 80 24 \
        < "$work/$name.in" > "$work/$name.out" 2> "$work/$name.err" &
    attach_pid=$!
    pids+=("$attach_pid")
    exec 8> "$work/$name.in"
}

test_serve_attach_relays_and_exits_with_code() {
    local id status
    id=$(new_id)
    CONPTY_PROXY_LOG=$work/$id.log "$PROXY" serve "$id" 80 24 100 \
        sh -c 'echo hello-serve; read x; echo got-$x; exit 5' || return 1
    [ -S "$(sock_dir)/$id.data" ] && [ -S "$(sock_dir)/$id.sock" ] ||
        { echo "  no channels"; return 1; }
    attach_bg "$id" "$id-a"
    wait_for "$work/$id-a.out" 'hello-serve' 5 || return 1
    printf 'abc\n' >&8
    wait_exit "$attach_pid" 10
    status=$?
    exec 8>&-
    [ $status -eq 5 ] || { echo "  attach exited $status, not 5"; return 1; }
    grep -qa 'got-abc' "$work/$id-a.out" || { echo "  no echo of the input"; return 1; }
    [ ! -e "$(sock_dir)/$id.data" ] || { echo "  data channel left behind"; return 1; }
}
check "serve + attach: output, input, the program's exit code; channels removed" \
    test_serve_attach_relays_and_exits_with_code

# A detached server whose program went quiet hands what it held to its
# parse thread after SCREEN_QUIET_MS (1 s), holding no more than its
# screen and scrollback; the screen it then serves is the same.
test_quiet_server_parses_what_it_held() {
    local id line
    id=$(new_id)
    CONPTY_PROXY_LOG=$work/$id.log "$PROXY" serve "$id" 80 24 100 \
        sh -c 'i=0; while [ $i -lt 3000 ]; do i=$((i + 1));
               printf "\033[3%dmq-%d\033[0m\n" $((i % 7 + 1)) $i; done
               exec cat' || return 1
    wait_for "$work/$id.log" '^quiet: [0-9]* bytes of held output' 5 || return 1
    attach_bg "$id" "$id-a"
    wait_for "$work/$id-a.out" 'q-3000' 5 || return 1
    wait_for "$work/$id-a.out" 'q-2901' 5 || { echo "  scrollback lost"; return 1; }
    # Counted after the attach: a second quiet would have come by now.
    line=$(grep -a '^quiet: ' "$work/$id.log")
    [ "$(echo "$line" | wc -l)" -eq 1 ] || { echo "  quiet more than once: $line"; return 1; }
    "$PROXY" kill "$id" || return 1
    wait_exit "$attach_pid" 5
    exec 8>&-
}
check "a detached server quiet for a second parses what it held, once, and serves it" \
    test_quiet_server_parses_what_it_held

test_detach_reattach_list_kill() {
    local id status line
    id=$(new_id)
    CONPTY_PROXY_LOG=$work/$id.log "$PROXY" serve "$id" 80 24 100 \
        sh -c 'seq 1 40 | sed s/^/row-/; printf "\033]2;my title\007"; exec cat' || return 1
    attach_bg "$id" "$id-a"
    wait_for "$work/$id-a.out" 'row-40' 5 || return 1
    exec 8>&-
    wait_exit "$attach_pid" 5
    status=$?
    [ $status -eq 0 ] || { echo "  detaching attach exited $status"; return 1; }
    line=$("$PROXY" list | grep "^$id	")
    echo "$line" | grep -qE "^$id	80	24	[0-9]+	[0-9]+	0	sh	my title$" ||
        { echo "  list line: '$line'"; return 1; }
    attach_bg "$id" "$id-b"
    # The snapshot: the scrollback (row-1 scrolled off long ago) and title.
    wait_for "$work/$id-b.out" 'row-1[^0-9]' 5 || return 1
    wait_for "$work/$id-b.out" 'my title' 5 || return 1
    "$PROXY" list | grep -qE "^$id	.*	1	sh	" || { echo "  not listed attached"; return 1; }
    CONPTY_PROXY_LOG=$work/$id-c.log "$PROXY" attach "$id" 80 24 < /dev/null \
        > /dev/null 2> "$work/$id-c.err"
    status=$?
    [ $status -eq 1 ] && grep -q 'refused' "$work/$id-c.err" ||
        { echo "  second attach: status $status"; cat "$work/$id-c.err"; return 1; }
    "$PROXY" kill "$id" || return 1
    wait_exit "$attach_pid" 5
    status=$?
    exec 8>&-
    [ $status -eq 129 ] || { echo "  attach after kill exited $status (not SIGHUP's 129)"; return 1; }
    [ -z "$("$PROXY" list | grep "^$id	")" ] || { echo "  still listed"; return 1; }
    [ -z "$(ls "$(sock_dir)" | grep "^$id\.")" ] || { echo "  files left"; return 1; }
}
check "detach (stdin EOF), list, reattach with snapshot, second attach refused, kill" \
    test_detach_reattach_list_kill

test_take_over() {
    local id first status
    id=$(new_id)
    "$PROXY" serve "$id" 80 24 10 sh -c 'echo ready-to; exec cat' || return 1
    attach_bg "$id" "$id-a"
    first=$attach_pid
    wait_for "$work/$id-a.out" 'ready-to' 5 || return 1
    exec 7>&8
    attach_bg "$id" "$id-b" --take-over
    wait_for "$work/$id-b.out" 'ready-to' 5 || return 1
    wait_exit "$first" 5
    status=$?
    [ $status -eq 1 ] && grep -q 'took the session over' "$work/$id-a.err" ||
        { echo "  first client: status $status"; cat "$work/$id-a.err"; return 1; }
    exec 7>&- 8>&-
    "$PROXY" kill "$id"
}
check "attach --take-over detaches the client attached before" test_take_over

test_server_killed_leaves_nothing_that_blocks() {
    local id pid spid
    id=$(new_id)
    "$PROXY" serve "$id" 80 24 10 sh -c 'exec cat' || return 1
    pid=$("$PROXY" list | awk -F'\t' -v id="$id" '$1 == id { print $4 }')
    spid=$(awk '{ print $4 }' "/proc/$pid/stat")
    [ -n "$spid" ] && [ "$spid" -gt 1 ] || { echo "  no server pid"; return 1; }
    kill -9 "$spid"
    sleep 0.2
    [ -S "$(sock_dir)/$id.data" ] || { echo "  expected stale channels"; return 1; }
    # A new server of that id is not blocked by what the dead one left.
    "$PROXY" serve "$id" 80 24 10 sh -c 'exec cat' || { echo "  id blocked"; return 1; }
    "$PROXY" list | grep -q "^$id	" || { echo "  new server not listed"; return 1; }
    "$PROXY" kill "$id" || return 1
    # And list drops a dead server's channels.
    "$PROXY" serve "$id" 80 24 10 sh -c 'exec cat' || return 1
    pid=$("$PROXY" list | awk -F'\t' -v id="$id" '$1 == id { print $4 }')
    kill -9 "$(awk '{ print $4 }' "/proc/$pid/stat")"
    sleep 0.2
    [ -z "$("$PROXY" list 2>/dev/null | grep "^$id	")" ] || { echo "  dead server listed"; return 1; }
    [ -z "$(ls "$(sock_dir)" | grep "^$id\.")" ] || { echo "  stale files kept"; return 1; }
}
check "server killed with -9: list drops it, no stale socket blocks its id" \
    test_server_killed_leaves_nothing_that_blocks

test_serve_failures() {
    local id status
    id=$(new_id)
    "$PROXY" serve "$id" 80 24 10 /nonexistent/program 2> "$work/sf.err"
    status=$?
    [ $status -eq 127 ] || { echo "  missing program: status $status"; return 1; }
    grep -q "nonexistent" "$work/sf.err" || { echo "  no message"; return 1; }
    [ -z "$(ls "$(sock_dir)" | grep "^$id\.")" ] || { echo "  files left"; return 1; }
    "$PROXY" serve "$id" 80 24 -1 sh 2> /dev/null
    [ $? -eq 2 ] || { echo "  bad scrollback accepted"; return 1; }
    "$PROXY" attach "$id" 2> /dev/null
    [ $? -eq 2 ] || { echo "  attach without a size accepted"; return 1; }
    "$PROXY" attach "$id" 80 24 < /dev/null 2> /dev/null
    [ $? -eq 1 ] || { echo "  attach to no session did not fail"; return 1; }
}
check "serve: a program that cannot start exits 127; bad arguments exit 2" test_serve_failures

STREAM_CHECK=$PWD/build/tests/proxy/stream_check

# attached ID: true when list shows session ID with a client attached.
attached() { "$PROXY" list | grep -qE "^$1	([^	]*	){4}1	"; }

# size_at_least FILE BYTES
size_at_least() { [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ]; }

# wait_true SECONDS COMMAND...: until COMMAND succeeds.
wait_true() {
    local deadline=$((SECONDS + $1))
    shift
    while [ $SECONDS -lt $deadline ]; do
        "$@" && return 0
        sleep 0.05
    done
    return 1
}

# 50 MB of numbered lines, each in a colour (the server skips coloured
# lines as it skips plain ones, and its reads cut SGRs), through a session
# whose client is killed with SIGKILL in the middle; a second client
# attaches while the rest streams (the server parses it detached) and
# stays to the end.  What it got,
# fed to libvterm 0.3.3, must give the screen libvterm shows for the
# whole stream, and the last 1000 lines that scrolled off must follow
# each other with no gap and no duplicate.
test_nothing_lost_after_kill9() {
    local id a_pid status
    id=$(new_id)
    awk 'BEGIN { for (i = 1; i <= 1000000; i++)
        printf "\033[3%dmline-%09d-abcdefghijklmnopqrstuvwxyz-0123456789\033[m\n",
               i % 7 + 1, i }' > "$work/stream"
    "$PROXY" serve "$id" 80 24 1000 sh -c \
        "while [ ! -e '$work/$id.go' ]; do sleep 0.02; done; cat '$work/stream'; exec sleep 600" ||
        return 1
    attach_bg "$id" "$id-a"
    a_pid=$attach_pid
    wait_true 5 attached "$id" || { echo "  first client never attached"; return 1; }
    touch "$work/$id.go"
    wait_true 20 size_at_least "$work/$id-a.out" 5000000 ||
        { echo "  the stream never came"; return 1; }
    kill -9 "$a_pid"
    { wait "$a_pid"; } 2>/dev/null # reaped without bash's "Killed" line
    exec 8>&-
    size_at_least "$work/$id-a.out" 50000000 &&
        { echo "  the first client got it all before its kill: no test"; return 1; }
    attach_bg "$id" "$id-b"
    wait_true 60 sh -c "tail -c 8192 '$work/$id-b.out' | grep -qa 'line-001000000-'" ||
        { echo "  the end of the stream never reached the second client"; return 1; }
    sleep 0.5
    exec 8>&-
    wait_exit "$attach_pid" 5
    status=$?
    "$PROXY" kill "$id"
    [ $status -eq 0 ] || { echo "  second client exited $status"; return 1; }
    echo "  first client got $(stat -c %s "$work/$id-a.out") bytes, the second $(stat -c %s "$work/$id-b.out")"
    "$STREAM_CHECK" 80 24 "$work/stream" "$work/$id-b.out" 1000 | sed 's/^/  /'
    [ "${PIPESTATUS[0]}" -eq 0 ]
}
check "50 MB coloured, the client killed with -9 mid-stream: the reattach shows libvterm's screen of the whole stream, the last 1000 scrollback lines contiguous" \
    test_nothing_lost_after_kill9

# Clients that vanish mid-write: one after half a hello, one attached
# that dies sending 1 MB of input (the shell reads it), one killed while
# the server writes it a flood.  The session serves the next client.
test_client_vanishes_mid_write() {
    local id out
    id=$(new_id)
    "$PROXY" serve "$id" 80 24 100 sh -c 'stty -echo; exec cat > /dev/null' || return 1
    python3 - "$(sock_dir)/$id.data" <<'EOF' || { echo "  raw clients failed"; return 1; }
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"attach 8")  # half a hello, then gone
s.close()
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"attach 80 24\n")
assert s.recv(3) == b"ok\n"
try:
    # Plain text (no ^C for the tty to turn into a signal), cut anywhere.
    s.sendall((b"0123456789abcdef" * 65536)[: (1 << 20) - 7])
except (BrokenPipeError, ConnectionResetError):
    pass
s.close()
EOF
    wait_true 5 sh -c "! \"$PROXY\" list | grep -qE '^$id	([^	]*	){4}1	'" ||
        { echo "  the vanished client is still attached"; return 1; }
    out=$( (printf 'after-vanish\n'; sleep 1) | timeout 10 "$PROXY" attach "$id" 80 24)
    "$PROXY" list | grep -q "^$id	" || { echo "  the session died"; return 1; }
    "$PROXY" kill "$id"
    # cat > /dev/null with echo off: nothing comes back, but the attach
    # got its snapshot and detached cleanly.
    [ -n "$out" ] || { echo "  no snapshot for the next client"; return 1; }
}
check "clients vanishing mid-hello and mid-input: the session serves the next one" \
    test_client_vanishes_mid_write

# Two clients attach at once, ten times: exactly one wins each time, the
# other is refused with a message.
# one_gone PID PID: true once either process has ended.
one_gone() { ! kill -0 "$1" 2>/dev/null || ! kill -0 "$2" 2>/dev/null; }

test_attach_race() {
    local id round p1 p2 s1 s2 alive
    id=$(new_id)
    "$PROXY" serve "$id" 80 24 100 sh -c 'exec cat' || return 1
    for round in 1 2 3 4 5 6 7 8 9 10; do
        mkfifo "$work/$id-r$round-1.in" "$work/$id-r$round-2.in"
        "$PROXY" attach "$id" 80 24 < "$work/$id-r$round-1.in" > /dev/null 2> "$work/$id-r1.err" &
        p1=$!
        "$PROXY" attach "$id" 80 24 < "$work/$id-r$round-2.in" > /dev/null 2> "$work/$id-r2.err" &
        p2=$!
        pids+=("$p1" "$p2")
        exec 5> "$work/$id-r$round-1.in" 6> "$work/$id-r$round-2.in"
        # The loser is refused at once; a loaded machine may take a while.
        wait_true 10 one_gone "$p1" "$p2"
        sleep 0.3
        alive=0; s1=-; s2=-
        if kill -0 "$p1" 2>/dev/null; then alive=$((alive + 1)); else wait "$p1"; s1=$?; fi
        if kill -0 "$p2" 2>/dev/null; then alive=$((alive + 1)); else wait "$p2"; s2=$?; fi
        exec 5>&- 6>&-
        wait "$p1" "$p2" 2>/dev/null
        [ $alive -eq 1 ] || { echo "  round $round: $alive clients attached"; return 1; }
        [ "$s1$s2" = "1-" ] || [ "$s1$s2" = "-1" ] ||
            { echo "  round $round: the loser exited $s1$s2"; return 1; }
        cat "$work/$id-r1.err" "$work/$id-r2.err" | grep -q 'refused: error attached elsewhere' ||
            { echo "  round $round: no refusal message"; return 1; }
        wait_true 5 sh -c "! \"$PROXY\" list | grep -qE '^$id	([^	]*	){4}1	'" ||
            { echo "  round $round: the winner did not detach"; return 1; }
    done
    "$PROXY" kill "$id"
}
check "two clients racing to attach, 10 rounds: exactly one wins, the other is refused" \
    test_attach_race

# The trace log on a full disk (/dev/full: every write fails with
# ENOSPC): serve and attach say so once on stderr and go on without it.
test_trace_log_disk_full() {
    local id out
    id=$(new_id)
    CONPTY_PROXY_LOG=/dev/full "$PROXY" serve "$id" 80 24 100 \
        sh -c 'echo serving; exec cat' 2> "$work/full-serve.err" || return 1
    grep -q 'trace log /dev/full: No space left on device; tracing stopped' \
        "$work/full-serve.err" || { echo "  serve: no note: $(cat "$work/full-serve.err")"; return 1; }
    out=$( (printf 'typed-%s\n' 42; sleep 1) |
        CONPTY_PROXY_LOG=/dev/full timeout 10 "$PROXY" attach "$id" 80 24 2> "$work/full-attach.err")
    "$PROXY" kill "$id"
    echo "$out" | grep -qa 'serving' && echo "$out" | grep -qa 'typed-42' ||
        { echo "  the session did not work: $out"; return 1; }
    [ "$(grep -c 'tracing stopped' "$work/full-attach.err")" = 1 ] ||
        { echo "  attach: not one note: $(cat "$work/full-attach.err")"; return 1; }
}
check "trace log on a full disk: one note on stderr, the session works" \
    test_trace_log_disk_full

# raw_exchange PATH MESSAGE: connect to the Unix socket PATH without any
# check of who serves it (conpty-proxy's own clients refuse a socket of
# another user's), as a stream or (the control channel) as packets, send
# MESSAGE (C escapes) unless it is empty, print everything the server
# sends until it closes; fail if it keeps the connection 5 s.
raw_exchange() {
    python3 - "$1" "$2" <<'EOF'
import socket, sys
try:
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
except OSError:  # the control channel: packets
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
s.settimeout(5)
try:
    if sys.argv[2]:
        s.sendall(sys.argv[2].encode().decode("unicode_escape").encode())
except (BrokenPipeError, ConnectionResetError):
    pass  # refused before the message went: the answer is still there
got = b""
while True:
    try:
        d = s.recv(4096)
    except ConnectionResetError:
        break  # closed with our message unread: closed all the same
    if not d:
        break
    got += d
sys.stdout.write(got.decode(errors="replace"))
EOF
}

# as_other COMMAND...: COMMAND as uid and gid 65534 (nobody), no groups.
as_other() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# A session of another uid (65534) in a socket directory that user owns;
# this root shell connects to its data and control channels directly.
# The suite runs as root (.ci/run in the container): anything else
# fails here rather than skipping.
test_other_uid_refused() {
    local id base dir out
    [ "$(id -u)" = 0 ] || { echo "  not root: cannot run a server as another uid"; return 1; }
    id=$(new_id)
    base=$(mktemp -d /tmp/proxy-other-uid.XXXXXX)
    other_dirs+=("$base")
    chown 65534:65534 "$base"
    dir=$base/conpty-proxy-65534
    as_other env TMPDIR="$base" CONPTY_PROXY_LOG="$base/server.log" \
        "$PROXY" serve "$id" 80 24 10 sh -c 'echo ready-other; exec cat' ||
        { echo "  serve as uid 65534 failed"; return 1; }
    [ -S "$dir/$id.data" ] && [ -S "$dir/$id.sock" ] || { echo "  no channels in $dir"; return 1; }
    out=$(raw_exchange "$dir/$id.data" 'attach 80 24\n') ||
        { echo "  data channel: not closed"; return 1; }
    [ "$out" = "error another user's session" ] || { echo "  data channel answered '$out'"; return 1; }
    # Nothing sent on the control channel: a packet left unread when the
    # server closes turns into ECONNRESET here, before the refusal is read.
    out=$(raw_exchange "$dir/$id.sock" '') ||
        { echo "  control channel: not closed"; return 1; }
    [ "$out" = "error another user's session" ] || { echo "  control channel answered '$out'"; return 1; }
    grep -q 'attach: refused a client of another user' "$base/server.log" &&
        grep -q 'control: refused a client of another user' "$base/server.log" ||
        { echo "  no refusal in the server's log"; return 1; }
    # The session is unharmed: its user lists it and attaches.
    as_other env TMPDIR="$base" "$PROXY" list | grep -q "^$id	" ||
        { echo "  not listed for its user"; return 1; }
    out=$( (printf 'still-here\n'; sleep 1) |
        as_other env TMPDIR="$base" timeout 5 "$PROXY" attach "$id" 80 24)
    echo "$out" | grep -qa 'ready-other' && echo "$out" | grep -qa 'still-here' ||
        { echo "  its user's attach saw: $out"; return 1; }
    as_other env TMPDIR="$base" "$PROXY" kill "$id" || { echo "  its user cannot end it"; return 1; }
}
other_dirs=()
check "uid 65534's session: root's connections to its data and control channels refused (one line, closed); the session unharmed" \
    test_other_uid_refused
for d in "${other_dirs[@]}"; do
    for id in $(as_other env TMPDIR="$d" "$PROXY" list 2>/dev/null | cut -f1); do
        as_other env TMPDIR="$d" "$PROXY" kill "$id"
    done
    rm -rf "$d"
done

if [ -n "${SANITIZED:-}" ]; then
    test_no_sanitizer_reports() {
        local reports
        reports=$(ls "$work"/sanitizer.* 2>/dev/null)
        [ -z "$reports" ] || { cat $reports | head -40; return 1; }
    }
    check "no AddressSanitizer or UBSan report from any proxy run" test_no_sanitizer_reports
fi

suite_end

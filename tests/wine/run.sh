#!/bin/sh
# run.sh -- the "wine" suite: conpty-proxy.exe under Wine 8, driven by the
# Emacs-like driver.exe (see driver.c for the scenarios).  Run from the
# top of the tree by "make test-wine".  A fresh WINEPREFIX in a temporary
# directory, reused by every scenario of the run and removed at the end;
# every wait is bounded; Wine failing to start fails the suite.
set -u
. tests/lib/suite.sh
suite_begin wine

B=build/tests/wine
PROXY=build/windows/conpty-proxy.exe
T=$(mktemp -d "${TMPDIR:-/tmp}/vterm-wine.XXXXXX")
export WINEPREFIX="$T/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
# Wine repeats process ids from run to run: ids carry randomness.
RUN_ID="w$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')"

cleanup() {
    timeout 30 wineserver -k >/dev/null 2>&1
    timeout 30 wineserver -w >/dev/null 2>&1
    if [ -n "${WINE_TEST_KEEP:-}" ]; then
        echo "wine: kept $T"
    else
        rm -rf "$T"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Run the Wine program PROGRAM [ARGS] as check set NAME with a trace log
# and a time limit; turn its PASS/FAIL lines into checks.  A program that
# dies or hangs is one failure more.
n=0
wine_checks() {
    name=$1; limit=$2; shift 2
    n=$((n + 1))
    log="$T/$name.log"
    : > "$log"
    CONPTY_PROXY_LOG="Z:$log" timeout -k 10 "$limit" wine "$@" \
        > "$T/$name.out" 2> "$T/$name.err"
    status=$?
    cat "$T/$name.out"
    while read -r verdict what; do
        case $verdict in
        PASS) suite_pass=$((suite_pass + 1)) ;;
        FAIL) suite_fail=$((suite_fail + 1)) ;;
        esac
    done < "$T/$name.out"
    if ! grep -q '^PASS\|^FAIL' "$T/$name.out"; then
        fail "$name: reported nothing (status $status)"
    elif [ "$status" -ne 0 ] && ! grep -q '^FAIL' "$T/$name.out"; then
        fail "$name: exited with status $status"
    fi
    if [ "$status" -ne 0 ]; then
        echo "--- $name: stderr"; tail -n 40 "$T/$name.err"
        echo "--- $name: trace log"; tail -n 40 "$log"
    fi
    return 0
}

# Run driver.exe SCENARIO [ARGS] (see driver.c) in session $RUN_ID-<n>.
scenario() {
    name=$1; limit=$2; shift 2
    wine_checks "$name" "$limit" "$B/driver.exe" "$name" "$PROXY" \
        "$B/fixture.exe" "$B/client.exe" "$RUN_ID-$((n + 1))" "$@"
}

# Wine must start: the first run creates the prefix (about 10 s).
boot=$(timeout -k 10 180 wine cmd /c echo wine-ok 2>"$T/boot.err")
case $boot in
*wine-ok*) ;;
*)
    fail "wine starts with a fresh prefix (output: $boot)"
    cat "$T/boot.err"
    suite_end
    exit 1 ;;
esac
pass "wine starts with a fresh prefix"

scenario basic 120
log="$T/basic.log"
# Wine 8's ResizePseudoConsole returns E_NOTIMPL: the line is the
# evidence, whatever HRESULT it carries.
check "trace log: resize 100 40 with the HRESULT Wine returned" \
    sh -c "tr -d '\r' < '$log' | grep -Eq '^resize 100 40 hr=0x[0-9a-f]{8}\$'"
check "trace log: resize 90 30 from conpty-proxy resize" \
    sh -c "tr -d '\r' < '$log' | grep -Eq '^resize 90 30 hr=0x[0-9a-f]{8}\$'"
check "trace log: start and exit lines" \
    sh -c "grep -q '^start: ' '$log' && grep -q '^exit: code 7' '$log'"

# System messages reach Emacs's stream in UTF-8 (FormatMessageW), not in
# the ANSI code page: Wine's Russian messages make the difference
# (code page 1251 bytes are not UTF-8).
LC_ALL=ru_RU.UTF-8 LANG=ru_RU.UTF-8 timeout -k 10 60 wine "$PROXY" resize \
    "$RUN_ID-none" 80 25 > "$T/utf8.out" 2>&1
check "a system message (Russian) reaches stderr as UTF-8" \
    sh -c "grep -q 'error 2 (' '$T/utf8.out' && iconv -f UTF-8 -t UTF-8 '$T/utf8.out' >/dev/null 2>&1 && LC_ALL=C grep -q '[^ -~]' '$T/utf8.out'"

scenario exitcode 90
scenario env 90
scenario raw 90
scenario stdout-close 90
scenario idle 90
scenario big 300 50000
# 12 MiB, far past the queue's bound: the 10 s stall must engage
# backpressure (even Wine's conhost at 0.2 MB/s relays 2 MB in 10 s), and
# an unbounded queue would take the proxy's VmHWM past its bound.
scenario stall 300 12
log="$T/stall.log"
check "trace log: backpressure on, then off, during the stall" \
    sh -c "grep -q '^backpressure on' '$log' && grep -q '^backpressure off' '$log'"
check "trace log: the ping during the stall was answered by the session" \
    grep -q '^control: ping' "$log"
scenario stdin-eof 90
scenario wm-close 90
log="$T/wm-close.log"
check "trace log: the close event hung the session up" \
    sh -c "grep -q '^console: close event' '$log' && grep -q '^hangup: console closed' '$log'"
scenario child-kill 90
scenario proxy-kill 90
scenario start-fail 90
scenario path-search 90
scenario resize-stall 120
log="$T/resize-stall.log"
check "trace log: sizes sent during a stuck resize coalesced: 100x40, then 105x40 only" \
    sh -c "tr -d '\r' < '$log' | grep -E '^resize [0-9]+ [0-9]+ hr=' | cut -d' ' -f2,3 | tr '\n' ' ' | grep -qx '100 40 105 40 '"
scenario error-mode 90
scenario inherit 90
scenario conpty-dll 120
log="$T/conpty-dll.log"
check "trace log: conpty.dll without OpenConsole.exe is not used, then with it is" \
    sh -c "tr -d '\r' < '$log' | grep '^conpty: ' | sed 's/.*[\\\\]//' | tr '\n' ' ' | grep -qx 'conpty: kernel32 conpty.dll '"
scenario squat 120
scenario squatter 90
# Persistent sessions: serve, attach, list, kill (see driver.c).
scenario persist 240
log="$T/persist.log"
check "trace log: the second attach refused, then a take-over" \
    sh -c "grep -q '^attach: refused, a client is attached' '$log' && grep -q '^detach: taken over' '$log'"
scenario persist-held 180
log="$T/persist-held.log"
check "trace log: kill hung the session up, then ended the program" \
    sh -c "grep -q '^hangup: kill message' '$log' && grep -q '^exit: code 1' '$log'"
scenario persist-squat 90
scenario persist-stall 400
log="$T/persist-stall.log"
check "trace log: backpressure on, then off, in the server during the stall" \
    sh -c "grep -q '^backpressure on' '$log' && grep -q '^backpressure off' '$log'"
check "trace log: backpressure on, then off, in the attach client too" \
    sh -c "grep -q '^backpressure on' '$log.attach' && grep -q '^backpressure off' '$log.attach'"
scenario persist-job 180
scenario persist-race 240
log="$T/persist-race.log"
check "trace log: the race's losers refused (one a round)" \
    sh -c "test \$(grep -c '^attach: refused, a client is attached' '$log') -eq 5"
scenario persist-server-kill 180
scenario persist-start-fail 90
wine_checks unit 60 "$B/unit.exe"
# The parse worker's unit tests: their counts go to this suite's, not to
# build/results/parse-worker.
CHECK_SUITE=parse-worker-wine CHECK_RESULTS_DIR="$T" \
    wine_checks parse-worker 300 "$B/parse_worker_test.exe"
scenario vanish 180
log="$T/vanish.log"
check "trace log: the resize after the vanished clients was applied" \
    sh -c "tr -d '\r' < '$log' | grep -Eq '^resize 111 33 hr=0x[0-9a-f]{8}\$'"
check "trace log: no control instance went out of service" \
    sh -c "! grep -q 'out of service' '$log'"
scenario storm 300
log="$T/storm.log"
# Sizes are coalesced (newest wins) on the resize thread: every message
# is queued, fewer are applied.
check "trace log: all 10000 resizes of the storm queued, some applied" \
    sh -c "[ \$(grep -Ec '^control: resize [0-9]+ [0-9]+ queued' '$log') -ge 10000 ] && grep -Eq '^resize [0-9]+ [0-9]+ hr=0x[0-9a-f]{8}' '$log'"
scenario abuse 400
log="$T/abuse.log"
check "trace log: every valid resize of the abuse run parsed and queued" \
    sh -c "[ \$(grep -Ec '^control: resize [0-9]+ [0-9]+ queued' '$log') -eq 9000 ]"
check "trace log: the oversize message was rejected" \
    grep -q 'rejected 65536-byte message' "$log"
check "trace log: the silent client was dropped" \
    grep -q 'silent client dropped' "$log"

suite_end

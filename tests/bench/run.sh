#!/bin/sh
# run.sh -- "make bench": every figure of issue 6 measured in one run and
# printed as one table, each target next to its figure.  Run from the top
# of the tree by tests/bench/bench.mk, which passes EMACS, MODULE, PROXY,
# WIN_PROXY, BENCH_TOOL and BENCH_WIN.  Figures only: nothing here fails
# "make test".  BENCH_SKIP_WINE=1 leaves Wine out.
set -u
TOP=$(pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/vterm-bench.XXXXXX")
export BENCH_TMP="$T"
R="$T/results"
: > "$R"
idle_pid=

cleanup() {
    [ -n "$idle_pid" ] && kill "$idle_pid" 2>/dev/null
    if [ -n "${WINEPREFIX:-}" ]; then
        timeout 30 wineserver -k >/dev/null 2>&1
        timeout 30 wineserver -w >/dev/null 2>&1
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "bench: $*" >&2; }
started=$(date +%s)

# 12 MB of plain lines, 12 MB of SGR-coloured lines, and 100000+ lines
# for the scrollback memory run.
"$BENCH_TOOL" gen plain "$T/plain.txt" 12000000
"$BENCH_TOOL" gen sgr "$T/sgr.txt" 12000000
"$BENCH_TOOL" gen plain "$T/big.txt" 7800000

# Idle proxy: 10 s, alongside the rest (an idle process costs the same on
# a busy machine).
"$BENCH_TOOL" idle "$TOP/$PROXY" 10 > "$T/idle.out" 2>&1 &
idle_pid=$!

say "libvterm ceiling and render core (in-process)"
for kind in plain sgr; do
    "$BENCH_TOOL" ceiling "$T/$kind.txt" 23 79 | sed "s/^/${kind}_/" >> "$R"
    "$BENCH_TOOL" render "$T/$kind.txt" 23 79 1000 | sed "s/^/${kind}_/" >> "$R"
done
"$BENCH_TOOL" sbmem 100000 100000 >> "$R"

say "emacs --batch: throughput, echo, idle Emacs, 100000-line scrollback"
BENCH_PLAIN="$T/plain.txt" BENCH_SGR="$T/sgr.txt" BENCH_BIG="$T/big.txt" \
BENCH_PROXY="$TOP/$PROXY" \
    timeout 400 "$EMACS" -Q --batch -L "$TOP/$(dirname "$MODULE")" -L "$TOP/lisp" \
    -l vterm -l "$TOP/tests/bench/bench.el" -f vterm-bench-main >> "$R" 2> "$T/emacs.err" ||
    { say "emacs failed:"; tail -n 20 "$T/emacs.err" >&2; }

say "resize latency, Linux (1000 + 1000)"
"$BENCH_TOOL" resize "$TOP/$PROXY" 1000 >> "$R"

say "proxy with a stalled reader and 100 MB pending"
"$BENCH_TOOL" stall "$TOP/$PROXY" 100 >> "$R"

if [ -z "${BENCH_SKIP_WINE:-}" ]; then
    say "resize latency under Wine (1000 + 1000; about 2 minutes)"
    export WINEPREFIX="$T/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    unset DISPLAY WAYLAND_DISPLAY
    if timeout -k 10 180 wine cmd /c echo wine-ok 2> "$T/wine-boot.err" | grep -q wine-ok; then
        id="bench-$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')"
        CONPTY_PROXY_LOG="Z:$T/wine-resize.log" timeout -k 10 400 \
            wine "$BENCH_WIN" resize "$WIN_PROXY" "$id" 1000 >> "$R" 2> "$T/wine.err" ||
            { say "winbench failed:"; tail -n 20 "$T/wine.err" >&2; }
        # Every resize the proxy parsed and handed to ConPTY has a line.
        echo "wine_resize_logged $(tr -d '\r' < "$T/wine-resize.log" 2>/dev/null |
            grep -Ec '^resize [0-9]+ [0-9]+ hr=0x[0-9a-f]{8}$')" >> "$R"
        echo "wine_resize_hr $(tr -d '\r' < "$T/wine-resize.log" 2>/dev/null |
            sed -n 's/^resize [0-9]* [0-9]* hr=//p' | sort | uniq -c | sort -rn |
            head -n 1 | awk '{print $2}')" >> "$R"
    else
        say "wine does not start:"; cat "$T/wine-boot.err" >&2
    fi
fi

wait "$idle_pid"
idle_pid=
cat "$T/idle.out" >> "$R"
[ -n "${BENCH_KEEP:-}" ] && cp "$R" "$BENCH_KEEP"

elapsed=$(( $(date +%s) - started ))
awk -v elapsed="$elapsed" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
    -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" -v cpu="$(nproc)" \
    -f tests/bench/table.awk "$R"

#!/bin/sh
# run.sh -- "make bench": every figure of issues 6 and 16 measured in one
# run and printed as one table, each target next to its figure.  Run from
# the top of the tree by tests/bench/bench.mk, which passes EMACS, MODULE,
# PROXY, WIN_PROXY, BENCH_TOOL and BENCH_WIN.  Figures only: nothing here
# fails "make test".  BENCH_SKIP_WINE=1 leaves Wine out; BENCH_ONLY=shapes
# runs the output shapes alone, BENCH_ONLY=persist the persistent
# sessions' figures alone; BENCH_BASELINE=TREE adds another tree's
# build to the output shapes' rounds (before and after in one run).
set -u
TOP=$(pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/vterm-bench.XXXXXX")
export BENCH_TMP="$T"
R="$T/results"
: > "$R"
idle_pid=
hogs=

cleanup() {
    [ -n "$idle_pid" ] && kill "$idle_pid" 2>/dev/null
    # shellcheck disable=SC2086 # one pid per word
    [ -n "$hogs" ] && kill $hogs 2>/dev/null
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

# Output shapes (issue 16): "TAG FILE ROWS COLS MODE" per case, as
# tests/bench/bench-shapes.el reads them; each file 1 MB, the status
# line 100 KB (1192 updates).
run_shapes() {
    say "output shapes: libvterm ceiling, render core, this package, emacs-libvterm"
    shapes=
    for spec in ascii:24:80 emoji:24:80 cjk:24:80 combining:24:80 urls:24:80 \
                wide:24:80 tui:24:80:tui24 tui:40:120:tui40 status:24:80; do
        kind=${spec%%:*} rest=${spec#*:}
        rows=${rest%%:*} rest=${rest#*:}
        cols=${rest%%:*} file=${rest#*:}
        [ "$file" = "$cols" ] && file=$kind
        bytes=1000000
        [ "$kind" = status ] && bytes=100000
        "$BENCH_TOOL" gen "$kind" "$T/$file.txt" "$bytes" "$rows" "$cols"
        case $kind in tui|status) mode=frames ;; *) mode=one ;; esac
        shapes="$shapes$file $T/$file.txt $rows $cols $mode;"
    done
    shapes="${shapes}stream $T/ascii.txt 24 80 stream"
    # Both packages define vterm: each gets its own Emacs, byte-compiled
    # (emacs-libvterm's vterm.elc comes with the package), and so does the
    # driver, compiled once.
    mkdir -p "$T/lisp" "$T/driver"
    # vterm.el requires the package's other files (vterm-transport.el...).
    cp lisp/*.el "$T/lisp/"
    cp -R lisp/etc "$T/lisp/"
    cp tests/bench/bench-shapes.el "$T/driver/"
    "$EMACS" -Q --batch -L "$TOP/$(dirname "$MODULE")" -L "$T/lisp" \
        -f batch-byte-compile "$T"/lisp/*.el "$T/driver/bench-shapes.el" \
        2> "$T/compile.err" ||
        { say "byte-compiling failed:"; tail -n 20 "$T/compile.err" >&2; }
    # BENCH_BASELINE=TREE: another tree's build (its module/ and lisp/)
    # takes its turns too, as "base": before and after in one run.
    if [ -n "${BENCH_BASELINE:-}" ]; then
        mkdir -p "$T/base-lisp"
        cp "$BENCH_BASELINE"/lisp/*.el "$T/base-lisp/"
        cp -R "$BENCH_BASELINE/lisp/etc" "$T/base-lisp/"
        "$EMACS" -Q --batch -L "$BENCH_BASELINE/module" -L "$T/base-lisp" \
            -f batch-byte-compile "$T"/base-lisp/*.el 2>> "$T/compile.err"
    fi
    shapes_run() { # IMPL LOAD-DIR [EMACS-ARGS...]
        impl=$1 dir=$2
        shift 2
        BENCH_SHAPES="$shapes" BENCH_IMPL=$impl BENCH_SHAPE_REPS=2 \
            timeout 600 "$EMACS" -Q --batch \
            "$@" -L "$dir" -L "$T/driver" -l vterm -l bench-shapes \
            -f vterm-bench-shapes-main 2> "$T/shapes-$impl.err" |
            sed 's/^/shape_/' >> "$T/shapes"
        grep -v '^Loading' "$T/shapes-$impl.err" | tail -n 20 >&2
    }
    elv_dir=
    for d in /usr/share/emacs/site-lisp/elpa/vterm-*; do
        [ -f "$d/vterm.el" ] && elv_dir=$d
    done
    [ -n "$elv_dir" ] ||
        say "emacs-libvterm (Debian's elpa-vterm) is not installed: make deps"
    # This machine's speed differs from process to process (the same
    # benchtool run gave the ceiling 28 and 38 ms in turn): rounds in which
    # libvterm alone, this package and emacs-libvterm take turns, the
    # best of each kept.
    : > "$T/shapes"
    round=0
    while [ "$round" -lt "${BENCH_SHAPE_ROUNDS:-5}" ]; do
        round=$((round + 1))
        echo "$shapes" | tr ';' '\n' | while read -r tag file rows cols mode; do
            "$BENCH_TOOL" shape "$file" "$rows" "$cols" "$mode" |
                sed "s/^/shape_${tag}_/" >> "$T/shapes"
        done
        shapes_run ours "$T/lisp" -L "$TOP/$(dirname "$MODULE")"
        [ -n "$elv_dir" ] && shapes_run elv "$elv_dir"
        [ -n "${BENCH_BASELINE:-}" ] &&
            shapes_run base "$T/base-lisp" -L "$BENCH_BASELINE/module"
    done
    awk '!($1 in m) || $2 < m[$1] { m[$1] = $2 }
         END { for (k in m) print k, m[k] }' "$T/shapes" >> "$R"
}

# BENCH_ONLY=shapes: the output shapes alone; BENCH_ONLY=persist: the
# persistent sessions' figures alone (bench.el reads BENCH_ONLY's other
# words).
classic=true
[ "${BENCH_ONLY:-}" = shapes ] && classic=false
if [ "${BENCH_ONLY:-}" = persist ]; then
    classic=false
    say "persistent sessions: attached cat cases against new, attach, idle server"
    "$BENCH_TOOL" gen plain "$T/plain.txt" 12000000
    "$BENCH_TOOL" gen sgr "$T/sgr.txt" 12000000
    BENCH_PLAIN="$T/plain.txt" BENCH_SGR="$T/sgr.txt" BENCH_PROXY="$TOP/$PROXY" \
        timeout 600 "$EMACS" -Q --batch -L "$TOP/$(dirname "$MODULE")" -L "$TOP/lisp" \
        -l vterm -l "$TOP/tests/bench/bench.el" -f vterm-bench-main >> "$R" 2> "$T/emacs.err" ||
        { say "emacs failed:"; tail -n 20 "$T/emacs.err" >&2; }
fi

if $classic; then
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

fi
case " ${BENCH_ONLY:-shapes} " in *" shapes "*) run_shapes ;; esac
if $classic; then
    say "emacs --batch: throughput, echo, idle Emacs, 100000-line scrollback"
    BENCH_PLAIN="$T/plain.txt" BENCH_SGR="$T/sgr.txt" BENCH_BIG="$T/big.txt" \
    BENCH_PROXY="$TOP/$PROXY" \
        timeout 400 "$EMACS" -Q --batch -L "$TOP/$(dirname "$MODULE")" -L "$TOP/lisp" \
        -l vterm -l "$TOP/tests/bench/bench.el" -f vterm-bench-main >> "$R" 2> "$T/emacs.err" ||
        { say "emacs failed:"; tail -n 20 "$T/emacs.err" >&2; }

    # Issue 16 item 4: every core busy with another job.
    case " ${BENCH_ONLY:-busy} " in *" busy "*)
        say "busy machine: a CPU hog per core, parse thread vs Emacs's thread"
        for _ in $(seq "$(nproc)"); do
            sh -c 'while :; do :; done' &
            hogs="$hogs $!"
        done
        BENCH_ONLY=busy BENCH_REPS=${BENCH_BUSY_REPS:-3} \
        BENCH_PLAIN="$T/plain.txt" BENCH_SGR="$T/sgr.txt" \
            timeout 400 "$EMACS" -Q --batch -L "$TOP/$(dirname "$MODULE")" -L "$TOP/lisp" \
            -l vterm -l "$TOP/tests/bench/bench.el" -f vterm-bench-main >> "$R" 2> "$T/busy.err" ||
            { say "emacs failed:"; tail -n 20 "$T/busy.err" >&2; }
        # shellcheck disable=SC2086 # one pid per word
        kill $hogs
        hogs=
        ;;
    esac

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
fi
[ -n "${BENCH_KEEP:-}" ] && cp "$R" "$BENCH_KEEP"

elapsed=$(( $(date +%s) - started ))
awk -v elapsed="$elapsed" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
    -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" -v cpu="$(nproc)" \
    -f tests/bench/table.awk "$R"

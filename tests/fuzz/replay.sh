#!/bin/sh
# Replay every committed input of each fuzz target (seeds, the corpus
# kept by "make fuzz", and crash regressions) once: one check per target.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/suite.sh
suite_begin fuzz-replay
for t in "$@"; do
    files=$(find "tests/fuzz/seeds/$t" "tests/fuzz/corpus/$t" -type f 2>/dev/null)
    count=$(printf '%s\n' "$files" | grep -c .)
    if [ "$count" -eq 0 ]; then
        fail "$t: no inputs to replay"
        continue
    fi
    # shellcheck disable=SC2086
    if printf '%s\n' "$files" | xargs "build/fuzz/$t" -runs=1 -timeout=10 > "build/fuzz/$t.log" 2>&1; then
        pass "$t: $count inputs replayed clean"
    else
        tail -20 "build/fuzz/$t.log"
        fail "$t: an input crashed (log: build/fuzz/$t.log)"
    fi
done
suite_end

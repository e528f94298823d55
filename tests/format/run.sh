#!/bin/sh
# The format suite: every C file of each part is as .clang-format lays it
# out, so the tree stays formatted.  A file that is not is named with
# the first lines clang-format would change.
. tests/lib/suite.sh
suite_begin format

formatted() {
    status=0
    for f in $(find "$1" -name '*.[ch]' | sort); do
        if ! clang-format --dry-run -Werror "$f" 2>/dev/null; then
            echo "  $f is not formatted; clang-format would change:"
            clang-format "$f" | diff "$f" - | head -10 | sed 's/^/    /'
            status=1
        fi
    done
    return $status
}

if ! command -v clang-format > /dev/null; then
    fail "clang-format is installed (make deps)"
    suite_end
    exit
fi
for part in protocol proxy module tests; do
    check "$part/: every C file is formatted by .clang-format" formatted "$part"
done
suite_end

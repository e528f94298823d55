#!/bin/sh
# The Windows binaries must load on a bare Windows (check_imports in
# imports-lib.sh).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/suite.sh
. tests/wine/imports-lib.sh
suite_begin windows-imports
for pe in "$@"; do
    check_imports "$pe"
done
suite_end

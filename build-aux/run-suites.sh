#!/bin/sh
# Run each named test suite ("make test-<name>") and print the total over
# all of them.  A suite records "<passed> <failed>" in build/results/<name>;
# a suite that ends without recording its counts is one failure.
set -u
results=build/results
mkdir -p "$results"
total_pass=0
total_fail=0
for suite in "$@"; do
    rm -f "$results/$suite"
    echo "=== suite $suite"
    ${MAKE:-make} --no-print-directory "test-$suite"
    status=$?
    if [ -r "$results/$suite" ] && read -r pass fail < "$results/$suite"; then
        if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then
            echo "$suite: runner exited with status $status" >&2
            fail=1
        fi
    else
        echo "$suite: suite did not report its counts (status $status)" >&2
        pass=0
        fail=1
    fi
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]

# suite.sh -- sourced by shell test suites.  Usage:
#   . tests/lib/suite.sh; suite_begin NAME
#   check "what is true" test-command args...   (or pass/fail directly)
#   suite_end       # prints "NAME: N passed, N failed", records counts
suite_begin() {
    suite_name=$1
    suite_pass=0
    suite_fail=0
}
pass() {
    suite_pass=$((suite_pass + 1))
    echo "PASS $*"
}
fail() {
    suite_fail=$((suite_fail + 1))
    echo "FAIL $*"
}
check() {
    what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
suite_end() {
    mkdir -p build/results
    echo "$suite_pass $suite_fail" > "build/results/$suite_name"
    echo "$suite_name: $suite_pass passed, $suite_fail failed"
    [ "$suite_fail" -eq 0 ]
}

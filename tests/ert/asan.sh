#!/bin/sh
# asan.sh SUITE MODULE-DIR: run the ERT suites (tests/ert/run.el) with the
# ASan + UBSan build of vterm-module in MODULE-DIR, in an Emacs that has
# gcc's ASan runtime preloaded (Emacs itself is not instrumented; the
# runtime must come first for the module's instrumentation to work).
# The suite's checks are the ERT tests, plus one: no sanitizer report.
#   ASAN_OPTIONS  detect_leaks=0: Emacs does not free what it keeps until
#                 exit, by design; reports go to files under a private
#                 directory, which must stay empty.
#   UBSAN_OPTIONS the same files (but see below); every report is kept,
#                 not only the first, and the ERT run goes on to the end.
# run.el drops LD_PRELOAD from the environment of the programs the tests
# start: the runtime is for this Emacs, not for /bin/sh or the proxy.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/suite.sh

suite=$1
module_dir=$2
suite_begin "$suite"

work=$(mktemp -d /tmp/ert-asan.XXXXXX)
trap 'rm -rf "$work"' EXIT

libasan=$(${CC:-gcc} -print-file-name=libasan.so)
case $libasan in
    /*) ;;
    *) fail "gcc's libasan.so not found (${CC:-gcc} -print-file-name=libasan.so)"
       suite_end
       exit 1 ;;
esac
echo "preloading $libasan; module from $module_dir"

{
    LD_PRELOAD=$libasan \
    ASAN_OPTIONS="detect_leaks=0:log_path=$work/report:allow_user_segv_handler=1" \
    UBSAN_OPTIONS="print_stacktrace=1:log_path=$work/report" \
    CHECK_RESULTS_DIR=$work/results \
        ${EMACS:-emacs} -Q --batch -L "$module_dir" -l tests/ert/run.el \
        -f vterm-run-ert "$suite.ert"
    echo $? > "$work/status"
} 2>&1 | tee "$work/emacs.log"
status=$(cat "$work/status")

# The ERT tests count as they counted themselves; a run that died (an
# ASan report aborts the process) counts as one failure.
if [ -r "$work/results/$suite.ert" ] && read -r p f < "$work/results/$suite.ert"; then
    suite_pass=$((suite_pass + p))
    suite_fail=$((suite_fail + f))
else
    fail "the ERT run ended without its counts (exit status $status)"
fi

no_reports() {
    set -- "$work"/report*
    [ -e "$1" ] || return 0
    for r in "$@"; do
        echo "  --- $r"
        # Emacs is not instrumented: its frames have no names; drop them.
        grep -v ' (/usr/bin/emacs[^ ]*+0x[0-9a-f]*)$' "$r" |
            sed 's/^/  | /' | head -n 80
    done
    return 1
}
check "no AddressSanitizer or UBSan report file" no_reports
# UBSan in a preloaded-ASan process writes to stderr whatever log_path
# says: look for its reports (and any other sanitizer's) in the output.
no_reports_in_output() {
    ! grep -E '(: runtime error: |==[0-9]+==ERROR: |^SUMMARY: [A-Za-z]+Sanitizer)' \
        "$work/emacs.log"
}
check "no sanitizer report in Emacs's output" no_reports_in_output
# The module must really have been the instrumented one.
check "the module under test was the sanitizer build" \
    grep -q "vterm-module: $module_dir/vterm-module" "$work/emacs.log"
suite_end

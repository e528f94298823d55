# Test suites.  Each fragment appends its suite names to SUITES, defines a
# "test-<name>" target per suite, and adds what its suites need built
# beforehand to TEST_BUILDS (built by "make test" before any suite runs).
TEST_BUILDS :=
# C test programs run under valgrind: a leak or invalid access fails the
# suite (valgrind's exit status), as do failed checks.
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect

include tests/format/format.mk
include tests/layers/layers.mk
include tests/unit/unit.mk
include tests/proxy/proxy.mk
include tests/ert/ert.mk
include tests/e2e/e2e.mk
include tests/wine/wine.mk
include tests/dist/dist.mk
include tests/workflows/workflows.mk
include tests/fuzz/fuzz.mk
include tests/bench/bench.mk

.PHONY: test-builds
test-builds: $(TEST_BUILDS)

# Render core tests (tests/unit/render_test.c), built once per supported
# libvterm and run under valgrind: a leak or invalid access fails the
# suite (valgrind's exit status), as do failed checks.
#   render-0.1.4  against the system libvterm (Debian 12: 0.1.4)
#   render-0.3.3  against libvterm 0.3.3 built from source
RENDER_TEST_DIR := $(BUILD)/tests/unit
RENDER_TEST_014 := $(RENDER_TEST_DIR)/render_test-0.1.4
RENDER_TEST_033 := $(RENDER_TEST_DIR)/render_test-0.3.3
RENDER_TEST_DEPS := tests/unit/render_test.c $(RENDER_SRC) $(RENDER_HDR) \
                    tests/lib/check.h
RENDER_TEST_CFLAGS := $(PROJECT_CFLAGS) -Imodule $(CFLAGS)

$(RENDER_TEST_014): $(RENDER_TEST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(RENDER_TEST_CFLAGS) $(VTERM_SYS_CFLAGS) '-DRENDER_SUITE="render-0.1.4"' \
	      -o $@ tests/unit/render_test.c $(RENDER_SRC) $(VTERM_SYS_LIBS)

$(RENDER_TEST_033): $(RENDER_TEST_DEPS) $(LIBVTERM_033_A)
	@mkdir -p $(@D)
	$(CC) $(RENDER_TEST_CFLAGS) -I$(LIBVTERM_033)/include '-DRENDER_SUITE="render-0.3.3"' \
	      -o $@ tests/unit/render_test.c $(RENDER_SRC) $(LIBVTERM_033_A)

SUITES += render-0.1.4 render-0.3.3
TEST_BUILDS += $(RENDER_TEST_014) $(RENDER_TEST_033)

.PHONY: test-render-0.1.4 test-render-0.3.3
test-render-0.1.4: $(RENDER_TEST_014)
	@mkdir -p $(BUILD)/results
	$(VALGRIND) $<

test-render-0.3.3: $(RENDER_TEST_033)
	@mkdir -p $(BUILD)/results
	$(VALGRIND) $<

# The parse thread (module/parse_worker.c over the POSIX thread.h and
# wake_writer.h) over the render core and the system libvterm: under
# valgrind (suite parse-worker), and built with ThreadSanitizer (suite
# parse-worker-tsan, clang), which fails on any data race it sees.  The same tests run the Windows worker under Wine
# (tests/wine/wine.mk).
WORKER_TEST_SRC := tests/unit/parse_worker_test.c tests/unit/posix_wake_chan.c \
                   $(POSIX_WORKER_SRC) $(RENDER_SRC)
WORKER_TEST_DEPS := $(WORKER_TEST_SRC) $(RENDER_HDR) $(WORKER_HDR) \
                    tests/unit/wake_chan.h tests/lib/check.h
WORKER_TEST := $(RENDER_TEST_DIR)/parse_worker_test
WORKER_TEST_TSAN := $(RENDER_TEST_DIR)/parse_worker_test-tsan

$(WORKER_TEST): $(WORKER_TEST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(RENDER_TEST_CFLAGS) $(VTERM_SYS_CFLAGS) -pthread \
	      -o $@ $(WORKER_TEST_SRC) $(VTERM_SYS_LIBS)

$(WORKER_TEST_TSAN): $(WORKER_TEST_DEPS)
	@mkdir -p $(@D)
	clang $(PROJECT_CFLAGS) -Imodule -g -O1 -fsanitize=thread $(VTERM_SYS_CFLAGS) \
	      '-DWORKER_SUITE="parse-worker-tsan"' -o $@ $(WORKER_TEST_SRC) \
	      $(VTERM_SYS_LIBS)

SUITES += parse-worker parse-worker-tsan
TEST_BUILDS += $(WORKER_TEST) $(WORKER_TEST_TSAN)

.PHONY: test-parse-worker test-parse-worker-tsan
test-parse-worker: $(WORKER_TEST)
	@mkdir -p $(BUILD)/results
	$(VALGRIND) $<

test-parse-worker-tsan: $(WORKER_TEST_TSAN)
	@mkdir -p $(BUILD)/results
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 $<

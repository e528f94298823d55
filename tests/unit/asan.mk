# The C unit tests once more, built with AddressSanitizer + UBSan
# (valgrind, which runs them in unit.mk and render.mk, sees no undefined
# behaviour, and no bad access inside libvterm 0.1.4's stack frames).
# The render tests link libvterm 0.3.3 built with the sanitizers too.
# Any report stops the test binary: its suite then fails.
#   protocol-asan  proxy-core-asan  render-0.3.3-asan
UNIT_ASAN_DIR := $(BUILD)/tests/unit-asan
UNIT_ASAN_CFLAGS := $(PROJECT_CFLAGS) $(SANITIZE_FLAGS) -fno-sanitize-recover=all \
                    -D_GNU_SOURCE
UNIT_ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
                 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

$(UNIT_ASAN_DIR)/protocol_test: tests/unit/protocol_test.c $(PROTOCOL_SRC) \
                                $(PROTOCOL_HDR) tests/lib/check.h
	@mkdir -p $(@D)
	$(CC) $(UNIT_ASAN_CFLAGS) -o $@ $< $(PROTOCOL_SRC)

$(UNIT_ASAN_DIR)/proxy_core_test: tests/unit/proxy_core_test.c \
                                  $(PROXY_CORE_LIB_SRCS) $(PROTOCOL_SRC) \
                                  proxy/attach_frame.c \
                                  $(PROXY_HDRS) tests/lib/check.h
	@mkdir -p $(@D)
	$(CC) $(UNIT_ASAN_CFLAGS) -Iproxy -o $@ $< $(PROXY_CORE_LIB_SRCS) \
	      proxy/attach_frame.c $(PROTOCOL_SRC)

$(UNIT_ASAN_DIR)/render_test-0.3.3: $(RENDER_TEST_DEPS) $(LIBVTERM_ASAN_A)
	@mkdir -p $(@D)
	$(CC) $(UNIT_ASAN_CFLAGS) -Imodule -I$(LIBVTERM_033)/include \
	      '-DRENDER_SUITE="render-0.3.3"' -o $@ tests/unit/render_test.c \
	      $(RENDER_SRC) $(LIBVTERM_ASAN_A)

SUITES += protocol-asan proxy-core-asan render-0.3.3-asan
TEST_BUILDS += $(UNIT_ASAN_DIR)/protocol_test $(UNIT_ASAN_DIR)/proxy_core_test \
               $(UNIT_ASAN_DIR)/render_test-0.3.3

.PHONY: test-protocol-asan test-proxy-core-asan test-render-0.3.3-asan
test-protocol-asan: $(UNIT_ASAN_DIR)/protocol_test
	@mkdir -p $(BUILD)/results
	$(UNIT_ASAN_ENV) CHECK_SUITE=protocol-asan $<

test-proxy-core-asan: $(UNIT_ASAN_DIR)/proxy_core_test
	@mkdir -p $(BUILD)/results
	$(UNIT_ASAN_ENV) CHECK_SUITE=proxy-core-asan $<

test-render-0.3.3-asan: $(UNIT_ASAN_DIR)/render_test-0.3.3
	@mkdir -p $(BUILD)/results
	$(UNIT_ASAN_ENV) CHECK_SUITE=render-0.3.3-asan $<

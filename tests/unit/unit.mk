# C unit tests: the protocol library and the proxy core here, the render
# core in render.mk.  Each test binary is a suite of its own.
UNIT_DIR := $(BUILD)/tests/unit
UNIT_CFLAGS := $(PROJECT_CFLAGS) -Iproxy -D_GNU_SOURCE $(CFLAGS)

$(UNIT_DIR)/protocol_test: tests/unit/protocol_test.c $(PROTOCOL_OBJ) \
                           tests/lib/check.h
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(PROTOCOL_OBJ)

# attach_frame.c: the session server's framing, platform-independent.
$(UNIT_DIR)/proxy_core_test: tests/unit/proxy_core_test.c $(PROXY_CORE_LIB_SRCS) \
                             proxy/attach_frame.c \
                             $(PROTOCOL_OBJ) $(PROXY_HDRS) tests/lib/check.h
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(PROXY_CORE_LIB_SRCS) proxy/attach_frame.c \
	      $(PROTOCOL_OBJ)

SUITES += protocol proxy-core
TEST_BUILDS += $(UNIT_DIR)/protocol_test $(UNIT_DIR)/proxy_core_test

.PHONY: test-protocol test-proxy-core
test-protocol: $(UNIT_DIR)/protocol_test
	$(VALGRIND) $<

test-proxy-core: $(UNIT_DIR)/proxy_core_test
	$(VALGRIND) $<

include tests/unit/render.mk
include tests/unit/asan.mk

# The session server's snapshot, as a property over random streams.
$(UNIT_DIR)/snapshot_test: tests/unit/snapshot_test.c $(PROXY_SERVER_SRCS) \
                           $(PROXY_THREAD_SRC) $(PROTOCOL_OBJ) \
                           $(PROXY_HDRS) $(LIBVTERM_033_A) tests/lib/check.h
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(PROXY_SERVER_CFLAGS) -pthread -o $@ $< \
	      $(PROXY_SERVER_SRCS) $(PROXY_THREAD_SRC) $(PROTOCOL_OBJ) \
	      $(LIBVTERM_033_A)

# The same under ThreadSanitizer (clang): the relay and the screen's
# parse thread share the screen (libvterm itself is not instrumented;
# the callbacks it calls are).  Any race it sees fails the suite.
$(UNIT_DIR)/snapshot_test-tsan: tests/unit/snapshot_test.c $(PROXY_SERVER_SRCS) \
                                $(PROXY_THREAD_SRC) $(PROTOCOL_SRC) \
                                $(PROXY_HDRS) $(LIBVTERM_033_A) tests/lib/check.h
	@mkdir -p $(@D)
	clang $(UNIT_CFLAGS) $(PROXY_SERVER_CFLAGS) -g -O1 -fsanitize=thread \
	      -o $@ $< $(PROXY_SERVER_SRCS) $(PROXY_THREAD_SRC) $(PROTOCOL_SRC) \
	      $(LIBVTERM_033_A)

SUITES += snapshot snapshot-tsan
TEST_BUILDS += $(UNIT_DIR)/snapshot_test $(UNIT_DIR)/snapshot_test-tsan

.PHONY: test-snapshot test-snapshot-tsan
test-snapshot: $(UNIT_DIR)/snapshot_test
	$<

test-snapshot-tsan: $(UNIT_DIR)/snapshot_test-tsan
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 CHECK_SUITE=snapshot-tsan $<

# End-to-end tests of the POSIX proxy binary.
PROXY_TEST_DIR := $(BUILD)/tests/proxy

# The probe includes the module's own control-channel client.
$(PROXY_TEST_DIR)/ctl_probe: tests/proxy/ctl_probe.c $(POSIX_PROXY_RESIZE_SRC) \
                             module/proxy_resize.h $(PROTOCOL_OBJ)
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) -Imodule $(CFLAGS) -o $@ tests/proxy/ctl_probe.c \
	      $(POSIX_PROXY_RESIZE_SRC) $(PROTOCOL_OBJ)

# The "nothing lost" checks compare a reattach with libvterm 0.3.3 fed
# the whole stream.
$(PROXY_TEST_DIR)/stream_check: tests/proxy/stream_check.c $(LIBVTERM_033_A)
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) -I$(LIBVTERM_033)/include $(CFLAGS) -o $@ \
	      tests/proxy/stream_check.c $(LIBVTERM_033_A)

PROXY_TEST_TOOLS := $(PROXY_TEST_DIR)/ctl_probe $(PROXY_TEST_DIR)/stream_check
SUITES += proxy
TEST_BUILDS += $(PROXY) $(PROXY_TEST_TOOLS)

.PHONY: test-proxy
test-proxy: $(PROXY) $(PROXY_TEST_TOOLS)
	tests/proxy/run.sh

# The same suite against an ASan + UBSan build of the proxy: any report
# aborts the proxy, which the suite sees as a failed check.
PROXY_ASAN := $(BUILD)/asan/conpty-proxy
PROXY_ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
                    -fno-omit-frame-pointer -g -O1

$(PROXY_ASAN): $(PROXY_NATIVE_SRCS) $(PROTOCOL_SRC) $(PROXY_HDRS)
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) $(PROXY_NATIVE_CFLAGS) $(PROXY_ASAN_FLAGS) \
	      -pthread -o $@ $(PROXY_NATIVE_SRCS) $(PROTOCOL_SRC) \
	      $(PROXY_NATIVE_LIBS)

SUITES += proxy-asan
TEST_BUILDS += $(PROXY_ASAN) $(PROXY_TEST_TOOLS)

.PHONY: test-proxy-asan
test-proxy-asan: $(PROXY_ASAN) $(PROXY_TEST_TOOLS)
	SANITIZED=1 PROXY=$(CURDIR)/$(PROXY_ASAN) SUITE=proxy-asan \
	  PROXY_RSS_LIMIT_KIB=262144 tests/proxy/run.sh

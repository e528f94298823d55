# End-to-end tests of the POSIX proxy binary.
PROXY_TEST_DIR := $(BUILD)/tests/proxy

$(PROXY_TEST_DIR)/ctl_probe: tests/proxy/ctl_probe.c $(PROTOCOL_OBJ)
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) $(CFLAGS) -o $@ $^

SUITES += proxy
TEST_BUILDS += $(PROXY) $(PROXY_TEST_DIR)/ctl_probe

.PHONY: test-proxy
test-proxy: $(PROXY) $(PROXY_TEST_DIR)/ctl_probe
	tests/proxy/run.sh

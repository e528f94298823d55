# End-to-end tests of the POSIX proxy binary.
PROXY_TEST_DIR := $(BUILD)/tests/proxy

# The probe includes the module's own control-channel client.
$(PROXY_TEST_DIR)/ctl_probe: tests/proxy/ctl_probe.c module/ctl_client.c \
                             module/ctl_client.h $(PROTOCOL_OBJ)
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) -Imodule $(CFLAGS) -o $@ tests/proxy/ctl_probe.c \
	      module/ctl_client.c $(PROTOCOL_OBJ)

SUITES += proxy
TEST_BUILDS += $(PROXY) $(PROXY_TEST_DIR)/ctl_probe

.PHONY: test-proxy
test-proxy: $(PROXY) $(PROXY_TEST_DIR)/ctl_probe
	tests/proxy/run.sh

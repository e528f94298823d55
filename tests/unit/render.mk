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
RENDER_VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full \
                   --errors-for-leak-kinds=definite,indirect

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
	$(RENDER_VALGRIND) $<

test-render-0.3.3: $(RENDER_TEST_033)
	@mkdir -p $(BUILD)/results
	$(RENDER_VALGRIND) $<

# ERT suites in emacs --batch (tests/ert/run.el), and the Lisp lint suite.
#   ert-0.1.4  vterm.el + every tests/ert/*-tests.el with module/ (system
#              libvterm, 0.1.4 on Debian 12) first in load-path;
#   ert-0.3.3  the same with the module built against libvterm 0.3.3;
#   lisp-lint  byte-compile (warnings are errors), checkdoc and
#              package-lint for every lisp/*.el, one check each.
# Both ERT suites exercise the native pty and the conpty-proxy paths.
ERT_MODULE_033 := $(or $(MODULE_033),$(BUILD)/module-0.3.3/vterm-module$(MODULE_EXT))
# Bounded: an Emacs that hangs (a test waiting on something that never
# comes inside a module call) fails its suite instead of stalling make
# test.  A whole suite takes under 2 minutes here.
ERT_TIMEOUT := timeout -k 10 900
ERT_RUN := $(ERT_TIMEOUT) $(EMACS) -Q --batch

SUITES += lisp-lint ert-0.1.4 ert-0.3.3
# The fault tests (vterm-fault-tests.el) drive the control channel with
# the proxy suite's probe.
ERT_CTL_PROBE := $(PROXY_TEST_DIR)/ctl_probe
ERT_ENV = VTERM_TEST_PROXY=$(CURDIR)/$(PROXY) \
          VTERM_TEST_CTL_PROBE=$(CURDIR)/$(ERT_CTL_PROBE)
TEST_BUILDS += $(MODULE) $(ERT_MODULE_033) $(PROXY) $(ERT_CTL_PROBE)

.PHONY: test-lisp-lint test-ert-0.1.4 test-ert-0.3.3
test-lisp-lint:
	@$(ERT_RUN) -l tests/ert/run.el -f vterm-run-lint lisp-lint

# vterm-download-tests.el serves dist.sh's output of the Windows binaries.
test-ert-0.1.4: $(MODULE) $(PROXY) $(ERT_CTL_PROBE) $(WIN_MODULE) $(WIN_PROXY)
	@$(ERT_ENV) VTERM_TEST_LIBVTERM=$(VTERM_SYS_VERSION) \
	  $(ERT_RUN) -L $(CURDIR)/$(dir $(MODULE)) -l tests/ert/run.el \
	  -f vterm-run-ert ert-0.1.4

test-ert-0.3.3: $(ERT_MODULE_033) $(PROXY) $(ERT_CTL_PROBE) $(WIN_MODULE) $(WIN_PROXY)
	@$(ERT_ENV) VTERM_TEST_LIBVTERM=0.3.3 \
	  $(ERT_RUN) -L $(CURDIR)/$(dir $(ERT_MODULE_033)) -l tests/ert/run.el \
	  -f vterm-run-ert ert-0.3.3

# ert-asan: the same ERT run once more with the module (and libvterm
# 0.3.3 under it) built with AddressSanitizer and UBSan, loaded into an
# uninstrumented Emacs that has gcc's ASan runtime preloaded
# (tests/ert/asan.sh).  Any sanitizer report fails the suite.
ERT_ASAN_DIR := $(BUILD)/module-asan
ERT_ASAN_OBJ_DIR := $(BUILD)/obj/module-asan
ERT_ASAN_MODULE := $(ERT_ASAN_DIR)/vterm-module$(MODULE_EXT)
ERT_ASAN_MODULE_OBJ := $(patsubst module/%.c,$(ERT_ASAN_OBJ_DIR)/%.o,$(MODULE_SRC)) \
                       $(PROTOCOL_SRC:protocol/%.c=$(ERT_ASAN_OBJ_DIR)/protocol/%.o)

$(ERT_ASAN_OBJ_DIR)/%.o: module/%.c $(MODULE_HDR) $(LIBVTERM_033)/include/vterm.h
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) $(SANITIZE_FLAGS) $(ASAN_GLUE_FLAGS) -fPIC \
	      $(MODULE_VISIBILITY) -Imodule -I$(LIBVTERM_033)/include -c $< -o $@

# The Emacs glue's frames are live while Emacs runs Lisp, and Emacs, not
# instrumented, reads across them with libc calls that ASan checks: one
# run in about 14 reported a memcpy in Emacs hitting the left redzone of
# text_insert's live frame (stack-buffer-underflow).  The glue is built
# without stack redzones (its heap and global accesses are still
# checked); the render core, the parse thread and libvterm keep them.
$(patsubst module/%.c,$(ERT_ASAN_OBJ_DIR)/%.o,$(GLUE_SRC)): \
    ASAN_GLUE_FLAGS := --param asan-stack=0 -fno-sanitize-address-use-after-scope

$(ERT_ASAN_OBJ_DIR)/protocol/%.o: protocol/%.c $(PROTOCOL_HDR)
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) $(SANITIZE_FLAGS) -fPIC -c $< -o $@

$(ERT_ASAN_MODULE): $(ERT_ASAN_MODULE_OBJ) $(LIBVTERM_ASAN_A) module/vterm-module.map
	@mkdir -p $(@D)
	$(CC) $(MODULE_LDFLAGS) $(SANITIZE_FLAGS) -o $@ $(ERT_ASAN_MODULE_OBJ) \
	      $(LIBVTERM_ASAN_A) $(MODULE_HIDE_LIBS)

SUITES += ert-asan
TEST_BUILDS += $(ERT_ASAN_MODULE)
CLEAN_FILES += $(ERT_ASAN_DIR)

.PHONY: test-ert-asan
test-ert-asan: $(ERT_ASAN_MODULE) $(PROXY) $(ERT_CTL_PROBE)
	@CC=$(CC) EMACS="$(ERT_TIMEOUT) $(EMACS)" $(ERT_ENV) VTERM_TEST_LIBVTERM=0.3.3 \
	  tests/ert/asan.sh ert-asan $(CURDIR)/$(ERT_ASAN_DIR)

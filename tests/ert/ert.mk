# ERT suites in emacs --batch (tests/ert/run.el), and the Lisp lint suite.
#   ert-0.1.4  vterm.el + every tests/ert/*-tests.el with module/ (system
#              libvterm, 0.1.4 on Debian 12) first in load-path;
#   ert-0.3.3  the same with the module built against libvterm 0.3.3;
#   lisp-lint  byte-compile (warnings are errors), checkdoc and
#              package-lint for every lisp/*.el, one check each.
# Both ERT suites exercise the native pty and the conpty-proxy paths.
ERT_MODULE_033 := $(or $(MODULE_033),$(BUILD)/module-0.3.3/vterm-module$(MODULE_EXT))
ERT_RUN := $(EMACS) -Q --batch

SUITES += lisp-lint ert-0.1.4 ert-0.3.3
TEST_BUILDS += $(MODULE) $(ERT_MODULE_033) $(PROXY)

.PHONY: test-lisp-lint test-ert-0.1.4 test-ert-0.3.3
test-lisp-lint:
	@$(ERT_RUN) -l tests/ert/run.el -f vterm-run-lint lisp-lint

test-ert-0.1.4: $(MODULE) $(PROXY)
	@VTERM_TEST_PROXY=$(CURDIR)/$(PROXY) \
	  $(ERT_RUN) -L $(CURDIR)/$(dir $(MODULE)) -l tests/ert/run.el \
	  -f vterm-run-ert ert-0.1.4

test-ert-0.3.3: $(ERT_MODULE_033) $(PROXY)
	@VTERM_TEST_PROXY=$(CURDIR)/$(PROXY) \
	  $(ERT_RUN) -L $(CURDIR)/$(dir $(ERT_MODULE_033)) -l tests/ert/run.el \
	  -f vterm-run-ert ert-0.3.3

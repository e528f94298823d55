# End-to-end suites.
#   e2e-tmux         a real "emacs -Q -nw" in tmux, started by
#                    build-aux/run-emacs.sh (tests/e2e/tmux-test.sh)
#   e2e-tmux-proxy   the same with the shell under conpty-proxy
#   e2e-user         the user's path: resizes with no key after them (tty
#                    size read with stty -F), copy mode, C-g in a flood
#                    (tests/e2e/tmux-user.sh); e2e-user-proxy: the same
#                    under conpty-proxy
#   package-install  the package built from recipes/vterm, installed with
#                    package-install-file, module compiled on first load
#                    (tests/e2e/package-test.sh)
SUITES += e2e-tmux e2e-tmux-proxy e2e-user e2e-user-proxy package-install
TEST_BUILDS += $(MODULE) $(PROXY)

.PHONY: test-e2e-tmux test-e2e-tmux-proxy test-e2e-user test-e2e-user-proxy \
        test-package-install
test-e2e-tmux: $(MODULE) $(PROXY)
	@EMACS=$(EMACS) ./tests/e2e/tmux-test.sh e2e-tmux

test-e2e-tmux-proxy: $(MODULE) $(PROXY)
	@EMACS=$(EMACS) VTERM_E2E_PROXY=1 ./tests/e2e/tmux-test.sh e2e-tmux-proxy

test-e2e-user: $(MODULE) $(PROXY)
	@EMACS=$(EMACS) ./tests/e2e/tmux-user.sh e2e-user

test-e2e-user-proxy: $(MODULE) $(PROXY)
	@EMACS=$(EMACS) VTERM_E2E_PROXY=1 ./tests/e2e/tmux-user.sh e2e-user-proxy

test-package-install:
	@EMACS=$(EMACS) ./tests/e2e/package-test.sh package-install

# End-to-end suites.
#   e2e-tmux         a real "emacs -Q -nw" in tmux, started by
#                    build-aux/run-emacs.sh (tests/e2e/tmux-test.sh)
#   e2e-tmux-proxy   the same with the shell under conpty-proxy
#   e2e-user         the user's path: resizes with no key after them (tty
#                    size read with stty -F), copy mode, C-g in a flood
#                    (tests/e2e/tmux-user.sh); e2e-user-proxy: the same
#                    under conpty-proxy
#   e2e-tmux-keys    keys typed into a real "emacs -Q -nw" against the
#                    bytes a program in the vterm reads (keylog.c), and
#                    vim left with Escape (tests/e2e/tmux-keys.sh)
#   e2e-tmux-keys-proxy  the same with the shell under conpty-proxy
#   e2e-persist      M-x vterm-persistent, less running, Emacs killed with
#                    SIGKILL; a new Emacs, M-x vterm-attach by completion:
#                    less's page is back (tests/e2e/tmux-persist.sh)
#   package-install  the package built from recipes/vterm, installed with
#                    package-install-file, module compiled on first load
#                    (tests/e2e/package-test.sh)
SUITES += e2e-tmux e2e-tmux-proxy e2e-user e2e-user-proxy e2e-tmux-keys \
          e2e-tmux-keys-proxy e2e-persist package-install
E2E_KEYLOG := $(BUILD)/tests/e2e/keylog
TEST_BUILDS += $(MODULE) $(PROXY) $(E2E_KEYLOG)

$(E2E_KEYLOG): tests/e2e/keylog.c
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) $(CFLAGS) -o $@ $<

.PHONY: test-e2e-tmux test-e2e-tmux-proxy test-e2e-user test-e2e-user-proxy \
        test-e2e-tmux-keys test-e2e-tmux-keys-proxy test-e2e-persist \
        test-package-install
test-e2e-tmux: $(MODULE) $(PROXY)
	@EMACS=$(EMACS) ./tests/e2e/tmux-test.sh e2e-tmux

test-e2e-tmux-proxy: $(MODULE) $(PROXY)
	@EMACS=$(EMACS) VTERM_E2E_PROXY=1 ./tests/e2e/tmux-test.sh e2e-tmux-proxy

test-e2e-user: $(MODULE) $(PROXY)
	@EMACS=$(EMACS) ./tests/e2e/tmux-user.sh e2e-user

test-e2e-user-proxy: $(MODULE) $(PROXY)
	@EMACS=$(EMACS) VTERM_E2E_PROXY=1 ./tests/e2e/tmux-user.sh e2e-user-proxy

test-e2e-tmux-keys: $(MODULE) $(PROXY) $(E2E_KEYLOG)
	@EMACS=$(EMACS) KEYLOG=$(E2E_KEYLOG) ./tests/e2e/tmux-keys.sh e2e-tmux-keys

test-e2e-tmux-keys-proxy: $(MODULE) $(PROXY) $(E2E_KEYLOG)
	@EMACS=$(EMACS) KEYLOG=$(E2E_KEYLOG) VTERM_E2E_PROXY=1 \
	  ./tests/e2e/tmux-keys.sh e2e-tmux-keys-proxy

test-e2e-persist: $(MODULE) $(PROXY)
	@EMACS=$(EMACS) ./tests/e2e/tmux-persist.sh e2e-persist

test-package-install:
	@EMACS=$(EMACS) ./tests/e2e/package-test.sh package-install

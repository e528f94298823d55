# End-to-end suites: a real "emacs -Q -nw" in tmux (tests/e2e/tmux-test.sh).
#   e2e-tmux        native pty
#   e2e-tmux-proxy  the same through conpty-proxy
SUITES += e2e-tmux e2e-tmux-proxy
TEST_BUILDS += $(MODULE) $(PROXY)

.PHONY: test-e2e-tmux test-e2e-tmux-proxy
test-e2e-tmux: $(MODULE) $(PROXY)
	@EMACS=$(EMACS) ./tests/e2e/tmux-test.sh e2e-tmux

test-e2e-tmux-proxy: $(MODULE) $(PROXY)
	@EMACS=$(EMACS) VTERM_E2E_PROXY=1 ./tests/e2e/tmux-test.sh e2e-tmux-proxy

# Windows tests under Wine: conpty-proxy.exe started by an Emacs-like
# driver over CreatePipe pipes, a fixture child that opens CONIN$/CONOUT$,
# and a control client built from the module's own $(WIN_PROXY_RESIZE_SRC).
WINE_TEST_DIR := $(BUILD)/tests/wine
WINE_TEST_CFLAGS := $(WIN_CFLAGS) -Imodule -Itests/wine
WINE_TEST_LIBS := -static -static-libgcc
WINE_TEST_BINS := $(WINE_TEST_DIR)/driver.exe $(WINE_TEST_DIR)/fixture.exe \
                  $(WINE_TEST_DIR)/client.exe $(WINE_TEST_DIR)/unit.exe \
                  $(WINE_TEST_DIR)/fake/conpty.dll \
                  $(WINE_TEST_DIR)/parse_worker_test.exe

$(WINE_TEST_DIR)/driver.exe: tests/wine/driver.c tests/wine/wine_test.h proxy/queue.h \
                             $(PROTOCOL_WIN_OBJ)
	@mkdir -p $(@D)
	$(WIN_CC) $(WINE_TEST_CFLAGS) -Iproxy -o $@ $< $(PROTOCOL_WIN_OBJ) $(WINE_TEST_LIBS) -luser32

$(WINE_TEST_DIR)/fixture.exe: tests/wine/fixture.c tests/wine/wine_test.h
	@mkdir -p $(@D)
	$(WIN_CC) $(WINE_TEST_CFLAGS) -o $@ $< $(WINE_TEST_LIBS)

# A stand-in for Windows Terminal's conpty.dll (see fake_conpty.c).
$(WINE_TEST_DIR)/fake/conpty.dll: tests/wine/fake_conpty.c
	@mkdir -p $(@D)
	$(WIN_CC) $(WINE_TEST_CFLAGS) -shared -o $@ $< -static-libgcc

$(WINE_TEST_DIR)/client.exe: tests/wine/client.c tests/wine/wine_test.h $(WIN_PROXY_RESIZE_SRC) \
                             module/proxy_resize.h $(PROXY_HDRS) $(PROTOCOL_WIN_OBJ)
	@mkdir -p $(@D)
	$(WIN_CC) $(WINE_TEST_CFLAGS) -Iproxy -o $@ tests/wine/client.c \
	          $(WIN_PROXY_RESIZE_SRC) $(PROTOCOL_WIN_OBJ) $(WINE_TEST_LIBS) -ladvapi32

# The proxy's control-pipe creation, linked alone (see unit.c for why).
$(WINE_TEST_DIR)/unit.exe: tests/wine/unit.c tests/wine/wine_test.h $(BUILD)/obj/win/proxy/win_ctl_pipe.o \
                           $(PROXY_HDRS)
	@mkdir -p $(@D)
	$(WIN_CC) $(WINE_TEST_CFLAGS) -Iproxy -o $@ $< \
	          $(BUILD)/obj/win/proxy/win_ctl_pipe.o $(WINE_TEST_LIBS)

# The parse thread's unit tests (tests/unit/parse_worker_test.c) on the
# Windows worker, woken over a loopback connection (win_wake_chan.c).
WIN_WORKER_TEST_SRC := tests/unit/parse_worker_test.c tests/wine/win_wake_chan.c \
                       $(WIN_WORKER_SRC) $(RENDER_SRC)

$(WINE_TEST_DIR)/parse_worker_test.exe: $(WIN_WORKER_TEST_SRC) $(RENDER_HDR) \
                                        $(WORKER_HDR) tests/unit/wake_chan.h \
                                        tests/lib/check.h $(LIBVTERM_WIN_A)
	@mkdir -p $(@D)
	$(WIN_CC) $(WINE_TEST_CFLAGS) -Itests/unit -I$(LIBVTERM_033)/include -o $@ \
	          $(WIN_WORKER_TEST_SRC) $(LIBVTERM_WIN_A) $(WINE_TEST_LIBS) \
	          $(WIN_MODULE_OS_LIBS)

SUITES += wine
TEST_BUILDS += $(WIN_PROXY) $(WINE_TEST_BINS)

.PHONY: test-wine
test-wine: $(WIN_PROXY) $(WINE_TEST_BINS)
	@sh tests/wine/run.sh

SUITES += windows-imports

.PHONY: test-windows-imports
test-windows-imports: $(WIN_MODULE) $(WIN_PROXY)
	@tests/wine/imports.sh $(WIN_MODULE) $(WIN_PROXY)

# Our package inside a real Windows Emacs under Wine (the cross-built,
# cached Emacs of build-aux/w32-emacs.sh): wine-emacs checks that Emacs
# and what ends with it; wine-emacs-ert runs the ERT files there
# (tests/wine/emacs-suite.sh).
SUITES += wine-emacs wine-emacs-ert

.PHONY: test-wine-emacs test-wine-emacs-ert
test-wine-emacs: $(WIN_MODULE) $(WIN_PROXY) $(WINE_TEST_DIR)/fixture.exe
	@sh tests/wine/emacs-suite.sh exit

# vterm-windows-download-tests.el installs from "make dist" output served
# over http: build-aux/dist.sh's, into build/ (the tree's own dist/ and
# manifest stay as they are).
WINE_DIST_DIR := $(BUILD)/download-dist

$(WINE_DIST_DIR)/manifest.el: $(WIN_MODULE) $(WIN_PROXY) LICENSE \
    build-aux/dist.sh build-aux/dist-zip.py build-aux/dist-README.txt \
    build-aux/vterm-module-manifest.el.in lisp/vterm.el
	@sh build-aux/dist.sh $(VERSION) $(WIN_MODULE) $(WIN_PROXY) \
	  $(WINE_DIST_DIR) $@

test-wine-emacs-ert: $(WIN_MODULE) $(WIN_PROXY) $(WINE_TEST_DIR)/fixture.exe \
    $(WINE_DIST_DIR)/manifest.el
	@sh tests/wine/emacs-suite.sh ert $(WINE_DIST_DIR)

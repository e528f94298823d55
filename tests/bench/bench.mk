# Benchmarks: "make bench" prints one table (tests/bench/run.sh); not part
# of "make test" (no suite, nothing timed is pass/fail there).
#   benchtool   native: data generator, libvterm ceiling, render core,
#               resize/idle/stall against the POSIX proxy; links the same
#               system libvterm and the render core + ctl client as
#               $(MODULE)
#   winbench    mingw-w64: resize latency of conpty-proxy.exe under Wine
#   bench.el    emacs --batch: throughput, a busy machine, echo latency,
#               idle Emacs, memory of a 100000-line scrollback
#   shapes.c    the output shapes (emoji, CJK, TUI frames...) benchtool
#               generates; bench-shapes.el feeds them to this package and
#               to emacs-libvterm, each in its own emacs --batch
BENCH_DIR := $(BUILD)/tests/bench
BENCH_TOOL := $(BENCH_DIR)/benchtool
BENCH_WIN := $(BENCH_DIR)/winbench.exe

$(BENCH_TOOL): tests/bench/benchtool.c tests/bench/shapes.c tests/bench/shapes.h \
               $(RENDER_SRC) $(RENDER_HDR) proxy/queue.h \
               $(POSIX_PROXY_RESIZE_SRC) module/proxy_resize.h $(PROTOCOL_OBJ)
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) -D_GNU_SOURCE $(CFLAGS) -Imodule -Iproxy $(VTERM_SYS_CFLAGS) \
	      -o $@ tests/bench/benchtool.c tests/bench/shapes.c $(RENDER_SRC) \
	      $(POSIX_PROXY_RESIZE_SRC) \
	      $(PROTOCOL_OBJ) $(VTERM_SYS_LIBS)

$(BENCH_WIN): tests/bench/winbench.c $(WIN_PROXY_RESIZE_SRC) module/proxy_resize.h \
              $(PROTOCOL_WIN_OBJ)
	@mkdir -p $(@D)
	$(WIN_CC) $(WIN_CFLAGS) -Imodule -o $@ tests/bench/winbench.c \
	          $(WIN_PROXY_RESIZE_SRC) $(PROTOCOL_WIN_OBJ) -static -static-libgcc -ladvapi32

.PHONY: bench
bench: $(MODULE) $(PROXY) $(WIN_PROXY) $(BENCH_TOOL) $(BENCH_WIN)
	@EMACS="$(EMACS)" MODULE="$(MODULE)" PROXY="$(PROXY)" WIN_PROXY="$(WIN_PROXY)" \
	  BENCH_TOOL="$(BENCH_TOOL)" BENCH_WIN="$(BENCH_WIN)" sh tests/bench/run.sh

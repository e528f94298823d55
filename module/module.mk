# vterm-module, three ways:
#   $(MODULE)      module/vterm-module.so against the system libvterm
#                  (Debian 12: 0.1.4, via pkg-config);
#   $(MODULE_033)  the same sources linked statically with libvterm 0.3.3
#                  built from source, to test against the newest version;
#   $(WIN_MODULE)  build/windows/vterm-module.dll, mingw-w64, libvterm 0.3.3
#                  and libgcc linked statically: system DLLs only.
# On MSYS2 (OS=Windows_NT) $(MODULE) is a DLL and links the system libvterm
# statically for the same reason.
# libvterm.mk is included by the top Makefile (the proxy links it too).

# The render core: what the unit tests, fuzzers and benchmarks build too.
RENDER_SRC := module/render.c module/input_guard.c module/runs.c \
              module/scrollback.c module/osc.c module/reflow.c \
              module/lineinfo.c module/links.c module/unseen.c module/utf8.c \
              module/utf8_feed.c module/buf.c
RENDER_HDR := module/render.h module/render_types.h module/render_inspect.h \
              module/input_guard.h module/runs.h module/scrollback.h \
              module/osc.h module/reflow.h module/lineinfo.h module/links.h \
              module/unseen.h module/utf8.h module/utf8_feed.h module/buf.h
# What differs per OS is a file per OS behind one header (proxy_resize.h,
# thread.h, wake_writer.h, parse_wakeup.h); each build takes its OS's
# files.  The parse thread is one file (parse_worker.c) over thread.h and
# wake_writer.h; its tests build the same sources.  The Windows parse
# thread wakes Emacs over a loopback socket (ws2_32).
POSIX_PROXY_RESIZE_SRC := module/posix_proxy_resize.c
WIN_PROXY_RESIZE_SRC := module/win_proxy_resize.c
POSIX_WORKER_SRC := module/parse_worker.c module/posix_thread.c \
                    module/posix_wake_writer.c
WIN_WORKER_SRC := module/parse_worker.c module/win_thread.c \
                  module/win_wake_writer.c
WORKER_HDR := module/parse_worker.h module/thread.h module/wake_writer.h
POSIX_MODULE_OS_SRC := $(POSIX_PROXY_RESIZE_SRC) $(POSIX_WORKER_SRC) \
                       module/posix_parse_wakeup.c
WIN_MODULE_OS_SRC := $(WIN_PROXY_RESIZE_SRC) $(WIN_WORKER_SRC) \
                     module/win_parse_wakeup.c
WIN_MODULE_OS_LIBS := -lws2_32
ifeq ($(OS),Windows_NT)
  MODULE_OS_SRC := $(WIN_MODULE_OS_SRC)
  MODULE_OS_LIBS := $(WIN_MODULE_OS_LIBS)
else
  MODULE_OS_SRC := $(POSIX_MODULE_OS_SRC)
  MODULE_OS_LIBS :=
endif
# The Emacs glue.
GLUE_SRC := module/vterm-module.c module/term.c module/redraw.c \
            module/text.c module/faces.c module/keys.c module/emacs_call.c
GLUE_HDR := module/term.h module/redraw.h module/text.h module/faces.h \
            module/keys.h module/emacs_call.h
MODULE_SRC := $(GLUE_SRC) $(RENDER_SRC) $(MODULE_OS_SRC)
WIN_MODULE_SRC := $(GLUE_SRC) $(RENDER_SRC) $(WIN_MODULE_OS_SRC)
MODULE_HDR := $(RENDER_HDR) $(GLUE_HDR) module/proxy_resize.h $(WORKER_HDR) \
              module/parse_wakeup.h \
              $(PROTOCOL_HDR) module/module.mk
MODULE_033 := $(BUILD)/module-0.3.3/vterm-module$(MODULE_EXT)
MODULE_INCLUDE := $(BUILD)/include
EMACS_MODULE_H ?= /usr/include/emacs-module.h

# Symbols are hidden except the two Emacs looks up (MODULE_EXPORT in
# vterm-module.c; module/vterm-module.map for ELF), so our libvterm and
# helpers cannot clash with another module's.
MODULE_VISIBILITY := -fvisibility=hidden
MODULE_HIDE_LIBS := -Wl,--version-script=module/vterm-module.map

# Deferred (=) so parsing works before "make deps" installed pkg-config
# and libvterm-dev; evaluated only by the recipes that need them.
VTERM_SYS_CFLAGS = $(shell $(PKG_CONFIG) --cflags vterm)
VTERM_SYS_VERSION = $(shell $(PKG_CONFIG) --modversion vterm)
ifeq ($(OS),Windows_NT)
  VTERM_SYS_LIBS = $(shell $(PKG_CONFIG) --variable=libdir vterm)/libvterm.a
  MODULE_LDFLAGS := -shared -static-libgcc
  MODULE_HIDE_LIBS :=
else
  VTERM_SYS_LIBS = $(shell $(PKG_CONFIG) --libs vterm)
  MODULE_LDFLAGS := -shared -pthread
endif

MODULE_OBJ := $(patsubst module/%.c,$(BUILD)/obj/module/%.o,$(MODULE_SRC))
MODULE_033_OBJ := $(patsubst module/%.c,$(BUILD)/obj/module-0.3.3/%.o,$(MODULE_SRC))
WIN_MODULE_OBJ := $(patsubst module/%.c,$(BUILD)/obj/win/module/%.o,$(WIN_MODULE_SRC))

$(BUILD)/obj/module/%.o: module/%.c $(MODULE_HDR)
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) $(CFLAGS) -fPIC $(MODULE_VISIBILITY) -Imodule $(VTERM_SYS_CFLAGS) -c $< -o $@

$(MODULE): $(MODULE_OBJ) $(PROTOCOL_PIC_OBJ) module/vterm-module.map
	$(CC) $(MODULE_LDFLAGS) -o $@ $(filter %.o,$^) $(VTERM_SYS_LIBS) $(MODULE_OS_LIBS) \
	      $(MODULE_HIDE_LIBS)

# -I puts the 0.3.3 headers before the system's /usr/include/vterm.h.
$(BUILD)/obj/module-0.3.3/%.o: module/%.c $(MODULE_HDR) $(LIBVTERM_033)/include/vterm.h
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) $(CFLAGS) -fPIC $(MODULE_VISIBILITY) -Imodule -I$(LIBVTERM_033)/include -c $< -o $@

$(MODULE_033): $(MODULE_033_OBJ) $(PROTOCOL_PIC_OBJ) $(LIBVTERM_033_A) module/vterm-module.map
	@mkdir -p $(@D)
	$(CC) $(MODULE_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(MODULE_OS_LIBS) $(MODULE_HIDE_LIBS)

# The cross build must not see /usr/include, so emacs-module.h is copied
# next to nothing else.
$(MODULE_INCLUDE)/emacs-module.h: $(EMACS_MODULE_H)
	@mkdir -p $(@D)
	cp $< $@

$(BUILD)/obj/win/module/%.o: module/%.c $(MODULE_HDR) $(LIBVTERM_033)/include/vterm.h \
                             $(MODULE_INCLUDE)/emacs-module.h
	@mkdir -p $(@D)
	$(WIN_CC) $(WIN_CFLAGS) -Imodule -I$(MODULE_INCLUDE) -I$(LIBVTERM_033)/include -c $< -o $@

$(WIN_MODULE): $(WIN_MODULE_OBJ) $(PROTOCOL_WIN_OBJ) $(LIBVTERM_WIN_A)
	@mkdir -p $(@D)
	$(WIN_CC) $(WIN_LDFLAGS) -shared -static-libgcc -o $@ $^ $(WIN_MODULE_OS_LIBS)

CLEAN_FILES += $(BUILD)/module-0.3.3 $(MODULE_INCLUDE)

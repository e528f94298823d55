# libvterm 0.3.3 built from the source "make deps" fetched into
# $(LIBVTERM_033), as three static archives: native (PIC, for the module and
# tests built against 0.3.3), mingw-w64 (for the Windows DLL, which must
# not depend on a libvterm DLL) and ASan + UBSan (PIC, for the sanitizer
# builds of the module and the render tests).  libvterm's own sources are compiled with
# its own flags: they are not ours to hold to -Werror.
LIBVTERM_SRC = $(wildcard $(LIBVTERM_033)/src/*.c)
LIBVTERM_HDR = $(wildcard $(LIBVTERM_033)/include/*.h $(LIBVTERM_033)/src/*.h \
                          $(LIBVTERM_033)/src/*.inc $(LIBVTERM_033)/src/encoding/*.inc)
LIBVTERM_CFLAGS := -std=c99 -O2 -I$(LIBVTERM_033)/include
# PE has no symbol visibility: libvterm's visibility("internal") markers
# would warn once per internal function under mingw-w64.
LIBVTERM_WIN_CFLAGS := $(LIBVTERM_CFLAGS) -Wno-attributes $(WIN_REPRO_CFLAGS)
LIBVTERM_DIR := $(BUILD)/libvterm
LIBVTERM_033_A := $(LIBVTERM_DIR)/native/libvterm.a
LIBVTERM_WIN_A := $(LIBVTERM_DIR)/win/libvterm.a
LIBVTERM_ASAN_A := $(LIBVTERM_DIR)/asan/libvterm.a
# The sanitizer builds of our code and of libvterm.  Reports do not stop
# the program unless UBSAN_OPTIONS=halt_on_error=1 says so (ert-asan
# wants every report of a run; the C suites stop at the first).
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -g -O1
# Not shift-base in libvterm: DECRQSS packs signed chars with << (state.c),
# formally undefined for bytes >= 0x80 but harmless with gcc and clang.
LIBVTERM_ASAN_CFLAGS := $(LIBVTERM_CFLAGS) $(SANITIZE_FLAGS) -fno-sanitize=shift-base
WIN_AR := x86_64-w64-mingw32-ar
AR ?= ar

LIBVTERM_NATIVE_OBJ = $(patsubst $(LIBVTERM_033)/src/%.c,$(LIBVTERM_DIR)/native/%.o,$(LIBVTERM_SRC))
LIBVTERM_WIN_OBJ = $(patsubst $(LIBVTERM_033)/src/%.c,$(LIBVTERM_DIR)/win/%.o,$(LIBVTERM_SRC))
LIBVTERM_ASAN_OBJ = $(patsubst $(LIBVTERM_033)/src/%.c,$(LIBVTERM_DIR)/asan/%.o,$(LIBVTERM_SRC))

# The source comes from "make deps"; say so instead of failing obscurely.
$(LIBVTERM_033)/include/vterm.h:
	@echo "libvterm 0.3.3 source missing in $(LIBVTERM_033): run make deps" >&2
	@exit 1

$(LIBVTERM_DIR)/native/%.o: $(LIBVTERM_033)/src/%.c $(LIBVTERM_033)/include/vterm.h $(LIBVTERM_HDR)
	@mkdir -p $(@D)
	$(CC) $(LIBVTERM_CFLAGS) -fPIC -c $< -o $@

$(LIBVTERM_DIR)/asan/%.o: $(LIBVTERM_033)/src/%.c $(LIBVTERM_033)/include/vterm.h $(LIBVTERM_HDR)
	@mkdir -p $(@D)
	$(CC) $(LIBVTERM_ASAN_CFLAGS) -fPIC -c $< -o $@

$(LIBVTERM_DIR)/win/%.o: $(LIBVTERM_033)/src/%.c $(LIBVTERM_033)/include/vterm.h $(LIBVTERM_HDR)
	@mkdir -p $(@D)
	$(WIN_CC) $(LIBVTERM_WIN_CFLAGS) -c $< -o $@

# Without the source the object lists are empty and the vterm.h rule
# above stops the build with its message.
$(LIBVTERM_033_A): $(LIBVTERM_033)/include/vterm.h $(LIBVTERM_NATIVE_OBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBVTERM_NATIVE_OBJ)

$(LIBVTERM_WIN_A): $(LIBVTERM_033)/include/vterm.h $(LIBVTERM_WIN_OBJ)
	rm -f $@
	$(WIN_AR) rcs $@ $(LIBVTERM_WIN_OBJ)

$(LIBVTERM_ASAN_A): $(LIBVTERM_033)/include/vterm.h $(LIBVTERM_ASAN_OBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBVTERM_ASAN_OBJ)

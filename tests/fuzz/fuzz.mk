# libFuzzer targets (clang).  "make fuzz" fuzzes each for FUZZ_SECONDS
# into tests/fuzz/corpus/<target>/ (new inputs are kept there; commit
# them, and any crash-* input as a regression case); "make test" replays
# the committed corpus of each target as suite fuzz-replay.
FUZZ_CC := clang
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=all -std=c11 -Wall -Wextra -Werror \
               -Iprotocol -Iproxy -D_GNU_SOURCE
FUZZ_SECONDS ?= 600
# The render core over each supported libvterm (tests/fuzz/fuzz_render.c).
FUZZ_MODULE_TARGETS ?= fuzz_render_014 fuzz_render_033
FUZZ_TARGETS := fuzz_protocol fuzz_ctl_server $(FUZZ_MODULE_TARGETS)

$(FUZZ_DIR)/fuzz_protocol: tests/fuzz/fuzz_protocol.c $(PROTOCOL_SRC) \
                           $(PROTOCOL_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(PROTOCOL_SRC)

FUZZ_CTL_SERVER_SRCS := proxy/posix_ctl_server.c proxy/posix_util.c \
                        $(PROXY_CORE_LIB_SRCS) \
                        $(PROTOCOL_SRC)
$(FUZZ_DIR)/fuzz_ctl_server: tests/fuzz/fuzz_ctl_server.c \
                             $(FUZZ_CTL_SERVER_SRCS) $(PROXY_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_CTL_SERVER_SRCS)

# fuzz_render_014: against the system libvterm (0.1.4 on Debian 12),
# which carries no sanitizer instrumentation: its own bad accesses show
# only when they fault.  fuzz_render_033: libvterm 0.3.3 compiled here
# with the sanitizers, with its own flags (C99, not held to -Werror).
# Not shift-base: DECRQSS packs signed chars with << (state.c), which is
# formally undefined for bytes >= 0x80 but harmless with gcc and clang.
FUZZ_RENDER_SRCS := tests/fuzz/fuzz_render.c $(RENDER_SRC)
FUZZ_RENDER_DEPS := $(FUZZ_RENDER_SRCS) $(RENDER_HDR)
FUZZ_LIBVTERM_DIR := $(FUZZ_DIR)/libvterm-0.3.3
FUZZ_LIBVTERM_CFLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
                        -fno-sanitize=shift-base \
                        -fno-sanitize-recover=all -std=c99 \
                        -I$(LIBVTERM_033)/include
FUZZ_LIBVTERM_OBJ = $(patsubst $(LIBVTERM_033)/src/%.c,$(FUZZ_LIBVTERM_DIR)/%.o,$(LIBVTERM_SRC))

$(FUZZ_LIBVTERM_DIR)/%.o: $(LIBVTERM_033)/src/%.c $(LIBVTERM_033)/include/vterm.h $(LIBVTERM_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_LIBVTERM_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/fuzz_render_014: $(FUZZ_RENDER_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Imodule $(VTERM_SYS_CFLAGS) -o $@ \
	    $(FUZZ_RENDER_SRCS) $(VTERM_SYS_LIBS)

$(FUZZ_DIR)/fuzz_render_033: $(FUZZ_RENDER_DEPS) $(LIBVTERM_033)/include/vterm.h \
                             $(FUZZ_LIBVTERM_OBJ)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Imodule -I$(LIBVTERM_033)/include -o $@ \
	    $(FUZZ_RENDER_SRCS) $(FUZZ_LIBVTERM_OBJ)

.PHONY: fuzz test-fuzz-replay
fuzz: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p tests/fuzz/corpus/$$t; \
	    echo "=== fuzzing $$t for $(FUZZ_SECONDS) s"; \
	    case $$t in fuzz_render*) dict=-dict=tests/fuzz/fuzz_render.dict;; \
	               *) dict=;; esac; \
	    $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) $$dict \
	        -artifact_prefix=tests/fuzz/corpus/$$t/ \
	        tests/fuzz/corpus/$$t tests/fuzz/seeds/$$t || exit 1; \
	done

SUITES += fuzz-replay
TEST_BUILDS += $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)

test-fuzz-replay: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
	@tests/fuzz/replay.sh $(FUZZ_TARGETS)

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
FUZZ_TARGETS := fuzz_protocol fuzz_ctl_server $(FUZZ_MODULE_TARGETS)

$(FUZZ_DIR)/fuzz_protocol: tests/fuzz/fuzz_protocol.c $(PROTOCOL_SRC) \
                           protocol/control.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(PROTOCOL_SRC)

FUZZ_CTL_SERVER_SRCS := proxy/posix_ctl_server.c proxy/ctl_conn.c \
                        proxy/trace.c $(PROTOCOL_SRC)
$(FUZZ_DIR)/fuzz_ctl_server: tests/fuzz/fuzz_ctl_server.c \
                             $(FUZZ_CTL_SERVER_SRCS) $(PROXY_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_CTL_SERVER_SRCS)

.PHONY: fuzz test-fuzz-replay
fuzz: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p tests/fuzz/corpus/$$t; \
	    echo "=== fuzzing $$t for $(FUZZ_SECONDS) s"; \
	    $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=tests/fuzz/corpus/$$t/ \
	        tests/fuzz/corpus/$$t tests/fuzz/seeds/$$t || exit 1; \
	done

SUITES += fuzz-replay
TEST_BUILDS += $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)

test-fuzz-replay: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
	@tests/fuzz/replay.sh $(FUZZ_TARGETS)

# The control-channel protocol library, compiled into both the module and
# the proxy (and the test programs): the message codec (control.c), where
# a channel is (channel.c), and on POSIX the socket directory check.
PROTOCOL_HDR := protocol/control.h protocol/control_inspect.h \
                protocol/channel.h
PROTOCOL_WIN_SRC := protocol/control.c protocol/channel.c
PROTOCOL_POSIX_SRC := $(PROTOCOL_WIN_SRC) protocol/posix_socket_dir.c
ifeq ($(OS),Windows_NT)
  PROTOCOL_SRC := $(PROTOCOL_WIN_SRC)
else
  PROTOCOL_SRC := $(PROTOCOL_POSIX_SRC)
endif
PROTOCOL_OBJ := $(PROTOCOL_SRC:protocol/%.c=$(BUILD)/obj/protocol/%.o)
PROTOCOL_PIC_OBJ := $(PROTOCOL_SRC:protocol/%.c=$(BUILD)/obj/protocol/%.pic.o)
PROTOCOL_WIN_OBJ := $(PROTOCOL_WIN_SRC:protocol/%.c=$(BUILD)/obj/win/protocol/%.o)

$(BUILD)/obj/protocol/%.o: protocol/%.c $(PROTOCOL_HDR)
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/protocol/%.pic.o: protocol/%.c $(PROTOCOL_HDR)
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) $(CFLAGS) -fPIC -c $< -o $@

$(BUILD)/obj/win/protocol/%.o: protocol/%.c $(PROTOCOL_HDR)
	@mkdir -p $(@D)
	$(WIN_CC) $(WIN_CFLAGS) -c $< -o $@

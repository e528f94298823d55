# The control-channel protocol library, compiled into both the module and
# the proxy (and the Windows test client).
PROTOCOL_SRC := protocol/control.c
PROTOCOL_OBJ := $(BUILD)/obj/protocol/control.o
PROTOCOL_PIC_OBJ := $(BUILD)/obj/protocol/control.pic.o
PROTOCOL_WIN_OBJ := $(BUILD)/obj/win/protocol/control.o

$(PROTOCOL_OBJ): $(PROTOCOL_SRC) protocol/control.h
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) $(CFLAGS) -c $< -o $@

$(PROTOCOL_PIC_OBJ): $(PROTOCOL_SRC) protocol/control.h
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) $(CFLAGS) -fPIC -c $< -o $@

$(PROTOCOL_WIN_OBJ): $(PROTOCOL_SRC) protocol/control.h
	@mkdir -p $(@D)
	$(WIN_CC) $(WIN_CFLAGS) -c $< -o $@

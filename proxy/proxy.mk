# conpty-proxy: a platform-independent core plus one backend per OS,
# chosen by file name: posix_*.c on POSIX, win_*.c on Windows.
# The core but main.c: what the unit tests and fuzzers link too.
PROXY_CORE_LIB_SRCS := proxy/queue.c proxy/ctl_conn.c proxy/policy.c \
                       proxy/trace.c
PROXY_CORE_SRCS := proxy/main.c $(PROXY_CORE_LIB_SRCS)
# The session server's terminal (platform-independent, over libvterm
# 0.3.3 linked statically; snapshot.c reads libvterm's internal state,
# hence src/): what the snapshot test links too.
PROXY_SERVER_SRCS := proxy/outbuf.c proxy/cells.c proxy/csi_guard.c \
                     module/unseen.c module/utf8_feed.c module/utf8.c \
                     proxy/screen.c \
                     proxy/attach_frame.c \
                     proxy/snapshot.c
# Persistent sessions, the same on every OS: the server's side of the
# data channel, the attach client's, the info and list line.
PROXY_PERSIST_SRCS := proxy/attach_serve.c proxy/attach_client.c \
                      proxy/session_info.c
PROXY_SERVER_CFLAGS = -I$(LIBVTERM_033)/include -I$(LIBVTERM_033)/src
# The server's parse thread (screen.c) runs on the module's thread.h.
PROXY_POSIX_SRCS := $(wildcard proxy/posix_*.c) module/posix_thread.c \
                    $(PROXY_SERVER_SRCS) $(PROXY_PERSIST_SRCS)
PROXY_WIN_SRCS := $(wildcard proxy/win_*.c) module/win_thread.c \
                  $(PROXY_SERVER_SRCS) $(PROXY_PERSIST_SRCS)
PROXY_HDRS := $(wildcard proxy/*.h) $(PROTOCOL_HDR)
PROXY_WIN_LIBS := -static -static-libgcc -ladvapi32

ifeq ($(OS),Windows_NT)
PROXY_THREAD_SRC := module/win_thread.c
PROXY_NATIVE_SRCS := $(PROXY_CORE_SRCS) $(PROXY_WIN_SRCS)
PROXY_NATIVE_LIBS := $(LIBVTERM_033_A) $(PROXY_WIN_LIBS)
PROXY_NATIVE_CFLAGS = $(WIN_DEFINES) $(PROXY_SERVER_CFLAGS)
else
PROXY_THREAD_SRC := module/posix_thread.c
PROXY_NATIVE_SRCS := $(PROXY_CORE_SRCS) $(PROXY_POSIX_SRCS)
PROXY_NATIVE_LIBS := $(LIBVTERM_033_A)
PROXY_NATIVE_CFLAGS = -D_GNU_SOURCE $(PROXY_SERVER_CFLAGS)
endif

PROXY_OBJS := $(PROXY_NATIVE_SRCS:%.c=$(BUILD)/obj/%.o) $(PROTOCOL_OBJ)
PROXY_WIN_OBJS := $(PROXY_CORE_SRCS:%.c=$(BUILD)/obj/win/%.o) \
                  $(PROXY_WIN_SRCS:%.c=$(BUILD)/obj/win/%.o) $(PROTOCOL_WIN_OBJ)

$(BUILD)/obj/proxy/%.o: proxy/%.c $(PROXY_HDRS) $(LIBVTERM_033)/include/vterm.h
	@mkdir -p $(@D)
	$(CC) $(PROJECT_CFLAGS) $(PROXY_NATIVE_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/win/proxy/%.o: proxy/%.c $(PROXY_HDRS) $(LIBVTERM_033)/include/vterm.h
	@mkdir -p $(@D)
	$(WIN_CC) $(WIN_CFLAGS) $(PROXY_SERVER_CFLAGS) -c $< -o $@

$(PROXY): $(PROXY_OBJS) $(PROXY_NATIVE_LIBS)
	$(CC) $(CFLAGS) -pthread -o $@ $^

$(WIN_PROXY): $(PROXY_WIN_OBJS) $(LIBVTERM_WIN_A)
	@mkdir -p $(@D)
	$(WIN_CC) -O2 $(WIN_LDFLAGS) -o $@ $^ $(PROXY_WIN_LIBS)

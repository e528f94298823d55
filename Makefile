# vterm for Emacs, on Linux and Windows.  See README.md and HACKING.md.
#
#   make            native vterm-module and conpty-proxy
#   make windows    cross-built vterm-module.dll and conpty-proxy.exe
#   make deps       install what the build and the tests need (Debian)
#   make test       deps, both builds, every test suite
#   make run        what running needs, build, then emacs -Q -nw with a vterm
#   make fuzz       fuzz each target for FUZZ_SECONDS (default 600)
#   make bench      benchmarks against the libvterm ceiling
#   make clean
#
# Each part adds its own rules from a fragment (*.mk) included below.

.DEFAULT_GOAL := all
SHELL := /bin/sh
.SUFFIXES:
.DELETE_ON_ERROR:

BUILD := build
CC ?= gcc
WIN_CC := x86_64-w64-mingw32-gcc
PKG_CONFIG ?= pkg-config
EMACS ?= emacs

WARN := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
C_STD := -std=c11
PROJECT_CFLAGS := $(C_STD) $(WARN) -Iprotocol
# Windows 10 1809's API (ConPTY) and C99 printf, for mingw-w64 here and
# for the MSYS2 native build alike.
WIN_DEFINES := -DNTDDI_VERSION=0x0A000006 -D_WIN32_WINNT=0x0A00 \
               -D__USE_MINGW_ANSI_STDIO=1
# The same bytes from the same tree in any directory at any time (make
# dist, tests/dist/): no build path in the objects, no link time in the
# PE header.
WIN_REPRO_CFLAGS := -ffile-prefix-map=$(CURDIR)/=
WIN_LDFLAGS := -Wl,--no-insert-timestamp
WIN_CFLAGS := -O2 $(C_STD) $(WARN) -Iprotocol $(WIN_DEFINES) $(WIN_REPRO_CFLAGS)

# libvterm 0.3.3 source (fetched by make deps) for the Windows build and
# for testing the module against the newest supported libvterm.
LIBVTERM_033 := $(BUILD)/deps/libvterm-0.3.3

ifeq ($(OS),Windows_NT)
  # MSYS2 UCRT64: native Windows build.
  EXE := .exe
  MODULE_EXT := .dll
else
  EXE :=
  MODULE_EXT := .so
endif

MODULE := module/vterm-module$(MODULE_EXT)
PROXY := proxy/conpty-proxy$(EXE)
WIN_DIR := $(BUILD)/windows
WIN_MODULE := $(WIN_DIR)/vterm-module.dll
WIN_PROXY := $(WIN_DIR)/conpty-proxy.exe
# GNU Emacs 28.2 for Windows, cross-built and cached outside the clone by
# build-aux/w32-emacs.sh (make deps); run it with tests/wine/emacs.sh.
WIN_EMACS = $(shell ./build-aux/w32-emacs.sh --path)

.PHONY: all windows deps deps-run test run clean
all: $(MODULE) $(PROXY)
windows: $(WIN_MODULE) $(WIN_PROXY)

deps:
	@./build-aux/deps.sh

# What "make run" needs: the native build and Emacs, no test tools.
deps-run:
	@./build-aux/deps.sh run

# Suites run in this order; each is a target "test-<name>" defined by a
# fragment, which prints its own "<name>: N passed, N failed" line and
# records it for the total (build-aux/run-suites.sh).
SUITES :=

include protocol/protocol.mk
include module/libvterm.mk
include proxy/proxy.mk
include module/module.mk
# Optional: an installed package carries no build-aux/.
-include build-aux/dist.mk
# Optional: an installed package carries no tests.
-include tests/tests.mk

test: deps
	@$(MAKE) --no-print-directory all windows test-builds
	@./build-aux/run-suites.sh $(SUITES)

run: deps-run
	@$(MAKE) --no-print-directory all
	@./build-aux/run-emacs.sh

clean:
	rm -rf $(BUILD)/obj $(BUILD)/windows $(BUILD)/results $(BUILD)/tests \
	       $(BUILD)/libvterm $(MODULE) $(PROXY) $(CLEAN_FILES)

#!/bin/sh
# Install what the build and the tests need on Debian/Ubuntu, and fetch the
# libvterm 0.3.3 source used by the Windows build and the 0.3.3 test build.
# Idempotent: does nothing when everything is already there.
#
# Usage: deps.sh [--list] [run]   with "run" (make run), only what
# building the native module and proxy and running Emacs need: no test
# tools, no package index download when those are installed, no libvterm
# source.  --list prints the packages (and "source" when the libvterm
# source is wanted) and changes nothing.
set -eu

list=no
if [ "${1:-}" = --list ]; then
    list=yes
    shift
fi

top=$(cd "$(dirname "$0")/.." && pwd)
src_dir="$top/build/deps"
libvterm_version=0.3.3
libvterm_debian_version=0.3.3-3

run_packages="gcc make pkg-config emacs-nox libvterm-dev"
# elpa-vterm: emacs-libvterm's vterm.el, whose public names the compat
# tests check; vim-tiny: vim left with Escape in the tmux key suite;
# clang-format: the format suite.
test_packages="dpkg-dev gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine
wine64 tmux elpa-package-lint valgrind clang libclang-rt-14-dev procps less
zsh fish vim-tiny elpa-vterm clang-format"

if [ "${1:-}" = run ]; then
    packages=$run_packages
else
    packages="$run_packages $test_packages"
fi

if [ "$list" = yes ]; then
    echo $packages
    [ "${1:-}" = run ] || echo source
    exit 0
fi

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=""
for p in $packages; do
    if ! dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null |
            grep -q '^install ok installed$'; then
        missing="$missing $p"
    fi
done

srcs_file=/etc/apt/sources.list.d/vterm-libvterm-src.sources
need_source=no
if [ "${1:-}" != run ]; then
    [ -f "$src_dir/libvterm-$libvterm_version/include/vterm.h" ] || need_source=yes
fi

if [ -n "$missing" ] || [ "$need_source" = yes ]; then
    if [ "$need_source" = yes ] && [ ! -f "$srcs_file" ]; then
        # A deb-src entry for trixie on the archive this machine already
        # uses: it brings source packages only, never trixie binaries.
        uri=$(grep -rhoE '(https?://[^ ]+/debian)/?( |$)' \
                  /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
              head -n 1 | tr -d ' ')
        [ -n "$uri" ] || uri=http://deb.debian.org/debian
        printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$uri" | as_root tee "$srcs_file" >/dev/null
    fi
    echo "deps: apt-get update" >&2
    as_root apt-get update -q
fi

if [ -n "$missing" ]; then
    echo "deps: installing$missing" >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q \
        --no-install-recommends $missing
fi

if [ "$need_source" = yes ]; then
    echo "deps: fetching libvterm $libvterm_debian_version source" >&2
    rm -rf "$src_dir" && mkdir -p "$src_dir"
    (cd "$src_dir" && apt-get source -q "libvterm=$libvterm_debian_version")
    [ -f "$src_dir/libvterm-$libvterm_version/include/vterm.h" ] || {
        echo "deps: libvterm $libvterm_version source not found in $src_dir" >&2
        exit 1
    }
fi

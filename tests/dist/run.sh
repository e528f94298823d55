#!/bin/sh
# The dist suite: "make dist" run twice, from copies of this tree in two
# temporary directories of different names, must give byte-identical
# files (reproducible release artefacts); what it writes must be what
# the files claim (the zip's members, SHA256SUMS), the binaries must load
# on a bare Windows (check_imports), and the manifest it writes must be
# the lisp/vterm-module-manifest.el of this tree, which the package
# ships: a stale manifest fails here.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/suite.sh
. tests/wine/imports-lib.sh
suite_begin dist
top=$(pwd)
version=$(sed -n 's/^;; Version: *//p' lisp/vterm.el)
zip=vterm-$version-windows-x86_64.zip
manifest=lisp/vterm-module-manifest.el
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A copy of the tree as git sees it (tracked and new files, nothing
# ignored: no build/ nor dist/), with the libvterm source "make deps"
# fetched, then "make dist" in it.
build_in() {
    dir=$1
    mkdir -p "$dir/build/deps"
    git ls-files -z --cached --others --exclude-standard |
        xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
        tar -c --null -T - -f - | tar -x -C "$dir" -f -
    cp -R build/deps/libvterm-0.3.3 "$dir/build/deps/"
    # Its manifest is rewritten: start from none, so that the one there
    # afterwards is "make dist"'s.
    rm -f "$dir/$manifest"
    (cd "$dir" && ${MAKE:-make} --no-print-directory dist) > "$dir.log" 2>&1
}

a=$work/first
b=$work/second-build-elsewhere
for d in "$a" "$b"; do
    if build_in "$d"; then
        pass "make dist in $(basename "$d")"
    else
        fail "make dist in $(basename "$d"): $(tail -n 5 "$d.log")"
    fi
done

for f in "dist/$zip" dist/SHA256SUMS dist/vterm-module.dll \
         dist/conpty-proxy.exe "$manifest"; do
    if [ -s "$a/$f" ] && cmp -s "$a/$f" "$b/$f"; then
        pass "$f is byte-identical from both directories"
    else
        fail "$f differs between the two builds (or is missing): $(cmp "$a/$f" "$b/$f" 2>&1)"
    fi
done

members=$(unzip -Z1 "$a/dist/$zip" 2>/dev/null | tr '\n' ' ')
check "the zip holds vterm-module.dll conpty-proxy.exe LICENSE README.txt (got: $members)" \
    test "$members" = "vterm-module.dll conpty-proxy.exe LICENSE README.txt "
for m in vterm-module.dll conpty-proxy.exe; do
    check "the zip's $m is dist/$m" \
        sh -c 'unzip -p "$1" "$2" | cmp -s - "$3"' sh "$a/dist/$zip" "$m" "$a/dist/$m"
done
check "the zip's LICENSE is the tree's" \
    sh -c 'unzip -p "$1" LICENSE | cmp -s - LICENSE' sh "$a/dist/$zip"
check "the zip's README.txt names version $version" \
    sh -c 'unzip -p "$1" README.txt | grep -q "vterm $2 for Windows"' sh "$a/dist/$zip" "$version"
check "the zip's members carry the fixed date 1980-01-01" \
    sh -c 'unzip -Z -T "$1" | grep -c " 19800101\.000000 " | grep -qx 4' sh "$a/dist/$zip"
check "SHA256SUMS lists the zip and both binaries, and they match" \
    sh -c 'cd "$1/dist" && [ "$(wc -l < SHA256SUMS)" -eq 3 ] && sha256sum --quiet -c SHA256SUMS' \
    sh "$a"

for pe in "$a/dist/vterm-module.dll" "$a/dist/conpty-proxy.exe"; do
    check_imports "$pe"
done

# The manifest: the built binaries' hashes and this version, and the
# tree's own copy the same bytes.
for m in vterm-module.dll conpty-proxy.exe; do
    sum=$(sha256sum "$a/dist/$m" | cut -d ' ' -f 1)
    check "the written manifest gives $m's SHA-256" \
        grep -q "(\"$m\" \\. \"$sum\")" "$a/$manifest"
done
check "the written manifest gives version $version" \
    grep -q "(version \\. \"$version\")" "$a/$manifest"
if cmp -s "$a/$manifest" "$top/$manifest"; then
    pass "$manifest in the tree is what make dist writes"
else
    fail "$manifest in the tree is stale: run make dist and commit it ($(diff "$top/$manifest" "$a/$manifest" | grep '^[<>]' | tr '\n' ' '))"
fi
suite_end

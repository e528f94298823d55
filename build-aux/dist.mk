# make dist: the Windows binaries for people without a compiler.
#   dist/vterm-<version>-windows-x86_64.zip  vterm-module.dll,
#       conpty-proxy.exe, LICENSE and README.txt (build-aux/dist-README.txt);
#   dist/vterm-module.dll, dist/conpty-proxy.exe  the same binaries as
#       release assets of their own, which `vterm-module-download' fetches;
#   dist/SHA256SUMS  the SHA-256 of the zip and of both binaries;
#   lisp/vterm-module-manifest.el  the version and both binaries' SHA-256,
#       which the package ships and the download checks against.
# Reproducible: the same tree gives the same bytes in any directory
# (no PE timestamp, no build path, the zip's dates and order fixed;
# build-aux/dist.sh), which the dist suite checks.  A package carries no
# build-aux/, hence the optional include.
VERSION := $(shell sed -n 's/^;; Version: *//p' lisp/vterm.el)
DIST_DIR := dist
DIST_ZIP := $(DIST_DIR)/vterm-$(VERSION)-windows-x86_64.zip
DIST_MANIFEST := lisp/vterm-module-manifest.el

.PHONY: dist
dist: $(WIN_MODULE) $(WIN_PROXY) LICENSE build-aux/dist.sh build-aux/dist-zip.py \
      build-aux/dist-README.txt \
      build-aux/vterm-module-manifest.el.in
	@sh build-aux/dist.sh $(VERSION) $(WIN_MODULE) $(WIN_PROXY) $(DIST_DIR) \
	  $(DIST_MANIFEST)

CLEAN_FILES += $(DIST_DIR)

#!/bin/sh
# Package install test: build the vterm package from recipes/vterm's
# :files, install it with package-install-file into an empty
# package-user-dir under "emacs -Q --batch", then in a fresh Emacs let the
# module compile on first load, open a vterm and see a command's output.
#
# Usage (from the top of the checkout): tests/e2e/package-test.sh [SUITE]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_begin "${1:-package-install}"

EMACS=${EMACS:-emacs}
top=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vterm-pkg.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
log=$work/log

tar=$("$EMACS" -Q --batch -l tests/e2e/package-build.el \
          -f vterm-pkg-build-tar "$top" "$work/out" 2>"$log")
[ -f "$tar" ] || cat "$log" >&2
check "the package builds from the recipe's :files" test -f "$tar"

"$EMACS" -Q --batch --eval "
(progn
  (setq package-user-dir \"$work/elpa\" package-archives nil)
  (package-initialize)
  (package-install-file \"$tar\")
  (unless (package-installed-p 'vterm) (kill-emacs 1)))" >"$log" 2>&1
status=$?
[ "$status" -eq 0 ] || tail -20 "$log" >&2
check "package-install-file installs it" test "$status" -eq 0

pkgdir=$(ls -d "$work"/elpa/vterm-* 2>/dev/null | head -n 1)
check "the shell integration scripts are in the package's etc/" \
    test -f "$pkgdir/etc/emacs-vterm-bash.sh" -a -f "$pkgdir/etc/emacs-vterm.ps1"
check "the installed package has no prebuilt module" \
    test ! -e "$pkgdir/module/vterm-module.so"

"$EMACS" -Q --batch --eval "
(progn
  (setq package-user-dir \"$work/elpa\" package-archives nil)
  (package-initialize)
  (setq vterm-always-compile-module t vterm-shell \"/bin/sh\")
  (let ((process-environment
         (list \"PATH=/usr/local/bin:/usr/bin:/bin\" \"PS1=$ \"
               (concat \"HOME=\" (getenv \"HOME\")))))
    (require 'vterm)
    (let ((buf (vterm \"pkg-vterm\"))
          (deadline (+ (float-time) 20)))
      ;; Type once the shell has shown its prompt.
      (while (and (< (float-time) deadline)
                  (not (with-current-buffer buf
                         (save-excursion
                           (goto-char (point-min))
                           (re-search-forward \"^[$] ?$\" nil t)))))
        (accept-process-output nil 0.1))
      (with-current-buffer buf
        (vterm-send-string \"echo from-package\")
        (vterm-send-return))
      (while (and (< (float-time) deadline)
                  (not (with-current-buffer buf
                         (save-excursion
                           (goto-char (point-min))
                           (re-search-forward \"^from-package$\" nil t)))))
        (accept-process-output nil 0.1))
      (princ (format \"module: %s\n\" (locate-library \"vterm-module\")))
      (princ (with-current-buffer buf (buffer-string)))
      (kill-emacs (if (with-current-buffer buf
                        (save-excursion
                          (goto-char (point-min))
                          (re-search-forward \"^from-package$\" nil t)))
                      0 1)))))" >"$log" 2>&1
status=$?
[ "$status" -eq 0 ] || tail -30 "$log" >&2
check "first load compiles the module and a vterm shows output" \
    test "$status" -eq 0
check "the module was built inside the package" \
    test -f "$pkgdir/module/vterm-module.so"
check "the module loaded is the package's" \
    grep -q "module: $pkgdir/module/vterm-module" "$log"

# "make run" (README's first command) installs what running needs, not
# the test tool chain: its dependency step, as make would run it, asks
# for the build tools, Emacs and libvterm only, and no libvterm source.
run_deps=$(make -n run 2>/dev/null | grep 'deps\.sh' | head -n 1)
check "make run calls the dependency step for running ($run_deps)" \
    test "$run_deps" = "./build-aux/deps.sh run"
run_list=$(sh build-aux/deps.sh --list run)
check "make run needs gcc, make, pkg-config, emacs-nox, libvterm-dev only ($run_list)" \
    test "$run_list" = "gcc make pkg-config emacs-nox libvterm-dev"

suite_end

#!/bin/sh
# emacs-suite.sh -- our package inside a real Windows Emacs under Wine.
#
#   tests/wine/emacs-suite.sh ert DIST-DIR
#                                     suite wine-emacs-ert: tests/ert/run.el
#                                     in the Windows Emacs: every ERT test
#                                     not tagged posix, the windows-tagged
#                                     ones included (vterm-windows-tests.el,
#                                     vterm-windows-download-tests.el, which
#                                     installs from DIST-DIR, build-aux/
#                                     dist.sh's output, served over http)
#   tests/wine/emacs-suite.sh exit    suite wine-emacs: the Emacs is the one
#                                     built for Windows; kill-emacs with a
#                                     live session leaves no proxy or child
#
# Run from the top of the tree by "make test-wine-emacs[-ert]".  The
# Windows Emacs is the cached cross-build (build-aux/w32-emacs.sh), run by
# tests/wine/emacs.sh; one fresh WINEPREFIX serves the whole run.
set -u
mode=${1:?usage: emacs-suite.sh ert DIST-DIR|exit}
top=$(pwd)
EMACS_SH="$top/tests/wine/emacs.sh"
# Windows paths of the binaries under test (Wine maps / to Z:).
WIN_TOP="Z:$top"
export VTERM_TEST_PROXY="$WIN_TOP/build/windows/conpty-proxy.exe"
export VTERM_TEST_FIXTURE="$WIN_TOP/build/tests/wine/fixture.exe"
# The Windows module links libvterm 0.3.3 statically.
export VTERM_TEST_LIBVTERM=0.3.3

T=$(mktemp -d "${TMPDIR:-/tmp}/vterm-wine-emacs.XXXXXX")
export WINEPREFIX="$T/prefix"
cleanup() {
    timeout 30 wineserver -k >/dev/null 2>&1
    timeout 30 wineserver -w >/dev/null 2>&1
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$mode" = ert ]; then
    # vterm-windows-download-tests.el: the server runs here, on Linux
    # (the Windows Emacs cannot start python3), and serves DIST-DIR.
    dist=${2:?usage: emacs-suite.sh ert DIST-DIR}
    export VTERM_TEST_DOWNLOAD_DIST="$WIN_TOP/$dist"
    # run.el prints the counts and records them in build/results itself.
    VTERM_EMACS_TIMEOUT=900 sh tests/ert/with-download-server.sh "$dist" \
        "$EMACS_SH" -Q --batch -L "$WIN_TOP/build/windows" \
        -l "$WIN_TOP/tests/ert/run.el" -f vterm-run-ert wine-emacs-ert
    exit $?
fi

. tests/lib/suite.sh
suite_begin wine-emacs

# Emacs's own report of what it is, and its exit status, reach Linux.
out=$("$EMACS_SH" -Q --batch --eval \
    '(progn (princ (format "%s %s %s" emacs-version system-type module-file-suffix)) (kill-emacs 7))' 2>"$T/version.err")
status=$?
check "the Emacs is 28.2 for Windows (it says: $out)" \
    [ "$out" = "28.2 windows-nt .dll" ]
check "its exit status reaches the Linux shell (7: got $status)" [ "$status" -eq 7 ]

# module-load of the DLL itself, as a user's init file would.
out=$("$EMACS_SH" -Q --batch --eval \
    "(progn (module-load \"$WIN_TOP/build/windows/vterm-module.dll\") (princ (if (fboundp 'vterm--new) \"loaded\" \"no vterm--new\")))" 2>"$T/load.err")
check "module-load of vterm-module.dll defines the module's functions ($out)" \
    [ "$out" = loaded ]
[ "$out" = loaded ] || tail -n 20 "$T/load.err"

# kill-emacs with a live session: Emacs exits at once, and neither the
# proxy nor its child stays behind.  The first Emacs writes their process
# ids; a second one, in the same Wine prefix, looks for them.
pids="$T/pids"
"$EMACS_SH" -Q --batch -L "$WIN_TOP/build/windows" -L "$WIN_TOP/lisp" \
    -L "$WIN_TOP/tests/ert" -l vterm-windows-tests --eval "
(let* ((vterm-shell (list vterm-test-fixture \"echo\"))
       (vterm-conpty-proxy-path vterm-test-proxy)
       (buf (vterm)))
  (vterm-test-wait-for buf \"^READY\$\")
  (let ((child (vterm-windows-test--child-pid buf)))
    (with-temp-file \"$(echo "Z:$pids")\"
      (insert (format \"%d %d\\n\" (process-id (get-buffer-process buf)) child))))
  (kill-emacs 0))" > "$T/kill.out" 2>&1
status=$?
check "kill-emacs with a live session: Emacs exits with its status (0: got $status)" \
    [ "$status" -eq 0 ]
if [ -s "$pids" ]; then
    read -r proxy child < "$pids"
    out=$("$EMACS_SH" -Q --batch --eval "
(let ((deadline (+ (float-time) 10)) left)
  (while (progn
           (setq left (delq nil (mapcar (lambda (p)
                                          (let ((comm (cdr (assq 'comm (process-attributes (car p))))))
                                            (and (equal comm (cdr p)) comm)))
                                        '(($proxy . \"conpty-proxy.exe\") ($child . \"fixture.exe\")))))
           (and left (< (float-time) deadline)))
    (sleep-for 0.2))
  (princ (if left (mapconcat #'identity left \" \") \"none\")))" 2>"$T/left.err")
    check "after kill-emacs no conpty-proxy.exe or fixture.exe is left (left: $out)" \
        [ "$out" = none ]
else
    fail "kill-emacs: the session started and wrote its process ids"
    tail -n 30 "$T/kill.out"
fi

suite_end

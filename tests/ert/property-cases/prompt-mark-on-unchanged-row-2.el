;; A case of tests/ert/vterm-property-tests.el, shrunk.
;; Cause: a prompt mark (OSC 51;A) on a row whose text did not change
;; left the row undrawn, so its vterm-prompt property was missing.
;; seed 477096815 case 999 (libvterm 0.3.3): operation 5 (r): line 1: incremental ("L" nil nil), full ("L" ((0 1 (nil nil t))) nil) (5 and 5 lines)
(:rows 5 :cols 15 :sb 5 :thread nil :ops ((w "\nL\n") (r) (w "\33M") (w "\7") (w "\33]51A\33\\\33M") (r)))

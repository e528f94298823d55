;; A case of tests/ert/vterm-property-tests.el, shrunk.
;; Cause: a prompt mark (OSC 51;A) on a row whose text did not change
;; left the row undrawn, so its vterm-prompt property was missing.
;; seed 476897540 case 600 (libvterm 0.1.4): operation 4 (r): line 1: incremental ("A" nil nil), full ("A" ((0 1 (nil nil t))) nil) (2 and 2 lines)
(:rows 4 :cols 10 :sb 0 :thread nil :ops ((w "2oonhkg0g1A\33[r") (s 2 18) (r) (w "\33[3;2H\33]51;A\33\\\33[H") (r)))

;; A case of tests/ert/vterm-property-tests.el, shrunk.
;; Not a module fault: the blanks of a reversed row differ only in
;; slant, which a space does not show; faces of spaces now compare
;; without :weight and :slant.
;; seed 479430457 case 617 (libvterm 0.3.3): operation 9 (r): line 2: incremental ("A;    n�18;" ((0 11 (((:inverse-video . t) (:slant . italic)) nil nil))) nil), full ("A;    n�18;" ((0 2 (((:inverse-video . t) (:slant . italic)) nil nil)) (2 6 (((:inverse-video . t)) nil nil)) (6 11 (((:inverse-video . t) (:slant . italic)) nil nil))) nil) (6 and 6 lines)
(:rows 3 :cols 11 :sb 3 :thread nil :ops ((w "\33[3;49m") (w "2Zf123ahaine02m3/j.k..A") (w ";") (w "\33[H") (w "\33[4;7Hn\314") (w "18;90;38;5;213m\33E") (r) (s 6 11) (w "\33[?5h") (r)))

;; A case of tests/ert/vterm-property-tests.el, shrunk.
;; Found with libvterm 0.3.3, seed 10 case 2631:
;; seed 10 case 2631 (libvterm ?): operation 5 (r): line 0: incremental ("              " ((0 14 (((:inverse-video . t)) nil nil))) nil), full ("              " ((1 14 (((:inverse-video . t)) nil nil))) nil) (10 and 10 lines)
;; A line with a trailing space went to the scrollback and came back
;; when the screen grew: built (drawn in between) it came back without
;; the space, raw (never drawn) with it, and the next resize reflowed
;; the two differently (SGR 7 filled the row from column 0 or 1).
(:rows 4 :cols 11 :sb 1 :thread nil :ops ((w " \n\n\33E\n") (r) (s 7 13) (w "\33[7m") (s 10 14) (r)))

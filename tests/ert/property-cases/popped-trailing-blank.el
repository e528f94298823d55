;; A case of tests/ert/vterm-property-tests.el, shrunk.
;; Found with libvterm 0.3.3, seed 12 case 401:
;; seed 12 case 401 (libvterm ?): operation 8 (r): line 1: incremental ("11" nil nil), full ("11 " nil nil) (6 and 6 lines)
;; Popped lines, raw or built, gave rows that differ in a trailing blank
;; (the same cause as popped-trailing-space-reflow.el).
(:rows 4 :cols 4 :sb 20 :thread nil :ops ((w ";le 11") (w "   ") (w " ") (w "djdaZc") (w "1J\237\230\200\33c") (r) (s 7 3) (s 6 5) (r)))

;; A case of tests/ert/vterm-property-tests.el, shrunk.
;; A line built for the viewer, then popped back and shown under DECSCNM:
;; the blank after "##" had joined the grey run, so it came back grey.
;; seed 596064252 case 96 (libvterm 0.1.4): operation 11 (r): line 0: incremental ("## i " ((0 3 (((:foreground . "gray30") (:inverse-video . t)) nil nil)) (3 5 (((:inverse-video . t)) nil nil))) (nil t nil)), full ("## i " ((0 2 (((:foreground . "gray30") (:inverse-video . t)) nil nil)) (2 5 (((:inverse-video . t)) nil nil))) (nil t nil)) (8 and 8 lines)
(:rows 7 :cols 8 :sb 20 :thread nil :ops ((w "\33[90m##\33[m") (w " i") (w "\338") (w "\33[7B") (w "\n") (w "[") (w "h") (r) (s 6 10) (s 8 5) (w "\33[?5h") (r)))

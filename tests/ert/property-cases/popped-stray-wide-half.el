;; A case of tests/ert/vterm-property-tests.el, shrunk.
;; Found with libvterm 0.1.4, seed 4 case 1065:
;; operation 4 (r): line 1: incremental ("국" nil nil), full ("국 " nil nil)
;; Shrinking to 2 columns leaves the right half of a wide character
;; without its left half at the end of a row that goes to the scrollback.
;; Growing again pops it back: from a line the redraw had built, the
;; stray half came back as a blank (trimmed); from a raw line never
;; built (terminal B drew nothing in between), as the stray half, which
;; counted as text and was drawn as a trailing space.
(:rows 3 :cols 3 :sb 3 :thread t :ops ((w "69Ha\344\270\255\33M\355\352\265\255\354\226\264") (s 1 2) (rs) (s 4 4) (r)))

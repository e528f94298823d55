;; A case of tests/ert/vterm-property-tests.el, shrunk.
;; Found with libvterm 0.3.3 (seed 2, before the seeds were hashed):
;; operation 4 (r): line 3: incremental ("===" nil (nil t nil)), full ("===" nil nil)
;; DL (CSI M) deletes the row that continued the row above it: that row's
;; cells do not change, but it no longer wraps; the incremental redraw
;; rewrote only the damaged rows and kept its stale wrap mark.
(:rows 7 :cols 3 :sb 5 :thread nil :ops ((w "rL1=\nL3=") (w "===") (r) (w "\33[M") (r)))

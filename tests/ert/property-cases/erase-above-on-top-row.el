;; A case of tests/ert/vterm-property-tests.el, shrunk.
;; Found with libvterm 0.1.4 and 0.3.3, seed 14 case 1129:
;; seed 14 case 1129 (libvterm ?): operation 8 (r): line 0: incremental ("hjjdgo" nil (nil t nil)), full (" jjdgo" nil (nil t nil)) (2 and 2 lines)
;; ED 1 (CSI 1 J) with the cursor on the top row erased its first cell
;; but libvterm reported the damage as a rectangle of no rows: the
;; incremental redraw left the erased character.
(:rows 2 :cols 6 :sb 0 :thread nil :ops ((w "h") (w "jjdgoZ") (r) (w "\33") (w "[r") (w "\33[") (w "0") (w "\33[1J\33D") (r)))

;;; bench-shapes.el --- output shapes fed to a vterm module -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by tests/bench/run.sh twice, each time in its own `emacs -Q
;; --batch': once with this package's vterm.el and module, once with
;; emacs-libvterm's (Debian's elpa-vterm), since both define `vterm'.
;; Only the module functions the two share are called: `vterm--new',
;; `vterm--write-input' and `vterm--redraw', in a temporary buffer, so
;; both get the same bytes the same way and no process or timer takes
;; part.  How the bytes are cut into writes and where redraws come is
;; what benchtool's "shape" command does on libvterm alone (the ceiling).
;;
;; BENCH_SHAPES lists the cases, separated by ";", each "TAG FILE ROWS
;; COLS MODE": MODE "one" is the file in one write then one redraw,
;; "stream" 4096-byte writes with a redraw every 16 and at the end,
;; "frames" the writes whose lengths FILE.units lists, each redrawn.
;; BENCH_IMPL names the package in the keys printed, "TAG_IMPL_secs":
;; the best of BENCH_SHAPE_REPS runs (default 5) after an untimed one,
;; garbage collection included, collected before each run.

;;; Code:

(require 'vterm)

(defconst vterm-bench-shapes-stream-write 4096
  "Bytes per write in the \"stream\" mode.")

(defconst vterm-bench-shapes-stream-redraw-every 16
  "Writes between two redraws in the \"stream\" mode.")

(defun vterm-bench-shapes-read (file)
  "FILE's bytes as a unibyte string, as a process filter gets them."
  (with-temp-buffer
    (set-buffer-multibyte nil)
    (insert-file-contents-literally file)
    (buffer-string)))

(defun vterm-bench-shapes-writes (file mode)
  "FILE cut into writes for MODE: a list of (STRING . REDRAW-AFTER)."
  (let ((data (vterm-bench-shapes-read file)))
    (pcase mode
      ("one" (list (cons data t)))
      ("stream"
       (let ((writes nil) (n 0) (len (length data)))
         (while (< (* n vterm-bench-shapes-stream-write) len)
           (let ((beg (* n vterm-bench-shapes-stream-write)))
             (push (cons (substring data beg
                                    (min len (+ beg vterm-bench-shapes-stream-write)))
                         (or (= (% n vterm-bench-shapes-stream-redraw-every)
                                (1- vterm-bench-shapes-stream-redraw-every))
                             (>= (+ beg vterm-bench-shapes-stream-write) len)))
                   writes))
           (setq n (1+ n)))
         (nreverse writes)))
      ("frames"
       (let ((pos 0) (writes nil))
         (dolist (unit (split-string (vterm-bench-shapes-read
                                      (concat file ".units"))))
           (let ((end (+ pos (string-to-number unit))))
             (push (cons (substring data pos end) t) writes)
             (setq pos end)))
         (nreverse writes)))
      (_ (error "Unknown mode %s" mode)))))

(defun vterm-bench-shapes-once (writes rows cols)
  "Seconds to feed WRITES to a new ROWS x COLS terminal and redraw it.
WRITES is what `vterm-bench-shapes-writes' returns."
  (with-temp-buffer
    ;; emacs-libvterm's takes its five options only all together.
    (let ((term (vterm--new rows cols 1000 nil nil nil nil nil)))
      (garbage-collect)
      (let ((t0 (float-time)))
        (dolist (w writes)
          (vterm--write-input term (car w))
          (when (cdr w)
            (vterm--redraw term)))
        (prog1 (- (float-time) t0)
          ;; emacs-libvterm has no explicit free: its finalizer does it.
          (when (fboundp 'vterm--free)
            (funcall 'vterm--free term)))))))

(defun vterm-bench-shapes-main ()
  "Print the best time of each case in BENCH_SHAPES (see the Commentary)."
  (let ((impl (or (getenv "BENCH_IMPL") "ours"))
        (reps (max 1 (string-to-number (or (getenv "BENCH_SHAPE_REPS") "5")))))
    (dolist (case (split-string (or (getenv "BENCH_SHAPES") "") ";" t " "))
      (pcase-let* ((`(,tag ,file ,rows ,cols ,mode) (split-string case))
                   (writes (vterm-bench-shapes-writes file mode))
                   (best nil))
        ;; One run more than timed, the first: a fresh Emacs pays page
        ;; faults for the memory its first terminals take (see RESULTS.md).
        (dotimes (i (1+ reps))
          (let ((secs (vterm-bench-shapes-once writes
                                               (string-to-number rows)
                                               (string-to-number cols))))
            (when (> i 0)
              (setq best (if best (min best secs) secs)))))
        (princ (format "%s_%s_secs %.6f\n" tag impl best))))))

(provide 'bench-shapes)
;;; bench-shapes.el ends here

;;; vterm-property-tests.el --- Property test of the incremental redraw -*- lexical-binding: t; -*-

;;; Commentary:

;; The property: after any sequence of process output and resizes, the
;; buffer that incremental redraws (`vterm--redraw' at each checkpoint)
;; made equals what one redraw from scratch of the same terminal state
;; makes: the same text, the same faces, wrap and prompt marks, the
;; same point and cursor visibility.
;;
;; A case is a terminal size, a scrollback limit and a list of
;; operations:
;;
;;   (w BYTES)      `vterm--write-input' of BYTES (a unibyte string)
;;   (s ROWS COLS)  `vterm--set-size'
;;   (r)            checkpoint: `vterm--redraw', then compare
;;   (rs)           the same with STREAMING non-nil (parse thread only)
;;
;; Terminal A runs the case and is redrawn at every checkpoint.  At a
;; checkpoint, terminal B, new, gets the same writes (the same pieces)
;; and resizes up to there and is redrawn once, into an empty buffer:
;; everything it shows is drawn at once.  With :thread, A's output is
;; parsed by its parse thread (`vterm--start-parse-thread'), its
;; consecutive writes joined (see `vterm-prop--run' for why); B always
;; parses on Emacs's thread.
;;
;; A streaming redraw (rs) may leave new scrollback for later on purpose
;; (HACKING.md, "Scrollback drawn later while output streams"): then the
;; buffer's screen lines, point and cursor must be B's, and the lines
;; above them exactly what they were before that redraw (nothing of the
;; scrollback drawn or deleted); or the whole buffer must be B's.  Every
;; (r) checkpoint, and the last operation of a case is one, compares
;; the whole buffer.
;;
;; Faces compare by appearance: face plists as sorted alists, and on a
;; space the attributes that only a glyph shows are left out: :weight
;; and :slant always, :foreground unless the space is reversed (then
;; it is the colour the cell shows).
;;
;; `vterm-property-test-random' first replays every kept case in
;; tests/ert/property-cases/*.el, then runs random cases.  Environment:
;;
;;   VTERM_PROP_SEED   the seed (any string; default: from the time).
;;                     It is printed; case I of seed S is generated from
;;                     "S-I" alone, so a failure reproduces with the seed.
;;   VTERM_PROP_CASES  how many random cases (default 1000).
;;   VTERM_PROP_SAVE   where a failing case goes once shrunk (default
;;                     tests/ert/property-cases/); keep it there, and fix.
;;
;; A failing case is shrunk by delta debugging over its operations, then
;; over the bytes of each write, and saved as a readable case file.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'vterm-module)
(require 'vterm-transport)

(declare-function vterm--start-parse-thread "vterm-module")

(defconst vterm-prop--dir
  (expand-file-name "property-cases"
                    (file-name-directory (or load-file-name buffer-file-name)))
  "The kept cases, replayed first.")

;;;; Generating cases

(defun vterm-prop--int (lo hi)
  "A random integer in LO..HI."
  (+ lo (random (1+ (- hi lo)))))

(defun vterm-prop--pick (seq)
  "A random element of the list SEQ."
  (nth (random (length seq)) seq))

(defun vterm-prop--sgr ()
  "A random SGR sequence."
  (concat
   "\e["
   (mapconcat
    #'identity
    (cl-loop
     repeat (vterm-prop--int 1 3)
     collect
     (pcase (random 9)
       (0 (vterm-prop--pick '("0" "1" "3" "4" "4:3" "4:2" "4:0" "7" "9" "21"
                              "22" "23" "24" "27" "29" "5" "8" "28" "")))
       (1 (number-to-string (vterm-prop--int 30 37)))
       (2 (number-to-string (vterm-prop--int 40 47)))
       (3 (number-to-string (vterm-prop--int 90 97)))
       (4 (number-to-string (vterm-prop--int 100 107)))
       (5 (format "%d;5;%d" (vterm-prop--pick '(38 48)) (random 256)))
       (6 (format "%d;2;%d;%d;%d" (vterm-prop--pick '(38 48))
                  (random 256) (random 256) (random 256)))
       (7 "0")
       (_ (vterm-prop--pick '("39" "49")))))
    ";")
   "m"))

(defun vterm-prop--text (cols)
  "Random printable text, up to about 2 * COLS columns."
  (pcase (random 6)
    (0 (vterm-prop--pick '("中" "文字" "😀" "🎉x" "한국어" "ｗｉｄｅ" "a中")))
    (1 (vterm-prop--pick '("e\u0301" "a\u0308\u0323" "\u0301" "n\u0303 "
                           "中\u0301" "x\u200d")))
    (2 (make-string (vterm-prop--int 1 (* 2 cols))
                    (vterm-prop--pick '(?x ?- ?# ?\s))))
    (_ (apply #'string
              (cl-loop repeat (vterm-prop--int 1 (+ cols 3))
                       collect (vterm-prop--pick
                                '(?a ?b ?c ?d ?e ?f ?g ?h ?i ?j ?k ?l ?m ?n
                                  ?o ?\s ?0 ?1 ?2 ?3 ?. ?/ ?A ?Z)))))))

(defun vterm-prop--lines (cols)
  "A burst of numbered lines, some wider than COLS."
  (mapconcat (lambda (k)
               (concat (format "L%d" k)
                       (make-string (random (+ cols 3)) ?=)))
             (number-sequence 1 (vterm-prop--int 1 8))
             (vterm-prop--pick '("\r\n" "\n\r" "\r\n" "\e[E"))))

(defun vterm-prop--fragment (rows cols)
  "One random piece of process output for a terminal near ROWS x COLS."
  (let ((r (lambda () (vterm-prop--int 0 (+ rows 2))))
        (c (lambda () (vterm-prop--int 0 (+ cols 2)))))
    (pcase (random 24)
      ((or 0 1 2 3 4) (vterm-prop--text cols))
      ((or 5 6) (vterm-prop--sgr))
      ((or 7 8) (vterm-prop--pick '("\r\n" "\n" "\r" "\b" "\t" "\e7" "\e8"
                                    "\eM" "\eD" "\eE" "\r\n\r\n")))
      (9 (vterm-prop--lines cols))
      (10 (format "\e[%d;%dH" (funcall r) (funcall c)))
      (11 (format "\e[%d%s" (funcall r) (vterm-prop--pick '("A" "B" "d" "E" "F"))))
      (12 (format "\e[%d%s" (funcall c) (vterm-prop--pick '("C" "D" "G" "b"))))
      (13 (format "\e[%dJ" (random 4)))
      (14 (format "\e[%dK" (random 3)))
      (15 (format "\e[%d%s" (vterm-prop--int 0 3)
                  (vterm-prop--pick '("X" "P" "@" "L" "M" "S" "T"))))
      (16 (vterm-prop--pick (list (format "\e[%d;%dr" (funcall r) (funcall r))
                                  "\e[r"
                                  (format "\e[%d;%dr" (vterm-prop--int 1 rows)
                                          (vterm-prop--int 1 rows))
                                  "\e[?6h" "\e[?6l")))
      (17 (vterm-prop--pick '("\e[?1049h" "\e[?1049l" "\e[?47h" "\e[?47l"
                              "\e[?1047h" "\e[?1047l" "\e[?1048h" "\e[?1048l")))
      (18 (vterm-prop--pick '("\e[?25l" "\e[?25h" "\e[?7l" "\e[?7h"
                              "\e[4h" "\e[4l" "\e[6n" "\e[5n" "\e[c")))
      (19 (vterm-prop--pick
           (list (format "\e]0;title %d\a" (random 100))
                 (format "\e]2;t%d\e\\" (random 100))
                 (format "\e]7;file://host/tmp/d%d\a" (random 10))
                 (format "\e]51;Auser@host:/d%d\e\\" (random 10))
                 "\e]51;Eecho hi\a"
                 "\e]52;c;aGk=\a")))
      (20 (vterm-prop--pick
           (list "\e[?69h" "\e[?69l"
                 (format "\e[%d;%ds" (funcall c) (funcall c)))))
      (21 (vterm-prop--pick '("\e[3J" "\e[2J\e[H" "\ec" "\e#8" "\e[?5h"
                              "\e[?5l" "\eH" "\e[3g" "\e[0g" "\e[2 q"
                              "\e[5 q" "\e[?12h" "\e[?12l" "\e[2I"
                              "\e[Z" "\e[?1h" "\e=" "\e(0lqk\e(B")))
      (22 (concat (vterm-prop--sgr) (vterm-prop--text cols) "\e[0m"))
      (_ (concat "\e[" (number-to-string (funcall r)) ";"
                 (number-to-string (funcall c)) "H" (vterm-prop--text cols))))))

(defun vterm-prop--split-bytes (bytes)
  "BYTES (unibyte) as 1 to 3 pieces, split anywhere."
  (let ((cuts (sort (cl-loop repeat (random 3)
                             collect (random (1+ (length bytes))))
                    #'<))
        (from 0) pieces)
    (dolist (cut cuts)
      (push (substring bytes from cut) pieces)
      (setq from cut))
    (push (substring bytes from) pieces)
    (cl-remove-if (lambda (s) (= (length s) 0)) (nreverse pieces))))

(defun vterm-prop--generate (thread)
  "A random case; with THREAD non-nil, one for the parse thread."
  (let* ((rows0 (vterm-prop--int 1 8))
         (cols0 (vterm-prop--int 2 16))
         (rows rows0) (cols cols0)
         (sb (vterm-prop--pick '(0 1 3 5 20)))
         (ops nil))
    (dotimes (_ (vterm-prop--int 3 20))
      (pcase (random 10)
        ((or 0 1 2 3 4 5)
         (let ((s (apply #'concat (cl-loop repeat (vterm-prop--int 1 6)
                                           collect (vterm-prop--fragment
                                                    rows cols)))))
           (dolist (piece (funcall (if thread #'list
                                     #'vterm-prop--split-bytes)
                                   (encode-coding-string s 'utf-8-unix)))
             (push (list 'w piece) ops))))
        (6 (setq rows (max 1 (+ rows (vterm-prop--int -3 3)))
                 cols (max 2 (+ cols (vterm-prop--int -5 5))))
           (push (list 's rows cols) ops))
        (_ (push (if (and thread (= (random 2) 0)) '(rs) '(r)) ops))))
    (push '(r) ops)
    (list :rows rows0 :cols cols0 :sb sb :thread thread
          :ops (nreverse ops))))

;;;; Running a case

(defmacro vterm-prop--quiet (&rest body)
  "Run BODY with the module's callbacks to Lisp doing nothing."
  `(cl-letf (((symbol-function 'vterm--flush-output) #'ignore)
             ((symbol-function 'vterm--set-title) #'ignore)
             ((symbol-function 'vterm--set-directory) #'ignore)
             ((symbol-function 'vterm--eval) #'ignore)
             ((symbol-function 'vterm--set-selection) #'ignore)
             ((symbol-function 'blink-cursor-mode) #'ignore))
     ,@body))

(defun vterm-prop--face (face space)
  "FACE (a face plist or nil) as a sorted alist; SPACE: it is on a space."
  (cond
   ((null face) nil)
   ((not (consp face)) (list (cons 'face face)))
   (t
    (let ((reversed (plist-get face :inverse-video)) alist)
      (cl-loop for (k v) on face by #'cddr
               unless (and space
                           (memq k (if reversed '(:weight :slant)
                                     '(:foreground :weight :slant))))
               do (push (cons k v) alist))
      (sort alist (lambda (a b) (string< (car a) (car b))))))))

(defun vterm-prop--props-at (pos)
  "What matters of the properties of the character at POS."
  (let ((props (list (vterm-prop--face (get-text-property pos 'face)
                                       (eq (char-after pos) ?\s))
                     (and (get-text-property pos 'vterm-line-wrap) t)
                     (and (get-text-property pos 'vterm-prompt) t))))
    (and (cl-some #'identity props) props)))

(defun vterm-prop--line (bol eol)
  "The line from BOL to EOL: (TEXT RUNS NEWLINE-PROPS)."
  (let ((runs nil) (pos bol))
    (while (< pos eol)
      (let ((props (vterm-prop--props-at pos)))
        (if (and runs (equal (nth 2 (car runs)) props))
            (setcar (cdar runs) (- (1+ pos) bol))
          (push (list (- pos bol) (- (1+ pos) bol) props) runs)))
      (setq pos (1+ pos)))
    (list (buffer-substring-no-properties bol eol)
          (cl-remove-if-not (lambda (run) (nth 2 run)) (nreverse runs))
          (and (< eol (point-max)) (vterm-prop--props-at eol)))))

(defun vterm-prop--snapshot ()
  "The current buffer as (:lines LINES :point (BACK . COL) :hidden BOOL).
BACK counts lines from the last one, COL characters from its start."
  (let ((lines nil) (pt (point)) back col)
    (save-excursion
      (goto-char (point-min))
      (while (progn
               (let ((bol (point)) (eol (line-end-position)))
                 (push (vterm-prop--line bol eol) lines)
                 (when (and (<= bol pt) (<= pt eol))
                   (setq back (length lines) col (- pt bol)))
                 (goto-char eol))
               (< (point) (point-max)))
        (forward-char 1)))
    (setq lines (nreverse lines))
    (list :lines lines
          :point (cons (- (length lines) back) col)
          :hidden (and (local-variable-p 'cursor-type) (not cursor-type)))))

(defun vterm-prop--full (case prefix)
  "Snapshot of a terminal of CASE given PREFIX's writes and resizes at once."
  (with-temp-buffer
    (let ((b (vterm--new (plist-get case :rows) (plist-get case :cols)
                         (plist-get case :sb))))
      (dolist (op prefix)
        (pcase op
          (`(w ,bytes) (vterm--write-input b bytes))
          (`(s ,rows ,cols) (vterm--set-size b rows cols))))
      (vterm--redraw b)
      (vterm-prop--snapshot))))

(defun vterm-prop--diff (a b)
  "Where snapshots A and B first differ, as a string."
  (let ((la (plist-get a :lines)) (lb (plist-get b :lines)) (i 0))
    (while (and la lb (equal (car la) (car lb)))
      (setq la (cdr la) lb (cdr lb) i (1+ i)))
    (cond
     ((or la lb)
      (format "line %d: incremental %S, full %S (%d and %d lines)"
              i (car la) (car lb)
              (length (plist-get a :lines)) (length (plist-get b :lines))))
     ((not (equal (plist-get a :point) (plist-get b :point)))
      (format "point (lines from the end . column): incremental %S, full %S"
              (plist-get a :point) (plist-get b :point)))
     (t (format "cursor hidden: incremental %S, full %S"
                (plist-get a :hidden) (plist-get b :hidden))))))

(defun vterm-prop--deferred-ok (got full before rows)
  "Non-nil when GOT is a streaming redraw that deferred scrollback.
FULL is the full redraw, BEFORE the buffer before this redraw, ROWS
the screen's height: the last ROWS lines, point and cursor as in
FULL, the lines above them as in BEFORE."
  (let ((g (plist-get got :lines)) (f (plist-get full :lines))
        (b (plist-get before :lines)))
    (and before
         (>= (length g) rows) (>= (length b) rows)
         (equal (last g rows) (last f rows))
         (equal (butlast g rows) (butlast b rows))
         (equal (plist-get got :point) (plist-get full :point))
         (equal (plist-get got :hidden) (plist-get full :hidden)))))

(defun vterm-prop--run-1 (case)
  "Run CASE; nil when it holds, else a string saying where it fails."
  (with-temp-buffer
    (let* ((a (vterm--new (plist-get case :rows) (plist-get case :cols)
                          (plist-get case :sb)))
           (rows (plist-get case :rows))
           (prefix nil) (before nil) (index 0) (failure nil))
      (unwind-protect
          (progn
            (when (and (plist-get case :thread)
                       (not (vterm--open-wakeup a #'ignore)))
              (setq failure "the parse thread did not start"))
            (dolist (op (plist-get case :ops))
              (unless failure
                (pcase op
                  (`(w ,bytes) (vterm--write-input a bytes) (push op prefix))
                  (`(s ,r ,c) (vterm--set-size a r c) (setq rows r)
                   (push op prefix))
                  ((or '(r) '(rs))
                   (vterm--redraw a (equal op '(rs)))
                   (let ((got (vterm-prop--snapshot))
                         (full (vterm-prop--full case (reverse prefix))))
                     (unless (or (equal got full)
                                 (and (equal op '(rs))
                                      (vterm-prop--deferred-ok
                                       got full before rows)))
                       (setq failure
                             (format "operation %d %S: %s" index op
                                     (vterm-prop--diff got full))))
                     (setq before got))))
                (setq index (1+ index)))))
        (vterm--delete-wakeup))
      failure)))

(defun vterm-prop--merge-writes (ops)
  "OPS with each run of consecutive writes made one write."
  (let (out)
    (dolist (op ops)
      (if (and (eq (car op) 'w) (eq (car (car out)) 'w))
          (setcar out (list 'w (concat (cadr (car out)) (cadr op))))
        (push op out)))
    (nreverse out)))

(defun vterm-prop--run (case)
  "Run CASE; nil when the property holds, else a string saying why not.
With :thread, consecutive writes are made one: the parse thread parses
what is queued when it gets to it, so whether two writes reach libvterm
as one is timing; and libvterm's result can depend on it.  With 0.1.4
and 0.3.3 alike, a combining character written after a character in
the last column combines with it in the same write but not in the next
one (the cursor waits in the phantom column, and libvterm's combining
across writes compares the column before it).  Merged, the thread
parses each run of writes as one, as terminal B does."
  (when (plist-get case :thread)
    (setq case (plist-put (copy-sequence case) :ops
                          (vterm-prop--merge-writes (plist-get case :ops)))))
  (condition-case err
      (vterm-prop--quiet (vterm-prop--run-1 case))
    (error (format "error: %S" err))))

;;;; Shrinking

(defvar vterm-prop--budget 0
  "Case runs left for shrinking the current failure.")

(defun vterm-prop--chunks (items n)
  "ITEMS as N consecutive chunks of near-equal length."
  (let ((len (length items)) chunks (start 0))
    (dotimes (i n)
      (let ((end (/ (* (1+ i) len) n)))
        (push (cl-subseq items start end) chunks)
        (setq start end)))
    (nreverse (cl-remove-if #'null chunks))))

(defun vterm-prop--ddmin (items fails)
  "A smaller list than ITEMS (a list) for which FAILS still returns non-nil.
Delta debugging: remove chunks of halving size while it fails."
  (let ((n 2))
    (while (and (>= (length items) 2) (> vterm-prop--budget 0))
      (let* ((chunks (vterm-prop--chunks items n))
             (found
              (cl-loop for i below (length chunks)
                       for rest = (apply #'append
                                         (append (cl-subseq chunks 0 i)
                                                 (cl-subseq chunks (1+ i))))
                       when (and (> vterm-prop--budget 0)
                                 (progn (cl-decf vterm-prop--budget)
                                        (funcall fails rest)))
                       return rest)))
        (cond (found (setq items found n (max 2 (1- n))))
              ((>= n (length items)) (setq n nil))
              (t (setq n (min (length items) (* 2 n)))))
        (unless n (setq vterm-prop--budget (min vterm-prop--budget 0)
                        items items))))
    items))

(defun vterm-prop--shrink (case)
  "A smaller case than CASE that still fails."
  (let* ((vterm-prop--budget 3000)
         (with-ops (lambda (ops) (plist-put (copy-sequence case) :ops ops)))
         (ops (plist-get case :ops)))
    ;; Operations, keeping the last checkpoint.
    (let ((budget vterm-prop--budget))
      (setq ops (vterm-prop--ddmin
                 (butlast ops)
                 (lambda (o) (vterm-prop--run
                              (funcall with-ops (append o (last ops)))))))
      (setq ops (append ops (last (plist-get case :ops))))
      (setq vterm-prop--budget (max budget 1000)))
    ;; The bytes of each write.
    (dotimes (i (length ops))
      (let ((op (nth i ops)))
        (when (eq (car op) 'w)
          (setq vterm-prop--budget 300)
          (let ((bytes (vterm-prop--ddmin
                        (string-to-list (cadr op))
                        (lambda (b)
                          (let ((o (copy-sequence ops)))
                            (setf (nth i o)
                                  (list 'w (apply #'unibyte-string b)))
                            (vterm-prop--run (funcall with-ops o)))))))
            (setf (nth i ops) (list 'w (apply #'unibyte-string bytes)))))))
    (funcall with-ops ops)))

;;;; Case files

(defun vterm-prop--save (case name why)
  "Write CASE to NAME.el in the save directory, with WHY; return the file."
  (let* ((dir (or (getenv "VTERM_PROP_SAVE") vterm-prop--dir))
         (file (expand-file-name (concat name ".el") dir)))
    (make-directory dir t)
    (with-temp-file file
      (let ((print-escape-newlines t)
            (print-escape-control-characters t)
            (print-escape-nonascii t)
            (print-length nil) (print-level nil))
        (insert ";; A case of tests/ert/vterm-property-tests.el, shrunk.\n"
                (replace-regexp-in-string "^" ";; " why) "\n")
        (prin1 case (current-buffer))
        (insert "\n")))
    file))

(defun vterm-prop--kept-cases ()
  "The kept cases: a list of (FILE . CASE)."
  (mapcar (lambda (file)
            (cons file (with-temp-buffer
                         (insert-file-contents file)
                         (read (current-buffer)))))
          (and (file-directory-p vterm-prop--dir)
               (directory-files vterm-prop--dir t "\\.el\\'"))))

;;;; The tests

(defconst vterm-prop--thread-p
  (or (eq system-type 'windows-nt) (fboundp 'make-pipe-process))
  "Non-nil if the module has a parse thread here.
Windows wakes Emacs over a loopback connection; POSIX needs Emacs 28's
pipe processes (`vterm--open-wakeup').")

(defun vterm-prop--here (case)
  "Return CASE as this system runs it: without a parse thread, none."
  (if (and (plist-get case :thread) (not vterm-prop--thread-p))
      (plist-put (copy-sequence case) :thread nil)
    case))

(defun vterm-prop--replay-kept ()
  "Replay the kept cases; return the failures as (FILE . WHY)."
  (let (failures)
    (dolist (kept (vterm-prop--kept-cases))
      (let ((why (vterm-prop--run (vterm-prop--here (cdr kept)))))
        (when why
          (message "property: kept case %s fails: %s"
                   (file-name-nondirectory (car kept)) why)
          (push (cons (file-name-nondirectory (car kept)) why) failures))))
    (nreverse failures)))

(defun vterm-prop--check-random (seed count)
  "Run COUNT random cases of SEED; nil, or (CASE-NAME FILE WHY SHRUNK)."
  (let ((start (float-time)) failure)
    (cl-loop
     for i below count
     until failure
     do (let* ((name (format "%s-%d" seed i))
               (case (progn
                       ;; `random' folds a seed string into a few bytes
                       ;; (with xor: "2-616" and "3-617" were one
                       ;; seed): seed it with 4 bytes of the name's hash.
                       (random (substring (secure-hash 'md5 name nil nil t)
                                          0 4))
                            ;; One case in four is run with the parse thread.
                            (vterm-prop--generate (= (random 4) 0))))
               (why nil))
          (setq case (vterm-prop--here case))
          (setq why (vterm-prop--run case))
          (when why
            (message "property: case %s fails: %s\nshrinking..." name why)
            (let* ((shrunk (vterm-prop--shrink case))
                   (swhy (or (vterm-prop--run shrunk) why))
                   (file (vterm-prop--save
                          shrunk (concat "case-" name)
                          (format "seed %s case %d (%s): %s"
                                  seed i
                                  (concat "libvterm "
                                          (or (getenv "VTERM_TEST_LIBVTERM")
                                              "unknown"))
                                  swhy))))
              (setq failure (list name file swhy shrunk))))))
    (message "property: %d random cases of seed %s in %.1f s%s"
             count seed (- (float-time) start)
             (if failure " (stopped at a failure)" ""))
    failure))

(ert-deftest vterm-property-test-random ()
  "Incremental redraws equal one full redraw of the same terminal state.
The kept cases first, then random ones (see the Commentary)."
  (let* ((seed (or (getenv "VTERM_PROP_SEED")
                   (format "%d" (mod (truncate (* 1000 (float-time)))
                                     1000000000))))
         (count (string-to-number (or (getenv "VTERM_PROP_CASES") "1000")))
         (kept (vterm-prop--replay-kept)))
    (message "property: seed %s (VTERM_PROP_SEED=%s reproduces), %d cases"
             seed seed count)
    (should-not kept)
    (let ((failure (vterm-prop--check-random seed count)))
      (when failure
        (message "property: shrunk case kept in %s:\n%S\n%s"
                 (nth 1 failure) (nth 3 failure) (nth 2 failure)))
      (should-not failure))))

;;; vterm-property-tests.el ends here

;;; vterm-module-tests.el --- ERT tests of vterm-module itself -*- lexical-binding: t; -*-

;;; Commentary:

;; Feed a byte string to a terminal with `vterm--write-input', redraw it
;; into a temporary buffer with `vterm--redraw', compare the buffer text,
;; point and faces.  The module is loaded directly; the runner puts the
;; module under test first in `load-path'.  The Lisp callbacks the module
;; calls (`vterm--flush-output', `vterm--set-title',
;; `vterm--set-directory') are replaced with recorders for each test, so
;; these tests do not depend on vterm.el, though they run beside it.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'vterm-module)
(require 'vterm-transport)

;; The named colours come from these faces; vterm.el defines them.  When
;; this file runs alone, define stand-ins so the face lookups are real.
(dolist (spec '((black "#000000") (red "#cd0000") (green "#00cd00")
                (yellow "#cdcd00") (blue "#0000ee") (magenta "#cd00cd")
                (cyan "#00cdcd") (white "#e5e5e5")))
  (dolist (prefix '("vterm-color-" "vterm-color-bright-"))
    (let ((face (intern (concat prefix (symbol-name (car spec))))))
      (unless (facep face)
        (custom-declare-face
         face `((t :foreground ,(cadr spec) :background ,(cadr spec)))
         "Stand-in for the vterm.el face of the same name."
         :group 'faces)))))

(defvar vterm-module-test--output nil
  "Strings passed to `vterm--flush-output', newest first.")
(defvar vterm-module-test--titles nil
  "Strings passed to `vterm--set-title', newest first.")
(defvar vterm-module-test--dirs nil
  "Strings passed to `vterm--set-directory', newest first.")

(defmacro vterm-module-test-with (spec &rest body)
  "Run BODY in a temporary buffer with a terminal.
SPEC is (VAR ROWS COLS [SB-SIZE [ARGS...]]): VAR is bound to a new
terminal of that size; ARGS are the optional arguments of `vterm--new'.
Callbacks from the module are recorded in `vterm-module-test--output',
`vterm-module-test--titles' and `vterm-module-test--dirs'."
  (declare (indent 1))
  (let ((var (nth 0 spec)) (rows (nth 1 spec)) (cols (nth 2 spec))
        (sb (or (nth 3 spec) 100)) (args (nthcdr 4 spec)))
    `(let ((vterm-module-test--output nil)
           (vterm-module-test--titles nil)
           (vterm-module-test--dirs nil))
       (cl-letf (((symbol-function 'vterm--flush-output)
                  (lambda (s) (push s vterm-module-test--output)))
                 ((symbol-function 'vterm--set-title)
                  (lambda (s) (push s vterm-module-test--titles)))
                 ((symbol-function 'vterm--set-directory)
                  (lambda (s) (push s vterm-module-test--dirs))))
         (with-temp-buffer
           (let ((,var (vterm--new ,rows ,cols ,sb ,@args)))
             ,@body))))))

(defun vterm-module-test-feed (term &rest strings)
  "Write each of STRINGS to TERM as process output, then redraw."
  (dolist (s strings)
    (vterm--write-input term s))
  (vterm--redraw term))

(defun vterm-module-test-wait (pred)
  "Process events until PRED returns non-nil, at most 10 seconds.
Return its last value."
  (let ((deadline (+ (float-time) 10))
        (value nil))
    (while (and (not (setq value (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.02))
    value))

(defun vterm-module-test-output ()
  "All output the terminal produced so far, as one unibyte string."
  (apply #'concat (reverse vterm-module-test--output)))

(defun vterm-module-test-face-at (pos)
  "The face property at POS."
  (get-text-property pos 'face))

(defun vterm-module-test-pos (line col)
  "Buffer position of LINE (1-based) and character COL (0-based)."
  (save-excursion
    (goto-char (point-min))
    (forward-line (1- line))
    (+ (point) col)))

;;;; Text and point

(ert-deftest vterm-module-test-plain-text-and-point ()
  (vterm-module-test-with (vt 4 20)
    (vterm-module-test-feed vt "hello\r\nworld")
    (should (equal (buffer-string) "hello\nworld\n\n"))
    (should (= (point) (vterm-module-test-pos 2 5)))))

(ert-deftest vterm-module-test-cursor-movement-sets-point ()
  (vterm-module-test-with (vt 4 20)
    (vterm-module-test-feed vt "abc\r\ndef\e[1;2H")
    (should (= (point) 2))
    (vterm-module-test-feed vt "\e[2;3H")
    (should (= (point) (vterm-module-test-pos 2 2)))))

(ert-deftest vterm-module-test-point-past-end-of-text ()
  "Blanks up to the cursor are kept on its row so point can be there."
  (vterm-module-test-with (vt 3 20)
    (vterm-module-test-feed vt "ab\e[6G")
    (should (equal (buffer-substring (point-min) (line-end-position))
                   "ab   "))
    (should (= (point) 6))
    (vterm-module-test-feed vt "\r\n")
    (should (equal (buffer-string) "ab\n\n"))))

(ert-deftest vterm-module-test-partial-redraw-rewrites-changed-rows ()
  (vterm-module-test-with (vt 4 20)
    (vterm-module-test-feed vt "one\r\ntwo\r\nthree")
    (vterm-module-test-feed vt "\e[2;1HTWO")
    (should (equal (buffer-string) "one\nTWO\nthree\n"))
    (vterm-module-test-feed vt "\e[H\e[2J")
    (should (equal (buffer-string) "\n\n\n"))
    (should (= (point) 1))))

(ert-deftest vterm-module-test-multibyte-and-unibyte-input ()
  (vterm-module-test-with (vt 2 20)
    (vterm-module-test-feed vt "h\u00e9" (string-to-unibyte "\303\251"))
    (should (equal (buffer-string) "h\u00e9\u00e9\n"))))

(ert-deftest vterm-module-test-wide-characters ()
  (vterm-module-test-with (vt 2 20)
    (vterm-module-test-feed vt (encode-coding-string "\u4e2d\u6587x" 'utf-8))
    (should (equal (buffer-substring (point-min) (line-end-position))
                   "\u4e2d\u6587x"))
    (should (= (point) 4))))

(ert-deftest vterm-module-test-combining-characters ()
  (vterm-module-test-with (vt 2 20)
    (vterm-module-test-feed vt (encode-coding-string "e\u0301x" 'utf-8))
    (should (equal (buffer-substring (point-min) (line-end-position))
                   "e\u0301x"))
    (should (= (point) 4))))

(ert-deftest vterm-module-test-utf8-split-across-writes ()
  (vterm-module-test-with (vt 2 20)
    (vterm-module-test-feed vt "a\344" "\270" "\255b")
    (should (equal (buffer-substring (point-min) (line-end-position))
                   "a\u4e2db"))))

(ert-deftest vterm-module-test-broken-utf8-split-across-writes ()
  "A UTF-8 sequence broken by ASCII is U+FFFD however the writes split.
Found by the property test's parse thread, which joins writes."
  (dolist (writes '(("a\314T") ("a\314" "T") ("a" "\314" "T")
                    ("a\342\202" "T") ("a\342" "\202T")))
    (vterm-module-test-with (vt 2 20)
      (apply #'vterm-module-test-feed vt writes)
      (should (equal (cons writes (buffer-substring (point-min)
                                                    (line-end-position)))
                     (cons writes "a\ufffdT"))))))

(ert-deftest vterm-module-test-escape-split-across-writes ()
  (vterm-module-test-with (vt 2 20)
    (vterm-module-test-feed vt "\e" "[3" "1mR\e[" "0mN")
    (should (equal (buffer-substring (point-min) (line-end-position)) "RN"))
    (should (plist-get (vterm-module-test-face-at 1) :foreground))
    (should-not (vterm-module-test-face-at 2))))

(ert-deftest vterm-module-test-wrapped-line-marked ()
  (vterm-module-test-with (vt 3 5)
    (vterm-module-test-feed vt "abcdefg\r\nxy")
    (should (equal (buffer-string) "abcde\nfg\nxy"))
    (should (get-text-property 6 'vterm-line-wrap))
    (should-not (get-text-property 9 'vterm-line-wrap))
    ;; Rewriting the first row alone keeps its mark right.
    (vterm-module-test-feed vt "\e[1;1H\e[K12")
    (should (equal (buffer-string) "12\nfg\nxy"))
    (should-not (get-text-property 3 'vterm-line-wrap))))

;; What the module under test can do depends on its libvterm: the
;; suite says which one it built against (tests/ert/ert.mk), and the
;; tests below that differ by it check that behaviour.
(defun vterm-module-test-has (feature)
  "Non-nil when the suite's libvterm has FEATURE.
FEATURE is `scrollback-clear' (CSI 3 J, libvterm 0.2) or `reflow'
\(exact wrap marks, lines rewrapped on resize: 0.3).  The version is
$VTERM_TEST_LIBVTERM, which every suite sets."
  (let ((version (or (getenv "VTERM_TEST_LIBVTERM")
                     (error "VTERM_TEST_LIBVTERM is not set"))))
    (version<= (pcase feature
                 ('scrollback-clear "0.2")
                 ('reflow "0.3")
                 (_ (error "Unknown libvterm feature %S" feature)))
               version)))

(ert-deftest vterm-module-test-scrollback-wrap-marks ()
  "Lines scrolled into the scrollback keep their wrap marks.
A line exactly as wide as the screen did not wrap: libvterm 0.3 says
so; with 0.1.4 a full row counts as wrapped."
  (vterm-module-test-with (vt 2 5)
    (vterm-module-test-feed vt "abcdefg\r\n12345\r\nlast\r\n")
    (should (equal (buffer-string) "abcde\nfg\n12345\nlast\n"))
    (should (get-text-property 6 'vterm-line-wrap))      ; after abcde
    (should-not (get-text-property 9 'vterm-line-wrap))  ; after fg
    (should (eq (and (get-text-property 15 'vterm-line-wrap) t)
                (not (vterm-module-test-has 'reflow))))))

(ert-deftest vterm-module-test-csi-3j-clears-scrollback ()
  "CSI 3 J drops the scrollback where libvterm reports it (0.2 and later)."
  (vterm-module-test-with (vt 2 10)
    (vterm-module-test-feed vt "one\r\ntwo\r\nthree\r\nfour")
    (should (equal (buffer-string) "one\ntwo\nthree\nfour"))
    (vterm-module-test-feed vt "\e[3J")
    (should (equal (buffer-string)
                   (if (vterm-module-test-has 'scrollback-clear)
                       "three\nfour"
                     "one\ntwo\nthree\nfour")))))

(ert-deftest vterm-module-test-alternate-screen-restores-text ()
  (vterm-module-test-with (vt 3 10)
    (vterm-module-test-feed vt "shell$ ")
    (vterm-module-test-feed vt "\e[?1049h\e[Hfull")
    (should (equal (buffer-string) "full\n\n"))
    (vterm-module-test-feed vt "\e[?1049l")
    (should (equal (buffer-string) "shell$ \n\n"))))

(ert-deftest vterm-module-test-cursor-blink ()
  "The program's cursor blinking drives `blink-cursor-mode' unless ignored."
  (let ((calls nil))
    (cl-letf (((symbol-function 'blink-cursor-mode)
               (lambda (arg) (push arg calls))))
      ;; IGNORE-BLINK-CURSOR nil: followed.
      (vterm-module-test-with (vt 2 10 100 nil nil nil nil)
        (setq calls nil)
        (vterm-module-test-feed vt "\e[?12l")
        (should (equal calls '(-1)))
        (vterm-module-test-feed vt "\e[1 q")
        (should (equal calls '(1 -1)))
        (vterm-module-test-feed vt "\e[2 q")
        (should (equal calls '(-1 1 -1))))
      ;; IGNORE-BLINK-CURSOR t, the default: never touched.
      (setq calls nil)
      (vterm-module-test-with (vt 2 10 100 nil nil nil t)
        (vterm-module-test-feed vt "\e[?12l\e[1 q")
        (should-not calls)))))

(ert-deftest vterm-module-test-cursor-visibility ()
  (vterm-module-test-with (vt 2 10)
    (vterm-module-test-feed vt "\e[?25l")
    (should (local-variable-p 'cursor-type))
    (should-not cursor-type)
    (vterm-module-test-feed vt "\e[?25h")
    (should-not (local-variable-p 'cursor-type))))

(ert-deftest vterm-module-test-synchronized-p ()
  "`vterm--synchronized-p' is non-nil between CSI ? 2026 h and l."
  (vterm-module-test-with (vt 2 10)
    (should-not (vterm--synchronized-p vt))
    (vterm-module-test-feed vt "\e[?2026h")
    (should (vterm--synchronized-p vt))
    (vterm-module-test-feed vt "\e[?2026l")
    (should-not (vterm--synchronized-p vt))))

(ert-deftest vterm-module-test-cursor-shapes ()
  "DECSCUSR sets `cursor-type': bar, underline, and a block is the user's own.
Hiding the cursor wins over its shape, which comes back with it;
`vterm-cursor-shapes' nil keeps the user's cursor."
  (vterm-module-test-with (vt 2 10)
    (vterm-module-test-feed vt "\e[6 q")
    (should (local-variable-p 'cursor-type))
    (should (eq cursor-type 'bar))
    (vterm-module-test-feed vt "\e[3 q")
    (should (eq cursor-type 'hbar))
    (vterm-module-test-feed vt "\e[?25l")
    (should-not cursor-type)
    (vterm-module-test-feed vt "\e[?25h")
    (should (eq cursor-type 'hbar))
    (vterm-module-test-feed vt "\e[2 q")
    (should-not (local-variable-p 'cursor-type))
    ;; Buffer-local, as it needs no vterm.el to be a special variable.
    (set (make-local-variable 'vterm-cursor-shapes) nil)
    (vterm-module-test-feed vt "\e[6 q")
    (should-not (local-variable-p 'cursor-type))))

;;;; Faces

(ert-deftest vterm-module-test-named-colours-use-vterm-faces ()
  (vterm-module-test-with (vt 2 20)
    (vterm-module-test-feed vt "\e[31mr\e[42mg\e[0;91mb\e[0m.")
    (should (equal (plist-get (vterm-module-test-face-at 1) :foreground)
                   (face-foreground 'vterm-color-red nil 'default)))
    (should (equal (plist-get (vterm-module-test-face-at 2) :background)
                   (face-background 'vterm-color-green nil 'default)))
    (should (equal (plist-get (vterm-module-test-face-at 3) :foreground)
                   (face-foreground 'vterm-color-bright-red nil 'default)))
    (should-not (vterm-module-test-face-at 4))))

(ert-deftest vterm-module-test-face-changes-apply ()
  "A changed vterm-color-* face colours text drawn after the change."
  (let ((old (face-foreground 'vterm-color-blue nil t)))
    (unwind-protect
        (vterm-module-test-with (vt 3 20)
          (vterm-module-test-feed vt "\e[34mA\e[0m")
          (set-face-foreground 'vterm-color-blue "#123456")
          (vterm-module-test-feed vt "\r\n\e[34mB\e[0m")
          (should (equal (plist-get (vterm-module-test-face-at
                                     (vterm-module-test-pos 2 0))
                                    :foreground)
                         "#123456")))
      (set-face-foreground 'vterm-color-blue old))))

(ert-deftest vterm-module-test-256-and-truecolour ()
  (vterm-module-test-with (vt 2 20)
    (vterm-module-test-feed vt "\e[38;5;196ma\e[38;2;1;2;3;48;2;250;251;252mb")
    (should (equal (plist-get (vterm-module-test-face-at 1) :foreground)
                   "#ff0000"))
    (should (equal (plist-get (vterm-module-test-face-at 2) :foreground)
                   "#010203"))
    (should (equal (plist-get (vterm-module-test-face-at 2) :background)
                   "#fafbfc"))))

(ert-deftest vterm-module-test-attributes ()
  (vterm-module-test-with (vt 2 20)
    (vterm-module-test-feed vt "\e[1mb\e[0;3mi\e[0;4mu\e[0;9ms\e[0;7mr\e[0m")
    (should (eq (plist-get (vterm-module-test-face-at 1) :weight) 'bold))
    (should (eq (plist-get (vterm-module-test-face-at 2) :slant) 'italic))
    (should (eq (plist-get (vterm-module-test-face-at 3) :underline) t))
    (should (eq (plist-get (vterm-module-test-face-at 4) :strike-through) t))
    (should (eq (plist-get (vterm-module-test-face-at 5) :inverse-video) t))))

(ert-deftest vterm-module-test-underline-styles ()
  "Curly underline (SGR 4:3) is a wave; single and double are plain."
  (vterm-module-test-with (vt 2 20)
    (vterm-module-test-feed vt "\e[4:3mc\e[0;4:2md\e[0;21me\e[0;4:1ms\e[0;4:0mn")
    (should (equal (plist-get (vterm-module-test-face-at 1) :underline)
                   '(:style wave)))
    (should (eq (plist-get (vterm-module-test-face-at 2) :underline) t))
    (should (eq (plist-get (vterm-module-test-face-at 3) :underline) t))
    (should (eq (plist-get (vterm-module-test-face-at 4) :underline) t))
    (should-not (vterm-module-test-face-at 5))))

(ert-deftest vterm-module-test-one-face-spec-per-combination ()
  "Equal attributes share one face object, and a run is one property."
  (vterm-module-test-with (vt 3 20)
    (vterm-module-test-feed vt "\e[1;32mab\e[0m-\e[1;32mcd\e[0m\r\n\e[1;32mef")
    (should (eq (vterm-module-test-face-at 1) (vterm-module-test-face-at 4)))
    (should (eq (vterm-module-test-face-at 1)
                (vterm-module-test-face-at (vterm-module-test-pos 2 0))))
    (should (= (next-single-property-change 1 'face) 3))))

(ert-deftest vterm-module-test-blank-takes-the-face-before-it ()
  "A blank that looks the same either way shares the run before it."
  (vterm-module-test-with (vt 3 20)
    ;; Only the foreground differs: the space joins "ab" (one property).
    (vterm-module-test-feed vt "\e[1;32mab\e[0m cd\r\n")
    (should (eq (vterm-module-test-face-at 3) (vterm-module-test-face-at 1)))
    (should (= (next-single-property-change 1 'face) 4))
    (should-not (vterm-module-test-face-at 4))
    ;; A background shows on a blank: the space keeps its own (none).
    (vterm-module-test-feed vt "\e[42mab\e[0m cd")
    (let ((row (vterm-module-test-pos 2 0)))
      (should (vterm-module-test-face-at row))
      (should-not (vterm-module-test-face-at (+ row 2))))))

(ert-deftest vterm-module-test-disable-switches ()
  (vterm-module-test-with (vt 2 20 100 t t t)
    (vterm-module-test-feed vt "\e[1;4;7mx")
    (should-not (vterm-module-test-face-at 1))))

(ert-deftest vterm-module-test-bold-as-bright ()
  (vterm-module-test-with (vt 2 20 100 nil nil nil nil t)
    (vterm-module-test-feed vt "\e[1;31mx")
    (should (equal (plist-get (vterm-module-test-face-at 1) :foreground)
                   (face-foreground 'vterm-color-bright-red nil 'default)))))

;;;; Scrollback and resize

(defun vterm-module-test-lines (n &optional from)
  "Process output for lines FROM (default 1) .. N, each \"lK\"."
  (mapconcat (lambda (k) (format "l%d" k))
             (number-sequence (or from 1) n) "\r\n"))

(ert-deftest vterm-module-test-scrollback-inserted-once ()
  (vterm-module-test-with (vt 3 10)
    (vterm-module-test-feed vt (vterm-module-test-lines 6))
    (should (equal (buffer-string) "l1\nl2\nl3\nl4\nl5\nl6"))
    (vterm-module-test-feed vt "\r\n" (vterm-module-test-lines 8 7))
    (should (equal (buffer-string) "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8"))
    (should (= (point) (point-max)))))

(ert-deftest vterm-module-test-scrollback-limit ()
  "Lines beyond the limit are dropped, including ones never shown."
  (vterm-module-test-with (vt 3 10 2)
    (vterm-module-test-feed vt (vterm-module-test-lines 10))
    (should (equal (buffer-string) "l6\nl7\nl8\nl9\nl10"))
    (vterm-module-test-feed vt "\r\nl11")
    (should (equal (buffer-string) "l7\nl8\nl9\nl10\nl11"))))

(ert-deftest vterm-module-test-resize-pulls-scrollback-back ()
  (vterm-module-test-with (vt 3 10)
    (vterm-module-test-feed vt (vterm-module-test-lines 5))
    (vterm--set-size vt 5 10)
    (vterm--redraw vt)
    (should (equal (buffer-string) "l1\nl2\nl3\nl4\nl5"))
    (should (= (point) (point-max)))
    (vterm--set-size vt 2 10)
    (vterm--redraw vt)
    (should (equal (buffer-string) "l1\nl2\nl3\nl4\nl5"))
    (vterm-module-test-feed vt "\r\nl6")
    (should (equal (buffer-string) "l1\nl2\nl3\nl4\nl5\nl6"))))

(ert-deftest vterm-module-test-reset-point ()
  (vterm-module-test-with (vt 3 10)
    (vterm-module-test-feed vt "ab\r\ncd")
    (goto-char (point-min))
    (should (= (vterm--reset-point vt) (vterm-module-test-pos 2 2)))
    (should (= (point) (vterm-module-test-pos 2 2)))))

(ert-deftest vterm-module-test-clear-scrollback ()
  (vterm-module-test-with (vt 2 10)
    (vterm-module-test-feed vt (vterm-module-test-lines 5))
    (should (equal (buffer-string) "l1\nl2\nl3\nl4\nl5"))
    (vterm--clear-scrollback vt)
    (vterm--redraw vt)
    (should (equal (buffer-string) "l4\nl5"))
    ;; Scrolling goes on from there: l4 is the new scrollback.
    (vterm-module-test-feed vt "\r\nl6")
    (should (equal (buffer-string) "l4\nl5\nl6"))))

;;;; The parse thread

(defmacro vterm-module-test-with-thread (spec &rest body)
  "Run BODY as `vterm-module-test-with' does, the terminal's output parsed
by a parse thread.  SPEC is (VAR ROWS COLS SB-SIZE WOKEN): WOKEN is a
variable set to t when the thread sends its wake-up byte (through this
OS's channel, `vterm--open-wakeup')."
  (declare (indent 1))
  (let ((woken (nth 4 spec)))
    `(vterm-module-test-with ,(butlast spec)
       (let ((,woken nil))
         (unwind-protect
             (progn
               (should (vterm--open-wakeup ,(car spec)
                                           (lambda () (setq ,woken t))))
               ,@body)
           (vterm--delete-wakeup))))))

(ert-deftest vterm-module-test-streaming-redraw-defers-new-scrollback ()
  "While output streams in, the timer's redraw draws the screen only.
Scrollback lines new since the last complete redraw wait (at most a
second), the parse thread wakes Emacs once the output stops, and a
redraw that is not the timer's draws them."
  (vterm-module-test-with-thread (vt 3 10 100 woken)
    ;; The first redraw has no complete one a second before it.
    (vterm--write-input vt (vterm-module-test-lines 4))
    (vterm--redraw vt t)
    (should (equal (buffer-string) "l1\nl2\nl3\nl4"))
    (vterm--write-input vt (concat "\r\n" (vterm-module-test-lines 7 5)))
    (vterm--redraw vt t)
    ;; l2..l4 went to the scrollback: left for later, the screen drawn.
    (should (equal (buffer-string) "l1\nl5\nl6\nl7"))
    (should (= (point) (point-max)))
    ;; Still undrawn: once the output has stopped, the thread says so
    ;; (after any wake-up for news, which says nothing of it).
    (should (vterm-module-test-wait
             (lambda ()
               (and woken (progn (setq woken nil)
                                 (vterm--parse-thread-woke vt))))))
    (vterm--redraw vt)
    (should (equal (buffer-string) "l1\nl2\nl3\nl4\nl5\nl6\nl7"))
    ;; Everything drawn: no more wake-ups for it.
    (setq woken nil)
    (accept-process-output nil 0.2)
    (should-not (and woken (vterm--parse-thread-woke vt)))
    (vterm--write-input vt (concat "\r\n" (vterm-module-test-lines 8 8)))
    (vterm--redraw vt t)
    (should (equal (buffer-string) "l1\nl2\nl3\nl4\nl6\nl7\nl8"))
    ;; A second after the last complete redraw, the timer's draws it all.
    (vterm--write-input vt (concat "\r\n" (vterm-module-test-lines 9 9)))
    (sleep-for 1.1)
    (vterm--redraw vt t)
    (should (equal (buffer-string) "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9"))))

(ert-deftest vterm-module-test-deferred-scrollback-keeps-the-limit ()
  "Lines evicted while scrollback waited are dropped when it is drawn."
  (vterm-module-test-with-thread (vt 3 10 4 woken)
    (vterm--write-input vt (vterm-module-test-lines 6))
    (vterm--redraw vt)
    (should (equal (buffer-string) "l1\nl2\nl3\nl4\nl5\nl6"))
    (vterm--write-input vt (concat "\r\n" (vterm-module-test-lines 12 7)))
    (vterm--redraw vt t)
    (should (equal (buffer-string) "l1\nl2\nl3\nl10\nl11\nl12"))
    (vterm--redraw vt)
    ;; The last 4 lines of scrollback, then the screen.
    (should (equal (buffer-string) "l6\nl7\nl8\nl9\nl10\nl11\nl12"))
    (ignore woken)))

;;;; Output to the process, keys

(ert-deftest vterm-module-test-query-replies-reach-the-process ()
  (vterm-module-test-with (vt 5 10)
    (vterm--write-input vt "\e[c")
    (should (equal (vterm-module-test-output) "\e[?1;2c"))
    (should-not (multibyte-string-p (car vterm-module-test--output)))
    (setq vterm-module-test--output nil)
    (vterm--write-input vt "\e[3;4H\e[6n")
    (should (equal (vterm-module-test-output) "\e[3;4R"))))

(ert-deftest vterm-module-test-color-queries ()
  "OSC 10, 11 and 4 queries are answered with the colours given, in order.
A colour not given is not answered; palette entries above 15 are
libvterm's."
  (vterm-module-test-with (vt 5 20)
    ;; Nothing known yet: no answer, but the query after it is.
    (vterm--write-input vt "\e]11;?\a\e[c")
    (should (equal (vterm-module-test-output) "\e[?1;2c"))
    (setq vterm-module-test--output nil)
    (vterm--set-query-color vt :background '(0 #x1010 #xffff))
    (vterm--set-query-color vt :foreground '(#xffff #xffff #xffff))
    (vterm--set-query-color vt 1 '(#xcdcd 0 0))
    ;; Programs send the query and then DA1, and take DA1 first as "no
    ;; answer": the order matters.
    (vterm--write-input vt "\e]11;?\a\e[c\e]10;?\e\\")
    (should (equal (vterm-module-test-output)
                   (concat "\e]11;rgb:0000/1010/ffff\e\\\e[?1;2c"
                           "\e]10;rgb:ffff/ffff/ffff\e\\")))
    (setq vterm-module-test--output nil)
    ;; Several palette entries; 2 is not known, 196 is libvterm's red.
    (vterm--write-input vt "\e]4;1;?;2;?;196;?\a")
    (should (equal (vterm-module-test-output)
                   (concat "\e]4;1;rgb:cdcd/0000/0000\e\\"
                           "\e]4;196;rgb:ffff/0000/0000\e\\")))
    (setq vterm-module-test--output nil)
    ;; Setting a colour, or a broken query, is no query.
    (vterm--write-input vt "\e]4;1;#00ff00\a\e]4;x;?\a\e]4;300;?\a\e]10;red\a")
    (should (equal (vterm-module-test-output) ""))
    (vterm--set-query-color vt :background nil)
    (vterm--write-input vt "\e]11;?\a")
    (should (equal (vterm-module-test-output) ""))
    (should-error (vterm--set-query-color vt 16 '(0 0 0)))
    (should-error (vterm--set-query-color vt 1 '(0 70000 0)))))

(ert-deftest vterm-module-test-title-stack ()
  "CSI 22 t keeps the title, CSI 23 t brings it back, as editors use them."
  (vterm-module-test-with (vt 5 20)
    (vterm--write-input vt "\e]2;shell\a")
    (vterm--update vt)
    (vterm--write-input vt "\e[22;0t\e]2;vim: file\a")
    (vterm--update vt)
    ;; The icon's stack alone (1) is not the title's.
    (vterm--write-input vt "\e[22;1t\e[23;1t")
    (vterm--update vt)
    (vterm--write-input vt "\e[23;0t")
    (vterm--update vt)
    (should (equal (reverse vterm-module-test--titles)
                   '("shell" "vim: file" "shell")))
    ;; Nothing kept: nothing happens; pushed twice, popped twice.
    (setq vterm-module-test--titles nil)
    (vterm--write-input vt "\e[23t\e[22t\e]2;a\a\e[22t\e]2;b\a\e[23t\e[23t")
    (vterm--update vt)
    (should (equal (car vterm-module-test--titles) "shell"))
    ;; More than ten kept: the oldest go.
    (setq vterm-module-test--titles nil)
    (dotimes (i 12)
      (vterm--write-input vt (format "\e]2;t%d\a\e[22t" i)))
    (dotimes (_ 12)
      (vterm--write-input vt "\e[23t")
      (vterm--update vt))
    (should (equal (car vterm-module-test--titles) "t2"))
    (should (equal (vterm-module-test-output) ""))))

(ert-deftest vterm-module-test-notifications ()
  "OSC 9 and OSC 777;notify reach `vterm--notify'; ConEmu's OSC 9;N do not."
  (let ((got nil))
    (cl-letf (((symbol-function 'vterm--notify)
               (lambda (title body) (push (list title body) got))))
      (vterm-module-test-with (vt 5 20)
        (vterm--write-input vt "\e]9;build done\a")
        (vterm--write-input vt "\e]777;notify;Agent;needs input; now\e\\")
        (vterm--write-input vt "\e]9;4;1;50\a\e]777;other;x\a")
        (vterm--write-input vt "\e]777;notify;no body\a")
        (vterm--update vt)
        (should (equal (nreverse got)
                       '(("" "build done") ("Agent" "needs input; now")
                         ("" "no body"))))))))

(ert-deftest vterm-module-test-mouse ()
  "The mouse reaches the program only as the program asked to hear of it."
  (vterm-module-test-with (vt 5 20)
    (should-not (vterm--mouse-mode vt))
    (vterm--mouse vt 2 3 1 t)
    (vterm--mouse vt 2 3 1 nil)
    (should (equal (vterm-module-test-output) ""))
    ;; Clicks (1000), reported as SGR (1006); rows and columns from 1.
    (vterm--write-input vt "\e[?1000h\e[?1006h")
    (should (eq (vterm--mouse-mode vt) 'click))
    (vterm--mouse vt 2 3 1 t)
    (vterm--mouse vt 2 3 1 nil)
    (should (equal (vterm-module-test-output) "\e[<0;4;3M\e[<0;4;3m"))
    (setq vterm-module-test--output nil)
    ;; The wheel, the other buttons, modifiers, a place off the screen.
    (vterm--mouse vt 0 0 4 t)
    (vterm--mouse vt 0 0 5 t)
    (vterm--mouse vt 1 1 3 t nil nil t)
    (vterm--mouse vt 1 1 3 nil nil nil t)
    (vterm--mouse vt 99 99 2 t t)
    (vterm--mouse vt 99 99 2 nil t)
    (should (equal (vterm-module-test-output)
                   (concat "\e[<64;1;1M\e[<65;1;1M"
                           "\e[<18;2;2M\e[<18;2;2m"
                           "\e[<5;20;5M\e[<5;20;5m")))
    (setq vterm-module-test--output nil)
    ;; Clicks alone do not report moves; drags (1002) do, with a button.
    (vterm--mouse vt 3 3 0 nil)
    (should (equal (vterm-module-test-output) ""))
    (vterm--write-input vt "\e[?1002h")
    (should (eq (vterm--mouse-mode vt) 'drag))
    (vterm--mouse vt 0 0 1 t)
    (vterm--mouse vt 0 5 0 nil)
    (vterm--mouse vt 0 5 1 nil)
    (should (equal (vterm-module-test-output)
                   "\e[<0;1;1M\e[<32;6;1M\e[<0;6;1m"))
    (vterm--write-input vt "\e[?1003h")
    (should (eq (vterm--mouse-mode vt) 'move))
    ;; Asked to stop: nothing more.
    (vterm--write-input vt "\e[?1003l")
    (should-not (vterm--mouse-mode vt))
    (setq vterm-module-test--output nil)
    (vterm--mouse vt 1 1 1 t)
    (should (equal (vterm-module-test-output) ""))
    (should-error (vterm--mouse vt 1 1 6 t))
    (should-error (vterm--mouse vt -1 1 1 t))))

(ert-deftest vterm-module-test-keys ()
  (vterm-module-test-with (vt 2 10)
    (dolist (case '((("a") "a")
                    (("<return>") "\r")
                    (("<tab>") "\t")
                    (("<backspace>") "\d")
                    (("<escape>") "\e")
                    (("<up>") "\e[A")
                    (("<left>" nil nil t) "\e[1;5D")
                    (("<up>" t) "\e[1;2A")
                    (("<right>" t t) "\e[1;4C")
                    (("<home>" t nil t) "\e[1;6H")
                    (("<tab>" t) "\e[Z")
                    (("<delete>") "\e[3~")
                    (("<prior>" nil nil t) "\e[5;5~")
                    (("<f12>" t) "\e[24;2~")
                    (("<f1>") "\eOP")
                    (("<f5>") "\e[15~")
                    (("c" nil nil t) "\C-c")
                    (("x" nil t) "\ex")
                    (("\u00e9") "\303\251")))
      (setq vterm-module-test--output nil)
      (apply #'vterm--update vt (car case))
      (should (equal (cons (car case) (vterm-module-test-output))
                     (cons (car case) (cadr case)))))))

(ert-deftest vterm-module-test-scrollback-of-100000-lines ()
  "A scrollback of 100000 lines keeps the newest 100000 in the buffer."
  (vterm-module-test-with (vt 5 20 100000)
    (dotimes (chunk 21)
      (vterm--write-input
       vt (mapconcat (lambda (i) (format "line %d\r\n" (+ (* chunk 5000) i)))
                     (number-sequence 0 4999) ""))
      (when (memq chunk '(3 20))
        (vterm--redraw vt)))
    (vterm--write-input vt "end")
    (vterm--redraw vt)
    ;; 105000 lines and "end": 5 rows, and the 100000 lines above them.
    (should (= (count-lines (point-min) (point-max)) 100005))
    (goto-char (point-min))
    (should (looking-at "line 4996$"))
    (goto-char (point-max))
    (forward-line -1)
    (should (looking-at "line 104999$"))))

(ert-deftest vterm-module-test-bracketed-paste ()
  (vterm-module-test-with (vt 2 10)
    (vterm--update vt "<start_paste>")
    (should (equal (vterm-module-test-output) ""))
    (vterm--write-input vt "\e[?2004h")
    (vterm--update vt "<start_paste>")
    (vterm--update vt "p")
    (vterm--update vt "<end_paste>")
    (should (equal (vterm-module-test-output) "\e[200~p\e[201~"))))

;;;; Title and directory

(ert-deftest vterm-module-test-title ()
  (vterm-module-test-with (vt 2 10)
    (vterm--write-input vt "\e]2;my title\a")
    (should (equal vterm-module-test--titles '("my title")))
    (vterm--write-input vt "\e]0;spl")
    (vterm--write-input vt "it\e\\")
    (should (equal (car vterm-module-test--titles) "split"))))

(ert-deftest vterm-module-test-directory ()
  (vterm-module-test-with (vt 2 10)
    (vterm--write-input vt "\e]7;file://host/tmp\a")
    (should (equal vterm-module-test--dirs '("file://host/tmp")))
    (vterm--write-input vt "\e]51;Auser@host:/v")
    (vterm--write-input vt "ar\e\\")
    (should (equal (car vterm-module-test--dirs) "user@host:/var"))
    (should (equal (vterm--get-pwd-raw vt) "user@host:/var"))))

;;;; Prompt marks

(ert-deftest vterm-module-test-prompt-marked ()
  "The prompt the shell ends with OSC 51;A gets the `vterm-prompt' property."
  (vterm-module-test-with (vt 3 20)
    (vterm-module-test-feed vt "out\r\n$ \e]51;Au@h:/tmp\e\\ls")
    (should (equal (buffer-string) "out\n$ ls\n"))
    (should-not (text-property-not-all (vterm-module-test-pos 2 0)
                                       (vterm-module-test-pos 2 2)
                                       'vterm-prompt t))
    (should-not (get-text-property (vterm-module-test-pos 2 2) 'vterm-prompt))
    (should-not (text-property-any (point-min) (vterm-module-test-pos 2 0)
                                   'vterm-prompt t))
    ;; Redrawn rows and lines in the scrollback keep it.
    (vterm-module-test-feed vt " -l\r\nx\r\ny\r\nz")
    (should (equal (buffer-substring-no-properties
                    (vterm-module-test-pos 2 0) (vterm-module-test-pos 3 0))
                   "$ ls -l\n"))
    (should (get-text-property (vterm-module-test-pos 2 1) 'vterm-prompt))
    (should-not (get-text-property (vterm-module-test-pos 2 2) 'vterm-prompt))
    ;; A prompt overwritten by something else is no longer one.
    (vterm-module-test-feed vt "\e[3;1H(search)")
    (should-not (text-property-any (vterm-module-test-pos 3 0) (point-max)
                                   'vterm-prompt t))))

;;;; Semantic prompts (OSC 133)

(ert-deftest vterm-module-test-osc133-prompt-status-and-lines ()
  "OSC 133: B marks the prompt, D's status and A's start go on the next one."
  (vterm-module-test-with (vt 6 20)
    (vterm-module-test-feed
     vt "\e]133;A\e\\$ \e]133;B\e\\false\r\n\e]133;C\e\\"
     "\e]133;D;1\e\\\e]133;A\e\\~/src\r\n$ \e]133;B\e\\true\r\n"
     "\e]133;D;0\e\\\e]133;A\e\\$ \e]133;B\e\\")
    (should (equal (buffer-string) "$ false\n~/src\n$ true\n$ \n\n"))
    ;; The first prompt: marked, nothing before it to report.
    (should (get-text-property (vterm-module-test-pos 1 0) 'vterm-prompt))
    (should-not (get-text-property (vterm-module-test-pos 1 2) 'vterm-prompt))
    (should-not (text-property-not-all (point-min) (vterm-module-test-pos 3 0)
                                       'vterm-exit-status nil))
    (let ((failed (vterm-module-test-pos 3 0))
          (ok (vterm-module-test-pos 4 0)))
      ;; "false" exited 1: the prompt after it, over two lines, says so.
      (should (eql (get-text-property failed 'vterm-exit-status) 1))
      (should (eq (get-text-property failed 'category) 'vterm-exit-failure))
      (should (eql (get-text-property failed 'vterm-prompt-lines) 1))
      (should-not (get-text-property (vterm-module-test-pos 3 2)
                                     'vterm-exit-status))
      (should-not (get-text-property (vterm-module-test-pos 2 0) 'vterm-prompt))
      (should (eql (get-text-property ok 'vterm-exit-status) 0))
      (should (eq (get-text-property ok 'category) 'vterm-exit-success))
      (should-not (get-text-property ok 'vterm-prompt-lines)))
    ;; Into the scrollback with their marks.
    (vterm-module-test-feed vt "ls\r\n1\r\n2\r\n3\r\n4\r\n5")
    (should (equal (buffer-substring-no-properties
                    (vterm-module-test-pos 3 0) (vterm-module-test-pos 5 0))
                   "$ true\n$ ls\n"))
    (should (eql (get-text-property (vterm-module-test-pos 3 0)
                                    'vterm-exit-status)
                 1))
    (should (eql (get-text-property (vterm-module-test-pos 4 1)
                                    'vterm-exit-status)
                 0))))

(ert-deftest vterm-module-test-osc8-hyperlinks ()
  "OSC 8: the linked text carries its URI, over rows and into the scrollback."
  (vterm-module-test-with (vt 3 10)
    (vterm-module-test-feed
     vt "ab\e]8;id=1;https://example.com/x\e\\li\e[1mnk\e[m\e]8;;\e\\cd\r\n"
     "1234567\e]8;;file:///tmp/f\e\\wrapped\e]8;;\e\\")
    (should (equal (buffer-string) "ablinkcd\n1234567wra\npped"))
    (cl-flet ((uri (line col) (get-text-property (vterm-module-test-pos line col)
                                                 'vterm-hyperlink)))
      (should-not (uri 1 1))
      (should (equal (uri 1 2) "https://example.com/x"))
      (should (equal (uri 1 5) "https://example.com/x"))
      (should-not (uri 1 6))
      (should (equal (uri 2 7) "file:///tmp/f"))
      (should (equal (uri 3 3) "file:///tmp/f"))
      (should-not (uri 3 4))
      ;; Written over, the cells lose it; scrolled, the rest keeps it.
      (vterm-module-test-feed vt "\e[1;1HXYZ\e[3;5H\r\n\r\nnew")
      (should (equal (buffer-substring-no-properties
                      (point-min) (vterm-module-test-pos 2 0))
                     "XYZinkcd\n"))
      (should-not (uri 1 2))
      (should (equal (uri 1 3) "https://example.com/x"))
      (should (equal (uri 2 7) "file:///tmp/f")))))

(ert-deftest vterm-module-test-directory-per-line ()
  "With a line number, `vterm--get-pwd-raw' answers for that line."
  (vterm-module-test-with (vt 3 20)
    (vterm-module-test-feed vt "$ \e]51;Au@h:/a\e\\cd /b\r\nout\r\n"
                            "$ \e]51;Au@h:/b\e\\ls\r\nx\r\ny")
    (should (equal (buffer-string) "$ cd /b\nout\n$ ls\nx\ny"))
    (should (equal (vterm--get-pwd-raw vt 1) "u@h:/a"))
    (should (equal (vterm--get-pwd-raw vt 2) "u@h:/a"))
    (should (equal (vterm--get-pwd-raw vt 3) "u@h:/b"))
    (should (equal (vterm--get-pwd-raw vt 5) "u@h:/b"))
    (should (equal (vterm--get-pwd-raw vt) "u@h:/b"))
    (should-error (vterm--get-pwd-raw vt 0))))

(ert-deftest vterm-module-test-eval-and-selection-requests ()
  "OSC 51;E and OSC 52 reach the Lisp functions that vet them."
  (let ((evals nil) (selections nil))
    (cl-letf (((symbol-function 'vterm--eval)
               (lambda (s) (push s evals)))
              ((symbol-function 'vterm--set-selection)
               (lambda (targets data) (push (list targets data) selections))))
      (vterm-module-test-with (vt 2 10)
        (vterm--write-input vt "\e]51;Emessage \"hi\"\a")
        (vterm--write-input vt "\e]52;c;")
        (vterm--write-input vt (concat (base64-encode-string
                                        (encode-coding-string "h\u00e9" 'utf-8))
                                       "\e\\"))
        (should (equal evals '("message \"hi\"")))
        (should (equal selections '(("c" "h\u00e9"))))))))

;;;; Control channel

(ert-deftest vterm-module-test-resize-pipe-rejects-bad-arguments ()
  (should-error (vterm--conpty-resize-pipe "bad/id" 80 24))
  (should-error (vterm--conpty-resize-pipe "" 80 24))
  (should-error (vterm--conpty-resize-pipe "ok" 0 24))
  (should-error (vterm--conpty-resize-pipe "ok" 80 32768))
  (should-error (vterm--conpty-resize-pipe 'ok 80 24)))

(ert-deftest vterm-module-test-resize-pipe-unreachable-is-nil ()
  (let ((start (float-time)))
    (should-not (vterm--conpty-resize-pipe
                 (format "no-such-session-%d-%d" (emacs-pid) (random 100000))
                 80 24))
    ;; DESIGN.md: never blocks Emacs longer than a short budget.
    (should (< (- (float-time) start) 0.5))))

(defun vterm-module-test--proxy ()
  "The conpty-proxy binary to test against."
  (or (getenv "VTERM_TEST_PROXY")
      (expand-file-name "../../proxy/conpty-proxy"
                        (file-name-directory
                         (or load-file-name buffer-file-name
                             default-directory)))))

(defconst vterm-module-test--proxy (vterm-module-test--proxy)
  "Path of conpty-proxy, computed when this file is loaded.")

(ert-deftest vterm-module-test-resize-pipe-reaches-the-proxy ()
  :tags '(posix)
  (should (file-executable-p vterm-module-test--proxy))
  (let* ((log (make-temp-file "vterm-module-log"))
         (id (format "vmt-%d-%d" (emacs-pid) (random 1000000)))
         (process-environment (cons (concat "CONPTY_PROXY_LOG=" log)
                                    process-environment))
         (proc (make-process :name "vterm-module-test-proxy"
                             :command (list vterm-module-test--proxy "new" id
                                            "80" "24" "sleep" "10")
                             :connection-type 'pipe :noquery t
                             :coding 'binary)))
    (unwind-protect
        (let ((sent nil) (deadline (+ (float-time) 5)))
          (while (and (not sent) (< (float-time) deadline))
            (setq sent (vterm--conpty-resize-pipe id 101 31))
            (unless sent (accept-process-output nil 0.05)))
          (should sent)
          (should
           (cl-loop repeat 100
                    thereis (with-temp-buffer
                              (insert-file-contents log)
                              (re-search-forward
                               "resize 101 31 hr=0x00000000" nil t))
                    do (accept-process-output nil 0.05))))
      (delete-process proc)
      (delete-file log))))

(provide 'vterm-module-tests)

;;; vterm-module-tests.el ends here

;;; vterm-upstream-tests.el --- Drop-in for emacs-libvterm: names and behaviours -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by tests/ert/run.el.  What code written against emacs-libvterm
;; finds here (issue 13): every public name of its vterm.el (read from
;; Debian's elpa-vterm, which `make deps' installs), the module loaded
;; by (require 'vterm), `vterm-other-window' reusing a window, the
;; functions evil-collection's vterm bindings are built on,
;; `vterm-tramp-shells' with `login-shell' and t, directory reports
;; keeping the TRAMP prefix, `vterm-set-bold-highbright', a dir-local
;; `vterm-environment' and the major-mode guard.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'vterm)
(require 'vterm-tests)

(defvar term-prompt-regexp)

;;;; Every name of emacs-libvterm's vterm.el

(defconst vterm-upstream-file
  "/usr/share/emacs/site-lisp/elpa-src/vterm-0.0.2/vterm.el"
  "emacs-libvterm's vterm.el as Debian's elpa-vterm installs it.")

(defconst vterm-upstream-left-out
  '(vterm--linenum-remapping vterm--undecoded-bytes
    vterm--copy-mode-fake-newlines vterm--insert-function
    vterm--delete-char-function vterm--delete-region-function
    vterm--delete-lines vterm--goto-line vterm--forward-char
    vterm--backward-char vterm--delete-region vterm--insert
    vterm--delete-char vterm--get-margin-width vterm--text-scale-mode
    vterm--selection-clipboard vterm--selection-primary
    vterm--enter-copy-mode vterm--exit-copy-mode
    vterm--remove-fake-newlines vterm--reinsert-fake-newlines
    vterm--self-insert-meta vterm--translate-event-to-args
    vterm-module--cmake-is-available
    ;; The function of that name exists; the variable (a cache) not.
    (defvar-local . vterm--prompt-tracking-enabled-p))
  "Internal names of emacs-libvterm left out on purpose.
A name, or (KIND . NAME) for one of two definitions of NAME.  Why,
for each: the comment \"Other names of emacs-libvterm\" in vterm.el.")

(defun vterm-upstream--definitions (file)
  "Return the (KIND . NAME) of every definition in FILE, nested ones too."
  (let ((found nil))
    (cl-labels ((walk (form)
                  (when (consp form)
                    (when (and (memq (car form)
                                     '(defcustom defface defun defvar
                                        defvar-local defconst defsubst
                                        defalias defmacro define-minor-mode
                                        define-derived-mode
                                        define-obsolete-variable-alias
                                        define-obsolete-function-alias))
                               (consp (cdr form)))
                      (let ((name (cadr form)))
                        (when (eq (car-safe name) 'quote)
                          (setq name (cadr name)))
                        (when (symbolp name)
                          (push (cons (car form) name) found))))
                    (while (consp form)
                      (walk (car form))
                      (setq form (cdr form))))))
      (with-temp-buffer
        (insert-file-contents file)
        (goto-char (point-min))
        (condition-case nil
            (while t (walk (read (current-buffer))))
          (end-of-file nil))))
    (nreverse found)))

(defun vterm-upstream--defined-p (kind name)
  "Non-nil if NAME is defined here as a definition of KIND would define it."
  (pcase kind
    ('defface (facep name))
    ((or 'defun 'defsubst 'defmacro 'defalias 'define-derived-mode
         'define-obsolete-function-alias)
     (fboundp name))
    ('define-minor-mode (and (fboundp name) (boundp name)))
    (_ (and (boundp name)
            (or (not (string-match-p "-map\\'" (symbol-name name)))
                (keymapp (symbol-value name)))))))

(ert-deftest vterm-upstream-names ()
  "Every public name of emacs-libvterm's vterm.el exists here, as what it is there.
Internal (vterm--) names too, but for those `vterm-upstream-left-out'
lists.  Also the names emacs-libvterm added after Debian's copy."
  ;; Not a skip: `make deps' installs it, and without it nothing is checked.
  (unless (file-readable-p vterm-upstream-file)
    (ert-fail (list "emacs-libvterm's vterm.el is missing; run make deps"
                    vterm-upstream-file)))
  (let* ((defs (vterm-upstream--definitions vterm-upstream-file))
         (defs (append defs
                       '((defcustom . vterm-set-bold-highbright)
                         (define-obsolete-variable-alias
                          . vterm-set-bold-hightbright)
                         (defun . vterm-mouse-set-point)
                         (defun . vterm--tramp-get-shell)
                         (defvar . vterm-disable-bold))
                       (mapcar (lambda (c)
                                 (cons 'defface
                                       (intern (format "vterm-color-bright-%s"
                                                       c))))
                               '(black red green yellow blue magenta cyan
                                       white))))
         (public (cl-remove-if (lambda (d) (string-match-p
                                            "--" (symbol-name (cdr d))))
                               defs))
         (missing nil))
    ;; The file is the one expected: a parse that found little would
    ;; check little.
    (should (> (length public) 100))
    (dolist (d defs)
      (unless (or (memq (cdr d) vterm-upstream-left-out)
                  (member d vterm-upstream-left-out)
                  (vterm-upstream--defined-p (car d) (cdr d)))
        (push d missing)))
    (setq missing (nreverse missing))
    ;; Every one, not the few ERT's report prints.
    (dolist (d missing)
      (message "missing here: %s %s" (car d) (cdr d)))
    (should (equal missing nil))
    ;; Public names are never left out.
    (should-not (cl-intersection (mapcar #'cdr public)
                                 (mapcar (lambda (x) (if (consp x) (cdr x) x))
                                         vterm-upstream-left-out)))
    (message "checked %d names of emacs-libvterm (%d public)"
             (length (delete-dups (mapcar #'cdr defs)))
             (length (delete-dups (mapcar #'cdr public))))))

(ert-deftest vterm-upstream-bold-highbright-names ()
  "`vterm-set-bold-highbright' is the option; the misspelt name is its obsolete alias."
  (should (custom-variable-p 'vterm-set-bold-highbright))
  (should (eq (indirect-variable 'vterm-set-bold-hightbright)
              'vterm-set-bold-highbright))
  (should (get 'vterm-set-bold-hightbright 'byte-obsolete-variable))
  (let ((vterm-set-bold-hightbright t))
    (should (eq vterm-set-bold-highbright t)))
  (should (eq (indirect-variable 'vterm-disable-bold) 'vterm-disable-bold-font))
  (should (eq (indirect-variable 'vterm-use-vterm-prompt)
              'vterm-use-vterm-prompt-detection-method))
  (should (eq (indirect-variable 'vterm-clear-scrollback)
              'vterm-clear-scrollback-when-clearing))
  ;; A configuration that sets the old names before loading vterm.
  (let ((out (vterm-upstream--emacs
              (list "-L" (file-name-directory (locate-library "vterm-module"))
                    "-L" (expand-file-name "lisp" vterm-test-top))
              '(progn (setq vterm-set-bold-hightbright t
                            vterm-disable-bold t)
                      (require 'vterm)
                      (princ (list vterm-set-bold-highbright
                                   vterm-disable-bold-font))))))
    (should (string-match-p "(t t)\\'" (car out)))))

(vterm-test-deftest vterm-upstream-bold-highbright-draws-bright
  "With `vterm-set-bold-highbright' (or its old name), bold text takes the bright colour."
  buf
  (ignore buf)
  (let ((old (face-foreground 'vterm-color-bright-red nil t)))
    (unwind-protect
        (progn
          (set-face-foreground 'vterm-color-bright-red "#a1b2c3")
          (dolist (var '(vterm-set-bold-highbright vterm-set-bold-hightbright))
            (let ((b2 (cl-progv (list var) (list t)
                        (vterm (generate-new-buffer-name "vterm-hb")))))
              (unwind-protect
                  (progn
                    (vterm-test-wait-for b2 vterm-test-prompt-regexp)
                    (vterm-test-type b2 "printf '\\033[1;31mhb-text\\033[0m\\n'")
                    (vterm-test-wait-for b2 "^hb-text$")
                    (should (vterm-test-face-has (vterm-test-face-at b2 "^hb-text$")
                                                 :foreground "#a1b2c3")))
                (vterm-test-end-session b2)))))
      (set-face-foreground 'vterm-color-bright-red old))))

(defface vterm-upstream-test-red '((t :foreground "#0a0b0c"))
  "A face for `vterm-upstream-color-palette'."
  :group 'vterm)

(vterm-test-deftest vterm-upstream-color-palette
  "`vterm-color-palette' gives the faces of the named colours."
  buf
  (let ((vterm-color-palette (copy-sequence vterm-color-palette)))
    (aset vterm-color-palette 1 'vterm-upstream-test-red)
    (vterm-test-type buf "printf '\\033[31mpal-text\\033[0m\\n'")
    (vterm-test-wait-for buf "^pal-text$")
    (should (vterm-test-face-has (vterm-test-face-at buf "^pal-text$")
                                 :foreground "#0a0b0c")))
  ;; Back to the face vterm-color-red for new text.
  (vterm-test-type buf "printf '\\033[31mred-again\\033[0m\\n'")
  (vterm-test-wait-for buf "^red-again$")
  (should (vterm-test-face-has (vterm-test-face-at buf "^red-again$")
                               :foreground (face-foreground 'vterm-color-red
                                                            nil 'default))))

(ert-deftest vterm-upstream-module-cmake-args ()
  "`vterm-module-cmake-args' is accepted, says it is ignored, and is."
  (should (custom-variable-p 'vterm-module-cmake-args))
  (should (string-match-p "ignored" (documentation-property
                                     'vterm-module-cmake-args
                                     'variable-documentation)))
  (let ((vterm-module-cmake-args "-DUSE_SYSTEM_LIBVTERM=Off")
        (vterm-module-make-args nil)
        (calls nil))
    (cl-letf (((symbol-function 'call-process)
               (lambda (&rest args) (push args calls) 0))
              ;; As on a machine with the build tools.
              ((symbol-function 'executable-find)
               (lambda (name &rest _) (concat "/usr/bin/" name)))
              ((symbol-function 'display-buffer) #'ignore))
      (vterm-module-compile))
    (should calls)
    (should-not (cl-some (lambda (args) (member "-DUSE_SYSTEM_LIBVTERM=Off"
                                                (flatten-tree args)))
                         calls))))

;;;; The module is loaded by (require 'vterm)

(defun vterm-upstream--emacs (args form)
  "Run `emacs -Q --batch' with ARGS, then evaluate FORM (in a new Emacs).
Return (STDOUT STDERR EXIT-STATUS)."
  (let ((err (make-temp-file "vterm-up-err"))
        ;; Under ert-asan the module needs the sanitizer runtime that
        ;; run.el keeps from the shells: this is an Emacs, give it back.
        (process-environment
         (append (cl-remove-if-not (lambda (v) (string-prefix-p "LD_PRELOAD=" v))
                                   initial-environment)
                 process-environment)))
    (unwind-protect
        (with-temp-buffer
          (let ((status (apply #'call-process
                               (expand-file-name invocation-name
                                                 invocation-directory)
                               nil (list t err) nil
                               (append '("-Q" "--batch")
                                       args
                                       (list "--eval" (prin1-to-string form))))))
            (list (buffer-string)
                  (with-temp-buffer (insert-file-contents err) (buffer-string))
                  status)))
      (delete-file err))))

(ert-deftest vterm-upstream-require-loads-module ()
  "After (require \\='vterm) the module's functions are there, as in emacs-libvterm."
  (let ((out (vterm-upstream--emacs
              (list "-L" (file-name-directory (locate-library "vterm-module"))
                    "-L" (expand-file-name "lisp" vterm-test-top))
              '(progn (require 'vterm)
                      (princ (list (featurep 'vterm-module)
                                   (fboundp 'vterm--new)
                                   (fboundp 'vterm--update)))))))
    (should (equal (nth 2 out) 0))
    (should (string-match-p "(t t t)\\'" (car out)))))

(ert-deftest vterm-upstream-require-without-module ()
  "Without a module, require succeeds with a message; `vterm' offers again, then errors clearly."
  (let* ((top (make-temp-file "vterm-nomod" t))
         ;; Nothing beside or above lisp/ that could hold a module.
         (lisp (expand-file-name "a/lisp" top))
         ;; What the error names: on Windows without a compiler, the
         ;; download (vterm-download-tests.el has that offer).
         (missing (if (vterm--windows-without-compiler-p)
                      "missing.*vterm-module-download"
                    "not built.*vterm-module-compile")))
    (unwind-protect
        (progn
          (make-directory lisp t)
          (dolist (file (directory-files
                         (expand-file-name "lisp" vterm-test-top) t "\\.el\\'"))
            (copy-file file (expand-file-name (file-name-nondirectory file)
                                              lisp)))
          ;; Batch: no question; a message says what to do.
          (let ((out (vterm-upstream--emacs
                      (list "-L" lisp)
                      '(progn
                         (require 'vterm)
                         (princ (format "required:%s " (featurep 'vterm)))
                         (princ (condition-case e (progn (vterm "vt-x") "opened")
                                  (error (concat "error:"
                                                 (error-message-string e)))))
                         (princ (format " buffer:%s" (get-buffer "vt-x")))))))
            (should (equal (nth 2 out) 0))
            (should (string-match-p (concat "required:t error:.*" missing)
                                    (car out)))
            (should (string-match-p "buffer:nil" (car out)))
            (should (string-match-p (if (vterm--windows-without-compiler-p)
                                        "vterm-module-download"
                                      "vterm-module-compile")
                                    (nth 1 out))))
          ;; Interactive: asked at require time, declined.  In the same
          ;; command (M-x vterm autoloading vterm.el), that answer
          ;; holds; a later M-x vterm asks again.
          (let ((out (vterm-upstream--emacs
                      (list "-L" lisp)
                      '(let ((asked 0) (noninteractive nil))
                         (fset 'y-or-n-p (lambda (&rest _) (setq asked (1+ asked))
                                           nil))
                         (require 'vterm)
                         (princ (format "asked:%d " asked))
                         (dotimes (_ 2)
                           (princ (condition-case e (progn (vterm "vt-x") "opened")
                                    (error (concat "error:"
                                                   (error-message-string e)))))
                           (princ (format " asked:%d " asked))
                           ;; The command is over: timers run.
                           (accept-process-output nil 0.05))))))
            (should (equal (nth 2 out) 0))
            (should (string-match-p
                     (concat "\\`asked:1 error:.*" missing ".* asked:1 "
                             "error:.*" missing ".* asked:2 \\'")
                     (car out)))))
      (delete-directory top t))))

;;;; vterm-other-window

(ert-deftest vterm-upstream-other-window-reuses-window ()
  "`vterm-other-window' from the vterm buffer stays in its window; elsewhere it goes to the window showing it."
  :tags '(posix)
  (let* ((process-environment (vterm-test-environment))
         (vterm-shell "/bin/sh")
         (vterm-use-conpty-proxy nil)
         (vterm-buffer-name (generate-new-buffer-name "*vterm-ow2*"))
         (start (selected-window))
         (buf nil))
    (unwind-protect
        (progn
          (delete-other-windows start)
          (setq buf (vterm))
          (vterm-test-wait-for buf vterm-test-prompt-regexp)
          (should (eq (window-buffer start) buf))
          ;; From the vterm buffer: no second window on it.
          (should (eq (vterm-other-window) buf))
          (should (= (length (window-list)) 1))
          (should (= (length (get-buffer-window-list buf nil t)) 1))
          ;; From another window: the one showing it is selected.
          (let ((other (split-window start)))
            (set-window-buffer other (get-buffer-create "*scratch*"))
            (select-window other)
            (should (eq (vterm-other-window) buf))
            (should (eq (selected-window) start))
            (should (= (length (window-list)) 2))
            (should (= (length (get-buffer-window-list buf nil t)) 1))))
      (select-window start)
      (delete-other-windows start)
      (when buf (vterm-test-end-session buf)))))

(ert-deftest vterm-upstream-internal-opens ()
  "`vterm--internal' opens a terminal with the display function packages give it."
  :tags '(posix)
  (let* ((process-environment (vterm-test-environment))
         (vterm-shell "/bin/sh")
         (vterm-use-conpty-proxy nil)
         (shown nil)
         (name (generate-new-buffer-name "vterm-internal"))
         (buf (vterm--internal (lambda (b) (setq shown b)
                                 (pop-to-buffer-same-window b))
                               name)))
    (unwind-protect
        (progn
          (should (eq shown buf))
          (should (equal (buffer-name buf) name))
          (should (with-current-buffer buf (derived-mode-p 'vterm-mode)))
          (vterm-test-wait-for buf vterm-test-prompt-regexp))
      (vterm-test-end-session buf))))

(ert-deftest vterm-upstream-define-key ()
  "`vterm-define-key' defines the sender of its key, with the key's modifiers."
  (should (equal (macroexpand-1 '(vterm-define-key "C-S-b"))
                 '(vterm--define-sender vterm-send-C-S-b "b" t nil t)))
  (should (equal (macroexpand-1 '(vterm-define-key "M-A"))
                 '(vterm--define-sender vterm-send-M-A "A" t t nil)))
  (should (get 'vterm-define-key 'byte-obsolete-info)))

;;;; What evil-collection's vterm bindings use

(defmacro vterm-upstream--with-text (parts &rest body)
  "Run BODY in a buffer holding PARTS, strings with their properties.
`wrap' in PARTS stands for a newline the terminal added to wrap."
  (declare (indent 1))
  `(with-temp-buffer
     (dolist (p ,parts)
       (insert (if (eq p 'wrap) (propertize "\n" 'vterm-line-wrap t) p)))
     (goto-char (point-min))
     ,@body))

(defun vterm-upstream--prompt (text)
  "Return TEXT marked as a prompt, as the shell integration marks it."
  (propertize text 'vterm-prompt t))

(ert-deftest vterm-upstream-line-ends-across-wraps ()
  "`vterm--get-beginning-of-line' and `vterm--get-end-of-line' treat a wrapped line as one."
  (vterm-upstream--with-text (list "first\n" "abc" 'wrap "def" 'wrap "gh\n" "last")
    (let ((abc (progn (search-forward "abc") (match-beginning 0)))
          (gh-end (progn (search-forward "gh") (point)))
          (def (progn (goto-char (point-min)) (search-forward "def")
                      (match-beginning 0))))
      ;; Point on the middle row.
      (goto-char (1+ def))
      (should (= (vterm--get-beginning-of-line) abc))
      (should (= (vterm--get-end-of-line) gh-end))
      (should (= (point) (1+ def)))
      ;; From a position given.
      (goto-char (point-min))
      (should (= (vterm--get-end-of-line abc) gh-end))
      (should (= (vterm--get-beginning-of-line gh-end) abc))
      ;; A line without wraps.
      (should (= (vterm--get-end-of-line (point-min)) (+ (point-min) 5)))
      (should (= (vterm--get-beginning-of-line (point-max))
                 (- (point-max) 4))))))

(ert-deftest vterm-upstream-prompt-point-marked ()
  "`vterm--get-prompt-point' finds the end of the marked prompt of the line, or before it."
  (let ((vterm-use-vterm-prompt-detection-method t))
    (vterm-upstream--with-text (list (vterm-upstream--prompt "~ $ ") "ls\n"
                                     "out\n"
                                     (vterm-upstream--prompt "~ $ ")
                                     "echo lo" 'wrap "ng")
      (should (vterm--prompt-tracking-enabled-p))
      (let ((first (+ (point-min) 4))
            (second (progn (goto-char (point-max))
                           (search-backward "echo") (point))))
        (goto-char (point-min))
        (should (= (vterm--get-prompt-point) first))
        (forward-line 1)                ; "out": the prompt before it
        (should (= (vterm--get-prompt-point) first))
        (goto-char (point-max))         ; the wrapped row of the command
        (should (= (vterm--get-prompt-point) second))
        (should-not (vterm--at-prompt-p))
        (goto-char second)
        (should (vterm--at-prompt-p))))
    ;; A prompt with no command after it: its end is the line's end.
    (vterm-upstream--with-text (list "out\n" (vterm-upstream--prompt "$"))
      (goto-char (point-max))
      (should (= (vterm--get-prompt-point) (point-max))))
    ;; Output above every prompt: none.
    (vterm-upstream--with-text (list "out\n" (vterm-upstream--prompt "$ ") "x")
      (should-not (vterm--get-prompt-point)))))

(ert-deftest vterm-upstream-prompt-point-regexp ()
  "Without marks (or with the option off), prompts come from `term-prompt-regexp'."
  (let ((term-prompt-regexp "^[^#$%>\n]*[#$%>] *"))
    (dolist (marked '(nil t))
      (let ((vterm-use-vterm-prompt-detection-method t))
        (vterm-upstream--with-text (list (if marked (vterm-upstream--prompt "~ $ ")
                                           "~ $ ")
                                         "ls\n" "out\n" "~ $ " "echo lo" 'wrap "ng")
          (setq vterm-use-vterm-prompt-detection-method (not marked))
          (goto-char (point-max))
          (should (= (vterm--get-prompt-point)
                     (save-excursion (search-backward "echo") (point))))
          (goto-char (point-min))
          (should (= (vterm--get-prompt-point) (+ (point-min) 4))))))
    ;; No prompt at all: the beginning of the line.
    (let ((vterm-use-vterm-prompt-detection-method t))
      (vterm-upstream--with-text (list "plain\n" "te" 'wrap "xt")
        (goto-char (point-max))
        (should (= (vterm--get-prompt-point)
                   (save-excursion (search-backward "te") (point))))))))

(ert-deftest vterm-upstream-cursor-in-command-buffer ()
  "`vterm-cursor-in-command-buffer-p': at or after the prompt of the cursor's line."
  (let ((vterm-use-vterm-prompt-detection-method t))
    (vterm-upstream--with-text (list (vterm-upstream--prompt "$ ") "ls\n" "out\n"
                                     (vterm-upstream--prompt "$ ") "echo hi")
      (let* ((prompt-end (save-excursion (goto-char (point-max))
                                         (search-backward "echo") (point)))
             (cursor (point-max))
             (vterm--term 'a-terminal))
        (cl-letf (((symbol-function 'vterm-reset-cursor-point)
                   (lambda () (goto-char cursor))))
          (goto-char (point-min))
          (should (eq (vterm-cursor-in-command-buffer-p) t))
          (should (= (point) (point-min)))
          (should (vterm-cursor-in-command-buffer-p prompt-end))
          (should (vterm-cursor-in-command-buffer-p (1+ prompt-end)))
          (should-not (vterm-cursor-in-command-buffer-p (1- prompt-end)))
          (should-not (vterm-cursor-in-command-buffer-p (+ (point-min) 3)))
          (should (= (vterm--get-cursor-point) cursor))
          ;; The cursor on the output line: no prompt on it or after.
          (setq cursor (save-excursion (goto-char (point-min))
                                       (search-forward "out")))
          (should-not (vterm-cursor-in-command-buffer-p (point-min)))))
      (let ((vterm--term nil))
        (should-not (vterm-cursor-in-command-buffer-p))))))

(ert-deftest vterm-upstream-evil-editing-with-bash ()
  "What evil-collection's I, A and D do, with bash and its prompt marks."
  :tags '(posix)
  (should (executable-find "bash"))
  (vterm-test-with-bash buf
    (with-current-buffer buf
      (vterm-send-string "echo abcdef")
      (vterm-test-wait-for buf "\\$ echo abcdef$")
      (vterm--render)
      (should (vterm--prompt-tracking-enabled-p))
      ;; A: the end of the command line.
      (let ((end (vterm--get-end-of-line (vterm--get-cursor-point))))
        (should (vterm-cursor-in-command-buffer-p))
        (goto-char (point-min))
        (should-not (vterm-cursor-in-command-buffer-p (point)))
        ;; I: the start of the command.
        (vterm-reset-cursor-point)
        (let ((start (vterm--get-prompt-point)))
          (should (looking-back "echo abcdef" start))
          (should (vterm-goto-char start))
          (should (looking-at "echo abcdef"))
          (should (vterm-goto-char end))
          ;; D from "cdef": to the end of the line.
          (let ((from (save-excursion (search-backward "cdef"))))
            (vterm-delete-region from (vterm--get-end-of-line from)))
          (vterm-test-wait-for buf "\\$ echo ab$")
          (vterm-send-return))))
    (vterm-test-wait-for buf "^ab$")))

;;;; vterm-tramp-shells

(defmacro vterm-upstream--with-remote-output (output status &rest body)
  "Run BODY with remote shell commands answering OUTPUT and STATUS.
Records the commands in `commands'."
  (declare (indent 2))
  `(let ((commands nil))
     (cl-letf (((symbol-function 'process-file-shell-command)
                (lambda (command &optional _infile buffer _display)
                  (push (cons default-directory command) commands)
                  (when (eq buffer t) (insert ,output))
                  ,status)))
       ,@body)))

(ert-deftest vterm-upstream-tramp-shells ()
  "`vterm-tramp-shells' takes `login-shell' (with a fallback) and a t entry, as emacs-libvterm does."
  :tags '(posix)
  (should (equal (default-value 'vterm-tramp-shells)
                 '(("ssh" login-shell) ("scp" login-shell)
                   ("docker" "/bin/sh"))))
  (let ((vterm-shell "/bin/local-shell")
        (vterm-tramp-shells (eval (car (get 'vterm-tramp-shells 'standard-value))
                                  t)))
    ;; The remote user's login shell, from getent on the host.
    (vterm-upstream--with-remote-output
        "me:x:1000:1000:Me,,,:/home/me:/usr/bin/zsh\n" 0
      (let ((default-directory "/ssh:host:/tmp/"))
        (should (equal (vterm--shell) "/usr/bin/zsh"))
        (should (string-match-p "exec /usr/bin/zsh\\'"
                                (nth 2 (vterm--posix-wrapper 80 24)))))
      (should (equal (caar commands) "/ssh:host:/tmp/"))
      (should (string-match-p "\\`getent passwd .*\\$LOGNAME" (cdar commands)))
      (let ((default-directory "/scp:me@host:/tmp/"))
        (should (equal (vterm--shell) "/usr/bin/zsh")))
      ;; Other entries are command lines; local directories ask nothing.
      (setq commands nil)
      (let ((default-directory "/docker:box:/"))
        (should (equal (vterm--shell) "/bin/sh")))
      (let ((default-directory "/tmp/"))
        (should (equal (vterm--shell) "/bin/local-shell")))
      (let ((default-directory "/sudo::/tmp/"))
        (should (equal (vterm--shell) "/bin/local-shell")))
      (should-not commands))
    ;; getent fails, or says something else than one entry.
    (dolist (answer '(("" . 2) ("Welcome!\nme:x:1:1::/h:/bin/zsh\n" . 0)
                      ("garbage\n" . 0)))
      (vterm-upstream--with-remote-output (car answer) (cdr answer)
        (let ((default-directory "/ssh:host:/tmp/"))
          (let ((vterm-tramp-shells '(("ssh" login-shell "/bin/fallback"))))
            (should (equal (vterm--shell) "/bin/fallback")))
          (let ((vterm-tramp-shells '(("ssh" login-shell) (t "/bin/any"))))
            (should (equal (vterm--shell) "/bin/any")))
          (let ((vterm-tramp-shells '(("ssh" login-shell))))
            (should (equal (vterm--shell) "/bin/local-shell"))))))
    ;; t: every method without an entry; login-shell quoted inside a
    ;; quoted list, as configurations write it.
    (vterm-upstream--with-remote-output "root:x:0:0::/root:/bin/bash\n" 0
      (let ((vterm-tramp-shells '(("docker" "/bin/sh") (t 'login-shell)))
            (default-directory "/sudo:root@localhost:/tmp/"))
        (should (equal (vterm--shell) "/bin/bash"))
        (should (equal (vterm--tramp-get-shell "docker") "/bin/sh"))))))

;;;; Directory tracking keeps the TRAMP prefix

(ert-deftest vterm-upstream-directory-keeps-tramp-method ()
  "A report from the host of a remote `default-directory' keeps its method, user, port and hops."
  (let ((here (system-name)))
    (cl-flet ((from (dir report)
                (with-temp-buffer
                  (setq default-directory dir)
                  (vterm--directory-from-report report))))
      (should (equal (from "/ssh:host:/dir/" "me@host:/newdir")
                     "/ssh:host:/newdir/"))
      (should (equal (from "/ssh:host:/dir/" "file://host/new%20dir")
                     "/ssh:host:/new dir/"))
      (should (equal (from "/ssh:host.example.com:/dir/" "me@HOST:/x")
                     "/ssh:host.example.com:/x/"))
      (should (equal (from "/ssh:me@host#2222:/dir/" "me@host:/x")
                     "/ssh:me@host#2222:/x/"))
      (should (equal (from "/ssh:gw|ssh:host:/dir/" "me@host:/x")
                     "/ssh:gw|ssh:host:/x/"))
      (should (equal (from "/docker:box:/" "root@box:/srv")
                     "/docker:box:/srv/"))
      ;; sudo on this machine: the shell runs as root here.
      (should (equal (from (format "/sudo:root@%s:/etc/" here)
                           (format "root@%s:/root" here))
                     (format "/sudo:root@%s:/root/" here)))
      ;; Another user or another host: TRAMP's default method.
      (should (equal (from "/ssh:me@host:/dir/" "other@host:/x")
                     "/-:other@host:/x/"))
      (should (equal (from "/ssh:host:/dir/" "me@elsewhere:/x")
                     "/-:me@elsewhere:/x/"))
      ;; Back on this machine, or a local buffer: as before.
      (should (equal (from "/ssh:host:/dir/" (format "me@%s:/tmp" here))
                     "/tmp/"))
      (should (equal (from "/tmp/" "me@host:/x") "/-:me@host:/x/"))
      ;; Followed without opening a connection.
      (with-temp-buffer
        (setq default-directory "/ssh:host:/dir/")
        (cl-letf (((symbol-function 'file-directory-p)
                   (lambda (f) (if (file-remote-p f)
                                   (error "Connection opened for %s" f)
                                 t))))
          (vterm--set-directory "me@host:/srv/y")
          (should (equal default-directory "/ssh:host:/srv/y/")))))))

;;;; The major mode and dir-locals

(vterm-test-deftest vterm-upstream-major-mode-guard
  "Changing the major mode of a running vterm is refused; once the shell has exited it is allowed."
  buf
  (with-current-buffer buf
    (let ((term vterm--term))
      (should-error (fundamental-mode) :type 'user-error)
      (should (derived-mode-p 'vterm-mode))
      (should (eq vterm--term term))
      (should (process-live-p vterm--process))))
  (vterm-test-type buf "echo still-here")
  (vterm-test-wait-for buf "^still-here$")
  (let ((proc (get-buffer-process buf)))
    (with-current-buffer buf (setq-local vterm-kill-buffer-on-exit nil))
    (vterm-test-type buf "exit")
    (vterm-test-wait (lambda () (not (process-live-p proc))))
    (with-current-buffer buf
      (fundamental-mode)
      (should (eq major-mode 'fundamental-mode)))))

(ert-deftest vterm-upstream-dir-local-environment ()
  "A .dir-locals.el can set `vterm-environment' for a terminal started under it."
  :tags '(posix)
  (let* ((dir (file-name-as-directory (make-temp-file "vterm-dl" t)))
         (enable-local-variables :all)
         (vterm-environment '("VTERM_GLOBAL=g")))
    (unwind-protect
        (progn
          (with-temp-file (expand-file-name ".dir-locals.el" dir)
            (prin1 '((nil . ((vterm-environment . ("VTERM_DL=from-dir-locals")))))
                   (current-buffer)))
          (let* ((default-directory dir)
                 (process-environment (vterm-test-environment))
                 (vterm-shell "/bin/sh")
                 (vterm-use-conpty-proxy nil)
                 (buf (vterm (generate-new-buffer-name "vterm-dl"))))
            (unwind-protect
                (progn
                  (vterm-test-wait-for buf vterm-test-prompt-regexp)
                  (should (equal (buffer-local-value 'vterm-environment buf)
                                 '("VTERM_DL=from-dir-locals")))
                  (vterm-test-type buf "echo \"dl=$VTERM_DL\"")
                  (vterm-test-wait-for buf "^dl=from-dir-locals$"))
              (vterm-test-end-session buf)))
          (should (equal vterm-environment '("VTERM_GLOBAL=g"))))
      (delete-directory dir t))))

(provide 'vterm-upstream-tests)

;;; vterm-upstream-tests.el ends here

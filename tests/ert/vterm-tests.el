;;; vterm-tests.el --- ERT tests for vterm.el against a real shell -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by tests/ert/run.el.  Every test that needs a shell is defined
;; twice by `vterm-test-deftest': once on the native pty (name ends in
;; "/pty") and once through conpty-proxy ("/proxy").  The shell is
;; /bin/sh with a small, fixed environment and the prompt "$ ".
;;
;; The same files run in a Windows Emacs under Wine (suite wine-emacs,
;; tests/wine/emacs-suite.sh).  There a test's terminal runs the Wine
;; suite's fixture (tests/wine/fixture.c, "echo" mode: it prints READY,
;; then echoes lines), since Wine gives no console to cmd.exe; tests
;; tagged `posix' need a POSIX system (a shell, a native pty, stty) and
;; are not run there, and tests tagged `windows' run only there.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'bookmark)
(require 'compile)
(require 'vterm)
(require 'vterm-module)

(defconst vterm-test-top
  (expand-file-name "../.." (file-name-directory
                             (or load-file-name buffer-file-name)))
  "Top directory of the checkout.")

(defvar vterm-test-proxy
  (or (getenv "VTERM_TEST_PROXY")
      (expand-file-name "proxy/conpty-proxy" vterm-test-top))
  "The conpty-proxy binary the proxy tests use.")

(defvar vterm-test-proxy-p nil "Non-nil in the proxy variant of a test.")

(defconst vterm-test-windows (eq system-type 'windows-nt)
  "Non-nil in a Windows Emacs, where test terminals run the fixture.")

(defvar vterm-test-fixture
  (or (getenv "VTERM_TEST_FIXTURE")
      (expand-file-name "build/tests/wine/fixture.exe" vterm-test-top))
  "The Wine suite's fixture program, the terminal's program on Windows.")

(defconst vterm-test-prompt-regexp "^\\$ ?$"
  "Regexp matching an empty prompt line (the renderer trims blanks).")

(defconst vterm-test-ready-regexp
  (if vterm-test-windows "^READY$" vterm-test-prompt-regexp)
  "Regexp matching what a new test terminal shows when it is ready.")

(defvar vterm-test-timeout 10
  "Seconds a test waits for the terminal to show something.")

(defun vterm-test-wait (pred &optional timeout)
  "Wait until PRED returns non-nil, at most TIMEOUT seconds; return its value."
  (let ((deadline (+ (float-time) (or timeout vterm-test-timeout)))
        (value nil))
    (while (and (not (setq value (funcall pred)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

(defun vterm-test-screen (buffer)
  "Return BUFFER's text, or \"\" if it is dead."
  (if (buffer-live-p buffer)
      (with-current-buffer buffer
        (buffer-substring-no-properties (point-min) (point-max)))
    ""))

(defun vterm-test-wait-for (buffer regexp &optional timeout)
  "Wait until BUFFER's text matches REGEXP; fail the test if it never does."
  (or (vterm-test-wait (lambda ()
                         (string-match-p regexp (vterm-test-screen buffer)))
                       timeout)
      (ert-fail (list "Screen never matched" regexp
                      ;; The end of the screen is what tells.
                      (let ((text (vterm-test-screen buffer)))
                        (substring text (max 0 (- (length text) 800))))))))

(defun vterm-test-type (buffer string)
  "Send STRING and RET to the shell in BUFFER."
  (with-current-buffer buffer
    (vterm-send-string string)
    (vterm-send-return)))

(defvar vterm-test-extra-environment nil
  "More \"VAR=VALUE\" strings for the test shell's environment.")

(defun vterm-test-environment ()
  "Return the environment the test shell runs with."
  (append
   vterm-test-extra-environment
   (list (concat "HOME=" (expand-file-name "~"))
        "PATH=/usr/local/bin:/usr/bin:/bin"
        "PS1=$ "
        "LANG=C.UTF-8")))

;; A session's sentinel runs some time after its buffer is killed.
;; Were a test to end before that, the sentinel would run in the next
;; test, calling that test's `vterm-exit-functions'.
(defun vterm-test-end-session (buffer)
  "Kill BUFFER if live; wait until its process has ended and its sentinel ran."
  (when (buffer-live-p buffer)
    (let ((proc (get-buffer-process buffer))
          (sentinel-ran nil)
          (kill-buffer-query-functions nil))
      (when proc
        (add-function :after (process-sentinel proc)
                      (lambda (process _event)
                        (unless (process-live-p process)
                          (setq sentinel-ran t)))))
      (kill-buffer buffer)
      (when proc
        (vterm-test-wait (lambda () sentinel-ran) 5)))))

(defmacro vterm-test-with-vterm (use-proxy var &rest body)
  "Run BODY with VAR bound to a new vterm buffer running /bin/sh.
USE-PROXY non-nil runs the shell through conpty-proxy.  The buffer
and its process are cleaned up afterwards.  On Windows the program
is `vterm-test-fixture' in its echo mode, always through the proxy."
  (declare (indent 2))
  `(let* ((process-environment (if vterm-test-windows
                                   (append vterm-test-extra-environment
                                           process-environment)
                                 (vterm-test-environment)))
          (vterm-shell (if vterm-test-windows
                           (list vterm-test-fixture "echo")
                         "/bin/sh"))
          (vterm-use-conpty-proxy ,use-proxy)
          (vterm-conpty-proxy-path vterm-test-proxy)
          (vterm-kill-buffer-on-exit t)
          (vterm-exit-functions nil)
          (,var (vterm (generate-new-buffer-name "vterm-test"))))
     (unwind-protect
         (progn
           (vterm-test-wait-for ,var vterm-test-ready-regexp)
           ,@body)
       (vterm-test-end-session ,var))))

(defmacro vterm-test-deftest (name doc var &rest body)
  "Define NAME/pty and NAME/proxy: DOC, BODY with VAR a vterm buffer."
  (declare (indent 3) (doc-string 2))
  `(progn
     (ert-deftest ,(intern (format "%s/pty" name)) ()
       ,doc
       :tags '(posix)
       (let ((vterm-test-proxy-p nil))
         (ignore vterm-test-proxy-p)
         (vterm-test-with-vterm nil ,var ,@body)))
     (ert-deftest ,(intern (format "%s/proxy" name)) ()
       ,doc
       :tags '(posix)
       (should (file-executable-p vterm-test-proxy))
       (let ((vterm-test-proxy-p t))
         (ignore vterm-test-proxy-p)
         (vterm-test-with-vterm t ,var ,@body)))))

;;;; Both paths

(vterm-test-deftest vterm-test-echo
  "Typed text reaches the shell; its output appears on its own line."
  buf
  (with-current-buffer buf
    (should (derived-mode-p 'vterm-mode))
    (should (process-live-p vterm--process))
    (should (eq (and vterm--proxy-id t) vterm-test-proxy-p)))
  (vterm-test-type buf "echo hello")
  (vterm-test-wait-for buf "^hello$"))

(vterm-test-deftest vterm-test-keymap
  "Keys typed through the keymap (letters, DEL, RET) reach the shell."
  buf
  (switch-to-buffer buf)
  (execute-kbd-macro (kbd "e c h o SPC a b x DEL c RET"))
  (vterm-test-wait-for buf "^abc$"))

(vterm-test-deftest vterm-test-environment
  "The shell sees TERM and INSIDE_EMACS as emacs-libvterm sets them."
  buf
  (vterm-test-type buf "echo \"T=$TERM I=$INSIDE_EMACS\"")
  (vterm-test-wait-for buf "^T=xterm-256color I=vterm$"))

(vterm-test-deftest vterm-test-integration-scripts-path
  "EMACS_VTERM_PATH/etc/ holds the shell integration scripts."
  buf
  (vterm-test-type
   buf (concat "for f in emacs-vterm-bash.sh emacs-vterm-zsh.sh emacs-vterm.fish"
               " emacs-vterm.ps1; do test -f \"$EMACS_VTERM_PATH/etc/$f\""
               " && echo \"found-$f\"; done"))
  (vterm-test-wait-for buf "^found-emacs-vterm-bash.sh$")
  (vterm-test-wait-for buf "^found-emacs-vterm-zsh.sh$")
  (vterm-test-wait-for buf "^found-emacs-vterm.fish$")
  (vterm-test-wait-for buf "^found-emacs-vterm.ps1$"))

(vterm-test-deftest vterm-test-initial-size
  "The shell starts with the size vterm computed for the window."
  buf
  (let ((size (buffer-local-value 'vterm--size buf)))
    (vterm-test-type buf "stty size")
    (vterm-test-wait-for buf (format "^%d %d$" (cdr size) (car size)))))

(vterm-test-deftest vterm-test-resize
  "A resize reaches the shell: stty size shows the new size."
  buf
  (with-current-buffer buf
    (vterm--request-resize 50 20))
  (vterm-test-wait (lambda () (equal (buffer-local-value 'vterm--process-size buf)
                                     '(50 . 20)))
                   5)
  (vterm-test-type buf "stty size")
  (vterm-test-wait-for buf "^20 50$")
  (with-current-buffer buf
    (vterm--request-resize 61 17))
  (vterm-test-wait (lambda () (equal (buffer-local-value 'vterm--process-size buf)
                                     '(61 . 17)))
                   5)
  (vterm-test-type buf "stty size")
  (vterm-test-wait-for buf "^17 61$"))

(vterm-test-deftest vterm-test-resize-coalesced
  "Of several sizes requested at once only the newest is sent."
  buf
  (let ((sent nil))
    (cl-letf* ((orig-pty (symbol-function 'set-process-window-size))
               (orig-pipe (symbol-function 'vterm--conpty-resize-pipe))
               ((symbol-function 'set-process-window-size)
                (lambda (proc rows cols)
                  (push (cons cols rows) sent)
                  (funcall orig-pty proc rows cols)))
               ((symbol-function 'vterm--conpty-resize-pipe)
                (lambda (id cols rows)
                  (push (cons cols rows) sent)
                  (funcall orig-pipe id cols rows))))
      (with-current-buffer buf
        (vterm--request-resize 41 11)
        (vterm--request-resize 42 12)
        (vterm--request-resize 43 13))
      (vterm-test-wait (lambda () sent) 5)
      (accept-process-output nil 0.3))
    (should (equal sent '((43 . 13))))
    (vterm-test-type buf "stty size")
    (vterm-test-wait-for buf "^13 43$")))

(vterm-test-deftest vterm-test-window-size-function
  "The window size hook resizes the terminal to the window's full columns."
  buf
  (let* ((window (selected-window))
         (proc (get-buffer-process buf))
         (expect (cons (max vterm-min-window-width
                            (window-max-chars-per-line window))
                       (window-body-height window))))
    (with-current-buffer buf (vterm--request-resize 30 10))
    (vterm-test-wait (lambda () (equal (buffer-local-value 'vterm--process-size buf)
                                       '(30 . 10)))
                     5)
    (should-not (vterm--window-adjust-process-window-size proc (list window)))
    (should (equal (buffer-local-value 'vterm--size buf) expect))
    (should (vterm-test-wait
             (lambda () (equal (buffer-local-value 'vterm--process-size buf)
                               expect))
             5))
    (vterm-test-type buf "stty size")
    (vterm-test-wait-for buf (format "^%d %d$" (cdr expect) (car expect)))))

(ert-deftest vterm-test-height-change-waits ()
  "A change of the window height alone resizes once it has lasted.
A change that passes within `vterm-resize-height-delay' never reaches
the terminal; a width change resizes at once."
  (vterm-test-with-vterm nil buf
    (switch-to-buffer buf)
    (delete-other-windows)
    ;; The connection that ends Emacs's wait for the delay's timer
    ;; exists from the start: one made in redisplay, where the height
    ;; changes, is looked at only after that wait (seconds, seen).
    (should (process-live-p vterm--nudge))
    (let* ((window (selected-window))
           (proc (get-buffer-process buf))
           (full nil)
           (sizes nil))
      (with-current-buffer buf
        ;; The window's size to begin with, at once.
        (setq-local vterm-resize-height-delay 0)
        (vterm--window-adjust-process-window-size proc (list window))
        (setq-local vterm-resize-height-delay 0.5)
        (setq full vterm--size))
      (cl-letf* ((orig (symbol-function 'vterm--set-size))
                 ((symbol-function 'vterm--set-size)
                  (lambda (term rows cols)
                    (push (cons cols rows) sizes)
                    (funcall orig term rows cols))))
        (cl-flet ((adjust ()
                    (vterm--window-adjust-process-window-size
                     proc (list window))))
          ;; A split that passes: no resize, now or later.
          (let ((lower (split-window window)))
            (adjust)
            (delete-window lower))
          (adjust)
          (accept-process-output nil 0.8)
          (should (equal sizes nil))
          (should (equal (buffer-local-value 'vterm--size buf) full))
          ;; A split that lasts: the new height after the delay.
          (split-window window)
          (adjust)
          (should (equal sizes nil))
          (should (vterm-test-wait
                   (lambda () (equal sizes
                                     (list (vterm--window-size
                                            (get-buffer-window-list buf)))))
                   2))
          (delete-other-windows)
          (adjust)
          (should (vterm-test-wait
                   (lambda () (equal (car sizes) full))
                   2))
          ;; The width: at once.
          (setq sizes nil)
          (split-window window nil t)
          (adjust)
          (should (equal (car (car sizes))
                         (max vterm-min-window-width
                              (window-max-chars-per-line window))))
          (delete-other-windows)
          (adjust))))))

(vterm-test-deftest vterm-test-interrupt
  "C-c C-c interrupts the running command."
  buf
  (vterm-test-type buf "sleep 30; echo not-interrupted")
  (accept-process-output nil 0.3)
  (with-current-buffer buf (vterm-send-C-c))
  ;; The shell is back: it prints a new, empty prompt.
  (vterm-test-wait (lambda ()
                     (string-match-p "\\^C\\(\n\\)*\n\\$ ?\\'"
                                     (string-trim-right
                                      (vterm-test-screen buf) "[\n]+"))))
  (vterm-test-type buf "echo after-interrupt")
  (vterm-test-wait-for buf "^after-interrupt$" 5)
  (should-not (string-match-p "^not-interrupted$" (vterm-test-screen buf))))

(vterm-test-deftest vterm-test-exit-kill
  "Exit runs `vterm-exit-functions' and kills the buffer by default."
  buf
  (let* ((calls nil)
         (vterm-exit-functions (list (lambda (b e) (push (list b e) calls)))))
    (vterm-test-type buf "exit 3")
    (vterm-test-wait (lambda () (not (buffer-live-p buf))))
    (should-not (buffer-live-p buf))
    (should (= (length calls) 1))
    (should (eq (car (car calls)) buf))
    (should (string-match-p "exited abnormally with code 3"
                            (cadr (car calls))))))

(vterm-test-deftest vterm-test-exit-keep
  "With `vterm-kill-buffer-on-exit' nil the buffer stays, with a message.
The buffer's local `vterm-exit-functions' run whichever buffer is current."
  buf
  (let ((called nil))
    (with-current-buffer buf
      (setq-local vterm-kill-buffer-on-exit nil)
      (setq-local vterm-exit-functions
                  (list (lambda (b _e) (setq called b)))))
    (vterm-test-type buf "echo bye; exit 0")
    (with-temp-buffer
      (vterm-test-wait (lambda () called)))
    (should (eq called buf))
    (should (buffer-live-p buf))
    (should-not (process-live-p (get-buffer-process buf)))
    (vterm-test-wait-for buf "^bye$" 1)
    (vterm-test-wait-for buf "Process vterm\\(<[0-9]+>\\)? finished" 1)))

(vterm-test-deftest vterm-test-kill-buffer-stops-process
  "Killing the buffer ends its process."
  buf
  (let ((proc (get-buffer-process buf))
        (kill-buffer-query-functions nil))
    (should (process-live-p proc))
    (kill-buffer buf)
    (should (vterm-test-wait (lambda () (not (process-live-p proc))) 8))))

(vterm-test-deftest vterm-test-title
  "A title set by the shell runs `vterm-set-title-functions'."
  buf
  (let ((titles nil))
    (with-current-buffer buf
      (setq-local vterm-set-title-functions
                  (list (lambda (title) (push title titles)))))
    (vterm-test-type buf "printf '\\033]2;my-title\\007'")
    (should (vterm-test-wait (lambda () (member "my-title" titles))))))

(vterm-test-deftest vterm-test-synchronized-output
  "A frame the program marks (DEC mode 2026) is drawn once complete.
A frame never ended is drawn after `vterm-synchronized-output'."
  buf
  (with-current-buffer buf
    (setq-local vterm-synchronized-output 30))
  (vterm-test-type buf "printf '\\033[?2026hSYNC%s' -half")
  ;; The frame has begun, and well past the redraw delay the half of
  ;; it that came is not in the buffer.
  (should (vterm-test-wait
           (lambda () (vterm--synchronized-p
                       (buffer-local-value 'vterm--term buf)))))
  (sleep-for 0.8)
  (should-not (with-current-buffer buf
                (save-excursion
                  (goto-char (point-min))
                  (search-forward "SYNC-half" nil t))))
  (vterm-test-type buf "printf '\\033[?2026l'")
  (should (vterm-test-wait-for buf "SYNC-half"))
  (with-current-buffer buf
    (setq-local vterm-synchronized-output 0.3))
  (vterm-test-type buf "printf '\\033[?2026hSYNC%s' -forgotten")
  (should (vterm-test-wait-for buf "SYNC-forgotten")))

(vterm-test-deftest vterm-test-cursor-shapes
  "A program's DECSCUSR sets the buffer's `cursor-type'; a block restores it."
  buf
  (vterm-test-type buf "printf '\\033[6 q'")
  (should (vterm-test-wait
           (lambda () (eq (buffer-local-value 'cursor-type buf) 'bar))))
  (vterm-test-type buf "printf '\\033[4 q'")
  (should (vterm-test-wait
           (lambda () (eq (buffer-local-value 'cursor-type buf) 'hbar))))
  (vterm-test-type buf "printf '\\033[2 q'")
  (should (vterm-test-wait
           (lambda () (not (local-variable-p 'cursor-type buf))))))

(vterm-test-deftest vterm-test-directory-tracking
  "A directory report from the shell sets `default-directory'."
  buf
  (let ((dir (file-name-as-directory (make-temp-file "vterm-dir" t))))
    (unwind-protect
        (progn
          (vterm-test-type
           buf (format "printf '\\033]51;A%s@%s:%s\\033\\\\'"
                       (user-login-name) (system-name) dir))
          (should (vterm-test-wait
                   (lambda () (equal (buffer-local-value 'default-directory buf)
                                     dir)))))
      (delete-directory dir t))))

(vterm-test-deftest vterm-test-copy-mode
  "Copy mode copies the current line to the kill ring."
  buf
  (vterm-test-type buf "echo copy-me")
  (vterm-test-wait-for buf "^copy-me$")
  (with-current-buffer buf
    (vterm-copy-mode 1)
    (should vterm-copy-mode)
    (goto-char (point-min))
    (re-search-forward "^copy-me$")
    (vterm-copy-mode-done)
    (should-not vterm-copy-mode))
  (should (equal (current-kill 0) "copy-me")))

(vterm-test-deftest vterm-test-clear-scrollback
  "`vterm-clear-scrollback' drops lines scrolled off the screen."
  buf
  (vterm-test-type buf "seq 1 200")
  (vterm-test-wait-for buf "^200$")
  (vterm-test-wait-for buf "^1$")
  (with-current-buffer buf (vterm-clear-scrollback))
  (vterm-test-wait (lambda () (not (string-match-p "^1$" (vterm-test-screen buf))))
                   3)
  (should-not (string-match-p "^1$" (vterm-test-screen buf))))

(vterm-test-deftest vterm-test-yank
  "`vterm-yank' pastes the latest kill into the shell."
  buf
  (kill-new "echo pasted-text")
  (with-current-buffer buf
    (vterm-yank)
    (vterm-send-return))
  (vterm-test-wait-for buf "^pasted-text$"))

;;;; More commands and options, both paths

(vterm-test-deftest vterm-test-bracketed-paste
  "`vterm-yank' wraps the text in bracketed-paste marks when the program asks."
  buf
  (vterm-test-type buf "printf '\\033[?2004h'; cat -v")
  (accept-process-output nil 0.3)
  (kill-new "pasted")
  (with-current-buffer buf
    (vterm-yank)
    (vterm-send-return))
  (vterm-test-wait-for buf "^\\^\\[\\[200~pasted\\^\\[\\[201~$")
  (with-current-buffer buf (vterm-send-C-c)))

(vterm-test-deftest vterm-test-long-paste
  "A long multi-line paste reaches the program intact."
  buf
  (let* ((file (make-temp-file "vterm-paste"))
         (text (mapconcat (lambda (i) (format "line-%04d" i))
                          (number-sequence 1 2000) "\n")))
    (unwind-protect
        (progn
          (vterm-test-type buf (format "cat > %s" file))
          (accept-process-output nil 0.3)
          (with-current-buffer buf
            (vterm-send-string text)
            (vterm-send-return)
            (vterm-send-C-d))
          ;; cat has written everything once the file holds all lines.
          (should (vterm-test-wait
                   (lambda ()
                     (equal (with-temp-buffer
                              (insert-file-contents file)
                              (buffer-string))
                            (concat text "\n")))
                   20)))
      (delete-file file))))

(vterm-test-deftest vterm-test-send-key-modifiers
  "`vterm-send-key' with SHIFT sends the upper case; CTRL sends control codes."
  buf
  (with-current-buffer buf
    (vterm-send-string "echo ")
    (vterm-send-key "x" t)
    (vterm-send-key "y")
    ;; C-v (literal next) then C-a: the shell gets a raw ^A, cat -v shows it.
    (vterm-send-string " | cat -v; echo ")
    (vterm-send-key "v" nil nil t)
    (vterm-send-key "a" nil nil t)
    (vterm-send-string " | cat -v")
    (vterm-send-return))
  (vterm-test-wait-for buf "^Xy$")
  (vterm-test-wait-for buf "^\\^A$"))

(vterm-test-deftest vterm-test-meta-from-text-terminal
  "M-x typed as ESC x (a text terminal) reaches the program as ESC x."
  buf
  (switch-to-buffer buf)
  (vterm-test-type buf "cat -v")
  (accept-process-output nil 0.2)
  (execute-kbd-macro (vconcat [27 ?b] (kbd "M-f") [?\r]))
  (vterm-test-wait-for buf "^\\^\\[b\\^\\[f$")
  (with-current-buffer buf (vterm-send-C-c)))

(vterm-test-deftest vterm-test-send-next-key
  "`vterm-send-next-key' sends the next key even if it is an Emacs key."
  buf
  (switch-to-buffer buf)
  (execute-kbd-macro (kbd "e c h o SPC C-c C-f C-v C-c C-f C-x SPC | SPC c a t SPC - v RET"))
  (vterm-test-wait-for buf "^\\^X$"))

(vterm-test-deftest vterm-test-environment-option
  "`vterm-environment' adds variables to the shell's environment."
  buf
  (ignore buf)
  (let ((vterm-environment '("VTERM_TEST_VAR=from-option")))
    (let ((b2 (vterm (generate-new-buffer-name "vterm-env"))))
      (unwind-protect
          (progn
            (vterm-test-wait-for b2 vterm-test-prompt-regexp)
            (vterm-test-type b2 "echo \"v=$VTERM_TEST_VAR\"")
            (vterm-test-wait-for b2 "^v=from-option$"))
        (let ((kill-buffer-query-functions nil))
          (kill-buffer b2))))))

(vterm-test-deftest vterm-test-max-scrollback
  "`vterm-max-scrollback' bounds the lines kept above the screen."
  buf
  (ignore buf)
  (let ((vterm-max-scrollback 50))
    (let ((b2 (vterm (generate-new-buffer-name "vterm-sb"))))
      (unwind-protect
          (progn
            (vterm-test-wait-for b2 vterm-test-prompt-regexp)
            (vterm-test-type b2 "seq 1 300")
            (vterm-test-wait-for b2 "^300$")
            (vterm-test-wait-for b2 "^299$")
            (let ((lines (with-current-buffer b2
                           (count-lines (point-min) (point-max))))
                  (rows (cdr (buffer-local-value 'vterm--size b2))))
              (should (<= lines (+ 50 rows 1)))
              (should (>= lines 50))
              (should-not (string-match-p "^100$" (vterm-test-screen b2)))))
        (let ((kill-buffer-query-functions nil))
          (kill-buffer b2))))))

(vterm-test-deftest vterm-test-timer-delay-nil
  "With `vterm-timer-delay' nil output is drawn without waiting."
  buf
  (ignore buf)
  (let ((vterm-timer-delay nil))
    (let ((b2 (vterm (generate-new-buffer-name "vterm-nodelay"))))
      (unwind-protect
          (progn
            (vterm-test-wait-for b2 vterm-test-prompt-regexp)
            (vterm-test-type b2 "echo quick")
            (vterm-test-wait-for b2 "^quick$"))
        (let ((kill-buffer-query-functions nil))
          (kill-buffer b2))))))

(vterm-test-deftest vterm-test-stopped-output-drawn-early
  "With the parse thread, output that stops is drawn before the timer."
  buf
  (with-current-buffer buf
    (should vterm--wakeup)              ; the parse thread runs
    (setq-local vterm-timer-delay 60))
  ;; The keys' echo is drawn at once; the output comes a second later,
  ;; and a minute of timer delay would hide it past the wait.
  (vterm-test-type buf "sleep 1; echo early-$((6*7))")
  (vterm-test-wait-for buf "^early-42$" 20))

(defun vterm-test-write-lines (buffer prefix n)
  "Write N lines PREFIX1..PREFIXN to BUFFER's terminal as if the shell had."
  (with-current-buffer buffer
    (vterm--write-input vterm--term
                        (mapconcat (lambda (k) (format "\r\n%s%d" prefix k))
                                   (number-sequence 1 n) ""))))

(defun vterm-test-line-at (window)
  "Return the text of the line WINDOW starts at."
  (with-current-buffer (window-buffer window)
    (save-excursion
      (goto-char (window-start window))
      (buffer-substring-no-properties (point) (line-end-position)))))

(ert-deftest vterm-test-scrolled-window-stays ()
  "A window scrolled back stays while output arrives; the others follow.
It follows again once scrolled to the end, or when a key is sent
from it; with `vterm-scrolled-window-stays' nil, every window follows."
  (vterm-test-with-vterm nil buf
    (switch-to-buffer buf)
    (delete-other-windows)
    (let* ((reading (selected-window))
           (other (split-window reading))
           (rows (cdr (buffer-local-value 'vterm--size buf))))
      (cl-flet ((output (prefix)
                  (vterm-test-write-lines buf prefix 100)
                  (with-current-buffer buf (vterm--render)))
                (scroll-back (line)
                  (with-current-buffer buf
                    (goto-char (point-min))
                    (re-search-forward (concat "^" line "$"))
                    (set-window-start reading (line-beginning-position))
                    (set-window-point reading (point))))
                (live-p (window)
                  (= (window-start window)
                     (with-current-buffer buf (vterm--screen-top rows)))))
        (output "a-")
        (scroll-back "a-50")
        (output "b-")
        (should (equal (vterm-test-line-at reading) "a-50"))
        (should (live-p other))
        ;; Back at the end: it follows.
        (set-window-start reading (window-start other))
        (output "c-")
        (should (live-p reading))
        ;; A key sent from a scrolled window brings it back.
        (scroll-back "c-10")
        (with-current-buffer buf (vterm-send-string " "))
        (output "d-")
        (should (live-p reading))
        ;; The option off: every redraw shows the live screen.
        (scroll-back "d-10")
        (with-current-buffer buf
          (setq-local vterm-scrolled-window-stays nil))
        (output "e-")
        (should (live-p reading))
        (should (live-p other))))
    (delete-other-windows)))

(ert-deftest vterm-test-deferred-scrollback-drawn ()
  "Scrollback a streaming redraw left for later is drawn when output stops,
without a redraw timer pending, and when copy mode starts."
  (vterm-test-with-vterm nil buf
    (with-current-buffer buf
      (should vterm--wakeup)              ; the parse thread runs
      (setq-local vterm-timer-delay 60)
      (vterm--render)
      ;; Output that stops: the wake-up draws what the timer's redraw left.
      (vterm-test-write-lines buf "woke-" 60)
      (vterm--render t)
      (should (string-match-p "^woke-60$" (vterm-test-screen buf)))
      (should-not (string-match-p "^woke-1$" (vterm-test-screen buf)))
      (should-not vterm--redraw-timer)
      (vterm-test-wait-for buf "^woke-1$")
      ;; The timer's redraw comes after the thread found the output
      ;; stopped but before Emacs read its wake-up: that redraw takes
      ;; the news, so it draws everything.
      (vterm--render)
      (vterm-test-write-lines buf "late-" 60)
      (let ((until (+ (float-time) 5)))
        ;; Busy-waiting reads no process output.
        (while (and (vterm--parse-thread-busy vterm--term)
                    (< (float-time) until))))
      (should-not (vterm--parse-thread-busy vterm--term))
      (vterm--render t)
      (should (string-match-p "^late-1$" (vterm-test-screen buf)))
      ;; Copy mode shows all the output so far.
      (vterm--render)
      (vterm-test-write-lines buf "copy-" 60)
      (vterm--render t)
      (should-not (string-match-p "^copy-1$" (vterm-test-screen buf)))
      (unwind-protect
          (progn
            (vterm-copy-mode 1)
            (should (string-match-p "^copy-1$" (vterm-test-screen buf))))
        (vterm-copy-mode -1)))))

(ert-deftest vterm-test-mouse-bindings ()
  "The mouse goes to the program only while it asks for it.
Otherwise, in copy mode and with `vterm-mouse-reporting' nil, the
events keep their global meaning (selection, point, scrolling)."
  (vterm-test-with-vterm nil buf
    (with-current-buffer buf
      (let ((global (key-binding [down-mouse-1])))
        (should-not (eq global 'vterm-mouse-report))
        (vterm--write-input vterm--term "\e[?1002h")
        (dolist (event '([down-mouse-1] [mouse-1] [drag-mouse-1]
                         [double-down-mouse-3] [mouse-4] [wheel-down]))
          (should (eq (key-binding event) 'vterm-mouse-report)))
        (should-not (eq (key-binding [S-down-mouse-1]) 'vterm-mouse-report))
        (let ((vterm-mouse-reporting nil))
          (should (eq (key-binding [down-mouse-1]) global)))
        (unwind-protect
            (progn
              (vterm-copy-mode 1)
              (should (eq (key-binding [down-mouse-1]) global)))
          (vterm-copy-mode -1))
        (vterm--write-input vterm--term "\e[?1002l")
        (should (eq (key-binding [down-mouse-1]) global))))))

(defun vterm-test-display-text ()
  "Have the current buffer's text made ready for display, as redisplay does.
Batch Emacs displays nothing: run `fontification-functions' where
redisplay would, at the text not fontified yet."
  (let ((pos (point-min)))
    (while (and (< pos (point-max))
                (setq pos (text-property-any pos (point-max) 'fontified nil)))
      (run-hook-with-args 'fontification-functions pos)
      (setq pos (next-single-property-change pos 'fontified nil
                                             (point-max))))))

(ert-deftest vterm-test-links ()
  "URLs and FILE:LINE references of existing files become links.
Found when the text is displayed (as redisplay has it fontified);
a click or RET in copy mode opens them; `vterm-clickable-links' nil
leaves the text plain."
  (let ((dir (file-name-as-directory (make-temp-file "vterm-links" t)))
        (visited nil))
    (unwind-protect
        (progn
          (with-temp-file (expand-file-name "src.c" dir)
            (insert "one\ntwo\nthree\n"))
          (vterm-test-with-vterm nil buf
            (with-current-buffer buf
              (setq default-directory dir)
              (vterm--write-input
               vterm--term
               (concat "\r\nsee https://example.com/a_b?c=1). or"
                       " (file:///etc/hosts)\r\nsrc.c:3:2: error,"
                       " gone.c:5 ok, localhost:80\r\n"))
              (vterm--render)
              (vterm-test-display-text)
              (cl-flet ((link-at (text)
                          (goto-char (point-min))
                          (search-forward text)
                          (get-text-property (match-beginning 0) 'vterm-link))
                        (link-text (text)
                          (goto-char (point-min))
                          (search-forward text)
                          (let ((start (match-beginning 0)))
                            (buffer-substring-no-properties
                             start (next-single-property-change
                                    start 'vterm-link nil (point-max))))))
                (should (equal (link-at "https:")
                               '(url "https://example.com/a_b?c=1")))
                (should (equal (link-text "https:") "https://example.com/a_b?c=1"))
                (should (equal (link-at "file:") '(url "file:///etc/hosts")))
                (should (equal (link-at "src.c")
                               (list 'file (expand-file-name "src.c" dir) 3 2)))
                (should (equal (link-text "src.c") "src.c:3:2"))
                (should-not (link-at "gone.c"))
                (should-not (link-at "localhost"))
                ;; Opening: a URL goes to browse-url, a file is visited.
                (let ((browse-url-browser-function
                       (lambda (url &rest _) (setq visited url))))
                  (vterm-links-open (progn (link-at "https:") (match-beginning 0)))
                  (should (equal visited "https://example.com/a_b?c=1")))
                (save-window-excursion
                  (vterm-links-open (progn (link-at "src.c") (match-beginning 0)))
                  (should (equal buffer-file-name (expand-file-name "src.c" dir)))
                  (should (equal (buffer-substring (point) (line-end-position))
                                 "hree"))
                  (kill-buffer))
                ;; RET opens a link in copy mode only.
                (goto-char (progn (link-at "https:") (match-beginning 0)))
                (should-not (eq (key-binding (kbd "RET")) 'vterm-links-open))
                (unwind-protect
                    (progn
                      (vterm-copy-mode 1)
                      (goto-char (progn (link-at "https:") (match-beginning 0)))
                      (should (eq (key-binding (kbd "RET")) 'vterm-links-open)))
                  (vterm-copy-mode -1))))))
      (delete-directory dir t))
    ;; Turned off: plain text.
    (let ((vterm-clickable-links nil))
      (vterm-test-with-vterm nil buf
        (with-current-buffer buf
          (vterm--write-input vterm--term "\r\nhttps://example.com/\r\n")
          (vterm--render)
          (vterm-test-display-text)
          (goto-char (point-min))
          (search-forward "https:")
          (should-not (get-text-property (match-beginning 0) 'vterm-link)))))))

(ert-deftest vterm-test-file-url-paths ()
  "A file:// URL names its path; a drive letter's loses the slash before it."
  (require 'vterm-links)
  (should (equal (vterm-links--file-url-path "file:///tmp/a%20b.txt")
                 "/tmp/a b.txt"))
  (should (equal (vterm-links--file-url-path "file://localhost/tmp/x")
                 "/tmp/x"))
  (should (equal (vterm-links--file-url-path "file:///C:/Users/u/f.txt")
                 "C:/Users/u/f.txt"))
  (should (equal (vterm-links--file-url-path "file://host/c:/x")
                 "c:/x")))

(ert-deftest vterm-test-osc8-links ()
  "Text a program links (OSC 8) is a link to its URI, opened as URLs are.
A click or RET in copy mode opens it with `browse-url', a file:// one
in Emacs; `vterm-clickable-links' nil leaves the text plain."
  (let* ((file (make-temp-file "vterm-osc8" nil ".txt" "first\nsecond\n"))
         (output (concat "\r\nsee \e]8;;https://example.com/doc\e\\the "
                         "\e[1mdocs\e[m\e]8;;\e\\ and \e]8;;file://localhost"
                         ;; file://localhost/C:/x on Windows
                         (if (string-prefix-p "/" file) "" "/") file
                         "\e\\the file\e]8;;\e\\ (https://plain.example)\r\n"))
         (visited nil))
    (unwind-protect
        (progn
          (vterm-test-with-vterm nil buf
            (with-current-buffer buf
              (vterm--write-input vterm--term output)
              (vterm--render)
              (vterm-test-display-text)
              (cl-flet ((pos-of (text)
                          (goto-char (point-min))
                          (search-forward text)
                          (match-beginning 0)))
                (let ((doc (pos-of "the docs")))
                  (should (equal (get-text-property doc 'vterm-link)
                                 '(url "https://example.com/doc")))
                  (should (equal (next-single-property-change doc 'vterm-link)
                                 (+ doc (length "the docs"))))
                  (should (equal (get-text-property doc 'help-echo)
                                 "mouse-1: visit https://example.com/doc"))
                  (should (eq (get-text-property doc 'mouse-face) 'highlight))
                  (should-not (get-text-property (1- doc) 'vterm-link))
                  ;; Plain URLs beside them stay links of their own.
                  (should (equal (get-text-property (pos-of "https://plain")
                                                    'vterm-link)
                                 '(url "https://plain.example")))
                  (let ((browse-url-browser-function
                         (lambda (url &rest _) (setq visited url))))
                    (vterm-links-open (+ doc 5))
                    (should (equal visited "https://example.com/doc")))
                  ;; A file:// link is visited.
                  (save-window-excursion
                    (vterm-links-open (pos-of "the file"))
                    (should (equal buffer-file-name file))
                    (kill-buffer))
                  ;; RET in copy mode opens it.
                  (unwind-protect
                      (progn
                        (vterm-copy-mode 1)
                        (goto-char doc)
                        (should (eq (key-binding (kbd "RET"))
                                    'vterm-links-open)))
                    (vterm-copy-mode -1))))))
          ;; Turned off: plain text.
          (let ((vterm-clickable-links nil))
            (vterm-test-with-vterm nil buf
              (with-current-buffer buf
                (vterm--write-input vterm--term output)
                (vterm--render)
                (vterm-test-display-text)
                (goto-char (point-min))
                (search-forward "the docs")
                (should-not (get-text-property (match-beginning 0) 'vterm-link))
                (should-not (get-text-property (match-beginning 0)
                                               'mouse-face))))))
      (delete-file file))))

(ert-deftest vterm-test-color-queries-and-notifications ()
  "A terminal answers colour queries from its faces; notifications go out.
With `vterm-answer-color-queries' nil, nothing is answered."
  (let ((sent nil) (notes nil))
    (cl-letf (((symbol-function 'vterm--flush-output)
               (lambda (s) (push s sent))))
      (dolist (on '(t nil))
        (setq sent nil)
        (let ((vterm-answer-color-queries on)
              (vterm-notify-function (lambda (title body)
                                       (push (list title body) notes))))
          (vterm-test-with-vterm nil buf
            (with-current-buffer buf
              (vterm--write-input vterm--term "\e]4;1;?\e\\\e]9;hi\a")
              (vterm--update vterm--term)
              (should (equal (apply #'concat (nreverse sent))
                             (if on
                                 (apply #'format "\e]4;1;rgb:%04x/%04x/%04x\e\\"
                                        (color-values
                                         (face-foreground 'vterm-color-red)))
                               ""))))))))
    (should (equal notes '(("" "hi") ("" "hi"))))))

(ert-deftest vterm-test-redraw-cadence ()
  "Output that keeps arriving is drawn every `vterm-timer-delay' seconds.
The period counts from the previous redraw's due time, whatever the
redraw itself took; after a pause, output waits the whole delay."
  (cl-flet ((due (now last-due) (vterm--next-redraw-due now last-due 0.1))
            (near (a b) (< (abs (- a b)) 1e-9)))
    ;; The first output waits the delay.
    (should (near (due 10.0 nil) 10.1))
    ;; Output 30 ms after a redraw due at 10.1: drawn at 10.2, not 10.23.
    (should (near (due 10.13 10.1) 10.2))
    ;; Just before the next period ends: still that period.
    (should (near (due 10.199 10.1) 10.2))
    ;; After a pause as long as the delay or longer: the whole delay.
    (should (near (due 10.2 10.1) 10.3))
    (should (near (due 12.0 10.1) 12.1))))

;; In batch Emacs is never idle, so `this-command' alone tells whether
;; the code ran between commands or inside one.
(ert-deftest vterm-test-quit-between-commands-becomes-a-key ()
  "A quit typed while a filter or timer works between commands is a key.
Left as `quit-flag', it was signalled in the command loop after the
timer, which left the minibuffer open with \"[Quit]\" in it."
  (should (equal (let ((inhibit-quit t)
                        (this-command nil)
                        (unread-command-events nil))
                    (vterm--quit-as-key (setq quit-flag t))
                    (prog1 (list quit-flag unread-command-events)
                      (setq quit-flag nil)))
                 (list nil (list (nth 3 (current-input-mode)))))))

(ert-deftest vterm-test-quit-inside-a-command-stays-a-quit ()
  "A quit typed while a command waits for output quits that command."
  (should (equal (let ((inhibit-quit t)
                        (this-command 'some-command)
                        (unread-command-events nil))
                    (vterm--quit-as-key (setq quit-flag t))
                    ;; Read, then cleared before quitting is allowed.
                    (prog1 (list quit-flag unread-command-events)
                      (setq quit-flag nil)))
                 '(t nil))))

(ert-deftest vterm-test-quit-from-redisplay-becomes-a-key ()
  "A quit reaching the command loop between commands is the key it stands for.
\\[keyboard-quit] typed while Emacs redisplays can be signalled by the
display of a mode line; the command loop showed \"Quit\" and an open
minibuffer stayed open (the tmux suite's C-g during a flood, once in
20 to 60 tries).  Only while a terminal is shown, and only a quit that
no command was running for, and no other error."
  :tags '(posix)
  (vterm-test-with-vterm nil buf
    (let ((quit-key (nth 3 (current-input-mode))))
      (cl-flet ((command-error (data command)
                  ;; What the command loop does with DATA after COMMAND's
                  ;; error (nil: while reading a key): (REPORTED UNREAD).
                  (let ((this-command command)
                        (unread-command-events nil)
                        (reported nil))
                    (cl-letf (((symbol-function 'command-error-default-function)
                               (lambda (&rest _) (setq reported t)))
                              ((symbol-function 'minibuffer-error-function)
                               (lambda (&rest _) (setq reported t))))
                      (funcall command-error-function data "" nil))
                    (list reported unread-command-events))))
        (set-window-buffer (selected-window) buf)
        (should (equal (command-error '(quit) nil) (list nil (list quit-key))))
        (should (equal (command-error '(quit) 'some-command) '(t nil)))
        (should (equal (command-error '(error "boom") nil) '(t nil)))
        ;; A minibuffer has its own `command-error-function'.
        (with-temp-buffer
          (run-hooks 'minibuffer-setup-hook)
          (should (local-variable-p 'command-error-function))
          (should (equal (command-error '(quit) nil)
                         (list nil (list quit-key))))
          (should (equal (command-error '(quit) 'some-command) '(t nil))))
        (set-window-buffer (selected-window) (get-buffer-create "*scratch*"))
        (should (equal (command-error '(quit) nil) '(t nil)))))))

(vterm-test-deftest vterm-test-buffer-name-string
  "`vterm-buffer-name-string' renames the buffer from the title."
  buf
  (with-current-buffer buf
    (setq-local vterm-buffer-name-string "vterm %s"))
  (vterm-test-type buf "printf '\\033]2;renamed-title\\007'")
  (should (vterm-test-wait
           (lambda () (equal (buffer-name buf) "vterm renamed-title")))))

(vterm-test-deftest vterm-test-eval-escape
  "OSC 51;E from the shell calls a function in `vterm-eval-cmds'."
  buf
  (let ((got nil))
    (with-current-buffer buf
      (setq-local vterm-eval-cmds
                  (list (list "vterm-test-fn"
                              (lambda (&rest args) (setq got args))))))
    (vterm-test-type buf "printf '\\033]51;E\"vterm-test-fn\" \"a b\" \"c\"\\033\\\\'")
    (should (vterm-test-wait (lambda () got)))
    (should (equal got '("a b" "c")))))

(vterm-test-deftest vterm-test-osc52
  "OSC 52 sets the kill ring only when enabled."
  buf
  (kill-new "before")
  (vterm-test-type buf "printf '\\033]52;c;b3NjNTItdGV4dA==\\007'; echo sent-1")
  (vterm-test-wait-for buf "^sent-1$")
  (should (equal (current-kill 0) "before"))
  (let ((vterm-enable-manipulate-selection-data-by-osc52 t))
    (vterm-test-type buf "printf '\\033]52;c;b3NjNTItdGV4dA==\\007'")
    (should (vterm-test-wait (lambda () (equal (current-kill 0) "osc52-text"))))))

(vterm-test-deftest vterm-test-reset-cursor-point
  "`vterm-reset-cursor-point' puts point back at the cursor."
  buf
  (vterm-test-type buf "echo here")
  (vterm-test-wait-for buf "^here\n\\$ ?$")
  (with-current-buffer buf
    (let ((cursor (point)))
      (goto-char (point-min))
      (vterm-reset-cursor-point)
      (should (= (point) cursor)))))

(vterm-test-deftest vterm-test-prompt-navigation-regexp
  "Prompt navigation and `vterm-beginning-of-line' by `term-prompt-regexp'."
  buf
  (defvar term-prompt-regexp)
  (let ((term-prompt-regexp "^\\$ ")
        (vterm-use-vterm-prompt-detection-method nil))
    (vterm-test-type buf "echo one")
    (vterm-test-wait-for buf "^one$")
    (vterm-test-type buf "echo two")
    (vterm-test-wait-for buf "^two$")
    (with-current-buffer buf
      (goto-char (point-min))
      (should (looking-at "\\$ echo one"))
      (vterm-next-prompt 1)
      (should (looking-at "echo two"))
      (vterm-previous-prompt 1)
      (should (looking-at "echo one"))
      (end-of-line)
      (vterm-beginning-of-line)
      (should (looking-at "echo one")))))

(vterm-test-deftest vterm-test-copy-mode-exclude-prompt
  "Copy mode leaves the prompt out of a copied command line."
  buf
  (defvar term-prompt-regexp)
  (let ((term-prompt-regexp "^\\$ ")
        (vterm-use-vterm-prompt-detection-method nil)
        (vterm-copy-exclude-prompt t))
    (vterm-test-type buf "echo cmd-line")
    (vterm-test-wait-for buf "^cmd-line$")
    (with-current-buffer buf
      (vterm-copy-mode 1)
      (goto-char (point-min))
      (re-search-forward "echo cmd-line")
      (vterm-copy-mode-done))
    (should (equal (current-kill 0) "echo cmd-line"))))

(vterm-test-deftest vterm-test-copy-mode-region
  "Copy mode copies the active region; the terminal is not redrawn meanwhile."
  buf
  (vterm-test-type buf "echo first; echo second")
  (vterm-test-wait-for buf "^second$")
  (with-current-buffer buf
    (vterm-copy-mode 1)
    (transient-mark-mode 1)
    (goto-char (point-min))
    (re-search-forward "^first$")
    (push-mark (match-beginning 0) t t)
    (re-search-forward "^second$")
    (let ((before (buffer-string)))
      (vterm-test-type buf "echo during-copy")
      (accept-process-output nil 0.5)
      (should (equal (buffer-string) before)))
    (vterm-copy-mode-done))
  (should (equal (current-kill 0) "first\nsecond"))
  (vterm-test-wait-for buf "^during-copy$"))

(vterm-test-deftest vterm-test-remove-fake-newlines
  "With `vterm-copy-mode-remove-fake-newlines' a wrapped line copies whole."
  buf
  (with-current-buffer buf (vterm--request-resize 30 10))
  (vterm-test-wait (lambda () (equal (buffer-local-value 'vterm--process-size buf)
                                     '(30 . 10)))
                   5)
  (let ((vterm-copy-mode-remove-fake-newlines t)
        (long (concat "wrap" (make-string 40 ?x) "end")))
    (vterm-test-type buf (format "echo %s" long))
    ;; The output's first row starts with "wrap"; the echoed command line
    ;; starts with the prompt, so this waits for the output itself.
    (vterm-test-wait-for buf "^wrapx+\nx*end$")
    (with-current-buffer buf
      (vterm-copy-mode 1)
      (transient-mark-mode 1)
      (goto-char (point-max))
      (re-search-backward "^wrap")
      (push-mark (point) t t)
      (re-search-forward "end$")
      (vterm-copy-mode-done))
    (should (equal (current-kill 0) long))))

(vterm-test-deftest vterm-test-bookmark
  "A bookmark of a vterm records its directory and reopens a vterm there."
  buf
  (require 'bookmark)
  (let* ((dir (file-name-as-directory (make-temp-file "vterm-bm" t)))
         (record (with-current-buffer buf
                   (setq default-directory dir)
                   (bookmark-make-record))))
    (unwind-protect
        (progn
          (should (equal (bookmark-prop-get record 'thisdir) dir))
          (should (eq (bookmark-prop-get record 'handler)
                      'vterm--bookmark-handler))
          (let ((name (bookmark-prop-get record 'buf-name)))
            (let ((kill-buffer-query-functions nil))
              (kill-buffer buf))
            (vterm-bookmark-handler record)
            (should (get-buffer name))
            (with-current-buffer name
              (should (derived-mode-p 'vterm-mode))
              (should (equal default-directory dir)))
            (setq buf (get-buffer name))))
      (delete-directory dir t))))

(vterm-test-deftest vterm-test-compilation-shell-minor-mode
  "`next-error' finds errors printed in a vterm with compilation-shell-minor-mode."
  buf
  (let ((file (make-temp-file "vterm-err" nil ".c" "line1\nline2\nline3\n")))
    (unwind-protect
        (progn
          (with-current-buffer buf (compilation-shell-minor-mode 1))
          (vterm-test-type buf (format "echo '%s:3: error: boom'" file))
          (vterm-test-wait-for buf "error: boom$")
          (let ((visited (with-current-buffer buf
                           (goto-char (point-min))
                           (compilation-next-error 1)
                           (compile-goto-error)
                           (current-buffer))))
            (with-current-buffer visited
              (should (equal (buffer-file-name) file))
              (should (= (line-number-at-pos) 3)))
            (kill-buffer visited)))
      (delete-file file))))

(vterm-test-deftest vterm-test-proxy-death-reported
  "A shell process that dies by a signal runs the exit functions."
  buf
  (let ((event nil))
    (with-current-buffer buf
      (setq-local vterm-kill-buffer-on-exit nil)
      (setq-local vterm-exit-functions (list (lambda (_b e) (setq event e)))))
    (signal-process (get-buffer-process buf) 'KILL)
    (should (vterm-test-wait (lambda () event)))
    (should (buffer-live-p buf))
    (vterm-test-wait-for buf "^\\[Process vterm\\(<[0-9]+>\\)? killed" 1)))

(ert-deftest vterm-test-other-window ()
  "`vterm-other-window' shows the terminal in another window."
  :tags '(posix)
  (let* ((process-environment (vterm-test-environment))
         (vterm-shell "/bin/sh")
         (vterm-use-conpty-proxy nil)
         (start (selected-window))
         (buf (vterm-other-window (generate-new-buffer-name "vterm-ow"))))
    (unwind-protect
        (progn
          (should (buffer-live-p buf))
          (should-not (eq (window-buffer start) buf))
          (should (get-buffer-window buf))
          (should (with-current-buffer buf (derived-mode-p 'vterm-mode))))
      (let ((kill-buffer-query-functions nil))
        (kill-buffer buf))
      (delete-other-windows start))))

(defun vterm-test-face-at (buffer regexp)
  "Return the face property at the first match of REGEXP in BUFFER."
  (with-current-buffer buffer
    (save-excursion
      (goto-char (point-max))
      (when (re-search-backward regexp nil t)
        (get-text-property (match-beginning 0) 'face)))))

(defun vterm-test-face-has (face prop value)
  "Return non-nil if FACE (a plist or a list of them) has PROP VALUE."
  (cond ((and (consp face) (keywordp (car face)))
         (equal (plist-get face prop) value))
        ((consp face) (cl-some (lambda (f) (vterm-test-face-has f prop value))
                               face))))

(vterm-test-deftest vterm-test-color-faces
  "Named colours come from the vterm-color-* faces."
  buf
  (let ((old (face-foreground 'vterm-color-red nil t)))
    (unwind-protect
        (progn
          (set-face-foreground 'vterm-color-red "#123456")
          (let ((b2 (vterm (generate-new-buffer-name "vterm-face"))))
            (unwind-protect
                (progn
                  (vterm-test-wait-for b2 vterm-test-prompt-regexp)
                  (vterm-test-type b2 "printf '\\033[31mred-text\\033[0m\\n'")
                  (vterm-test-wait-for b2 "^red-text$")
                  (should (vterm-test-face-has
                           (vterm-test-face-at b2 "^red-text$")
                           :foreground "#123456")))
              (let ((kill-buffer-query-functions nil))
                (kill-buffer b2)))))
      (set-face-foreground 'vterm-color-red old)))
  (ignore buf))

(vterm-test-deftest vterm-test-disable-switches
  "The vterm-disable-* switches turn bold, underline and inverse video off."
  buf
  (let ((cmd "printf '\\033[1mbold-t\\033[0m \\033[4munder-t\\033[0m \\033[7minv-t\\033[0m\\n'"))
    (vterm-test-type buf cmd)
    (vterm-test-wait-for buf "^bold-t under-t inv-t$")
    (should (vterm-test-face-has (vterm-test-face-at buf "^bold-t") :weight 'bold))
    (should (vterm-test-face-has (vterm-test-face-at buf "under-t inv-t$")
                                 :underline t))
    (should (vterm-test-face-has (vterm-test-face-at buf "inv-t$")
                                 :inverse-video t))
    (let ((vterm-disable-bold-font t)
          (vterm-disable-underline t)
          (vterm-disable-inverse-video t))
      (let ((b2 (vterm (generate-new-buffer-name "vterm-plain"))))
        (unwind-protect
            (progn
              (vterm-test-wait-for b2 vterm-test-prompt-regexp)
              (vterm-test-type b2 cmd)
              (vterm-test-wait-for b2 "^bold-t under-t inv-t$")
              (should-not (vterm-test-face-has (vterm-test-face-at b2 "^bold-t")
                                               :weight 'bold))
              (should-not (vterm-test-face-has
                           (vterm-test-face-at b2 "under-t inv-t$")
                           :underline t))
              (should-not (vterm-test-face-has (vterm-test-face-at b2 "inv-t$")
                                               :inverse-video t)))
          (let ((kill-buffer-query-functions nil))
            (kill-buffer b2)))))))

(ert-deftest vterm-test-compile-without-make ()
  "Without make, `vterm-module-compile' says what to install."
  (cl-letf (((symbol-function 'executable-find) (lambda (&rest _) nil)))
    (let ((err (should-error (vterm-module-compile))))
      (should (string-match-p "libvterm-dev" (cadr err)))
      (should (string-match-p "mingw-w64-ucrt-x86_64-libvterm" (cadr err))))))

;;;; bash with its integration script (the scripts themselves: vterm-shells-tests.el)

(defmacro vterm-test-with-bash (var &rest body)
  "Run BODY with VAR a vterm running bash with the integration script."
  (declare (indent 1))
  `(let* ((process-environment (vterm-test-environment))
          (vterm-shell "bash --norc --noprofile")
          (vterm-use-conpty-proxy nil)
          (,var (vterm (generate-new-buffer-name "vterm-bash"))))
     (unwind-protect
         (progn
           (vterm-test-wait-for ,var vterm-test-prompt-regexp)
           (vterm-test-type ,var (format ". %s"
                                         (expand-file-name
                                          "lisp/etc/emacs-vterm-bash.sh"
                                          vterm-test-top)))
           (vterm-test-type ,var "echo sourced")
           ;; The prompt after it: keys typed before it reach a tty in
           ;; cooked mode, not readline (C-_ echoed as ^_, not undo).
           (vterm-test-wait-for ,var "^sourced\n\\$ ")
           ,@body)
       (let ((kill-buffer-query-functions nil))
         (when (buffer-live-p ,var) (kill-buffer ,var))))))

(ert-deftest vterm-test-bash-yank-pop ()
  "`vterm-yank-pop' takes the last paste back and pastes an earlier kill."
  :tags '(posix)
  (should (executable-find "bash"))
  (vterm-test-with-bash buf
    (kill-new "first-kill")
    (kill-new "second-kill")
    (with-current-buffer buf
      (vterm-send-string "echo ")
      (vterm-yank))
    (vterm-test-wait-for buf "echo second-kill$")
    (with-current-buffer buf
      (let ((last-command 'vterm-yank))
        (vterm-yank-pop))
      (vterm-send-return))
    (vterm-test-wait-for buf "^first-kill$")
    (should-not (string-match-p "^second-kill$" (vterm-test-screen buf)))))

(ert-deftest vterm-test-bash-prompt-marks ()
  "With the bash script, prompts are marked: navigation and copy mode use them."
  :tags '(posix)
  (should (executable-find "bash"))
  (let ((dir (file-name-as-directory (make-temp-file "vterm-pwd" t)))
        (start-dir nil))
    (unwind-protect
        (vterm-test-with-bash buf
          (vterm-test-type buf "echo one")
          (vterm-test-wait-for buf "^one$")
          (setq start-dir (buffer-local-value 'default-directory buf))
          (vterm-test-type buf (format "cd %s" dir))
          (vterm-test-type buf "echo two")
          (vterm-test-wait-for buf "^two$")
          (with-current-buffer buf
            (should vterm-use-vterm-prompt-detection-method)
            (goto-char (point-min))
            (re-search-forward "^one$")
            (let ((one-line (line-number-at-pos)))
              ;; The next prompts: "cd DIR", then "echo two".
              (vterm-next-prompt 1)
              (should (looking-at (regexp-quote (format "cd %s" dir))))
              (should (get-text-property (1- (point)) 'vterm-prompt))
              (should-not (get-text-property (point) 'vterm-prompt))
              (vterm-next-prompt 1)
              (should (looking-at "echo two$"))
              (end-of-line)
              (vterm-beginning-of-line)
              (should (looking-at "echo two$"))
              (vterm-previous-prompt 2)
              (should (looking-at "echo one$"))
              ;; Each line knows the directory it ran in.
              (should (equal (vterm--get-pwd one-line) start-dir))
              (should-not (equal start-dir dir))
              (should (equal (vterm--get-pwd (line-number-at-pos (point-max)))
                             dir))))
          (let ((vterm-copy-exclude-prompt t))
            (with-current-buffer buf
              (vterm-copy-mode 1)
              (goto-char (point-min))
              (re-search-forward "echo two$")
              (vterm-copy-mode-done)))
          (should (equal (current-kill 0) "echo two")))
      (delete-directory dir t))))

;;;; Command blocks and exit statuses (OSC 133)

(defconst vterm-test-osc133-session
  (concat "\e]133;A\e\\$ \e]133;B\e\\echo one\r\n\e]133;C\e\\one\r\n"
          "\e]133;D;0\e\\\e]133;A\e\\$ \e]133;B\e\\false\r\n\e]133;C\e\\"
          "\e]133;D;1\e\\\e]133;A\e\\~/dir\r\n$ \e]133;B\e\\printf\r\n"
          "\e]133;C\e\\a\r\nb\r\n\e]133;D;0\e\\\e]133;A\e\\$ \e]133;B\e\\")
  "Three commands as a shell with OSC 133 marks prints them.
\"echo one\" prints one, \"false\" nothing and fails, \"printf\"
after a prompt of two lines prints a and b; then the next prompt.")

(defmacro vterm-test-with-osc133-buffer (&rest body)
  "Run BODY in a buffer that shows `vterm-test-osc133-session'."
  (declare (indent 0))
  `(with-temp-buffer
     (let ((term (vterm--new 10 30 100)))
       (vterm--write-input term vterm-test-osc133-session)
       (vterm--redraw term)
       ,@body)))

(ert-deftest vterm-test-osc133-output-blocks ()
  "OSC 133 prompts delimit each command's output; commands move and copy."
  (vterm-test-with-osc133-buffer
    (should (equal (buffer-substring-no-properties (point-min) (point-max))
                   (concat "$ echo one\none\n$ false\n~/dir\n$ printf\n"
                           "a\nb\n$ \n\n")))
    (should (equal (mapcar (lambda (b)
                             (buffer-substring-no-properties (car b) (cdr b)))
                           (vterm--output-blocks))
                   '("one" "a\nb")))
    (vterm-copy-last-output)
    (should (equal (current-kill 0) "a\nb"))
    (goto-char (point-min))
    (vterm-next-output 1)
    (should (looking-at "one$"))
    (vterm-next-output 1)
    (should (looking-at "a$"))
    (should-error (vterm-next-output 1) :type 'user-error)
    (vterm-previous-output 1)
    (should (looking-at "one$"))
    (goto-char (point-max))
    (vterm-previous-output 2)
    (should (looking-at "one$"))
    ;; Prompt navigation and the prompt point work from OSC 133 alone.
    (goto-char (point-min))
    (vterm-next-prompt 1)
    (should (looking-at "false$"))
    (vterm-next-prompt 1)
    (should (looking-at "printf$"))
    (forward-line 1)
    (should (equal (vterm--get-prompt-point)
                   (save-excursion (forward-line -1) (+ (point) 2))))
    (vterm-previous-prompt 2)
    (should (looking-at "false$"))))

(ert-deftest vterm-test-osc133-exit-status-marks ()
  "The prompt after a command shows its exit status as `vterm-exit-status-marks' says."
  (let ((saved vterm-exit-status-marks))
    (unwind-protect
        (vterm-test-with-osc133-buffer
          (let ((failed (progn (goto-char (point-min))
                               (re-search-forward "^~/dir\n")
                               (point)))
                (ok (progn (re-search-forward "^\\$ \n") (match-beginning 0))))
            (should (eql (get-text-property failed 'vterm-exit-status) 1))
            (should (eql (get-text-property ok 'vterm-exit-status) 0))
            (customize-set-variable 'vterm-exit-status-marks 'margin)
            (should (equal (get-text-property failed 'line-prefix)
                           (vterm--exit-status-prefix t)))
            (should (equal (cadr (get-text-property
                                  0 'display
                                  (get-text-property failed 'line-prefix)))
                           "\u2717"))
            (should (equal (cadr (get-text-property
                                  0 'display (get-text-property ok 'line-prefix)))
                           "\u2713"))
            (customize-set-variable 'vterm-exit-status-marks t)
            (should (equal (get-text-property 0 'display
                                              (get-text-property failed
                                                                 'line-prefix))
                           '(left-fringe filled-square
                                         vterm-exit-status-failure)))
            (customize-set-variable 'vterm-exit-status-marks nil)
            (should-not (get-text-property failed 'line-prefix))
            ;; Lines that are no prompt after a command show nothing.
            (customize-set-variable 'vterm-exit-status-marks 'margin)
            (should-not (get-text-property (point-min) 'line-prefix))
            (goto-char (point-min))
            (re-search-forward "^one$")
            (should-not (get-text-property (match-beginning 0) 'line-prefix))))
      (customize-set-variable 'vterm-exit-status-marks saved))
    ;; Set with setq, as an init file does after loading vterm: the
    ;; next terminal shows it.
    (unwind-protect
        (progn
          (setq vterm-exit-status-marks 'margin)
          (vterm-test-with-vterm nil buf
            (with-current-buffer buf
              (vterm--write-input vterm--term vterm-test-osc133-session)
              (vterm--render)
              (goto-char (point-min))
              (re-search-forward "^~/dir\n")
              (should (equal (cadr (get-text-property
                                    0 'display
                                    (get-text-property (point) 'line-prefix)))
                             "\u2717")))))
      (customize-set-variable 'vterm-exit-status-marks saved))))

(ert-deftest vterm-test-bash-osc133 ()
  "A real bash that sends OSC 133 marks: blocks, statuses and prompts."
  :tags '(posix)
  (should (executable-find "bash"))
  (let* ((process-environment (vterm-test-environment))
         (vterm-shell "bash --norc --noprofile")
         (vterm-use-conpty-proxy nil)
         (buf (vterm (generate-new-buffer-name "vterm-bash"))))
    (unwind-protect
        (progn
          (vterm-test-wait-for buf vterm-test-prompt-regexp)
          ;; What bash integrations send: D with $? first, A before
          ;; the prompt, B after it, C (PS0) when the command starts.
          (vterm-test-type
           buf (concat "PROMPT_COMMAND='printf \"\\e]133;D;%s\\a\" $?'; "
                       "PS1='\\[\\e]133;A\\a\\]bash-\\s\\n> \\[\\e]133;B\\a\\]'; "
                       "PS0='\\[\\e]133;C\\a\\]'"))
          (vterm-test-wait-for buf "^bash-bash\n> $")
          (vterm-test-type buf "echo one")
          (vterm-test-wait-for buf "^one\nbash-bash\n> $")
          (vterm-test-type buf "(exit 3)")
          (vterm-test-wait-for buf "(exit 3)\nbash-bash\n> $")
          (vterm-test-type buf "printf 'a\\nb\\n'")
          (vterm-test-wait-for buf "^b\nbash-bash\n> $")
          (with-current-buffer buf
            (vterm-copy-last-output)
            (should (equal (current-kill 0) "a\nb"))
            (goto-char (point-min))
            (re-search-forward "^> (exit 3)$")
            (let ((exit-prompt (match-beginning 0)))
              (vterm-previous-prompt 1)
              (should (looking-at "echo one$"))
              (vterm-next-prompt 1)
              (should (looking-at "(exit 3)$"))
              ;; The prompt after "(exit 3)" carries its status, the
              ;; one after "echo one" a success.
              (vterm-next-prompt 1)
              (should (looking-at "printf"))
              (should (eql (get-text-property (line-beginning-position)
                                              'vterm-exit-status)
                           3))
              (should (eq (get-text-property (line-beginning-position)
                                             'category)
                          'vterm-exit-failure))
              (should (eql (get-text-property exit-prompt 'vterm-exit-status)
                           0))
              ;; The prompt's first line is not part of the output.
              (should (eql (get-text-property exit-prompt 'vterm-prompt-lines)
                           1)))
            (goto-char (point-max))
            (vterm-previous-output 1)
            (should (looking-at "a$"))
            (vterm-previous-output 1)
            (should (looking-at "one$"))
            ;; At the cursor's empty command line, the prompt ends there.
            (vterm-reset-cursor-point)
            (should (eql (vterm--get-prompt-point) (point)))))
      (vterm-test-end-session buf))))

(ert-deftest vterm-test-bash-vterm-clear ()
  "`vterm-clear' clears the screen (C-l to readline)."
  :tags '(posix)
  (should (executable-find "bash"))
  (vterm-test-with-bash buf
    (vterm-test-type buf "echo old-text")
    (vterm-test-wait-for buf "^old-text$")
    (with-current-buffer buf (vterm-clear))
    (should (vterm-test-wait
             (lambda () (not (string-match-p "^old-text$"
                                             (vterm-test-screen buf))))))))

(ert-deftest vterm-test-bash-vterm-clear-scrollback-too ()
  "With `vterm-clear-scrollback-when-clearing', `vterm-clear' drops scrollback."
  :tags '(posix)
  (should (executable-find "bash"))
  (vterm-test-with-bash buf
    (vterm-test-type buf "seq 1 200")
    (vterm-test-wait-for buf "^200$")
    (let ((vterm-clear-scrollback-when-clearing t))
      (with-current-buffer buf (vterm-clear)))
    (should (vterm-test-wait
             (lambda () (not (string-match-p "^1$" (vterm-test-screen buf))))))))

;;;; Pure functions and the proxy path specifically

(ert-deftest vterm-test-proxy-id ()
  "Control-channel ids are valid and differ from one another."
  (let ((a (vterm--new-proxy-id))
        (b (vterm--new-proxy-id)))
    (should (string-match-p "\\`[A-Za-z0-9._-]\\{1,64\\}\\'" a))
    (should (string-match-p "\\`[A-Za-z0-9._-]\\{1,64\\}\\'" b))
    (should-not (equal a b))
    (should (string-match-p (format "-%d-" (emacs-pid)) a))))

(ert-deftest vterm-test-window-size-text-terminal ()
  "On a text terminal the last column is left for the continuation glyph."
  (let ((vterm-min-window-width 1)
        (window (selected-window)))
    (unless (display-graphic-p)
      (should (= (car (vterm--window-size (list window)))
                 (1- (window-body-width window)))))
    (should (= (cdr (vterm--window-size (list window)))
               (window-body-height window)))))

(ert-deftest vterm-test-window-size-line-numbers ()
  "Columns taken by line numbers are not the terminal's."
  (let ((vterm-min-window-width 1)
        (window (selected-window)))
    (with-temp-buffer
      (set-window-buffer window (current-buffer))
      (let ((plain (car (vterm--window-size (list window)))))
        (display-line-numbers-mode 1)
        (should (< (car (vterm--window-size (list window))) plain))))))

(ert-deftest vterm-test-min-window-width ()
  "`vterm-min-window-width' is a lower bound of the terminal width."
  (let ((vterm-min-window-width 500))
    (should (= (car (vterm--window-size (list (selected-window)))) 500))))

(ert-deftest vterm-test-directory-report ()
  "Directory reports in the forms shells send are understood."
  (should (equal (vterm--directory-from-report
                  (format "user@%s:/tmp/x" (system-name)))
                 "/tmp/x/"))
  (should (equal (vterm--directory-from-report
                  (format "file://%s/tmp/a%%20b" (system-name)))
                 "/tmp/a b/"))
  (should (equal (vterm--directory-from-report "/var/") "/var/"))
  ;; Windows shells report drive letters, as /C:/... in file: URLs.
  ;; A Windows Emacs writes the drive letter in lower case.
  (let ((system-type 'windows-nt)
        (drive (if vterm-test-windows "c:/Users/me/" "C:/Users/me/")))
    (should (equal (vterm--directory-from-report
                    (format "file://%s/C:/Users/me" (system-name)))
                   drive))
    (should (equal (vterm--directory-from-report
                    (format "me@%s:C:/Users/me" (system-name)))
                   drive))))

(ert-deftest vterm-test-windows-defaults ()
  "On Windows the default shell is COMSPEC, run through the proxy."
  (let ((system-type 'windows-nt)
        (process-environment (cons "COMSPEC=C:\\Windows\\system32\\cmd.exe"
                                   process-environment)))
    (should (equal (eval (car (get 'vterm-shell 'standard-value)) t)
                   "C:\\Windows\\system32\\cmd.exe"))
    (should (eval (car (get 'vterm-use-conpty-proxy 'standard-value)) t))
    ;; A shell with arguments is split; one that names a program is not.
    (let ((vterm-shell "powershell.exe -NoLogo -NoProfile"))
      (cl-letf (((symbol-function 'executable-find) (lambda (&rest _) nil)))
        (should (equal (vterm--shell-argv)
                       '("powershell.exe" "-NoLogo" "-NoProfile")))))
    (let ((vterm-shell "C:/Program Files/PowerShell/7/pwsh.exe"))
      (cl-letf (((symbol-function 'executable-find) (lambda (f) f)))
        (should (equal (vterm--shell-argv) (list vterm-shell)))))))

;; Issue 14: the proxy gets the program `executable-find' found, never
;; a bare name it could look up in the buffer's directory.
(ert-deftest vterm-test-windows-shell-resolved ()
  "On Windows the shell's program is passed as the file found on PATH."
  (let ((system-type 'windows-nt)
        (found "C:/Windows/System32/WindowsPowerShell/v1.0/powershell.exe"))
    (cl-letf (((symbol-function 'executable-find)
               (lambda (f &rest _)
                 (and (member f '("powershell.exe" "powershell")) found))))
      (let ((vterm-shell "powershell.exe -NoLogo"))
        (should (equal (vterm--shell-argv) (list found "-NoLogo"))))
      (let ((vterm-shell "powershell"))
        (should (equal (vterm--shell-argv) (list found))))
      ;; Not found: the name as given; the proxy searches PATH only.
      (let ((vterm-shell "nosuch.exe -x"))
        (should (equal (vterm--shell-argv) '("nosuch.exe" "-x")))))))

;; Issue 14: Windows has no signals; Emacs maps 0xC000013A to signal 2.
(ert-deftest vterm-test-exit-explanation-windows ()
  "Exits of a proxy session are explained the way each system means them."
  (with-temp-buffer
    (setq-local vterm--proxy-id "x")
    (let ((buffer (current-buffer)) state status)
      (cl-letf (((symbol-function 'process-buffer) (lambda (_) buffer))
                ((symbol-function 'process-status) (lambda (_) state))
                ((symbol-function 'process-exit-status) (lambda (_) status)))
        (let ((system-type 'windows-nt))
          (setq state 'signal status 2)
          (should (string-match-p "0xC000013A" (vterm--exit-explanation 'p)))
          (should-not (string-match-p "signal" (vterm--exit-explanation 'p)))
          (setq state 'exit status 130)
          (should (equal (vterm--exit-explanation 'p) ""))
          (setq state 'exit status 127)
          (should (string-match-p "could not start" (vterm--exit-explanation 'p))))
        (let ((system-type 'gnu/linux))
          (setq state 'exit status 130)
          (should (string-match-p "signal 2" (vterm--exit-explanation 'p)))
          (setq state 'signal status 9)
          (should (string-match-p "died by signal 9"
                                  (vterm--exit-explanation 'p))))))))

;; Issue 14: a Windows vterm-shell is split as Windows programs split
;; their command lines, not as a Lisp string.
(ert-deftest vterm-test-w32-split-command-line ()
  "CommandLineToArgvW's rules, called directly."
  (dolist (case
           '(("\"C:\\Program Files\\PowerShell\\7\\pwsh.exe\" -NoLogo"
              "C:\\Program Files\\PowerShell\\7\\pwsh.exe" "-NoLogo")
             ("C:\\Windows\\system32\\cmd.exe /k \"echo a  b\""
              "C:\\Windows\\system32\\cmd.exe" "/k" "echo a  b")
             ("  prog  a\tb  " "prog" "a" "b")
             ("prog \"\"" "prog" "")
             ("prog a\\\\b c\\" "prog" "a\\\\b" "c\\")
             ("prog a\\\"b" "prog" "a\"b")
             ("prog \"a\\\\\"" "prog" "a\\")
             ("prog a\\\\\"b c\"" "prog" "a\\b c")
             ("prog \"a\"\"b\"" "prog" "a\"b")
             ("\"C:\\x\\\"y z" "C:\\x\\" "y" "z")
             ("" )))
    (should (equal (vterm--w32-split-command-line (car case)) (cdr case)))))

(ert-deftest vterm-test-windows-shell-quoted-path ()
  "A quoted Windows path in `vterm-shell', and a list, reach the proxy whole."
  :tags '(posix)
  (let ((system-type 'windows-nt))
    (cl-letf (((symbol-function 'executable-find) (lambda (&rest _) nil)))
      (let ((vterm-shell
             "\"C:\\Program Files\\PowerShell\\7\\pwsh.exe\" -NoLogo"))
        (should (equal (vterm--shell-argv)
                       '("C:\\Program Files\\PowerShell\\7\\pwsh.exe" "-NoLogo"))))
      (let ((vterm-shell '("C:/Program Files/Git/bin/bash.exe" "--login" "-i")))
        (should (equal (vterm--shell-argv) vterm-shell))))))

;; Issue 14: a resize sent before the proxy made its control channel
;; failed for good; the first output sends the size again.
(ert-deftest vterm-test-proxy-first-output-reapplies-size ()
  "The first output of a proxy session re-sends a size it did not get."
  (with-temp-buffer
    (setq-local vterm--proxy-id "x")
    (setq-local vterm--size '(100 . 40))
    (setq-local vterm--process-size '(80 . 24))
    (let ((buffer (current-buffer)) sent)
      (cl-letf (((symbol-function 'process-buffer) (lambda (_) buffer))
                ((symbol-function 'vterm--send-pending-size)
                 (lambda (b)
                   (with-current-buffer b
                     (push vterm--pending-size sent)
                     (setq vterm--resize-timer nil
                           vterm--pending-size nil)))))
        (vterm--filter 'proc "$ ")
        (should vterm--proxy-output-seen)
        (should (equal vterm--pending-size '(100 . 40)))
        (should vterm--resize-timer)
        (timer-event-handler vterm--resize-timer)
        (should (equal sent '((100 . 40))))
        ;; Only the first output does it.
        (vterm--filter 'proc "more")
        (should-not vterm--pending-size)))))

(ert-deftest vterm-test-proxy-found-beside-module ()
  "Without `vterm-conpty-proxy-path' the proxy is found next to the module."
  (let* ((dir (file-name-as-directory (make-temp-file "vterm-layout" t)))
         (module (expand-file-name (concat "lib/vterm-module" module-file-suffix)
                                   dir))
         (name (if vterm-test-windows "conpty-proxy.exe" "conpty-proxy"))
         (vterm-conpty-proxy-path nil))
    (unwind-protect
        (progn
          (make-directory (file-name-directory module))
          (write-region "" nil module)
          (let ((load-path (cons (file-name-directory module) load-path)))
            ;; The build tree's layout: module/ and proxy/ side by side.
            (make-directory (expand-file-name "proxy" dir))
            (let ((proxy (expand-file-name (concat "proxy/" name) dir)))
              (write-region "" nil proxy)
              (set-file-modes proxy #o755)
              (should (equal (file-truename (vterm--find-proxy))
                             (file-truename proxy))))
            ;; A package: both in one directory, which wins.
            (let ((proxy (expand-file-name (concat "lib/" name) dir)))
              (write-region "" nil proxy)
              (set-file-modes proxy #o755)
              (should (equal (file-truename (vterm--find-proxy))
                             (file-truename proxy))))
            ;; The option wins over both.
            (let ((vterm-conpty-proxy-path vterm-test-proxy))
              (should (equal (vterm--find-proxy) vterm-test-proxy)))))
      (delete-directory dir t))))

(ert-deftest vterm-test-buffer-names ()
  "`vterm' with a number or a string names the buffer as emacs-libvterm does."
  (let ((vterm-buffer-name "*vterm-name-test*"))
    (should (equal (buffer-name (vterm--get-buffer 3)) "*vterm-name-test*<3>"))
    (kill-buffer "*vterm-name-test*<3>")
    (should (equal (buffer-name (vterm--get-buffer nil)) "*vterm-name-test*"))
    (let ((b (vterm--get-buffer t)))
      (should-not (equal (buffer-name b) "*vterm-name-test*"))
      (kill-buffer b))
    (kill-buffer "*vterm-name-test*")))

(ert-deftest vterm-test-keymap-exceptions ()
  "Keys in `vterm-keymap-exceptions' keep their global binding."
  (should (eq (lookup-key vterm-mode-map (kbd "C-a")) #'vterm--self-insert))
  (should-not (eq (lookup-key vterm-mode-map (kbd "M-x")) #'vterm--self-insert))
  (should (eq (lookup-key vterm-mode-map (kbd "C-c C-c")) #'vterm-send-C-c))
  (should (eq (lookup-key vterm-mode-map (kbd "C-c C-t")) #'vterm-copy-mode))
  (should (eq (lookup-key vterm-mode-map [remap self-insert-command])
              #'vterm--self-insert)))

(ert-deftest vterm-test-eval-cmds ()
  "Only commands in `vterm-eval-cmds' can be run by the shell."
  (let* ((called nil)
         (vterm-eval-cmds (list (list "allowed" (lambda (&rest args)
                                                  (setq called args))))))
    (vterm--eval "allowed \"a b\" c")
    (should (equal called '("a b" "c")))
    (setq called nil)
    (vterm--eval "forbidden x")
    (should-not called)))

(ert-deftest vterm-test-proxy-resize-fallback ()
  "When the module cannot reach the channel, `conpty-proxy resize' is used."
  :tags '(posix)
  (should (file-executable-p vterm-test-proxy))
  (let ((log (make-temp-file "vterm-proxy-log")))
    (unwind-protect
        (let ((vterm-test-extra-environment
               (list (concat "CONPTY_PROXY_LOG=" log))))
          (vterm-test-with-vterm t buf
            (cl-letf (((symbol-function 'vterm--conpty-resize-pipe)
                       (lambda (&rest _) nil)))
              (with-current-buffer buf (vterm--request-resize 55 21))
              (should (vterm-test-wait
                       (lambda () (equal (buffer-local-value
                                          'vterm--process-size buf)
                                         '(55 . 21))))))
            (vterm-test-type buf "stty size")
            (vterm-test-wait-for buf "^21 55$")
            (should (with-temp-buffer
                      (insert-file-contents log)
                      (re-search-forward "resize 55 21 hr=0x00000000" nil t)))))
      (delete-file log))))

(ert-deftest vterm-test-proxy-resize-helper-failures ()
  "A failing resize helper is reported; a missing proxy too; nothing waits."
  :tags '(posix)
  (should (file-executable-p vterm-test-proxy))
  (let ((helper (make-temp-file "vterm-helper" nil ".sh"
                                "#!/bin/sh\necho \"no such session\" >&2\nexit 1\n"))
        (messages nil))
    (set-file-modes helper #o755)
    (unwind-protect
        (vterm-test-with-vterm t buf
          (cl-letf (((symbol-function 'vterm--conpty-resize-pipe)
                     (lambda (&rest _) nil))
                    ((symbol-function 'message)
                     (lambda (fmt &rest args)
                       (push (apply #'format fmt args) messages))))
            (cl-letf (((symbol-function 'vterm--find-proxy) (lambda () helper)))
              (with-current-buffer buf (vterm--request-resize 55 21))
              (should (vterm-test-wait
                       (lambda () (cl-some (lambda (m) (string-match-p
                                                        "resize to 55x21 failed: no such session"
                                                        m))
                                           messages)))))
            (cl-letf (((symbol-function 'vterm--find-proxy) (lambda () nil)))
              (with-current-buffer buf (vterm--request-resize 60 22))
              (should (vterm-test-wait
                       (lambda () (member "vterm: conpty-proxy not found; cannot resize to 60x22"
                                          messages))))))
          ;; The screen is the terminal's alone: nothing was put in it.
          (vterm-test-type buf "echo still-here")
          (vterm-test-wait-for buf "^still-here\n\\$ \n")
          (should (process-live-p (get-buffer-process buf))))
      (delete-file helper))))

(ert-deftest vterm-test-proxy-resize-trace ()
  "A resize through the module's control channel is applied by the proxy."
  (should (file-executable-p vterm-test-proxy))
  (let ((log (make-temp-file "vterm-proxy-log")))
    (unwind-protect
        (let ((vterm-test-extra-environment
               (list (concat "CONPTY_PROXY_LOG=" log))))
          (vterm-test-with-vterm t buf
            (with-current-buffer buf
              (should (vterm--conpty-resize-pipe vterm--proxy-id 33 14)))
            (should (vterm-test-wait
                     (lambda ()
                       (with-temp-buffer
                         (insert-file-contents log)
                         (re-search-forward "resize 33 14 hr=0x" nil t)))))))
      (delete-file log))))

(provide 'vterm-tests)

;;; vterm-tests.el ends here

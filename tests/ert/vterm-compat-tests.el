;;; vterm-compat-tests.el --- What emacs-libvterm users rely on -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by tests/ert/run.el.  The names, keys and commands a
;; configuration written for emacs-libvterm uses: the sender family,
;; the command-line editing functions (`vterm-insert',
;; `vterm-goto-char', `vterm-delete-region'), copying whole wrapped
;; lines, `next-error' with per-line directories, bookmarks, remote
;; directories and input methods.  Shell tests run on the native pty
;; and through conpty-proxy (`vterm-test-deftest'); the line-editing
;; ones need bash's line editor.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'vterm)
(require 'vterm-tests)

;;;; Names and keys

(ert-deftest vterm-compat-names ()
  "Commands and options an emacs-libvterm configuration names all exist."
  (dolist (fn '(vterm vterm-other-window vterm-mode vterm-copy-mode
                vterm-copy-mode-done vterm-send-key vterm-send-string
                vterm-send-next-key vterm-send-return vterm-send-tab
                vterm-send-space vterm-send-backspace vterm-send-delete
                vterm-send-escape vterm-send-meta-backspace vterm-send-up
                vterm-send-down vterm-send-left vterm-send-right
                vterm-send-prior vterm-send-next vterm-send-meta-dot
                vterm-send-meta-comma vterm-send-ctrl-slash vterm-send-start
                vterm-send-stop vterm-send-C-_ vterm-clear
                vterm-clear-scrollback vterm-undo vterm-yank vterm-yank-pop
                vterm-yank-primary vterm-xterm-paste vterm-insert
                vterm-delete-region vterm-goto-char vterm-check-proc
                vterm-reset-cursor-point vterm-next-prompt
                vterm-previous-prompt vterm-beginning-of-line
                vterm-end-of-line vterm-next-error-function
                vterm-module-compile vterm--bookmark-handler))
    (should (fboundp fn)))
  ;; The letter senders: C-, M-, M- capital and C-S- for every letter.
  (dolist (prefix '("C-" "M-" "C-S-"))
    (dolist (c (number-sequence ?a ?z))
      (should (commandp (intern (format "vterm-send-%s%c" prefix c))))))
  (dolist (c (number-sequence ?A ?Z))
    (should (commandp (intern (format "vterm-send-M-%c" c)))))
  (dolist (var '(vterm-shell vterm-tramp-shells vterm-environment
                 vterm-max-scrollback vterm-min-window-width
                 vterm-kill-buffer-on-exit vterm-exit-functions
                 vterm-timer-delay vterm-buffer-name vterm-buffer-name-string
                 vterm-keymap-exceptions vterm-eval-cmds
                 vterm-set-title-functions vterm-always-compile-module
                 vterm-bookmark-check-dir vterm-copy-exclude-prompt
                 vterm-copy-mode-remove-fake-newlines
                 vterm-clear-scrollback-when-clearing
                 vterm-term-environment-variable
                 vterm-enable-manipulate-selection-data-by-osc52))
    (should (boundp var))))

(ert-deftest vterm-compat-keys ()
  "Shell keys reach the terminal instead of their global commands."
  (dolist (binding '(("M-." . vterm-send-meta-dot)
                     ("M-," . vterm-send-meta-comma)
                     ("C-\\" . vterm-send-ctrl-slash)
                     ("C-]" . vterm--self-insert)
                     ("M-<" . vterm--self-insert-meta)
                     ("M->" . vterm--self-insert-meta)
                     ("C-<backspace>" . vterm-send-meta-backspace)
                     ("C-<home>" . vterm--self-insert)
                     ("S-SPC" . vterm-send-space)
                     ("C-l" . vterm-clear)
                     ("S-<prior>" . scroll-down-command)
                     ("S-<next>" . scroll-up-command)))
    (should (eq (lookup-key vterm-mode-map (kbd (car binding)))
                (cdr binding)))))

(vterm-test-deftest vterm-compat-letter-senders
  "The generated senders send their key with its modifiers."
  buf
  (vterm-test-type buf "stty -echo; cat -v")
  (accept-process-output nil 0.2)
  (with-current-buffer buf
    (vterm-send-M-A)
    (vterm-send-meta-dot)
    (vterm-send-M-z)
    ;; C-v first: the tty would take a bare C-x... as a special key.
    (vterm-send-C-v)
    (vterm-send-C-x)
    (vterm-send-return))
  (vterm-test-wait-for buf "^\\^\\[A\\^\\[\\.\\^\\[z\\^X$")
  (with-current-buffer buf (vterm-send-C-c)))

(vterm-test-deftest vterm-compat-check-proc
  "`vterm-check-proc' is non-nil while the terminal's process runs."
  buf
  (should (vterm-check-proc buf))
  (should (vterm-check-proc (buffer-name buf)))
  (with-temp-buffer (should-not (vterm-check-proc)))
  (let ((proc (get-buffer-process buf)))
    (with-current-buffer buf
      (setq-local vterm-kill-buffer-on-exit nil))
    (vterm-test-type buf "exit")
    (vterm-test-wait (lambda () (not (process-live-p proc))))
    (should-not (vterm-check-proc buf))))

;;;; Editing the command line

(ert-deftest vterm-compat-insert-goto-char-delete-region ()
  "`vterm-goto-char', `vterm-insert' and `vterm-delete-region' edit the line."
  :tags '(posix)
  (should (executable-find "bash"))
  (vterm-test-with-bash buf
    (with-current-buffer buf
      (vterm-send-string "echo abcdef")
      (vterm-test-wait-for buf "^\\$ echo abcdef$")
      (vterm--render)
      (let ((c (save-excursion (vterm-reset-cursor-point)
                               (search-backward "cdef"))))
        (should (vterm-goto-char c))
        (should (= (point) c)))
      (vterm-insert "X" ?Y)
      (vterm-test-wait-for buf "^\\$ echo abXYcdef$")
      (vterm--render)
      (let ((from (save-excursion (vterm-reset-cursor-point)
                                  (search-backward "bXY"))))
        (vterm-delete-region from (+ from 3)))
      (vterm-test-wait-for buf "^\\$ echo acdef$")
      ;; A position off the command line is refused; point stays.
      (let ((here (point)))
        (should-not (vterm-goto-char (point-min)))
        (should (= (point) here)))
      ;; So is any in copy mode, where the buffer does not follow.
      (vterm-copy-mode 1)
      (should-not (vterm-goto-char (1- (point))))
      (vterm-copy-mode -1)
      (vterm-send-return))
    (vterm-test-wait-for buf "^acdef$")))

;;;; Copying

(vterm-test-deftest vterm-compat-copy-whole-wrapped-line
  "Without a region, copy mode copies the whole wrapped line; C-u inverts the prompt rule."
  buf
  (with-current-buffer buf (vterm--request-resize 30 10))
  (vterm-test-wait (lambda () (equal (buffer-local-value 'vterm--process-size buf)
                                     '(30 . 10)))
                   5)
  (defvar term-prompt-regexp)
  (let* ((vterm-copy-mode-remove-fake-newlines t)
         (vterm-use-vterm-prompt-detection-method nil)
         (term-prompt-regexp "^\\$ ")
         (long (concat "wrap" (make-string 40 ?x) "end"))
         (command (format "echo %s" long)))
    (vterm-test-type buf command)
    (vterm-test-wait-for buf "^wrapx+\nx*end$")
    (cl-flet ((copy-line (arg exclude)
                (with-current-buffer buf
                  (let ((vterm-copy-exclude-prompt exclude))
                    (vterm-copy-mode 1)
                    (goto-char (point-max))
                    ;; On the second row of the wrapped command line.
                    (re-search-backward "^\\$ echo wrap")
                    (forward-line 1)
                    (vterm-copy-mode-done arg)
                    (current-kill 0)))))
      (should (equal (copy-line nil t) command))
      (should (equal (copy-line '(4) t) (concat "$ " command)))
      (should (equal (copy-line nil nil) (concat "$ " command)))
      (should (equal (copy-line '(4) nil) command)))
    ;; Line motion in copy mode treats the wrapped line as one.
    (with-current-buffer buf
      (vterm-copy-mode 1)
      (goto-char (point-max))
      (re-search-backward "^wrapx")
      (forward-line 1)
      (vterm-end-of-line)
      (should (looking-back "xend" (line-beginning-position)))
      (vterm-beginning-of-line)
      (should (looking-at "wrapx"))
      (re-search-backward "^\\$ echo wrap")
      (forward-line 1)
      (vterm-beginning-of-line)
      (should (looking-at "echo wrap"))
      (vterm-copy-mode -1))
    ;; kill-ring-save in the buffer drops the wrapping newlines too.
    (with-current-buffer buf
      (vterm-copy-mode 1)
      (goto-char (point-max))
      (re-search-backward "^wrap")
      (let ((start (point)))
        (re-search-forward "end$")
        (kill-ring-save start (point)))
      (vterm-copy-mode -1))
    (should (equal (current-kill 0) long))))

;;;; next-error

(vterm-test-deftest vterm-compat-next-error-uses-line-directory
  "`next-error' finds a relative file in the directory the shell was in."
  buf
  (let* ((dir (file-name-as-directory (make-temp-file "vterm-ne" t)))
         (file (expand-file-name "rel.c" dir)))
    (unwind-protect
        (progn
          (with-temp-file file (insert "one\ntwo\nthree\n"))
          (with-current-buffer buf
            (compilation-shell-minor-mode 1)
            (should (eq next-error-function #'vterm-next-error-function)))
          (vterm-test-type buf (format "cd %s && printf '\\033]7;file://%s%s\\033\\\\'"
                                       dir (system-name) dir))
          (vterm-test-wait (lambda () (equal (buffer-local-value
                                              'default-directory buf)
                                             dir)))
          ;; The command line itself must not look like a message.
          (vterm-test-type buf "printf 'rel.c:%d: error: boom\\n' 2")
          (vterm-test-wait-for buf "^rel.c:2: error: boom$")
          (let ((visited
                 (with-current-buffer buf
                   ;; The buffer has moved on; the line still knows.
                   (setq default-directory "/")
                   (goto-char (point-max))
                   (vterm-next-error-function 1 t)
                   (current-buffer))))
            (unwind-protect
                (with-current-buffer visited
                  (should (equal (buffer-file-name) file))
                  (should (= (line-number-at-pos) 2)))
              (unless (eq visited buf) (kill-buffer visited)))))
      (delete-directory dir t))))

;;;; Bookmarks

(vterm-test-deftest vterm-compat-bookmark-checks-directory
  "A bookmark sends a running terminal back to its directory; other buffers are left alone."
  buf
  (require 'bookmark)
  (let* ((dir (file-name-as-directory (make-temp-file "vterm-bm" t)))
         (record (with-current-buffer buf
                   (setq default-directory dir)
                   (bookmark-make-record)))
         (name (bookmark-prop-get record 'buf-name)))
    (unwind-protect
        (progn
          (with-current-buffer buf (setq default-directory "/"))
          (let ((vterm-bookmark-check-dir t))
            (vterm-bookmark-handler record))
          (should (eq (current-buffer) buf))
          (vterm-test-wait-for buf (format "^\\$ cd %s" (regexp-quote
                                                         (directory-file-name dir))))
          (vterm-test-type buf "pwd")
          (vterm-test-wait-for buf (concat "^" (regexp-quote
                                                (directory-file-name dir))
                                           "$"))
          ;; A buffer of that name in another mode is not taken over.
          (let ((kill-buffer-query-functions nil))
            (kill-buffer buf))
          (let ((other (get-buffer-create name)))
            (with-current-buffer other (insert "keep me"))
            (vterm-bookmark-handler record)
            (should-not (eq (current-buffer) other))
            (should (derived-mode-p 'vterm-mode))
            (setq buf (current-buffer))
            (with-current-buffer other
              (should (equal (buffer-string) "keep me"))
              (should-not (derived-mode-p 'vterm-mode)))
            (kill-buffer other)))
      (delete-directory dir t))))

;;;; Remote directories

(ert-deftest vterm-compat-remote-directory-reports ()
  "A report from another host names a TRAMP directory; this host's stays local."
  (let ((here (system-name)))
    (should (equal (vterm--directory-from-report "me@elsewhere.example:/srv/x")
                   "/-:me@elsewhere.example:/srv/x/"))
    (should (equal (vterm--directory-from-report "file://elsewhere.example/srv/x")
                   "/-:elsewhere.example:/srv/x/"))
    (should (equal (vterm--directory-from-report (format "me@%s:/tmp" here))
                   "/tmp/"))
    (should (equal (vterm--directory-from-report (format "file://%s/tmp" here))
                   "/tmp/"))
    (should (equal (vterm--directory-from-report "file://localhost/tmp")
                   "/tmp/"))
    ;; Followed without opening a connection.
    (with-temp-buffer
      (cl-letf (((symbol-function 'file-directory-p)
                 (lambda (f) (if (file-remote-p f)
                                 (error "Connection opened for %s" f)
                               t))))
        (vterm--set-directory "me@elsewhere.example:/srv/x")
        (should (equal default-directory "/-:me@elsewhere.example:/srv/x/"))))))

(ert-deftest vterm-compat-tramp-shells ()
  "`vterm-tramp-shells' picks the shell for a remote directory's method."
  (let ((vterm-shell "/bin/local-shell")
        (vterm-tramp-shells '(("sudo" "/bin/sudo-shell"))))
    (let ((default-directory "/tmp/"))
      (should (equal (vterm--shell) "/bin/local-shell")))
    (let ((default-directory "/sudo::/tmp/"))
      (should (equal (vterm--shell) "/bin/sudo-shell")))
    (let ((default-directory "/ssh:host:/tmp/"))
      (should (equal (vterm--shell) "/bin/local-shell")))))

;;;; Input methods

(vterm-test-deftest vterm-compat-input-method
  "Typed characters go through the buffer's input method."
  buf
  (switch-to-buffer buf)
  (with-current-buffer buf
    (setq-local input-method-function
                (lambda (key) (if (eq key ?q) (list ?x ?y) (list key)))))
  (execute-kbd-macro (kbd "e c h o SPC q RET"))
  (vterm-test-wait-for buf "^xy$"))

(provide 'vterm-compat-tests)

;;; vterm-compat-tests.el ends here

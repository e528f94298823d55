;;; vterm-persistent-tests.el --- Persistent sessions end to end -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by tests/ert/run.el.  A persistent terminal runs its shell in a
;; `conpty-proxy serve' session server; its buffer's process is
;; `conpty-proxy attach'.  These tests start one, detach (the buffer and
;; its process go), attach again in a new buffer, and look at what the
;; new buffer shows and what the session does.  POSIX (a POSIX shell);
;; the Windows Emacs has its own in vterm-windows-tests.el.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'vterm)
(require 'vterm-tests)
(require 'desktop)

(defmacro vterm-persistent-test-env (&rest body)
  "Run BODY in the test shell's environment with persistent terminals."
  (declare (indent 0))
  `(let ((process-environment (vterm-test-environment))
         (vterm-shell "/bin/sh")
         (vterm-conpty-proxy-path vterm-test-proxy)
         (vterm-kill-buffer-on-exit t)
         (vterm-exit-functions nil)
         (vterm-persistent-kill-buffer-action 'detach))
     ,@body))

(defun vterm-persistent-test-session (id)
  "Return the plist of live session ID from `conpty-proxy list', or nil."
  (cl-find id (vterm--session-list)
           :key (lambda (s) (plist-get s :id)) :test #'equal))

(defun vterm-persistent-test-detach (buffer)
  "Detach BUFFER from its session; wait until its process has ended."
  (let ((proc (get-buffer-process buffer)))
    (with-current-buffer buffer
      (vterm-detach))
    (should-not (buffer-live-p buffer))
    (vterm-test-wait (lambda () (not (process-live-p proc))) 5)
    (should-not (process-live-p proc))))

(defun vterm-persistent-test-socket-files (id)
  "Return the files of session ID in the socket directory."
  (let ((dir (if (and (getenv "XDG_RUNTIME_DIR")
                      (file-name-absolute-p (getenv "XDG_RUNTIME_DIR")))
                 (expand-file-name "conpty-proxy" (getenv "XDG_RUNTIME_DIR"))
               (expand-file-name (format "conpty-proxy-%d" (user-uid))
                                 (or (getenv "TMPDIR") "/tmp")))))
    (and (file-directory-p dir)
         (directory-files dir nil (concat "\\`" (regexp-quote id) "\\.")))))

(defmacro vterm-persistent-test (var &rest body)
  "Run BODY with VAR a new persistent terminal; end its session after."
  (declare (indent 1))
  `(vterm-persistent-test-env
     (let* ((,var (vterm-persistent (generate-new-buffer-name "vterm-pers")))
            (id (buffer-local-value 'vterm--session-id ,var)))
       (unwind-protect
           (progn
             (should id)
             (vterm-test-wait-for ,var vterm-test-prompt-regexp)
             ,@body)
         (dolist (b (buffer-list))
           (when (equal (buffer-local-value 'vterm--session-id b) id)
             (vterm-test-end-session b)))
         (when (vterm-persistent-test-session id)
           (vterm--session-kill id))))))

(ert-deftest vterm-persistent-detach-attach-keeps-screen-and-scrollback ()
  "A detached session keeps running; attaching shows its screen and scrollback."
  :tags '(posix)
  (vterm-persistent-test buffer
    (vterm-test-type buffer "seq 1 60 | sed 's/^/row-/'; echo DONE-ONE")
    (vterm-test-wait-for buffer "^DONE-ONE")
    (vterm-persistent-test-detach buffer)
    (let ((session (vterm-persistent-test-session id)))
      (should session)
      (should-not (plist-get session :attached))
      (should (equal (plist-get session :program) "sh")))
    (let ((again (vterm-attach id)))
      (should (equal (buffer-local-value 'vterm--session-id again) id))
      (vterm-test-wait-for again "^DONE-ONE")
      (let ((text (vterm-test-screen again)))
        ;; row-1 scrolled off the screen long ago: it is scrollback.
        (should (string-match-p "^row-1$" text))
        (should (string-match-p "^row-60$" text)))
      (should (plist-get (vterm-persistent-test-session id) :attached))
      ;; The shell goes on: input reaches it, its output comes back.
      (vterm-test-type again "echo AFTER-$((6*7))")
      (vterm-test-wait-for again "^AFTER-42"))))

(ert-deftest vterm-persistent-second-attach-refused-unless-take-over ()
  "While a client is attached, another attach fails; a take-over succeeds."
  :tags '(posix)
  (vterm-persistent-test buffer
    (vterm-test-type buffer "echo FIRST")
    (vterm-test-wait-for buffer "^FIRST")
    (let ((second (vterm-attach id)))
      ;; Refused: its process ends, and with it (kill on exit) the buffer.
      (vterm-test-wait (lambda () (not (buffer-live-p second))) 5)
      (should-not (buffer-live-p second)))
    (should (process-live-p (get-buffer-process buffer)))
    (let ((third (vterm-attach id t)))
      (vterm-test-wait-for third "^FIRST")
      ;; The first client was detached.
      (vterm-test-wait (lambda () (not (buffer-live-p buffer))) 5)
      (should-not (buffer-live-p buffer)))))

(ert-deftest vterm-persistent-less-survives-reattach ()
  "less running when its client went keeps working after reattach."
  :tags '(posix)
  (vterm-persistent-test buffer
    (vterm-test-type buffer "echo BEFORE-LESS")
    (vterm-test-wait-for buffer "^BEFORE-LESS")
    (vterm-test-type buffer "seq 1 500 | sed 's/^/page-/' | less")
    (vterm-test-wait-for buffer "^page-1$")
    (vterm-persistent-test-detach buffer)
    (let ((again (vterm-attach id)))
      (vterm-test-wait-for again "^page-1$")
      ;; The alternate screen came back as it was: the shell's lines are
      ;; not on it.
      (should-not (string-match-p "BEFORE-LESS"
                                  (with-current-buffer again
                                    (buffer-substring-no-properties
                                     (point-min) (point-max)))))
      ;; less still reads its keys: the next page, then quit.
      (with-current-buffer again (vterm-send-string " "))
      (vterm-test-wait-for again "^page-4[0-9]$")
      (with-current-buffer again (vterm-send-string "q"))
      ;; Back on the primary screen, which the snapshot had kept.
      (vterm-test-wait-for again "^BEFORE-LESS")
      (vterm-test-type again "echo LESS-DONE")
      (vterm-test-wait-for again "^LESS-DONE"))))

(ert-deftest vterm-persistent-kill-session-ends-it ()
  "`vterm-kill-session' ends the session: its client exits, list drops it."
  :tags '(posix)
  (vterm-persistent-test buffer
    (let ((proc (get-buffer-process buffer)))
      (vterm-kill-session id)
      (vterm-test-wait (lambda () (not (process-live-p proc))) 5)
      (should-not (process-live-p proc))
      (should-not (vterm-persistent-test-session id))
      (should-not (vterm-persistent-test-socket-files id)))))

(ert-deftest vterm-persistent-kill-buffer-can-end-the-session ()
  "With `vterm-persistent-kill-buffer-action' `end', killing the buffer ends it."
  :tags '(posix)
  (vterm-persistent-test buffer
    (let ((vterm-persistent-kill-buffer-action 'end))
      (kill-buffer buffer))
    (vterm-test-wait (lambda () (not (vterm-persistent-test-session id))) 5)
    (should-not (vterm-persistent-test-session id))))

(ert-deftest vterm-persistent-server-killed-is-dropped ()
  "A session server killed with SIGKILL: list drops it, no socket is left."
  :tags '(posix)
  (vterm-persistent-test buffer
    (let* ((shell-pid (plist-get (vterm-persistent-test-session id) :pid))
           (stat (with-temp-buffer
                   (insert-file-contents (format "/proc/%d/stat" shell-pid))
                   (buffer-string)))
           ;; Field 4 of stat, after the parenthesised command name.
           (server-pid (string-to-number
                        (nth 1 (split-string
                                (substring stat (1+ (string-match ")" stat)))))))
           (proc (get-buffer-process buffer)))
      (should (> server-pid 1))
      (signal-process server-pid 9)
      ;; The client notices: its process ends.
      (vterm-test-wait (lambda () (not (process-live-p proc))) 5)
      (should-not (process-live-p proc))
      (should (vterm-persistent-test-socket-files id))
      (should-not (vterm-persistent-test-session id))
      (should-not (vterm-persistent-test-socket-files id)))))

;;;; Desktop and bookmarks, across two Emacsen

(defun vterm-persistent-test-child-command (form)
  "Return the command of a batch Emacs with vterm that evaluates FORM.
Before FORM it defines `child-wait' and `child-type' (as
`vterm-test-wait-for' and `vterm-test-type') and sets the terminals up
as the tests here do."
  (list (expand-file-name invocation-name invocation-directory)
        "-Q" "--batch"
        "-L" (file-name-directory (locate-library "vterm-module"))
        "-L" (expand-file-name "lisp" vterm-test-top)
        "--eval"
        (prin1-to-string
         `(progn
            (require 'vterm)
            (require 'desktop)
            (require 'bookmark)
            (setq vterm-shell "/bin/sh"
                  vterm-conpty-proxy-path ,vterm-test-proxy
                  vterm-kill-buffer-on-exit t
                  vterm-persistent-kill-buffer-action 'detach
                  desktop-restore-frames nil)
            (defun child-wait (buffer regexp)
              (let ((deadline (+ (float-time) 20)))
                (while (and (< (float-time) deadline)
                            (not (and (buffer-live-p buffer)
                                      (with-current-buffer buffer
                                        (save-excursion
                                          (goto-char (point-min))
                                          (re-search-forward regexp nil t))))))
                  (accept-process-output nil 0.05))
                (unless (< (float-time) deadline)
                  (error "Never matched %s in %S" regexp
                         (and (buffer-live-p buffer)
                              (with-current-buffer buffer (buffer-string)))))))
            (defun child-type (buffer string)
              (with-current-buffer buffer
                (vterm-send-string string)
                (vterm-send-return)))
            ,form))))

(defun vterm-persistent-test-child-environment ()
  "Return the environment of a test Emacs: the shells' one, and the sanitizer's.
Under ert-asan the module needs the sanitizer runtime run.el keeps from
the shells (LD_PRELOAD), and its options: without detect_leaks=0 the
runtime fails the Emacs at exit for what Emacs keeps by design."
  (append (cl-remove-if-not
           (lambda (v)
             (string-match-p "\\`\\(LD_PRELOAD\\|ASAN_OPTIONS\\|UBSAN_OPTIONS\\)="
                             v))
           initial-environment)
          process-environment))

(defun vterm-persistent-test-save-and-crash (form)
  "Run a batch Emacs evaluating FORM, which says \"SAVED <id>\" and waits.
Kill that Emacs with SIGKILL once it has said so; check that session
<id> lives on, detached, and return <id>."
  (let* ((out (generate-new-buffer " *vterm-child*"))
         (process-environment (vterm-persistent-test-child-environment))
         (proc (make-process
                :name "vterm-child" :buffer out :noquery t
                :connection-type 'pipe
                :command (vterm-persistent-test-child-command
                          `(progn ,form (while t (sleep-for 1))))))
         (id nil))
    (unwind-protect
        (progn
          (vterm-test-wait
           (lambda ()
             (with-current-buffer out
               (goto-char (point-min))
               (when (re-search-forward "^SAVED \\(\\S-+\\)$" nil t)
                 (setq id (match-string 1)))))
           30)
          (unless id
            (with-current-buffer out
              ;; The session it started, if any, is not left running.
              (goto-char (point-min))
              (when (re-search-forward "^SESSION \\(\\S-+\\)$" nil t)
                (vterm--session-kill (match-string 1)))
              (ert-fail (list "The first Emacs never saved" (buffer-string))))))
      (signal-process proc 'KILL)
      (vterm-test-wait (lambda () (not (process-live-p proc))) 5)
      (kill-buffer out))
    ;; Its client saw Emacs go; the session detached and lives on.
    (vterm-test-wait (lambda ()
                       (let ((s (vterm-persistent-test-session id)))
                         (and s (not (plist-get s :attached)))))
                     10)
    (let ((session (vterm-persistent-test-session id)))
      (should session)
      (should-not (plist-get session :attached)))
    id))

(defun vterm-persistent-test-second-emacs (form)
  "Run a batch Emacs evaluating FORM to the end; return (EXIT . OUTPUT)."
  (let ((process-environment (vterm-persistent-test-child-environment)))
    (with-temp-buffer
      (let ((code (apply #'call-process "timeout" nil t nil "60"
                         (vterm-persistent-test-child-command form))))
        (cons code (buffer-string))))))

(defmacro vterm-persistent-test-crash (id-var form &rest body)
  "Bind ID-VAR to the session a crashed Emacs left after FORM; run BODY.
FORM runs in `vterm-persistent-test-save-and-crash'; the session is
ended after BODY."
  (declare (indent 2))
  `(vterm-persistent-test-env
     (let ((,id-var nil))
       (unwind-protect
           (progn
             (setq ,id-var (vterm-persistent-test-save-and-crash ,form))
             ,@body)
         (when (and ,id-var (vterm-persistent-test-session ,id-var))
           (vterm--session-kill ,id-var))))))

(defconst vterm-persistent-test-open-two
  '(let ((plain (vterm "plain-term"))
         (pers (vterm-persistent "pers-term")))
     (message "SESSION %s" (buffer-local-value 'vterm--session-id pers))
     (child-wait plain "\\$ ")
     (child-wait pers "\\$ ")
     (child-type pers "echo EARLIER-$((6*7))")
     (child-wait pers "^EARLIER-42$")
     pers)
  "A form that opens a plain and a persistent terminal; it returns the latter.
It says \"SESSION <id>\" at once; the persistent one shows the line
EARLIER-42.")

(defconst vterm-persistent-test-check-restored
  '(let ((b (get-buffer "pers-term")))
     (child-wait b "^EARLIER-42$")
     (child-type b "echo AFTER-$((2*3))")
     (child-wait b "^AFTER-6$")
     (message "RESTORED %s %s plain=%s"
              (buffer-local-value 'vterm--session-id b)
              (and (process-live-p (get-buffer-process b)) t)
              (buffer-live-p (get-buffer "plain-term"))))
  "A form that checks the buffer pers-term shows EARLIER-42 and runs a shell.
It says \"RESTORED <session> <process live> plain=<plain-term there>\".")

(ert-deftest vterm-persistent-desktop-reattaches ()
  "A desktop saved by an Emacs killed with SIGKILL brings its session back.
The persistent terminal is restored attached, showing its earlier
output; the plain terminal (whose shell died with Emacs) is not saved."
  :tags '(posix)
  (let ((dir (make-temp-file "vterm-desktop" t)))
    (unwind-protect
        (vterm-persistent-test-crash id
            `(let ((pers ,vterm-persistent-test-open-two))
               (desktop-save ,dir t)
               (message "SAVED %s" (buffer-local-value 'vterm--session-id pers)))
          (let ((desktop (with-temp-buffer
                           (insert-file-contents
                            (expand-file-name desktop-base-file-name dir))
                           (buffer-string))))
            (should (string-match-p "\"pers-term\"" desktop))
            (should-not (string-match-p "plain-term" desktop)))
          (let ((out (vterm-persistent-test-second-emacs
                      ;; `desktop-read' does nothing in batch, unless:
                      `(progn (let ((noninteractive nil)) (desktop-read ,dir))
                              ,vterm-persistent-test-check-restored))))
            (should (string-match-p
                     (format "^RESTORED %s t plain=nil$" (regexp-quote id))
                     (cdr out)))
            (ert-info ((cdr out) :prefix "second Emacs: ")
              (should (equal (car out) 0)))))
      (delete-directory dir t))))

(ert-deftest vterm-persistent-bookmark-reattaches ()
  "A bookmark to a persistent terminal, jumped to in a new Emacs, reattaches."
  :tags '(posix)
  (let* ((dir (make-temp-file "vterm-bookmarks" t))
         (file (expand-file-name "bookmarks" dir)))
    (unwind-protect
        (vterm-persistent-test-crash id
            `(let ((pers ,vterm-persistent-test-open-two))
               (setq bookmark-default-file ,file)
               (with-current-buffer pers (bookmark-set "pers-bm"))
               (bookmark-save)
               (message "SAVED %s" (buffer-local-value 'vterm--session-id pers)))
          (let ((out (vterm-persistent-test-second-emacs
                      `(progn (setq bookmark-default-file ,file)
                              ;; What `bookmark-jump' does interactively.
                              (bookmark-maybe-load-default-file)
                              (bookmark-jump "pers-bm")
                              (message "CURRENT %s" (buffer-name))
                              ,vterm-persistent-test-check-restored))))
            (should (string-match-p "^CURRENT pers-term$" (cdr out)))
            (should (string-match-p
                     (format "^RESTORED %s t plain=nil$" (regexp-quote id))
                     (cdr out)))
            (ert-info ((cdr out) :prefix "second Emacs: ")
              (should (equal (car out) 0)))))
      (delete-directory dir t))))

(ert-deftest vterm-persistent-ended-session-not-restored ()
  "A desktop or bookmark entry of an ended session says so and makes no buffer."
  :tags '(posix)
  (vterm-persistent-test-env
    (let* ((id (vterm--new-proxy-id))
           (handler (cdr (assq 'vterm-mode desktop-buffer-mode-handlers)))
           (messages nil)
           (message-log-max t))
      (should handler)
      (cl-letf (((symbol-function 'message)
                 (lambda (fmt &rest args)
                   (push (apply #'format fmt args) messages))))
        (should-not (funcall handler nil "gone-term" (list id))))
      (should (equal messages
                     (list (format "vterm: session %s of gone-term has ended; \
not restored" id))))
      (should-not (get-buffer "gone-term"))
      (let ((err (should-error
                  (bookmark-jump `("gone-bm" (buf-name . "gone-term")
                                   (vterm-session . ,id)
                                   (handler . vterm--bookmark-handler)))
                  :type 'user-error)))
        (should (equal (cadr err)
                       (format "Session %s of gone-term has ended" id))))
      (should-not (get-buffer "gone-term")))))

(provide 'vterm-persistent-tests)
;;; vterm-persistent-tests.el ends here

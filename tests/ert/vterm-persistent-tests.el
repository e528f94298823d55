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

(provide 'vterm-persistent-tests)
;;; vterm-persistent-tests.el ends here

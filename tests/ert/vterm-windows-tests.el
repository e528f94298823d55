;;; vterm-windows-tests.el --- vterm in a real Windows Emacs -*- lexical-binding: t; -*-

;;; Commentary:

;; Every test here is tagged `windows': tests/ert/run.el runs them only
;; in a Windows Emacs, which the wine-emacs suite
;; (tests/wine/emacs-suite.sh) starts under Wine.  They stage what the
;; C driver of the wine suite imitates: Emacs's own `make-process'
;; starting conpty-proxy.exe (hidden console, Emacs's error mode, its
;; pipe reader thread), the module writing a resize into the named
;; control pipe, and Emacs ending a session by `delete-process' and
;; `kill-buffer'.  `kill-emacs' with a live session is staged by the
;; suite's script, which then looks for leftover processes.
;;
;; The terminal's program is the Wine suite's fixture
;; (tests/wine/fixture.c), as cmd.exe gets no console under Wine.
;; Wine 8's ConPTY cannot resize (ResizePseudoConsole returns
;; E_NOTIMPL): the resize test checks that the size reaches the proxy
;; through the pipe and that the trace log has ConPTY's answer, and
;; says which answer it was.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'vterm)
(require 'vterm-tests)

(defun vterm-windows-test--log-has (log regexp)
  "Wait until the trace LOG matches REGEXP; return the match or nil."
  (vterm-test-wait
   (lambda ()
     (and (file-exists-p log)
          (with-temp-buffer
            (insert-file-contents log)
            (and (re-search-forward regexp nil t)
                 (match-string 0)))))
   10))

(defun vterm-windows-test--alive-p (pid name)
  "Non-nil if process PID runs and its executable is NAME."
  (equal (cdr (assq 'comm (process-attributes pid))) name))

(defun vterm-windows-test--child-pid (buf)
  "Ask the fixture in BUF for its process id; return it."
  (vterm-test-type buf "pid")
  (vterm-test-wait-for buf "^PID [0-9]+$")
  (with-current-buffer buf
    (save-excursion
      (goto-char (point-max))
      (re-search-backward "^PID \\([0-9]+\\)$")
      (string-to-number (match-string 1)))))

(defmacro vterm-windows-test-with (spec &rest body)
  "SPEC is (BUF [LOG [ARGS]]): run BODY in a session of the fixture.
BUF is bound to its vterm buffer (started by the command `vterm'),
LOG, if given, to the proxy's trace log.  ARGS are the fixture's
arguments \(default: echo).  The buffer stays after the program exits."
  (declare (indent 1))
  (let ((buf (nth 0 spec))
        (log (or (nth 1 spec) (make-symbol "log")))
        (args (nth 2 spec)))
    `(let* ((,log (make-temp-file "vterm-proxy-log"))
            (process-environment (cons (concat "CONPTY_PROXY_LOG=" ,log)
                                       process-environment))
            (vterm-shell (cons vterm-test-fixture ,(or args ''("echo"))))
            (vterm-conpty-proxy-path vterm-test-proxy)
            (vterm-kill-buffer-on-exit nil)
            (vterm-exit-functions nil)
            (vterm-buffer-name (generate-new-buffer-name "vterm-windows"))
            (,buf (call-interactively #'vterm)))
       (unwind-protect
           (progn ,@body)
         (vterm-test-end-session ,buf)
         (delete-file ,log)))))

(ert-deftest vterm-windows-module-loads ()
  "The module is the DLL next to the build, and the proxy is found."
  :tags '(windows)
  (should (equal module-file-suffix ".dll"))
  (should (featurep 'vterm-module))
  (should (string-suffix-p "vterm-module.dll"
                           (locate-library "vterm-module.dll")))
  (should (fboundp 'vterm--conpty-resize-pipe))
  (let ((vterm-conpty-proxy-path nil))
    (should (string-suffix-p "conpty-proxy.exe" (vterm--find-proxy)))))

(ert-deftest vterm-windows-session ()
  "`vterm' runs the program under conpty-proxy.exe; output and keys flow."
  :tags '(windows)
  (vterm-windows-test-with (buf log)
    (let ((proc (get-buffer-process buf)))
      (should (string-suffix-p "conpty-proxy.exe" (car (process-command proc))))
      (should (equal (nth 1 (process-command proc)) "new")))
    (vterm-test-wait-for buf "^READY$")
    ;; Keys as keys: through the keymap, as a person types them.
    (switch-to-buffer buf)
    (execute-kbd-macro (kbd "h e l l o SPC w i n RET"))
    (vterm-test-wait-for buf "^ECHO:hello win$")
    (vterm-test-type buf "second line")
    (vterm-test-wait-for buf "^ECHO:second line$")
    (should (vterm-windows-test--log-has log "^start: pid [0-9]+, "))))

;; A persistent terminal: `vterm-persistent' starts `conpty-proxy serve'
;; (a server detached from Emacs) and attaches to it; the fixture's
;; screen survives the buffer, and `vterm-attach' shows it again.
(ert-deftest vterm-windows-persistent-detach-attach ()
  "A persistent terminal detaches; `vterm-attach' shows what it showed."
  :tags '(windows)
  (let* ((vterm-shell (list vterm-test-fixture "echo"))
         (vterm-conpty-proxy-path vterm-test-proxy)
         (vterm-kill-buffer-on-exit t)
         (vterm-exit-functions nil)
         (vterm-persistent-kill-buffer-action 'detach)
         (buf (vterm-persistent (generate-new-buffer-name "vterm-wpers")))
         (id (buffer-local-value 'vterm--session-id buf))
         (word (format "before-detach-%d" (random 100000)))
         again)
    (unwind-protect
        (progn
          (should id)
          (should (equal (nth 1 (process-command (get-buffer-process buf)))
                         "attach"))
          (vterm-test-wait-for buf "^READY$")
          (vterm-test-type buf word)
          (vterm-test-wait-for buf (concat "^ECHO:" word "$"))
          (let ((proc (get-buffer-process buf)))
            (with-current-buffer buf
              (vterm-detach))
            (vterm-test-wait (lambda () (not (process-live-p proc))) 10)
            (should-not (process-live-p proc)))
          (let ((session (cl-find id (vterm--session-list)
                                  :key (lambda (s) (plist-get s :id))
                                  :test #'equal)))
            (should session)
            (should-not (plist-get session :attached)))
          (setq again (vterm-attach id))
          (vterm-test-wait-for again (concat "^ECHO:" word "$"))
          (vterm-test-type again "after")
          (vterm-test-wait-for again "^ECHO:after$"))
      (when (buffer-live-p again)
        (vterm-test-end-session again))
      (ignore-errors (vterm--session-kill id)))))

(ert-deftest vterm-windows-resize-through-the-pipe ()
  "A resize goes from the module into the named pipe; ConPTY answers.
The trace log shows the message queued and ConPTY's result; Wine 8
answers E_NOTIMPL (0x80004001), Windows S_OK.  With the environment
variable VTERM_TEST_REAL_CONPTY set (the Windows CI workflow), S_OK
and the program seeing the new size are required."
  :tags '(windows)
  (vterm-windows-test-with (buf log)
    (vterm-test-wait-for buf "^READY$")
    (with-current-buffer buf
      (vterm--request-resize 50 20))
    (should (vterm-test-wait
             (lambda () (equal (buffer-local-value 'vterm--process-size buf)
                               '(50 . 20)))
             5))
    (should (vterm-windows-test--log-has log "control: resize 50 20 queued"))
    (let ((answer (vterm-windows-test--log-has
                   log "resize 50 20 hr=0x[0-9a-f]\\{8\\}")))
      (should answer)
      (message "ConPTY's answer to the resize: %s%s" answer
               (if (string-suffix-p "80004001" answer)
                   " (E_NOTIMPL: Wine's ConPTY cannot resize)" ""))
      (when (getenv "VTERM_TEST_REAL_CONPTY")
        (should (string-suffix-p "00000000" answer)))
      (when (string-suffix-p "00000000" answer)
        (vterm-test-type buf "size")
        (vterm-test-wait-for buf "^SIZE 50 20$")))))

(ert-deftest vterm-windows-exit-code ()
  "The program's exit code reaches the buffer's report."
  :tags '(windows)
  (vterm-windows-test-with (buf)
    (vterm-test-wait-for buf "^READY$")
    (vterm-test-type buf "exit 3")
    (vterm-test-wait-for buf "exited abnormally with code 3")))

(defun vterm-windows-test--ends (how)
  "End a session by calling HOW with its buffer; check what ends.
The proxy and its child are gone; return the buffer's report, if
the buffer is still there."
  (let (report)
    (vterm-windows-test-with (buf)
      (vterm-test-wait-for buf "^READY$")
      (let ((proxy (process-id (get-buffer-process buf)))
            (child (vterm-windows-test--child-pid buf)))
        (should (vterm-windows-test--alive-p proxy "conpty-proxy.exe"))
        (should (vterm-windows-test--alive-p child "fixture.exe"))
        (funcall how buf)
        (should (vterm-test-wait
                 (lambda ()
                   (not (or (vterm-windows-test--alive-p proxy "conpty-proxy.exe")
                            (vterm-windows-test--alive-p child "fixture.exe"))))
                 10))
        (when (buffer-live-p buf)
          (vterm-test-wait-for buf "^\\[Process ")
          (setq report (vterm-test-screen buf)))))
    report))

(ert-deftest vterm-windows-delete-process ()
  "`delete-process' ends the proxy and the program; the report says so."
  :tags '(windows)
  (let ((report (vterm-windows-test--ends
                 (lambda (buf) (delete-process (get-buffer-process buf))))))
    (should (string-match-p "(ended by Emacs)" report))))

(ert-deftest vterm-windows-kill-buffer ()
  "Killing the buffer ends the proxy and the program."
  :tags '(windows)
  (should-not (vterm-windows-test--ends
               (lambda (buf)
                 (let ((kill-buffer-query-functions nil))
                   (kill-buffer buf))))))

(ert-deftest vterm-windows-stalled-emacs-loses-nothing ()
  "Output produced while Emacs runs a long Lisp loop all arrives."
  :tags '(windows)
  (let ((chunks nil))
    (vterm-windows-test-with (buf nil '("lines" "5000" "0"))
      (add-function :before (process-filter (get-buffer-process buf))
                    (lambda (_proc input) (push input chunks)))
      ;; Emacs reads nothing for 3 s while the program writes.
      (let ((end (+ (float-time) 3)))
        (while (< (float-time) end)))
      (vterm-test-wait-for buf "^END$" 60)
      ;; ConPTY redraws what the program wrote with sequences of its
      ;; own between the characters; without them, every line is there.
      (let ((text (replace-regexp-in-string
                   "\e\\(?:\\[[0-?]*[ -/]*[@-~]\\|\\][^\a\e]*\\(?:\a\\|\e\\\\\\)\\|[@-Z\\\\-_]\\)"
                   "" (apply #'concat (nreverse chunks))))
            (numbers nil)
            (start 0))
        (while (string-match "L\\([0-9]\\{7\\}\\) [A-Za-z0-9]\\{60\\}"
                             text start)
          (push (string-to-number (match-string 1 text)) numbers)
          (setq start (match-end 0)))
        (should (equal (nreverse numbers) (number-sequence 0 4999)))))))

;;;; The parse thread's wake-up connection

(defun vterm-windows-test--connect (port)
  "Open a connection to PORT on 127.0.0.1, as any local program may."
  (make-network-process :name "vterm-windows-stranger" :host 'local
                        :service port :family 'ipv4 :buffer nil
                        :noquery t :coding 'binary))

(ert-deftest vterm-windows-parse-thread-wakeup ()
  "The parse thread runs, and wakes Emacs over its own connection only.
Emacs's descriptors belong to its C runtime, so the thread connects
to a loopback server of the buffer's: strangers that connect first,
with a wrong secret or none, are dropped; the server then stops
listening; output that stops is drawn by the thread's wake-up."
  :tags '(windows)
  (let* ((strangers nil)
         (port nil)
         (early (lambda (_term channel &optional _secret)
                  (setq port channel)
                  (let ((wrong (vterm-windows-test--connect channel)))
                    (process-send-string
                     wrong (make-string vterm--wakeup-secret-length ?0))
                    (push wrong strangers))
                  (push (vterm-windows-test--connect channel) strangers))))
    (advice-add 'vterm--start-parse-thread :before early)
    (unwind-protect
        (vterm-windows-test-with (buf)
          (advice-remove 'vterm--start-parse-thread early)
          (should (integerp port))
          (should (= (length strangers) 2))
          (with-current-buffer buf
            ;; The thread's connection proved itself and took over.
            (should (vterm-test-wait
                     (lambda ()
                       (and vterm--wakeup (null vterm--wakeup-server)
                            (process-get vterm--wakeup
                                         'vterm-wakeup-proven)))))
            (should (eq (process-type vterm--wakeup) 'network))
            (should-not (process-contact vterm--wakeup :server))
            ;; The strangers' connections are closed, the server gone.
            (should (vterm-test-wait
                     (lambda ()
                       (cl-notany #'process-live-p strangers))))
            (should-error (vterm-windows-test--connect port))
            ;; Output that stops is drawn by the thread's wake-up: no
            ;; redraw timer is set for it.
            (vterm-test-wait-for buf vterm-test-ready-regexp)
            (vterm--render)
            (vterm--write-input vterm--term "\r\nwoken")
            (should-not vterm--redraw-timer)
            (vterm-test-wait-for buf "^woken$" 20)))
      (advice-remove 'vterm--start-parse-thread early)
      (mapc #'delete-process strangers))))

(defun vterm-windows-test--wakeup (buf)
  "Return BUF's wake-up connection once the parse thread's came."
  (should (vterm-test-wait
           (lambda ()
             (with-current-buffer buf
               (and vterm--wakeup (null vterm--wakeup-server)
                    (process-get vterm--wakeup 'vterm-wakeup-proven))))))
  (buffer-local-value 'vterm--wakeup buf))

(ert-deftest vterm-windows-exit-drops-wakeup ()
  "The program's exit ends the parse thread and closes its connection."
  :tags '(windows)
  (vterm-windows-test-with (buf)
    (vterm-test-wait-for buf "^READY$")
    (let ((conn (vterm-windows-test--wakeup buf)))
      (vterm-test-type buf "exit 0")
      (vterm-test-wait-for buf "^\\[Process ")
      (should (vterm-test-wait
               (lambda () (null (buffer-local-value 'vterm--term buf)))))
      (should-not (buffer-local-value 'vterm--wakeup buf))
      (should-not (process-live-p conn))
      (should-not (memq conn (process-list))))))

(ert-deftest vterm-windows-kill-buffer-drops-wakeup ()
  "Killing the buffer ends the parse thread and closes its connection."
  :tags '(windows)
  (vterm-windows-test-with (buf)
    (vterm-test-wait-for buf "^READY$")
    (let ((conn (vterm-windows-test--wakeup buf))
          (proxy (process-id (get-buffer-process buf)))
          (kill-buffer-query-functions nil))
      (kill-buffer buf)
      (should-not (process-live-p conn))
      (should-not (memq conn (process-list)))
      ;; The proxy lets go of its trace log before it is removed.
      (should (vterm-test-wait
               (lambda ()
                 (not (vterm-windows-test--alive-p proxy "conpty-proxy.exe")))
               10)))))

(provide 'vterm-windows-tests)

;;; vterm-windows-tests.el ends here

;;; vterm-fault-tests.el --- Fault injection through Emacs -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by tests/ert/run.el.  Each test starts a real terminal (native
;; pty, conpty-proxy, or both where the fault applies), injects one
;; fault and checks the session ends (or goes on) cleanly:
;;
;; - Emacs stops reading for 10 s while the child writes 50 MB: every
;;   line arrives, in order; nothing is killed; the proxy's peak RSS
;;   stays bounded.
;; - The child is killed, the proxy is killed, the proxy's stdin
;;   closes: the buffer says what happened, and no process of the
;;   session is left behind.
;; - A control client vanishes in the middle of a message: the
;;   session goes on, the proxy keeps serving.
;; - 10000 resizes from 8 concurrent clients while output streams: no
;;   line lost, every resize applied, the proxy idle afterwards.
;;
;; Every process of a session carries VTERM_FAULT_MARK=<random> in its
;; environment; "no orphan" means no live process carries it, whoever
;; its parent is now.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'vterm)
(require 'vterm-tests)

(defvar vterm-fault-ctl-probe
  (or (getenv "VTERM_TEST_CTL_PROBE")
      (expand-file-name "build/tests/proxy/ctl_probe" vterm-test-top))
  "The control-channel probe (tests/proxy/ctl_probe.c).")

(defvar vterm-fault-mark nil
  "The value of VTERM_FAULT_MARK for the session being tested.")

(defconst vterm-fault-line-length 1000
  "Length of each data line the writers print, without its newline.")

;;;; Processes

(defun vterm-fault--file-string (file)
  "Return the contents of FILE as a unibyte string, or nil."
  (condition-case nil
      (with-temp-buffer
        (set-buffer-multibyte nil)
        (insert-file-contents-literally file)
        (buffer-string))
    (error nil)))

(defun vterm-fault--marked-pids ()
  "Return the live processes whose environment has `vterm-fault-mark'.
Each element is (PID . COMMAND-LINE)."
  (let ((needle (concat "VTERM_FAULT_MARK=" vterm-fault-mark "\0"))
        (found nil))
    (dolist (dir (directory-files "/proc" t "\\`[0-9]+\\'"))
      (let ((env (vterm-fault--file-string (expand-file-name "environ" dir))))
        (when (and env (string-search needle (concat env "\0")))
          (push (cons (string-to-number (file-name-nondirectory dir))
                      (replace-regexp-in-string
                       "\0" " " (or (vterm-fault--file-string
                                     (expand-file-name "cmdline" dir))
                                    "")))
                found))))
    found))

(defun vterm-fault--marked-running (regexp)
  "Return a marked process whose command line matches REGEXP, or nil."
  (cl-find-if (lambda (p) (string-match-p regexp (cdr p)))
              (vterm-fault--marked-pids)))

(defun vterm-fault--no-orphans ()
  "Wait until no marked process is left; return the ones that stay."
  (vterm-test-wait (lambda () (null (vterm-fault--marked-pids))) 10)
  (vterm-fault--marked-pids))

(defun vterm-fault--children (pid)
  "Return the pids of the children of PID."
  (let ((text (vterm-fault--file-string
               (format "/proc/%d/task/%d/children" pid pid))))
    (and text (mapcar #'string-to-number (split-string text)))))

(defun vterm-fault--status-kib (pid field)
  "Return FIELD (like \"VmHWM\") of /proc/PID/status, in KiB."
  (let ((text (vterm-fault--file-string (format "/proc/%d/status" pid))))
    (and text
         (string-match (concat "^" field ":[ \t]*\\([0-9]+\\) kB") text)
         (string-to-number (match-string 1 text)))))

(defun vterm-fault--cpu-ticks (pid)
  "Return the CPU clock ticks (user + system) PID has used."
  (let ((text (vterm-fault--file-string (format "/proc/%d/stat" pid))))
    ;; The command name in parentheses may hold spaces: count after it.
    (let ((fields (split-string (substring text (1+ (cl-position ?\) text
                                                                 :from-end t))))))
      (+ (string-to-number (nth 11 fields))
         (string-to-number (nth 12 fields))))))

(defun vterm-fault--idle-ticks (pid seconds)
  "Return the CPU ticks PID used in SECONDS, Emacs serving events meanwhile."
  (let ((before (vterm-fault--cpu-ticks pid))
        (deadline (+ (float-time) seconds)))
    (while (< (float-time) deadline)
      (accept-process-output nil 0.1))
    (- (vterm-fault--cpu-ticks pid) before)))

;;;; Sessions

(defun vterm-fault--new-mark ()
  "Return a new random mark."
  (format "%d-%d-%d" (emacs-pid) (random 1000000000) (random 1000000000)))

(defvar vterm-fault-events nil
  "Events passed to `vterm-exit-functions' in the current test.")

(defmacro vterm-fault-with-session (spec &rest body)
  "Run BODY with a terminal and the session's mark in `vterm-fault-mark'.
SPEC is (VAR USE-PROXY &optional SHELL): VAR is bound to the vterm
buffer; with USE-PROXY non-nil the shell is under conpty-proxy;
SHELL, when given, replaces /bin/sh.
The buffer stays after its process exits; `vterm-fault-events'
collects the events passed to `vterm-exit-functions'.  The buffer
is killed and every marked process checked gone afterwards."
  (declare (indent 1))
  (let ((var (nth 0 spec)) (use-proxy (nth 1 spec)) (shell (nth 2 spec)))
    `(let* ((vterm-fault-mark (vterm-fault--new-mark))
            (vterm-fault-events nil)
            (vterm-test-extra-environment
             (cons (concat "VTERM_FAULT_MARK=" vterm-fault-mark)
                   vterm-test-extra-environment))
            (process-environment (vterm-test-environment))
            (vterm-shell (or ,shell "/bin/sh"))
            (vterm-use-conpty-proxy ,use-proxy)
            (vterm-conpty-proxy-path vterm-test-proxy)
            (vterm-kill-buffer-on-exit nil)
            (vterm-exit-functions
             (list (lambda (_buffer event) (push event vterm-fault-events))))
            (,var (vterm (generate-new-buffer-name "vterm-fault"))))
       (unwind-protect
           (progn ,@body)
         (vterm-test-end-session ,var)
         ;; Whatever the test did, the session must be gone in the end.
         (should-not (vterm-fault--no-orphans))))))

(defun vterm-fault--report (buffer)
  "Return the last \"[...]\" report vterm inserted in BUFFER, or nil.
The process name in it is \"vterm\" whatever its <N> suffix."
  (let ((text (vterm-test-screen buffer)))
    (and (string-match "^\\[\\([^]\n]*\\)\\]\n*\\'" text)
         (replace-regexp-in-string "\\`Process vterm<[0-9]+> " "Process vterm "
                                   (match-string 1 text)))))

(defun vterm-fault--wait-report (buffer)
  "Wait for BUFFER's process to end and vterm to say so; return the report."
  (should (vterm-test-wait (lambda () vterm-fault-events)))
  (should-not (process-live-p (get-buffer-process buffer)))
  (or (vterm-test-wait (lambda () (vterm-fault--report buffer)) 5)
      (ert-fail (list "No report in the buffer"
                      (vterm-test-screen buffer)))))

(defun vterm-fault--start-sleep (buffer)
  "Run a foreground sleep in BUFFER's shell; return its pid."
  (vterm-test-type buffer "sleep 1000")
  (let ((p (vterm-test-wait
            (lambda () (vterm-fault--marked-running "\\`sleep 1000 \\'")))))
    (should p)
    (car p)))

(defun vterm-fault--shell-pid (buffer)
  "Return the pid of the shell of BUFFER (the proxy's child on that path)."
  (let* ((proc (get-buffer-process buffer))
         (pid (process-id proc)))
    (if (buffer-local-value 'vterm--proxy-id buffer)
        (let ((children (vterm-fault--children pid)))
          (should (= (length children) 1))
          (car children))
      pid)))

;;;; Data lines

(defun vterm-fault--writer-script (body)
  "Return a new sh script file to run BODY.
BODY can call `line FROM TO': print data lines FROM..TO, each an
L, the number in 7 digits and x up to `vterm-fault-line-length'."
  (let ((file (make-temp-file "vterm-fault-writer" nil ".sh")))
    (with-temp-file file
      (insert (format "line() {
    awk -v from=\"$1\" -v to=\"$2\" 'BEGIN {
        pad = sprintf(\"%%%ds\", \"\"); gsub(/ /, \"x\", pad)
        for (i = from; i <= to; i++) printf \"L%%07d%%s\\n\", i, pad }'
}
stty -echo
%s
" (- vterm-fault-line-length 8) body)))
    file))

(defun vterm-fault--line-checker ()
  "Return a function to check the data lines of the output it is fed.
Called with a string, it takes in more output; with nil, it returns
a plist (:lines N :end END-LINE :errors (FIRST-ERRORS...)).  A data
line must be the next one in order, whole: any byte lost, added or
changed in it is an error."
  (let* ((carry "") (next 1) (end nil) (errors nil)
         (len vterm-fault-line-length)
         (pad (make-string (- len 8) ?x)))
    (lambda (output)
      (if (null output)
          (list :lines (1- next) :end end :errors (reverse errors))
        (let ((text (concat carry output))
              (start 0) nl)
          (while (setq nl (string-search "\n" text start))
            (let ((stop (if (and (> nl start) (eq (aref text (1- nl)) ?\r))
                            (1- nl)
                          nl)))
              (cond
               (end)                    ; anything after the end: ignored
               ((and (= (- stop start) len)
                     (eq (aref text start) ?L)
                     (eq (compare-strings text (+ start 8) stop pad nil nil) t)
                     (equal (substring text (1+ start) (+ start 8))
                            (format "%07d" next)))
                (setq next (1+ next)))
               ((string-prefix-p "END" (substring text start stop))
                (setq end (substring text start stop)))
               ((< (length errors) 3)
                (push (format "line %d: %S" next
                              (substring text start (min stop (+ start 40))))
                      errors))))
            (setq start (1+ nl)))
          (setq carry (substring text start)))))))

(defmacro vterm-fault-with-checked-output (spec &rest body)
  "Run BODY with a line checker fed all output of BUFFER's process.
SPEC is (CHECKER BUFFER): CHECKER is bound to the function
`vterm-fault--line-checker' returns."
  (declare (indent 1))
  (let ((checker (nth 0 spec)) (buffer (nth 1 spec))
        (advice (make-symbol "advice")) (proc (make-symbol "proc")))
    `(let* ((,checker (vterm-fault--line-checker))
            (,proc (get-buffer-process ,buffer))
            (,advice (lambda (p output)
                       (when (eq p ,proc) (funcall ,checker output)))))
       (advice-add 'vterm--filter :before ,advice)
       (unwind-protect
           (progn ,@body)
         (advice-remove 'vterm--filter ,advice)))))

;;;; (a) Emacs stops reading

(defconst vterm-fault-stall-lines 50000
  "Data lines written during the stall: 50 MB.")

(defun vterm-fault--stall (use-proxy)
  "Stall Emacs 10 s while 50 MB are written; USE-PROXY: through the proxy."
  (let* ((log (make-temp-file "vterm-fault-log"))
         (script (vterm-fault--writer-script
                  (format "line 1 %d; echo END; read x; exit 0"
                          vterm-fault-stall-lines)))
         (vterm-test-extra-environment
          (list (concat "CONPTY_PROXY_LOG=" log))))
    (unwind-protect
        (vterm-fault-with-session (buf use-proxy (concat "/bin/sh " script))
          (let ((proc (get-buffer-process buf)))
            (vterm-fault-with-checked-output (checker buf)
              ;; Emacs reads nothing while call-process waits.
              (call-process "sleep" nil nil nil "10")
              (when use-proxy
                ;; The stall was real: the proxy hit its queue bound.
                (should (with-temp-buffer
                          (insert-file-contents log)
                          (re-search-forward "^backpressure on" nil t))))
              (should (vterm-test-wait
                       (lambda () (plist-get (funcall checker nil) :end))
                       120))
              (let ((result (funcall checker nil)))
                (should (equal (plist-get result :errors) nil))
                (should (= (plist-get result :lines) vterm-fault-stall-lines))
                (should (equal (plist-get result :end) "END")))
              (should (process-live-p proc))
              (when use-proxy
                (let ((hwm (vterm-fault--status-kib (process-id proc) "VmHWM")))
                  (message "proxy peak RSS after the stall: %s KiB" hwm)
                  (should (< hwm 16384))))
              (with-current-buffer buf (vterm-send-string "x\n")))
            ;; Nothing was killed: the writer ended on its own, status 0.
            (should (equal (vterm-fault--wait-report buf)
                           "Process vterm finished"))
            (should (equal vterm-fault-events '("finished\n")))))
      (delete-file script)
      (delete-file log))))

(ert-deftest vterm-fault-stall/proxy ()
  "Emacs stalls 10 s while 50 MB go through the proxy: all arrive in order."
  :tags '(posix)
  (should (file-executable-p vterm-test-proxy))
  (vterm-fault--stall t))

(ert-deftest vterm-fault-stall/pty ()
  "Emacs stalls 10 s while 50 MB go through the pty: all arrive in order."
  :tags '(posix)
  (vterm-fault--stall nil))

;;;; The checks themselves can fail

(ert-deftest vterm-fault-line-checker ()
  "The line checker finds a lost byte, a lost line and lines out of order."
  (let ((pad (make-string (- vterm-fault-line-length 8) ?x)))
    (cl-flet ((run (numbers &optional mangle)
                (let ((checker (vterm-fault--line-checker))
                      (text (concat (mapconcat
                                     (lambda (i) (format "L%07d%s\r\n" i pad))
                                     numbers "")
                                    "END\r\n")))
                  (when mangle (setq text (funcall mangle text)))
                  ;; Fed in pieces that split lines anywhere.
                  (let ((i 0))
                    (while (< i (length text))
                      (funcall checker (substring text i (min (length text)
                                                              (+ i 777))))
                      (setq i (+ i 777))))
                  (funcall checker nil))))
      (should (equal (run '(1 2 3)) '(:lines 3 :end "END" :errors nil)))
      (should (plist-get (run '(1 3 4)) :errors))
      (should (plist-get (run '(2 1)) :errors))
      (should (plist-get (run '(1 2 3)
                              (lambda (text) (concat (substring text 0 1500)
                                                     (substring text 1501))))
                         :errors)))))

(ert-deftest vterm-fault-orphan-check ()
  "The orphan check sees a marked process, whoever its parent is."
  :tags '(posix)
  (let* ((vterm-fault-mark (vterm-fault--new-mark))
         (process-environment (cons (concat "VTERM_FAULT_MARK=" vterm-fault-mark)
                                    process-environment)))
    ;; A grandchild left behind: its parent, sh, exits at once.
    (call-process "/bin/sh" nil 0 nil "-c" "sleep 30 > /dev/null 2>&1 &")
    (let ((orphan (vterm-test-wait
                   (lambda () (vterm-fault--marked-running "\\`sleep 30 \\'")))))
      (should orphan)
      (should (equal (vterm-fault--marked-pids) (list orphan)))
      (signal-process (car orphan) 'KILL)
      (should-not (vterm-fault--no-orphans)))))

;;;; (b) The child is killed, (c) the proxy is killed, (d) stdin closes

(defun vterm-fault--kill-child (use-proxy)
  "Kill the shell (running a foreground sleep); USE-PROXY: under the proxy."
  (vterm-fault-with-session (buf use-proxy)
    (vterm-test-wait-for buf vterm-test-prompt-regexp)
    (let ((sleep (vterm-fault--start-sleep buf))
          (shell (vterm-fault--shell-pid buf)))
      (should (/= sleep shell))
      (signal-process shell 'KILL)
      (should (equal (vterm-fault--wait-report buf)
                     (if use-proxy
                         (concat "Process vterm exited abnormally with code 137"
                                 " (the shell was killed by signal 9)")
                       "Process vterm killed")))
      (should-not (vterm-fault--no-orphans)))))

(ert-deftest vterm-fault-child-killed/pty ()
  "The shell killed by SIGKILL: the buffer says so, nothing is left behind."
  :tags '(posix)
  (vterm-fault--kill-child nil))

(ert-deftest vterm-fault-child-killed/proxy ()
  "The proxy's child killed by SIGKILL: the buffer says so, nothing left."
  :tags '(posix)
  (should (file-executable-p vterm-test-proxy))
  (vterm-fault--kill-child t))

(ert-deftest vterm-fault-proxy-killed ()
  "The proxy killed by SIGKILL: the buffer says so; its shell hangs up."
  :tags '(posix)
  (should (file-executable-p vterm-test-proxy))
  (vterm-fault-with-session (buf t)
    (vterm-test-wait-for buf vterm-test-prompt-regexp)
    (let ((sleep (vterm-fault--start-sleep buf))
          (proxy (process-id (get-buffer-process buf))))
      (should (memq sleep (mapcar #'car (vterm-fault--marked-pids))))
      (signal-process proxy 'KILL)
      (should (equal (vterm-fault--wait-report buf)
                     "Process vterm killed (conpty-proxy died by signal 9)"))
      (should-not (vterm-fault--no-orphans)))))

(ert-deftest vterm-fault-stdin-closed/pty ()
  "End of input at the prompt ends the shell; the buffer says it finished."
  :tags '(posix)
  (vterm-fault-with-session (buf nil)
    (vterm-test-wait-for buf vterm-test-prompt-regexp)
    (process-send-eof (get-buffer-process buf))
    (should (equal (vterm-fault--wait-report buf) "Process vterm finished"))
    (should-not (vterm-fault--no-orphans))))

(ert-deftest vterm-fault-stdin-closed/proxy ()
  "The proxy's stdin closed while a command runs: the shell is hung up."
  :tags '(posix)
  (should (file-executable-p vterm-test-proxy))
  (vterm-fault-with-session (buf t)
    (vterm-test-wait-for buf vterm-test-prompt-regexp)
    (vterm-fault--start-sleep buf)
    (process-send-eof (get-buffer-process buf))
    (should (equal (vterm-fault--wait-report buf)
                   (concat "Process vterm exited abnormally with code 129"
                           " (the shell was killed by signal 1)")))
    (should-not (vterm-fault--no-orphans))))

;;;; (e) A control client vanishes in the middle of a message

(defun vterm-fault--probe (&rest args)
  "Start ctl_probe with ARGS; return the process (output in its buffer)."
  (should (file-executable-p vterm-fault-ctl-probe))
  (make-process :name "vterm-fault-probe"
                :buffer (generate-new-buffer " *vterm-fault-probe*")
                :command (cons vterm-fault-ctl-probe args)
                :connection-type 'pipe
                :noquery t))

(defun vterm-fault--probe-done (proc &optional timeout)
  "Wait for probe PROC to exit (TIMEOUT seconds); return its exit status."
  (vterm-test-wait (lambda () (not (process-live-p proc))) (or timeout 30))
  (prog1 (if (process-live-p proc) 'still-running (process-exit-status proc))
    (when (process-live-p proc) (delete-process proc))
    (kill-buffer (process-buffer proc))))

(ert-deftest vterm-fault-client-vanishes ()
  "Clients that vanish mid-message leave the session and the proxy working."
  :tags '(posix)
  (should (file-executable-p vterm-test-proxy))
  (let* ((log (make-temp-file "vterm-fault-log"))
         (vterm-test-extra-environment (list (concat "CONPTY_PROXY_LOG=" log))))
    (unwind-protect
        (vterm-fault-with-session (buf t)
          (vterm-test-wait-for buf vterm-test-prompt-regexp)
          (let* ((id (buffer-local-value 'vterm--proxy-id buf))
                 (proxy (process-id (get-buffer-process buf)))
                 ;; One killed while it holds half a message...
                 (hang (vterm-fault--probe "hang-partial" id)))
            (should (vterm-test-wait
                     (lambda () (with-current-buffer (process-buffer hang)
                                  (string-match-p "^sent$" (buffer-string))))))
            (signal-process hang 'KILL)
            (should (eq (vterm-fault--probe-done hang) 9))
            ;; ...and 500 that write part of one (or all) and close.
            (should (eq (vterm-fault--probe-done
                         (vterm-fault--probe "vanish" id "500"))
                        0))
            ;; The proxy still applies resizes (its trace log says so:
            ;; the size the shell sees may change again as soon as Emacs
            ;; resizes the window) and relays the shell.
            (with-current-buffer buf
              (should (vterm--conpty-resize-pipe id 77 22)))
            (should (vterm-test-wait
                     (lambda () (with-temp-buffer
                                  (insert-file-contents log)
                                  (re-search-forward
                                   "^resize 77 22 hr=0x00000000$" nil t)))))
            (vterm-test-type buf "echo alive-$((1+2))")
            (vterm-test-wait-for buf "^alive-3$")
            (should (process-live-p (get-buffer-process buf)))
            ;; Nothing happened to the session: vterm reported nothing.
            (should-not (vterm-fault--report buf))
            (should (< (vterm-fault--idle-ticks proxy 2) 10))))
      (delete-file log))))

;;;; (f) 10000 resizes from 8 clients while output streams

(ert-deftest vterm-fault-resize-storm ()
  "8 clients x 1250 resizes while output streams: no line lost, then idle."
  :tags '(posix)
  (should (file-executable-p vterm-test-proxy))
  (let* ((log (make-temp-file "vterm-fault-log"))
         (stop (make-temp-file "vterm-fault-stop"))
         (script (vterm-fault--writer-script
                  (format "i=0
while [ ! -e %s ]; do line $((i + 1)) $((i + 50)); i=$((i + 50)); sleep 0.05; done
echo \"END $i\"
read x" stop)))
         (vterm-test-extra-environment (list (concat "CONPTY_PROXY_LOG=" log))))
    (delete-file stop)
    (unwind-protect
        (vterm-fault-with-session (buf t (concat "/bin/sh " script))
          (let ((id (buffer-local-value 'vterm--proxy-id buf))
                (proxy (process-id (get-buffer-process buf))))
            (vterm-fault-with-checked-output (checker buf)
              ;; Output is streaming before the storm starts.
              (should (vterm-test-wait
                       (lambda () (> (plist-get (funcall checker nil) :lines)
                                     100))))
              (let ((probes (cl-loop repeat 8
                                     collect (vterm-fault--probe
                                              "resizes" id "1250"))))
                (should (equal (mapcar (lambda (p) (vterm-fault--probe-done p 120))
                                       probes)
                               (make-list 8 0))))
              (let ((during (plist-get (funcall checker nil) :lines)))
                (with-temp-file stop)
                (should (vterm-test-wait
                         (lambda () (plist-get (funcall checker nil) :end))
                         60))
                (let ((result (funcall checker nil)))
                  (message "resize storm: %d lines streamed, %d during the storm"
                           (plist-get result :lines) during)
                  (should (equal (plist-get result :errors) nil))
                  (should (equal (plist-get result :end)
                                 (format "END %d" (plist-get result :lines)))))))
            ;; Every resize was applied (the proxy logs one line each).
            (should (>= (with-temp-buffer
                          (insert-file-contents log)
                          (count-matches "^resize [0-9]+ [0-9]+ hr=0x00000000$"
                                         (point-min) (point-max)))
                        10000))
            ;; Back to idle: no more than 100 ms of CPU in 2 s.
            (let ((ticks (vterm-fault--idle-ticks proxy 2)))
              (message "proxy CPU after the storm: %d ticks in 2 s" ticks)
              (should (< ticks 10)))
            (with-current-buffer buf (vterm-send-string "x\n"))
            (should (equal (vterm-fault--wait-report buf)
                           "Process vterm finished"))))
      (delete-file script)
      (when (file-exists-p stop) (delete-file stop))
      (delete-file log))))

(provide 'vterm-fault-tests)

;;; vterm-fault-tests.el ends here

;;; vterm-lifetime-tests.el --- ERT tests of when a terminal's resources go -*- lexical-binding: t; -*-

;;; Commentary:

;; A terminal's parse thread and render core are released when its
;; buffer is killed or its process ends, not when the garbage collector
;; finds the terminal object; the object stays safe to hold.  And the
;; parse thread's wake-up channel never keeps Emacs from running a
;; process sentinel: `(accept-process-output proc)' until the sentinel
;; ran is a common way to wait for a process.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'vterm)
(require 'vterm-module)
(require 'vterm-tests)

;;;; Waiting for the sentinel

(defvar vterm-lifetime-test-runs 20
  "How many sessions the wait-for-sentinel test starts.")

(defvar vterm-lifetime-test-max-spins 2
  "The wait-for-sentinel test stops after this many spins.")

(defvar vterm-lifetime-test-watchdog 5
  "Seconds one wait for a sentinel may take before it counts as a spin.")

(defun vterm-lifetime-test--output-file ()
  "Return a new temporary file of about 400 KB of terminal output.
Titles (OSC 2) come with the text, so every batch the parse thread
parses has news and wakes Emacs."
  (let ((file (make-temp-file "vterm-lifetime-out")))
    (with-temp-file file
      (set-buffer-multibyte nil)
      (dotimes (i 5000)
        (insert (format "\e]2;title %d\a\e[3%dmline %d of the output\e[m\r\n"
                        i (% i 8) i))))
    file))

(defun vterm-lifetime-test--wait-for-sentinel (use-proxy file)
  "Start a vterm that cats FILE and exits; wait as packages do.
USE-PROXY non-nil runs it through conpty-proxy.  The wait is
`accept-process-output' on the process until its sentinel ran,
bounded by `vterm-lifetime-test-watchdog'.  Return the number of
`accept-process-output' calls, or nil if the watchdog fired."
  (let* ((process-environment (vterm-test-environment))
         (vterm-shell (concat "cat " file))
         (vterm-use-conpty-proxy use-proxy)
         (vterm-conpty-proxy-path vterm-test-proxy)
         (vterm-kill-buffer-on-exit nil)
         (vterm-exit-functions nil)
         (buffer (vterm (generate-new-buffer-name "vterm-lifetime")))
         (proc (get-buffer-process buffer))
         (sentinel-ran nil)
         (calls 0)
         (watchdog nil))
    (add-function :after (process-sentinel proc)
                  (lambda (process _event)
                    (unless (process-live-p process)
                      (setq sentinel-ran t))))
    (unwind-protect
        (catch 'vterm-lifetime-test-spin
          ;; Timers run in that loop, and `throw' gets out of one.
          (setq watchdog (run-with-timer
                          vterm-lifetime-test-watchdog nil
                          (lambda () (throw 'vterm-lifetime-test-spin nil))))
          (while (not sentinel-ran)
            (accept-process-output proc)
            (setq calls (1+ calls)))
          calls)
      (cancel-timer watchdog)
      (let ((kill-buffer-query-functions nil))
        (when (buffer-live-p buffer)
          (kill-buffer buffer)))
      ;; A session that spun still has to end before the next one.
      (vterm-test-wait (lambda () sentinel-ran) 5))))

(defun vterm-lifetime-test--spins (use-proxy)
  "Run the sentinel wait `vterm-lifetime-test-runs' times; return the spins.
USE-PROXY is passed on.  Stops after `vterm-lifetime-test-max-spins'."
  (let ((file (vterm-lifetime-test--output-file))
        (spins 0)
        (runs 0)
        (most 0))
    (unwind-protect
        (while (and (< runs vterm-lifetime-test-runs) (< spins vterm-lifetime-test-max-spins))
          (setq runs (1+ runs))
          (let ((calls (vterm-lifetime-test--wait-for-sentinel use-proxy file)))
            (if calls
                (setq most (max most calls))
              (setq spins (1+ spins)))))
      (delete-file file))
    (message "sentinel wait: %d of %d runs spun; at most %d calls in the others"
             spins runs most)
    spins))

(ert-deftest vterm-lifetime-test-sentinel-wait/pty ()
  "Waiting with `accept-process-output' until the sentinel ran ends."
  :tags '(posix)
  (should (= (vterm-lifetime-test--spins nil) 0)))

(ert-deftest vterm-lifetime-test-sentinel-wait/proxy ()
  "Waiting with `accept-process-output' until the sentinel ran ends."
  (should (file-executable-p vterm-test-proxy))
  (should (= (vterm-lifetime-test--spins t) 0)))

;;;; Threads and terminals go at once

(defun vterm-lifetime-test--threads ()
  "Return the number of threads of this Emacs, or nil where not counted.
On Windows, Emacs itself starts and ends a reader thread per process
and connection (the parse thread's wake-up connection among them):
the count would not tell the module's threads; the C tests of the
Windows worker check that stopping joins it."
  (unless (eq system-type 'windows-nt)
    (length (directory-files "/proc/self/task" nil "\\`[0-9]+\\'"))))

(defun vterm-lifetime-test--threads-are (expected)
  "Check that this Emacs has EXPECTED threads, where they are counted.
EXPECTED is nil where they are not (`vterm-lifetime-test--threads')."
  (when expected
    (should (= (vterm-lifetime-test--threads) expected))))

(defmacro vterm-lifetime-test--without-gc (&rest body)
  "Run BODY with no garbage collection; fail if one ran anyway."
  (declare (indent 0))
  `(let ((gc-cons-threshold most-positive-fixnum)
         (gc-cons-percentage 1.0)
         (gcs gcs-done))
     (prog1 (progn ,@body)
       (should (= gcs gcs-done)))))

(defun vterm-lifetime-test--start (use-proxy n)
  "Start N vterms running /bin/sh (through the proxy if USE-PROXY).
Return their buffers once each shows its prompt."
  (let ((process-environment (vterm-test-environment))
        (vterm-shell "/bin/sh")
        (vterm-use-conpty-proxy use-proxy)
        (vterm-conpty-proxy-path vterm-test-proxy)
        (vterm-parse-in-thread t)
        (buffers nil))
    (dotimes (_ n)
      (push (vterm (generate-new-buffer-name "vterm-lifetime")) buffers))
    (dolist (buffer buffers)
      (vterm-test-wait-for buffer vterm-test-prompt-regexp)
      ;; This Emacs and module can run the parse thread.
      (should (buffer-local-value 'vterm--wakeup buffer)))
    buffers))

(defun vterm-lifetime-test--kill-buffers (use-proxy)
  "Killing vterm buffers ends their parse threads at once (USE-PROXY)."
  (let ((before (vterm-lifetime-test--threads))
        (buffers nil))
    (unwind-protect
        (vterm-lifetime-test--without-gc
          (setq buffers (vterm-lifetime-test--start use-proxy 4))
          (should (= (vterm-lifetime-test--threads) (+ before 4)))
          (let ((kill-buffer-query-functions nil))
            (dolist (buffer buffers)
              (kill-buffer buffer)))
          (vterm-lifetime-test--threads-are before))
      (mapc #'vterm-test-end-session buffers))))

(ert-deftest vterm-lifetime-test-kill-buffer-ends-thread/pty ()
  "Killing vterm buffers ends their parse threads, without a GC."
  :tags '(posix)
  (vterm-lifetime-test--kill-buffers nil))

(ert-deftest vterm-lifetime-test-kill-buffer-ends-thread/proxy ()
  "Killing vterm buffers ends their parse threads, without a GC."
  :tags '(posix)
  (should (file-executable-p vterm-test-proxy))
  (vterm-lifetime-test--kill-buffers t))

(defun vterm-lifetime-test--process-exit (use-proxy)
  "A process that exits ends its parse thread at once (USE-PROXY).
The buffer stays with its last screen, and what it offers without a
terminal still works."
  (let ((before (vterm-lifetime-test--threads))
        (vterm-kill-buffer-on-exit nil)
        (buffers nil)
        (done 0))
    (unwind-protect
        (vterm-lifetime-test--without-gc
          (setq buffers (vterm-lifetime-test--start use-proxy 3))
          (should (= (vterm-lifetime-test--threads) (+ before 3)))
          (let ((terms (mapcar (lambda (b) (buffer-local-value 'vterm--term b))
                               buffers)))
            (dolist (buffer buffers)
              (add-function :after (process-sentinel (get-buffer-process buffer))
                            (lambda (process _event)
                              (unless (process-live-p process)
                                (setq done (1+ done)))))
              (vterm-test-type buffer "echo last words; exit"))
            (should (vterm-test-wait (lambda () (= done 3))))
            (vterm-lifetime-test--threads-are before)
            (dolist (buffer buffers)
              (should (buffer-live-p buffer))
              (should (string-match-p "^last words$" (vterm-test-screen buffer)))
              (with-current-buffer buffer
                (should-not vterm--term)
                (should-not vterm--wakeup)
                ;; Functions of the buffer: harmless without a terminal.
                (should-not (vterm--get-pwd))
                (vterm-reset-cursor-point)
                (vterm-clear-scrollback)
                (vterm-send-string "ignored")
                (vterm--request-resize 50 10)
                (vterm-copy-mode 1)
                (goto-char (point-min))
                (should (search-forward "last words" nil t))
                (vterm-copy-mode -1)))
            ;; The terminal objects: a clear error, never a crash.
            (dolist (term terms)
              (should (equal (cadr (should-error (vterm--redraw term)))
                             "vterm: not a live terminal (freed by vterm--free)"))
              (should-error (vterm--write-input term "x"))
              (should-error (vterm--update term "a"))
              (should-error (vterm--set-size term 5 5))
              (should-error (vterm--get-pwd-raw term 1))
              (should-not (vterm--free term)))))
      (let ((kill-buffer-query-functions nil))
        (mapc #'kill-buffer buffers)))))

(ert-deftest vterm-lifetime-test-exit-ends-thread/pty ()
  "A process that exits ends its parse thread and frees its terminal."
  :tags '(posix)
  (vterm-lifetime-test--process-exit nil))

(ert-deftest vterm-lifetime-test-exit-ends-thread/proxy ()
  "A process that exits ends its parse thread and frees its terminal."
  :tags '(posix)
  (should (file-executable-p vterm-test-proxy))
  (vterm-lifetime-test--process-exit t))

;;;; Idle means idle

(ert-deftest vterm-lifetime-test-idle-no-watch-timer ()
  "Once output stops, no wake-up watch timer is left running."
  :tags '(posix)
  (let* ((buffers (vterm-lifetime-test--start nil 1))
         (checks 0)
         (count (lambda (&rest _) (setq checks (1+ checks)))))
    (advice-add 'vterm--wakeup-watch :before count)
    (unwind-protect
        (let ((buffer (car buffers)))
          (vterm-test-type buffer "i=0; while [ $i -lt 2000 ]; do echo line $i; i=$((i+1)); done")
          (vterm-test-wait-for buffer "^line 1999\n\\$ ")
          ;; The quiet time (20 ms) and a few watch periods.
          (accept-process-output nil 0.5)
          (should (> checks 0))
          (setq checks 0)
          (should-not (buffer-local-value 'vterm--wakeup-watch-timer buffer))
          (should-not (cl-find #'vterm--wakeup-watch timer-list
                               :key #'timer--function))
          (accept-process-output nil 0.3)
          (should (= checks 0)))
      (advice-remove 'vterm--wakeup-watch count)
      (mapc #'vterm-test-end-session buffers))))

;;;; vterm--free itself

(defmacro vterm-lifetime-test--with-thread (var &rest body)
  "Run BODY in a temporary buffer, VAR a 5x20 terminal with a parse thread.
The thread is started as for a vterm buffer, with this OS's wake-up
channel; its wake-ups reach no terminal (BODY takes what it parsed)."
  (declare (indent 1))
  `(with-temp-buffer
     (let ((,var (vterm--new 5 20 100)))
       (unwind-protect
           (progn
             (should (vterm--open-wakeup ,var #'ignore))
             ,@body)
         (vterm--free ,var)
         (vterm--delete-wakeup)))))

(ert-deftest vterm-lifetime-test-free ()
  "`vterm--free' ends the thread at once; the object stays safe."
  (let ((before (vterm-lifetime-test--threads)))
    (vterm-lifetime-test--with-thread vt
      (vterm-lifetime-test--threads-are (and before (1+ before)))
      ;; Output still queued is dropped with it.
      (vterm--write-input vt (make-string 100000 ?x))
      (should (vterm--free vt))
      (vterm-lifetime-test--threads-are before)
      (dolist (call (list (lambda () (vterm--redraw vt))
                          (lambda () (vterm--write-input vt "x"))
                          (lambda () (vterm--update vt "a"))
                          (lambda () (vterm--set-size vt 3 3))
                          (lambda () (vterm--reset-point vt))
                          (lambda () (vterm--clear-scrollback vt))
                          (lambda () (vterm--get-pwd-raw vt))
                          (lambda () (vterm--parse-thread-woke vt))
                          (lambda () (vterm--parse-thread-busy vt))
                          (lambda () (vterm--stop-parse-thread vt))
                          (lambda () (vterm--start-parse-thread vt nil))))
        (should (string-match-p "not a live terminal"
                                (cadr (should-error (funcall call))))))
      (should-not (vterm--free vt))
      (should-error (vterm--free 'not-a-terminal)))
    ;; The finalizer of a freed terminal, and of one never freed.
    (vterm--new 5 20 100)
    (garbage-collect)))

(ert-deftest vterm-lifetime-test-free-from-a-callback ()
  "Freed from Lisp the module calls, a terminal goes when the call returns."
  (let ((before (vterm-lifetime-test--threads)))
    (vterm-lifetime-test--with-thread vt
      (cl-letf (((symbol-function 'vterm--flush-output)
                 (lambda (_bytes)
                   (should (vterm--free vt))
                   ;; Dead for Lisp at once; its core is still in use.
                   (should-error (vterm--redraw vt))
                   (vterm-lifetime-test--threads-are (and before (1+ before))))))
        ;; Key input and a query reply: both sent from inside the call.
        (vterm--update vt "a")
        (vterm-lifetime-test--threads-are before)
        (should-error (vterm--write-input vt "\e[c"))))))

(ert-deftest vterm-lifetime-test-stop-parse-thread ()
  "`vterm--stop-parse-thread' parses what is queued, then parses in Emacs."
  (let ((before (vterm-lifetime-test--threads))
        (titles nil))
    (vterm-lifetime-test--with-thread vt
      (cl-letf (((symbol-function 'vterm--set-title)
                 (lambda (title) (push title titles)))
                ((symbol-function 'vterm--flush-output) #'ignore))
        (vterm--write-input vt "\e]2;queued\aone\r\n")
        (should (vterm--stop-parse-thread vt))
        (vterm-lifetime-test--threads-are before)
        ;; What it had is parsed, and its news taken.
        (should (equal titles '("queued")))
        (should-not (vterm--stop-parse-thread vt))
        (should-not (vterm--parse-thread-busy vt))
        (vterm--write-input vt "two")
        (vterm--redraw vt)
        (should (string-match-p "\\`one\ntwo" (buffer-string)))
        ;; From a callback of a call: when that returns.
        (vterm--free vt)))
    (vterm-lifetime-test--with-thread vt
      (cl-letf (((symbol-function 'vterm--flush-output)
                 (lambda (_bytes)
                   (should (vterm--stop-parse-thread vt))
                   (vterm-lifetime-test--threads-are (and before (1+ before))))))
        (vterm--update vt "a")
        (vterm-lifetime-test--threads-are before)
        (vterm--write-input vt "three")
        (vterm--redraw vt)
        (should (string-match-p "three" (buffer-string)))))))

(provide 'vterm-lifetime-tests)

;;; vterm-lifetime-tests.el ends here

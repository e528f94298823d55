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
        (runs 0))
    (unwind-protect
        (while (and (< runs vterm-lifetime-test-runs) (< spins vterm-lifetime-test-max-spins))
          (setq runs (1+ runs))
          (unless (vterm-lifetime-test--wait-for-sentinel use-proxy file)
            (setq spins (1+ spins))))
      (delete-file file))
    (message "sentinel wait: %d of %d runs spun" spins runs)
    spins))

(ert-deftest vterm-lifetime-test-sentinel-wait/pty ()
  "Waiting with `accept-process-output' until the sentinel ran ends."
  (should (= (vterm-lifetime-test--spins nil) 0)))

(ert-deftest vterm-lifetime-test-sentinel-wait/proxy ()
  "Waiting with `accept-process-output' until the sentinel ran ends."
  (should (file-executable-p vterm-test-proxy))
  (should (= (vterm-lifetime-test--spins t) 0)))

(provide 'vterm-lifetime-tests)

;;; vterm-lifetime-tests.el ends here

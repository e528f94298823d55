;;; bench.el --- the Emacs half of "make bench" -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by tests/bench/run.sh in `emacs -Q --batch' with vterm.el and the
;; module loaded.  The real process filter and redraw timer do the work;
;; this file only starts vterm buffers, waits in `accept-process-output'
;; (what the command loop does between events) and watches
;; `vterm--render' to see when something reached the buffer.  Prints
;; "key value" lines.  The environment gives the files:
;; BENCH_PLAIN, BENCH_SGR (12 MB each), BENCH_BIG (the 100000-line
;; scrollback run), BENCH_PROXY (conpty-proxy).

;;; Code:

(require 'cl-lib)
(require 'vterm)

(defvar vterm-bench-proxy (getenv "BENCH_PROXY"))

(defvar vterm-bench-seen nil
  "Set by `vterm-bench--after-render' to the time the awaited text showed.")
(defvar vterm-bench-await nil
  "What `vterm-bench--after-render' looks for: a function of no argument.")

(defun vterm-bench--after-render (&rest _)
  "Note the time of the first redraw that meets the awaited condition."
  (when (and vterm-bench-await (not vterm-bench-seen)
             (funcall vterm-bench-await))
    (setq vterm-bench-seen (float-time))))

(advice-add 'vterm--render :after #'vterm-bench--after-render)

(defun vterm-bench-out (key fmt value)
  "Print KEY and VALUE formatted with FMT."
  (princ (format (concat "%s " fmt "\n") key value)))

(defmacro vterm-bench-with-vterm (proxy shell var &rest body)
  "Run BODY with VAR a vterm buffer running SHELL (through the proxy if PROXY).
PROXY `persist' runs it in a persistent session (`conpty-proxy attach'
to a session server), ended after BODY."
  (declare (indent 3))
  `(let* ((process-environment (append '("PS1=$ " "LANG=C.UTF-8")
                                       process-environment))
          (vterm-shell ,shell)
          (vterm-use-conpty-proxy ,proxy)
          (vterm-persistent (eq ,proxy 'persist))
          (vterm-conpty-proxy-path vterm-bench-proxy)
          (vterm-kill-buffer-on-exit nil)
          (,var (vterm (generate-new-buffer-name "vterm-bench"))))
     (unwind-protect
         (progn ,@body)
       (let ((proc (get-buffer-process ,var))
             (session (buffer-local-value 'vterm--session-id ,var))
             (kill-buffer-query-functions nil))
         (when session
           (vterm--session-kill session))
         (kill-buffer ,var)
         (when proc
           (delete-process proc))))))

(defun vterm-bench-wait (limit)
  "Process events until `vterm-bench-seen' is set or LIMIT seconds pass."
  (let ((deadline (+ (float-time) limit)))
    (while (and (not vterm-bench-seen) (< (float-time) deadline))
      (accept-process-output nil 0.01))
    vterm-bench-seen))

(defun vterm-bench-end-marker-p ()
  "Return non-nil if the buffer has the last line of a benchmark file."
  (save-excursion
    (goto-char (point-max))
    (search-backward "END-OF-BENCH" (max (point-min) (- (point-max) 8000)) t)))

;;;; Throughput

(defun vterm-bench-full-scrollback-p ()
  "Return non-nil if the buffer has the last line and a full scrollback."
  (and (vterm-bench-end-marker-p)
       (> (count-lines (point-min) (point-max)) vterm-max-scrollback)))

(defun vterm-bench-throughput-once (proxy file &optional no-thread)
  "Cat FILE in a vterm (through the proxy if PROXY); return figures.
NO-THREAD non-nil parses on Emacs's own thread (`vterm-parse-in-thread'
nil).
The result is (SECONDS GC-SECONDS GCS LINES FULL-SECONDS), or nil on a
timeout: SECONDS until the last line shows, FULL-SECONDS until the
scrollback above it is drawn too (a redraw while output streams leaves
new scrollback for later)."
  (let ((vterm-max-scrollback 1000)
        (vterm-parse-in-thread (not no-thread)))
    (garbage-collect)
    (let ((gc-time gc-elapsed) (gcs gcs-done)
          (t0 (float-time)))
      (setq vterm-bench-seen nil
            vterm-bench-await #'vterm-bench-end-marker-p)
      (prog1
          (vterm-bench-with-vterm proxy
              (format "/bin/sh -c 'cat %s; exec sleep 600'" file) buf
            (when (vterm-bench-wait 300)
              (let ((seen vterm-bench-seen)
                    (gc-secs (- gc-elapsed gc-time))
                    (gc-count (- gcs-done gcs)))
                ;; Already drawn (the last redraw was complete): now.
                (setq vterm-bench-seen (and (with-current-buffer buf
                                              (vterm-bench-full-scrollback-p))
                                            (float-time))
                      vterm-bench-await #'vterm-bench-full-scrollback-p)
                (when (vterm-bench-wait 300)
                  (list (- seen t0) gc-secs gc-count
                        (with-current-buffer buf
                          (count-lines (point-min) (point-max)))
                        (- vterm-bench-seen t0))))))
        (setq vterm-bench-await nil)))))

(defun vterm-bench-throughput (cases reps)
  "Print medians of REPS rounds of CASES, each (TAG PROXY FILE [NO-THREAD]).
The cases take turns, so that a change in the machine's speed while
they run (this one's drifts by 10% within minutes) touches all alike."
  (let ((runs (make-vector (length cases) nil)))
    (dotimes (_ reps)
      (cl-loop for (_tag proxy file no-thread) in cases for i from 0
               do (push (vterm-bench-throughput-once proxy file no-thread)
                        (aref runs i))))
    (cl-loop for (tag _proxy file) in cases for i from 0
             do (vterm-bench-throughput-report tag file (aref runs i)))))

(defun vterm-bench-throughput-report (tag file results)
  "Print as TAG the median of RESULTS of `vterm-bench-throughput-once' on FILE."
  (let ((size (file-attribute-size (file-attributes file))))
    (if (memq nil results)
        (vterm-bench-out (concat tag "_mbps") "%s" "timeout")
      (let* ((sorted (sort results (lambda (a b) (< (car a) (car b)))))
             (run (nth (/ (length sorted) 2) sorted))
             (secs (nth 0 run)))
        (vterm-bench-out (concat tag "_mbps") "%.2f" (/ size secs 1e6))
        (vterm-bench-out (concat tag "_secs") "%.3f" secs)
        (vterm-bench-out (concat tag "_full_secs") "%.3f" (nth 4 run))
        (vterm-bench-out (concat tag "_gc_secs") "%.2f" (nth 1 run))
        (vterm-bench-out (concat tag "_gc_pct") "%.0f" (* 100 (/ (nth 1 run) secs)))
        (vterm-bench-out (concat tag "_gcs") "%d" (nth 2 run))
        (vterm-bench-out (concat tag "_lines") "%d" (nth 3 run))))))

;;;; Floor

(defun vterm-bench-floor (tag conn file)
  "Emacs alone reading FILE from cat over CONN (pty or pipe), no terminal.
What Emacs's process output loop costs before any terminal work: the
part of the throughput no module can win back.  Printed as TAG."
  (garbage-collect)
  (let* ((read-process-output-max 65536)
         (process-adaptive-read-buffering nil)
         (size (file-attribute-size (file-attributes file)))
         (done nil)
         (gc0 gc-elapsed) (gcs0 gcs-done)
         (t0 (float-time))
         (proc (make-process
                :name "vterm-bench-floor"
                :command (list "/bin/sh" "-c"
                               (format "cat %s; exec sleep 600" file))
                :connection-type conn :coding 'binary :noquery t
                :filter (lambda (_p s)
                          (when (string-search "END-OF-BENCH" s)
                            (setq done (float-time)))))))
    (while (and (not done) (< (float-time) (+ t0 120)))
      (accept-process-output nil 0.01))
    (delete-process proc)
    (when done
      (vterm-bench-out (concat tag "_mbps") "%.2f" (/ size (- done t0) 1e6))
      (vterm-bench-out (concat tag "_gc_secs") "%.3f" (- gc-elapsed gc0))
      (vterm-bench-out (concat tag "_gcs") "%d" (- gcs-done gcs0)))))

;;;; Echo

(defun vterm-bench-echo (tag proxy n)
  "Type N characters into `cat' in a raw tty; print echo latency as TAG.
The tty is the proxy's if PROXY, else a native pty."
  (let ((samples nil)
        (vterm-max-scrollback 1000))
    (vterm-bench-with-vterm proxy
        "/bin/sh -c 'stty raw -echo; echo READY; exec cat'" buf
      (setq vterm-bench-seen nil
            vterm-bench-await
            (lambda () (save-excursion
                         (goto-char (point-min))
                         (search-forward "READY" nil t))))
      (vterm-bench-wait 10)
      (accept-process-output nil 0.2)
      (with-current-buffer buf
        (let ((chars "abcdefg") (col 60))
          (dotimes (i n)
            ;; 60 columns a line, then back to column 0 (unmeasured; also
            ;; where the first line starts).
            (when (= col 60)
              (vterm-send-key "<return>")
              (setq vterm-bench-seen nil
                    vterm-bench-await (lambda () (= (current-column) 0)))
              (vterm-bench-wait 5)
              (setq col 0))
            (let* ((c (aref chars (% i 7)))
                   (want-col (1+ col))
                   (t0 (float-time)))
              (setq vterm-bench-seen nil
                    vterm-bench-await
                    (lambda () (and (eq (char-before) c)
                                    (= (current-column) want-col))))
              (vterm-send-key (char-to-string c))
              (if (vterm-bench-wait 5)
                  (push (- vterm-bench-seen t0) samples)
                (push 5.0 samples))
              (setq col want-col))))))
    (setq vterm-bench-await nil)
    (let* ((v (vconcat (sort samples #'<)))
           (len (length v)))
      (vterm-bench-out (concat tag "_p50_ms") "%.2f" (* 1e3 (aref v (/ len 2))))
      (vterm-bench-out (concat tag "_p99_ms") "%.2f"
                       (* 1e3 (aref v (/ (* len 99) 100)))))))

;;;; Idle and memory

(defun vterm-bench-proc-self ()
  "Return (CPU-SECONDS WAKEUPS RSS-KB) of this Emacs.
CPU time from getrusage, in microseconds (/proc/self/stat counts whole
10 ms clock ticks, 0.1 % of a 10 s idle run); the rest from /proc."
  (let ((cpu (float-time (get-internal-run-time))) (switches 0) (rss 0))
    (with-temp-buffer
      (insert-file-contents "/proc/self/status")
      (goto-char (point-min))
      (while (re-search-forward
              "^\\(voluntary_ctxt_switches\\|nonvoluntary_ctxt_switches\\|VmRSS\\):\\s-*\\([0-9]+\\)"
              nil t)
        (if (equal (match-string 1) "VmRSS")
            (setq rss (string-to-number (match-string 2)))
          (setq switches (+ switches (string-to-number (match-string 2)))))))
    (list cpu switches rss)))

(defun vterm-bench-idle-window (seconds)
  "Wait SECONDS for events; return this Emacs's (CPU-MS WAKE-UPS) meanwhile.
A second of waiting first lets what came before settle."
  (let ((deadline (+ (float-time) 1)))
    (while (< (float-time) deadline)
      (accept-process-output nil (- deadline (float-time)))))
  ;; The earlier benchmarks' garbage is theirs: collect it now rather
  ;; than during the measurement (it cost one 20 ms GC there).
  (garbage-collect)
  (let* ((a (vterm-bench-proc-self))
         (t0 (float-time))
         (deadline (+ t0 seconds)))
    (while (< (float-time) deadline)
      (accept-process-output nil (- deadline (float-time))))
    (let ((b (vterm-bench-proc-self)))
      ;; The two /proc reads themselves cost a few switches.
      (list (* 1e3 (- (nth 0 b) (nth 0 a))) (- (nth 1 b) (nth 1 a))))))

(defun vterm-bench-idle (seconds)
  "Measure this Emacs SECONDS with an idle vterm buffer (a shell at its prompt).
The same wait without the buffer, before and after, gives what Emacs
costs by itself.  On a virtual machine that is not zero, as its host
charges for the memory a process touches once it wakes (a C program
that sleeps 1 s and then touches 20 MB was measured at 28 ms per
wake-up); the buffer's share is the difference."
  (let ((before (vterm-bench-idle-window seconds)))
    (vterm-bench-idle-buffer seconds)
    (let ((after (vterm-bench-idle-window seconds)))
      (vterm-bench-out "idle_emacs_base_cpu_ms" "%.1f"
                       (/ (+ (nth 0 before) (nth 0 after)) 2))
      (vterm-bench-out "idle_emacs_base_wakeups" "%.1f"
                       (/ (+ (nth 1 before) (nth 1 after)) 2.0)))))

(defun vterm-bench-idle-buffer (seconds)
  "Measure this Emacs for SECONDS with an idle vterm buffer."
  (vterm-bench-with-vterm nil "/bin/sh" buf
    (setq vterm-bench-seen nil
          vterm-bench-await (lambda () (save-excursion
                                         (goto-char (point-min))
                                         (re-search-forward "^\\$ " nil t))))
    (vterm-bench-wait 10)
    (setq vterm-bench-await nil)
    (let ((idle (vterm-bench-idle-window seconds)))
      (vterm-bench-out "idle_emacs_secs" "%d" seconds)
      (vterm-bench-out "idle_emacs_cpu_ms" "%.1f" (nth 0 idle))
      (vterm-bench-out "idle_emacs_wakeups" "%d" (nth 1 idle)))))

(defun vterm-bench-memory (file)
  "Show FILE (LINES lines) in a vterm with 100000 lines of scrollback."
  (garbage-collect)
  (let ((before (nth 2 (vterm-bench-proc-self)))
        (vterm-max-scrollback 100000)
        (t0 (float-time)))
    (setq vterm-bench-seen nil
          vterm-bench-await #'vterm-bench-full-scrollback-p)
    (vterm-bench-with-vterm nil
        (format "/bin/sh -c 'cat %s; exec sleep 600'" file) buf
      (if (not (vterm-bench-wait 300))
          (vterm-bench-out "mem_emacs_rss_kb" "%s" "timeout")
        (garbage-collect)
        (let ((after (nth 2 (vterm-bench-proc-self))))
          (with-current-buffer buf
            (vterm-bench-out "mem_secs" "%.2f" (- vterm-bench-seen t0))
            (vterm-bench-out "mem_buffer_lines" "%d"
                             (count-lines (point-min) (point-max)))
            (vterm-bench-out "mem_buffer_bytes" "%d" (buffer-size))
            (vterm-bench-out "mem_emacs_rss_delta_kb" "%d" (- after before))))))
    (setq vterm-bench-await nil)))

;;;; Persistent sessions

(defun vterm-bench-attach-file (file rows cols)
  "Write FILE: 10000 lines of scrollback, then ROWS - 1 full rows of COLS.
The last row of the screen is END-OF-ATTACH."
  (with-temp-file file
    (dotimes (i (+ 10000 rows -1))
      (insert (substring (format "attach-line-%06d %s" i (make-string cols ?x))
                         0 cols)
              "\n"))
    (insert "END-OF-ATTACH")))

(defun vterm-bench-attach-seen-p ()
  "Return non-nil if the buffer shows END-OF-ATTACH."
  (save-excursion
    (goto-char (point-max))
    (search-backward "END-OF-ATTACH" (max (point-min) (- (point-max) 4000)) t)))

(defun vterm-bench-attach (file n)
  "Print the median time of N attaches to a session that showed FILE.
The session keeps 10000 lines of scrollback; each attach opens a buffer
with `vterm-attach' and waits for a redraw that shows the screen's last
line, then detaches and waits until the session says so."
  (let* ((vterm-max-scrollback 10000)
         (process-environment (append '("LANG=C.UTF-8") process-environment))
         (vterm-conpty-proxy-path vterm-bench-proxy)
         (vterm-kill-buffer-on-exit nil)
         (vterm-shell (format "/bin/sh -c 'cat %s; exec sleep 600'" file))
         (buf (vterm-persistent "vterm-bench-attach"))
         (id (buffer-local-value 'vterm--session-id buf))
         (times nil))
    (unwind-protect
        (progn
          (setq vterm-bench-seen nil
                vterm-bench-await #'vterm-bench-attach-seen-p)
          (vterm-bench-wait 60)
          (with-current-buffer buf (vterm-detach))
          (dotimes (_ n)
            (vterm-bench-wait-detached id)
            (let ((t0 (float-time)))
              (setq vterm-bench-seen nil)
              (let ((again (vterm-attach id)))
                (when (vterm-bench-wait 30)
                  (push (- vterm-bench-seen t0) times))
                (with-current-buffer again (vterm-detach)))))
          (vterm-bench-wait-detached id)
          ;; What an attach shows: the scrollback and the screen's lines.
          (setq vterm-bench-seen nil)
          (let ((again (vterm-attach id)))
            (vterm-bench-wait 30)
            (with-current-buffer again
              (vterm-bench-out "attach_lines" "%d"
                               (count-lines (point-min) (point-max)))
              (vterm-detach)))
          (if (< (length times) n)
              (vterm-bench-out "attach_ms" "%s" "timeout")
            (setq times (sort times #'<))
            (vterm-bench-out "attach_ms" "%.1f" (* 1e3 (nth (/ n 2) times)))
            (vterm-bench-out "attach_min_ms" "%.1f" (* 1e3 (car times)))
            (vterm-bench-out "attach_max_ms" "%.1f" (* 1e3 (car (last times)))))
          (vterm-bench-wait-detached id)
          (vterm-bench-idle-server id 10))
      (setq vterm-bench-await nil)
      (vterm--session-kill id))))

(defun vterm-bench-wait-detached (id)
  "Wait until session ID has no client attached (at most 5 s)."
  (let ((deadline (+ (float-time) 5)))
    (while (and (< (float-time) deadline)
                (plist-get (vterm--live-session id) :attached))
      (accept-process-output nil 0.01))))

(defun vterm-bench-proc (pid)
  "Return (CPU-TICKS WAKEUPS) of process PID from /proc.
CPU-TICKS is utime + stime (clock ticks), WAKEUPS its voluntary and
involuntary context switches."
  (let (ticks (switches 0))
    (with-temp-buffer
      (insert-file-contents (format "/proc/%d/stat" pid))
      (goto-char (point-min))
      (search-forward ") ")
      (let ((fields (split-string (buffer-substring (point) (point-max)))))
        ;; Fields 14 and 15 of stat; field 3 is the first after ") ".
        (setq ticks (+ (string-to-number (nth 11 fields))
                       (string-to-number (nth 12 fields))))))
    (with-temp-buffer
      (insert-file-contents (format "/proc/%d/status" pid))
      (goto-char (point-min))
      (while (re-search-forward
              "^\\(non\\)?voluntary_ctxt_switches:\\s-*\\([0-9]+\\)" nil t)
        (setq switches (+ switches (string-to-number (match-string 2))))))
    (list ticks switches)))

(defun vterm-bench-idle-server (id seconds)
  "Print the CPU and wake-ups of session ID's server over SECONDS, detached."
  (let* ((shell (plist-get (vterm--live-session id) :pid))
         (server (with-temp-buffer
                   (insert-file-contents (format "/proc/%d/stat" shell))
                   (goto-char (point-min))
                   (search-forward ") ")
                   (string-to-number
                    (nth 1 (split-string (buffer-substring (point) (point-max)))))))
         (a (progn (sleep-for 1) (vterm-bench-proc server))))
    (sleep-for seconds)
    (let ((b (vterm-bench-proc server)))
      (vterm-bench-out "idle_server_ticks" "%d" (- (nth 0 b) (nth 0 a)))
      (vterm-bench-out "idle_server_wakeups" "%d" (- (nth 1 b) (nth 1 a))))))

(defun vterm-bench-n (var default)
  "The number in environment variable VAR, or DEFAULT."
  (let ((v (getenv var)))
    (if (and v (> (string-to-number v) 0)) (string-to-number v) default)))

(defun vterm-bench-main ()
  "Run every Emacs benchmark named in BENCH_ONLY (default all)."
  (let ((only (split-string (or (getenv "BENCH_ONLY")
                                "throughput echo idle memory")))
        (plain (getenv "BENCH_PLAIN"))
        (sgr (getenv "BENCH_SGR")))
    (vterm-bench-out "emacs_size" "%s"
                     (format "%dx%d" (window-max-chars-per-line)
                             (window-body-height)))
    (when (member "throughput" only)
      (vterm-bench-floor "floor_pty" 'pty plain)
      (vterm-bench-floor "floor_pipe" 'pipe plain)
      (vterm-bench-throughput `(("tp_pty_plain" nil ,plain)
                                ("tp_proxy_plain" t ,plain)
                                ("tp_pty_sgr" nil ,sgr)
                                ("tp_proxy_sgr" t ,sgr))
                              (vterm-bench-n "BENCH_REPS" 5)))
    ;; Run by run.sh with a CPU hog on every core (issue 16 item 4):
    ;; the parse thread against parsing on Emacs's own thread.
    (when (member "busy" only)
      (vterm-bench-throughput `(("busy_thread_plain" nil ,plain)
                                ("busy_emacs_plain" nil ,plain t)
                                ("busy_thread_sgr" nil ,sgr)
                                ("busy_emacs_sgr" nil ,sgr t))
                              (vterm-bench-n "BENCH_REPS" 5)))
    ;; Persistent sessions (issue 17): the cat cases attached against
    ;; the `new' path, in one run; attaching; an idle detached server.
    (when (member "persist" only)
      (vterm-bench-throughput `(("tp_proxy_plain" t ,plain)
                                ("tp_attach_plain" persist ,plain)
                                ("tp_proxy_sgr" t ,sgr)
                                ("tp_attach_sgr" persist ,sgr))
                              (vterm-bench-n "BENCH_REPS" 5))
      (let ((file (expand-file-name "attach.txt" (getenv "BENCH_TMP"))))
        ;; Rows one narrower than the window: never wrapped.
        (vterm-bench-attach-file file (window-body-height)
                                 (1- (window-max-chars-per-line)))
        (vterm-bench-attach file (vterm-bench-n "BENCH_ATTACH_N" 20))))
    (when (member "echo" only)
      (vterm-bench-echo "echo_pty" nil (vterm-bench-n "BENCH_ECHO_N" 500))
      (vterm-bench-echo "echo_proxy" t (vterm-bench-n "BENCH_ECHO_N" 500)))
    (when (member "idle" only)
      (vterm-bench-idle 10))
    (when (member "memory" only)
      (vterm-bench-memory (getenv "BENCH_BIG")))))

(provide 'bench)
;;; bench.el ends here

;;; vterm-transport.el --- How a vterm buffer reaches its shell -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The vterm contributors

;; Author: The vterm contributors
;; URL: https://github.com/vterm-windows/vterm

;; This file is not part of GNU Emacs.

;; This program is free software; you can redistribute it and/or modify
;; it under the terms of the GNU General Public License as published by
;; the Free Software Foundation, either version 3 of the License, or
;; (at your option) any later version.

;; This program is distributed in the hope that it will be useful,
;; but WITHOUT ANY WARRANTY; without even the implied warranty of
;; MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
;; GNU General Public License for more details.

;; You should have received a copy of the GNU General Public License
;; along with this program.  If not, see <https://www.gnu.org/licenses/>.

;;; Commentary:

;; The layer of the vterm package below the user's commands (vterm.el):
;; a buffer's terminal object and process, finding conpty-proxy and
;; naming its sessions, sizes sent over the proxy's control channel
;; (with the `conpty-proxy resize' helper as the fallback), what the end
;; of a session means, and the parse thread's wake-up plumbing.  It
;; calls nothing in vterm.el: what must reach the buffer's drawing comes
;; back through `vterm--on-parsed'.

;;; Code:

(require 'cl-lib)
(require 'subr-x)

(declare-function vterm--conpty-resize-pipe "vterm-module")
(declare-function vterm--start-parse-thread "vterm-module")
(declare-function vterm--parse-thread-woke "vterm-module")
(declare-function vterm--stop-parse-thread "vterm-module")
(declare-function vterm--parse-thread-busy "vterm-module")
(declare-function vterm--free "vterm-module")

;;;; Options

(defcustom vterm-use-conpty-proxy (eq system-type 'windows-nt)
  "If non-nil, run the shell under conpty-proxy instead of a native pty.
On Windows the proxy is always used; on POSIX it is optional."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-conpty-proxy-path nil
  "File name of the conpty-proxy program, or nil to search for it.
The search looks in the module's directory, a proxy/ directory
beside it, then the variable `exec-path'."
  :type '(choice (const :tag "Search" nil) file)
  :group 'vterm)

(defcustom vterm-parse-in-thread t
  "If non-nil, terminal output is parsed in a thread of the module's own.
Emacs then reads the next output while the last is parsed, instead of
doing both in turn (a large output scrolls by faster), and output is
drawn as soon as it stops (see `vterm-timer-delay').  While output
keeps coming, redraws show the screen and add the lines that scrolled
off it to the buffer at most a second later, or once the output stops.
On POSIX systems it needs Emacs 28; without it, output is parsed as it
arrives.  Takes effect for new terminals."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-read-process-output-max (* 64 1024)
  "Lower bound for `read-process-output-max' while a vterm runs.
Larger reads make bulk output faster; a smaller global value is
raised to this when a terminal starts."
  :type 'integer
  :group 'vterm)

;;;; Buffer-local state

(defvar-local vterm--term nil "The terminal object of this buffer.")
(defvar-local vterm--process nil "The process of this buffer.")
(defvar-local vterm--proxy-id nil
  "Control-channel id of this buffer's conpty-proxy, or nil for a native pty.")
(defvar-local vterm--session-id nil
  "Id of this buffer's persistent session (a session server), or nil.
It is also `vterm--proxy-id': the server serves the control channel.")
(defvar-local vterm--size nil "The terminal size, (COLS . ROWS).")
(defvar-local vterm--process-size nil
  "The size last sent to the process, (COLS . ROWS).")
(defvar-local vterm--pending-size nil "Size waiting to be sent, (COLS . ROWS).")
(defvar-local vterm--resize-timer nil "Timer that sends the pending size.")
(defvar-local vterm--resize-helper nil
  "The running `conpty-proxy resize' fallback process, if any.")
(defvar-local vterm--proxy-output-seen nil
  "Non-nil once this buffer's conpty-proxy has sent output.
The proxy creates its control channel before it starts the shell, so
a resize sent before the first output may have found no channel.")
(defvar-local vterm--wakeup nil
  "The process the parse thread wakes this buffer through, or nil.
On POSIX a pipe process.  On Windows the loopback server the thread
connects to, until its connection has sent the secret: then that
connection.")
(defvar-local vterm--wakeup-server nil
  "On Windows, the parse thread's loopback server until its connection came.")
(defvar-local vterm--wakeup-watch-timer nil
  "Timer that sees the wake-up pipe read after output, or nil.")
(defvar-local vterm--on-parsed #'ignore
  "Called in the buffer when output the parse thread parsed waits to be drawn.")
(defvar vterm--id-counter 0 "Counter for conpty-proxy ids.")

(defmacro vterm--quit-as-key (&rest body)
  "Run BODY; a \\[keyboard-quit] typed meanwhile is then read as a key.
Filters and timers run with quitting inhibited, so \\[keyboard-quit]
typed while they work (a flood of output keeps them busy) only sets
`quit-flag', and Emacs may signal it where no command expects it:
the redisplay that follows, which leaves a minibuffer open with
\"[Quit]\" in it.  When Emacs is waiting for input (idle), or is
between commands (`this-command' is nil: it is about to read the next
key sequence and has not yet started its idle time), the flag becomes
the key it stands for, as the command loop itself does with a quit
that came in before it read.  Inside a command that waits for output,
the flag stays and quits that command."
  (declare (indent 0) (debug t))
  `(prog1 (progn ,@body)
     (when (and (eq quit-flag t)
                (or (current-idle-time) (null this-command)))
       (setq quit-flag nil)
       (vterm--unread-quit-key))))

(defun vterm--unread-quit-key ()
  "Make the quit character (\\[keyboard-quit] unless changed) the next key read."
  (setq unread-command-events
        (append unread-command-events (list (nth 3 (current-input-mode))))))

(defun vterm--terminal-shown-p ()
  "Return non-nil if a window of a visible frame has a terminal's buffer."
  (catch 'shown
    (dolist (window (window-list-1 nil 'nomini 'visible))
      (when (buffer-local-value 'vterm--term (window-buffer window))
        (throw 'shown t)))))

(defun vterm--quit-between-commands (error-function data context signal)
  "Read a quit that came between commands as the key it stands for.
Else call ERROR-FUNCTION with DATA, CONTEXT and SIGNAL (the arguments
of `command-error-function').  \\[keyboard-quit] typed while Emacs
redisplays sets `quit-flag', and the display of a mode line can signal
it; the command loop, reading the next key (`this-command' is nil),
then shows \"Quit\" and goes on reading, so an open minibuffer stays
open.  Output that floods a terminal makes redisplays long enough for
that to happen; while a terminal is shown, such a quit becomes the key,
as `vterm--quit-as-key' does with one that came in during a filter.
Minibuffers have their own `command-error-function' (see
`vterm--minibuffer-quit-between-commands')."
  (if (and (eq (car-safe data) 'quit)
           (null this-command)
           (vterm--terminal-shown-p))
      (vterm--unread-quit-key)
    (funcall error-function data context signal)))

(defun vterm--minibuffer-quit-between-commands ()
  "Read a quit between commands in this minibuffer as the key.
Run by `minibuffer-setup-hook' after `minibuffer-error-initialize'
gave the minibuffer its own `command-error-function'."
  (add-function :around (local 'command-error-function)
                #'vterm--quit-between-commands))

(add-function :around command-error-function #'vterm--quit-between-commands)
(add-hook 'minibuffer-setup-hook #'vterm--minibuffer-quit-between-commands 90)

(defun vterm--report (text)
  "Show TEXT at the end of the current vterm buffer.
While its terminal still runs, TEXT goes to the echo area instead: in
the buffer the next redraw would take it for screen rows."
  (if (process-live-p vterm--process)
      (message "vterm: %s" text)
    (let ((inhibit-read-only t))
      (save-excursion
        (goto-char (point-max))
        (insert (propertize (concat "\n[" text "]\n") 'face 'warning))))))

;;;; The proxy

(defun vterm--find-proxy ()
  "Return the file name of conpty-proxy, or nil."
  (let ((name (concat "conpty-proxy"
                      (if (eq system-type 'windows-nt) ".exe" ""))))
    (or (and vterm-conpty-proxy-path
             (file-executable-p vterm-conpty-proxy-path)
             vterm-conpty-proxy-path)
        (let ((module (locate-library
                       (concat "vterm-module" module-file-suffix))))
          (when module
            (let ((dir (file-name-directory module)))
              (cl-find-if #'file-executable-p
                          (list (expand-file-name name dir)
                                (expand-file-name (concat "../proxy/" name) dir)
                                (expand-file-name (concat "proxy/" name)
                                                  dir))))))
        (executable-find "conpty-proxy"))))

(defun vterm--random-hex (n)
  "Return N (at most 64) hexadecimal digits nobody can guess."
  (substring (secure-hash 'sha256
                          (format "%S%S%S%S" (random t) (current-time)
                                  (emacs-pid) (random)))
             0 n))

(defun vterm--new-proxy-id ()
  "Return a fresh, unguessable control-channel id."
  (setq vterm--id-counter (1+ vterm--id-counter))
  (format "vterm-%d-%d-%s" (emacs-pid) vterm--id-counter
          (vterm--random-hex 24)))

;;;; Sizes sent to the process

(defun vterm--send-pending-size (buffer)
  "Send BUFFER's pending size to its process."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (setq vterm--resize-timer nil)
      (let ((size vterm--pending-size))
        (when (and size (process-live-p vterm--process)
                   (not (process-live-p vterm--resize-helper)))
          (setq vterm--pending-size nil)
          (unless (equal size vterm--process-size)
            (if vterm--proxy-id
                (vterm--proxy-resize (car size) (cdr size))
              (set-process-window-size vterm--process (cdr size) (car size))
              (setq vterm--process-size size))))))))

(defun vterm--send-pending-size-now ()
  "Send the current buffer's pending size to its process now."
  (when vterm--resize-timer
    (cancel-timer vterm--resize-timer)
    (setq vterm--resize-timer nil))
  (vterm--send-pending-size (current-buffer)))

(defun vterm--proxy-resize (cols rows)
  "Ask this buffer's conpty-proxy to resize to COLS x ROWS."
  (if (vterm--conpty-resize-pipe vterm--proxy-id cols rows)
      (setq vterm--process-size (cons cols rows))
    ;; The control channel could not be reached from the module: try the
    ;; helper, without waiting for it.
    (let ((buffer (current-buffer))
          (proxy (vterm--find-proxy)))
      (if (not proxy)
          (vterm--report (format "conpty-proxy not found; cannot resize to %dx%d"
                                 cols rows))
        (setq vterm--resize-helper
              (make-process
               :name "vterm-resize"
               :command (list proxy "resize" vterm--proxy-id
                              (number-to-string cols) (number-to-string rows))
               :buffer nil
               :noquery t
               :connection-type 'pipe
               :filter (lambda (proc out)
                         (process-put proc 'output
                                      (concat (process-get proc 'output) out)))
               :sentinel
               (lambda (proc _event)
                 (unless (process-live-p proc)
                   (vterm--resize-helper-done buffer proc cols rows)))))))))

(defun vterm--resize-helper-done (buffer proc cols rows)
  "Handle the end of resize helper PROC of BUFFER, sent COLS x ROWS."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (setq vterm--resize-helper nil)
      (if (eq (process-exit-status proc) 0)
          (setq vterm--process-size (cons cols rows))
        (if (process-live-p vterm--process)
            ;; Before the first output the channel may not exist yet:
            ;; that output sends the size again (`vterm--reapply-size').
            (when vterm--proxy-output-seen
              (message "vterm: resize to %dx%d failed: %s" cols rows
                       (string-trim (or (process-get proc 'output) ""))))
          (vterm--report
           "conpty-proxy is gone; the terminal cannot be resized")))
      ;; Not from a timer: one set in a sentinel waits for the next
      ;; event.
      (vterm--send-pending-size-now))))

(defun vterm--reapply-size ()
  "Send the terminal's size again if the process did not get it.
A resize sent while the proxy was starting fails (no control channel
yet) and is not retried by itself: this runs at the first output."
  (when (and vterm--size (not (equal vterm--size vterm--process-size))
             (not vterm--pending-size))
    (setq vterm--pending-size vterm--size)
    (unless vterm--resize-timer
      (setq vterm--resize-timer
            (run-with-timer 0 nil #'vterm--send-pending-size
                            (current-buffer))))))

;;;; The end of a session

(defun vterm--exit-explanation (process)
  "Return what the end of PROCESS means for its shell, or \"\".
The process of a conpty-proxy session is the proxy.  On POSIX a
signal ended the proxy itself, and an exit code of 128 + N means a
signal N ended the shell.  Windows has no signals: Emacs reports
exit code 0xC000013A (STATUS_CONTROL_C_EXIT: a console closed, or
Ctrl-C) as signal 2 and `delete-process' as signal 9, and exit codes
129-192 are the shell's own."
  (let ((status (process-exit-status process))
        (state (process-status process)))
    (cond
     ((not (buffer-local-value 'vterm--proxy-id (process-buffer process))) "")
     ((eq system-type 'windows-nt)
      (cond
       ((and (eq state 'signal) (= status 2))
        (concat " (exit code 0xC000013A: the console was closed"
                " or Ctrl-C ended the program)"))
       ((and (eq state 'signal) (= status 9)) " (ended by Emacs)")
       ((eq state 'signal) (format " (conpty-proxy ended, status %d)" status))
       ((and (eq state 'exit) (= status 127))
        " (conpty-proxy could not start the shell)")
       (t "")))
     ((eq state 'signal)
      (format " (conpty-proxy died by signal %d)" status))
     ((and (eq state 'exit) (< 128 status 193))
      (format " (the shell was killed by signal %d)" (- status 128)))
     (t ""))))

(defun vterm--release ()
  "Free this buffer's terminal now: stop its parse thread, drop its state.
The buffer's text stays; `vterm--term' is nil from then on."
  (when vterm--wakeup-watch-timer
    (cancel-timer vterm--wakeup-watch-timer)
    (setq vterm--wakeup-watch-timer nil))
  (when vterm--term
    (when (fboundp 'vterm--free)
      (vterm--free vterm--term))
    (setq vterm--term nil))
  (vterm--delete-wakeup))

;;;; Persistent sessions

;; A persistent session is a `conpty-proxy serve' server, which owns the
;; shell and outlives Emacs; the buffer's process is `conpty-proxy
;; attach', which relays to it as `conpty-proxy new' relays to its
;; shell.

(defun vterm--proxy-call (&rest args)
  "Run conpty-proxy with ARGS; return (EXIT-CODE . OUTPUT)."
  (let ((proxy (or (vterm--find-proxy)
                   (error "Cannot find conpty-proxy; %s"
                          "set `vterm-conpty-proxy-path'"))))
    (with-temp-buffer
      (let ((code (apply #'call-process proxy nil t nil args)))
        (cons code (buffer-string))))))

(defun vterm--session-serve (id cols rows scrollback command)
  "Start session server ID for COMMAND in a COLS x ROWS terminal.
It keeps SCROLLBACK lines while detached.  Signal an error when it
cannot start."
  (let ((result (apply #'vterm--proxy-call "serve" id
                       (number-to-string cols) (number-to-string rows)
                       (number-to-string scrollback) command)))
    (unless (eq (car result) 0)
      (error "Cannot start a persistent session: %s"
             (string-trim (cdr result))))))

(defun vterm--session-attach-command (proxy id cols rows take-over)
  "Return the command that attaches PROXY to session ID at COLS x ROWS.
TAKE-OVER non-nil detaches a client already attached."
  (append (list proxy "attach")
          (and take-over (list "--take-over"))
          (list id (number-to-string cols) (number-to-string rows))))

(defun vterm--session-list ()
  "Return the live persistent sessions of this user.
Each is a plist with :id, :cols, :rows, :pid, :start (a time),
:attached (boolean), :program and :title."
  (let ((result (vterm--proxy-call "list")))
    (delq nil
          (mapcar
           (lambda (line)
             (let ((f (split-string line "\t")))
               (when (>= (length f) 8)
                 (list :id (nth 0 f)
                       :cols (string-to-number (nth 1 f))
                       :rows (string-to-number (nth 2 f))
                       :pid (string-to-number (nth 3 f))
                       :start (string-to-number (nth 4 f))
                       :attached (equal (nth 5 f) "1")
                       :program (nth 6 f)
                       :title (mapconcat #'identity (nthcdr 7 f) "\t")))))
           (split-string (if (eq (car result) 0) (cdr result) "") "\n" t)))))

(defun vterm--session-kill (id)
  "End persistent session ID; return non-nil on success."
  (eq (car (vterm--proxy-call "kill" id)) 0))

;;;; The parse thread

(defun vterm--start-parse-thread-maybe (on-parsed)
  "Parse this terminal's output in a thread, if `vterm-parse-in-thread'.
ON-PARSED, a function of no arguments, is called in the buffer when
output the thread parsed waits to be drawn."
  (when (and vterm-parse-in-thread (fboundp 'vterm--start-parse-thread))
    (setq vterm--on-parsed on-parsed)
    (let ((buffer (current-buffer)))
      (vterm--open-wakeup vterm--term
                          (lambda () (vterm--parse-thread-woke-up buffer))))))

(defun vterm--open-wakeup (term on-wake)
  "Start TERM's parse thread with a wake-up channel into this buffer.
ON-WAKE, a function of no arguments, is called when the thread wakes
Emacs.  The channel is `vterm--wakeup' (and on Windows, until the
thread's connection came, `vterm--wakeup-server'); non-nil if the
thread started."
  (if (eq system-type 'windows-nt)
      (vterm--open-wakeup-socket term on-wake)
    (vterm--open-wakeup-pipe term on-wake)))

(defun vterm--open-wakeup-pipe (term on-wake)
  "Start TERM's parse thread, woken through a pipe process (POSIX).
ON-WAKE is called for the bytes it writes."
  (when (fboundp 'make-pipe-process)
    (let ((pipe (make-pipe-process
                 :name "vterm-wakeup" :buffer nil :noquery t
                 :coding 'binary
                 :filter (lambda (_proc _bytes) (funcall on-wake)))))
      (if (vterm--start-parse-thread term pipe)
          (setq vterm--wakeup pipe)
        (delete-process pipe)
        nil))))

(defconst vterm--wakeup-secret-length 32
  "Hexadecimal digits of the secret the parse thread's connection sends.")

(defun vterm--open-wakeup-socket (term on-wake)
  "Start TERM's parse thread, woken through a loopback connection (Windows).
ON-WAKE is called for the wake-up bytes it sends.  A pipe process's
descriptor belongs to Emacs's C runtime, which the module may not
share; a socket is the system's.  The thread connects to a server on
127.0.0.1 and sends a secret first: any local program may connect,
and only the connection that sends the secret is kept.  The server
then stops listening."
  (let* ((buffer (current-buffer))
         (secret (vterm--random-hex vterm--wakeup-secret-length))
         (server
          (make-network-process
           :name "vterm-wakeup" :server t :host 'local :service t
           :family 'ipv4 :buffer nil :noquery t :coding 'binary
           :log (lambda (server conn _message)
                  (process-put conn 'vterm-wakeup-of server)
                  (set-process-query-on-exit-flag conn nil))
           :filter (lambda (conn bytes)
                     (vterm--wakeup-connection-output
                      buffer secret on-wake conn bytes)))))
    (setq vterm--wakeup server
          vterm--wakeup-server server)
    (or (vterm--start-parse-thread
         term (process-contact server :service) secret)
        (progn (vterm--delete-wakeup) nil))))

(defun vterm--wakeup-connection-output (buffer secret on-wake conn bytes)
  "BYTES came from CONN, a connection to BUFFER's wake-up server.
The parse thread's connection sends SECRET first, then a byte per
wake-up, for which ON-WAKE is called; a connection that sends
anything else is closed.  Nothing is decided before the whole secret
is there, so no part of it is revealed."
  (if (process-get conn 'vterm-wakeup-proven)
      (funcall on-wake)
    (let ((got (concat (process-get conn 'vterm-wakeup-got) bytes))
          (n (length secret)))
      (cond
       ((< (length got) n)
        (process-put conn 'vterm-wakeup-got got))
       ((not (and (string= (substring got 0 n) secret)
                  (buffer-live-p buffer)
                  (buffer-local-value 'vterm--wakeup-server buffer)))
        (delete-process conn))
       (t
        (process-put conn 'vterm-wakeup-proven t)
        (process-put conn 'vterm-wakeup-got nil)
        (with-current-buffer buffer
          (let ((server vterm--wakeup-server))
            (setq vterm--wakeup conn
                  vterm--wakeup-server nil)
            (vterm--delete-wakeup-server server conn)))
        (when (> (length got) n)
          (funcall on-wake)))))))

(defun vterm--delete-wakeup-server (server &optional keep)
  "Delete SERVER and the connections it accepted, but KEEP."
  (dolist (proc (process-list))
    (when (and (not (eq proc keep))
               (or (eq proc server)
                   (eq (process-get proc 'vterm-wakeup-of) server)))
      (delete-process proc))))

(defun vterm--delete-wakeup ()
  "Delete this buffer's wake-up channel: its process, and a server."
  (when vterm--wakeup
    (delete-process vterm--wakeup)
    (setq vterm--wakeup nil))
  (when vterm--wakeup-server
    (vterm--delete-wakeup-server vterm--wakeup-server)
    (setq vterm--wakeup-server nil)))

(defconst vterm--wakeup-watch-delay 0.05
  "Seconds between the checks of `vterm--wakeup-watch'.")

(defun vterm--watch-wakeup ()
  "See that the wake-up pipe is read once the parse thread is done.
Called for output.  A wake-up byte left unread when the process ends
keeps Emacs from running sentinels while a Lisp program waits with
`accept-process-output' on that process (the wait returns at once,
again and again: a sentinel runs only when no process has input
pending); timers still run there."
  (when (and vterm--wakeup (null vterm--wakeup-watch-timer))
    (setq vterm--wakeup-watch-timer
          (run-with-timer vterm--wakeup-watch-delay nil
                          #'vterm--wakeup-watch (current-buffer)))))

(defun vterm--wakeup-watch (buffer)
  "Read BUFFER's wake-up pipe if the parse thread is done with its output.
Once the process has ended, stop the thread (it parses what it has
first) and drop the pipe.  While the thread may still wake Emacs,
look again later."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (setq vterm--wakeup-watch-timer nil)
      (when (and vterm--wakeup vterm--term)
        (vterm--quit-as-key
          (cond
           ((not (process-live-p vterm--process))
            (vterm--stop-parse-thread vterm--term)
            (vterm--delete-wakeup)
            ;; What it parsed last is drawn by the sentinel, or now.
            (funcall vterm--on-parsed))
           ((vterm--parse-thread-busy vterm--term)
            (vterm--watch-wakeup))
           (t
            ;; Every byte it wrote is in the pipe: take them.
            (accept-process-output vterm--wakeup 0 nil 0))))))))

(defun vterm--parse-thread-woke-up (buffer)
  "The parse thread of BUFFER's terminal has news: take it.
When the output has stopped with some of it not drawn (the redraw
timer's, or scrollback a redraw left for later), `vterm--on-parsed'
draws it."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (when (and vterm--term
                 (vterm--quit-as-key (vterm--parse-thread-woke vterm--term)))
        (funcall vterm--on-parsed)))))

(defun vterm-transport-unload-function ()
  "Undo what loading this file did outside its own definitions."
  (remove-function command-error-function #'vterm--quit-between-commands)
  (remove-hook 'minibuffer-setup-hook #'vterm--minibuffer-quit-between-commands)
  ;; Nil: `unload-feature' goes on with the rest.
  nil)

(provide 'vterm-transport)

;;; vterm-transport.el ends here

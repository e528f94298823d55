;;; vterm.el --- Fully-featured terminal emulator, on Linux and Windows -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The vterm contributors

;; Author: The vterm contributors
;; Version: 0.1.0
;; URL: https://github.com/vterm-windows/vterm
;; Keywords: terminals
;; Package-Requires: ((emacs "25.1"))

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

;; A terminal emulator in an Emacs buffer, driven by libvterm through a
;; dynamic module (vterm-module), with the commands, options, faces and
;; keymaps of emacs-libvterm, so existing configurations keep working.
;;
;; On POSIX systems the shell runs in a native pty.  On Windows (and on
;; POSIX when `vterm-use-conpty-proxy' is non-nil) it runs under
;; `conpty-proxy', a small helper that owns a pseudo console, relays the
;; terminal bytes over pipes and takes resize requests on a private
;; control channel.
;;
;; M-x vterm opens a terminal; C-c C-t enters copy mode.
;;
;; This file is the user's side: commands, options, faces, keymaps,
;; drawing and window sizes.  vterm-transport.el is the process side:
;; the proxy, the control channel, the parse thread; vterm-mouse.el
;; gives the mouse to programs that ask for it; vterm-links.el makes
;; links of URLs and FILE:LINE references in the output.

;;; Code:

(require 'cl-lib)
(require 'subr-x)

(defgroup vterm nil
  "Terminal emulator based on libvterm."
  :group 'terminals)

(require 'vterm-transport)
(require 'vterm-mouse)
(require 'vterm-links)

;;;; The module

(declare-function vterm--new "vterm-module")
(declare-function vterm--update "vterm-module")
(declare-function vterm--set-query-color "vterm-module")
(declare-function notifications-notify "notifications" (&rest params))
(declare-function vterm--redraw "vterm-module")
(declare-function vterm--write-input "vterm-module")
(declare-function vterm--set-size "vterm-module")
(declare-function vterm--reset-point "vterm-module")
(declare-function vterm--clear-scrollback "vterm-module")
(declare-function vterm--synchronized-p "vterm-module")
(declare-function vterm--parse-thread-woke "vterm-module")
(declare-function vterm--get-pwd-raw "vterm-module")

(defconst vterm--lisp-directory
  (file-name-directory (or load-file-name buffer-file-name default-directory))
  "Directory this file was loaded from.")

(defun vterm--package-directory ()
  "Return the directory holding the project's Makefile, or nil.
That is the directory of vterm.el in an installed package, or its
parent in a source checkout (where vterm.el lives in lisp/)."
  (cl-find-if (lambda (dir) (file-exists-p (expand-file-name "Makefile" dir)))
              (list vterm--lisp-directory
                    (expand-file-name ".." vterm--lisp-directory))))

(defun vterm--module-directories ()
  "Return the directories where the module may have been built."
  (list vterm--lisp-directory
        (expand-file-name "module" vterm--lisp-directory)
        (expand-file-name "../module" vterm--lisp-directory)))

(defcustom vterm-always-compile-module nil
  "If non-nil, build the module without asking when it is missing."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-module-make-args nil
  "Extra arguments for make when `vterm-module-compile' builds the module."
  :type '(repeat string)
  :group 'vterm)

(defcustom vterm-module-cmake-args ""
  "Accepted for configurations written for emacs-libvterm, and ignored.
emacs-libvterm builds its module with CMake and passes this string to
it.  This package builds with make instead; its arguments are
`vterm-module-make-args'."
  :type 'string
  :group 'vterm)

(defvar vterm-install-buffer-name "*vterm-module-compile*"
  "Name of the buffer that shows the output of `vterm-module-compile'.")

(defconst vterm--install-hint
  (concat
   "vterm needs a C compiler, make, pkg-config and libvterm to build its "
   "module.  Debian/Ubuntu: apt install gcc make pkg-config libvterm-dev.  "
   "Windows (MSYS2 UCRT64): pacman -S mingw-w64-ucrt-x86_64-gcc make "
   "mingw-w64-ucrt-x86_64-pkgconf mingw-w64-ucrt-x86_64-libvterm.")
  "What to install when the module cannot be built.")

;;;###autoload
(defun vterm-module-compile ()
  "Build the vterm module and conpty-proxy with the package's own Makefile."
  (interactive)
  (let* ((make (or (executable-find "make") (executable-find "mingw32-make")
                   (error "Cannot build vterm-module: no `make' found.  %s"
                          vterm--install-hint)))
         (dir (or (vterm--package-directory)
                  (error "Cannot find the vterm Makefile near %s"
                         vterm--lisp-directory)))
         (default-directory dir)
         (buf (get-buffer-create vterm-install-buffer-name))
         (status nil))
    (with-current-buffer buf
      (let ((inhibit-read-only t))
        (erase-buffer)
        (insert (format "Building in %s\n\n" dir))))
    (unless noninteractive
      (display-buffer buf))
    (setq status (apply #'call-process make nil buf t
                        (append vterm-module-make-args
                                (list (concat "module/vterm-module"
                                              module-file-suffix)))))
    ;; The proxy is needed on Windows only; a failure there is reported
    ;; when a terminal needs it.
    (apply #'call-process make nil buf t
           (append vterm-module-make-args
                   (list (concat "proxy/conpty-proxy"
                                 (if (eq system-type 'windows-nt) ".exe" "")))))
    (unless (eq status 0)
      (when noninteractive
        (message "%s" (with-current-buffer buf (buffer-string))))
      (error "Building vterm-module failed (see buffer %s).  %s"
             (buffer-name buf) vterm--install-hint))
    (message "vterm-module built in %s" dir)
    t))

(autoload 'vterm-module-download "vterm-module-download"
  "Install vterm's prebuilt Windows binaries for this version, and load them."
  t)

(defun vterm--windows-without-compiler-p ()
  "Non-nil on Windows when make or a C compiler is not on the variable `exec-path'.
There the module can only come prebuilt (`vterm-module-download')."
  (and (eq system-type 'windows-nt)
       (not (and (or (executable-find "make") (executable-find "mingw32-make"))
                 (or (executable-find "gcc") (executable-find "cc"))))))

(defvar vterm--module-declined nil
  "Non-nil while the command in which the user declined the build runs.
Loading vterm.el asks, and so does \[vterm]; when \[vterm] loads
vterm.el (an autoload), the answer given to the first question holds
for the second.  A timer clears it once that command is over.")

(defun vterm--decline-module ()
  "Note that the user declined; return nil.  See `vterm--module-declined'."
  (setq vterm--module-declined t)
  (run-at-time 0 nil (lambda () (setq vterm--module-declined nil)))
  nil)

(defun vterm--missing-module-message ()
  "Return what to say when the module is missing and will not be built now."
  (if (vterm--windows-without-compiler-p)
      (concat "Vterm-module is missing; run M-x vterm-module-download, "
              "or see \"On Windows\" in the README")
    (format "Vterm-module is not built; run M-x vterm-module-compile.  %s"
            vterm--install-hint)))

(defun vterm--load-module ()
  "Load vterm-module, offering to build it when it is missing.
On Windows with no compiler found, the offer is to download it instead
\(`vterm-module-download')."
  (unless (featurep 'vterm-module)
    (unless module-file-suffix
      (error "Vterm needs an Emacs built with dynamic module support"))
    (unless (locate-library "vterm-module")
      (dolist (dir (reverse (vterm--module-directories)))
        (when (file-exists-p (expand-file-name
                              (concat "vterm-module" module-file-suffix) dir))
          (add-to-list 'load-path dir t))))
    ;; Windows without a compiler: the verified prebuilt binaries.
    (when (and (not (locate-library "vterm-module"))
               (vterm--windows-without-compiler-p)
               (not noninteractive)
               (not vterm--module-declined))
      (if (y-or-n-p (concat "Vterm needs `vterm-module' and finds no "
                            "compiler.  Download the prebuilt binaries "
                            "(SHA-256 checked)? "))
          (vterm-module-download)
        (vterm--decline-module)
        (error "%s" (vterm--missing-module-message))))
    (unless (locate-library "vterm-module")
      (if (or vterm-always-compile-module
              (and (not noninteractive)
                   (not vterm--module-declined)
                   (or (y-or-n-p
                        "Vterm needs `vterm-module' to work.  Compile it now? ")
                       (vterm--decline-module))))
          (progn
            (vterm-module-compile)
            (dolist (dir (vterm--module-directories))
              (when (file-exists-p (expand-file-name
                                    (concat "vterm-module" module-file-suffix)
                                    dir))
                (add-to-list 'load-path dir t))))
        (error "%s" (vterm--missing-module-message))))
    (require 'vterm-module)))

;;;; Options

(defcustom vterm-shell
  (if (eq system-type 'windows-nt)
      (or (getenv "COMSPEC") "cmd.exe")
    (or (getenv "SHELL") shell-file-name))
  "The shell that runs in a new terminal.
A command line: the program and its arguments, separated by spaces,
or a list of strings: the program and its arguments as they are.
On Windows the command line is split as Windows programs split
theirs (CommandLineToArgvW): a program name with spaces is quoted,
\"C:\\Program Files\\PowerShell\\7\\pwsh.exe\" -NoLogo, and backslashes
are ordinary characters."
  :type '(choice (string :tag "Command line")
                 (repeat :tag "Program and arguments" string))
  :group 'vterm)

(defcustom vterm-shell-integration t
  "Non-nil: vterm sets up its shell integration itself.
When `vterm-shell' is bash, zsh, fish or PowerShell with no arguments
but those that make it a login or interactive shell, vterm starts it
so that it reads the user's own start-up files as usual and then the
integration script of etc/ beside vterm.el: `default-directory'
follows cd and prompts are marked with no start-up file edited.
bash runs as \"bash --posix\" with ENV naming vterm's start-up file,
which turns POSIX mode off and reads what bash would have read; zsh
gets ZDOTDIR, fish XDG_DATA_DIRS, naming directories of vterm's that
put them back and read the user's files; PowerShell gets \"-NoExit
-Command\" after its profile.  bash, zsh and fish only on POSIX
systems.  A shell started in a remote directory (TRAMP) is started as
it is: the scripts are local files.  nil: the shell is started as
`vterm-shell' says, and a start-up file that wants the integration
sources the script itself."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-tramp-shells
  '(("ssh" login-shell) ("scp" login-shell) ("docker" "/bin/sh"))
  "Shells for terminals opened in a remote directory, by TRAMP method.
A list of (METHOD SHELL [FALLBACK]): a terminal whose
`default-directory' is a remote name with METHOD runs SHELL there.
METHOD t applies to the methods that have no entry of their own.

SHELL is a command line, or the symbol `login-shell': the login
shell of the remote user, as `getent passwd' on the remote host
gives it (GNU/Linux and the BSDs have getent; macOS does not).
When that cannot be found, FALLBACK runs; without FALLBACK the
entry of METHOD t, if any, then `vterm-shell'.  Methods without an
entry run `vterm-shell'.  Only the native pty can open remote
terminals."
  :type '(repeat
          (cons (choice (string :tag "TRAMP method")
                        (const :tag "Any other method" t))
                (choice (list :tag "Shell" (string :tag "Command line"))
                        (list :tag "Login shell" (const login-shell))
                        (list :tag "Login shell, else"
                              (const login-shell)
                              (string :tag "Fallback command line")))))
  :group 'vterm)

(defcustom vterm-buffer-name "*vterm*"
  "The name of vterm buffers."
  :type 'string
  :group 'vterm)

(defcustom vterm-buffer-name-string nil
  "Format string for the buffer name, from the terminal title.
When non-nil, the title set by the shell (see `vterm-set-title-functions')
renames the buffer with (format vterm-buffer-name-string TITLE)."
  :type '(choice (const :tag "Off" nil) string)
  :group 'vterm)

(defcustom vterm-max-scrollback 1000
  "Maximum number of scrollback lines kept."
  :type 'integer
  :group 'vterm)

(defcustom vterm-min-window-width 20
  "Minimum width of the terminal, in columns.
A window narrower than this still gives the terminal this many columns."
  :type 'integer
  :group 'vterm)

(defcustom vterm-bookmark-check-dir t
  "If non-nil, a vterm bookmark also takes its terminal to its directory.
Jumping to a bookmark whose terminal still runs sends the shell a cd
when it is somewhere else."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-kill-buffer-on-exit t
  "If non-nil, kill the buffer when its process exits."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-persistent nil
  "If non-nil, new terminals run in persistent sessions.
A persistent session's shell runs in a session server (`conpty-proxy
serve') that outlives Emacs: exiting Emacs, Emacs crashing or
\[vterm-detach] leave it running, and \[vterm-attach] shows it again.
\[vterm-persistent] opens one persistent terminal whatever this says."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-persistent-kill-buffer-action 'ask
  "What killing the buffer of a persistent session does to the session.
`ask' asks each time (in batch mode, where nobody can answer, it
detaches), `detach' leaves the session running, `end' ends it (its
shell is hung up)."
  :type '(choice (const :tag "Ask" ask)
                 (const :tag "Detach" detach)
                 (const :tag "End the session" end))
  :group 'vterm)

(defcustom vterm-exit-functions nil
  "Functions called when the terminal's process exits.
Each gets two arguments: the buffer (nil if it is gone) and the
event string of the process sentinel."
  :type 'hook
  :group 'vterm)

(defcustom vterm-timer-delay 0.1
  "Seconds between arrival of output and redraw of the buffer.
Output arriving in that time is drawn at once; output that keeps
arriving is drawn every that many seconds.  With the parse thread
\(`vterm-parse-in-thread'), output that stops is drawn about 20 ms
after it stopped, without waiting that long.  nil redraws at once."
  :type '(choice (const :tag "Immediately" nil) number)
  :group 'vterm)

(defcustom vterm-scrolled-window-stays t
  "Non-nil: a window scrolled back into the scrollback stays there.
While output arrives, such a window keeps showing what its user is
reading, and the other windows of the buffer follow the output; it
follows again once scrolled back to the end, or when a key is sent
from it.  nil: every redraw shows the live screen in every window,
as emacs-libvterm does."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-resize-height-delay 0.5
  "Seconds a new window height must last before the terminal takes it.
A change of the height alone (the echo area growing for a long
message and shrinking back, a window split) resizes the terminal
once the height has been the same for this long, so a program that
redraws its whole screen on each resize is not made to redraw for
a change that passes.  Width changes, and height changes that come
with them, resize at once.  nil or 0: every change at once."
  :type '(choice (const :tag "At once" nil) number)
  :group 'vterm)

(defcustom vterm-environment nil
  "List of \"VAR=VALUE\" strings added to the shell's environment."
  :type '(repeat string)
  :group 'vterm)

(defcustom vterm-term-environment-variable "xterm-256color"
  "Value of TERM for the shell."
  :type 'string
  :group 'vterm)

(defcustom vterm-set-title-functions nil
  "Functions called with the title whenever the shell sets one."
  :type 'hook
  :group 'vterm)

(defcustom vterm-eval-cmds
  '(("find-file" find-file)
    ("message" message)
    ("vterm-clear-scrollback" vterm-clear-scrollback))
  "Commands the shell may run in Emacs through vterm's escape sequence.
Each element is (NAME FUNCTION); only these can be called."
  :type '(alist :key-type string :value-type (list function))
  :group 'vterm)

(defvaralias 'vterm-disable-bold 'vterm-disable-bold-font
  "emacs-libvterm's other name for `vterm-disable-bold-font'.")

(defcustom vterm-disable-bold-font nil
  "If non-nil, do not show bold text in bold."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-disable-underline nil
  "If non-nil, do not underline text."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-disable-inverse-video nil
  "If non-nil, do not show inverse video."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-ignore-blink-cursor t
  "If non-nil, ignore requests from programs to blink the cursor.
When nil, a terminal turns `blink-cursor-mode' on or off as its
program asks (a terminal starts blinking, as xterm does); that mode is
global, so every window follows."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-synchronized-output 0.2
  "Longest wait, in seconds, for a program's frame to be complete.
A program that draws its screen in one piece marks the frame (DEC mode
2026, synchronized output: CSI ? 2026 h ... CSI ? 2026 l); redraws wait
until it is complete, so the buffer never shows half of one, but no
longer than this (a program may forget to end its frame).  nil draws
whatever is there, as emacs-libvterm does."
  :type '(choice (const :tag "Draw at once" nil) number)
  :group 'vterm)

(defcustom vterm-cursor-shapes t
  "If non-nil, programs choose the cursor's shape in the terminal.
A program asks for a bar or an underline with DECSCUSR (vim in insert
mode, shells in vi mode, editors' prompts): the buffer's `cursor-type'
becomes `bar' or `hbar' until it asks for a block again, which shows
your own `cursor-type'.  When nil, the cursor keeps your shape, as in
emacs-libvterm."
  :type 'boolean
  :group 'vterm)

(define-obsolete-variable-alias 'vterm-set-bold-hightbright
  'vterm-set-bold-highbright "0.1.0")

(defcustom vterm-set-bold-highbright nil
  "If non-nil, show bold text in the bright colour variants.
Takes effect for new terminals."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-copy-exclude-prompt t
  "If non-nil, copying a line in copy mode leaves out the prompt."
  :type 'boolean
  :group 'vterm)

;; Before the option: its :set draws with them.
(defun vterm--exit-status-prefix (failed)
  "Return the `line-prefix' to mark a prompt after a command with.
FAILED: the command's exit status was not 0.  What it shows follows
`vterm-exit-status-marks'; nil when nothing is shown."
  (let ((face (if failed 'vterm-exit-status-failure
                'vterm-exit-status-success)))
    (pcase (and (boundp 'vterm-exit-status-marks) vterm-exit-status-marks)
      ('nil nil)
      ('margin (propertize " " 'display
                           `((margin left-margin)
                             ,(propertize (if failed "\u2717" "\u2713")
                                          'face face))))
      (_ (propertize " " 'display
                     `(left-fringe ,(if failed 'filled-square 'hollow-square)
                                   ,face))))))

(defun vterm--set-exit-status-marks (symbol value)
  "Set SYMBOL (`vterm-exit-status-marks') to VALUE and show it.
The module puts the category `vterm-exit-success' or
`vterm-exit-failure' on prompts that follow a command; their
`line-prefix' is what is shown."
  (set-default symbol value)
  (put 'vterm-exit-success 'line-prefix (vterm--exit-status-prefix nil))
  (put 'vterm-exit-failure 'line-prefix (vterm--exit-status-prefix t)))

(defcustom vterm-exit-status-marks t
  "How the exit status of each command is shown, next to the prompt after it.
Shells that report it (OSC 133;D, as the integrations of kitty,
WezTerm, starship and most shell plugins send it) get a mark on the
line of the prompt that follows each command: t puts a bitmap in the
left fringe on graphic displays (a hollow square, or a filled one in
`vterm-exit-status-failure' when the status was not 0) and nothing in
a text terminal, which has no fringe; `margin' puts a check mark or
a cross in a one-column left margin on every display (the terminal
is a column narrower); nil shows nothing.  The status is always in
the text property `vterm-exit-status' of that prompt.  Set with
Customize, a change applies to all terminals at once, except the
margin's width, which buffers get when they start; set with `setq',
it applies when the next terminal starts."
  :type '(choice (const :tag "In the fringe" t)
                 (const :tag "In the left margin" margin)
                 (const :tag "Not shown" nil))
  :set #'vterm--set-exit-status-marks
  :group 'vterm)

(defcustom vterm-copy-mode-remove-fake-newlines nil
  "If non-nil, copy mode hides the newlines added to wrap long lines."
  :type 'boolean
  :group 'vterm)

(define-obsolete-variable-alias 'vterm-clear-scrollback
  'vterm-clear-scrollback-when-clearing "0.1.0")

(defcustom vterm-clear-scrollback-when-clearing nil
  "If non-nil, `vterm-clear' also clears the scrollback."
  :type 'boolean
  :group 'vterm)

(define-obsolete-variable-alias 'vterm-use-vterm-prompt
  'vterm-use-vterm-prompt-detection-method "0.1.0")

(defcustom vterm-use-vterm-prompt-detection-method t
  "If non-nil, find prompts by the marks the shell integration leaves.
Otherwise use `term-prompt-regexp'."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-answer-color-queries t
  "If non-nil, programs that ask for the terminal's colours get them.
Programs that adapt to a dark or light background (vim, delta, bat)
ask for the default colours and the palette (OSC 10, 11 and 4); the
answers are the colours of the faces when the terminal starts.  When
nil, they get no answer, as from emacs-libvterm."
  :type 'boolean
  :group 'vterm)

(defcustom vterm-notify-function #'vterm-notify
  "Function called with TITLE and BODY when a program sends a notification.
Programs (build tools, agents, shell hooks) send them with OSC 9 or
OSC 777;notify.  The default, `vterm-notify', shows a desktop
notification where it can, else a message.  nil ignores them."
  :type '(choice (const :tag "Ignore" nil) function)
  :group 'vterm)

(defcustom vterm-enable-manipulate-selection-data-by-osc52 nil
  "If non-nil, programs may set the kill ring through OSC 52."
  :type 'boolean
  :group 'vterm)

;;;; Faces

(defface vterm-color-black
  '((t :foreground "black" :background "black"))
  "Face for black: the foreground is used for text, the background for cells."
  :group 'vterm)

(defface vterm-color-red
  '((t :foreground "red3" :background "red3"))
  "Face for red: the foreground is used for text, the background for cells."
  :group 'vterm)

(defface vterm-color-green
  '((t :foreground "green3" :background "green3"))
  "Face for green: the foreground is used for text, the background for cells."
  :group 'vterm)

(defface vterm-color-yellow
  '((t :foreground "yellow3" :background "yellow3"))
  "Face for yellow: the foreground is used for text, the background for cells."
  :group 'vterm)

(defface vterm-color-blue
  '((t :foreground "blue2" :background "blue2"))
  "Face for blue: the foreground is used for text, the background for cells."
  :group 'vterm)

(defface vterm-color-magenta
  '((t :foreground "magenta3" :background "magenta3"))
  "Face for magenta: the foreground is used for text, the background for cells."
  :group 'vterm)

(defface vterm-color-cyan
  '((t :foreground "cyan3" :background "cyan3"))
  "Face for cyan: the foreground is used for text, the background for cells."
  :group 'vterm)

(defface vterm-color-white
  '((t :foreground "gray90" :background "gray90"))
  "Face for white: the foreground is used for text, the background for cells."
  :group 'vterm)

(defface vterm-color-bright-black
  '((t :foreground "gray30" :background "gray30"))
  "Face for bright black: foreground for text, background for cells."
  :group 'vterm)

(defface vterm-color-bright-red
  '((t :foreground "red2" :background "red2"))
  "Face for bright red: foreground for text, background for cells."
  :group 'vterm)

(defface vterm-color-bright-green
  '((t :foreground "green2" :background "green2"))
  "Face for bright green: foreground for text, background for cells."
  :group 'vterm)

(defface vterm-color-bright-yellow
  '((t :foreground "yellow2" :background "yellow2"))
  "Face for bright yellow: foreground for text, background for cells."
  :group 'vterm)

(defface vterm-color-bright-blue
  '((t :foreground "blue1" :background "blue1"))
  "Face for bright blue: foreground for text, background for cells."
  :group 'vterm)

(defface vterm-color-bright-magenta
  '((t :foreground "magenta2" :background "magenta2"))
  "Face for bright magenta: foreground for text, background for cells."
  :group 'vterm)

(defface vterm-color-bright-cyan
  '((t :foreground "cyan2" :background "cyan2"))
  "Face for bright cyan: foreground for text, background for cells."
  :group 'vterm)

(defface vterm-color-bright-white
  '((t :foreground "white" :background "white"))
  "Face for bright white: foreground for text, background for cells."
  :group 'vterm)

(defface vterm-color-underline
  '((t :inherit default))
  "Face whose foreground colours underlined text, when set."
  :group 'vterm)

(defface vterm-color-inverse-video
  '((t :inherit default))
  "Face whose background is used for inverse video, when set."
  :group 'vterm)

(defface vterm-exit-status-success
  '((t :inherit success))
  "Face of the mark of a command that exited with status 0.
See `vterm-exit-status-marks'."
  :group 'vterm)

(defface vterm-exit-status-failure
  '((t :inherit error))
  "Face of the mark of a command that exited with another status.
See `vterm-exit-status-marks'."
  :group 'vterm)

;;;; Buffer-local state

(defvar-local vterm--redraw-timer nil "Pending redraw timer.")
(defvar-local vterm--redraw-due nil
  "When the last redraw timer was due to run (a `float-time'), or nil.")
(define-obsolete-variable-alias 'vterm--redraw-immididately
  'vterm--redraw-immediately "0.1.0")
(defvar-local vterm--redraw-immediately nil
  "Non-nil when output should be drawn without the usual delay.")
(defvar-local vterm--input-sent nil
  "Non-nil when input was sent since the last redraw.
The next redraw brings the selected window back to the live screen.")
(defvar-local vterm--height-timer nil
  "Timer that resizes to the windows once their height stopped changing.")
(defvar vterm--nudge nil
  "A loopback connection written to so that Emacs looks at its timers.")
(defvar-local vterm--frame-since nil
  "When a redraw first waited for the program's frame (`float-time'), or nil.")
(defvar-local vterm--title nil "Last title set by the shell.")
(defvar-local vterm--copy-saved-point nil
  "Point before copy mode was entered.")

(defvar vterm--pending-output nil
  "When non-nil, a list whose car collects output instead of sending it.")

(defvar w32-pipe-buffer-size)

;;;; Keymaps

(defcustom vterm-keymap-exceptions
  '("C-c" "C-x" "C-u" "C-g" "C-h" "C-l" "M-x" "M-o" "C-y" "M-y")
  "Keys that keep their Emacs meaning instead of going to the terminal."
  :type '(repeat string)
  :set (lambda (sym value)
         (set-default sym value)
         (when (and (boundp 'vterm-mode-map) (keymapp vterm-mode-map))
           (setcdr vterm-mode-map (cdr (vterm--build-mode-map)))))
  :group 'vterm)

(defconst vterm--esc-unbound '(?O ?\[)
  "Characters not bound after ESC in `vterm-mode-map'.
ESC O and ESC [ begin the sequences a text terminal sends for
function and cursor keys; bound, they would end those sequences
before Emacs decodes them.")

(defconst vterm--function-keys
  '(up down left right home end prior next insert insertchar delete
       deletechar f1 f2 f3 f4 f5 f6 f7 f8 f9 f10 f11 f12)
  "Cursor, editing and function keys sent with any modifier.")

(defconst vterm--function-keys-kept
  '(S-insert C-insert S-insertchar C-insertchar S-delete S-prior S-next)
  "Modified function keys left to Emacs, as emacs-libvterm leaves them.
The clipboard keys paste, copy and cut; Shift with the page keys
scrolls the buffer.")

(defconst vterm--keypad-keys
  '(kp-0 kp-1 kp-2 kp-3 kp-4 kp-5 kp-6 kp-7 kp-8 kp-9 kp-add kp-subtract
         kp-multiply kp-divide kp-decimal kp-separator kp-equal kp-enter)
  "Keypad keys, sent as keypad keys (application keypad mode applies).")

(defun vterm--exclude-keys (map exceptions)
  "Bind in MAP the keys that go to the terminal, but not EXCEPTIONS.
Every ASCII character, ESC followed by one (the Meta form a text
terminal sends) but for `vterm--esc-unbound', and the cursor,
editing, function and keypad keys, plain and with C-, M-, S- and
C-M-.  EXCEPTIONS are strings for `kbd'; those keys are left
unbound, so they keep their global meaning."
  (let ((esc (make-sparse-keymap)))
    (dotimes (c 128)
      (unless (eq c meta-prefix-char)
        (define-key map (vector c) #'vterm--self-insert))
      (unless (memq c vterm--esc-unbound)
        (define-key esc (vector c) #'vterm--self-insert-meta)))
    (dolist (key (append vterm--function-keys vterm--keypad-keys
                         '(tab return backspace escape backtab)))
      (define-key esc (vector key) #'vterm--self-insert-meta))
    (dolist (key vterm--function-keys)
      (dolist (mods '(() (control) (meta) (shift) (control meta)))
        (let ((event (event-convert-list (append mods (list key)))))
          (unless (memq event vterm--function-keys-kept)
            (define-key map (vector event) #'vterm--self-insert)))))
    (dolist (key vterm--keypad-keys)
      (define-key map (vector key) #'vterm--self-insert)
      (define-key map (vector (event-convert-list (list 'meta key)))
        #'vterm--self-insert))
    ;; ESC is the Meta prefix: M-x and ESC x are both looked up here.
    (define-key map (vector meta-prefix-char) esc)
    (dolist (exception exceptions)
      (define-key map (kbd exception) nil))))

(defun vterm--build-mode-map ()
  "Return a new keymap for `vterm-mode'."
  (let ((map (make-sparse-keymap)))
    (vterm--exclude-keys map vterm-keymap-exceptions)
    (define-key map [remap self-insert-command] #'vterm--self-insert)
    (define-key map [remap yank] #'vterm-yank)
    (define-key map [remap yank-pop] #'vterm-yank-pop)
    (define-key map [remap mouse-yank-primary] #'vterm-yank-primary)
    (define-key map [remap xterm-paste] #'vterm-xterm-paste)
    (define-key map (kbd "C-c C-c") #'vterm-send-C-c)
    (define-key map (kbd "C-c C-d") #'vterm--self-insert)
    (define-key map (kbd "C-c C-z") #'vterm--self-insert)
    (define-key map (kbd "C-c C-y") #'vterm--self-insert)
    (define-key map (kbd "C-c C-u") #'vterm--self-insert)
    (define-key map (kbd "C-c C-\\") #'vterm--self-insert)
    (define-key map (kbd "C-c C-t") #'vterm-copy-mode)
    (define-key map (kbd "C-c C-l") #'vterm-clear-scrollback)
    (define-key map (kbd "C-c C-n") #'vterm-next-prompt)
    (define-key map (kbd "C-c C-p") #'vterm-previous-prompt)
    (define-key map (kbd "C-c C-r") #'vterm-reset-cursor-point)
    (define-key map (kbd "C-c C-f") #'vterm-send-next-key)
    (define-key map (kbd "C-l") #'vterm-clear)
    ;; Shift with the page keys scrolls the buffer, as in emacs-libvterm.
    (define-key map (kbd "S-<prior>") #'scroll-down-command)
    (define-key map (kbd "S-<next>") #'scroll-up-command)
    ;; The mouse goes to a program that asks for it (vterm-mouse.el).
    (vterm-mouse-bind map)
    ;; Keys with a command of their own, and keys the loops above leave
    ;; out; an exception keeps its global meaning here too.
    (pcase-dolist (`(,key . ,command)
                   `(("C-SPC" . vterm--self-insert)
                     ("S-SPC" . vterm-send-space)
                     ("C-_" . vterm-undo)
                     ("C-/" . vterm-undo)
                     ("M-DEL" . vterm-send-meta-backspace)
                     ("M-<backspace>" . vterm-send-meta-backspace)
                     ("C-<backspace>" . vterm-send-meta-backspace)
                     ;; M-. is xref and C-\\ an input method otherwise.
                     ("M-." . vterm-send-meta-dot)
                     ("M-," . vterm-send-meta-comma)
                     ("C-\\" . vterm-send-ctrl-slash)
                     ,@(mapcar (lambda (key) (cons key 'vterm--self-insert))
                               '("<return>" "<tab>" "<backtab>" "<backspace>"
                                 "<escape>" "M-<return>" "M-<tab>"
                                 "M-<escape>" "M-<backtab>" "C-<return>" "S-<return>"
                                 "C-0" "C-1" "C-2" "C-3" "C-4" "C-5" "C-6"
                                 "C-7" "C-8" "C-9" "C-M-0" "C-M-1" "C-M-2"
                                 "C-M-3" "C-M-4" "C-M-5" "C-M-6" "C-M-7"
                                 "C-M-8" "C-M-9"))))
      (unless (member key vterm-keymap-exceptions)
        (define-key map (kbd key) command)))
    map))

(defvar vterm-mode-map (vterm--build-mode-map)
  "Keymap for `vterm-mode'.")

(defvar vterm-copy-mode-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "C-c C-t") #'vterm-copy-mode)
    (define-key map [return] #'vterm-copy-mode-done)
    (define-key map (kbd "RET") #'vterm-copy-mode-done)
    (define-key map (kbd "C-c C-r") #'vterm-reset-cursor-point)
    (define-key map (kbd "C-a") #'vterm-beginning-of-line)
    (define-key map (kbd "C-e") #'vterm-end-of-line)
    (define-key map (kbd "C-c C-n") #'vterm-next-prompt)
    (define-key map (kbd "C-c C-p") #'vterm-previous-prompt)
    map)
  "Keymap for `vterm-copy-mode'.")

;;;; Sending input

(defun vterm--key-description (event)
  "Return the key name the module understands for basic EVENT, or nil."
  (cond
   ((integerp event)
    (pcase event
      (?\r "<return>") (?\t "<tab>") (?\d "<backspace>") (?\e "<escape>")
      (?\s " ")
      (_ (char-to-string event))))
   ((symbolp event)
    (pcase event
      ('return "<return>") ('tab "<tab>") ('backspace "<backspace>")
      ('escape "<escape>") ('kp-enter "<return>") ('deletechar "<delete>")
      ;; What a text terminal's Insert key is read as (terminfo kich1).
      ('insertchar "<insert>")
      ('backtab "<tab>")
      (_ (format "<%s>" event))))))

(defun vterm--self-insert ()
  "Send the key that invoked this command to the terminal."
  (interactive)
  (vterm--send-event last-command-event nil))

(defun vterm--self-insert-meta ()
  "Send the key that invoked this command to the terminal, with Meta.
Bound after ESC: a text terminal sends Meta with a key as ESC and
the key, and Emacs reads ESC there as the Meta prefix."
  (interactive)
  (vterm--send-event last-command-event t))

(defun vterm--send-event (event meta)
  "Send input EVENT to the terminal; with META, as if Meta were held.
A character, with the meta bit at most, goes as its ASCII (or
Unicode) code: control characters as the byte they are (NUL for
C-@, LF for C-j), as a terminal sends them.  Other keys go by name
with their modifiers, encoded by libvterm."
  (when vterm--term
    (let* ((mods (event-modifiers event))
           (meta (or meta (memq 'meta mods)))
           (char (and (integerp event)
                      (logand event (lognot ?\M-\0)))))
      (cond
       ((not (characterp char))
        (vterm--send-function-key event mods meta))
       ((or (< char ?\s) (= char ?\d))
        ;; TAB, RET, DEL and ESC by name; other controls as their byte.
        (vterm-send-key (vterm--key-description char) nil meta nil))
       (meta
        (vterm-send-key (char-to-string char) nil t nil))
       (t
        ;; A plain character, maybe non-ASCII: send it as is, or what
        ;; the input method makes of it.
        (dolist (c (vterm--input-method-chars char))
          (vterm-send-key (char-to-string c))))))))

(defun vterm--send-function-key (event mods meta)
  "Send EVENT, a key that is not a character, with modifiers MODS.
META non-nil adds Meta."
  (let ((key (vterm--key-description (event-basic-type event))))
    (when (eq (event-basic-type event) 'backtab)
      (setq mods (cons 'shift mods)))
    (when key
      (vterm-send-key key (memq 'shift mods) meta (memq 'control mods)))))

(defun vterm--input-method-chars (char)
  "Return what the input method gives for CHAR, a list of characters.
Without an input method, CHAR alone.  The method runs as in a
writable buffer (quail passes keys through in read-only ones); the
text it shows while composing is its own and goes with it."
  (if (not input-method-function)
      (list char)
    (let* ((buffer-read-only nil)
           (inhibit-read-only t)
           (inhibit-modification-hooks t)
           (keys (funcall input-method-function char)))
      (cl-remove-if-not #'characterp (if (listp keys) keys (list keys))))))

(defun vterm-send-key (key &optional shift meta ctrl accept-proc-output)
  "Send KEY to the terminal, with modifiers SHIFT, META and CTRL.
KEY is a character as a string or a name like \"<return>\".  With
ACCEPT-PROC-OUTPUT, wait briefly for the terminal's reaction."
  (when (and vterm--term (process-live-p vterm--process))
    (when (and shift (not meta) (not ctrl) (= (length key) 1))
      (setq key (upcase key)
            shift nil))
    (vterm--update vterm--term key (and shift t) (and meta t) (and ctrl t))
    (setq vterm--redraw-immediately t
          vterm--input-sent t)
    (when accept-proc-output
      (accept-process-output vterm--process vterm-timer-delay nil t))))

(defun vterm-send-string (string &optional paste-p)
  "Send STRING to the terminal, as a bracketed paste when PASTE-P."
  (interactive "sSend string: ")
  (when (and vterm--term (process-live-p vterm--process))
    ;; Collect the encoded bytes and send them at once: a long paste
    ;; would otherwise cost one process write per character.
    (let ((chunks
           (let ((vterm--pending-output (list nil)))
             (when paste-p
               (vterm--update vterm--term "<start_paste>"))
             (dolist (char (string-to-list string))
               (vterm--update vterm--term (char-to-string char)))
             (when paste-p
               (vterm--update vterm--term "<end_paste>"))
             (car vterm--pending-output))))
      ;; Sent outside the binding: while the write waits, the filter may
      ;; run and the terminal's answers must go out directly.
      (when chunks
        (process-send-string vterm--process
                             (apply #'concat (nreverse chunks)))))
    (setq vterm--redraw-immediately t
          vterm--input-sent t)))

(defun vterm-send (key)
  "Send KEY to the terminal.
KEY is a key sequence, or a string in the syntax of `kbd'."
  (interactive "kKey: ")
  (let* ((event (aref (if (stringp key) (kbd key) key) 0))
         (last-command-event event))
    (vterm--self-insert)))

(defun vterm-send-next-key ()
  "Read the next key and send it to the terminal, whatever its binding."
  (interactive)
  (let ((inhibit-quit t)
        (last-command-event (read-event)))
    (vterm--self-insert)))

(defmacro vterm--define-sender (name key &optional shift meta ctrl)
  "Define command NAME that sends KEY with modifiers SHIFT, META and CTRL."
  `(defun ,name ()
     ,(format "Send %s%s%s%s to the terminal."
              (if ctrl "C-" "") (if meta "M-" "") (if shift "S-" "") key)
     (interactive)
     (vterm-send-key ,key ,shift ,meta ,ctrl)))

(vterm--define-sender vterm-send-return "<return>")
(vterm--define-sender vterm-send-tab "<tab>")
(vterm--define-sender vterm-send-space " ")
(vterm--define-sender vterm-send-backspace "<backspace>")
(vterm--define-sender vterm-send-delete "<delete>")
(vterm--define-sender vterm-send-escape "<escape>")
(vterm--define-sender vterm-send-meta-backspace "<backspace>" nil t)
(vterm--define-sender vterm-send-up "<up>")
(vterm--define-sender vterm-send-down "<down>")
(vterm--define-sender vterm-send-left "<left>")
(vterm--define-sender vterm-send-right "<right>")
(vterm--define-sender vterm-send-prior "<prior>")
(vterm--define-sender vterm-send-next "<next>")
(vterm--define-sender vterm-send-home "<home>")
(vterm--define-sender vterm-send-end "<end>")
(vterm--define-sender vterm-send-insert "<insert>")

(defun vterm-send-stop ()
  "Ask the tty to stop the program's output (XOFF, when flow control is on)."
  (interactive)
  (vterm-send-key "s" nil nil t))

(defun vterm-send-start ()
  "Let the program's output go on after `vterm-send-stop' (XON)."
  (interactive)
  (vterm-send-key "q" nil nil t))

(vterm--define-sender vterm-send-meta-dot "." nil t)
(vterm--define-sender vterm-send-meta-comma "," nil t)
(vterm--define-sender vterm-send-ctrl-slash "\\" nil nil t)
(vterm--define-sender vterm-send-C-_ "_" nil nil t)

(defmacro vterm--define-letter-senders ()
  "Define a sender per letter for each modifier set emacs-libvterm has.
Control, meta, meta with a capital letter and control-shift: the
commands users bind, named vterm-send- and the key."
  (cons 'progn
        (cl-loop
         for (prefix shift meta ctrl first) in '(("C-" nil nil t ?a)
                                                 ("M-" nil t nil ?a)
                                                 ("M-" nil t nil ?A)
                                                 ("C-S-" t nil t ?a))
         append (cl-loop
                 for c from first to (+ first 25)
                 collect `(vterm--define-sender
                           ,(intern (format "vterm-send-%s%c" prefix c))
                           ,(char-to-string c) ,shift ,meta ,ctrl)))))

(vterm--define-letter-senders)
(vterm--define-sender vterm-send-M-DEL "<backspace>" nil t)

(defun vterm-undo ()
  "Send the readline undo key (C-_) to the terminal."
  (interactive)
  (vterm-send-key "_" nil nil t))

(defun vterm-yank (&optional arg)
  "Paste the latest kill (or the ARGth most recent) into the terminal."
  (interactive "P")
  (deactivate-mark)
  (let ((text (with-temp-buffer
                (let ((yank-undo-function #'ignore))
                  (yank arg))
                (buffer-string))))
    (vterm-send-string (substring-no-properties text) t)))

(defun vterm-yank-primary ()
  "Paste the primary selection into the terminal."
  (interactive)
  (let ((text (gui-get-primary-selection)))
    (when text
      (vterm-send-string (substring-no-properties text) t))))

(defun vterm-yank-pop (&optional arg)
  "Replace the text just pasted with the ARGth earlier kill.
Right after \[vterm-yank] or this command: the shell's undo key
\(readline's C-_) takes the last paste back, then the earlier kill is
pasted."
  (interactive "p")
  (unless (memq last-command '(vterm-yank vterm-yank-pop yank yank-pop))
    (user-error "Previous command was not a yank"))
  (setq this-command 'vterm-yank-pop)
  (let ((text (current-kill (or arg 1))))
    (vterm-undo)
    (vterm-send-string (substring-no-properties text) t)))

(defun vterm-xterm-paste (event)
  "Paste the text of xterm paste EVENT into the terminal."
  (interactive "e")
  (let ((text (nth 1 event)))
    (when (stringp text)
      (kill-new text)
      (vterm-send-string text t))))

;;;; Editing the command line

(defun vterm-insert (&rest contents)
  "Type CONTENTS, strings or characters, into the terminal as a paste.
Like `insert' for the program in the terminal (a shell's command line)."
  (vterm-send-string
   (mapconcat (lambda (c) (if (characterp c) (char-to-string c) c))
              contents "")
   t))

(defun vterm-check-proc (&optional buffer)
  "Return non-nil if BUFFER (default: the current one) has a live terminal.
BUFFER is a buffer or the name of one."
  (let* ((buffer (get-buffer (or buffer (current-buffer))))
         (proc (and buffer (get-buffer-process buffer))))
    (and proc
         (memq (process-status proc) '(run stop open listen connect))
         (buffer-local-value 'vterm--term buffer)
         t)))

(defun vterm--on-cursor-line-p (&optional pos)
  "Non-nil if POS (default: point) is on the cursor's line, after its prompt."
  (let ((pos (or pos (point))))
    (save-excursion
      (vterm-reset-cursor-point)
      (and (<= (line-beginning-position) pos (line-end-position))
           (>= pos (or (vterm--prompt-end-at pos) (line-beginning-position)))))))

(defun vterm--send-and-wait (key state)
  "Send KEY; wait at most a second for the value of STATE to change.
STATE is a function of no argument reading the buffer.  Return
non-nil if it changed."
  (let ((before (funcall state))
        (deadline (+ (float-time) 1.0))
        changed)
    (vterm-send-key key)
    (while (and (not changed) (< (float-time) deadline)
                (process-live-p vterm--process))
      (accept-process-output vterm--process 0.02 nil t)
      (vterm--render)
      (setq changed (not (equal before (funcall state)))))
    changed))

(defun vterm--cursor-position ()
  "Return the buffer position of the terminal's cursor."
  (save-excursion (vterm-reset-cursor-point)))

(defun vterm--cursor-line ()
  "Return the text of the terminal's cursor line."
  (save-excursion
    (vterm-reset-cursor-point)
    (buffer-substring-no-properties (line-beginning-position)
                                    (line-end-position))))

(defun vterm-goto-char (pos)
  "Move the terminal's cursor, and point, to POS on the command line.
The program moves its cursor on the arrow keys it is sent (a shell's
line editor does).  Return t on success; otherwise (POS off that line,
or in copy mode) point is left where it was and the cursor goes back."
  ;; Not in copy mode: the buffer is frozen there, the cursor not shown.
  (when (and vterm--term (not (bound-and-true-p vterm-copy-mode))
             (vterm--on-cursor-line-p) (vterm--on-cursor-line-p pos))
    (let ((origin (point))
          (start (vterm-reset-cursor-point)))
      (while (and (/= (point) pos)
                  (vterm--send-and-wait (if (< (point) pos) "<right>" "<left>")
                                        #'vterm--cursor-position))
        (vterm-reset-cursor-point))
      (if (= (vterm-reset-cursor-point) pos)
          t
        (unless (= (point) start)
          (vterm-goto-char start))
        (goto-char origin)
        nil))))

(defun vterm-delete-region (start end)
  "Delete the text between START and END on the terminal's command line.
The cursor goes to START and the program is sent one delete key per
character."
  (when (and vterm--term (vterm-goto-char (min start end)))
    (dotimes (_ (abs (- end start)))
      (vterm--send-and-wait "<delete>" #'vterm--cursor-line))))

;;;; Module callbacks

(defun vterm--flush-output (output)
  "Send OUTPUT, bytes the terminal produced, to the shell."
  (cond
   (vterm--pending-output
    (push output (car vterm--pending-output)))
   ((process-live-p vterm--process)
    (process-send-string vterm--process output))))

(defun vterm--sanitize (string)
  "Return STRING, text from the terminal, safe to show or use as a name.
Raw bytes (the module passes text that is not UTF-8 as a unibyte
string) are decoded as UTF-8; bytes that are not UTF-8 become
U+FFFD; control characters (C0, DEL, C1) are dropped."
  (let ((text (if (multibyte-string-p string)
                  string
                (decode-coding-string string 'utf-8 t))))
    (apply #'string
           (delq nil (mapcar (lambda (c)
                               (cond ((or (< c #x20) (<= #x7f c #x9f)) nil)
                                     ((eq (char-charset c) 'eight-bit) #xfffd)
                                     (t c)))
                             text)))))

(defun vterm--color-rgb (color)
  "Return COLOR's (RED GREEN BLUE), 16 bits each, or nil if not known."
  (and (stringp color)
       (not (string-prefix-p "unspecified" color))
       (color-values color)))

(defun vterm--tell-query-colors ()
  "Give the terminal the colours its programs may ask for.
OSC 10 and 11 ask for the default foreground and background, OSC 4
for a colour of the palette; the answers are those of the faces now
\(`vterm--get-color'), and nothing when `vterm-answer-color-queries'
is nil or a colour is not known (a text terminal's default colours)."
  (let ((on vterm-answer-color-queries))
    (vterm--set-query-color vterm--term :foreground
                            (and on (vterm--color-rgb
                                     (vterm--get-color -1 :foreground))))
    (vterm--set-query-color vterm--term :background
                            (and on (vterm--color-rgb (vterm--get-color -1))))
    (dotimes (index 16)
      (vterm--set-query-color vterm--term index
                              (and on (vterm--color-rgb
                                       (vterm--get-color index :foreground)))))))

(defun vterm-notify (title body)
  "Show a program's notification: TITLE (may be empty) and BODY.
A desktop notification (`notifications-notify') where Emacs can send
one, else a message in the echo area naming the buffer."
  (let ((title (if (string-empty-p title) (buffer-name) title)))
    (unless (and (require 'notifications nil t)
                 (featurep 'dbusbind)
                 (ignore-errors
                   (notifications-notify :title title :body body)))
      (message "%s: %s" title body))))

(defun vterm--notify (title body)
  "Pass a program's notification (OSC 9 or 777) to `vterm-notify-function'.
TITLE and BODY are sanitized first (see `vterm--sanitize')."
  (when vterm-notify-function
    (funcall vterm-notify-function (vterm--sanitize title)
             (vterm--sanitize body))))

(defun vterm--set-title (title)
  "Record TITLE, set by the shell, and run `vterm-set-title-functions'.
The title is sanitized first (see `vterm--sanitize')."
  (setq title (vterm--sanitize title))
  (setq vterm--title title)
  (when vterm-buffer-name-string
    (rename-buffer (format vterm-buffer-name-string title) t))
  (run-hook-with-args 'vterm-set-title-functions title))

(defun vterm--local-host-p (host)
  "Non-nil if HOST (from a directory report) names this machine."
  (or (member (downcase host) '("" "localhost" "127.0.0.1" "::1"))
      (vterm--same-host-p host (system-name))))

(defun vterm--directory-from-report (report)
  "Return the directory named by REPORT, or nil.
REPORT is \"file://HOST/PATH\", \"USER@HOST:PATH\" or a plain path.
A HOST other than this machine gives a remote (TRAMP) name, so the
buffer follows a shell that went there with ssh: when HOST (and USER,
if both say) is that of a remote `default-directory', the name keeps
its method and the rest of its prefix (/ssh:HOST:, /sudo:..., multiple
hops); another host gets TRAMP's default method, /-:HOST:."
  (let (user host path)
    (cond
     ((string-match "\\`file://\\([^/]*\\)\\(/.*\\)\\'" report)
      (setq host (match-string 1 report)
            path (vterm--unhex (match-string 2 report))))
     ;; USER@HOST:DIR; DIR may start with a drive letter on Windows.
     ((string-match "\\`\\([^/:@]*\\)@\\([^/:@]*\\):\\(.+\\)\\'" report)
      (setq user (match-string 1 report)
            host (match-string 2 report)
            path (match-string 3 report)))
     (t (setq path report)))
    (when (and (eq system-type 'windows-nt)
               (string-match "\\`/\\([A-Za-z]:.*\\)" path))
      (setq path (match-string 1 path)))
    ;; A name with control characters or bytes that are not UTF-8 is
    ;; not followed: changing it would name another directory.
    (when (and (> (length path) 0)
               (equal (vterm--sanitize path) path)
               ;; Only a well-formed host goes into a TRAMP name.
               (or (null host) (string-match-p "\\`[-A-Za-z0-9._]*\\'" host))
               (or (null user) (equal (vterm--sanitize user) user)))
      (let ((prefix (and host (vterm--remote-prefix-for user host)))
            ;; Only a slash to add: TRAMP is not asked (a method this
            ;; Emacs does not know would be an error).
            (file-name-handler-alist nil))
        (file-name-as-directory
         (cond
          ;; A shell TRAMP started (on another host, or as another user
          ;; here with sudo) reports from where the buffer is.
          (prefix (concat prefix path))
          ((or (null host) (vterm--local-host-p host)) path)
          ;; Method "-": TRAMP's default method (ssh, usually).
          (t (format "/-:%s%s:%s" (if (> (length user) 0) (concat user "@") "")
                     host path))))))))

(defun vterm--same-host-p (a b)
  "Non-nil if host names A and B name the same host, as far as they say.
Case does not count, and a name without a domain matches one with."
  (let ((a (downcase a)) (b (downcase b)))
    (or (string-equal a b)
        (string-equal (car (split-string a "\\.")) b)
        (string-equal a (car (split-string b "\\."))))))

(defun vterm--remote-prefix-for (user host)
  "Return the remote prefix of `default-directory' if it is on HOST, or nil.
USER, when the report and the name both have one, must match too.
The prefix is what `file-remote-p' returns: method, user, host and
hops, as the buffer's directory has them."
  (let* ((dir default-directory)
         (prefix (ignore-errors (file-remote-p dir)))
         ;; Without the port (host#port).
         (dir-host (and prefix (car (split-string
                                     (or (ignore-errors (file-remote-p dir 'host))
                                         "")
                                     "#"))))
         (dir-user (and prefix (ignore-errors (file-remote-p dir 'user)))))
    (when (and dir-host (> (length dir-host) 0)
               (vterm--same-host-p host dir-host)
               (or (= (length user) 0) (null dir-user)
                   (string-equal user dir-user)))
      (substring-no-properties prefix))))

(defun vterm--unhex (string)
  "Decode %XX escapes in STRING, which stand for UTF-8 bytes."
  (decode-coding-string
   (replace-regexp-in-string
    "%[0-9A-Fa-f][0-9A-Fa-f]"
    (lambda (m) (unibyte-string (string-to-number (substring m 1) 16)))
    (encode-coding-string string 'utf-8) t t)
   'utf-8 t))

(defun vterm--set-directory (report)
  "Follow the shell to the directory in REPORT."
  (let ((dir (vterm--get-directory report)))
    (when dir
      (setq default-directory dir))))

(defun vterm--get-pwd (&optional linenum)
  "Return the directory the shell reported on line LINENUM, or nil.
LINENUM defaults to the line at point; a line with no report of its
own takes that of the nearest line above it."
  (when vterm--term
    (let ((report (vterm--get-pwd-raw vterm--term
                                      (or linenum (line-number-at-pos)))))
      (and report (vterm--directory-from-report report)))))

(defun vterm--eval (command-line)
  "Run COMMAND-LINE, a request from the shell, if permitted.
Only commands in `vterm-eval-cmds' run.
COMMAND-LINE is a command name followed by arguments, quoted as
Lisp strings or separated by spaces."
  (let* ((parts (condition-case nil
                    (split-string-and-unquote command-line)
                  (error nil)))
         (entry (assoc (car parts) vterm-eval-cmds)))
    (if entry
        ;; The arguments are strings, never evaluated; an error is the
        ;; request's, not the terminal's: it must not stop the output.
        (condition-case err
            (apply (cadr entry) (cdr parts))
          (error (message "vterm: %S failed: %s" (car parts)
                          (error-message-string err))))
      (message "vterm: %S is not in vterm-eval-cmds" (car parts)))))

(defun vterm--set-selection (targets data)
  "Put DATA in the kill ring for OSC 52 TARGETS, when that is enabled."
  (ignore targets)
  (when (and vterm-enable-manipulate-selection-data-by-osc52
             (stringp data))
    (kill-new data)))

;;;; Redraw

(defun vterm--invalidate ()
  "Schedule a redraw of the current buffer."
  (cond
   ((or (null vterm-timer-delay) vterm--redraw-immediately)
    ;; Just after a key was sent: draw the echo as soon as possible.
    (setq vterm--redraw-immediately nil)
    (when vterm--redraw-timer
      (cancel-timer vterm--redraw-timer))
    (setq vterm--redraw-timer
          (run-with-timer 0 nil #'vterm--delayed-redraw (current-buffer) t)))
   ((null vterm--redraw-timer)
    (let ((now (float-time)))
      (setq vterm--redraw-due
            (vterm--next-redraw-due now vterm--redraw-due vterm-timer-delay))
      (setq vterm--redraw-timer
            (run-with-timer (- vterm--redraw-due now) nil
                            #'vterm--delayed-redraw (current-buffer) t))))))

(defun vterm--draw-parsed ()
  "Draw now what the parse thread parsed (`vterm--on-parsed')."
  (when vterm--redraw-timer
    (cancel-timer vterm--redraw-timer))
  ;; The period of redraws (`vterm--next-redraw-due') counts from this
  ;; one.
  (setq vterm--redraw-due (float-time))
  (vterm--delayed-redraw (current-buffer)))

(defun vterm--next-redraw-due (now last-due delay)
  "Return when to redraw for output arriving at NOW.
LAST-DUE is when the previous redraw was due (nil: none yet), DELAY
is `vterm-timer-delay'.  Output that keeps arriving is drawn every
DELAY seconds, counted from the previous redraw's due time and not
from the first output after it (which would add the redraw's own
time, and the timer's lateness, to every period); output after a
longer pause waits DELAY."
  (if (and last-due (< now (+ last-due delay)))
      (+ last-due delay)
    (+ now delay)))

(defun vterm--delayed-redraw (buffer &optional streaming)
  "Redraw BUFFER from its terminal, unless its program's frame is not done.
STREAMING non-nil: the redraw timer's, while output may still come in."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (setq vterm--redraw-timer nil)
      (when (and vterm--term (not (bound-and-true-p vterm-copy-mode)))
        (vterm--quit-as-key
          (unless (vterm--frame-pending streaming)
            (vterm--render streaming)))))))

(defconst vterm--frame-poll 0.02
  "Seconds between looks at a program's frame that is not done yet.")

(defun vterm--frame-pending (streaming)
  "Non-nil when the redraw waits for the program's frame to be complete.
Then the redraw (STREAMING as `vterm--delayed-redraw' has it) is tried
again shortly; see `vterm-synchronized-output'."
  (if (not (and vterm-synchronized-output
                (vterm--synchronized-p vterm--term)))
      (setq vterm--frame-since nil)
    (let* ((now (float-time))
           (left (- (+ (or vterm--frame-since
                           (setq vterm--frame-since now))
                       vterm-synchronized-output)
                    now)))
      (when (> left 0)
        (setq vterm--redraw-timer
              (run-with-timer (min left vterm--frame-poll) nil
                              #'vterm--delayed-redraw (current-buffer)
                              streaming))))))

(defun vterm--render (&optional streaming keep-view)
  "Render the terminal into the current buffer and show its screen.
STREAMING non-nil (the redraw timer's): scrollback lines that are new
since the last redraw may wait, up to a second, while the screen is
drawn; the parse thread has them drawn once the output stops.
KEEP-VIEW non-nil: point and the windows stay on the text they show
\(copy mode starts where the user is looking)."
  (when (and vterm--wakeup
             ;; What the parse thread got from the output so far
             ;; (titles, replies, requests) first, as the filter does
             ;; without it; a request may switch buffers.  When it says
             ;; the output has stopped, this redraw is the one that
             ;; draws everything: the wake-up it answers is taken.
             (save-current-buffer (vterm--parse-thread-woke vterm--term)))
    (setq streaming nil))
  (let* ((inhibit-read-only t)
          (inhibit-modification-hooks t)
          (buffer-undo-list t)
          (rows (or (cdr vterm--size) 24))
          (windows (get-buffer-window-list (current-buffer) nil t))
          (staying (cond (keep-view windows)
                         (vterm-scrolled-window-stays
                          (vterm--scrolled-windows windows rows)))))
    (when vterm--input-sent
      ;; Typing in a window reading the scrollback goes back to the end.
      (setq staying (delq (selected-window) staying)
            vterm--input-sent nil))
    (if staying
        (vterm--keeping-view staying keep-view
                             (lambda () (vterm--redraw vterm--term streaming)))
      (vterm--redraw vterm--term streaming))
    ;; The text mirrors the terminal; there is nothing to save.
    (set-buffer-modified-p nil)
    (when display-line-numbers
      ;; More lines may have widened the numbers, narrowing the text.
      (vterm--resize-to-windows))
    (unless keep-view
      (let ((pt (point))
            (top (vterm--screen-top rows)))
        (dolist (window windows)
          (unless (memq window staying)
            (set-window-point window pt)
            ;; Show the whole screen: the window starts at its first row.
            (set-window-start window top t)))))))

(defun vterm--screen-top (rows)
  "Return the position of the first of the last ROWS lines of the buffer."
  (save-excursion
    (goto-char (point-max))
    (forward-line (- 1 rows))
    (line-beginning-position)))

(defun vterm--scrolled-windows (windows rows)
  "Return those of WINDOWS that start above the live screen of ROWS rows.
Their users scrolled back into the scrollback."
  (let ((top (vterm--screen-top rows)))
    (cl-remove-if-not (lambda (window) (< (window-start window) top))
                      windows)))

(defun vterm--keeping-view (windows keep-point draw)
  "Call DRAW, then put each of WINDOWS' start and point back.
With KEEP-POINT, put the buffer's point back too.  They follow the
text they were on (markers), so lines drawn after them, or above
them, do not move the view."
  (let ((point (and keep-point (copy-marker (point))))
        (views (mapcar (lambda (window)
                         (list window (copy-marker (window-start window))
                               (copy-marker (window-point window))))
                       windows)))
    (funcall draw)
    (when point
      (goto-char point)
      (set-marker point nil))
    (pcase-dolist (`(,window ,start ,wpoint) views)
      (set-window-start window start t)
      (set-window-point window wpoint)
      (set-marker start nil)
      (set-marker wpoint nil))))

;;;; Size

(defun vterm--window-size (windows)
  "Return (COLS . ROWS) the terminal gets in WINDOWS.
Columns are those every window shows in full, not counting the
column a text terminal keeps for the continuation glyph."
  (let ((cols nil) (rows nil))
    (dolist (window windows)
      (let ((w (window-max-chars-per-line window))
            (h (window-body-height window)))
        (setq cols (if cols (min cols w) w)
              rows (if rows (min rows h) h))))
    (cons (max (or cols 80) vterm-min-window-width 1)
          (max (or rows 24) 1))))

(defun vterm--window-adjust-process-window-size (process windows)
  "Resize the terminal of PROCESS for WINDOWS; return nil.
Used as the process's `adjust-window-size-function'; the size is
sent by vterm itself, so Emacs has nothing to do.  Emacs calls this
while it redisplays, where a timer set would wait for the next input
or the next other timer (seconds, in a quiet session): the size goes
to the process, and the terminal is drawn at it, at once."
  (let ((buffer (process-buffer process)))
    (when (buffer-live-p buffer)
      (with-current-buffer buffer
        (let ((size (vterm--window-size windows))
              (before vterm--size))
          (cond
           ((and before (= (car size) (car before))
                 (/= (cdr size) (cdr before))
                 vterm-resize-height-delay (> vterm-resize-height-delay 0))
            ;; The height alone: once it has lasted.
            (vterm--resize-when-height-lasts))
           (t
            (when vterm--height-timer
              (cancel-timer vterm--height-timer)
              (setq vterm--height-timer nil))
            (vterm--request-resize (car size) (cdr size))
            (vterm--resize-now (not (equal before vterm--size)))))))))
  nil)

(defun vterm--resize-when-height-lasts ()
  "Resize to the windows after `vterm-resize-height-delay' without change.
Each change of the height starts the wait again."
  (when vterm--height-timer
    (cancel-timer vterm--height-timer))
  (setq vterm--height-timer
        (run-with-timer vterm-resize-height-delay nil
                        #'vterm--height-lasted (current-buffer)))
  (vterm--nudge))

(defun vterm--height-lasted (buffer)
  "Resize BUFFER's terminal to its windows, whose height has lasted."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (setq vterm--height-timer nil)
      (let ((windows (get-buffer-window-list buffer nil t)))
        (when (and windows (process-live-p vterm--process))
          (let ((size (vterm--window-size windows))
                (before vterm--size))
            (vterm--request-resize (car size) (cdr size))
            (vterm--resize-now (not (equal before vterm--size)))))))))

(defun vterm--nudge-connect ()
  "Make the loopback connection `vterm--nudge' writes to, unless it exists.
The listening socket is closed as soon as the connection is made.
Made when a terminal starts: a connection made during redisplay
would only be looked at after the wait it is meant to end."
  (unless (process-live-p vterm--nudge)
    (setq vterm--nudge nil)
    (condition-case nil
        (let* ((server (make-network-process
                        :name " vterm-nudge-server" :server t :noquery t
                        :host "127.0.0.1" :service t :family 'ipv4
                        :filter #'ignore
                        :log (lambda (server _client _message)
                               (delete-process server))))
               (port (process-contact server :service)))
          (setq vterm--nudge (make-network-process
                              :name " vterm-nudge" :noquery t
                              :host "127.0.0.1" :service port :family 'ipv4
                              :filter #'ignore)))
      ;; Without it, the timer runs at the next input or other event.
      (error nil))))

(defun vterm--nudge ()
  "Make Emacs look at its timers again before it waits for input.
Emacs runs window size functions while it redisplays, and may have
computed how long to wait for input before: a timer set there would
wait for the next input.  A byte sent over a loopback connection of
Emacs's own (`vterm--nudge-connect') ends that wait."
  (vterm--nudge-connect)
  (when vterm--nudge
    (process-send-string vterm--nudge "\n")))

(defun vterm--resize-to-windows (&optional buffer)
  "Resize the terminal of BUFFER (default: current) to its windows, now.
For changes of the text area that are not changes of the window's
size: text scaling, line numbers shown or their width grown."
  (with-current-buffer (or buffer (current-buffer))
    (let ((windows (get-buffer-window-list (current-buffer) nil t)))
      (when (and windows (process-live-p vterm--process))
        (vterm--window-adjust-process-window-size vterm--process windows)))))

(defun vterm--resize-to-windows-soon ()
  "Resize the terminal to its windows after the next redisplay.
Line numbers take their width in redisplay, so a mode that turns
them on is measured after it."
  (run-with-timer 0 nil #'vterm--resize-to-windows (current-buffer)))

(defun vterm--resize-now (&optional redraw)
  "Send the pending size to the process now; with REDRAW, draw now too."
  (vterm--send-pending-size-now)
  (when (and redraw vterm--redraw-timer)
    (cancel-timer vterm--redraw-timer)
    (vterm--delayed-redraw (current-buffer))))

(defun vterm--window-size-change (&rest _)
  "Resize the terminals shown in the selected frame's windows."
  (dolist (process (process-list))
    (let ((buffer (process-buffer process)))
      (when (and (buffer-live-p buffer)
                 (process-live-p process)
                 (eq (buffer-local-value 'vterm--process buffer) process))
        (let ((windows (get-buffer-window-list buffer nil t)))
          (when windows
            (vterm--window-adjust-process-window-size process windows)))))))

(defun vterm--request-resize (cols rows)
  "Resize the terminal to COLS x ROWS, sending only the newest size.
The terminal is resized at once; the process learns the size from
a timer, so a burst of size changes sends one message (window size
changes send it at once: see `vterm--resize-now')."
  (let ((size (cons cols rows)))
    (unless (equal size vterm--size)
      (setq vterm--size size)
      (when vterm--term
        (let ((inhibit-read-only t))
          (vterm--set-size vterm--term rows cols))
        (vterm--invalidate)))
    (unless (equal size (or vterm--pending-size vterm--process-size))
      (setq vterm--pending-size size)
      (unless vterm--resize-timer
        (setq vterm--resize-timer
              (run-with-timer 0 nil #'vterm--send-pending-size
                              (current-buffer)))))))

;;;; Process

(defun vterm--environment ()
  "Return `process-environment' for the shell."
  (append vterm-environment
          (list (concat "TERM=" vterm-term-environment-variable)
                "INSIDE_EMACS=vterm"
                (concat "EMACS_VTERM_PATH=" vterm--lisp-directory)
                "LINES" "COLUMNS")
          process-environment))

(defun vterm--w32-split-command-line (line)
  "Split LINE into a list of arguments as CommandLineToArgvW does.
The program name (the first argument) ends at the first space or
tab, or, when it starts with a double quote, at the next one: it
has no escapes.  In the arguments after it, spaces and tabs outside
double quotes separate; 2N backslashes before a double quote are N
backslashes and the quote opens or closes a quoted part; 2N+1 are
N backslashes and a literal quote; other backslashes are literal;
inside a quoted part, two double quotes are one literal quote."
  (let ((i (or (string-match "[^ \t]" line) (length line)))
        (n (length line))
        args)
    (when (< i n)
      ;; The program name.
      (let ((end (if (eq (aref line i) ?\")
                     (or (cl-position ?\" line :start (1+ i)) n)
                   (or (string-match "[ \t]" line i) n))))
        (push (substring line (if (eq (aref line i) ?\") (1+ i) i) end) args)
        (setq i (if (and (< end n) (eq (aref line end) ?\")) (1+ end) end)))
      ;; The arguments.
      (let (quoted cur in-arg)
        (while (< i n)
          (let ((c (aref line i)))
            (cond
             ((and (not quoted) (memq c '(?\s ?\t)))
              (when in-arg
                (push (apply #'string (nreverse cur)) args)
                (setq cur nil in-arg nil))
              (setq i (1+ i)))
             ((eq c ?\\)
              (let* ((j (or (string-match "[^\\]" line i) n))
                     (count (- j i)))
                (setq in-arg t)
                (if (and (< j n) (eq (aref line j) ?\"))
                    (progn
                      (dotimes (_ (/ count 2)) (push ?\\ cur))
                      (if (= (% count 2) 1)
                          (progn (push ?\" cur) (setq i (1+ j)))
                        (setq i j)))
                  (dotimes (_ count) (push ?\\ cur))
                  (setq i j))))
             ((eq c ?\")
              (setq in-arg t)
              (if (and quoted (< (1+ i) n) (eq (aref line (1+ i)) ?\"))
                  (progn (push ?\" cur) (setq i (+ i 2)))
                (setq quoted (not quoted) i (1+ i))))
             (t (push c cur) (setq in-arg t i (1+ i))))))
        (when in-arg
          (push (apply #'string (nreverse cur)) args))))
    (nreverse args)))

(defun vterm--shell-argv ()
  "Return `vterm-shell' as a list of program and arguments.
On Windows a command line is split as CommandLineToArgvW does, and
the program is the file `executable-find' finds for it: the proxy
then runs that file, and never looks in the current directory (the
buffer's `default-directory', which may be an untrusted checkout)
for a program of that name."
  (let* ((windows (eq system-type 'windows-nt))
         (argv (cond
                ((consp vterm-shell) (copy-sequence vterm-shell))
                ((or (and (file-name-absolute-p vterm-shell)
                          (file-executable-p vterm-shell))
                     (and windows (executable-find vterm-shell)))
                 (list vterm-shell))
                (windows (vterm--w32-split-command-line vterm-shell))
                (t (split-string-and-unquote vterm-shell)))))
    (if (and windows argv)
        (cons (or (and (not (file-name-absolute-p (car argv)))
                       (executable-find (car argv)))
                  (car argv))
              (cdr argv))
      argv)))

(defun vterm--remote-login-shell ()
  "Return the login shell of the user of remote `default-directory', or nil.
It is the last field of the user's passwd entry, which getent gives
whatever the name service (files, LDAP, ...); $LOGNAME names the user
TRAMP logged in as, which the file name may not say."
  (ignore-errors
    (with-temp-buffer
      (when (eq 0 (process-file-shell-command "getent passwd \"$LOGNAME\""
                                              nil t nil))
        (let ((lines (split-string (buffer-string) "\n" t "[ \t\r]+")))
          ;; Anything but one entry (no $LOGNAME, a login banner) is
          ;; not trusted.
          (when (= (length lines) 1)
            (let ((fields (split-string (car lines) ":")))
              (when (and (= (length fields) 7)
                         (string-match-p "\\`/[^ \t]*\\'" (nth 6 fields)))
                (nth 6 fields)))))))))

(defun vterm--tramp-shell (method)
  "Return the shell `vterm-tramp-shells' names for METHOD, or nil.
METHOD is a TRAMP method name, or t for the entry of any method.
A `login-shell' entry asks the remote host (see
`vterm--remote-login-shell'), and gives its fallback if that fails."
  (let* ((spec (cdr (assoc method vterm-tramp-shells)))
         (shell (car spec)))
    ;; Also \='login-shell, as a configuration may quote it in a quoted list.
    (if (or (eq shell 'login-shell) (equal shell ''login-shell))
        (or (vterm--remote-login-shell) (cadr spec))
      shell)))

(defun vterm--shell ()
  "Return the shell command line for a new terminal here.
In a remote `default-directory' it is the one `vterm-tramp-shells'
gives for its method, or for any method (t); `vterm-shell' otherwise."
  (let ((method (ignore-errors (file-remote-p default-directory 'method))))
    (or (and method
             (or (vterm--tramp-shell method)
                 (vterm--tramp-shell t)))
        vterm-shell)))

(defalias 'vterm--get-shell #'vterm--shell
  "The name emacs-libvterm gives the function that picks the shell.")

(defalias 'vterm--tramp-get-shell #'vterm--tramp-shell
  "The name emacs-libvterm gives the function that reads `vterm-tramp-shells'.")

(defun vterm--posix-wrapper (cols rows &optional shell)
  "Return the command to run the shell in a COLS x ROWS tty.
It prepares the tty (sane modes, DEL as erase, size) first.  SHELL,
a command line or a list of program and arguments, is the shell;
nil means the one `vterm--shell' gives."
  (let ((shell (or shell (vterm--shell))))
    (list "/bin/sh" "-c"
          (format (concat "stty sane -nl iutf8 erase '^?' rows %d columns %d"
                          " 2>/dev/null; exec %s")
                  rows cols (if (consp shell)
                                (mapconcat #'shell-quote-argument shell " ")
                              shell)))))

(defun vterm--shell-integration (shell)
  "Return how to start SHELL with vterm's shell integration, or nil.
SHELL is a command line or a list of program and arguments.  The
value is (ARGV . ENVIRONMENT): the program and its arguments, and
\"VAR=VALUE\" strings to put before `process-environment', whose
ZDOTDIR, XDG_DATA_DIRS and ENV it keeps for the shell's start-up to
put back.  nil when `vterm-shell-integration' is nil, the directory
is remote, the script is missing, or SHELL is not bash, zsh, fish or
PowerShell with only arguments that leave its start-up files alone:
a login or interactive flag, and for PowerShell -NoLogo, -NoProfile
and -NoExit.  A command line with characters a POSIX shell would
expand is not looked at."
  (let* ((argv (cond ((consp shell) shell)
                     ((and (stringp shell)
                           (string-match-p "\\`[-+=/.,:@_[:alnum:] ]+\\'" shell))
                      (split-string shell)))))
    (when (and vterm-shell-integration argv
               (not (file-remote-p default-directory)))
      (let* ((prog (car argv))
             (args (cdr argv))
             (name (downcase (file-name-nondirectory prog)))
             (name (if (string-match "\\.exe\\'" name)
                       (substring name 0 (match-beginning 0))
                     name))
             (etc (expand-file-name "etc" vterm--lisp-directory))
             (windows (eq system-type 'windows-nt))
             (flags (lambda (allowed)
                      (cl-every (lambda (arg)
                                  (or (member arg allowed)
                                      (string-match-p "\\`-[il]+\\'" arg)))
                                args)))
             (have (lambda (file)
                     (file-readable-p (expand-file-name file etc)))))
        (cond
         ((and (equal name "bash") (not windows)
               (funcall flags '("--login"))
               (funcall have "emacs-vterm-bash-inject.sh")
               (funcall have "emacs-vterm-bash.sh"))
          (cons (append (list prog "--posix") args)
                (append (list (concat "ENV=" (expand-file-name
                                              "emacs-vterm-bash-inject.sh" etc))
                              "EMACS_VTERM_BASH_INJECT=1")
                        (and (getenv "ENV")
                             (list (concat "EMACS_VTERM_BASH_ENV="
                                           (getenv "ENV")))))))
         ((and (equal name "zsh") (not windows)
               (funcall flags '("--login" "--interactive"))
               (funcall have "zsh/.zshenv")
               (funcall have "emacs-vterm-zsh.sh"))
          (cons argv
                (cons (concat "ZDOTDIR=" (expand-file-name "zsh" etc))
                      (and (getenv "ZDOTDIR")
                           (list (concat "EMACS_VTERM_ZSH_ZDOTDIR="
                                         (getenv "ZDOTDIR")))))))
         ((and (equal name "fish") (not windows)
               (funcall flags '("--login" "--interactive"))
               (funcall have "xdg/fish/vendor_conf.d/emacs-vterm-inject.fish")
               (funcall have "emacs-vterm.fish"))
          (let ((dirs (getenv "XDG_DATA_DIRS")))
            (cons argv
                  (append (list (concat "XDG_DATA_DIRS="
                                        (expand-file-name "xdg" etc) ":"
                                        (if (member dirs '(nil ""))
                                            "/usr/local/share:/usr/share"
                                          dirs))
                                "EMACS_VTERM_FISH_INJECT=1")
                          (and dirs
                               (list (concat "EMACS_VTERM_FISH_XDG_DATA_DIRS="
                                             dirs)))))))
         ((and (member name '("pwsh" "powershell"))
               (cl-every (lambda (arg)
                           (member (downcase arg)
                                   '("-nologo" "-noprofile" "-noexit"
                                     "-login" "-l" "-interactive")))
                         args)
               (funcall have "emacs-vterm.ps1"))
          (list (append argv
                        (unless (member "-noexit" (mapcar #'downcase args))
                          '("-NoExit"))
                        (list "-Command"
                              (concat ". '"
                                      (replace-regexp-in-string
                                       "'" "''"
                                       (expand-file-name "emacs-vterm.ps1" etc)
                                       t t)
                                      "'"))))))))))

(defvar vterm--open-persistent nil
  "Non-nil while a command opens a persistent terminal.")

(defvar vterm--open-attach nil
  "While a command opens a terminal on a live session: (ID . TAKE-OVER).")

(defun vterm--start-process (cols rows)
  "Start the shell for the current buffer in a COLS x ROWS terminal.
In a persistent session (`vterm-persistent', `vterm--open-persistent',
`vterm--open-attach'), the process attaches to its session server,
started first unless the session exists."
  (let* ((process-environment (vterm--environment))
         (process-adaptive-read-buffering nil)
         (windows (eq system-type 'windows-nt))
         (shell (if windows (vterm--shell-argv) (vterm--shell)))
         (integration (vterm--shell-integration shell))
         (shell (if integration (car integration) shell))
         (process-environment (append (cdr integration) process-environment))
         (attach vterm--open-attach)
         (persistent (or attach vterm--open-persistent vterm-persistent))
         (use-proxy (or windows vterm-use-conpty-proxy persistent))
         (buffer (current-buffer))
         proc)
    (when (and (boundp 'read-process-output-max)
               (< (symbol-value 'read-process-output-max)
                  vterm-read-process-output-max))
      (set 'read-process-output-max vterm-read-process-output-max))
    (if use-proxy
        (let ((proxy (or (vterm--find-proxy)
                         (error "Cannot find conpty-proxy; %s"
                                "set `vterm-conpty-proxy-path'")))
              (id (if attach (car attach) (vterm--new-proxy-id)))
              (command (if windows shell (vterm--posix-wrapper cols rows shell)))
              (w32-pipe-buffer-size (* 64 1024)))
          (ignore w32-pipe-buffer-size)
          (when (and persistent (not attach))
            (vterm--session-serve id cols rows vterm-max-scrollback command))
          (setq proc (make-process
                      :name "vterm"
                      :buffer buffer
                      :command (if persistent
                                   (vterm--session-attach-command
                                    proxy id cols rows (cdr attach))
                                 (append (list proxy "new" id
                                               (number-to-string cols)
                                               (number-to-string rows))
                                         command))
                      :connection-type 'pipe
                      :coding 'binary
                      ;; Exiting Emacs only detaches a persistent session.
                      :noquery persistent
                      :filter #'vterm--filter
                      :sentinel #'vterm--sentinel))
          (setq vterm--proxy-id id
                vterm--session-id (and persistent id))
          ;; `desktop-save-mode' keeps persistent terminals only: a
          ;; plain one's shell ends with Emacs, as in emacs-libvterm.
          (when persistent
            (setq-local desktop-save-buffer #'vterm--desktop-save-misc)))
      (setq proc (make-process
                  :name "vterm"
                  :buffer buffer
                  :command (vterm--posix-wrapper cols rows shell)
                  ;; In a remote directory, TRAMP starts it there.
                  :file-handler t
                  :connection-type 'pty
                  :coding 'binary
                  :filter #'vterm--filter
                  :sentinel #'vterm--sentinel))
      (setq vterm--proxy-id nil))
    (process-put proc 'adjust-window-size-function
                 #'vterm--window-adjust-process-window-size)
    (setq vterm--process proc
          vterm--process-size (cons cols rows))
    proc))

(defun vterm--filter (process input)
  "Feed INPUT from PROCESS to its terminal and schedule a redraw."
  (let ((buffer (process-buffer process)))
    (when (buffer-live-p buffer)
      (with-current-buffer buffer
        (when vterm--term
          (vterm--quit-as-key
            (vterm--write-input vterm--term input))
          (vterm--invalidate)
          (vterm--watch-wakeup))
        (when (and vterm--proxy-id (not vterm--proxy-output-seen))
          (setq vterm--proxy-output-seen t)
          (vterm--reapply-size))))))

(defun vterm--sentinel (process event)
  "Handle EVENT of PROCESS: on exit, run `vterm-exit-functions' and clean up."
  (unless (process-live-p process)
    (let ((buffer (process-buffer process)))
      (when (buffer-live-p buffer)
        (with-current-buffer buffer
          (when vterm--redraw-timer
            (cancel-timer vterm--redraw-timer)
            (setq vterm--redraw-timer nil))
          (when vterm--resize-timer
            (cancel-timer vterm--resize-timer)
            (setq vterm--resize-timer nil))
          (when vterm--term
            (vterm--render))))
      ;; In the process's buffer, so that its local hook value counts.
      (if (buffer-live-p buffer)
          (with-current-buffer buffer
            (run-hook-with-args 'vterm-exit-functions buffer event))
        (run-hook-with-args 'vterm-exit-functions nil event))
      (when (buffer-live-p buffer)
        (with-current-buffer buffer
          (if vterm-kill-buffer-on-exit
              (let ((kill-buffer-query-functions nil))
                (kill-buffer buffer))
            ;; The buffer keeps the last screen as text; the terminal
            ;; (its parse thread, its state) goes now.
            (vterm--release)
            (vterm--report (format "Process %s %s%s" (process-name process)
                                   (string-trim event)
                                   (vterm--exit-explanation process)))))))))

(defvar-local vterm--session-end-action nil
  "What killing this buffer does to its persistent session: `end' or `detach'.
Set by `vterm--persistent-kill-query'; nil means
`vterm-persistent-kill-buffer-action' (`ask' counts as `detach').")

(defun vterm--persistent-kill-query ()
  "Before a persistent session's buffer is killed, choose end or detach.
On `kill-buffer-query-functions': asks when
`vterm-persistent-kill-buffer-action' says so.  Always returns t."
  (when (and vterm--session-id (process-live-p vterm--process)
             (not vterm--session-end-action))
    (setq vterm--session-end-action
          (if (eq vterm-persistent-kill-buffer-action 'ask)
              (if (and (not noninteractive)
                       (y-or-n-p (format "End session %s (no: detach)? "
                                         vterm--session-id)))
                  'end
                'detach)
            vterm-persistent-kill-buffer-action)))
  t)

;; Global, not buffer-local: a local value would keep the default
;; functions (and their questions) from a caller binding the variable.
(add-hook 'kill-buffer-query-functions #'vterm--persistent-kill-query)

(defun vterm--kill-buffer-hook ()
  "Stop the process of a vterm buffer being killed, politely.
A proxy is told by end of input (it then hangs up the shell); it
is killed if it is still there a few seconds later.  A persistent
session is ended first when `vterm--session-end-action' says so;
otherwise the end of input only detaches from it."
  (let ((proc vterm--process))
    (when (and vterm--session-id (process-live-p proc)
               (eq vterm--session-end-action 'end))
      (vterm--session-kill vterm--session-id))
    (when (and vterm--proxy-id (process-live-p proc))
      (set-process-buffer proc nil)
      (set-process-query-on-exit-flag proc nil)
      (condition-case nil
          (process-send-eof proc)
        (error nil))
      (run-with-timer 3 nil (lambda ()
                              (when (process-live-p proc)
                                (delete-process proc)))))
    (dolist (timer (list vterm--redraw-timer vterm--resize-timer
                         vterm--height-timer))
      (when timer (cancel-timer timer)))
    (vterm--release)))

;;;; The mode

(define-derived-mode vterm-mode fundamental-mode "VTerm"
  "Major mode for vterm buffers: a terminal running a shell.
Most keys go to the terminal; `vterm-keymap-exceptions' keep their
Emacs meaning.  \\<vterm-mode-map>\\[vterm-copy-mode] enters copy mode.

\\{vterm-mode-map}"
  (vterm--load-module)
  (buffer-disable-undo)
  ;; A .dir-locals.el may set `vterm-environment' for the terminals
  ;; started under it (only that variable is taken from it).
  (hack-dir-local-variables)
  (let ((env (assq 'vterm-environment dir-local-variables-alist)))
    (when env
      (setq-local vterm-environment (cdr env))))
  (add-hook 'change-major-mode-hook #'vterm--refuse-major-mode-change nil t)
  ;; The marks as the option is now: it may have been set with setq
  ;; after vterm was loaded, which its :set does not see.
  (vterm--set-exit-status-marks 'vterm-exit-status-marks
                                vterm-exit-status-marks)
  (when (eq vterm-exit-status-marks 'margin)
    ;; Before the size is taken; windows already showing the buffer
    ;; (`vterm' shows it first) get the margin too.
    (setq-local left-margin-width 1)
    (dolist (window (get-buffer-window-list nil nil t))
      (set-window-margins window left-margin-width right-margin-width)))
  (let* ((window (or (get-buffer-window (current-buffer))
                     (selected-window)))
         (size (vterm--window-size (list window)))
         (cols (car size))
         (rows (cdr size))
         (inhibit-read-only t))
    (erase-buffer)
    (setq vterm--size size)
    (setq vterm--term (vterm--new rows cols vterm-max-scrollback
                                  vterm-disable-bold-font
                                  vterm-disable-underline
                                  vterm-disable-inverse-video
                                  vterm-ignore-blink-cursor
                                  vterm-set-bold-highbright))
    (vterm--tell-query-colors)
    (setq buffer-read-only t)
    (setq-local scroll-conservatively 101)
    (setq-local scroll-margin 0)
    (setq-local hscroll-margin 0)
    (setq-local hscroll-step 1)
    (setq-local truncate-lines t)
    (setq-local auto-hscroll-mode nil)
    (setq-local show-trailing-whitespace nil)
    (setq-local bookmark-make-record-function #'vterm--bookmark-make-record)
    (vterm-links-setup)
    (add-function :around (local 'filter-buffer-substring-function)
                  #'vterm--buffer-substring-filter)
    (setq next-error-function #'vterm-next-error-function)
    (add-hook 'kill-buffer-hook #'vterm--kill-buffer-hook nil t)
    (dolist (hook '(text-scale-mode-hook display-line-numbers-mode-hook))
      (add-hook hook #'vterm--resize-to-windows-soon nil t))
    (vterm--start-parse-thread-maybe #'vterm--draw-parsed)
    (vterm--nudge-connect)
    (vterm--start-process cols rows)))

(defun vterm--refuse-major-mode-change ()
  "Refuse to leave `vterm-mode' while the terminal's process is alive.
On `change-major-mode-hook': another major mode would drop the
terminal's state while its shell goes on running, with nothing to
show its output; once the process has ended the mode may change."
  (when (and (derived-mode-p 'vterm-mode) (process-live-p vterm--process))
    (user-error "Cannot change the major mode of a running vterm buffer")))

(add-hook 'window-size-change-functions #'vterm--window-size-change)

(defun vterm--get-buffer (arg)
  "Return the vterm buffer chosen by prefix ARG, creating it if needed.
No ARG: the buffer named `vterm-buffer-name'.  A number N: the
buffer \"<name><N>\".  A string: a new buffer of that name.  Any
other ARG: a new buffer."
  (cond
   ((integerp arg)
    (get-buffer-create (format "%s<%d>" vterm-buffer-name arg)))
   ((stringp arg) (generate-new-buffer arg))
   (arg (generate-new-buffer vterm-buffer-name))
   (t (get-buffer-create vterm-buffer-name))))

(defun vterm--open (arg display)
  "Open the vterm buffer for ARG with DISPLAY, a function of one buffer."
  ;; Before any buffer is made: without the module, say so (or build
  ;; it) instead of leaving an empty buffer in `vterm-mode'.
  (vterm--load-module)
  (let ((buffer (vterm--get-buffer arg)))
    (funcall display buffer)
    (with-current-buffer buffer
      (unless (derived-mode-p 'vterm-mode)
        (vterm-mode)))
    buffer))

;;;###autoload
(defun vterm (&optional arg)
  "Open a terminal in the current window, or switch to it.
With a numeric prefix ARG N, use the terminal <N>; with
\\[universal-argument], always open a new one.  ARG may also be a
string, the name of a new buffer.  Return the buffer."
  (interactive "P")
  (vterm--open (if (consp arg) t arg) #'pop-to-buffer-same-window))

;;;###autoload
(defun vterm-other-window (&optional arg)
  "Open a terminal in another window, as `vterm' does with ARG.
The buffer is shown with `pop-to-buffer': a window already showing
it (the selected one included) is reused, as in emacs-libvterm."
  (interactive "P")
  (vterm--open (if (consp arg) t arg) #'pop-to-buffer))

(defun vterm-persistent (&optional arg)
  "Open a new terminal in a persistent session, in the current window.
Its shell outlives Emacs; \[vterm-detach] leaves it and
\[vterm-attach] comes back to it.  ARG names the buffer as for
`vterm', but a new terminal is always opened.  Return the buffer."
  (interactive "P")
  (let ((vterm--open-persistent t))
    (vterm--open (if (or (consp arg) (null arg)) t arg)
                 #'pop-to-buffer-same-window)))

(defun vterm-detach ()
  "Detach from this buffer's persistent session and kill the buffer.
The shell goes on running; \[vterm-attach] shows it again."
  (interactive)
  (unless vterm--session-id
    (user-error "This terminal is not a persistent session"))
  (setq vterm--session-end-action 'detach)
  (kill-buffer))

(defun vterm--session-description (session)
  "Return a line describing SESSION, a plist of `vterm--session-list'."
  (format "%s  %s  %dx%d  %s, started %s%s"
          (plist-get session :id) (plist-get session :program)
          (plist-get session :cols) (plist-get session :rows)
          (if (plist-get session :attached) "attached" "detached")
          (format-time-string "%F %T" (plist-get session :start))
          (let ((title (plist-get session :title)))
            (if (string-empty-p title) "" (concat "  " title)))))

(defun vterm--read-session (prompt)
  "Read a live persistent session with completion, with PROMPT.
Return its plist (see `vterm--session-list')."
  (let* ((sessions (or (vterm--session-list)
                       (user-error "No persistent sessions")))
         (table (mapcar (lambda (s) (cons (vterm--session-description s) s))
                        sessions))
         (choice (completing-read prompt table nil t)))
    (cdr (assoc choice table))))

(defun vterm-attach (id &optional take-over)
  "Open a terminal on persistent session ID, showing it as it is now.
Interactively, choose among the live sessions of this user.  A
session attached elsewhere is taken over when TAKE-OVER is non-nil
\(interactively: after asking).  Return the buffer."
  (interactive
   (let ((session (vterm--read-session "Attach to session: ")))
     (list (plist-get session :id)
           (and (plist-get session :attached)
                (or (y-or-n-p "Attached elsewhere; take it over? ")
                    (user-error "Not attached"))))))
  (vterm--attach-as id t #'pop-to-buffer-same-window take-over))

(defun vterm--attach-as (id arg display &optional take-over)
  "Open a terminal on persistent session ID and return its buffer.
ARG names the buffer as for `vterm--get-buffer'; DISPLAY, a function
of one buffer, shows it.  TAKE-OVER as for `vterm-attach'."
  (let ((vterm--open-attach (cons id take-over)))
    (vterm--open arg display)))

(defun vterm--live-session (id)
  "Return the plist of live persistent session ID (see `vterm--session-list')."
  (cl-find id (vterm--session-list)
           :key (lambda (s) (plist-get s :id)) :test #'equal))

(defun vterm--session-buffer (id)
  "Return the buffer of this Emacs attached to session ID, or nil."
  (cl-find-if (lambda (b)
                (and (equal (buffer-local-value 'vterm--session-id b) id)
                     (process-live-p (get-buffer-process b))))
              (buffer-list)))

(defun vterm-kill-session (id)
  "End persistent session ID and its shell.
Interactively, choose among the live sessions of this user."
  (interactive
   (list (plist-get (vterm--read-session "End session: ") :id)))
  (unless (vterm--session-kill id)
    (user-error "Cannot end session %s" id))
  (message "Session %s ended" id))

(defun vterm--internal (display &optional arg)
  "Open the vterm buffer for prefix ARG, shown with DISPLAY; return it.
emacs-libvterm's name for what `vterm' and `vterm-other-window' do;
packages call it with their own DISPLAY function of one buffer."
  (vterm--open (if (consp arg) t arg) display))

;;;; Clearing and point

(defun vterm-clear-scrollback ()
  "Delete the scrollback."
  (interactive)
  (when vterm--term
    (vterm--clear-scrollback vterm--term)
    (let ((inhibit-read-only t))
      (vterm--render))))

(defun vterm-clear (&optional arg)
  "Clear the screen, as Control-l does in the shell.
With `vterm-clear-scrollback-when-clearing' (or prefix ARG when it
is nil), also clear the scrollback."
  (interactive "P")
  (when (if vterm-clear-scrollback-when-clearing (not arg) arg)
    (vterm-clear-scrollback))
  (vterm-send-key "l" nil nil t))

(defun vterm-reset-cursor-point ()
  "Move point back to the terminal's cursor."
  (interactive)
  (when vterm--term
    (vterm--reset-point vterm--term)))

;;;; Prompts

(defun vterm--prompt-end-at (pos)
  "Return the end of the prompt on the line at POS, or nil."
  (save-excursion
    (goto-char pos)
    (let ((bol (line-beginning-position))
          (eol (line-end-position)))
      (if vterm-use-vterm-prompt-detection-method
          (let ((p (text-property-any bol eol 'vterm-prompt t)))
            (when p
              (or (next-single-property-change p 'vterm-prompt nil eol) eol)))
        (goto-char bol)
        (when (and (boundp 'term-prompt-regexp)
                   (looking-at (symbol-value 'term-prompt-regexp)))
          (match-end 0))))))

(defun vterm-next-prompt (n)
  "Move point to the end of the Nth next prompt."
  (interactive "p")
  (let ((found nil))
    (dotimes (_ (max n 1))
      (while (and (not (eobp))
                  (progn (forward-line 1)
                         (not (setq found (vterm--prompt-end-at (point)))))))
      (when found (goto-char found)))))

(defun vterm-previous-prompt (n)
  "Move point to the end of the Nth previous prompt."
  (interactive "p")
  (let ((found nil))
    (dotimes (_ (max n 1))
      (while (and (not (bobp))
                  (progn (forward-line -1)
                         (not (setq found (vterm--prompt-end-at (point)))))))
      (when found (goto-char found)))))

;;;; Command output blocks

(defun vterm--prompt-ends ()
  "Return where each marked prompt of the buffer ends, first to last."
  (let ((pos (point-min)) (ends nil))
    (while (setq pos (text-property-any pos (point-max) 'vterm-prompt t))
      (setq pos (or (next-single-property-change pos 'vterm-prompt)
                    (point-max)))
      (push pos ends))
    (nreverse ends)))

(defun vterm--prompt-start (end)
  "Return where the prompt ending at END begins.
A prompt over several lines (OSC 133;A said where it began) begins
on the first of them."
  (save-excursion
    (goto-char end)
    (forward-line (- (or (get-text-property (1- end) 'vterm-prompt-lines)
                         0)))
    (point)))

(defun vterm--output-blocks ()
  "Return the output of each command that a prompt followed.
A list of (START . END), first to last: from the line after the
command line to the end of the line before the next prompt.
Commands that printed nothing are left out."
  (let ((ends (vterm--prompt-ends)) (blocks nil))
    (while (cdr ends)
      (let ((start (save-excursion
                     (goto-char (car ends))
                     (goto-char (vterm--logical-line-end))
                     (forward-line 1)
                     (point)))
            (end (1- (vterm--prompt-start (cadr ends)))))
        (when (< start end)
          (push (cons start end) blocks)))
      (setq ends (cdr ends)))
    (nreverse blocks)))

(defun vterm-copy-last-output ()
  "Copy the output of the last command that has ended to the kill ring.
The command is the one before the last prompt; its output runs from
the line after its command line to the next prompt.  Prompts are the
ones the shell marks (OSC 133 or 51;A, see `vterm-next-prompt')."
  (interactive)
  (let ((block (car (last (vterm--output-blocks)))))
    (unless block
      (user-error "No output of a command between two prompts"))
    (kill-new (substring-no-properties
               (vterm--filter-buffer-substring (car block) (cdr block))))
    (message "Copied %d lines of output"
             (count-lines (car block) (cdr block)))))

(defun vterm-next-output (n)
  "Move point to the start of the Nth next command output.
Outputs are what commands printed between two prompts (see
`vterm-copy-last-output').  With a negative N, move back."
  (interactive "p")
  (let* ((starts (mapcar #'car (vterm--output-blocks)))
         (after (if (>= n 0)
                    (cl-remove-if-not (lambda (s) (> s (point))) starts)
                  (reverse (cl-remove-if-not (lambda (s) (< s (point)))
                                             starts))))
         (target (nth (1- (max 1 (abs n))) after)))
    (if target
        (goto-char target)
      (user-error "No %s command output" (if (>= n 0) "next" "previous")))))

(defun vterm-previous-output (n)
  "Move point to the start of the Nth previous command output.
See `vterm-next-output'."
  (interactive "p")
  (vterm-next-output (- n)))

(defun vterm-beginning-of-line ()
  "Move point to the start of the line, after the prompt if there is one.
A line the terminal wrapped counts as one: its start is on the first
row."
  (interactive)
  (let* ((bol (vterm--logical-line-beginning))
         (end (vterm--prompt-end-at bol)))
    (if (and end (> (point) end))
        (goto-char end)
      (goto-char bol))))

(defun vterm-end-of-line ()
  "Move point to the end of the line, across wraps; return the new point."
  (interactive)
  (goto-char (vterm--logical-line-end)))

;; The functions below have the names and meaning emacs-libvterm gives
;; them: evil-collection's vterm bindings (I A x X d D c C s S ^ $) and
;; other packages are built on them.

(defun vterm--get-beginning-of-line (&optional pos)
  "Return where the line at POS (default: point) begins, across wraps.
A line the terminal wrapped over several rows begins on its first row."
  (save-excursion
    (when pos (goto-char pos))
    (vterm--logical-line-beginning)))

(defun vterm--get-end-of-line (&optional pos)
  "Return where the line at POS (default: point) ends, across wraps.
A line the terminal wrapped over several rows ends on its last row."
  (save-excursion
    (when pos (goto-char pos))
    (vterm--logical-line-end)))

(defun vterm--prompt-tracking-enabled-p ()
  "Return non-nil if the shell integration has marked a prompt here.
The scripts in etc/ mark where each prompt ends; without them
prompts are found with `term-prompt-regexp'."
  (and (text-property-not-all (point-min) (point-max) 'vterm-prompt nil) t))

(defun vterm--get-prompt-point ()
  "Return the end of the prompt of the line at point: its command's start.
The prompt is the last one that ends on this line (wrapped rows count
as one line) or before it.  Prompts are the marked ones when
`vterm-use-vterm-prompt-detection-method' is on and the shell marks
them (see `vterm--prompt-tracking-enabled-p'); then nil if no prompt
ends before.  Otherwise the last match of `term-prompt-regexp', or,
with no match, the beginning of the line."
  (let ((eol (vterm--get-end-of-line)))
    (if (and vterm-use-vterm-prompt-detection-method
             (vterm--prompt-tracking-enabled-p))
        (if (and (> eol (point-min)) (get-text-property (1- eol) 'vterm-prompt))
            ;; The line ends within a prompt: the command is empty.
            eol
          ;; Where the last run of prompt text before EOL stops.
          (let ((end (previous-single-property-change eol 'vterm-prompt)))
            (and end (> end (point-min))
                 (get-text-property (1- end) 'vterm-prompt)
                 end)))
      (save-excursion
        (goto-char eol)
        (if (and (boundp 'term-prompt-regexp)
                 (re-search-backward (symbol-value 'term-prompt-regexp) nil t))
            (match-end 0)
          (vterm--get-beginning-of-line))))))

(defun vterm--at-prompt-p ()
  "Return non-nil if point is at the end of the prompt of its line."
  (eql (point) (vterm--get-prompt-point)))

(defun vterm--get-cursor-point ()
  "Return the buffer position of the terminal's cursor, or nil."
  (when vterm--term
    (vterm--cursor-position)))

(defun vterm-cursor-in-command-buffer-p (&optional pos)
  "Non-nil if POS is in the command being typed at the prompt.
That is: POS (default: the terminal's cursor) is at or after the end
of the prompt on the cursor's line (see `vterm--get-prompt-point');
nil when there is no prompt there."
  (when vterm--term
    (save-excursion
      (vterm-reset-cursor-point)
      (let ((prompt (vterm--get-prompt-point)))
        (and prompt
             (<= prompt (or pos (vterm--get-cursor-point)))
             t)))))

(defun vterm-mouse-set-point (event &optional promote-to-region)
  "Set point where mouse EVENT clicked, as `mouse-set-point' does.
A click below the terminal's text (nothing but blanks after it)
puts point back on the cursor instead.  PROMOTE-TO-REGION is passed
on."
  (interactive "e\np")
  (mouse-set-point event promote-to-region)
  (when (and vterm--term
             (not (bound-and-true-p vterm-copy-mode))
             (save-excursion (skip-chars-forward " \t\n") (eobp)))
    (vterm-reset-cursor-point)))

;;;; Copy mode

(define-minor-mode vterm-copy-mode
  "Browse and copy the terminal's text like a normal buffer.
\\<vterm-copy-mode-map>\\[vterm-copy-mode-done] copies the region (or
the current line) and leaves copy mode.  The terminal is not
redrawn while copy mode is on."
  :lighter " VTermCopy"
  :keymap vterm-copy-mode-map
  (if (not (derived-mode-p 'vterm-mode))
      (progn (setq vterm-copy-mode nil)
             (user-error "Vterm-copy-mode works in vterm buffers only"))
    (if vterm-copy-mode
        (progn
          (when vterm--term
            ;; All the output so far, scrollback a redraw left included,
            ;; with the view where the user scrolled it.
            (vterm--render nil t))
          (setq vterm--copy-saved-point (point))
          (use-local-map nil)
          (when vterm-copy-mode-remove-fake-newlines
            (vterm--set-fake-newlines-invisible t)))
      (use-local-map vterm-mode-map)
      (when vterm-copy-mode-remove-fake-newlines
        (vterm--set-fake-newlines-invisible nil))
      (when vterm--term
        (vterm--invalidate)))))

(defun vterm--buffer-substring-filter (filter start end delete)
  "Copy START..END with FILTER, without wrapping newlines when asked.
An `:around' advice of `filter-buffer-substring-function' in vterm
buffers, so \\[kill-ring-save] copies what \\[vterm-copy-mode-done] does;
DELETE is passed on."
  (if (or delete (not vterm-copy-mode-remove-fake-newlines))
      (funcall filter start end delete)
    (vterm--filter-buffer-substring start end)))

(defun vterm--set-fake-newlines-invisible (on)
  "Make the newlines the terminal added for wrapping invisible if ON."
  (let ((inhibit-read-only t)
        (pos (point-min)))
    (while (setq pos (text-property-any pos (point-max) 'vterm-line-wrap t))
      (put-text-property pos (1+ pos) 'invisible (and on t))
      (setq pos (1+ pos)))))

(defun vterm--wrapped-newline-p (pos)
  "Non-nil if the newline at POS was added by the terminal to wrap a line."
  (and (eq (char-after pos) ?\n) (get-text-property pos 'vterm-line-wrap)))

(defun vterm--logical-line-beginning ()
  "Return where the line at point begins, across wrapping newlines."
  (save-excursion
    (beginning-of-line)
    (while (and (not (bobp)) (vterm--wrapped-newline-p (1- (point))))
      (forward-line -1))
    (point)))

(defun vterm--logical-line-end ()
  "Return where the line at point ends, across wrapping newlines."
  (save-excursion
    (end-of-line)
    (while (and (not (eobp)) (vterm--wrapped-newline-p (point)))
      (forward-char 1)
      (end-of-line))
    (point)))

(defun vterm--filter-buffer-substring (start end)
  "Return the text from START to END without wrapping newlines, if asked."
  (let ((text (buffer-substring start end)))
    (if (not vterm-copy-mode-remove-fake-newlines)
        text
      ;; From wrap mark to wrap mark, not character by character.
      (let ((parts nil) (from 0) (i 0) (len (length text)))
        (while (setq i (text-property-any i len 'vterm-line-wrap t text))
          (when (eq (aref text i) ?\n)
            (push (substring text from i) parts)
            (setq from (1+ i)))
          (setq i (1+ i)))
        (push (substring text from) parts)
        (apply #'concat (nreverse parts))))))

(defun vterm-copy-mode-done (&optional arg)
  "Copy the region, or the current line, to the kill ring; leave copy mode.
Without a region the whole line is copied, joined across the newlines
the terminal added to wrap it; `vterm-copy-exclude-prompt' says whether
its prompt is left out, and a prefix ARG inverts that for this call."
  (interactive "P")
  (unless vterm-copy-mode
    (user-error "This command is effective only in vterm-copy-mode"))
  (let (start end)
    (if (use-region-p)
        (setq start (region-beginning) end (region-end))
      (setq start (vterm--logical-line-beginning) end (vterm--logical-line-end))
      (when (if arg (not vterm-copy-exclude-prompt) vterm-copy-exclude-prompt)
        (let ((prompt-end (vterm--prompt-end-at start)))
          (when prompt-end (setq start prompt-end)))))
    (kill-new (substring-no-properties
               (vterm--filter-buffer-substring start end)))
    (deactivate-mark)
    (vterm-copy-mode -1)))

;;;; next-error

(declare-function compilation-next-error-function "compile" (n &optional reset))

;;;###autoload
(defun vterm-next-error-function (n &optional reset)
  "Visit the Nth next error message (previous if N is negative).
The `next-error-function' of vterm buffers (also with
`compilation-shell-minor-mode'): file names are relative to the
directory the shell reported for the line, not to the buffer's
current one.  RESET starts from the first error."
  (interactive "p")
  (require 'compile)
  (let ((default-directory (or (vterm--get-pwd) default-directory)))
    (compilation-next-error-function n reset)))

(defun vterm--compilation-setup ()
  "Keep `vterm-next-error-function' in vterm buffers.
`compilation-shell-minor-mode' sets its own `next-error-function'."
  (when (derived-mode-p 'vterm-mode)
    (setq next-error-function #'vterm-next-error-function)))

(add-hook 'compilation-shell-minor-mode-hook #'vterm--compilation-setup)

;;;; Bookmarks

(declare-function bookmark-prop-get "bookmark" (bookmark prop))
(declare-function bookmark-make-record-default "bookmark"
                  (&optional no-file no-context posn))

(defun vterm--bookmark-make-record ()
  "Return a bookmark record for this terminal.
A persistent terminal's record names its session too."
  (append (list (buffer-name)
                (cons 'thisdir default-directory)
                (cons 'buf-name (buffer-name))
                (cons 'handler #'vterm--bookmark-handler))
          (and vterm--session-id
               (list (cons 'vterm-session vterm--session-id)))))

(defun vterm--bookmark-session-buffer (id name)
  "Return a buffer on persistent session ID, attaching one named NAME.
The buffer of this Emacs already on it, if any; otherwise a new one
\(after asking to take over a session attached elsewhere).  Signal a
`user-error' when the session has ended."
  (or (vterm--session-buffer id)
      (let ((session (or (vterm--live-session id)
                         (user-error "Session %s of %s has ended" id name))))
        (vterm--attach-as id name #'ignore
                          (and (plist-get session :attached)
                               (or (y-or-n-p (format "Session %s is attached \
elsewhere; take it over? " id))
                                   (user-error "Not attached")))))))

;;;###autoload
(defun vterm-bookmark-handler (bookmark)
  "Go to the terminal saved in BOOKMARK, or open one there.
A persistent terminal's bookmark goes to its session: the buffer on
it, or a new buffer attached to it (a session that has ended is an
error).  Otherwise a live vterm buffer of the bookmarked name is
reused, or a new terminal starts in the bookmarked directory (a buffer
of that name in another mode is left alone).  With
`vterm-bookmark-check-dir', a reused terminal (not a session's) whose
shell is elsewhere is sent a cd."
  (require 'bookmark)
  (let* ((dir (bookmark-prop-get bookmark 'thisdir))
         (name (bookmark-prop-get bookmark 'buf-name))
         (session (bookmark-prop-get bookmark 'vterm-session))
         (buffer (if session
                     (vterm--bookmark-session-buffer session name)
                   (get-buffer name))))
    (if (and buffer (with-current-buffer buffer (derived-mode-p 'vterm-mode)))
        (with-current-buffer buffer
          (when (and vterm-bookmark-check-dir dir (not session)
                     (not (string-equal (file-name-as-directory default-directory)
                                        (file-name-as-directory dir))))
            (when (bound-and-true-p vterm-copy-mode)
              (vterm-copy-mode -1))
            (vterm-send-string (concat "cd " (shell-quote-argument
                                              (or (file-remote-p dir 'localname)
                                                  dir))))
            (vterm-send-return)))
      (setq buffer (generate-new-buffer name))
      (with-current-buffer buffer
        (when dir
          (setq default-directory dir))
        (vterm-mode)))
    (set-buffer buffer)))

;; The name emacs-libvterm stores in bookmark files.
;;;###autoload
(defalias 'vterm--bookmark-handler #'vterm-bookmark-handler)

;;;; Desktop

;; `desktop-save-mode' saves the buffers whose `desktop-save-buffer' is
;; set: persistent terminals (see `vterm--start-process').  Reading the
;; desktop loads vterm.el for `vterm-mode' and calls the handler below.

(defvar desktop-save-buffer)
(defvar desktop-buffer-mode-handlers)

(defun vterm--desktop-save-misc (_desktop-dirname)
  "Return the list of this terminal's session id, for its desktop entry."
  (list vterm--session-id))

(defun vterm--desktop-restore (_file-name buffer-name misc)
  "Reattach the persistent terminal BUFFER-NAME a desktop kept.
MISC is the list `vterm--desktop-save-misc' made.  Return the buffer,
or nil after a message when the session has ended or is attached
elsewhere (\[vterm-attach] can take it over)."
  (let* ((id (car misc))
         (session (and id (vterm--live-session id))))
    (cond
     ((null session)
      (message "vterm: session %s of %s has ended; not restored" id buffer-name)
      nil)
     ((vterm--session-buffer id))
     ((plist-get session :attached)
      (message "vterm: session %s of %s is attached elsewhere; not restored"
               id buffer-name)
      nil)
     (t (vterm--attach-as id buffer-name #'ignore)))))

;; Preloaded (desktop.el autoloads it), so bound before desktop is.
(add-to-list 'desktop-buffer-mode-handlers
             '(vterm-mode . vterm--desktop-restore))

;;;; Other names of emacs-libvterm

;; Every public name of emacs-libvterm's vterm.el exists here, so that
;; configurations and packages written for it load and work (the test
;; vterm-compat-upstream-names checks them).  Of its internal names
;; (vterm--...), those that packages and configurations call are
;; defined (`vterm--get-prompt-point', `vterm--get-end-of-line',
;; `vterm--get-beginning-of-line', `vterm--at-prompt-p',
;; `vterm--get-cursor-point', `vterm--prompt-tracking-enabled-p',
;; `vterm--get-shell', `vterm--internal', `vterm--get-directory',
;; `vterm--get-color', `vterm--bookmark-handler', ...).  Left out, as
;; parts of its implementation that nothing outside it uses, or that
;; have no counterpart here:
;; - state of its renderer and copy mode: `vterm--linenum-remapping',
;;   `vterm--undecoded-bytes', `vterm--copy-mode-fake-newlines',
;;   `vterm--insert-function', `vterm--delete-char-function',
;;   `vterm--delete-region-function' (its evil advice hooks), the
;;   variable `vterm--prompt-tracking-enabled-p' (a cache; the
;;   function of that name is defined);
;; - callbacks of its module, whose interface differs from this one's:
;;   `vterm--delete-lines', `vterm--goto-line', `vterm--forward-char',
;;   `vterm--backward-char', `vterm--delete-region', `vterm--insert',
;;   `vterm--delete-char', `vterm--get-margin-width',
;;   `vterm--text-scale-mode', `vterm--selection-clipboard',
;;   `vterm--selection-primary';
;; - steps of its copy mode and key handling: `vterm--enter-copy-mode',
;;   `vterm--exit-copy-mode', `vterm--remove-fake-newlines',
;;   `vterm--reinsert-fake-newlines', `vterm--self-insert-meta',
;;   `vterm--translate-event-to-args';
;; - `vterm-module--cmake-is-available': the module is built with make.

(defvar vterm-color-palette
  [vterm-color-black vterm-color-red vterm-color-green vterm-color-yellow
   vterm-color-blue vterm-color-magenta vterm-color-cyan vterm-color-white
   vterm-color-bright-black vterm-color-bright-red vterm-color-bright-green
   vterm-color-bright-yellow vterm-color-bright-blue
   vterm-color-bright-magenta vterm-color-bright-cyan
   vterm-color-bright-white]
  "The faces of the 16 named colours, by colour number (0 to 15).
Text in colour N takes the foreground (or, for its cells, the
background) of face N.  The faces vterm-color-black ...
vterm-color-bright-white are the usual way to change a colour; this
vector swaps in other faces.  A value that is not a vector of 16
faces is ignored.")

(defun vterm--get-color (index &rest args)
  "Return the colour of number INDEX (0 to 15), a colour name.
INDEX -1 is the default colour.  ARGS may hold `:foreground' (the
foreground of the face, else its background), `:underline' and
`:inverse-video' (the default colour of such cells comes from
`vterm-color-underline' and `vterm-color-inverse-video')."
  (let ((fg (memq :foreground args)))
    (funcall (if fg #'face-foreground #'face-background)
             (cond ((and (integerp index) (<= 0 index 15))
                    (aref vterm-color-palette index))
                   ((and (eql index -1) fg (memq :underline args))
                    'vterm-color-underline)
                   ((and (eql index -1) (not fg) (memq :inverse-video args))
                    'vterm-color-inverse-video)
                   (t 'default))
             nil 'default)))

(defun vterm--get-directory (report)
  "Return the directory a shell's REPORT names, or nil.
Like `vterm--directory-from-report', but a local directory that does
not exist gives nil.  A remote one is not checked: that would open a
connection (and wait for it) at every prompt."
  (let ((dir (and report (vterm--directory-from-report report))))
    (and dir (or (file-remote-p dir) (file-directory-p dir)) dir)))

(defconst vterm-control-seq-regexp
  (concat
   ;; Control characters a terminal acts on.
   "[\0\a\b\t\n\r\016\017]\\|"
   "\e\\(?:"
   ;; CSI: parameters, intermediates, final byte.
   "\\[[0-?]*[ -/]*[@-~]\\|"
   ;; OSC, ended by BEL or ST.
   "\\][^\a\e]*\\(?:\a\\|\e\\\\\\)\\|"
   ;; Other escape sequences: intermediates, final byte.
   "[ -/]*[0-~]\\)")
  "Regexp matching one control sequence in terminal output.
libvterm parses the output here; this is for code written for
emacs-libvterm, whose process filter used such a regexp.")

(defconst vterm-control-seq-prefix-regexp "[\032\e]"
  "Regexp matching what starts a control sequence not complete yet.")

(defmacro vterm-define-key (key)
  "Define the command vterm-send-KEY, which sends KEY to the terminal.
KEY is a string of modifier prefixes (C-, M-, S-), then one
character; a capital letter means shift."
  (let ((char (substring key -1))
        (case-fold-search nil))
    `(vterm--define-sender ,(intern (concat "vterm-send-" key)) ,char
                           ,(and (or (string-match-p "S-" key)
                                     (string-match-p "[A-Z]\\'" key))
                                 t)
                           ,(and (string-match-p "M-" key) t)
                           ,(and (string-match-p "C-" key) t))))
(make-obsolete 'vterm-define-key 'vterm-send-key "0.1.0")

;;;; Loading the module

;; As in emacs-libvterm, the module is loaded with this file: code
;; written for it calls `vterm--new' and the other functions of the
;; module after (require 'vterm).  A missing module is built if
;; `vterm-always-compile-module' says so or the user agrees.  If it
;; cannot be loaded, requiring vterm still succeeds, with a message;
;; M-x vterm then offers to build it again, or says what is wrong.
;; (Byte-compiling this file does not run this.)
(condition-case err
    (vterm--load-module)
  (error (message "vterm: %s" (error-message-string err))))

(provide 'vterm)

;;; vterm.el ends here

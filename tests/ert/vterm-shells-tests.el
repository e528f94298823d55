;;; vterm-shells-tests.el --- The shell integration scripts, for real -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by tests/ert/run.el.  Each script in lisp/etc/ that a Debian
;; machine can run (bash, zsh, fish; make deps installs them) is
;; sourced into its shell in a real terminal, on the native pty and
;; through conpty-proxy, and must give: directory tracking, prompt
;; marks, the title, vterm_cmd and a clear that drops the scrollback.
;; The PowerShell script cannot run here; its test checks it carries
;; the same escape sequences.
;;
;; The integration vterm sets up itself (`vterm-shell-integration'):
;; plain bash, zsh and fish (and bash -l) in a temporary HOME whose own
;; start-up files set a variable, an alias and a prompt must run those
;; files and give directory tracking and prompt marks from the first
;; prompt on; with the option nil, the files run and nothing more.
;; Which command lines are started how (PowerShell's too) is checked
;; on `vterm--shell-integration' itself.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'vterm)
(require 'vterm-tests)

(defconst vterm-shells-test-shells
  '((bash "bash --norc --noprofile" "emacs-vterm-bash.sh"
          ". %s")
    (zsh "zsh -f" "emacs-vterm-zsh.sh"
         "PS1='$ '; . %s")
    (fish "fish --no-config" "emacs-vterm.fish"
          "function fish_prompt; printf '$ '; end; source %s"))
  "For each shell: its command line, its script and how it is sourced.
The source command also sets the prompt to \"$ \" first.")

(defmacro vterm-shells-test-with (spec &rest body)
  "Run BODY with a terminal running a shell with its integration script.
SPEC is (VAR SHELL USE-PROXY): VAR is bound to the buffer, SHELL names
an entry of `vterm-shells-test-shells'."
  (declare (indent 1))
  (let ((var (nth 0 spec)) (shell (nth 1 spec)) (use-proxy (nth 2 spec))
        (entry (make-symbol "entry")))
    `(let* ((,entry (assq ,shell vterm-shells-test-shells))
            (process-environment (vterm-test-environment))
            (vterm-shell (nth 1 ,entry))
            (vterm-use-conpty-proxy ,use-proxy)
            (vterm-conpty-proxy-path vterm-test-proxy)
            (,var (progn
                    (should (executable-find (car (split-string (nth 1 ,entry)))))
                    (vterm (generate-new-buffer-name "vterm-shell")))))
       (unwind-protect
           (progn
             ;; Something shows once the shell is up (zsh and fish have
             ;; their own prompts until the script's source line runs).
             (should (vterm-test-wait
                      (lambda () (string-match-p "[^\n ]" (vterm-test-screen ,var)))))
             (vterm-test-type ,var (format (nth 3 ,entry)
                                           (expand-file-name
                                            (concat "lisp/etc/" (nth 2 ,entry))
                                            vterm-test-top)))
             (vterm-test-type ,var "echo sourced")
             (vterm-test-wait-for ,var "^sourced\n\\$ ")
             ,@body)
         (let ((kill-buffer-query-functions nil))
           (when (buffer-live-p ,var) (kill-buffer ,var)))))))

(defun vterm-shells-test--integration (shell use-proxy)
  "Check what SHELL's script gives, through the proxy if USE-PROXY."
  (let ((dir (file-name-as-directory (make-temp-file "vterm-shell" t)))
        (titles nil)
        (got nil))
    (unwind-protect
        (vterm-shells-test-with (buf shell use-proxy)
          (with-current-buffer buf
            (setq-local vterm-set-title-functions
                        (list (lambda (title) (push title titles))))
            ;; Beside the defaults: the script's clear asks for one.
            (setq-local vterm-eval-cmds
                        (cons (list "vterm-shells-fn"
                                    (lambda (&rest args) (setq got args)))
                              vterm-eval-cmds)))
          ;; Directory tracking.
          (vterm-test-type buf (format "cd %s" dir))
          (should (vterm-test-wait
                   (lambda () (equal (buffer-local-value 'default-directory buf)
                                     dir))))
          ;; The title names the directory.
          (should (vterm-test-wait
                   (lambda () (cl-some (lambda (title)
                                         (string-match-p
                                          (regexp-quote (file-name-nondirectory
                                                         (directory-file-name dir)))
                                          title))
                                       titles))))
          ;; Prompt marks: the prompt of the line typed is marked.
          (vterm-test-type buf "echo marked")
          (vterm-test-wait-for buf "^marked$")
          (with-current-buffer buf
            (goto-char (point-max))
            (re-search-backward "echo marked$")
            (should (get-text-property (1- (point)) 'vterm-prompt))
            (should-not (get-text-property (point) 'vterm-prompt))
            (should (equal (vterm--get-pwd) dir)))
          ;; vterm_cmd passes its arguments as strings.
          (vterm-test-type buf "vterm_cmd vterm-shells-fn 'two words' \"q\\\"uote\"")
          (should (vterm-test-wait (lambda () got)))
          (should (equal got '("two words" "q\"uote")))
          ;; clear drops the scrollback too.
          (vterm-test-type buf "seq 1 100")
          (vterm-test-wait-for buf "^100$")
          (vterm-test-wait-for buf "^1$")
          (vterm-test-type buf "clear")
          (unless (vterm-test-wait
                   (lambda () (not (string-match-p "^[0-9]+$"
                                                   (vterm-test-screen buf)))))
            (ert-fail (list "clear left lines" (vterm-test-screen buf)))))
      (delete-directory dir t))))

(dolist (shell '(bash zsh fish))
  (dolist (path '((pty . nil) (proxy . t)))
    (let ((shell shell) (path path))
      (ert-set-test
       (intern (format "vterm-shells-test-%s/%s" shell (car path)))
       (make-ert-test
        :name (intern (format "vterm-shells-test-%s/%s" shell (car path)))
        :documentation (format "The %s script: directory, title, prompt marks, vterm_cmd, clear (%s)."
                               shell (car path))
        :tags '(posix)
        :body (lambda () (vterm-shells-test--integration shell (cdr path))))))))

;;;; The integration vterm sets up itself (vterm-shell-integration)

(defconst vterm-shells-test-user-rc
  '((bash (".bashrc" . "VTERM_RC_MARK=rc-ran
PS1='my> '
alias vtermhi='echo alias-works'
"))
    (zsh (".zshenv" . "export VTERM_ENV_MARK=zshenv-ran
")
         (".zshrc" . "VTERM_RC_MARK=rc-ran
PROMPT='my> '
alias vtermhi='echo alias-works'
"))
    (fish (".config/fish/config.fish" . "set -g VTERM_RC_MARK rc-ran
function fish_prompt
    printf 'my> '
end
alias vtermhi 'echo alias-works'
")))
  "For each shell: the user's own start-up files, (FILE . TEXT) under HOME.
Each sets the marker VTERM_RC_MARK, the prompt \"my> \" and an alias.")

(defconst vterm-shells-test-leak-command
  (concat "env | grep -c -e '^ENV=' -e '^ZDOTDIR=' -e '^XDG_DATA_DIRS='"
          " -e '^EMACS_VTERM_[BZF]' | sed 's/^/leaks=/'")
  "Counts what of vterm's start-up the shell's environment still has.")

(defun vterm-shells-test--home (files)
  "Return a new temporary HOME holding FILES, a list of (FILE . TEXT)."
  (let ((home (file-name-as-directory (make-temp-file "vterm-home" t))))
    (dolist (file files)
      (let ((name (expand-file-name (car file) home)))
        (make-directory (file-name-directory name) t)
        (with-temp-file name (insert (cdr file)))))
    home))

(defmacro vterm-shells-test-with-home (spec &rest body)
  "Run BODY with a vterm running a shell in a temporary HOME.
SPEC is (VAR SHELL FILES USE-PROXY INTEGRATION): VAR is bound to the
buffer, SHELL is `vterm-shell', FILES the (FILE . TEXT) start-up
files of HOME, which is also the directory the shell starts in and
the value of `home' in BODY; INTEGRATION is `vterm-shell-integration'."
  (declare (indent 1))
  (let ((var (nth 0 spec)))
    `(let* ((home (vterm-shells-test--home ,(nth 2 spec)))
            (default-directory home)
            (process-environment
             (cons (concat "HOME=" (directory-file-name home))
                   (cl-remove-if (lambda (e) (string-prefix-p "HOME=" e))
                                 (vterm-test-environment))))
            (vterm-shell ,(nth 1 spec))
            (vterm-shell-integration ,(nth 4 spec))
            (vterm-use-conpty-proxy ,(nth 3 spec))
            (vterm-conpty-proxy-path vterm-test-proxy)
            (,var nil))
       (ignore home)
       (unwind-protect
           (progn
             (should (executable-find (car (split-string vterm-shell))))
             (setq ,var (vterm (generate-new-buffer-name "vterm-home")))
             ,@body)
         (vterm-test-end-session ,var)
         (delete-directory home t)))))

(defun vterm-shells-test--prompt-marked-p (buf regexp)
  "Return non-nil if the prompt before the last line matching REGEXP is marked.
The line's first character after the prompt must not be."
  (with-current-buffer buf
    (save-excursion
      (goto-char (point-max))
      (re-search-backward regexp)
      (and (> (point) (line-beginning-position))
           (get-text-property (1- (point)) 'vterm-prompt)
           (not (get-text-property (point) 'vterm-prompt))))))

(defun vterm-shells-test--pwd-at (buf regexp)
  "Return the directory reported for the last line of BUF matching REGEXP."
  (with-current-buffer buf
    (save-excursion
      (goto-char (point-max))
      (re-search-backward regexp)
      (vterm--get-pwd))))

(defun vterm-shells-test--auto (shell files use-proxy &optional extra)
  "Check the integration vterm sets up itself for SHELL.
FILES are the user's start-up files in HOME; USE-PROXY runs the shell
through conpty-proxy.  EXTRA is a list of (COMMAND . REGEXP): more
lines to type and what each must show."
  (let ((dir (file-name-as-directory (make-temp-file "vterm-cd" t))))
    (unwind-protect
        (vterm-shells-test-with-home (buf shell files use-proxy t)
          (vterm-test-wait-for buf "^my> ?$")
          ;; The user's own start-up file ran: its variable, its alias.
          (vterm-test-type buf "echo \"M=$VTERM_RC_MARK\"")
          (vterm-test-wait-for buf "^M=rc-ran$")
          ;; The first prompt is marked and reported the directory.
          (should (vterm-shells-test--prompt-marked-p buf "echo \"M=.*$"))
          (should (equal (vterm-shells-test--pwd-at buf "echo \"M=.*$") home))
          (vterm-test-type buf "vtermhi")
          (vterm-test-wait-for buf "^alias-works$")
          ;; Directory tracking.
          (vterm-test-type buf (format "cd %s" dir))
          (should (vterm-test-wait
                   (lambda () (equal (buffer-local-value 'default-directory buf)
                                     dir))))
          ;; Prompt marks, as the scripts' own test checks them.
          (vterm-test-type buf "echo marked")
          (vterm-test-wait-for buf "^marked$")
          (should (vterm-shells-test--prompt-marked-p buf "echo marked$"))
          (should (equal (vterm-shells-test--pwd-at buf "echo marked$") dir))
          ;; Programs the shell starts do not see vterm's start-up.
          (vterm-test-type buf vterm-shells-test-leak-command)
          (vterm-test-wait-for buf "^leaks=0$")
          (dolist (check extra)
            (vterm-test-type buf (car check))
            (vterm-test-wait-for buf (cdr check))))
      (delete-directory dir t))))

(defun vterm-shells-test--off (shell files)
  "Check that with `vterm-shell-integration' nil SHELL is left alone.
FILES are the user's start-up files in HOME: they still run."
  (let ((dir (file-name-as-directory (make-temp-file "vterm-cd" t))))
    (unwind-protect
        (vterm-shells-test-with-home (buf shell files nil nil)
          (vterm-test-wait-for buf "^my> ?$")
          (vterm-test-type buf "echo \"M=$VTERM_RC_MARK\"")
          (vterm-test-wait-for buf "^M=rc-ran$")
          (vterm-test-type buf "vtermhi")
          (vterm-test-wait-for buf "^alias-works$")
          (vterm-test-type buf (format "cd %s" dir))
          (vterm-test-type buf "echo after-cd")
          (vterm-test-wait-for buf "^after-cd$")
          (accept-process-output nil 0.3)
          (should (equal (buffer-local-value 'default-directory buf) home))
          (should-not (vterm-shells-test--prompt-marked-p buf "echo after-cd$"))
          (should-not (vterm-shells-test--pwd-at buf "echo after-cd$"))
          (vterm-test-type buf "type vterm_prompt_end >/dev/null 2>&1 || echo no-script")
          (vterm-test-wait-for buf "^no-script$"))
      (delete-directory dir t))))

(defconst vterm-shells-test-auto-extra
  '((bash ("echo \"H=$HISTFILE\"" . "^H=.*/vterm-home[^/]*/\\.bash_history$")
          ("shopt -q -o posix || echo posix-off" . "^posix-off$"))
    (zsh ("echo \"Z=$VTERM_ENV_MARK\"" . "^Z=zshenv-ran$")))
  "More checks of the integration vterm sets up, by shell.")

(dolist (shell '(bash zsh fish))
  (dolist (path '((pty . nil) (proxy . t)))
    (let ((shell shell) (path path))
      (ert-set-test
       (intern (format "vterm-shells-test-auto-%s/%s" shell (car path)))
       (make-ert-test
        :name (intern (format "vterm-shells-test-auto-%s/%s" shell (car path)))
        :documentation
        (format "Plain %s: its rc file runs, then vterm's integration (%s)."
                shell (car path))
        :tags '(posix)
        :body (lambda ()
                (vterm-shells-test--auto
                 (symbol-name shell)
                 (cdr (assq shell vterm-shells-test-user-rc))
                 (cdr path)
                 (cdr (assq shell vterm-shells-test-auto-extra)))))))
    (let ((shell shell))
      (ert-set-test
       (intern (format "vterm-shells-test-auto-%s-off" shell))
       (make-ert-test
        :name (intern (format "vterm-shells-test-auto-%s-off" shell))
        :documentation
        (format "`vterm-shell-integration' nil: plain %s with its rc file only."
                shell)
        :tags '(posix)
        :body (lambda ()
                (vterm-shells-test--off
                 (symbol-name shell)
                 (cdr (assq shell vterm-shells-test-user-rc)))))))))

(ert-deftest vterm-shells-test-auto-bash-login ()
  "bash -l: vterm's start-up reads the login files, then the integration."
  :tags '(posix)
  (vterm-shells-test--auto
   "bash -l"
   '((".bash_profile" . "VTERM_RC_MARK=rc-ran
PS1='my> '
alias vtermhi='echo alias-works'
")
     (".bashrc" . "VTERM_RC_MARK=bashrc-is-not-for-login-shells
"))
   nil
   '(("shopt -q login_shell && echo login" . "^login$"))))

(ert-deftest vterm-shells-test-auto-fish-prompt-changed ()
  "A fish_prompt defined after the start is marked too."
  :tags '(posix)
  (vterm-shells-test-with-home
      (buf "fish" (cdr (assq 'fish vterm-shells-test-user-rc)) nil t)
    (vterm-test-wait-for buf "^my> ?$")
    (vterm-test-type buf "function fish_prompt; printf 'new> '; end")
    (vterm-test-wait-for buf "^new> ?$")
    (vterm-test-type buf "echo marked")
    (vterm-test-wait-for buf "^marked$")
    (should (vterm-shells-test--prompt-marked-p buf "echo marked$"))
    ;; Sourcing the script again, as a config.fish written for it
    ;; does, wraps the prompt once.
    (vterm-test-type buf "source $EMACS_VTERM_PATH/etc/emacs-vterm.fish")
    (vterm-test-type buf "echo again")
    (vterm-test-wait-for buf "^again\nnew> ?$")
    (should (vterm-shells-test--prompt-marked-p buf "echo again$"))))

(ert-deftest vterm-shells-test-auto-bash-exit-status ()
  "bash's integration reports each command's status with OSC 133, no other.
The first prompt follows no command, nor does the one after an empty
line: neither has a status."
  :tags '(posix)
  (vterm-shells-test-with-home
      (buf "bash" (cdr (assq 'bash vterm-shells-test-user-rc)) nil t)
    (vterm-test-wait-for buf "^my> ?$")
    ;; One at a time: typed ahead, the line is echoed before the prompt.
    (dolist (line '(("true" . "^my> true\nmy> ?$")
                    ("false" . "^my> false\nmy> ?$")
                    ("" . "^my> false\nmy> ?\nmy> ?$")
                    ("echo end" . "^end\nmy> ?$")))
      (vterm-test-type buf (car line))
      (vterm-test-wait-for buf (cdr line)))
    (with-current-buffer buf
      (goto-char (point-min))
      (dolist (prompt '(("^my> true$" . nil) ("^my> false$" . 0)
                        ("^my> ?$" . 1) ("^my> echo end$" . nil)
                        ("^my> ?$" . 0)))
        (re-search-forward (car prompt))
        (should (get-text-property (+ (match-beginning 0) 2) 'vterm-prompt))
        (should (equal (list (car prompt)
                             (get-text-property (match-beginning 0)
                                                'vterm-exit-status))
                       (list (car prompt) (cdr prompt))))))))

(ert-deftest vterm-shells-test-integration-argv ()
  "Which shells vterm starts with its integration, and how."
  (let* ((etc (expand-file-name "etc" vterm--lisp-directory))
         (vterm-shell-integration t)
         (default-directory "/tmp/")
         (system-type 'gnu/linux)
         (process-environment '("PATH=/usr/bin:/bin"))
         (bash-env (list (concat "ENV=" etc "/emacs-vterm-bash-inject.sh")
                         "EMACS_VTERM_BASH_INJECT=1")))
    ;; bash: --posix, before its other options.
    (should (equal (vterm--shell-integration "bash")
                   (cons '("bash" "--posix") bash-env)))
    (should (equal (vterm--shell-integration "/bin/bash -l")
                   (cons '("/bin/bash" "--posix" "-l") bash-env)))
    (should (equal (vterm--shell-integration '("/usr/bin/bash" "--login" "-i"))
                   (cons '("/usr/bin/bash" "--posix" "--login" "-i") bash-env)))
    ;; zsh: ZDOTDIR; fish: XDG_DATA_DIRS with the default after ours.
    (should (equal (vterm--shell-integration "zsh -l")
                   (list '("zsh" "-l") (concat "ZDOTDIR=" etc "/zsh"))))
    (should (equal (vterm--shell-integration "/usr/bin/fish")
                   (list '("/usr/bin/fish")
                         (concat "XDG_DATA_DIRS=" etc
                                 "/xdg:/usr/local/share:/usr/share")
                         "EMACS_VTERM_FISH_INJECT=1")))
    ;; What the user had is kept for the shell to put back.
    (let ((process-environment
           '("ENV=/home/u/.shrc" "ZDOTDIR=/home/u/.zsh" "XDG_DATA_DIRS=/a:/b")))
      (should (equal (cdr (vterm--shell-integration "bash"))
                     (append bash-env '("EMACS_VTERM_BASH_ENV=/home/u/.shrc"))))
      (should (equal (cdr (vterm--shell-integration "zsh"))
                     (list (concat "ZDOTDIR=" etc "/zsh")
                           "EMACS_VTERM_ZSH_ZDOTDIR=/home/u/.zsh")))
      (should (equal (cdr (vterm--shell-integration "fish"))
                     (list (concat "XDG_DATA_DIRS=" etc "/xdg:/a:/b")
                           "EMACS_VTERM_FISH_INJECT=1"
                           "EMACS_VTERM_FISH_XDG_DATA_DIRS=/a:/b"))))
    ;; Other shells, and arguments that change what the shell reads
    ;; or runs, are left alone.
    (dolist (shell '("/bin/sh" "dash" "ksh" "cmd.exe"
                     "bash --norc" "bash --noprofile" "bash --rcfile /x"
                     "bash --init-file /x" "bash --posix" "bash -c ls"
                     "bash script.sh" "bash -x" "bash -"
                     "zsh -f" "zsh --no-rcs" "zsh -c ls" "zsh script.zsh"
                     "fish --no-config" "fish -N" "fish -C ls" "fish -c ls"
                     "fish script.fish" ("bash" "-c" "ls")
                     "bash; ls" "$HOME/bin/bash" "bash 'a b'"
                     "pwsh -Command ls" "pwsh -File x.ps1" "pwsh -c ls"
                     "powershell.exe -EncodedCommand abc"))
      (should-not (vterm--shell-integration shell)))
    ;; Off, or in a remote directory: nothing.
    (let ((vterm-shell-integration nil))
      (should-not (vterm--shell-integration "bash")))
    (let ((default-directory "/ssh:host:/tmp/"))
      (should-not (vterm--shell-integration "bash"))
      (should-not (vterm--shell-integration "zsh")))
    ;; PowerShell: the profile loads, then the script, dot-sourced.
    (let ((ps1 (concat ". '" etc "/emacs-vterm.ps1'")))
      (should (equal (vterm--shell-integration "pwsh")
                     (list (list "pwsh" "-NoExit" "-Command" ps1))))
      (let ((system-type 'windows-nt))
        (should (equal (vterm--shell-integration
                        '("C:/Program Files/PowerShell/7/pwsh.exe" "-NoLogo"))
                       (list (list "C:/Program Files/PowerShell/7/pwsh.exe"
                                   "-NoLogo" "-NoExit" "-Command" ps1))))
        (should (equal (vterm--shell-integration
                        '("C:/Windows/System32/WindowsPowerShell/v1.0/powershell.exe"
                          "-NoProfile" "-NoExit"))
                       (list (list "C:/Windows/System32/WindowsPowerShell/v1.0/powershell.exe"
                                   "-NoProfile" "-NoExit" "-Command" ps1))))
        ;; bash, zsh and fish only on POSIX systems; cmd.exe never.
        (dolist (shell '("C:/Program Files/Git/bin/bash.exe" "zsh" "fish"
                         "C:/Windows/system32/cmd.exe"))
          (should-not (vterm--shell-integration (list shell))))))
    ;; A quote in the script's directory is doubled.
    (let* ((top (make-temp-file "vterm-it's" t))
           (vterm--lisp-directory (file-name-as-directory top)))
      (unwind-protect
          (progn
            (make-directory (expand-file-name "etc" top))
            (write-region "" nil (expand-file-name "etc/emacs-vterm.ps1" top))
            (should (equal (car (last (car (vterm--shell-integration "pwsh"))))
                           (concat ". '"
                                   (replace-regexp-in-string "'" "''" top)
                                   "/etc/emacs-vterm.ps1'")))
            ;; Without its scripts, no shell is started with them.
            (should-not (vterm--shell-integration "bash")))
        (delete-directory top t)))))

(ert-deftest vterm-shells-test-powershell-script ()
  "The PowerShell script sends the same escape sequences as the others."
  (let ((text (with-temp-buffer
                (insert-file-contents
                 (expand-file-name "lisp/etc/emacs-vterm.ps1" vterm-test-top))
                (buffer-string))))
    ;; Prompt end with the directory, title, eval requests, and only
    ;; inside a vterm.
    (dolist (needle '("51;A" "\"2;" "51;E" "INSIDE_EMACS" "function global:prompt"
                      "vterm_cmd" "vterm-clear-scrollback"
                      ;; Sourced twice, it wraps the prompt once.
                      "VtermPromptWrapped"))
      (should (string-match-p (regexp-quote needle) text)))))

(provide 'vterm-shells-tests)

;;; vterm-shells-tests.el ends here

;;; vterm-shells-tests.el --- The shell integration scripts, for real -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by tests/ert/run.el.  Each script in lisp/etc/ that a Debian
;; machine can run (bash, zsh, fish; make deps installs them) is
;; sourced into its shell in a real terminal, on the native pty and
;; through conpty-proxy, and must give: directory tracking, prompt
;; marks, the title, vterm_cmd and a clear that drops the scrollback.
;; The PowerShell script cannot run here; its test checks it carries
;; the same escape sequences.

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

(ert-deftest vterm-shells-test-powershell-script ()
  "The PowerShell script sends the same escape sequences as the others."
  (let ((text (with-temp-buffer
                (insert-file-contents
                 (expand-file-name "lisp/etc/emacs-vterm.ps1" vterm-test-top))
                (buffer-string))))
    ;; Prompt end with the directory, title, eval requests, and only
    ;; inside a vterm.
    (dolist (needle '("51;A" "\"2;" "51;E" "INSIDE_EMACS" "function global:prompt"
                      "vterm_cmd" "vterm-clear-scrollback"))
      (should (string-match-p (regexp-quote needle) text)))))

(provide 'vterm-shells-tests)

;;; vterm-shells-tests.el ends here

;;; vterm-security-tests.el --- What a program in the terminal may do to Emacs -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by tests/ert/run.el.  Escape sequences are written into a real
;; vterm buffer's terminal as if the program had printed them
;; (`vterm--write-input'), so they take the whole path: libvterm, the
;; module, vterm.el.  Checked: OSC 51;E runs only `vterm-eval-cmds'
;; entries, with arguments as data; OSC 52 is off by default; titles
;; and directories with control characters or bytes that are not
;; UTF-8 are sanitized before they reach buffer names,
;; `vterm-set-title-functions' or `default-directory'.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'vterm)
(require 'vterm-tests)

(defun vterm-security--bytes (&rest parts)
  "Concatenate PARTS (strings and byte values) into a unibyte string."
  (apply #'concat (mapcar (lambda (p) (if (stringp p) p (unibyte-string p)))
                          parts)))

(defun vterm-security--feed (buffer &rest parts)
  "Write PARTS (see `vterm-security--bytes') to BUFFER's terminal; redraw."
  (with-current-buffer buffer
    (vterm--write-input vterm--term (apply #'vterm-security--bytes parts))
    (vterm--render)))

(defmacro vterm-security-with-vterm (var &rest body)
  "Run BODY with VAR a vterm buffer on the native pty."
  (declare (indent 1))
  `(vterm-test-with-vterm nil ,var ,@body))

;;;; OSC 51;E

(ert-deftest vterm-security-eval-refuses-code ()
  "Code in OSC 51;E is never run: only listed commands, with string data."
  (let* ((dir (make-temp-file "vterm-sec" t))
         (victim (expand-file-name "pwned" dir))
         (touch (format "(shell-command \\\"touch %s\\\")" victim))
         (got nil))
    (unwind-protect
        (vterm-security-with-vterm buf
          (with-current-buffer buf
            (setq-local vterm-eval-cmds
                        (list (list "vterm-sec-fn"
                                    (lambda (&rest args) (push args got)))
                              (list "failing" (lambda (&rest _)
                                                (error "Boom"))))))
          (dolist (payload
                   (list (format "(shell-command \"touch %s\")" victim)
                         (format "shell-command \"touch %s\"" victim)
                         (format "eval \"%s\"" touch)
                         (format "funcall shell-command \"touch %s\"" victim)
                         (format "apply 'shell-command '(\"touch %s\")" victim)
                         (format "#.(shell-command \"touch %s\")" victim)
                         (format "progn (vterm-sec-fn) %s" touch)
                         "no-such-command x"
                         ""))
            (vterm-security--feed buf "\e]51;E" payload "\e\\"))
          (should-not got)
          ;; A listed command gets every argument as a string, unevaluated.
          (vterm-security--feed
           buf "\e]51;Evterm-sec-fn \"" touch "\" 42 nil t (a . b) '#.x\e\\")
          (should (equal got (list (list (format "(shell-command \"touch %s\")"
                                                 victim)
                                         "42" "nil" "t" "(a" "." "b)" "'#.x"))))
          ;; A command that fails does not stop the terminal.
          (vterm-security--feed buf "\e]51;Efailing\e\\still-drawn")
          (should (string-match-p "still-drawn" (vterm-test-screen buf)))
          (should-not (file-exists-p victim)))
      (delete-directory dir t))))

;;;; OSC 52

(ert-deftest vterm-security-osc52-off-by-default ()
  "OSC 52 touches neither the kill ring nor the system clipboard by default."
  (should-not (default-value 'vterm-enable-manipulate-selection-data-by-osc52))
  (let* ((cut nil)
         (interprogram-cut-function (lambda (text) (push text cut)))
         (kill-ring (list "before"))
         (kill-ring-yank-pointer kill-ring))
    (vterm-security-with-vterm buf
      (vterm-security--feed buf "\e]52;c;" (base64-encode-string "evil") "\a")
      (should (equal (current-kill 0 t) "before"))
      (should-not cut)
      ;; A query never answers with the kill ring's contents.
      (with-current-buffer buf
        (let ((vterm-enable-manipulate-selection-data-by-osc52 t)
              (sent nil))
          (cl-letf (((symbol-function 'vterm--flush-output)
                     (lambda (s) (push s sent))))
            (vterm-security--feed buf "\e]52;c;?\a"))
          (should-not (cl-some (lambda (s) (string-match-p "52;" s)) sent))))
      (let ((vterm-enable-manipulate-selection-data-by-osc52 t))
        (vterm-security--feed buf "\e]52;c;" (base64-encode-string "ok") "\a"))
      (should (equal (current-kill 0 t) "ok")))))

;;;; Titles and directories

(defun vterm-security--clean-p (string)
  "Non-nil if STRING is text (not raw bytes) without control characters."
  (and (or (multibyte-string-p string)
           (string-match-p "\\`[[:ascii:]]*\\'" string))
       (not (cl-some (lambda (c) (or (< c #x20) (<= #x7f c #x9f)
                                     (eq (char-charset c) 'eight-bit)))
                     string))))

(ert-deftest vterm-security-title-sanitized ()
  "Titles reach the hook and the buffer name without control characters."
  (let ((titles nil))
    (vterm-security-with-vterm buf
      (with-current-buffer buf
        (setq-local vterm-buffer-name-string "vt %s")
        (setq-local vterm-set-title-functions
                    (list (lambda (title) (push title titles)))))
      (dolist (title (list '("a" #x9b "31mb") '("a" #x9c "b") '("a" #xff "b")
                           '("a" #xc0 #xaf "b") '("a" #xc2 #x9b "b")
                           '("a\nb") '("a" 1 #x7f "b") '("a\e[31mb")
                           '("caf" #xc3 #xa9)))
        (apply #'vterm-security--feed buf "\e]2;" (append title '(7))))
      (should (>= (length titles) 8))
      (dolist (title titles)
        (should (vterm-security--clean-p title)))
      (should (member "a\ufffdb" titles))
      (should (member "caf\u00e9" titles))
      (should (vterm-security--clean-p (buffer-name buf)))
      (should (equal (buffer-name buf) (concat "vt " (car titles)))))))

(ert-deftest vterm-security-title-function ()
  "`vterm--set-title' sanitizes whatever it is given."
  (let ((titles nil)
        (vterm-buffer-name-string nil))
    (with-temp-buffer
      (setq-local vterm-set-title-functions
                  (list (lambda (title) (push title titles))))
      (vterm--set-title "a\e]0;b\a\n\r\tc\u0085\u009bd")
      (vterm--set-title (vterm-security--bytes "x" #x80 #xfe "y"))
      (should (equal titles '("x\ufffd\ufffdy" "a]0;bcd"))))))

(ert-deftest vterm-security-directory-sanitized ()
  "Directory reports with control characters or bad UTF-8 are not followed."
  :tags '(posix)
  (let* ((base (file-name-as-directory (make-temp-file "vterm-sec-dir" t)))
         ;; This host: a report from another one names a remote directory.
         (osc7 (concat "\e]7;file://" (system-name)))
         (osc51 (concat "\e]51;Au@" (system-name) ":"))
         (good (file-name-as-directory (expand-file-name "caf\u00e9" base)))
         (tricky (list (concat base "a\nb") (concat base "a\eb")
                       (concat base "a\u009bb"))))
    (make-directory good)
    (dolist (d tricky) (make-directory d))
    (unwind-protect
        (vterm-security-with-vterm buf
          (let ((start (buffer-local-value 'default-directory buf)))
            (dolist (report
                     (list (list osc7 base "a%0Ab\a")
                           (list osc7 base "a%1Bb\a")
                           (list osc7 base "a%C2%9Bb\a")
                           (list osc7 base "a%FFb\a")
                           (list osc51 base "a" #x9b "b\e\\")
                           (list osc51 base "a" #xc2 #x9b "b\e\\")
                           (list osc51 base "a" #xff "b\e\\")
                           ;; Nor a remote name with one in the host.
                           (list "\e]51;Au@el" #xc2 #x9b "se:" base "\e\\")
                           (list "\e]7;file://el%1Bse" base "\a")))
              (apply #'vterm-security--feed buf report)
              (should (equal (buffer-local-value 'default-directory buf) start))
              (with-current-buffer buf
                (goto-char (point-max))
                (should-not (vterm--get-pwd))))
            ;; A clean report, percent-encoded UTF-8 included, is followed.
            (vterm-security--feed buf osc7 base "caf%C3%A9\a")
            (should (equal (buffer-local-value 'default-directory buf) good))))
      (delete-directory base t))))

(provide 'vterm-security-tests)

;;; vterm-security-tests.el ends here

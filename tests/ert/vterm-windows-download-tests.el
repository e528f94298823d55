;;; vterm-windows-download-tests.el --- vterm-module-download in a Windows Emacs -*- lexical-binding: t; -*-

;;; Commentary:

;; The whole download flow in a real Windows Emacs (under Wine in the
;; wine-emacs-ert suite): a fresh package directory holding a copy of
;; lisp/*.el, with the manifest build-aux/dist.sh wrote for the binaries
;; it serves, and no module; a second Windows Emacs started on that
;; directory alone runs M-x vterm-module-download against the local
;; server, then M-x vterm with the Wine suite's fixture, and prints
;; what it saw.  A second Emacs, because the one running the tests has
;; the module of the build loaded already.
;;
;; The Windows Emacs cannot start python3, so the server is started on
;; the Linux side by tests/ert/with-download-server.sh, which passes its
;; URL in VTERM_TEST_DOWNLOAD_URL; VTERM_TEST_DOWNLOAD_DIST names the
;; directory it serves (dist.sh's output, with its manifest.el).

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'vterm-module-download)
(require 'vterm-download-tests)
(require 'vterm-tests)

(defvar vterm-windows-download-test-limit 240
  "Seconds the second Emacs may run before it is killed.")

(defun vterm-windows-download-test--env (name)
  "Return the environment variable NAME; fail if it is unset."
  (or (getenv name)
      (ert-fail (list name "is not set: run the tests under"
                      "tests/ert/with-download-server.sh"))))

(defun vterm-windows-download-test--package ()
  "Return a fresh package directory: lisp/*.el and the served manifest."
  (let ((pkg (file-name-as-directory (make-temp-file "vterm-package" t))))
    (dolist (file (directory-files
                   (expand-file-name "lisp" vterm-download-test-top) t
                   "\\.el\\'"))
      (copy-file file pkg))
    (copy-file (expand-file-name
                "manifest.el"
                (vterm-windows-download-test--env "VTERM_TEST_DOWNLOAD_DIST"))
               (expand-file-name "vterm-module-manifest.el" pkg) t)
    pkg))

(defun vterm-windows-download-test--run (pkg url form)
  "Run FORM in a second Emacs with PKG and the test directory to load from.
Before FORM that Emacs loads `vterm-module-download' from PKG, set
to fetch from URL over http.  Return its output; fail if it does not
exit with status 0 within `vterm-windows-download-test-limit' seconds."
  (let* ((script (make-temp-file "vterm-download-child" nil ".el"))
         (out (generate-new-buffer " *vterm-download-child*"))
         (proc nil))
    (unwind-protect
        (progn
          (with-temp-file script
            (prin1 `(progn
                      (require 'vterm-module-download)
                      (setq vterm-module-download-url ,url
                            vterm-module-download-allow-http t
                            vterm-module-download-timeout 30)
                      ,form)
                   (current-buffer)))
          (setq proc (make-process
                      :name "vterm-download-child" :buffer out
                      :command (list (expand-file-name invocation-name
                                                       invocation-directory)
                                     "-Q" "--batch" "-L" pkg
                                     "-L" (expand-file-name
                                           "tests/ert" vterm-download-test-top)
                                     "-l" script)
                      :connection-type 'pipe :noquery t))
          (vterm-test-wait (lambda () (not (process-live-p proc)))
                           vterm-windows-download-test-limit)
          (let ((text (with-current-buffer out (buffer-string))))
            (when (process-live-p proc)
              (ert-fail (list "The second Emacs still ran after"
                              vterm-windows-download-test-limit "s" text)))
            (unless (eq (process-exit-status proc) 0)
              (ert-fail (list "The second Emacs exited with"
                              (process-exit-status proc) text)))
            text))
      (when (process-live-p proc) (delete-process proc))
      (kill-buffer out)
      (delete-file script))))

(defun vterm-windows-download-test--line (tag text)
  "Return what follows TAG and a space on a line of TEXT, or nil."
  (and (string-match (format "^%s \\(.*\\)$" (regexp-quote tag)) text)
       (match-string 1 text)))

(ert-deftest vterm-windows-download-then-vterm ()
  "The command `vterm-module-download' installs; then `vterm' works.
In a second Emacs with only the package directory: both files land
there with the manifest's SHA-256, that module is the one loaded, and
the command `vterm' runs the fixture under that conpty-proxy.exe."
  :tags '(windows)
  (let* ((url (concat (vterm-windows-download-test--env
                       "VTERM_TEST_DOWNLOAD_URL")
                      "ok/"))
         (dist (vterm-windows-download-test--env "VTERM_TEST_DOWNLOAD_DIST"))
         (manifest (vterm-download-test--manifest
                    (file-name-as-directory dist)))
         (pkg (vterm-windows-download-test--package)))
    (unwind-protect
        (let ((text (vterm-windows-download-test--run
                     pkg url
                     '(condition-case err
                          (progn
                            (call-interactively #'vterm-module-download)
                            ;; The file the module's functions came from.
                            (princ (format "MODULE %s\n"
                                           (symbol-file 'vterm--new)))
                            (require 'vterm-tests)
                            (let* ((vterm-shell (list vterm-test-fixture "echo"))
                                   (vterm-kill-buffer-on-exit nil)
                                   (buf (call-interactively #'vterm)))
                              (vterm-test-wait-for buf "^READY$")
                              (vterm-test-type buf "downloaded")
                              (vterm-test-wait-for buf "^ECHO:downloaded$")
                              (princ (format "PROXY %s\n"
                                             (car (process-command
                                                   (get-buffer-process buf)))))
                              (princ (format "SCREEN %s\n"
                                             (replace-regexp-in-string
                                              "\n" "|" (vterm-test-screen buf))))
                              (vterm-test-end-session buf)))
                        (error (princ (format "ERROR %s\n"
                                              (error-message-string err)))))))
              (in-pkg (lambda (file)
                        (and file (file-equal-p (file-name-directory file)
                                                pkg)))))
          (should-not (vterm-windows-download-test--line "ERROR" text))
          (dolist (entry (alist-get 'files manifest))
            (let ((file (expand-file-name (car entry) pkg)))
              (should (file-exists-p file))
              (should (equal (secure-hash 'sha256
                                          (vterm-module-download--read file))
                             (cdr entry)))))
          (should-not (directory-files pkg nil "\\`\\.vterm"))
          (should (funcall in-pkg (vterm-windows-download-test--line
                                   "MODULE" text)))
          (should (string-suffix-p "vterm-module.dll"
                                   (vterm-windows-download-test--line
                                    "MODULE" text)))
          (should (funcall in-pkg (vterm-windows-download-test--line
                                   "PROXY" text)))
          (should (string-suffix-p "conpty-proxy.exe"
                                   (vterm-windows-download-test--line
                                    "PROXY" text)))
          (should (string-match-p "|ECHO:downloaded|"
                                  (vterm-windows-download-test--line
                                   "SCREEN" text))))
      (delete-directory pkg t))))

(ert-deftest vterm-windows-download-refuses-tampered-file ()
  "A tampered file served: one-line refusal, nothing installed or loaded."
  :tags '(windows)
  (let ((url (concat (vterm-windows-download-test--env
                      "VTERM_TEST_DOWNLOAD_URL")
                     "tampered/"))
        (pkg (vterm-windows-download-test--package)))
    (unwind-protect
        (let* ((files (directory-files pkg))
               (text (vterm-windows-download-test--run
                      pkg url
                      '(progn
                         (condition-case err
                             (call-interactively #'vterm-module-download)
                           (error (princ (format "ERROR %s\n"
                                                 (error-message-string err)))))
                         (princ (format "LOADED %s\n"
                                        (featurep 'vterm-module))))))
               (msg (vterm-windows-download-test--line "ERROR" text)))
          (should (vterm-download-test--one-line-p msg))
          (should (string-match-p
                   "vterm-module.dll .*is not the file this package expects"
                   msg))
          (should (equal (vterm-windows-download-test--line "LOADED" text)
                         "nil"))
          (should (equal (directory-files pkg) files)))
      (delete-directory pkg t))))

(provide 'vterm-windows-download-tests)

;;; vterm-windows-download-tests.el ends here

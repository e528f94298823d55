;;; run.el --- Run vterm's ERT suites and lint checks in batch -*- lexical-binding: t; -*-

;;; Commentary:

;; Usage, from the top of the checkout:
;;
;;   emacs -Q --batch -L MODULE-DIR -l tests/ert/run.el -f vterm-run-ert SUITE
;;   emacs -Q --batch -l tests/ert/run.el -f vterm-run-lint SUITE
;;
;; SUITE (the first remaining command-line argument, else the environment
;; variable VTERM_SUITE) names the suite in the output line
;; "SUITE: N passed, N failed" and in build/results/SUITE, which holds
;; "<passed> <failed>".  Emacs exits non-zero when anything failed.
;;
;; `vterm-run-ert' loads lisp/vterm.el and every tests/ert/*-tests.el and
;; runs all their tests, or those whose names match the regexp in the
;; environment variable VTERM_TEST_SELECTOR.  The directory given with -L
;; comes first in `load-path', so it decides which vterm-module is tested.
;; Tests tagged `windows' run only in a Windows Emacs (the wine-emacs
;; suite), tests tagged `posix' only elsewhere.
;;
;; `vterm-run-lint' counts one check per file and kind: byte-compilation
;; with warnings as errors, checkdoc, and package-lint (when installed).

;;; Code:

(require 'ert)
(require 'cl-lib)

(defconst vterm-run-top
  (expand-file-name "../.." (file-name-directory load-file-name))
  "Top directory of the checkout.")

(defun vterm-run--suite ()
  "Return the suite name from the command line or the environment."
  (or (and command-line-args-left (pop command-line-args-left))
      (getenv "VTERM_SUITE")
      "ert"))

(defun vterm-run--record (suite passed failed)
  "Print and record the counts PASSED and FAILED of SUITE; exit."
  (let ((dir (or (getenv "CHECK_RESULTS_DIR")
                 (expand-file-name "build/results" vterm-run-top))))
    (make-directory dir t)
    (with-temp-file (expand-file-name suite dir)
      (insert (format "%d %d\n" passed failed))))
  (princ (format "%s: %d passed, %d failed\n" suite passed failed))
  (kill-emacs (if (and (= failed 0) (> passed 0)) 0 1)))

(defun vterm-run-ert ()
  "Run every vterm ERT test and record the counts."
  (let ((suite (vterm-run--suite))
        (failed-to-load 0))
    ;; A sanitizer runtime preloaded into this Emacs (suite ert-asan,
    ;; tests/ert/asan.sh) is not for the shells and proxies tests start.
    (setenv "LD_PRELOAD" nil)
    (add-to-list 'load-path (expand-file-name "lisp" vterm-run-top) t)
    ;; The test files require vterm-tests.el, the shared helpers.
    (add-to-list 'load-path (expand-file-name "tests/ert" vterm-run-top) t)
    (condition-case err
        (require 'vterm)
      (error (message "Cannot load vterm: %S" err)
             (setq failed-to-load (1+ failed-to-load))))
    (message "vterm-module: %s"
             (or (locate-library "vterm-module") "not found"))
    (dolist (file (directory-files
                   (expand-file-name "tests/ert" vterm-run-top) t
                   "-tests\\.el\\'"))
      (condition-case err
          (load file nil t)
        (error (message "Cannot load %s: %S" file err)
               (setq failed-to-load (1+ failed-to-load)))))
    (let* ((other-system (if (eq system-type 'windows-nt) 'posix 'windows))
           (stats (ert-run-tests-batch
                   `(and ,(or (getenv "VTERM_TEST_SELECTOR") t)
                         (not (tag ,other-system)))))
           (passed (ert-stats-completed-expected stats))
           (failed (+ (ert-stats-completed-unexpected stats)
                      ;; A skipped test did not show the behaviour works.
                      (ert-stats-skipped stats)
                      failed-to-load)))
      (vterm-run--record suite passed failed))))

(defvar checkdoc-diagnostic-buffer)
(declare-function package-lint-buffer "package-lint" (&optional buffer))

(defvar vterm-run--checkdoc-errors nil
  "Checkdoc complaints collected for the file being checked.")

(defun vterm-run--byte-compile (file)
  "Byte-compile FILE with warnings as errors; return non-nil if clean."
  (let* ((dir (make-temp-file "vterm-lint" t))
         (byte-compile-dest-file-function
          (lambda (src) (expand-file-name
                         (concat (file-name-nondirectory src) "c") dir)))
         (byte-compile-error-on-warn t)
         (ok nil))
    (unwind-protect
        (setq ok (condition-case err
                     (byte-compile-file file)
                   (error (message "%s: %S" file err) nil)))
      (delete-directory dir t))
    (eq ok t)))

(defun vterm-run--checkdoc (file)
  "Run checkdoc on FILE; return non-nil if it has nothing to say."
  (require 'checkdoc)
  (setq vterm-run--checkdoc-errors nil)
  (let ((record (lambda (point msg)
                  (push (format "%s:%d: %s" file
                                (with-current-buffer (find-buffer-visiting file)
                                  (line-number-at-pos (or point 1)))
                                msg)
                        vterm-run--checkdoc-errors))))
    (advice-add 'checkdoc-error :override record)
    (unwind-protect
        (with-current-buffer (find-file-noselect file)
          (let ((checkdoc-diagnostic-buffer "*vterm-checkdoc*"))
            (checkdoc-current-buffer t)))
      (advice-remove 'checkdoc-error record)))
  (dolist (e (reverse vterm-run--checkdoc-errors))
    (message "checkdoc: %s" e))
  (null vterm-run--checkdoc-errors))

(defvar package-lint-main-file)

(defun vterm-run--package-lint (file)
  "Run package-lint on FILE; return non-nil if it finds no error or warning.
Return the symbol `missing' when package-lint is not installed."
  (if (not (require 'package-lint nil t))
      'missing
    (let ((issues (with-current-buffer (find-file-noselect file)
                    ;; The other files are part of the package of
                    ;; vterm.el: its prefix, its dependencies.
                    (let ((package-lint-main-file
                           (expand-file-name "lisp/vterm.el" vterm-run-top)))
                      (package-lint-buffer)))))
      (setq issues (cl-remove-if (lambda (i) (eq (nth 2 i) 'info)) issues))
      (dolist (i issues)
        (message "package-lint: %s:%d:%d: %s: %s"
                 file (nth 0 i) (nth 1 i) (nth 2 i) (nth 3 i)))
      (null issues))))

(defun vterm-run-lint ()
  "Byte-compile, checkdoc and package-lint every lisp/*.el; record counts."
  (let ((suite (vterm-run--suite))
        (passed 0) (failed 0))
    (package-initialize)
    ;; package-lint from Debian's elpa-package-lint lives here.
    (dolist (dir (file-expand-wildcards
                  "/usr/share/emacs/site-lisp/elpa/*"))
      (add-to-list 'load-path dir))
    (add-to-list 'load-path (expand-file-name "lisp" vterm-run-top))
    (dolist (file (directory-files (expand-file-name "lisp" vterm-run-top)
                                   t "\\.el\\'"))
      (dolist (check (list (cons "byte-compile" #'vterm-run--byte-compile)
                           (cons "checkdoc" #'vterm-run--checkdoc)
                           (cons "package-lint" #'vterm-run--package-lint)))
        (let ((result (funcall (cdr check) file))
              (name (format "%s %s" (car check) (file-name-nondirectory file))))
          (cond
           ((eq result 'missing)
            (princ (format "FAIL %s: package-lint is not installed (make deps)\n"
                           name))
            (setq failed (1+ failed)))
           (result
            (princ (format "PASS %s\n" name))
            (setq passed (1+ passed)))
           (t
            (princ (format "FAIL %s\n" name))
            (setq failed (1+ failed)))))))
    (vterm-run--record suite passed failed)))

;;; run.el ends here

;;; package-build.el --- Build the vterm package from recipes/vterm -*- lexical-binding: t; -*-

;;; Commentary:

;; Used by tests/e2e/package-test.sh:
;;
;;   emacs -Q --batch -l tests/e2e/package-build.el \
;;         -f vterm-pkg-build-tar TOP OUTDIR
;;
;; expands the :files of TOP/recipes/vterm the way MELPA's package-build
;; does (a string is a glob whose matches go to the package's top level;
;; a list (DIR SPEC...) puts what SPEC... match into DIR; (:exclude
;; GLOB...) drops matches), writes vterm-pkg.el from vterm.el's headers,
;; and makes OUTDIR/vterm-VERSION.tar.  Prints the tar's file name.

;;; Code:

(require 'cl-lib)
(require 'lisp-mnt)
(require 'package)

(defun vterm-pkg--expand (top specs dest)
  "Return ((SOURCE . TARGET) ...) for SPECS under TOP, targets under DEST."
  (let ((result nil) (excluded nil))
    (dolist (spec specs)
      (cond
       ((stringp spec)
        (let ((matches (file-expand-wildcards (expand-file-name spec top))))
          (unless matches
            (error "Recipe spec %s matches nothing" spec))
          (dolist (file matches)
            (push (cons file (concat dest (file-name-nondirectory file)))
                  result))))
       ((eq (car spec) :exclude)
        (dolist (glob (cdr spec))
          (setq excluded (append (file-expand-wildcards
                                  (expand-file-name glob top))
                                 excluded))))
       ((stringp (car spec))
        (setq result (append (reverse (vterm-pkg--expand
                                       top (cdr spec)
                                       (concat dest (car spec) "/")))
                             result)))
       (t (error "Unknown recipe spec %S" spec))))
    (cl-remove-if (lambda (pair) (member (car pair) excluded))
                  (nreverse result))))

(defun vterm-pkg--recipe-files (top)
  "Return the :files of TOP/recipes/vterm."
  (with-temp-buffer
    (insert-file-contents (expand-file-name "recipes/vterm" top))
    (let ((recipe (read (current-buffer))))
      (plist-get (cdr recipe) :files))))

(defun vterm-pkg-build-tar ()
  "Build the package tar from the command-line arguments TOP and OUTDIR."
  (let* ((top (file-name-as-directory (expand-file-name (pop command-line-args-left))))
         (out (file-name-as-directory (expand-file-name (pop command-line-args-left))))
         (main (expand-file-name "lisp/vterm.el" top))
         (info (with-temp-buffer
                 (insert-file-contents main)
                 (package-buffer-info)))
         (version (package-version-join (package-desc-version info)))
         (name (format "vterm-%s" version))
         (dir (expand-file-name name out))
         (files (vterm-pkg--expand top (vterm-pkg--recipe-files top) "")))
    (make-directory dir t)
    (dolist (pair files)
      (let ((target (expand-file-name (cdr pair) dir)))
        (make-directory (file-name-directory target) t)
        (copy-file (car pair) target t)))
    (with-temp-file (expand-file-name "vterm-pkg.el" dir)
      (pp `(define-package "vterm" ,version ,(package-desc-summary info)
             ',(mapcar (lambda (req)
                         (list (car req) (package-version-join (cadr req))))
                       (package-desc-reqs info)))
          (current-buffer)))
    (let ((default-directory out)
          (tar (concat name ".tar")))
      (unless (eq 0 (call-process "tar" nil nil nil "-cf" tar name))
        (error "Tar failed"))
      (princ (concat (expand-file-name tar out) "\n")))))

;;; package-build.el ends here

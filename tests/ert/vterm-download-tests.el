;;; vterm-download-tests.el --- vterm-module-download against a local server -*- lexical-binding: t; -*-

;;; Commentary:

;; `vterm-module-download-install' fetching real "make dist" output
;; (build-aux/dist.sh run on build/windows/'s binaries into a temporary
;; directory, with the manifest it writes there) from python3's HTTP
;; server on 127.0.0.1 (download-server.py, a port the system picks),
;; which each test starts and stops.  The server answers as the path
;; asks: the file, the file tampered with, half of it, headers and then
;; nothing, or 404.  Every failure must be one line and leave the target
;; directory as it was.  Tagged posix: the server and dist.sh are run
;; with python3 and sh, which the Windows Emacs under Wine does not have;
;; vterm-windows-download-tests.el runs the flow there with a server
;; started on the Linux side.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'vterm-module-download)

(defconst vterm-download-test-top
  (expand-file-name "../.." (file-name-directory
                             (or load-file-name buffer-file-name)))
  "Top directory of the checkout.")

(defvar vterm-download-test--dist nil
  "Directory with the output of build-aux/dist.sh, made once per run.")

(defun vterm-download-test--dist ()
  "Run build-aux/dist.sh once on build/windows/ and return its directory."
  (or vterm-download-test--dist
      (let* ((dir (make-temp-file "vterm-dist" t))
             (default-directory vterm-download-test-top)
             (version (alist-get 'version vterm-module-manifest))
             (status (call-process "sh" nil "*vterm-dist*" nil
                                   "build-aux/dist.sh" version
                                   "build/windows/vterm-module.dll"
                                   "build/windows/conpty-proxy.exe"
                                   (expand-file-name "dist" dir)
                                   (expand-file-name "manifest.el" dir))))
        (unless (eq status 0)
          (error "Dist.sh failed: %s"
                 (with-current-buffer "*vterm-dist*" (buffer-string))))
        (setq vterm-download-test--dist dir))))

(defun vterm-download-test--manifest (dir)
  "Return the manifest value dist.sh wrote into DIR."
  (with-temp-buffer
    (insert-file-contents (expand-file-name "manifest.el" dir))
    (let (form)
      (while (not (eq (car-safe (setq form (read (current-buffer))))
                      'defconst)))
      (eval (nth 2 form) t))))

(defmacro vterm-download-test-with-server (base target &rest body)
  "Run BODY with BASE the local server's URL and TARGET an empty directory.
The manifest is the one dist.sh wrote, plain http is allowed and each
download may take 3 seconds; server and directories go afterwards."
  (declare (indent 2) (debug t))
  `(let* ((dist (vterm-download-test--dist))
          (vterm-module-manifest (vterm-download-test--manifest dist))
          (vterm-module-download-allow-http t)
          (vterm-module-download-timeout 3)
          (,target (make-temp-file "vterm-target" t))
          (server (make-process
                   :name "vterm-download-server" :buffer nil
                   :command (list "python3"
                                  (expand-file-name
                                   "tests/ert/download-server.py"
                                   vterm-download-test-top)
                                  (expand-file-name "dist" dist))
                   :connection-type 'pipe :noquery t
                   :filter (lambda (proc out)
                             (process-put proc 'out
                                          (concat (process-get proc 'out)
                                                  out)))))
          (deadline (+ (float-time) 20)))
     (unwind-protect
         (progn
           (while (and (not (string-match-p
                             "\n" (or (process-get server 'out) "")))
                       (< (float-time) deadline))
             (accept-process-output server 0.1))
           (let ((,base (format "http://127.0.0.1:%d/"
                                (string-to-number
                                 (process-get server 'out)))))
             ,@body))
       (delete-process server)
       (delete-directory ,target t))))

(defun vterm-download-test--error (thunk)
  "Return the message of the error THUNK signals, or nil."
  (condition-case err (progn (funcall thunk) nil)
    (error (error-message-string err))))

(defun vterm-download-test--one-line-p (msg)
  "Non-nil if MSG is one line from `vterm-module-download'."
  (and msg (string-prefix-p "vterm-module-download: " msg)
       (not (string-match-p "\n" msg))))

(ert-deftest vterm-download-installs-verified-binaries ()
  "Both binaries are fetched, checked and installed, and nothing else."
  :tags '(posix)
  (vterm-download-test-with-server base target
    (let ((vterm-module-download-url (concat base "ok/")))
      (should (equal (vterm-module-download-install target)
                     (list (expand-file-name "vterm-module.dll" target)
                           (expand-file-name "conpty-proxy.exe" target))))
      (should (equal (directory-files target nil "\\`[^.]")
                     '("conpty-proxy.exe" "vterm-module.dll")))
      (should (equal (directory-files target nil "\\`\\.vterm") nil))
      (dolist (name '("vterm-module.dll" "conpty-proxy.exe"))
        (should (equal (vterm-module-download--read
                        (expand-file-name name target))
                       (vterm-module-download--read
                        (expand-file-name (concat "build/windows/" name)
                                          vterm-download-test-top))))))))

(ert-deftest vterm-download-refuses-tampered-file ()
  "A file whose hash is not the manifest's is refused; nothing is written."
  :tags '(posix)
  (vterm-download-test-with-server base target
    (let* ((vterm-module-download-url (concat base "tampered/"))
           (msg (vterm-download-test--error
                 (lambda () (vterm-module-download-install target)))))
      (should (vterm-download-test--one-line-p msg))
      (should (string-match-p "is not the file this package expects" msg))
      (should (equal (directory-files target nil "\\`[^.]\\|\\`\\.v") nil)))))

(ert-deftest vterm-download-reports-404 ()
  "A release without the files gives a 404 message that names the way out."
  :tags '(posix)
  (vterm-download-test-with-server base target
    (let* ((vterm-module-download-url (concat base "no-such-release/"))
           (msg (vterm-download-test--error
                 (lambda () (vterm-module-download-install target)))))
      (should (vterm-download-test--one-line-p msg))
      (should (string-match-p "HTTP 404.*vterm-module-compile" msg))
      (should (equal (directory-files target nil "\\`[^.]\\|\\`\\.v") nil)))))

(ert-deftest vterm-download-gives-up-on-stalled-server ()
  "A server that sends headers and then nothing is given up after the timeout."
  :tags '(posix)
  (vterm-download-test-with-server base target
    (let* ((vterm-module-download-url (concat base "stall/"))
           (msg (vterm-download-test--error
                 (lambda () (vterm-module-download-install target)))))
      (should (vterm-download-test--one-line-p msg))
      (should (string-match-p "sent nothing for 3 seconds" msg))
      (should (equal (directory-files target nil "\\`[^.]\\|\\`\\.v") nil)))))

(ert-deftest vterm-download-refuses-partial-body ()
  "A body shorter than its Content-Length is reported as cut short."
  :tags '(posix)
  (vterm-download-test-with-server base target
    (let* ((vterm-module-download-url (concat base "partial/"))
           (msg (vterm-download-test--error
                 (lambda () (vterm-module-download-install target)))))
      (should (vterm-download-test--one-line-p msg))
      (should (string-match-p "ended after [0-9]+ of its [0-9]+ bytes" msg))
      (should (equal (directory-files target nil "\\`[^.]\\|\\`\\.v") nil)))))

(ert-deftest vterm-download-refuses-read-only-directory ()
  "A directory Emacs cannot write to is reported before anything is fetched."
  :tags '(posix)
  (vterm-download-test-with-server base target
    (let ((vterm-module-download-url (concat base "ok/")))
      (set-file-modes target #o555)
      ;; root writes anywhere but into an immutable directory.
      (when (= (user-uid) 0)
        (should (eq (call-process "chattr" nil nil nil "+i" target) 0)))
      (unwind-protect
          (let ((msg (vterm-download-test--error
                      (lambda () (vterm-module-download-install target)))))
            (should (vterm-download-test--one-line-p msg))
            (should (string-match-p "cannot write to .*make it writable" msg))
            (should (equal (directory-files target nil "\\`[^.]\\|\\`\\.v")
                           nil)))
        (when (= (user-uid) 0)
          (call-process "chattr" nil nil nil "-i" target))
        (set-file-modes target #o755)))))

(ert-deftest vterm-download-refuses-plain-http-by-default ()
  "An http URL is refused unless `vterm-module-download-allow-http' is set."
  :tags '(posix)
  (vterm-download-test-with-server base target
    (let* ((vterm-module-download-url (concat base "ok/"))
           (vterm-module-download-allow-http nil)
           (msg (vterm-download-test--error
                 (lambda () (vterm-module-download-install target)))))
      (should (vterm-download-test--one-line-p msg))
      (should (string-match-p "is not https.*allow-http" msg))
      (should (equal (directory-files target nil "\\`[^.]\\|\\`\\.v") nil)))))

(ert-deftest vterm-download-reports-unreachable-server ()
  "Nothing listening on the port gives a message about the network."
  :tags '(posix)
  (vterm-download-test-with-server base target
    ;; A port that was free a moment ago: the server's, once stopped.
    (delete-process server)
    (sleep-for 0.2)
    (let* ((vterm-module-download-url (concat base "ok/"))
           (msg (vterm-download-test--error
                 (lambda () (vterm-module-download-install target)))))
      (should (vterm-download-test--one-line-p msg))
      (should (string-match-p "network connection" msg))
      (should (equal (directory-files target nil "\\`[^.]\\|\\`\\.v") nil)))))

;; The offer on first load, with what Windows without a compiler has
;; stubbed: no module anywhere, Windows with no make or gcc, a user who
;; says yes.
(ert-deftest vterm-download-offered-on-windows-without-compiler ()
  "Loading with no module on Windows and no compiler offers the download."
  :tags '(posix)
  (require 'vterm)
  (let ((asked nil) (downloaded nil) (compiled nil)
        (real-featurep (symbol-function 'featurep))
        (noninteractive nil)
        (vterm--module-declined nil)
        (vterm-always-compile-module nil))
    ;; The module is loaded in this Emacs: it is "missing" until the
    ;; stub below has "downloaded" it.
    (cl-letf (((symbol-function 'featurep)
               (lambda (feature &rest rest)
                 (if (eq feature 'vterm-module)
                     downloaded
                   (apply real-featurep feature rest))))
              ((symbol-function 'locate-library)
               (lambda (&rest _) (and downloaded "/installed/vterm-module.dll")))
              ((symbol-function 'vterm--windows-without-compiler-p)
               (lambda () t))
              ((symbol-function 'y-or-n-p)
               (lambda (prompt) (push prompt asked) t))
              ((symbol-function 'vterm-module-download)
               (lambda () (setq downloaded t)))
              ((symbol-function 'vterm-module-compile)
               (lambda () (setq compiled t))))
      (condition-case err (vterm--load-module)
        (error (message "vterm--load-module: %S" err))))
    (should downloaded)
    (should-not compiled)
    (should (equal (length asked) 1))
    (should (string-match-p "finds no compiler.*Download" (car asked)))))

(provide 'vterm-download-tests)

;;; vterm-download-tests.el ends here

;;; vterm-module-download.el --- Install vterm's prebuilt Windows binaries, verified -*- lexical-binding: t; -*-

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

;; For Windows users without a C compiler: `vterm-module-download'
;; fetches vterm-module.dll and conpty-proxy.exe of exactly this
;; package's version from `vterm-module-download-url', checks each
;; against the SHA-256 the package carries (vterm-module-manifest.el,
;; written by "make dist"), and only then puts them beside vterm.el and
;; loads the module.  Both files are fetched and checked in memory
;; first; each is then written under a temporary name in the target
;; directory, read back and checked again, and renamed into place.  On
;; any failure the temporary files go and nothing new is left where
;; Emacs loads from.

;;; Code:

(require 'url)
(require 'url-http)
(require 'cl-lib)
(require 'vterm-module-manifest)

(defgroup vterm-module-download nil
  "Installing vterm's prebuilt Windows binaries."
  :group 'vterm)

(defcustom vterm-module-download-url
  "https://github.com/vterm-windows/vterm/releases/download/v%s/"
  "Where `vterm-module-download' fetches the binaries from.
A URL with one %s, which becomes the package version; the file names
vterm-module.dll and conpty-proxy.exe are appended to it.  It must be
https unless `vterm-module-download-allow-http' is non-nil."
  :type 'string
  :group 'vterm-module-download)

(defcustom vterm-module-download-allow-http nil
  "Non-nil: `vterm-module-download' accepts a plain http URL.
The hashes are checked either way, but over http anybody on the way
sees what you fetch."
  :type 'boolean
  :group 'vterm-module-download)

(defcustom vterm-module-download-timeout 60
  "Seconds one file's download may take before it is given up."
  :type 'number
  :group 'vterm-module-download)

(defconst vterm-module-download--directory
  (file-name-directory (or load-file-name buffer-file-name default-directory))
  "Directory of this file: the package's, where vterm.el is.")

(defun vterm-module-download--fail (format-string &rest args)
  "Signal a one-line error from FORMAT-STRING and ARGS, prefixed with our name."
  (signal 'error (list (concat "vterm-module-download: "
                               (apply #'format format-string args)))))

(defun vterm-module-download--base-url ()
  "Return the download URL for this version, ending in a slash."
  (let* ((version (alist-get 'version vterm-module-manifest))
         (url (format vterm-module-download-url version)))
    (unless (or (string-prefix-p "https://" url)
                (and vterm-module-download-allow-http
                     (string-prefix-p "http://" url)))
      (vterm-module-download--fail
       "%s is not https; set `vterm-module-download-allow-http' to allow it"
       url))
    (if (string-suffix-p "/" url) url (concat url "/"))))

(defun vterm-module-download--fetch (url)
  "Return the body of URL as a unibyte string, or signal a one-line error."
  (let* ((url-show-status nil)
         (url-automatic-caching nil)
         (url-request-method "GET")
         (buf (condition-case err
                  (url-retrieve-synchronously url t t
                                              vterm-module-download-timeout)
                (error (vterm-module-download--fail
                        "cannot reach %s (%s); check the network connection"
                        url (error-message-string err))))))
    ;; Emacs 28 gives the killed buffer on a timeout, later ones nil.
    (unless (buffer-live-p buf)
      (vterm-module-download--fail
       "%s sent nothing for %s seconds; try again later or raise `vterm-module-download-timeout'"
       url vterm-module-download-timeout))
    (unwind-protect
        (with-current-buffer buf
          (let ((status (bound-and-true-p url-http-response-status))
                (length (bound-and-true-p url-http-content-length)))
            (cond
             ((null status)
              (vterm-module-download--fail
               "no answer from %s; check the network connection" url))
             ((eq status 404)
              (vterm-module-download--fail
               "%s is not there (HTTP 404): this version may have no release binaries; build them with M-x vterm-module-compile"
               url))
             ((not (eq status 200))
              (vterm-module-download--fail "%s answered HTTP %s; try again later"
                                           url status)))
            (goto-char (point-min))
            (unless (re-search-forward "\r?\n\r?\n" nil t)
              (vterm-module-download--fail "no answer from %s" url))
            (let ((body (string-to-unibyte
                         (buffer-substring-no-properties (point) (point-max)))))
              (when (and length (/= (length body) length))
                (vterm-module-download--fail
                 "%s ended after %d of its %d bytes; try again"
                 url (length body) length))
              body)))
      (let ((proc (get-buffer-process buf)))
        (when proc (delete-process proc)))
      (let ((kill-buffer-query-functions nil))
        (kill-buffer buf)))))

(defun vterm-module-download--check (name body url)
  "Signal an error unless BODY has the SHA-256 the manifest gives NAME.
URL is where it came from, for the message."
  (let ((want (cdr (assoc name (alist-get 'files vterm-module-manifest))))
        (got (secure-hash 'sha256 body)))
    (unless (equal got want)
      (vterm-module-download--fail
       "%s from %s is not the file this package expects (SHA-256 %s, not %s); nothing installed"
       name url got want))))

(defun vterm-module-download--read (file)
  "Return the bytes of FILE as a unibyte string."
  (with-temp-buffer
    (set-buffer-multibyte nil)
    (insert-file-contents-literally file)
    (buffer-string)))

(defun vterm-module-download-install (dir)
  "Fetch the binaries of this version, check them and install them in DIR.
Return the list of files installed.  Each error is one line that says
what to do; after an error nothing new is left in DIR."
  (let ((dir (file-name-as-directory (expand-file-name dir))))
    (unless (and (file-directory-p dir) (file-writable-p dir))
      (vterm-module-download--fail
       "cannot write to %s; make it writable or install the binaries by hand (see the README)"
       dir))
    (let* ((base (vterm-module-download--base-url))
           (files (alist-get 'files vterm-module-manifest))
           (bodies (mapcar (lambda (file)
                             (let* ((name (car file))
                                    (url (concat base name))
                                    (body (vterm-module-download--fetch url)))
                               (vterm-module-download--check name body url)
                               (cons name body)))
                           files))
           (temps nil)
           (installed nil))
      (unwind-protect
          (progn
            ;; Everything is checked: write each under a name Emacs does
            ;; not load, check what the disk holds, then rename.
            (dolist (entry bodies)
              (let ((temp (condition-case err
                              (make-temp-file
                               (expand-file-name ".vterm-download-" dir))
                            (file-error
                             (vterm-module-download--fail
                              "cannot write to %s (%s)" dir
                              (error-message-string err))))))
                (push temp temps)
                (let ((coding-system-for-write 'no-conversion))
                  (write-region (cdr entry) nil temp nil 'silent))
                (vterm-module-download--check
                 (car entry) (vterm-module-download--read temp) temp)))
            (setq temps (nreverse temps))
            (cl-loop for entry in bodies
                     for temp in temps
                     do (let ((target (expand-file-name (car entry) dir)))
                          (condition-case err
                              (rename-file temp target t)
                            (file-error
                             (vterm-module-download--fail
                              "cannot replace %s (%s); if this Emacs loaded it, restart Emacs and try again"
                              target (error-message-string err))))
                          (push target installed)))
            (setq temps nil)
            (nreverse installed))
        ;; On a failure: the temporary files, and what the incomplete
        ;; install renamed already.
        (when temps
          (dolist (file (append temps installed))
            (ignore-errors (delete-file file))))))))

;;;###autoload
(defun vterm-module-download ()
  "Install vterm's prebuilt Windows binaries for this version, and load them.
Fetches vterm-module.dll and conpty-proxy.exe from
`vterm-module-download-url', checks both against the SHA-256 digests
the package carries, and puts them beside vterm.el."
  (interactive)
  (unless (and (eq system-type 'windows-nt)
               (string-prefix-p "x86_64-" system-configuration))
    (user-error "Prebuilt vterm binaries exist for 64-bit Windows only; use M-x vterm-module-compile"))
  (let ((dir vterm-module-download--directory))
    (vterm-module-download-install dir)
    (add-to-list 'load-path dir)
    (require 'vterm-module)
    (message "vterm-module %s installed in %s"
             (alist-get 'version vterm-module-manifest) dir)))

(provide 'vterm-module-download)

;;; vterm-module-download.el ends here

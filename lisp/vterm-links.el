;;; vterm-links.el --- Links in a vterm's output -*- lexical-binding: t; -*-

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

;; URLs and references to existing files with a line number
;; (src/main.c:42, ./x.py:3:7) in the output become links: a click
;; opens them, as RET does in copy mode.  So does text the program
;; made a hyperlink (OSC 8: `ls --hyperlink', gcc's diagnostics), which
;; the module marks with the text property `vterm-hyperlink' (its
;; URI).  They are found when Emacs displays the text (jit-lock), so
;; output nobody looks at costs nothing, and redraws, which replace the
;; text, drop them with it.
;;
;; vterm.el turns this on in each vterm buffer (`vterm-links-setup').

;;; Code:

(require 'vterm-transport)
(require 'vterm-mouse)

(declare-function vterm--get-pwd "vterm" (&optional linenum))
(declare-function url-generic-parse-url "url-parse" (url))
(declare-function url-filename "url-parse" (cl-x) t)
(declare-function url-unhex-string "url-util" (str &optional allow-newlines))

(defcustom vterm-clickable-links t
  "If non-nil, URLs, FILE:LINE references and hyperlinks are links.
Hyperlinks are text a program links to a URI (OSC 8).
A click of the first or second mouse button (not a drag) on one
opens it, and so does RET in copy mode: a URL with `browse-url', a
file:// URL or a reference to an existing file (relative to the
directory the shell was in on that line) in Emacs, at its line.
While the program in the terminal reads the mouse
\(`vterm-mouse-reporting'), clicks are its.  When nil, the output
stays plain text, as in emacs-libvterm."
  :type 'boolean
  :group 'vterm)

(defconst vterm-links--regexp
  (concat
   ;; A URL.
   "\\(?1:\\b\\(?:https?\\|ftp\\|file\\)://[^][ \t\n\"'<>`{}|\\^]+\\)"
   ;; A file with an extension or a directory in its name, then :LINE
   ;; and maybe :COLUMN, at the start of a word.
   "\\|\\(?:^\\|[ \t(\"'`=]\\)"
   "\\(?2:[[:alnum:]_.~/-]*\\(?:[[:alnum:]_-]\\.[[:alnum:]]+"
   "\\|/[[:alnum:]_.-]+\\)\\)"
   ":\\(?3:[0-9]+\\)\\(?::\\(?4:[0-9]+\\)\\)?")
  "What a link in the output looks like.")

(defconst vterm-links--properties
  '(vterm-link mouse-face help-echo keymap follow-link)
  "The text properties a link carries.")

(defun vterm-links--in-copy-mode (command)
  "Return COMMAND in copy mode: RET on a link opens it only there."
  (and (bound-and-true-p vterm-copy-mode) command))

(defun vterm-links--mouse-free (command)
  "Return COMMAND, or nil when the terminal's program has the mouse."
  (and (not (vterm-mouse--wanted t)) command))

(defvar vterm-links-map
  (let ((map (make-sparse-keymap)))
    (define-key map [mouse-2]
      '(menu-item "" vterm-links-open-at-mouse
                  :filter vterm-links--mouse-free))
    (define-key map [follow-link] 'mouse-face)
    (dolist (key (list (kbd "RET") [return]))
      (define-key map key
        '(menu-item "" vterm-links-open :filter vterm-links--in-copy-mode)))
    map)
  "Keymap of the links in a vterm's output.")

(defun vterm-links--url-end (end)
  "Return END moved back over punctuation that ends a sentence, not a URL."
  (save-excursion
    (goto-char end)
    (skip-chars-backward ".,;:!?'\")]" (match-beginning 1))
    (point)))

(defun vterm-links--file (start file line column)
  "Return the link for FILE at LINE, COLUMN shown at START, or nil.
FILE is relative to the directory the shell was in on that line; a
file that does not exist, or one on a remote host (which would take a
connection to check), gives no link."
  (let ((dir (or (vterm--get-pwd (line-number-at-pos start))
                 default-directory)))
    (unless (file-remote-p dir)
      (let ((path (expand-file-name file dir)))
        (when (file-regular-p path)
          (list 'file path (string-to-number line)
                (and column (string-to-number column))))))))

(defun vterm-links--mark (start end link)
  "Make START..END a link to LINK."
  (add-text-properties
   start end
   (list 'vterm-link link
         'mouse-face 'highlight
         'follow-link t
         'keymap vterm-links-map
         'help-echo (if (eq (car link) 'url)
                        (concat "mouse-1: visit " (cadr link))
                      (format "mouse-1: visit %s, line %d"
                              (cadr link) (nth 2 link))))))

(defun vterm-links--mark-hyperlinks (beg end)
  "Make the text from BEG to END the program linked (OSC 8) links.
They take the place of URLs found in their text."
  (let ((pos beg))
    (while (< pos end)
      (let ((uri (get-text-property pos 'vterm-hyperlink))
            (next (next-single-property-change pos 'vterm-hyperlink nil end)))
        (when uri
          (vterm-links--mark pos next (list 'url uri)))
        (setq pos next)))))

(defun vterm-links--fontify (beg end)
  "Find the links in the lines from BEG to END (`jit-lock-register')."
  (save-excursion
    (save-match-data
      (goto-char end)
      (setq end (line-end-position))
      (goto-char beg)
      (setq beg (line-beginning-position))
      (with-silent-modifications
        (remove-list-of-text-properties beg end vterm-links--properties)
        (while (re-search-forward vterm-links--regexp end t)
          (if (match-beginning 1)
              (let ((url-end (vterm-links--url-end (match-end 1))))
                (vterm-links--mark
                 (match-beginning 1) url-end
                 (list 'url (buffer-substring-no-properties
                             (match-beginning 1) url-end))))
            (let ((link (vterm-links--file (match-beginning 2)
                                           (match-string-no-properties 2)
                                           (match-string-no-properties 3)
                                           (match-string-no-properties 4))))
              (when link
                (vterm-links--mark (match-beginning 2) (match-end 0)
                                   link)))))
        (vterm-links--mark-hyperlinks beg end))))
  `(jit-lock-bounds ,beg . ,end))

(defun vterm-links-setup ()
  "Find links in the current buffer's output while it is displayed.
Nothing when `vterm-clickable-links' is nil."
  (when vterm-clickable-links
    (jit-lock-register #'vterm-links--fontify)))

(defun vterm-links--visit-file (file line column)
  "Show FILE at LINE and COLUMN (from 1; nil: its start) in another window."
  (find-file-other-window file)
  (goto-char (point-min))
  (forward-line (1- line))
  (when column
    (move-to-column (1- column))))

(defun vterm-links--file-url-path (url)
  "Return the file a file:// URL names.
A drive letter's path (file:///C:/x, as Windows programs write it)
loses the slash before the drive."
  (let ((path (url-unhex-string (url-filename (url-generic-parse-url url)))))
    (if (string-match-p "\\`/[A-Za-z]:" path)
        (substring path 1)
      path)))

(defun vterm-links-open (&optional pos)
  "Open the link at POS (default: point).
A URL goes to `browse-url', except a file:// URL, which Emacs visits;
a FILE:LINE reference is visited at its line."
  (interactive)
  (pcase (get-text-property (or pos (point)) 'vterm-link)
    (`(url ,url)
     (if (string-prefix-p "file:" url)
         (progn
           (require 'url-parse)
           (require 'url-util)
           (vterm-links--visit-file (vterm-links--file-url-path url) 1 nil))
       (browse-url url)))
    (`(file ,file ,line ,column)
     (vterm-links--visit-file file line column))
    (_ (user-error "No link here"))))

(defun vterm-links-open-at-mouse (event)
  "Open the link mouse EVENT clicked."
  (interactive "e")
  (let ((position (event-end event)))
    (select-window (posn-window position))
    (vterm-links-open (posn-point position))))

(provide 'vterm-links)

;;; vterm-links.el ends here

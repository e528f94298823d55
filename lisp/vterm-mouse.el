;;; vterm-mouse.el --- The mouse for programs in a vterm that ask for it -*- lexical-binding: t; -*-

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

;; A program in the terminal may ask to hear of the mouse (DECSET 1000,
;; 1002 or 1003: htop, vim with mouse=a, less --mouse, tmux).  While it
;; does, the buttons and the wheel in the vterm window go to it, as an
;; xterm would send them; while it does not, the bindings here step
;; aside (`menu-item' filters) and the mouse selects, sets point and
;; scrolls as anywhere in Emacs.  Shift with a button is always Emacs's
;; own, as in xterm.  In a text terminal Emacs sees the mouse only with
;; `xterm-mouse-mode'.
;;
;; vterm.el puts these bindings in `vterm-mode-map'
;; (`vterm-mouse-bind').

;;; Code:

(require 'vterm-transport)

(declare-function vterm--mouse "vterm-module")
(declare-function vterm--mouse-mode "vterm-module")

(defcustom vterm-mouse-reporting t
  "If non-nil, a program that asks for the mouse gets it.
While the program in the terminal has asked to hear of the mouse
\(DECSET 1000, 1002 or 1003: htop, vim with mouse=a, less --mouse),
clicks and the wheel in its window go to it.  Shift with a button is
always Emacs's own.  When nil, or while the program has not asked,
the mouse selects and scrolls as anywhere in Emacs, as in
emacs-libvterm."
  :type 'boolean
  :group 'vterm)

(defconst vterm-mouse--buttons
  '((mouse-1 . 1) (mouse-2 . 2) (mouse-3 . 3)
    (mouse-4 . 4) (mouse-5 . 5) (wheel-up . 4) (wheel-down . 5))
  "Emacs's mouse events and the terminal's button numbers.
In a text terminal, `xterm-mouse-mode' reads the wheel as mouse-4
and mouse-5; window systems read it as wheel-up and wheel-down.")

(defun vterm-mouse--wanted (command)
  "Return COMMAND if the mouse is to go to the terminal's program.
The filter of the bindings `vterm-mouse-bind' makes: nil lets Emacs's
own binding of the event act."
  (and vterm-mouse-reporting
       vterm--term
       (not (bound-and-true-p vterm-copy-mode))
       (vterm--mouse-mode vterm--term)
       command))

(defun vterm-mouse--cell (position)
  "Return (ROW . COL), the screen cell at POSITION (from 0), or nil.
POSITION is a mouse event's position in a window of this buffer; nil
when it is not on the terminal's screen (the scrollback, a margin)."
  (let ((point (posn-point position))
        (col-row (posn-col-row position))
        (rows (or (cdr vterm--size) 24)))
    (when (and point col-row (null (posn-area position)))
      (save-excursion
        (goto-char (point-max))
        (forward-line (- 1 rows))
        (let ((top (point)))
          (goto-char point)
          (when (>= point top)
            (cons (count-lines top (line-beginning-position))
                  (+ (car col-row)
                     (window-hscroll (posn-window position))))))))))

(defun vterm-mouse--send (position button pressed modifiers)
  "Tell the program of BUTTON (0: a move) PRESSED or not at POSITION.
MODIFIERS are the event's, as `event-modifiers' gives them."
  (let ((cell (vterm-mouse--cell position)))
    (when cell
      (vterm--mouse vterm--term (car cell) (cdr cell) button pressed
                    (memq 'shift modifiers) (memq 'meta modifiers)
                    (memq 'control modifiers)))))

(defun vterm-mouse-report (event)
  "Send mouse EVENT to the program in the terminal, as xterm would.
A button's press and release go where they happened; a drag ends
with a move to where the button was released, then the release; a
wheel step is a press of button 4 or 5.  The window clicked in is
selected."
  (interactive "e")
  (let* ((start (event-start event))
         (end (event-end event))
         (window (posn-window start))
         (modifiers (event-modifiers event))
         (button (cdr (assq (event-basic-type event)
                            vterm-mouse--buttons))))
    (when (and button (windowp window))
      (select-window window)
      (with-current-buffer (window-buffer window)
        (cond
         ((or (memq 'down modifiers) (> button 3))
          (vterm-mouse--send start button t modifiers))
         ((not (eq (posn-window end) window))
          ;; Released in another window: where it was pressed.
          (vterm-mouse--send start button nil modifiers))
         (t
          (when (memq 'drag modifiers)
            (vterm-mouse--send end 0 nil modifiers))
          (vterm-mouse--send end button nil modifiers)))))))

(defun vterm-mouse-bind (map)
  "Bind the mouse events in MAP to `vterm-mouse-report', when wanted.
Each binding acts only while the program asks for the mouse and
`vterm-mouse-reporting' is non-nil (see `vterm-mouse--wanted');
otherwise the event keeps its global meaning.  Shifted events are
left alone."
  (let ((binding '(menu-item "" vterm-mouse-report
                             :filter vterm-mouse--wanted)))
    (dolist (n '(1 2 3))
      (dolist (prefix '("" "double-" "triple-"))
        (dolist (kind '("down-mouse-" "mouse-" "drag-mouse-"))
          (define-key map (vector (intern (format "%s%s%d" prefix kind n)))
            binding))))
    (dolist (wheel '(mouse-4 mouse-5 wheel-up wheel-down))
      (define-key map (vector wheel) binding))))

(provide 'vterm-mouse)

;;; vterm-mouse.el ends here

;;; vterm-module-manifest.el --- What vterm's Windows binaries must hash to -*- lexical-binding: t; -*-

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

;; Written by "make dist" (build-aux/dist.sh from
;; build-aux/vterm-module-manifest.el.in); do not edit.  The version of
;; the package and the SHA-256 of the two Windows binaries that "make
;; dist" builds from this tree.  `vterm-module-download' installs a
;; downloaded binary only when its hash is the one here; the dist suite
;; of "make test" fails when this file is not what "make dist" writes.

;;; Code:

(defconst vterm-module-manifest
  '((version . "0.1.0")
    (platform . "windows-x86_64")
    (files ("vterm-module.dll" . "3ac0480a8dfdba69c0c4519210d9bb3a4401a38d89c8ba7425c6638d837c88b6")
           ("conpty-proxy.exe" . "f9fcc5d2fc0340d3b7ac82521558d547fbb7018234d34873c3e3a723195e731e")))
  "The release these binaries belong to and their SHA-256 digests.
An alist: `version' is the package version, `platform' what the
binaries run on, `files' maps each file name to its SHA-256 in
lower-case hexadecimal.")

(provide 'vterm-module-manifest)

;;; vterm-module-manifest.el ends here

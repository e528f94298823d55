;;; vterm-keys-tests.el --- Every key against the bytes the program gets -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by tests/ert/run.el.  Each key of `vterm-keys-test-table' is
;; typed the way Emacs reads it, through the keymaps
;; (`execute-kbd-macro' with the vterm buffer current and selected),
;; and the bytes the terminal writes for it to the program are
;; compared with the table's.  Keys are typed as a graphical frame
;; delivers them (Meta as the meta bit) and, for Meta keys, as a text
;; terminal does: ESC, then the key.
;;
;; The bytes are what emacs-libvterm sends for the key (its keymap,
;; `vterm--self-insert' and `vterm--self-insert-meta', its module's
;; vterm--update, libvterm's keyboard encoding).  Where it sends
;; nothing, or something no terminal sends, the row has what xterm
;; sends and its comment says "xterm", then what emacs-libvterm does
;; ("e-l: nothing (runs backward-word)" is a key it leaves to Emacs).
;; The bytes do not depend on the libvterm version (0.1.4 and 0.3.3
;; encode these keys alike).

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'vterm)
(require 'vterm-tests)

(defconst vterm-keys-test-table
  '(
    ;; Printable ASCII: the character itself.
    ("SPC" " ")
    ("!" "!")
    ("\"" "\"")
    ("#" "#")
    ("$" "$")
    ("%" "%")
    ("&" "&")
    ("'" "'")
    ("(" "(")
    (")" ")")
    ("*" "*")
    ("+" "+")
    ("," ",")
    ("-" "-")
    ("." ".")
    ("/" "/")
    ("0" "0")
    ("1" "1")
    ("2" "2")
    ("3" "3")
    ("4" "4")
    ("5" "5")
    ("6" "6")
    ("7" "7")
    ("8" "8")
    ("9" "9")
    (":" ":")
    (";" ";")
    ("<" "<")
    ("=" "=")
    (">" ">")
    ("?" "?")
    ("@" "@")
    ("A" "A")
    ("B" "B")
    ("C" "C")
    ("D" "D")
    ("E" "E")
    ("F" "F")
    ("G" "G")
    ("H" "H")
    ("I" "I")
    ("J" "J")
    ("K" "K")
    ("L" "L")
    ("M" "M")
    ("N" "N")
    ("O" "O")
    ("P" "P")
    ("Q" "Q")
    ("R" "R")
    ("S" "S")
    ("T" "T")
    ("U" "U")
    ("V" "V")
    ("W" "W")
    ("X" "X")
    ("Y" "Y")
    ("Z" "Z")
    ("[" "[")
    ("\\" "\\")
    ("]" "]")
    ("^" "^")
    ("_" "_")
    ("`" "`")
    ("a" "a")
    ("b" "b")
    ("c" "c")
    ("d" "d")
    ("e" "e")
    ("f" "f")
    ("g" "g")
    ("h" "h")
    ("i" "i")
    ("j" "j")
    ("k" "k")
    ("l" "l")
    ("m" "m")
    ("n" "n")
    ("o" "o")
    ("p" "p")
    ("q" "q")
    ("r" "r")
    ("s" "s")
    ("t" "t")
    ("u" "u")
    ("v" "v")
    ("w" "w")
    ("x" "x")
    ("y" "y")
    ("z" "z")
    ("{" "{")
    ("|" "|")
    ("}" "}")
    ("~" "~")

    ;; Control characters (C-c C-x C-u C-g C-h C-l C-y are exceptions or
    ;; commands; ESC is the Meta prefix, tested with Meta below).
    ("C-@" "\^@") ; xterm; e-l: "\e[64;5u"
    ("C-a" "\^A")
    ("C-b" "\^B")
    ("C-d" "\^D")
    ("C-e" "\^E")
    ("C-f" "\^F")
    ("TAB" "\t")
    ("C-j" "\n")
    ("C-k" "\^K")
    ("RET" "\r") ; e-l writes it past the module
    ("C-n" "\^N")
    ("C-o" "\^O")
    ("C-p" "\^P")
    ("C-q" "\^Q")
    ("C-r" "\^R")
    ("C-s" "\^S")
    ("C-t" "\^T")
    ("C-v" "\^V")
    ("C-w" "\^W")
    ("C-z" "\^Z")
    ("C-\\" "\^\\")
    ("C-]" "\^]")
    ("C-^" "\^^")
    ("C-_" "\^_")
    ("DEL" "\d")

    ;; Meta with printable ASCII: ESC and the character.  "tty": also
    ;; typed as ESC then the character, as a text terminal sends it.
    ;; M-x M-o M-y are exceptions; M-O and M-[ are at the end.
    ("M-SPC" "\e " tty)
    ("M-!" "\e!" tty)
    ("M-\"" "\e\"" tty)
    ("M-#" "\e#" tty)
    ("M-$" "\e$" tty)
    ("M-%" "\e%" tty)
    ("M-&" "\e&" tty)
    ("M-'" "\e'" tty)
    ("M-(" "\e(" tty)
    ("M-)" "\e)" tty)
    ("M-*" "\e*" tty)
    ("M-+" "\e+" tty)
    ("M-," "\e," tty) ; xterm; e-l: same, ESC form ","
    ("M--" "\e-" tty)
    ("M-." "\e." tty) ; xterm; e-l: same, ESC form "."
    ("M-/" "\e/" tty)
    ("M-0" "\e0" tty)
    ("M-1" "\e1" tty)
    ("M-2" "\e2" tty)
    ("M-3" "\e3" tty)
    ("M-4" "\e4" tty)
    ("M-5" "\e5" tty)
    ("M-6" "\e6" tty)
    ("M-7" "\e7" tty)
    ("M-8" "\e8" tty)
    ("M-9" "\e9" tty)
    ("M-:" "\e:" tty)
    ("M-;" "\e;" tty)
    ("M-<" "\e<" tty) ; xterm; e-l: same, ESC form "<"
    ("M-=" "\e=" tty)
    ("M->" "\e>" tty) ; xterm; e-l: same, ESC form ">"
    ("M-?" "\e?" tty)
    ("M-@" "\e@" tty)
    ("M-A" "\eA" tty) ; xterm; e-l: "\ea", ESC form "\ea"
    ("M-B" "\eB" tty) ; xterm; e-l: "\eb", ESC form "\eb"
    ("M-C" "\eC" tty) ; xterm; e-l: "\ec", ESC form "\ec"
    ("M-D" "\eD" tty) ; xterm; e-l: "\ed", ESC form "\ed"
    ("M-E" "\eE" tty) ; xterm; e-l: "\ee", ESC form "\ee"
    ("M-F" "\eF" tty) ; xterm; e-l: "\ef", ESC form "\ef"
    ("M-G" "\eG" tty) ; xterm; e-l: "\eg", ESC form "\eg"
    ("M-H" "\eH" tty) ; xterm; e-l: "\eh", ESC form "\eh"
    ("M-I" "\eI" tty) ; xterm; e-l: "\ei", ESC form "\ei"
    ("M-J" "\eJ" tty) ; xterm; e-l: "\ej", ESC form "\ej"
    ("M-K" "\eK" tty) ; xterm; e-l: "\ek", ESC form "\ek"
    ("M-L" "\eL" tty) ; xterm; e-l: "\el", ESC form "\el"
    ("M-M" "\eM" tty) ; xterm; e-l: "\em", ESC form "\em"
    ("M-N" "\eN" tty) ; xterm; e-l: "\en", ESC form "\en"
    ("M-P" "\eP" tty) ; xterm; e-l: "\ep", ESC form "\ep"
    ("M-Q" "\eQ" tty) ; xterm; e-l: "\eq", ESC form "\eq"
    ("M-R" "\eR" tty) ; xterm; e-l: "\er", ESC form "\er"
    ("M-S" "\eS" tty) ; xterm; e-l: "\es", ESC form "\es"
    ("M-T" "\eT" tty) ; xterm; e-l: "\et", ESC form "\et"
    ("M-U" "\eU" tty) ; xterm; e-l: "\eu", ESC form "\eu"
    ("M-V" "\eV" tty) ; xterm; e-l: "\ev", ESC form "\ev"
    ("M-W" "\eW" tty) ; xterm; e-l: "\ew", ESC form "\ew"
    ("M-X" "\eX" tty) ; xterm; e-l: "\ex", ESC form "\ex"
    ("M-Y" "\eY" tty) ; xterm; e-l: "\ey", ESC form "\ey"
    ("M-Z" "\eZ" tty) ; xterm; e-l: "\ez", ESC form "\ez"
    ("M-\\" "\e\\" tty)
    ("M-]" "\e]" tty)
    ("M-^" "\e^" tty)
    ("M-_" "\e_" tty)
    ("M-`" "\e`" tty)
    ("M-a" "\ea" tty)
    ("M-b" "\eb" tty)
    ("M-c" "\ec" tty)
    ("M-d" "\ed" tty)
    ("M-e" "\ee" tty)
    ("M-f" "\ef" tty)
    ("M-g" "\eg" tty)
    ("M-h" "\eh" tty)
    ("M-i" "\ei" tty)
    ("M-j" "\ej" tty)
    ("M-k" "\ek" tty)
    ("M-l" "\el" tty)
    ("M-m" "\em" tty)
    ("M-n" "\en" tty)
    ("M-p" "\ep" tty)
    ("M-q" "\eq" tty)
    ("M-r" "\er" tty)
    ("M-s" "\es" tty)
    ("M-t" "\et" tty)
    ("M-u" "\eu" tty)
    ("M-v" "\ev" tty)
    ("M-w" "\ew" tty)
    ("M-z" "\ez" tty)
    ("M-{" "\e{" tty)
    ("M-|" "\e|" tty)
    ("M-}" "\e}" tty)
    ("M-~" "\e~" tty)

    ;; Meta with control characters: ESC and the byte.
    ("C-M-@" "\e\^@" tty) ; xterm; e-l: "\e[64;7u", ESC form "\e[64;7u"
    ("C-M-a" "\e\^A" tty)
    ("C-M-b" "\e\^B" tty)
    ("C-M-c" "\e\^C" tty)
    ("C-M-d" "\e\^D" tty)
    ("C-M-e" "\e\^E" tty)
    ("C-M-f" "\e\^F" tty)
    ("C-M-g" "\e\^G" tty)
    ("C-M-h" "\e\^H" tty)
    ("C-M-i" "\e\t" tty) ; xterm; e-l: "\e[105;7u", ESC form "\e[105;7u"
    ("C-M-j" "\e\n" tty) ; xterm; e-l: "\e[106;7u", ESC form "\e[106;7u"
    ("C-M-k" "\e\^K" tty)
    ("C-M-l" "\e\^L" tty)
    ("M-RET" "\e\r" tty) ; xterm; e-l: "\e[109;7u", ESC form "\e[109;7u"
    ("C-M-n" "\e\^N" tty)
    ("C-M-o" "\e\^O" tty)
    ("C-M-p" "\e\^P" tty)
    ("C-M-q" "\e\^Q" tty)
    ("C-M-r" "\e\^R" tty)
    ("C-M-s" "\e\^S" tty)
    ("C-M-t" "\e\^T" tty)
    ("C-M-u" "\e\^U" tty)
    ("C-M-v" "\e\^V" tty)
    ("C-M-w" "\e\^W" tty)
    ("C-M-x" "\e\^X" tty)
    ("C-M-y" "\e\^Y" tty)
    ("C-M-z" "\e\^Z" tty)
    ("M-ESC" "\e\e" tty) ; xterm; e-l: "\e[91;7u", ESC form "\e[91;7u"
    ("C-M-\\" "\e\^\\" tty)
    ("C-M-]" "\e\^]" tty)
    ("C-M-^" "\e\^^" tty)
    ("C-M-_" "\e\^_" tty)
    ("M-DEL" "\e\d" tty)

    ;; Keys only a graphical frame has.  C-digits are sent in the CSI u
    ;; form xterm sends with modifyOtherKeys (libvterm's encoding).
    ("C-0" "\e[48;5u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-1" "\e[49;5u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-2" "\e[50;5u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-3" "\e[51;5u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-4" "\e[52;5u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-5" "\e[53;5u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-6" "\e[54;5u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-7" "\e[55;5u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-8" "\e[56;5u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-9" "\e[57;5u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-M-0" "\e[48;7u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-M-1" "\e[49;7u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-M-2" "\e[50;7u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-M-3" "\e[51;7u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-M-4" "\e[52;7u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-M-5" "\e[53;7u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-M-6" "\e[54;7u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-M-7" "\e[55;7u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-M-8" "\e[56;7u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-M-9" "\e[57;7u") ; xterm; e-l: nothing (runs digit-argument)
    ("C-SPC" "\^@")
    ("S-SPC" " ")
    ("C-<return>" "\e[13;5u") ; xterm; e-l: nothing
    ("S-<return>" "\e[13;2u") ; xterm; e-l: nothing
    ("C-<backspace>" "\e\d")

    ;; Cursor, editing and function keys; M- also as ESC then the key.
    ;; Left to Emacs: S-<insert> (paste), C-<insert> (copy), S-<delete>
    ;; (cut), S-<prior> and S-<next> (scroll), as in emacs-libvterm.
    ("<tab>" "\t")
    ("M-<tab>" "\e\t" tty) ; xterm; e-l: nothing, ESC form "\e[105;7u"
    ("<return>" "\r") ; e-l writes it past the module
    ("M-<return>" "\e\r" tty) ; xterm; e-l: nothing, ESC form "\e[109;7u"
    ("<backspace>" "\d")
    ("M-<backspace>" "\e\d" tty)
    ("<escape>" "\e")
    ("M-<escape>" "\e\e" tty) ; xterm; e-l: nothing, ESC form "\e[91;7u"
    ("<backtab>" "\e[Z")
    ("M-<backtab>" "\e[1;4Z" tty) ; xterm; e-l: nothing, ESC form nothing
    ("<up>" "\e[A")
    ("C-<up>" "\e[1;5A")
    ("M-<up>" "\e[1;3A" tty) ; xterm; e-l: same, ESC form nothing
    ("S-<up>" "\e[1;2A") ; xterm; e-l: "\e[A"
    ("C-M-<up>" "\e[1;7A") ; xterm; e-l: nothing (runs backward-up-list)
    ("<down>" "\e[B")
    ("C-<down>" "\e[1;5B")
    ("M-<down>" "\e[1;3B" tty) ; xterm; e-l: same, ESC form nothing
    ("S-<down>" "\e[1;2B") ; xterm; e-l: "\e[B"
    ("C-M-<down>" "\e[1;7B") ; xterm; e-l: nothing (runs down-list)
    ("<left>" "\e[D")
    ("C-<left>" "\e[1;5D")
    ("M-<left>" "\e[1;3D" tty) ; xterm; e-l: same, ESC form nothing (runs backward-word)
    ("S-<left>" "\e[1;2D") ; xterm; e-l: "\e[D"
    ("C-M-<left>" "\e[1;7D") ; xterm; e-l: nothing (runs backward-sexp)
    ("<right>" "\e[C")
    ("C-<right>" "\e[1;5C")
    ("M-<right>" "\e[1;3C" tty) ; xterm; e-l: same, ESC form nothing (runs forward-word)
    ("S-<right>" "\e[1;2C") ; xterm; e-l: "\e[C"
    ("C-M-<right>" "\e[1;7C") ; xterm; e-l: nothing (runs forward-sexp)
    ("<home>" "\e[H")
    ("C-<home>" "\e[1;5H")
    ("M-<home>" "\e[1;3H" tty) ; xterm; e-l: nothing (runs beginning-of-buffer-other-window), ESC form nothing (runs beginning-of-buffer-other-window)
    ("S-<home>" "\e[1;2H") ; xterm; e-l: "\e[H"
    ("C-M-<home>" "\e[1;7H") ; xterm; e-l: nothing (runs beginning-of-defun)
    ("<end>" "\e[F")
    ("C-<end>" "\e[1;5F")
    ("M-<end>" "\e[1;3F" tty) ; xterm; e-l: nothing (runs end-of-buffer-other-window), ESC form nothing (runs end-of-buffer-other-window)
    ("S-<end>" "\e[1;2F") ; xterm; e-l: "\e[F"
    ("C-M-<end>" "\e[1;7F") ; xterm; e-l: nothing (runs end-of-defun)
    ("<prior>" "\e[5~")
    ("C-<prior>" "\e[5;5~") ; xterm; e-l: nothing (runs scroll-right)
    ("M-<prior>" "\e[5;3~" tty) ; xterm; e-l: nothing (runs scroll-other-window-down), ESC form nothing (runs scroll-other-window-down)
    ("C-M-<prior>" "\e[5;7~") ; xterm; e-l: nothing
    ("<next>" "\e[6~")
    ("C-<next>" "\e[6;5~") ; xterm; e-l: nothing (runs scroll-left)
    ("M-<next>" "\e[6;3~" tty) ; xterm; e-l: nothing (runs scroll-other-window), ESC form nothing (runs scroll-other-window)
    ("C-M-<next>" "\e[6;7~") ; xterm; e-l: nothing
    ("<insert>" "\e[2~") ; xterm; e-l: nothing (runs overwrite-mode)
    ("M-<insert>" "\e[2;3~" tty) ; xterm; e-l: nothing, ESC form nothing
    ("C-M-<insert>" "\e[2;7~") ; xterm; e-l: nothing
    ;; The Insert key of a text terminal (terminfo kich1, \e[2~) is read
    ;; as <insertchar>; modified, xterm.el reads it as <insert>.
    ("<insertchar>" "\e[2~") ; xterm; e-l: nothing (runs overwrite-mode)
    ("M-<insertchar>" "\e[2;3~" tty) ; xterm; e-l: nothing
    ("C-M-<insertchar>" "\e[2;7~") ; xterm; e-l: nothing
    ("<delete>" "\e[3~")
    ("C-<delete>" "\e[3;5~") ; xterm; e-l: nothing (runs kill-word)
    ("M-<delete>" "\e[3;3~" tty) ; xterm; e-l: nothing, ESC form "\e\d"
    ("C-M-<delete>" "\e[3;7~") ; xterm; e-l: nothing
    ("<deletechar>" "\e[3~") ; xterm; e-l: nothing (runs delete-forward-char)
    ("C-<deletechar>" "\e[3;5~") ; xterm; e-l: nothing
    ("M-<deletechar>" "\e[3;3~" tty) ; xterm; e-l: nothing, ESC form nothing
    ("S-<deletechar>" "\e[3;2~") ; xterm; e-l: nothing (runs delete-forward-char)
    ("C-M-<deletechar>" "\e[3;7~") ; xterm; e-l: nothing
    ("<f1>" "\eOP")
    ("C-<f1>" "\e[1;5P") ; xterm; e-l: nothing
    ("M-<f1>" "\e[1;3P" tty) ; xterm; e-l: nothing, ESC form nothing (runs describe-prefix-bindings)
    ("S-<f1>" "\e[1;2P") ; xterm; e-l: "\eOP"
    ("C-M-<f1>" "\e[1;7P") ; xterm; e-l: nothing
    ("<f2>" "\eOQ")
    ("C-<f2>" "\e[1;5Q") ; xterm; e-l: nothing
    ("M-<f2>" "\e[1;3Q" tty) ; xterm; e-l: nothing, ESC form nothing
    ("S-<f2>" "\e[1;2Q") ; xterm; e-l: "\eOQ"
    ("C-M-<f2>" "\e[1;7Q") ; xterm; e-l: nothing
    ("<f3>" "\eOR")
    ("C-<f3>" "\e[1;5R") ; xterm; e-l: nothing
    ("M-<f3>" "\e[1;3R" tty) ; xterm; e-l: nothing, ESC form nothing
    ("S-<f3>" "\e[1;2R") ; xterm; e-l: "\eOR"
    ("C-M-<f3>" "\e[1;7R") ; xterm; e-l: nothing
    ("<f4>" "\eOS")
    ("C-<f4>" "\e[1;5S") ; xterm; e-l: nothing
    ("M-<f4>" "\e[1;3S" tty) ; xterm; e-l: nothing, ESC form nothing
    ("S-<f4>" "\e[1;2S") ; xterm; e-l: "\eOS"
    ("C-M-<f4>" "\e[1;7S") ; xterm; e-l: nothing
    ("<f5>" "\e[15~")
    ("C-<f5>" "\e[15;5~") ; xterm; e-l: nothing
    ("M-<f5>" "\e[15;3~" tty) ; xterm; e-l: nothing, ESC form nothing
    ("S-<f5>" "\e[15;2~") ; xterm; e-l: "\e[15~"
    ("C-M-<f5>" "\e[15;7~") ; xterm; e-l: nothing
    ("<f6>" "\e[17~")
    ("C-<f6>" "\e[17;5~") ; xterm; e-l: nothing
    ("M-<f6>" "\e[17;3~" tty) ; xterm; e-l: nothing, ESC form nothing
    ("S-<f6>" "\e[17;2~") ; xterm; e-l: "\e[17~"
    ("C-M-<f6>" "\e[17;7~") ; xterm; e-l: nothing
    ("<f7>" "\e[18~")
    ("C-<f7>" "\e[18;5~") ; xterm; e-l: nothing
    ("M-<f7>" "\e[18;3~" tty) ; xterm; e-l: nothing, ESC form nothing
    ("S-<f7>" "\e[18;2~") ; xterm; e-l: "\e[18~"
    ("C-M-<f7>" "\e[18;7~") ; xterm; e-l: nothing
    ("<f8>" "\e[19~")
    ("C-<f8>" "\e[19;5~") ; xterm; e-l: nothing
    ("M-<f8>" "\e[19;3~" tty) ; xterm; e-l: nothing, ESC form nothing
    ("S-<f8>" "\e[19;2~") ; xterm; e-l: "\e[19~"
    ("C-M-<f8>" "\e[19;7~") ; xterm; e-l: nothing
    ("<f9>" "\e[20~")
    ("C-<f9>" "\e[20;5~") ; xterm; e-l: nothing
    ("M-<f9>" "\e[20;3~" tty) ; xterm; e-l: nothing, ESC form nothing
    ("S-<f9>" "\e[20;2~") ; xterm; e-l: "\e[20~"
    ("C-M-<f9>" "\e[20;7~") ; xterm; e-l: nothing
    ("<f10>" "\e[21~")
    ("C-<f10>" "\e[21;5~") ; xterm; e-l: nothing (runs buffer-menu-open)
    ("M-<f10>" "\e[21;3~" tty) ; xterm; e-l: nothing (runs toggle-frame-maximized), ESC form nothing (runs toggle-frame-maximized)
    ("S-<f10>" "\e[21;2~") ; xterm; e-l: nothing (runs context-menu-open)
    ("C-M-<f10>" "\e[21;7~") ; xterm; e-l: nothing
    ("<f11>" "\e[23~")
    ("C-<f11>" "\e[23;5~") ; xterm; e-l: nothing
    ("M-<f11>" "\e[23;3~" tty) ; xterm; e-l: nothing, ESC form nothing
    ("S-<f11>" "\e[23;2~") ; xterm; e-l: "\e[23~"
    ("C-M-<f11>" "\e[23;7~") ; xterm; e-l: nothing
    ("<f12>" "\e[24~")
    ("C-<f12>" "\e[24;5~") ; xterm; e-l: nothing
    ("M-<f12>" "\e[24;3~" tty) ; xterm; e-l: nothing, ESC form nothing
    ("S-<f12>" "\e[24;2~") ; xterm; e-l: "\e[24~"
    ("C-M-<f12>" "\e[24;7~") ; xterm; e-l: nothing

    ;; Keypad keys (numeric keypad mode).
    ("<kp-0>" "0")
    ("M-<kp-0>" "\e0" tty)
    ("<kp-1>" "1")
    ("M-<kp-1>" "\e1" tty)
    ("<kp-2>" "2")
    ("M-<kp-2>" "\e2" tty)
    ("<kp-3>" "3")
    ("M-<kp-3>" "\e3" tty)
    ("<kp-4>" "4")
    ("M-<kp-4>" "\e4" tty)
    ("<kp-5>" "5")
    ("M-<kp-5>" "\e5" tty)
    ("<kp-6>" "6")
    ("M-<kp-6>" "\e6" tty)
    ("<kp-7>" "7")
    ("M-<kp-7>" "\e7" tty)
    ("<kp-8>" "8")
    ("M-<kp-8>" "\e8" tty)
    ("<kp-9>" "9")
    ("M-<kp-9>" "\e9" tty)
    ("<kp-add>" "+")
    ("M-<kp-add>" "\e+" tty)
    ("<kp-subtract>" "-")
    ("M-<kp-subtract>" "\e-" tty)
    ("<kp-multiply>" "*")
    ("M-<kp-multiply>" "\e*" tty)
    ("<kp-divide>" "/")
    ("M-<kp-divide>" "\e/" tty)
    ("<kp-decimal>" ".")
    ("M-<kp-decimal>" "\e." tty) ; xterm; e-l: same, ESC form "."
    ("<kp-separator>" ",")
    ("M-<kp-separator>" "\e," tty) ; xterm; e-l: nothing, ESC form ","
    ("<kp-equal>" "=")
    ("M-<kp-equal>" "\e=" tty) ; xterm; e-l: nothing
    ("<kp-enter>" "\r") ; e-l writes it past the module
    ("M-<kp-enter>" "\e\r" tty) ; xterm; e-l: nothing, ESC form "\e[109;7u"

    ;; ESC O and ESC [ begin the sequences of cursor and function keys
    ;; (SS3, CSI): not bound, as in emacs-libvterm, so those decode.
    ("M-O" nil tty)
    ("M-[" nil tty)
    )
  "Keys and the bytes the program gets for each: (KEY BYTES [tty]).
KEY is a string for `kbd'; BYTES nil means nothing is sent.  With
tty, the key is also typed as ESC and KEY without Meta, and must
send the same.")

(defvar vterm-keys-test--commands nil
  "Commands other than vterm's that the keys typed would have run.")

(defun vterm-keys-test--guard (fn command &rest args)
  "Run COMMAND with ARGS by FN if it is vterm's; otherwise only note it.
Keys left to Emacs must not run their commands here (M-: would read
an expression, C-x C-c would end the test)."
  (if (and (symbolp command)
           (string-prefix-p "vterm" (symbol-name command)))
      (apply fn command args)
    (push command vterm-keys-test--commands)))

(defun vterm-keys-test-type (buffer keys)
  "Type KEYS, a key sequence, into BUFFER; return what the program got.
The value is (BYTES . COMMANDS): the bytes the terminal wrote for
the program (nil if none) and the commands not vterm's the keys ran."
  (let ((vterm--pending-output (list nil))
        (vterm-keys-test--commands nil))
    (advice-add 'command-execute :around #'vterm-keys-test--guard)
    (unwind-protect
        (with-current-buffer buffer
          ;; An unbound key rings the bell, which ends the macro.
          (condition-case nil
              (execute-kbd-macro keys)
            (error nil)))
      (advice-remove 'command-execute #'vterm-keys-test--guard))
    (cons (and (car vterm--pending-output)
               (apply #'concat (reverse (car vterm--pending-output))))
          vterm-keys-test--commands)))

(defun vterm-keys-test-tty-form (key)
  "Return KEY, a Meta key sequence, as a text terminal sends it: ESC, key."
  (let ((event (aref key 0)))
    (vector ?\e
            (if (integerp event)
                (logand event (lognot ?\M-\0))
              (event-convert-list
               (append (remq 'meta (event-modifiers event))
                       (list (event-basic-type event))))))))

(defun vterm-keys-test-mismatches (buffer)
  "Type every key of the table into BUFFER; return the keys that failed.
Each is (KEY-SEQUENCE EXPECTED GOT COMMANDS)."
  (let (bad)
    (pcase-dolist (`(,key ,bytes . ,tty) vterm-keys-test-table)
      (let ((seq (kbd key)))
        (dolist (keys (cons seq (and tty (list (vterm-keys-test-tty-form
                                                (vconcat seq))))))
          (let ((got (vterm-keys-test-type buffer keys)))
            (unless (equal (car got) bytes)
              (push (list (key-description keys) bytes (car got) (cdr got))
                    bad))))))
    (nreverse bad)))

(ert-deftest vterm-keys-table ()
  "Every key in the table sends its bytes, in both forms Meta comes in."
  (vterm-test-with-vterm nil buf
    (switch-to-buffer buf)
    ;; A Windows Emacs without a window system decodes keys as a text
    ;; terminal whose Delete key sends DEL (`normal-erase-is-backspace'
    ;; off: M-<delete> and M-<backspace> swapped); the table has the
    ;; keys as a graphical frame delivers them.
    (let ((was (eq (terminal-parameter nil 'normal-erase-is-backspace) 1)))
      (when vterm-test-windows
        (normal-erase-is-backspace-mode 1))
      (unwind-protect
          (should (equal (vterm-keys-test-mismatches buf) nil))
        (when (and vterm-test-windows (not was))
          (normal-erase-is-backspace-mode -1))))))

(ert-deftest vterm-keys-table-size ()
  "The table covers what it claims: 429 keys, 172 also typed as ESC, key."
  (should (= (length vterm-keys-test-table) 429))
  (should (= (cl-count-if #'cddr vterm-keys-test-table) 172))
  ;; No key twice.
  (should (= (length (delete-dups (mapcar (lambda (row) (kbd (car row)))
                                          vterm-keys-test-table)))
             429)))

(defun vterm-keys-test-sender-p (command)
  "Non-nil if COMMAND sends the key that ran it to the terminal."
  (memq command '(vterm--self-insert vterm--self-insert-meta)))

(ert-deftest vterm-keys-exceptions ()
  "The default `vterm-keymap-exceptions' keep their Emacs meaning.
None is bound to send itself, typed either way; typed, none sends
its own bytes."
  (vterm-test-with-vterm nil buf
    (switch-to-buffer buf)
    (dolist (key (eval (car (get 'vterm-keymap-exceptions 'standard-value)) t))
      (let ((seq (vconcat (kbd key))))
        (with-current-buffer buf
          (should-not (vterm-keys-test-sender-p (key-binding seq)))
          (when (memq 'meta (event-modifiers (aref seq 0)))
            (should-not (vterm-keys-test-sender-p
                         (key-binding (vterm-keys-test-tty-form seq))))))))
    ;; Those that are not prefixes run their global commands.
    (dolist (case '(("M-x" . execute-extended-command)
                    ("C-u" . universal-argument)
                    ("C-g" . keyboard-quit)))
      (let ((got (vterm-keys-test-type buf (kbd (car case)))))
        (should (equal got (list nil (cdr case))))))
    (let ((got (vterm-keys-test-type buf [?\e ?x])))
      (should (equal got (list nil 'execute-extended-command))))))

(ert-deftest vterm-keys-exceptions-customized ()
  "Customizing `vterm-keymap-exceptions' after load changes the keys sent.
Added keys are given back to Emacs in live buffers, in both forms;
removed ones go to the terminal again."
  (vterm-test-with-vterm nil buf
    (switch-to-buffer buf)
    (let ((saved vterm-keymap-exceptions))
      (unwind-protect
          (progn
            (customize-set-variable 'vterm-keymap-exceptions
                                    (append '("M-:" "C-^" "<f5>")
                                            (remove "M-o" saved)))
            (should (equal (vterm-keys-test-type buf (kbd "M-:"))
                           (list nil 'eval-expression)))
            (should (equal (vterm-keys-test-type buf [?\e ?:])
                           (list nil 'eval-expression)))
            (should (null (car (vterm-keys-test-type buf (kbd "C-^")))))
            (should (null (car (vterm-keys-test-type buf (kbd "<f5>")))))
            (should (equal (car (vterm-keys-test-type buf [?\e ?o])) "\eo"))
            (should (equal (car (vterm-keys-test-type buf (kbd "M-o"))) "\eo")))
        (customize-set-variable 'vterm-keymap-exceptions saved))
      (should (equal (car (vterm-keys-test-type buf [?\e ?:])) "\e:"))
      (should (equal (car (vterm-keys-test-type buf (kbd "C-^"))) "\C-^"))
      (should (equal (car (vterm-keys-test-type buf (kbd "<f5>"))) "\e[15~"))
      (should (null (car (vterm-keys-test-type buf [?\e ?o])))))))

(ert-deftest vterm-keys-escape-three-times ()
  "ESC ESC ESC does not quit and delete windows: the program gets them.
ESC ESC is Meta-ESC; the third ESC begins the next Meta key."
  (vterm-test-with-vterm nil buf
    (switch-to-buffer buf)
    (delete-other-windows)
    (split-window)
    (should (equal (vterm-keys-test-type buf [?\e ?\e ?\e ?a])
                   (list "\e\e\ea")))
    (should (= (length (window-list)) 2))
    (delete-other-windows)))

(provide 'vterm-keys-tests)

;;; vterm-keys-tests.el ends here

#!/bin/sh
# "make run": emacs -Q -nw with this checkout's lisp/ (and the module built
# next to it) on the load path and a vterm buffer open.  Extra arguments
# go to Emacs before the vterm is opened (the tmux test passes -l FILE to
# choose the shell).
top=$(cd "$(dirname "$0")/.." && pwd)
exec "${EMACS:-emacs}" -Q -nw -L "$top/lisp" -L "$top/module" "$@" \
    --eval "(progn (require 'vterm) (vterm))"

# emacs-vterm-bash-inject.sh -- bash start-up when vterm sets up the
# integration itself (vterm-shell-integration).
#
# vterm starts bash as "bash --posix [-l] [-i]" with ENV naming this
# file: in POSIX mode an interactive bash reads $ENV and no other
# start-up file.  This file turns POSIX mode off, reads the files bash
# would have read itself (a login shell: /etc/profile, then the first
# of ~/.bash_profile, ~/.bash_login and ~/.profile; otherwise
# /etc/bash.bashrc, which Debian's bash reads, and ~/.bashrc), then
# emacs-vterm-bash.sh beside it.  Not meant to be sourced by hand.

if [ -n "${EMACS_VTERM_BASH_INJECT-}" ]; then
    __vterm_etc=${ENV%/*}
    builtin unset ENV EMACS_VTERM_BASH_INJECT
    # The user's own ENV, if there was one, for the shells started later.
    if [ -n "${EMACS_VTERM_BASH_ENV+set}" ]; then
        builtin export ENV="$EMACS_VTERM_BASH_ENV"
        builtin unset EMACS_VTERM_BASH_ENV
    fi
    builtin set +o posix
    builtin shopt -u inherit_errexit 2>/dev/null
    # POSIX mode's history file is ~/.sh_history; bash's own default
    # (HISTFILE not given in the environment) is ~/.bash_history.
    if [[ $(builtin declare -p HISTFILE 2>/dev/null) != "declare -x"* ]]; then
        HISTFILE=~/.bash_history
    fi
    if builtin shopt -q login_shell; then
        if [ -r /etc/profile ]; then
            builtin . /etc/profile
        fi
        for __vterm_rc in ~/.bash_profile ~/.bash_login ~/.profile; do
            if [ -r "$__vterm_rc" ]; then
                builtin . "$__vterm_rc"
                break
            fi
        done
    else
        if [ -r /etc/bash.bashrc ]; then
            builtin . /etc/bash.bashrc
        fi
        if [ -r ~/.bashrc ]; then
            builtin . ~/.bashrc
        fi
    fi
    builtin unset __vterm_rc
    if [ -r "$__vterm_etc/emacs-vterm-bash.sh" ]; then
        builtin . "$__vterm_etc/emacs-vterm-bash.sh"
    fi
    builtin unset __vterm_etc
fi

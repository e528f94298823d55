# .zshenv -- zsh start-up when vterm sets up the integration itself
# (vterm-shell-integration).
#
# vterm starts zsh with ZDOTDIR naming this directory, and the user's
# own ZDOTDIR, if any, in EMACS_VTERM_ZSH_ZDOTDIR.  This file puts
# ZDOTDIR back (zsh then reads the user's .zprofile, .zshrc and .zlogin
# as usual), reads the user's .zshenv, and has emacs-vterm-zsh.sh read
# before the first prompt, after .zshrc.  Not meant to be sourced by
# hand.

# The integration script, beside this directory.
typeset -g __vterm_zsh_script=${${(%):-%x}:A:h:h}/emacs-vterm-zsh.sh

if [[ -n "${EMACS_VTERM_ZSH_ZDOTDIR+set}" ]]; then
    ZDOTDIR=$EMACS_VTERM_ZSH_ZDOTDIR
    builtin unset EMACS_VTERM_ZSH_ZDOTDIR
else
    builtin unset ZDOTDIR
fi

if [[ -r "${ZDOTDIR-$HOME}/.zshenv" ]]; then
    builtin source "${ZDOTDIR-$HOME}/.zshenv"
fi

if [[ -o interactive ]]; then
    # Once, before the first prompt: the user's .zshrc has run by then.
    __vterm_zsh_inject() {
        precmd_functions=(${precmd_functions:#__vterm_zsh_inject})
        builtin unfunction __vterm_zsh_inject
        if [[ -r "$__vterm_zsh_script" ]]; then
            builtin source "$__vterm_zsh_script"
            # What the script hooked on precmd runs for this prompt too.
            if (( ${+functions[__vterm_set_title]} )); then
                __vterm_set_title
            fi
        fi
        builtin unset __vterm_zsh_script
    }
    typeset -ga precmd_functions
    precmd_functions=(__vterm_zsh_inject $precmd_functions)
else
    builtin unset __vterm_zsh_script
fi

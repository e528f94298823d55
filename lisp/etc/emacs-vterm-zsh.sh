# emacs-vterm-zsh.sh -- zsh integration for Emacs vterm.
#
# Directory tracking, prompt marks, title, `clear' that drops the
# scrollback, and vterm_cmd (see emacs-vterm-bash.sh).  vterm reads it
# itself, after ~/.zshrc, when it starts zsh (vterm-shell-integration);
# where it does not, source it at the end of ~/.zshrc:
#
#   if [[ "$INSIDE_EMACS" = vterm && -n "$EMACS_VTERM_PATH" ]]; then
#       . "$EMACS_VTERM_PATH/etc/emacs-vterm-zsh.sh"
#   fi

if [[ "$INSIDE_EMACS" = vterm ]]; then

vterm_printf() {
    if [[ -n "$TMUX" && ( "${TERM%%-*}" = tmux || "${TERM%%-*}" = screen ) ]]; then
        printf '\ePtmux;\e\e]%s\007\e\\' "$1"
    elif [[ "${TERM%%-*}" = screen ]]; then
        printf '\eP\e]%s\007\e\\' "$1"
    else
        printf '\e]%s\e\\' "$1"
    fi
}

vterm_cmd() {
    local arg quoted=""
    for arg in "$@"; do
        arg=${arg//\\/\\\\}
        arg=${arg//\"/\\\"}
        quoted+="\"$arg\" "
    done
    vterm_printf "51;E${quoted% }"
}

vterm_prompt_end() {
    vterm_printf "51;A${USER:-$(id -un)}@${HOST:-$(hostname)}:${PWD}"
}

__vterm_set_title() {
    vterm_printf "2;${USER:-$(id -un)}@${HOST:-$(hostname)}:${(D)PWD}"
}

clear() {
    vterm_printf "51;Evterm-clear-scrollback"
    command clear "$@"
}

setopt PROMPT_SUBST
if [[ "$PROMPT" != *vterm_prompt_end* ]]; then
    PROMPT=$PROMPT'%{$(vterm_prompt_end)%}'
fi
autoload -Uz add-zsh-hook
add-zsh-hook precmd __vterm_set_title

fi

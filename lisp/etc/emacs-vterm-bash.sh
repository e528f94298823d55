# emacs-vterm-bash.sh -- bash integration for Emacs vterm.
#
# Gives vterm the shell's directory (default-directory follows cd), marks
# each prompt (C-c C-n / C-c C-p, copy mode without the prompt), sets the
# title, lets `clear' drop the scrollback, and defines vterm_cmd to call
# the Emacs functions listed in vterm-eval-cmds.  vterm reads it itself,
# after ~/.bashrc, when it starts bash (vterm-shell-integration); where
# it does not (vterm-shell-integration nil, bash started some other
# way), source it at the end of ~/.bashrc:
#
#   if [ "$INSIDE_EMACS" = vterm ] && [ -n "$EMACS_VTERM_PATH" ]; then
#       . "$EMACS_VTERM_PATH/etc/emacs-vterm-bash.sh"
#   fi

if [ "$INSIDE_EMACS" = vterm ]; then

# Send an operating system command (OSC) to vterm; inside tmux or GNU
# screen the sequence is wrapped so that it passes through to Emacs.
vterm_printf() {
    if [ -n "$TMUX" ] && { [ "${TERM%%-*}" = tmux ] || [ "${TERM%%-*}" = screen ]; }; then
        printf '\ePtmux;\e\e]%s\007\e\\' "$1"
    elif [ "${TERM%%-*}" = screen ]; then
        printf '\eP\e]%s\007\e\\' "$1"
    else
        printf '\e]%s\e\\' "$1"
    fi
}

# vterm_cmd FUNCTION [ARG...]: call FUNCTION (it must be in
# vterm-eval-cmds) in Emacs with string arguments.
vterm_cmd() {
    local arg quoted=""
    for arg in "$@"; do
        arg=${arg//\\/\\\\}
        arg=${arg//\"/\\\"}
        quoted+="\"$arg\" "
    done
    vterm_printf "51;E${quoted% }"
}

# Mark the end of the prompt and report the directory.
vterm_prompt_end() {
    vterm_printf "51;A${USER:-$(id -un)}@${HOSTNAME:-$(hostname)}:${PWD}"
}

__vterm_set_title() {
    vterm_printf "2;${USER:-$(id -un)}@${HOSTNAME:-$(hostname)}:${PWD/#$HOME/\~}"
}

clear() {
    vterm_printf "51;Evterm-clear-scrollback"
    command clear "$@"
}

case "$PS1" in
    *vterm_prompt_end*) ;;
    *) PS1=$PS1'\[$(vterm_prompt_end)\]' ;;
esac
case ";$PROMPT_COMMAND;" in
    *";__vterm_set_title;"*) ;;
    *) PROMPT_COMMAND="__vterm_set_title${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
esac

fi

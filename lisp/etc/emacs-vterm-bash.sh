# emacs-vterm-bash.sh -- bash integration for Emacs vterm.
#
# Gives vterm the shell's directory (default-directory follows cd), marks
# each prompt (C-c C-n / C-c C-p, copy mode without the prompt) and
# each command's exit status (OSC 133 A/B/C/D; bash 4.4 or later for
# C and D, which need PS0), sets the title, lets `clear' drop the scrollback, and defines vterm_cmd to call
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

# Mark the end of the prompt (OSC 133;B, and 51;A as emacs-libvterm's
# scripts send it) and report the directory.
vterm_prompt_end() {
    vterm_printf "133;B"
    vterm_printf "51;A${USER:-$(id -un)}@${HOSTNAME:-$(hostname)}:${PWD}"
}

# Mark the start of the prompt (OSC 133;A).
__vterm_prompt_start() {
    vterm_printf "133;A"
}

# Set by PS0 when a command is about to run, so that the next prompt
# reports its status (133;D) and an empty line reports none.
__vterm_ran=0

# First in PROMPT_COMMAND: the status of the command that ran, if one
# did, then the title; $? stays for the rest of PROMPT_COMMAND.
__vterm_precmd() {
    local status=$?
    if [ "$__vterm_ran" = 1 ]; then
        vterm_printf "133;D;$status"
        __vterm_ran=0
    fi
    vterm_printf "2;${USER:-$(id -un)}@${HOSTNAME:-$(hostname)}:${PWD/#$HOME/\~}"
    return $status
}

clear() {
    vterm_printf "51;Evterm-clear-scrollback"
    command clear "$@"
}

case "$PS1" in
    *vterm_prompt_end*) ;;
    *) PS1=$PS1'\[$(vterm_prompt_end)\]' ;;
esac
case "$PS1" in
    *__vterm_prompt_start*) ;;
    *) PS1='\[$(__vterm_prompt_start)\]'$PS1 ;;
esac
# The command starts (133;C); the expansion sets __vterm_ran in this
# shell and adds nothing to what PS0 shows.
case "$PS0" in
    *__vterm_ran*) ;;
    *) PS0='${__vterm_ran:0:$((__vterm_ran=1,0))}$(vterm_printf "133;C")'$PS0 ;;
esac
case ";$PROMPT_COMMAND;" in
    *";__vterm_precmd;"*) ;;
    *) PROMPT_COMMAND="__vterm_precmd${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
esac

fi

# emacs-vterm.fish -- fish integration for Emacs vterm.
#
# Directory tracking, prompt marks, title, `clear' that drops the
# scrollback, and vterm_cmd (see emacs-vterm-bash.sh).  Source it from
# ~/.config/fish/config.fish:
#
#   if test "$INSIDE_EMACS" = vterm; and test -n "$EMACS_VTERM_PATH"
#       source "$EMACS_VTERM_PATH/etc/emacs-vterm.fish"
#   end

if test "$INSIDE_EMACS" = vterm

    function vterm_printf
        if test -n "$TMUX"; and string match -q -r '^(tmux|screen)' -- "$TERM"
            printf '\ePtmux;\e\e]%s\007\e\\' "$argv"
        else if string match -q -r '^screen' -- "$TERM"
            printf '\eP\e]%s\007\e\\' "$argv"
        else
            printf '\e]%s\e\\' "$argv"
        end
    end

    function vterm_cmd --description 'Call an Emacs function listed in vterm-eval-cmds'
        set -l quoted
        for arg in $argv
            set -a quoted (printf '"%s"' (string replace -a '"' '\\"' -- (string replace -a '\\' '\\\\' -- $arg)))
        end
        vterm_printf "51;E"(string join ' ' -- $quoted)
    end

    function vterm_prompt_end
        vterm_printf "51;A"(whoami)"@"(hostname)":"(pwd)
    end

    function clear
        vterm_printf "51;Evterm-clear-scrollback"
        command clear $argv
    end

    function fish_title
        echo (whoami)"@"(hostname)":"(prompt_pwd)
    end

    # Keep the user's prompt; add the mark after it.
    functions --copy fish_prompt __vterm_original_fish_prompt
    function fish_prompt
        __vterm_original_fish_prompt
        vterm_prompt_end
    end
end

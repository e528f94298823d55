# emacs-vterm.fish -- fish integration for Emacs vterm.
#
# Directory tracking, prompt marks, title, `clear' that drops the
# scrollback, and vterm_cmd (see emacs-vterm-bash.sh).  vterm reads it
# itself when it starts fish (vterm-shell-integration); where it does
# not, source it from ~/.config/fish/config.fish:
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

    # Keep the user's prompt; add the mark after it.  fish emits the
    # fish_prompt event just before it calls the function fish_prompt:
    # a prompt defined after this file ran (in config.fish, when vterm
    # reads this file before it), or changed later, is wrapped then.
    # Sourcing this file twice wraps the prompt once.
    function __vterm_wrap_prompt --on-event fish_prompt
        set -l current (functions fish_prompt | string join \n)
        if test "$current" != "$__vterm_prompt_wrapper"
            functions --erase __vterm_original_fish_prompt
            functions --copy fish_prompt __vterm_original_fish_prompt
            function fish_prompt
                __vterm_original_fish_prompt
                vterm_prompt_end
            end
            set -g __vterm_prompt_wrapper (functions fish_prompt | string join \n)
        end
    end
end

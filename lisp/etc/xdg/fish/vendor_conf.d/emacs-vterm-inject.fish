# emacs-vterm-inject.fish -- fish start-up when vterm sets up the
# integration itself (vterm-shell-integration).
#
# vterm starts fish with the directory three levels up put first in
# XDG_DATA_DIRS, so that fish reads this file with its vendor
# configuration, before the user's config.fish.  This file puts
# XDG_DATA_DIRS back as it was (kept in EMACS_VTERM_FISH_XDG_DATA_DIRS;
# unset if that is not set) and reads emacs-vterm.fish, whose prompt
# mark also follows a fish_prompt that config.fish defines.  Not meant
# to be sourced by hand.

if set -q EMACS_VTERM_FISH_INJECT
    set -e EMACS_VTERM_FISH_INJECT
    if set -q EMACS_VTERM_FISH_XDG_DATA_DIRS
        set -gx XDG_DATA_DIRS $EMACS_VTERM_FISH_XDG_DATA_DIRS
        set -e EMACS_VTERM_FISH_XDG_DATA_DIRS
    else
        set -e XDG_DATA_DIRS
    end
end

set -l __vterm_etc (string replace -r '/xdg/fish/vendor_conf\.d/[^/]*$' '' -- (status filename))
if test -r "$__vterm_etc/emacs-vterm.fish"
    source "$__vterm_etc/emacs-vterm.fish"
end

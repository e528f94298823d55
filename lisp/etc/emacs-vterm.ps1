# emacs-vterm.ps1 -- PowerShell integration for Emacs vterm (Windows
# PowerShell 5.1 and PowerShell 7).
#
# Directory tracking (default-directory follows Set-Location), prompt
# marks, title, Clear-Host that drops the scrollback, and vterm_cmd to
# call the Emacs functions listed in vterm-eval-cmds.  vterm dot-sources
# it itself, after your profile, when it starts pwsh or powershell.exe
# (vterm-shell-integration); where it does not, dot-source it from your
# $PROFILE:
#
#   if ($env:INSIDE_EMACS -eq 'vterm' -and $env:EMACS_VTERM_PATH) {
#       . (Join-Path $env:EMACS_VTERM_PATH 'etc/emacs-vterm.ps1')
#   }

if ($env:INSIDE_EMACS -eq 'vterm') {
    $script:VtermEsc = [char]27

    function global:vterm_printf([string]$Payload) {
        # Write the escape sequence directly: the console host must not
        # reformat it.
        [Console]::Write("$($script:VtermEsc)]$Payload$($script:VtermEsc)\")
    }

    function global:vterm_cmd {
        $quoted = foreach ($arg in $args) {
            '"' + ([string]$arg).Replace('\', '\\').Replace('"', '\"') + '"'
        }
        vterm_printf ('51;E' + ($quoted -join ' '))
    }

    function global:vterm_prompt_end {
        $location = Get-Location
        if ($location.Provider.Name -eq 'FileSystem') {
            $dir = $location.ProviderPath -replace '\\', '/'
            vterm_printf "51;A$env:USERNAME@$env:COMPUTERNAME`:$dir"
        }
    }

    function global:Clear-Host {
        vterm_printf '51;Evterm-clear-scrollback'
        [Console]::Write("$($script:VtermEsc)[H$($script:VtermEsc)[2J")
    }

    # Keep the user's prompt; set the title, and mark the prompt's end
    # inside the prompt string so that the mark follows the prompt text.
    # Sourced again (a profile that sources it, then vterm's own
    # -Command), the prompt is wrapped once, not around itself.
    if (-not (Get-Variable -Name VtermPromptWrapped -Scope Global -ErrorAction SilentlyContinue)) {
        $global:VtermPromptWrapped = $true
        $script:VtermOriginalPrompt = $function:prompt
        function global:prompt {
            $text = & $script:VtermOriginalPrompt
            $location = Get-Location
            vterm_printf "2;$env:USERNAME@$env:COMPUTERNAME`:$location"
            $mark = ''
            if ($location.Provider.Name -eq 'FileSystem') {
                $dir = $location.ProviderPath -replace '\\', '/'
                $mark = "$($script:VtermEsc)]51;A$env:USERNAME@$env:COMPUTERNAME`:$dir$($script:VtermEsc)\"
            }
            return "$text$mark"
        }
    }
}

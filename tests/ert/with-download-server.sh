#!/bin/sh
# with-download-server.sh -- run a command beside tests/ert/download-server.py
#
#   tests/ert/with-download-server.sh DIST-DIR COMMAND [ARGS...]
#
# Starts the test download server on 127.0.0.1 serving DIST-DIR (the
# output of build-aux/dist.sh), runs COMMAND with VTERM_TEST_DOWNLOAD_URL
# set to the server's http://127.0.0.1:PORT/, stops the server and exits
# with COMMAND's status.  For a Windows Emacs that cannot start python3
# itself (under Wine: vterm-windows-download-tests.el).
set -u
dist=${1:?usage: with-download-server.sh DIST-DIR COMMAND [ARGS...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/vterm-download-server.XXXXXX")
python3 "$here/download-server.py" "$dist" > "$T/port" 2> "$T/err" &
server=$!
cleanup() {
    kill "$server" 2>/dev/null
    wait "$server" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The server prints its port once it listens; give it 20 s.
tries=0
until grep -q '^[0-9][0-9]*$' "$T/port" 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -gt 200 ] || ! kill -0 "$server" 2>/dev/null; then
        echo "with-download-server.sh: the server did not start:" >&2
        cat "$T/err" >&2
        exit 1
    fi
    sleep 0.1
done
VTERM_TEST_DOWNLOAD_URL="http://127.0.0.1:$(head -n 1 "$T/port")/"
export VTERM_TEST_DOWNLOAD_URL
"$@"
status=$?
exit "$status"

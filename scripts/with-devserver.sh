#!/usr/bin/env bash
# Runs a command against a fresh flyte-devserver on a free loopback port, then stops it.
#   scripts/with-devserver.sh DEVSERVER_BINARY COMMAND [ARGS...]
# The server's URL is appended to the command's arguments; its database and data live in a
# temporary directory removed afterwards. Exits with the command's status.
# Environment: FLYTE_DEVSERVER_ARGS, more flyte-devserver options (e.g. "--workers 2").
set -euo pipefail
server=$1
shift
dir=$(mktemp -d /tmp/flyte-devserver.XXXXXX)
# shellcheck disable=SC2086 # FLYTE_DEVSERVER_ARGS is a list of options
coproc DEVSERVER {
	exec "$server" --listen 127.0.0.1:0 --db "$dir/db.sqlite" --data-dir "$dir/data" ${FLYTE_DEVSERVER_ARGS:-} \
		2>"$dir/server.log"
}
pid=$DEVSERVER_PID
cleanup() {
	kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
read -r url <&"${DEVSERVER[0]}" || { echo "flyte-devserver did not start:" >&2; cat "$dir/server.log" >&2; exit 3; }
status=0
"$@" "$url" || status=$?
exit $status

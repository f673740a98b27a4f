#!/bin/sh
# Runs the SDK's integration test with the exchange trace on, then checks every recorded
# request and response body against the real flyteidl schema.
#   sdk_trace.sh TEST_BINARY
set -eu
trace=$(mktemp /tmp/flyteremote-trace.XXXXXX)
trap 'rm -f "$trace"' EXIT
FLYTEREMOTE_TRACE=$trace "$1" >/dev/null
exec python3 "$(dirname "$0")/check_trace.py" "$trace"

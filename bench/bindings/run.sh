#!/usr/bin/env bash
# Overhead of one execute (a create, no wait) through each binding over the C call, against
# one flyte-devserver: medians of N sequential creates of the same fetched task.
#   bench/bindings/run.sh [BUILD_DIR] [N]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
n=${2:-300}
cmake --build "$build" --target bench_bindings_c flyteremote flyte-devserver >/dev/null
(cd "$here/go" && go build -o "$build/bench/bench-bindings-go" .)
python3 -m pip install -q --disable-pip-version-check "$root/bindings/python" 2>/dev/null
echo "load average: $(cat /proc/loadavg)"
results=$(mktemp)
# with-devserver.sh appends the server's URL: $0 build, $1 n, $2 this folder, $3 URL.
"$root/scripts/with-devserver.sh" "$build/devserver/flyte-devserver" sh -c '
	"$0/bench/bench_bindings_c" "$3" "$1" &&
	FLYTEREMOTE_LIB="$0/libflyteremote.so" python3 "$2/bench_py.py" "$3" "$1" &&
	"$0/bench/bench-bindings-go" "$3" "$1"' "$build" "$n" "$here" >"$results"
python3 - "$results" "$n" <<'PY'
import sys
rows = dict(line.split("\t") for line in open(sys.argv[1]).read().split("\n") if line)
c = float(rows["c"])
print(f"one execute (create only), median of {sys.argv[2]}:")
for name in ("c", "python", "go"):
    v = float(rows[name])
    print(f"  {name:<7} {v:9.1f} us   {v / c:5.2f}x the C call   (+{v - c:7.1f} us)")
PY
rm -f "$results"

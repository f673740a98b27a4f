#!/usr/bin/env bash
# Launch benchmark: launches per second and client CPU against a fresh flyte-devserver
# (--workers 2), then the client-side cost of one execution's 20 inputs in flyteremote and
# in flytekit, side by side, with the ratio.
#   bench/launch/run.sh [BUILD_DIR]        (default: build-bench, configured if missing)
# Environment: BENCH_LAUNCH_ARGS (more bench_launch options, e.g. "--rounds 3"),
# FLYTEKIT_ITERATIONS (per flytekit variant, default 1000), FLYTEKIT_VENV (default
# /tmp/flyteremote-bench-venv; flytekit is installed there from PyPI when missing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-bench}
venv=${FLYTEKIT_VENV:-/tmp/flyteremote-bench-venv}

echo "load average before building: $(cat /proc/loadavg)"
if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLYTE_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target bench_launch flyte-devserver -j2 >/dev/null
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")

if ! "$venv/bin/python" -c 'import flytekit' 2>/dev/null; then
	echo "installing flytekit from PyPI into $venv"
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet flytekit
fi

work=$(mktemp -d /tmp/flyteremote-bench-launch.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "build: $build ($build_type); $(nproc) CPUs; flyte-devserver --workers 2 on the same machine"
echo
# with-devserver.sh appends the server's URL to bench_launch's options.
# shellcheck disable=SC2086 # BENCH_LAUNCH_ARGS is a list of options
FLYTE_DEVSERVER_ARGS="--workers 2" "$root/scripts/with-devserver.sh" "$build/devserver/flyte-devserver" \
	"$build/bench/bench_launch" ${BENCH_LAUNCH_ARGS:-} --tsv "$work/c.tsv" --dump-inputs "$work/c_inputs.json"
echo
"$venv/bin/python" "$here/flytekit_client_cost.py" --iterations "${FLYTEKIT_ITERATIONS:-1000}" \
	--tsv "$work/fk.tsv" --compare "$work/c_inputs.json"
echo

python3 - "$work/c.tsv" "$work/fk.tsv" <<'PY'
import sys

fig = {}
for path in sys.argv[1:]:
    for line in open(path):
        k, v = line.rstrip("\n").split("\t")
        fig[k] = v


def ns(k):
    return float(fig[k])


def fmt(v):
    return "%.1f us" % (v / 1e3) if v < 1e6 else "%.2f ms" % (v / 1e6)


c = [ns("inputs.total.best_ns"), ns("inputs.total.median_ns"), ns("inputs.cpu.median_ns")]
print("Client-side cost of one execution's 20 inputs, flyteremote and flytekit %s side by side:" % fig["fk.version"])
print("wall time per execution, best and median; CPU time per execution, median")
print("%-52s %10s %10s %10s %18s" % ("", "best", "median", "CPU", "flytekit/flyteremote"))
print("%-52s %10s %10s %10s" % ("flyteremote: build, 3 hashes, check, tag, JSON", *map(fmt, c)))
rows = [
    ("cold", "", "cold cache, protobuf wire (FlyteRemote)"),
    ("cold", "_json", "cold cache, + MessageToJson"),
    ("warm", "", "warm literal cache, protobuf wire"),
    ("msgpack", "", "dict as msgpack (default), protobuf"),
]
ratios = {}
for variant, suffix, label in rows:
    f = [ns("fk.%s.total%s.best_ns" % (variant, suffix)), ns("fk.%s.total%s.median_ns" % (variant, suffix)),
         ns("fk.%s.cpu%s.median_ns" % (variant, suffix))]
    ratios[(variant, suffix)] = (f[1] / c[1], f[2] / c[2])
    print("%-52s %10s %10s %10s %7.1fx, CPU %.1fx" % ("flytekit: " + label, *map(fmt, f),
                                                     *ratios[(variant, suffix)]))
wall, cpu = ratios[("cold", "")]
print("flytekit/flyteremote (cold, protobuf wire, medians): %.1fx wall, %.1fx CPU: the aim (at least 20x) is %s"
      % (wall, cpu, "met" if min(wall, cpu) >= 20 else "NOT met"))
print("same 20 literals on both sides (values and hashes): %s" % ("yes" if fig["fk.same_literals"] == "1" else "NO"))
PY
echo "load average at the end: $(cat /proc/loadavg)"

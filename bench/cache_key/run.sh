#!/usr/bin/env bash
# Cache-key benchmark: flyteremote (C) against Flyte's own Go implementation on the same
# inputs, with raw SHA-256 over the jsonpb bytes as a floor. Prints times and ratios.
#   bench/cache_key/run.sh [BUILD_DIR]     (inputs are generated once into $BENCH_DATA)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
data=${BENCH_DATA:-/tmp/flyteremote-bench-cache-key}
mkdir -p "$data/jsonpb"

[ -f "$data/ints_1m.json" ] || python3 "$here/gen_inputs.py" "$data"
(cd "$here/go" && go build -o "$data/cachekey-go" .)
cmake --build "$build" --target bench_cache_key >/dev/null

files=("$data"/realistic_20.json "$data"/strings_100k.json "$data"/nested_maps.json "$data"/ints_1m.json)
"$data/cachekey-go" --dump-jsonpb "$data/jsonpb" "${files[@]}" >"$data/go.tsv"
"$build/bench/bench_cache_key" --jsonpb-dir "$data/jsonpb" "${files[@]}" >"$data/c.tsv"

python3 - "$data/go.tsv" "$data/c.tsv" <<'PY'
import sys
rows = {}
for path in sys.argv[1:]:
    for line in open(path):
        impl, name, tag, best, median = line.rstrip("\n").split("\t")
        rows[(impl, name)] = (tag, int(best), int(median))
names = sorted({n for _, n in rows}, key=lambda n: rows[("go", n)][1])
def ms(ns):
    return f"{ns / 1e6:10.3f} ms"
print(f"{'input':<20} {'flyte go (median)':>18} {'flyteremote c':>14} {'sha256 floor':>14} {'go/c':>8} {'c/floor':>8}  tags equal")
ok = True
for n in names:
    g, c, f = rows[("go", n)], rows[("c", n)], rows.get(("sha256-floor", n))
    same = g[0] == c[0]
    ok &= same
    floor = ms(f[2]) if f else "-"
    print(f"{n:<20} {ms(g[2]):>18} {ms(c[2]):>14} {floor:>14} {g[2] / c[2]:7.1f}x {c[2] / f[2] if f else 0:7.1f}x  {'yes' if same else 'NO'}")
sys.exit(0 if ok else 1)
PY

#!/bin/sh
# Builds the libFuzzer target fuzz_json_decode with clang (ASan + UBSan) in BUILD_DIR and
# runs it for FUZZ_SECONDS (default 60) on a fresh copy of the seed corpus. Exits non-zero
# on any finding; the input that caused it is saved as BUILD_DIR/fuzz-artifacts/crash-*
# (replay it with: BUILD_DIR/tests/fuzz/fuzz_json_decode FILE).
#
# Usage: tests/fuzz/run.sh BUILD_DIR [libFuzzer options...]
# Environment: FUZZ_SECONDS, CC (default clang), CXX (default clang++).
set -eu

if [ $# -lt 1 ]; then
	echo "usage: $0 BUILD_DIR [libFuzzer options...]" >&2
	exit 2
fi
build=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

CC=${CC:-clang} CXX=${CXX:-clang++} cmake -S "$src" -B "$build" \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLYTE_FUZZ=ON -DFLYTE_SANITIZE=ON >/dev/null
cmake --build "$build" --target fuzz_json_decode -j "$(nproc 2>/dev/null || echo 2)"

# Fuzz a copy: libFuzzer adds what it finds to the corpus directory it is given.
corpus=$build/fuzz-corpus/json_decode
artifacts=$build/fuzz-artifacts
rm -rf "$corpus"
mkdir -p "$corpus" "$artifacts"
cp "$here"/corpus/* "$corpus"/

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
"$build/tests/fuzz/fuzz_json_decode" \
	-max_total_time="${FUZZ_SECONDS:-60}" \
	-timeout=10 \
	-dict="$here/json.dict" \
	-artifact_prefix="$artifacts/" \
	-print_final_stats=1 \
	"$@" "$corpus"

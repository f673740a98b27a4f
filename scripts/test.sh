#!/usr/bin/env bash
# Runs every test flyteremote has: the unit, conformance and integration suites in a normal
# build, again under AddressSanitizer + UndefinedBehaviorSanitizer, the unit tests under
# valgrind, and the JSON fuzzer for a bounded time. Installs what is missing first.
#   FUZZ_SECONDS=60   how long the fuzzer runs (0 skips it)
#   JOBS=2            parallel build and test jobs
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=${JOBS:-$(nproc)}

scripts/bootstrap.sh

passed=0
failed=0
failures=()
step() {
	local name=$1
	shift
	echo "==> $name"
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

build() { # dir, cmake args...
	local dir=$1
	shift
	cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null &&
		cmake --build "$dir" -j "$jobs"
}

unit_tests_under_valgrind() {
	local ok=0
	for t in build/tests/test_*; do
		[ -x "$t" ] || continue
		valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
			"$t" >/dev/null 2>"build/$(basename "$t").valgrind" || {
			echo "valgrind: $(basename "$t") failed, see build/$(basename "$t").valgrind"
			ok=1
		}
	done
	return $ok
}

step "build" build build
step "tests" ctest --test-dir build --output-on-failure -j "$jobs"
step "build (asan+ubsan)" build build-asan -DFLYTE_SANITIZE=ON
step "tests (asan+ubsan)" env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --test-dir build-asan --output-on-failure -j "$jobs"
step "unit tests (valgrind)" unit_tests_under_valgrind
if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
	step "fuzz (${FUZZ_SECONDS:-60}s)" tests/fuzz/run.sh build-fuzz
fi

echo
if ((failed)); then
	printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
((failed == 0))

#!/usr/bin/env bash
# Runs every test flyteremote has: the unit, conformance, dev-server, SDK, CLI and docs
# suites (ctest) in a normal build and again under AddressSanitizer +
# UndefinedBehaviorSanitizer, the unit tests under valgrind, the Python and Go bindings
# against the real dev server, and the JSON fuzzer for a bounded time. Installs what is
# missing first.
#   FUZZ_SECONDS=60   how long the fuzzer runs (0 skips it)
#   JOBS=2            parallel build and test jobs
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=${JOBS:-$(nproc)}
logs=$(mktemp -d /tmp/flyteremote-test.XXXXXX)

scripts/bootstrap.sh test
# Every Python tool below (pytest, pip for the binding, the FlyteAdmin lab's moto) is the
# virtual environment's, never the system's.
export VIRTUAL_ENV=$root/.venv
export PATH=$VIRTUAL_ENV/bin:$PATH
# Go from .toolchain when bootstrap had to fetch it.
[ -x .toolchain/go/bin/go ] && export PATH=$root/.toolchain/go/bin:$PATH

steps_ok=0
failures=()
tests_passed=0
tests_failed=0

# step NAME COMMAND...: runs the command with its output shown and kept in $logs/NAME.
step() {
	local name=$1
	shift
	echo "==> $name"
	local log="$logs/${name//[^a-zA-Z0-9]/_}.log"
	if "$@" 2>&1 | tee "$log"; then
		steps_ok=$((steps_ok + 1))
	else
		failures+=("$name")
	fi
	count_tests "$log"
}

# Adds the test counts a runner printed (ctest, pytest, go test, our own lines).
count_tests() {
	local p f
	read -r p f < <(python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
passed = failed = 0
for m in re.finditer(r"(\d+)% tests passed, (\d+) tests failed out of (\d+)", text):
    failed += int(m.group(2)); passed += int(m.group(3)) - int(m.group(2))
for m in re.finditer(r"^=+ (?:(\d+) failed, )?(\d+) passed", text, re.M):
    passed += int(m.group(2)); failed += int(m.group(1) or 0)
for m in re.finditer(r"^(\d+) passed in [\d.]+s", text, re.M):
    passed += int(m.group(1))
for m in re.finditer(r"^valgrind: \S+ (clean|failed)", text, re.M):
    if m.group(1) == "clean": passed += 1
    else: failed += 1
for m in re.finditer(r"^--- (PASS|FAIL): ", text, re.M):
    if m.group(1) == "PASS": passed += 1
    else: failed += 1
print(passed, failed)
PY
	)
	tests_passed=$((tests_passed + p))
	tests_failed=$((tests_failed + f))
}

build() { # dir, cmake args...
	local dir=$1
	shift
	cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPython3_EXECUTABLE="$VIRTUAL_ENV/bin/python" "$@" >/dev/null &&
		cmake --build "$dir" -j "$jobs"
}

unit_tests_under_valgrind() {
	local ok=0
	for t in build/tests/test_*; do
		[ -x "$t" ] || continue
		if valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
			"$t" >"$logs/$(basename "$t").valgrind" 2>&1; then
			echo "valgrind: $(basename "$t") clean"
		else
			echo "valgrind: $(basename "$t") failed:"
			cat "$logs/$(basename "$t").valgrind"
			ok=1
		fi
	done
	return $ok
}

python_binding() {
	python3 -m pip install -q --disable-pip-version-check ./bindings/python &&
		FLYTEREMOTE_BUILD=$root/build python3 -m pytest bindings/python/tests -q -p no:cacheprovider
}

go_binding() {
	export FLYTE_DEVSERVER=$root/build/devserver/flyte-devserver FLYTE_REMOTE_CLI=$root/build/cli/flyte-remote
	(cd bindings/go && go vet ./... && go test -race -count=1 -v ./... |
		grep -E '^(--- |ok|FAIL|PASS)') &&
		(cd examples/go && go vet ./...) &&
		scripts/with-devserver.sh "$FLYTE_DEVSERVER" sh -c 'cd examples/go && go run ./quickstart "$0"'
}

step "build" build build
step "tests" ctest --test-dir build --output-on-failure -j "$jobs"
step "build (asan+ubsan)" build build-asan -DFLYTE_SANITIZE=ON
step "tests (asan+ubsan)" env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --test-dir build-asan --output-on-failure -j "$jobs"
step "unit tests (valgrind)" unit_tests_under_valgrind
[ -d bindings/python ] && step "python binding" python_binding
[ -d bindings/go ] && step "go binding" go_binding
if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
	step "fuzz (${FUZZ_SECONDS:-60}s)" tests/fuzz/run.sh build-fuzz
fi

echo
echo "steps: $steps_ok succeeded, ${#failures[@]} failed${failures:+ (${failures[*]})}"
echo "logs: $logs"
# The last line is the verdict: a failed step fails the run even when every test it
# counted passed (a build error or a missing tool counts no tests).
if ((${#failures[@]})); then
	echo "FAILED: ${failures[*]} ($tests_passed passed, $tests_failed failed)"
	exit 1
fi
echo "$tests_passed passed, $tests_failed failed"

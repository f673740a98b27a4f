#!/usr/bin/env bash
# Installs what building and testing flyteremote needs, only what is missing. Safe to run
# again; quiet when everything is there.
#
#   scripts/bootstrap.sh build   Debian packages to build the library, CLI, dev server and
#                                examples (what scripts/quickstart.sh needs)
#   scripts/bootstrap.sh test    the same, plus what the test suites need: more Debian
#                                packages (sanitizer runtime, valgrind, PostgreSQL for the
#                                real FlyteAdmin) and a Python virtual environment, .venv/,
#                                with requirements-dev.txt (Debian's own Python refuses
#                                `pip install` outside one, PEP 668)
#
# Environment: PYTHON, the interpreter that creates .venv (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-test}

BUILD_PACKAGES=(
	build-essential cmake pkg-config git
	libcurl4-openssl-dev libjansson-dev libssl-dev uuid-dev libcmocka-dev
	libsqlite3-dev libmicrohttpd-dev libyaml-dev
)
TEST_PACKAGES=(
	clang libclang-rt-14-dev valgrind
	python3 python3-venv
	postgresql-15 xz-utils curl
)

case $profile in
build) wanted=("${BUILD_PACKAGES[@]}") ;;
test) wanted=("${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}") ;;
*)
	echo "usage: $0 [build|test]" >&2
	exit 2
	;;
esac

missing=()
for p in "${wanted[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "bootstrap: installing Debian packages: ${missing[*]}"
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO="sudo"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ "$profile" = test ] || exit 0

# The virtual environment: exact versions (the schema tests and the generated descriptors
# follow flyteidl 1.16.5). A stamp holding the requirements' hash skips pip when nothing
# changed.
venv=.venv
stamp=$venv/.requirements.sha256
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys' 2>/dev/null; then
	echo "bootstrap: creating the Python virtual environment $venv"
	rm -rf "$venv"
	"${PYTHON:-python3}" -m venv "$venv"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	echo "bootstrap: installing Python packages from requirements-dev.txt into $venv"
	"$venv/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	echo "$want" >"$stamp"
fi

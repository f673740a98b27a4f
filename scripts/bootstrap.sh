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
# The test profile also needs Go (the Go binding); when `go` is missing or older than the
# binding's go.mod asks for, it fetches Go's toolchain module from the Go module proxy into
# .toolchain/go (checked against the SHA-256 below) and scripts/test.sh puts it on PATH.
#
# Environment: PYTHON, the interpreter that creates .venv (default python3); GOPROXY.
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
	postgresql-15 xz-utils curl unzip
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

# Go: Debian 12's golang-go is 1.19, older than the binding's go.mod; the official
# toolchain is served by the module proxy as the module golang.org/toolchain.
GO_VERSION=1.24.11
declare -A GO_SHA256=(
	[amd64]=8a9685c09d449928863152512648530dafde05e7d41fcbb21baba3a852e84ef4
	[arm64]=4d31d22f75fed99025f7b082319eabeb74106d11e343fc203b336ba2afdeb3a1
)
go_ok() { # the go on PATH, or .toolchain's, is at least the go.mod's version
	local want have
	want=$(sed -n 's/^go \([0-9.]*\)$/\1/p' bindings/go/go.mod)
	have=$(PATH=$PWD/.toolchain/go/bin:$PATH go env GOVERSION 2>/dev/null) || return 1
	have=${have#go}
	[ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n1)" = "$want" ]
}
if ! go_ok; then
	arch=$(dpkg --print-architecture)
	sum=${GO_SHA256[$arch]:-}
	[ -n "$sum" ] || { echo "bootstrap: no Go toolchain pinned for $arch; install Go $GO_VERSION" >&2; exit 1; }
	echo "bootstrap: installing Go $GO_VERSION into .toolchain/go"
	proxy=${GOPROXY:-https://proxy.golang.org}
	proxy=${proxy%%,*}
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	curl -fsSL -o "$tmp/go.zip" "$proxy/golang.org/toolchain/@v/v0.0.1-go$GO_VERSION.linux-$arch.zip"
	echo "$sum  $tmp/go.zip" | sha256sum -c --quiet
	unzip -q "$tmp/go.zip" -d "$tmp"
	rm -rf .toolchain/go
	mkdir -p .toolchain
	mv "$tmp/golang.org/toolchain@v0.0.1-go$GO_VERSION.linux-$arch" .toolchain/go
	chmod +x .toolchain/go/bin/* .toolchain/go/pkg/tool/*/*
	go_ok || { echo "bootstrap: Go in .toolchain/go does not run" >&2; exit 1; }
fi

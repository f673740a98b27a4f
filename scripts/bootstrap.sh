#!/usr/bin/env bash
# Installs what building and testing flyteremote needs, only what is missing:
# Debian packages through apt-get, Python packages through pip (requirements-dev.txt).
# Safe to run again; quiet when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
	build-essential cmake pkg-config git
	libcurl4-openssl-dev libjansson-dev libssl-dev uuid-dev libcmocka-dev
	libsqlite3-dev libmicrohttpd-dev libyaml-dev
	clang libclang-rt-14-dev valgrind
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "bootstrap: installing Debian packages: ${missing[*]}"
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO="sudo"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Exact versions: the schema tests and the generated descriptors follow flyteidl 1.16.5.
python_ok() {
	python3 - <<'PY' 2>/dev/null
import importlib.metadata as m, sys
want = dict(l.split("==") for l in open("requirements-dev.txt").read().split() if "==" in l)
sys.exit(any(m.version(k) != v for k, v in want.items()))
PY
}
if ! python_ok; then
	echo "bootstrap: installing Python packages from requirements-dev.txt"
	python3 -m pip install -q --disable-pip-version-check -r requirements-dev.txt
fi

#!/usr/bin/env bash
# The main job: installs what is missing, builds flyteremote, starts flyte-devserver on a
# free loopback port with a fresh database, runs examples/quickstart against it, and stops
# the server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh build
echo "Building flyteremote..."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
echo
exec scripts/with-devserver.sh build/devserver/flyte-devserver build/examples/quickstart

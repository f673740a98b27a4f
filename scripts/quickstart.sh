#!/usr/bin/env bash
# The main job: installs what is missing, builds flyteremote and runs the demo that
# predicts a Flyte cache key from C values with a content-hashed file input.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
exec build/examples/cache_key_demo "$@"

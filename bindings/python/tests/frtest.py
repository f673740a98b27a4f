"""Shared settings of the Python binding's tests (imported by conftest.py and the tests; a
module name of its own, so that it never collides with another suite's conftest).

Finds the C build (the first of $FLYTEREMOTE_BUILD, <repo>/build, <repo>/build-py that has
libflyteremote.so), then:
  FLYTEREMOTE_LIB   the library under test (default <build>/libflyteremote.so)
  FLYTE_DEVSERVER   the dev server (default <build>/devserver/flyte-devserver)
  FLYTE_REMOTE_CLI  the CLI, for the cache-key parity test (default <build>/cli/flyte-remote)
The package under test is this tree's (bindings/python), even when another is installed.
"""
from __future__ import annotations

import os
import shutil
import sys
from typing import Optional

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(PACKAGE_ROOT))


def _build_dir() -> Optional[str]:
    candidates = [os.environ.get("FLYTEREMOTE_BUILD", "")] + [os.path.join(REPO, d) for d in ("build", "build-py")]
    for d in candidates:
        if d and os.path.exists(os.path.join(d, "libflyteremote.so")):
            return d
    return None


BUILD = _build_dir()
if "FLYTEREMOTE_LIB" not in os.environ and BUILD:
    os.environ["FLYTEREMOTE_LIB"] = os.path.join(BUILD, "libflyteremote.so")
DEVSERVER = os.environ.get("FLYTE_DEVSERVER") or (os.path.join(BUILD, "devserver", "flyte-devserver") if BUILD else "")
CLI = os.environ.get("FLYTE_REMOTE_CLI") or (os.path.join(BUILD, "cli", "flyte-remote") if BUILD else "")

if PACKAGE_ROOT not in sys.path:
    sys.path.insert(0, PACKAGE_ROOT)

PROJECT = "flytesnacks"
DOMAIN = "development"

WAIT = {"timeout": 60, "poll_interval": 0.1}
"""Keyword arguments of wait() / execute(wait=True) in tests: fast polls, bounded."""


def have_compiler() -> bool:
    return shutil.which(os.environ.get("CC", "cc")) is not None

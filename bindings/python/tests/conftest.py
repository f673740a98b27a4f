"""Fixtures of the Python binding's tests (settings and paths: frtest.py).

  server_url   one real flyte-devserver per test session, on a free loopback port (its own
               temporary database and data directory); stopped with SIGTERM at the end,
               which must give exit status 0
  remote       a FlyteRemote on it (project flytesnacks, domain development)
  uid          a short unique suffix for entity names, so tests never collide
  cli          the flyte-remote CLI (skips when it is not built)
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
import uuid
from typing import Iterator

import pytest
from frtest import CLI, DEVSERVER, DOMAIN, PROJECT

import flyteremote


def _start(workdir: str) -> "tuple[subprocess.Popen[bytes], str]":
    if not os.access(DEVSERVER, os.X_OK):
        pytest.skip(f"no dev server binary at {DEVSERVER!r} (build it or set FLYTE_DEVSERVER)")
    out_path = os.path.join(workdir, "stdout")
    # A sanitizer runtime preloaded to test the library under ASan is not for the server.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    with open(out_path, "wb") as out, open(os.path.join(workdir, "server.log"), "wb") as log:
        proc = subprocess.Popen([DEVSERVER, "--listen", "127.0.0.1:0", "--db", os.path.join(workdir, "db.sqlite"),
                                 "--data-dir", os.path.join(workdir, "data"), "--workers", "4"],
                                stdout=out, stderr=log, stdin=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with open(out_path, "rb") as f:
            text = f.read().decode()
        if "\n" in text:
            url = text.split("\n", 1)[0].strip()
            with urllib.request.urlopen(url + "/healthcheck", timeout=5) as resp:
                assert resp.status == 200
            return proc, url
        if proc.poll() is not None:
            pytest.fail(f"dev server exited with {proc.returncode} before printing its URL")
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    pytest.fail("dev server printed no URL within 20 s")


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = str(tmp_path_factory.mktemp("devserver"))
    proc, url = _start(workdir)
    try:
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail("dev server did not stop within 10 s of SIGTERM")
        if rc != 0:
            with open(os.path.join(workdir, "server.log"), errors="replace") as f:
                log = f.read()[-4000:]
            pytest.fail(f"dev server exited with status {rc}\n{log}")


@pytest.fixture(scope="session")
def remote(server_url: str) -> Iterator[flyteremote.FlyteRemote]:
    with flyteremote.FlyteRemote(server_url, project=PROJECT, domain=DOMAIN) as r:
        yield r


@pytest.fixture
def uid() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def cli() -> str:
    if not CLI or not os.access(CLI, os.X_OK):
        pytest.skip(f"no flyte-remote CLI at {CLI!r}")
    return CLI

"""`pip install ./bindings/python` on a fresh machine: a new venv with nothing in it, pip's
default isolated build (setuptools and cffi come from the package index). The wheel is pure
Python (no compiler, no headers), declares cffi as its only dependency, ships py.typed, and
the installed package works outside the source tree.

Skipped, not failed, when the package index cannot be reached."""
from __future__ import annotations

import os
import shutil
import subprocess
import venv
import zipfile

import pytest
from frtest import PACKAGE_ROOT

OFFLINE_SIGNS = ("Failed to establish a new connection", "Temporary failure in name resolution",
                 "No matching distribution found", "Could not find a version that satisfies", "ConnectionError",
                 "Network is unreachable")


def pip(python: str, *args: str, cwd: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_NO_INDEX")}
    r = subprocess.run([python, "-m", "pip", "--disable-pip-version-check", *args], capture_output=True, text=True,
                       timeout=600, cwd=cwd, env=env)
    if r.returncode != 0 and any(s in r.stderr for s in OFFLINE_SIGNS):
        pytest.skip("the package index is not reachable: " + r.stderr.strip().splitlines()[-1])
    assert r.returncode == 0, r.stderr[-3000:]
    return r


def test_pip_install_into_a_fresh_venv(tmp_path):
    # A copy, so that setuptools' in-tree build directories never land in the source tree.
    src = str(tmp_path / "src")
    shutil.copytree(PACKAGE_ROOT, src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".*"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    pip(python, "install", "-q", src, cwd=str(tmp_path))

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = ("import flyteremote; assert 'site-packages' in flyteremote.__file__; "
            "print(flyteremote.C_VERSION, flyteremote.cache_key({'a': 1}))")
    r = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=60)
    assert r.returncode == 0, r.stderr
    version, tag = r.stdout.split()
    assert version == "0.1.0" and tag.startswith("flyte_cached-")

    wheels = tmp_path / "wheels"
    pip(python, "wheel", "-q", "--no-deps", "-w", str(wheels), src, cwd=str(tmp_path))
    (wheel,) = wheels.glob("flyteremote-0.1.0-py3-none-any.whl")  # pure Python
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        metadata = z.read("flyteremote-0.1.0.dist-info/METADATA").decode()
    for module in ("__init__", "_ffi", "_callbacks", "errors", "types", "values", "entities", "execution", "remote"):
        assert f"flyteremote/{module}.py" in names
    assert "flyteremote/py.typed" in names
    assert not any(n.startswith("tests/") for n in names)
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert [line for line in requires if "extra ==" not in line] == ["Requires-Dist: cffi>=1.15"]

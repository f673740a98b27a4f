"""The documentation runs: examples/python/quickstart.py and the README's example, against the
session's dev server."""
from __future__ import annotations

import os
import re
import subprocess
import sys

from frtest import PACKAGE_ROOT, REPO


def run(args, cwd):
    env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_quickstart(server_url, tmp_path):
    r = run([os.path.join(REPO, "examples", "python", "quickstart.py"), server_url], str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("CACHE_POPULATED") == 1 and r.stdout.count("CACHE_HIT") == 1
    assert r.stdout.count("(match: True)") == 2
    assert "{'label': 'CAT VIDEO', 'seconds': 100}" in r.stdout


def test_quickstart_usage():
    r = run([os.path.join(REPO, "examples", "python", "quickstart.py")], REPO)
    assert r.returncode == 2 and "quickstart" in r.stderr


def test_readme_example(server_url, tmp_path):
    with open(os.path.join(PACKAGE_ROOT, "README.md")) as f:
        (code,) = re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)
    (tmp_path / "notes.txt").write_text("one two three four\n")
    (tmp_path / "example.py").write_text(code.replace("http://127.0.0.1:30080", server_url))
    r = run(["example.py"], str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:2] == ["SUCCEEDED 4", "CACHE_HIT True"]

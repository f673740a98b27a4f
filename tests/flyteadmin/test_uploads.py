"""Uploads through the C SDK to the real FlyteAdmin's "s3" instance (moto's S3 behind it).

FlyteAdmin's upload location carries headers {"Content-Length": "24", "Content-MD5": ...}
(24 is the length of the base64 MD5). Copied into the PUT, they stored a 100-byte file as
its first 24 bytes, and the execution launched with it; a 4-byte file hung for 60 s. Here
every upload, through the Python binding over the C library and through flyte-remote run,
is read back from moto with boto3 and compared byte for byte.

FLYTEREMOTE_BUILD names the C build (default <repo>/build).
"""
import hashlib
import json
import os
import subprocess
import sys
import urllib.request

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("FLYTEREMOTE_BUILD") or os.path.join(REPO, "build")
CLI = os.path.join(BUILD, "cli", "flyte-remote")
PROJECT, DOMAIN = "flytesnacks", "development"
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def flyteremote():
    lib = os.path.join(BUILD, "libflyteremote.so")
    if not os.path.exists(lib):
        pytest.fail("no C build at %s (set FLYTEREMOTE_BUILD)" % BUILD)
    os.environ.setdefault("FLYTEREMOTE_LIB", lib)
    sys.path.insert(0, os.path.join(REPO, "bindings", "python"))
    import flyteremote as module
    return module


@pytest.fixture(scope="module")
def remote(admin_lab, flyteremote):
    return flyteremote.FlyteRemote(admin_lab.s3_url, project=PROJECT, domain=DOMAIN)


def write(path, size):
    """A file whose bytes differ at every offset (a shifted or cut copy never compares equal)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    seed = hashlib.sha256(str(size).encode()).digest()
    with open(path, "wb") as f:
        left, counter = size, 0
        while left:
            block = b"".join(hashlib.sha256(seed + (counter * 64 + i).to_bytes(8, "big")).digest()
                             for i in range(64)) * 32  # 64 KiB
            counter += 1
            f.write(block[:min(left, len(block))])
            left -= min(left, len(block))
    return path


def stored(admin_lab, uri):
    assert uri.startswith("s3://flyte-bucket/"), uri
    return admin_lab.s3().get_object(Bucket="flyte-bucket", Key=uri[len("s3://flyte-bucket/"):])["Body"].read()


def assert_same(admin_lab, path, uri):
    with open(path, "rb") as f:
        want = f.read()
    got = stored(admin_lab, uri)
    assert len(got) == len(want), "%s: stored %d bytes, the file has %d" % (uri, len(got), len(want))
    assert got == want, "%s: the stored bytes differ from %s" % (uri, path)


def test_the_upload_location_still_carries_the_bogus_content_length(admin_lab):
    """What the fix is about: if FlyteAdmin stopped sending it, this test says so."""
    body = json.dumps({"project": PROJECT, "domain": DOMAIN, "filename": "probe",
                       "content_md5": "XUFAKrxLKna5cZ2REBfFkg=="}).encode()
    req = urllib.request.Request(admin_lab.s3_url + "/api/v1/dataproxy/artifact_urn", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(req) as resp:
        loc = json.load(resp)
    assert loc["headers"] == {"Content-Length": "24", "Content-MD5": "XUFAKrxLKna5cZ2REBfFkg=="}


@pytest.mark.parametrize("size", [0, 4, 24, 100, 5 * MiB, 100 * MiB + 3],
                         ids=["0B", "4B", "24B", "100B", "5MiB", "100MiB+3"])
def test_a_file_is_stored_byte_for_byte(admin_lab, remote, tmp_path, size):
    path = write(str(tmp_path / ("file-%d.bin" % size)), size)
    uri = remote.upload_file(path)
    assert uri.endswith("/file-%d.bin" % size)
    assert_same(admin_lab, path, uri)


def test_a_directory_of_many_files_is_stored_file_by_file(admin_lab, remote, tmp_path):
    tree = tmp_path / "tree"
    files = {}
    for i in range(120):
        rel = ("sub/" if i % 3 == 0 else "") + ("deeper/" if i % 5 == 0 else "") + "part-%03d.dat" % i
        files[rel] = write(str(tree / rel), (i * 7919) % (300 * 1024))
    uri = remote.upload_file(str(tree), directory=True)
    for rel, path in files.items():
        assert_same(admin_lab, path, uri + "/" + rel)
    listed = admin_lab.s3().list_objects_v2(Bucket="flyte-bucket", Prefix=uri[len("s3://flyte-bucket/"):] + "/")
    assert listed["KeyCount"] == len(files)


def test_the_same_file_twice_gives_the_same_uri(admin_lab, remote, tmp_path):
    path = write(str(tmp_path / "twice.bin"), 1000)
    assert remote.upload_file(path) == remote.upload_file(path)


def cli(admin_lab, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE")}
    env["HOME"] = "/nonexistent"
    p = subprocess.run([CLI, "--endpoint", admin_lab.s3_url] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=600)
    assert p.returncode == 0, "flyte-remote %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.decode())
    return p.stdout.decode()


def test_run_launches_with_inputs_stored_whole(admin_lab, tmp_path):
    """flyte-remote run uploads local files given as inputs: the execution FlyteAdmin
    created refers to objects equal to the files."""
    spec = tmp_path / "task.yaml"
    spec.write_text("kind: task\nname: uploads.take_files\nversion: \"1\"\nimage: alpine:3\n"
                    "command: [cat, \"{{.inputs.data}}\"]\n"
                    "inputs: {data: blob, small: blob, tree: dir}\noutputs: {}\n")
    cli(admin_lab, "register", str(spec))
    data = write(str(tmp_path / "run" / "data.bin"), 100)
    small = write(str(tmp_path / "run" / "small.bin"), 4)
    tree = tmp_path / "run" / "tree"
    parts = {"a.txt": write(str(tree / "a.txt"), 100), "b/c.txt": write(str(tree / "b" / "c.txt"), 70000)}
    out = json.loads(cli(admin_lab, "run", "--task", "uploads.take_files", "--input", "data=" + data,
                         "--input", "small=" + small, "--input", "tree=" + str(tree), "-o", "json"))
    name = out["name"]
    with urllib.request.urlopen(urllib.request.Request(
            "%s/api/v1/data/executions/%s/%s/%s" % (admin_lab.s3_url, PROJECT, DOMAIN, name),
            headers={"Accept": "application/json"})) as resp:
        literals = json.load(resp)["full_inputs"]["literals"]
    uri = {k: v["scalar"]["blob"]["uri"] for k, v in literals.items()}
    assert_same(admin_lab, data, uri["data"])
    assert_same(admin_lab, small, uri["small"])
    for rel, path in parts.items():
        assert_same(admin_lab, path, uri["tree"] + "/" + rel)

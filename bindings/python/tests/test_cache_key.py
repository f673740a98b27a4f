"""cache_key(): the artifact tag computed client-side, checked against the CLI
(`flyte-remote cache-key`) on the same inputs written by hand as flyteidl JSON, and Python
hash functions called from C."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import threading

import pytest

import flyteremote as fr
from flyteremote import FlyteType as T
from flyteremote import TypeHint


def cli_tag(cli: str, tmp_path, literals: dict, ignore=()) -> str:
    path = tmp_path / "inputs.json"
    path.write_text(json.dumps({"literals": literals}))
    cmd = [cli, "cache-key", "--literals", str(path)]
    if ignore:
        cmd += ["--ignore", ",".join(ignore)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def prim(key: str, value) -> dict:
    return {"scalar": {"primitive": {key: value}}}


def test_primitives_equal_the_cli(cli, tmp_path):
    values = {"n": 42, "x": 2.5, "s": "héllo", "b": True, "when": dt.datetime(2024, 5, 6, 7, 8, 9, 500000),
              "d": dt.timedelta(minutes=90)}
    literals = {"n": prim("integer", "42"), "x": prim("float_value", 2.5), "s": prim("string_value", "héllo"),
                "b": prim("boolean", True), "when": prim("datetime", "2024-05-06T07:08:09.500Z"),
                "d": prim("duration", "5400s")}
    tag = fr.cache_key(values)
    assert tag.startswith("flyte_cached-") and len(tag) == 56
    assert tag == cli_tag(cli, tmp_path, literals)


def test_containers_structs_and_blobs_equal_the_cli(cli, tmp_path):
    values = {"l": [1, 2, 3], "m": {"b": "2", "a": "1"}, "cfg": {"depth": 3, "name": "x", "on": True},
              "doc": "s3://bucket/doc.csv", "none": None}
    types = {"m": T.map(str), "doc": T.blob(format="csv")}
    literals = {
        "l": {"collection": {"literals": [prim("integer", str(i)) for i in (1, 2, 3)]}},
        "m": {"map": {"literals": {"a": prim("string_value", "1"), "b": prim("string_value", "2")}}},
        "cfg": {"scalar": {"generic": {"depth": 3, "name": "x", "on": True}}},
        "doc": {"scalar": {"blob": {"uri": "s3://bucket/doc.csv",
                                    "metadata": {"type": {"format": "csv", "dimensionality": "SINGLE"}}}}},
        "none": {"scalar": {"none_type": {}}},
    }
    assert fr.cache_key(values, type_hints=types) == cli_tag(cli, tmp_path, literals)


def test_ignore_equals_the_cli(cli, tmp_path):
    literals = {"a": prim("integer", "1"), "run_id": prim("string_value", "r-17")}
    assert fr.cache_key({"a": 1, "run_id": "r-17"}, ignore=["run_id"]) == cli_tag(cli, tmp_path, literals, ["run_id"])
    assert fr.cache_key({"a": 1, "run_id": "r-17"}, ignore=["run_id"]) == fr.cache_key({"a": 1, "run_id": "other"},
                                                                                       ignore=["run_id"])


def test_python_hash_function_equals_a_literal_hash_in_the_cli(cli, tmp_path):
    seen = []

    def by_frames(rec):
        seen.append(rec)
        return f"frames={rec['frames']}"

    rec = {"path": "/v/a.mp4", "frames": 120}
    tag = fr.cache_key({"video": rec, "n": 1}, type_hints={"video": TypeHint(T.struct(), hash=by_frames)})
    assert seen == [rec] and seen[0] is rec  # the caller's own Python object
    literals = {"video": {"scalar": {"generic": rec}, "hash": "frames=120"}, "n": prim("integer", "1")}
    assert tag == cli_tag(cli, tmp_path, literals)


def test_hash_function_makes_different_values_share_a_key():
    hint = {"s": TypeHint(str, hash=lambda v: v.lower())}
    assert fr.cache_key({"s": "Hello"}, type_hints=hint) == fr.cache_key({"s": "HELLO"}, type_hints=hint)
    assert fr.cache_key({"s": "Hello"}) != fr.cache_key({"s": "HELLO"})


def test_sha256_file_hasher_equals_hashlib(cli, tmp_path):
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    a.write_bytes(b"same bytes")
    b.write_bytes(b"same bytes")
    hint = {"doc": TypeHint(T.blob(), hash=fr.SHA256_FILE)}
    tag = fr.cache_key({"doc": a}, type_hints=hint)
    assert tag == fr.cache_key({"doc": b}, type_hints=hint)  # content, not location
    digest = hashlib.sha256(b"same bytes").hexdigest()
    blob_type = {"format": "", "dimensionality": "SINGLE"}
    literals = {"doc": {"scalar": {"blob": {"uri": "s3://anywhere", "metadata": {"type": blob_type}}},
                        "hash": digest}}
    assert tag == cli_tag(cli, tmp_path, literals)


class Boom(Exception):
    pass


def test_exception_in_hash_function_propagates_unchanged():
    err = Boom("no hash for you")

    def bad(value):
        raise err

    with pytest.raises(Boom) as e:
        fr.cache_key({"x": 1}, type_hints={"x": TypeHint(hash=bad)})
    assert e.value is err
    assert any("bad" in str(tb.name) for tb in e.traceback)  # raised from inside the function


@pytest.mark.parametrize("result,exc,fragment", [(None, TypeError, "must return a str, got NoneType"),
                                                 (b"x", TypeError, "got bytes"),
                                                 ("", fr.InvalidInput, "returned an empty hash")])
def test_bad_hash_results(result, exc, fragment):
    with pytest.raises(exc, match=fragment):
        fr.cache_key({"x": 1}, type_hints={"x": TypeHint(hash=lambda v: result)})


def test_keyboard_interrupt_in_hash_function_propagates():
    def interrupted(value):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fr.cache_key({"x": 1}, type_hints={"x": TypeHint(hash=interrupted)})


def test_hint_type_is_checked():
    with pytest.raises(fr.InvalidInput, match='input "x"'):
        fr.cache_key({"x": "text"}, type_hints={"x": TypeHint(int)})


def test_hash_functions_from_many_threads():
    """Callbacks re-take the GIL; concurrent calls keep their own state and exceptions."""
    errors, tags = [], {}

    def work(i):
        try:
            if i % 3 == 0:
                try:
                    fr.cache_key({"x": i}, type_hints={"x": TypeHint(hash=lambda v: 1 / 0)})
                except ZeroDivisionError:
                    tags[i] = "raised"
                return
            tags[i] = fr.cache_key({"x": i}, type_hints={"x": TypeHint(hash=lambda v: str(v % 2))})
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    even = fr.cache_key({"x": 0}, type_hints={"x": TypeHint(hash=lambda v: "0")})
    for i, tag in tags.items():
        assert tag == ("raised" if i % 3 == 0 else (even if i % 2 == 0 else tag))
    assert len({tag for i, tag in tags.items() if i % 3}) == 2

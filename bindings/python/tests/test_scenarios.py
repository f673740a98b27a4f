"""The shared scenario (tests/scenarios/shared.json) through the Python binding: the C SDK
and the Go binding run the same table and must get the same outputs and cache keys."""
from __future__ import annotations

import json
import os

import pytest

from flyteremote import Cache, FlyteRemote, RawContainerTask, TypeHint

TABLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "scenarios", "shared.json")
TYPES = {"integer": int, "float": float, "string": str, "boolean": bool}
HASHES = {"lower": lambda value: value.lower()}


def _table() -> dict:
    with open(TABLE) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def registered(server_url: str) -> FlyteRemote:
    table = _table()
    remote = FlyteRemote(server_url, project=table["project"], domain=table["domain"])
    for t in table["tasks"]:
        remote.register_task(RawContainerTask(
            t["name"], t["version"], image="alpine:3", command=["sh", "-c"], args=[t["script"]],
            inputs={k: TYPES[v] for k, v in t["inputs"].items()},
            outputs={k: TYPES[v] for k, v in t["outputs"].items()},
            cache=Cache(version=t["cache_version"]), input_data_dir="/var/inputs",
            output_data_dir="/var/outputs"))
    return remote


@pytest.mark.parametrize("case", _table()["cases"], ids=lambda c: c["task"])
def test_shared_scenario(registered: FlyteRemote, case: dict) -> None:
    table = _table()
    task = registered.reference_task(table["project"], table["domain"], case["task"])
    hints = {name: TypeHint(hash=HASHES[fn]) for name, fn in case.get("hash", {}).items()}
    ex = registered.execute(task, case["inputs"], type_hints=hints or None, wait=True, timeout=60)
    assert ex.phase == "SUCCEEDED", ex.error
    for name, want in case["outputs"].items():
        assert ex.outputs[name] == pytest.approx(want) if isinstance(want, float) else ex.outputs[name] == want
    key = ex.predicted_cache_key
    assert key is not None and key.matches is True
    assert key.artifact_tag == case["artifact_tag"]
    assert key.dataset.version == case["dataset_version"]

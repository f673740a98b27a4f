"""FlyteRemote against a real flyte-devserver: register and fetch, execute and wait, outputs as
Python values, the cache (hits, predicted keys, hash functions, overwrite), launch-plan
inputs, errors, control calls and threads."""
from __future__ import annotations

import _thread
import dataclasses
import datetime as dt
import hashlib
import json
import pathlib
import shutil
import threading
import time
import urllib.request

import pytest
from frtest import DOMAIN, PROJECT, WAIT

import flyteremote as fr
from flyteremote import Cache, FlyteType as T, LaunchPlan, RawContainerTask, TypeHint, Workflow

SH = {"image": "alpine:3.19", "command": ["sh", "-c"]}


def double(uid: str, version: str = "v1", cache="1.0") -> RawContainerTask:
    return RawContainerTask(f"double-{uid}", version, args=["echo $(( {{.inputs.n}} * 2 )) > {{.outputPrefix}}/o0"],
                            inputs={"n": int}, outputs={"o0": int}, cache=cache, **SH)


def stamp(uid: str, cache="1.0", inputs=None) -> RawContainerTask:
    """Echoes its input and a nanosecond timestamp: a rerun and a cache hit look different."""
    return RawContainerTask(f"stamp-{uid}", "v1", args=["echo {{.inputs.s}}@$(date +%s%N) > {{.outputPrefix}}/o"],
                            inputs=inputs or {"s": str}, outputs={"o": str}, cache=cache, **SH)


def add(uid: str) -> RawContainerTask:
    return RawContainerTask(f"add-{uid}", "v1",
                            args=["echo $(( {{.inputs.a}} + {{.inputs.b}} )) > {{.outputPrefix}}/o0"],
                            inputs={"a": int, "b": int}, outputs={"o0": int}, **SH)


def cache_status(ex: fr.FlyteExecution) -> str:
    (node,) = ex.nodes
    return node.cache_status


def admin_get(url: str, path: str) -> dict:
    with urllib.request.urlopen(url + path, timeout=10) as resp:
        return json.loads(resp.read())


# ---- register and fetch ----

def test_register_then_fetch(remote, uid):
    t = remote.register_task(double(uid))
    assert t.id == fr.Identifier("TASK", PROJECT, DOMAIN, f"double-{uid}", "v1")
    assert t.interface.inputs == {"n": T.integer()} and t.interface.outputs == {"o0": T.integer()}

    remote.register_task(double(uid))  # idempotent
    fetched = remote.fetch_task(f"double-{uid}")
    assert isinstance(fetched, fr.FlyteTask) and fetched.id == t.id and fetched.interface == t.interface
    assert fetched.raw["closure"]["compiled_task"]["template"]["metadata"]["discovery_version"] == "1.0"

    remote.register_task(double(uid, "v2"))
    assert remote.fetch_task(f"double-{uid}").version == "v2"  # latest
    assert remote.fetch_task(f"double-{uid}", version="v1").version == "v1"


def test_register_a_different_task_under_the_same_version_is_already_exists(remote, uid):
    remote.register_task(double(uid))
    changed = double(uid)
    changed.args = ["echo 0 > {{.outputPrefix}}/o0"]
    with pytest.raises(fr.AlreadyExists) as e:
        remote.register_task(changed)
    # FlyteAdmin answers 400 (gRPC INVALID_ARGUMENT) here; the C SDK reports it as "exists".
    assert "different structure" in e.value.message and e.value.code_name == "FLYTE_EEXISTS"


def test_missing_entities_are_not_found(remote, uid):
    with pytest.raises(fr.NotFound) as e:
        remote.fetch_task(f"nope-{uid}")
    assert f"nope-{uid}" in str(e.value) and isinstance(e.value, LookupError)
    with pytest.raises(fr.NotFound) as e:
        remote.fetch_launch_plan(f"nope-{uid}", version="v1")
    assert e.value.http_status == 404
    with pytest.raises(fr.NotFound):
        remote.execute(remote.reference_task(PROJECT, DOMAIN, f"nope-{uid}", "v1"), {"n": 1})
    with pytest.raises(fr.NotFound):
        remote.fetch_execution(f"nope{uid}")


# ---- execute, wait, outputs ----

def test_execute_wait_and_outputs_of_every_simple_type(remote, uid):
    types = {"n": int, "x": float, "s": str, "flag": bool, "when": dt.datetime, "took": dt.timedelta}
    files = " ".join("{{.inputPrefix}}/" + name for name in types)
    echo = RawContainerTask(f"echo-{uid}", "v1", args=[f"cp {files} {{{{.outputPrefix}}}}/"],
                            inputs=types, outputs=types, **SH)
    values = {"n": -7, "x": 0.1, "s": "hello world", "flag": True,
              "when": dt.datetime(2024, 2, 29, 12, 30, 1, 250000, tzinfo=dt.timezone.utc),
              "took": dt.timedelta(hours=1, minutes=2, seconds=3.5)}
    ex = remote.execute(echo, values, wait=True, **WAIT)
    assert ex.phase == "SUCCEEDED" and ex.is_done and ex.is_successful and ex.error is None
    assert ex.outputs == values
    assert ex.inputs == values
    assert ex.project == PROJECT and ex.domain == DOMAIN and ex.id.name == ex.name


def test_struct_and_list_outputs(remote, uid):
    t = RawContainerTask(f"json-{uid}", "v1",
                         args=['echo \'{"depth": {{.inputs.n}}, "tags": ["a", "b"]}\' > {{.outputPrefix}}/cfg; '
                               'echo \'{"collection": {"literals": [{"scalar": {"primitive": {"integer": "1"}}}, '
                               '{"scalar": {"primitive": {"integer": "{{.inputs.n}}"}}}]}}\' > {{.outputPrefix}}/l'],
                         inputs={"n": int}, outputs={"cfg": dict, "l": list[int]}, **SH)
    ex = remote.execute(t, {"n": 3}, wait=True, **WAIT)
    assert ex.outputs == {"cfg": {"depth": 3, "tags": ["a", "b"]}, "l": [1, 3]}


def test_local_file_is_uploaded_and_blob_output_is_a_path(remote, uid, tmp_path):
    src = tmp_path / "doc.txt"
    src.write_text("three word doc\n")
    t = RawContainerTask(f"copy-{uid}", "v1", args=["tr a-z A-Z < {{.inputs.doc}} > {{.outputPrefix}}/out"],
                         inputs={"doc": T.blob(format="txt")}, outputs={"out": T.blob(format="txt")}, **SH)
    ex = remote.execute(t, {"doc": src}, wait=True, **WAIT)
    out = ex.outputs["out"]
    assert isinstance(out, pathlib.Path) and out.read_text() == "THREE WORD DOC\n"
    sent = ex.inputs["doc"]
    assert str(sent) != str(src)  # the uploaded copy, not the local path


def test_execute_with_tags_labels_annotations_envs_and_name(remote, server_url, uid):
    t = RawContainerTask(f"env-{uid}", "v1", args=["echo $GREETING > {{.outputPrefix}}/o"], outputs={"o": str}, **SH)
    name = f"named-{uid}"
    ex = remote.execute(t, tags=["nightly", "py"], labels={"team": "ml"}, annotations={"note": "x"},
                        envs={"GREETING": "bonjour"}, execution_name=name, wait=True, **WAIT)
    assert ex.name == name and ex.outputs == {"o": "bonjour"}
    spec = admin_get(server_url, f"/api/v1/executions/{PROJECT}/{DOMAIN}/{name}")["spec"]
    assert spec["tags"] == ["nightly", "py"]
    assert spec["labels"]["values"] == {"team": "ml"} and spec["annotations"]["values"] == {"note": "x"}
    with pytest.raises(fr.AlreadyExists):
        remote.execute(t, execution_name=name)
    assert name in remote.console_url(ex)
    assert remote.execute(t, execution_name_prefix="pfx").name.startswith("pfx")


def test_input_errors_name_the_input(remote, uid):
    t = remote.register_task(double(uid))
    with pytest.raises(fr.InvalidInput, match='input "n": expected integer, got str'):
        remote.execute(t, {"n": "seven"})
    with pytest.raises(fr.InvalidInput, match='missing required input "n"'):
        remote.execute(t, {})
    with pytest.raises(fr.InvalidInput, match='"m"'):
        remote.execute(t, {"n": 1, "m": 2})


# ---- the cache ----

def test_second_run_hits_the_cache_with_the_predicted_key(remote, uid):
    t = remote.register_task(stamp(uid))
    first = remote.execute(t, {"s": "a"}, wait=True, **WAIT)
    assert cache_status(first) == "CACHE_POPULATED"
    second = remote.execute(t, {"s": "a"}, wait=True, **WAIT)
    assert cache_status(second) == "CACHE_HIT" and second.nodes[0].cache_hit
    assert second.outputs == first.outputs

    key = second.predicted_cache_key
    assert key is not None and second.predicted_cache_keys == [key]
    assert key.matches is True and key.server_artifact_tag == key.artifact_tag
    assert key.node_id == t.name
    assert key.dataset == fr.DatasetId(PROJECT, DOMAIN, f"flyte_task-{t.name}", key.dataset.version)
    assert key.dataset.version.startswith("1.0-") and key.server_dataset_version == key.dataset.version
    assert second.nodes[0].catalog_key == fr.CatalogKey(key.dataset, key.artifact_tag)
    assert key.artifact_tag == remote.cache_key({"s": "a"}, entity=t) == first.predicted_cache_key.artifact_tag


def test_python_hash_function_makes_two_values_share_a_cache_entry(remote, uid):
    t = remote.register_task(stamp(uid))
    seen = []

    def case_insensitive(value):
        seen.append(value)
        return value.lower()

    hints = {"s": TypeHint(hash=case_insensitive)}
    first = remote.execute(t, {"s": "Hello"}, type_hints=hints, wait=True, **WAIT)
    second = remote.execute(t, {"s": "HELLO"}, type_hints=hints, wait=True, **WAIT)
    assert seen == ["Hello", "HELLO"]
    assert cache_status(first) == "CACHE_POPULATED" and cache_status(second) == "CACHE_HIT"
    assert second.outputs == first.outputs and second.outputs["o"].startswith("Hello@")
    assert first.predicted_cache_key.artifact_tag == second.predicted_cache_key.artifact_tag
    assert second.predicted_cache_key.matches is True
    assert second.predicted_cache_key.artifact_tag == fr.cache_key({"s": "hello"}, type_hints=hints)


@dataclasses.dataclass
class VideoRecord:
    path: str
    frames: int


def test_hash_function_receives_the_python_object_of_a_struct(remote, uid):
    t = RawContainerTask(f"video-{uid}", "v1", args=["echo ok > {{.outputPrefix}}/o"], inputs={"video": VideoRecord},
                         outputs={"o": str}, cache="1", **SH)
    got = []
    rec = VideoRecord("/v/cat.mp4", 10)
    hints = {"video": TypeHint(VideoRecord, hash=lambda v: got.append(v) or v.path)}
    ex = remote.execute(t, {"video": rec}, type_hints=hints, wait=True, **WAIT)
    assert got == [rec] and got[0] is rec
    again = remote.execute(t, {"video": VideoRecord("/v/cat.mp4", 99)}, type_hints=hints, wait=True, **WAIT)
    assert cache_status(ex) == "CACHE_POPULATED" and cache_status(again) == "CACHE_HIT"


class HashFailed(Exception):
    pass


def test_exception_in_hash_function_propagates_from_execute(remote, uid):
    t = remote.register_task(stamp(uid))
    err = HashFailed("cannot hash this one")

    def bad(value):
        raise err

    with pytest.raises(HashFailed) as e:
        remote.execute(t, {"s": "a"}, type_hints={"s": TypeHint(hash=bad)})
    assert e.value is err
    # The same call with a working function still goes through: nothing was left behind.
    ok = remote.execute(t, {"s": "a"}, type_hints={"s": TypeHint(hash=str.upper)}, wait=True, **WAIT)
    assert ok.is_successful


def test_content_hash_of_local_files_shares_the_cache(remote, uid, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("same content\n")
    b.write_text("same content\n")
    t = RawContainerTask(f"wc-{uid}", "v1", args=["wc -c < {{.inputs.doc}} > {{.outputPrefix}}/n"],
                         inputs={"doc": T.blob()}, outputs={"n": int}, cache="1", **SH)
    hints = {"doc": TypeHint(hash=fr.SHA256_FILE)}
    first = remote.execute(t, {"doc": a}, type_hints=hints, wait=True, **WAIT)
    second = remote.execute(t, {"doc": str(b)}, type_hints=hints, wait=True, **WAIT)
    assert first.outputs == second.outputs == {"n": 13}
    assert cache_status(second) == "CACHE_HIT"
    digest = hashlib.sha256(b"same content\n").hexdigest()
    same_digest = {"doc": TypeHint(T.blob(), hash=lambda v: digest)}
    assert second.predicted_cache_key.artifact_tag == fr.cache_key({"doc": "s3://elsewhere"}, type_hints=same_digest)


def test_overwrite_cache_reruns_and_replaces_the_entry(remote, uid):
    t = remote.register_task(stamp(uid))
    first = remote.execute(t, {"s": "a"}, wait=True, **WAIT)
    forced = remote.execute(t, {"s": "a"}, overwrite_cache=True, wait=True, **WAIT)
    assert cache_status(forced) != "CACHE_HIT" and forced.outputs != first.outputs
    after = remote.execute(t, {"s": "a"}, wait=True, **WAIT)
    assert cache_status(after) == "CACHE_HIT" and after.outputs == forced.outputs


def test_cache_policies_make_the_version(remote, uid):
    t = stamp(uid, cache=Cache(policies=[lambda salt: "abc", lambda salt: f"salt={salt}"], salt="pepper"))
    ex = remote.execute(t, {"s": "a"}, wait=True, **WAIT)
    version = hashlib.sha256(b"abcsalt=pepper").hexdigest()
    assert ex.predicted_cache_key.dataset.version.startswith(version + "-")

    class PolicyFailed(Exception):
        pass

    def failing(salt):
        raise PolicyFailed(salt)

    with pytest.raises(PolicyFailed):
        remote.register_task(stamp(uid + "p", cache=Cache(policies=[failing])))
    with pytest.raises(fr.InvalidInput, match="at least one cache policy"):
        remote.register_task(stamp(uid + "q", cache=Cache()))


# ---- workflows and launch plans ----

def test_launch_plan_defaults_fixed_inputs_and_refused_override(remote, uid):
    wf = Workflow(f"wf-{uid}", "v1", inputs={"a": int, "b": int}, outputs={"total": int})
    node = wf.add_node("sum", add(uid), a=wf.input("a"), b=wf.input("b"))
    wf.set_output("total", node.output("o0"))
    lp = remote.register_launch_plan(LaunchPlan(f"lp-{uid}", "v1", wf, default_inputs={"a": 10},
                                                fixed_inputs={"b": 5}))
    fetched = remote.fetch_launch_plan(f"lp-{uid}")
    assert fetched.id == lp.id and fetched.default_inputs == {"a": 10} and fetched.fixed_inputs == {"b": 5}
    # a launch plan's inputs are what the caller may give: the fixed one is not among them
    assert fetched.interface == lp.interface and fetched.interface.inputs == {"a": T.integer()}
    assert fetched.interface.outputs == {"total": T.integer()}

    assert remote.execute(fetched, {}, wait=True, **WAIT).outputs == {"total": 15}
    assert remote.execute(fetched, {"a": 1}, wait=True, **WAIT).outputs == {"total": 6}
    with pytest.raises(fr.InvalidInput) as e:
        remote.execute(fetched, {"a": 1, "b": 2})
    assert '"b"' in str(e.value) and "fixed" in str(e.value)


def test_workflow_of_two_nodes_predicts_the_first_key_only(remote, uid):
    d = double(uid)
    wf = Workflow(f"twice-{uid}", "v1", inputs={"n": int}, outputs={"out": int})
    first = wf.add_node("first", d, n=wf.input("n"))
    second = wf.add_node("second", d, n=first["o0"])
    wf.set_output("out", second.output("o0"))
    registered = remote.register_workflow(wf)
    assert remote.fetch_workflow(f"twice-{uid}").id == registered.id

    ex = remote.execute(registered, {"n": 3}, wait=True, **WAIT)
    assert ex.outputs == {"out": 12}
    assert sorted(n.node_id for n in ex.nodes) == ["first", "second"]
    assert [k.node_id for k in ex.predicted_cache_keys] == ["first"]
    assert ex.predicted_cache_key.matches is True


def test_workflow_node_with_a_constant_and_a_fetched_task(remote, uid):
    fetched = remote.register_task(add(uid))
    fetched = remote.fetch_task(fetched.name)
    wf = Workflow(f"const-{uid}", "v1", inputs={"a": int}, outputs={"o": int})
    wf.set_output("o", wf.add_node("n", fetched, a=wf.input("a"), b=100).output("o0"))
    assert remote.execute(wf, {"a": 1}, wait=True, **WAIT).outputs == {"o": 101}


def test_reference_entities(remote, uid):
    remote.register_task(double(uid))
    ex = remote.execute(remote.reference_task(PROJECT, DOMAIN, f"double-{uid}"), {"n": 4}, wait=True, **WAIT)
    assert ex.outputs == {"o0": 8}
    wf = Workflow(f"refwf-{uid}", "v1", inputs={"n": int}, outputs={"o": int})
    wf.set_output("o", wf.add_node("n", double(uid), n=wf.input("n")).output("o0"))
    remote.register_workflow(wf)
    ref_wf = remote.reference_workflow(PROJECT, DOMAIN, f"refwf-{uid}", "v1")
    ref_lp = remote.reference_launch_plan(PROJECT, DOMAIN, f"refwf-{uid}")
    assert remote.execute(ref_wf, {"n": 5}, wait=True, **WAIT).outputs == {"o": 10}
    assert remote.execute(ref_lp, {"n": 6}, wait=True, **WAIT).outputs == {"o": 12}


# ---- failures and control ----

def test_failed_execution_and_recover(remote, uid):
    t = RawContainerTask(f"fail-{uid}", "v1", args=["echo broken >&2; exit 3"], **SH)
    ex = remote.execute(t, wait=True, **WAIT)
    assert ex.phase == "FAILED" and ex.is_done and not ex.is_successful
    assert "status 3" in ex.error and "broken" in ex.error
    with pytest.raises(fr.FlyteRemoteError, match="ended FAILED"):
        ex.outputs
    (node,) = ex.nodes
    assert node.phase == "FAILED" and "broken" in node.error
    again = remote.recover(ex)
    assert again.name != ex.name
    assert remote.wait(again, **WAIT).phase == "FAILED"


def test_wait_timeout_then_terminate(remote, uid):
    t = RawContainerTask(f"sleep-{uid}", "v1", args=["sleep 30"], **SH)
    ex = remote.execute(t)
    with pytest.raises(fr.Timeout) as e:
        remote.wait(ex, timeout=0.3, poll_interval=0.05)
    assert isinstance(e.value, TimeoutError) and ex.name in str(e.value)
    assert not ex.is_done
    with pytest.raises(fr.FlyteRemoteError, match="wait until it has completed"):
        ex.outputs
    remote.terminate(ex, "no longer needed")
    remote.wait(ex, **WAIT)
    assert ex.phase == "ABORTED" and "no longer needed" in (ex.error or "")


def test_relaunch_and_fetch_execution(remote, uid):
    t = remote.register_task(double(uid))
    ex = remote.execute(t, {"n": 21}, wait=True, **WAIT)
    again = remote.relaunch(ex)
    assert again.name != ex.name and remote.wait(again, **WAIT).outputs == {"o0": 42}
    forced = remote.relaunch(ex, overwrite_cache=True).wait(**WAIT)
    assert cache_status(forced) != "CACHE_HIT" and forced.outputs == {"o0": 42}

    fetched = remote.fetch_execution(ex.name)
    assert fetched.phase == "SUCCEEDED" and fetched.outputs == {"o0": 42} and fetched.inputs == {"n": 21}
    assert fetched.predicted_cache_keys == []  # predicted only by the call that launched it
    assert remote.sync(fetched) is fetched and fetched.nodes[0].node_id == t.name


# ---- threads ----

def test_wait_releases_the_gil(remote, uid):
    t = RawContainerTask(f"nap-{uid}", "v1", args=["sleep 1"], **SH)
    ex = remote.execute(t)
    waiter = threading.Thread(target=remote.wait, args=(ex,), kwargs=WAIT)
    start = time.monotonic()
    waiter.start()
    spins = 0
    while waiter.is_alive():
        spins += 1
    waiter.join()
    assert ex.phase == "SUCCEEDED" and time.monotonic() - start >= 0.9
    assert spins > 10_000  # this thread ran Python all along


def test_concurrent_executions_with_python_hash_functions(remote, uid):
    t = remote.register_task(stamp(uid))
    results, errors = {}, []

    def run(i):
        try:
            hints = {"s": TypeHint(hash=lambda v: v.split("-")[0])}
            results[i] = remote.execute(t, {"s": f"k{i % 2}-{i}"}, type_hints=hints, wait=True, **WAIT)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert all(ex.is_successful for ex in results.values())
    tags = {i: ex.predicted_cache_key.artifact_tag for i, ex in results.items()}
    assert len(set(tags.values())) == 2 and tags[0] == tags[2] == tags[4] and tags[1] == tags[3] == tags[5]


# ---- configuration ----

def test_from_config(server_url, uid, tmp_path, monkeypatch):
    for var in ("FLYTE_PLATFORM_URL", "FLYTE_PLATFORM_INSECURE", "FLYTE_LOCAL_PROJECT", "FLYTE_LOCAL_DOMAIN"):
        monkeypatch.delenv(var, raising=False)
    host_port = server_url.split("://", 1)[1]
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"admin:\n  endpoint: dns:///{host_port}\n  insecure: true\n")
    with fr.FlyteRemote.from_config(cfg, project=PROJECT, domain=DOMAIN) as r:
        assert r.endpoint == server_url and r.default_project == PROJECT
        r.register_task(double(uid))
        assert r.fetch_task(f"double-{uid}").version == "v1"
    with pytest.raises(fr.FlyteRemoteError):
        r.fetch_task(f"double-{uid}")  # closed


def test_ctrl_c_stops_a_wait_promptly(remote, uid):
    t = RawContainerTask(f"long-{uid}", "v1", args=["sleep 30"], **SH)
    ex = remote.execute(t)
    timer = threading.Timer(0.5, _thread.interrupt_main)
    start = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            remote.wait(ex, timeout=20)  # default poll interval: 5 s
    finally:
        timer.cancel()
    assert time.monotonic() - start < 5
    remote.terminate(ex, "interrupted")
    assert remote.wait(ex, **WAIT).phase == "ABORTED"


def test_upload_file_and_directory_inputs(remote, uid, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("alpha\n")
    uri = remote.upload_file(f)
    assert "://" in uri and uri == remote.upload_file(str(f))  # the location follows the content
    d = tmp_path / "tree"
    (d / "sub").mkdir(parents=True)
    (d / "one.txt").write_text("1\n")
    (d / "sub" / "two.txt").write_text("22\n")
    assert "://" in remote.upload_file(d, directory=True)

    t = RawContainerTask(f"tree-{uid}", "v1", args=["cd {{.inputs.tree}} && find . -type f | sort | tr '\\n' ' ' "
                                                    "> {{.outputPrefix}}/files"],
                         inputs={"tree": T.directory()}, outputs={"files": str}, cache="1", **SH)
    hints = {"tree": TypeHint(hash=fr.SHA256_DIR)}
    ex = remote.execute(t, {"tree": d}, type_hints=hints, wait=True, **WAIT)
    assert ex.outputs == {"files": "./one.txt ./sub/two.txt "}
    copy = tmp_path / "copy"
    shutil.copytree(d, copy)
    again = remote.execute(t, {"tree": copy}, type_hints=hints, wait=True, **WAIT)
    assert cache_status(again) == "CACHE_HIT"  # same names and bytes, another place

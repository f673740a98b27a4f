"""The dev server's cache (DataCatalog semantics, cache-keys.md): hits that skip the task,
keys equal to the SDK CLI's, Literal.hash and cache_ignore_input_vars, overwrite_cache,
the type check of cached outputs on a hit (the blob-format rule), blank cache versions and
cache_serializable."""
import json
import os
import subprocess
import threading

from conftest import BINARY
from test_executions import (D, P, blob_type, execute, integer, node, nodes, outputs, register_task,
                             register_workflow, register_launch_plan, run, simple, single_task_workflow, string,
                             task_executions, task_node, task_template, value, promise)


def cli():
    """flyte-remote from the same build as the dev server (or $FLYTE_REMOTE)."""
    path = os.environ.get("FLYTE_REMOTE") or os.path.join(os.path.dirname(os.path.dirname(BINARY)), "cli",
                                                          "flyte-remote")
    assert os.access(path, os.X_OK), f"no flyte-remote at {path} (build it or set FLYTE_REMOTE)"
    return path


def cli_out(tmp_path, command, body, *args):
    f = tmp_path / f"{command}.json"
    f.write_text(json.dumps(body))
    flag = "--literals" if command == "cache-key" else "--interface"
    return subprocess.run([cli(), command, flag, str(f), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def runs(counter):
    return counter.read_text().count("\n") if counter.exists() else 0


def counting_task(name, counter, version="v1", **kw):
    """Adds a and b; appends a line to `counter` every time it really runs."""
    return task_template(name, [f"echo run >> {counter}; echo $(( {{{{.inputs.a}}}} + {{{{.inputs.b}}}} )) "
                                "> {{.outputPrefix}}/sum"],
                         inputs={"a": simple("INTEGER"), "b": simple("INTEGER")}, outputs={"sum": simple("INTEGER")},
                         version=version, cache=True, **kw)


def cache_meta(server, name, node_id="n0"):
    return node(server, name, node_id)["closure"]["task_node_metadata"]


def test_second_run_is_a_cache_hit_with_the_key_the_sdk_computes(server, tmp_path):
    counter = tmp_path / "runs"
    template = counting_task("cached.add", counter)
    lp = single_task_workflow(server, "cached.add", template)
    inputs = {"a": integer(3), "b": integer(4)}
    first = run(server, lp, inputs)
    assert first["closure"]["phase"] == "SUCCEEDED"
    m1 = cache_meta(server, first["id"]["name"])
    assert m1["cache_status"] == "CACHE_POPULATED"
    assert runs(counter) == 1

    second = run(server, lp, inputs)
    assert second["closure"]["phase"] == "SUCCEEDED"
    m2 = cache_meta(server, second["id"]["name"])
    assert m2["cache_status"] == "CACHE_HIT"
    assert runs(counter) == 1, "a cache hit does not run the task"
    assert task_executions(server, second["id"]["name"]) == []
    assert outputs(server, second["id"]["name"]) == outputs(server, first["id"]["name"])
    assert value(outputs(server, second["id"]["name"])["sum"]) == 7
    assert m1["catalog_key"]["dataset_id"] == m2["catalog_key"]["dataset_id"]
    assert m1["catalog_key"]["artifact_tag"] == m2["catalog_key"]["artifact_tag"]
    # The hit names the task execution that produced the outputs.
    source = m2["catalog_key"]["source_task_execution"]
    assert source["node_execution_id"]["execution_id"]["name"] == first["id"]["name"]
    assert source["task_id"]["name"] == "cached.add"

    key = m1["catalog_key"]
    assert key["dataset_id"]["resource_type"] == "DATASET"
    assert (key["dataset_id"]["project"], key["dataset_id"]["domain"], key["dataset_id"]["name"]) == \
        (P, D, "flyte_task-cached.add")
    assert key["dataset_id"]["version"] == cli_out(tmp_path, "dataset-version", template["interface"],
                                                   "--cache-version", "1.0")
    assert key["artifact_tag"]["name"] == cli_out(tmp_path, "cache-key", {"literals": inputs})
    assert key["artifact_tag"]["artifact_id"]

    # Other inputs are another key.
    third = run(server, lp, {"a": integer(3), "b": integer(5)})
    assert cache_meta(server, third["id"]["name"])["cache_status"] == "CACHE_POPULATED"
    assert runs(counter) == 2


def test_the_cache_is_shared_by_task_versions_with_the_same_cache_version(server, tmp_path):
    counter = tmp_path / "runs"
    lp1 = single_task_workflow(server, "shared", counting_task("shared", counter, "v1"), version="v1")
    lp2 = single_task_workflow(server, "shared", counting_task("shared", counter, "v2"), version="v2")
    run(server, lp1, {"a": integer(1), "b": integer(1)})
    ex = run(server, lp2, {"a": integer(1), "b": integer(1)})
    assert cache_meta(server, ex["id"]["name"])["cache_status"] == "CACHE_HIT"
    assert runs(counter) == 1
    # A new cache version is a new dataset.
    lp3 = single_task_workflow(server, "shared", counting_task("shared", counter, "v3", cache_version="2.0"),
                               version="v3")
    ex = run(server, lp3, {"a": integer(1), "b": integer(1)})
    assert cache_meta(server, ex["id"]["name"])["cache_status"] == "CACHE_POPULATED"
    assert runs(counter) == 2


def test_values_with_the_same_literal_hash_share_an_entry(server, tmp_path):
    counter = tmp_path / "runs"
    template = task_template("hashed", [f"echo run >> {counter}; printf '%s' '{{{{.inputs.s}}}}' > /var/outputs/o"],
                             inputs={"s": simple("STRING")}, outputs={"o": simple("STRING")}, cache=True,
                             data_config=True)
    lp = single_task_workflow(server, "hashed", template)
    first = dict(string("first value"), hash="content-hash-1")
    second = dict(string("a different value"), hash="content-hash-1")
    a = run(server, lp, {"s": first})
    b = run(server, lp, {"s": second})
    assert cache_meta(server, b["id"]["name"])["cache_status"] == "CACHE_HIT"
    assert runs(counter) == 1
    assert value(outputs(server, b["id"]["name"])["o"]) == "first value"
    tag = cache_meta(server, a["id"]["name"])["catalog_key"]["artifact_tag"]["name"]
    assert tag == cli_out(tmp_path, "cache-key", {"literals": {"s": second}})
    # The same value with another hash is another entry.
    c = run(server, lp, {"s": dict(string("first value"), hash="content-hash-2")})
    assert cache_meta(server, c["id"]["name"])["cache_status"] == "CACHE_POPULATED"
    assert runs(counter) == 2


def test_cache_ignore_input_vars_leave_inputs_out_of_the_key(server, tmp_path):
    counter = tmp_path / "runs"
    template = counting_task("ignoring", counter, ignore=["b"])
    lp = single_task_workflow(server, "ignoring", template)
    a = run(server, lp, {"a": integer(1), "b": integer(1)})
    b = run(server, lp, {"a": integer(1), "b": integer(99)})
    assert cache_meta(server, b["id"]["name"])["cache_status"] == "CACHE_HIT"
    assert runs(counter) == 1
    assert value(outputs(server, b["id"]["name"])["sum"]) == 2, "outputs of the cached run"
    tag = cache_meta(server, a["id"]["name"])["catalog_key"]["artifact_tag"]["name"]
    assert tag == cli_out(tmp_path, "cache-key", {"literals": {"a": integer(1), "b": integer(1)}}, "--ignore", "b")
    c = run(server, lp, {"a": integer(2), "b": integer(1)})
    assert cache_meta(server, c["id"]["name"])["cache_status"] == "CACHE_POPULATED"


def test_overwrite_cache_skips_the_lookup_runs_and_replaces_the_outputs(server, tmp_path):
    counter = tmp_path / "runs"
    # The output counts the runs, so replaced outputs are visible.
    template = task_template("stamp", [f"echo run >> {counter}; wc -l < {counter} > /var/outputs/n"],
                             inputs={"a": simple("INTEGER")}, outputs={"n": simple("INTEGER")}, cache=True,
                             data_config=True)
    lp = single_task_workflow(server, "stamp", template)
    a = run(server, lp, {"a": integer(1)})
    assert value(outputs(server, a["id"]["name"])["n"]) == 1
    b = run(server, lp, {"a": integer(1)}, overwrite_cache=True)
    assert b["closure"]["phase"] == "SUCCEEDED"
    mb = cache_meta(server, b["id"]["name"])
    assert mb["cache_status"] == "CACHE_SKIPPED"
    assert runs(counter) == 2 and value(outputs(server, b["id"]["name"])["n"]) == 2
    ma = cache_meta(server, a["id"]["name"])
    assert mb["catalog_key"]["dataset_id"] == ma["catalog_key"]["dataset_id"]
    assert mb["catalog_key"]["artifact_tag"] == ma["catalog_key"]["artifact_tag"], "same key, same artifact"
    c = run(server, lp, {"a": integer(1)})
    assert cache_meta(server, c["id"]["name"])["cache_status"] == "CACHE_HIT"
    assert value(outputs(server, c["id"]["name"])["n"]) == 2, "the replaced outputs"
    assert runs(counter) == 2
    # Relaunch takes overwrite_cache from its request.
    status, body = server.post("/api/v1/executions/relaunch", {"id": {"project": P, "domain": D,
                                                                      "name": c["id"]["name"]},
                                                               "overwrite_cache": True})
    assert status == 200
    server.wait_execution(P, D, body["id"]["name"])
    assert cache_meta(server, body["id"]["name"])["cache_status"] == "CACHE_SKIPPED"
    assert runs(counter) == 3


def literal_output_task(name, declared, literal, counter):
    """A task that writes its output as a Literal in outputs.json: what it stores in the
    cache is that literal, whatever the declared type says."""
    outputs_json = json.dumps({"literals": {"o": literal}})
    return task_template(name, [f"echo run >> {counter}; cat > /var/outputs/outputs.json <<'EOF'\n"
                                f"{outputs_json}\nEOF"],
                         inputs={"a": simple("INTEGER")}, outputs={"o": declared}, cache=True, data_config=True)


def test_a_cached_blob_without_format_matches_a_declared_format(server, tmp_path):
    counter = tmp_path / "runs"
    generic = {"scalar": {"blob": {"metadata": {"type": {"format": "", "dimensionality": "SINGLE"}},
                                   "uri": "file:///tmp/processed.csv"}}}
    lp = single_task_workflow(server, "fmt", literal_output_task("fmt", blob_type("csv"), generic, counter))
    a = run(server, lp, {"a": integer(1)})
    assert a["closure"]["phase"] == "SUCCEEDED"
    b = run(server, lp, {"a": integer(1)})
    assert b["closure"]["phase"] == "SUCCEEDED", b["closure"]
    assert cache_meta(server, b["id"]["name"])["cache_status"] == "CACHE_HIT"
    assert outputs(server, b["id"]["name"])["o"]["scalar"]["blob"]["metadata"]["type"]["format"] == ""
    assert runs(counter) == 1


def test_a_cached_output_of_the_wrong_type_fails_the_node_clearly(server, tmp_path):
    counter = tmp_path / "runs"
    lp = single_task_workflow(server, "wrong", literal_output_task("wrong", simple("INTEGER"), string("x"),
                                                                   counter))
    assert run(server, lp, {"a": integer(1)})["closure"]["phase"] == "SUCCEEDED"
    b = run(server, lp, {"a": integer(1)})
    assert b["closure"]["phase"] == "FAILED"
    message = b["closure"]["error"]["message"]
    assert message.startswith("DataCatalog failed to get outputs from artifact ")
    assert "unexpected artifactData: [o] type: [simple:STRING] does not match any task output type: " \
           "[simple:INTEGER]" in message
    n = node(server, b["id"]["name"])["closure"]
    assert n["phase"] == "FAILED" and n["task_node_metadata"]["cache_status"] == "CACHE_LOOKUP_FAILURE"
    assert runs(counter) == 1
    # A blob with another non-empty format does not match either.
    csv = {"scalar": {"blob": {"metadata": {"type": {"format": "parquet"}}, "uri": "file:///tmp/x"}}}
    lp = single_task_workflow(server, "wrongfmt", literal_output_task("wrongfmt", blob_type("csv"), csv, counter))
    run(server, lp, {"a": integer(1)})
    b = run(server, lp, {"a": integer(1)})
    assert b["closure"]["phase"] == "FAILED"
    assert 'type: [blob:{format:"parquet"}] does not match any task output type: [blob:{format:"csv"}]' \
        in b["closure"]["error"]["message"]


def test_a_blank_cache_version_fails_the_node(server, tmp_path):
    lp = single_task_workflow(server, "blank", counting_task("blank", tmp_path / "runs", cache_version="  "))
    ex = run(server, lp, {"a": integer(1), "b": integer(2)})
    assert ex["closure"]["phase"] == "FAILED"
    assert "task cannot have an empty discoveryVersion" in ex["closure"]["error"]["message"]
    assert not (tmp_path / "runs").exists()


def test_tasks_that_are_not_cacheable_report_cache_disabled(server, tmp_path):
    counter = tmp_path / "runs"
    lp = single_task_workflow(server, "plain", task_template(
        "plain", [f"echo run >> {counter}"], inputs={"a": simple("INTEGER")}))
    for _ in range(2):
        ex = run(server, lp, {"a": integer(1)})
        assert cache_meta(server, ex["id"]["name"]) == {"cache_status": "CACHE_DISABLED", "catalog_key": None,
                                                         "checkpoint_uri": ""}
    assert runs(counter) == 2


def concurrent_pair(server, lp):
    names = [None, None]

    def launch(i):
        names[i] = execute(server, lp, {"a": integer(5), "b": integer(6)})

    threads = [threading.Thread(target=launch, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [server.wait_execution(P, D, n, timeout=30) for n in names]


def test_cache_serializable_runs_a_key_once_for_concurrent_executions(server, tmp_path):
    counter = tmp_path / "runs"
    template = task_template("serial", [f"echo run >> {counter}; sleep 1; echo $(( {{{{.inputs.a}}}} + "
                                        "{{.inputs.b}} )) > {{.outputPrefix}}/sum"],
                             inputs={"a": simple("INTEGER"), "b": simple("INTEGER")},
                             outputs={"sum": simple("INTEGER")}, cache=True, serializable=True)
    lp = single_task_workflow(server, "serial", template)
    exs = concurrent_pair(server, lp)
    assert [e["closure"]["phase"] for e in exs] == ["SUCCEEDED", "SUCCEEDED"]
    assert runs(counter) == 1
    statuses = sorted(cache_meta(server, e["id"]["name"])["cache_status"] for e in exs)
    assert statuses == ["CACHE_HIT", "CACHE_POPULATED"]
    assert [value(outputs(server, e["id"]["name"])["sum"]) for e in exs] == [11, 11]


def test_without_cache_serializable_concurrent_misses_both_run(server, tmp_path):
    counter = tmp_path / "runs"
    template = task_template("unserial", [f"echo run >> {counter}; sleep 1; echo 1 > {{{{.outputPrefix}}}}/sum"],
                             inputs={"a": simple("INTEGER"), "b": simple("INTEGER")},
                             outputs={"sum": simple("INTEGER")}, cache=True)
    lp = single_task_workflow(server, "unserial", template)
    exs = concurrent_pair(server, lp)
    assert [e["closure"]["phase"] for e in exs] == ["SUCCEEDED", "SUCCEEDED"]
    assert runs(counter) == 2
    # The first stored entry stays (DataCatalog's Put keeps an existing artifact).
    keys = [cache_meta(server, e["id"]["name"])["catalog_key"]["artifact_tag"] for e in exs]
    assert keys[0] == keys[1]


def test_a_cache_hit_feeds_downstream_nodes(server, tmp_path):
    counter = tmp_path / "runs"
    cached = register_task(server, counting_task("feed.cached", counter))
    plain = register_task(server, task_template(
        "feed.double", ["echo $(( {{.inputs.a}} * 2 )) > {{.outputPrefix}}/o"], inputs={"a": simple("INTEGER")},
        outputs={"o": simple("INTEGER")}))
    wid = register_workflow(server, "feed.wf", [
        task_node("n0", cached, {"a": integer(2), "b": integer(3)}),
        task_node("n1", plain, {"a": promise("n0", "sum")})],
        outputs={"o": simple("INTEGER")}, output_bindings={"o": promise("n1", "o")})
    lp = register_launch_plan(server, "feed.wf", wid)
    run(server, lp)
    ex = run(server, lp)
    ns = nodes(server, ex["id"]["name"])
    assert ns["n0"]["closure"]["task_node_metadata"]["cache_status"] == "CACHE_HIT"
    assert ns["n1"]["closure"]["task_node_metadata"]["cache_status"] == "CACHE_DISABLED"
    assert value(outputs(server, ex["id"]["name"])["o"]) == 10
    assert runs(counter) == 1

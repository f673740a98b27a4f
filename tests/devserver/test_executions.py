"""Executions (admin-api.md §2.1, §4.3, §6): CreateExecution with FlyteAdmin's validation
order and messages, the engine running raw-container tasks as local processes (templating,
data_config directories, outputs per type, timeouts, retries, failures), node and task
executions, terminate, relaunch, recover, single-task executions and listing.

The helpers at the top are shared by test_cache.py and test_restart.py."""
import json
import os
import re
import time
import urllib.request

import pytest

from conftest import quote

P = "flytesnacks"
D = "development"


# ---- flyteidl bodies ----

def simple(t):
    return {"simple": t}


def blob_type(fmt="", multipart=False):
    return {"blob": {"format": fmt, "dimensionality": "MULTIPART" if multipart else "SINGLE"}}


def ident(rt, name, version="v1", project=P):
    return {"resource_type": rt, "project": project, "domain": D, "name": name, "version": version}


def variables(types):
    return {"variables": {k: {"type": t, "description": ""} for k, t in types.items()}}


def integer(n):
    return {"scalar": {"primitive": {"integer": str(n)}}}


def string(s):
    return {"scalar": {"primitive": {"string_value": s}}}


def floating(x):
    return {"scalar": {"primitive": {"float_value": x}}}


def boolean(b):
    return {"scalar": {"primitive": {"boolean": b}}}


def promise(node_id, var):
    return {"promise": {"node_id": node_id, "var": var}}


def task_template(name, args, inputs=None, outputs=None, version="v1", retries=0, timeout=None,
                  cache=False, cache_version="1.0", serializable=False, ignore=(), data_config=False,
                  command=("sh", "-c"), env=None, project=P):
    """A raw-container task as flytekit's ContainerTask registers it: `args` run under
    `sh -c`; with data_config, /var/inputs and /var/outputs are the attempt directories."""
    metadata = {"discoverable": cache, "discovery_version": cache_version if cache else "",
                "runtime": {"type": "FLYTE_SDK", "version": "1.13.0", "flavor": "python"},
                "retries": {"retries": retries}, "cache_serializable": serializable,
                "cache_ignore_input_vars": list(ignore)}
    if timeout:
        metadata["timeout"] = timeout
    container = {"image": "ghcr.io/acme/tools:1.4", "command": list(command), "args": list(args),
                 "env": [{"key": k, "value": v} for k, v in (env or {}).items()]}
    if data_config:
        container["data_config"] = {"enabled": True, "input_path": "/var/inputs", "output_path": "/var/outputs",
                                    "format": "JSON"}
    return {"id": ident("TASK", name, version, project), "type": "raw-container", "metadata": metadata,
            "interface": {"inputs": variables(inputs or {}), "outputs": variables(outputs or {})},
            "container": container}


def register_task(server, template):
    status, body = server.post("/api/v1/tasks", {"id": template["id"], "spec": {"template": template}})
    assert status in (200, 409), body
    return template["id"]


def task_node(node_id, task_id, bindings, upstream=(), retries=None):
    metadata = {"name": node_id}
    if retries is not None:
        metadata["retries"] = {"retries": retries}
    return {"id": node_id, "metadata": metadata,
            "inputs": [{"var": k, "binding": b} for k, b in bindings.items()],
            "upstream_node_ids": list(upstream), "task_node": {"reference_id": task_id}}


def register_workflow(server, name, nodes, inputs=None, outputs=None, output_bindings=None, version="v1",
                      on_failure=None):
    metadata = {"on_failure": on_failure} if on_failure else {}
    template = {"id": ident("WORKFLOW", name, version), "metadata": metadata, "metadata_defaults": {},
                "interface": {"inputs": variables(inputs or {}), "outputs": variables(outputs or {})},
                "nodes": nodes,
                "outputs": [{"var": k, "binding": b} for k, b in (output_bindings or {}).items()]}
    status, body = server.post("/api/v1/workflows", {"id": template["id"], "spec": {"template": template}})
    assert status in (200, 409), body
    return template["id"]


def register_launch_plan(server, name, workflow_id, defaults=None, fixed=None, version="v1", **spec):
    body = {"id": ident("LAUNCH_PLAN", name, version),
            "spec": dict({"workflow_id": workflow_id,
                          "default_inputs": {"parameters": {
                              k: {"var": {"type": t, "description": ""}, "default": v}
                              for k, (t, v) in (defaults or {}).items()}},
                          "fixed_inputs": {"literals": fixed or {}}}, **spec)}
    status, err = server.post("/api/v1/launch_plans", body)
    assert status in (200, 409), err
    return body["id"]


def single_task_workflow(server, name, template, version="v1", **lp):
    """Registers a task, a workflow calling it once (inputs and outputs passed through)
    and a launch plan; returns the launch plan id."""
    tid = register_task(server, template)
    ins = {k: v["type"] for k, v in template["interface"]["inputs"]["variables"].items()}
    outs = {k: v["type"] for k, v in template["interface"]["outputs"]["variables"].items()}
    wid = register_workflow(server, name + ".wf",
                            [task_node("n0", tid, {k: promise("start-node", k) for k in ins})],
                            inputs=ins, outputs=outs, output_bindings={k: promise("n0", k) for k in outs},
                            version=version)
    return register_launch_plan(server, name + ".lp", wid, version=version, **lp)


def create(server, lp_id, inputs=None, name=None, project=P, **spec):
    body = {"project": project, "domain": D, "spec": dict({"launch_plan": lp_id}, **spec),
            "inputs": {"literals": inputs or {}}}
    if name is not None:
        body["name"] = name
    return server.post("/api/v1/executions", body)


def execute(server, lp_id, inputs=None, **kw):
    status, body = create(server, lp_id, inputs, **kw)
    assert status == 200, body
    return body["id"]["name"]


def run(server, lp_id, inputs=None, timeout=60, **kw):
    """Executes and waits; returns the final admin.Execution."""
    return server.wait_execution(P, D, execute(server, lp_id, inputs, **kw), timeout=timeout)


def exec_path(name, prefix="executions"):
    return f"/api/v1/{prefix}/{P}/{D}/{quote(name)}"


def data(server, name):
    status, body = server.get(exec_path(name, "data/executions"))
    assert status == 200, body
    return body


def outputs(server, name):
    return data(server, name)["full_outputs"]["literals"]


def nodes(server, name):
    status, body = server.get(exec_path(name, "node_executions"), limit=100)
    assert status == 200, body
    return {n["id"]["node_id"]: n for n in body["node_executions"]}


def node(server, name, node_id="n0"):
    status, body = server.get(exec_path(name, "node_executions") + "/" + quote(node_id))
    assert status == 200, body
    return body


def task_executions(server, name, node_id="n0"):
    status, body = server.get(exec_path(name, "task_executions") + "/" + quote(node_id), limit=100)
    assert status == 200, body
    return body["task_executions"]


def value(lit):
    """The Python value of a primitive literal."""
    p = lit["scalar"]["primitive"]
    if "integer" in p:
        return int(p["integer"])
    if "float_value" in p:
        return p["float_value"]
    if "string_value" in p:
        return p["string_value"]
    if "boolean" in p:
        return p["boolean"]
    return p.get("datetime", p.get("duration"))


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode()


def wait_for(predicate, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}", pytrace=False)
        time.sleep(0.05)


def process_gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


ADD = task_template("math.add", ["echo $(( {{.inputs.a}} + {{.inputs.b}} )) > {{.outputPrefix}}/sum"],
                    inputs={"a": simple("INTEGER"), "b": simple("INTEGER")}, outputs={"sum": simple("INTEGER")})
MUL = task_template("math.mul", ["echo $(( $(cat /var/inputs/a) * $(cat /var/inputs/b) )) > /var/outputs/product"],
                    inputs={"a": simple("INTEGER"), "b": simple("INTEGER")},
                    outputs={"product": simple("INTEGER")}, data_config=True)


def pipeline(server):
    """n0 = add(x, 2); n1 = mul(n0.sum, y); n2 = add(z, y) (independent of n0 and n1).
    Launch plan: y defaults to 5, z is fixed to 100."""
    add, mul = register_task(server, ADD), register_task(server, MUL)
    wid = register_workflow(server, "math.pipeline", [
        task_node("n0", add, {"a": promise("start-node", "x"), "b": integer(2)}),
        task_node("n1", mul, {"a": promise("n0", "sum"), "b": promise("start-node", "y")}, upstream=["n0"]),
        task_node("n2", add, {"a": promise("start-node", "z"), "b": promise("start-node", "y")}),
    ], inputs={"x": simple("INTEGER"), "y": simple("INTEGER"), "z": simple("INTEGER")},
        outputs={"total": simple("INTEGER"), "first": simple("INTEGER"), "other": simple("INTEGER")},
        output_bindings={"total": promise("n1", "product"), "first": promise("n0", "sum"),
                         "other": promise("n2", "sum")})
    return register_launch_plan(server, "math.pipeline", wid, defaults={"y": (simple("INTEGER"), integer(5))},
                                fixed={"z": integer(100)})


# ---- a workflow runs ----

def test_workflow_runs_in_dependency_order_with_defaults_and_fixed_inputs(server):
    lp = pipeline(server)
    ex = run(server, lp, {"x": integer(3)})
    assert ex["closure"]["phase"] == "SUCCEEDED", ex["closure"]
    d = data(server, ex["id"]["name"])
    assert {k: value(v) for k, v in d["full_outputs"]["literals"].items()} == {"total": 25, "first": 5, "other": 105}
    assert {k: value(v) for k, v in d["full_inputs"]["literals"].items()} == {"x": 3, "y": 5, "z": 100}
    assert d["inputs"] == {"url": "", "bytes": "0"} and d["outputs"] == {"url": "", "bytes": "0"}
    closure = ex["closure"]
    assert closure["outputs"]["uri"].startswith("file://")
    assert closure["workflow_id"]["name"] == "math.pipeline"
    assert closure["started_at"] and closure["duration"].endswith("s")
    assert closure["created_at"] <= closure["started_at"] <= closure["updated_at"]
    assert closure["state_change_details"]["state"] == "EXECUTION_ACTIVE"
    # The default inputs overridden by the request win.
    ex = run(server, lp, {"x": integer(1), "y": integer(10)})
    assert {k: value(v) for k, v in outputs(server, ex["id"]["name"]).items()} == \
        {"total": 30, "first": 3, "other": 110}


def test_node_and_task_executions_are_recorded(server):
    name = run(server, pipeline(server), {"x": integer(3)})["id"]["name"]
    ns = nodes(server, name)
    # FlyteAdmin lists the synthetic start-node and end-node too.
    assert set(ns) == {"start-node", "n0", "n1", "n2", "end-node"}
    assert all(n["closure"]["phase"] == "SUCCEEDED" for n in ns.values())
    n0, n1 = ns["n0"]["closure"], ns["n1"]["closure"]
    assert n0["task_node_metadata"] == {"cache_status": "CACHE_DISABLED", "catalog_key": None, "checkpoint_uri": ""}
    assert "task_node_metadata" not in ns["start-node"]["closure"]
    assert n0["started_at"] and n0["duration"].endswith("s")
    assert n1["started_at"] >= n0["updated_at"], "n1 depends on n0"
    assert node(server, name, "n1") == ns["n1"]
    status, nd = server.get(exec_path(name, "data/node_executions") + "/n1")
    assert status == 200
    assert {k: value(v) for k, v in nd["full_inputs"]["literals"].items()} == {"a": 5, "b": 5}
    assert {k: value(v) for k, v in nd["full_outputs"]["literals"].items()} == {"product": 25}
    assert nd["flyte_urls"]["inputs"] == f"flyte://v1/{P}/{D}/{name}/n1/i"
    status, sd = server.get(exec_path(name, "data/node_executions") + "/start-node")
    assert {k: value(v) for k, v in sd["full_outputs"]["literals"].items()} == {"x": 3, "y": 5, "z": 100}

    tes = task_executions(server, name, "n1")
    assert len(tes) == 1
    te = tes[0]
    assert te["id"]["retry_attempt"] == 0 and te["id"]["task_id"]["name"] == "math.mul"
    assert te["closure"]["phase"] == "SUCCEEDED" and te["closure"]["task_type"] == "raw-container"
    assert [log["name"] for log in te["closure"]["logs"]] == ["stdout", "stderr"]
    # The image is recorded, not pulled; the command is what ran, data_config paths remapped.
    info = te["closure"]["custom_info"]
    assert info["image"] == "ghcr.io/acme/tools:1.4"
    assert info["command"][:2] == ["sh", "-c"] and "/var/inputs" not in info["command"][2]
    assert f"/runs/{P}/{D}/{name}/n1/0/inputs/a" in info["command"][2]
    t = te["id"]["task_id"]
    path = "/".join(["/api/v1/task_executions", P, D, name, "n1", t["project"], t["domain"], t["name"],
                     t["version"], "0"])
    assert server.get(path) == (200, te)
    status, td = server.get(path.replace("/task_executions/", "/data/task_executions/", 1))
    assert status == 200 and value(td["full_outputs"]["literals"]["product"]) == 25
    assert server.get(path[:-1] + "7")[0] == 404
    status, err = server.get(exec_path(name, "node_executions") + "/nope")
    assert status == 404 and "node execution" in err["message"]


def test_filters_on_node_executions(server):
    name = run(server, pipeline(server), {"x": integer(1)})["id"]["name"]
    status, body = server.get(exec_path(name, "node_executions"), limit=10, filters="eq(node_id,n1)")
    assert status == 200 and [n["id"]["node_id"] for n in body["node_executions"]] == ["n1"]
    status, body = server.get(exec_path(name, "node_executions"), limit=2)
    assert len(body["node_executions"]) == 2 and body["token"] == "2"
    status, body = server.get(exec_path(name, "node_executions"), limit=10, unique_parent_id="n0")
    assert status == 200 and body["node_executions"] == []
    assert server.get(exec_path(name, "node_executions"))[0] == 400  # limit is required


def test_bindings_of_collections_and_maps_are_resolved(server):
    add = register_task(server, ADD)
    collect = register_task(server, task_template(
        "collect", ["printf '%s' '{{.inputs.xs}}' > /var/outputs/s; cp /var/inputs/inputs.json /var/outputs/raw"],
        inputs={"xs": {"collection_type": simple("INTEGER")}, "m": {"map_value_type": simple("STRING")}},
        outputs={"s": simple("STRING"), "raw": simple("STRING")}, data_config=True))
    wid = register_workflow(server, "collect.wf", [
        task_node("n0", add, {"a": promise("start-node", "x"), "b": integer(2)}),
        task_node("n1", collect, {
            "xs": {"collection": {"bindings": [promise("n0", "sum"), integer(10), promise("start-node", "x")]}},
            "m": {"map": {"bindings": {"from_input": promise("start-node", "name"),
                                       "literal": {"scalar": {"primitive": {"string_value": "v"}}}}}}}),
    ], inputs={"x": simple("INTEGER"), "name": simple("STRING")},
        outputs={"s": simple("STRING"), "raw": simple("STRING")},
        output_bindings={"s": promise("n1", "s"), "raw": promise("n1", "raw")})
    lp = register_launch_plan(server, "collect.wf", wid)
    ex = run(server, lp, {"x": integer(5), "name": string("ada")})
    assert ex["closure"]["phase"] == "SUCCEEDED", ex["closure"]
    out = outputs(server, ex["id"]["name"])
    assert value(out["s"]) == "[7,10,5]"
    raw = json.loads(value(out["raw"]))["literals"]
    assert [value(x) for x in raw["xs"]["collection"]["literals"]] == [7, 10, 5]
    assert {k: value(v) for k, v in raw["m"]["map"]["literals"].items()} == {"from_input": "ada", "literal": "v"}
    status, nd = server.get(exec_path(ex["id"]["name"], "data/node_executions") + "/n1")
    assert nd["full_inputs"]["literals"]["xs"]["collection"]["literals"][0]["scalar"]["primitive"] == \
        {"integer": "7"}


def test_fail_after_executable_nodes_complete_lets_other_nodes_finish(server, tmp_path):
    done = tmp_path / "done"
    slow = register_task(server, task_template("late.slow", [f"sleep 0.5; touch {done}"]))
    bad = register_task(server, task_template("late.bad", ["exit 2"]))
    wid = register_workflow(server, "late.wf", [task_node("n0", slow, {}), task_node("n1", bad, {})],
                            on_failure="FAIL_AFTER_EXECUTABLE_NODES_COMPLETE")
    ex = run(server, register_launch_plan(server, "late.wf", wid))
    assert ex["closure"]["phase"] == "FAILED"
    ns = nodes(server, ex["id"]["name"])
    assert ns["n0"]["closure"]["phase"] == "SUCCEEDED" and ns["n1"]["closure"]["phase"] == "FAILED"
    assert done.exists()


def test_templating_writes_primitives_as_flyte_does(server):
    ins = {"i": simple("INTEGER"), "f": simple("FLOAT"), "big": simple("FLOAT"), "s": simple("STRING"),
           "b": simple("BOOLEAN"), "t": simple("DATETIME"), "d": simple("DURATION"), "short": simple("DURATION")}
    args = ["printf '%s' '{{.inputs.i}}|{{.inputs.f}}|{{.inputs.big}}|{{.inputs.s}}|{{.inputs.b}}|"
            "{{ .inputs.t }}|{{$inputs.d}}|{{.Inputs.short}}' > {{.outputPrefix}}/line; "
            "cat {{.inputPrefix}}/s > {{.outputPrefix}}/from_file; "
            "test -f {{.input}}/inputs.json && echo yes > {{.outputPrefix}}/json"]
    lp = single_task_workflow(server, "tmpl", task_template(
        "tmpl", args, inputs=ins, outputs={"line": simple("STRING"), "from_file": simple("STRING"),
                                           "json": simple("STRING")}))
    ex = run(server, lp, {"i": integer(-42), "f": floating(2.5), "big": floating(1e21), "s": string("hi there"),
                          "b": boolean(True),
                          "t": {"scalar": {"primitive": {"datetime": "2024-01-02T03:04:05.500Z"}}},
                          "d": {"scalar": {"primitive": {"duration": "5400s"}}},
                          "short": {"scalar": {"primitive": {"duration": "0.250s"}}}})
    assert ex["closure"]["phase"] == "SUCCEEDED", ex["closure"]
    out = {k: value(v) for k, v in outputs(server, ex["id"]["name"]).items()}
    assert out["line"] == "-42|2.5|1e+21|hi there|true|2024-01-02T03:04:05.500Z|1h30m0s|250ms"
    assert out["from_file"] == "hi there"
    assert out["json"] == "yes"


def test_outputs_are_parsed_per_declared_type(server):
    outs = {"i": simple("INTEGER"), "f": simple("FLOAT"), "s": simple("STRING"), "b": simple("BOOLEAN"),
            "t": simple("DATETIME"), "d": simple("DURATION"), "csv": blob_type("csv"),
            "dir": blob_type("", multipart=True)}
    args = ["cd /var/outputs && echo ' 7 ' > i && echo 0.25 > f && echo 'two words' > s && echo true > b && "
            "echo 2024-05-06T07:08:09Z > t && echo 1m30s > d && printf 'a,b\\n1,2\\n' > csv && "
            "mkdir dir && echo x > dir/one && echo y > dir/two"]
    lp = single_task_workflow(server, "outs", task_template("outs", args, outputs=outs, data_config=True))
    ex = run(server, lp)
    assert ex["closure"]["phase"] == "SUCCEEDED", ex["closure"]
    out = outputs(server, ex["id"]["name"])
    assert {k: value(out[k]) for k in ("i", "f", "s", "b", "t", "d")} == \
        {"i": 7, "f": 0.25, "s": "two words", "b": True, "t": "2024-05-06T07:08:09Z", "d": "90s"}
    csv = out["csv"]["scalar"]["blob"]
    assert csv["metadata"]["type"] == {"format": "csv", "dimensionality": "SINGLE"}
    assert csv["uri"].startswith("file:///")
    with open(csv["uri"][7:]) as f:
        assert f.read() == "a,b\n1,2\n"
    d = out["dir"]["scalar"]["blob"]
    assert d["metadata"]["type"]["dimensionality"] == "MULTIPART"
    assert sorted(os.listdir(d["uri"][7:])) == ["one", "two"]


def test_blob_inputs_are_files_in_the_inputs_directory(server, tmp_path):
    src = tmp_path / "data.csv"
    src.write_text("1\n2\n3\n")
    lp = single_task_workflow(server, "count", task_template(
        "count", ["wc -l < {{.inputs.f}} > /var/outputs/n && cmp {{.inputs.f}} /var/inputs/f && echo same > /var/outputs/c"],
        inputs={"f": blob_type("csv")}, outputs={"n": simple("INTEGER"), "c": simple("STRING")}, data_config=True))
    # A blob without a format fits an input declared as csv (the blob rule).
    f = {"scalar": {"blob": {"metadata": {"type": {"format": ""}}, "uri": "file://" + str(src)}}}
    ex = run(server, lp, {"f": f})
    assert ex["closure"]["phase"] == "SUCCEEDED", ex["closure"]
    assert {k: value(v) for k, v in outputs(server, ex["id"]["name"]).items()} == {"n": 3, "c": "same"}
    parquet = {"scalar": {"blob": {"metadata": {"type": {"format": "parquet"}}, "uri": "file://" + str(src)}}}
    status, err = create(server, lp, {"f": parquet})
    assert status == 400 and "invalid f input wrong type" in err["message"]
    missing = {"scalar": {"blob": {"metadata": {"type": {"format": "csv"}}, "uri": "s3://bucket/data.csv"}}}
    ex = run(server, lp, {"f": missing})
    assert ex["closure"]["phase"] == "FAILED"
    assert "input f: cannot read blob s3://bucket/data.csv" in ex["closure"]["error"]["message"]


@pytest.mark.parametrize("args,message", [
    (["true"], "output o is missing"),
    (["echo twelve > /var/outputs/o"], 'output o: cannot parse "twelve" as an integer'),
])
def test_missing_or_unparsable_outputs_fail_naming_the_output(server, args, message):
    lp = single_task_workflow(server, "bad", task_template("bad", args, outputs={"o": simple("INTEGER")},
                                                           data_config=True))
    ex = run(server, lp)
    assert ex["closure"]["phase"] == "FAILED"
    assert message in ex["closure"]["error"]["message"]
    assert node(server, ex["id"]["name"])["closure"]["phase"] == "FAILED"


def test_a_failing_command_fails_with_its_status_and_stderr(server):
    lp = single_task_workflow(server, "boom", task_template("boom", ["echo working; echo 'boom: disk full' >&2; exit 3"]))
    ex = run(server, lp)
    closure = ex["closure"]
    assert closure["phase"] == "FAILED"
    assert closure["error"]["kind"] == "USER"
    assert "exited with status 3" in closure["error"]["message"]
    assert "boom: disk full" in closure["error"]["message"]
    n = node(server, ex["id"]["name"])["closure"]
    assert n["phase"] == "FAILED" and "exited with status 3" in n["error"]["message"]
    te = task_executions(server, ex["id"]["name"])[0]["closure"]
    assert te["phase"] == "FAILED" and "exited with status 3" in te["error"]["message"]
    logs = {log["name"]: log["uri"] for log in te["logs"]}
    assert fetch(logs["stderr"]) == "boom: disk full\n"
    assert fetch(logs["stdout"]) == "working\n"


def test_a_command_that_does_not_exist_fails(server):
    lp = single_task_workflow(server, "nocmd", task_template("nocmd", [], command=["/no/such/program"]))
    ex = run(server, lp)
    assert ex["closure"]["phase"] == "FAILED"
    assert "/no/such/program" in ex["closure"]["error"]["message"]


def test_a_task_type_the_server_cannot_run_fails_saying_so(server):
    template = {"id": ident("TASK", "query"), "type": "sql", "metadata": {"retries": {}},
                "interface": {"inputs": variables({}), "outputs": variables({})},
                "sql": {"statement": "select 1", "dialect": "ANSI"}}
    lp = single_task_workflow(server, "query", template)
    ex = run(server, lp)
    assert ex["closure"]["phase"] == "FAILED"
    assert 'cannot run tasks of type "sql"' in ex["closure"]["error"]["message"]


def test_environment_comes_from_the_container_and_the_execution(server):
    lp = single_task_workflow(server, "env", task_template(
        "env", ['echo "$FROM_TASK $FROM_EXEC $FLYTE_INTERNAL_EXECUTION_ID" > /var/outputs/o'],
        outputs={"o": simple("STRING")}, env={"FROM_TASK": "t"}, data_config=True))
    ex = run(server, lp, envs={"values": [{"key": "FROM_EXEC", "value": "e"}]})
    assert value(outputs(server, ex["id"]["name"])["o"]) == f"t e {ex['id']['name']}"


# ---- timeouts, retries, terminate ----

def test_timeout_kills_the_task_node_timed_out_execution_failed(server):
    lp = single_task_workflow(server, "slow", task_template("slow", ["sleep 30"], timeout="1s"))
    start = time.monotonic()
    ex = run(server, lp, timeout=20)
    assert time.monotonic() - start < 10
    assert ex["closure"]["phase"] == "FAILED"
    assert "timeout" in ex["closure"]["error"]["message"]
    assert node(server, ex["id"]["name"])["closure"]["phase"] == "TIMED_OUT"
    te = task_executions(server, ex["id"]["name"])[0]["closure"]
    assert te["phase"] == "FAILED" and "task execution timeout [1s] expired" in te["reason"]


def test_retries_run_new_attempts_until_one_succeeds(server, tmp_path):
    counter = tmp_path / "count"
    args = [f"n=$(( $(cat {counter} 2>/dev/null || echo 0) + 1 )); echo $n > {counter}; "
            f"[ $n -ge 3 ] || {{ echo attempt $n failed >&2; exit 1; }}; echo $n > /var/outputs/o"]
    lp = single_task_workflow(server, "flaky", task_template("flaky", args, outputs={"o": simple("INTEGER")},
                                                             retries=2, data_config=True))
    ex = run(server, lp)
    assert ex["closure"]["phase"] == "SUCCEEDED", ex["closure"]
    assert value(outputs(server, ex["id"]["name"])["o"]) == 3
    tes = task_executions(server, ex["id"]["name"])
    assert [(t["id"]["retry_attempt"], t["closure"]["phase"]) for t in tes] == \
        [(0, "FAILED"), (1, "FAILED"), (2, "SUCCEEDED")]
    assert "attempt 1 failed" in tes[0]["closure"]["error"]["message"]


def test_retries_run_out(server):
    lp = single_task_workflow(server, "broken", task_template("broken", ["exit 1"], retries=1))
    ex = run(server, lp)
    assert ex["closure"]["phase"] == "FAILED"
    assert len(task_executions(server, ex["id"]["name"])) == 2


def test_terminate_kills_the_process_group_and_aborts(server, tmp_path):
    pidfile = tmp_path / "pids"
    lp = single_task_workflow(server, "sleepy", task_template(
        "sleepy", [f"sleep 30 & echo $$ $! > {pidfile}; wait"]))
    name = execute(server, lp)
    wait_for(lambda: pidfile.exists() and len(pidfile.read_text().split()) == 2, what="the task to start")
    pids = [int(p) for p in pidfile.read_text().split()]
    assert node(server, name)["closure"]["phase"] == "RUNNING"
    start = time.monotonic()
    status, body = server.delete(exec_path(name), {"cause": "changed my mind"})
    assert (status, body) == (200, {})
    ex = server.wait_execution(P, D, name, timeout=10)
    assert time.monotonic() - start < 5
    assert ex["closure"]["phase"] == "ABORTED"
    assert ex["closure"]["abort_metadata"] == {"cause": "changed my mind", "principal": ""}
    assert "error" not in ex["closure"]
    wait_for(lambda: all(process_gone(p) for p in pids), timeout=5, what="the task's processes to go")
    assert node(server, name)["closure"]["phase"] == "ABORTED"
    assert task_executions(server, name)[0]["closure"]["phase"] == "ABORTED"


def test_terminate_without_a_body_and_of_a_terminal_execution(server):
    lp = single_task_workflow(server, "sleepy2", task_template("sleepy2", ["sleep 30"]))
    name = execute(server, lp)
    assert server.delete(exec_path(name)) == (200, {})
    assert server.wait_execution(P, D, name, timeout=10)["closure"]["phase"] == "ABORTED"
    status, err = server.delete(exec_path(name), {"cause": "again"})
    assert status == 400 and err["code"] == 9
    assert err["message"] == "Cannot abort an already terminated workflow execution"
    assert err["details"] == [{"@type": "type.googleapis.com/flyteidl.admin.EventFailureReason",
                               "already_in_terminal_state": {"current_phase": "ABORTED"}}]
    status, err = server.delete(exec_path("nosuchexecution"), {})
    assert status == 404 and err["code"] == 5


def test_a_failure_aborts_the_other_running_nodes(server, tmp_path):
    slow = register_task(server, task_template("slow.sleep", ["sleep 30"]))
    bad = register_task(server, task_template("fast.fail", ["sleep 0.2; exit 2"]))
    wid = register_workflow(server, "fail.fast", [task_node("n0", slow, {}), task_node("n1", bad, {})])
    lp = register_launch_plan(server, "fail.fast", wid)
    start = time.monotonic()
    ex = run(server, lp, timeout=20)
    assert time.monotonic() - start < 10
    assert ex["closure"]["phase"] == "FAILED"
    ns = nodes(server, ex["id"]["name"])
    assert ns["n1"]["closure"]["phase"] == "FAILED" and ns["n0"]["closure"]["phase"] == "ABORTED"
    assert "end-node" not in ns


def test_max_parallelism_limits_nodes_running_at_once(server, tmp_path):
    log = tmp_path / "log"
    t = register_task(server, task_template("par", [f"echo start >> {log}; sleep 0.3; echo end >> {log}"]))
    wid = register_workflow(server, "par.wf", [task_node(f"n{i}", t, {}) for i in range(3)])
    lp = register_launch_plan(server, "par.wf", wid)
    ex = run(server, lp, max_parallelism=1)
    assert ex["closure"]["phase"] == "SUCCEEDED"
    assert ex["spec"]["max_parallelism"] == 1
    assert log.read_text().split() == ["start", "end"] * 3


# ---- CreateExecution validation (admin-api.md §4.3) ----

@pytest.mark.parametrize("mutate,status,message", [
    (lambda b: b.pop("project"), 400, "missing project"),
    (lambda b: b.pop("domain"), 400, "missing domain"),
    (lambda b: b.update(name="Bad_Name"), 400,
     "invalid name format: bad_name, does not match regex '^[a-z][a-z\\-0-9]*$'"),
    (lambda b: b.update(name="9lives"), 400, "invalid name format: 9lives"),
    (lambda b: b.update(name="a" * 64), 400, "size of name exceeded length 63 : " + "a" * 64),
    (lambda b: b.update(project="nosuchproject"), 400, "nosuchproject"),
    (lambda b: b.pop("spec"), 400, "missing spec"),
    (lambda b: b["spec"]["launch_plan"].pop("version"), 400, "missing version"),
    (lambda b: b["spec"]["launch_plan"].pop("name"), 400, "missing name"),
    (lambda b: b["spec"]["launch_plan"].update(resource_type="WORKFLOW"), 400,
     "Invalid reference entity resource type [WORKFLOW], only [map[TASK:<nil> LAUNCH_PLAN:<nil>]] allowed"),
    (lambda b: b["spec"]["launch_plan"].pop("resource_type"), 400,
     "Invalid reference entity resource type [UNSPECIFIED]"),
    (lambda b: b["inputs"]["literals"].update({"": integer(1)}), 400, "missing key in inputs"),
    (lambda b: b["inputs"]["literals"].update(x={}), 400, "missing valid literal in inputs x"),
    (lambda b: b["spec"].update(labels={"values": {"bad key": "v"}}), 400, "invalid label key [bad key]"),
    (lambda b: b["spec"].update(labels={"values": {"team": "has space"}}), 400, "invalid label value [has space]"),
    (lambda b: b["spec"].update(labels={"values": {f"k{i}": "v" for i in range(17)}}), 400,
     "labels map cannot exceed 16 entries"),
    (lambda b: b["spec"]["launch_plan"].update(name="nosuch"), 404, "missing entity of type LAUNCH_PLAN"),
    (lambda b: b["inputs"]["literals"].update(w=integer(1)), 400, "invalid input w"),
    (lambda b: b["inputs"]["literals"].pop("x"), 400, "expected_inputs x missing"),
    (lambda b: b["inputs"]["literals"].update(x=string("three")), 400,
     "invalid x input wrong type. Expected simple:INTEGER, but got simple:STRING"),
    (lambda b: b["inputs"]["literals"].update(y=floating(1.5)), 400,
     "invalid y input wrong type. Expected simple:INTEGER, but got simple:FLOAT"),
    # Fixed inputs are not expected inputs: overriding one is an unknown input.
    (lambda b: b["inputs"]["literals"].update(z=integer(1)), 400, "invalid input z"),
])
def test_create_execution_validation(shared_server, mutate, status, message):
    lp = pipeline(shared_server)
    body = {"project": P, "domain": D, "spec": {"launch_plan": lp}, "inputs": {"literals": {"x": integer(1)}}}
    mutate(body)
    got, err = shared_server.post("/api/v1/executions", body)
    assert got == status, err
    assert message in err["message"], err["message"]
    assert err["code"] == (5 if status == 404 else 3)


def test_deprecated_spec_inputs_are_used_when_inputs_are_empty(shared_server):
    lp = pipeline(shared_server)
    status, body = shared_server.post("/api/v1/executions", {
        "project": P, "domain": D, "spec": {"launch_plan": lp, "inputs": {"literals": {"x": integer(10)}}}})
    assert status == 200, body
    name = body["id"]["name"]
    shared_server.wait_execution(P, D, name)
    assert value(outputs(shared_server, name)["first"]) == 12


def test_names_are_client_chosen_or_generated_and_unique(shared_server):
    lp = pipeline(shared_server)
    status, body = create(shared_server, lp, {"x": integer(1)}, name="my-run-1")
    assert status == 200
    assert body == {"id": {"project": P, "domain": D, "name": "my-run-1", "org": ""}}
    status, err = create(shared_server, lp, {"x": integer(2)}, name="my-run-1")
    assert status == 409 and err["code"] == 6
    assert "already exists" in err["message"]
    shared_server.wait_execution(P, D, "my-run-1")
    assert value(outputs(shared_server, "my-run-1")["first"]) == 3, "the duplicate changed nothing"
    generated = {execute(shared_server, lp, {"x": integer(i)}) for i in range(5)}
    assert len(generated) == 5
    assert all(re.fullmatch(r"a[a-z0-9]{19}", n) for n in generated), generated


def test_the_stored_spec_keeps_what_the_request_said(shared_server):
    lp = pipeline(shared_server)
    name = execute(shared_server, lp, {"x": integer(1)}, tags=["nightly", "v2"],
                   labels={"values": {"team": "ml", "example.com/owner": "bob"}},
                   annotations={"values": {"note": "anything goes here"}},
                   envs={"values": [{"key": "A", "value": "1"}]}, interruptible=True, overwrite_cache=True,
                   raw_output_data_config={"output_location_prefix": "s3://bucket/raw"},
                   metadata={"mode": "MANUAL", "principal": "spoofed"})
    status, ex = shared_server.get(exec_path(name))
    spec = ex["spec"]
    assert spec["tags"] == ["nightly", "v2"]
    assert spec["labels"] == {"values": {"team": "ml", "example.com/owner": "bob"}}
    assert spec["annotations"] == {"values": {"note": "anything goes here"}}
    assert spec["envs"]["values"] == [{"key": "A", "value": "1"}]
    assert spec["interruptible"] is True and spec["overwrite_cache"] is True
    assert spec["raw_output_data_config"]["output_location_prefix"] == "s3://bucket/raw"
    assert spec["max_parallelism"] == 25
    assert spec["metadata"]["mode"] == "MANUAL" and spec["metadata"]["principal"] == ""
    assert spec["metadata"]["system_metadata"]["namespace"] == f"{P}-{D}"
    assert spec["launch_plan"] == dict(lp, org="")


# ---- relaunch, recover, single tasks ----

def test_relaunch_runs_the_same_spec_and_inputs_again(server):
    lp = pipeline(server)
    first = run(server, lp, {"x": integer(4)}, labels={"values": {"team": "ml"}})["id"]["name"]
    status, body = server.post("/api/v1/executions/relaunch",
                               {"id": {"project": P, "domain": D, "name": first}, "name": "again",
                                "overwrite_cache": True})
    assert status == 200, body
    assert body["id"]["name"] == "again"
    ex = server.wait_execution(P, D, "again")
    assert ex["closure"]["phase"] == "SUCCEEDED"
    md = ex["spec"]["metadata"]
    assert md["mode"] == "RELAUNCH"
    assert md["reference_execution"] == {"project": P, "domain": D, "name": first, "org": ""}
    assert ex["spec"]["overwrite_cache"] is True and ex["spec"]["labels"] == {"values": {"team": "ml"}}
    assert data(server, "again")["full_inputs"] == data(server, first)["full_inputs"]
    assert outputs(server, "again") == outputs(server, first)
    status, body = server.post("/api/v1/executions/relaunch", {"id": {"project": P, "domain": D, "name": "nope"}})
    assert status == 404
    status, body = server.post("/api/v1/executions/relaunch", {"id": {"project": P, "domain": D, "name": first},
                                                              "name": "again"})
    assert status == 409


def test_recover_reuses_succeeded_nodes_and_runs_the_rest(server, tmp_path):
    counter, flag = tmp_path / "n0-runs", tmp_path / "fail"
    first = register_task(server, task_template("rec.first", [f"echo x >> {counter}; echo 7 > /var/outputs/o"],
                                                outputs={"o": simple("INTEGER")}, data_config=True))
    second = register_task(server, task_template(
        "rec.second", [f"test ! -e {flag} || exit 1; echo $(( $(cat /var/inputs/a) * 2 )) > /var/outputs/o"],
        inputs={"a": simple("INTEGER")}, outputs={"o": simple("INTEGER")}, data_config=True))
    wid = register_workflow(server, "rec.wf", [task_node("n0", first, {}),
                                               task_node("n1", second, {"a": promise("n0", "o")})],
                            outputs={"o": simple("INTEGER")}, output_bindings={"o": promise("n1", "o")})
    lp = register_launch_plan(server, "rec.wf", wid)
    flag.write_text("1")
    original = run(server, lp)
    assert original["closure"]["phase"] == "FAILED"
    flag.unlink()
    status, body = server.post("/api/v1/executions/recover",
                               {"id": {"project": P, "domain": D, "name": original["id"]["name"]}})
    assert status == 200, body
    ex = server.wait_execution(P, D, body["id"]["name"])
    assert ex["closure"]["phase"] == "SUCCEEDED", ex["closure"]
    assert ex["spec"]["metadata"]["mode"] == "RECOVERED"
    assert ex["spec"]["metadata"]["reference_execution"]["name"] == original["id"]["name"]
    ns = nodes(server, body["id"]["name"])
    assert ns["n0"]["closure"]["phase"] == "RECOVERED" and ns["n1"]["closure"]["phase"] == "SUCCEEDED"
    assert counter.read_text() == "x\n", "the recovered node did not run again"
    assert task_executions(server, body["id"]["name"], "n0") == []
    assert value(outputs(server, body["id"]["name"])["o"]) == 14


def test_a_task_runs_as_a_single_task_execution(server):
    tid = register_task(server, ADD)
    ex = run(server, tid, {"a": integer(20), "b": integer(22)})
    assert ex["closure"]["phase"] == "SUCCEEDED", ex["closure"]
    assert ex["spec"]["launch_plan"]["resource_type"] == "TASK"
    assert ex["closure"]["workflow_id"]["name"] == ".flytegen.math.add"
    assert value(outputs(server, ex["id"]["name"])["sum"]) == 42
    status, err = create(server, tid, {"a": integer(1)})
    assert status == 400 and "expected_inputs b missing" in err["message"]
    status, err = create(server, ident("TASK", "no.such.task"), {})
    assert status == 404


# ---- listing, archiving ----

def test_list_executions_with_filters_sort_and_pages(server):
    lp = pipeline(server)
    names = [run(server, lp, {"x": integer(i)}, name=f"list-{i}")["id"]["name"] for i in range(3)]
    bad = single_task_workflow(server, "bad.list", task_template("bad.list", ["exit 1"]))
    failed = run(server, bad, name="list-failed")["id"]["name"]
    path = f"/api/v1/executions/{P}/{D}"
    status, body = server.get(path, limit=10, sort_by__key="created_at", sort_by__direction="ASCENDING")
    assert status == 200
    assert [e["id"]["name"] for e in body["executions"]] == names + [failed]
    assert body["executions"][0]["spec"]["inputs"] is None
    status, body = server.get(path, limit=10, filters="eq(phase,FAILED)")
    assert [e["id"]["name"] for e in body["executions"]] == [failed]
    assert body["executions"][0]["closure"]["error"]["message"]
    status, body = server.get(path, limit=10, filters="eq(launch_plan.name,math.pipeline)+ne(execution_name,list-0)",
                              sort_by__key="execution_name", sort_by__direction="DESCENDING")
    assert [e["id"]["name"] for e in body["executions"]] == ["list-2", "list-1"]
    status, body = server.get(path, limit=10, id__name="list-1")
    assert [e["id"]["name"] for e in body["executions"]] == ["list-1"]
    status, page = server.get(path, limit=2, sort_by__key="created_at", sort_by__direction="ASCENDING")
    assert len(page["executions"]) == 2 and page["token"] == "2"
    status, rest = server.get(path, limit=2, token="2", sort_by__key="created_at", sort_by__direction="ASCENDING")
    assert [e["id"]["name"] for e in rest["executions"]] == [names[2], failed]
    assert server.get(path)[0] == 400
    assert server.get(path, limit=10, filters="eq(foo,1)")[0] == 400


def test_archived_executions_leave_the_default_list(server):
    lp = pipeline(server)
    name = run(server, lp, {"x": integer(1)}, name="to-archive")["id"]["name"]
    assert server.put(exec_path(name), {"state": "EXECUTION_ARCHIVED"}) == (200, {})
    status, body = server.get(f"/api/v1/executions/{P}/{D}", limit=10)
    assert body["executions"] == []
    status, body = server.get(f"/api/v1/executions/{P}/{D}", limit=10, filters="eq(state,EXECUTION_ARCHIVED)")
    assert [e["id"]["name"] for e in body["executions"]] == [name]
    assert body["executions"][0]["closure"]["state_change_details"]["state"] == "EXECUTION_ARCHIVED"
    assert server.put(exec_path("missing"), {"state": "EXECUTION_ARCHIVED"})[0] == 404


def test_get_and_data_of_a_missing_execution_are_404(shared_server):
    for path in (exec_path("missing"), exec_path("missing", "data/executions")):
        status, err = shared_server.get(path)
        assert status == 404 and err["code"] == 5
        assert "missing entity of type execution" in err["message"]

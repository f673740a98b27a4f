"""Projects, tasks, workflows and launch plans (admin-api.md §2.1, §4.3, §7): registration
rules with FlyteAdmin's codes and messages, the workflow compiler (missing tasks, binding
types with the blob rule, connections, cycles), launch plan inputs and states, Get / List /
ListIds, and persistence across a kill -9."""
import copy
import uuid

import pytest

from conftest import quote

D = "development"


# ---- realistic flyteidl bodies ----

def simple(t):
    return {"simple": t}


def blob(fmt):
    return {"blob": {"format": fmt, "dimensionality": "SINGLE"}}


def ident(rt, project, name, version, domain=D):
    return {"resource_type": rt, "project": project, "domain": domain, "name": name, "version": version}


def variables(types):
    return {"variables": {k: {"type": t, "description": ""} for k, t in types.items()}}


def task_request(project, name, version="v1", inputs=None, outputs=None, image="ghcr.io/acme/tools:1.4",
                 args=None, description=None, cache=False):
    """A raw-container task as flytekit's ContainerTask registers it."""
    inputs = {"a": simple("INTEGER"), "b": simple("INTEGER")} if inputs is None else inputs
    outputs = {"o0": simple("INTEGER")} if outputs is None else outputs
    template = {
        "id": ident("TASK", project, name, version),
        "type": "raw-container",
        "metadata": {
            "discoverable": cache,
            "discovery_version": "1.0" if cache else "",
            "runtime": {"type": "FLYTE_SDK", "version": "1.13.0", "flavor": "python"},
            "retries": {"retries": 0},
            "timeout": "300s",
        },
        "interface": {"inputs": variables(inputs), "outputs": variables(outputs)},
        "container": {
            "image": image,
            "command": ["sh", "-c"],
            "args": args or ["echo {{.inputs.a}} > /var/outputs/o0"],
            "resources": {"requests": [{"name": "CPU", "value": "500m"}, {"name": "MEMORY", "value": "256Mi"}],
                          "limits": [{"name": "CPU", "value": "1"}, {"name": "MEMORY", "value": "512Mi"}]},
            "env": [{"key": "LOG_LEVEL", "value": "info"}],
            "data_config": {"enabled": True, "input_path": "/var/inputs", "output_path": "/var/outputs",
                            "format": "JSON"},
        },
    }
    spec = {"template": template}
    if description is not None:
        spec["description"] = {"short_description": description}
    return {"id": ident("TASK", project, name, version), "spec": spec}


def promise(node_id, var):
    return {"promise": {"node_id": node_id, "var": var}}


def integer(n):
    return {"scalar": {"primitive": {"integer": str(n)}}}


def task_node(node_id, task_id, bindings, upstream=()):
    return {"id": node_id, "metadata": {"name": node_id, "retries": {}},
            "inputs": [{"var": k, "binding": b} for k, b in bindings.items()],
            "upstream_node_ids": list(upstream),
            "task_node": {"reference_id": task_id}}


def workflow_request(project, name, nodes, inputs=None, outputs=None, output_bindings=None, version="v1",
                     description=None):
    spec = {"template": {
        "id": ident("WORKFLOW", project, name, version),
        "metadata": {},
        "metadata_defaults": {},
        "interface": {"inputs": variables(inputs or {}), "outputs": variables(outputs or {})},
        "nodes": nodes,
        "outputs": [{"var": k, "binding": b} for k, b in (output_bindings or {}).items()],
    }}
    if description is not None:
        spec["description"] = {"short_description": description}
    return {"id": ident("WORKFLOW", project, name, version), "spec": spec}


def launch_plan_request(project, name, workflow, version="v1", defaults=None, fixed=None):
    return {"id": ident("LAUNCH_PLAN", project, name, version),
            "spec": {"workflow_id": ident("WORKFLOW", project, workflow, version),
                     "default_inputs": {"parameters": defaults or {}},
                     "fixed_inputs": {"literals": fixed or {}},
                     "labels": {"values": {"team": "data"}}}}


def ns(timestamp):
    """Nanoseconds since the epoch of an RFC 3339 UTC timestamp with 0-9 fractional digits."""
    import calendar
    import time
    base, _, frac = timestamp.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S")) * 10**9 + int((frac + "000000000")[:9])


def new_project(server):
    pid = "p" + uuid.uuid4().hex[:10]
    status, body = server.post("/api/v1/projects", {"project": {"id": pid, "name": pid, "description": "tests"}})
    assert status == 200, body
    return pid


def two_step_workflow(server, project, wf="pipeline.add_twice", version="v1"):
    """Registers task `math.add` and a workflow n0 = add(x, 2); n1 = add(n0.o0, y)."""
    assert server.post("/api/v1/tasks", task_request(project, "math.add", version))[0] == 200
    tid = ident("TASK", project, "math.add", version)
    body = workflow_request(project, wf, [
        task_node("n0", tid, {"a": promise("start-node", "x"), "b": integer(2)}),
        task_node("n1", tid, {"a": promise("n0", "o0"), "b": promise("start-node", "y")}),
    ], inputs={"x": simple("INTEGER"), "y": simple("INTEGER")}, outputs={"o0": simple("INTEGER")},
        output_bindings={"o0": promise("n1", "o0")}, version=version)
    status, err = server.post("/api/v1/workflows", body)
    assert status == 200, err
    return body


def path(kind, project, name=None, version=None):
    parts = [kind, project, D] + [p for p in (name, version) if p is not None]
    return "/api/v1/" + "/".join(quote(p) for p in parts)


# ---- projects ----

def test_default_project_is_flytesnacks_with_the_three_domains(server):
    status, body = server.get("/api/v1/projects")
    assert status == 200
    assert [p["id"] for p in body["projects"]] == ["flytesnacks"]
    p = body["projects"][0]
    assert p["name"] == "flytesnacks" and p["state"] == "ACTIVE"
    assert [d["id"] for d in p["domains"]] == ["development", "staging", "production"]
    assert server.get("/api/v1/projects/flytesnacks")[1] == p


@pytest.mark.parametrize("project,message", [
    ({"id": "Bad_Id", "name": "x"}, "invalid project id [Bad_Id]"),
    ({"id": "-x", "name": "x"}, "invalid project id [-x]"),
    ({"id": "a" * 64, "name": "x"}, "must be no more than 63 characters"),
    ({"id": "ok", "name": ""}, "missing project_name"),
    ({"id": "ok", "name": "n" * 65}, "project_name cannot exceed 64 characters"),
    ({"id": "ok", "name": "n", "description": "d" * 301}, "project_description cannot exceed 300 characters"),
    ({"id": "ok", "name": "n", "domains": [{"id": "development", "name": "development"}]},
     "Domains are currently only set system wide. Please retry without domains included in your request."),
    ({"id": "ok", "name": "n", "labels": {"values": {"bad key!": "v"}}}, "invalid label key [bad key!]"),
])
def test_register_project_validation(shared_server, project, message):
    status, body = shared_server.post("/api/v1/projects", {"project": project})
    assert (status, body["code"]) == (400, 3)
    assert message in body["message"]


def test_register_project_twice_is_409_and_list_get_update(server):
    req = {"project": {"id": "ml-team", "name": "ML team", "description": "models",
                       "labels": {"values": {"cost-center": "42"}}}}
    assert server.post("/api/v1/projects", req) == (200, {})
    status, body = server.post("/api/v1/projects", req)
    assert (status, body["code"]) == (409, 6)
    assert body["message"].startswith("value with matching already exists")
    status, p = server.get("/api/v1/projects/ml-team")
    assert status == 200
    assert (p["name"], p["description"], p["labels"]["values"], p["state"]) == \
        ("ML team", "models", {"cost-center": "42"}, "ACTIVE")
    assert [x["id"] for x in server.get("/api/v1/projects")[1]["projects"]] == ["flytesnacks", "ml-team"]
    # An update keeps what it does not set (FlyteAdmin writes with gorm's Updates).
    assert server.put("/api/v1/projects/ml-team", {"id": "ml-team", "description": "all models"}) == (200, {})
    p = server.get("/api/v1/projects/ml-team")[1]
    assert (p["name"], p["description"]) == ("ML team", "all models")
    # Archived projects vanish from the unfiltered list but not from a filtered one.
    assert server.put("/api/v1/projects/ml-team", {"id": "ml-team", "state": "ARCHIVED"}) == (200, {})
    assert [x["id"] for x in server.get("/api/v1/projects")[1]["projects"]] == ["flytesnacks"]
    listed = server.get("/api/v1/projects", filters="eq(state,1)")[1]["projects"]
    assert [(x["id"], x["state"]) for x in listed] == [("ml-team", "ARCHIVED")]
    status, body = server.get("/api/v1/projects/nope")
    assert (status, body["code"]) == (404, 5)
    status, body = server.put("/api/v1/projects/nope", {"id": "nope", "name": "x"})
    assert status == 404


def test_registration_in_an_archived_project_fails(server):
    assert server.post("/api/v1/projects", {"project": {"id": "old", "name": "old"}})[0] == 200
    assert server.put("/api/v1/projects/old", {"id": "old", "state": "ARCHIVED"})[0] == 200
    status, body = server.post("/api/v1/tasks", task_request("old", "t"))
    assert status == 400
    assert body["message"] == "project [old] is not active"
    assert body["details"] == [{"@type": "type.googleapis.com/flyteidl.admin.InactiveProject", "id": "old",
                                "org": ""}]


# ---- tasks ----

def test_task_register_get_and_identical_reregistration(shared_server):
    s = shared_server
    p = new_project(s)
    req = task_request(p, "etl.extract", description="pulls the raw files")
    assert s.post("/api/v1/tasks", req) == (200, {})
    status, task = s.get(path("tasks", p, "etl.extract", "v1"))
    assert status == 200
    assert task["id"] == {**ident("TASK", p, "etl.extract", "v1"), "org": ""}
    assert task["short_description"] == "pulls the raw files"
    tpl = task["closure"]["compiled_task"]["template"]
    assert tpl["id"] == task["id"]
    assert tpl["container"]["image"] == "ghcr.io/acme/tools:1.4"
    assert tpl["container"]["command"] == ["sh", "-c"]
    assert tpl["interface"]["inputs"]["variables"]["a"]["type"]["simple"] == "INTEGER"
    assert task["closure"]["created_at"].endswith("Z")
    # Identical again: 409. Only the description differs: still identical, as in FlyteAdmin.
    for again in (req, task_request(p, "etl.extract", description="something else")):
        status, body = s.post("/api/v1/tasks", again)
        assert (status, body) == (409, {"code": 6, "message": "task with identical structure already exists",
                                        "details": []})
    # The template id may be omitted or wrong: FlyteAdmin overwrites it with the request id.
    other = task_request(p, "etl.extract")
    other["spec"]["template"]["id"] = ident("TASK", p, "something", "else")
    assert s.post("/api/v1/tasks", other)[0] == 409


def test_task_with_different_structure_is_400_naming_the_change(shared_server):
    p = new_project(shared_server)
    assert shared_server.post("/api/v1/tasks", task_request(p, "etl.load"))[0] == 200
    status, body = shared_server.post("/api/v1/tasks", task_request(p, "etl.load", image="ghcr.io/acme/tools:1.5"))
    assert (status, body["code"], body["details"]) == (400, 3, [])
    assert body["message"].startswith("etl.load task with different structure already exists. "
                                      "(Please register a new version of the task):\n")
    assert "image" in body["message"] and "ghcr.io/acme/tools:1.4" in body["message"] \
        and "ghcr.io/acme/tools:1.5" in body["message"]
    # A new version is fine.
    assert shared_server.post("/api/v1/tasks", task_request(p, "etl.load", "v2", image="x:1"))[0] == 200


def _mutate(fn):
    def build(p):
        req = task_request(p, "bad.task")
        fn(req)
        return req
    return build


@pytest.mark.parametrize("build,message", [
    (_mutate(lambda r: r["id"].pop("resource_type")),
     "unexpected resource type unspecified for identifier [project:"),
    (_mutate(lambda r: r["id"].update(resource_type="WORKFLOW")),
     "unexpected resource type workflow for identifier [resource_type:WORKFLOW project:"),
    (_mutate(lambda r: r["id"].update(version="")), "missing version"),
    (_mutate(lambda r: r["id"].update(name="")), "missing name"),
    (_mutate(lambda r: r["id"].update(domain="nope")), "domain [nope] is unrecognized by system"),
    (_mutate(lambda r: r["id"].update(project="nope")),
     "failed to validate that project [nope] and domain [development] are registered, err: ["),
    (_mutate(lambda r: r.pop("spec")), "missing spec"),
    (_mutate(lambda r: r["spec"]["template"].update(type="")), "missing type"),
    (_mutate(lambda r: r["spec"]["template"].pop("metadata")), "missing metadata"),
    (_mutate(lambda r: r["spec"]["template"]["metadata"]["runtime"].update(version="")), "missing runtime version"),
    (_mutate(lambda r: r["spec"]["template"].pop("interface")), "missing typed interface"),
    (_mutate(lambda r: r["spec"]["template"]["container"].update(image="")), "missing image"),
    (_mutate(lambda r: r["spec"]["template"]["container"].update(command=[], args=[])),
     "failed to compile task with err: Collected Errors: 1\n\tError 0: Code: ValueRequired, Node Id: container, "
     "Description: Value required [command].\n"),
    (_mutate(lambda r: r["spec"]["template"]["container"]["resources"]["requests"].append(
        {"name": "CPU", "value": "2"})), "can't specify CPU limit for task ["),
    (_mutate(lambda r: r["spec"]["template"]["container"]["resources"]["limits"].__setitem__(
        0, {"name": "CPU", "value": "lots"})), "Parsing of CPU request failed for value lots"),
    (_mutate(lambda r: r["spec"]["template"]["container"]["resources"]["limits"].__setitem__(
        1, {"name": "MEMORY", "value": "128Mi"})),
     "Requested MEMORY default [256Mi] is greater than the limit [128Mi]. Please fix your configuration"),
])
def test_task_validation_messages(shared_server, build, message):
    status, body = shared_server.post("/api/v1/tasks", build("flytesnacks"))
    assert (status, body["code"]) == (400, 3), body
    assert message in body["message"]


def test_get_missing_task_is_404_and_explicit_wrong_resource_type_is_400(shared_server):
    status, body = shared_server.get(path("tasks", "flytesnacks", "no.such.task", "v9"))
    assert (status, body["code"]) == (404, 5)
    assert body["message"] == ('missing entity of type TASK with identifier project:"flytesnacks" '
                               'domain:"development" name:"no.such.task" version:"v9"')
    status, body = shared_server.get(path("tasks", "flytesnacks", "no.such.task", "v9"),
                                     id__resource_type="WORKFLOW")
    assert status == 400 and "unexpected resource type workflow" in body["message"]


# ---- workflows ----

def test_workflow_compiles_with_start_end_nodes_and_connections(shared_server):
    s = shared_server
    p = new_project(s)
    two_step_workflow(s, p)
    status, wf = s.get(path("workflows", p, "pipeline.add_twice", "v1"))
    assert status == 200
    cw = wf["closure"]["compiled_workflow"]
    tpl = cw["primary"]["template"]
    assert tpl["id"] == {**ident("WORKFLOW", p, "pipeline.add_twice", "v1"), "org": ""}
    assert [n["id"] for n in tpl["nodes"]] == ["start-node", "end-node", "n0", "n1"]
    end = tpl["nodes"][1]
    assert end["inputs"][0]["binding"]["promise"]["node_id"] == "n1"
    conn = cw["primary"]["connections"]
    assert conn["downstream"] == {"start-node": {"ids": ["n0", "n1"]}, "n0": {"ids": ["n1"]},
                                  "n1": {"ids": ["end-node"]}}
    assert conn["upstream"] == {"n0": {"ids": ["start-node"]}, "n1": {"ids": ["n0", "start-node"]},
                                "end-node": {"ids": ["n1"]}}
    assert [t["template"]["id"]["name"] for t in cw["tasks"]] == ["math.add"]
    assert cw["tasks"][0]["template"]["container"]["image"] == "ghcr.io/acme/tools:1.4"


def test_promise_from_an_empty_node_id_means_the_start_node(shared_server):
    s = shared_server
    p = new_project(s)
    assert s.post("/api/v1/tasks", task_request(p, "t", inputs={"a": simple("STRING")}, outputs={}))[0] == 200
    body = workflow_request(p, "wf", [task_node("n0", ident("TASK", p, "t", "v1"), {"a": promise("", "s")})],
                            inputs={"s": simple("STRING")})
    assert s.post("/api/v1/workflows", body)[0] == 200
    tpl = s.get(path("workflows", p, "wf", "v1"))[1]["closure"]["compiled_workflow"]["primary"]["template"]
    assert tpl["nodes"][2]["inputs"][0]["binding"]["promise"]["node_id"] == "start-node"
    conn = s.get(path("workflows", p, "wf", "v1"))[1]["closure"]["compiled_workflow"]["primary"]["connections"]
    # A node nobody reads still finishes before the end node.
    assert conn["downstream"]["n0"] == {"ids": ["end-node"]}


def test_workflow_with_missing_task_is_400(shared_server):
    p = new_project(shared_server)
    missing = ident("TASK", p, "not.registered", "v3")
    body = workflow_request(p, "wf", [task_node("n0", missing, {})])
    status, err = shared_server.post("/api/v1/workflows", body)
    assert (status, err["code"]) == (400, 3)
    assert err["message"] == (
        f'failed to compile workflow for [resource_type:WORKFLOW project:"{p}" domain:"development" name:"wf" '
        f'version:"v1"] with err: missing entity of type TASK with identifier project:"{p}" '
        f'domain:"development" name:"not.registered" version:"v3"')


def _blob_workflow(server, p, wf_input_format, name):
    tid = ident("TASK", p, "read.csv", "v1")
    body = workflow_request(p, name, [task_node("n0", tid, {"f": promise("start-node", "data")})],
                            inputs={"data": blob(wf_input_format)})
    return server.post("/api/v1/workflows", body)


def test_blob_rule_empty_format_matches_any_format(shared_server):
    s = shared_server
    p = new_project(s)
    assert s.post("/api/v1/tasks", task_request(p, "read.csv", inputs={"f": blob("csv")},
                                                outputs={"o": blob("parquet")}))[0] == 200
    assert _blob_workflow(s, p, "", "any_file") == (200, {})
    assert _blob_workflow(s, p, "csv", "csv_file") == (200, {})
    status, err = _blob_workflow(s, p, "parquet", "parquet_file")
    assert (status, err["code"]) == (400, 3)
    assert "Code: MismatchingTypes, Node Id: n0" in err["message"]
    assert "The output variable 'data' has type [blob(format=parquet)], but it's assigned to the input " \
           "variable 'n0.f' which has type type [blob(format=csv)]." in err["message"]


def test_node_to_node_type_mismatch_names_both_variables(shared_server):
    s = shared_server
    p = new_project(s)
    assert s.post("/api/v1/tasks", task_request(p, "read.csv", inputs={"f": blob("csv")},
                                                outputs={"o": blob("parquet")}))[0] == 200
    tid = ident("TASK", p, "read.csv", "v1")
    body = workflow_request(p, "chain", [
        task_node("n0", tid, {"f": promise("start-node", "f")}),
        task_node("n1", tid, {"f": promise("n0", "o")}),
    ], inputs={"f": blob("csv")})
    status, err = s.post("/api/v1/workflows", body)
    assert status == 400
    assert "Collected Errors: 1\n\tError 0: Code: MismatchingTypes, Node Id: n1, Description: The output " \
           "variable 'n0.o' has type [blob(format=parquet)], but it's assigned to the input variable 'n1.f' " \
           "which has type type [blob(format=csv)].\n" in err["message"]


@pytest.mark.parametrize("bindings,message", [
    ({"a": integer(1)}, "Code: ParameterNotBound, Node Id: n0, Description: Parameter not bound [b]."),
    ({"a": integer(1), "b": {"scalar": {"primitive": {"string_value": "x"}}}},
     "Code: MismatchingTypes, Node Id: n0, Description: Variable [b] (type [string]) doesn't match expected "
     "type [integer]."),
    ({"a": integer(1), "b": integer(2), "c": integer(3)},
     "Code: VariableNameNotFound, Node Id: n0, Description: Variable [c] not found on node [n0]."),
    ({"a": integer(1), "b": promise("ghost", "o0")},
     "Code: NodeReferenceNotFound, Node Id: ghost, Description: Referenced node [ghost] not found."),
    ({"a": integer(1), "b": promise("start-node", "nope")},
     "Code: VariableNameNotFound, Node Id: start-node, Description: Variable [nope] not found on node "
     "[start-node]."),
    ({"a": integer(1), "b": {"collection": {"bindings": [integer(1)]}}},
     "Code: MismatchingBindings, Node Id: n0, Description: Input [b] on node [n0] expects bindings of type "
     "[integer]."),
])
def test_binding_errors(shared_server, bindings, message):
    s = shared_server
    p = new_project(s)
    assert s.post("/api/v1/tasks", task_request(p, "math.add"))[0] == 200
    body = workflow_request(p, "wf", [task_node("n0", ident("TASK", p, "math.add", "v1"), bindings)],
                            inputs={"x": simple("INTEGER")})
    status, err = s.post("/api/v1/workflows", body)
    assert (status, err["code"]) == (400, 3)
    assert message in err["message"]


def test_collection_and_map_bindings_and_optional_inputs(shared_server):
    s = shared_server
    p = new_project(s)
    ints = {"collection_type": simple("INTEGER")}
    opt = {"union_type": {"variants": [{**simple("INTEGER"), "structure": {"tag": "int"}},
                                       {**simple("NONE"), "structure": {"tag": "none"}}]}}
    t = task_request(p, "agg", inputs={"xs": ints, "m": {"map_value_type": simple("STRING")}, "maybe": opt},
                     outputs={"o0": simple("INTEGER")})
    assert s.post("/api/v1/tasks", t)[0] == 200
    tid = ident("TASK", p, "agg", "v1")
    body = workflow_request(p, "wf", [
        task_node("n0", tid, {"xs": {"collection": {"bindings": [integer(1), promise("start-node", "x")]}},
                              "m": {"map": {"bindings": {"k": {"scalar": {"primitive": {"string_value": "v"}}}}}}}),
    ], inputs={"x": simple("INTEGER")}, outputs={"total": simple("INTEGER")},
        output_bindings={"total": promise("n0", "o0")})
    assert s.post("/api/v1/workflows", body) == (200, {}), "an optional input may stay unbound"
    conn = s.get(path("workflows", p, "wf", "v1"))[1]["closure"]["compiled_workflow"]["primary"]["connections"]
    assert conn["upstream"]["n0"] == {"ids": ["start-node"]}


def test_cycles_are_rejected(shared_server):
    s = shared_server
    p = new_project(s)
    assert s.post("/api/v1/tasks", task_request(p, "inc", inputs={"a": simple("INTEGER")}))[0] == 200
    tid = ident("TASK", p, "inc", "v1")
    body = workflow_request(p, "loop", [
        task_node("n0", tid, {"a": promise("n2", "o0")}),
        task_node("n1", tid, {"a": promise("n0", "o0")}),
        task_node("n2", tid, {"a": promise("n1", "o0")}, upstream=["start-node"]),
    ])
    status, err = s.post("/api/v1/workflows", body)
    assert (status, err["code"]) == (400, 3)
    assert "Code: CycleDetected, Node Id: start-node, Description: A cycle has been detected while traversing " \
           "the Workflow [start-node>n2>n0>n1>n2]." in err["message"]
    # Without any way in from the start node the loop is unreachable instead.
    body = workflow_request(p, "island", [
        task_node("n0", tid, {"a": promise("n1", "o0")}),
        task_node("n1", tid, {"a": promise("n0", "o0")}),
    ])
    status, err = s.post("/api/v1/workflows", body)
    assert status == 400
    assert "Code: UnreachableNodes, Node Id: start-node, Description: The Workflow contain unreachable nodes " \
           "[n0,n1]." in err["message"]


def test_explicit_upstream_node_ids_become_connections(shared_server):
    s = shared_server
    p = new_project(s)
    assert s.post("/api/v1/tasks", task_request(p, "noop", inputs={}, outputs={}))[0] == 200
    tid = ident("TASK", p, "noop", "v1")
    body = workflow_request(p, "seq", [task_node("first", tid, {}), task_node("second", tid, {}, ["first"])])
    assert s.post("/api/v1/workflows", body)[0] == 200
    conn = s.get(path("workflows", p, "seq", "v1"))[1]["closure"]["compiled_workflow"]["primary"]["connections"]
    assert conn["upstream"]["second"] == {"ids": ["first"]}
    assert conn["downstream"]["first"] == {"ids": ["second"]}
    assert conn["downstream"]["start-node"] == {"ids": ["first"]}
    body = workflow_request(p, "dangling", [task_node("n0", tid, {}, ["ghost"])])
    status, err = s.post("/api/v1/workflows", body)
    assert status == 400 and "Referenced node [ghost] not found." in err["message"]


def test_unsupported_node_kinds_and_duplicate_ids(shared_server):
    s = shared_server
    p = new_project(s)
    assert s.post("/api/v1/tasks", task_request(p, "noop", inputs={}, outputs={}))[0] == 200
    tid = ident("TASK", p, "noop", "v1")
    branch = {"id": "b0", "branch_node": {"if_else": {"case": {"then_node": task_node("t", tid, {})},
                                                      "else_node": task_node("e", tid, {})}}}
    status, err = s.post("/api/v1/workflows", workflow_request(p, "br", [branch]))
    assert status == 400 and err["message"].endswith("node [b0]: branch nodes are not supported by flyte-devserver")
    sub = {"id": "s0", "workflow_node": {"sub_workflow_ref": ident("WORKFLOW", p, "child", "v1")}}
    status, err = s.post("/api/v1/workflows", workflow_request(p, "sw", [sub]))
    assert status == 400 and "sub-workflow nodes are not supported by flyte-devserver" in err["message"]
    lpn = {"id": "l0", "workflow_node": {"launchplan_ref": ident("LAUNCH_PLAN", p, "child", "v1")}}
    status, err = s.post("/api/v1/workflows", workflow_request(p, "lpn", [lpn]))
    assert status == 400 and "launch plan nodes are not supported by flyte-devserver" in err["message"]
    status, err = s.post("/api/v1/workflows", workflow_request(p, "dup", [task_node("n", tid, {}),
                                                                          task_node("n", tid, {})]))
    assert status == 400 and "Code: DuplicateId, Node Id: n, Description: Trying to insert two nodes with the " \
                             "same id." in err["message"]
    status, err = s.post("/api/v1/workflows", workflow_request(p, "empty", []))
    assert status == 400 and "Code: NoNodesFound" in err["message"]


def test_workflow_identical_409_and_different_400_carry_failure_reasons(shared_server):
    s = shared_server
    p = new_project(s)
    body = two_step_workflow(s, p)
    wid = ident("WORKFLOW", p, "pipeline.add_twice", "v1")
    status, err = s.post("/api/v1/workflows", body)
    assert (status, err["message"]) == (409, "workflow with identical structure already exists")
    assert err["details"] == [{"@type": "type.googleapis.com/flyteidl.admin.CreateWorkflowFailureReason",
                               "exists_identical_structure": {"id": {**wid, "org": ""}}}]
    changed = copy.deepcopy(body)
    changed["spec"]["template"]["nodes"][0]["inputs"][1]["binding"] = integer(3)
    status, err = s.post("/api/v1/workflows", changed)
    assert (status, err["code"]) == (400, 3)
    assert err["message"].startswith("pipeline.add_twice workflow with different structure already exists. "
                                     "(Please register a new version of the workflow):\n")
    assert err["details"] == [{"@type": "type.googleapis.com/flyteidl.admin.CreateWorkflowFailureReason",
                               "exists_different_structure": {"id": {**wid, "org": ""}}}]


def test_workflow_list_has_no_compiled_closure_but_get_does(shared_server):
    s = shared_server
    p = new_project(s)
    two_step_workflow(s, p)
    status, body = s.get(path("workflows", p), limit=10)
    assert status == 200
    (wf,) = body["workflows"]
    assert wf["closure"]["compiled_workflow"] is None and wf["closure"]["created_at"]
    assert s.get(path("workflows", p, "pipeline.add_twice", "v1"))[1]["closure"]["compiled_workflow"]


# ---- launch plans ----

def test_launch_plan_expected_inputs_and_outputs(shared_server):
    s = shared_server
    p = new_project(s)
    two_step_workflow(s, p)
    body = launch_plan_request(p, "pipeline.add_twice", "pipeline.add_twice",
                               defaults={"y": {"var": {"type": simple("INTEGER"), "description": ""},
                                               "default": integer(10)}})
    assert s.post("/api/v1/launch_plans", body) == (200, {})
    status, lp = s.get(path("launch_plans", p, "pipeline.add_twice", "v1"))
    assert status == 200
    c = lp["closure"]
    assert c["state"] == "INACTIVE" and c["created_at"] == c["updated_at"]
    params = c["expected_inputs"]["parameters"]
    assert set(params) == {"x", "y"}
    assert params["x"]["required"] is True and params["x"]["var"]["type"]["simple"] == "INTEGER"
    assert params["y"]["default"]["scalar"]["primitive"]["integer"] == "10" and "required" not in params["y"]
    assert set(c["expected_outputs"]["variables"]) == {"o0"}
    # FlyteAdmin stores the augmented default inputs in the spec too.
    assert set(lp["spec"]["default_inputs"]["parameters"]) == {"x", "y"}
    assert lp["spec"]["labels"] == {"values": {"team": "data"}}
    # Fixed inputs are not expected inputs.
    fixed = launch_plan_request(p, "fixed", "pipeline.add_twice", fixed={"x": integer(1)})
    assert s.post("/api/v1/launch_plans", fixed)[0] == 200
    c = s.get(path("launch_plans", p, "fixed", "v1"))[1]["closure"]
    assert set(c["expected_inputs"]["parameters"]) == {"y"}


def test_launch_plan_identical_and_different(shared_server):
    s = shared_server
    p = new_project(s)
    two_step_workflow(s, p)
    body = launch_plan_request(p, "lp", "pipeline.add_twice")
    assert s.post("/api/v1/launch_plans", body)[0] == 200
    assert s.post("/api/v1/launch_plans", body) == (409, {"code": 6, "details": [],
                                                           "message": "launch plan with identical structure "
                                                                      "already exists"})
    status, err = s.post("/api/v1/launch_plans", launch_plan_request(p, "lp", "pipeline.add_twice",
                                                                     fixed={"y": integer(4)}))
    assert (status, err["code"]) == (400, 3)
    assert err["message"].startswith("lp launch plan with different structure already exists. (Please register "
                                     "a new version of the launch plan):\n")


@pytest.mark.parametrize("defaults,fixed,message", [
    ({"zz": {"var": {"type": simple("INTEGER")}, "required": True}}, None, "unexpected default_input zz"),
    (None, {"zz": integer(1)}, "unexpected fixed_input zz"),
    ({"x": {"var": {"type": simple("STRING")}, "required": True}}, None,
     "invalid default_input wrong type x, expected string, got integer instead"),
    (None, {"x": {"scalar": {"primitive": {"string_value": "s"}}}},
     "invalid fixed_input wrong type x, expected integer, got string instead"),
    ({"x": {"var": {"type": simple("INTEGER")}}}, None,
     "Invalid variable x in default_inputs - variable has neither default, nor is required. One must be "
     "specified"),
    ({"x": {"var": {"type": simple("INTEGER")}, "default": {"scalar": {"primitive": {"float_value": 1.5}}}}}, None,
     "Type mismatch for Parameter x in default_inputs has type integer, expected float"),
    (None, {"x": {}}, "missing valid literal in fixed_inputs x"),
])
def test_launch_plan_validation(shared_server, defaults, fixed, message):
    s = shared_server
    p = new_project(s)
    two_step_workflow(s, p)
    status, err = s.post("/api/v1/launch_plans", launch_plan_request(p, "lp", "pipeline.add_twice",
                                                                     defaults=defaults, fixed=fixed))
    assert (status, err["code"], err["message"]) == (400, 3, message)


def test_launch_plan_of_a_missing_workflow_is_404_and_inputs_for_a_workflow_without_any(shared_server):
    s = shared_server
    p = new_project(s)
    status, err = s.post("/api/v1/launch_plans", launch_plan_request(p, "lp", "ghost"))
    assert (status, err["message"]) == (404, f'missing entity of type WORKFLOW with identifier project:"{p}" '
                                             f'domain:"development" name:"ghost" version:"v1"')
    assert s.post("/api/v1/tasks", task_request(p, "noop", inputs={}, outputs={}))[0] == 200
    wf = workflow_request(p, "noinputs", [task_node("n0", ident("TASK", p, "noop", "v1"), {})])
    assert s.post("/api/v1/workflows", wf)[0] == 200
    status, err = s.post("/api/v1/launch_plans", launch_plan_request(p, "lp", "noinputs",
                                                                     defaults={"a": {"var": {"type": simple("INTEGER")},
                                                                                     "required": True}}))
    assert (status, err["message"]) == (400, "invalid launch plan default inputs, expected none but found 1")
    body = launch_plan_request(p, "lp", "noinputs")
    body["spec"]["workflow_id"]["resource_type"] = "TASK"
    status, err = s.post("/api/v1/launch_plans", body)
    assert status == 400 and "unexpected resource type task for identifier" in err["message"]


def test_active_launch_plan_follows_updates(shared_server):
    s = shared_server
    p = new_project(s)
    for v in ("v1", "v2"):
        two_step_workflow(s, p, version=v)
        assert s.post("/api/v1/launch_plans", launch_plan_request(p, "daily", "pipeline.add_twice", v))[0] == 200
    active = "/api/v1/active_launch_plans/" + p + "/" + D + "/daily"
    status, err = s.get(active)
    assert (status, err["message"]) == (404, f"No active launch plan could be found: {p}:development:daily")
    lp_path = path("launch_plans", p, "daily", "v1")
    before = s.get(lp_path)[1]["closure"]["updated_at"]
    assert s.put(lp_path, {"state": "ACTIVE"}) == (200, {})
    status, lp = s.get(active)
    assert status == 200 and lp["id"]["version"] == "v1" and lp["closure"]["state"] == "ACTIVE"
    assert ns(lp["closure"]["updated_at"]) > ns(before)
    # Activating v2 deactivates v1.
    assert s.put(path("launch_plans", p, "daily", "v2"), {"state": "ACTIVE"}) == (200, {})
    assert s.get(active)[1]["id"]["version"] == "v2"
    assert s.get(lp_path)[1]["closure"]["state"] == "INACTIVE"
    status, body = s.get("/api/v1/active_launch_plans/" + p + "/" + D, limit=10)
    assert status == 200 and [x["id"]["version"] for x in body["launch_plans"]] == ["v2"]
    status, err = s.get("/api/v1/active_launch_plans/" + p + "/" + D)
    assert (status, err["message"]) == (400, "invalid value for limit")
    assert s.put(path("launch_plans", p, "daily", "v2"), {"state": "INACTIVE"}) == (200, {})
    assert s.get(active)[0] == 404
    status, err = s.put(path("launch_plans", p, "daily", "v9"), {"state": "ACTIVE"})
    assert (status, err["code"]) == (404, 5)
    assert err["message"] == (f'missing entity of type LAUNCH_PLAN with identifier project:"{p}" '
                              f'domain:"development" name:"daily" version:"v9"')


# ---- lists ----

def test_lists_both_path_forms_ids_and_latest_version(shared_server):
    s = shared_server
    p = new_project(s)
    for name in ("b.task", "a.task"):
        for v in ("v1", "v2", "v3"):
            assert s.post("/api/v1/tasks", task_request(p, name, v, image=f"img:{v}"))[0] == 200
    status, body = s.get(path("tasks", p, "a.task"), limit=100)
    assert status == 200 and [t["id"]["version"] for t in body["tasks"]] == ["v1", "v2", "v3"]
    assert body["token"] == ""
    status, body = s.get(path("tasks", p), limit=100)
    assert [(t["id"]["name"], t["id"]["version"]) for t in body["tasks"]] == \
        [("b.task", v) for v in ("v1", "v2", "v3")] + [("a.task", v) for v in ("v1", "v2", "v3")]
    # "Latest": sort by created_at descending, limit 1 (flytectl's FetchLatestVersion).
    status, body = s.get(path("tasks", p, "b.task"), limit=1, sort_by__key="created_at",
                         sort_by__direction="DESCENDING")
    assert [t["id"]["version"] for t in body["tasks"]] == ["v3"] and body["token"] == "1"
    status, body = s.get(path("tasks", p, "nope"), limit=1, sort_by__key="created_at",
                         sort_by__direction="DESCENDING")
    assert (status, body) == (200, {"tasks": [], "token": ""})
    status, body = s.get("/api/v1/task_ids/" + p + "/" + D, limit=10)
    assert status == 200
    assert body == {"entities": [{"project": p, "domain": D, "name": n, "org": ""} for n in ("b.task", "a.task")],
                    "token": ""}
    body = s.get("/api/v1/task_ids/" + p + "/" + D, limit=10, sort_by__key="name", sort_by__direction="ASCENDING")[1]
    assert [e["name"] for e in body["entities"]] == ["a.task", "b.task"]
    for kind in ("tasks", "workflows", "launch_plans"):
        status, err = s.get(path(kind, p))
        assert (status, err) == (400, {"code": 3, "message": "invalid value for limit", "details": []})


def test_pagination_follows_tokens_to_the_end(shared_server):
    s = shared_server
    p = new_project(s)
    for i in range(5):
        assert s.post("/api/v1/tasks", task_request(p, "t", f"v{i}", image=f"i:{i}"))[0] == 200
    seen, token, pages = [], "", 0
    while True:
        status, body = s.get(path("tasks", p, "t"), limit=2, token=token, sort_by__key="version",
                             sort_by__direction="ASCENDING")
        assert status == 200
        seen += [t["id"]["version"] for t in body["tasks"]]
        pages += 1
        token = body["token"]
        if not token:
            break
    assert seen == [f"v{i}" for i in range(5)] and pages == 3
    status, err = s.get(path("tasks", p, "t"), limit=2, token="x1")
    assert (status, err["message"]) == (400, "invalid pagination token x1 for ListTasks")


def test_workflow_and_launch_plan_ids_and_lists(shared_server):
    s = shared_server
    p = new_project(s)
    two_step_workflow(s, p)
    assert s.post("/api/v1/launch_plans", launch_plan_request(p, "pipeline.add_twice", "pipeline.add_twice"))[0] == 200
    assert s.get("/api/v1/workflow_ids/" + p + "/" + D, limit=5)[1]["entities"] == \
        [{"project": p, "domain": D, "name": "pipeline.add_twice", "org": ""}]
    assert s.get("/api/v1/launch_plan_ids/" + p + "/" + D, limit=5)[1]["entities"] == \
        [{"project": p, "domain": D, "name": "pipeline.add_twice", "org": ""}]
    lps = s.get(path("launch_plans", p, "pipeline.add_twice"), limit=5)[1]["launch_plans"]
    assert [lp["closure"]["state"] for lp in lps] == ["INACTIVE"]
    body = s.get(path("launch_plans", p), limit=5, filters="eq(workflow.name,pipeline.add_twice)")[1]
    assert len(body["launch_plans"]) == 1


# ---- persistence ----

def test_everything_survives_kill_9(server):
    p = new_project(server)
    two_step_workflow(server, p)
    assert server.post("/api/v1/launch_plans", launch_plan_request(p, "lp", "pipeline.add_twice"))[0] == 200
    assert server.put(path("launch_plans", p, "lp", "v1"), {"state": "ACTIVE"})[0] == 200
    before = {k: server.get(path(k, p, n, "v1"))[1] for k, n in
              (("tasks", "math.add"), ("workflows", "pipeline.add_twice"), ("launch_plans", "lp"))}
    server.restart(kill9=True)
    assert server.get("/api/v1/projects/" + p)[0] == 200
    for k, n in (("tasks", "math.add"), ("workflows", "pipeline.add_twice"), ("launch_plans", "lp")):
        assert server.get(path(k, p, n, "v1"))[1] == before[k]
    assert server.get("/api/v1/active_launch_plans/" + p + "/" + D + "/lp")[1]["id"]["version"] == "v1"
    assert server.post("/api/v1/tasks", task_request(p, "math.add"))[0] == 409


# ---- the single-task launch plan (FlyteAdmin's util/single_task_execution.go) ----

def fixed_length_id(name):
    """encoding.FixedLengthUniqueID(name, 30): fnv32a, base32 with Flyte's alphabet, "f" prefix."""
    import base64
    if len(name) <= 30:
        return name
    h = 0x811C9DC5
    for b in name.encode():
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    std = base64.b32encode(h.to_bytes(4, "big")).decode().rstrip("=")
    return "f" + std.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "abcdefghijklmnopqrstuvwxyz123456"))


@pytest.mark.parametrize("task_name", ["etl.extract_rows", "acme.pipelines.nightly_reports.build-summary_table"])
def test_executing_a_task_registers_its_flytegen_workflow_and_launch_plan(shared_server, task_name):
    s = shared_server
    p = new_project(s)
    req = task_request(p, task_name, inputs={"a": simple("INTEGER"), "b": simple("STRING")},
                       outputs={"o0": simple("INTEGER")})
    req["spec"]["template"]["metadata"]["retries"] = {"retries": 2}
    assert s.post("/api/v1/tasks", req)[0] == 200
    run = {"project": p, "domain": D, "name": "single-task-run",
           "spec": {"launch_plan": ident("TASK", p, task_name, "v1"), "metadata": {"mode": "MANUAL"}},
           "inputs": {"literals": {"a": integer(1), "b": {"scalar": {"primitive": {"string_value": "x"}}}}}}
    status, body = s.post("/api/v1/executions", run)
    assert status == 200, body
    gen = ".flytegen." + task_name
    status, lp = s.get(path("launch_plans", p, gen, "v1"))
    assert status == 200
    assert lp["spec"]["workflow_id"] == {**ident("WORKFLOW", p, gen, "v1"), "org": ""}
    params = lp["closure"]["expected_inputs"]["parameters"]
    assert {k: v["required"] for k, v in params.items()} == {"a": True, "b": True}
    assert set(lp["closure"]["expected_outputs"]["variables"]) == {"o0"}
    assert lp["closure"]["state"] == "INACTIVE"
    status, wf = s.get(path("workflows", p, gen, "v1"))
    assert status == 200
    tpl = wf["closure"]["compiled_workflow"]["primary"]["template"]
    node_id = fixed_length_id("".join(c for c in task_name if c.isalnum() or c == "-"))
    node = tpl["nodes"][2]
    assert node["id"] == node_id and node["metadata"]["name"] == node_id
    assert node["metadata"]["retries"] == {"retries": 2}
    assert node["task_node"]["reference_id"]["name"] == task_name
    assert sorted((b["var"], b["binding"]["promise"]["node_id"]) for b in node["inputs"]) == \
        [("a", "start-node"), ("b", "start-node")]
    assert tpl["outputs"] == [{"var": "o0", "binding": {"promise": {"node_id": node_id, "var": "o0", "attr_path": []},
                                                        "union": None}}]
    # A second execution reuses them.
    run["name"] = "single-task-run-2"
    assert s.post("/api/v1/executions", run)[0] == 200
    assert len(s.get(path("launch_plans", p, gen), limit=10)[1]["launch_plans"]) == 1

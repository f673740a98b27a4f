"""FlyteAdmin's list parameters (admin-api.md §5): every filter function, `+`-joined
expressions (percent-encoded or literal), `;` value lists, the optional space after the
comma, RFC 3339 values for time columns, joined-entity fields, sorting, offset tokens, and
FlyteAdmin's 400 messages for each kind of bad input."""
import pytest

from conftest import quote
from test_entities import (D, ident, launch_plan_request, new_project, task_request, two_step_workflow,
                           workflow_request, task_node)

# name, version, type of the registered tasks, in registration order
TASKS = [
    ("etl.extract", "v1", "raw-container"),
    ("etl.extract", "v2", "raw-container"),
    ("etl.transform", "v1", "raw-container"),
    ("etl.Transform_2", "v1", "container"),
    ("ml.train", "v10", "raw-container"),
    ("ml.train", "v3", "container"),
]


@pytest.fixture(scope="module")
def catalog(shared_server):
    """A project holding TASKS; returns (server, project, created_at per (name, version))."""
    s = shared_server
    p = new_project(s)
    created = {}
    for name, version, ttype in TASKS:
        req = task_request(p, name, version, image=f"img/{name}:{version}", description=f"{name} {version}")
        req["spec"]["template"]["type"] = ttype
        assert s.post("/api/v1/tasks", req)[0] == 200
        created[(name, version)] = s.get(f"/api/v1/tasks/{p}/{D}/{quote(name)}/{version}")[1]["closure"]["created_at"]
    return s, p, created


def listed(catalog, **query):
    s, p, _ = catalog
    status, body = s.get(f"/api/v1/tasks/{p}/{D}", limit=100, **query)
    assert status == 200, body
    return [(t["id"]["name"], t["id"]["version"]) for t in body["tasks"]]


def error(catalog, raw_query=None, **query):
    s, p, _ = catalog
    if raw_query is not None:
        status, body = s.request("GET", f"/api/v1/tasks/{p}/{D}?{raw_query}")
    else:
        status, body = s.get(f"/api/v1/tasks/{p}/{D}", **query)
    assert status == 400, body
    assert body["code"] == 3
    return body["message"]


def names(rows):
    return [f"{n}@{v}" for n, v in rows]


ALL = [f"{n}@{v}" for n, v, _ in TASKS]


@pytest.mark.parametrize("filters,want", [
    ("eq(name,etl.extract)", ["etl.extract@v1", "etl.extract@v2"]),
    ("ne(name,etl.extract)", ALL[2:]),
    ("gt(version,v2)", ["ml.train@v3"]),
    ("gte(version,v2)", ["etl.extract@v2", "ml.train@v3"]),
    ("lt(version,v10)", ["etl.extract@v1", "etl.transform@v1", "etl.Transform_2@v1"]),
    ("lte(version,v10)", ["etl.extract@v1", "etl.transform@v1", "etl.Transform_2@v1", "ml.train@v10"]),
    ("contains(name,transform)", ["etl.transform@v1"]),
    ("contains(name,Transform)", ["etl.Transform_2@v1"]),
    ("contains(name,t_ain)", ["ml.train@v10", "ml.train@v3"]),
    ("contains(name,m_2)", ["etl.Transform_2@v1"]),
    ("contains(name,\\_2)", ["etl.Transform_2@v1"]),
    ("contains(name,e%t)", ["etl.extract@v1", "etl.extract@v2", "etl.transform@v1", "etl.Transform_2@v1"]),
    ("not_like(name,etl.%)", ["ml.train@v10", "ml.train@v3"]),
    ("not_like(name,ml.train)", ALL[:4]),
    ("value_in(version,v2;v3)", ["etl.extract@v2", "ml.train@v3"]),
    ("value_in(version,v10)", ["ml.train@v10"]),
    ("value_not_in(version,v1;v2;v3)", ["ml.train@v10"]),
    ("eq(type,container)", ["etl.Transform_2@v1", "ml.train@v3"]),
    ("eq(short_description,ml.train v3)", ["ml.train@v3"]),
    ("eq(task.name,ml.train)", ["ml.train@v10", "ml.train@v3"]),
    ("eq(name, ml.train)", ["ml.train@v10", "ml.train@v3"]),
    ("eq(name,  ml.train)", []),
    ("eq(name,ml.train)+eq(version,v3)", ["ml.train@v3"]),
    ("value_in(name,etl.extract;ml.train)+ne(version,v1)+lt(version,v3)", ["etl.extract@v2", "ml.train@v10"]),
    ("eq(name,etl.extract)+eq(name,ml.train)", []),
])
def test_filter_functions(catalog, filters, want):
    assert names(listed(catalog, filters=filters)) == want


def test_a_literal_plus_separates_expressions_too(catalog):
    s, p, _ = catalog
    status, body = s.request("GET", f"/api/v1/tasks/{p}/{D}?limit=10&filters=eq(name,ml.train)+eq(version,v3)")
    assert status == 200
    assert [t["id"]["version"] for t in body["tasks"]] == ["v3"]


def test_time_filters_take_rfc3339(catalog):
    _, _, created = catalog
    third = created[("etl.transform", "v1")]
    assert names(listed(catalog, filters=f"gte(created_at,{third})")) == ALL[2:]
    assert names(listed(catalog, filters=f"lt(created_at,{third})")) == ALL[:2]
    assert names(listed(catalog, filters=f"eq(created_at,{third})")) == ["etl.transform@v1"]
    assert names(listed(catalog, filters="gt(created_at,2000-01-01T00:00:00Z)+lt(updated_at,2999-01-01T00:00:00-02:00)")) == ALL
    # '+' separates expressions before anything else, so a "+hh:mm" offset cannot be written.
    assert error(catalog, limit=5, filters="lt(created_at,2999-01-01T00:00:00+02:00)") == "invalid value for filters"
    assert listed(catalog, filters="lt(created_at,2000-01-01T00:00:00.5Z)") == []
    both = f"{created[('etl.extract', 'v1')]};{created[('ml.train', 'v3')]}"
    assert names(listed(catalog, filters=f"value_in(created_at,{both})")) == ["etl.extract@v1", "ml.train@v3"]
    assert error(catalog, limit=5, filters="gt(created_at,yesterday)") == \
        "Timestamp yesterday must conform to RFC3339 Nano spec"


@pytest.mark.parametrize("query,message", [
    ({"limit": 5, "filters": "foo(name,x)"}, "unrecognized filter function: foo"),
    ({"limit": 5, "filters": "eq(name,x)+like(name,y)"}, "unrecognized filter function: like"),
    ({"limit": 5, "filters": "eq(colour,red)"}, "'t.colour' is invalid filter"),
    ({"limit": 5, "filters": "eq(task.colour,red)"}, "'t.colour' is invalid filter"),
    ({"limit": 5, "filters": "eq(workflow.name,x)"}, "'w' entity is not allowed in filters"),
    ({"limit": 5, "filters": "eq(execution.phase,x)"}, "'e' entity is not allowed in filters"),
    ({"limit": 5, "filters": "eq(name,a,b)"}, "'t.name,a' is invalid filter"),
    ({"limit": 5, "filters": "name=x"}, "invalid value for filters"),
    ({"limit": 5, "filters": "eq(name)"}, "invalid value for filters"),
    ({"limit": 5, "filters": "eq(name,x)+"}, "invalid value for filters"),
    ({"limit": 5, "sort_by__key": "colour"}, "invalid sort key 'colour'"),
    ({"limit": 5, "sort_by__direction": "ASCENDING"}, "invalid sort key ''"),
    ({"limit": 5, "sort_by__key": "workflow.name"}, "invalid sort key 'workflow.name'"),
    ({"limit": 5, "token": "-1"}, "invalid pagination token -1 for ListTasks"),
    ({"limit": 5, "token": "next"}, "invalid pagination token next for ListTasks"),
    ({"limit": 0}, "invalid value for limit"),
    ({}, "invalid value for limit"),
    ({"limit": "ten"}, 'parsing field "limit": strconv.ParseUint: parsing "ten": invalid syntax'),
    ({"limit": "-3"}, 'parsing field "limit": strconv.ParseUint: parsing "-3": invalid syntax'),
])
def test_errors(catalog, query, message):
    assert error(catalog, **query) == message


def test_sorting(catalog):
    by = lambda **q: [v for _, v in listed(catalog, filters="eq(name,ml.train)", **q)]
    assert by(sort_by__key="version", sort_by__direction="ASCENDING") == ["v10", "v3"]
    assert by(sort_by__key="version", sort_by__direction="DESCENDING") == ["v3", "v10"]
    assert by(sort_by__key="version") == ["v3", "v10"], "DESCENDING is the default direction"
    assert by(sort_by__key="version", sort_by__direction="1") == ["v10", "v3"]
    assert names(listed(catalog, sort_by__key="created_at", sort_by__direction="DESCENDING")) == ALL[::-1]
    assert names(listed(catalog, sortBy__key="created_at", sortBy__direction="ASCENDING")) == ALL
    assert error(catalog, limit=5, sort_by__key="name", sort_by__direction="SIDEWAYS").startswith(
        'parsing field "sort_by.direction"')


def test_tokens_are_offsets(catalog):
    s, p, _ = catalog
    path = f"/api/v1/tasks/{p}/{D}"
    status, body = s.get(path, limit=4, sort_by__key="created_at", sort_by__direction="ASCENDING")
    assert [t["id"]["name"] for t in body["tasks"]] == [n for n, _, _ in TASKS[:4]] and body["token"] == "4"
    status, body = s.get(path, limit=4, token="4", sort_by__key="created_at", sort_by__direction="ASCENDING")
    assert len(body["tasks"]) == 2 and body["token"] == ""
    status, body = s.get(path, limit=3, token="3", sort_by__key="created_at", sort_by__direction="ASCENDING")
    assert len(body["tasks"]) == 3 and body["token"] == "6", "a full last page still yields a token"
    status, body = s.get(path, limit=3, token="6")
    assert (status, body) == (200, {"tasks": [], "token": ""})
    status, body = s.get(path, limit=3, token="+2", sort_by__key="created_at", sort_by__direction="ASCENDING")
    assert [t["id"]["version"] for t in body["tasks"]] == ["v1", "v1", "v10"] and body["token"] == "5"


def test_ids_lists_take_the_same_parameters(catalog):
    s, p, _ = catalog
    path = f"/api/v1/task_ids/{p}/{D}"
    status, body = s.get(path, limit=2, sort_by__key="name", sort_by__direction="ASCENDING")
    assert [e["name"] for e in body["entities"]] == ["etl.Transform_2", "etl.extract"] and body["token"] == "2"
    status, body = s.get(path, limit=2, token="2", sort_by__key="name", sort_by__direction="ASCENDING")
    assert [e["name"] for e in body["entities"]] == ["etl.transform", "ml.train"]
    status, body = s.get(path, limit=10, filters="contains(name,etl.)")
    assert [e["name"] for e in body["entities"]] == ["etl.extract", "etl.transform", "etl.Transform_2"]
    status, body = s.get(path)
    assert (status, body["message"]) == (400, "invalid value for limit")


def test_launch_plans_join_their_workflow_and_filter_on_state(shared_server):
    s = shared_server
    p = new_project(s)
    two_step_workflow(s, p)
    assert s.post("/api/v1/tasks", task_request(p, "noop", inputs={}, outputs={}))[0] == 200
    other = workflow_request(p, "other.wf", [task_node("n0", ident("TASK", p, "noop", "v1"), {})])
    assert s.post("/api/v1/workflows", other)[0] == 200
    for name, wf in (("lp.a", "pipeline.add_twice"), ("lp.b", "other.wf"), ("lp.c", "pipeline.add_twice")):
        assert s.post("/api/v1/launch_plans", launch_plan_request(p, name, wf))[0] == 200
    assert s.put(f"/api/v1/launch_plans/{p}/{D}/lp.c/v1", {"state": "ACTIVE"})[0] == 200
    lps = lambda **q: [lp["id"]["name"] for lp in s.get(f"/api/v1/launch_plans/{p}/{D}", limit=10, **q)[1]["launch_plans"]]
    assert lps(filters="eq(workflow.name,pipeline.add_twice)") == ["lp.a", "lp.c"]
    assert lps(filters="ne(workflow.name,pipeline.add_twice)+eq(workflow.version,v1)") == ["lp.b"]
    assert lps(filters="eq(state,1)") == ["lp.c"]
    assert lps(filters="eq(launch_plan.state,0)", sort_by__key="name") == ["lp.b", "lp.a"]
    status, body = s.get(f"/api/v1/launch_plans/{p}/{D}", limit=10, filters="eq(workflow.colour,x)")
    assert (status, body["message"]) == (400, "'w.colour' is invalid filter")
    status, body = s.get(f"/api/v1/launch_plans/{p}/{D}", limit=10, filters="eq(task.name,x)")
    assert (status, body["message"]) == (400, "'t' entity is not allowed in filters")
    status, body = s.get(f"/api/v1/launch_plans/{p}/{D}", limit=10, filters="eq(launch_plan.colour,x)")
    assert (status, body["message"]) == (400, "'l.colour' is invalid filter")


def test_project_lists(server):
    for pid in ("zeta", "alpha", "mid"):
        assert server.post("/api/v1/projects", {"project": {"id": pid, "name": pid.upper()}})[0] == 200
    ids = lambda **q: [x["id"] for x in server.get("/api/v1/projects", **q)[1]["projects"]]
    assert ids() == ["alpha", "flytesnacks", "mid", "zeta"], "identifier ascending by default"
    assert ids(sort_by__key="identifier") == ["zeta", "mid", "flytesnacks", "alpha"]
    assert ids(filters="eq(name,MID)") == ["mid"]
    assert ids(filters="value_in(identifier,zeta;alpha)") == ["alpha", "zeta"]
    status, body = server.get("/api/v1/projects", limit=2)
    assert (len(body["projects"]), body["token"]) == (2, "2")
    status, body = server.get("/api/v1/projects", limit=2, token="2")
    assert [x["id"] for x in body["projects"]] == ["mid", "zeta"] and body["token"] == "4"
    # FlyteAdmin compares the page size with the limit: no limit and no rows gives "0".
    assert server.get("/api/v1/projects", filters="eq(identifier,none)")[1] == {"projects": [], "token": "0"}
    status, body = server.get("/api/v1/projects", filters="eq(task.name,x)")
    assert (status, body["message"]) == (400, "'t' entity is not allowed in filters")
    status, body = server.get("/api/v1/projects", token="zz")
    assert (status, body["message"]) == (400, "invalid pagination token zz for ListProjects")

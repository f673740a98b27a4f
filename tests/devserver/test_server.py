"""The HTTP front end as grpc-gateway behaves (admin-api.md §2.5, §3, §4), the process
contract (first stdout line, SIGTERM), and the harness's own schema checks."""
import json
import os
import re
import signal
import subprocess
import time

import pytest

import conftest
import schema

URN = "/api/v1/dataproxy/artifact_urn"


def test_unknown_path_is_404_not_found(shared_server):
    for path in ("/api/v1/nope", "/nope", "/api/v2/tasks", "/api/v1/version/extra"):
        status, body = shared_server.get(path)
        assert (status, body) == (404, {"code": 5, "message": "Not Found", "details": []}), path


def test_known_path_with_the_wrong_method_is_501(shared_server):
    for method, path in (("PUT", "/api/v1/domains"), ("DELETE", "/api/v1/version"), ("GET", "/api/v1/dataproxy/artifact_link"),
                         ("PATCH", URN)):
        status, body = shared_server.request(method, path, {} if method != "GET" else None)
        assert status == 501, (method, path)
        assert body["code"] == 12


def test_unknown_field_in_a_body_is_400_naming_the_field(shared_server):
    status, body = shared_server.post(URN, {"project": "p", "bogus": 1})
    assert status == 400
    assert body["code"] == 3
    assert "bogus" in body["message"] and "unknown field" in body["message"]


def test_nested_bad_value_is_400_with_its_json_path(shared_server):
    status, body = shared_server.post("/api/v1/dataproxy/artifact_link",
                                      {"artifact_type": "ARTIFACT_TYPE_DECK",
                                       "node_execution_id": {"execution_id": {"project": 7}}})
    assert status == 400 and body["code"] == 3
    assert "node_execution_id.execution_id.project" in body["message"]


def test_malformed_json_is_400(shared_server):
    for text in ('{"project": ', "[1,2]", '"x"', "{'a':1}"):
        status, body = shared_server.post(URN, text)
        assert status == 400, text
        assert body["code"] == 3


def test_bad_enum_name_is_400(shared_server):
    status, body = shared_server.post("/api/v1/dataproxy/artifact_link", {"artifact_type": "DECK"})
    assert status == 400 and body["code"] == 3


def test_camel_case_request_fields_are_accepted(shared_server):
    status, body = shared_server.post(URN, {"project": "p", "domain": "d", "filenameRoot": "camel"})
    assert status == 200
    assert "/camel/" in body["native_url"]


def test_over_limit_body_is_413(server_factory):
    s = server_factory(max_body_bytes=1024)
    body = {"project": "p", "domain": "d", "filename_root": "r", "filename": "x" * 2000}
    status, resp = s.post(URN, body)
    assert status == 413
    assert resp["code"] == 8
    # exactly at the limit is fine
    pad = 1024 - len(json.dumps({"project": "p", "domain": "d", "filename_root": "r", "filename": ""}))
    body["filename"] = "y" * pad
    assert len(json.dumps(body)) == 1024
    assert s.post(URN, body)[0] == 200


def test_sigterm_exits_0(server):
    assert server.stop() == 0


def test_sigint_exits_0(server):
    proc, server.proc = server.proc, None
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) == 0


def test_restart_after_sigterm_and_kill9_keeps_serving(server):
    first = server.url
    server.restart()
    assert server.get("/api/v1/version")[0] == 200
    server.restart(kill9=True)
    assert server.get("/api/v1/version")[0] == 200
    assert server.starts == 3
    assert first.startswith("http://127.0.0.1:")


def test_listen_port_0_prints_the_url_first(tmp_path):
    proc = subprocess.Popen([conftest.BINARY, "--listen", "127.0.0.1:0", "--db", str(tmp_path / "db"),
                             "--data-dir", str(tmp_path / "data")], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        line = proc.stdout.readline().decode()
        m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)\n", line)
        assert m, line
        assert int(m.group(1)) > 0
        import http.client
        c = http.client.HTTPConnection("127.0.0.1", int(m.group(1)), timeout=10)
        c.request("GET", "/healthcheck")
        assert c.getresponse().status == 200
        c.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    assert proc.stdout.read() == b""  # the URL is the only thing on stdout


def test_bad_command_lines_exit_2(tmp_path):
    for args in (["--workers", "0"], ["--listen", "nohost"], ["--bogus"], ["extra"]):
        r = subprocess.run([conftest.BINARY, "--db", str(tmp_path / "db"), "--data-dir", str(tmp_path / "d")] + args,
                           capture_output=True, timeout=10)
        assert r.returncode == 2, args
        assert r.stdout == b""


def test_busy_port_fails_to_start(shared_server, tmp_path):
    r = subprocess.run([conftest.BINARY, "--listen", f"127.0.0.1:{shared_server.port}", "--db", str(tmp_path / "db"),
                        "--data-dir", str(tmp_path / "d")], capture_output=True, timeout=10)
    assert r.returncode == 1
    assert r.stdout == b""


def test_keep_alive_connection_serves_many_requests(shared_server):
    import http.client
    c = http.client.HTTPConnection(shared_server.host, shared_server.port, timeout=10)
    for _ in range(50):
        c.request("GET", "/api/v1/version", headers=conftest.JSON_HEADERS)
        r = c.getresponse()
        assert r.status == 200
        schema.check_response("GET", "/api/v1/version", 200, r.read().decode())
    c.close()


# ---- the harness itself: the checks must catch what they claim to ----

def test_schema_table_names_real_messages():
    for method, rx, req, resp in schema.ROUTES:
        assert method in ("GET", "POST", "PUT", "DELETE")
        schema.message_class(resp)
        if req:
            schema.message_class(req)
    assert schema.route("GET", "/api/v1/tasks/p/d/n/v") == (None, "flyteidl.admin.Task")
    assert schema.route("GET", "/api/v1/executions/p/d") == (None, "flyteidl.admin.ExecutionList")
    assert schema.route("POST", "/api/v1/executions/relaunch")[0] == "flyteidl.admin.ExecutionRelaunchRequest"
    assert schema.route("DELETE", "/api/v1/executions/p/d/n")[1] == "flyteidl.admin.ExecutionTerminateResponse"
    assert schema.route("GET", "/api/v1/tasks/p/d/n/v/extra") is None


VERSION = {"control_plane_version": {"Build": "b", "Version": "v", "BuildTime": "t"}}


@pytest.mark.parametrize("body,why", [
    ({"control_plane_version": {"Build": "b", "Version": "v"}}, "missing"),
    ({"control_plane_version": {"build": "b", "Version": "v", "BuildTime": "t"}}, "build"),
    ({"controlPlaneVersion": VERSION["control_plane_version"]}, "controlPlaneVersion"),
    ({}, "missing"),
    (dict(VERSION, extra=1), "extra"),
])
def test_schema_rejects_non_flyteadmin_responses(body, why):
    with pytest.raises(schema.SchemaError, match=why):
        schema.check_response("GET", "/api/v1/version", 200, json.dumps(body))


def test_schema_accepts_a_flyteadmin_response():
    schema.check_response("GET", "/api/v1/version", 200, json.dumps(VERSION))


def test_schema_checks_int64_enums_and_nulls():
    lit = {"scalar": {"primitive": {"integer": "3"}, "error": None}}
    ok = {"literals": {"x": dict(lit, hash="", metadata={})}}
    schema.check_response_style(schema.message_class("flyteidl.core.LiteralMap").DESCRIPTOR, ok)
    bad = {"literals": {"x": {"scalar": {"primitive": {"integer": 3}}, "hash": "", "metadata": {}}}}
    with pytest.raises(schema.SchemaError, match="64-bit"):
        schema.check_response_style(schema.message_class("flyteidl.core.LiteralMap").DESCRIPTOR, bad)
    ne = schema.message_class("flyteidl.admin.NamedEntityIdentifier").DESCRIPTOR
    with pytest.raises(schema.SchemaError, match="null for a scalar"):
        schema.check_response_style(ne, {"project": None, "domain": "", "name": "", "org": ""})


def test_schema_rejects_a_200_for_an_unlisted_route():
    with pytest.raises(schema.SchemaError, match="no response message"):
        schema.check_response("GET", "/api/v1/whatever", 200, "{}")


@pytest.mark.parametrize("status,body", [
    (404, {"code": 3, "message": "x", "details": []}),
    (400, {"code": 3, "message": "x"}),
    (400, {"code": "INVALID_ARGUMENT", "message": "x", "details": []}),
    (500, {"error": "x"}),
])
def test_schema_rejects_malformed_errors(status, body):
    with pytest.raises(schema.SchemaError):
        schema.check_response("GET", "/api/v1/version", status, json.dumps(body))


def test_schema_checks_request_bodies():
    assert schema.check_request("POST", "/api/v1/tasks", json.dumps({"id": {"name": "t"}})) is None
    assert "TaskCreateRequest" in schema.check_request("POST", "/api/v1/tasks", json.dumps({"idd": {}}))
    assert schema.check_request("GET", "/api/v1/tasks/p/d/n/v", "") is None


def test_the_harness_records_requests(server):
    server.post(URN, {"project": "p", "bogus": 1})
    method, path, data, status, req_error = server.requests[-1]
    assert (method, path, status) == ("POST", URN, 400)
    assert "bogus" in req_error


def test_schema_checks_error_details_in_response_style():
    wid = {"resource_type": "WORKFLOW", "project": "p", "domain": "d", "name": "n", "version": "v"}
    detail = {"@type": "type.googleapis.com/flyteidl.admin.CreateWorkflowFailureReason",
              "exists_identical_structure": {"id": wid}}
    body = {"code": 6, "message": "workflow with identical structure already exists", "details": [detail]}
    with pytest.raises(schema.SchemaError, match="org"):
        schema.check_response("POST", "/api/v1/workflows", 409, json.dumps(body))
    wid["org"] = ""
    schema.check_response("POST", "/api/v1/workflows", 409, json.dumps(body))

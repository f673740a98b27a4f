"""Which flyteidl message every dev-server route takes and answers, and the checks that
hold every request and response the test harness sees to the real IDL (PyPI flyteidl).

Responses are parsed with google.protobuf.json_format.Parse(ignore_unknown_fields=False)
and must also be in FlyteAdmin's response style (admin-api.md §3.1: proto field names,
every non-oneof field present, null for unset messages). Errors must be
{"code","message","details"} with the gRPC->HTTP status mapping of §4.2.
"""
import importlib
import json
import pkgutil
import re

import flyteidl
from google.protobuf import descriptor, json_format, symbol_database
from google.rpc import status_pb2


def _import_all_flyteidl():
    """Loads every flyteidl *_pb2 module so that the default pool knows every message
    (Any details in errors name arbitrary flyteidl types)."""
    for info in pkgutil.walk_packages(flyteidl.__path__, "flyteidl."):
        if info.name.endswith("_pb2"):
            importlib.import_module(info.name)


_import_all_flyteidl()
_DB = symbol_database.Default()

SEG = r"[^/]+"


def _p(*parts):
    """An anchored path regex; "*" stands for one path segment."""
    return re.compile("^" + "/".join(SEG if p == "*" else re.escape(p) for p in parts) + "$")


def _v1(*parts):
    return _p("", "api", "v1", *parts)


A = "flyteidl.admin."
S = "flyteidl.service."

# (method, path regex, request message or None, response message). Order matters: the
# first entry whose method and path match wins, so longer or literal paths come first.
ROUTES = [
    # tasks
    ("POST", _v1("tasks"), A + "TaskCreateRequest", A + "TaskCreateResponse"),
    ("GET", _v1("tasks", "*", "*", "*", "*"), None, A + "Task"),
    ("GET", _v1("tasks", "*", "*", "*"), None, A + "TaskList"),
    ("GET", _v1("tasks", "*", "*"), None, A + "TaskList"),
    ("GET", _v1("task_ids", "*", "*"), None, A + "NamedEntityIdentifierList"),
    # workflows
    ("POST", _v1("workflows"), A + "WorkflowCreateRequest", A + "WorkflowCreateResponse"),
    ("GET", _v1("workflows", "*", "*", "*", "*"), None, A + "Workflow"),
    ("GET", _v1("workflows", "*", "*", "*"), None, A + "WorkflowList"),
    ("GET", _v1("workflows", "*", "*"), None, A + "WorkflowList"),
    ("GET", _v1("workflow_ids", "*", "*"), None, A + "NamedEntityIdentifierList"),
    # launch plans
    ("POST", _v1("launch_plans"), A + "LaunchPlanCreateRequest", A + "LaunchPlanCreateResponse"),
    ("PUT", _v1("launch_plans", "*", "*", "*", "*"), A + "LaunchPlanUpdateRequest", A + "LaunchPlanUpdateResponse"),
    ("GET", _v1("launch_plans", "*", "*", "*", "*"), None, A + "LaunchPlan"),
    ("GET", _v1("launch_plans", "*", "*", "*"), None, A + "LaunchPlanList"),
    ("GET", _v1("launch_plans", "*", "*"), None, A + "LaunchPlanList"),
    ("GET", _v1("launch_plan_ids", "*", "*"), None, A + "NamedEntityIdentifierList"),
    ("GET", _v1("active_launch_plans", "*", "*", "*"), None, A + "LaunchPlan"),
    ("GET", _v1("active_launch_plans", "*", "*"), None, A + "LaunchPlanList"),
    # executions
    ("POST", _v1("executions", "relaunch"), A + "ExecutionRelaunchRequest", A + "ExecutionCreateResponse"),
    ("POST", _v1("executions", "recover"), A + "ExecutionRecoverRequest", A + "ExecutionCreateResponse"),
    ("POST", _v1("executions"), A + "ExecutionCreateRequest", A + "ExecutionCreateResponse"),
    ("GET", _v1("executions", "*", "*", "*"), None, A + "Execution"),
    ("PUT", _v1("executions", "*", "*", "*"), A + "ExecutionUpdateRequest", A + "ExecutionUpdateResponse"),
    ("DELETE", _v1("executions", "*", "*", "*"), A + "ExecutionTerminateRequest", A + "ExecutionTerminateResponse"),
    ("GET", _v1("executions", "*", "*"), None, A + "ExecutionList"),
    ("GET", _v1("data", "executions", "*", "*", "*"), None, A + "WorkflowExecutionGetDataResponse"),
    # node and task executions
    ("GET", _v1("node_executions", "*", "*", "*", "*", "dynamic_workflow"), None, A + "DynamicNodeWorkflowResponse"),
    ("GET", _v1("node_executions", "*", "*", "*", "*"), None, A + "NodeExecution"),
    ("GET", _v1("node_executions", "*", "*", "*"), None, A + "NodeExecutionList"),
    ("GET", _v1("data", "node_executions", "*", "*", "*", "*"), None, A + "NodeExecutionGetDataResponse"),
    ("GET", _v1("children", "task_executions", *["*"] * 9), None, A + "NodeExecutionList"),
    ("GET", _v1("task_executions", *["*"] * 9), None, A + "TaskExecution"),
    ("GET", _v1("task_executions", "*", "*", "*", "*"), None, A + "TaskExecutionList"),
    ("GET", _v1("data", "task_executions", *["*"] * 9), None, A + "TaskExecutionGetDataResponse"),
    # signals
    ("POST", _v1("signals"), A + "SignalSetRequest", A + "SignalSetResponse"),
    ("GET", _v1("signals", "*", "*", "*"), None, A + "SignalList"),
    # projects, domains, version
    ("POST", _v1("projects"), A + "ProjectRegisterRequest", A + "ProjectRegisterResponse"),
    ("GET", _v1("projects"), None, A + "Projects"),
    ("GET", _v1("projects", "*"), None, A + "Project"),
    ("PUT", _v1("projects", "*"), A + "Project", A + "ProjectUpdateResponse"),
    ("GET", _v1("domains"), None, A + "GetDomainsResponse"),
    ("GET", _v1("version"), None, A + "GetVersionResponse"),
    # data proxy
    ("POST", _v1("dataproxy", "artifact_urn"), S + "CreateUploadLocationRequest", S + "CreateUploadLocationResponse"),
    ("GET", _v1("dataproxy", "artifact_urn"), None, S + "CreateDownloadLocationResponse"),
    ("POST", _v1("dataproxy", "artifact_link"), S + "CreateDownloadLinkRequest", S + "CreateDownloadLinkResponse"),
    ("GET", _v1("data"), None, S + "GetDataResponse"),
    # auth discovery
    ("GET", _p("", ".well-known", "oauth-authorization-server"), None, S + "OAuth2MetadataResponse"),
    ("GET", _p("", "config", "v1", "flyte_client"), None, S + "PublicClientAuthConfigResponse"),
]

# Routes outside the gRPC gateway: their 200 bodies are not flyteidl messages.
HEALTHCHECK = _p("", "healthcheck")
OAUTH2_TOKEN = _p("", "oauth2", "token")
FILES = re.compile(r"^/files/.+$")

# gRPC code -> HTTP status (grpc-gateway HTTPStatusFromCode, admin-api.md §4.2).
HTTP_STATUS = {0: 200, 1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400,
               10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401}


class SchemaError(AssertionError):
    pass


def message_class(full_name):
    return _DB.GetSymbol(full_name)


def route(method, path):
    """(request message name or None, response message name) for a gateway route, or None."""
    for m, rx, req, resp in ROUTES:
        if m == method and rx.match(path):
            return req, resp
    return None


def is_gateway_path(path):
    """True when some method of the path is a gateway route (so errors are gRPC-shaped)."""
    return any(rx.match(path) for _, rx, _, _ in ROUTES)


# Well-known types have their own JSON forms; the style walk stops at them.
_WKT = {"google.protobuf." + n for n in (
    "Timestamp", "Duration", "Struct", "Value", "ListValue", "Any", "FieldMask", "Empty",
    "BoolValue", "StringValue", "BytesValue", "Int32Value", "Int64Value", "UInt32Value",
    "UInt64Value", "FloatValue", "DoubleValue")}


def _is_map(field):
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def _in_oneof(field):
    # protojson's EmitUnpopulated skips every unset field inside a oneof, synthetic ones
    # (proto3 `optional`) included.
    return field.containing_oneof is not None


def check_response_style(desc, value, path="$"):
    """FlyteAdmin's response JSON (UseProtoNames + EmitUnpopulated): keys are proto field
    names, every non-oneof field is present (null for unset messages), int64 are strings,
    enums are names. Raises SchemaError naming the JSON path."""
    if desc.full_name in _WKT:
        return
    if not isinstance(value, dict):
        raise SchemaError(f"{path}: expected an object for {desc.full_name}, got {json.dumps(value)[:200]}")
    for key in value:
        if key not in desc.fields_by_name:
            raise SchemaError(f"{path}: {key!r} is not a proto field name of {desc.full_name}")
    for f in desc.fields:
        p = f"{path}.{f.name}"
        if f.name not in value:
            if not _in_oneof(f):
                raise SchemaError(f"{p}: missing (responses carry every non-oneof field)")
            continue
        v = value[f.name]
        if _is_map(f):
            if not isinstance(v, dict):
                raise SchemaError(f"{p}: a map must be an object")
            vf = f.message_type.fields_by_name["value"]
            for k, item in v.items():
                _check_value(vf, item, f"{p}[{k!r}]")
        elif f.is_repeated:
            if not isinstance(v, list):
                raise SchemaError(f"{p}: a repeated field must be a list (empty is [])")
            for i, item in enumerate(v):
                _check_value(f, item, f"{p}[{i}]")
        elif v is None:
            if f.type != descriptor.FieldDescriptor.TYPE_MESSAGE:
                raise SchemaError(f"{p}: null for a scalar field")
        else:
            _check_value(f, v, p)


def _check_value(f, v, p):
    t = descriptor.FieldDescriptor
    if f.type == t.TYPE_MESSAGE:
        if v is not None:
            check_response_style(f.message_type, v, p)
    elif f.type in (t.TYPE_INT64, t.TYPE_UINT64, t.TYPE_SINT64, t.TYPE_FIXED64, t.TYPE_SFIXED64):
        if not isinstance(v, str):
            raise SchemaError(f"{p}: a 64-bit integer must be a JSON string, got {json.dumps(v)}")
    elif f.type == t.TYPE_ENUM:
        if not isinstance(v, str) or v not in f.enum_type.values_by_name:
            raise SchemaError(f"{p}: an enum must be one of its names, got {json.dumps(v)}")


def check_response(method, path, status, body_text):
    """Checks one response of a gateway route. Returns the decoded JSON (or None for an
    empty body). Raises SchemaError with the body and the reason."""
    try:
        value = json.loads(body_text) if body_text.strip() else None
    except ValueError as e:
        raise SchemaError(f"{method} {path} -> {status}: body is not JSON ({e}): {body_text[:2000]!r}")
    if status == 200:
        r = route(method, path)
        if r is None:
            raise SchemaError(f"{method} {path} -> 200 but tests/devserver/schema.py has no response "
                              f"message for it: add the route")
        cls = message_class(r[1])
        try:
            json_format.Parse(body_text, cls(), ignore_unknown_fields=False)
            check_response_style(cls.DESCRIPTOR, value)
        except (json_format.ParseError, SchemaError) as e:
            raise SchemaError(f"{method} {path} -> 200 is not a valid {r[1]}: {e}\nbody: {body_text[:4000]}")
        return value
    check_error(method, path, status, body_text, value)
    return value


def check_error(method, path, status, body_text, value):
    """Errors are google.rpc.Status JSON in grpc-gateway's shape with the matching status
    (413 for an over-limit body is the one HTTP-level exception: code 8)."""
    where = f"{method} {path} -> {status}"
    if not isinstance(value, dict) or set(value) != {"code", "message", "details"}:
        raise SchemaError(f"{where}: error body must be exactly {{code, message, details}}: {body_text[:2000]}")
    code = value["code"]
    if not isinstance(code, int) or isinstance(code, bool) or not isinstance(value["message"], str) \
            or not isinstance(value["details"], list):
        raise SchemaError(f"{where}: code must be a number, message a string, details a list: {body_text[:2000]}")
    want = 413 if status == 413 and code == 8 else HTTP_STATUS.get(code)
    if want != status:
        raise SchemaError(f"{where}: gRPC code {code} maps to HTTP {want}, not {status}")
    try:
        json_format.Parse(body_text, status_pb2.Status(), ignore_unknown_fields=False)
    except json_format.ParseError as e:
        raise SchemaError(f"{where}: error body is not a google.rpc.Status: {e}\nbody: {body_text[:2000]}")
    # Details are marshalled like responses (EmitUnpopulated, proto names).
    for i, d in enumerate(value["details"]):
        name = d["@type"].rsplit("/", 1)[-1]
        fields = {k: v for k, v in d.items() if k != "@type"}
        try:
            check_response_style(message_class(name).DESCRIPTOR, fields, f"$.details[{i}]")
        except SchemaError as e:
            raise SchemaError(f"{where}: {e}\nbody: {body_text[:2000]}")


def check_request(method, path, body_text):
    """None when the body parses strictly as the route's request message (or the route
    takes no JSON body), else the parse error text."""
    r = route(method, path)
    if r is None or r[0] is None or not body_text.strip():
        return None
    try:
        json_format.Parse(body_text, message_class(r[0])(), ignore_unknown_fields=False)
    except json_format.ParseError as e:
        return f"not a valid {r[0]}: {e}"
    return None

"""Integration-test harness for flyte-devserver.

Fixtures:
  server         a fresh server per test (tmp db and data dir). Parametrize it indirectly
                 with a dict of server_factory arguments, e.g.
                 @pytest.mark.parametrize("server", [{"auth_token": "s3cret"}], indirect=True)
  shared_server  one server per test module (faster; tests must not depend on a clean db)
  server_factory server_factory(auth_token=None, max_body_bytes=None, workers=2, args=())
                 starts another server; every one is stopped at teardown

Every server is started as
  $FLYTE_DEVSERVER --listen 127.0.0.1:0 --db <tmp>/db.sqlite --data-dir <tmp>/data --workers 2
(FLYTE_DEVSERVER defaults to <repo>/build/devserver/flyte-devserver; FLYTE_DEVSERVER_WRAPPER,
e.g. "valgrind -q --error-exitcode=99", runs it under a tool), its URL is the first stdout
line, and teardown stops it with SIGTERM and asserts exit status 0 within 10 s.

Client: server.post/put/delete(path, body) and server.get(path, **query) return (status, JSON
or None) and send Accept and Content-Type application/json (plus the bearer token when the
server has one; auth=False sends none); server.raw(method, path, data, headers) returns
(status, headers, bytes); server.restart(kill9=False); server.wait_execution(p, d, name).

Every request body sent to a gateway route is checked against its flyteidl request message,
and every response against its response message or the error shape (schema.py). A body
that is not valid flyteidl is allowed only if the server rejects it (negative tests); a
2xx answer to it fails the test.
"""
import http.client
import json
import os
import shlex
import signal
import subprocess
import time
import urllib.parse

import pytest

import schema

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("FLYTE_DEVSERVER") or os.path.join(REPO, "build", "devserver", "flyte-devserver")
WRAPPER = shlex.split(os.environ.get("FLYTE_DEVSERVER_WRAPPER", ""))
# Under valgrind everything is slower; the 10 s stop contract holds for the plain binary.
START_TIMEOUT = 120 if WRAPPER else 20
STOP_TIMEOUT = 60 if WRAPPER else 10

JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}


def encode_query(query):
    """Query string of keyword arguments: "__" in a key stands for "." (sort_by__key), lists
    repeat the key, and every reserved character is percent-encoded ('+' -> %2B, ';' -> %3B)."""
    items = []
    for k, v in query.items():
        k = k.replace("__", ".")
        for item in v if isinstance(v, (list, tuple)) else [v]:
            if isinstance(item, bool):
                item = "true" if item else "false"
            items.append((k, str(item)))
    return urllib.parse.urlencode(items, quote_via=urllib.parse.quote, safe="")


def quote(segment):
    """A path segment, percent-encoded."""
    return urllib.parse.quote(segment, safe="")


class DevServer:
    """One flyte-devserver process and a JSON client for it."""

    def __init__(self, workdir, auth_token=None, max_body_bytes=None, workers=2, args=()):
        os.makedirs(workdir, exist_ok=True)
        self.workdir = str(workdir)
        self.db_path = os.path.join(self.workdir, "db.sqlite")
        self.data_dir = os.path.join(self.workdir, "data")
        self.token = auth_token
        self.max_body_bytes = max_body_bytes
        self.workers = workers
        self.extra_args = list(args)
        self.proc = None
        self.url = None
        self.host = None
        self.port = None
        self.starts = 0
        self.log_path = os.path.join(self.workdir, "server.log")
        self.requests = []  # (method, path, body text, status, request schema error or None)

    # ---- process ----

    def command(self):
        cmd = WRAPPER + [BINARY, "--listen", "127.0.0.1:0", "--db", self.db_path, "--data-dir", self.data_dir,
                         "--workers", str(self.workers)]
        if self.token is not None:
            cmd += ["--auth-token", self.token]
        if self.max_body_bytes is not None:
            cmd += ["--max-body-bytes", str(self.max_body_bytes)]
        return cmd + self.extra_args

    def start(self):
        assert os.access(BINARY, os.X_OK), f"no dev server binary at {BINARY} (build it or set FLYTE_DEVSERVER)"
        self.starts += 1
        out_path = os.path.join(self.workdir, f"stdout.{self.starts}")
        with open(out_path, "wb") as out, open(self.log_path, "ab") as log:
            log.write(f"---- start {self.starts}: {shlex.join(self.command())}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(self.command(), stdout=out, stderr=log, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        first = None
        while time.monotonic() < deadline:
            with open(out_path, "rb") as f:
                text = f.read().decode()
            if "\n" in text:
                first = text.split("\n", 1)[0]
                break
            if self.proc.poll() is not None:
                self._fail(f"dev server exited with {self.proc.returncode} before printing its URL")
            time.sleep(0.01)
        if first is None:
            self.proc.kill()
            self.proc.wait()
            self._fail(f"dev server printed no URL within {START_TIMEOUT} s")
        parsed = urllib.parse.urlsplit(first)
        if parsed.scheme != "http" or parsed.hostname != "127.0.0.1" or not parsed.port or parsed.path:
            self._fail(f"first stdout line is not http://127.0.0.1:PORT: {first!r}")
        self.url, self.host, self.port = first, parsed.hostname, parsed.port
        while True:
            try:
                status, _, body = self.raw("GET", "/healthcheck", b"", {}, auth=False)
                if status == 200:
                    assert body == b"", f"/healthcheck body must be empty, got {body[:200]!r}"
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self._fail("GET /healthcheck did not answer 200")
            time.sleep(0.02)

    def stop(self, check=True):
        """SIGTERM; asserts exit status 0 within the stop timeout (unless check=False)."""
        if self.proc is None:
            return None
        proc, self.proc = self.proc, None
        if proc.poll() is not None:
            if check:
                self._fail(f"dev server died during the test (exit status {proc.returncode})")
            return proc.returncode
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            self._fail(f"dev server did not exit within {STOP_TIMEOUT} s of SIGTERM")
        if check and rc != 0:
            self._fail(f"dev server exited with status {rc} after SIGTERM")
        return rc

    def kill9(self):
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.kill()
            proc.wait()

    def restart(self, kill9=False):
        """Stops (kill -9, or SIGTERM with a checked exit) and starts again on the same
        database and data directory; the port changes, .url is updated."""
        if kill9:
            self.kill9()
        else:
            self.stop()
        return self.start()

    def log(self, tail=8000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-tail:]
        except OSError:
            return ""

    def _fail(self, why):
        pytest.fail(f"{why}\n---- server log ({self.log_path}) ----\n{self.log()}", pytrace=False)

    # ---- HTTP ----

    def raw(self, method, path, data=b"", headers=None, auth=True):
        """Sends exactly the given headers (plus the bearer token when the server has one
        and auth is true). Returns (status, headers, body bytes)."""
        h = dict(headers or {})
        if auth and self.token is not None and "Authorization" not in h:
            h["Authorization"] = "Bearer " + self.token
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            conn.request(method, path, body=data if data or method in ("POST", "PUT", "DELETE") else None,
                         headers=h)
            resp = conn.getresponse()
            body = resp.read()
            return resp.status, resp.headers, body
        finally:
            conn.close()

    def request(self, method, path, body=None, auth=True):
        """A JSON API call: body is a dict (sent as JSON), a str/bytes (sent as is) or None.
        Returns (status, decoded JSON or None), after the schema checks."""
        if body is None:
            data = b""
        elif isinstance(body, (bytes, str)):
            data = body.encode() if isinstance(body, str) else body
        else:
            data = json.dumps(body).encode()
        bare = path.split("?", 1)[0]
        req_error = schema.check_request(method, bare, data.decode(errors="replace"))
        status, headers, raw = self.raw(method, path, data, JSON_HEADERS, auth=auth)
        self.requests.append((method, path, data, status, req_error))
        text = raw.decode(errors="replace")
        if req_error and 200 <= status < 300:
            pytest.fail(f"{method} {path}: the server accepted a body that is not valid flyteidl "
                        f"({req_error})\nbody: {data[:2000]!r}", pytrace=False)
        try:
            if schema.HEALTHCHECK.match(bare):
                if status == 200:
                    assert raw == b"", "/healthcheck answers an empty body"
                    return status, None
            elif schema.OAUTH2_TOKEN.match(bare) or schema.FILES.match(bare):
                ctype = headers.get("Content-Type", "")
                return status, json.loads(text) if text and ctype.startswith("application/json") else None
            return status, schema.check_response(method, bare, status, text)
        except schema.SchemaError as e:
            pytest.fail(str(e), pytrace=False)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def delete(self, path, body=None, **kw):
        return self.request("DELETE", path, body, **kw)

    def get(self, path, auth=True, **query):
        """GET with query parameters as keywords (sort_by__key="created_at" for sort_by.key)."""
        qs = encode_query(query)
        return self.request("GET", path + ("?" + qs if qs else ""), None, auth=auth)

    # ---- conveniences ----

    def wait_execution(self, project, domain, name, timeout=60, poll=0.05):
        """Polls GetExecution until a terminal phase; returns the admin.Execution JSON."""
        deadline = time.monotonic() + timeout
        path = f"/api/v1/executions/{quote(project)}/{quote(domain)}/{quote(name)}"
        while True:
            status, ex = self.get(path)
            assert status == 200, ex
            if ex["closure"]["phase"] in ("SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"):
                return ex
            if time.monotonic() > deadline:
                pytest.fail(f"execution {project}/{domain}/{name} still {ex['closure']['phase']} "
                            f"after {timeout} s", pytrace=False)
            time.sleep(poll)


class _Factory:
    def __init__(self, base):
        self.base = base
        self.servers = []

    def __call__(self, **kw):
        s = DevServer(os.path.join(str(self.base), f"server{len(self.servers)}"), **kw)
        self.servers.append(s)
        return s.start()

    def stop_all(self):
        """Stops every server, even when one of them fails its check, then reports."""
        servers, self.servers = self.servers, []
        failure = None
        for s in servers:
            try:
                s.stop()
            except BaseException as e:  # pytest.fail raises outside Exception
                failure = failure or e
        if failure:
            raise failure


@pytest.fixture
def server_factory(tmp_path):
    f = _Factory(tmp_path)
    yield f
    f.stop_all()


@pytest.fixture
def server(request, server_factory):
    yield server_factory(**getattr(request, "param", {}))


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    f = _Factory(tmp_path_factory.mktemp("devserver"))
    s = f()
    yield s
    f.stop_all()

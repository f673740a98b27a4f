"""Client settings against the real FlyteAdmin: its gRPC port (HTTP port + 1) is named as
such, with where the HTTP API is; a flytectl configuration with authType Pkce (a browser
login flyteremote cannot do) does not stop a FlyteAdmin that needs no credentials.

FLYTEREMOTE_BUILD names the C build (default <repo>/build).
"""
import os
import subprocess
import urllib.parse

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("FLYTEREMOTE_BUILD") or os.path.join(REPO, "build")
CLI = os.path.join(BUILD, "cli", "flyte-remote")
EXIT_OK, EXIT_USAGE = 0, 2


def run(args, home, config=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE")}
    env["HOME"] = str(home)
    if config:
        env["FLYTECTL_CONFIG"] = str(config)
    p = subprocess.run([CLI] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def grpc_url(http_url):
    u = urllib.parse.urlsplit(http_url)
    return "http://%s:%d" % (u.hostname, u.port + 1)


@pytest.mark.parametrize("endpoint", ["url", "host:port"])
def test_the_grpc_port_is_named_with_where_the_http_api_is(admin_lab, tmp_path, endpoint):
    url = grpc_url(admin_lab.local_url)
    given = url if endpoint == "url" else url[len("http://"):]
    rc, out, err = run(["--endpoint", given, "--insecure", "list", "tasks"], tmp_path)
    assert rc == EXIT_USAGE, (rc, err)
    assert out == ""
    for needle in ["FlyteAdmin's gRPC port", "FlyteAdmin's HTTP API", "grpc-gateway", "same host",
                   "HTTP port", "8088", "8089"]:
        assert needle in err, err
    assert "The server at" not in err  # not "the server failed": the setting is wrong


def test_the_grpc_port_through_the_python_binding(admin_lab):
    import sys
    os.environ.setdefault("FLYTEREMOTE_LIB", os.path.join(BUILD, "libflyteremote.so"))
    sys.path.insert(0, os.path.join(REPO, "bindings", "python"))
    import flyteremote
    remote = flyteremote.FlyteRemote(grpc_url(admin_lab.local_url), project="flytesnacks", domain="development")
    with pytest.raises(flyteremote.InvalidInput) as e:
        remote.fetch_task("any.task")
    assert "gRPC port" in str(e.value) and "grpc-gateway" in str(e.value)


def test_authtype_pkce_does_not_stop_a_flyteadmin_without_auth(admin_lab, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("admin:\n  endpoint: dns:///flyte.example.invalid:443\n  authType: Pkce\n"
                      "  clientId: flytectl\n  insecure: false\n")
    spec = tmp_path / "task.yaml"
    spec.write_text("kind: task\nname: settings.pkce\nversion: \"1\"\nimage: alpine:3\ncommand: [echo]\n"
                    "inputs: {n: integer}\noutputs: {}\n")
    for args, needle in [(["register", str(spec)], "settings.pkce"),
                         (["list", "tasks"], "settings.pkce"),
                         (["get", "task", "settings.pkce"], "settings.pkce"),
                         (["run", "--task", "settings.pkce", "--input", "n=1"], ""),
                         (["list", "executions"], "settings.pkce")]:
        rc, out, err = run(["--endpoint", admin_lab.local_url] + args, tmp_path, config)
        assert rc == EXIT_OK, (args, err)
        assert needle in out, (args, out)

"""Health check, version, domains, and auth: bearer tokens, discovery and the OAuth2
client-credentials token endpoint (admin-api.md §2.4, §2.5)."""
import base64
import json
import urllib.parse

import pytest

TOKEN = "devserver-test-token"
AUTH = [{"auth_token": TOKEN}]


def form(**fields):
    return urllib.parse.urlencode(fields).encode()


FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


def test_healthcheck_is_200_with_an_empty_body(shared_server):
    status, headers, body = shared_server.raw("GET", "/healthcheck")
    assert (status, body) == (200, b"")
    assert shared_server.get("/healthcheck") == (200, None)


def test_version_reports_the_flyteremote_version(shared_server):
    status, body = shared_server.get("/api/v1/version")
    assert status == 200
    v = body["control_plane_version"]
    assert v["Version"] == "0.1.0"
    assert v["Build"] and v["BuildTime"]


def test_version_matches_version_h(shared_server):
    import os
    import re

    import conftest
    with open(os.path.join(conftest.REPO, "include", "flyte", "version.h")) as f:
        want = re.search(r'#define FLYTE_VERSION_STRING "([^"]+)"', f.read()).group(1)
    assert shared_server.get("/api/v1/version")[1]["control_plane_version"]["Version"] == want


def test_domains_are_the_three_defaults(shared_server):
    status, body = shared_server.get("/api/v1/domains")
    assert status == 200
    assert body == {"domains": [{"id": d, "name": d} for d in ("development", "staging", "production")]}


def test_wrong_method_on_a_meta_route_is_501(shared_server):
    status, body = shared_server.post("/api/v1/version", {})
    assert status == 501 and body["code"] == 12


def test_discovery_without_auth_is_501_unknown_service(shared_server):
    for path in ("/.well-known/oauth-authorization-server", "/config/v1/flyte_client"):
        status, body = shared_server.get(path)
        assert status == 501, path
        assert body == {"code": 12, "message": "unknown service flyteidl.service.AuthMetadataService",
                        "details": []}


def test_token_endpoint_without_auth_is_404(shared_server):
    status, _, body = shared_server.raw("POST", "/oauth2/token", form(grant_type="client_credentials"),
                                        FORM_HEADERS)
    assert status == 404
    assert json.loads(body)["code"] == 5


def test_api_without_auth_needs_no_token(shared_server):
    status, _, _ = shared_server.raw("GET", "/api/v1/domains", b"", {"Accept": "application/json"})
    assert status == 200


@pytest.mark.parametrize("server", AUTH, indirect=True)
def test_auth_on_rejects_missing_and_wrong_tokens(server):
    status, body = server.get("/api/v1/domains", auth=False)
    assert status == 401 and body["code"] == 16
    status, headers, _ = server.raw("GET", "/api/v1/version", b"", {"Accept": "application/json"}, auth=False)
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    for bad in ("Bearer wrong", "Bearer " + TOKEN + "x", "Basic " + TOKEN, TOKEN):
        status, _, _ = server.raw("GET", "/api/v1/version", b"", {"Authorization": bad})
        assert status == 401, bad


@pytest.mark.parametrize("server", AUTH, indirect=True)
def test_auth_on_accepts_the_token(server):
    assert server.token == TOKEN
    assert server.get("/api/v1/domains")[0] == 200
    # flyte-authorization is FlyteAdmin's default authorization_metadata_key
    status, _, _ = server.raw("GET", "/api/v1/version", b"", {"flyte-authorization": "Bearer " + TOKEN}, auth=False)
    assert status == 200
    status, _, _ = server.raw("GET", "/api/v1/version", b"", {"Authorization": "bearer " + TOKEN}, auth=False)
    assert status == 200


@pytest.mark.parametrize("server", AUTH, indirect=True)
def test_public_routes_need_no_token(server):
    assert server.raw("GET", "/healthcheck", b"", {}, auth=False)[0] == 200
    assert server.get("/.well-known/oauth-authorization-server", auth=False)[0] == 200
    assert server.get("/config/v1/flyte_client", auth=False)[0] == 200


@pytest.mark.parametrize("server", AUTH, indirect=True)
def test_discovery_with_auth_answers_as_flyteadmin(server):
    status, md = server.get("/.well-known/oauth-authorization-server", auth=False)
    assert status == 200
    assert md["issuer"] == server.url
    assert md["token_endpoint"] == server.url + "/oauth2/token"
    assert md["grant_types_supported"] == ["client_credentials"]
    assert "client_secret_basic" in md["token_endpoint_auth_methods_supported"]
    status, cfg = server.get("/config/v1/flyte_client", auth=False)
    assert status == 200
    assert cfg["client_id"] == "flytectl"
    assert cfg["authorization_metadata_key"] == "flyte-authorization"
    assert cfg["scopes"] == ["all"]


def _token_flow(server, headers, body):
    """Discovers the token endpoint and runs a client-credentials grant against it."""
    _, md = server.get("/.well-known/oauth-authorization-server", auth=False)
    path = urllib.parse.urlsplit(md["token_endpoint"]).path
    status, h, raw = server.raw("POST", path, body, headers, auth=False)
    return status, h, json.loads(raw)


@pytest.mark.parametrize("server", AUTH, indirect=True)
def test_client_credentials_with_secret_in_the_form(server):
    status, _, tok = _token_flow(server, FORM_HEADERS, form(grant_type="client_credentials", client_id="flytectl",
                                                            client_secret=TOKEN, scope="all"))
    assert status == 200
    assert tok == {"access_token": TOKEN, "token_type": "bearer", "expires_in": 3600}
    status, _, _ = server.raw("GET", "/api/v1/domains", b"",
                              {"Authorization": "Bearer " + tok["access_token"]}, auth=False)
    assert status == 200


@pytest.mark.parametrize("server", AUTH, indirect=True)
def test_client_credentials_with_http_basic(server):
    basic = base64.b64encode(f"any-client:{urllib.parse.quote(TOKEN)}".encode()).decode()
    status, _, tok = _token_flow(server, dict(FORM_HEADERS, Authorization="Basic " + basic),
                                 form(grant_type="client_credentials"))
    assert status == 200 and tok["access_token"] == TOKEN


@pytest.mark.parametrize("server", AUTH, indirect=True)
def test_token_endpoint_rejects_bad_secrets_and_grants(server):
    status, _, err = _token_flow(server, FORM_HEADERS, form(grant_type="client_credentials", client_secret="nope"))
    assert status == 401 and err["error"] == "invalid_client"
    status, _, err = _token_flow(server, FORM_HEADERS, form(grant_type="client_credentials"))
    assert status == 401 and err["error"] == "invalid_client"
    status, _, err = _token_flow(server, FORM_HEADERS, form(grant_type="password", client_secret=TOKEN))
    assert status == 400 and err["error"] == "unsupported_grant_type"
    status, _, err = _token_flow(server, FORM_HEADERS, b"")
    assert status == 400 and err["error"] == "unsupported_grant_type"

"""DataProxyService: upload locations, signed PUT/GET on /files/, download links
(admin-api.md §2.3; FlyteAdmin's flyteadmin/dataproxy/service.go)."""
import base64
import datetime
import hashlib
import os
import re
import threading
import time
import urllib.parse

import pytest

URN = "/api/v1/dataproxy/artifact_urn"
LINK = "/api/v1/dataproxy/artifact_link"
P, D = "flytesnacks", "development"


def b64md5(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def location(server, status=200, **fields):
    body = {"project": P, "domain": D}
    body.update(fields)
    got, resp = server.post(URN, body)
    assert got == status, resp
    return resp


def put(server, signed_url, data, headers=None):
    u = urllib.parse.urlsplit(signed_url)
    assert f"{u.scheme}://{u.netloc}" == server.url
    status, _, body = server.raw("PUT", u.path + "?" + u.query, data, headers or {})
    return status, body


def get(server, signed_url):
    u = urllib.parse.urlsplit(signed_url)
    status, headers, body = server.raw("GET", u.path + "?" + u.query, b"", {})
    return status, body


def local_path(server, native_url):
    assert native_url.startswith("file://")
    path = native_url[len("file://"):]
    assert path.startswith(os.path.realpath(server.data_dir) + "/uploads/")
    return path


def parse_ts(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_upload_by_md5_then_put_writes_the_bytes(shared_server):
    data = b"hello \x00 world\n" * 100
    loc = location(shared_server, content_md5=b64md5(data), filename="hello.bin")
    root = base64.b32encode(hashlib.md5(data).digest()).decode()
    assert loc["native_url"] == (f"file://{os.path.realpath(shared_server.data_dir)}/uploads/{P}/{D}/"
                                 f"{root}/hello.bin")
    assert loc["signed_url"].startswith(shared_server.url + "/files/uploads/")
    assert re.search(r"\?token=[A-Za-z0-9_-]{20,}$", loc["signed_url"])
    assert loc["headers"] == {"Content-MD5": b64md5(data)}
    assert abs(parse_ts(loc["expires_at"]) - (time.time() + 3600)) < 60
    status, body = put(shared_server, loc["signed_url"], data, loc["headers"])
    assert (status, body) == (200, b"")
    with open(local_path(shared_server, loc["native_url"]), "rb") as f:
        assert f.read() == data


def test_filename_root_without_md5_needs_no_header(shared_server):
    loc = location(shared_server, filename_root="fast-abc", filename="pkg.tar.gz")
    assert loc["headers"] == {}
    assert loc["native_url"].endswith(f"/uploads/{P}/{D}/fast-abc/pkg.tar.gz")
    assert put(shared_server, loc["signed_url"], b"tarball")[0] == 200
    with open(local_path(shared_server, loc["native_url"]), "rb") as f:
        assert f.read() == b"tarball"


def test_omitted_filename_is_random(shared_server):
    a = location(shared_server, filename_root="r")["native_url"]
    b = location(shared_server, filename_root="r")["native_url"]
    assert a != b
    assert re.fullmatch(r"[bcdfghjklmnpqrstvwxz2456789]{20}", a.rsplit("/", 1)[1])


def test_a_signed_url_can_be_used_again_and_overwrites(shared_server):
    loc = location(shared_server, filename_root="again", filename="f")
    assert put(shared_server, loc["signed_url"], b"one")[0] == 200
    assert put(shared_server, loc["signed_url"], b"two")[0] == 200
    with open(local_path(shared_server, loc["native_url"]), "rb") as f:
        assert f.read() == b"two"


def test_content_md5_is_enforced(shared_server):
    data = b"payload"
    loc = location(shared_server, content_md5=b64md5(data), filename="x")
    path = local_path(shared_server, loc["native_url"])
    assert put(shared_server, loc["signed_url"], data)[0] == 400  # header missing
    assert put(shared_server, loc["signed_url"], data, {"Content-MD5": b64md5(b"other")})[0] == 400
    assert put(shared_server, loc["signed_url"], b"tampered", loc["headers"])[0] == 400
    assert not os.path.exists(path)
    assert put(shared_server, loc["signed_url"], data, loc["headers"])[0] == 200
    assert os.path.exists(path)


def test_an_unsigned_content_md5_header_is_still_checked(shared_server):
    loc = location(shared_server, filename_root="free", filename="f")
    assert put(shared_server, loc["signed_url"], b"abc", {"Content-MD5": b64md5(b"abd")})[0] == 400
    assert put(shared_server, loc["signed_url"], b"abc", {"Content-MD5": b64md5(b"abc")})[0] == 200


def test_bad_missing_or_foreign_tokens_are_403(shared_server):
    loc = location(shared_server, filename_root="tok", filename="f")
    other = location(shared_server, filename_root="tok", filename="g")
    u = urllib.parse.urlsplit(loc["signed_url"])
    other_token = urllib.parse.parse_qs(urllib.parse.urlsplit(other["signed_url"]).query)["token"][0]
    for q in ("", "?token=", "?token=nope", "?token=" + other_token):
        status, _, body = shared_server.raw("PUT", u.path + q, b"x", {})
        assert status == 403, q
    assert not os.path.exists(local_path(shared_server, loc["native_url"]))


def test_an_upload_token_does_not_allow_downloads(shared_server):
    loc = location(shared_server, filename_root="up", filename="f")
    assert put(shared_server, loc["signed_url"], b"secret")[0] == 200
    assert get(shared_server, loc["signed_url"])[0] == 403


def test_expired_upload_urls_are_403(shared_server):
    loc = location(shared_server, filename_root="exp", filename="f", expires_in="0.200s")
    time.sleep(0.4)
    assert put(shared_server, loc["signed_url"], b"late")[0] == 403


def test_expires_in_sets_expires_at(shared_server):
    loc = location(shared_server, filename_root="e", expires_in="600s")
    assert abs(parse_ts(loc["expires_at"]) - (time.time() + 600)) < 30


@pytest.mark.parametrize("path", [
    "/files/uploads/../../escape", "/files/uploads/%2e%2e/%2e%2e/escape", "/files/../escape",
    "/files/uploads//x", "/files/uploads/./x", "/files/uploads/x/",
])
def test_paths_outside_the_data_dir_are_rejected(shared_server, path):
    loc = location(shared_server, filename_root="trav", filename="f")
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(loc["signed_url"]).query)["token"][0]
    for method in ("PUT", "GET"):
        status, _, _ = shared_server.raw(method, path + "?token=" + token, b"x" if method == "PUT" else b"", {})
        assert status == 400, (method, path, status)
    assert not os.path.exists(os.path.join(shared_server.workdir, "escape"))
    assert not os.path.exists(os.path.join(os.path.dirname(shared_server.workdir), "escape"))


@pytest.mark.parametrize("fields", [
    {"filename_root": "..", "filename": "x"}, {"filename_root": "r", "filename": "../../x"},
    {"filename_root": "r", "filename": "/abs"}, {"project": "..", "filename_root": "r"},
])
def test_upload_locations_outside_the_data_dir_are_400(shared_server, fields):
    resp = location(shared_server, 400, **fields)
    assert resp["code"] == 3


def test_existing_file_with_other_md5_is_409(shared_server):
    data = b"version one"
    loc = location(shared_server, filename_root="known", filename="data.csv", content_md5=b64md5(data))
    assert put(shared_server, loc["signed_url"], data, loc["headers"])[0] == 200
    for md5 in (b64md5(b"version two"), None):
        fields = {"filename_root": "known", "filename": "data.csv"}
        if md5:
            fields["content_md5"] = md5
        resp = location(shared_server, 409, **fields)
        assert resp["code"] == 6
        assert resp["message"] == (f"file already exists at location [{loc['native_url']}], "
                                   f"specify a matching hash if you wish to rewrite")
    # the same content may be uploaded again
    again = location(shared_server, filename_root="known", filename="data.csv", content_md5=b64md5(data))
    assert again["native_url"] == loc["native_url"]


def test_existing_file_without_filename_root_is_not_checked(shared_server):
    data = b"by hash"
    loc = location(shared_server, content_md5=b64md5(data), filename="same")
    assert put(shared_server, loc["signed_url"], data, loc["headers"])[0] == 200
    location(shared_server, content_md5=b64md5(data), filename="same")


@pytest.mark.parametrize("fields,message", [
    ({"project": "", "filename_root": "r"}, "project and domain are required parameters"),
    ({"domain": "", "filename_root": "r"}, "project and domain are required parameters"),
    ({}, "content_md5 or filename_root is a required parameter"),
    ({"filename": "only-a-name"}, "content_md5 or filename_root is a required parameter"),
    ({"filename_root": "r", "expires_in": "7200s"},
     "expiresIn [2h0m0s] cannot exceed max allowed expiration [1h0m0s]"),
    ({"filename_root": "r", "expires_in": "3600.500s"},
     "expiresIn [1h0m0.5s] cannot exceed max allowed expiration [1h0m0s]"),
])
def test_upload_validation_matches_flyteadmin(shared_server, fields, message):
    resp = location(shared_server, 400, **fields)
    assert resp == {"code": 3, "message": message, "details": []}


def test_upload_at_max_expiry_is_accepted(shared_server):
    location(shared_server, filename_root="r", expires_in="3600s")


def test_upload_tokens_survive_a_restart(server):
    data = b"persisted"
    loc = location(server, content_md5=b64md5(data), filename="p")
    path = urllib.parse.urlsplit(loc["signed_url"])
    server.restart(kill9=True)
    status, _, _ = server.raw("PUT", path.path + "?" + path.query, data, loc["headers"])
    assert status == 200
    with open(local_path(server, loc["native_url"]), "rb") as f:
        assert f.read() == data


def test_concurrent_puts_leave_one_whole_file(shared_server):
    loc = location(shared_server, filename_root="race", filename="f")
    bodies = [bytes([65 + i]) * 200000 for i in range(8)]
    results = []

    def upload(b):
        results.append(put(shared_server, loc["signed_url"], b)[0])

    threads = [threading.Thread(target=upload, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * len(bodies)
    path = local_path(shared_server, loc["native_url"])
    with open(path, "rb") as f:
        assert f.read() in bodies
    assert os.listdir(os.path.dirname(path)) == ["f"]  # no temporary files left behind


def test_download_location_serves_an_uploaded_file(shared_server):
    data = os.urandom(5000)
    loc = location(shared_server, content_md5=b64md5(data), filename="blob")
    assert put(shared_server, loc["signed_url"], data, loc["headers"])[0] == 200
    status, dl = shared_server.get(URN, native_url=loc["native_url"], expires_in="60s")
    assert status == 200
    assert abs(parse_ts(dl["expires_at"]) - (time.time() + 60)) < 30
    assert get(shared_server, dl["signed_url"]) == (200, data)
    u = urllib.parse.urlsplit(dl["signed_url"])
    assert shared_server.raw("GET", u.path + "?token=wrong", b"", {})[0] == 403
    assert shared_server.raw("PUT", u.path + "?" + u.query, b"x", {})[0] == 403  # downloads only


def test_download_location_validation(shared_server):
    status, resp = shared_server.get(URN, native_url="s3://bucket/key")
    assert status == 500 and resp["code"] == 13
    status, resp = shared_server.get(URN, native_url="file:///etc/passwd")
    assert status == 500
    status, resp = shared_server.get(URN, native_url="file://" + os.path.realpath(shared_server.data_dir)
                                     + "/../db.sqlite")
    assert status == 500
    status, resp = shared_server.get(URN, native_url="file:///x", expires_in="7200s")
    assert status == 400
    assert resp["message"] == ("error while validating request: expiresIn is invalid. Error: input duration "
                               "[2h0m0s] cannot exceed max allowed expiration [1h0m0s]")


NODE = {"node_id": "n0", "execution_id": {"project": P, "domain": D, "name": "abc"}}


@pytest.mark.parametrize("body,message", [
    ({}, "error while validating request. Error: invalid artifact type [ARTIFACT_TYPE_UNDEFINED]"),
    ({"node_execution_id": NODE},
     "error while validating request. Error: invalid artifact type [ARTIFACT_TYPE_UNDEFINED]"),
    ({"artifact_type": "ARTIFACT_TYPE_DECK"}, "error while validating request. Error: source is required. Provided nil"),
    ({"artifact_type": "ARTIFACT_TYPE_DECK", "node_execution_id": NODE, "expires_in": "7200s"},
     "error while validating request. Error: expiresIn is invalid. Error: input duration [2h0m0s] cannot exceed "
     "max allowed expiration [1h0m0s]"),
    ({"artifact_type": "ARTIFACT_TYPE_DECK", "node_execution_id": NODE, "expires_in": "-1s"},
     "error while validating request. Error: expiresIn is invalid. Error: input duration [-1s] should not less than 0"),
])
def test_download_link_validation(shared_server, body, message):
    status, resp = shared_server.post(LINK, body)
    assert status == 400
    assert resp == {"code": 3, "message": message, "details": []}


def test_download_link_for_a_deck_finds_none(shared_server):
    # The dev server's tasks write no decks; FlyteAdmin answers INTERNAL "no deckUrl found".
    status, resp = shared_server.post(LINK, {"artifact_type": "ARTIFACT_TYPE_DECK", "node_execution_id": NODE})
    assert status == 500 and resp["code"] == 13
    assert resp["message"].startswith("no deckUrl found for request [")


def test_upload_bodies_count_against_the_body_limit(server_factory):
    s = server_factory(max_body_bytes=4096)
    loc = location(s, filename_root="big", filename="f")
    assert put(s, loc["signed_url"], b"x" * 4096)[0] == 200
    assert put(s, loc["signed_url"], b"y" * 4097)[0] == 413
    with open(local_path(s, loc["native_url"]), "rb") as f:
        assert f.read() == b"x" * 4096


def test_download_of_a_missing_file_or_a_directory_is_404(shared_server):
    base = "file://" + os.path.realpath(shared_server.data_dir)
    os.makedirs(os.path.join(shared_server.data_dir, "uploads", "somedir"), exist_ok=True)
    for native in (base + "/uploads/not-there", base + "/uploads/somedir"):
        status, dl = shared_server.get(URN, native_url=native)
        assert status == 200  # FlyteAdmin signs without looking, as S3 does
        status, body = get(shared_server, dl["signed_url"])
        assert status == 404, native
        assert body == b'{"code":5,"message":"object not found","details":[]}'

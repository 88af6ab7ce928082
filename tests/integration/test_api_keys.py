"""API keys: the rules on the in-memory fake and on PostgreSQL alike, then through the Chalice app."""

from __future__ import annotations

import pytest

from api.log import logger
from chalicelib.adapters.postgres_api_keys import PostgresApiKeys
from chalicelib.domain.api_keys import ApiKeyService, hash_secret
from chalicelib.domain.errors import AuthenticationFailed, Forbidden, InvalidInput, NotFound
from tests.fakes.accounts import MemoryUsers
from tests.fakes.api_keys import MemoryApiKeys
from tests.support.logs import captured


@pytest.fixture
def settings(make_settings, page_server):
    return make_settings(egress_allow=f"127.0.0.1:{page_server.port}")


@pytest.fixture(params=["memory", "postgres"])
def keys_and_users(request):
    if request.param == "memory":
        return MemoryApiKeys(), MemoryUsers()
    wired = request.getfixturevalue("wired")
    return PostgresApiKeys(wired.database), wired.users


@pytest.fixture
def service(keys_and_users):
    return ApiKeyService(*keys_and_users)


@pytest.fixture
def owner(keys_and_users):
    return keys_and_users[1].add("owner@example.com", "hash")


def test_a_key_is_256_random_bits_shown_once_and_stored_only_as_a_hash(service, keys_and_users, owner):
    issued = service.create(owner, "ci", None)
    assert issued.secret.startswith("pp_") and len(issued.secret) == 46
    assert issued.key.scopes == ("convert", "read", "delete") and issued.secret.startswith(issued.key.prefix)
    assert keys_and_users[0].by_hash(hash_secret(issued.secret)).id == issued.key.id
    assert service.authenticate(issued.secret, "read")[0].id == owner.id
    assert service.list(owner)[0].last_used_at is not None


def test_scopes_limit_what_a_key_may_do(service, owner):
    reader = service.create(owner, "reader", ["read"]).secret
    assert service.authenticate(reader, "read")[0].id == owner.id
    with pytest.raises(Forbidden) as refused:
        service.authenticate(reader, "delete")
    assert refused.value.code == "insufficient_scope"


def test_unknown_revoked_and_malformed_keys_are_refused_alike(service, owner):
    issued = service.create(owner, "soon gone", None)
    service.revoke(owner, issued.key.id)
    codes = set()
    for secret in (issued.secret, "pp_" + "A" * 43, "pp_short", "pp_" + "!" * 43, "pp_" + "a" * 4000):
        with pytest.raises(AuthenticationFailed) as refused:
            service.authenticate(secret, "read")
        codes.add((refused.value.code, refused.value.message))
    assert len(codes) == 1


def test_only_the_owner_revokes_and_bad_input_names_its_field(service, keys_and_users, owner):
    other = keys_and_users[1].add("other@example.com", "hash")
    issued = service.create(owner, "mine", None)
    for who, key_id in ((other, issued.key.id), (owner, "not-a-uuid"), (owner, "00000000-0000-0000-0000-000000000000")):
        with pytest.raises(NotFound):
            service.revoke(who, key_id)
    assert [k.id for k in service.list(owner)] == [issued.key.id]
    for name, scopes, field in (
        ("", None, "name"),
        ("x" * 101, None, "name"),
        (3, None, "name"),
        ("nul\x00", None, "name"),
        ("k", [], "scopes"),
        ("k", ["write"], "scopes"),
        ("k", "read", "scopes"),
    ):
        with pytest.raises(InvalidInput) as bad:
            service.create(owner, name, scopes)
        assert bad.value.field == field


# --- through the app -------------------------------------------------------------------------


def _key(http, token, **body):
    created = http.call("POST", "/keys", {"name": "script", **body}, token=token)
    assert created.status_code == 201, created.json
    return created.json


def test_a_key_requests_lists_and_deletes_as_its_scopes_allow(http, page_server):
    token = http.token()
    full = _key(http, token)
    assert set(full) == {"id", "name", "scopes", "prefix", "created_at", "last_used_at", "key"}
    url = page_server.page("/k", "<title>K</title>")
    requested = http.call("POST", "/request", {"url": url}, token=full["key"])
    assert requested.status_code == 202, requested.json
    listed = http.call("GET", "/files", token=full["key"])
    assert [f["name"] for f in listed.json["files"]] == [requested.json["name"]]
    reader = _key(http, token, name="reader", scopes=["read"])["key"]
    refused = http.call("DELETE", f"/file/{requested.json['name']}", token=reader)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "insufficient_scope"
    assert http.call("POST", "/request", {"url": url}, token=reader).status_code == 403
    assert http.call("DELETE", f"/file/{requested.json['name']}", token=full["key"]).status_code == 204


def test_keys_are_listed_without_secrets_and_revoked_at_once(http):
    token = http.token()
    issued = _key(http, token)
    listed = http.call("GET", "/keys", token=token).json["keys"]
    assert [k["id"] for k in listed] == [issued["id"]] and "key" not in listed[0]
    assert issued["key"] not in str(listed)
    assert http.call("GET", "/files", token=issued["key"]).status_code == 200
    assert http.call("DELETE", f"/keys/{issued['id']}", token=token).status_code == 204
    refused = http.call("GET", "/files", token=issued["key"])
    assert refused.status_code == 401 and refused.json["error"]["code"] == "invalid_api_key"
    assert http.call("DELETE", f"/keys/{issued['id']}", token=token).status_code == 404


def test_a_key_outlives_a_new_sign_in_but_cannot_manage_keys_or_the_account(http):
    token = http.token()
    issued = _key(http, token)
    http.token()  # signs in again: the old session dies, the key does not
    assert http.call("GET", "/files", token=issued["key"]).status_code == 200
    for method, path, body in (
        ("GET", "/keys", None),
        ("POST", "/keys", {"name": "x"}),
        ("GET", "/me", None),
        ("DELETE", f"/keys/{issued['id']}", None),
    ):
        assert http.call(method, path, body, token=issued["key"]).status_code == 401, path


def test_the_key_id_is_logged_never_the_key(http):
    token = http.token()
    issued = _key(http, token)
    with captured(logger) as logs:
        assert http.call("GET", "/file/01JUNKJUNKJUNKJUNKJUNKJUNK", token=issued["key"]).status_code == 404
    assert issued["id"] in logs.getvalue() and issued["key"] not in logs.getvalue()

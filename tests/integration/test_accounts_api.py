"""Accounts through the Chalice app, on embedded PostgreSQL."""

from __future__ import annotations

import base64
import ipaddress
import json
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from tests.support.http import JsonApi
from tests.support.logs import captured


def test_sign_up_returns_the_account_and_normalises_the_email(http):
    response = http.sign_up("Ada@Example.COM", "correct horse")
    assert response.status_code == 201
    assert response.json["email"] == "ada@example.com"
    assert response.json["id"]


def test_sign_up_twice_with_other_case_is_a_conflict(http):
    assert http.sign_up("ada@example.com").status_code == 201
    again = http.sign_up("ADA@example.com")
    assert again.status_code == 409
    assert again.json["error"]["code"] == "email_taken"
    assert again.json["error"]["field"] == "email"


@pytest.mark.parametrize(
    "email, password, field",
    [
        ("not-an-email", "correct horse", "email"),
        ("", "correct horse", "email"),
        (42, "correct horse", "email"),
        ("ada@example.com", "short", "password"),
        ("ada@example.com", "x" * 129, "password"),
        ("ada@example.com", None, "password"),
        ("ada@example.com", "correct horse \ud800", "password"),
    ],
)
def test_sign_up_rejects_bad_fields_with_a_400_naming_the_field(http, email, password, field):
    response = http.call("POST", "/sign-up", {"email": email, "password": password})
    assert response.status_code == 400
    assert response.json["error"]["field"] == field


@pytest.mark.parametrize(
    "raw, headers, status",
    [
        (b"{not json", {}, 400),
        (b"[1, 2]", {}, 400),
        (b'{"email": "a@b.co", "password": "12345678", "admin": true}', {}, 400),
        (b"x" * 20000, {}, 413),
        (b'{"email": "a@b.co"}', {"Content-Type": "text/plain"}, 415),
        (b"\xff\xfe", {}, 400),
        (b'{"email": ' + b"[" * 6000 + b"]" * 6000 + b"}", {}, 400),
    ],
)
def test_malformed_bodies_get_a_json_4xx(http, raw, headers, status):
    response = http.call("POST", "/sign-up", raw=raw, headers=headers)
    assert response.status_code == status
    assert set(response.json["error"]) >= {"code", "message"}


def test_routes_without_a_body_ignore_the_content_type(http):
    token = http.token()
    for content_type in ("text/plain", "multipart/form-data"):
        response = http.call("GET", "/me", token=token, headers={"Content-Type": content_type})
        assert response.status_code == 200, response.json
    assert http.call("POST", "/sign-out", token=token, headers={"Content-Type": "text/plain"}).status_code == 204


def test_long_passwords_count_in_full_beyond_bcrypts_72_bytes(http):
    password = "a" * 100
    http.sign_up("long@example.com", password)
    nearly = "a" * 99 + "b"
    assert http.call("POST", "/sign-in", {"email": "long@example.com", "password": nearly}).status_code == 401
    assert http.call("POST", "/sign-in", {"email": "long@example.com", "password": password}).status_code == 200


def test_sign_in_gives_a_token_that_opens_me(http):
    http.sign_up()
    response = http.call("POST", "/sign-in", {"email": "ADA@example.com", "password": "correct horse"})
    assert response.status_code == 200
    expires_at = datetime.fromisoformat(response.json["expires_at"].replace("Z", "+00:00"))
    assert expires_at > datetime.now(UTC)
    me = http.call("GET", "/me", token=response.json["token"])
    assert me.status_code == 200 and me.json["email"] == "ada@example.com"


def test_the_readme_spellings_are_aliases(http):
    assert http.call("POST", "/sing-up", {"email": "old@example.com", "password": "correct horse"}).status_code == 201
    response = http.call("POST", "/sing-in", {"email": "old@example.com", "password": "correct horse"})
    assert response.status_code == 200 and response.json["token"]


def test_unknown_email_and_wrong_password_look_alike(http):
    http.sign_up()
    wrong = http.call("POST", "/sign-in", {"email": "ada@example.com", "password": "wrong horse"})
    unknown = http.call("POST", "/sign-in", {"email": "nobody@example.com", "password": "wrong horse"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json


def test_a_new_sign_in_ends_the_previous_session_on_every_route(http):
    first = http.token()
    second = http.call("POST", "/sign-in", {"email": "ada@example.com", "password": "correct horse"}).json["token"]
    for method, path in [("GET", "/me"), ("GET", "/files"), ("POST", "/sign-out")]:
        refused = http.call(method, path, token=first)
        assert refused.status_code == 401, path
        assert refused.json["error"]["code"] == "session_replaced"
    assert http.call("GET", "/me", token=second).status_code == 200


def test_sign_out_ends_the_session(http):
    token = http.token()
    assert http.call("POST", "/sign-out", token=token).status_code == 204
    after = http.call("GET", "/me", token=token)
    assert after.status_code == 401 and after.json["error"]["code"] == "signed_out"


def _forge(payload: dict, secret: str, algorithm: str = "HS256", headers: dict | None = None) -> str:
    return jwt.encode(payload, secret, algorithm=algorithm, headers=headers)


def _unsigned(payload: dict, alg: str = "none") -> str:
    encode = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")  # noqa: E731 - a one-line helper local to this test
    return f"{encode({'alg': alg, 'typ': 'JWT'})}.{encode(payload)}."


def test_bad_tokens_are_refused(http, wired):
    good = http.token()
    claims = jwt.decode(good, options={"verify_signature": False})
    secret = wired.settings.jwt_secret
    now = int(time.time())
    cases = {
        "expired": (_forge({**claims, "iat": now - 7200, "exp": now - 3600}, secret), "token_expired"),
        "alg none": (_unsigned(claims), "token_invalid"),
        "alg NONE": (_unsigned(claims, "NONE"), "token_invalid"),
        "other algorithm": (_forge(claims, secret, "HS512"), "token_invalid"),
        "other secret": (_forge(claims, "another-secret-" + "y" * 40), "token_invalid"),
        "no exp": (_forge({k: v for k, v in claims.items() if k != "exp"}, secret), "token_invalid"),
        "no sid": (_forge({k: v for k, v in claims.items() if k != "sid"}, secret), "token_invalid"),
        "jku header": (_forge(claims, secret, headers={"jku": "https://evil.example/keys"}), "token_invalid"),
        "tampered": (good[:-2] + ("AA" if not good.endswith("AA") else "BB"), "token_invalid"),
        "malformed": ("not.a.token", "token_invalid"),
    }
    for name, (token, code) in cases.items():
        response = http.call("GET", "/me", token=token)
        assert response.status_code == 401, name
        assert response.json["error"]["code"] == code, name
    missing = http.call("GET", "/me")
    assert missing.status_code == 401 and missing.json["error"]["code"] == "token_missing"
    basic = http.call("GET", "/me", headers={"Authorization": "Basic YTpi"})
    assert basic.status_code == 401


def _behind_proxy(make_settings, api, **limits) -> JsonApi:
    """The app behind a trusted proxy, so X-Forwarded-For names the client."""
    from chalicelib.wiring import Container, reset_container

    reset_container(Container(make_settings(trusted_proxies=(ipaddress.ip_network("127.0.0.0/8"),), **limits)))
    return JsonApi(api)


def _sign_in_from(http, client_ip: str, password: str, email: str = "ada@example.com"):
    return http.call("POST", "/sign-in", {"email": email, "password": password}, headers={"X-Forwarded-For": client_ip})


def test_a_guesser_is_throttled_while_the_owner_signs_in_from_elsewhere(make_settings, api):
    http = _behind_proxy(make_settings, api, signin_failures_before_delay=3)
    http.sign_up()
    guesses = [_sign_in_from(http, "198.51.100.66", "wrong") for _ in range(3)]
    assert [g.status_code for g in guesses] == [401, 401, 401]
    for _ in range(8):  # waits double (1 s, 2 s, 4 s...): a slow machine cannot outlast them all
        refused = _sign_in_from(http, "198.51.100.66", "wrong")
        if refused.status_code == 429:
            break
    assert refused.status_code == 429 and refused.json["error"]["code"] == "too_many_attempts"
    assert int(refused.headers["Retry-After"]) >= 1
    assert _sign_in_from(http, "203.0.113.5", "correct horse").status_code == 200  # the owner, elsewhere


def test_the_account_ceiling_holds_over_many_clients(make_settings, api):
    http = _behind_proxy(make_settings, api, signin_max_failures_per_account=4)
    http.sign_up()
    assert [_sign_in_from(http, f"198.51.100.{n}", "wrong").status_code for n in range(4)] == [401] * 4
    throttled = _sign_in_from(http, "203.0.113.5", "correct horse")
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["Retry-After"]) <= 901


def test_repeated_failures_per_client_are_throttled_across_accounts(make_settings, api):
    http = _behind_proxy(make_settings, api, signin_max_failures_per_client=5)
    for n in range(5):
        assert _sign_in_from(http, "198.51.100.9", "wrong", f"user{n}@example.com").status_code == 401
    assert _sign_in_from(http, "198.51.100.9", "whatever", "fresh@example.com").status_code == 429


def test_passwords_and_tokens_never_reach_the_logs(http):
    from api.log import logger

    with captured(logger) as stream:
        token = http.token("logged@example.com", "secret-password-1")
        http.call("GET", "/me", token=token)
        http.call("POST", "/sign-in", {"email": "logged@example.com", "password": "other-password-2"})
    logs = stream.getvalue()
    assert "secret-password-1" not in logs and "other-password-2" not in logs
    assert token not in logs
    assert "correlation_id" in logs  # the structured logs are there, just without secrets


def test_every_response_carries_a_correlation_id(http):
    response = http.call("GET", "/me", headers={"X-Correlation-Id": "trace-123"})
    assert response.headers["X-Correlation-Id"] == "trace-123"


def test_health_reports_every_dependency(http):
    response = http.call("GET", "/health")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "stage": "test",
        "checks": {"database": "ok", "index": "ok", "storage": "ok", "queue": "ok"},
    }


def test_health_names_the_dependency_that_does_not_answer(make_settings, api):
    from chalicelib.wiring import Container, reset_container

    broken = Container(make_settings(database_url="postgresql://nobody@127.0.0.1:1/none"))
    reset_container(broken)
    response = JsonApi(api).call("GET", "/health")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json["checks"]["database"] == "unavailable"
    assert response.json["checks"]["index"] == "ok"


def test_token_lifetime_is_the_configured_one(http, wired):
    http.sign_up()
    response = http.call("POST", "/sign-in", {"email": "ada@example.com", "password": "correct horse"})
    expires_at = datetime.fromisoformat(response.json["expires_at"].replace("Z", "+00:00"))
    expected = datetime.now(UTC) + timedelta(seconds=wired.settings.token_ttl_seconds)
    assert abs((expires_at - expected).total_seconds()) < 5


def test_on_aws_the_signing_secret_comes_from_ssm(make_settings, http):
    from chalicelib.wiring import Container, reset_container

    settings = make_settings(jwt_secret=None, jwt_secret_parameter="/pagepress/test/jwt-secret")
    container = Container(settings)
    container.client("ssm").put_parameter(
        Name="/pagepress/test/jwt-secret", Value="from-ssm-" + "z" * 40, Type="SecureString", Overwrite=True
    )
    reset_container(container)
    token = http.token("ssm@example.com")
    assert jwt.decode(token, "from-ssm-" + "z" * 40, algorithms=["HS256"])["sub"]


def test_on_aws_the_database_url_comes_from_secrets_manager(make_settings, postgres_url):
    from chalicelib.wiring import Container

    settings = make_settings(database_url=None, database_secret_id="pagepress/test/database")
    container = Container(settings)
    container.client("secretsmanager").create_secret(Name="pagepress/test/database", SecretString=postgres_url)
    container.users.ping()


@pytest.mark.parametrize(
    "stored, typed",
    [
        ("bob@xn--bcher-kva.de", "bob@xn--bcher-kva.de"),
        ("jose\u0301@example.com", "jos\u00e9@example.com"),
        ("Carol@Example.com", "  carol@EXAMPLE.com "),
    ],
)
def test_sign_in_reads_the_email_as_sign_up_stored_it(http, stored, typed):
    assert http.sign_up(stored, "correct horse").status_code == 201
    assert http.call("POST", "/sign-in", {"email": typed, "password": "correct horse"}).status_code == 200


def test_behind_a_trusted_proxy_the_client_is_the_hop_it_added(make_settings, api):
    http = _behind_proxy(make_settings, api, signin_max_failures_per_client=3)

    def fail_from(client_ip: str, spoofed: str = "") -> int:
        chain = f"{spoofed}, {client_ip}" if spoofed else client_ip
        return http.call(
            "POST", "/sign-in", {"email": "x@example.com", "password": "wrong"}, headers={"X-Forwarded-For": chain}
        ).status_code

    assert [fail_from("198.51.100.7", spoofed=f"10.0.0.{n}") for n in range(3)] == [401, 401, 401]
    assert fail_from("198.51.100.7", spoofed="10.0.0.99") == 429  # spoofed left hops do not help
    assert fail_from("198.51.100.8") == 401  # another client is not locked out


def test_a_burst_beyond_the_connection_pool_waits_for_a_connection_rather_than_failing(postgres_url):
    """psycopg2's pool refuses at once when every connection is out; a burst queues instead,
    and only a pool that stays busy past the wait answers 'does not answer' (a 503)."""
    import threading

    from chalicelib.adapters.postgres import Database
    from chalicelib.domain.errors import DependencyUnavailable

    db = Database(postgres_url, max_connections=2, wait_seconds=10)
    both_held = threading.Barrier(3, timeout=10)
    release = threading.Event()

    def hold() -> None:
        with db.transaction() as cur:
            cur.execute("SELECT 1")
            both_held.wait()
            release.wait(10)

    holders = [threading.Thread(target=hold) for _ in range(2)]
    for thread in holders:
        thread.start()
    both_held.wait()  # every connection is out now
    threading.Timer(0.3, release.set).start()  # the holders let go while the third waits
    with db.transaction() as cur:  # would raise at once without the wait
        cur.execute("SELECT 2")
        assert cur.fetchone() == (2,)
    for thread in holders:
        thread.join(10)

    impatient = Database(postgres_url, max_connections=1, wait_seconds=0.2)
    with impatient.transaction():
        with pytest.raises(DependencyUnavailable, match="busy"):
            with impatient.transaction():
                pass

"""The account: changing the password, and closing the account leaving nothing behind
in S3, DynamoDB or PostgreSQL (through the API, against moto and the real database)."""

from __future__ import annotations

import pytest

from chalicelib.domain.models import ConversionJob, ConversionOptions, RenderedPdf
from chalicelib.domain.page_credentials import PageCredentials
from chalicelib.domain.ports import Renderer
from chalicelib.domain.render_report import RenderReport
from tests.support.pages import PageServer

PASSWORD = "correct horse"


class _Pictured(Renderer):
    def render(
        self, url: str, options: ConversionOptions, correlation_id: str, credentials: PageCredentials | None = None
    ) -> RenderedPdf:
        return RenderedPdf(
            b"%PDF-1.4 made up", "Made up", 1, report=RenderReport(), draw_thumbnail=lambda: b"RIFF....WEBP"
        )

    def render_html(self, html: str, options: ConversionOptions, correlation_id: str) -> RenderedPdf:
        return self.render("", options, correlation_id)

    def close(self) -> None:
        return None


@pytest.fixture(scope="module")
def pages():
    server = PageServer().start()
    yield server
    server.stop()


@pytest.fixture
def settings(make_settings, pages):
    return make_settings(egress_allow=f"127.0.0.1:{pages.port}", signin_failures_before_delay=50)


@pytest.fixture
def renderer_factory():
    return lambda _settings: _Pictured()


def _me(http, token) -> str:
    return http.call("GET", "/me", token=token).json["id"]


def _api_key(http, token) -> str:
    return http.call("POST", "/keys", {"name": "ci"}, token=token).json["key"]


def test_a_new_password_ends_every_other_session_and_key(http):
    token = http.token("changer@example.com", PASSWORD)
    key = _api_key(http, token)
    changed = http.call(
        "POST", "/password", {"current_password": PASSWORD, "new_password": "battery staple"}, token=token
    )
    assert changed.status_code == 200 and changed.json["token"] != token
    assert http.call("GET", "/me", token=token).json["error"]["code"] == "session_replaced"
    assert http.call("GET", "/files", token=key).status_code == 401
    assert http.call("GET", "/me", token=changed.json["token"]).status_code == 200
    old = http.call("POST", "/sign-in", {"email": "changer@example.com", "password": PASSWORD})
    assert old.status_code == 401
    assert (
        http.call("POST", "/sign-in", {"email": "changer@example.com", "password": "battery staple"}).status_code == 200
    )


def test_a_wrong_current_password_is_401_and_throttled_like_a_sign_in(http, wired):
    token = http.token("guesser@example.com", PASSWORD)
    body = {"current_password": "not it at all", "new_password": "battery staple"}
    wrong = http.call("POST", "/password", body, token=token)
    assert wrong.status_code == 401 and wrong.json["error"]["code"] == "wrong_password"
    assert http.call("GET", "/me", token=token).status_code == 200  # a wrong guess does not end the session
    statuses = [
        http.call("POST", "/password", body, token=token).status_code
        for _ in range(wired.settings.signin_max_failures_per_account)
    ]
    assert statuses[-1] == 429 and set(statuses) == {401, 429}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": PASSWORD}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "battery staple", "extra": 1}, "extra"),
    ],
)
def test_a_bad_password_change_is_a_400_naming_the_field(http, body, field):
    token = http.token("careful@example.com", PASSWORD)
    refused = http.call("POST", "/password", body, token=token)
    assert refused.status_code == 400 and refused.json["error"]["field"] == field


def test_only_a_session_changes_the_password_or_closes_the_account(http):
    token = http.token("scripted@example.com", PASSWORD)
    key = _api_key(http, token)
    assert (
        http.call("POST", "/password", {"current_password": PASSWORD, "new_password": "x" * 9}, token=key).status_code
        == 401
    )
    assert http.call("DELETE", "/me", {"password": PASSWORD}, token=key).status_code == 401
    assert http.call("GET", "/me", token=token).status_code == 200


def _everything_of(wired, user_id: str, email: str) -> dict[str, list]:
    s3 = wired.client("s3").list_objects_v2(Bucket=wired.settings.files_bucket, Prefix=f"users/{user_id}/")
    items = wired.client("dynamodb").scan(
        TableName=wired.settings.files_table,
        FilterExpression="user_id = :user",
        ExpressionAttributeValues={":user": {"S": user_id}},
    )["Items"]
    with wired.database.transaction() as cur:
        cur.execute("SELECT id FROM users WHERE id = %s OR lower(email) = lower(%s)", (user_id, email))
        users = cur.fetchall()
        cur.execute("SELECT id FROM api_keys WHERE user_id = %s", (user_id,))
        keys = cur.fetchall()
        cur.execute("SELECT key FROM sign_in_failures WHERE key LIKE %s", (f"%{email}%",))
        failures = cur.fetchall()
    return {
        "s3": [o["Key"] for o in s3.get("Contents", [])],
        "dynamodb": [i["sk"]["S"] for i in items],
        "users": users,
        "api_keys": keys,
        "sign_in_failures": failures,
    }


def _fill(wired, http, token, pages) -> None:
    """A ready PDF with its thumbnail, sent HTML with its source, an idempotency marker, a
    usage counter, a webhook secret, an API key and a failed sign-in."""
    url_entry = http.call(
        "POST", "/request", {"url": pages.origin + "/a"}, token=token, headers={"Idempotency-Key": "k-1"}
    ).json
    user_id = _me(http, token)
    wired.jobs.process(ConversionJob.for_entry(wired.file_index.get(user_id, url_entry["name"])), 1)
    http.call("POST", "/request", {"html": "<p>mine</p>"}, token=token)
    http.call("GET", "/webhooks/secret", token=token)
    _api_key(http, token)


def test_closing_the_account_leaves_nothing_behind_and_frees_the_e_mail(http, wired, pages):
    email = "leaving@example.com"
    token = http.token(email, PASSWORD)
    staying = http.token("staying@example.com", PASSWORD)
    _fill(wired, http, token, pages)
    _fill(wired, http, staying, pages)
    user_id, staying_id = _me(http, token), _me(http, staying)
    assert http.call("POST", "/sign-in", {"email": email, "password": "a wrong one"}).status_code == 401
    before = _everything_of(wired, user_id, email)
    assert len(before["s3"]) == 3 and len(before["dynamodb"]) >= 5 and before["api_keys"] and before["sign_in_failures"]

    wrong = http.call("DELETE", "/me", {"password": "not mine"}, token=token)
    assert wrong.status_code == 401 and wrong.json["error"]["code"] == "wrong_password"
    assert _everything_of(wired, user_id, email)["s3"] == before["s3"]  # a wrong password changes nothing
    assert http.call("DELETE", "/me", {}, token=token).status_code == 401  # no password, no closing

    assert http.call("DELETE", "/me", {"password": PASSWORD}, token=token).status_code == 204
    assert _everything_of(wired, user_id, email) == {
        "s3": [],
        "dynamodb": [],
        "users": [],
        "api_keys": [],
        "sign_in_failures": [],
    }
    assert http.call("GET", "/me", token=token).status_code == 401
    staying_now = _everything_of(wired, staying_id, "staying@example.com")
    assert len(staying_now["s3"]) == 3 and staying_now["users"]  # nobody else's data went

    assert http.sign_up(email, "a new start").status_code == 201

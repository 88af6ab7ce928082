"""``headers`` and ``cookies`` (issue 15) in real Chromium, through the API, SQS and the converter.

The page's site is served on 127.0.0.1, a third party on 127.0.0.2 (another host: cookies ignore
ports, so another port alone would not tell a cookie sent to a third party). The site's server
records each request's headers, so each test sees what every origin was sent.
"""

from __future__ import annotations

import json
from typing import cast

import pytest

pytest.importorskip("playwright")

from aws_lambda_powertools.utilities.typing import LambdaContext  # noqa: E402

from api.log import logger as api_logger  # noqa: E402
from chalicelib.domain.errors import ConversionFailed  # noqa: E402
from chalicelib.domain.models import ConversionOptions, FileStatus  # noqa: E402
from chalicelib.domain.page_credentials import Cookie, PageCredentials  # noqa: E402
from converter import handler  # noqa: E402
from devstack.worker import LambdaContextStub, sqs_event  # noqa: E402
from tests.support.logs import captured  # noqa: E402
from tests.support.pages import PageServer, Reply  # noqa: E402
from tests.support.pdf import pdf_text  # noqa: E402
from tests.support.renderers import Lent, loopback_renderer  # noqa: E402

pytestmark = pytest.mark.timeout(120)

SECRET = "s3cr3t-Bearer-value-42"
COOKIE_SECRET = "c00kie-session-value-77"


@pytest.fixture(scope="module")
def site():
    server = PageServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def third_party():
    server = PageServer("127.0.0.2").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def warm_renderer(site, third_party):
    renderer = loopback_renderer(f"127.0.0.1:{site.port}", f"127.0.0.2:{third_party.port}")
    yield renderer
    renderer.close()


@pytest.fixture
def settings(make_settings, site, third_party):
    return make_settings(egress_allow=f"127.0.0.1:{site.port},127.0.0.2:{third_party.port}")


@pytest.fixture
def renderer_factory(warm_renderer):
    return lambda _settings: Lent(warm_renderer)


def _page_with_subresources(site: PageServer, third_party: PageServer, path: str) -> str:
    site.routes[f"{path}/own.png"] = Reply(200, b"", "image/png")
    third_party.routes[f"{path}/theirs.png"] = Reply(200, b"", "image/png")
    return site.page(
        path,
        f"<h1>Signed in</h1><img src='{site.origin}{path}/own.png'><img src='{third_party.origin}{path}/theirs.png'>",
    )


CREDENTIALS = PageCredentials(
    headers=(("Authorization", f"Bearer {SECRET}"), ("X-Tenant", "acme")),
    cookies=(Cookie("session", COOKIE_SECRET),),
)


def test_headers_and_cookies_reach_the_pages_origin_and_no_third_party(warm_renderer, site, third_party):
    url = _page_with_subresources(site, third_party, "/signed-in")
    pdf = warm_renderer.render(url, ConversionOptions(), "cred-1", credentials=CREDENTIALS)
    assert "Signed in" in pdf_text(pdf.content)
    for path in ("/signed-in", "/signed-in/own.png"):
        sent = site.headers[path]
        assert sent["authorization"] == f"Bearer {SECRET}" and sent["x-tenant"] == "acme"
        assert f"session={COOKIE_SECRET}" in sent["cookie"]
    theirs = third_party.headers["/signed-in/theirs.png"]
    assert "authorization" not in theirs and "x-tenant" not in theirs and "cookie" not in theirs


def test_a_dedicated_workers_requests_to_the_pages_origin_carry_them_too(warm_renderer, site):
    """A worker's script and what it fetches are requests of the page's origin: a page whose
    data comes through a worker must be printed signed in like the rest."""
    site.routes["/worker/script.js"] = Reply(
        200, b"fetch('/worker/data').then(r => r.text()).then(t => postMessage(t));", "text/javascript"
    )
    site.routes["/worker/data"] = Reply(200, b"FETCHED-BY-THE-WORKER", "text/plain")
    url = site.page(
        "/worker/page",
        "<p id=out>waiting</p><script>new Worker('/worker/script.js').onmessage ="
        " e => { document.getElementById('out').textContent = e.data; };</script>",
    )
    pdf = warm_renderer.render(url, ConversionOptions(), "cred-worker", credentials=CREDENTIALS)
    assert "FETCHED-BY-THE-WORKER" in pdf_text(pdf.content)
    for path in ("/worker/script.js", "/worker/data"):
        sent = site.headers[path]
        assert sent["authorization"] == f"Bearer {SECRET}" and f"session={COOKIE_SECRET}" in sent["cookie"], path


def test_a_job_without_credentials_sends_none(warm_renderer, site, third_party):
    url = _page_with_subresources(site, third_party, "/anonymous")
    warm_renderer.render(url, ConversionOptions(), "cred-2")
    assert "authorization" not in site.headers["/anonymous"] and "cookie" not in site.headers["/anonymous"]


def test_a_redirect_to_another_origin_does_not_take_the_headers_along(warm_renderer, site, third_party):
    third_party.page("/landing", "<h1>Landed elsewhere</h1>")
    site.routes["/moves"] = Reply(302, "", headers={"Location": f"{third_party.origin}/landing"})
    pdf = warm_renderer.render(site.origin + "/moves", ConversionOptions(), "cred-3", credentials=CREDENTIALS)
    assert "Landed elsewhere" in pdf_text(pdf.content)
    assert site.headers["/moves"]["authorization"] == f"Bearer {SECRET}"
    assert "authorization" not in third_party.headers["/landing"]


def test_a_cookie_the_browser_refuses_fails_the_job_without_its_value(warm_renderer, site):
    url = site.page("/refused", "<p>x</p>")
    refused = PageCredentials(cookies=(Cookie("__Host-id", COOKIE_SECRET, path="/sub"),))  # __Host- needs path /
    with pytest.raises(ConversionFailed) as caught:
        warm_renderer.render(url, ConversionOptions(), "cred-4", credentials=refused)
    assert caught.value.code == "invalid_credentials" and COOKIE_SECRET not in caught.value.message


# --- through the API, SQS and the converter's handler --------------------------------------


def _convert(wired, http, token, url: str) -> tuple[str, str]:
    body = {
        "url": url,
        "options": {
            "headers": {"Authorization": f"Bearer {SECRET}", "X-Tenant": "acme"},
            "cookies": [{"name": "session", "value": COOKIE_SECRET, "http_only": True}],
        },
    }
    with captured(api_logger) as logs:
        response = http.call("POST", "/request", body, token=token)
        refused = http.call("POST", "/request", {**body, "options": {"headers": {"Host": SECRET}}}, token=token)
    assert response.status_code == 202, response.json
    assert refused.status_code == 400 and refused.json["error"]["field"] == "options.headers.Host"
    assert SECRET not in logs.getvalue() and SECRET not in json.dumps(refused.json)
    user_id = http.call("GET", "/me", token=token).json["id"]
    return user_id, response.json["name"]


def _run_jobs(wired) -> str:
    sqs = wired.client("sqs")
    queue = wired.queue_urls.url(wired.settings.jobs_queue_name)
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
    assert messages
    assert all(SECRET not in m["Body"] and COOKIE_SECRET not in m["Body"] for m in messages)
    event = sqs_event(messages, "arn:aws:sqs:us-east-1:000000000000:jobs", wired.settings.aws_region)
    with captured(handler.logger) as logs:
        handler.lambda_handler(event, cast(LambdaContext, LambdaContextStub(function_name="converter")))
    return logs.getvalue()


def _raw_item(wired, user_id: str, name: str) -> str:
    item = wired.client("dynamodb").get_item(
        TableName=wired.settings.files_table, Key={"user_id": {"S": user_id}, "sk": {"S": f"file#{name}"}}
    )["Item"]
    return repr(item)


@pytest.mark.parametrize("status, ends", [(200, FileStatus.READY), (404, FileStatus.FAILED)])
def test_the_sealed_credentials_are_used_once_and_gone_when_the_job_ends(wired, http, site, third_party, status, ends):
    token = http.token(f"cred{status}@example.com")
    url = _page_with_subresources(site, third_party, f"/job-{status}")
    site.routes[f"/job-{status}"].status = status
    user_id, name = _convert(wired, http, token, url)

    sealed = wired.file_index.sealed_credentials(user_id, name)
    assert sealed is not None
    raw = _raw_item(wired, user_id, name)
    assert SECRET not in raw and COOKIE_SECRET not in raw and SECRET.encode() not in sealed

    logs = _run_jobs(wired)
    assert site.headers[f"/job-{status}"]["authorization"] == f"Bearer {SECRET}"
    assert "authorization" not in third_party.headers.get(f"/job-{status}/theirs.png", {})
    assert wired.file_index.get(user_id, name).status is ends
    assert wired.file_index.sealed_credentials(user_id, name) is None
    assert "sealed_credentials" not in _raw_item(wired, user_id, name)
    assert SECRET not in logs and COOKIE_SECRET not in logs

    listed = http.call("GET", "/files", token=token).json
    text = json.dumps(listed)
    assert SECRET not in text and COOKIE_SECRET not in text
    (shown,) = [view for view in listed["files"] if view["name"] == name]
    assert shown["options"]["header_names"] == ["Authorization", "X-Tenant"]
    assert shown["options"]["cookie_names"] == ["session"]
    if ends is FileStatus.FAILED:
        retried = http.call("POST", f"/file/{name}/retry", token=token)
        assert retried.status_code == 409 and retried.json["error"]["code"] == "credentials_gone"


def test_deleting_a_pending_entry_deletes_its_sealed_credentials(wired, http, site, third_party):
    token = http.token("cred-delete@example.com")
    user_id, name = _convert(wired, http, token, _page_with_subresources(site, third_party, "/deleted"))
    assert wired.file_index.sealed_credentials(user_id, name) is not None
    assert http.call("DELETE", f"/file/{name}", token=token).status_code in (200, 204)
    assert wired.file_index.sealed_credentials(user_id, name) is None

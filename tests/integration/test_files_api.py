"""Conversion requests, the file list, downloads and deletes through the Chalice app, on moto."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import requests

from chalicelib.domain.models import object_key


@pytest.fixture
def settings(make_settings, page_server):
    return make_settings(egress_allow=f"127.0.0.1:{page_server.port}")


@pytest.fixture
def token(http):
    return http.token()


def _request(http, token, url, **extra):
    return http.call("POST", "/request", {"url": url, **extra}, token=token)


def _queued(wired) -> list[dict]:
    sqs = wired.client("sqs")
    url = wired.queue_urls.url(wired.settings.jobs_queue_name)
    messages = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
    ).get("Messages", [])
    return messages


def _finish(wired, user_id: str, name: str, content: bytes = b"%PDF-1.7 test", title: str = "A Title") -> None:
    wired.object_store.put_pdf(object_key(user_id, name), content, {"correlation-id": "t"})
    assert wired.file_index.mark_processing(user_id, name, 1)
    assert wired.file_index.mark_ready(user_id, name, title=title, size=len(content), pages=1, warnings=())


def test_a_request_is_recorded_pending_and_queued_with_its_correlation_id(http, token, page_server, wired):
    url = page_server.page("/doc", "<title>Doc</title><p>hi</p>")
    response = http.call("POST", "/request", {"url": url}, token=token, headers={"X-Correlation-Id": "corr-1"})
    assert response.status_code == 202
    entry = response.json
    assert entry["status"] == "pending" and entry["url"] == url and entry["error"] is None
    messages = _queued(wired)
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    assert body["file_id"] == entry["name"] and body["correlation_id"] == "corr-1"
    assert messages[0]["MessageAttributes"]["correlation_id"]["StringValue"] == "corr-1"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "ftp://example.com/",
        "javascript:alert(1)",
        "http://",
        "http://exa mple.com/",
        "http://example.com/" + "a" * 2100,
        "http://example.com/\x00",
        42,
    ],
)
def test_invalid_urls_are_refused_before_queueing(http, token, wired, url):
    response = _request(http, token, url)
    assert response.status_code == 400
    assert response.json["error"]["field"] == "url"
    assert _queued(wired) == []


def test_loopback_urls_not_on_the_allow_list_are_blocked(http, token, page_server, wired):
    response = _request(http, token, f"http://127.0.0.1:{page_server.port + 1 if page_server.port < 65535 else 1}/")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "blocked_destination"


@pytest.mark.parametrize(
    "options, field",
    [
        ({"format": "A0"}, "options.format"),
        ({"scale": 3}, "options.scale"),
        ({"scale": "1"}, "options.scale"),
        ({"landscape": "yes"}, "options.landscape"),
        ({"margin": {"top": "1km"}}, "options.margin.top"),
        ({"margin": {"top": "99in"}}, "options.margin.top"),
        ({"delay_ms": 10001}, "options.delay_ms"),
        ({"media": "tv"}, "options.media"),
        ({"wait_for_selector": ""}, "options.wait_for_selector"),
        ({"header_template": "<img src='http://evil/'>"}, "options.header_template"),
        ({"footer_template": '<div style="background:url(http://evil/)"></div>'}, "options.footer_template"),
        ({"colour": "red"}, "options.colour"),
        ({"page_ranges": "3-1"}, "options.page_ranges"),
        ({"page_ranges": "0"}, "options.page_ranges"),
        ({"page_ranges": "1-x"}, "options.page_ranges"),
        ({"page_ranges": "501"}, "options.page_ranges"),
        ({"single_page": True, "page_ranges": "2"}, "options.page_ranges"),
        ({"single_page": "yes"}, "options.single_page"),
        ({"prefer_css_page_size": 1}, "options.prefer_css_page_size"),
        ({"omit_background": None}, "options.omit_background"),
        ({"user_agent": "x" * 257}, "options.user_agent"),
        ({"user_agent": "Agent\r\nX-Evil: 1"}, "options.user_agent"),
        ({"user_agent": "Agent/ü"}, "options.user_agent"),
        ({"media_features": [{"name": "prefers-color-scheme", "value": "blue"}]}, "options.media_features.0.value"),
        ({"media_features": [{"name": "hover", "value": "none"}]}, "options.media_features.0.name"),
        ({"media_features": "dark"}, "options.media_features"),
        ({"filename": "../etc/passwd"}, "options.filename"),
        ({"filename": "x" * 101}, "options.filename"),
        ({"wait_for_expression": ""}, "options.wait_for_expression"),
        ({"wait_for_expression": "x" * 1025}, "options.wait_for_expression"),
        ({"fail_on_http_status": [404, "6xx"]}, "options.fail_on_http_status"),
        ({"fail_on_http_status": [99]}, "options.fail_on_http_status"),
        ({"fail_on_http_status": "5xx"}, "options.fail_on_http_status"),
        ({"fail_on_resource_http_status": [True]}, "options.fail_on_resource_http_status"),
        ({"fail_on_resource_loading_failed": "true"}, "options.fail_on_resource_loading_failed"),
        ({"fail_on_console_exceptions": 0}, "options.fail_on_console_exceptions"),
        ({"output": "gif"}, "options.output"),
        ({"output": "png", "quality": 80}, "options.quality"),
        ({"quality": 80}, "options.quality"),
        ({"output": "jpeg", "quality": 101}, "options.quality"),
        ({"output": "webp", "quality": True}, "options.quality"),
        ({"output": "png", "page_ranges": "1"}, "options.page_ranges"),
        ({"full_page": "no"}, "options.full_page"),
        ("A4", "options"),
    ],
)
def test_out_of_range_options_are_refused_naming_the_option(http, token, page_server, options, field):
    response = _request(http, token, page_server.page("/p", "x"), options=options)
    assert response.status_code == 400
    assert response.json["error"]["field"] == field


def test_valid_options_are_kept_on_the_entry(http, token, page_server):
    options = {
        "format": "Letter",
        "landscape": True,
        "margin": {"top": "0", "left": "0.5in"},
        "scale": 0.5,
        "media": "screen",
        "delay_ms": 10,
        "footer_template": "<span class='pageNumber'></span>",
    }
    entry = _request(http, token, page_server.page("/p", "x"), options=options).json
    assert entry["options"]["format"] == "Letter" and entry["options"]["landscape"] is True
    assert entry["options"]["margin"] == {"top": "0", "right": "1cm", "bottom": "1cm", "left": "0.5in"}


def test_the_page_and_failure_options_travel_to_the_converter_and_show_on_the_entry(http, token, page_server, wired):
    options = {
        "page_ranges": "1-3, 5",
        "single_page": False,
        "prefer_css_page_size": True,
        "omit_background": True,
        "user_agent": "Agent/1.0",
        "media_features": [{"name": "prefers-color-scheme", "value": "dark"}],
        "filename": "Quarterly report",
        "wait_for_expression": "window.ready",
        "fail_on_http_status": [404, "5XX"],
        "fail_on_resource_http_status": ["4xx"],
        "fail_on_resource_loading_failed": True,
        "fail_on_console_exceptions": True,
    }
    entry = _request(http, token, page_server.page("/p", "x"), options=options).json
    expected = {**options, "page_ranges": "1-3,5", "fail_on_http_status": [404, "5xx"]}
    assert {name: entry["options"][name] for name in options} == expected
    queued = json.loads(_queued(wired)[0]["Body"])["options"]
    assert {name: queued[name] for name in options} == expected
    assert entry["filename"] == "Quarterly-report.pdf"


def test_a_chosen_filename_names_the_download(http, token, page_server, wired):
    name = _request(http, token, page_server.page("/p", "x"), options={"filename": "Invoice 42.pdf"}).json["name"]
    user_id = http.call("GET", "/me", token=token).json["id"]
    _finish(wired, user_id, name, title="The page's own title")
    link = http.call("GET", f"/file/{name}/link", token=token).json
    assert link["filename"] == "Invoice-42.pdf"
    download = requests.get(link["url"], timeout=10)
    assert 'filename="Invoice-42.pdf"' in download.headers["Content-Disposition"]


def test_an_idempotency_key_makes_a_retried_post_return_the_same_job(http, token, page_server, wired):
    url = page_server.page("/p", "x")
    first = http.call("POST", "/request", {"url": url}, token=token, headers={"Idempotency-Key": "k-1"})
    again = http.call("POST", "/request", {"url": url}, token=token, headers={"Idempotency-Key": "k-1"})
    other = http.call("POST", "/request", {"url": url}, token=token, headers={"Idempotency-Key": "k-2"})
    assert first.json["name"] == again.json["name"] != other.json["name"]
    assert len(_queued(wired)) == 2
    listed = http.call("GET", "/files", token=token).json["files"]
    assert len(listed) == 2


def test_the_list_is_newest_first_and_pages_with_a_cursor(http, token, page_server):
    url = page_server.page("/p", "x")
    names = [_request(http, token, url).json["name"] for _ in range(5)]
    first = http.call("GET", "/files?limit=2", token=token).json
    assert [f["name"] for f in first["files"]] == names[::-1][:2]
    second = http.call("GET", f"/files?limit=2&cursor={first['next']}", token=token).json
    third = http.call("GET", f"/files?limit=2&cursor={second['next']}", token=token).json
    seen = [f["name"] for page in (first, second, third) for f in page["files"]]
    assert seen == names[::-1]


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "limit=abc", "limit=%C2%B2", "cursor=%25%25%25", "cursor=eyJzayI6MX0"]
)
def test_bad_list_parameters_are_a_400(http, token, query):
    assert http.call("GET", f"/files?{query}", token=token).status_code == 400


def test_users_never_see_each_others_files(http, page_server, wired):
    alice = http.token("alice@example.com")
    bob = http.token("bob@example.com")
    name = _request(http, alice, page_server.page("/p", "x")).json["name"]
    alice_id = http.call("GET", "/me", token=alice).json["id"]
    _finish(wired, alice_id, name)
    assert http.call("GET", "/files", token=bob).json["files"] == []
    # (raw "/" tricks never match a route: the e2e test sends them over HTTP and sees 404)
    tricks = [name, name.lower(), quote(name), f"..%2F{name}", f"{alice_id}%2F{name}", f"{name}%00", "%2e%2e"]
    for trick in tricks:
        for method, path in [
            ("GET", f"/file/{trick}"),
            ("GET", f"/file/{trick}/link"),
            ("DELETE", f"/file/{trick}"),
            ("POST", f"/file/{trick}/retry"),
        ]:
            response = http.call(method, path, token=bob)
            assert response.status_code == 404, (method, path, response.status_code)
    assert http.call("GET", f"/file/{name}/link", token=alice).status_code == 200


def test_a_ready_file_downloads_through_a_short_lived_link_with_a_clean_name(http, token, page_server, wired):
    name = _request(http, token, page_server.page("/p", "x")).json["name"]
    user_id = http.call("GET", "/me", token=token).json["id"]
    assert http.call("GET", f"/file/{name}/link", token=token).status_code == 409  # not ready yet
    _finish(wired, user_id, name, b"%PDF-1.7 the bytes", title="Ünïcode: Title / with *stuff*")
    link = http.call("GET", f"/file/{name}/link", token=token).json
    assert link["filename"] == "Unicode-Title-with-stuff.pdf"
    assert link["expires_in"] == wired.settings.download_url_ttl_seconds
    download = requests.get(link["url"], timeout=10)
    assert download.status_code == 200 and download.content == b"%PDF-1.7 the bytes"
    assert 'attachment; filename="Unicode-Title-with-stuff.pdf"' in download.headers["Content-Disposition"]
    redirect = http.call("GET", f"/file/{name}", token=token)
    assert redirect.status_code == 302 and redirect.headers["Location"].startswith(wired.settings.aws_endpoint_url)


def test_delete_removes_the_object_and_the_entry(http, token, page_server, wired):
    name = _request(http, token, page_server.page("/p", "x")).json["name"]
    user_id = http.call("GET", "/me", token=token).json["id"]
    _finish(wired, user_id, name)
    assert wired.object_store.exists(object_key(user_id, name))
    assert http.call("DELETE", f"/file/{name}", token=token).status_code == 204
    assert not wired.object_store.exists(object_key(user_id, name))
    assert http.call("GET", f"/file/{name}/link", token=token).status_code == 404
    assert http.call("DELETE", f"/file/{name}", token=token).status_code == 404


def test_only_a_failed_job_can_be_retried_and_retrying_queues_it_again(http, token, page_server, wired):
    name = _request(http, token, page_server.page("/p", "x")).json["name"]
    user_id = http.call("GET", "/me", token=token).json["id"]
    assert http.call("POST", f"/file/{name}/retry", token=token).status_code == 409
    wired.file_index.mark_failed(user_id, name, code="http_error", message="The page answered HTTP 500")
    failed = http.call("GET", "/files", token=token).json["files"][0]
    assert failed["status"] == "failed" and failed["error"]["code"] == "http_error"
    retried = http.call("POST", f"/file/{name}/retry", token=token)
    assert retried.status_code == 202 and retried.json["status"] == "pending" and retried.json["error"] is None
    assert len(_queued(wired)) == 2


def test_a_queue_outage_marks_the_job_failed_and_answers_503(http, token, page_server, wired):
    url = page_server.page("/p", "x")
    sqs = wired.client("sqs")
    sqs.delete_queue(QueueUrl=wired.queue_urls.url(wired.settings.jobs_queue_name))
    response = _request(http, token, url)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"  # a client is told when to come back
    entry = http.call("GET", "/files", token=token).json["files"][0]
    assert entry["status"] == "failed" and entry["error"]["code"] == "queue_unavailable"


def test_file_routes_need_a_token(http):
    for method, path in [("POST", "/request"), ("GET", "/files"), ("GET", "/file/x"), ("DELETE", "/file/x")]:
        response = http.call(method, path, {"url": "http://example.com/"} if method == "POST" else None)
        assert response.status_code == 401


def test_a_deeply_nested_or_overlong_cursor_is_a_400(http, token):
    import base64

    nested = base64.urlsafe_b64encode(b"[" * 3000).decode().rstrip("=")
    assert http.call("GET", f"/files?cursor={nested}", token=token).status_code == 400
    assert http.call("GET", f"/files?cursor={'A' * 1100}", token=token).status_code == 400


def test_an_idempotency_key_is_free_again_once_its_file_is_deleted(http, token, page_server):
    url = page_server.page("/p", "x")
    first = http.call("POST", "/request", {"url": url}, token=token, headers={"Idempotency-Key": "again"})
    assert http.call("DELETE", f"/file/{first.json['name']}", token=token).status_code == 204
    second = http.call("POST", "/request", {"url": url}, token=token, headers={"Idempotency-Key": "again"})
    assert second.status_code == 202 and second.json["name"] != first.json["name"]


def test_a_replayed_request_queues_a_job_that_never_reached_the_queue(http, token, page_server, wired):
    url = page_server.page("/p", "x")
    sqs = wired.client("sqs")
    queue_url = wired.queue_urls.url(wired.settings.jobs_queue_name)
    sqs.delete_queue(QueueUrl=queue_url)
    lost = http.call("POST", "/request", {"url": url}, token=token, headers={"Idempotency-Key": "replay"})
    assert lost.status_code == 503
    sqs.create_queue(QueueName=wired.settings.jobs_queue_name)  # the queue is back
    replay = http.call("POST", "/request", {"url": url}, token=token, headers={"Idempotency-Key": "replay"})
    assert replay.status_code == 202 and replay.json["status"] == "pending"
    assert len(_queued(wired)) == 1


def test_a_job_stuck_pending_can_be_retried(http, token, page_server, wired):
    from chalicelib.domain import conversions

    name = _request(http, token, page_server.page("/p", "x")).json["name"]
    assert http.call("POST", f"/file/{name}/retry", token=token).status_code == 409  # just queued: not stuck
    original = conversions.STALE_PENDING_SECONDS
    conversions.STALE_PENDING_SECONDS = -1
    try:
        assert http.call("POST", f"/file/{name}/retry", token=token).status_code == 202
    finally:
        conversions.STALE_PENDING_SECONDS = original
    assert len(_queued(wired)) == 2


def test_a_failed_s3_delete_loses_nothing_and_can_be_retried(http, token, page_server, wired):
    from chalicelib.domain.errors import DependencyUnavailable

    name = _request(http, token, page_server.page("/p", "x")).json["name"]
    user_id = http.call("GET", "/me", token=token).json["id"]
    _finish(wired, user_id, name)
    store = wired.object_store
    real_delete = store.delete

    def failing(key):
        raise DependencyUnavailable("S3 does not answer: injected fault")

    store.delete = failing
    try:
        assert http.call("DELETE", f"/file/{name}", token=token).status_code == 503
    finally:
        store.delete = real_delete
    assert http.call("GET", f"/file/{name}/link", token=token).status_code == 200  # still whole
    assert http.call("DELETE", f"/file/{name}", token=token).status_code == 204
    assert not wired.object_store.exists(object_key(user_id, name))


@pytest.mark.parametrize("key", ["", "x" * 129, "has space", "tab\tkey", "ümlaut"])
def test_a_malformed_idempotency_key_is_a_400(http, token, page_server, key):
    response = http.call(
        "POST", "/request", {"url": page_server.page("/p", "x")}, token=token, headers={"Idempotency-Key": key}
    )
    assert response.status_code == 400 and response.json["error"]["field"] == "Idempotency-Key"

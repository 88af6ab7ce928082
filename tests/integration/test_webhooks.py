"""Webhooks: the callback URL is vetted at the API; deliveries are signed, pinned, retried and recorded.

Deliveries run the real deliverer against moto's DynamoDB and SQS and a loopback receiver the
egress policy admits, pulling each next attempt off the real queue once its delay is over.
"""

from __future__ import annotations

import json

import pytest

from chalicelib.adapters.pinned_http import PinnedHttpPoster
from chalicelib.domain.models import FileStatus
from chalicelib.domain.retry_schedule import RetrySchedule
from chalicelib.domain.webhooks import (
    EVENT_FAILED,
    EVENT_READY,
    DeliveryRefused,
    WebhookDelivery,
    signature,
)
from chalicelib.egress import EgressPolicy
from tests.support.polling import poll_until
from tests.support.receiver import Receiver, last_json


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def settings(make_settings, receiver):
    return make_settings(
        egress_allow=f"127.0.0.1:{receiver.port}", webhook_retry_base_seconds=1, webhook_max_attempts=3
    )


def _next_delivery(wired, timeout: float = 15) -> WebhookDelivery:
    sqs = wired.client("sqs")
    url = wired.queue_urls.url(wired.settings.webhooks_queue_name)

    def receive():
        return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1).get("Messages", [])

    message = poll_until(receive, bool, timeout, interval=0.1, what="a webhook message")[0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return WebhookDelivery.from_message(json.loads(message["Body"]))


def _finished(http, wired, token, callback_url: str, ready: bool = True) -> str:
    """A job that asked for a callback, ended ready or failed by the job processor's own path."""
    me = http.call("GET", "/me", token=token).json["id"]
    entry = http.call("POST", "/request", {"html": "<p>x</p>", "callback_url": callback_url}, token=token).json
    name = entry["name"]
    processing = wired.file_index.mark_processing(me, name, 1)
    if ready:
        assert wired.file_index.mark_ready(me, name, title="T", size=1, pages=1, warnings=())
    else:
        assert wired.file_index.mark_failed(me, name, code="http_error", message="The page answered HTTP 500")
    wired.jobs._announce(processing, EVENT_READY if ready else EVENT_FAILED)
    return name


def test_the_default_schedule_retries_at_least_five_times_over_at_least_ten_minutes():
    schedule = RetrySchedule()
    delays = [schedule.delay_after(n) or 0 for n in range(1, schedule.max_attempts)]
    assert len(delays) >= 5 and all(delays) and sum(delays) >= 600
    assert schedule.delay_after(schedule.max_attempts) is None


def test_a_callback_url_is_vetted_at_the_api(http, receiver):
    token = http.token()
    for bad, code in (
        ("ftp://example.com/hook", "blocked_destination"),
        ("javascript:alert(1)", "blocked_destination"),
        ("http://127.0.0.1:9/hook", "blocked_destination"),
        ("http://10.0.0.1/hook", "blocked_destination"),
        (42, "invalid_url"),
        ("", "invalid_url"),
    ):
        refused = http.call("POST", "/request", {"html": "<p>x</p>", "callback_url": bad}, token=token)
        assert refused.status_code == 400, (bad, refused.json)
        assert refused.json["error"]["field"] == "callback_url" and refused.json["error"]["code"] == code, bad
    accepted = http.call("POST", "/request", {"html": "<p>x</p>", "callback_url": receiver.url("/hook")}, token=token)
    assert accepted.status_code == 202
    assert accepted.json["callback"] == {"status": "pending", "attempts": 0, "last_status": None}


def test_the_webhook_secret_is_the_accounts_own_and_rotates(http):
    token = http.token()
    first = http.call("GET", "/webhooks/secret", token=token).json["secret"]
    assert first.startswith("whsec_") and http.call("GET", "/webhooks/secret", token=token).json["secret"] == first
    rotated = http.call("POST", "/webhooks/secret", token=token).json["secret"]
    assert rotated != first and http.call("GET", "/webhooks/secret", token=token).json["secret"] == rotated
    other = http.token("other@example.com")
    assert http.call("GET", "/webhooks/secret", token=other).json["secret"] not in (first, rotated)
    key = http.call("POST", "/keys", {"name": "k"}, token=token).json["key"]
    assert http.call("GET", "/webhooks/secret", token=key).status_code == 401


def test_ready_and_failed_jobs_are_announced_signed_with_the_entry(http, wired, receiver):
    token = http.token()
    secret = http.call("GET", "/webhooks/secret", token=token).json["secret"]
    ready = _finished(http, wired, token, receiver.url("/ready"))
    assert wired.webhooks.deliver(_next_delivery(wired)) == "delivered"
    failed = _finished(http, wired, token, receiver.url("/failed"), ready=False)
    assert wired.webhooks.deliver(_next_delivery(wired)) == "delivered"
    for path, name, event, status in (
        ("/ready", ready, EVENT_READY, "ready"),
        ("/failed", failed, EVENT_FAILED, "failed"),
    ):
        got = receiver.at(path)
        assert len(got) == 1 and got[0].signed_with(secret)
        body = last_json(got)
        assert body["event"] == event and body["file"]["name"] == name and body["file"]["status"] == status
        assert got[0].headers["content-type"] == "application/json"
        listed = {f["name"]: f for f in http.call("GET", "/files", token=token).json["files"]}
        assert listed[name]["callback"] == {"status": "delivered", "attempts": 1, "last_status": 200}
    assert not receiver.at("/ready")[0].signed_with("whsec_wrong")


def test_a_receiver_that_fails_twice_is_retried_until_delivered(http, wired, receiver):
    token = http.token()
    receiver.statuses["/flaky"] = [500, 302]  # a redirect is not followed: it is a failed attempt
    name = _finished(http, wired, token, receiver.url("/flaky"))
    outcomes = [wired.webhooks.deliver(_next_delivery(wired)) for _ in range(3)]
    assert outcomes == ["retrying", "retrying", "delivered"]
    assert len(receiver.at("/flaky")) == 3 and not receiver.at("/redirected")
    entry = {f["name"]: f for f in http.call("GET", "/files", token=token).json["files"]}[name]
    assert entry["callback"] == {"status": "delivered", "attempts": 3, "last_status": 200}


def test_a_receiver_that_never_answers_2xx_ends_failed_with_its_last_status(http, wired, receiver):
    token = http.token()
    receiver.statuses["/down"] = [503, 503, 503]
    name = _finished(http, wired, token, receiver.url("/down"))
    outcomes = [wired.webhooks.deliver(_next_delivery(wired)) for _ in range(3)]
    assert outcomes == ["retrying", "retrying", "failed"]
    entry = {f["name"]: f for f in http.call("GET", "/files", token=token).json["files"]}[name]
    assert entry["callback"] == {"status": "failed", "attempts": 3, "last_status": 503}
    assert entry["status"] == FileStatus.READY.value


def test_delivery_dials_only_the_address_it_vetted_and_keeps_the_name(receiver):
    answers = {"hooks.example": ["127.0.0.1"], "rebound.example": ["10.0.0.7"]}
    policy = EgressPolicy(allow=f"127.0.0.1:{receiver.port}", resolver=lambda host, port: answers[host])
    poster = PinnedHttpPoster(policy, timeout_seconds=5)
    body = b'{"event":"conversion.ready"}'
    assert poster.post(f"http://hooks.example:{receiver.port}/named", body, {"X-Test": "1"}) == 200
    assert receiver.at("/named")[0].headers["host"] == f"hooks.example:{receiver.port}"
    with pytest.raises(DeliveryRefused):
        poster.post(f"http://rebound.example:{receiver.port}/named", body, {})
    with pytest.raises(DeliveryRefused):
        poster.post(f"http://127.0.0.1:{receiver.port + 1 if receiver.port < 65535 else 1}/other-port", body, {})
    assert len(receiver.at("/named")) == 1


def test_the_signature_covers_the_timestamp_and_the_raw_body():
    assert signature("s", b"{}", 1700000000).startswith("t=1700000000,v1=")
    assert signature("s", b"{}", 1700000000) != signature("s", b"{} ", 1700000000)
    assert signature("s", b"{}", 1700000000) != signature("s", b"{}", 1700000001)

"""Per-user limits through the API on moto's DynamoDB, and one contract for the ledger's fake
and its DynamoDB adapter, so the fake cannot drift from what it stands for."""

from __future__ import annotations

import pytest

from chalicelib.adapters.dynamodb_usage import DynamoUsageLedger
from chalicelib.domain.ports import Holdings
from tests.fakes.usage import MemoryUsageLedger
from tests.support.entries import pending_entry


def _ready(wired, user_id: str, size: int) -> None:
    entry = pending_entry(user_id)
    wired.file_index.create(entry)
    wired.file_index.mark_processing(user_id, entry.file_id, 1)
    wired.file_index.mark_ready(user_id, entry.file_id, title="t", size=size, pages=1, warnings=())


@pytest.fixture(params=["memory", "dynamodb"])
def ledger_and_files(request, wired):
    """(ledger, add_pending, add_ready) for the fake and for the real adapter on moto."""
    if request.param == "memory":
        memory = MemoryUsageLedger()

        def add_held(user_id: str, pending: int = 0, ready_bytes: int = 0) -> None:
            held = memory.holdings(user_id)
            memory.held[user_id] = Holdings(
                held.unfinished_jobs + pending,
                held.stored_bytes + ready_bytes,
                held.files + pending + bool(ready_bytes),
            )

        return memory, add_held
    ledger = DynamoUsageLedger(wired.client("dynamodb"), wired.settings.files_table)

    def add(user_id: str, pending: int = 0, ready_bytes: int = 0) -> None:
        for _ in range(pending):
            wired.file_index.create(pending_entry(user_id))
        if ready_bytes:
            _ready(wired, user_id, ready_bytes)

    return ledger, add


def test_the_ledger_counts_requests_per_user_and_minute(ledger_and_files):
    ledger, _ = ledger_and_files
    assert [ledger.count_request("u1", 100) for _ in range(3)] == [1, 2, 3]
    assert ledger.count_request("u1", 101) == 1 and ledger.count_request("u2", 100) == 1
    assert ledger.requests_in("u1", 100) == 3 and ledger.requests_in("u3", 100) == 0


def test_the_ledger_sums_unfinished_jobs_and_ready_bytes(ledger_and_files):
    ledger, add = ledger_and_files
    assert ledger.holdings("u1") == Holdings(0, 0, 0)
    add("u1", pending=2, ready_bytes=1234)
    add("u2", pending=1)
    assert ledger.holdings("u1") == Holdings(2, 1234, 3)
    assert ledger.holdings("u2") == Holdings(1, 0, 1)


@pytest.fixture
def settings(make_settings, page_server):
    return make_settings(
        egress_allow=f"127.0.0.1:{page_server.port}",
        user_requests_per_minute=3,
        user_max_unfinished_jobs=2,
        user_max_stored_bytes=1000,
    )


def _request(http, token, url):
    return http.call("POST", "/request", {"url": url}, token=token)


def test_over_the_pending_limit_is_a_429_with_retry_after(http, page_server):
    token = http.token()
    url = page_server.page("/p", "<p>x</p>")
    assert [_request(http, token, url).status_code for _ in range(2)] == [202, 202]
    refused = _request(http, token, url)
    assert refused.status_code == 429 and refused.json["error"]["code"] == "too_many_pending"
    assert int(refused.headers["Retry-After"]) >= 1


def test_over_the_rate_is_a_429_until_the_next_minute(http, wired, page_server):
    token = http.token()
    url = page_server.page("/p", "<p>x</p>")
    user_id = http.call("GET", "/me", token=token).json["id"]
    codes = []
    for _ in range(7):  # the jobs finish at once, so only the rate can refuse
        response = _request(http, token, url)
        codes.append(response.status_code)
        if response.status_code != 202:
            break
        wired.file_index.mark_failed(user_id, response.json["name"], code="x", message="done")
    # Three per minute; a minute may turn once during the loop and start a fresh three.
    assert codes[-1] == 429 and codes[:3] == [202] * 3 and len(codes) <= 7
    assert response.json["error"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_over_the_storage_quota_is_a_403_and_usage_shows_it(http, wired, page_server):
    token = http.token()
    user_id = http.call("GET", "/me", token=token).json["id"]
    _ready(wired, user_id, 1500)
    refused = _request(http, token, page_server.page("/p", "<p>x</p>"))
    assert refused.status_code == 403 and refused.json["error"]["code"] == "quota_exceeded"
    usage = http.call("GET", "/usage", token=token)
    assert usage.status_code == 200
    assert usage.json == {
        "requests_per_minute": {"used": 1, "limit": 3},
        "unfinished_jobs": {"used": 0, "limit": 2},
        "stored_bytes": {"used": 1500, "limit": 1000},
        "files": 1,
    }

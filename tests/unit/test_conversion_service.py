"""ConversionService against in-memory fakes of its ports: what a request, a retry, a download
and a delete do to the index, the store and the queue."""

from __future__ import annotations

import pytest

from chalicelib.domain.conversions import QUEUE_UNAVAILABLE, ConversionService
from chalicelib.domain.errors import (
    Conflict,
    DependencyUnavailable,
    InvalidInput,
    NotFound,
    QuotaExceeded,
    TooManyAttempts,
    Unprocessable,
)
from chalicelib.domain.models import FileStatus, User
from chalicelib.domain.ports import HoldingsLimits
from chalicelib.domain.sources import Source
from tests.fakes.files import MemoryFileIndex, MemoryJobQueue, MemoryObjectStore

ADA = User("user-ada", "ada@example.com", "hash")
BOB = User("user-bob", "bob@example.com", "hash")
URL = "https://example.com/page"


def refuse_private(url: str) -> str:
    if "10.0.0.1" in url:
        raise InvalidInput("the address 10.0.0.1 is private", "blocked_destination")
    return url


@pytest.fixture
def service(index: MemoryFileIndex, queue: MemoryJobQueue, store: MemoryObjectStore) -> ConversionService:
    return ConversionService(index, queue, store, refuse_private, download_ttl_seconds=60)


def test_a_request_is_recorded_pending_then_queued(
    service: ConversionService, index: MemoryFileIndex, queue: MemoryJobQueue
) -> None:
    entry = service.request(ADA, URL, {"format": "Letter"}, None, "cid-1")
    assert index.get(ADA.id, entry.file_id) == entry
    assert entry.status is FileStatus.PENDING and entry.options.format == "Letter"
    assert [(j.file_id, j.url, j.correlation_id) for j in queue.jobs] == [(entry.file_id, URL, "cid-1")]


def test_a_refused_url_is_neither_recorded_nor_queued(
    service: ConversionService, index: MemoryFileIndex, queue: MemoryJobQueue
) -> None:
    with pytest.raises(InvalidInput) as refused:
        service.request(ADA, "http://10.0.0.1/", None, None, "cid")
    assert refused.value.field == "url"
    assert index.entries == {} and queue.jobs == []


def test_the_same_idempotency_key_returns_the_first_entry_and_queues_once(
    service: ConversionService, queue: MemoryJobQueue
) -> None:
    first = service.request(ADA, URL, None, "key-1", "cid-1")
    again = service.request(ADA, URL, None, "key-1", "cid-2")
    assert again.file_id == first.file_id and len(queue.jobs) == 1
    with pytest.raises(Unprocessable):
        service.request(ADA, URL + "?other", None, "key-1", "cid-3")


def test_a_queue_that_does_not_answer_fails_the_entry_and_a_replay_queues_it(
    service: ConversionService, index: MemoryFileIndex, queue: MemoryJobQueue
) -> None:
    queue.down = True
    with pytest.raises(DependencyUnavailable):
        service.request(ADA, URL, None, "key-1", "cid-1")
    (stuck,) = index.entries.values()
    assert stuck.status is FileStatus.FAILED and stuck.error_code == QUEUE_UNAVAILABLE
    queue.down = False
    replayed = service.request(ADA, URL, None, "key-1", "cid-1")
    assert replayed.file_id == stuck.file_id and replayed.status is FileStatus.PENDING
    assert [j.file_id for j in queue.jobs] == [stuck.file_id]


def test_html_is_stored_beside_the_pdf_and_deleted_with_it(
    service: ConversionService, store: MemoryObjectStore, index: MemoryFileIndex
) -> None:
    entry = service.request(ADA, None, None, None, "cid", source=Source("html", "<h1>Hi</h1>"))
    assert entry.source_key is not None and store.get_source(entry.source_key) == "<h1>Hi</h1>"
    store.put_pdf(entry.object_key, b"%PDF", {})
    service.delete(ADA, entry.file_id)
    assert store.objects == {} and index.entries == {}


def test_only_a_ready_file_of_ones_own_has_a_download_link(service: ConversionService, index: MemoryFileIndex) -> None:
    entry = service.request(ADA, URL, None, None, "cid")
    with pytest.raises(Conflict):
        service.download_link(ADA, entry.file_id)
    index.mark_ready(ADA.id, entry.file_id, title="A page", size=4, pages=1, warnings=())
    url, filename = service.download_link(ADA, entry.file_id)
    assert entry.object_key in url and filename == "A-page.pdf"
    with pytest.raises(NotFound):
        service.download_link(BOB, entry.file_id)


def test_only_a_failed_job_is_retried_and_its_url_is_checked_again(
    service: ConversionService, index: MemoryFileIndex, queue: MemoryJobQueue
) -> None:
    entry = service.request(ADA, URL, None, None, "cid")
    with pytest.raises(Conflict):
        service.retry(ADA, entry.file_id)
    index.mark_failed(ADA.id, entry.file_id, code="http_error", message="The page answered HTTP 404")
    retried = service.retry(ADA, entry.file_id)
    assert retried.status is FileStatus.PENDING and retried.error_code is None
    assert [j.file_id for j in queue.jobs] == [entry.file_id, entry.file_id]


def test_a_file_of_someone_else_is_not_found(service: ConversionService) -> None:
    entry = service.request(ADA, URL, None, None, "cid")
    for act in (service.retry, service.delete):
        with pytest.raises(NotFound):
            act(BOB, entry.file_id)
    with pytest.raises(NotFound):
        service.delete(ADA, "not-a-file-id")


LIMITS = HoldingsLimits(max_unfinished_jobs=2, max_stored_bytes=1000)


@pytest.fixture
def limited(index: MemoryFileIndex, queue: MemoryJobQueue, store: MemoryObjectStore) -> ConversionService:
    return ConversionService(index, queue, store, refuse_private, download_ttl_seconds=60, limits=LIMITS)


def test_a_request_past_the_unfinished_jobs_limit_is_a_429_and_records_nothing(
    limited: ConversionService, index: MemoryFileIndex, queue: MemoryJobQueue
) -> None:
    kept = [limited.request(ADA, URL, None, None, "cid") for _ in range(2)]
    with pytest.raises(TooManyAttempts) as refused:
        limited.request(ADA, URL, None, None, "cid")
    assert refused.value.code == "too_many_pending"
    assert len(index.entries) == 2 and [j.file_id for j in queue.jobs] == [e.file_id for e in kept]
    limited.request(BOB, URL, None, None, "cid")  # another user's limit is their own
    index.mark_failed(ADA.id, kept[0].file_id, code="timeout", message="too slow")
    assert limited.request(ADA, URL, None, None, "cid").status is FileStatus.PENDING  # a place came free


def test_a_replayed_request_is_answered_even_at_the_limit(limited: ConversionService, queue: MemoryJobQueue) -> None:
    first = limited.request(ADA, URL, None, "key-1", "cid")
    limited.request(ADA, URL, None, None, "cid")
    assert limited.request(ADA, URL, None, "key-1", "cid").file_id == first.file_id
    assert len(queue.jobs) == 2


def test_a_retry_past_the_storage_quota_is_refused_and_stays_failed(
    limited: ConversionService, index: MemoryFileIndex
) -> None:
    failed = limited.request(ADA, URL, None, None, "cid")
    index.mark_failed(ADA.id, failed.file_id, code="timeout", message="too slow")
    stored = limited.request(ADA, URL, None, None, "cid")
    index.mark_ready(ADA.id, stored.file_id, title="t", size=1000, pages=1, warnings=())
    with pytest.raises(QuotaExceeded):
        limited.retry(ADA, failed.file_id)
    entry = index.get(ADA.id, failed.file_id)
    assert entry is not None and entry.status is FileStatus.FAILED

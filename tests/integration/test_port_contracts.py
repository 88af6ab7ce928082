"""One contract per port, run against its in-memory fake (tests/fakes/) and its real adapter
(PostgreSQL, DynamoDB, S3 and SQS on moto's server), so a fake cannot drift from what it
stands for: the domain's unit tests are only as good as the fakes they run on."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.postgres import PostgresAttemptLimiter
from chalicelib.adapters.postgres_api_keys import PostgresApiKeys
from chalicelib.domain.errors import Conflict
from chalicelib.domain.ids import new_file_id
from chalicelib.domain.models import CallbackState, ConversionJob, ConversionOptions, FileEntry, FileStatus
from chalicelib.domain.ports import (
    ApiKeyRepository,
    AttemptLimiter,
    FileIndex,
    HoldingsFull,
    HoldingsLimits,
    JobQueue,
    ObjectStore,
    UserRepository,
)
from chalicelib.wiring import Container
from tests.fakes.accounts import MemoryLimiter, MemoryUsers
from tests.fakes.api_keys import MemoryApiKeys
from tests.fakes.files import MemoryFileIndex, MemoryJobQueue, MemoryObjectStore

NOW = "2026-01-01T00:00:00.000Z"


def entry(user_id: str = "user-ada", **fields: object) -> FileEntry:
    base = FileEntry(user_id, new_file_id(), "https://example.com/", FileStatus.PENDING, NOW, NOW, correlation_id="c")
    return FileEntry(**{**base.__dict__, **fields})


# -- the adapters, fake and real ---------------------------------------------------------------


def fake_or_real[T](request: pytest.FixtureRequest, fake: Callable[[], T], real: Callable[[Container], T]) -> T:
    """The fake for the "memory" parameter, else the real adapter wired to this test's resources."""
    return fake() if request.param == "memory" else real(request.getfixturevalue("wired"))


@pytest.fixture(params=["memory", "dynamodb"])
def index(request: pytest.FixtureRequest) -> FileIndex:
    return fake_or_real(request, MemoryFileIndex, lambda wired: wired.file_index)


@pytest.fixture(params=["memory", "s3"])
def store(request: pytest.FixtureRequest) -> ObjectStore:
    return fake_or_real(request, MemoryObjectStore, lambda wired: wired.object_store)


@dataclass
class QueueUnderTest:
    queue: JobQueue
    sent: Callable[[], list[ConversionJob]]  # what a consumer receives, in order


def _memory_queue() -> QueueUnderTest:
    memory = MemoryJobQueue()
    return QueueUnderTest(memory, lambda: list(memory.jobs))


def _sqs_queue(wired: Container) -> QueueUnderTest:
    sqs, url = wired.client("sqs"), wired.queue_urls.url(wired.settings.jobs_queue_name)

    def received() -> list[ConversionJob]:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        return [ConversionJob.from_message(json.loads(m["Body"])) for m in messages]

    return QueueUnderTest(wired.job_queue, received)


@pytest.fixture(params=["memory", "sqs"])
def queue(request: pytest.FixtureRequest) -> QueueUnderTest:
    return fake_or_real(request, _memory_queue, _sqs_queue)


@pytest.fixture(params=["memory", "postgres"])
def users(request: pytest.FixtureRequest) -> UserRepository:
    return fake_or_real(request, MemoryUsers, lambda wired: wired.users)


@pytest.fixture(params=["memory", "postgres"])
def limiter(request: pytest.FixtureRequest) -> AttemptLimiter:
    return fake_or_real(request, MemoryLimiter, lambda wired: PostgresAttemptLimiter(wired.database))


@dataclass
class KeysUnderTest:
    keys: ApiKeyRepository
    owner: str  # a user the repository accepts as an owner (PostgreSQL: one that exists)


@pytest.fixture(params=["memory", "postgres"])
def api_keys(request: pytest.FixtureRequest) -> KeysUnderTest:
    return fake_or_real(
        request,
        lambda: KeysUnderTest(MemoryApiKeys(), str(uuid.uuid4())),
        lambda wired: KeysUnderTest(PostgresApiKeys(wired.database), wired.users.add("ada@example.com", "hash").id),
    )


# -- FileIndex ----------------------------------------------------------------------------------


def test_an_entry_reads_back_as_it_was_created(index: FileIndex) -> None:
    created = entry(
        options=ConversionOptions(format="Letter", landscape=True),
        title="A title",
        source="html",
        callback_url="https://hooks.example/pdf",
        callback=CallbackState(),
    )
    assert index.create(created) == created
    assert index.get(created.user_id, created.file_id) == created
    assert index.get("user-bob", created.file_id) is None


def test_an_idempotency_key_returns_the_first_entry_for_that_user_only(index: FileIndex) -> None:
    first = index.create(entry(), "key-1")
    assert index.create(entry(), "key-1") == first
    other_user = entry("user-bob")
    assert index.create(other_user, "key-1") == other_user


def test_a_listing_pages_through_ones_own_entries_newest_first(index: FileIndex) -> None:
    mine = [index.create(entry()) for _ in range(5)]
    index.create(entry("user-bob"))
    seen, cursor = [], None
    for _ in range(5):
        page = index.list("user-ada", 2, cursor)
        assert len(page.items) <= 2
        seen += [e.file_id for e in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == sorted((e.file_id for e in mine), reverse=True)


def test_a_job_finishes_once(index: FileIndex) -> None:
    job = index.create(entry())
    processing = index.mark_processing(job.user_id, job.file_id, 2)
    assert processing is not None and (processing.status, processing.attempts) == (FileStatus.PROCESSING, 2)
    assert index.mark_ready(job.user_id, job.file_id, title="T", size=10, pages=2, warnings=("w",))
    assert not index.mark_failed(job.user_id, job.file_id, code="x", message="late")
    assert index.mark_processing(job.user_id, job.file_id, 3) is None
    ready = index.get(job.user_id, job.file_id)
    assert ready is not None and (ready.status, ready.title, ready.size, ready.pages, ready.warnings) == (
        FileStatus.READY,
        "T",
        10,
        2,
        ("w",),
    )
    assert not index.mark_ready("user-ada", new_file_id(), title="T", size=1, pages=1, warnings=())


def test_only_a_failed_entry_is_reset_for_a_retry(index: FileIndex) -> None:
    job = index.create(entry(callback_url="https://hooks.example/pdf", callback=CallbackState()))
    assert index.reset_for_retry(job.user_id, job.file_id) is None
    index.mark_processing(job.user_id, job.file_id, 3)
    index.record_callback(job.user_id, job.file_id, CallbackState("failed", 2, 500))
    assert index.mark_failed(job.user_id, job.file_id, code="http_error", message="404")
    reset = index.reset_for_retry(job.user_id, job.file_id)
    assert reset is not None
    assert (reset.status, reset.attempts, reset.error_code, reset.error_message, reset.callback) == (
        FileStatus.PENDING,
        0,
        None,
        None,
        CallbackState(),
    )


def test_limits_refuse_a_new_or_retried_job_once_reached_but_not_a_replay(index: FileIndex) -> None:
    limits = HoldingsLimits(max_unfinished_jobs=2, max_stored_bytes=500)
    first = index.create(entry("user-lim"), idempotency_key="k-1", limits=limits)
    index.create(entry("user-lim"), limits=limits)
    with pytest.raises(HoldingsFull) as full:
        index.create(entry("user-lim"), limits=limits)
    assert full.value.holdings.unfinished_jobs == 2 and full.value.limits == limits
    assert index.create(entry("user-lim"), idempotency_key="k-1", limits=limits).file_id == first.file_id
    assert len(index.list("user-lim", 10, None).items) == 2, "nothing stored by the refused request"
    index.create(entry("user-other"), limits=limits)  # another user's holdings are their own

    assert index.mark_ready("user-lim", first.file_id, title="T", size=500, pages=1, warnings=())
    with pytest.raises(HoldingsFull) as full:  # one place free, but the stored bytes reached the quota
        index.create(entry("user-lim"), limits=limits)
    assert full.value.holdings.stored_bytes == 500
    (other,) = [e for e in index.list("user-lim", 10, None).items if e.file_id != first.file_id]
    assert index.mark_failed("user-lim", other.file_id, code="x", message="y")
    with pytest.raises(HoldingsFull):
        index.reset_for_retry("user-lim", other.file_id, limits=limits)
    still = index.get("user-lim", other.file_id)
    assert still is not None and still.status is FileStatus.FAILED
    assert index.reset_for_retry("user-lim", other.file_id) is not None  # without limits, as before


def test_unfinished_lists_pending_and_processing_entries_only(index: FileIndex) -> None:
    pending, processing, done = index.create(entry()), index.create(entry()), index.create(entry())
    index.mark_processing(processing.user_id, processing.file_id, 1)
    index.mark_failed(done.user_id, done.file_id, code="x", message="y")
    assert sorted(e.file_id for e in index.unfinished()) == sorted([pending.file_id, processing.file_id])


def test_sealed_credentials_live_until_the_job_ends_or_the_entry_goes(index: FileIndex) -> None:
    ready, failed, deleted = (index.create(entry(), None, b"sealed-%d" % n) for n in range(3))
    plain = index.create(entry())
    assert index.sealed_credentials(ready.user_id, ready.file_id) == b"sealed-0"
    assert index.sealed_credentials(plain.user_id, plain.file_id) is None
    assert index.mark_processing(ready.user_id, ready.file_id, 1) is not None
    assert index.sealed_credentials(ready.user_id, ready.file_id) == b"sealed-0"  # a retried delivery needs them
    assert index.mark_ready(ready.user_id, ready.file_id, title="t", size=1, pages=1, warnings=())
    assert index.mark_failed(failed.user_id, failed.file_id, code="http_error", message="404")
    assert index.delete(deleted.user_id, deleted.file_id)
    for gone in (ready, failed, deleted):
        assert index.sealed_credentials(gone.user_id, gone.file_id) is None
    assert index.reset_for_retry(failed.user_id, failed.file_id) is not None
    assert index.sealed_credentials(failed.user_id, failed.file_id) is None


def test_a_deleted_entry_is_gone_and_its_callback_note_goes_nowhere(index: FileIndex) -> None:
    job = index.create(entry())
    assert index.delete(job.user_id, job.file_id)
    assert not index.delete(job.user_id, job.file_id)
    index.record_callback(job.user_id, job.file_id, CallbackState("delivered", 1, 200))
    assert index.get(job.user_id, job.file_id) is None


# -- ObjectStore --------------------------------------------------------------------------------


def test_a_pdf_exists_until_deleted_and_deleting_twice_is_harmless(store: ObjectStore) -> None:
    key = f"users/user-ada/{new_file_id()}.pdf"
    assert not store.exists(key)
    store.put_pdf(key, b"%PDF-1.7", {"correlation-id": "c"})
    assert store.exists(key)
    store.delete(key)
    store.delete(key)
    assert not store.exists(key)


def test_html_reads_back_as_sent_and_a_missing_source_is_none(store: ObjectStore) -> None:
    key = f"users/user-ada/{new_file_id()}.html"
    assert store.get_source(key) is None
    store.put_source(key, "<h1>Ünïcode ✓</h1>", {"file-id": "f"})
    assert store.get_source(key) == "<h1>Ünïcode ✓</h1>"


def test_a_download_url_names_the_object(store: ObjectStore) -> None:
    key = f"users/user-ada/{new_file_id()}.pdf"
    store.put_pdf(key, b"%PDF-1.7", {})
    assert key in store.download_url(key, "page.pdf", 60)


# -- JobQueue -----------------------------------------------------------------------------------


def test_a_queued_job_is_received_as_it_was_sent(queue: QueueUnderTest) -> None:
    job = ConversionJob(
        "user-ada", new_file_id(), "https://example.com/", ConversionOptions(format="A5"), "cid-1", "html"
    )
    queue.queue.send(job)
    assert queue.sent() == [job]


# -- UserRepository -----------------------------------------------------------------------------


def test_a_user_is_found_by_id_and_email_and_an_email_is_taken_once(users: UserRepository) -> None:
    ada = users.add("ada@example.com", "hash-1")
    for found in (users.by_id(ada.id), users.by_email("ada@example.com")):
        assert found is not None and (found.id, found.email, found.password_hash) == (ada.id, ada.email, "hash-1")
    with pytest.raises(Conflict):
        users.add("ada@example.com", "hash-2")
    assert users.by_email("nobody@example.com") is None


def test_a_session_is_set_and_cleared(users: UserRepository) -> None:
    ada = users.add("ada@example.com", "hash")
    session = str(uuid.uuid4())  # a session id is a UUID (PostgreSQL's column says so)
    users.set_session(ada.id, session)
    assert users.by_id(ada.id).session_id == session
    users.set_session(ada.id, None)
    assert users.by_id(ada.id).session_id is None


# -- AttemptLimiter -----------------------------------------------------------------------------


def test_failures_are_counted_in_their_window_forgotten_and_cleared(limiter: AttemptLimiter) -> None:
    key = f"account:{new_file_id()}"
    start = datetime(2026, 1, 1, tzinfo=UTC)
    times = [start + timedelta(seconds=s) for s in (0, 10, 20)]
    for at in times:
        limiter.record_failure(key, at)
    window = limiter.failures(key, start - timedelta(seconds=1), start + timedelta(seconds=30))
    assert (window.count, window.oldest, window.newest) == (3, times[0], times[2])
    assert limiter.failures(key, times[0], times[2]).count == 1  # both ends excluded
    limiter.forget(key, times[1])
    assert limiter.failures(key, start - timedelta(seconds=1), start + timedelta(seconds=30)).count == 2
    limiter.clear(key)
    assert limiter.failures(key, start - timedelta(seconds=1), start + timedelta(seconds=30)).count == 0


# -- ApiKeyRepository ---------------------------------------------------------------------------


def test_a_key_is_found_by_its_hash_listed_for_its_owner_and_revoked_by_its_owner_only(
    api_keys: KeysUnderTest,
) -> None:
    keys, owner = api_keys.keys, api_keys.owner
    key = keys.add(owner, "ci", ("convert", "read"), "pp_abcd", "secret-hash")
    found = keys.by_hash("secret-hash")
    assert found is not None and (found.id, found.name, found.scopes) == (key.id, "ci", ("convert", "read"))
    assert [k.id for k in keys.for_user(owner)] == [key.id]
    assert not keys.remove(str(uuid.uuid4()), key.id)
    assert keys.remove(owner, key.id)
    assert keys.by_hash("secret-hash") is None and keys.for_user(owner) == []

"""JobProcessor against in-memory fakes: every job ends ready or failed exactly once, the PDF
is stored before the entry says ready, transient failures are left to the queue's retry."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

import pytest

from chalicelib.domain.errors import ConversionFailed, DependencyUnavailable
from chalicelib.domain.ids import new_file_id
from chalicelib.domain.jobs import JobProcessor, RetryLater
from chalicelib.domain.models import ConversionJob, ConversionOptions, FileEntry, FileStatus, RenderedPdf, source_key
from chalicelib.domain.webhooks import EVENT_FAILED, EVENT_READY
from tests.fakes.files import MemoryFileIndex, MemoryObjectStore, MemoryWebhookQueue, ScriptedRenderer

URL = "https://example.com/page"


@pytest.fixture
def processor(
    index: MemoryFileIndex, store: MemoryObjectStore, renderer: ScriptedRenderer, webhooks: MemoryWebhookQueue
) -> JobProcessor:
    return JobProcessor(index, store, lambda: renderer, webhooks)


@pytest.fixture
def pending(index: MemoryFileIndex) -> Callable[..., ConversionJob]:
    def make(url: str = URL, **fields: object) -> ConversionJob:
        now = "2026-01-01T00:00:00.000Z"
        entry = FileEntry("user-ada", new_file_id(), url, FileStatus.PENDING, now, now, correlation_id="cid")
        entry = index.create(FileEntry(**{**entry.__dict__, **fields}))
        return ConversionJob.for_entry(entry)

    return make


def test_a_rendered_page_is_stored_then_marked_ready_and_announced(
    processor: JobProcessor,
    index: MemoryFileIndex,
    store: MemoryObjectStore,
    webhooks: MemoryWebhookQueue,
    pending: Callable[..., ConversionJob],
) -> None:
    job = pending(callback_url="https://hooks.example/pdf")
    outcome = processor.process(job, attempt=1)
    entry = index.get(job.user_id, job.file_id)
    assert outcome.status == "ready" and entry is not None and entry.status is FileStatus.READY
    assert store.objects[entry.object_key] == b"%PDF-1.7 " + URL.encode()
    assert entry.size == len(store.objects[entry.object_key]) and entry.title == f"Title of {URL}"
    assert [(d.file_id, d.event) for d, _ in webhooks.deliveries] == [(job.file_id, EVENT_READY)]


def test_a_permanent_failure_fails_the_entry_at_once(
    processor: JobProcessor,
    index: MemoryFileIndex,
    renderer: ScriptedRenderer,
    store: MemoryObjectStore,
    pending: Callable[..., ConversionJob],
) -> None:
    renderer.failures[URL] = ConversionFailed("The page answered HTTP 404 Not Found", "http_error", permanent=True)
    job = pending()
    outcome = processor.process(job, attempt=1)
    entry = index.get(job.user_id, job.file_id)
    assert (outcome.status, outcome.detail) == ("failed", "http_error")
    assert entry is not None and entry.status is FileStatus.FAILED
    assert entry.error_message == "The page answered HTTP 404 Not Found" and store.objects == {}


def test_a_transient_failure_is_left_to_the_queue_and_the_entry_stays_unfinished(
    processor: JobProcessor, index: MemoryFileIndex, renderer: ScriptedRenderer, pending: Callable[..., ConversionJob]
) -> None:
    renderer.failures[URL] = ConversionFailed("The site refused the connection", "connection_failed", permanent=False)
    job = pending()
    with pytest.raises(RetryLater):
        processor.process(job, attempt=1)
    entry = index.get(job.user_id, job.file_id)
    assert entry is not None and entry.status is FileStatus.PROCESSING and entry.attempts == 1


def test_a_failed_upload_leaves_the_entry_unfinished_for_the_retry(
    processor: JobProcessor, index: MemoryFileIndex, store: MemoryObjectStore, pending: Callable[..., ConversionJob]
) -> None:
    store.fail_next_put = True
    job = pending()
    with pytest.raises(DependencyUnavailable):
        processor.process(job, attempt=1)
    assert index.get(job.user_id, job.file_id).status is FileStatus.PROCESSING
    assert processor.process(job, attempt=2).status == "ready"


def test_a_duplicate_delivery_of_a_finished_job_changes_nothing(
    processor: JobProcessor, renderer: ScriptedRenderer, pending: Callable[..., ConversionJob]
) -> None:
    job = pending()
    assert processor.process(job, attempt=1).status == "ready"
    assert processor.process(job, attempt=2).status == "skipped"
    assert renderer.rendered == [URL]


def test_a_file_deleted_while_rendering_leaves_no_pdf_behind(
    index: MemoryFileIndex, store: MemoryObjectStore, pending: Callable[..., ConversionJob]
) -> None:
    job = pending()

    class DeletingRenderer(ScriptedRenderer):
        def render(self, *args, **kwargs):  # the same call, then the owner deletes
            pdf = super().render(*args, **kwargs)
            index.delete(job.user_id, job.file_id)
            return pdf

    outcome = JobProcessor(index, store, DeletingRenderer).process(job, attempt=1)
    assert (outcome.status, outcome.detail) == ("skipped", "deleted while rendering") and store.objects == {}


def test_html_is_rendered_from_the_store_and_missing_html_fails_for_good(
    processor: JobProcessor,
    store: MemoryObjectStore,
    renderer: ScriptedRenderer,
    index: MemoryFileIndex,
    pending: Callable[..., ConversionJob],
) -> None:
    sent = pending(url="", source="html")
    store.put_source(source_key(sent.user_id, sent.file_id), "<h1>Invoice</h1>", {})
    assert processor.process(sent, attempt=1).status == "ready" and renderer.rendered == ["<h1>Invoice</h1>"]
    lost = pending(url="", source="html")
    outcome = processor.process(lost, attempt=1)
    assert (outcome.status, outcome.detail) == ("failed", "source_missing")


def test_giving_up_fails_an_unfinished_job_once_and_announces_it(
    processor: JobProcessor, webhooks: MemoryWebhookQueue, index: MemoryFileIndex, pending: Callable[..., ConversionJob]
) -> None:
    job = pending(callback_url="https://hooks.example/pdf", attempts=5)
    assert processor.give_up(job, max_attempts=5).status == "failed"
    assert processor.give_up(job, max_attempts=5).status == "skipped"
    entry = index.get(job.user_id, job.file_id)
    assert entry is not None and entry.error_code == "gave_up" and "5 attempts" in (entry.error_message or "")
    assert [d.event for d, _ in webhooks.deliveries] == [EVENT_FAILED]


class _PicturedRenderer(ScriptedRenderer):
    """Renders like ScriptedRenderer, with a thumbnail beside each PDF."""

    def render(self, url: str, options: ConversionOptions, correlation_id: str, credentials=None) -> RenderedPdf:
        return replace(super().render(url, options, correlation_id, credentials), draw_thumbnail=lambda: b"RIFF-WEBP")


class _MeetingStore(MemoryObjectStore):
    """Each upload waits, up to a deadline, until the other one has started: both succeed only
    when they run at the same time."""

    def __init__(self) -> None:
        super().__init__()
        self.meeting = threading.Barrier(2, timeout=10)

    def put_pdf(self, *args, **kwargs) -> None:
        self.meeting.wait()
        super().put_pdf(*args, **kwargs)

    def put_thumbnail(self, *args, **kwargs) -> None:
        self.meeting.wait()
        super().put_thumbnail(*args, **kwargs)


def test_the_pdf_and_its_thumbnail_are_uploaded_side_by_side(
    index: MemoryFileIndex, pending: Callable[..., ConversionJob]
) -> None:
    store = _MeetingStore()
    job = pending()
    outcome = JobProcessor(index, store, _PicturedRenderer).process(job, attempt=1)
    entry = index.get(job.user_id, job.file_id)
    assert outcome.status == "ready" and entry is not None and entry.has_thumbnail
    assert store.objects[entry.thumbnail_key] == b"RIFF-WEBP" and entry.object_key in store.objects


def test_a_failed_pdf_upload_beside_a_stored_thumbnail_still_waits_for_the_retry(
    index: MemoryFileIndex, store: MemoryObjectStore, pending: Callable[..., ConversionJob]
) -> None:
    processor = JobProcessor(index, store, _PicturedRenderer)
    store.fail_next_put = True  # whichever upload comes first fails; the other goes through
    job = pending()
    with pytest.raises(DependencyUnavailable):
        processor.process(job, attempt=1)
    assert index.get(job.user_id, job.file_id).status is FileStatus.PROCESSING
    assert processor.process(job, attempt=2).status == "ready"
    entry = index.get(job.user_id, job.file_id)
    assert {entry.object_key, entry.thumbnail_key} <= set(store.objects)


class _UndrawableRenderer(ScriptedRenderer):
    """Renders like ScriptedRenderer; its thumbnails cannot be drawn (PDFium could not read the PDF)."""

    def render(self, url: str, options: ConversionOptions, correlation_id: str, credentials=None) -> RenderedPdf:
        return replace(super().render(url, options, correlation_id, credentials), draw_thumbnail=lambda: None)


def test_a_thumbnail_that_cannot_be_drawn_leaves_the_job_ready_without_one(
    index: MemoryFileIndex, store: MemoryObjectStore, pending: Callable[..., ConversionJob]
) -> None:
    job = pending()
    assert JobProcessor(index, store, _UndrawableRenderer).process(job, attempt=1).status == "ready"
    entry = index.get(job.user_id, job.file_id)
    assert entry is not None and not entry.has_thumbnail
    assert entry.object_key in store.objects and entry.thumbnail_key not in store.objects

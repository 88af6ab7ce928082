"""Carrying out one conversion job, so that every job ends ready or failed exactly once.

Order matters: the PDF goes to S3 before the index says ``ready``; every status change is
conditional, so a duplicate delivery or a retry after a crash changes nothing twice.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote

from chalicelib.domain.errors import ConversionFailed, DependencyUnavailable, SealBroken
from chalicelib.domain.models import ConversionJob, FileEntry, RenderedPdf, object_key, source_key, thumbnail_key
from chalicelib.domain.outputs import OUTPUTS
from chalicelib.domain.page_credentials import PageCredentials, seal_context
from chalicelib.domain.ports import CredentialSealer, FileIndex, ObjectStore, Renderer, WebhookQueue
from chalicelib.domain.render_report import RenderReport
from chalicelib.domain.webhooks import EVENT_FAILED, EVENT_READY, WebhookDelivery, event_for

MAX_METADATA_URL = 1024
MAX_TITLE = 1000
#: Every message stored on an entry is capped: parts of it come from the page or the site.
MAX_MESSAGE = 500
MAX_WARNINGS = 20


def _ms_between(iso_start: str, end: datetime) -> int | None:
    """Milliseconds from an entry's timestamp to ``end``; None when the timestamp cannot be read."""
    try:
        start = datetime.fromisoformat(iso_start.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0, round((end - start).total_seconds() * 1000))


def _side_by_side[T](first: Callable[[], None], second: Callable[[], T]) -> T:
    """Two independent steps at once (the PDF's upload; its thumbnail drawn and uploaded: both in
    the time of the longer); ``second``'s result, or the first failure once both have ended."""
    with ThreadPoolExecutor(2, thread_name_prefix="upload") as pool:
        done_first, done_second = pool.submit(first), pool.submit(second)
        done_first.result()
        return done_second.result()


class RetryLater(Exception):
    """A transient failure: let the queue deliver the job again."""


@dataclass(frozen=True)
class Outcome:
    status: str  # "ready", "failed", "skipped"
    detail: str = ""  # for "failed", the failure code
    #: How long each step took (ms): the index updates, the render, the upload.
    timings: dict[str, int] = field(default_factory=dict)
    # What the metrics report (ports.ConversionMetrics), where the job got that far.
    render_seconds: float | None = None
    pdf_bytes: int | None = None
    requested_at: str | None = None  # the entry's created_at, for the end-to-end time


class _Steps:
    """Times the steps of one job, so the request-to-ready path can be broken down."""

    def __init__(self) -> None:
        self.timings: dict[str, int] = {}
        self._mark = time.perf_counter()

    def done(self, step: str) -> None:
        now = time.perf_counter()
        self.timings[f"{step}_ms"] = round((now - self._mark) * 1000)
        self._mark = now

    def seconds(self, step: str) -> float | None:
        ms = self.timings.get(f"{step}_ms")
        return None if ms is None else ms / 1000


class JobProcessor:
    def __init__(
        self,
        index: FileIndex,
        store: ObjectStore,
        renderer: Callable[[], Renderer],
        webhooks: WebhookQueue | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        sealer: Callable[[], CredentialSealer] | None = None,
    ) -> None:
        self._now = now
        self._sealer = sealer  # opens a job's headers and cookies (built when a job has some)
        self._index = index
        self._store = store
        self._renderer = renderer  # built lazily: the dead-letter consumer never launches a browser
        self._webhooks = webhooks

    def process(self, job: ConversionJob, attempt: int) -> Outcome:
        steps = _Steps()
        entry = self._index.mark_processing(job.user_id, job.file_id, attempt)
        steps.done("mark_processing")
        if entry is None:
            self._announce_if_owed(job)
            return Outcome("skipped", "the entry is gone or already finished", steps.timings)
        queued_ms = _ms_between(entry.created_at, self._now())
        try:
            pdf = self._render(job)
        except ConversionFailed as failure:
            if not failure.permanent:
                raise RetryLater(f"{failure.code}: {failure.message}") from failure
            steps.done("render")
            report = (failure.report or RenderReport()).with_timings(
                queued=queued_ms, total=_ms_between(entry.created_at, self._now())
            )
            if self._index.mark_failed(
                job.user_id, job.file_id, code=failure.code[:64], message=failure.message[:MAX_MESSAGE], report=report
            ):
                self._announce(entry, EVENT_FAILED)
            steps.done("index")
            return Outcome(
                "failed",
                failure.code,
                steps.timings,
                render_seconds=steps.seconds("render"),
                requested_at=entry.created_at,
            )
        steps.done("render")
        output = OUTPUTS[job.options.output]
        key = object_key(job.user_id, job.file_id, job.options.output)
        metadata = {  # S3 allows 2 KB of user metadata in all
            "correlation-id": job.correlation_id,
            "source-url": quote(job.url, safe=":/?&=#%@+,;~!$'()*[]")[:MAX_METADATA_URL],
            "file-id": job.file_id,
        }
        store_pdf = functools.partial(self._store.put_pdf, key, pdf.content, metadata, output.content_type)
        has_thumbnail = False
        if pdf.draw_thumbnail is None:
            store_pdf()
        else:
            has_thumbnail = _side_by_side(store_pdf, functools.partial(self._store_thumbnail, job, pdf.draw_thumbnail))
        steps.done("upload")
        title = (entry.title or pdf.title)[:MAX_TITLE]  # a page's title is unbounded; an index item is not
        report = (pdf.report or RenderReport()).with_timings(
            queued=queued_ms, store=steps.timings["upload_ms"], total=_ms_between(entry.created_at, self._now())
        )
        ready = self._index.mark_ready(
            job.user_id,
            job.file_id,
            title=title,
            size=len(pdf.content),
            pages=pdf.pages,
            warnings=tuple(w[:MAX_MESSAGE] for w in pdf.warnings[:MAX_WARNINGS]),
            report=report,
            has_thumbnail=has_thumbnail,
        )
        steps.done("index")
        if ready:
            self._announce(entry, EVENT_READY)
            return Outcome(
                "ready",
                timings=steps.timings,
                render_seconds=steps.seconds("render"),
                pdf_bytes=len(pdf.content),
                requested_at=entry.created_at,
            )
        current = self._index.get(job.user_id, job.file_id)
        if current is None:
            self._store.delete(key)  # deleted by its owner while we rendered
            self._store.delete(thumbnail_key(job.user_id, job.file_id))
            return Outcome("skipped", "deleted while rendering")
        return Outcome("skipped", f"already {current.status.value}")

    def _store_thumbnail(self, job: ConversionJob, draw: Callable[[], bytes | None]) -> bool:
        """Draws the thumbnail and stores it; False when none could be made (the job goes on)."""
        picture = draw()
        if picture is None:
            return False
        self._store.put_thumbnail(thumbnail_key(job.user_id, job.file_id), picture, {"file-id": job.file_id})
        return True

    def _render(self, job: ConversionJob) -> RenderedPdf:
        if job.source == "url":
            credentials = self._credentials(job) if job.options.has_credentials else None
            return self._renderer().render(job.url, job.options, job.correlation_id, credentials)
        html = self._store.get_source(source_key(job.user_id, job.file_id))
        if html is None:
            raise ConversionFailed("The HTML to convert is gone; please send it again.", "source_missing")
        return self._renderer().render_html(html, job.options, job.correlation_id)

    def _credentials(self, job: ConversionJob) -> PageCredentials:
        """The job's headers and cookies, opened for this render only (never logged, never kept)."""
        sealed = self._index.sealed_credentials(job.user_id, job.file_id)
        if sealed is None or self._sealer is None:
            raise ConversionFailed(
                "The headers and cookies for this page are gone; send the request again.", "credentials_missing"
            )
        try:
            return PageCredentials.from_bytes(self._sealer().open(sealed, seal_context(job.user_id, job.file_id)))
        except (SealBroken, ValueError, KeyError, TypeError):  # tampered with, or not what the API sealed
            raise ConversionFailed(
                "The headers and cookies for this page could not be read; send the request again.",
                "credentials_unreadable",
            ) from None
        except DependencyUnavailable:
            raise ConversionFailed(
                "The key service did not answer; the page will be retried.", "credentials_unavailable", permanent=False
            ) from None

    def give_up(self, job: ConversionJob, max_attempts: int) -> Outcome:
        """Called for a job that reached the dead-letter queue; the index knows how often it was tried."""
        entry = self._index.get(job.user_id, job.file_id)
        if entry is None or entry.status.finished:
            return Outcome("skipped", "the entry is gone or already finished")
        attempts = entry.attempts or max_attempts
        done = self._index.mark_failed(
            job.user_id,
            job.file_id,
            code="gave_up",
            message=f"Gave up after {attempts} attempts: the page could not be converted. Please retry later.",
        )
        if done:
            self._announce(entry, EVENT_FAILED)
        return Outcome("failed" if done else "skipped", "gave_up", requested_at=entry.created_at)

    def _announce(self, entry: FileEntry, event: str) -> None:
        """Queue the webhook of a job that just ended (if it asked for one). Should queueing
        fail, the job's retry finds it finished and announces it then."""
        if entry.callback_url and self._webhooks is not None:
            self._webhooks.send(
                WebhookDelivery(entry.user_id, entry.file_id, event, correlation_id=entry.correlation_id or "")
            )

    def _announce_if_owed(self, job: ConversionJob) -> None:
        current = self._index.get(job.user_id, job.file_id)
        if (
            current is not None
            and current.status.finished
            and current.callback is not None
            and current.callback.status == "pending"
            and current.callback.attempts == 0
        ):
            self._announce(current, event_for(current))

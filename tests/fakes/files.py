"""In-memory FileIndex, ObjectStore, JobQueue, WebhookQueue and Renderer, typed against the
ports they stand in for. tests/integration/test_port_contracts.py runs the same cases against
each of them and its real adapter, so they behave alike."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from chalicelib.domain.conversions import utc_now_iso
from chalicelib.domain.errors import ConversionFailed, DependencyUnavailable
from chalicelib.domain.file_filter import FileFilter, folded
from chalicelib.domain.models import (
    CallbackState,
    ConversionJob,
    ConversionOptions,
    FileEntry,
    FileStatus,
    Page,
    RenderedPdf,
)
from chalicelib.domain.page_credentials import PageCredentials
from chalicelib.domain.ports import (
    FileIndex,
    Holdings,
    HoldingsFull,
    HoldingsLimits,
    JobQueue,
    ObjectStore,
    Renderer,
    WebhookQueue,
)
from chalicelib.domain.render_report import RenderReport
from chalicelib.domain.webhooks import WebhookDelivery


class MemoryFileIndex(FileIndex):
    def __init__(self, now_iso: Callable[[], str] = utc_now_iso) -> None:
        self.entries: dict[tuple[str, str], FileEntry] = {}
        self._idempotency: dict[tuple[str, str], str] = {}  # (user, key) -> file id
        self.credentials: dict[tuple[str, str], bytes] = {}  # sealed, while the job runs
        self._now_iso = now_iso

    def create(
        self,
        entry: FileEntry,
        idempotency_key: str | None = None,
        sealed_credentials: bytes | None = None,
        limits: HoldingsLimits | None = None,
    ) -> FileEntry:
        if idempotency_key is not None:
            first = self._idempotency.get((entry.user_id, idempotency_key))
            if first is not None and (entry.user_id, first) in self.entries:
                return self.entries[(entry.user_id, first)]
        self._check(entry.user_id, limits)
        if idempotency_key is not None:
            self._idempotency[(entry.user_id, idempotency_key)] = entry.file_id
        self.entries[(entry.user_id, entry.file_id)] = entry
        if sealed_credentials is not None:
            self.credentials[(entry.user_id, entry.file_id)] = sealed_credentials
        return entry

    def sealed_credentials(self, user_id: str, file_id: str) -> bytes | None:
        return self.credentials.get((user_id, file_id))

    def get(self, user_id: str, file_id: str) -> FileEntry | None:
        return self.entries.get((user_id, file_id))

    def list(self, user_id: str, limit: int, cursor: str | None, matching: FileFilter | None = None) -> Page:
        mine = sorted(
            (e for e in self.entries.values() if e.user_id == user_id and _matches(e, matching)),
            key=lambda e: e.file_id,
            reverse=True,
        )
        if cursor is not None:
            mine = [e for e in mine if e.file_id < cursor]
        items = mine[:limit]
        return Page(items, items[-1].file_id if len(mine) > limit else None)

    def holdings(self, user_id: str) -> Holdings:
        """What the index's summary item would say (the fake counts instead)."""
        mine = [e for e in self.entries.values() if e.user_id == user_id]
        unfinished = sum(1 for e in mine if not e.status.finished)
        stored = sum(e.size or 0 for e in mine if e.status is FileStatus.READY)
        return Holdings(unfinished, stored, len(mine))

    def _check(self, user_id: str, limits: HoldingsLimits | None) -> None:
        held = self.holdings(user_id)
        if limits is not None and limits.reached_by(held):
            raise HoldingsFull(held, limits)

    def _unfinished(self, user_id: str, file_id: str) -> FileEntry | None:
        entry = self.entries.get((user_id, file_id))
        return entry if entry is not None and not entry.status.finished else None

    def _put(self, entry: FileEntry) -> FileEntry:
        self.entries[(entry.user_id, entry.file_id)] = entry
        return entry

    def mark_processing(self, user_id: str, file_id: str, attempts: int) -> FileEntry | None:
        entry = self._unfinished(user_id, file_id)
        if entry is None:
            return None
        return self._put(replace(entry, status=FileStatus.PROCESSING, attempts=attempts, updated_at=self._now_iso()))

    def mark_ready(
        self,
        user_id: str,
        file_id: str,
        *,
        title: str,
        size: int,
        pages: int,
        warnings: tuple[str, ...],
        report: RenderReport | None = None,
        has_thumbnail: bool = False,
    ) -> bool:
        return self._finish(
            user_id,
            file_id,
            status=FileStatus.READY,
            title=title,
            size=size,
            pages=pages,
            warnings=warnings,
            error_code=None,
            error_message=None,
            report=report,
            has_thumbnail=has_thumbnail,
        )

    def mark_failed(
        self, user_id: str, file_id: str, *, code: str, message: str, report: RenderReport | None = None
    ) -> bool:
        return self._finish(
            user_id, file_id, status=FileStatus.FAILED, error_code=code, error_message=message, report=report
        )

    def _finish(self, user_id: str, file_id: str, **changes: Any) -> bool:
        """An unfinished entry ends (ready or failed) and its sealed credentials go, as the index's
        one conditional update does; False when it was already finished or is gone."""
        entry = self._unfinished(user_id, file_id)
        if entry is None:
            return False
        self.credentials.pop((user_id, file_id), None)
        self._put(replace(entry, **changes, updated_at=self._now_iso()))
        return True

    def reset_for_retry(self, user_id: str, file_id: str, limits: HoldingsLimits | None = None) -> FileEntry | None:
        entry = self.entries.get((user_id, file_id))
        if entry is None or entry.status is not FileStatus.FAILED:
            return None
        self._check(user_id, limits)
        return self._put(
            replace(
                entry,
                status=FileStatus.PENDING,
                attempts=0,
                error_code=None,
                error_message=None,
                callback=CallbackState() if entry.callback_url else None,
                updated_at=self._now_iso(),
            )
        )

    def delete(self, user_id: str, file_id: str) -> bool:
        self.credentials.pop((user_id, file_id), None)
        return self.entries.pop((user_id, file_id), None) is not None

    def record_callback(self, user_id: str, file_id: str, state: CallbackState) -> None:
        entry = self.entries.get((user_id, file_id))
        if entry is not None:
            self._put(replace(entry, callback=state))

    def unfinished(self) -> builtins.list[FileEntry]:  # `list` here is the method above
        return [e for e in self.entries.values() if not e.status.finished]

    def ping(self) -> None:
        return None


def _matches(entry: FileEntry, matching: FileFilter | None) -> bool:
    """What DynamoDbFileIndex's filter keeps: every word in the folded title or URL; the status."""
    if matching is None:
        return True
    text = f"{folded(entry.title)} {folded(entry.url)}"
    return all(word in text for word in matching.words) and matching.status in (None, entry.status)


class MemoryObjectStore(ObjectStore):
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.metadata: dict[str, dict[str, str]] = {}
        self.content_types: dict[str, str] = {}
        self.fail_next_put = False  # the next put raises DependencyUnavailable, as S3 down would

    def _put(self, key: str, content: bytes, metadata: Mapping[str, str]) -> None:
        if self.fail_next_put:
            self.fail_next_put = False
            raise DependencyUnavailable("S3 does not answer: injected")
        self.objects[key] = content
        self.metadata[key] = dict(metadata)

    def put_pdf(
        self, key: str, content: bytes, metadata: Mapping[str, str], content_type: str = "application/pdf"
    ) -> None:
        self._put(key, content, metadata)
        self.content_types[key] = content_type

    def put_thumbnail(self, key: str, content: bytes, metadata: Mapping[str, str]) -> None:
        self._put(key, content, metadata)
        self.content_types[key] = "image/webp"

    def put_source(self, key: str, html: str, metadata: Mapping[str, str]) -> None:
        self._put(key, html.encode("utf-8"), metadata)

    def get_source(self, key: str) -> str | None:
        content = self.objects.get(key)
        return None if content is None else content.decode("utf-8")

    def exists(self, key: str) -> bool:
        return key in self.objects

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)
        self.metadata.pop(key, None)

    def download_url(self, key: str, filename: str, ttl_seconds: int, *, inline: bool = False) -> str:
        disposition = "&inline=1" if inline else ""
        return f"memory://{key}?filename={filename}&ttl={ttl_seconds}{disposition}"

    def ping(self) -> None:
        return None


class MemoryJobQueue(JobQueue):
    def __init__(self) -> None:
        self.jobs: list[ConversionJob] = []
        self.down = False  # send raises DependencyUnavailable while True, as SQS down would

    def send(self, job: ConversionJob) -> None:
        if self.down:
            raise DependencyUnavailable("SQS does not answer: injected")
        self.jobs.append(job)

    def ping(self) -> None:
        return None


class MemoryWebhookQueue(WebhookQueue):
    def __init__(self) -> None:
        self.deliveries: list[tuple[WebhookDelivery, int]] = []

    def send(self, delivery: WebhookDelivery, delay_seconds: int = 0) -> None:
        self.deliveries.append((delivery, delay_seconds))


class ScriptedRenderer(Renderer):
    """Renders a small PDF naming what it rendered, or raises the failure set for a URL."""

    def __init__(self) -> None:
        self.failures: dict[str, ConversionFailed] = {}
        self.rendered: list[str] = []
        self.credentials: list[PageCredentials | None] = []  # what each render of a URL was given
        self.closed = False

    def render(
        self, url: str, options: ConversionOptions, correlation_id: str, credentials: PageCredentials | None = None
    ) -> RenderedPdf:
        self.credentials.append(credentials)
        if url in self.failures:
            raise self.failures[url]
        self.rendered.append(url)
        return RenderedPdf(content=b"%PDF-1.7 " + url.encode(), title=f"Title of {url}", pages=1)

    def render_html(self, html: str, options: ConversionOptions, correlation_id: str) -> RenderedPdf:
        self.rendered.append(html)
        return RenderedPdf(content=b"%PDF-1.7 " + html.encode(), title="From HTML", pages=1)

    def close(self) -> None:
        self.closed = True

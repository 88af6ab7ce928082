"""What a signed-in user does with conversions: request, list, download, retry, delete."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.errors import Conflict, DependencyUnavailable, InvalidInput, NotFound, Unprocessable
from chalicelib.domain.file_filter import FileFilter
from chalicelib.domain.filenames import download_filename
from chalicelib.domain.ids import is_file_id, new_file_id
from chalicelib.domain.models import CallbackState, ConversionJob, FileEntry, FileStatus, Page, User
from chalicelib.domain.options import DEFAULT_MAX_PAGES, parse_options
from chalicelib.domain.outputs import OUTPUTS
from chalicelib.domain.page_credentials import PageCredentials, parse_credentials, seal_context
from chalicelib.domain.ports import CredentialSealer, FileIndex, HoldingsFull, HoldingsLimits, JobQueue, ObjectStore
from chalicelib.domain.sources import Source
from chalicelib.domain.usage import refusal

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")  # as api/openapi.yaml says
QUEUE_UNAVAILABLE = "queue_unavailable"
#: A job still pending after this long never reached the converter (the API died between
#: recording and queueing it); a retry or a replayed request queues it again.
STALE_PENDING_SECONDS = 60


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _same_request(first: FileEntry, again: FileEntry) -> bool:
    """Whether a replay with the same Idempotency-Key asks for the same thing as the first request
    (for sent HTML: the same kind, title and options; the HTML itself is not kept to compare)."""
    return (first.url, first.options, first.source, first.title, first.callback_url) == (
        again.url,
        again.options,
        again.source,
        again.title,
        again.callback_url,
    )


def _no_url_beside(url: Any) -> str:
    if url is not None:
        raise InvalidInput("Send either a url or html, not both.", "ambiguous_source", field="html")
    return ""


_CREDENTIALS_GONE = "This conversion's headers and cookies were deleted when it ended; send the request again"


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ConversionService:
    def __init__(
        self,
        index: FileIndex,
        queue: JobQueue,
        store: ObjectStore,
        vet_url: Callable[[str], str],
        *,
        download_ttl_seconds: int,
        now_iso: Callable[[], str] = utc_now_iso,
        max_pages: int = DEFAULT_MAX_PAGES,
        sealer: Callable[[], CredentialSealer] | None = None,
        limits: HoldingsLimits | None = None,
    ) -> None:
        self._index = index
        self._limits = limits  # a user's unfinished jobs and stored bytes (checked by the index)
        self._sealer = sealer  # seals a request's headers and cookies (built when first needed)
        self._queue = queue
        self._store = store
        self._vet_url = vet_url
        self._ttl = download_ttl_seconds
        self._now_iso = now_iso
        self._max_pages = max_pages  # the converter's MAX_PDF_PAGES: page ranges past it are refused

    def request(
        self,
        user: User,
        url: Any,
        options: Any,
        idempotency_key: str | None,
        correlation_id: str,
        *,
        source: Source | None = None,
        title: str | None = None,
        callback_url: Any = None,
    ) -> FileEntry:
        """Validate, record the job as pending, then queue it; the entry is the user's receipt.
        A ``source`` (HTML the user sent) replaces the URL and is stored next to the PDF; a
        ``callback_url`` hears when the job ends and must pass the same egress rules as a page."""
        checked_url = self._checked_url(url) if source is None else _no_url_beside(url)
        checked_callback = self._checked_callback(callback_url)
        parsed_options = parse_options(options, self._max_pages)
        credentials = parse_credentials(options, checked_url if source is None else None) if options else None
        if credentials is not None:
            parsed_options = replace(
                parsed_options, header_names=credentials.header_names, cookie_names=credentials.cookie_names
            )
        if idempotency_key is not None and not _IDEMPOTENCY_KEY.match(idempotency_key):
            raise InvalidInput("Idempotency-Key must be 1 to 128 visible ASCII characters.", field="Idempotency-Key")
        now = self._now_iso()
        entry = FileEntry(
            user_id=user.id,
            file_id=new_file_id(),
            url=checked_url,
            status=FileStatus.PENDING,
            created_at=now,
            updated_at=now,
            options=parsed_options,
            correlation_id=correlation_id,
            title=title,
            source=source.kind if source is not None else "url",
            callback_url=checked_callback,
            callback=CallbackState() if checked_callback else None,
        )
        try:
            stored = self._index.create(entry, idempotency_key, self._sealed(credentials, entry), self._limits)
        except HoldingsFull as full:
            raise refusal(full) from None
        if stored.file_id != entry.file_id:
            if not _same_request(stored, entry):
                raise Unprocessable(
                    "This Idempotency-Key was already used for a different request; send a new key with a new request.",
                    "idempotency_key_reused",
                    field="Idempotency-Key",
                )
            return self._requeue_if_stuck(stored)
        if source is not None:
            self._store_source(stored, source.html)
        return self._enqueue(stored)

    def _sealed(self, credentials: PageCredentials | None, entry: FileEntry) -> bytes | None:
        if credentials is None:
            return None
        if self._sealer is None:
            raise DependencyUnavailable("This server cannot keep headers and cookies safe; send the request without.")
        return self._sealer().seal(credentials.to_bytes(), seal_context(entry.user_id, entry.file_id))

    def _checked_url(self, url: Any, field: str = "url") -> str:
        if not isinstance(url, str) or not url.strip():
            wanted = "the url of the page to convert, or its html" if field == "url" else "an http or https URL"
            raise InvalidInput(f"Send {wanted}.", "invalid_url", field=field)
        try:
            return self._vet_url(url.strip())
        except InvalidInput as refused:
            refused.field = refused.field or field
            raise

    def _checked_callback(self, callback_url: Any) -> str | None:
        return None if callback_url is None else self._checked_url(callback_url, "callback_url")

    def _store_source(self, entry: FileEntry, html: str) -> None:
        key = entry.source_key
        assert key is not None, "only an entry made from HTML has a source to store"
        try:
            self._store.put_source(key, html, {"correlation-id": entry.correlation_id or "-", "file-id": entry.file_id})
        except DependencyUnavailable as exc:
            self._index.mark_failed(
                entry.user_id,
                entry.file_id,
                code="storage_unavailable",
                message="The page could not be stored. Please send it again.",
            )
            raise DependencyUnavailable(f"The file store does not answer: {exc.message}") from exc

    def list(self, user: User, limit: int, cursor: str | None, matching: FileFilter | None = None) -> Page:
        return self._index.list(user.id, limit, cursor, matching)

    def download_link(self, user: User, name: str, inline: bool = False) -> tuple[str, str]:
        """A short-lived URL and the file name, after checking the file is this user's and ready
        (``inline``: the URL shows the file in the browser rather than saving it)."""
        entry = self._ready(user, name)
        filename = download_filename(
            entry.title, entry.url, entry.options.filename, OUTPUTS[entry.options.output].extension
        )
        return self._store.download_url(entry.object_key, filename, self._ttl, inline=inline), filename

    def thumbnail_link(self, user: User, name: str) -> str:
        """A short-lived URL of the file's thumbnail; NotFound while it has none."""
        url = self.thumbnail_url(self._owned(user, name))
        if url is None:
            raise NotFound("This file has no thumbnail (yet).", "no_thumbnail")
        return url

    def thumbnail_url(self, entry: FileEntry) -> str | None:
        """For the list: signing a URL costs no call to S3."""
        if not (entry.has_thumbnail and entry.status is FileStatus.READY):
            return None
        filename = download_filename(entry.title, entry.url, entry.options.filename, "webp")
        return self._store.download_url(entry.thumbnail_key, filename, self._ttl, inline=True)

    @property
    def download_ttl_seconds(self) -> int:
        return self._ttl

    def retry(self, user: User, name: str) -> FileEntry:
        """Queue a failed job again, or one still pending long after it should have started."""
        entry = self._owned(user, name)
        if entry.status is FileStatus.PENDING and self._stale(entry):
            return self._enqueue(entry)
        if entry.status is not FileStatus.FAILED:
            raise Conflict("Only a failed conversion can be retried.", "not_failed")
        if entry.options.has_credentials:
            raise Conflict(f"{_CREDENTIALS_GONE} with them.", "credentials_gone")
        if entry.source == "url":
            self._checked_url(entry.url)  # what was allowed then may not be now (a moved name, a policy change)
        try:
            reset = self._index.reset_for_retry(user.id, entry.file_id, self._limits)
        except HoldingsFull as full:
            raise refusal(full) from None
        if reset is None:
            raise Conflict("The conversion changed meanwhile; reload the list.", "not_failed")
        return self._enqueue(reset)

    def delete(self, user: User, name: str) -> None:
        """Object, entry, object again. If S3 fails first, nothing is gone and the user can retry; a
        converter finishing between the steps finds no entry and removes its PDF, and the last
        delete catches one that was written just before the entry went."""
        entry = self._owned(user, name)
        self._store.delete(entry.object_key)
        if not self._index.delete(user.id, entry.file_id):
            raise NotFound("No such file.", "not_found")
        self._store.delete(entry.object_key)
        self._store.delete(entry.thumbnail_key)
        if entry.source_key:
            self._store.delete(entry.source_key)

    def _ready(self, user: User, name: str) -> FileEntry:
        entry = self._owned(user, name)
        if entry.status is not FileStatus.READY:
            raise Conflict(f"The PDF is not ready yet (it is {entry.status.value}).", "not_ready")
        return entry

    def _owned(self, user: User, name: str) -> FileEntry:
        entry = self._index.get(user.id, name) if is_file_id(name) else None
        if entry is None:
            raise NotFound("No such file.", "not_found")
        return entry

    def _requeue_if_stuck(self, entry: FileEntry) -> FileEntry:
        """A replayed request whose first attempt never reached the queue is queued now."""
        if entry.status is FileStatus.FAILED and entry.error_code == QUEUE_UNAVAILABLE:
            if entry.options.has_credentials:
                raise Unprocessable(
                    f"{_CREDENTIALS_GONE} with a new Idempotency-Key.", "credentials_gone", field="Idempotency-Key"
                )
            reset = self._index.reset_for_retry(entry.user_id, entry.file_id)
            return self._enqueue(reset) if reset is not None else entry
        if entry.status is FileStatus.PENDING and self._stale(entry):
            return self._enqueue(entry)  # a second message is harmless: jobs are idempotent
        return entry

    def _stale(self, entry: FileEntry) -> bool:
        age = _parse_iso(self._now_iso()) - _parse_iso(entry.updated_at)
        return age.total_seconds() > STALE_PENDING_SECONDS

    def _enqueue(self, entry: FileEntry) -> FileEntry:
        job = ConversionJob.for_entry(entry)
        try:
            self._queue.send(job)
        except DependencyUnavailable as exc:
            self._index.mark_failed(
                entry.user_id,
                entry.file_id,
                code=QUEUE_UNAVAILABLE,
                message="The conversion could not be queued. Please retry.",
            )
            raise DependencyUnavailable(f"The job queue does not answer: {exc.message}") from exc
        return entry

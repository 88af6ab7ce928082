"""The ports: what the domain needs from the outside world, and nothing about how.

Adapters in ``chalicelib/adapters`` implement them against PostgreSQL, DynamoDB, S3 and
SQS; the converter implements ``Renderer`` with Playwright. Tests can pass fakes typed
against these classes.
"""
from __future__ import annotations

import abc
from datetime import datetime
from typing import TYPE_CHECKING, Mapping, Optional

from chalicelib.domain.models import (
    ConversionJob,
    ConversionOptions,
    FileEntry,
    Page,
    RenderedPdf,
    User,
)

if TYPE_CHECKING:
    from chalicelib.domain.jobs import Outcome


class UserRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, email: str, password_hash: str) -> User:
        """Create a user; raises ``Conflict`` if the e-mail (case-insensitive) is taken."""

    @abc.abstractmethod
    def by_email(self, email: str) -> Optional[User]: ...

    @abc.abstractmethod
    def by_id(self, user_id: str) -> Optional[User]: ...

    @abc.abstractmethod
    def set_session(self, user_id: str, session_id: Optional[str]) -> None:
        """Replace the user's one active session (None signs out everywhere)."""

    @abc.abstractmethod
    def ping(self) -> None:
        """Raise if the store does not answer."""


class AttemptLimiter(abc.ABC):
    """Counts failed sign-ins per key inside a sliding window."""

    @abc.abstractmethod
    def failures(self, key: str, since: datetime) -> tuple[int, Optional[datetime]]:
        """How many failures for key since then, and the oldest of them."""

    @abc.abstractmethod
    def record_failure(self, key: str, at: datetime) -> None: ...

    @abc.abstractmethod
    def clear(self, key: str) -> None: ...

    @abc.abstractmethod
    def forget(self, key: str, at: datetime) -> None:
        """Drop the one failure recorded for key at that moment (an attempt that succeeded)."""


class FileIndex(abc.ABC):
    """One item per file, keyed by user id and a time-ordered file id."""

    @abc.abstractmethod
    def create(self, entry: FileEntry, idempotency_key: Optional[str] = None) -> FileEntry:
        """Store a new pending entry. With an idempotency key already used by this user,
        store nothing and return the entry created the first time."""

    @abc.abstractmethod
    def get(self, user_id: str, file_id: str) -> Optional[FileEntry]: ...

    @abc.abstractmethod
    def list(self, user_id: str, limit: int, cursor: Optional[str]) -> Page:
        """Newest first; ``cursor`` comes from a previous page and is opaque."""

    @abc.abstractmethod
    def mark_processing(self, user_id: str, file_id: str, attempts: int) -> Optional[FileEntry]:
        """Move a pending/processing entry to processing; None if it is gone or finished."""

    @abc.abstractmethod
    def mark_ready(
        self, user_id: str, file_id: str, *, title: str, size: int, pages: int,
        warnings: tuple[str, ...],
    ) -> bool:
        """Finish an unfinished entry as ready; False if it is gone or already finished."""

    @abc.abstractmethod
    def mark_failed(self, user_id: str, file_id: str, *, code: str, message: str) -> bool:
        """Finish an unfinished entry as failed; False if it is gone or already finished."""

    @abc.abstractmethod
    def reset_for_retry(self, user_id: str, file_id: str) -> Optional[FileEntry]:
        """Move a failed entry back to pending; None if it is gone or not failed."""

    @abc.abstractmethod
    def delete(self, user_id: str, file_id: str) -> bool:
        """Remove an entry; False if there was none."""

    @abc.abstractmethod
    def unfinished(self) -> list[FileEntry]:
        """Every pending or processing entry (used to re-queue work after a local restart)."""

    @abc.abstractmethod
    def ping(self) -> None: ...


class ObjectStore(abc.ABC):
    @abc.abstractmethod
    def put_pdf(self, key: str, content: bytes, metadata: Mapping[str, str]) -> None: ...

    @abc.abstractmethod
    def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    def delete(self, key: str) -> None: ...

    @abc.abstractmethod
    def download_url(self, key: str, filename: str, ttl_seconds: int) -> str:
        """A short-lived URL that downloads the object as an attachment named filename."""

    @abc.abstractmethod
    def ping(self) -> None: ...


class JobQueue(abc.ABC):
    @abc.abstractmethod
    def send(self, job: ConversionJob) -> None: ...

    @abc.abstractmethod
    def ping(self) -> None: ...


class Renderer(abc.ABC):
    """Turns a URL into a PDF. Raises ``ConversionFailed`` with a classified reason."""

    @abc.abstractmethod
    def render(self, url: str, options: ConversionOptions, correlation_id: str) -> RenderedPdf: ...

    def warm_up(self) -> None:
        """Get ready for the first job without waiting for it (a browser launch, say)."""

    def close(self) -> None:
        """Let go of what the renderer holds (browsers, threads); it renders no more."""


class ConversionMetrics(abc.ABC):
    """Where the converter reports each finished job (CloudWatch, Datadog, or nowhere)."""

    @abc.abstractmethod
    def record(self, outcome: "Outcome", queued_ms: Optional[int]) -> None:
        """One job ended (ready, failed with its code, or skipped); queued_ms as SQS measured it."""

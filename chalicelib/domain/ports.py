"""The ports: what the domain needs from the outside world, and nothing about how.

Adapters in ``chalicelib/adapters`` implement them against PostgreSQL, DynamoDB, S3 and
SQS; the converter implements ``Renderer`` with Playwright. Tests can pass fakes typed
against these classes.
"""

from __future__ import annotations

import abc
import builtins
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.domain.file_filter import FileFilter
from chalicelib.domain.models import (
    ApiKey,
    CallbackState,
    ConversionJob,
    ConversionOptions,
    FileEntry,
    Page,
    RenderedPdf,
    User,
)
from chalicelib.domain.page_credentials import PageCredentials
from chalicelib.domain.render_report import RenderReport

if TYPE_CHECKING:
    from chalicelib.domain.jobs import Outcome
    from chalicelib.domain.webhooks import WebhookDelivery


class UserRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, email: str, password_hash: str) -> User:
        """Create a user; raises ``Conflict`` if the e-mail (case-insensitive) is taken."""

    @abc.abstractmethod
    def by_email(self, email: str) -> User | None: ...

    @abc.abstractmethod
    def by_id(self, user_id: str) -> User | None: ...

    @abc.abstractmethod
    def set_session(self, user_id: str, session_id: str | None) -> None:
        """Replace the user's one active session (None signs out everywhere)."""

    @abc.abstractmethod
    def set_password(self, user_id: str, password_hash: str, session_id: str) -> None:
        """Store a new password hash and make ``session_id`` the one live session, together."""

    @abc.abstractmethod
    def remove(self, user_id: str) -> bool:
        """Delete the account and what hangs off it in the same database (API keys); False if none."""

    @abc.abstractmethod
    def ping(self) -> None:
        """Raise if the store does not answer."""


@dataclass(frozen=True)
class FailureCount:
    count: int
    oldest: datetime | None = None
    newest: datetime | None = None


class AttemptLimiter(abc.ABC):
    """Counts failed sign-ins per key inside a sliding window."""

    @abc.abstractmethod
    def failures(self, key: str, since: datetime, until: datetime) -> FailureCount:
        """The failures for key strictly between since and until: how many, the oldest, the newest."""

    @abc.abstractmethod
    def record_failure(self, key: str, at: datetime) -> None: ...

    @abc.abstractmethod
    def clear(self, key: str) -> None: ...

    @abc.abstractmethod
    def forget(self, key: str, at: datetime) -> None:
        """Drop the one failure recorded for key at that moment (an attempt that succeeded)."""

    @abc.abstractmethod
    def clear_prefix(self, prefix: str) -> None:
        """Drop every failure whose key starts with ``prefix``."""


class FileIndex(abc.ABC):
    """One item per file, keyed by user id and a time-ordered file id."""

    @abc.abstractmethod
    def create(
        self,
        entry: FileEntry,
        idempotency_key: str | None = None,
        sealed_credentials: bytes | None = None,
        limits: HoldingsLimits | None = None,
    ) -> FileEntry:
        """Store a new pending entry (with its sealed headers and cookies, if any). With an
        idempotency key already used by this user, store nothing and return the entry created
        the first time. With ``limits`` that the user's holdings have reached, store nothing and
        raise ``HoldingsFull``: checked in the same write, so concurrent requests cannot both
        take the last place."""

    @abc.abstractmethod
    def sealed_credentials(self, user_id: str, file_id: str) -> bytes | None:
        """The entry's sealed headers and cookies; None once its job has ended (``mark_ready`` and
        ``mark_failed`` remove them in the same update) or if it never had any."""

    @abc.abstractmethod
    def get(self, user_id: str, file_id: str) -> FileEntry | None: ...

    @abc.abstractmethod
    def list(self, user_id: str, limit: int, cursor: str | None, matching: FileFilter | None = None) -> Page:
        """Newest first; ``cursor`` comes from a previous page and is opaque. With ``matching``,
        only the entries it matches (a page may then hold fewer than ``limit`` and still have a next)."""

    @abc.abstractmethod
    def mark_processing(self, user_id: str, file_id: str, attempts: int) -> FileEntry | None:
        """Move a pending/processing entry to processing; None if it is gone or finished."""

    @abc.abstractmethod
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
        """Finish an unfinished entry as ready; False if it is gone or already finished."""

    @abc.abstractmethod
    def mark_failed(
        self, user_id: str, file_id: str, *, code: str, message: str, report: RenderReport | None = None
    ) -> bool:
        """Finish an unfinished entry as failed; False if it is gone or already finished."""

    @abc.abstractmethod
    def reset_for_retry(self, user_id: str, file_id: str, limits: HoldingsLimits | None = None) -> FileEntry | None:
        """Move a failed entry back to pending; None if it is gone or not failed. ``limits`` as
        for ``create``."""

    @abc.abstractmethod
    def delete(self, user_id: str, file_id: str) -> bool:
        """Remove an entry; False if there was none."""

    @abc.abstractmethod
    def record_callback(self, user_id: str, file_id: str, state: CallbackState) -> None:
        """Note how the entry's webhook delivery went (no-op if the entry is gone)."""

    @abc.abstractmethod
    def unfinished(self) -> builtins.list[FileEntry]:  # `list` here is the method above
        """Every pending or processing entry (used to re-queue work after a local restart)."""

    @abc.abstractmethod
    def ping(self) -> None: ...


class ObjectStore(abc.ABC):
    @abc.abstractmethod
    def put_pdf(
        self, key: str, content: bytes, metadata: Mapping[str, str], content_type: str = "application/pdf"
    ) -> None:
        """Store a finished file: a PDF, or a screenshot with its image content type."""

    @abc.abstractmethod
    def put_thumbnail(self, key: str, content: bytes, metadata: Mapping[str, str]) -> None:
        """Store the small WebP of a PDF's first page, next to the PDF."""

    @abc.abstractmethod
    def put_source(self, key: str, html: str, metadata: Mapping[str, str]) -> None:
        """Store the HTML a user sent, to be rendered from (and deleted with its PDF)."""

    @abc.abstractmethod
    def get_source(self, key: str) -> str | None:
        """The stored HTML, or None if it is gone."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    def delete(self, key: str) -> None: ...

    @abc.abstractmethod
    def download_url(self, key: str, filename: str, ttl_seconds: int, *, inline: bool = False) -> str:
        """A short-lived URL that downloads the object as an attachment named filename
        (``inline``: that the browser shows it instead)."""

    @abc.abstractmethod
    def ping(self) -> None: ...


class JobQueue(abc.ABC):
    @abc.abstractmethod
    def send(self, job: ConversionJob) -> None: ...

    @abc.abstractmethod
    def ping(self) -> None: ...


class JobRetries(abc.ABC):
    """Brings a failed delivery of a job back after ``delay_seconds`` instead of the queue's
    whole visibility timeout."""

    @abc.abstractmethod
    def later(self, receipt_handle: str, delay_seconds: int) -> None: ...


@dataclass(frozen=True)
class Holdings:
    """What a user has in the index right now."""

    unfinished_jobs: int  # pending or processing
    stored_bytes: int  # the PDFs that are ready
    files: int = 0  # every entry, whatever its status


@dataclass(frozen=True)
class HoldingsLimits:
    """A new or retried job is refused while the user holds this many unfinished jobs, or this
    many bytes of PDFs."""

    max_unfinished_jobs: int
    max_stored_bytes: int

    def reached_by(self, held: Holdings) -> bool:
        return held.unfinished_jobs >= self.max_unfinished_jobs or held.stored_bytes >= self.max_stored_bytes


class HoldingsFull(Exception):
    """``FileIndex`` refused a job: the user's holdings, as they were, reached ``limits``."""

    def __init__(self, holdings: Holdings, limits: HoldingsLimits) -> None:
        super().__init__(f"holdings full: {holdings} against {limits}")
        self.holdings = holdings
        self.limits = limits


class UsageLedger(abc.ABC):
    """Per-user counts the usage limits are checked against."""

    @abc.abstractmethod
    def count_request(self, user_id: str, minute: int) -> int:
        """Count one conversion request in that minute (epoch minutes); the count so far."""

    @abc.abstractmethod
    def requests_in(self, user_id: str, minute: int) -> int: ...

    @abc.abstractmethod
    def holdings(self, user_id: str) -> Holdings: ...


class Renderer(abc.ABC):
    """Turns a URL into a PDF. Raises ``ConversionFailed`` with a classified reason."""

    @abc.abstractmethod
    def render(
        self, url: str, options: ConversionOptions, correlation_id: str, credentials: PageCredentials | None = None
    ) -> RenderedPdf:
        """``credentials``: headers for requests to the page's own origin, cookies for its site."""

    @abc.abstractmethod
    def render_html(self, html: str, options: ConversionOptions, correlation_id: str) -> RenderedPdf:
        """Render HTML the user sent; its subresources are fetched under the same rules as a URL's."""

    def warm_up(self) -> None:  # noqa: B027 - an optional hook: a renderer with nothing to start leaves it empty
        """Get ready for the first job without waiting for it (a browser launch, say)."""

    def prepare_next_job(self) -> None:  # noqa: B027 - an optional hook, like warm_up
        """Between jobs, while nobody waits: replace what the next job would otherwise have to
        (a browser worn out by recycling, or dead). Returns once done; bounded."""

    @abc.abstractmethod
    def close(self) -> None:
        """Let go of what the renderer holds (browsers, threads); it renders no more."""


class CredentialSealer(abc.ABC):
    """Encrypts a job's headers and cookies for the time they wait in the index (KMS on AWS, the
    local secret locally). The context (user and file) is bound to the sealed bytes: they open
    only for the same job."""

    @abc.abstractmethod
    def seal(self, plaintext: bytes, context: Mapping[str, str]) -> bytes:
        """Raises ``DependencyUnavailable`` when the key service does not answer."""

    @abc.abstractmethod
    def open(self, sealed: bytes, context: Mapping[str, str]) -> bytes:
        """Raises ``SealBroken`` for bytes that were not sealed with this key and context, and
        ``DependencyUnavailable`` when the key service does not answer."""


class ApiKeyRepository(abc.ABC):
    """API keys by owner, found by the hash of their secret; revoked keys are gone."""

    @abc.abstractmethod
    def add(self, user_id: str, name: str, scopes: tuple[str, ...], prefix: str, secret_hash: str) -> ApiKey: ...

    @abc.abstractmethod
    def for_user(self, user_id: str) -> list[ApiKey]:
        """Newest first."""

    @abc.abstractmethod
    def by_hash(self, secret_hash: str) -> ApiKey | None: ...

    @abc.abstractmethod
    def touch(self, key_id: str, at: datetime) -> None:
        """Record that the key was just used."""

    @abc.abstractmethod
    def remove(self, user_id: str, key_id: str) -> bool:
        """Revoke one of the user's keys; False if they have no such key."""

    @abc.abstractmethod
    def remove_all(self, user_id: str) -> int:
        """Revoke every key of the user; how many there were."""


class AccountEraser(abc.ABC):
    """One store's part of closing an account: everything it holds of one user goes."""

    @abc.abstractmethod
    def erase(self, user_id: str) -> int:
        """Delete all of the user's data in this store; how many items went."""


class WebhookSecretStore(abc.ABC):
    @abc.abstractmethod
    def get_or_create(self, user_id: str, candidate: str) -> str:
        """The user's secret; ``candidate`` becomes it if they have none yet."""

    @abc.abstractmethod
    def replace(self, user_id: str, secret: str) -> str:
        """Make ``secret`` the user's secret (the old one stops signing at once)."""


class WebhookQueue(abc.ABC):
    @abc.abstractmethod
    def send(self, delivery: WebhookDelivery, delay_seconds: int = 0) -> None: ...


class WebhookPoster(abc.ABC):
    @abc.abstractmethod
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST without following redirects; the HTTP status. Raises ``DeliveryFailed`` when
        there is no answer in time and ``DeliveryRefused`` when the egress policy says no."""


class ConversionMetrics(abc.ABC):
    """Where the converter reports each finished job (CloudWatch, Datadog, or nowhere)."""

    @abc.abstractmethod
    def record(self, outcome: Outcome, queued_ms: int | None) -> None:
        """One job ended (ready, failed with its code, or skipped); queued_ms as SQS measured it."""

"""Plain data the services pass around: users, file entries, jobs, conversion options."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.domain.outputs import OUTPUTS
from chalicelib.domain.render_report import RenderReport


@dataclass(frozen=True)
class User:
    id: str
    email: str
    password_hash: str
    session_id: str | None = None
    created_at: datetime | None = None


class FileStatus(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (FileStatus.READY, FileStatus.FAILED)


PAPER_FORMATS = ("A3", "A4", "A5", "Letter", "Legal", "Tabloid")
MEDIA_TYPES = ("print", "screen")
#: The CSS media features a page may be shown with, and the values each takes (as Chromium emulates them).
MEDIA_FEATURES: dict[str, tuple[str, ...]] = {
    "prefers-color-scheme": ("light", "dark", "no-preference"),
    "prefers-reduced-motion": ("reduce", "no-preference"),
    "forced-colors": ("active", "none"),
    "prefers-contrast": ("more", "no-preference"),
}
#: An HTTP status (404) or a class of them ("5xx").
StatusRule = int | str


@dataclass(frozen=True)
class MediaFeature:
    name: str
    value: str


@dataclass(frozen=True)
class Margin:
    top: str = "1cm"
    right: str = "1cm"
    bottom: str = "1cm"
    left: str = "1cm"


@dataclass(frozen=True)
class ConversionOptions:
    """What the user may choose about the PDF; validated in ``domain.options``."""

    format: str = "A4"
    landscape: bool = False
    margin: Margin = field(default_factory=Margin)
    scale: float = 1.0
    print_background: bool = True
    media: str = "print"
    wait_for_selector: str | None = None
    delay_ms: int = 0
    header_template: str | None = None
    footer_template: str | None = None
    page_ranges: str | None = None
    single_page: bool = False
    prefer_css_page_size: bool = False
    omit_background: bool = False
    user_agent: str | None = None
    media_features: tuple[MediaFeature, ...] = ()
    filename: str | None = None
    wait_for_expression: str | None = None
    #: None: the default, every 4xx and 5xx of the main document fails the job.
    fail_on_http_status: tuple[StatusRule, ...] | None = None
    fail_on_resource_http_status: tuple[StatusRule, ...] = ()
    fail_on_resource_loading_failed: bool = False
    fail_on_console_exceptions: bool = False
    output: str = "pdf"  # or "png", "jpeg", "webp": a screenshot instead of a PDF
    full_page: bool = True
    quality: int | None = None  # jpeg and webp only
    # Off by default: issue 10 keeps tagging on only if the speed goals hold, and the burst goal does
    # not (bench/results.md); tagging costs up to 80 % more print time on long pages, 4x the bytes.
    tagged: bool = False  # an accessible (tagged) PDF
    outline: bool = False  # bookmarks built from the page's headings (needs tagged)
    # The names of the headers and cookies the page's site gets; their values are sealed apart
    # (domain.page_credentials), so the options can be stored, queued and shown as they are.
    header_names: tuple[str, ...] = ()
    cookie_names: tuple[str, ...] = ()

    @property
    def has_credentials(self) -> bool:
        return bool(self.header_names or self.cookie_names)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConversionOptions:
        """The inverse of ``to_dict`` after a trip through JSON (lists back to tuples)."""
        data = dict(data)
        data["margin"] = Margin(**data.get("margin", {}))
        data["media_features"] = tuple(MediaFeature(**feature) for feature in data.get("media_features") or ())
        if data.get("fail_on_http_status") is not None:
            data["fail_on_http_status"] = tuple(data["fail_on_http_status"])
        data["fail_on_resource_http_status"] = tuple(data.get("fail_on_resource_http_status") or ())
        data["header_names"] = tuple(data.get("header_names") or ())
        data["cookie_names"] = tuple(data.get("cookie_names") or ())
        return cls(**data)


@dataclass(frozen=True)
class CallbackState:
    """How the job's webhook delivery is going: pending, delivered or failed."""

    status: str = "pending"
    attempts: int = 0
    last_status: int | None = None  # the receiver's last HTTP status; None if it never answered


@dataclass(frozen=True)
class FileEntry:
    """One requested PDF: its job's state and, once ready, what was produced."""

    user_id: str
    file_id: str
    url: str
    status: FileStatus
    created_at: str
    updated_at: str
    options: ConversionOptions = field(default_factory=ConversionOptions)
    title: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    size: int | None = None
    pages: int | None = None
    attempts: int = 0
    warnings: tuple[str, ...] = ()
    correlation_id: str | None = None
    source: str = "url"  # or "html"/"markdown": the page is stored at source_key, not fetched
    callback_url: str | None = None
    callback: CallbackState | None = None
    report: RenderReport | None = None  # once finished: how the render went
    has_thumbnail: bool = False

    @property
    def object_key(self) -> str:
        return object_key(self.user_id, self.file_id, self.options.output)

    @property
    def thumbnail_key(self) -> str:
        return thumbnail_key(self.user_id, self.file_id)

    @property
    def source_key(self) -> str | None:
        return source_key(self.user_id, self.file_id) if self.source != "url" else None


def object_key(user_id: str, file_id: str, output: str = "pdf") -> str:
    """Where a file's PDF (or screenshot) lives in S3; derived, so a retried job overwrites, never duplicates."""
    return f"users/{user_id}/{file_id}.{OUTPUTS[output].extension}"


def thumbnail_key(user_id: str, file_id: str) -> str:
    """Where a file's thumbnail lives, next to its PDF or screenshot (and deleted with it); its own
    ``.thumb.webp`` suffix so it never takes the place of a WebP screenshot."""
    return f"users/{user_id}/{file_id}.thumb.webp"


def source_key(user_id: str, file_id: str) -> str:
    """Where the HTML a user sent lives, next to its PDF."""
    return f"users/{user_id}/{file_id}.html"


@dataclass(frozen=True)
class ConversionJob:
    """The message that travels over SQS from the API to the converter."""

    user_id: str
    file_id: str
    url: str
    options: ConversionOptions
    correlation_id: str
    source: str = "url"

    @classmethod
    def for_entry(cls, entry: FileEntry) -> ConversionJob:
        return cls(entry.user_id, entry.file_id, entry.url, entry.options, entry.correlation_id or "", entry.source)

    def to_message(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "file_id": self.file_id,
            "url": self.url,
            "options": self.options.to_dict(),
            "correlation_id": self.correlation_id,
            "source": self.source,
        }

    @classmethod
    def from_message(cls, data: dict[str, Any]) -> ConversionJob:
        """Raises KeyError/TypeError/ValueError on a malformed message (a poison message)."""
        return cls(
            user_id=str(data["user_id"]),
            file_id=str(data["file_id"]),
            url=str(data["url"]),
            options=ConversionOptions.from_dict(data.get("options") or {}),
            correlation_id=str(data.get("correlation_id") or ""),
            source=_source_kind(data.get("source")),
        )


def _source_kind(raw: Any) -> str:
    if raw in (None, "url", "html", "markdown"):
        return raw or "url"
    raise ValueError(f"unknown source {raw!r}")


@dataclass(frozen=True)
class RenderedPdf:
    """What the renderer hands back for one job."""

    content: bytes
    title: str
    pages: int
    warnings: tuple[str, ...] = ()
    report: RenderReport | None = None
    #: Draws a small WebP of the first page (None when none can be made). The job calls it while
    #: the PDF uploads, so drawing it is not on the way to ``ready``.
    draw_thumbnail: Callable[[], bytes | None] | None = None


@dataclass(frozen=True)
class Page:
    """One page of a listing and the opaque cursor for the next, if any."""

    items: list[FileEntry]
    next_cursor: str | None = None


API_KEY_SCOPES = ("convert", "read", "delete")


@dataclass(frozen=True)
class ApiKey:
    """A long-lived credential for scripts; only a hash of its secret is ever stored."""

    id: str
    user_id: str
    name: str
    scopes: tuple[str, ...]
    prefix: str
    created_at: datetime | None = None
    last_used_at: datetime | None = None

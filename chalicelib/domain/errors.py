"""Errors the domain raises. Each carries a stable machine code and a message a person reads.

The HTTP layer maps these classes to status codes (``api/errors.py``); the converter maps
``ConversionFailed`` to a failed job. Nothing here knows about HTTP.
"""

from __future__ import annotations

from chalicelib.domain.render_report import RenderReport


class PagePressError(Exception):
    code = "error"

    def __init__(self, message: str, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class InvalidInput(PagePressError):
    code = "invalid_input"


class AuthenticationFailed(PagePressError):
    code = "unauthorized"


class NotFound(PagePressError):
    code = "not_found"


class Conflict(PagePressError):
    code = "conflict"


class Unprocessable(PagePressError):
    """Well-formed, but it contradicts what came before (an Idempotency-Key reused for another body)."""

    code = "unprocessable"


class TooManyAttempts(PagePressError):
    """Refused for now (429); ``retry_after_seconds`` says when to come back."""

    code = "too_many_attempts"

    def __init__(self, message: str, code: str | None = None, *, retry_after_seconds: float) -> None:
        super().__init__(message, code)
        self.retry_after_seconds = max(1, int(retry_after_seconds))


class QuotaExceeded(PagePressError):
    """A per-user allowance is used up (403) until the user frees some of it."""

    code = "quota_exceeded"


class DependencyUnavailable(PagePressError):
    """A dependency does not answer (503); clients are told to come back after ``retry_after_seconds``."""

    code = "unavailable"
    retry_after_seconds = 5  # a restarted database or endpoint is back within seconds


class SealBroken(PagePressError):
    """Sealed bytes that do not open: tampered with, or sealed for another job or key."""

    code = "credentials_unreadable"


class ConversionFailed(PagePressError):
    """A job cannot produce a PDF. ``permanent`` failures are not retried.

    Arguments in the order every error here takes them: the message, then the code. Whether
    a job is retried is decided by whoever raises this, from what failed (its kind), never
    by reading the message afterwards.
    """

    code = "conversion_failed"

    def __init__(self, message: str, code: str, *, permanent: bool = True) -> None:
        super().__init__(message, code)
        self.permanent = permanent
        #: What the renderer saw before it gave up (blocked requests are often why).
        self.report: RenderReport | None = None


class Forbidden(PagePressError):
    """Authenticated, but this credential may not do that."""

    code = "forbidden"

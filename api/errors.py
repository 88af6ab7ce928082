"""Every error leaves as ``{"error": {"code", "message", "field"?}}`` with the right status."""

from __future__ import annotations

import json

from chalice import Response

from chalicelib.config import ConfigError
from chalicelib.domain.errors import (
    AuthenticationFailed,
    Conflict,
    DependencyUnavailable,
    Forbidden,
    InvalidInput,
    NotFound,
    PagePressError,
    QuotaExceeded,
    TooManyAttempts,
    Unprocessable,
)
from chalicelib.domain.sources import SourceTooLarge

JSON_HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-store"}

_STATUS = (
    (SourceTooLarge, 413),
    (TooManyAttempts, 429),
    (InvalidInput, 400),
    (AuthenticationFailed, 401),
    (QuotaExceeded, 403),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (Unprocessable, 422),
    (DependencyUnavailable, 503),
)

# Chalice answers some requests itself ({"Code", "Message"}); we restate them in our shape.
_CHALICE_CODES = {
    "UnsupportedMediaType": "unsupported_media_type",
    "MethodNotAllowedError": "method_not_allowed",
    "BadRequest": "bad_request",
    "BadRequestError": "bad_request",
    "NotFoundError": "not_found",
    "InternalServerError": "internal_error",
}


class RequestTooLarge(InvalidInput):
    code = "request_too_large"


class UnsupportedMediaType(InvalidInput):
    code = "unsupported_media_type"


def error_response(
    status: int, code: str, message: str, field: str | None = None, headers: dict | None = None
) -> Response:
    error = {"code": code, "message": message}
    if field:
        error["field"] = field
    return Response(body={"error": error}, status_code=status, headers={**JSON_HEADERS, **(headers or {})})


def response_for(exc: Exception) -> Response | None:
    """The response for a known error, or None for a bug (which the caller logs as a 500)."""
    if isinstance(exc, RequestTooLarge):
        return error_response(413, exc.code, exc.message, exc.field)
    if isinstance(exc, UnsupportedMediaType):
        return error_response(415, exc.code, exc.message, exc.field)
    if isinstance(exc, ConfigError):
        return error_response(503, "misconfigured", "The service is misconfigured; the operators were told.")
    if isinstance(exc, PagePressError):
        status = next((code for cls, code in _STATUS if isinstance(exc, cls)), 500)
        headers = None
        if isinstance(exc, (TooManyAttempts, DependencyUnavailable)):
            headers = {"Retry-After": str(exc.retry_after_seconds)}
        if isinstance(exc, AuthenticationFailed):
            headers = {"WWW-Authenticate": 'Bearer realm="pagepress"'}
        return error_response(status, exc.code, exc.message, exc.field, headers)
    return None


def restate_chalice_error(response: Response) -> Response:
    """Chalice's own 4xx/5xx bodies ({"Code", "Message"}) restated as our error shape."""
    body = response.body
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return response
    if response.status_code >= 400 and isinstance(body, dict) and "Code" in body and "error" not in body:
        code = _CHALICE_CODES.get(body["Code"], "error")
        return error_response(
            response.status_code,
            code,
            str(body.get("Message", "")),
            headers={k: v for k, v in response.headers.items() if k.lower() == "allow"},
        )
    return response

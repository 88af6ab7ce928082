"""Request bodies in, response bodies out: shapes match api/openapi.yaml."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from chalice.app import Request

from api.errors import RequestTooLarge, UnsupportedMediaType
from chalicelib.domain.entry_view import entry_view
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import ApiKey, FileEntry, User
from chalicelib.numbers import ascii_int

MAX_LIST_LIMIT = 100
DEFAULT_LIST_LIMIT = 20


def raw_body(request: Request) -> bytes:
    """The body as Chalice decoded it: always bytes, though Chalice types it ``str | bytes``."""
    body = request.raw_body or b""
    return body.encode("utf-8") if isinstance(body, str) else body


def json_object(request: Request, max_bytes: int, allowed: frozenset[str]) -> dict[str, Any]:
    """The body as a JSON object with no unknown fields, or a 4xx that says what is wrong."""
    content_type = (request.headers.get("content-type") or "application/json").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    raw = raw_body(request)
    if len(raw) > max_bytes:
        raise RequestTooLarge(f"The request body is larger than {max_bytes} bytes.")
    try:
        body = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("The request body is not valid JSON.", "invalid_json") from None
    except RecursionError:  # thousands of nested [ or { fit in the size limit
        raise InvalidInput("The request body is nested too deeply.", "invalid_json") from None
    if not isinstance(body, dict):
        raise InvalidInput("The request body must be a JSON object.", "invalid_json")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidInput(f"Unknown field: {unknown[0]}.", field=unknown[0])
    broken = _unpaired_surrogate_at(body)
    if broken:
        raise InvalidInput(f"{broken} is not valid text: it has an unpaired UTF-16 surrogate.", field=broken)
    return body


def _unpaired_surrogate_at(body: dict[str, Any]) -> str | None:
    """The dotted path of a string JSON decoded from a lone ``\\udXXX`` escape: no UTF-8 can carry it further."""
    pending: list[tuple[str, Any]] = list(body.items())
    while pending:
        path, value = pending.pop(0)
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return path
        elif isinstance(value, dict):
            pending.extend((f"{path}.{key}", item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((f"{path}.{index}", item) for index, item in enumerate(value))
    return None


def list_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIST_LIMIT
    limit = ascii_int(raw)
    if limit is None or not 1 <= limit <= MAX_LIST_LIMIT:
        raise InvalidInput(f"limit must be a whole number from 1 to {MAX_LIST_LIMIT}.", field="limit")
    return limit


def disposition(raw: str | None) -> str:
    """How a link should deliver the PDF: saved (``attachment``, the default) or shown (``inline``)."""
    if raw in (None, "attachment", "inline"):
        return raw or "attachment"
    raise InvalidInput("disposition must be attachment or inline.", field="disposition")


def account(user: User) -> dict[str, str]:
    return {"id": user.id, "email": user.email}


def file_entry(entry: FileEntry, thumbnail_url: str | None = None) -> dict[str, Any]:
    return {**entry_view(entry), "thumbnail_url": thumbnail_url}


def _timestamp(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if value else None


def api_key(key: ApiKey) -> dict[str, Any]:
    """A key as listed: never its secret."""
    return {
        "id": key.id,
        "name": key.name,
        "scopes": list(key.scopes),
        "prefix": key.prefix,
        "created_at": _timestamp(key.created_at),
        "last_used_at": _timestamp(key.last_used_at),
    }

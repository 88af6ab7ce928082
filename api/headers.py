"""Headers every API response carries, whoever produced it (a view, an error, Chalice itself)."""

from __future__ import annotations

from typing import Any

#: API answers are per-user JSON: never sniffed into something else, never cached anywhere.
API_RESPONSE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


def harden(response: Any) -> Any:
    response.headers.update(API_RESPONSE_HEADERS)
    return response

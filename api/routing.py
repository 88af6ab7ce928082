"""Route registration with the error mapping every view shares, and the request's context."""

from __future__ import annotations

import functools
import ipaddress
import re
import uuid
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from api.errors import JSON_HEADERS, error_response, response_for
from api.log import logger
from chalicelib.domain.models import User
from chalicelib.wiring import container

_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def route(
    blueprint: Blueprint, path: str, methods: list[str], takes_body: bool = True, content_types: list[str] | None = None
) -> Callable:
    """Like ``blueprint.route``, but domain errors become JSON 4xx/503 and bugs a logged JSON 500.

    A route that ``takes_body`` only accepts application/json (else 415), or the
    ``content_types`` it names; one that reads no body ignores the request's Content-Type,
    so a stray header on a GET is not refused.
    """

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Response:
            try:
                result = view(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - mapped below; unknown ones are bugs
                known = response_for(exc)
                if known is not None:
                    logger.info(
                        "request refused", extra={"code": known.body["error"]["code"], "status": known.status_code}
                    )
                    return known
                logger.exception("unhandled error")
                return error_response(500, "internal_error", "Something went wrong on our side. Please retry.")
            if isinstance(result, Response):
                return result
            return Response(body=result, status_code=200, headers=dict(JSON_HEADERS))

        accepted = {"content_types": content_types} if content_types else {}
        blueprint.route(path, methods=methods, **(accepted if takes_body else {"content_types": []}))(guarded)
        return view

    return register


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(body=body, status_code=status, headers={**JSON_HEADERS, **(headers or {})})


def correlation_id_for(request: Any) -> str:
    """The correlation id of a Chalice request."""
    return correlation_id_from(request.headers.get("x-correlation-id"), (request.context or {}).get("requestId"))


def correlation_id_from(supplied: Any, request_id: Any = None) -> str:
    """The caller's X-Correlation-Id when well-formed, else the gateway's request id, else a new one."""
    for candidate in (supplied, request_id):
        if isinstance(candidate, str) and _CORRELATION_ID.match(candidate.strip()):
            return candidate.strip()
    return str(uuid.uuid4())


def client_address(request: Any) -> str:
    """Who is signing in, for throttling: the gateway's source IP, or, when that is one of our
    own proxies, the nearest X-Forwarded-For hop that is not (hops further left are the
    client's to invent)."""
    source = str(((request.context or {}).get("identity") or {}).get("sourceIp") or "unknown")
    trusted = container().settings.trusted_proxies
    if not trusted or not _within(source, trusted):
        return source
    hops = [hop.strip() for hop in (request.headers.get("x-forwarded-for") or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _within(hop, trusted):
            return hop if _is_ip(hop) else source
    return source


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _within(text: str, networks: tuple) -> bool:
    return _is_ip(text) and any(ipaddress.ip_address(text) in network for network in networks)


def signed_in_user(request: Any) -> User:
    """Checked on every request in the handler (no cached authorizer), so a replaced session dies at once."""
    user = container().accounts.authenticate(request.headers.get("authorization"))
    logger.append_keys(user_id=user.id)
    return user

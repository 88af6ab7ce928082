"""Who is calling: a signed-in session, or an API key that grants what the route needs."""

from __future__ import annotations

from typing import Any

from api.log import logger
from api.routing import signed_in_user
from chalicelib.domain.api_keys import looks_like_api_key
from chalicelib.domain.models import User
from chalicelib.wiring import container


def caller(request: Any, scope: str) -> User:
    """The user behind the request. An API key must grant ``scope`` (else 403); a session may do anything.
    The key's id is logged, never the key."""
    scheme, _, credential = (request.headers.get("authorization") or "").strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer" and looks_like_api_key(credential):
        user, key = container().api_keys.authenticate(credential, scope)
        logger.append_keys(user_id=user.id, api_key_id=key.id)
        return user
    return signed_in_user(request)

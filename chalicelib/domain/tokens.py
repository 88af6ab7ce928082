"""Session tokens: HS256 JWTs naming the user and the one session they belong to.

Pure functions; the secret and the clock are arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from chalicelib.domain.errors import AuthenticationFailed

ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ["exp", "iat", "sub", "sid"]
_FORBIDDEN_HEADERS = ("jku", "x5u", "jwk", "x5c", "crit")


@dataclass(frozen=True)
class Claims:
    user_id: str
    session_id: str
    expires_at: datetime


def issue(secret: str, user_id: str, session_id: str, now: datetime, ttl_seconds: int) -> tuple[str, datetime]:
    expires_at = now + timedelta(seconds=ttl_seconds)
    payload = {"sub": user_id, "sid": session_id, "iat": int(now.timestamp()), "exp": int(expires_at.timestamp())}
    return jwt.encode(payload, secret, algorithm=ALGORITHM), expires_at.replace(microsecond=0)


def decode(secret: str, token: str) -> Claims:
    """Verify signature, algorithm and claims; raise AuthenticationFailed saying which failed."""
    try:
        header = jwt.get_unverified_header(token)
        if any(name in header for name in _FORBIDDEN_HEADERS):
            raise jwt.InvalidTokenError("key-carrying header")
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": _REQUIRED_CLAIMS})
    except jwt.ExpiredSignatureError:
        raise AuthenticationFailed("Your session expired. Please sign in again.", "token_expired") from None
    except jwt.InvalidTokenError:
        raise AuthenticationFailed("The token is not valid. Please sign in again.", "token_invalid") from None
    if not isinstance(payload.get("sub"), str) or not isinstance(payload.get("sid"), str):
        raise AuthenticationFailed("The token is not valid. Please sign in again.", "token_invalid")
    return Claims(payload["sub"], payload["sid"], datetime.fromtimestamp(payload["exp"], UTC))

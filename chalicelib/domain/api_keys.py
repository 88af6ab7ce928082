"""API keys: long-lived, scoped credentials for scripts and backends.

A key is ``pp_`` followed by 256 random bits. It is shown once, when created; only its
SHA-256 is stored (a key has the entropy a password lacks, so a fast hash is enough and
lets a request find its key in one indexed lookup). Keys are not sessions: signing in
again does not touch them, and only revoking one ends it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.errors import AuthenticationFailed, Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.models import API_KEY_SCOPES, ApiKey, User
from chalicelib.domain.ports import ApiKeyRepository, UserRepository

KEY_PREFIX = "pp_"
_KEY_SHAPE = re.compile(r"^pp_[A-Za-z0-9_-]{43}$")  # token_urlsafe(32): 32 bytes, 43 characters
_SHOWN_PREFIX_LENGTH = 12
MAX_NAME_LENGTH = 100
MAX_KEYS_PER_USER = 50
_REFUSED = "The API key is not valid."


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str


def looks_like_api_key(token: str) -> bool:
    """Whether a bearer credential is meant as an API key (rather than a session token)."""
    return token.startswith(KEY_PREFIX)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return API_KEY_SCOPES
    if not isinstance(raw, list) or not raw or not all(isinstance(s, str) for s in raw):
        raise InvalidInput(f"scopes must be a non-empty list drawn from {', '.join(API_KEY_SCOPES)}.", field="scopes")
    if len(set(raw)) != len(raw):
        raise InvalidInput("scopes lists a scope twice.", field="scopes")
    unknown = sorted(set(raw) - set(API_KEY_SCOPES))
    if unknown:
        raise InvalidInput(f"Unknown scope: {unknown[0]} (use {', '.join(API_KEY_SCOPES)}).", field="scopes")
    return tuple(s for s in API_KEY_SCOPES if s in raw)


def parse_name(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_NAME_LENGTH:
        raise InvalidInput(f"Name the key (1 to {MAX_NAME_LENGTH} characters).", field="name")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in raw):
        raise InvalidInput("The key's name must not contain control characters.", field="name")
    return raw.strip()


class ApiKeyService:
    def __init__(
        self, keys: ApiKeyRepository, users: UserRepository, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._keys = keys
        self._users = users
        self._now = now

    def create(self, user: User, name: Any, scopes: Any) -> IssuedKey:
        checked_name, checked_scopes = parse_name(name), parse_scopes(scopes)
        if len(self._keys.for_user(user.id)) >= MAX_KEYS_PER_USER:
            raise Conflict(f"An account can hold at most {MAX_KEYS_PER_USER} keys; revoke one first.", "too_many_keys")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        key = self._keys.add(user.id, checked_name, checked_scopes, secret[:_SHOWN_PREFIX_LENGTH], hash_secret(secret))
        return IssuedKey(key, secret)

    def list(self, user: User) -> list[ApiKey]:
        return self._keys.for_user(user.id)

    def revoke(self, user: User, key_id: str) -> None:
        if not self._keys.remove(user.id, key_id):
            raise NotFound("No such key.", "not_found")

    def authenticate(self, secret: str, scope: str) -> tuple[User, ApiKey]:
        """The key's owner, if the key is live and grants ``scope``. Unknown, revoked and
        malformed keys are refused alike."""
        key = self._keys.by_hash(hash_secret(secret)) if _KEY_SHAPE.match(secret) else None
        user = self._users.by_id(key.user_id) if key is not None else None
        if key is None or user is None:
            raise AuthenticationFailed(_REFUSED, "invalid_api_key")
        if scope not in key.scopes:
            raise Forbidden(f"This API key lacks the {scope!r} scope.", "insufficient_scope")
        self._keys.touch(key.id, self._now())
        return user, key

"""Password hashing: bcrypt over an HMAC-SHA256 pre-hash.

bcrypt reads at most 72 bytes (bcrypt 5 raises beyond that, older versions truncated
silently). Pre-hashing to 44 base64 characters lets every allowed password count in
full, and avoids NUL bytes inside bcrypt's input.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

import bcrypt

_PREHASH_KEY = b"pagepress/password/v1"
MIN_LENGTH = 8
MAX_LENGTH = 128


def _prehash(password: str) -> bytes:
    digest = hmac.new(_PREHASH_KEY, password.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest)


def hash_password(password: str, rounds: int) -> str:
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds=rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(_prehash(password), password_hash.encode("ascii"))
    except ValueError:
        return False


@functools.lru_cache(maxsize=4)
def dummy_hash(rounds: int) -> str:
    """A valid hash of the same cost, checked when the e-mail is unknown so both cases take as long."""
    return hash_password("not-a-real-password", rounds)

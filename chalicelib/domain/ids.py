"""Time-ordered, URL-safe file ids (ULID layout: 48-bit milliseconds + 80 random bits).

Sorting ids sorts files by creation time, so DynamoDB returns newest first for free, and
the random part makes ids unguessable.
"""

from __future__ import annotations

import re
import secrets
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
FILE_ID_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def new_file_id(now_ms: int | None = None) -> str:
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    value = (millis << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_file_id(text: str) -> bool:
    return bool(FILE_ID_PATTERN.match(text))

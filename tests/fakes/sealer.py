"""A ``CredentialSealer`` for unit tests: reversible, bound to its context, checked for tampering,
and plainly not secret (the plaintext is only reversed)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from chalicelib.domain.errors import SealBroken
from chalicelib.domain.ports import CredentialSealer

_DIGEST = 32


class FakeSealer(CredentialSealer):
    def seal(self, plaintext: bytes, context: Mapping[str, str]) -> bytes:
        body = plaintext[::-1]
        return _digest(body, context) + body

    def open(self, sealed: bytes, context: Mapping[str, str]) -> bytes:
        digest, body = sealed[:_DIGEST], sealed[_DIGEST:]
        if len(sealed) < _DIGEST or digest != _digest(body, context):
            raise SealBroken("not sealed for this context")
        return body[::-1]


def _digest(body: bytes, context: Mapping[str, str]) -> bytes:
    return hashlib.sha256(json.dumps(dict(context), sort_keys=True).encode() + body).digest()

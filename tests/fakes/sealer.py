"""A ``CredentialSealer`` for unit tests: reversible, bound to its context, and plainly not secret."""

from __future__ import annotations

import json
from collections.abc import Mapping

from chalicelib.domain.errors import SealBroken
from chalicelib.domain.ports import CredentialSealer


class FakeSealer(CredentialSealer):
    def __init__(self) -> None:
        self.sealed = 0

    def seal(self, plaintext: bytes, context: Mapping[str, str]) -> bytes:
        self.sealed += 1
        return b"sealed:" + _context(context) + b"|" + plaintext[::-1]

    def open(self, sealed: bytes, context: Mapping[str, str]) -> bytes:
        prefix = b"sealed:" + _context(context) + b"|"
        if not sealed.startswith(prefix):
            raise SealBroken("not sealed for this context")
        return sealed[len(prefix) :][::-1]


def _context(context: Mapping[str, str]) -> bytes:
    return json.dumps(dict(context), sort_keys=True).encode()

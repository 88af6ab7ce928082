"""``CredentialSealer`` without KMS (``make run``, tests): AES-256-GCM under a key derived with
HKDF-SHA256 from the local secret, the job's context as associated data (sealed bytes open only
for the same job). ``cryptography`` does the cipher and the derivation: hand-written crypto is
how secrets leak."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from chalicelib.domain.errors import SealBroken
from chalicelib.domain.ports import CredentialSealer

_VERSION = b"\x01"  # the first byte of sealed bytes: which scheme sealed them
_NONCE_BYTES = 12
_INFO = b"pagepress job credentials v1"


class LocalSealer(CredentialSealer):
    def __init__(self, secret: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
        self._cipher = AESGCM(key)

    def seal(self, plaintext: bytes, context: Mapping[str, str]) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + self._cipher.encrypt(nonce, plaintext, _associated(context))

    def open(self, sealed: bytes, context: Mapping[str, str]) -> bytes:
        if sealed[:1] != _VERSION or len(sealed) < 1 + _NONCE_BYTES:
            raise SealBroken("The sealed headers and cookies are not in a form this converter reads.")
        nonce, body = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
        try:
            return self._cipher.decrypt(nonce, body, _associated(context))
        except InvalidTag:
            raise SealBroken("The sealed headers and cookies do not open for this job.") from None


def _associated(context: Mapping[str, str]) -> bytes:
    return json.dumps(dict(context), sort_keys=True, separators=(",", ":")).encode()

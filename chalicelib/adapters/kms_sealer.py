"""``CredentialSealer`` with AWS KMS: ``Encrypt``/``Decrypt`` under one key, the job's user and
file bound as the encryption context (so sealed bytes copied to another item do not open, and
the key policy or IAM can require the context). KMS encrypts up to 4096 bytes directly, which
``page_credentials.MAX_SEALED_BYTES`` keeps to: no data key, no local cipher on Lambda."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.errors import DependencyUnavailable, SealBroken
from chalicelib.domain.ports import CredentialSealer

#: KMS's answers that mean "these bytes are not for this key and context", not "KMS is down".
_BROKEN = {"InvalidCiphertextException", "IncorrectKeyException"}


class KmsSealer(CredentialSealer):
    def __init__(self, client: Any, key_id: str) -> None:
        self._kms = client
        self._key_id = key_id

    def seal(self, plaintext: bytes, context: Mapping[str, str]) -> bytes:
        answer = self._call("encrypt", KeyId=self._key_id, Plaintext=plaintext, EncryptionContext=dict(context))
        sealed: bytes = answer["CiphertextBlob"]
        return sealed

    def open(self, sealed: bytes, context: Mapping[str, str]) -> bytes:
        answer = self._call("decrypt", KeyId=self._key_id, CiphertextBlob=sealed, EncryptionContext=dict(context))
        plaintext: bytes = answer["Plaintext"]
        return plaintext

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        try:
            answer: dict[str, Any] = getattr(self._kms, operation)(**kwargs)
            return answer
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _BROKEN:
                raise SealBroken("The sealed headers and cookies do not open for this job.") from None
            raise DependencyUnavailable(f"KMS does not answer: {exc.response['Error']['Code']}") from None
        except BotoCoreError as exc:
            raise DependencyUnavailable(f"KMS does not answer: {type(exc).__name__}") from None

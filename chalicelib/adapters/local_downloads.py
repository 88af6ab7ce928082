"""Download links for the local stack, served by the app instead of the local S3 endpoint.

moto accepts any signature and ignores expiry, so its presigned URLs would open another
user's key or outlive their minute. Locally, a link is ``<base>/local-downloads/<token>``:
the token names the owner, the key and the expiry, signed with HMAC-SHA256 under a key
derived from the signing secret; the local web server checks all three before it reads
the object (devstack/web.py). On AWS, S3's own presigned URLs are used.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError

from chalicelib.adapters.s3_store import S3ObjectStore
from chalicelib.domain.errors import AuthenticationFailed, DependencyUnavailable, NotFound

LINK_PATH = "/local-downloads/"


@dataclass(frozen=True)
class DownloadGrant:
    owner: str
    key: str
    filename: str
    inline: bool = False


class SignedDownloads:
    """Issues and checks the tokens of local download links."""

    def __init__(self, secret: Callable[[], str], now: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._now = now

    def issue(self, key: str, filename: str, ttl_seconds: int, inline: bool = False) -> str:
        owner = _owner_of(key)
        fields = {"o": owner, "k": key, "f": filename, "e": int(self._now()) + ttl_seconds}
        if inline:
            fields["i"] = 1
        payload = json.dumps(fields, separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._sign(payload))}"

    def check(self, token: str) -> DownloadGrant:
        """The grant a token carries, if its signature holds, it has not expired and its key is its owner's."""
        try:
            body, signature = token.split(".")
            payload = _unb64(body)
            if not hmac.compare_digest(_unb64(signature), self._sign(payload)):
                raise ValueError("signature")
            data = json.loads(payload)
            grant = DownloadGrant(str(data["o"]), str(data["k"]), str(data["f"]), bool(data.get("i")))
            expires = int(data["e"])
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
            raise AuthenticationFailed("This download link is not valid.", "link_invalid") from None
        if expires < self._now():
            raise AuthenticationFailed("This download link has expired; ask for a new one.", "link_expired")
        if _owner_of(grant.key) != grant.owner:
            raise AuthenticationFailed("This download link is not valid.", "link_invalid")
        return grant

    def _sign(self, payload: bytes) -> bytes:
        key = hmac.new(self._secret().encode(), b"pagepress local downloads", hashlib.sha256).digest()
        return hmac.new(key, payload, hashlib.sha256).digest()


class LocalDownloadStore(S3ObjectStore):
    """S3 (moto) for the objects; links through the app, checked by ``SignedDownloads``."""

    def __init__(self, client: Any, bucket: str, base_url: str, links: SignedDownloads) -> None:
        super().__init__(client, bucket)
        self._base = base_url.rstrip("/")
        self.links = links

    def download_url(self, key: str, filename: str, ttl_seconds: int, *, inline: bool = False) -> str:
        return f"{self._base}{LINK_PATH}{self.links.issue(key, filename, ttl_seconds, inline)}"

    def read(self, key: str) -> bytes:
        if not self.exists(key):
            raise NotFound("The file is gone.", "not_found")
        body = self._call("get_object", Bucket=self._bucket, Key=key)["Body"]
        try:
            content: bytes = body.read()
        except BotoCoreError as exc:  # the endpoint went away mid-body
            raise DependencyUnavailable(f"S3 does not answer: {exc}") from exc
        return content


def _owner_of(key: str) -> str:
    parts = key.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "users" and parts[1] else ""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

"""PDFs in S3: encrypted at rest, downloaded only through short-lived presigned URLs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.errors import DependencyUnavailable
from chalicelib.domain.outputs import content_type_for
from chalicelib.domain.ports import ObjectStore


def attachment(filename: str, inline: bool = False) -> str:
    """Content-Disposition for a download named filename (ASCII fallback and RFC 5987 form);
    ``inline`` asks the browser to show it rather than save it."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"


class S3ObjectStore(ObjectStore):
    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self._bucket = bucket

    def put_pdf(
        self, key: str, content: bytes, metadata: Mapping[str, str], content_type: str = "application/pdf"
    ) -> None:
        self._put(key, content, content_type, metadata)

    def put_thumbnail(self, key: str, content: bytes, metadata: Mapping[str, str]) -> None:
        self._put(key, content, content_type_for(key), metadata)

    def put_source(self, key: str, html: str, metadata: Mapping[str, str]) -> None:
        self._put(key, html.encode("utf-8"), "text/html; charset=utf-8", metadata)

    def _put(self, key: str, body: bytes, content_type: str, metadata: Mapping[str, str]) -> None:
        """Every object encrypted at rest, typed, with where it came from in its metadata."""
        self._call(
            "put_object",
            Bucket=self._bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            ServerSideEncryption="AES256",
            Metadata=dict(metadata),
        )

    def get_source(self, key: str) -> str | None:
        found = self._unless_missing("get_object", Bucket=self._bucket, Key=key)
        return found["Body"].read().decode("utf-8") if found is not None else None

    def exists(self, key: str) -> bool:
        return self._unless_missing("head_object", Bucket=self._bucket, Key=key) is not None

    def _unless_missing(self, operation: str, **kwargs: Any) -> dict[str, Any] | None:
        """The call's answer, or None when the object does not exist."""
        try:
            answer: dict[str, Any] = getattr(self._s3, operation)(**kwargs)
            return answer
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise DependencyUnavailable(f"S3 does not answer: {exc}") from exc
        except BotoCoreError as exc:
            raise DependencyUnavailable(f"S3 does not answer: {exc}") from exc

    def delete(self, key: str) -> None:
        self._call("delete_object", Bucket=self._bucket, Key=key)

    def download_url(self, key: str, filename: str, ttl_seconds: int, *, inline: bool = False) -> str:
        url: str = self._s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ResponseContentDisposition": attachment(filename, inline),
                "ResponseContentType": content_type_for(filename),
            },
            ExpiresIn=ttl_seconds,
        )
        return url

    def ping(self) -> None:
        self._call("head_bucket", Bucket=self._bucket)

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        """One call on this store's bucket (for adapters that work on many objects at once)."""
        return self._call(operation, Bucket=self._bucket, **kwargs)

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        try:
            answer: dict[str, Any] = getattr(self._s3, operation)(**kwargs)
            return answer
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(f"S3 does not answer: {exc}") from exc

"""Webhooks: when a job ends, its owner's callback URL hears about it, signed and retried.

Deliveries run off the render path, from their own queue. Each attempt POSTs
``{"event", "file"}`` with ``PagePress-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">``
under the account's webhook secret; a 2xx within the timeout counts as delivered. Anything
else is tried again later (the next message is queued with a growing delay) until the
schedule runs out, and the entry shows how it went.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from chalicelib.domain.entry_view import entry_view
from chalicelib.domain.models import CallbackState, FileEntry, FileStatus, User
from chalicelib.domain.ports import FileIndex, WebhookPoster, WebhookQueue, WebhookSecretStore

EVENT_READY = "conversion.ready"
EVENT_FAILED = "conversion.failed"
SIGNATURE_HEADER = "PagePress-Signature"
DELIVERY_TIMEOUT_SECONDS = 10
MAX_DELAY_SECONDS = 900  # SQS's longest message delay


class DeliveryFailed(Exception):
    """The receiver could not be reached or did not answer in time (worth another try)."""


class DeliveryRefused(Exception):
    """The callback URL now leads somewhere PagePress does not connect to (not retried)."""


@dataclass(frozen=True)
class WebhookDelivery:
    user_id: str
    file_id: str
    event: str
    attempt: int = 1
    correlation_id: str = ""

    def to_message(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "file_id": self.file_id,
            "event": self.event,
            "attempt": self.attempt,
            "correlation_id": self.correlation_id,
        }

    @classmethod
    def from_message(cls, data: dict[str, Any]) -> WebhookDelivery:
        """Raises KeyError/TypeError/ValueError on a malformed message."""
        event = str(data["event"])
        if event not in (EVENT_READY, EVENT_FAILED):
            raise ValueError(f"unknown event {event!r}")
        return cls(
            str(data["user_id"]),
            str(data["file_id"]),
            event,
            max(1, int(data.get("attempt", 1))),
            str(data.get("correlation_id") or ""),
        )


@dataclass(frozen=True)
class RetrySchedule:
    """Attempt n failed: wait base x 2^(n-1) seconds (at most 15 minutes), up to max_attempts in all."""

    base_seconds: int = 30
    max_attempts: int = 8

    def delay_after(self, attempt: int) -> int | None:
        if attempt >= self.max_attempts:
            return None
        delay: int = min(self.base_seconds * 2 ** (attempt - 1), MAX_DELAY_SECONDS)
        return delay


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def event_for(entry: FileEntry) -> str:
    return EVENT_READY if entry.status is FileStatus.READY else EVENT_FAILED


class WebhookSecrets:
    """The account's signing secret: made on first use, replaced on rotation."""

    def __init__(self, store: WebhookSecretStore) -> None:
        self._store = store

    def current(self, user: User) -> str:
        return self._store.get_or_create(user.id, new_secret())

    def rotate(self, user: User) -> str:
        return self._store.replace(user.id, new_secret())


class WebhookDeliverer:
    def __init__(
        self,
        index: FileIndex,
        secrets_store: WebhookSecretStore,
        queue: WebhookQueue,
        poster: WebhookPoster,
        schedule: RetrySchedule,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._index = index
        self._secrets = secrets_store
        self._queue = queue
        self._poster = poster
        self._schedule = schedule
        self._clock = clock

    def deliver(self, delivery: WebhookDelivery) -> str:
        """One attempt; returns what happened (delivered, retrying, failed, refused, skipped)."""
        entry = self._index.get(delivery.user_id, delivery.file_id)
        if entry is None or not entry.callback_url:
            return "skipped"
        if entry.callback is not None and entry.callback.status != "pending":
            return "skipped"  # a duplicate message: this job's callback is settled
        body = json.dumps({"event": delivery.event, "file": entry_view(entry)}, separators=(",", ":")).encode()
        secret = self._secrets.get_or_create(entry.user_id, new_secret())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "PagePress-Webhooks/1",
            SIGNATURE_HEADER: signature(secret, body, int(self._clock())),
        }
        status: int | None = None
        try:
            status = self._poster.post(entry.callback_url, body, headers)
        except DeliveryRefused:
            self._record(delivery, "failed", None)
            return "refused"
        except DeliveryFailed:
            status = None
        if status is not None and 200 <= status < 300:
            self._record(delivery, "delivered", status)
            return "delivered"
        delay = self._schedule.delay_after(delivery.attempt)
        if delay is None:
            self._record(delivery, "failed", status)
            return "failed"
        self._record(delivery, "pending", status)
        self._queue.send(replace(delivery, attempt=delivery.attempt + 1), delay)
        return "retrying"

    def _record(self, delivery: WebhookDelivery, status: str, last_status: int | None) -> None:
        self._index.record_callback(
            delivery.user_id, delivery.file_id, CallbackState(status, delivery.attempt, last_status)
        )

"""A gate on the stack's AWS clients, so the local AWS endpoint can be restarted without losing state.

moto holds the bucket, the table and the queues in memory. To restart it and keep what it
held, the stack closes this gate, lets the calls already in flight finish, saves the state,
restarts moto and restores the state (``LocalStack.restart_aws``). While the gate is closed
every other call fails at once with ``EndpointConnectionError``, exactly as if the endpoint
were down, so callers see what they would see in an outage (the API a 503 with Retry-After,
a render a transient failure that is retried); no call reaches a moto that is half restored,
and no write lands between the save and the restart, where it would be lost. The thread that
restarts passes through.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from botocore.exceptions import EndpointConnectionError

_MARK = "pagepress_gate_counted"


class AwsGate:
    def __init__(self, endpoint_url: str) -> None:
        self._endpoint_url = endpoint_url
        self._changed = threading.Condition()
        self._in_flight = 0
        self._owner: int | None = None  # the thread holding the gate closed

    def guard(self, client: Any) -> Any:
        """Route every call of ``client`` through the gate; returns the client."""
        events = client.meta.events
        events.register("before-call.*.*", self._before_call)
        events.register("after-call.*.*", self._after_call)
        events.register("after-call-error.*.*", self._after_call)
        return client

    def close(self, drain_seconds: float) -> int:
        """Refuse new calls from other threads and wait (bounded) for those in flight; returns
        how many were still in flight when the wait gave up (0 when drained)."""
        with self._changed:
            if self._owner is not None:
                raise RuntimeError("the AWS gate is already closed")
            self._owner = threading.get_ident()
            deadline = time.monotonic() + drain_seconds
            while self._in_flight and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)
            return self._in_flight

    def open(self) -> None:
        with self._changed:
            self._owner = None

    @property
    def is_closed(self) -> bool:
        return self._owner is not None

    def _before_call(self, context: dict[str, Any], **_: Any) -> None:
        with self._changed:
            if self._owner is not None and self._owner != threading.get_ident():
                raise EndpointConnectionError(endpoint_url=self._endpoint_url)
            self._in_flight += 1
            context[_MARK] = True

    def _after_call(self, context: dict[str, Any], **_: Any) -> None:
        if context.pop(_MARK, False):
            with self._changed:
                self._in_flight -= 1
                self._changed.notify_all()

"""moto's server, with its SQS queues safe for calls from several threads at once.

moto's ``Queue.delete_message`` rebuilds the queue's message list from a copy taken before
the rebuild: a message sent meanwhile by another request is lost, and a message deleted
meanwhile comes back. The local stack sends (the API), receives and deletes (the pollers'
invocations) at once, so a job could vanish while its entry waited ``pending`` forever. Here
deleting holds the queue's own lock, the one ``add_message`` already appends under.

Run as ``python -m devstack.moto_server -H 127.0.0.1 -p PORT`` (moto's own arguments).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto import server
from moto.sqs import models


def _under_queue_lock(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def locked(queue: models.Queue, *args: Any, **kwargs: Any) -> Any:
        with queue._messages_lock:  # a Condition over an RLock: add_message re-enters it
            return method(queue, *args, **kwargs)

    return locked


def make_queues_thread_safe() -> None:
    if not getattr(models.Queue.delete_message, "__pagepress_locked__", False):
        locked = _under_queue_lock(models.Queue.delete_message)
        locked.__pagepress_locked__ = True  # type: ignore[attr-defined]  # a marker on our own wrapper
        models.Queue.delete_message = locked  # type: ignore[method-assign]  # the fix is patching moto's method


if __name__ == "__main__":
    make_queues_thread_safe()
    server.main()

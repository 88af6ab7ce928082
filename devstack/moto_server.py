"""moto's server, with its SQS queues and DynamoDB writes safe for calls from several threads.

moto's ``Queue.delete_message`` rebuilds the queue's message list from a copy taken before
the rebuild: a message sent meanwhile by another request is lost, and a message deleted
meanwhile comes back. The local stack sends (the API), receives and deletes (the pollers'
invocations) at once, so a job could vanish while its entry waited ``pending`` forever. Here
deleting holds the queue's own lock, the one ``add_message`` already appends under.

moto's DynamoDB evaluates a write's condition, then applies it, with nothing in between to
stop another request's write: two conditional writes that DynamoDB serialises (the last free
place under a user's limit, a job finished twice) could both pass. Here every DynamoDB write,
and every transaction, holds one lock, as DynamoDB's own item-level serialisation would.

Run as ``python -m devstack.moto_server -H 127.0.0.1 -p PORT`` (moto's own arguments).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto import server
from moto.dynamodb.models import DynamoDBBackend
from moto.sqs import models

#: DynamoDB's writes, one at a time (reentrant: a transaction applies its items with put_item...).
_DYNAMODB_WRITES = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


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


def _under_lock(lock: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return method(*args, **kwargs)

    locked.__pagepress_locked__ = True  # type: ignore[attr-defined]  # a marker on our own wrapper
    return locked


def make_dynamodb_writes_atomic() -> None:
    for name in _WRITES:
        method = getattr(DynamoDBBackend, name)
        if not getattr(method, "__pagepress_locked__", False):
            setattr(DynamoDBBackend, name, _under_lock(_DYNAMODB_WRITES, method))


if __name__ == "__main__":
    make_queues_thread_safe()
    make_dynamodb_writes_atomic()
    server.main()

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

moto's ``transact_write_items`` deep-copies every table it touches before it starts, to roll
back a refused transaction: its cost grew with everything stored (6 ms at 100 items, 57 ms
at 1,000, 286 ms at 5,000), and every conversion runs two, so a long-lived ``make run`` grew
slower with each file. Under the lock, a copy of the items the transaction names is enough:
the tables are no longer copied, and a refused transaction puts those items back.

Run as ``python -m devstack.moto_server -H 127.0.0.1 -p PORT`` (moto's own arguments).
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from typing import Any

from moto import server
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend, Table
from moto.sqs import models

#: DynamoDB's writes, one at a time (reentrant: a transaction applies its items with put_item...).
_DYNAMODB_WRITES = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item")
#: (table name, key, a copy of the item or None): what a transaction may change, as it was.
_Snapshot = list[tuple[str, dict[str, Any], Any]]


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


class _TablesNotCopied:
    """moto's DynamoDB module's ``copy``, except that a table is not deep-copied (the
    transaction's backup is taken item by item instead, by ``_touched_items``)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _touched_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> _Snapshot:
    touched: _Snapshot = []
    for operation in transact_items:
        _, op = next(iter(operation.items()))
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            continue  # moto's own loop reports it
        if "Key" in op:
            key = op["Key"]
        else:
            names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
            key = {name: op["Item"][name] for name in names if name in op.get("Item", {})}
        try:
            item = backend.get_item(table.name, key)
        except Exception:  # noqa: BLE001 - a malformed key: moto's own loop reports it
            continue
        touched.append((table.name, key, copy.deepcopy(item)))
    return touched


def _put_back(backend: DynamoDBBackend, touched: _Snapshot) -> None:
    for table_name, key, item in reversed(touched):
        if item is None:
            if backend.get_item(table_name, key) is not None:
                backend.delete_item(table_name, key)
        else:
            backend.put_item(table_name, item.to_json()["Attributes"])


def _rolled_back_item_by_item(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def transact(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Any:
        touched = _touched_items(backend, transact_items)
        try:
            return method(backend, transact_items)
        except Exception:
            _put_back(backend, touched)
            raise

    return transact


def make_dynamodb_writes_atomic() -> None:
    """Every DynamoDB write under one lock; transactions backed up item by item, not table by table."""
    for name in _WRITES:
        method = getattr(DynamoDBBackend, name)
        if not getattr(method, "__pagepress_locked__", False):
            setattr(DynamoDBBackend, name, _under_lock(_DYNAMODB_WRITES, method))
    transact = DynamoDBBackend.transact_write_items
    if not getattr(transact, "__pagepress_locked__", False):
        DynamoDBBackend.transact_write_items = _under_lock(  # type: ignore[method-assign]  # moto's, patched
            _DYNAMODB_WRITES, _rolled_back_item_by_item(transact)
        )
        dynamodb_models.copy = _TablesNotCopied()  # type: ignore[assignment]  # see _TablesNotCopied


if __name__ == "__main__":
    make_queues_thread_safe()
    make_dynamodb_writes_atomic()
    server.main()

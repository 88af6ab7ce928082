"""Each user's holdings kept in one summary item beside their files: ``sk = holdings``.

``POST /request`` checks a user's unfinished jobs and stored bytes. Summing them from the file
items read every item the user has, on every request: the cost grew with the user's files and,
at about 24,000 of them, one user's own requests at 1/s would exceed a partition's read rate.
Instead the file index changes the summary in the same transaction as the file item whenever
an entry is created, finishes, is retried or is deleted, so the check is one ``GetItem``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.domain.models import FileStatus
from chalicelib.domain.ports import Holdings

HOLDINGS_SK = "holdings"
_ATTRIBUTES = {"unfinished_jobs": "unfinished", "stored_bytes": "stored_bytes", "files": "files"}


def held_by(status: str, size: int) -> Holdings:
    """What one entry in ``status`` adds to its user's holdings."""
    state = FileStatus(status)
    if not state.finished:
        return Holdings(1, 0, 1)
    return Holdings(0, size if state is FileStatus.READY else 0, 1)


def minus(held: Holdings) -> Holdings:
    return Holdings(-held.unfinished_jobs, -held.stored_bytes, -held.files)


def holdings_key(user_id: str) -> dict[str, Any]:
    return {"user_id": {"S": user_id}, "sk": {"S": HOLDINGS_SK}}


def holdings_change(table: str, user_id: str, change: Holdings) -> dict[str, Any] | None:
    """A transaction's ``Update`` adding ``change`` to the user's summary (creating it at the
    first entry); None when nothing changes."""
    terms = {name: getattr(change, field) for field, name in _ATTRIBUTES.items() if getattr(change, field)}
    if not terms:
        return None
    return {
        "Update": {
            "TableName": table,
            "Key": holdings_key(user_id),
            "UpdateExpression": "ADD " + ", ".join(f"{name} :{name}" for name in terms),
            "ExpressionAttributeValues": {f":{name}": {"N": str(value)} for name, value in terms.items()},
        }
    }


def holdings_from(item: dict[str, Any] | None) -> Holdings:
    """The summary item's counts (nothing held when the user has never had an entry)."""
    item = item or {}
    counts = {field: int(item.get(name, {}).get("N", "0")) for field, name in _ATTRIBUTES.items()}
    return Holdings(**counts)


def summary_items(file_items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every user's summary item counted afresh from their file items (for a restore)."""
    totals: dict[str, Holdings] = {}
    for item in file_items:
        user_id = item["user_id"]["S"]
        held = held_by(item["status"]["S"], int(item.get("size_bytes", {}).get("N", "0")))
        before = totals.get(user_id, Holdings(0, 0, 0))
        totals[user_id] = Holdings(
            before.unfinished_jobs + held.unfinished_jobs,
            before.stored_bytes + held.stored_bytes,
            before.files + held.files,
        )
    return [
        {**holdings_key(user_id), **{name: {"N": str(getattr(held, field))} for field, name in _ATTRIBUTES.items()}}
        for user_id, held in totals.items()
    ]

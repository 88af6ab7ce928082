"""Each user's holdings kept in one summary item beside their files: ``sk = holdings``.

``POST /request`` checks a user's unfinished jobs and stored bytes. Summing them from the file
items read every item the user has, on every request: the cost grew with the user's files and,
at about 24,000 of them, one user's own requests at 1/s would exceed a partition's read rate.
Instead the file index changes the summary in the same transaction as the file item whenever
an entry is created, finishes, is retried or is deleted. A new or retried job's update is
conditional on the summary being below the user's limits, so the check costs no read of its
own and holds under concurrent requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.domain.models import FileStatus
from chalicelib.domain.ports import Holdings, HoldingsFull, HoldingsLimits

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


def holdings_change(
    table: str, user_id: str, change: Holdings, limits: HoldingsLimits | None = None
) -> dict[str, Any] | None:
    """A transaction's ``Update`` adding ``change`` to the user's summary (creating it at the
    first entry); None when nothing changes. With ``limits``, the update holds only while the
    summary is below them, and a refusal returns the summary as it was (``refused_by``)."""
    terms = {name: getattr(change, field) for field, name in _ATTRIBUTES.items() if getattr(change, field)}
    if not terms:
        return None
    update: dict[str, Any] = {
        "TableName": table,
        "Key": holdings_key(user_id),
        "UpdateExpression": "ADD " + ", ".join(f"{name} :{name}" for name in terms),
        "ExpressionAttributeValues": {f":{name}": {"N": str(value)} for name, value in terms.items()},
    }
    if limits is not None:
        unfinished, stored = _ATTRIBUTES["unfinished_jobs"], _ATTRIBUTES["stored_bytes"]
        update["ConditionExpression"] = (
            f"(attribute_not_exists({unfinished}) OR {unfinished} < :max_unfinished) AND "
            f"(attribute_not_exists({stored}) OR {stored} < :max_stored)"
        )
        update["ExpressionAttributeValues"] |= {
            ":max_unfinished": {"N": str(limits.max_unfinished_jobs)},
            ":max_stored": {"N": str(limits.max_stored_bytes)},
        }
        update["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return {"Update": update}


def refused_by(reason: dict[str, Any], limits: HoldingsLimits) -> HoldingsFull | None:
    """The ``HoldingsFull`` a transaction's cancellation reason for the summary update means;
    None if that update was not what refused it."""
    if reason.get("Code") != "ConditionalCheckFailed":
        return None
    held = holdings_from(reason.get("Item"))
    return HoldingsFull(held, limits) if limits.reached_by(held) else None


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

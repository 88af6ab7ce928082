"""The file index in DynamoDB: one item per file, ``user_id`` + ``sk = file#<time-ordered id>``.

Idempotency keys live beside the files as ``sk = idem#<sha256>`` items with a TTL; a
transaction creates both or neither. Every status change is a conditional update; those that
change what the user holds (creating, finishing, retrying, deleting) are transactions that
also change the user's summary item (``dynamodb_holdings``).
"""

from __future__ import annotations

import base64
import binascii
import builtins
import hashlib
import json
import random
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.dynamodb_holdings import held_by, holdings_change, minus, refused_by
from chalicelib.domain.errors import DependencyUnavailable, InvalidInput
from chalicelib.domain.file_filter import FileFilter, folded
from chalicelib.domain.models import CallbackState, ConversionOptions, FileEntry, FileStatus, Page
from chalicelib.domain.ports import FileIndex, Holdings, HoldingsLimits
from chalicelib.domain.render_report import RenderReport

FILE_PREFIX = "file#"
#: The item's sealed headers and cookies, while its job runs; ending the job removes it.
CREDENTIALS = "sealed_credentials"
IDEMPOTENCY_PREFIX = "idem#"
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
MAX_CURSOR = 1024  # as api/openapi.yaml says
FILTER_READ_AHEAD = 100  # items read per round while filtering
FILTER_ROUNDS = 5
_UNFINISHED = {":pending": FileStatus.PENDING.value, ":processing": FileStatus.PROCESSING.value}
_IS_UNFINISHED = "attribute_exists(sk) AND #status IN (:pending, :processing)"
#: Transactions on one user's summary item that meet are cancelled (TransactionConflict), not
#: queued: try again a few times after a short random pause.
TRANSACTION_ATTEMPTS = 5
TRANSACTION_BACKOFF_SECONDS = 0.02
_DELETE_ATTEMPTS = 3
_AS_SEEN = "#status = :seen AND (attribute_not_exists(size_bytes) OR size_bytes = :size)"


class DynamoFileIndex(FileIndex):
    def __init__(self, client: Any, table: str, now_iso: Callable[[], str]) -> None:
        self._db = client
        self._table = table
        self._now_iso = now_iso

    # -- writes -------------------------------------------------------------------------
    def create(
        self,
        entry: FileEntry,
        idempotency_key: str | None = None,
        sealed_credentials: bytes | None = None,
        limits: HoldingsLimits | None = None,
    ) -> FileEntry:
        item = _to_item(entry)
        if sealed_credentials is not None:
            item[CREDENTIALS] = {"B": sealed_credentials}
        put_entry = {"Put": {"TableName": self._table, "Item": item, "ConditionExpression": "attribute_not_exists(sk)"}}
        holding = self._holding(entry.user_id, held_by(entry.status.value, entry.size or 0), limits)
        if idempotency_key is None:
            if self._cancellations([put_entry, holding], limits):
                raise DependencyUnavailable("The request could not be recorded; please retry.")
            return entry
        idem_sk = IDEMPOTENCY_PREFIX + hashlib.sha256(idempotency_key.encode()).hexdigest()
        marker_key = {"user_id": {"S": entry.user_id}, "sk": {"S": idem_sk}}
        marker = {
            **marker_key,
            "file_id": {"S": entry.file_id},
            "expires_at": {"N": str(int(time.time()) + IDEMPOTENCY_TTL_SECONDS)},
        }
        put_marker = {
            "Put": {"TableName": self._table, "Item": marker, "ConditionExpression": "attribute_not_exists(sk)"}
        }
        for _ in range(2):
            refused = self._cancellations([put_marker, put_entry, holding], limits)
            if not refused:
                return entry
            if refused[0].get("Code") != "ConditionalCheckFailed":  # the key was free: the entry itself refused
                raise DependencyUnavailable("The request could not be recorded; please retry.")
            existing = self._call("get_item", TableName=self._table, ConsistentRead=True, Key=marker_key).get("Item")
            first = self.get(entry.user_id, existing["file_id"]["S"]) if existing else None
            if first is not None:
                return first
            if existing:  # its file was deleted since: the key is free again
                self._conditionally(
                    "delete_item",
                    TableName=self._table,
                    Key=marker_key,
                    ConditionExpression="file_id = :old",
                    ExpressionAttributeValues={":old": existing["file_id"]},
                )
        raise DependencyUnavailable("The request could not be recorded; please retry.")

    def mark_processing(self, user_id: str, file_id: str, attempts: int) -> FileEntry | None:
        item = self._update(
            user_id,
            file_id,
            "SET #status = :processing, attempts = :attempts, updated_at = :now",
            {":attempts": {"N": str(attempts)}},
            _IS_UNFINISHED,
        )
        return _from_item(item) if item else None

    def mark_ready(
        self,
        user_id: str,
        file_id: str,
        *,
        title: str,
        size: int,
        pages: int,
        warnings: tuple[str, ...],
        report: RenderReport | None = None,
        has_thumbnail: bool = False,
    ) -> bool:
        values = {
            ":ready": {"S": FileStatus.READY.value},
            ":title": {"S": title},
            ":size": {"N": str(size)},
            ":pages": {"N": str(pages)},
            ":warnings": {"S": json.dumps(list(warnings))},
            ":report": _report_value(report),
            ":thumbnail": {"BOOL": has_thumbnail},
            ":search": {"S": folded(title)},
        }
        return self._transition(
            user_id,
            file_id,
            "SET #status = :ready, title = :title, size_bytes = :size, pages = :pages, warnings = :warnings, "
            "render_report = :report, has_thumbnail = :thumbnail, search_title = :search, updated_at = :now "
            f"REMOVE error_code, error_message, {CREDENTIALS}",
            values,
            _IS_UNFINISHED,
            Holdings(-1, size, 0),
        )

    def mark_failed(
        self, user_id: str, file_id: str, *, code: str, message: str, report: RenderReport | None = None
    ) -> bool:
        values = {
            ":failed": {"S": FileStatus.FAILED.value},
            ":code": {"S": code},
            ":message": {"S": message},
            ":report": _report_value(report),
        }
        return self._transition(
            user_id,
            file_id,
            "SET #status = :failed, error_code = :code, error_message = :message, render_report = :report, "
            f"updated_at = :now REMOVE {CREDENTIALS}",
            values,
            _IS_UNFINISHED,
            Holdings(-1, 0, 0),
        )

    def reset_for_retry(self, user_id: str, file_id: str, limits: HoldingsLimits | None = None) -> FileEntry | None:
        reset = self._transition(
            user_id,
            file_id,
            "SET #status = :pending, updated_at = :now, attempts = :zero, "
            "callback_status = :pending, callback_attempts = :zero "
            "REMOVE error_code, error_message, callback_last_status, render_report",
            {
                ":pending": {"S": FileStatus.PENDING.value},
                ":failed": {"S": FileStatus.FAILED.value},
                ":zero": {"N": "0"},
            },
            "attribute_exists(sk) AND #status = :failed",
            Holdings(1, 0, 0),
            with_unfinished=False,
            limits=limits,
        )
        return self.get(user_id, file_id) if reset else None

    def delete(self, user_id: str, file_id: str) -> bool:
        """Takes the entry out of its user's holdings as it was when deleted: the delete holds
        only while the status and size just read are still the item's."""
        for _ in range(_DELETE_ATTEMPTS):
            item = self._item(
                user_id,
                file_id,
                ProjectionExpression="#status, size_bytes",
                ExpressionAttributeNames={"#status": "status"},
            )
            if item is None:
                return False
            status, size = item["status"]["S"], item.get("size_bytes", {"N": "0"})["N"]
            delete = {
                "Delete": {
                    "TableName": self._table,
                    "Key": _key(user_id, file_id),
                    "ConditionExpression": _AS_SEEN,
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": {":seen": {"S": status}, ":size": {"N": size}},
                }
            }
            if self._transact([delete, self._holding(user_id, minus(held_by(status, int(size))))]):
                return True
        raise DependencyUnavailable("The file changed while it was being deleted; please retry.")

    def record_callback(self, user_id: str, file_id: str, state: CallbackState) -> None:
        values = {":status": {"S": state.status}, ":attempts": {"N": str(state.attempts)}}
        expression = "SET callback_status = :status, callback_attempts = :attempts"
        if state.last_status is None:
            expression += " REMOVE callback_last_status"
        else:
            values[":last"] = {"N": str(state.last_status)}
            expression = expression.replace(":attempts", ":attempts, callback_last_status = :last")
        self._conditionally(
            "update_item",
            TableName=self._table,
            Key=_key(user_id, file_id),
            UpdateExpression=expression,
            ConditionExpression="attribute_exists(sk)",
            ExpressionAttributeValues=values,
        )

    # -- reads --------------------------------------------------------------------------
    def sealed_credentials(self, user_id: str, file_id: str) -> bytes | None:
        item = self._item(user_id, file_id, ProjectionExpression=CREDENTIALS)
        sealed: bytes | None = item[CREDENTIALS]["B"] if item and CREDENTIALS in item else None
        return sealed

    def get(self, user_id: str, file_id: str) -> FileEntry | None:
        item = self._item(user_id, file_id)
        return _from_item(item) if item else None

    def _item(self, user_id: str, file_id: str, **read: Any) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self._call(
            "get_item", TableName=self._table, Key=_key(user_id, file_id), ConsistentRead=True, **read
        ).get("Item")
        return item

    def list(self, user_id: str, limit: int, cursor: str | None, matching: FileFilter | None = None) -> Page:
        args: dict[str, Any] = {
            "TableName": self._table,
            "Limit": limit,
            "ScanIndexForward": False,
            "KeyConditionExpression": "user_id = :user AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":user": {"S": user_id}, ":prefix": {"S": FILE_PREFIX}},
        }
        if cursor:
            args["ExclusiveStartKey"] = _decode_cursor(cursor, user_id)
        if matching is None or matching.empty:
            result = self._call("query", **args)
            last = result.get("LastEvaluatedKey")
            return Page([_from_item(i) for i in result.get("Items", [])], _encode_cursor(last) if last else None)
        return self._filtered(args, limit, matching)

    def _filtered(self, args: dict[str, Any], limit: int, matching: FileFilter) -> Page:
        """DynamoDB filters after reading ``Limit`` items, so read on (a bounded number of
        rounds) until the page is full; the cursor then names the last item shown."""
        expression, names, values = _filter_expression(matching)
        args.update(
            FilterExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={**args["ExpressionAttributeValues"], **values},
            Limit=max(limit, FILTER_READ_AHEAD),
        )
        items: list[dict[str, Any]] = []
        for _ in range(FILTER_ROUNDS):
            result = self._call("query", **args)
            items.extend(result.get("Items", []))
            last = result.get("LastEvaluatedKey")
            if len(items) >= limit:
                kept = items[:limit]
                more = len(items) > limit or last is not None
                return Page([_from_item(i) for i in kept], _encode_cursor(kept[-1]) if more else None)
            if last is None:
                return Page([_from_item(i) for i in items], None)
            args["ExclusiveStartKey"] = last
        return Page([_from_item(i) for i in items], _encode_cursor(last) if last is not None else None)

    def unfinished(self) -> builtins.list[FileEntry]:  # `list` here is the method above
        entries: builtins.list[FileEntry] = []
        start = None
        while True:
            args: dict[str, Any] = {
                "TableName": self._table,
                "FilterExpression": "begins_with(sk, :prefix) AND #status IN (:pending, :processing)",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {
                    ":prefix": {"S": FILE_PREFIX},
                    **{k: {"S": v} for k, v in _UNFINISHED.items()},
                },
            }
            if start:
                args["ExclusiveStartKey"] = start
            result = self._call("scan", **args)
            entries.extend(_from_item(i) for i in result.get("Items", []))
            start = result.get("LastEvaluatedKey")
            if not start:
                return entries

    def ping(self) -> None:
        self._call("describe_table", TableName=self._table)

    # -- plumbing -----------------------------------------------------------------------
    def _update(
        self, user_id: str, file_id: str, expression: str, values: dict[str, Any], condition: str
    ) -> dict[str, Any] | None:
        """The item as updated, or None when the condition did not hold (for a change that
        leaves the user's holdings as they are)."""
        result = self._conditionally(
            "update_item",
            ReturnValues="ALL_NEW",
            **self._update_of(user_id, file_id, expression, values, condition, with_unfinished=True),
        )
        attributes: dict[str, Any] | None = result["Attributes"] if result is not None else None
        return attributes

    def _transition(
        self,
        user_id: str,
        file_id: str,
        expression: str,
        values: dict[str, Any],
        condition: str,
        change: Holdings,
        *,
        with_unfinished: bool = True,
        limits: HoldingsLimits | None = None,
    ) -> bool:
        """The update and ``change`` to the user's holdings, both or neither; False when the
        condition did not hold (``HoldingsFull`` when ``limits`` did not)."""
        update = {"Update": self._update_of(user_id, file_id, expression, values, condition, with_unfinished)}
        return not self._cancellations([update, self._holding(user_id, change, limits)], limits)

    def _update_of(
        self, user_id: str, file_id: str, expression: str, values: dict[str, Any], condition: str, with_unfinished: bool
    ) -> dict[str, Any]:
        all_values = {":now": {"S": self._now_iso()}, **values}
        if with_unfinished:
            all_values.update({k: {"S": v} for k, v in _UNFINISHED.items()})
        return {
            "TableName": self._table,
            "Key": _key(user_id, file_id),
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": all_values,
        }

    def _holding(self, user_id: str, change: Holdings, limits: HoldingsLimits | None = None) -> dict[str, Any] | None:
        return holdings_change(self._table, user_id, change, limits)

    def _transact(self, operations: builtins.list[dict[str, Any] | None]) -> bool:
        """All of ``operations`` (None: nothing to do) or none; False when a condition did not hold."""
        return not self._cancellations(operations)

    def _cancellations(
        self, operations: builtins.list[dict[str, Any] | None], limits: HoldingsLimits | None = None
    ) -> builtins.list[dict[str, Any]]:
        """All of ``operations`` (None: nothing to do) or none: nothing when they were carried
        out, else the cancellation reasons, one per operation, when a condition did not hold.
        A refusal by the holdings ``limits`` (the last operation) is ``HoldingsFull``. Cancelled
        for a conflict with another transaction on the same item, it is tried again; DynamoDB
        failing otherwise is ``DependencyUnavailable``."""
        items = [operation for operation in operations if operation is not None]
        attempt = 1
        while True:
            try:
                self._db.transact_write_items(TransactItems=items)
                return []
            except ClientError as exc:
                reasons: builtins.list[dict[str, Any]] = exc.response.get("CancellationReasons", [])
                refused = [reason.get("Code") == "ConditionalCheckFailed" for reason in reasons]
                if any(refused):
                    if limits is not None and refused == [False] * (len(items) - 1) + [True]:
                        full = refused_by(reasons[-1], limits)  # only the summary's update refused
                        if full is not None:
                            raise full from None
                    return reasons
                conflict = any(reason.get("Code") == "TransactionConflict" for reason in reasons)
                if not conflict or attempt == TRANSACTION_ATTEMPTS:
                    raise _unavailable(exc) from exc
            except BotoCoreError as exc:
                raise _unavailable(exc) from exc
            time.sleep(random.uniform(0.5, 1.5) * TRANSACTION_BACKOFF_SECONDS * 2 ** (attempt - 1))
            attempt += 1

    def _conditionally(self, operation: str, **kwargs: Any) -> dict[str, Any] | None:
        """The call's answer, or None when its ConditionExpression did not hold."""
        try:
            answer: dict[str, Any] = getattr(self._db, operation)(**kwargs)
            return answer
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise _unavailable(exc) from exc
        except BotoCoreError as exc:
            raise _unavailable(exc) from exc

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        return dynamodb_call(self._db, operation, **kwargs)


def dynamodb_call(client: Any, operation: str, **kwargs: Any) -> dict[str, Any]:
    """One DynamoDB call; any failure of DynamoDB itself becomes ``DependencyUnavailable`` (a 503)."""
    try:
        answer: dict[str, Any] = getattr(client, operation)(**kwargs)
        return answer
    except (ClientError, BotoCoreError) as exc:
        raise _unavailable(exc) from exc


def _unavailable(exc: Exception) -> DependencyUnavailable:
    return DependencyUnavailable(f"DynamoDB does not answer: {exc}")


def _filter_expression(matching: FileFilter) -> tuple[str, dict[str, str], dict[str, Any]]:
    """Each word in the entry's folded title or URL (or, for entries stored before those
    existed, in its title or URL as written); the status if one is asked for."""
    conditions: list[str] = []
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    for n, word in enumerate(matching.words):
        values[f":w{n}"] = {"S": word}
        conditions.append(
            f"(contains(search_title, :w{n}) OR contains(search_url, :w{n}) "
            f"OR contains(title, :w{n}) OR contains(#url, :w{n}))"
        )
        names["#url"] = "url"
    if matching.status is not None:
        values[":wanted"] = {"S": matching.status.value}
        names["#status"] = "status"
        conditions.append("#status = :wanted")
    return " AND ".join(conditions), names, values


def _key(user_id: str, file_id: str) -> dict[str, Any]:
    return {"user_id": {"S": user_id}, "sk": {"S": FILE_PREFIX + file_id}}


def _to_item(entry: FileEntry) -> dict[str, Any]:
    item = {
        **_key(entry.user_id, entry.file_id),
        "file_id": {"S": entry.file_id},
        "url": {"S": entry.url},
        "status": {"S": entry.status.value},
        "created_at": {"S": entry.created_at},
        "updated_at": {"S": entry.updated_at},
        "options": {"S": json.dumps(entry.options.to_dict())},
        "attempts": {"N": str(entry.attempts)},
        "warnings": {"S": json.dumps(list(entry.warnings))},
        "search_title": {"S": folded(entry.title)},
        "search_url": {"S": folded(entry.url)},
    }
    if entry.correlation_id:
        item["correlation_id"] = {"S": entry.correlation_id}
    if entry.source != "url":
        item["source"] = {"S": entry.source}
    if entry.title:
        item["title"] = {"S": entry.title}
    if entry.callback_url:
        state = entry.callback or CallbackState()
        item.update(
            {
                "callback_url": {"S": entry.callback_url},
                "callback_status": {"S": state.status},
                "callback_attempts": {"N": str(state.attempts)},
            }
        )
    return item


def _from_item(item: dict[str, Any]) -> FileEntry:
    def text(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    def number(name: str) -> int | None:
        return int(item[name]["N"]) if name in item else None

    return FileEntry(
        user_id=item["user_id"]["S"],
        file_id=item["file_id"]["S"],
        url=item["url"]["S"],
        status=FileStatus(item["status"]["S"]),
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
        options=ConversionOptions.from_dict(json.loads(text("options") or "{}")),
        title=text("title"),
        error_code=text("error_code"),
        error_message=text("error_message"),
        size=number("size_bytes"),
        pages=number("pages"),
        attempts=number("attempts") or 0,
        warnings=tuple(json.loads(text("warnings") or "[]")),
        correlation_id=text("correlation_id"),
        source=text("source") or "url",
        callback_url=text("callback_url"),
        callback=CallbackState(
            text("callback_status") or "pending", number("callback_attempts") or 0, number("callback_last_status")
        )
        if "callback_url" in item
        else None,
        report=_report_from(text("render_report")),
        has_thumbnail=item.get("has_thumbnail", {}).get("BOOL", False),
    )


def _report_value(report: RenderReport | None) -> dict[str, Any]:
    return {"S": json.dumps(report.to_dict() if report is not None else None, ensure_ascii=False)}


def _report_from(raw: str | None) -> RenderReport | None:
    data = json.loads(raw) if raw else None
    return RenderReport.from_dict(data) if isinstance(data, dict) else None


def _encode_cursor(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps({"sk": key["sk"]["S"]}).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, user_id: str) -> dict[str, Any]:
    """The cursor names only a sort key; the partition is always the caller's own."""
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError("too long")
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        sk = data["sk"]
        if not isinstance(sk, str) or not sk.startswith(FILE_PREFIX):
            raise ValueError(sk)
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise InvalidInput(
            "The cursor is not valid; start from the first page.", "invalid_cursor", field="cursor"
        ) from None
    return {"user_id": {"S": user_id}, "sk": {"S": sk}}

"""The usage ledger in the files table: per-minute request counters beside the user's files.

A counter is one item ``sk = rate#<epoch minute>`` incremented atomically and expired by
the table's TTL; holdings are summed from the user's file items (status and size only).
"""

from __future__ import annotations

import time
from typing import Any

from chalicelib.adapters.dynamodb_index import FILE_PREFIX, dynamodb_call
from chalicelib.domain.models import FileStatus
from chalicelib.domain.ports import Holdings, UsageLedger

RATE_PREFIX = "rate#"
_COUNTER_TTL_SECONDS = 3600
_UNFINISHED = {FileStatus.PENDING.value, FileStatus.PROCESSING.value}


class DynamoUsageLedger(UsageLedger):
    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self._table = table

    def count_request(self, user_id: str, minute: int) -> int:
        result = dynamodb_call(
            self._db,
            "update_item",
            TableName=self._table,
            Key=_counter_key(user_id, minute),
            UpdateExpression="ADD hits :one SET expires_at = if_not_exists(expires_at, :expires)",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":expires": {"N": str(int(time.time()) + _COUNTER_TTL_SECONDS)},
            },
            ReturnValues="UPDATED_NEW",
        )
        return int(result["Attributes"]["hits"]["N"])

    def requests_in(self, user_id: str, minute: int) -> int:
        item = dynamodb_call(
            self._db, "get_item", TableName=self._table, Key=_counter_key(user_id, minute), ConsistentRead=True
        ).get("Item")
        return int(item["hits"]["N"]) if item else 0

    def holdings(self, user_id: str) -> Holdings:
        unfinished = stored = files = 0
        start = None
        while True:
            args: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "user_id = :user AND begins_with(sk, :prefix)",
                "ProjectionExpression": "#status, size_bytes",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":user": {"S": user_id}, ":prefix": {"S": FILE_PREFIX}},
            }
            if start:
                args["ExclusiveStartKey"] = start
            result = dynamodb_call(self._db, "query", **args)
            for item in result.get("Items", []):
                files += 1
                status = item.get("status", {}).get("S")
                if status in _UNFINISHED:
                    unfinished += 1
                elif status == FileStatus.READY.value:
                    stored += int(item.get("size_bytes", {}).get("N", "0"))
            start = result.get("LastEvaluatedKey")
            if not start:
                return Holdings(unfinished, stored, files)


def _counter_key(user_id: str, minute: int) -> dict[str, Any]:
    return {"user_id": {"S": user_id}, "sk": {"S": f"{RATE_PREFIX}{minute}"}}

"""The usage ledger in the files table: per-minute request counters beside the user's files.

A counter is one item ``sk = rate#<epoch minute>`` incremented atomically and expired by
the table's TTL; holdings are the user's summary item, which the file index keeps.
"""

from __future__ import annotations

import time
from typing import Any

from chalicelib.adapters.dynamodb_holdings import holdings_from, holdings_key
from chalicelib.adapters.dynamodb_index import dynamodb_call
from chalicelib.domain.ports import Holdings, UsageLedger

RATE_PREFIX = "rate#"
_COUNTER_TTL_SECONDS = 3600


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
        summary = dynamodb_call(
            self._db, "get_item", TableName=self._table, Key=holdings_key(user_id), ConsistentRead=True
        ).get("Item")
        return holdings_from(summary)


def _counter_key(user_id: str, minute: int) -> dict[str, Any]:
    return {"user_id": {"S": user_id}, "sk": {"S": f"{RATE_PREFIX}{minute}"}}

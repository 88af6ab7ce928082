"""What closing an account erases in S3 and DynamoDB (``ports.AccountEraser``).

Everything of a user lives under one key prefix (``users/<id>/``: PDFs, thumbnails, sources)
and in one DynamoDB partition (``user_id``: entries, idempotency markers, usage counters, the
webhook secret), so each store's part is "list it all, delete it all", in batches.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb_index import dynamodb_call
from chalicelib.adapters.s3_store import S3ObjectStore
from chalicelib.domain.ports import AccountEraser

_S3_BATCH = 1000  # DeleteObjects takes at most this many keys
_DYNAMODB_BATCH = 25  # BatchWriteItem takes at most this many requests


class S3AccountEraser(AccountEraser):
    def __init__(self, store: S3ObjectStore) -> None:
        self._store = store

    def erase(self, user_id: str) -> int:
        prefix = f"users/{user_id}/"
        erased = 0
        while True:
            listed = self._store.call("list_objects_v2", Prefix=prefix, MaxKeys=_S3_BATCH)
            keys = [{"Key": item["Key"]} for item in listed.get("Contents", [])]
            if not keys:
                return erased
            self._store.call("delete_objects", Delete={"Objects": keys, "Quiet": True})
            erased += len(keys)


class DynamoAccountEraser(AccountEraser):
    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self._table = table

    def erase(self, user_id: str) -> int:
        erased = 0
        while True:
            found = dynamodb_call(
                self._db,
                "query",
                TableName=self._table,
                KeyConditionExpression="user_id = :user",
                ExpressionAttributeValues={":user": {"S": user_id}},
                ProjectionExpression="user_id, sk",
                ConsistentRead=True,
            )
            keys = [{"user_id": item["user_id"], "sk": item["sk"]} for item in found.get("Items", [])]
            if not keys:
                return erased
            for start in range(0, len(keys), _DYNAMODB_BATCH):
                self._write_all([{"DeleteRequest": {"Key": key}} for key in keys[start : start + _DYNAMODB_BATCH]])
            erased += len(keys)

    def _write_all(self, requests: list[dict[str, Any]]) -> None:
        """BatchWriteItem may hand some requests back unprocessed; send those again."""
        pending = {self._table: requests}
        while pending:
            pending = dynamodb_call(self._db, "batch_write_item", RequestItems=pending).get("UnprocessedItems") or {}

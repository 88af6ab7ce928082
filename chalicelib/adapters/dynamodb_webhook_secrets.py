"""Webhook signing secrets in the files table, one ``sk = webhook#secret`` item per account.

The table, not PostgreSQL: the delivery handler runs in the converter's image, which has
DynamoDB but no PostgreSQL driver. The listing and the restart scan only read ``file#`` items.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.errors import DependencyUnavailable
from chalicelib.domain.ports import WebhookSecretStore

SECRET_SK = "webhook#secret"


class DynamoWebhookSecrets(WebhookSecretStore):
    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self._table = table

    def get_or_create(self, user_id: str, candidate: str) -> str:
        key = {"user_id": {"S": user_id}, "sk": {"S": SECRET_SK}}
        try:
            self._db.put_item(
                TableName=self._table,
                Item={**key, "secret": {"S": candidate}},
                ConditionExpression="attribute_not_exists(sk)",
            )
            return candidate
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise DependencyUnavailable(f"DynamoDB does not answer: {exc}") from exc
        except BotoCoreError as exc:
            raise DependencyUnavailable(f"DynamoDB does not answer: {exc}") from exc
        stored: str = self._call("get_item", TableName=self._table, Key=key, ConsistentRead=True)["Item"]["secret"]["S"]
        return stored

    def replace(self, user_id: str, secret: str) -> str:
        self._call(
            "put_item",
            TableName=self._table,
            Item={"user_id": {"S": user_id}, "sk": {"S": SECRET_SK}, "secret": {"S": secret}},
        )
        return secret

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        try:
            answer: dict[str, Any] = getattr(self._db, operation)(**kwargs)
            return answer
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(f"DynamoDB does not answer: {exc}") from exc

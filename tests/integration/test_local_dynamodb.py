"""The local stack's DynamoDB (devstack.moto_server): transactions all or nothing, backed up
item by item rather than by copying whole tables."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from devstack.moto_server import _TablesNotCopied


def key(sk: str) -> dict[str, Any]:
    return {"user_id": {"S": "u-tx"}, "sk": {"S": sk}}


@pytest.fixture
def table(make_settings, moto_aws) -> tuple[Any, str]:
    settings = make_settings()
    return moto_aws.client("dynamodb", settings.aws_region), settings.files_table


def test_a_refused_transaction_puts_back_every_item_it_had_changed(table) -> None:
    db, name = table
    db.put_item(TableName=name, Item={**key("counter"), "n": {"N": "1"}, "note": {"S": "before"}})
    db.put_item(TableName=name, Item={**key("replaced"), "v": {"S": "old"}})
    db.put_item(TableName=name, Item={**key("bystander"), "v": {"S": "untouched"}})

    with pytest.raises(ClientError) as refused:
        db.transact_write_items(
            TransactItems=[  # moto applies these in order, then meets the failing check
                {
                    "Update": {
                        "TableName": name,
                        "Key": key("counter"),
                        "UpdateExpression": "ADD n :five REMOVE note",
                        "ExpressionAttributeValues": {":five": {"N": "5"}},
                    }
                },
                {"Put": {"TableName": name, "Item": {**key("new"), "v": {"S": "x"}}}},
                {"Put": {"TableName": name, "Item": {**key("replaced"), "v": {"S": "new"}}}},
                {"Delete": {"TableName": name, "Key": key("bystander-2")}},
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": key("absent"),
                        "ConditionExpression": "attribute_exists(sk)",
                    }
                },
            ]
        )

    assert [r["Code"] for r in refused.value.response["CancellationReasons"]][-1] == "ConditionalCheckFailed"
    item = lambda sk: db.get_item(TableName=name, Key=key(sk), ConsistentRead=True).get("Item")  # noqa: E731
    assert item("counter") == {**key("counter"), "n": {"N": "1"}, "note": {"S": "before"}}
    assert item("new") is None
    assert item("replaced") == {**key("replaced"), "v": {"S": "old"}}
    assert item("bystander") == {**key("bystander"), "v": {"S": "untouched"}}


def test_a_transaction_that_holds_is_applied_whole(table) -> None:
    db, name = table
    db.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": name, "Item": {**key("a"), "v": {"S": "1"}}}},
            {
                "Update": {
                    "TableName": name,
                    "Key": key("b"),
                    "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ]
    )
    assert db.get_item(TableName=name, Key=key("a"))["Item"]["v"] == {"S": "1"}
    assert db.get_item(TableName=name, Key=key("b"))["Item"]["n"] == {"N": "1"}


def test_tables_are_not_deep_copied_but_everything_else_is() -> None:
    from moto.dynamodb.models import Table

    stand_in = _TablesNotCopied()
    table = Table(  # type: ignore[abstract]  # moto's concrete table; its CloudFormation parts are not needed
        "t",
        account_id="123456789012",
        region="us-east-1",
        schema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        attr=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    nested = {"a": [1, {"b": 2}]}
    assert stand_in.deepcopy(table) is table
    copied = stand_in.deepcopy(nested)
    assert copied == nested and copied["a"] is not nested["a"]
    assert stand_in.copy(nested) is not nested  # the rest of ``copy`` as it is

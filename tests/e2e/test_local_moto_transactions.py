"""The local stack's TransactWriteItems against moto's own: same outcomes, same data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models import DynamoDBBackend

from infra.local import moto_transactions
from infra.local.moto_server import MotoServer, moto_app
from tests.e2e.test_local_journal import clients, reset

TABLES = {"guard": ["pk"], "data": ["pk", "sk"]}


def put(table: str, condition: str | None = None, **attrs: str) -> dict[str, Any]:
    op: dict[str, Any] = {"TableName": table, "Item": {k: {"S": v} for k, v in attrs.items()}}
    if condition:
        op["ConditionExpression"] = condition
    return {"Put": op}


def update(table: str, key: dict[str, str], n: str) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": {k: {"S": v} for k, v in key.items()},
            "UpdateExpression": "SET n = :n",
            "ExpressionAttributeValues": {":n": {"N": n}},
        }
    }


def delete(table: str, **key: str) -> dict[str, Any]:
    return {"Delete": {"TableName": table, "Key": {k: {"S": v} for k, v in key.items()}}}


NEW = "attribute_not_exists(pk)"
SCENARIO: list[list[dict[str, Any]]] = [
    [put("guard", NEW, pk="k1"), put("data", pk="a", sk="1"), put("data", pk="a", sk="2")],
    # Cancelled by its first item: the put, update and delete after it must not stick.
    [
        put("guard", NEW, pk="k1"),
        put("data", pk="b", sk="1"),
        update("data", {"pk": "a", "sk": "1"}, "5"),
        delete("data", pk="a", sk="2"),
    ],
    # Cancelled by its last item, after the others were applied.
    [update("data", {"pk": "a", "sk": "1"}, "7"), put("guard", NEW, pk="k1")],
    [update("data", {"pk": "a", "sk": "1"}, "9"), delete("data", pk="a", sk="2")],
    # The same item twice: refused outright.
    [put("data", pk="c", sk="1"), delete("data", pk="c", sk="1")],
    [put("guard", NEW, pk="k2"), update("data", {"pk": "new", "sk": "1"}, "1")],
]


def run_scenario(endpoint: str) -> dict[str, Any]:
    dynamodb, streams, _ = clients(endpoint)
    for name, keys in TABLES.items():
        dynamodb.create_table(
            TableName=name,
            KeySchema=[
                {"AttributeName": k, "KeyType": kind}
                for k, kind in zip(keys, ("HASH", "RANGE"), strict=False)
            ],
            AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in keys],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
    outcomes: list[Any] = []
    for transaction in SCENARIO:
        try:
            dynamodb.transact_write_items(TransactItems=transaction)
            outcomes.append("ok")
        except ClientError as error:
            reasons = error.response.get("CancellationReasons", [])
            outcomes.append((error.response["Error"]["Code"], [r["Code"] for r in reasons]))
    state: dict[str, Any] = {"outcomes": outcomes}
    for name in TABLES:
        items = dynamodb.scan(TableName=name, ConsistentRead=True)["Items"]
        state[name] = sorted(str(sorted(i.items())) for i in items)
        arn = dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = streams.get_records(ShardIterator=iterator)["Records"]
        state[f"{name} stream"] = [
            (r["eventName"], str(sorted(r["dynamodb"]["Keys"].items()))) for r in records
        ]
    return state


@pytest.fixture
def endpoint() -> Iterator[str]:
    app = moto_app()
    reset(app)
    server = MotoServer(app)
    server.start()
    yield server.endpoint
    server.stop()
    reset(app)


def test_outcomes_and_data_match_motos_own_transactions(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = run_scenario(endpoint)
    reset(moto_app())
    monkeypatch.setattr(
        DynamoDBBackend, "transact_write_items", moto_transactions.transact_write_items
    )

    assert run_scenario(endpoint) == expected
    assert expected["outcomes"] == [
        "ok",
        ("TransactionCanceledException", ["ConditionalCheckFailed", "None", "None", "None"]),
        ("TransactionCanceledException", ["None", "ConditionalCheckFailed"]),
        "ok",
        ("ValidationException", []),
        "ok",
    ]
    # Nothing from the cancelled ones. (moto records an update that creates an item twice.)
    events = [event for event, _key in expected["data stream"]]
    assert events == ["INSERT", "INSERT", "MODIFY", "REMOVE", "INSERT", "INSERT"]


def test_install_replaces_only_the_version_it_was_written_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = DynamoDBBackend.transact_write_items
    # Undone at teardown even if install() wrongly replaced it.
    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", original)
    monkeypatch.setattr(moto_transactions, "WRITTEN_FOR", "0.0.0")
    assert moto_transactions.install() is False
    assert DynamoDBBackend.transact_write_items is original

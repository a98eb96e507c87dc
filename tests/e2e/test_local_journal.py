"""The local stack's journal: moto's writes recorded over HTTP, replayed into a fresh moto.

Not under tests/unit: it runs moto's server on loopback and writes files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

import boto3
import pytest
from werkzeug.test import Client

from infra.local.journal import (
    DYNAMODB_WRITES,
    JournalEntry,
    JournalError,
    JournalingApp,
    is_write,
    read_entries,
    replay,
)
from infra.local.moto_server import MotoServer, moto_app

TABLE = "journal-test"
BUCKET = "journal-test-bucket"
# An encoded slash, a space, a plus and a non-ASCII letter: S3 keeps them all.
KEY = "uploads/2026 11/a+b%2Fc ä.csv"


def reset(app: Any) -> None:
    """moto keeps its state in module globals; its own reset call clears them."""
    response = Client(app).post("/moto-api/reset")
    assert response.status_code == 200


@pytest.fixture
def app() -> Iterator[Any]:
    wsgi = moto_app()
    reset(wsgi)
    yield wsgi
    reset(wsgi)


def clients(endpoint: str) -> tuple[Any, Any, Any]:
    options = {"endpoint_url": endpoint, "region_name": "eu-north-1"}
    return (
        boto3.client("dynamodb", **options),
        boto3.client("dynamodbstreams", **options),
        boto3.client("s3", **options),
    )


def write_some_state(endpoint: str) -> None:
    dynamodb, _, s3 = clients(endpoint)
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    for n in range(3):
        dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": f"item-{n}"}, "n": {"N": str(n)}})
    dynamodb.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "item-1"}},
        UpdateExpression="SET n = n + :one",
        ExpressionAttributeValues={":one": {"N": "10"}},
    )
    dynamodb.delete_item(TableName=TABLE, Key={"pk": {"S": "item-2"}})
    # Refused by moto (400): must not be journaled, or replay would differ.
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.put_item(
            TableName=TABLE,
            Item={"pk": {"S": "item-0"}, "n": {"N": "99"}},
            ConditionExpression="attribute_not_exists(pk)",
        )
    dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "item-0"}})  # a read: not journaled
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"a;b\n1;2\n", Metadata={"row_count": "1"})
    s3.put_object(Bucket=BUCKET, Key="uploads/gone.csv", Body=b"x")
    s3.delete_object(Bucket=BUCKET, Key="uploads/gone.csv")


def read_state(endpoint: str) -> dict[str, Any]:
    dynamodb, streams, s3 = clients(endpoint)
    items = {
        item["pk"]["S"]: item["n"]["N"]
        for item in dynamodb.scan(TableName=TABLE, ConsistentRead=True)["Items"]
    }
    objects = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    obj = s3.get_object(Bucket=BUCKET, Key=KEY)
    arn = dynamodb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    events = [r["eventName"] for r in streams.get_records(ShardIterator=iterator)["Records"]]
    return {
        "items": items,
        "objects": objects,
        "body": obj["Body"].read(),
        "metadata": obj["Metadata"],
        "stream": events,
    }


def test_replaying_the_journal_into_a_fresh_moto_reproduces_the_data(
    app: Any, tmp_path: Path
) -> None:
    path = tmp_path / "journal.jsonl"
    journal = JournalingApp(app, path)
    server = MotoServer(journal)
    server.start()
    try:
        write_some_state(server.endpoint)
        before = read_state(server.endpoint)
    finally:
        server.stop()
        journal.close()
    assert before["items"] == {"item-0": "0", "item-1": "11"}
    assert before["objects"] == [KEY]
    assert before["stream"] == ["INSERT", "INSERT", "INSERT", "MODIFY", "REMOVE"]

    reset(app)
    result = replay(app, path)

    assert (result.requests, result.failed) == (10, 0)
    server = MotoServer(app)
    server.start()
    try:
        assert read_state(server.endpoint) == before
    finally:
        server.stop()


def test_the_journal_holds_only_successful_writes(app: Any, tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = JournalingApp(app, path)
    server = MotoServer(journal)
    server.start()
    try:
        write_some_state(server.endpoint)
        read_state(server.endpoint)
    finally:
        server.stop()
        journal.close()

    entries = list(read_entries(path))
    operations = [
        dict(e.headers).get("X-Amz-Target", f"S3 {e.method}").split(".")[-1] for e in entries
    ]
    assert operations == [
        "CreateTable",
        "PutItem",
        "PutItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "S3 PUT",
        "S3 PUT",
        "S3 PUT",
        "S3 DELETE",
    ]
    assert all(op in DYNAMODB_WRITES or op.startswith("S3 ") for op in operations)


def environ(method: str, path: str = "/", target: str | None = None) -> WSGIEnvironment:
    env: WSGIEnvironment = {"REQUEST_METHOD": method, "PATH_INFO": path}
    if target:
        env["HTTP_X_AMZ_TARGET"] = target
    return env


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (environ("POST", target="DynamoDB_20120810.PutItem"), True),
        (environ("POST", target="DynamoDB_20120810.TransactWriteItems"), True),
        (environ("POST", target="DynamoDB_20120810.GetItem"), False),
        (environ("POST", target="DynamoDB_20120810.Query"), False),
        (environ("POST", target="DynamoDBStreams_20120810.GetRecords"), False),
        (environ("PUT", "/bucket/key"), True),
        (environ("DELETE", "/bucket/key"), True),
        (environ("GET", "/bucket/key"), False),
        (environ("HEAD", "/bucket/key"), False),
        (environ("POST", "/moto-api/reset"), False),
    ],
)
def test_only_writes_are_journaled(env: WSGIEnvironment, expected: bool) -> None:
    assert is_write(env) is expected


def ok_app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    start_response("200 OK", [])
    return [b""]


def entry(n: int) -> JournalEntry:
    return JournalEntry("PUT", f"/bucket/{n}", [("Host", "127.0.0.1:1")], b"x")


def test_a_torn_last_entry_is_dropped_and_cut_off(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    whole = entry(1).to_line() + entry(2).to_line()
    path.write_bytes(whole + entry(3).to_line()[:20])

    result = replay(ok_app, path)

    assert (result.requests, result.failed) == (2, 0)
    assert path.read_bytes() == whole


def test_a_corrupt_entry_in_the_middle_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_bytes(entry(1).to_line() + b'{"method": "PUT"}\n' + entry(2).to_line())

    with pytest.raises(JournalError, match="line 2"):
        replay(ok_app, path)


def test_an_entry_survives_its_json_line() -> None:
    original = JournalEntry(
        "POST", "/b/k%2F1?uploads", [("X-Amz-Meta-my_key", "v")], bytes(range(256))
    )
    line = original.to_line()
    assert line.endswith(b"\n")
    assert b"\n" not in line[:-1]
    assert json.loads(line)["method"] == "POST"
    assert JournalEntry.from_line(line) == original

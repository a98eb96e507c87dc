"""Functional tests: the real Chalice app and handlers on moto's DynamoDB and Streams."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.adapters.models import EvaluationModel
from chalicelib.adapters.tables import create_tables
from infra.local import moto_transactions
from tests.support import load_app

# The transaction undo the local stack runs on (infra/local/moto_transactions.py):
# moto's own deep-copies every table a transaction touches, so each write would cost
# in proportion to all the data a test has written.
moto_transactions.install()


class StreamReader:
    """Reads the evaluations table's stream through the Streams API, as Lambda would,
    and hands each batch to the deployed handler as a real stream event."""

    def __init__(self) -> None:
        self.streams = boto3.client("dynamodbstreams")
        table = boto3.client("dynamodb").describe_table(TableName=EvaluationModel.Meta.table_name)
        self.arn: str = table["Table"]["LatestStreamArn"]
        self.positions: dict[str, str] = {}
        self.seen: list[dict[str, Any]] = []

    def read(self) -> list[dict[str, Any]]:
        """New records since the last read, in Lambda's event shape.

        A fresh iterator after the last sequence number each time: moto swaps the
        table for a copy when a transaction is cancelled, and an iterator taken
        before that keeps reading the old copy's stream (cancelled writes included).
        """
        shards = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        records: list[dict[str, Any]] = []
        for shard in shards:
            shard_id = shard["ShardId"]
            position = self.positions.get(shard_id)
            where: dict[str, str] = (
                {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": position}
                if position
                else {"ShardIteratorType": "TRIM_HORIZON"}
            )
            iterator = self.streams.get_shard_iterator(
                StreamArn=self.arn, ShardId=shard_id, **where
            )["ShardIterator"]
            response = self.streams.get_records(ShardIterator=iterator)
            if response["Records"]:
                self.positions[shard_id] = response["Records"][-1]["dynamodb"]["SequenceNumber"]
            records.extend(to_lambda_record(r, self.arn) for r in response["Records"])
        self.seen.extend(records)
        return records


def to_lambda_record(record: dict[str, Any], arn: str) -> dict[str, Any]:
    out = dict(record)
    out["eventSourceARN"] = arn
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    out["dynamodb"] = dynamodb
    return out


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        create_tables()
        s3 = boto3.client("s3")
        for bucket in (os.environ["LAATU_EXPORTS_BUCKET"], os.environ["LAATU_UPLOADS_BUCKET"]):
            s3.create_bucket(
                Bucket=bucket,
                CreateBucketConfiguration={"LocationConstraint": os.environ["AWS_REGION"]},
            )
        yield


@pytest.fixture
def app(aws: None) -> Any:
    return load_app().app


@pytest.fixture
def client(app: Any) -> Iterator[Client]:
    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def stream(aws: None) -> StreamReader:
    return StreamReader()


def deliver(client: Client, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Invoke the stream handler the way Lambda's event source mapping does."""
    response = client.lambda_.invoke("stream_consumer", {"Records": records})
    payload: dict[str, Any] = response.payload
    return payload


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The routes' clock, set to the day the tenant starts; tests move it on."""
    fixed = Clock(datetime(2026, 11, 1, 8, 0, tzinfo=UTC))
    monkeypatch.setattr(load_app().root, "clock", fixed)
    return fixed


@pytest.fixture
def api(client: Client) -> Any:
    from tests.functional.api import Api

    return Api(client)

"""The local stream pump's delivery rules, on a fake Streams API and a fake clock, and on moto."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from infra.local.journal import JournalingApp
from infra.local.moto_server import MotoServer, moto_app
from infra.local.pump import MAX_ATTEMPTS, StreamPump, first_failure, to_lambda_record
from tests.e2e.test_local_journal import clients, reset

ARN = "arn:aws:dynamodb:eu-north-1:123456789012:table/t/stream/2026-11-23T00:00:00.000"


def record(seq: int) -> dict[str, Any]:
    return {
        "eventID": f"e{seq}",
        "eventName": "INSERT",
        "dynamodb": {
            "SequenceNumber": str(seq),
            "ApproximateCreationDateTime": datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
            "NewImage": {"pk": {"S": f"k{seq}"}},
        },
    }


class FakeStreams:
    """The three Streams API calls the pump makes; iterators are positions."""

    def __init__(self, shards: dict[str, list[dict[str, Any]]]) -> None:
        self.shards = shards

    def describe_stream(self, **request: Any) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": s} for s in self.shards]}}

    def get_shard_iterator(self, **request: Any) -> dict[str, Any]:
        shard = request["ShardId"]
        position = 0
        if request["ShardIteratorType"] == "AFTER_SEQUENCE_NUMBER":
            sequences = [r["dynamodb"]["SequenceNumber"] for r in self.shards[shard]]
            position = sequences.index(request["SequenceNumber"]) + 1
        else:
            assert request["ShardIteratorType"] == "TRIM_HORIZON"
        return {"ShardIterator": f"{shard}|{position}"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        shard, position = ShardIterator.split("|")
        records = self.shards[shard][int(position) : int(position) + Limit]
        return {"Records": records, "NextShardIterator": f"{shard}|{int(position) + len(records)}"}


class Handler:
    """Fails the records in `failing` (until they have failed `times` times)."""

    def __init__(self, failing: set[str], times: int = 1000) -> None:
        self.failing = failing
        self.times = times
        self.failures: dict[str, int] = {}
        self.batches: list[list[str]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        sequences = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        self.batches.append(sequences)
        for seq in sequences:
            if seq in self.failing and self.failures.get(seq, 0) < self.times:
                self.failures[seq] = self.failures.get(seq, 0) + 1
                return {"batchItemFailures": [{"itemIdentifier": seq}]}
        return {"batchItemFailures": []}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def pump(streams: FakeStreams, handler: Handler, tmp_path: Path, clock: Clock) -> StreamPump:
    return StreamPump(streams, ARN, handler, tmp_path / "dead-letters", clock=clock)


def run(p: StreamPump, clock: Clock, rounds: int = 20) -> None:
    for _ in range(rounds):
        p.poll_once()
        clock.now += 10  # past any backoff


def test_records_reach_the_handler_in_lambda_shape_in_order(tmp_path: Path) -> None:
    streams = FakeStreams({"shard-1": [record(n) for n in range(1, 4)]})
    handler = Handler(set())
    clock = Clock()
    run(pump(streams, handler, tmp_path, clock), clock)
    assert handler.batches == [["1", "2", "3"]]


def test_a_failed_record_is_retried_from_itself_not_from_the_batch_start(
    tmp_path: Path,
) -> None:
    streams = FakeStreams({"shard-1": [record(n) for n in range(1, 5)]})
    handler = Handler({"3"}, times=2)
    clock = Clock()
    run(pump(streams, handler, tmp_path, clock), clock)
    assert handler.batches == [["1", "2", "3", "4"], ["3", "4"], ["3", "4"]]
    assert not (tmp_path / "dead-letters").exists()


def test_a_retry_waits_for_its_backoff(tmp_path: Path) -> None:
    streams = FakeStreams({"shard-1": [record(1)]})
    handler = Handler({"1"}, times=1)
    clock = Clock()
    p = pump(streams, handler, tmp_path, clock)
    p.poll_once()
    p.poll_once()  # no time has passed: not retried yet
    assert handler.batches == [["1"]]
    clock.now += 1
    p.poll_once()
    assert handler.batches == [["1"], ["1"]]


def test_a_record_that_keeps_failing_is_dead_lettered_and_skipped(tmp_path: Path) -> None:
    streams = FakeStreams({"shard-1": [record(n) for n in range(1, 4)]})
    handler = Handler({"2"})
    clock = Clock()
    run(pump(streams, handler, tmp_path, clock), clock)

    assert handler.failures == {"2": MAX_ATTEMPTS}
    assert handler.batches[-1] == ["3"]
    letter = json.loads((tmp_path / "dead-letters" / "2.json").read_text())
    assert letter["attempts"] == MAX_ATTEMPTS
    assert letter["record"]["dynamodb"]["SequenceNumber"] == "2"
    assert letter["record"]["eventSourceARN"] == ARN


def test_a_handler_that_raises_fails_the_whole_batch(tmp_path: Path) -> None:
    streams = FakeStreams({"shard-1": [record(1), record(2)]})
    calls: list[int] = []

    def flaky(event: dict[str, Any], context: Any) -> None:
        calls.append(len(event["Records"]))
        if len(calls) == 1:
            raise RuntimeError("throttled")

    clock = Clock()
    p = StreamPump(streams, ARN, flaky, tmp_path, clock=clock)
    run(p, clock)
    assert calls == [2, 2]


def test_shards_that_appear_later_are_read_too(tmp_path: Path) -> None:
    streams = FakeStreams({"shard-1": [record(1)]})
    handler = Handler(set())
    clock = Clock()
    p = pump(streams, handler, tmp_path, clock)
    run(p, clock, rounds=2)
    streams.shards["shard-2"] = [record(7)]
    streams.shards["shard-1"].append(record(2))
    run(p, clock, rounds=2)
    assert sorted(handler.batches) == [["1"], ["2"], ["7"]]


def test_a_stream_record_becomes_a_lambda_record() -> None:
    raw = record(5)
    raw["dynamodb"]["NewImage"]["blob"] = {"B": b"\x00\x01"}
    out = to_lambda_record(raw, ARN)
    assert out["eventSourceARN"] == ARN
    created = int(datetime(2026, 11, 23, 10, 0, tzinfo=UTC).timestamp())
    assert out["dynamodb"]["ApproximateCreationDateTime"] == created
    assert out["dynamodb"]["NewImage"]["blob"] == {"B": "AAE="}
    json.dumps(out)  # what Lambda sends is JSON
    assert isinstance(raw["dynamodb"]["ApproximateCreationDateTime"], datetime)  # not mutated


def test_partial_batch_responses_read_as_lambda_reads_them() -> None:
    batch = [to_lambda_record(record(n), ARN) for n in (1, 2, 3)]
    assert first_failure(None, batch) is None
    assert first_failure({"batchItemFailures": []}, batch) is None
    assert first_failure({"batchItemFailures": [{"itemIdentifier": "3"}]}, batch) == 2
    both = {"batchItemFailures": [{"itemIdentifier": "3"}, {"itemIdentifier": "2"}]}
    assert first_failure(both, batch) == 1
    assert first_failure({"batchItemFailures": [{"itemIdentifier": "9"}]}, batch) == 0
    assert first_failure({"batchItemFailures": [{}]}, batch) == 0
    assert first_failure("nonsense", batch) == 0


def test_a_cancelled_transaction_reaches_no_handler_on_moto(tmp_path: Path) -> None:
    """moto rolls a cancelled transaction back by swapping in a copy of the table;
    an iterator taken earlier would still deliver the cancelled write's record."""
    app = moto_app()
    reset(app)
    journal = JournalingApp(app, tmp_path / "journal.jsonl")
    server = MotoServer(journal)
    server.start()
    try:
        dynamodb, streams, _ = clients(server.endpoint)
        for name, stream in (("guard", False), ("streamed", True)):
            dynamodb.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": stream, "StreamViewType": "NEW_IMAGE"}
                if stream
                else {"StreamEnabled": False},
            )
        arn = dynamodb.describe_table(TableName="streamed")["Table"]["LatestStreamArn"]
        seen: list[str] = []

        def handler(event: dict[str, Any], context: Any) -> None:
            seen.extend(r["dynamodb"]["NewImage"]["pk"]["S"] for r in event["Records"])

        p = StreamPump(streams, arn, handler, tmp_path, write_lock=journal.write_lock)
        dynamodb.put_item(TableName="guard", Item={"pk": {"S": "taken"}})
        dynamodb.put_item(TableName="streamed", Item={"pk": {"S": "before"}})
        p.poll_once()
        with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
            dynamodb.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": "guard",
                            "Item": {"pk": {"S": "taken"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {"Put": {"TableName": "streamed", "Item": {"pk": {"S": "cancelled"}}}},
                ]
            )
        dynamodb.put_item(TableName="streamed", Item={"pk": {"S": "after"}})
        p.poll_once()
    finally:
        server.stop()
        journal.close()
        reset(app)
    assert seen == ["before", "after"]

"""Lambda's DynamoDB event source mapping, played locally.

Reads the evaluations table's stream through the Streams API, shard by shard,
and hands each batch to the same handler Lambda would invoke. It follows the
settings the merge template gives the real mapping: ReportBatchItemFailures
(retry from the first failed record), a retry limit, and an on-failure
destination, here a file per record in the dead-letter directory.

Shard positions live in memory only: after a restart every shard is read again
from TRIM_HORIZON, which the idempotent handler makes harmless.

Each read takes a fresh iterator after the last record read, under the moto
write lock, instead of following NextShardIterator. moto applies a
TransactWriteItems item by item and undoes it when it is cancelled (e.g. an
idempotent retry), so a read in between would deliver records DynamoDB never
emits. And moto's own undo swaps in a copy of the table: an iterator taken
before then reads a stale stream shard, with those records in it and none of
the later ones (see infra.local.moto_transactions).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.local.loop import BackgroundLoop

log = logging.getLogger("laatu.local.pump")

Handler = Callable[[dict[str, Any], Any], Any]

BATCH_SIZE = 100
MAX_ATTEMPTS = 5
POLL_INTERVAL_S = 0.2
FIRST_BACKOFF_S = 0.2
MAX_BACKOFF_S = 5.0


def to_lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A Streams API record as Lambda delivers it: with the stream's ARN, the
    creation time in epoch seconds and binary values in base64, as in JSON."""
    out: dict[str, Any] = _json_shaped(record)
    out["eventSourceARN"] = stream_arn
    created = record.get("dynamodb", {}).get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        out["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
    return out


def _json_shaped(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_shaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_shaped(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    return value


def first_failure(result: Any, batch: list[dict[str, Any]]) -> int | None:
    """Index of the record Lambda would retry from, or None when the batch succeeded.

    As in Lambda, a response that names a record not in the batch, or is not
    a partial-batch response at all, fails the whole batch.
    """
    if result is None:
        return None
    if not isinstance(result, dict):
        return 0
    failures = result.get("batchItemFailures") or []
    if not isinstance(failures, list):
        return 0
    if not failures:
        return None
    positions = {r["dynamodb"]["SequenceNumber"]: i for i, r in enumerate(batch)}
    indexes = [
        positions.get(f.get("itemIdentifier")) if isinstance(f, dict) else None for f in failures
    ]
    return 0 if None in indexes else min(i for i in indexes if i is not None)


@dataclass
class _Shard:
    shard_id: str
    last_sequence: str | None = None  # last record read from the stream
    closed: bool = False  # read to its end: a closed shard has no next iterator
    pending: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0  # failed invocations of the record at the head of `pending`
    retry_at: float = 0.0

    @property
    def finished(self) -> bool:
        return self.closed and not self.pending


class StreamPump:
    def __init__(
        self,
        streams: Any,  # a boto3 'dynamodbstreams' client
        stream_arn: str,
        handler: Handler,
        dead_letter_dir: Path,
        *,
        context: Callable[[], Any] = lambda: None,
        write_lock: AbstractContextManager[Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
        poll_interval_s: float = POLL_INTERVAL_S,
    ) -> None:
        self._streams = streams
        self._arn = stream_arn
        self._handler = handler
        self._dead_letters = dead_letter_dir
        self._context = context
        self._write_lock = write_lock or contextlib.nullcontext()
        self._clock = clock
        self._interval = poll_interval_s
        self._shards: dict[str, _Shard] = {}
        self._finished: set[str] = set()  # closed shards stay listed; never read them again
        self._loop = BackgroundLoop("stream-pump", self._step, retry_s=poll_interval_s, log=log)

    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    def poll_once(self) -> bool:
        """Read and deliver what is due; True when records are left to deliver now."""
        for shard_id in self._shard_ids():
            if shard_id not in self._shards and shard_id not in self._finished:
                self._shards[shard_id] = _Shard(shard_id)
        busy = False
        for shard in list(self._shards.values()):
            self._fill(shard)
            self._deliver(shard)
            if shard.finished:
                log.info("shard %s is closed and fully processed", shard.shard_id)
                self._finished.add(shard.shard_id)
                del self._shards[shard.shard_id]
            busy = busy or (bool(shard.pending) and shard.retry_at <= self._clock())
        return busy

    def _step(self) -> float:
        return 0.0 if self.poll_once() else self._interval

    def _shard_ids(self) -> list[str]:
        ids: list[str] = []
        request: dict[str, Any] = {"StreamArn": self._arn}
        while True:
            description = self._streams.describe_stream(**request)["StreamDescription"]
            ids.extend(shard["ShardId"] for shard in description.get("Shards", []))
            last = description.get("LastEvaluatedShardId")
            if not last:
                return ids
            request["ExclusiveStartShardId"] = last

    def _iterator(self, shard_id: str, after: str | None) -> str:
        request: dict[str, Any] = {"StreamArn": self._arn, "ShardId": shard_id}
        if after is None:
            request["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            request["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER"
            request["SequenceNumber"] = after
        return str(self._streams.get_shard_iterator(**request)["ShardIterator"])

    def _fill(self, shard: _Shard) -> None:
        if shard.closed or len(shard.pending) >= BATCH_SIZE:
            return
        # No write, so no cancelled transaction, can fall between the two calls.
        with self._write_lock:
            iterator = self._iterator(shard.shard_id, shard.last_sequence)
            response = self._streams.get_records(
                ShardIterator=iterator, Limit=BATCH_SIZE - len(shard.pending)
            )
        records = [to_lambda_record(r, self._arn) for r in response.get("Records", [])]
        if records:
            shard.last_sequence = records[-1]["dynamodb"]["SequenceNumber"]
            shard.pending.extend(records)
        shard.closed = response.get("NextShardIterator") is None

    def _deliver(self, shard: _Shard) -> None:
        if not shard.pending or self._clock() < shard.retry_at:
            return
        batch = shard.pending[:BATCH_SIZE]
        try:
            failed = first_failure(self._handler({"Records": batch}, self._context()), batch)
        except Exception:
            log.exception("the stream handler raised; the whole batch will be retried")
            failed = 0
        if failed is None:
            del shard.pending[: len(batch)]
            shard.attempts, shard.retry_at = 0, 0.0
            return
        if failed > 0:  # the records before it are done; the count starts over
            del shard.pending[:failed]
            shard.attempts = 0
        shard.attempts += 1
        if shard.attempts >= MAX_ATTEMPTS:
            self._dead_letter(shard.pending.pop(0), shard.attempts)
            shard.attempts, shard.retry_at = 0, 0.0
            return
        delay = min(FIRST_BACKOFF_S * 2 ** (shard.attempts - 1), MAX_BACKOFF_S)
        shard.retry_at = self._clock() + delay
        log.warning(
            "record %s failed (attempt %d of %d); retrying in %.1f s",
            batch[failed]["dynamodb"]["SequenceNumber"],
            shard.attempts,
            MAX_ATTEMPTS,
            delay,
        )

    def _dead_letter(self, record: dict[str, Any], attempts: int) -> None:
        sequence = str(record["dynamodb"]["SequenceNumber"])
        self._dead_letters.mkdir(parents=True, exist_ok=True)
        path = self._dead_letters / f"{re.sub(r'[^0-9A-Za-z_-]', '_', sequence)}.json"
        letter = {
            "stream_arn": self._arn,
            "attempts": attempts,
            "failed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "record": record,
        }
        path.write_text(json.dumps(letter, indent=2, default=str), "utf-8")
        log.error("record %s failed %d times; written to %s and skipped", sequence, attempts, path)

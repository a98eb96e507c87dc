"""The uploads and exports buckets, and S3 -> EventBridge -> the import handler, played locally.

moto has no EventBridge delivery, so a watcher lists the uploads bucket under
uploads/ and hands each new object to the import handler as the "Object
Created" event EventBridge would send. Seen objects (key and ETag) are kept in
memory only: after a restart every upload is delivered once more, which the
idempotent handler makes harmless (a finished import ignores it) and which
resumes an import the stopped stack left unfinished.

A delivery that raises is retried with backoff, as Lambda's asynchronous
invoke retries (here longer: a stack stopped mid-import leaves a lease that
blocks for up to two minutes), then written to the dead-letter directory.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from infra.local.events import ACCOUNT, eventbridge_event
from infra.local.loop import BackgroundLoop

log = logging.getLogger("laatu.local.uploads")

Handler = Callable[[dict[str, Any], Any], Any]

UPLOADS_PREFIX = "uploads/"
POLL_INTERVAL_S = 0.5
FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
MAX_ATTEMPTS = 10  # about three minutes of retries


def ensure_buckets(s3: Any, buckets: Iterable[str], region: str) -> None:
    """Create the buckets a fresh data dir lacks; a replayed journal already has them."""
    for bucket in buckets:
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError:
            s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
            )


def allow_browser_uploads(s3: Any, bucket: str, origins: list[str]) -> None:
    """CORS for the web site's upload: its form POST has progress events, so the
    browser preflights it. Written only when it changes, to keep the journal short."""
    rules = [
        {
            "AllowedOrigins": origins,
            "AllowedMethods": ["POST"],
            "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag", "Location"],
            "MaxAgeSeconds": 3000,
        }
    ]
    try:
        current = s3.get_bucket_cors(Bucket=bucket).get("CORSRules")
    except ClientError:
        current = None
    if current != rules:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})


def object_created_event(bucket: str, item: dict[str, Any], region: str) -> dict[str, Any]:
    """What EventBridge sends for an object S3 created (detail-type "Object Created")."""
    modified = item.get("LastModified")
    moment = modified if isinstance(modified, datetime) else datetime.now(UTC)
    return eventbridge_event(
        detail_type="Object Created",
        source="aws.s3",
        at=moment,
        region=region,
        resources=[f"arn:aws:s3:::{bucket}"],
        detail={
            "version": "0",
            "bucket": {"name": bucket},
            "object": {
                "key": item["Key"],
                "size": int(item.get("Size", 0)),
                "etag": str(item.get("ETag", "")).strip('"'),
            },
            "request-id": uuid.uuid4().hex[:16].upper(),
            "requester": ACCOUNT,
            "reason": "PostObject",
        },
    )


class _Stopping:
    """The Lambda context, with no time left once the stack is stopping: the importer
    then saves its progress at the next checkpoint and the next start resumes it."""

    def __init__(self, inner: Any, stop: threading.Event) -> None:
        self._inner = inner
        self._stop = stop
        self.aws_request_id = getattr(inner, "aws_request_id", str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> float:
        if self._stop.is_set():
            return 0.0
        return float(self._inner.get_remaining_time_in_millis())


@dataclass
class _Pending:
    attempts: int = 0
    retry_at: float = 0.0


class UploadWatcher:
    def __init__(
        self,
        s3: Any,  # a boto3 's3' client
        bucket: str,
        handler: Handler,
        dead_letter_dir: Path,
        *,
        region: str,
        context: Callable[[], Any] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
        poll_interval_s: float = POLL_INTERVAL_S,
    ) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._handler = handler
        self._dead_letters = dead_letter_dir
        self._region = region
        self._context = context
        self._clock = clock
        self._interval = poll_interval_s
        self._delivered: set[tuple[str, str]] = set()
        self._pending: dict[tuple[str, str], _Pending] = {}
        self._loop = BackgroundLoop("upload-watcher", self._step, retry_s=poll_interval_s, log=log)

    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    def poll_once(self) -> int:
        """Deliver every new or due object; returns how many deliveries succeeded."""
        delivered = 0
        for item in self._objects():
            ident = (str(item["Key"]), str(item.get("ETag", "")))
            if ident in self._delivered:
                continue
            state = self._pending.setdefault(ident, _Pending())
            if self._clock() < state.retry_at:
                continue
            event = object_created_event(self._bucket, item, self._region)
            try:
                self._handler(event, _Stopping(self._context(), self._loop.stopping))
            except Exception:
                if self._loop.stopping.is_set():
                    return delivered  # interrupted by the stop: the next start resumes it
                self._failed(ident, state, event)
                continue
            self._pending.pop(ident, None)
            self._delivered.add(ident)
            delivered += 1
        return delivered

    def _objects(self) -> Iterable[dict[str, Any]]:
        pages = self._s3.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=UPLOADS_PREFIX
        )
        for page in pages:
            yield from page.get("Contents", [])

    def _failed(self, ident: tuple[str, str], state: _Pending, event: dict[str, Any]) -> None:
        state.attempts += 1
        key = ident[0]
        if state.attempts >= MAX_ATTEMPTS:
            log.exception("the import of %s failed %d times; dead-lettered", key, state.attempts)
            self._dead_letter(event, state.attempts)
            self._pending.pop(ident, None)
            self._delivered.add(ident)
            return
        delay = min(FIRST_BACKOFF_S * 2 ** (state.attempts - 1), MAX_BACKOFF_S)
        state.retry_at = self._clock() + delay
        log.warning(
            "the import of %s raised (attempt %d of %d); retrying in %.0f s",
            key,
            state.attempts,
            MAX_ATTEMPTS,
            delay,
            exc_info=True,
        )

    def _dead_letter(self, event: dict[str, Any], attempts: int) -> None:
        self._dead_letters.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^0-9A-Za-z_-]", "_", event["detail"]["object"]["key"])[-150:]
        letter = {
            "bucket": self._bucket,
            "attempts": attempts,
            "failed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "event": event,
        }
        path = self._dead_letters / f"upload-{name}.json"
        path.write_text(json.dumps(letter, indent=2, default=str), "utf-8")

    def _step(self) -> float:
        self.poll_once()
        return self._interval

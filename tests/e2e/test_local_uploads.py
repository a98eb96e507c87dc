"""The local stand-in for S3 -> EventBridge -> the import handler: each upload is
delivered once as an "Object Created" event, a failing one is retried with backoff
and then dead-lettered, and a restart delivers everything again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.local.uploads import MAX_ATTEMPTS, UploadWatcher

BUCKET = "laatu-local-uploads"


class FakeS3:
    def __init__(self) -> None:
        self.objects: list[dict[str, Any]] = []

    def put(self, key: str, etag: str = "e1") -> None:
        self.objects = [o for o in self.objects if o["Key"] != key]
        self.objects.append({"Key": key, "ETag": f'"{etag}"', "Size": 10})

    def get_paginator(self, name: str) -> Any:
        assert name == "list_objects_v2"
        objects = self.objects

        class Paginator:
            def paginate(self, Bucket: str, Prefix: str) -> list[dict[str, Any]]:
                assert (Bucket, Prefix) == (BUCKET, "uploads/")
                return [{"Contents": list(objects)}] if objects else [{}]

        return Paginator()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def s3() -> FakeS3:
    return FakeS3()


def watcher(s3: FakeS3, handler: Any, tmp_path: Path, clock: Clock) -> UploadWatcher:
    return UploadWatcher(s3, BUCKET, handler, tmp_path / "dead", region="eu-north-1", clock=clock)


def test_each_upload_is_delivered_once_as_an_object_created_event(
    s3: FakeS3, tmp_path: Path
) -> None:
    events: list[dict[str, Any]] = []
    w = watcher(s3, lambda event, _ctx: events.append(event), tmp_path, Clock())
    s3.put("uploads/acme/i-1/batch.csv")
    assert w.poll_once() == 1
    assert w.poll_once() == 0
    (event,) = events
    assert (event["source"], event["detail-type"]) == ("aws.s3", "Object Created")
    assert event["detail"]["bucket"] == {"name": BUCKET}
    assert event["detail"]["object"]["key"] == "uploads/acme/i-1/batch.csv"
    s3.put("uploads/acme/i-1/batch.csv", etag="e2")  # overwritten: a new object
    assert w.poll_once() == 1


def test_a_failing_delivery_is_retried_with_backoff_then_dead_lettered(
    s3: FakeS3, tmp_path: Path
) -> None:
    clock = Clock()
    calls: list[float] = []

    def handler(_event: dict[str, Any], _ctx: Any) -> None:
        calls.append(clock.now)
        raise RuntimeError("busy")

    w = watcher(s3, handler, tmp_path, clock)
    s3.put("uploads/acme/i-2/x.csv")
    for _ in range(200):
        w.poll_once()
        clock.now += 1.0
    assert len(calls) == MAX_ATTEMPTS
    assert [calls[1] - calls[0], calls[2] - calls[1]] == [1.0, 2.0]  # doubling waits
    (letter,) = (tmp_path / "dead").iterdir()
    assert json.loads(letter.read_text())["event"]["detail"]["object"]["key"].endswith("x.csv")


def test_a_restarted_watcher_delivers_every_upload_again(s3: FakeS3, tmp_path: Path) -> None:
    """Idempotent handlers make that harmless, and it resumes unfinished imports."""
    seen: list[str] = []
    s3.put("uploads/acme/i-3/a.csv")
    s3.put("uploads/acme/i-3/a.csv.report.csv")
    for _ in range(2):
        w = watcher(s3, lambda e, _c: seen.append(e["detail"]["object"]["key"]), tmp_path, Clock())
        w.poll_once()
    assert len(seen) == 4

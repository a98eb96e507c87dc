"""An import is idempotent end to end: the same event twice, the same file twice, a
crash mid-file and its retry, and a cut-off invocation resumed, never make a second
evaluation for an external_id, and never leave half a row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from chalice.test import Client

from chalicelib.domain.batch.evaluation_ids import evaluation_id_for
from chalicelib.domain.evaluation import Evaluation
from chalicelib.services import importer as import_service
from chalicelib.services.importer import ImportBusy, Importer, ImportInterrupted
from tests.functional.api import Api
from tests.functional.conftest import StreamReader, deliver
from tests.functional.imports_support import (
    AUDITOR,
    bucket,
    context,
    csv_bytes,
    event,
    items_of,
    report,
    row,
    run_import,
    state,
    upload,
)
from tests.support import load_app

ROWS = 10


@pytest.fixture
def importer() -> Importer:
    found: Importer = load_app().importer
    return found


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Checkpoints every 4 rows, transactions of 2 rows: many of both in a small file."""
    monkeypatch.setattr(import_service, "CHUNK_ROWS", 4)
    monkeypatch.setattr(import_service, "TRANSACTION_ROWS", 2)


def rows(form: dict[str, Any], count: int = ROWS, **cells: str) -> list[dict[str, str]]:
    return [row(form, f"E-{i}", **cells) for i in range(count)]


def ids(count: int = ROWS) -> list[str]:
    return [evaluation_id_for("acme", AUDITOR, f"E-{i}") for i in range(count)]


def revision_inserts(records: list[dict[str, Any]]) -> list[str]:
    """The evaluation ids of the REV# inserts: what the stream aggregates."""
    return [
        r["dynamodb"]["NewImage"]["evaluation_id"]["S"]
        for r in records
        if r["eventName"] == "INSERT" and r["dynamodb"]["Keys"]["sk"]["S"].startswith("REV#")
    ]


def assert_whole_or_absent(evaluation_ids: list[str]) -> int:
    """Every evaluation is HEAD and REV#1 together, or not there at all; how many are."""
    present = 0
    for evaluation_id in evaluation_ids:
        items = items_of(evaluation_id)
        assert items in ([], ["HEAD", "REV#000001"]), (evaluation_id, items)
        present += bool(items)
    return present


def test_the_same_event_twice_imports_once(
    api: Api, app: Any, stream: StreamReader, client: Client
) -> None:
    form = api.publish()
    sent = upload(api, csv_bytes(form, rows(form)))
    run_import(app, sent.key)
    again = run_import(app, sent.key)
    assert "already done" in again["outcome"]
    assert state(api, sent.import_id)["rows"]["created"] == ROWS
    records = stream.read()
    assert sorted(revision_inserts(records)) == sorted(ids())
    assert deliver(client, records) == {"batchItemFailures": []}
    summary = api.call("GET", "/v1/agents/agent-7/summary?period=2026-11", "evaluator").body
    assert summary["evaluations"] == ROWS


def test_the_same_file_twice_makes_no_second_evaluation(
    api: Api, app: Any, stream: StreamReader
) -> None:
    form = api.publish()
    data = csv_bytes(form, rows(form))
    first = upload(api, data)
    run_import(app, first.key)
    stream.read()
    second = upload(api, data)
    run_import(app, second.key)
    entries = report(api, second.import_id)
    assert [e["outcome"] for e in entries] == ["unchanged"] * ROWS
    assert [e["evaluation_id"] for e in entries] == ids()
    assert state(api, second.import_id)["rows"]["imported"] == ROWS
    assert revision_inserts(stream.read()) == []
    assert assert_whole_or_absent(ids()) == ROWS


def test_changed_answers_become_an_amendment_with_history(
    api: Api, app: Any, client: Client, stream: StreamReader
) -> None:
    form = api.publish()
    run_import(app, upload(api, csv_bytes(form, rows(form, 3))).key)
    deliver(client, stream.read())

    changed = [
        row(form, "E-0"),
        row(form, "E-1", ratkaisu="no", **{"comment:ratkaisu": "Ei ratkaistu"}),
        row(form, "E-2"),
        row(form, "E-3"),
    ]
    second = upload(api, csv_bytes(form, changed))
    run_import(app, second.key)
    entries = report(api, second.import_id)
    assert [(e["outcome"], e["revision"]) for e in entries] == [
        ("unchanged", 1),
        ("amended", 2),
        ("unchanged", 1),
        ("created", 1),
    ]
    counts = state(api, second.import_id)["rows"]
    assert (counts["created"], counts["amended"], counts["unchanged"]) == (1, 1, 2)

    amended_id = entries[1]["evaluation_id"]
    history = api.call("GET", f"/v1/evaluations/{amended_id}/revisions", "auditor", user=AUDITOR)
    assert [r["answers"]["ratkaisu"] for r in history.body["items"]] == ["yes", "no"]
    assert history.body["items"][1]["comments"] == {"ratkaisu": "Ei ratkaistu"}
    assert items_of(amended_id) == ["HEAD", "REV#000001", "REV#000002"]
    assert deliver(client, stream.read()) == {"batchItemFailures": []}
    figures = api.call("GET", "/v1/agents/agent-7/summary?period=2026-11", "evaluator").body
    assert figures["evaluations"] == 4
    assert figures["average_score"] == "95.59"  # (100 + 14/17 + 100 + 100) / 4


def test_a_reupload_after_an_admins_amendment_amends_again_keeping_all(api: Api, app: Any) -> None:
    form = api.publish()
    run_import(app, upload(api, csv_bytes(form, rows(form, 1))).key)
    (evaluation_id,) = ids(1)
    current = api.call("GET", f"/v1/evaluations/{evaluation_id}", "admin").body
    body = {k: current[k] for k in ("form_id", "form_version", "agent_id", "method", "answers")}
    body["contact"] = current["contact"]
    body["answers"] = {**body["answers"], "kiitos": "no"}
    amended = api.call(
        "PUT", f"/v1/evaluations/{evaluation_id}", "admin", body=body, headers={"If-Match": '"1"'}
    )
    assert amended.status == 200, amended.body
    again = upload(api, csv_bytes(form, rows(form, 1)))
    run_import(app, again.key)
    (entry,) = report(api, again.import_id)
    assert (entry["outcome"], entry["revision"]) == ("amended", 3)
    assert items_of(evaluation_id) == ["HEAD", "REV#000001", "REV#000002", "REV#000003"]


CrashPoint = Callable[[Importer, pytest.MonkeyPatch], None]


def crash_after_writing(importer: Importer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The 3rd transaction is written, then the invocation dies before its checkpoint."""
    real = importer.evaluations.create_many
    calls = []

    def create_many(tenant: str, documents: Any) -> list[int]:
        calls.append(1)
        written = real(tenant, documents)
        if len(calls) == 3:
            raise RuntimeError("the Lambda died")
        return written

    monkeypatch.setattr(importer.evaluations, "create_many", create_many)


def crash_before_writing(importer: Importer, monkeypatch: pytest.MonkeyPatch) -> None:
    real = importer.evaluations.create_many
    calls = []

    def create_many(tenant: str, documents: Any) -> list[int]:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("DynamoDB went away")
        return real(tenant, documents)

    monkeypatch.setattr(importer.evaluations, "create_many", create_many)


def crash_at_the_second_checkpoint(importer: Importer, monkeypatch: pytest.MonkeyPatch) -> None:
    real = importer.imports.checkpoint
    calls = []

    def checkpoint(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the Lambda died")
        real(*args, **kwargs)

    monkeypatch.setattr(importer.imports, "checkpoint", checkpoint)


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize(
    "crash", [crash_after_writing, crash_before_writing, crash_at_the_second_checkpoint]
)
def test_a_crash_mid_file_and_the_retry_make_each_evaluation_once(
    api: Api,
    app: Any,
    client: Client,
    stream: StreamReader,
    importer: Importer,
    monkeypatch: pytest.MonkeyPatch,
    crash: CrashPoint,
) -> None:
    form = api.publish()
    sent = upload(api, csv_bytes(form, rows(form)))
    with monkeypatch.context() as patch:
        crash(importer, patch)
        with pytest.raises(RuntimeError):
            run_import(app, sent.key)
    halfway = state(api, sent.import_id)
    assert halfway["status"] == "running"
    assert 0 < assert_whole_or_absent(ids()) < ROWS  # some rows, each whole

    run_import(app, sent.key)  # Lambda's retry of the same event
    done = state(api, sent.import_id)
    assert done["status"] == "done"
    # Rows written before the crash are reported as created, not as "unchanged".
    assert [e["outcome"] for e in report(api, sent.import_id)] == ["created"] * ROWS
    assert done["rows"]["created"] == ROWS
    assert assert_whole_or_absent(ids()) == ROWS
    records = stream.read()
    assert sorted(revision_inserts(records)) == sorted(ids())
    assert deliver(client, records) == {"batchItemFailures": []}
    summary = api.call("GET", "/v1/agents/agent-7/summary?period=2026-11", "evaluator").body
    assert summary["evaluations"] == ROWS


class CutOff:
    """A Lambda context whose time runs out when the test says so."""

    def __init__(self) -> None:
        self.aws_request_id = "invocation-1"
        self.remaining_ms = 900_000.0

    def get_remaining_time_in_millis(self) -> float:
        return self.remaining_ms


@pytest.mark.usefixtures("small_chunks")
def test_a_cut_off_invocation_resumes_where_it_stopped(
    api: Api, app: Any, importer: Importer, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = api.publish()
    sent = upload(api, csv_bytes(form, rows(form)))
    ctx = CutOff()
    real_checkpoint = importer.imports.checkpoint
    checkpoints: list[int] = []

    def checkpoint(*args: Any, **kwargs: Any) -> None:
        real_checkpoint(*args, **kwargs)
        checkpoints.append(kwargs["first"])
        if len(checkpoints) == 2:
            ctx.remaining_ms = 10_000  # 10 s left: too little for another chunk

    written: list[str] = []
    real_create = importer.evaluations.create_many

    def create_many(tenant: str, evaluations: Sequence[Evaluation]) -> list[int]:
        existing = real_create(tenant, evaluations)
        written.extend(e.evaluation_id for e in evaluations if not existing)
        return existing

    monkeypatch.setattr(importer.imports, "checkpoint", checkpoint)
    monkeypatch.setattr(importer.evaluations, "create_many", create_many)
    with pytest.raises(ImportInterrupted):
        run_import(app, sent.key, ctx)
    stopped = state(api, sent.import_id)
    assert (stopped["status"], stopped["rows"]["processed"]) == ("running", 8)
    assert len(report(api, sent.import_id)) == 8

    run_import(app, sent.key)  # a new invocation, with its own time
    assert checkpoints == [0, 4, 8]  # no chunk done twice
    assert sorted(written) == sorted(ids())  # no row written twice
    done = state(api, sent.import_id)
    assert (done["status"], done["rows"]["created"]) == ("done", ROWS)


def test_a_second_live_invocation_is_told_to_come_back_later(
    api: Api, app: Any, importer: Importer
) -> None:
    form = api.publish()
    sent = upload(api, csv_bytes(form, rows(form, 2)))
    now = datetime.now(UTC)
    held = importer.imports.claim(
        "acme",
        sent.import_id,
        key=sent.key,
        size=1,
        owner="someone-else",
        lease_until=(now + timedelta(seconds=60)).timestamp(),
        now=now.timestamp(),
        now_iso="2026-11-02T10:00:00Z",
    )
    assert held is not None
    with pytest.raises(ImportBusy):
        run_import(app, sent.key)
    # The holder died: once its lease has run out the retry takes over.
    importer.imports.claim(
        "acme",
        sent.import_id,
        key=sent.key,
        size=1,
        owner="someone-else",
        lease_until=(now - timedelta(seconds=1)).timestamp(),
        now=now.timestamp(),
        now_iso="2026-11-02T10:00:00Z",
    )
    assert "done" in run_import(app, sent.key)["outcome"]


def test_a_second_upload_to_the_same_import_is_not_imported(api: Api, app: Any) -> None:
    form = api.publish()
    sent = upload(api, csv_bytes(form, rows(form, 2)))
    other = sent.key.rsplit("/", 1)[0] + "/another.csv"
    boto3.client("s3").put_object(Bucket=bucket(), Key=other, Body=csv_bytes(form, rows(form, 5)))
    run_import(app, sent.key)
    outcome = run_import(app, other)["outcome"]
    assert "already done" in outcome
    assert state(api, sent.import_id)["rows"]["total"] == 2
    # And the other way round: while the first is still running, the second is ignored.
    second = upload(api, csv_bytes(form, rows(form, 1)), "one.csv")
    late = second.key.rsplit("/", 1)[0] + "/two.csv"
    boto3.client("s3").put_object(Bucket=bucket(), Key=late, Body=b"x")
    importer: Importer = load_app().importer
    now = datetime.now(UTC)
    importer.imports.claim(
        "acme",
        second.import_id,
        key=second.key,
        size=1,
        owner="first",
        lease_until=now.timestamp() - 1,
        now=now.timestamp(),
        now_iso="2026-11-02T10:00:00Z",
    )
    assert "reads" in run_import(app, late)["outcome"]


def test_an_event_key_encoded_like_an_s3_notification_is_found(api: Api, app: Any) -> None:
    form = api.publish()
    sent = upload(api, csv_bytes(form, rows(form, 1)), "syys kuu.csv")
    handler = app.handler_map["upload_importer"]
    result = handler(event(sent.key.replace(" ", "+")), context())
    assert "done" in result["outcome"]


def test_an_error_that_keeps_coming_back_fails_the_import_after_three_tries(
    api: Api, app: Any, importer: Importer, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = api.publish()
    sent = upload(api, csv_bytes(form, rows(form, 2)))

    def broken(tenant: str, documents: Any) -> list[int]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(importer.evaluations, "create_many", broken)
    for _attempt in range(2):
        with pytest.raises(RuntimeError):
            run_import(app, sent.key)
        assert state(api, sent.import_id)["status"] == "running"
    assert "failed after 3 attempts" in run_import(app, sent.key)["outcome"]
    failed = state(api, sent.import_id)
    assert (failed["status"], failed["error"]["code"]) == ("failed", "internal_error")
    assert assert_whole_or_absent(ids(2)) == 0

"""Batch imports through the real app on moto: the upload, the triggered import, the
per-row report, the limits and who sees what."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests
from chalice.test import Client

from chalicelib.domain.batch.columns import REQUIRED_COLUMNS
from chalicelib.domain.batch.limits import MAX_FILE_BYTES, MAX_ROWS
from tests.functional.api import Api
from tests.functional.conftest import StreamReader, deliver
from tests.functional.imports_support import (
    AUDITOR,
    bucket,
    csv_bytes,
    items_of,
    jsonl_bytes,
    report,
    row,
    run_import,
    start,
    state,
    upload,
)


def test_post_imports_presigns_an_upload_of_at_most_20_mb_under_the_imports_prefix(
    api: Api,
) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    created = start(api)
    assert created.status == 201, created.body
    body = created.body
    import_id = body["import_id"]
    assert created.headers["location"] == f"/v1/imports/{import_id}"
    assert (body["status"], body["auditor"], body["file"]) == ("pending", AUDITOR, None)
    upload = body["upload"]
    prefix = f"uploads/acme/{import_id}/"
    assert upload["key_prefix"] == prefix
    assert upload["fields"]["key"] == prefix + "${filename}"
    assert (upload["file_field"], upload["max_bytes"], upload["max_rows"]) == (
        "file",
        MAX_FILE_BYTES,
        MAX_ROWS,
    )
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, 20 * 1024 * 1024] in conditions
    assert ["starts-with", "$key", prefix] in conditions
    assert {"bucket": bucket()} in conditions
    expires = datetime.fromisoformat(policy["expiration"])
    assert before + timedelta(minutes=14) < expires <= before + timedelta(minutes=16)
    assert upload["url"].startswith(f"https://{bucket()}.s3.")


def test_the_presigned_post_uploads_the_file_under_its_own_name(api: Api) -> None:
    upload = start(api).body["upload"]
    answer = requests.post(
        upload["url"],
        data=upload["fields"],
        files={upload["file_field"]: ("syyskuu 2026.csv", b"external_id\r\n")},
        timeout=10,
    )
    assert answer.status_code == 204
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket())["Contents"]]
    assert keys == [upload["key_prefix"] + "syyskuu 2026.csv"]


@pytest.mark.parametrize("role", ["evaluator", "agent", "payroll"])
def test_only_auditors_and_admins_import(api: Api, role: str) -> None:
    answer = api.call("POST", "/v1/imports", role, agent_id="a-1")
    assert (answer.status, answer.body["error"]) == (403, "forbidden")


def test_post_imports_refuses_a_body(api: Api) -> None:
    answer = api.call("POST", "/v1/imports", "auditor", body={"tenant": "globex"})
    assert (answer.status, answer.body["error"]) == (400, "unexpected_body")


def test_valid_rows_land_and_rejected_rows_say_why_per_column(
    api: Api, app: Any, client: Client, stream: StreamReader
) -> None:
    form = api.publish()
    rows = [
        row(form, "A-1"),
        row(form, "A-2", agent_id="", kuuntelu="ohita", occurred_at="2026-03-29 03:30"),
        row(form, "A-3", tervehdys="Kyllä", ratkaisu="EI", lisamyynti="hoppa över"),
        row(form, "A-4", form_version="9"),
        row(form, "A-1"),
    ]
    sent = upload(api, csv_bytes(form, rows, encoding="windows-1252"), "lokakuu.csv")
    outcome = run_import(app, sent.key)
    assert outcome["outcome"].endswith("done: 5 rows")

    done = state(api, sent.import_id)
    assert done["status"] == "done"
    assert done["rows"] == {
        "total": 5,
        "processed": 5,
        "imported": 2,
        "created": 2,
        "amended": 0,
        "unchanged": 0,
        "rejected": 3,
    }
    assert done["file"]["format"] == "csv"
    assert (done["file"]["encoding"], done["file"]["delimiter"]) == ("windows-1252", ";")
    assert done["file"]["name"] == "lokakuu.csv"
    entries = report(api, sent.import_id)
    assert [(e["row"], e["external_id"], e["outcome"]) for e in entries] == [
        (2, "A-1", "created"),
        (3, "A-2", "rejected"),
        (4, "A-3", "created"),
        (5, "A-4", "rejected"),
        (6, "A-1", "rejected"),
    ]
    assert [(p["column"], p["code"]) for p in entries[1]["problems"]] == [
        ("agent_id", "required"),
        ("occurred_at", "nonexistent_local_time"),
        ("kuuntelu", "na_not_allowed"),
    ]
    assert [(p["column"], p["code"]) for p in entries[3]["problems"]] == [
        ("form_version", "unknown_form_version")
    ]
    assert [(p["column"], p["code"]) for p in entries[4]["problems"]] == [
        ("external_id", "duplicate_external_id")
    ]

    # An imported row is an ordinary evaluation: external method, the auditor as evaluator,
    # scored on write, and folded into the agent's month by the stream handler.
    third = api.call("GET", f"/v1/evaluations/{entries[2]['evaluation_id']}", "evaluator")
    assert third.status == 200, third.body
    shown = third.body
    assert (shown["method"], shown["evaluator"], shown["revision"]) == ("external", AUDITOR, 1)
    assert shown["source"] == {"import_id": sent.import_id, "external_id": "A-3"}
    assert shown["contact"]["occurred_at"] == "2026-11-02T10:15:00+02:00"
    assert shown["answers"]["ratkaisu"] == "no"
    assert shown["answers"]["lisamyynti"] == "na"
    assert shown["score"]["overall"] == "80.00"  # 12 of 15 applicable points
    assert deliver(client, stream.read()) == {"batchItemFailures": []}
    figures = api.call("GET", "/v1/agents/agent-7/summary?period=2026-11", "evaluator").body
    assert (figures["evaluations"], figures["average_score"]) == (2, "90.00")


def test_the_report_is_written_next_to_the_upload_and_the_upload_tagged_done(
    api: Api, app: Any
) -> None:
    form = api.publish()
    rows = [row(form, "=1+1"), row(form, "B-2", channel="fax")]
    sent = upload(api, csv_bytes(form, rows, delimiter=","), "b.csv")
    run_import(app, sent.key)
    s3 = boto3.client("s3")
    body = s3.get_object(Bucket=bucket(), Key=sent.key + ".report.csv")["Body"].read()
    text = body.decode("utf-8")
    assert text.startswith("\ufeffrow,external_id,outcome,evaluation_id,revision,problems,warnings")
    lines = text.lstrip("\ufeff").strip().split("\r\n")
    assert lines[1].startswith("2,'=1+1,created,")
    problem = "channel: 'fax' is not one of phone, email, chat, social"
    assert lines[2] == f'3,B-2,rejected,,,"{problem}",'
    tags = s3.get_object_tagging(Bucket=bucket(), Key=sent.key)["TagSet"]
    assert tags == [{"Key": "laatu-import", "Value": "done"}]
    url = state(api, sent.import_id)["report_csv_url"]
    assert "b.csv.report.csv" in url


def test_json_lines_import_like_csv(api: Api, app: Any) -> None:
    form = api.publish()
    first = {**row(form, "J-1"), "form_version": 1, "duration_s": 95}
    second = {**row(form, "J-2"), "tervehdys": "nej", "comment:tervehdys": "Ei tervehdi"}
    sent = upload(api, jsonl_bytes([first, second, {"external_id": "J-3"}]), "rivit.jsonl")
    run_import(app, sent.key)
    entries = report(api, sent.import_id)
    assert [e["outcome"] for e in entries] == ["created", "created", "rejected"]
    assert {p["column"] for p in entries[2]["problems"]} >= {"form_id", "agent_id"}
    shown = api.call("GET", f"/v1/evaluations/{entries[1]['evaluation_id']}", "auditor").body
    assert shown["comments"] == {"tervehdys": "Ei tervehdi"}
    assert state(api, sent.import_id)["file"]["format"] == "jsonl"


def test_an_ambiguous_local_time_is_imported_with_a_warning(api: Api, app: Any) -> None:
    form = api.publish()
    sent = upload(api, csv_bytes(form, [row(form, "T-1", occurred_at="2026-10-25 03:30")]))
    run_import(app, sent.key)
    (entry,) = report(api, sent.import_id)
    assert entry["outcome"] == "created"
    assert [w["code"] for w in entry["warnings"]] == ["ambiguous_local_time"]


# The whole file refused, before any row -------------------------------------------------


def assert_failed_without_rows(api: Api, import_id: str, code: str) -> dict[str, Any]:
    failed = state(api, import_id)
    assert failed["status"] == "failed", failed
    assert failed["error"]["code"] == code
    assert failed["rows"]["imported"] == 0
    assert failed["report_csv_url"]
    listing = api.call("GET", "/v1/evaluations", "admin").body
    assert listing["items"] == []
    return failed


def test_a_file_over_20_mb_is_refused_before_any_row(api: Api, app: Any) -> None:
    form = api.publish()
    good = csv_bytes(form, [row(form, f"R-{i}") for i in range(3)])
    padding = b"\r\n" * ((MAX_FILE_BYTES - len(good)) // 2 + 1)
    sent = upload(api, good + padding)
    run_import(app, sent.key)
    failed = assert_failed_without_rows(api, sent.import_id, "file_too_large")
    assert "20,971,520" in failed["error"]["message"]


def test_a_file_over_50000_rows_is_refused_before_any_row(api: Api, app: Any) -> None:
    form = api.publish()
    good = csv_bytes(form, [row(form, "R-1")]).decode("utf-8-sig")
    line = good.split("\r\n")[1]
    data = (good + (line + "\r\n") * MAX_ROWS).encode()
    sent = upload(api, data)
    run_import(app, sent.key)
    failed = assert_failed_without_rows(api, sent.import_id, "too_many_rows")
    assert "50,000" in failed["error"]["message"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"\xef\xbb\xbf" + ";".join(REQUIRED_COLUMNS).encode() + b"\r\n", "empty_file"),
        (b"external_id;form_id;agent_id\r\nA;f;a\r\n", "missing_columns"),
        (b"\x81\x8d\x8f\x90\x9d", "unreadable_encoding"),
    ],
)
def test_empty_unreadable_or_headless_files_fail_with_a_clear_report(
    api: Api, app: Any, data: bytes, code: str
) -> None:
    api.publish()
    sent = upload(api, data)
    run_import(app, sent.key)
    failed = assert_failed_without_rows(api, sent.import_id, code)
    if code == "missing_columns":
        assert "form_version, channel, contact_id, occurred_at" in failed["error"]["message"]
    report_csv = boto3.client("s3").get_object(Bucket=bucket(), Key=sent.key + ".report.csv")
    line = report_csv["Body"].read().decode("utf-8-sig").split("\r\n")[1]
    assert line.startswith(";;file rejected;;;")
    assert f"{code}: " in line


def test_an_agent_outside_the_tenants_roster_is_a_row_problem(api: Api, app: Any) -> None:
    form = api.publish()
    assert api.call("PUT", f"/v1/agents/{row(form, 'x')['agent_id']}", body={}).status == 200
    assert api.call("PUT", "/v1/agents/outsider", body={}, tenant="globex").status == 200
    sent = upload(api, csv_bytes(form, [row(form, "G-1"), row(form, "G-2", agent_id="outsider")]))
    run_import(app, sent.key)
    entries = report(api, sent.import_id)
    assert [e["outcome"] for e in entries] == ["created", "rejected"]
    assert [(p["column"], p["code"]) for p in entries[1]["problems"]] == [
        ("agent_id", "unknown_agent")
    ]


def app_importer(app: Any) -> Any:
    from tests.support import load_app

    return load_app().importer


# Who sees what --------------------------------------------------------------------------


def test_an_auditor_sees_only_their_own_imports_and_an_admin_all_of_the_tenants(
    api: Api, app: Any
) -> None:
    form = api.publish()
    mine = upload(api, csv_bytes(form, [row(form, "M-1")]), user="auditor-1")
    theirs = upload(api, csv_bytes(form, [row(form, "T-1")]), user="auditor-2")
    elsewhere = upload(api, csv_bytes(form, [row(form, "E-1")]), user="auditor-1", tenant="globex")

    other = api.call("GET", f"/v1/imports/{theirs.import_id}", "auditor", user="auditor-1")
    assert (other.status, other.body["error"]) == (404, "not_found")
    listed = api.call("GET", "/v1/imports", "auditor", user="auditor-1").body["items"]
    assert [i["import_id"] for i in listed] == [mine.import_id]
    everyone = api.call("GET", "/v1/imports", "admin", user="qa").body["items"]
    assert {i["import_id"] for i in everyone} == {mine.import_id, theirs.import_id}
    admin_view = api.call("GET", f"/v1/imports/{theirs.import_id}", "admin", user="qa")
    assert admin_view.status == 200
    # Same user name, another tenant: nothing of acme's is visible there, and back.
    path = f"/v1/imports/{mine.import_id}"
    cross = api.call("GET", path, "auditor", user="auditor-1", tenant="globex")
    assert cross.status == 404
    cross = api.call("GET", f"/v1/imports/{elsewhere.import_id}", "admin", user="qa")
    assert cross.status == 404
    for role in ("evaluator", "agent"):
        denied = api.call("GET", f"/v1/imports/{mine.import_id}", role, agent_id="a-1")
        assert denied.status == 403


def test_a_file_under_another_tenants_prefix_imports_nothing(api: Api, app: Any) -> None:
    """The key names the tenant; an acme import id under globex's prefix is no import."""
    form = api.publish()
    sent = upload(api, csv_bytes(form, [row(form, "X-1")]))
    stray = f"uploads/globex/{sent.import_id}/batch.csv"
    boto3.client("s3").put_object(Bucket=bucket(), Key=stray, Body=b"external_id\r\nx\r\n")
    assert "no such import" in run_import(app, stray)["outcome"]
    assert state(api, sent.import_id)["status"] == "pending"


def test_events_of_other_buckets_or_kinds_are_ignored(api: Api, app: Any) -> None:
    handler = app.handler_map["upload_importer"]
    other_bucket = {
        "detail-type": "Object Created",
        "detail": {"bucket": {"name": "not-ours"}, "object": {"key": "uploads/acme/i/x.csv"}},
    }
    assert handler(other_bucket, None) == {"outcome": "ignored"}
    assert handler({"detail-type": "Object Deleted", "detail": {}}, None) == {"outcome": "ignored"}


def test_the_listing_pages_newest_first(api: Api) -> None:
    ids = [start(api).body["import_id"] for _ in range(3)]
    first = api.call("GET", "/v1/imports?limit=2", "auditor", user=AUDITOR).body
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    path = f"/v1/imports?limit=2&cursor={first['next_cursor']}"
    rest = api.call("GET", path, "auditor", user=AUDITOR).body
    assert rest["next_cursor"] is None
    seen = [i["import_id"] for i in first["items"] + rest["items"]]
    assert sorted(seen) == sorted(ids)
    bad = api.call("GET", "/v1/imports?limit=0", "auditor")
    assert (bad.status, bad.body["field"]) == (400, "limit")


def test_the_report_pages_and_filters(api: Api, app: Any) -> None:
    form = api.publish()
    rows = [row(form, f"P-{i}", channel="fax" if i % 3 == 0 else "phone") for i in range(7)]
    sent = upload(api, csv_bytes(form, rows))
    run_import(app, sent.key)
    first = state(api, sent.import_id, query="?limit=3")
    assert [e["row"] for e in first["report"]["rows"]] == [2, 3, 4]
    cursor = first["report"]["next_cursor"]
    second = state(api, sent.import_id, query=f"?limit=10&cursor={cursor}")
    assert [e["row"] for e in second["report"]["rows"]] == [5, 6, 7, 8]
    assert second["report"]["next_cursor"] is None
    only = state(api, sent.import_id, query="?outcome=rejected")
    assert [e["external_id"] for e in only["report"]["rows"]] == ["P-0", "P-3", "P-6"]
    progress = state(api, sent.import_id, query="?limit=0")
    assert progress["report"] == {"rows": [], "next_cursor": None}
    for bad in ("?limit=1001", "?outcome=maybe", "?cursor=abc"):
        answer = api.call("GET", f"/v1/imports/{sent.import_id}{bad}", "auditor", user=AUDITOR)
        assert answer.status == 400, bad


# Template and row schema --------------------------------------------------------------


def test_the_template_is_a_csv_with_every_column_of_the_form_version(
    api: Api, client: Client
) -> None:
    form = api.publish()
    path = f"/v1/forms/{form['form_id']}/versions/1/template.csv"
    from tests.support import auth

    answer = client.http.get(path, headers=auth("auditor"))
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="{form["form_id"]}-v1.csv"'
    )
    text = answer.body.decode("utf-8") if isinstance(answer.body, bytes) else answer.body
    header = text.lstrip("\ufeff").rstrip("\r\n").split(";")
    criteria = [c["id"] for s in form["sections"] for c in s["criteria"]]
    assert header[:7] == [
        "external_id",
        "form_id",
        "form_version",
        "agent_id",
        "channel",
        "contact_id",
        "occurred_at",
    ]
    assert header[10:] == criteria + [f"comment:{c}" for c in criteria]
    comma = client.http.get(path + "?delimiter=comma", headers=auth("auditor"))
    assert comma.body.decode("utf-8").startswith("\ufeffexternal_id,form_id")
    for bad_path, status in (
        (f"/v1/forms/{form['form_id']}/versions/2/template.csv", 404),
        (path + "?delimiter=tab", 400),
    ):
        refused = client.http.get(bad_path, headers=auth("auditor"))
        assert refused.status_code == status
        assert json.loads(refused.body)["error"]
    other_tenant = client.http.get(path, headers=auth("auditor", tenant="globex"))
    assert other_tenant.status_code == 404
    unauthenticated = client.http.get(path)
    assert unauthenticated.status_code == 401


def test_the_row_schema_describes_the_form_versions_columns(api: Api) -> None:
    form = api.publish()
    answer = api.call("GET", f"/v1/forms/{form['form_id']}/versions/1/row.schema.json", "auditor")
    assert answer.status == 200, answer.body
    schema = answer.body
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    assert validator.is_valid(row(form, "S-1"))
    assert not validator.is_valid(row(form, "S-1", kuuntelu="ohita"))
    assert schema["properties"]["form_id"] == {"const": form["form_id"]}
    missing = api.call("GET", f"/v1/forms/{form['form_id']}/versions/3/row.schema.json", "auditor")
    assert missing.status == 404


def test_items_helper_sees_both_items_of_an_imported_evaluation(api: Api, app: Any) -> None:
    form = api.publish()
    sent = upload(api, csv_bytes(form, [row(form, "H-1")]))
    run_import(app, sent.key)
    (entry,) = report(api, sent.import_id)
    assert items_of(entry["evaluation_id"]) == ["HEAD", "REV#000001"]


def test_a_row_no_rule_foresaw_is_one_rejected_row(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safety net under the rules: an error nobody planned for stays in its row."""
    from chalicelib.domain.evaluation import Evaluation
    from chalicelib.domain.evaluations import build_evaluation as real

    def fragile(**kwargs: Any) -> Evaluation:
        if kwargs["body"]["contact"]["id"] == "boom":
            raise OverflowError("date value out of range")
        return real(**kwargs)

    monkeypatch.setattr("chalicelib.services.evaluations.build_evaluation", fragile)
    form = api.publish()
    rows = [row(form, "U-1"), row(form, "U-2", contact_id="boom"), row(form, "U-3")]
    sent = upload(api, csv_bytes(form, rows))
    run_import(app, sent.key)
    assert state(api, sent.import_id)["status"] == "done"
    outcomes = [e["outcome"] for e in report(api, sent.import_id)]
    assert outcomes == ["created", "rejected", "created"]

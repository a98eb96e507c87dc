"""Helpers for the batch import tests: files, uploads and the upload's event."""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from typing import Any

import boto3
from chalice.local import LambdaContext

from chalicelib.adapters.models import EvaluationModel
from chalicelib.domain.batch.templates import template_columns
from chalicelib.domain.forms import parse_form
from tests.functional.api import Answer, Api

AUDITOR = "auditor-1"
IMPORT_TIMEOUT_MS = 900_000


def bucket() -> str:
    return os.environ["LAATU_UPLOADS_BUCKET"]


def row(form: dict[str, Any], external_id: str, **cells: str) -> dict[str, str]:
    """A valid row answering every criterion yes; `cells` override columns."""
    values = {
        "external_id": external_id,
        "form_id": form["form_id"],
        "form_version": "1",
        "agent_id": "agent-7",
        "channel": "phone",
        "contact_id": f"call-{external_id}",
        "occurred_at": "2026-11-02 10:15",
    }
    for section in form["sections"]:
        for criterion in section["criteria"]:
            values[criterion["id"]] = "yes"
    values.update(cells)
    return values


def csv_bytes(
    form: dict[str, Any],
    rows: list[dict[str, str]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
) -> bytes:
    columns = template_columns(parse_form(form))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def jsonl_bytes(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


@dataclass
class Upload:
    import_id: str
    key: str
    created: Answer


def start(
    api: Api, *, user: str = AUDITOR, role: str | list[str] = "auditor", **token: Any
) -> Answer:
    return api.call("POST", "/v1/imports", role, user=user, **token)


def upload(
    api: Api,
    data: bytes,
    name: str = "batch.csv",
    *,
    user: str = AUDITOR,
    role: str | list[str] = "auditor",
    **token: Any,
) -> Upload:
    """POST /v1/imports, then put the file where the presigned POST would."""
    created = start(api, user=user, role=role, **token)
    assert created.status == 201, created.body
    key = created.body["upload"]["key_prefix"] + name
    boto3.client("s3").put_object(Bucket=bucket(), Key=key, Body=data)
    return Upload(created.body["import_id"], key, created)


def event(key: str, *, bucket_name: str | None = None) -> dict[str, Any]:
    """The EventBridge "Object Created" event S3 sends for the key."""
    return {
        "version": "0",
        "id": "event-1",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "detail": {
            "version": "0",
            "bucket": {"name": bucket_name or bucket()},
            "object": {"key": key, "size": 1},
            "reason": "PostObject",
        },
    }


def context(max_runtime_ms: int = IMPORT_TIMEOUT_MS) -> LambdaContext:
    return LambdaContext("upload_importer", 1024, max_runtime_ms=max_runtime_ms)


def run_import(app: Any, key: str, ctx: Any = None) -> dict[str, Any]:
    """Invoke the import handler as EventBridge would (with a 15-minute context)."""
    result: dict[str, Any] = app.handler_map["upload_importer"](event(key), ctx or context())
    return result


def state(api: Api, import_id: str, *, user: str = AUDITOR, query: str = "") -> dict[str, Any]:
    answer = api.call("GET", f"/v1/imports/{import_id}{query}", "auditor", user=user)
    assert answer.status == 200, answer.body
    body: dict[str, Any] = answer.body
    return body


def report(api: Api, import_id: str, *, user: str = AUDITOR) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor: str | None = "0"
    while cursor is not None:
        page = state(api, import_id, user=user, query=f"?limit=1000&cursor={cursor}")
        rows.extend(page["report"]["rows"])
        cursor = page["report"]["next_cursor"]
    return rows


def items_of(evaluation_id: str, tenant: str = "acme") -> list[str]:
    """The sort keys of an evaluation's items (HEAD and REV#...)."""
    return sorted(item.sk for item in EvaluationModel.query(f"{tenant}#{evaluation_id}"))

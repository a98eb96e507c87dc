"""Routes for batch imports, and the template and row schema an auditor fills them from."""

from __future__ import annotations

import uuid
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.adapters.import_store import ImportRecord
from chalicelib.adapters.uploads import UploadStore
from chalicelib.api.http import (
    Call,
    Reply,
    endpoint,
    path_int,
    raw_endpoint,
)
from chalicelib.domain.batch.limits import MAX_FILE_BYTES, MAX_ROWS
from chalicelib.domain.batch.upload_keys import file_name, key_prefix
from chalicelib.domain.errors import InvalidInput
from chalicelib.services import imports

blueprint = Blueprint(__name__)

DELIMITERS = {"semicolon": ";", "comma": ","}


def _present(record: ImportRecord, uploads: UploadStore) -> dict[str, Any]:
    counts = record.counts
    return {
        "import_id": record.import_id,
        "status": record.status,
        "auditor": record.auditor,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "upload_expires_at": record.upload_expires_at,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "file": None
        if record.object_key is None
        else {
            "key": record.object_key,
            "name": file_name(record.object_key),
            "size": record.size,
            "format": record.file_format,
            "encoding": record.encoding,
            "delimiter": record.delimiter,
        },
        "rows": {
            "total": record.rows_total,
            "processed": record.next_row,
            "imported": counts.created + counts.amended + counts.unchanged,
            "created": counts.created,
            "amended": counts.amended,
            "unchanged": counts.unchanged,
            "rejected": counts.rejected,
        },
        "error": None
        if record.error_code is None
        else {"code": record.error_code, "message": record.error_message},
        "report_csv_url": imports.report_url(uploads, record),
    }


@blueprint.route("/v1/imports", methods=["POST"])
@endpoint(blueprint)
def start_import(call: Call) -> Reply:
    raw = (call.request.raw_body or b"").strip()
    if raw not in (b"", b"{}"):
        raise InvalidInput("POST /v1/imports takes no body", code="unexpected_body")
    uploads = call.context.uploads
    record, post = imports.start(
        call.context.imports, uploads, call.principal, import_id=str(uuid.uuid4()), now=call.now()
    )
    body = _present(record, uploads)
    body["upload"] = {
        "url": post.url,
        "fields": post.fields,
        "file_field": "file",
        "key_prefix": key_prefix(record.tenant, record.import_id),
        "max_bytes": MAX_FILE_BYTES,
        "max_rows": MAX_ROWS,
        "expires_at": record.upload_expires_at,
    }
    return Reply(body, 201, {"Location": f"/v1/imports/{record.import_id}"})


@blueprint.route("/v1/imports", methods=["GET"])
@endpoint(blueprint)
def list_imports(call: Call) -> Reply:
    records, cursor = imports.list_imports(call.context.imports, call.principal, call.query())
    items = [_present(r, call.context.uploads) for r in records]
    return Reply({"items": items, "next_cursor": cursor})


@blueprint.route("/v1/imports/{import_id}", methods=["GET"])
@endpoint(blueprint)
def get_import(call: Call, import_id: str) -> Reply:
    record = imports.get(call.context.imports, call.principal, import_id)
    page = imports.report_page(call.context.imports, record, call.query())
    body = _present(record, call.context.uploads)
    body["report"] = {
        "rows": [entry.to_dict() for entry in page.entries],
        "next_cursor": page.next_cursor,
    }
    return Reply(body)


@blueprint.route("/v1/forms/{form_id}/versions/{version}/row.schema.json", methods=["GET"])
@endpoint(blueprint)
def get_row_schema(call: Call, form_id: str, version: str) -> Reply:
    schema = imports.row_schema(
        call.context.forms, call.principal, form_id, path_int(version, "version")
    )
    return Reply(schema)


@blueprint.route("/v1/forms/{form_id}/versions/{version}/template.csv", methods=["GET"])
@raw_endpoint(blueprint)
def get_template(call: Call, form_id: str, version: str) -> Response:
    number = path_int(version, "version")
    choice = call.query().get("delimiter", "semicolon")
    if choice not in DELIMITERS:
        raise InvalidInput("delimiter must be semicolon or comma", field="delimiter")
    text = imports.template(call.context.forms, call.principal, form_id, number, DELIMITERS[choice])
    return Response(
        body=text,
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{form_id}-v{number}.csv"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )

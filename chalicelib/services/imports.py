"""Batch imports over HTTP: an auditor asks for an upload, follows its import, and
downloads the template and row schema to fill a file from.

`start` records a pending import and presigns a POST limited to 20 MB under
`uploads/{tenant}/{import_id}/`; the upload's event then runs the import
(chalicelib/services/importer.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib import schemas
from chalicelib.adapters.import_store import ImportRecord
from chalicelib.adapters.uploads import PresignedPost
from chalicelib.domain import permissions
from chalicelib.domain.batch import row_schema as row_schemas
from chalicelib.domain.batch.limits import MAX_FILE_BYTES
from chalicelib.domain.batch.templates import template_csv
from chalicelib.domain.batch.upload_keys import key_prefix
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.forms import Form, parse_form
from chalicelib.domain.import_report import OUTCOMES, ReportEntry
from chalicelib.domain.periods import to_utc_iso
from chalicelib.domain.principal import Principal
from chalicelib.domain.text import parse_whole
from chalicelib.services import forms as form_service
from chalicelib.services.ports import (
    FormVersions,
    ImportCreates,
    ImportListing,
    ImportReads,
    ImportReport,
    ReportLinks,
    UploadPosts,
)

UPLOAD_EXPIRES = timedelta(minutes=15)
REPORT_URL_EXPIRES_S = 15 * 60
DEFAULT_REPORT_LIMIT = 100
MAX_REPORT_LIMIT = 1000
DEFAULT_LIST_LIMIT = 20
MAX_LIST_LIMIT = 100


def start(
    store: ImportCreates,
    uploads: UploadPosts,
    principal: Principal,
    *,
    import_id: str,
    now: datetime,
) -> tuple[ImportRecord, PresignedPost]:
    """A pending import of the caller's, and where to upload its file."""
    permissions.require(principal, "import.create")
    stamp = to_utc_iso(now)
    record = ImportRecord(
        tenant=principal.tenant,
        import_id=import_id,
        auditor=principal.user,
        roles=principal.roles,
        status="pending",
        created_at=stamp,
        updated_at=stamp,
        upload_expires_at=to_utc_iso(now + UPLOAD_EXPIRES),
    )
    store.create(record)
    post = uploads.presigned_post(
        key_prefix(principal.tenant, import_id),
        MAX_FILE_BYTES,
        int(UPLOAD_EXPIRES.total_seconds()),
    )
    return record, post


def get(store: ImportReads, principal: Principal, import_id: str) -> ImportRecord:
    """An import the caller may see: an auditor their own, an admin any of the tenant's."""
    granted = permissions.require(principal, "import.read")
    record = store.get(principal.tenant, import_id)
    if not permissions.reaches(granted, principal, author=record.auditor):
        raise NotFound(f"import '{import_id}' does not exist")
    return record


def report_url(uploads: ReportLinks, record: ImportRecord) -> str | None:
    if record.report_key is None:
        return None
    return uploads.download_url(
        record.report_key, f"import-{record.import_id}-report.csv", REPORT_URL_EXPIRES_S
    )


@dataclass(frozen=True)
class ReportPage:
    entries: list[ReportEntry]
    next_cursor: str | None


def report_page(store: ImportReport, record: ImportRecord, query: Mapping[str, str]) -> ReportPage:
    """A page of the per-row report: `limit` rows (0 for none: progress only) from
    `cursor`, optionally only those with one `outcome`."""
    limit = _whole(query.get("limit"), "limit", DEFAULT_REPORT_LIMIT, 0, MAX_REPORT_LIMIT)
    cursor = query.get("cursor") or "0"
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 6:
        raise InvalidInput("cursor is not one this API issued", field="cursor")
    outcome = query.get("outcome") or None
    if outcome is not None and outcome not in OUTCOMES:
        raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
    if limit == 0:
        return ReportPage([], None)
    entries: list[ReportEntry] = []
    index = int(cursor)
    for entry in store.rows(record.tenant, record.import_id, index):
        if len(entries) == limit:
            return ReportPage(entries, str(index))
        index += 1
        if outcome is None or entry.outcome == outcome:
            entries.append(entry)
    return ReportPage(entries, None)


def list_imports(
    store: ImportListing, principal: Principal, query: Mapping[str, str]
) -> tuple[list[ImportRecord], str | None]:
    """Newest first: an auditor's own imports; an admin's view is the whole tenant's."""
    granted = permissions.require(principal, "import.read")
    limit = _whole(query.get("limit"), "limit", DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT)
    user = None if permissions.Scope.TENANT in granted else principal.user
    return store.list(principal.tenant, user, limit, query.get("cursor") or None)


def _whole(value: str | None, name: str, default: int, low: int, high: int) -> int:
    return default if value is None else parse_whole(value, name, low, high)


def _published_form(forms: FormVersions, principal: Principal, form_id: str, version: int) -> Form:
    record = form_service.get_version(forms, principal, form_id, version)
    return parse_form(record.definition)


def template(
    forms: FormVersions, principal: Principal, form_id: str, version: int, delimiter: str
) -> str:
    """The CSV template of a published form version."""
    return template_csv(_published_form(forms, principal, form_id, version), delimiter)


def row_schema(
    forms: FormVersions, principal: Principal, form_id: str, version: int
) -> dict[str, Any]:
    """The JSON Schema of one row for a published form version."""
    form = _published_form(forms, principal, form_id, version)
    return row_schemas.row_schema(schemas.load("batch_row"), form, version)

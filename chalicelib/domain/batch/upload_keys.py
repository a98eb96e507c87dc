"""Where an import's objects live in the uploads bucket.

An auditor uploads under `uploads/{tenant}/{import_id}/`; the per-row report is
written next to the upload, its key the upload's plus `.report.csv`."""

from __future__ import annotations

UPLOADS_PREFIX = "uploads/"
REPORT_SUFFIX = ".report.csv"


def key_prefix(tenant: str, import_id: str) -> str:
    return f"{UPLOADS_PREFIX}{tenant}/{import_id}/"


def parse_key(key: str) -> tuple[str, str] | None:
    """(tenant, import_id) of an object under uploads/{tenant}/{import_id}/."""
    parts = key.split("/", 3)
    if len(parts) != 4 or parts[0] + "/" != UPLOADS_PREFIX or not all(parts[1:]):
        return None
    return parts[1], parts[2]


def file_name(key: str) -> str:
    return key.rsplit("/", 1)[-1]


def report_key(upload_key: str) -> str:
    return upload_key + REPORT_SUFFIX

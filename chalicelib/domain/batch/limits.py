"""How big a batch file and its cells may be.

The row limits are read from batch_row.schema.json, the row contract an auditor
downloads, so the importer refuses exactly what that schema promises to refuse.
"""

from __future__ import annotations

from typing import Any

from chalicelib import schemas

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
# When Python's recursive JSON parser gives up (near 1,000 levels), the member whose
# value nests deeper than this is the one refused; the rest of the line is read.
MAX_JSON_DEPTH = 100

_ROW: dict[str, Any] = schemas.load("batch_row")
_COLUMNS: dict[str, Any] = _ROW["properties"]

MAX_EXTERNAL_ID: int = _COLUMNS["external_id"]["maxLength"]
MAX_CONTACT_ID: int = _COLUMNS["contact_id"]["maxLength"]
MAX_RECORDING_URL: int = _COLUMNS["recording_url"]["maxLength"]
MAX_SUMMARY: int = _COLUMNS["summary"]["maxLength"]
MAX_COMMENT: int = _ROW["$defs"]["comment"]["maxLength"]
MAX_DURATION_S: int = _COLUMNS["duration_s"]["maximum"]
MAX_FORM_VERSION: int = _COLUMNS["form_version"]["maximum"]

"""The uploads bucket's "Object Created" events (S3 -> EventBridge): run the import.

Thin: read the event, hand the key to the Importer. Events come at least once
and in any order; the Importer is idempotent, so a duplicate, the report's own
event, or a second upload to the same import changes nothing. Raising makes
Lambda's asynchronous invoke retry later: when another invocation still holds
the import, or when this one stopped before its deadline with progress saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.adapters.evaluation_store import EvaluationStore
from chalicelib.adapters.form_store import FormStore
from chalicelib.adapters.import_store import ImportStore
from chalicelib.adapters.uploads import UploadStore
from chalicelib.domain.roster import Roster
from chalicelib.services.importer import Importer

log = logging.getLogger("laatu.uploads")

DETAIL_TYPE = "Object Created"


def importer(
    *,
    imports: ImportStore,
    uploads: UploadStore,
    evaluations: EvaluationStore,
    forms: FormStore,
    clock: Callable[[], datetime],
    time_zone_for: Callable[[str], str],
    roster_for: Callable[[str], Roster],
) -> Importer:
    """The importer the upload's event runs, on stores and a clock built by the caller."""
    return Importer(
        imports=imports,
        uploads=uploads,
        evaluations=evaluations,
        forms=forms,
        time_zone_for=time_zone_for,
        clock=clock,
        roster_for=roster_for,
    )


def object_key(event: dict[str, Any], bucket: str) -> str | None:
    """The key of an "Object Created" event for `bucket`; None for anything else."""
    if event.get("detail-type") != DETAIL_TYPE:
        return None
    detail = event.get("detail") or {}
    if (detail.get("bucket") or {}).get("name") != bucket:
        return None
    key = (detail.get("object") or {}).get("key")
    return key if isinstance(key, str) and key else None


def remaining_s(context: Any) -> Callable[[], float]:
    """Seconds left before Lambda stops the invocation."""
    return lambda: float(context.get_remaining_time_in_millis()) / 1000.0


def handle(event: dict[str, Any], context: Any, run: Importer) -> dict[str, Any]:
    key = object_key(event, run.uploads.bucket)
    if key is None:
        log.warning("ignored an event that is not an upload: %s", event.get("detail-type"))
        return {"outcome": "ignored"}
    invocation = str(getattr(context, "aws_request_id", "") or event.get("id", ""))
    outcome = run.run(key, invocation=invocation, remaining_s=remaining_s(context))
    log.info("%s", outcome)
    return {"outcome": outcome}

"""Laatu's Lambda entry points. Wiring only: every rule lives in chalicelib."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from chalice.app import Chalice, CloudWatchEvent, Rate

from chalicelib.adapters.evaluation_store import EvaluationStore
from chalicelib.adapters.form_store import FormStore
from chalicelib.adapters.import_store import ImportStore
from chalicelib.adapters.uploads import UploadStore
from chalicelib.api import agents, evaluations, exports, forms, imports, me, openapi, settings
from chalicelib.api.http import uniform_errors, utcnow
from chalicelib.domain.periods import to_utc_iso
from chalicelib.events import stream, uploads
from chalicelib.services import exports as export_service
from chalicelib.services import tenant_settings

app = Chalice(app_name="laatu")
app.log.setLevel(logging.INFO)
logging.getLogger("laatu").setLevel(logging.INFO)

for blueprint in (me, forms, evaluations, imports, agents, settings, exports, openapi):
    app.register_blueprint(blueprint.blueprint)
app.register_middleware(uniform_errors, "http")


# Wired to the evaluations table's stream by the template, which also sets
# ReportBatchItemFailures, bisect, the retry limit and the on-failure queue.
@app.lambda_function(name="stream_consumer")
def stream_consumer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return stream.handle(event, agents.store, settings.store, lambda: to_utc_iso(utcnow()))


# A heartbeat, not a calendar: the handler decides from data which periods are due,
# so a late, doubled or skipped beat changes nothing but timing.
@app.schedule(Rate(1, unit=Rate.HOURS), name="payroll_heartbeat")
def payroll_heartbeat(event: CloudWatchEvent) -> dict[str, Any]:
    results = export_service.heartbeat(exports.stores, utcnow())
    return {"results": [asdict(result) for result in results]}


# Wired by the template to an EventBridge rule for the uploads bucket's "Object
# Created" events under uploads/; asynchronous invoke retries it and sends what
# keeps failing to the on-failure destination.
importer = uploads.importer(
    imports=ImportStore(),
    uploads=UploadStore(),
    evaluations=EvaluationStore(),
    forms=FormStore(),
    clock=lambda: datetime.now(UTC),
    time_zone_for=lambda tenant: tenant_settings.time_zone_now(settings.store, tenant, utcnow()),
    roster_for=lambda tenant: tenant_settings.roster_check(settings.store, tenant),
)


@app.lambda_function(name="upload_importer")
def upload_importer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return uploads.handle(event, context, importer)

"""Laatu's Lambda entry points. Wiring only: every rule lives in chalicelib."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from typing import Any

from chalice.app import Chalice, CloudWatchEvent, Rate

from chalicelib.adapters import mailer
from chalicelib.adapters.backfill_store import BackfillStore
from chalicelib.api import (
    acknowledgements,
    agents,
    coaching_sessions,
    disputes,
    evaluations,
    exports,
    forms,
    http,
    imports,
    inbox,
    me,
    notifications,
    openapi,
    reports,
    reviews,
    settings,
    teams,
)
from chalicelib.api.http import uniform_errors
from chalicelib.bootstrap import bootstrap
from chalicelib.domain.periods import to_utc_iso
from chalicelib.events import stream, uploads
from chalicelib.services import exports as export_service
from chalicelib.services import notifications as notification_service
from chalicelib.services import report_backfill, team_index, tenant_settings
from chalicelib.services import reviews as review_service
from chalicelib.services.report_backfill import BackfillStores

# The one place stores, clock and configuration are built.
root = bootstrap()
http.use(root)

app = Chalice(app_name="laatu")
# File downloads (XLSX) that Chalice base64-encodes and API Gateway decodes.
app.api.binary_types.extend(http.BINARY_TYPES)
app.log.setLevel(logging.INFO)
logging.getLogger("laatu").setLevel(logging.INFO)

for blueprint in (
    me,
    forms,
    evaluations,
    imports,
    agents,
    settings,
    teams,
    reports,
    reviews,
    coaching_sessions,
    acknowledgements,
    disputes,
    inbox,
    notifications,
    exports,
    openapi,
):
    app.register_blueprint(blueprint.blueprint)
app.register_middleware(uniform_errors, "http")


# Wired to the evaluations table's stream by the template, which also sets
# ReportBatchItemFailures, bisect, the retry limit and the on-failure queue.
@app.lambda_function(name="stream_consumer")
def stream_consumer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return stream.handle(event, root.aggregates, root.settings, lambda: to_utc_iso(root.now()))


BACKFILL_SECONDS_PER_BEAT = 300
heartbeat_log = logging.getLogger("laatu.heartbeat")


# A heartbeat, not a calendar: the handler decides from data which periods are due,
# so a late, doubled or skipped beat changes nothing but timing.
@app.schedule(Rate(1, unit=Rate.HOURS), name="payroll_heartbeat")
def payroll_heartbeat(event: CloudWatchEvent) -> dict[str, Any]:
    # Report cells for history from before they existed, first: its budget leaves
    # the beat most of its 15 minutes for the exports.
    deadline = time.monotonic() + BACKFILL_SECONDS_PER_BEAT
    backfill = BackfillStores(BackfillStore(), root.evaluations, root.aggregates, root.settings)
    for tenant, _ in root.settings.tenants():
        # Reviews whose self-evaluation deadline passed open with the leader's side;
        # a failure waits for the next beat rather than holding up the exports.
        try:
            review_service.open_expired(root.reviews, root.evaluations, tenant, root.now())
        except Exception:
            heartbeat_log.exception("opening expired reviews of %s failed", tenant)
        team_index.run(
            root.settings,
            BackfillStore(),
            tenant,
            lambda: to_utc_iso(root.now()),
            lambda: time.monotonic() < deadline,
        )
        report_backfill.run(
            backfill,
            tenant,
            lambda: to_utc_iso(root.now()),
            lambda: time.monotonic() < deadline,
        )
    results = export_service.heartbeat(root.export_stores, root.now())
    return {"results": [asdict(result) for result in results]}


NOTIFY_SECONDS_PER_RUN = 240


# Mails new inbox entries (when the tenant and the person have asked for it). Its own
# five-minute schedule, so a mail follows the entry within minutes, not the hour the
# payroll heartbeat beats; what one run leaves, the next sends.
@app.schedule(Rate(5, unit=Rate.MINUTES), name="notification_sender")
def notification_sender(event: CloudWatchEvent) -> dict[str, Any]:
    deadline = time.monotonic() + NOTIFY_SECONDS_PER_RUN
    stores = notification_service.DrainStores(root.notifications, root.todos, root.settings)
    sender = mailer.from_config(root.config)
    results = [
        notification_service.drain(
            stores,
            sender,
            tenant,
            root.now(),
            site_url=root.config.site_url,
            keep_going=lambda: time.monotonic() < deadline,
        )
        for tenant, _ in root.settings.tenants()
    ]
    return {"results": [asdict(result) for result in results]}


# Wired by the template to an EventBridge rule for the uploads bucket's "Object
# Created" events under uploads/; asynchronous invoke retries it and sends what
# keeps failing to the on-failure destination.
importer = uploads.importer(
    imports=root.imports,
    uploads=root.uploads,
    evaluations=root.evaluations,
    forms=root.forms,
    clock=root.now,
    time_zone_for=lambda tenant: tenant_settings.time_zone_now(root.settings, tenant, root.now()),
    roster_for=lambda tenant: tenant_settings.roster_check(root.settings, tenant),
)


@app.lambda_function(name="upload_importer")
def upload_importer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return uploads.handle(event, context, importer)

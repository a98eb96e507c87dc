"""Laatu's Lambda entry points. Wiring only: every rule lives in chalicelib."""

from __future__ import annotations

import logging
from typing import Any

from chalice.app import Chalice

from chalicelib.api import agents, evaluations, forms, me, openapi
from chalicelib.api.http import uniform_errors, utcnow
from chalicelib.domain.periods import to_utc_iso
from chalicelib.events import stream

app = Chalice(app_name="laatu")
app.log.setLevel(logging.INFO)
logging.getLogger("laatu").setLevel(logging.INFO)

for blueprint in (me, forms, evaluations, agents, openapi):
    app.register_blueprint(blueprint.blueprint)
app.register_middleware(uniform_errors, "http")


# Wired to the evaluations table's stream by the template, which also sets
# ReportBatchItemFailures, bisect, the retry limit and the on-failure queue.
@app.lambda_function(name="stream_consumer")
def stream_consumer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return stream.handle(event, agents.store, agents.settings_store, lambda: to_utc_iso(utcnow()))

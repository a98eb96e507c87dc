"""Report cells for history applied before they existed, filled from the heartbeat."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from chalicelib.adapters.backfill_store import BackfillProgress, BackfillStore
from chalicelib.adapters.models import BackfillModel, LedgerModel, ReportCellModel
from chalicelib.services import report_backfill
from chalicelib.services.report_backfill import BackfillStores
from tests.functional.api import Api
from tests.functional.conftest import Clock, StreamReader, deliver
from tests.support import all_answers, evaluation_body, load_app

REPORTS = (
    "compliance?scope=tenant&range=quarter:2026-Q4",
    "compliance?scope=agent:aino&range=month:2026-11",
    "breakdown?scope=tenant&range=month:2026-11&by=channel",
    "breakdown?scope=tenant&range=custom:2026-10-30..2026-11-03&by=evaluator",
)


def reports(api: Api) -> list[Any]:
    out = []
    for path in REPORTS:
        answer = api.call("GET", f"/v1/reports/{path}")
        assert answer.status == 200, answer.body
        out.append({k: v for k, v in answer.body.items() if k != "requests"})
    return out


def forget_report_cells() -> None:
    """The state a deployment had before report cells: none, and ledgers without them."""
    # One table holds every kind of item: a model's scan reads them all.
    for cell in ReportCellModel.scan(ReportCellModel.pk.contains("#CELL#")):
        cell.delete()
    for ledger in LedgerModel.scan(LedgerModel.sk == "APPLIED"):
        contribution = json.loads(ledger.contribution)
        contribution.pop("report", None)
        ledger.contribution = json.dumps(contribution)
        ledger.save()
    forget_progress()


def forget_progress() -> None:
    for marker in BackfillModel.scan(BackfillModel.pk.contains("#BACKFILL")):
        marker.delete()


def backfill() -> BackfillProgress:
    root = load_app().root
    stores = BackfillStores(BackfillStore(), root.evaluations, root.aggregates, root.settings)
    return report_backfill.run(stores, "acme", lambda: "2026-12-01T00:00:00Z", lambda: True)


def test_filled_history_reads_as_if_it_had_always_been_there(
    api: Api, client: Client, stream: StreamReader, clock: Clock, monkeypatch: Any
) -> None:
    monkeypatch.setattr(report_backfill, "PAGE_SIZE", 3)  # several pages, several saves
    form = api.publish()
    answers = all_answers(form)
    ids = []
    for n, (agent, channel, when) in enumerate(
        [
            ("aino", "phone", "2026-10-31T23:30:00+02:00"),
            ("aino", "chat", "2026-11-01T00:30:00+02:00"),
            ("pekka", "email", "2026-11-02T10:00:00+02:00"),
            ("pekka", "phone", "2026-11-15T22:00:00+02:00"),
            ("sari", "social", "2026-11-30T23:59:00+02:00"),
            ("aino", "phone", "2026-11-03T09:00:00+02:00"),
            ("sari", "phone", "2026-12-01T08:00:00+02:00"),
        ]
    ):
        missed = dict.fromkeys(list(answers)[n % 3 : n % 3 + 2], "no")
        body = evaluation_body(
            form, agent_id=agent, occurred_at=when, answers={**answers, **missed}
        )
        body["contact"]["channel"] = channel
        created = api.submit(body, role="evaluator" if n % 2 else "auditor")
        assert created.status == 201, created.body
        ids.append(created.body["evaluation_id"])
    assert deliver(client, stream.read()) == {"batchItemFailures": []}
    applied = reports(api)

    forget_report_cells()
    assert reports(api) != applied  # the reports really lost the history
    progress = backfill()
    assert (progress.done, progress.seen, progress.filled) == (True, 7, 7)
    assert reports(api) == applied
    # Again, and from a marker reset as by a crash before it was saved: nothing more.
    assert backfill().filled == 7  # the saved marker says done: nothing read again
    forget_progress()
    assert backfill().filled == 0
    assert reports(api) == applied

    # An amendment after the fill takes out exactly what the fill put in.
    moved = evaluation_body(
        form, agent_id="sari", occurred_at="2026-11-20T12:00:00+02:00", answers=answers
    )
    assert (
        api.call(
            "PUT", f"/v1/evaluations/{ids[0]}", "auditor", body=moved, headers={"If-Match": '"1"'}
        ).status
        == 200
    )
    assert deliver(client, stream.read()) == {"batchItemFailures": []}
    after_amendment = reports(api)
    assert after_amendment != applied
    forget_report_cells()
    backfill()
    assert reports(api) == after_amendment

"""Report cells for evaluations applied before report cells existed.

Run from the hourly heartbeat until done, one page of a tenant's evaluations at
a time within a time budget, so a deployment with history gets full reports
without anyone starting a migration. Progress is a cursor saved after each page:
a crash repeats at most one page, and filling a revision twice changes nothing
(`aggregation.fill_report`). Once a tenant is done, a beat costs one GetItem.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from chalicelib.adapters.backfill_store import BackfillProgress
from chalicelib.adapters.evaluation_store import Page
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.evaluations import contribution
from chalicelib.domain.pay_periods import Calendar
from chalicelib.services.aggregation import Outcome, fill_report
from chalicelib.services.evaluations import EARLIEST, LATEST
from chalicelib.services.ports import (
    AggregateLedger,
    BackfillMarkers,
    LedgerSnapshot,
    SettingsHistory,
)

log = logging.getLogger("laatu.backfill")

JOB = "report_cells"
PAGE_SIZE = 100


class EvaluationPages(Protocol):
    def by_tenant(
        self, tenant: str, start: str, end: str, limit: int, cursor: str | None
    ) -> Page: ...


@dataclass(frozen=True)
class BackfillStores:
    markers: BackfillMarkers
    evaluations: EvaluationPages
    aggregates: AggregateLedger[LedgerSnapshot]
    settings: SettingsHistory


def run(
    stores: BackfillStores,
    tenant: str,
    now: Callable[[], str],
    time_left: Callable[[], bool],
) -> BackfillProgress:
    """Fill pages while `time_left()`; returns the progress saved."""
    progress = stores.markers.progress(tenant, JOB)
    if progress.done:
        return progress
    calendar = Calendar(stores.settings.revisions(tenant))
    while time_left():
        page = stores.evaluations.by_tenant(tenant, EARLIEST, LATEST, PAGE_SIZE, progress.cursor)
        filled = 0
        for evaluation in page.evaluations:
            try:
                new = contribution(evaluation, calendar)
            except InvalidInput:
                continue  # the stream quarantined it; nothing of it is in any figure
            outcome = fill_report(
                stores.aggregates,
                tenant,
                evaluation.evaluation_id,
                evaluation.revision,
                new,
                now(),
            )
            filled += outcome is Outcome.APPLIED
        progress = BackfillProgress(
            cursor=page.next_cursor,
            done=page.next_cursor is None,
            seen=progress.seen + len(page.evaluations),
            filled=progress.filled + filled,
        )
        stores.markers.save(tenant, JOB, progress, now())
        log.info(
            "report cells of %s: %d evaluations seen, %d filled%s",
            tenant,
            progress.seen,
            progress.filled,
            ", done" if progress.done else "",
        )
        if progress.done:
            break
    return progress

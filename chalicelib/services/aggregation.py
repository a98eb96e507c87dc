"""Scoring on write: fold one stored evaluation revision into the agent's period figures.

Safe to call any number of times with any revision in any order: the ledger
keeps the highest revision applied, and only a newer one changes anything. The
pay aggregates and the report cells move in the same transaction, so a report
never disagrees with what is paid.
"""

from __future__ import annotations

from dataclasses import replace
from enum import Enum

from chalicelib.domain.aggregates import Contribution, move
from chalicelib.domain.report_cells import move_cells
from chalicelib.domain.storage_errors import ConcurrentUpdate
from chalicelib.services.ports import AggregateLedger, SnapshotT

MAX_ATTEMPTS = 8


class Outcome(Enum):
    APPLIED = "applied"
    ALREADY_APPLIED = "already_applied"  # a duplicate, or older than what is applied


def apply_revision(
    store: AggregateLedger[SnapshotT],
    tenant: str,
    evaluation_id: str,
    revision: int,
    new: Contribution,
    now: str,
) -> Outcome:
    for _attempt in range(MAX_ATTEMPTS):
        snapshot = store.read(
            tenant, evaluation_id, new.bucket_keys(), new.report.cell_keys() if new.report else ()
        )
        if snapshot.applied_revision >= revision:
            return Outcome.ALREADY_APPLIED
        old = snapshot.applied_contribution
        before = snapshot.domain_aggregates()
        after = move(before, old, new)
        changed = {key: value for key, value in after.items() if before.get(key) != value}
        cells_before = snapshot.domain_cells()
        cells_after = move_cells(cells_before, None if old is None else old.report, new.report)
        cells = {k: v for k, v in cells_after.items() if cells_before.get(k) != v}
        # Pay figures moved in these periods; an exported one gets a new revision.
        moved = {c.pay_period for c in (old, new) if c is not None and c.counted}
        try:
            store.write(snapshot, revision, new, changed, now, moved, cells)
        except ConcurrentUpdate:
            continue
        return Outcome.APPLIED
    raise ConcurrentUpdate(
        f"evaluation {evaluation_id} revision {revision}: "
        f"still contended after {MAX_ATTEMPTS} attempts"
    )


def fill_report(
    store: AggregateLedger[SnapshotT],
    tenant: str,
    evaluation_id: str,
    revision: int,
    new: Contribution,
    now: str,
) -> Outcome:
    """Put an already applied revision into the report cells, once.

    For revisions the stream applied before report cells existed: their ledger
    entry has no report part, so no cell holds them. The ledger gains the report
    part in the same transaction that adds it to the cells, so a later amendment
    takes out exactly what was put in, and a second fill finds nothing to do. The
    pay aggregates are not touched. A revision the ledger does not hold (the
    stream is behind, or moved on) is left to the stream, which adds the cells of
    whatever it applies.
    """
    if new.report is None:
        return Outcome.ALREADY_APPLIED
    for _attempt in range(MAX_ATTEMPTS):
        snapshot = store.read(tenant, evaluation_id, (), new.report.cell_keys())
        applied = snapshot.applied_contribution
        if applied is None or snapshot.applied_revision != revision or applied.report is not None:
            return Outcome.ALREADY_APPLIED
        before = snapshot.domain_cells()
        after = move_cells(before, None, new.report)
        cells = {key: value for key, value in after.items() if before.get(key) != value}
        try:
            store.write(snapshot, revision, replace(applied, report=new.report), {}, now, (), cells)
        except ConcurrentUpdate:
            continue
        return Outcome.APPLIED
    raise ConcurrentUpdate(
        f"evaluation {evaluation_id} revision {revision}: "
        f"still contended after {MAX_ATTEMPTS} attempts"
    )

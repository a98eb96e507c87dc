"""Scoring on write: fold one stored evaluation revision into the agent's period figures.

Safe to call any number of times with any revision in any order: the ledger
keeps the highest revision applied, and only a newer one changes anything.
"""

from __future__ import annotations

from enum import Enum

from chalicelib.adapters.aggregate_store import AggregateStore, ConcurrentUpdate
from chalicelib.domain.aggregates import Contribution, move

MAX_ATTEMPTS = 8


class Outcome(Enum):
    APPLIED = "applied"
    ALREADY_APPLIED = "already_applied"  # a duplicate, or older than what is applied


def apply_revision(
    store: AggregateStore,
    tenant: str,
    evaluation_id: str,
    revision: int,
    new: Contribution,
    now: str,
) -> Outcome:
    for _attempt in range(MAX_ATTEMPTS):
        snapshot = store.read(tenant, evaluation_id, [(new.agent_id, new.period)])
        if snapshot.applied_revision >= revision:
            return Outcome.ALREADY_APPLIED
        before = snapshot.domain_aggregates()
        after = move(before, snapshot.applied_contribution, new)
        changed = {key: value for key, value in after.items() if before.get(key) != value}
        try:
            store.write(snapshot, revision, new, changed, now)
        except ConcurrentUpdate:
            continue
        return Outcome.APPLIED
    raise ConcurrentUpdate(
        f"evaluation {evaluation_id} revision {revision}: "
        f"still contended after {MAX_ATTEMPTS} attempts"
    )

"""Acknowledging an evaluation: who may, which revision, and when it is overdue.

An agent acknowledges each revision about them that counts (a correction asks
again; their own self-evaluation asks nothing). The tenant may give a deadline:
`acknowledge_within_days` after the revision was written. Without one nothing is
ever overdue, though acknowledging is still asked for.

The deadline is reckoned with the rule in force at the moment asked about (the
tenant's settings now), so one list, one inbox and one evaluation page always
agree on what is overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.aggregates import UNCOUNTED_METHODS
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.permissions import Scope
from chalicelib.domain.principal import Principal


@dataclass(frozen=True)
class Deadline:
    due: datetime | None  # None: the tenant sets no deadline (or nothing is asked)
    overdue: bool


def asks_acknowledgement(evaluation: Evaluation) -> bool:
    """Whether the revision waits for the agent: every counted one does."""
    return evaluation.method not in UNCOUNTED_METHODS


def due_at(revised_at: datetime, within_days: int | None) -> datetime | None:
    """The instant an acknowledgement of a revision written at `revised_at` is due."""
    if within_days is None:
        return None
    return revised_at + timedelta(days=within_days)


def is_overdue(due: datetime | None, acknowledged: bool, now: datetime) -> bool:
    """Overdue once the due instant has passed without an acknowledgement.

    Strictly after: at the due instant itself it is due, not yet late. The same as
    "revised before now minus the days", the index query for overdue ones."""
    return not acknowledged and due is not None and now > due


def deadline(
    evaluation: Evaluation,
    revised_at: datetime,
    acknowledged: bool,
    within_days: int | None,
    now: datetime,
) -> Deadline:
    if not asks_acknowledgement(evaluation):
        return Deadline(None, False)
    due = due_at(revised_at, within_days)
    return Deadline(due, is_overdue(due, acknowledged, now))


def may_acknowledge(
    granted: frozenset[Scope], principal: Principal, evaluation: Evaluation
) -> bool:
    """Only the agent the evaluation is about, acting as an agent (evaluation.acknowledge S)."""
    return (
        Scope.SELF in granted
        and principal.agent_id is not None
        and principal.agent_id == evaluation.agent_id
    )


def check_acknowledgement(
    granted: frozenset[Scope], principal: Principal, evaluation: Evaluation, revision: int
) -> None:
    """Raise why `principal` may not acknowledge `revision` of `evaluation` now.

    Forbidden for anyone but its agent; `nothing_to_acknowledge` for a
    self-evaluation; `stale_revision` for a revision an amendment replaced (the
    agent read an older one and must read the correction first); a revision
    that does not exist yet is an invalid input."""
    if not may_acknowledge(granted, principal, evaluation):
        raise Forbidden("only the agent the evaluation is about acknowledges it")
    if not asks_acknowledgement(evaluation):
        raise Conflict("a self-evaluation needs no acknowledgement", code="nothing_to_acknowledge")
    if revision < evaluation.revision:
        raise Conflict(
            f"revision {revision} was replaced by revision {evaluation.revision}; read it first",
            field="revision",
            code="stale_revision",
        )
    if revision > evaluation.revision:
        raise InvalidInput(
            f"the evaluation has no revision {revision}; its latest is {evaluation.revision}",
            field="revision",
            code="unknown_revision",
        )

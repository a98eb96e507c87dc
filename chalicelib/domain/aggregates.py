"""An agent's figures per bucket, kept up to date one evaluation at a time.

Every stored evaluation revision makes one `Contribution`, counted in two
buckets: the calendar month (what the agent summary reads) and the local day
(from which any pay period is summed). Applying a newer revision of the same
evaluation takes the old contribution out of its buckets and puts the new one
in, so an amendment that changes the agent, the contact time or the answers
moves exactly what it must. The functions are pure; the aggregation service
makes them idempotent and safe under concurrency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from chalicelib.domain.numbers import average
from chalicelib.domain.report_cells import ReportContribution

# Self-evaluations are the agent's own view for coaching; they never count in
# the figures that feed pay.
UNCOUNTED_METHODS = frozenset({"self"})


def criterion_key(form_id: str, criterion_id: str) -> str:
    # Criterion ids are unique within a form only; an agent's month can mix forms.
    return f"{form_id}/{criterion_id}"


@dataclass(frozen=True)
class Contribution:
    agent_id: str
    buckets: tuple[str, ...]  # period labels it counts in: month `2026-11`, day `2026-11-02`
    pay_period: str  # the pay period its day belongs to, for export change tracking
    counted: bool
    score: Decimal | None
    yes: tuple[str, ...]
    no: tuple[str, ...]
    # What it adds to the report cells; None when uncounted, and in ledger entries
    # written before reports existed (their revisions were never in any cell).
    report: ReportContribution | None = None

    def bucket_keys(self) -> list[tuple[str, str]]:
        return [(self.agent_id, bucket) for bucket in self.buckets]

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "buckets": list(self.buckets),
            "pay_period": self.pay_period,
            "counted": self.counted,
            "score": None if self.score is None else str(self.score),
            "yes": list(self.yes),
            "no": list(self.no),
            **({} if self.report is None else {"report": self.report.to_dict()}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Contribution:
        raw_score = data.get("score")
        return cls(
            agent_id=data["agent_id"],
            buckets=tuple(data["buckets"]),
            pay_period=data["pay_period"],
            counted=bool(data["counted"]),
            score=None if raw_score is None else Decimal(str(raw_score)),
            yes=tuple(data.get("yes") or ()),
            no=tuple(data.get("no") or ()),
            report=None
            if data.get("report") is None
            else ReportContribution.from_dict(data["report"]),
        )


def contribution_of(
    *,
    agent_id: str,
    buckets: tuple[str, ...],
    pay_period: str,
    method: str,
    form_id: str,
    answers: Mapping[str, str],
    score: Decimal | None,
    report: ReportContribution | None = None,
) -> Contribution:
    counted = method not in UNCOUNTED_METHODS
    return Contribution(
        agent_id=agent_id,
        buckets=buckets,
        pay_period=pay_period,
        counted=counted,
        score=score if counted else None,
        yes=tuple(sorted(criterion_key(form_id, c) for c, a in answers.items() if a == "yes"))
        if counted
        else (),
        no=tuple(sorted(criterion_key(form_id, c) for c, a in answers.items() if a == "no"))
        if counted
        else (),
        report=report if counted else None,
    )


@dataclass(frozen=True)
class CriterionCounts:
    yes: int = 0
    no: int = 0


@dataclass(frozen=True)
class PeriodAggregate:
    agent_id: str
    period: str
    evaluations: int = 0
    scored: int = 0
    score_sum: Decimal = Decimal(0)
    criteria: Mapping[str, CriterionCounts] = field(default_factory=dict)

    @property
    def average_score(self) -> Decimal | None:
        return average(self.score_sum, self.scored)

    def add(self, contribution: Contribution) -> PeriodAggregate:
        return self._shift(contribution, +1)

    def remove(self, contribution: Contribution) -> PeriodAggregate:
        return self._shift(contribution, -1)

    def _shift(self, contribution: Contribution, sign: int) -> PeriodAggregate:
        if (self.agent_id, self.period) not in contribution.bucket_keys():
            raise ValueError("contribution belongs to another agent or period")
        return _shifted(self, contribution, sign)


def _shifted(aggregate: PeriodAggregate, contribution: Contribution, sign: int) -> PeriodAggregate:
    """`contribution` added (+1) or taken out (-1), whatever bucket `aggregate` sums."""
    if not contribution.counted:
        return aggregate
    criteria = dict(aggregate.criteria)
    for key in contribution.yes:
        old = criteria.get(key, CriterionCounts())
        criteria[key] = CriterionCounts(old.yes + sign, old.no)
    for key in contribution.no:
        old = criteria.get(key, CriterionCounts())
        criteria[key] = CriterionCounts(old.yes, old.no + sign)
    criteria = {k: v for k, v in criteria.items() if v.yes or v.no}
    score = contribution.score
    return replace(
        aggregate,
        evaluations=aggregate.evaluations + sign,
        scored=aggregate.scored + (0 if score is None else sign),
        score_sum=aggregate.score_sum + (0 if score is None else sign * score),
        criteria=criteria,
    )


def move(
    aggregates: Mapping[tuple[str, str], PeriodAggregate],
    old: Contribution | None,
    new: Contribution,
) -> dict[tuple[str, str], PeriodAggregate]:
    """Take `old` out and put `new` in; returns every aggregate that changed."""
    changed = dict(aggregates)

    def current(key: tuple[str, str]) -> PeriodAggregate:
        return changed.get(key) or PeriodAggregate(*key)

    if old is not None:
        for key in old.bucket_keys():
            changed[key] = current(key).remove(old)
    for key in new.bucket_keys():
        changed[key] = current(key).add(new)
    return changed


def combine(agent_id: str, label: str, parts: Iterable[PeriodAggregate]) -> PeriodAggregate:
    """The sum of several buckets (the days of a pay period) as one aggregate."""
    total = PeriodAggregate(agent_id, label)
    criteria: dict[str, CriterionCounts] = {}
    for part in parts:
        total = replace(
            total,
            evaluations=total.evaluations + part.evaluations,
            scored=total.scored + part.scored,
            score_sum=total.score_sum + part.score_sum,
        )
        for key, counts in part.criteria.items():
            old = criteria.get(key, CriterionCounts())
            criteria[key] = CriterionCounts(old.yes + counts.yes, old.no + counts.no)
    return replace(total, criteria=criteria)


def subtract(aggregate: PeriodAggregate, held: Iterable[Contribution]) -> PeriodAggregate:
    """`aggregate` (one bucket, or a period `combine`d from days) without the counted
    contributions in `held`, exactly: what a pay period says of an agent when the
    evaluations under an undecided dispute are held back. Each must be the agent's and
    inside what the aggregate sums (ValueError when taking it out would leave a
    negative count, which only a contribution that was never in it can do)."""
    out = aggregate
    for contribution in held:
        if contribution.agent_id != aggregate.agent_id:
            raise ValueError("contribution belongs to another agent")
        out = _shifted(out, contribution, -1)
        negative = [k for k, c in out.criteria.items() if c.yes < 0 or c.no < 0]
        if out.evaluations < 0 or out.scored < 0 or negative:
            raise ValueError("contribution is not part of the aggregate")
    return out

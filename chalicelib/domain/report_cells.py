"""The figures reports are read from: one agent's cells, kept current on every write.

A counted evaluation revision adds to ten cells of its agent: two buckets (the
local month and the local day of the contact) times five dimensions (`all`, and
one value each of channel, method, shift band and evaluator). A report sums
cells and never reads an evaluation: a month is one cell per agent, any other
range is made of whole months and single days.

Teams are not in the cells. A team's figures are the sum of its members' cells
over the days each was a member, so a corrected membership history is exact at
once, and an agent who moves keeps their past with the team they were in.

Criterion counts are kept per form version (`form/version/criterion`): points
differ between versions, and "the same criterion across versions" is a sum by
id that a report can always make, while the reverse split could not be undone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from chalicelib.domain.numbers import STORED_QUANTUM

DIMENSIONS = ("all", "channel", "method", "shift", "evaluator")
BREAKDOWNS = DIMENSIONS[1:]
ALL_VALUE = "-"
FULL_POINTS = Decimal(100)
YES, NO, NA = 0, 1, 2
ANSWER_INDEX = {"yes": YES, "no": NO, "na": NA}


def version_key(form_id: str, version: int, criterion_id: str) -> str:
    return f"{form_id}/{version}/{criterion_id}"


def split_version_key(key: str) -> tuple[str, int, str]:
    form_id, version, criterion_id = key.split("/", 2)
    return form_id, int(version), criterion_id


def square(score: Decimal) -> Decimal:
    """A score squared, cut to the stored 20 places so a sum stays within DynamoDB's
    38 digits; the error (under 1e-20 a score) is far below any reported digit."""
    with localcontext() as ctx:
        ctx.prec = 60
        return (score * score).quantize(STORED_QUANTUM, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, order=True)
class CellKey:
    bucket: str  # `2026-11` or `2026-11-02`
    dimension: str
    agent_id: str
    value: str


@dataclass(frozen=True)
class ReportContribution:
    """What one counted revision adds to each of its cells."""

    agent_id: str
    buckets: tuple[str, ...]
    values: Mapping[str, str]  # dimension -> value, for every breakdown dimension
    score: Decimal | None
    answers: tuple[tuple[str, int], ...]  # (version key, YES/NO/NA), sorted

    def cell_keys(self) -> list[CellKey]:
        return [
            CellKey(bucket, dimension, self.agent_id, self.value_of(dimension))
            for bucket in self.buckets
            for dimension in DIMENSIONS
        ]

    def value_of(self, dimension: str) -> str:
        return ALL_VALUE if dimension == "all" else self.values[dimension]

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "buckets": list(self.buckets),
            "values": dict(sorted(self.values.items())),
            "score": None if self.score is None else str(self.score),
            "answers": [[key, index] for key, index in self.answers],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReportContribution:
        raw_score = data.get("score")
        return cls(
            agent_id=data["agent_id"],
            buckets=tuple(data["buckets"]),
            values=dict(data["values"]),
            score=None if raw_score is None else Decimal(str(raw_score)),
            answers=tuple((str(key), int(index)) for key, index in data["answers"]),
        )


def report_contribution(
    *,
    agent_id: str,
    buckets: tuple[str, ...],
    channel: str,
    method: str,
    shift: str,
    evaluator: str,
    form_id: str,
    form_version: int,
    answers: Mapping[str, str],
    score: Decimal | None,
) -> ReportContribution:
    return ReportContribution(
        agent_id=agent_id,
        buckets=buckets,
        values={"channel": channel, "method": method, "shift": shift, "evaluator": evaluator},
        score=score,
        answers=tuple(
            sorted(
                (version_key(form_id, form_version, criterion), ANSWER_INDEX[answer])
                for criterion, answer in answers.items()
            )
        ),
    )


@dataclass(frozen=True)
class Cell:
    """Counts and sums of the evaluations in one cell; also the sum of many cells."""

    evaluations: int = 0
    scored: int = 0
    score_sum: Decimal = Decimal(0)
    score_squares: Decimal = Decimal(0)
    full_points: int = 0
    counts: Mapping[str, tuple[int, int, int]] = field(default_factory=dict)

    def add(self, contribution: ReportContribution) -> Cell:
        return self._shift(contribution, +1)

    def remove(self, contribution: ReportContribution) -> Cell:
        return self._shift(contribution, -1)

    def _shift(self, contribution: ReportContribution, sign: int) -> Cell:
        counts = dict(self.counts)
        for key, index in contribution.answers:
            old = list(counts.get(key, (0, 0, 0)))
            old[index] += sign
            counts[key] = (old[0], old[1], old[2])
        score = contribution.score
        return Cell(
            evaluations=self.evaluations + sign,
            scored=self.scored + (0 if score is None else sign),
            score_sum=self.score_sum + (0 if score is None else sign * score),
            score_squares=self.score_squares + (0 if score is None else sign * square(score)),
            full_points=self.full_points + (sign if score == FULL_POINTS else 0),
            counts={key: value for key, value in counts.items() if any(value)},
        )

    def plus(self, other: Cell) -> Cell:
        counts = dict(self.counts)
        for key, (yes, no, na) in other.counts.items():
            old = counts.get(key, (0, 0, 0))
            counts[key] = (old[0] + yes, old[1] + no, old[2] + na)
        return replace(
            self,
            evaluations=self.evaluations + other.evaluations,
            scored=self.scored + other.scored,
            score_sum=self.score_sum + other.score_sum,
            score_squares=self.score_squares + other.score_squares,
            full_points=self.full_points + other.full_points,
            counts=counts,
        )

    @property
    def empty(self) -> bool:
        return self.evaluations == 0


def total(cells: Iterable[Cell]) -> Cell:
    out = Cell()
    for cell in cells:
        out = out.plus(cell)
    return out


def move_cells(
    cells: Mapping[CellKey, Cell],
    old: ReportContribution | None,
    new: ReportContribution | None,
) -> dict[CellKey, Cell]:
    """Take `old` out and put `new` in; returns the cells after the move."""
    changed = dict(cells)
    if old is not None:
        for key in old.cell_keys():
            changed[key] = changed.get(key, Cell()).remove(old)
    if new is not None:
        for key in new.cell_keys():
            changed[key] = changed.get(key, Cell()).add(new)
    return changed

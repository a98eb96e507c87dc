"""Scoring an evaluation against the exact form version it was made with.

Yes earns a criterion's points, No earns none, N/A leaves the calculation.
Unweighted: 100 × Σ yes-points / Σ applicable points. Weighted (every section
has a weight): Σ weight × section ratio / Σ weight, over the sections that
have applicable points, × 100. A No on a critical criterion makes the overall
score 0. All N/A: not scorable (None). Values are exact `Fraction`s; rounding
happens only when reported (see numbers.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.forms import Form

Answer = Literal["yes", "no", "na"]
ANSWERS: tuple[Answer, ...] = ("yes", "no", "na")
HUNDRED = Fraction(100)


@dataclass(frozen=True)
class SectionScore:
    section_id: str
    yes_points: int
    applicable_points: int

    @property
    def value(self) -> Fraction | None:
        if self.applicable_points == 0:
            return None
        return HUNDRED * self.yes_points / self.applicable_points


@dataclass(frozen=True)
class Score:
    overall: Fraction | None
    sections: tuple[SectionScore, ...]
    failed_critical: tuple[str, ...]
    yes_points: int
    applicable_points: int

    @property
    def scorable(self) -> bool:
        return self.overall is not None


def check_answers(
    form: Form, answers: Mapping[str, str], comments: Mapping[str, str] | None = None
) -> None:
    """Every criterion answered, nothing unknown, N/A only where allowed."""
    known = {criterion.id: criterion for criterion in form.criteria()}
    for criterion_id in answers:
        if criterion_id not in known:
            raise InvalidInput(
                f"'{criterion_id}' is not a criterion of form {form.form_id}",
                field=f"answers.{criterion_id}",
                code="unknown_criterion",
            )
    for criterion_id, criterion in known.items():
        answer = answers.get(criterion_id)
        if answer is None:
            raise InvalidInput(
                f"criterion '{criterion_id}' has no answer",
                field=f"answers.{criterion_id}",
                code="missing_answer",
            )
        if answer not in ANSWERS:
            raise InvalidInput(
                f"answer to '{criterion_id}' must be yes, no or na",
                field=f"answers.{criterion_id}",
            )
        if answer == "na" and not criterion.na_allowed:
            raise InvalidInput(
                f"criterion '{criterion_id}' cannot be skipped (N/A is not allowed)",
                field=f"answers.{criterion_id}",
                code="na_not_allowed",
            )
    for criterion_id in comments or {}:
        if criterion_id not in known:
            raise InvalidInput(
                f"'{criterion_id}' is not a criterion of form {form.form_id}",
                field=f"comments.{criterion_id}",
                code="unknown_criterion",
            )


def score(form: Form, answers: Mapping[str, str]) -> Score:
    """Score answers that `check_answers` accepted."""
    sections: list[SectionScore] = []
    failed_critical: list[str] = []
    for section in form.sections:
        yes = applicable = 0
        for criterion in section.criteria:
            answer = answers[criterion.id]
            if answer == "na":
                continue
            applicable += criterion.points
            if answer == "yes":
                yes += criterion.points
            elif criterion.critical:
                failed_critical.append(criterion.id)
        sections.append(SectionScore(section.id, yes, applicable))

    yes_total = sum(s.yes_points for s in sections)
    applicable_total = sum(s.applicable_points for s in sections)
    overall = _overall(form, sections, applicable_total, yes_total)
    if overall is not None and failed_critical:
        overall = Fraction(0)
    return Score(
        overall=overall,
        sections=tuple(sections),
        failed_critical=tuple(failed_critical),
        yes_points=yes_total,
        applicable_points=applicable_total,
    )


def _overall(
    form: Form, sections: list[SectionScore], applicable_total: int, yes_total: int
) -> Fraction | None:
    if applicable_total == 0:
        return None
    if not form.weighted:
        return HUNDRED * yes_total / applicable_total
    weighted_sum = Fraction(0)
    weight_total = Fraction(0)
    for section, result in zip(form.sections, sections, strict=True):
        if result.applicable_points == 0:
            continue
        assert section.weight is not None  # parse_form guarantees all or none
        weight = Fraction(section.weight)
        weighted_sum += weight * Fraction(result.yes_points, result.applicable_points)
        weight_total += weight
    return HUNDRED * weighted_sum / weight_total

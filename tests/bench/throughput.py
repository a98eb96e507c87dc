"""Scoring throughput: chalicelib.domain.scoring against a plain integer loop.

Both run over the same answer sets in the same process. `score()` is timed as
the write path uses it, `check_answers` then `score`; the baseline is the
plainest correct unweighted score, 100 x yes points / applicable points on
ints. Each figure is the best of REPEATS passes, timed with perf_counter.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from chalicelib.domain.forms import Form
from chalicelib.domain.scoring import check_answers, score
from tests.bench.forms import answer_sets, bench_form

REPEATS = 5
ANSWER_SETS = 20_000

Answers = Mapping[str, str]


@dataclass(frozen=True)
class Throughput:
    label: str
    criteria: int
    answer_sets: int
    repeats: int
    score_per_s: float
    baseline_per_s: float

    @property
    def ratio(self) -> float:
        """How many times faster the plain loop is than check_answers + score."""
        return self.baseline_per_s / self.score_per_s


def plain_loop(points: Sequence[tuple[str, int]]) -> Callable[[Answers], float | None]:
    def overall(answers: Answers) -> float | None:
        yes = applicable = 0
        for criterion_id, value in points:
            answer = answers[criterion_id]
            if answer == "na":
                continue
            applicable += value
            if answer == "yes":
                yes += value
        return 100 * yes / applicable if applicable else None

    return overall


def _best_rate(work: Callable[[], None], count: int) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return count / best


def _check_baseline(form: Form, sets: Sequence[Answers]) -> None:
    """The baseline computes the same thing as score() where the two are comparable."""
    baseline = plain_loop([(c.id, c.points) for c in form.criteria()])
    for answers in sets[:200]:
        result = score(form, answers)
        if not result.failed_critical and result.overall is not None:
            expected = baseline(answers)
            assert expected is not None
            assert abs(float(result.overall) - expected) < 1e-9
            assert result.overall == Fraction(100 * result.yes_points, result.applicable_points)


def measure(form: Form, label: str, count: int = ANSWER_SETS) -> Throughput:
    sets = answer_sets(form, count)
    baseline = plain_loop([(c.id, c.points) for c in form.criteria()])
    if not form.weighted:
        _check_baseline(form, sets)

    def with_domain() -> None:
        for answers in sets:
            check_answers(form, answers)
            score(form, answers)

    def with_loop() -> None:
        for answers in sets:
            baseline(answers)

    return Throughput(
        label=label,
        criteria=sum(1 for _ in form.criteria()),
        answer_sets=count,
        repeats=REPEATS,
        score_per_s=_best_rate(with_domain, count),
        baseline_per_s=_best_rate(with_loop, count),
    )


def run_throughput() -> list[Throughput]:
    return [
        measure(bench_form(weighted=False), "50 criteria, unweighted"),
        measure(bench_form(weighted=True), "50 criteria, weighted sections (0.5 to 3)"),
    ]

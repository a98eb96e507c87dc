"""An agent's period figures, kept one evaluation at a time."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.aggregates import (
    Contribution,
    CriterionCounts,
    PeriodAggregate,
    contribution_of,
    criterion_key,
    move,
)
from tests.unit.strategies import PROPERTY

AGENT = "agent-1"
PERIOD = "2026-11"
CRITERIA = ("greet", "identify", "summary", "thanks")

scores: st.SearchStrategy[Decimal | None] = st.one_of(
    st.none(),
    st.decimals(min_value=0, max_value=100, places=20, allow_nan=False, allow_infinity=False),
)


@st.composite
def contributions(draw: st.DrawFn, agent_id: str = AGENT, period: str = PERIOD) -> Contribution:
    answers = {c: draw(st.sampled_from(("yes", "no", "na"))) for c in CRITERIA}
    return contribution_of(
        agent_id=agent_id,
        buckets=(period,),
        pay_period=period,
        method=draw(st.sampled_from(("live", "recording", "external", "self"))),
        form_id=draw(st.sampled_from(("form-a", "form-b"))),
        answers=answers,
        score=draw(scores),
    )


def aggregate_of(items: list[Contribution]) -> PeriodAggregate:
    aggregate = PeriodAggregate(AGENT, PERIOD)
    for item in items:
        aggregate = aggregate.add(item)
    return aggregate


def live(
    answers: dict[str, str], score: str | None, *, period: str = PERIOD, agent_id: str = AGENT
) -> Contribution:
    return contribution_of(
        agent_id=agent_id,
        buckets=(period,),
        pay_period=period,
        method="live",
        form_id="form-a",
        answers=answers,
        score=None if score is None else Decimal(score),
    )


def test_contribution_of_keys_criteria_by_form() -> None:
    c = live({"greet": "yes", "thanks": "no", "summary": "na", "identify": "yes"}, "50")
    assert c.counted
    assert c.yes == ("form-a/greet", "form-a/identify")
    assert c.no == ("form-a/thanks",)
    assert c.score == Decimal(50)
    assert criterion_key("form-a", "greet") == "form-a/greet"


def test_add_counts_evaluations_scores_and_criteria() -> None:
    aggregate = aggregate_of(
        [
            live({"greet": "yes", "thanks": "no"}, "50"),
            live({"greet": "no", "thanks": "no"}, "0"),
            live({"greet": "na", "thanks": "na"}, None),
        ]
    )
    assert aggregate.evaluations == 3
    assert aggregate.scored == 2
    assert aggregate.score_sum == Decimal(50)
    assert aggregate.average_score == Decimal(25)
    assert aggregate.criteria == {
        "form-a/greet": CriterionCounts(yes=1, no=1),
        "form-a/thanks": CriterionCounts(yes=0, no=2),
    }


def test_remove_takes_out_exactly_what_add_put_in() -> None:
    first = live({"greet": "yes"}, "100")
    second = live({"greet": "no", "thanks": "yes"}, "50")
    aggregate = aggregate_of([first, second]).remove(first)
    assert aggregate.evaluations == 1
    assert aggregate.scored == 1
    assert aggregate.average_score == Decimal(50)
    assert aggregate.criteria == {
        "form-a/greet": CriterionCounts(yes=0, no=1),
        "form-a/thanks": CriterionCounts(yes=1, no=0),
    }


def test_removing_the_last_evaluation_leaves_an_empty_aggregate() -> None:
    only = live({"greet": "yes", "thanks": "no"}, "50")
    aggregate = PeriodAggregate(AGENT, PERIOD).add(only).remove(only)
    assert aggregate == PeriodAggregate(AGENT, PERIOD)
    assert aggregate.criteria == {}
    assert aggregate.average_score is None


def test_a_contribution_of_another_agent_or_period_is_refused() -> None:
    aggregate = PeriodAggregate(AGENT, PERIOD)
    with pytest.raises(ValueError, match="another agent or period"):
        aggregate.add(live({"greet": "yes"}, "100", period="2026-12"))
    with pytest.raises(ValueError, match="another agent or period"):
        aggregate.remove(live({"greet": "yes"}, "100", agent_id="agent-2"))


def test_self_evaluations_never_count() -> None:
    own = contribution_of(
        agent_id=AGENT,
        buckets=(PERIOD,),
        pay_period=PERIOD,
        method="self",
        form_id="form-a",
        answers={"greet": "yes", "thanks": "no"},
        score=Decimal(50),
    )
    assert not own.counted
    assert own.score is None
    assert own.yes == own.no == ()

    base = aggregate_of([live({"greet": "yes"}, "100")])
    assert base.add(own) == base
    assert base.remove(own) == base


@PROPERTY
@given(st.lists(contributions(), max_size=6), contributions())
def test_add_then_remove_returns_the_original(
    existing: list[Contribution], extra: Contribution
) -> None:
    base = aggregate_of(existing)
    assert base.add(extra).remove(extra) == base


@PROPERTY
@given(st.lists(contributions(), max_size=6), st.randoms(use_true_random=False))
def test_order_of_adding_does_not_matter(items: list[Contribution], rng: random.Random) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)
    assert aggregate_of(shuffled) == aggregate_of(items)


@PROPERTY
@given(st.lists(contributions(), max_size=8))
def test_aggregate_counts_only_counted_contributions(items: list[Contribution]) -> None:
    aggregate = aggregate_of(items)
    counted = [c for c in items if c.counted]
    assert aggregate.evaluations == len(counted)
    assert aggregate.scored == sum(1 for c in counted if c.score is not None)
    assert aggregate.score_sum == sum((c.score or Decimal(0) for c in counted), Decimal(0))
    for key, counts in aggregate.criteria.items():
        assert counts.yes == sum(key in c.yes for c in counted)
        assert counts.no == sum(key in c.no for c in counted)
    assert all(counts.yes or counts.no for counts in aggregate.criteria.values())


def test_move_of_a_first_revision_only_adds() -> None:
    new = live({"greet": "yes"}, "100")
    changed = move({}, None, new)
    assert changed == {(AGENT, PERIOD): PeriodAggregate(AGENT, PERIOD).add(new)}


def test_move_of_an_amendment_that_changes_period_moves_the_counts() -> None:
    old = live({"greet": "yes", "thanks": "no"}, "50", period="2026-10")
    new = live({"greet": "yes", "thanks": "yes"}, "100", period="2026-11")
    october = PeriodAggregate(AGENT, "2026-10").add(old)
    other = live({"greet": "no"}, "0", period="2026-10")
    october = october.add(other)

    changed = move({(AGENT, "2026-10"): october}, old, new)

    assert changed[(AGENT, "2026-10")] == PeriodAggregate(AGENT, "2026-10").add(other)
    assert changed[(AGENT, "2026-10")].evaluations == 1
    november = changed[(AGENT, "2026-11")]
    assert november.evaluations == 1
    assert november.average_score == Decimal(100)
    assert november.criteria == {
        "form-a/greet": CriterionCounts(yes=1, no=0),
        "form-a/thanks": CriterionCounts(yes=1, no=0),
    }


def test_move_of_an_amendment_that_changes_agent_moves_the_counts() -> None:
    old = live({"greet": "no"}, "0", agent_id="agent-1")
    new = live({"greet": "no"}, "0", agent_id="agent-2")
    start = {("agent-1", PERIOD): PeriodAggregate("agent-1", PERIOD).add(old)}

    changed = move(start, old, new)

    assert changed[("agent-1", PERIOD)] == PeriodAggregate("agent-1", PERIOD)
    assert changed[("agent-2", PERIOD)] == PeriodAggregate("agent-2", PERIOD).add(new)


def test_move_within_the_same_period_replaces_the_contribution() -> None:
    old = live({"greet": "no"}, "0")
    new = live({"greet": "yes"}, "100")
    start = {(AGENT, PERIOD): PeriodAggregate(AGENT, PERIOD).add(old)}

    changed = move(start, old, new)

    assert changed == {(AGENT, PERIOD): PeriodAggregate(AGENT, PERIOD).add(new)}


@PROPERTY
@given(
    st.lists(contributions(period="2026-10"), max_size=4),
    contributions(period="2026-10"),
    st.sampled_from(("2026-10", "2026-11")),
    contributions(period="2026-11"),
)
def test_move_equals_removing_old_and_adding_new(
    others: list[Contribution],
    old: Contribution,
    new_period: str,
    new_template: Contribution,
) -> None:
    new = Contribution(
        agent_id=AGENT,
        buckets=(new_period,),
        pay_period=new_period,
        counted=new_template.counted,
        score=new_template.score,
        yes=new_template.yes,
        no=new_template.no,
    )
    october = PeriodAggregate(AGENT, "2026-10")
    for item in [*others, old]:
        october = october.add(item)

    changed = move({(AGENT, "2026-10"): october}, old, new)

    everything_else = PeriodAggregate(AGENT, "2026-10")
    for item in others:
        everything_else = everything_else.add(item)
    if new_period == "2026-10":
        assert changed[(AGENT, "2026-10")] == everything_else.add(new)
    else:
        assert changed[(AGENT, "2026-10")] == everything_else
        assert changed[(AGENT, "2026-11")] == PeriodAggregate(AGENT, "2026-11").add(new)


def test_contribution_round_trips_through_a_dict() -> None:
    c = live({"greet": "yes", "thanks": "no"}, "66.66666666666666666667")
    assert Contribution.from_dict(c.to_dict()) == c
    assert c.to_dict()["score"] == "66.66666666666666666667"
    empty = live({"greet": "na"}, None)
    assert Contribution.from_dict(empty.to_dict()) == empty

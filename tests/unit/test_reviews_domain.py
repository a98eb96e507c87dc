"""The coaching review's rules (domain/reviews.py): states, the blind rule, opening,
what exists beside the record, and the side-by-side comparison.

The property tests drive any sequence of submissions by any of five people (and
heartbeats) against a model written here from the rules as the issue states them,
not from the code under test."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import reviews as rules
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.evaluations import build_evaluation
from chalicelib.domain.forms import parse_form
from chalicelib.domain.inbox import LEADER_EVALUATE, SELF_EVALUATE, agent_owner, user_owner
from chalicelib.domain.reviews import Review, Side, StartFacts, Viewer
from tests.unit.strategies import PROPERTY, FormDict, all_criteria, answers_for, form_dicts

START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
DAYS = 7
CONTACT = {"channel": "chat", "id": "c-1", "occurred_at": "2026-10-30T10:00:00+02:00"}

AGENT = Viewer("aino.k", "aino")
LEADER = Viewer("leena")
ADMIN = Viewer("maija")
OTHER_AGENT = Viewer("bert.b", "bert")
OTHER_LEADER = Viewer("olli")
PEOPLE = (AGENT, LEADER, ADMIN, OTHER_AGENT, OTHER_LEADER)
# What only a side's author may read before the review opens.
SECRETS = {rules.SELF: "SELF-SECRET", rules.LEADER: "LEADER-SECRET"}
BARE_SIDE = {"submitted_at", "submitted_by", "evaluation_id", "method"}


def new(form: FormDict) -> Review:
    return rules.new_review(
        review_id="r-1",
        agent_id="aino",
        leader="leena",
        form_id=form["form_id"],
        form_version=1,
        contact=CONTACT,
        created_by="leena",
        now=START,
        self_evaluation_days=DAYS,
    )


def side_of(
    form: FormDict, review: Review, side: str, who: Viewer, answers: dict[str, str], now: datetime
) -> Side:
    content: dict[str, Any] = {
        "answers": answers,
        "summary": SECRETS[side],
        "comments": {all_criteria(form)[0]["id"]: f"{SECRETS[side]}-comment"},
    }
    if side == rules.LEADER:
        content["method"] = "live"
    at = now.isoformat()
    evaluation = build_evaluation(
        body=rules.side_body(review, side, content),
        form=parse_form(form),
        evaluation_id=rules.evaluation_id_of(review.review_id, side),
        revision=1,
        actor=who.user,
        now=at,
        review_id=review.review_id,
    )
    return Side(submitted_at=at, submitted_by=who.user, evaluation=evaluation)


@dataclass
class Model:
    """The rules as the issue states them, kept apart from the code."""

    self_in: bool = False
    leader_in: bool = False
    opened_at: datetime | None = None
    openings: int = 0
    inbox: set[tuple[str, str]] = field(default_factory=set)
    sealed: bool = False

    def due(self, now: datetime) -> bool:
        deadline = START + timedelta(days=DAYS)
        return self.opened_at is None and self.leader_in and (self.self_in or now >= deadline)

    def open(self, now: datetime) -> None:
        self.opened_at = now
        self.openings += 1

    def expected_inbox(self) -> set[tuple[str, str]]:
        out = set()
        if not self.self_in and self.opened_at is None:
            out.add((agent_owner("aino"), SELF_EVALUATE))
        if not self.leader_in:
            out.add((user_owner("leena"), LEADER_EVALUATE))
        return out


def apply_write(model: Model, before: Review | None, after: Review, now: datetime) -> Review:
    """What a store would do with the write: the record, the inbox, the pointer."""
    write = rules.write_of(before, after, now)
    assert write.expected_version == (None if before is None else before.version)
    assert write.review.version == (1 if before is None else before.version + 1)
    assert write.new_sides == tuple(
        name
        for name in rules.SIDES
        if after.side(name) is not None and (before is None or before.side(name) is None)
    )
    for todo in write.put_todos:
        assert (todo.owner, todo.kind) not in model.inbox
        model.inbox.add((todo.owner, todo.kind))
        assert todo.ref == "r-1"
        assert todo.due == (write.review.self_due if todo.kind == SELF_EVALUATE else None)
    for owner, kind, ref in write.delete_todos:
        assert ref == "r-1"
        model.inbox.remove((owner, kind))
    if write.seal is not None:
        assert write.seal != model.sealed
        model.sealed = write.seal
    return write.review


def check_views(model: Model, review: Review, form: FormDict) -> None:
    for person in PEOPLE:
        view = rules.view_of(review, person, parse_form(form))
        dumped = json.dumps(view)
        assert view["state"] == review.state
        for side, key in ((rules.SELF, "self"), (rules.LEADER, "leader_side")):
            shown = view[key]
            is_in = model.self_in if side == rules.SELF else model.leader_in
            assert (shown is not None) == is_in
            if shown is None:
                continue
            author = person == (AGENT if side == rules.SELF else LEADER)
            if model.opened_at is None and not author:
                # Blind: that it is in and when, nothing of what it says.
                assert set(shown) == BARE_SIDE
                assert shown["evaluation_id"] is None
                assert SECRETS[side] not in dumped
            else:
                assert set(shown) == BARE_SIDE | set(rules.SEALED_FIELDS)
                assert shown["summary"] == SECRETS[side]
                assert (shown["evaluation_id"] is not None) == (model.opened_at is not None)


steps = st.lists(
    st.tuples(
        st.sampled_from(("submit", "submit", "heartbeat")),
        st.sampled_from((AGENT, AGENT, LEADER, LEADER, *PEOPLE)),
        st.sampled_from(rules.SIDES),
        st.integers(min_value=0, max_value=5 * 24 * 60),  # minutes that pass first
    ),
    max_size=12,
)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[FormDict, dict[str, dict[str, str]], list[Any]]:
    form = draw(form_dicts(max_sections=3, max_criteria=4))
    answers = {side: draw(answers_for(form)) for side in rules.SIDES}
    return form, answers, draw(steps)


@PROPERTY
@given(scenarios())
def test_any_order_by_anyone_keeps_sides_blind_and_opens_exactly_once(
    scenario: tuple[FormDict, dict[str, dict[str, str]], list[Any]],
) -> None:
    form, answers, plan = scenario
    model = Model()
    review = apply_write(model, None, new(form), START)
    assert review.state == rules.AWAITING_BOTH
    now = START
    for action, person, side, minutes in plan:
        now += timedelta(minutes=minutes)
        if model.due(now):
            # The heartbeat, or the service before any submission: a due review opens.
            assert rules.due_to_open(review, now)
            model.open(now)
            review = apply_write(model, review, rules.open_review(review, now), now)
        else:
            assert not rules.due_to_open(review, now)
            with pytest.raises(Conflict):
                rules.open_review(review, now)
        if action == "submit":
            author = person == (AGENT if side == rules.SELF else LEADER)
            already = model.self_in if side == rules.SELF else model.leader_in
            submitted = side_of(form, review, side, person, answers[side], now)
            after: Review | None = None
            try:
                rules.check_submitter(review, side, person)
                after = rules.submit(review, side, submitted, now)
                outcome = "stored"
            except Forbidden:
                outcome = "forbidden"
            except Conflict as refused:
                outcome = refused.code
            if not author:
                assert outcome == "forbidden"
            elif model.opened_at is not None:
                assert outcome == "review_open"
            elif already:
                assert outcome == "side_submitted"
            else:
                assert outcome == "stored"
                assert after is not None
                if side == rules.SELF:
                    model.self_in = True
                else:
                    model.leader_in = True
                if model.due(now):
                    model.open(now)
                review = apply_write(model, review, after, now)
        assert review.is_open == (model.opened_at is not None)
        if model.opened_at is not None:
            assert review.opened_at == model.opened_at.isoformat().replace("+00:00", "Z")
            assert review.opened_without_self == (not model.self_in)
        assert model.openings <= 1
        assert model.inbox == model.expected_inbox()
        assert model.sealed == (model.leader_in and not model.self_in and not review.is_open)
        assert model.sealed == rules.is_sealed(review)
        expected_state = (
            rules.OPEN
            if review.is_open
            else {
                (False, False): rules.AWAITING_BOTH,
                (False, True): rules.AWAITING_SELF,
                (True, False): rules.AWAITING_LEADER,
            }[(model.self_in, model.leader_in)]
        )
        assert review.state == expected_state
        check_views(model, review, form)
        # The stored shape reads back as the same review.
        assert Review.from_dict(json.loads(json.dumps(review.to_dict()))) == review


@PROPERTY
@given(st.data())
def test_the_comparison_counts_what_an_independent_recount_counts(data: st.DataObject) -> None:
    form = data.draw(form_dicts(max_sections=4, max_criteria=5))
    mine, theirs = data.draw(answers_for(form)), data.draw(answers_for(form))
    review = new(form)
    with_self = rules.submit(
        review, rules.SELF, side_of(form, review, rules.SELF, AGENT, mine, START), START
    )
    opened = rules.submit(
        with_self,
        rules.LEADER,
        side_of(form, review, rules.LEADER, LEADER, theirs, START),
        START,
    )
    assert opened.is_open
    comparison = rules.view_of(opened, ADMIN, parse_form(form))["comparison"]
    criteria = all_criteria(form)
    assert [row["criterion_id"] for row in comparison["criteria"]] == [c["id"] for c in criteria]
    assert comparison["differing"] == sum(1 for c in criteria if mine[c["id"]] != theirs[c["id"]])
    for row, criterion in zip(comparison["criteria"], criteria, strict=True):
        assert (row["self"], row["leader"]) == (mine[criterion["id"]], theirs[criterion["id"]])
        assert row["differs"] == (mine[criterion["id"]] != theirs[criterion["id"]])
        assert (row["text"], row["points"]) == (criterion["text"], criterion["points"])
    # Each side's score is that side's own evaluation's, as the API shows it.
    view = rules.view_of(opened, AGENT, parse_form(form))
    assert comparison["self_score"] == view["self"]["score"]["overall"]
    assert comparison["leader_score"] == view["leader_side"]["score"]["overall"]


def test_the_opened_evaluations_are_made_when_it_opens() -> None:
    form = {
        "form_id": "f",
        "name": "F",
        "sections": [{"id": "s", "title": "S", "criteria": [{"id": "c", "text": "C"}]}],
    }
    review = new(form)
    leader_at = START + timedelta(hours=1)
    sealed = rules.submit(
        review,
        rules.LEADER,
        side_of(form, review, rules.LEADER, LEADER, {"c": "no"}, leader_at),
        leader_at,
    )
    opened_at = START + timedelta(days=DAYS, minutes=30)
    opened = rules.open_review(sealed, opened_at)
    [evaluation] = rules.opened_evaluations(opened)
    assert evaluation.created_at == evaluation.revised_at == "2026-11-08T08:30:00Z"
    assert (evaluation.method, evaluation.evaluator, evaluation.review_id) == (
        "live",
        "leena",
        "r-1",
    )
    assert evaluation.evaluation_id == rules.evaluation_id_of("r-1", rules.LEADER)
    assert rules.evaluation_id_of("r-1", rules.SELF) != evaluation.evaluation_id
    assert rules.view_of(opened, AGENT, parse_form(form))["comparison"] is None


def test_both_sides_in_is_never_a_state_short_of_open() -> None:
    form = {
        "form_id": "f",
        "name": "F",
        "sections": [{"id": "s", "title": "S", "criteria": [{"id": "c", "text": "C"}]}],
    }
    review = new(form)
    side = side_of(form, review, rules.SELF, AGENT, {"c": "yes"}, START)
    other = side_of(form, review, rules.LEADER, LEADER, {"c": "yes"}, START)
    with pytest.raises(ValueError, match="both sides"):
        Review(**{**review.__dict__, "self_side": side, "leader_side": other})
    with pytest.raises(ValueError, match="without the leader"):
        Review(**{**review.__dict__, "opened_at": "2026-11-02T00:00:00Z"})


def test_a_side_names_its_method_only_on_the_leaders_side() -> None:
    review = new({"form_id": "f"})
    with pytest.raises(InvalidInput) as self_method:
        rules.side_body(review, rules.SELF, {"answers": {"c": "yes"}, "method": "live"})
    assert self_method.value.field == "method"
    for method in (None, "self", "external"):
        content: dict[str, Any] = {"answers": {"c": "yes"}}
        if method is not None:
            content["method"] = method
        with pytest.raises(InvalidInput) as leader_method:
            rules.side_body(review, rules.LEADER, content)
        assert leader_method.value.field == "method"
    body = rules.side_body(review, rules.SELF, {"answers": {"c": "yes"}, "summary": "s"})
    assert (body["method"], body["agent_id"], body["summary"]) == ("self", "aino", "s")
    assert body["contact"] == CONTACT


LEADERS = ("leena", "lasse")


@pytest.mark.parametrize(
    ("facts", "requested", "expected"),
    [
        # An agent: the first leader of their team, or one of its leaders.
        (StartFacts("aino.k", False, False, True, LEADERS), None, "leena"),
        (StartFacts("aino.k", False, False, True, LEADERS), "lasse", "lasse"),
        (StartFacts("aino.k", False, False, True, LEADERS), "olli", InvalidInput),
        (StartFacts("aino.k", False, False, True, ()), None, InvalidInput),
        # A team leader: themselves.
        (StartFacts("lasse", False, True, False, LEADERS), None, "lasse"),
        (StartFacts("lasse", False, True, False, LEADERS), "lasse", "lasse"),
        (StartFacts("lasse", False, True, False, LEADERS), "leena", Forbidden),
        # An admin: names one of the team's leaders, or themselves.
        (StartFacts("maija", True, False, False, LEADERS), None, InvalidInput),
        (StartFacts("maija", True, False, False, LEADERS), "leena", "leena"),
        (StartFacts("maija", True, False, False, LEADERS), "maija", "maija"),
        (StartFacts("maija", True, False, False, LEADERS), "olli", InvalidInput),
        # Several roles: whichever allows it.
        (StartFacts("maija", True, True, False, LEADERS), None, "maija"),
        (StartFacts("maija", True, True, False, LEADERS), "leena", "leena"),
        (StartFacts("pat", False, True, True, LEADERS), "leena", "leena"),
        (StartFacts("pat", False, True, True, LEADERS), "olli", InvalidInput),
        (StartFacts("aino.k", True, False, True, LEADERS), None, "leena"),
    ],
)
def test_the_leader_of_a_new_review(
    facts: StartFacts, requested: str | None, expected: Any
) -> None:
    if isinstance(expected, str):
        assert rules.choose_leader(facts, requested) == expected
    else:
        with pytest.raises(expected) as refused:
            rules.choose_leader(facts, requested)
        assert refused.value.field == "leader"

"""The dispute rules (domain/disputes.py): random sequences of actions by random people
never make an illegal state, a decided dispute never changes again, and the history
records each change with who and when; the window and review deadlines at their edges;
the request bodies as the OpenAPI document shows them."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import schemas
from chalicelib.domain import disputes as rules
from chalicelib.domain.disputes import Actor, Dispute, Terms
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, LaatuError
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.evaluations import build_evaluation
from chalicelib.domain.forms import parse_form
from tests.support import all_answers, demo_form, evaluation_body
from tests.unit.strategies import PROPERTY

FORM = demo_form()
CRITERIA = [c["id"] for s in FORM["sections"] for c in s["criteria"]]
MADE = "2026-11-02T13:00:00Z"  # Monday 15:00 in Helsinki
HELSINKI = "Europe/Helsinki"
WEEK = Terms(7, HELSINKI)
FIVE_DAYS = Terms(5, HELSINKI)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def evaluation(method: str = "recording", **changes: Any) -> Evaluation:
    made = build_evaluation(
        body=evaluation_body(FORM, agent_id="aino", method=method),
        form=parse_form(FORM),
        evaluation_id="ev-1",
        revision=1,
        actor="eero",
        now=MADE,
    )
    return replace(made, **changes)


# The people of the sequences: what each may do is decided by the rules, never here.
AGENT = Actor("aino.user", "aino", reaches_agent=True, decides=False)
LEADER = Actor("tiina", None, reaches_agent=True, decides=False)
OTHER_LEADER = Actor("olli", None, reaches_agent=False, decides=False)
OTHER_AGENT = Actor("bert.user", "bert", reaches_agent=False, decides=False)
ADMIN = Actor("maija", None, reaches_agent=True, decides=True)
SECOND_ADMIN = Actor("ville", None, reaches_agent=True, decides=True)
EVALUATOR_ADMIN = Actor("eero", None, reaches_agent=True, decides=True)  # wrote revision 1
REVISER_ADMIN = Actor("rauni", None, reaches_agent=True, decides=True)  # wrote the current one
AGENT_ADMIN = Actor("aino.admin", "aino", reaches_agent=True, decides=True)  # the agent, too
PEOPLE = (
    AGENT,
    LEADER,
    OTHER_LEADER,
    OTHER_AGENT,
    ADMIN,
    SECOND_ADMIN,
    EVALUATOR_ADMIN,
    REVISER_ADMIN,
    AGENT_ADMIN,
)
CURRENT = evaluation(revision=2, revised_by="rauni", revised_at="2026-11-02T14:00:00Z")


def opened(by: Actor = AGENT, criteria: tuple[str, ...] = ()) -> Dispute:
    return rules.open_dispute(
        dispute_id="d-1",
        evaluation=CURRENT,
        actor=by,
        reason="Varmistin ratkaisun.",
        criteria=criteria,
        form_criteria=CRITERIA,
        now=at("2026-11-03T08:00:00Z"),
        window=WEEK,
        review=FIVE_DAYS,
    )


@dataclass(frozen=True)
class Step:
    action: str  # review | upheld | rejected | withdraw
    actor: Actor
    minutes: int  # after the previous step


steps = st.builds(
    Step,
    action=st.sampled_from(("review", "upheld", "rejected", "withdraw")),
    actor=st.sampled_from(PEOPLE),
    minutes=st.integers(min_value=0, max_value=3000),
)


def apply(dispute: Dispute, step: Step, now: datetime) -> Dispute:
    if step.action == "review":
        return rules.take_into_review(dispute, step.actor, CURRENT, now)
    if step.action == "withdraw":
        return rules.withdraw(dispute, step.actor, now)
    revision = CURRENT.revision + 1 if step.action == rules.UPHELD else None
    return rules.decide(
        dispute,
        step.actor,
        CURRENT,
        outcome=step.action,
        reason="Tallenteelta tarkistettu.",
        now=now,
        revision=revision,
    )


def impartial(actor: Actor) -> bool:
    return actor.user not in {"eero", "rauni"} and actor.agent_id != "aino"


def legal_move(dispute: Dispute, step: Step) -> bool:
    """The state machine and who may move it, written out again from the issue."""
    actor = step.actor
    if step.action == "review":
        return dispute.state == "open" and actor.decides and impartial(actor)
    if step.action in ("upheld", "rejected"):
        return dispute.state == "in_review" and actor.decides and impartial(actor)
    is_agent_or_opener = actor.agent_id == "aino" or actor.user == dispute.opened_by
    return dispute.state in ("open", "in_review") and actor.reaches_agent and is_agent_or_opener


@PROPERTY
@given(st.sampled_from((AGENT, LEADER, ADMIN, AGENT_ADMIN)), st.lists(steps, max_size=12))
def test_any_sequence_of_actions_keeps_the_dispute_legal(opener: Actor, plan: list[Step]) -> None:
    dispute = opened(opener)
    assert (dispute.state, dispute.version, len(dispute.history)) == ("open", 1, 1)
    now = at("2026-11-03T08:00:00Z")
    decisions = 0
    for step in plan:
        now += timedelta(minutes=step.minutes)
        before = dispute
        refusal: LaatuError | None = None
        try:
            after = apply(before, step, now)
        except (Forbidden, Conflict) as refused:
            refusal = refused
        legal = legal_move(before, step)
        if refusal is not None:
            assert not legal, f"{step} refused from {before.state}: {refusal.message}"
            # A final dispute says so (unless the person was refused first: 403).
            if before.state in rules.FINAL and isinstance(refusal, Conflict):
                assert refusal.code == "already_decided"
            continue
        assert after.state in rules.STATES
        assert after.version == len(after.history)
        assert after.history[: len(before.history)] == before.history  # never rewritten
        if after is before:
            # A repeated request, answered with the dispute as it is.
            assert not legal
            continue
        assert legal, f"{step} from {before.state} changed the dispute"
        # A change: one legal transition, recorded with who, when and why.
        assert after.state in rules.TRANSITIONS[before.state]
        assert before.state not in rules.FINAL  # a decided dispute never changes again
        assert after.version == before.version + 1
        last = after.history[-1]
        assert (last.state, last.by, last.at) == (
            after.state,
            step.actor.user,
            after.history[-1].at,
        )
        assert last.at == now.isoformat().replace("+00:00", "Z")
        if step.action in ("review", "upheld", "rejected"):
            assert step.actor.decides
            assert impartial(step.actor)
        if step.action == "review":
            assert after.reviewer == step.actor.user
        if step.action in rules.OUTCOMES:
            assert before.state == rules.IN_REVIEW  # decided only from review
            decisions += 1
            assert after.decision is not None
            assert (after.decision.outcome, after.decision.by) == (step.action, step.actor.user)
            assert after.decision.revision == (3 if step.action == rules.UPHELD else None)
            assert last.reason == "Tallenteelta tarkistettu."
        if step.action == "withdraw":
            assert step.actor.reaches_agent
            assert step.actor.agent_id == "aino" or step.actor.user == dispute.opened_by
        if before.decision is not None:
            assert after.decision == before.decision
        assert Dispute.from_dict(json.loads(json.dumps(after.to_dict()))) == after
        dispute = after
    assert decisions <= 1  # no double decision
    assert dispute.history[0].state == "open"
    assert dispute.history[0].by == opener.user


@PROPERTY
@given(st.sampled_from(rules.OUTCOMES), st.sampled_from((ADMIN, SECOND_ADMIN)), st.data())
def test_of_two_deciders_the_second_meets_already_decided(
    outcome: str, first: Actor, data: st.DataObject
) -> None:
    in_review = rules.take_into_review(opened(), ADMIN, CURRENT, at("2026-11-03T09:00:00Z"))
    second = data.draw(st.sampled_from((ADMIN, SECOND_ADMIN)))
    other = data.draw(st.sampled_from(rules.OUTCOMES))
    now = at("2026-11-03T10:00:00Z")
    revision = 3 if outcome == rules.UPHELD else None
    decided = rules.decide(
        in_review, first, CURRENT, outcome=outcome, reason="x", now=now, revision=revision
    )
    again_revision = 3 if other == rules.UPHELD else None
    if (second, other) == (first, outcome):
        assert (
            rules.decide(
                decided, second, CURRENT, outcome=other, reason="y", now=now, revision=revision
            )
            is decided
        )
        return
    with pytest.raises(Conflict) as lost:
        rules.decide(
            decided, second, CURRENT, outcome=other, reason="y", now=now, revision=again_revision
        )
    assert lost.value.code == "already_decided"


# --- who may do what: the named refusals ------------------------------------------------


def test_an_agent_outside_reach_cannot_open_and_a_self_evaluation_is_never_disputed() -> None:
    with pytest.raises(Forbidden):
        opened(OTHER_AGENT)
    with pytest.raises(Conflict) as self_evaluation:
        rules.open_dispute(
            dispute_id="d-2",
            evaluation=evaluation(method="self"),
            actor=AGENT,
            reason="x",
            criteria=(),
            form_criteria=CRITERIA,
            now=at("2026-11-03T08:00:00Z"),
            window=WEEK,
            review=FIVE_DAYS,
        )
    assert self_evaluation.value.code == "self_evaluation"


def test_criteria_are_those_of_the_form_version() -> None:
    assert opened(criteria=(CRITERIA[1], CRITERIA[0])).criteria == (CRITERIA[1], CRITERIA[0])
    with pytest.raises(InvalidInput) as unknown:
        opened(criteria=(CRITERIA[0], "ei-ole"))
    assert (unknown.value.field, unknown.value.code) == ("criteria[1]", "unknown_criterion")


@pytest.mark.parametrize(
    ("actor", "code"),
    [
        (EVALUATOR_ADMIN, "own_evaluation"),
        (REVISER_ADMIN, "own_evaluation"),
        (AGENT_ADMIN, "own_dispute"),
        (LEADER, "forbidden"),
    ],
)
def test_the_reviewer_has_no_part_in_what_is_disputed(actor: Actor, code: str) -> None:
    with pytest.raises(Forbidden) as refused:
        rules.take_into_review(opened(), actor, CURRENT, at("2026-11-03T09:00:00Z"))
    assert refused.value.code == code


def test_review_and_decision_by_other_admins() -> None:
    now = at("2026-11-03T09:00:00Z")
    dispute = opened()
    with pytest.raises(Conflict) as early:
        rules.decide(
            dispute, ADMIN, CURRENT, outcome="rejected", reason="x", now=now, revision=None
        )
    assert early.value.code == "not_in_review"
    taken = rules.take_into_review(dispute, ADMIN, CURRENT, now)
    assert rules.take_into_review(taken, ADMIN, CURRENT, now) is taken
    with pytest.raises(Conflict) as busy:
        rules.take_into_review(taken, SECOND_ADMIN, CURRENT, now)
    assert busy.value.code == "in_review"
    # Another admin may decide what the reviewer took: the decision says who.
    decided = rules.decide(
        taken, SECOND_ADMIN, CURRENT, outcome="upheld", reason="z", now=now, revision=3
    )
    assert (decided.reviewer, decided.decision and decided.decision.by) == ("maija", "ville")
    with pytest.raises(Conflict):
        rules.withdraw(decided, AGENT, now)


def test_withdrawal_by_the_agent_or_the_opener_only() -> None:
    now = at("2026-11-03T09:00:00Z")
    by_leader = opened(LEADER)
    assert rules.withdraw(by_leader, AGENT, now).state == "withdrawn"
    withdrawn = rules.withdraw(by_leader, LEADER, now)
    assert rules.withdraw(withdrawn, LEADER, now) is withdrawn
    for outsider in (ADMIN, OTHER_LEADER, OTHER_AGENT):
        with pytest.raises(Forbidden):
            rules.withdraw(by_leader, outsider, now)


# --- deadlines end with a local day -----------------------------------------------------


def test_the_window_closes_at_the_end_of_the_local_day_a_week_after() -> None:
    # Made Monday 2 Nov 15:00 Helsinki: open until Monday 9 Nov 23:59:59 local.
    assert rules.window_closes(CURRENT, WEEK) == at("2026-11-09T22:00:00Z")

    def attempt(now: str) -> Dispute:
        return rules.open_dispute(
            dispute_id="d-3",
            evaluation=CURRENT,
            actor=AGENT,
            reason="x",
            criteria=(),
            form_criteria=CRITERIA,
            now=at(now),
            window=WEEK,
            review=FIVE_DAYS,
        )

    assert attempt("2026-11-09T21:59:59Z").state == "open"
    with pytest.raises(Conflict) as closed:
        attempt("2026-11-09T22:00:00Z")
    assert closed.value.code == "dispute_window_closed"


def test_across_the_end_of_summer_time_a_window_keeps_its_local_days() -> None:
    october = evaluation(created_at="2026-10-20T21:30:00Z")  # 21 Oct 00:30, UTC+3
    # The last day is 28 Oct, after clocks went back on the 25th: UTC+2 from then.
    assert rules.window_closes(october, WEEK) == at("2026-10-28T22:00:00Z")
    assert Terms(0, HELSINKI).ends(at("2026-10-20T21:30:00Z")) == at("2026-10-21T21:00:00Z")


def test_the_review_is_due_at_the_end_of_the_local_day_after_the_review_days() -> None:
    # Opened Tuesday 3 Nov 10:00 Helsinki, five days: due by the end of Sunday 8 Nov.
    assert opened().review_due == "2026-11-08T22:00:00Z"


# --- the request bodies -----------------------------------------------------------------


def document() -> dict[str, Any]:
    text = resources.files("chalicelib.schemas").joinpath("openapi.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def source(name: str) -> dict[str, Any]:
    schema = schemas.load(name)
    del schema["$schema"], schema["$id"]
    return schema


def test_the_request_body_schemas_are_embedded_in_the_openapi_document() -> None:
    embedded = document()["components"]["schemas"]
    assert embedded["DisputeInput"] == source("dispute")
    decision = source("dispute_decision")
    shown = embedded["DisputeDecisionInput"]
    assert shown["properties"]["evaluation"]["$ref"] == "#/components/schemas/EvaluationInput"
    del decision["properties"]["evaluation"], shown["properties"]["evaluation"]
    assert shown == decision


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        ("dispute", {"reason": "x", "extra": 1}, "extra"),
        ("dispute", {"reason": ""}, "reason"),
        ("dispute", {"reason": "x" * 2001}, "reason"),
        ("dispute", {"reason": "x", "criteria": ["a", "a"]}, "criteria"),
        ("dispute", {"reason": "x", "criteria": ["Not A Slug"]}, "criteria[0]"),
        ("dispute_decision", {"outcome": "maybe", "reason": "x"}, "outcome"),
        ("dispute_decision", {"outcome": "rejected"}, "reason"),
        ("dispute_decision", {"outcome": "upheld", "reason": "x", "evaluation": []}, "evaluation"),
        (
            "dispute_decision",
            {"outcome": "rejected", "reason": "x", "evaluation_revision": 0},
            "evaluation_revision",
        ),
    ],
)
def test_bodies_are_refused_naming_the_field(name: str, body: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        schemas.validate(name, body)
    assert refused.value.field == field


def test_every_refusal_is_a_laatu_error() -> None:
    # The service turns these into statuses; nothing else may escape the rules.
    taken = rules.take_into_review(opened(), ADMIN, CURRENT, at("2026-11-03T09:00:00Z"))
    with pytest.raises(LaatuError):
        rules.decide(
            taken, ADMIN, CURRENT, outcome="nah", reason="x", now=datetime.now(UTC), revision=None
        )
    assert all_answers(FORM)  # the demo form has criteria to dispute

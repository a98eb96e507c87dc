"""Coaching sessions: validation beyond the schema, transitions, inbox entries, effect."""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from chalicelib import schemas
from chalicelib.domain import coaching_sessions as rules
from chalicelib.domain import inbox
from chalicelib.domain.coaching_sessions import CriterionRef, Session
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.inbox import Todo
from chalicelib.domain.permissions import scopes
from chalicelib.domain.principal import Principal
from chalicelib.domain.report_cells import Cell
from tests.unit.strategies import PROPERTY

NOW = "2026-11-02T08:00:00Z"
LATER = "2026-11-03T08:00:00Z"
KNOWN = {"lomake": frozenset({"tervehdys", "ratkaisu", "kiitos"})}


def body(**changes: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "agent_id": "aino",
        "held_on": "2026-11-02",
        "evaluation_ids": ["ev-1"],
        "suggestions": [
            {"kind": "dropped", "form_id": "lomake", "criterion_id": "ratkaisu", "text": "Laski"}
        ],
        "notes": "Puhuttiin ratkaisusta.",
        "actions": [
            {
                "text": "Varmista ratkaisu",
                "owner": "agent",
                "due": "2026-11-30",
                "criteria": [{"form_id": "lomake", "criterion_id": "ratkaisu"}],
            },
            {"text": "Kuuntele kolme puhelua", "owner": "leader", "due": "2026-11-15"},
        ],
        "follow_up": "2026-11-20",
    }
    out.update(changes)
    return out


def parsed(**changes: Any) -> rules.SessionInput:
    raw = body(**changes)
    schemas.validate("coaching_session", raw)
    return rules.parse_input(raw)


def session(**changes: Any) -> Session:
    return rules.new_session(parsed(**changes), session_id="s-1", leader="tl-1", now=NOW)


# --- validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"held_on": "2026-02-30"}, "held_on"),
        ({"follow_up": "2026-13-01"}, "follow_up"),
        ({"actions": [{"text": "x", "owner": "agent", "due": "1969-12-31"}]}, "actions[0].due"),
    ],
)
def test_days_are_real_days(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parsed(**changes)
    assert raised.value.field == field


def test_action_ids_are_unique() -> None:
    twice = [
        {"action_id": "a", "text": "x", "owner": "agent", "due": "2026-11-30"},
        {"action_id": "a", "text": "y", "owner": "agent", "due": "2026-11-30"},
    ]
    with pytest.raises(InvalidInput) as raised:
        parsed(actions=twice)
    assert (raised.value.field, raised.value.code) == (
        "actions[1].action_id",
        "duplicate_action_id",
    )


def test_the_schema_refuses_unknown_fields_and_long_lists() -> None:
    with pytest.raises(InvalidInput) as extra:
        schemas.validate("coaching_session", body(leader="someone-else"))
    assert extra.value.field == "leader"
    with pytest.raises(InvalidInput) as many:
        schemas.validate("coaching_session", body(evaluation_ids=[f"e{n}" for n in range(21)]))
    assert many.value.field == "evaluation_ids"


def test_the_suggestion_kinds_are_the_reports_kinds() -> None:
    kinds = schemas.definition(
        "coaching_session", "#/properties/suggestions/items/properties/kind"
    )["enum"]
    assert tuple(kinds) == rules.SUGGESTION_KINDS


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        (
            {
                "suggestions": [
                    {"kind": "dropped", "form_id": "muu", "criterion_id": "x", "text": ""}
                ]
            },
            "suggestions[0].form_id",
            "unknown_form",
        ),
        (
            {
                "suggestions": [
                    {"kind": "dropped", "form_id": "lomake", "criterion_id": "x", "text": ""}
                ]
            },
            "suggestions[0].criterion_id",
            "unknown_criterion",
        ),
        (
            {
                "actions": [
                    {
                        "text": "x",
                        "owner": "agent",
                        "due": "2026-11-30",
                        "criteria": [
                            {"form_id": "lomake", "criterion_id": "kiitos"},
                            {"form_id": "lomake", "criterion_id": "ei-ole"},
                        ],
                    }
                ]
            },
            "actions[0].criteria[1].criterion_id",
            "unknown_criterion",
        ),
    ],
)
def test_criteria_must_exist_in_their_forms(changes: dict[str, Any], field: str, code: str) -> None:
    content = parsed(**changes)
    known = {form_id: KNOWN.get(form_id) for form_id in rules.forms_named(content)}
    with pytest.raises(InvalidInput) as raised:
        rules.check_criteria(content, known)
    assert (raised.value.field, raised.value.code) == (field, code)


def test_evaluations_must_exist_and_be_about_the_agent() -> None:
    content = parsed(evaluation_ids=["ev-1", "ev-2"])
    rules.check_evaluations(content, {"ev-1": "aino", "ev-2": "aino"})
    with pytest.raises(InvalidInput) as missing:
        rules.check_evaluations(content, {"ev-1": "aino"})
    assert (missing.value.field, missing.value.code) == ("evaluation_ids[1]", "unknown_evaluation")
    with pytest.raises(InvalidInput) as other:
        rules.check_evaluations(content, {"ev-1": "pekka", "ev-2": "aino"})
    assert (other.value.field, other.value.code) == ("evaluation_ids[0]", "other_agent")


# --- the record and its transitions -------------------------------------------------------


def test_a_new_session_names_owners_and_asks_for_acknowledgement() -> None:
    made = session()
    agent_action, leader_action = made.actions
    assert (agent_action.owner_id, leader_action.owner_id) == ("aino", "tl-1")
    assert (made.version, made.acknowledged, made.development_wish) == (1, None, None)
    assert Session.from_dict(made.to_dict()) == made
    assert set(rules.todos(made, NOW)) == {
        ("agent:aino", inbox.ACKNOWLEDGE_SESSION, "s-1"),
        ("user:tl-1", inbox.FOLLOW_UP, "s-1"),
        ("agent:aino", inbox.ACTION, f"s-1/{agent_action.action_id}"),
        ("user:tl-1", inbox.ACTION, f"s-1/{leader_action.action_id}"),
    }


def test_new_action_ids_come_from_content_so_a_retry_names_the_same() -> None:
    same = {"text": "x", "owner": "agent", "due": "2026-11-30"}
    first = session(actions=[same, same])
    again = session(actions=[same, same])
    ids = [a.action_id for a in first.actions]
    assert ids == [a.action_id for a in again.actions]
    assert len(set(ids)) == 2
    assert all(schemas.matches("coaching_session", "#/$defs/action_id", i) for i in ids)


def test_an_update_that_changes_nothing_is_no_change() -> None:
    made = session()
    kept = [
        {**a, "action_id": s.action_id}
        for a, s in zip(body()["actions"], made.actions, strict=True)
    ]
    assert rules.updated(made, parsed(actions=kept), LATER) is made
    # Sent without ids, the same actions get the same ids: still no change.
    assert rules.updated(made, parsed(), LATER) is made


def test_an_update_keeps_done_actions_and_asks_again_for_what_was_agreed() -> None:
    made = rules.acknowledged(session(), "aino.user", NOW)
    first = made.actions[0]
    made = rules.with_action_done(made, first.action_id, NOW)
    actions = [{**body()["actions"][0], "action_id": first.action_id, "text": "Varmista aina"}]
    changed = rules.updated(made, parsed(actions=actions), LATER)
    assert changed.version == made.version + 1
    assert changed.actions[0].done_at == NOW
    assert changed.acknowledged is None
    # Moving the follow-up is the leader's own reminder: the acknowledgement stands.
    same = [
        {**a, "action_id": s.action_id}
        for a, s in zip(body()["actions"], made.actions, strict=True)
    ]
    moved = rules.updated(made, parsed(follow_up="2026-12-01", actions=same), LATER)
    assert (moved.acknowledged, moved.follow_up) == (made.acknowledged, "2026-12-01")
    assert moved.version == made.version + 1


def test_a_session_stays_with_its_agent() -> None:
    with pytest.raises(InvalidInput) as raised:
        rules.updated(session(), parsed(agent_id="pekka"), LATER)
    assert (raised.value.field, raised.value.code) == ("agent_id", "agent_changed")


def test_acknowledging_wishing_and_completing_again_change_nothing() -> None:
    made = session()
    acked = rules.acknowledged(made, "aino.user", NOW)
    assert rules.acknowledged(acked, "aino.user", LATER) is acked
    wished = rules.with_wish(acked, "Haluan oppia", NOW)
    assert rules.with_wish(wished, "Haluan oppia", LATER) is wished
    action_id = made.actions[0].action_id
    done = rules.with_action_done(wished, action_id, NOW)
    assert rules.with_action_done(done, action_id, LATER) is done
    assert [s.version for s in (made, acked, wished, done)] == [1, 2, 3, 4]
    with pytest.raises(NotFound):
        rules.with_action_done(done, "ei-ole", LATER)


def test_who_speaks_as_the_agent_and_who_completes() -> None:
    made = session()
    agent_action, leader_action = made.actions
    agent = Principal("aino.user", "acme", frozenset({"agent"}), agent_id="aino")
    other = Principal("pekka.user", "acme", frozenset({"agent"}), agent_id="pekka")
    leader = Principal("tl-1", "acme", frozenset({"evaluator"}))
    read = scopes(agent, "session.read")
    assert rules.speaks_as_its_agent(read, agent, made)
    assert not rules.speaks_as_its_agent(scopes(other, "session.read"), other, made)
    admin_as_aino = Principal("pat", "acme", frozenset({"admin"}), agent_id="aino")
    assert not rules.speaks_as_its_agent(scopes(admin_as_aino, "session.read"), admin_as_aino, made)
    assert rules.may_complete(read, agent, made, agent_action, writes_session=False)
    assert not rules.may_complete(read, agent, made, leader_action, writes_session=False)
    leader_read = scopes(leader, "session.read")
    assert rules.may_complete(leader_read, leader, made, leader_action, writes_session=False)
    assert rules.may_complete(leader_read, leader, made, agent_action, writes_session=True)


# --- the inbox as a state machine ---------------------------------------------------------

TEXTS = ("Varmista ratkaisu", "Kiitä", "Kuuntele")
DAYS = ("2026-11-10", "2026-11-20", "2026-12-01")


@st.composite
def contents(draw: st.DrawFn, existing: tuple[str, ...] = ()) -> dict[str, Any]:
    actions: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        action: dict[str, Any] = {
            "text": draw(st.sampled_from(TEXTS)),
            "owner": draw(st.sampled_from(rules.OWNERS)),
            "due": draw(st.sampled_from(DAYS)),
        }
        keep = [i for i in existing if i not in {a.get("action_id") for a in actions}]
        reuse: bool = draw(st.booleans())  # an existing action, kept by its id
        if keep and reuse:
            action["action_id"] = draw(st.sampled_from(keep))
        actions.append(action)
    return body(
        notes=draw(st.sampled_from(("", "Muistiinpano"))),
        actions=actions,
        follow_up=draw(st.sampled_from((None, *DAYS))),
    )


class SessionMachine(RuleBasedStateMachine):
    """Any sequence of changes: the inbox kept by putting and deleting what each change
    says is always exactly what the session asks for, and versions count changes."""

    def __init__(self) -> None:
        super().__init__()
        self.session = session()
        self.inbox: dict[tuple[str, str, str], Todo] = {}
        self.clock = 0

    def _now(self) -> str:
        self.clock += 1
        return f"2026-11-02T08:{self.clock // 60:02d}:{self.clock % 60:02d}Z"

    def _apply(self, after: Session, now: str) -> None:
        before = self.session
        puts, deletes = rules.todo_changes(before, after, now)
        assert not {(t.owner, t.kind, t.ref) for t in puts} & set(deletes)
        for key in deletes:
            del self.inbox[key]
        for todo in puts:
            self.inbox[(todo.owner, todo.kind, todo.ref)] = todo
        if after == before:
            assert (after.version, puts, deletes) == (before.version, [], [])
        else:
            assert after.version == before.version + 1
        for action in before.actions:
            kept = after.action(action.action_id)
            if action.done_at is not None and kept is not None:
                assert kept.done_at == action.done_at  # done stays done
        self.session = after

    @initialize()
    def start(self) -> None:
        puts, deletes = rules.todo_changes(None, self.session, NOW)
        assert not deletes
        self.inbox = {(t.owner, t.kind, t.ref): t for t in puts}

    @rule(data=st.data())
    def update(self, data: st.DataObject) -> None:
        ids = tuple(a.action_id for a in self.session.actions)
        raw = data.draw(contents(ids))
        schemas.validate("coaching_session", raw)
        now = self._now()
        after = rules.updated(self.session, rules.parse_input(raw), now)
        if after.acknowledged is not None:
            assert after.agreed() == self.session.agreed()
        self._apply(after, now)

    @rule(wish=st.sampled_from(("", "Haluan oppia", "Myyntiä")))
    def wish(self, wish: str) -> None:
        now = self._now()
        self._apply(rules.with_wish(self.session, wish, now), now)

    @rule()
    def acknowledge(self) -> None:
        now = self._now()
        first = self.session.acknowledged
        after = rules.acknowledged(self.session, "aino.user", now)
        assert after.acknowledged is not None
        if first is not None:
            assert after.acknowledged == first
        self._apply(after, now)

    @rule(data=st.data())
    def done(self, data: st.DataObject) -> None:
        if not self.session.actions:
            return
        action = data.draw(st.sampled_from(self.session.actions))
        now = self._now()
        self._apply(rules.with_action_done(self.session, action.action_id, now), now)

    @invariant()
    def inbox_is_what_the_session_asks_for(self) -> None:
        wanted = rules.todos(self.session, NOW)
        assert set(self.inbox) == set(wanted)
        assert {k: t.due for k, t in self.inbox.items()} == {k: t.due for k, t in wanted.items()}
        acknowledging = ("agent:aino", inbox.ACKNOWLEDGE_SESSION, "s-1")
        assert (acknowledging in self.inbox) == (self.session.acknowledged is None)
        undone = {a.action_id for a in self.session.actions if a.done_at is None}
        assert {k[2].split("/", 1)[1] for k in self.inbox if k[1] == inbox.ACTION} == undone


SessionMachine.TestCase.settings = PROPERTY
TestSessionMachine = SessionMachine.TestCase


# --- the effect -------------------------------------------------------------------------


def test_the_windows_are_90_days_before_and_the_days_since() -> None:
    before, after = rules.effect_windows(date(2026, 11, 2), date(2026, 11, 20))
    assert before == (date(2026, 8, 4), date(2026, 11, 1))
    assert (before[1] - before[0]).days + 1 == 90
    assert after == (date(2026, 11, 2), date(2026, 11, 20))
    assert rules.effect_windows(date(2026, 11, 2), date(2026, 11, 1))[1] is None
    long_ago = rules.effect_windows(date(2020, 1, 1), date(2026, 11, 1))[1]
    assert long_ago is not None
    assert (long_ago[1] - long_ago[0]).days + 1 == 366


def _wilson(k: int, n: int) -> tuple[float, float, float]:
    """Independent: the textbook Wilson interval in floating point, z = 1.96."""
    z = 1.96
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return p, max(0.0, centre - half), min(1.0, centre + half)


def _shown(share: float | Fraction) -> str:
    return str(Decimal(str(float(share) * 100)).quantize(Decimal("0.01"), ROUND_HALF_UP))


@PROPERTY
@given(
    before=st.tuples(*(st.integers(min_value=0, max_value=40) for _ in range(3))),
    after=st.tuples(*(st.integers(min_value=0, max_value=40) for _ in range(3))),
)
def test_the_effect_figures_match_an_independent_calculation(
    before: tuple[int, int, int], after: tuple[int, int, int]
) -> None:
    made = session()
    windows = rules.effect_windows(date(2026, 11, 2), date(2026, 11, 20))
    cells = [
        Cell(evaluations=1, counts={"lomake/1/ratkaisu": counts, "lomake/1/kiitos": (9, 9, 9)})
        for counts in (before, after)
    ]
    shown = rules.effect(
        made, windows, cells[0], cells[1], {CriterionRef("lomake", "ratkaisu"): "Ratkaisu"}
    )
    assert shown["before"] == {"first": "2026-08-04", "last": "2026-11-01"}
    (criterion,) = shown["criteria"]
    assert (criterion["criterion_id"], criterion["text"]) == ("ratkaisu", "Ratkaisu")
    intervals: list[tuple[float, float, float] | None] = []
    for side, (yes, no, na) in (("before", before), ("after", after)):
        view = criterion[side]
        assert (view["yes"], view["no"], view["na"]) == (yes, no, na)
        if yes + no == 0:
            assert view["rate"] is view["low"] is view["high"] is None
            intervals.append(None)
            continue
        rate, low, high = _wilson(yes, yes + no)
        assert view["rate"] == _shown(Fraction(yes, yes + no))
        for got, want in ((view["low"], low), (view["high"], high)):
            assert abs(Decimal(got) - Decimal(str(want * 100))) <= Decimal("0.0051")
        intervals.append((rate, low, high))
    if None in intervals:
        assert criterion["difference"] is None
        return
    first, second = intervals
    assert first is not None
    assert second is not None
    (b_rate, b_low, b_high), (a_rate, a_low, a_high) = first, second
    d = a_rate - b_rate
    low = d - math.sqrt((a_rate - a_low) ** 2 + (b_high - b_rate) ** 2)
    high = d + math.sqrt((a_high - a_rate) ** 2 + (b_rate - b_low) ** 2)
    for key, want in (("value", d), ("low", low), ("high", high)):
        assert abs(Decimal(criterion["difference"][key]) - Decimal(str(want * 100))) <= Decimal(
            "0.0051"
        )


def test_a_session_to_come_has_no_after() -> None:
    made = session(held_on="2026-12-01")
    windows = rules.effect_windows(date(2026, 12, 1), date(2026, 11, 20))
    shown = rules.effect(made, windows, Cell(), Cell(), {})
    assert shown["after"] == {"first": "2026-12-01", "last": None}
    assert shown["criteria"][0]["text"] == "ratkaisu"  # no title known: the id
    assert shown["criteria"][0]["difference"] is None


def test_criteria_are_those_of_the_actions_each_once() -> None:
    ref = {"form_id": "lomake", "criterion_id": "kiitos"}
    other = {"form_id": "lomake", "criterion_id": "ratkaisu"}
    actions = [
        {"text": "a", "owner": "agent", "due": "2026-11-30", "criteria": [ref]},
        {"text": "b", "owner": "leader", "due": "2026-11-30", "criteria": [other, ref]},
    ]
    assert rules.effect_criteria(session(actions=actions)) == [
        CriterionRef("lomake", "kiitos"),
        CriterionRef("lomake", "ratkaisu"),
    ]


def test_titles_take_the_newest_wording() -> None:
    titles = rules.criteria_titles(
        [("lomake", [("kiitos", "Kiittää"), ("kiitos", "Kiittää aina")])]
    )
    assert titles == {CriterionRef("lomake", "kiitos"): "Kiittää aina"}

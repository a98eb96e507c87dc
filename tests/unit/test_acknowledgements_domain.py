"""Acknowledging an evaluation: the deadline, when it is overdue, and who may."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.acknowledgements import (
    asks_acknowledgement,
    check_acknowledgement,
    deadline,
    due_at,
    is_overdue,
    may_acknowledge,
)
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.evaluations import build_evaluation
from chalicelib.domain.forms import parse_form
from chalicelib.domain.permissions import Scope, scopes
from chalicelib.domain.principal import Principal
from tests.support import demo_form, evaluation_body
from tests.unit.strategies import PROPERTY

REVISED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
AGENT = Principal("aino.user", "acme", frozenset({"agent"}), agent_id="aino")


def evaluation(method: str = "recording", revision: int = 1, agent_id: str = "aino") -> Evaluation:
    form = demo_form()
    built = build_evaluation(
        body=evaluation_body(form, agent_id=agent_id, method=method),
        form=parse_form(form),
        evaluation_id="ev-1",
        revision=1,
        actor="eero",
        now="2026-11-02T08:00:00Z",
    )
    return replace(built, revision=revision)


def test_no_deadline_without_a_setting() -> None:
    assert due_at(REVISED, None) is None
    assert not is_overdue(None, False, REVISED + timedelta(days=999))


def test_due_is_the_revision_instant_plus_the_days() -> None:
    assert due_at(REVISED, 3) == datetime(2026, 11, 5, 8, 0, tzinfo=UTC)


def test_overdue_only_after_the_due_instant_and_never_once_acknowledged() -> None:
    due = due_at(REVISED, 3)
    assert due is not None
    assert not is_overdue(due, False, due)
    assert is_overdue(due, False, due + timedelta(seconds=1))
    assert not is_overdue(due, True, due + timedelta(days=30))


@PROPERTY
@given(
    days=st.one_of(st.none(), st.integers(min_value=1, max_value=90)),
    elapsed=st.integers(min_value=0, max_value=200 * 86400),
    acknowledged=st.booleans(),
)
def test_overdue_is_more_than_the_days_since_the_revision_unacknowledged(
    days: int | None, elapsed: int, acknowledged: bool
) -> None:
    now = REVISED + timedelta(seconds=elapsed)
    expected = not acknowledged and days is not None and elapsed > days * 86400
    term = deadline(evaluation(), REVISED, acknowledged, days, now)
    assert term.overdue == expected
    assert term.due == (None if days is None else REVISED + timedelta(days=days))


def test_a_self_evaluation_asks_nothing() -> None:
    own = evaluation(method="self")
    assert not asks_acknowledgement(own)
    assert deadline(own, REVISED, False, 1, REVISED + timedelta(days=5)) == deadline(
        own, REVISED, True, None, REVISED
    )
    assert deadline(own, REVISED, False, 1, REVISED + timedelta(days=5)).due is None
    with pytest.raises(Conflict) as raised:
        check_acknowledgement(scopes(AGENT, "evaluation.acknowledge"), AGENT, own, 1)
    assert raised.value.code == "nothing_to_acknowledge"


@pytest.mark.parametrize(
    ("roles", "agent_id"),
    [
        (("admin",), None),
        (("evaluator",), "aino"),  # the agent id alone is not the agent role
        (("agent",), "pekka"),
        (("agent",), None),
    ],
)
def test_only_the_evaluations_agent_may(roles: tuple[str, ...], agent_id: str | None) -> None:
    caller = Principal("pat", "acme", frozenset(roles), agent_id=agent_id)
    granted = scopes(caller, "evaluation.acknowledge")
    assert not may_acknowledge(granted, caller, evaluation())
    with pytest.raises(Forbidden):
        check_acknowledgement(granted, caller, evaluation(), 1)


def test_the_agent_may_acknowledge_the_current_revision() -> None:
    granted = scopes(AGENT, "evaluation.acknowledge")
    assert granted == frozenset({Scope.SELF})
    check_acknowledgement(granted, AGENT, evaluation(revision=2), 2)


def test_an_older_revision_is_stale_and_a_newer_one_unknown() -> None:
    granted = scopes(AGENT, "evaluation.acknowledge")
    with pytest.raises(Conflict) as stale:
        check_acknowledgement(granted, AGENT, evaluation(revision=2), 1)
    assert (stale.value.code, stale.value.field) == ("stale_revision", "revision")
    with pytest.raises(InvalidInput) as unknown:
        check_acknowledgement(granted, AGENT, evaluation(revision=2), 3)
    assert (unknown.value.code, unknown.value.field) == ("unknown_revision", "revision")

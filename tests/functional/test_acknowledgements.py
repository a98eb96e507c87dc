"""Acknowledgements through the real app on moto: the sparse index, who may, the figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.evaluation_store import EvaluationStore
from tests.functional.api import Answer, Api
from tests.functional.conftest import Clock
from tests.support import evaluation_body

AINO: dict[str, Any] = {"user": "aino.user", "agent_id": "aino"}
PEKKA: dict[str, Any] = {"user": "pekka.user", "agent_id": "pekka"}
LEADER: dict[str, Any] = {"user": "tl-1"}


@pytest.fixture
def form(api: Api, clock: Clock) -> dict[str, Any]:
    """Agents aino (team t1, led by tl-1) and pekka (team t2, led by tl-2)."""
    published = api.publish(user="maija")
    for team, leader in (("t1", "tl-1"), ("t2", "tl-2")):
        saved = api.call("PUT", f"/v1/teams/{team}", body={"name": team, "leaders": [leader]})
        assert saved.status == 200, saved.body
    for agent, team in (("aino", "t1"), ("pekka", "t2")):
        put = api.call("PUT", f"/v1/agents/{agent}", body={"name": agent, "team": team})
        assert put.status == 200, put.body
    return published


def submit(api: Api, form: dict[str, Any], agent_id: str = "aino", **kwargs: Any) -> str:
    created = api.submit(evaluation_body(form, agent_id=agent_id, **kwargs), user="eero")
    assert created.status == 201, created.body
    evaluation_id: str = created.body["evaluation_id"]
    return evaluation_id


def amend(api: Api, evaluation_id: str, revision: int) -> None:
    current = api.call("GET", f"/v1/evaluations/{evaluation_id}").body
    body = {
        key: current[key] for key in ("form_id", "form_version", "agent_id", "method", "answers")
    }
    body["contact"] = current["contact"]
    body["summary"] = f"korjattu {revision}"
    amended = api.call(
        "PUT",
        f"/v1/evaluations/{evaluation_id}",
        "evaluator",
        body=body,
        headers={"If-Match": f'"{revision}"'},
        user="eero",
    )
    assert amended.status == 200, amended.body


def acknowledge(api: Api, evaluation_id: str, revision: int, **who: Any) -> Answer:
    who = who or AINO
    return api.call(
        "POST",
        f"/v1/evaluations/{evaluation_id}/acknowledgement",
        who.pop("role", "agent"),
        body={"revision": revision},
        **who,
    )


def waiting(api: Api, query: str = "", role: str | list[str] = "admin", **who: Any) -> Answer:
    return api.call("GET", f"/v1/acknowledgements{query}", role, **who)


def listed_ids(answer: Answer) -> list[tuple[str, int]]:
    assert answer.status == 200, answer.body
    return [(i["evaluation_id"], i["revision"]) for i in answer.body["items"]]


def test_the_index_lists_until_acknowledged_and_an_amendment_asks_again(
    api: Api, form: dict[str, Any], clock: Clock
) -> None:
    evaluation_id = submit(api, form)
    store = EvaluationStore()
    assert [e.evaluation_id for e in store.unacknowledged("acme", "aino")] == [evaluation_id]
    assert listed_ids(waiting(api, "?agent_id=aino")) == [(evaluation_id, 1)]

    clock.now += timedelta(hours=1)
    first = acknowledge(api, evaluation_id, 1)
    assert first.status == 200, first.body
    assert first.body == {
        "evaluation_id": evaluation_id,
        "revision": 1,
        "by": "aino.user",
        "at": "2026-11-01T09:00:00Z",
    }
    # The sparse index no longer holds it: the HEAD item lost its index keys.
    assert store.unacknowledged("acme", "aino") == []
    assert listed_ids(waiting(api, "?agent_id=aino")) == []
    clock.now += timedelta(hours=1)
    again = acknowledge(api, evaluation_id, 1)
    assert (again.status, again.body) == (200, first.body)  # the first acknowledgement

    amend(api, evaluation_id, 1)
    assert [(e.evaluation_id, e.revision) for e in store.unacknowledged("acme", "aino")] == [
        (evaluation_id, 2)
    ]
    assert listed_ids(waiting(api, "?agent_id=aino")) == [(evaluation_id, 2)]
    stale = acknowledge(api, evaluation_id, 1)
    assert (stale.status, stale.body["error"], stale.body["field"]) == (
        409,
        "stale_revision",
        "revision",
    )
    unknown = acknowledge(api, evaluation_id, 3)
    assert (unknown.status, unknown.body["error"]) == (400, "unknown_revision")
    second = acknowledge(api, evaluation_id, 2)
    assert second.status == 200, second.body
    assert listed_ids(waiting(api, "?agent_id=aino")) == []

    status = api.call("GET", f"/v1/evaluations/{evaluation_id}/acknowledgements", "evaluator")
    assert status.status == 200, status.body
    assert status.body == {
        "items": [first.body, second.body],
        "current_revision": 2,
        "acknowledged": True,
        "due": None,
        "overdue": False,
    }


def test_a_self_evaluation_asks_nothing(api: Api, form: dict[str, Any]) -> None:
    own = api.submit(evaluation_body(form, agent_id="aino", method="self"), "agent", **AINO)
    assert own.status == 201, own.body
    evaluation_id = own.body["evaluation_id"]
    assert listed_ids(waiting(api, "", "agent", **AINO)) == []
    refused = acknowledge(api, evaluation_id, 1)
    assert (refused.status, refused.body["error"]) == (409, "nothing_to_acknowledge")
    status = api.call("GET", f"/v1/evaluations/{evaluation_id}/acknowledgements", "agent", **AINO)
    assert status.body == {
        "items": [],
        "current_revision": 1,
        "acknowledged": False,
        "due": None,
        "overdue": False,
    }


def test_only_the_evaluations_agent_acknowledges(api: Api, form: dict[str, Any]) -> None:
    about_aino = submit(api, form)
    about_pekka = submit(api, form, agent_id="pekka")
    for role, who in (
        ("admin", {"user": "maija"}),
        ("evaluator", {"user": "tl-1"}),
        ("auditor", {"user": "audi"}),
        ("payroll", {"user": "pay"}),
        # An agent id in the token does not make an evaluator the agent.
        ("evaluator", {"user": "aino.user", "agent_id": "aino"}),
    ):
        refused = acknowledge(api, about_aino, 1, role=role, **who)
        assert refused.status == 403, (role, refused.body)
    # Another agent cannot even read it: 404, as for an id that does not exist.
    assert acknowledge(api, about_aino, 1, **PEKKA).status == 404
    assert acknowledge(api, "no-such-evaluation", 1).status == 404
    # One who reads it (an evaluator) but is another agent: 403.
    both = acknowledge(api, about_pekka, 1, role=["agent", "evaluator"], **AINO)
    assert both.status == 403, both.body
    # Another tenant's id is 404.
    assert acknowledge(api, about_aino, 1, tenant="globex", **AINO).status == 404
    other = api.call(
        "GET", f"/v1/evaluations/{about_aino}/acknowledgements", "admin", tenant="globex"
    )
    assert other.status == 404
    assert (
        api.call("GET", f"/v1/evaluations/{about_aino}/acknowledgements", "agent", **PEKKA).status
        == 404
    )
    assert (
        api.call("GET", f"/v1/evaluations/{about_aino}/acknowledgements", "payroll").status == 403
    )
    for bad in ({}, {"revision": 0}, {"revision": "1"}, {"revision": 1, "by": "x"}):
        assert acknowledge(api, about_aino, 1, **AINO).status == 200
        refused = api.call(
            "POST",
            f"/v1/evaluations/{about_aino}/acknowledgement",
            "agent",
            body=bad,
            **AINO,
        )
        assert refused.status == 400, (bad, refused.body)
    assert acknowledge(api, about_aino, 1).status == 200


def test_who_lists_whose(api: Api, form: dict[str, Any]) -> None:
    about_aino = submit(api, form)
    about_pekka = submit(api, form, agent_id="pekka")
    both = {(about_aino, 1), (about_pekka, 1)}
    assert set(listed_ids(waiting(api))) == both
    assert listed_ids(waiting(api, "?team_id=t2")) == [(about_pekka, 1)]
    assert waiting(api, "?team_id=ei-ole").status == 404
    # A team leader: the agents now in their teams.
    assert listed_ids(waiting(api, "", "evaluator", **LEADER)) == [(about_aino, 1)]
    assert listed_ids(waiting(api, "?team_id=t1", "evaluator", **LEADER)) == [(about_aino, 1)]
    assert listed_ids(waiting(api, "?agent_id=aino", "evaluator", **LEADER)) == [(about_aino, 1)]
    for query in ("?team_id=t2", "?agent_id=pekka", "?team_id=ei-ole"):
        assert waiting(api, query, "evaluator", **LEADER).status == 403, query
    assert listed_ids(waiting(api, "", "evaluator", user="nobody")) == []
    # An agent: their own.
    assert listed_ids(waiting(api, "", "agent", **AINO)) == [(about_aino, 1)]
    assert listed_ids(waiting(api, "?agent_id=aino", "agent", **AINO)) == [(about_aino, 1)]
    for query in ("?agent_id=pekka", "?team_id=t1"):
        assert waiting(api, query, "agent", **AINO).status == 403, query
    # A leader who is also an agent: both.
    mixed = waiting(api, "", ["agent", "evaluator"], user="tl-2", agent_id="aino")
    assert set(listed_ids(mixed)) == both
    for role in ("auditor", "payroll"):
        assert waiting(api, "", role).status == 403
    assert listed_ids(waiting(api, "", tenant="globex")) == []
    for query, field in (
        ("?agent_id=aino&team_id=t1", "team_id"),
        ("?overdue=yes", "overdue"),
        ("?team_id=-x", "team_id"),
        ("?agent_id=a%23b", "agent_id"),
    ):
        refused = waiting(api, query)
        assert (refused.status, refused.body["field"]) == (400, field), query
    # The team moves: its leader no longer sees aino's.
    moved = api.call("PUT", "/v1/agents/aino", body={"name": "aino", "team": "t2"})
    assert moved.status == 200
    assert listed_ids(waiting(api, "", "evaluator", **LEADER)) == []
    assert set(listed_ids(waiting(api, "?team_id=t2", "evaluator", user="tl-2"))) == both


def test_due_overdue_and_counts_match_an_independent_count(
    api: Api, form: dict[str, Any], clock: Clock
) -> None:
    days = 3
    saved = api.call("PUT", "/v1/settings", body={"coaching": {"acknowledge_within_days": days}})
    assert saved.status == 200, saved.body
    start = clock.now
    written: dict[str, tuple[str, datetime]] = {}
    for hours, agent in ((0, "aino"), (30, "pekka"), (50, "aino"), (73, "aino"), (100, "pekka")):
        clock.now = start + timedelta(hours=hours)
        written[submit(api, form, agent_id=agent)] = (agent, clock.now)
    acknowledged = next(i for i, (agent, _) in written.items() if agent == "aino")
    assert acknowledge(api, acknowledged, 1).status == 200
    clock.now = start + timedelta(hours=5 * 24 + 1)
    now = clock.now

    def expected(agents: set[str]) -> dict[str, bool]:
        """Independent: overdue when more than `days` days passed unacknowledged."""
        return {
            evaluation_id: now - at > timedelta(days=days)
            for evaluation_id, (agent, at) in written.items()
            if agent in agents and evaluation_id != acknowledged
        }

    for query, agents in (("", {"aino", "pekka"}), ("?team_id=t1", {"aino"})):
        want = expected(agents)
        every = waiting(api, query)
        assert every.status == 200, every.body
        got = {i["evaluation_id"]: i["overdue"] for i in every.body["items"]}
        assert got == want
        assert every.body["count"] == len(want)
        assert every.body["overdue_count"] == sum(want.values())
        for item in every.body["items"]:
            agent, at = written[item["evaluation_id"]]
            assert item["agent_id"] == agent
            assert item["revised_at"] == at.strftime("%Y-%m-%dT%H:%M:%SZ")
            assert item["due"] == (at + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
            assert item["evaluator"] == "eero"
            assert item["score_overall"] == "100.00"
            assert item["contact"]["channel"] == "phone"
        revised = [i["revised_at"] for i in every.body["items"]]
        assert revised == sorted(revised)  # oldest first
        late = waiting(api, query + ("&" if query else "?") + "overdue=true")
        assert {i["evaluation_id"] for i in late.body["items"]} == {
            e for e, overdue in want.items() if overdue
        }
        assert late.body["count"] == late.body["overdue_count"] == sum(want.values())
        on_time = waiting(api, query + ("&" if query else "?") + "overdue=false")
        assert {i["evaluation_id"] for i in on_time.body["items"]} == {
            e for e, overdue in want.items() if not overdue
        }
        assert on_time.body["overdue_count"] == 0

    first = next(iter(written))
    _, at = written[first]
    status = api.call("GET", f"/v1/evaluations/{first}/acknowledgements", "admin").body
    assert status["due"] == (at + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (status["acknowledged"], status["overdue"]) == (True, False)
    late_one = next(e for e, overdue in expected({"pekka"}).items() if overdue)
    status = api.call("GET", f"/v1/evaluations/{late_one}/acknowledgements", "admin").body
    assert (status["acknowledged"], status["overdue"]) == (False, True)


def test_a_concurrent_repeat_answers_the_first_acknowledgement(
    api: Api, form: dict[str, Any], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluation_id = submit(api, form)
    first = acknowledge(api, evaluation_id, 1)
    assert first.status == 200, first.body
    real = EvaluationStore.acknowledgements
    calls = {"n": 0}

    def read_before_the_first_landed(self: EvaluationStore, tenant: str, eid: str) -> Any:
        calls["n"] += 1
        return [] if calls["n"] == 1 else real(self, tenant, eid)

    monkeypatch.setattr(EvaluationStore, "acknowledgements", read_before_the_first_landed)
    clock.now += timedelta(minutes=5)
    again = acknowledge(api, evaluation_id, 1)
    assert (again.status, again.body) == (200, first.body)
    assert calls["n"] == 2  # the write's condition failed and the first was read back

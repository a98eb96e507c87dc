"""GET /v1/inbox through the real app on moto: who sees what, the figures against
an independent count, the requests it costs, and tenant isolation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import botocore.client
import pytest
from jsonschema import Draft202012Validator
from pynamodb.transactions import TransactWrite
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from chalicelib import jsoncodec
from chalicelib.adapters.coaching_models import CoachingItemModel
from chalicelib.adapters.evaluation_store import EvaluationStore
from chalicelib.adapters.models import connection
from chalicelib.adapters.settings_store import SettingsStore
from chalicelib.adapters.todo_store import put_todo
from chalicelib.domain import inbox
from chalicelib.domain.inbox import Todo
from chalicelib.domain.inbox_view import KINDS
from chalicelib.domain.periods import to_utc_iso
from tests.functional.api import Api
from tests.functional.conftest import Clock
from tests.support import evaluation_body

ROLES: list[tuple[str | list[str], dict[str, str]]] = [
    ("admin", {}),
    ("evaluator", {}),
    ("auditor", {}),
    ("agent", {"agent_id": "aino"}),
    ("payroll", {}),
    (["agent", "payroll"], {"agent_id": "aino"}),
]
WITHIN_DAYS = 3


@cache
def documented(name: str) -> Draft202012Validator:
    """A validator for a component schema of the OpenAPI document."""
    text = resources.files("chalicelib.schemas").joinpath("openapi.json").read_text("utf-8")
    resource: Resource[Any] = Resource.from_contents(
        json.loads(text), default_specification=DRAFT202012
    )
    registry: Registry[Any] = Registry().with_resource("urn:openapi", resource)
    return Draft202012Validator(
        {"$ref": f"urn:openapi#/components/schemas/{name}"}, registry=registry
    )


def get_inbox(api: Api, role: str | list[str] = "admin", **token: Any) -> dict[str, Any]:
    """The caller's inbox, checked against the shape the OpenAPI document gives it."""
    answer = api.call("GET", "/v1/inbox", role, **token)
    assert answer.status == 200, answer.body
    body: dict[str, Any] = answer.body
    documented("Inbox").validate(body)
    return body


def put_settings(api: Api, tenant: str = "acme", **coaching: Any) -> None:
    answer = api.call("PUT", "/v1/settings", body={"coaching": coaching}, tenant=tenant)
    assert answer.status == 200, answer.body


def keep(tenant: str, *todos: Todo) -> None:
    with TransactWrite(connection=connection()) as transaction:
        for todo in todos:
            put_todo(transaction, tenant, todo)


def open_dispute(tenant: str, n: int, evaluator: str, state: str = "open") -> dict[str, Any]:
    """An undecided dispute as the disputes store keeps it in the OPEN partition."""
    doc = {
        "dispute_id": f"d-{n}",
        "evaluation_id": f"ev-{n}",
        "evaluation_revision": 1,
        "agent_id": "aino",
        "evaluator": evaluator,
        "criteria": [],
        "reason": "The customer hung up.",
        "state": state,
        "opened_by": "aino-user",
        "opened_at": f"2026-11-0{n}T08:00:00Z",
        "review_due": f"2026-11-0{n + 5}T08:00:00Z",
        "reviewer": None,
        "decision": None,
        "history": [],
        "version": 1,
    }
    CoachingItemModel(
        f"{tenant}#DISPUTES#OPEN", doc["evaluation_id"], doc=jsoncodec.dumps(doc)
    ).save()
    return doc


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every AWS request made from now on, by operation name."""
    seen: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation: str, params: Any) -> Any:
        seen.append(operation)
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return seen


@pytest.mark.parametrize(("role", "token"), ROLES)
def test_every_role_gets_an_inbox_possibly_empty(
    api: Api, role: str | list[str], token: dict[str, str]
) -> None:
    body = get_inbox(api, role, **token)
    assert body == {"items": [], "counts": dict.fromkeys(KINDS, 0), "overdue": 0}


def test_kept_entries_show_for_each_owner_the_caller_is_and_no_one_else(
    api: Api, clock: Clock
) -> None:
    clock.now = datetime.fromisoformat("2026-11-10T12:00:00+00:00")
    keep(
        "acme",
        Todo(
            "agent:aino",
            inbox.SELF_EVALUATE,
            "r-1",
            "2026-11-03T08:00:00Z",
            "2026-11-10T08:00:00Z",
            {"review_id": "r-1", "agent_id": "aino"},
        ),
        Todo(
            "user:aino-user",
            inbox.ACTION,
            "s-1/a-1",
            "2026-11-04T08:00:00Z",
            "2026-11-10",
            {"session_id": "s-1"},
        ),
        Todo(
            "user:lead-1",
            inbox.FOLLOW_UP,
            "s-1",
            "2026-11-04T08:00:00Z",
            "2026-11-09",
            {"session_id": "s-1", "agent_id": "aino"},
        ),
        Todo("agent:pekka", inbox.ACKNOWLEDGE_SESSION, "s-2", "2026-11-04T08:00:00Z"),
    )
    aino = get_inbox(api, "agent", user="aino-user", agent_id="aino")
    assert [(i["kind"], i["ref"], i["overdue"]) for i in aino["items"]] == [
        ("self_evaluate", "r-1", True),  # 08:00 UTC has passed
        ("action", "s-1/a-1", False),  # due by the end of the 10th in Helsinki
    ]
    assert aino["items"][0] == {
        "kind": "self_evaluate",
        "ref": "r-1",
        "due": "2026-11-10T08:00:00Z",
        "overdue": True,
        "created_at": "2026-11-03T08:00:00Z",
        "link": "#/reviews/r-1",
        "detail": {"review_id": "r-1", "agent_id": "aino"},
    }
    assert aino["items"][1]["link"] == "#/coaching/s-1"
    assert aino["counts"]["self_evaluate"] == 1
    assert aino["counts"]["action"] == 1
    assert aino["overdue"] == 1

    lead = get_inbox(api, "evaluator", user="lead-1")
    assert [(i["kind"], i["ref"], i["overdue"]) for i in lead["items"]] == [
        ("follow_up", "s-1", True)
    ]
    # Another agent's and another user's entries never show.
    assert get_inbox(api, "agent", user="sari-user", agent_id="sari")["items"] == []
    # Once the day has ended in Helsinki (22:00 UTC), the action is overdue too.
    clock.now = datetime.fromisoformat("2026-11-10T22:00:00+00:00")
    assert get_inbox(api, "agent", user="aino-user", agent_id="aino")["overdue"] == 2


def test_an_agents_unacknowledged_evaluations_are_due_by_the_settings_in_force(
    api: Api, clock: Clock
) -> None:
    form = api.publish()
    start = datetime.fromisoformat("2026-11-02T08:00:00+00:00")
    ids = []
    for hours in (0, 30, 60):
        clock.now = start + timedelta(hours=hours)
        created = api.submit(evaluation_body(form, agent_id="aino"))
        assert created.status == 201, created.body
        ids.append(created.body["evaluation_id"])
    # The agent's own self-evaluation asks no acknowledgement.
    own = evaluation_body(form, agent_id="aino", method="self")
    assert api.submit(own, "agent", agent_id="aino", user="aino-user").status == 201
    clock.now = start + timedelta(days=4)
    EvaluationStore().acknowledge("acme", ids[1], 1, "aino-user", to_utc_iso(clock.now))

    # No deadline set: asked for, never overdue.
    body = get_inbox(api, "agent", user="aino-user", agent_id="aino")
    assert [(i["ref"], i["due"], i["overdue"]) for i in body["items"]] == [
        (ids[2], None, False),
        (ids[0], None, False),  # newest first when neither has a deadline
    ]
    assert body["items"][0]["link"] == f"#/evaluations/{ids[2]}"
    assert body["items"][0]["detail"] == {"agent_id": "aino", "evaluation_id": ids[2]}

    put_settings(api, acknowledge_within_days=WITHIN_DAYS)
    body = get_inbox(api, "agent", user="aino-user", agent_id="aino")
    assert [(i["ref"], i["due"], i["overdue"]) for i in body["items"]] == [
        (ids[0], "2026-11-05T08:00:00Z", True),
        (ids[2], "2026-11-07T20:00:00Z", False),
    ]
    assert (body["counts"]["acknowledge"], body["overdue"]) == (2, 1)
    # Only an agent acknowledges: an evaluator with the same agent id sees none.
    assert get_inbox(api, "evaluator", agent_id="aino")["items"] == []


def test_disputes_to_decide_show_to_admins_but_not_their_own_evaluations(
    api: Api, clock: Clock
) -> None:
    clock.now = datetime.fromisoformat("2026-11-07T12:00:00+00:00")
    open_dispute("acme", 1, evaluator="eva")
    open_dispute("acme", 2, evaluator="admin-1", state="in_review")
    open_dispute("acme", 3, evaluator="eva", state="in_review")
    open_dispute("other", 4, evaluator="eva")
    body = get_inbox(api, "admin", user="admin-1")
    assert [(i["ref"], i["due"], i["overdue"]) for i in body["items"]] == [
        ("d-1", "2026-11-06T08:00:00Z", True),
        ("d-3", "2026-11-08T08:00:00Z", False),
    ]
    assert body["items"][0]["link"] == "#/disputes/d-1"
    assert body["items"][0]["detail"] == {
        "agent_id": "aino",
        "evaluation_id": "ev-1",
        "dispute_id": "d-1",
    }
    assert body["counts"]["review_dispute"] == 2
    # Another admin decides the one admin-1 wrote.
    other_admin = get_inbox(api, "admin", user="admin-2")
    assert [i["ref"] for i in other_admin["items"]] == ["d-1", "d-2", "d-3"]
    # No one else decides disputes.
    for role, token in ROLES[1:]:
        assert get_inbox(api, role, **token)["items"] == [], role


class Team:
    """A tenant's teams, agents and evaluations, kept by the test as plain data for
    its own count."""

    def __init__(self, api: Api, clock: Clock, tenant: str = "acme") -> None:
        self.api, self.clock, self.tenant = api, clock, tenant
        self.form = api.publish(tenant=tenant)
        self.evaluations: list[dict[str, Any]] = []  # agent, id, revised_at, acknowledged

    def team(self, team_id: str, leaders: list[str]) -> None:
        body = {"name": team_id.upper(), "leaders": leaders}
        answer = self.api.call("PUT", f"/v1/teams/{team_id}", body=body, tenant=self.tenant)
        assert answer.status == 200, answer.body

    def agent(self, agent_id: str, *memberships: tuple[str, str]) -> None:
        body = {
            "name": agent_id.title(),
            "memberships": [{"team": team, "from": day} for team, day in memberships],
        }
        answer = self.api.call("PUT", f"/v1/agents/{agent_id}", body=body, tenant=self.tenant)
        assert answer.status == 200, answer.body

    def evaluate(self, agent_id: str, at: datetime) -> str:
        self.clock.now = at
        created = self.api.submit(evaluation_body(self.form, agent_id=agent_id), tenant=self.tenant)
        assert created.status == 201, created.body
        evaluation_id: str = created.body["evaluation_id"]
        self.evaluations.append(
            {"agent": agent_id, "id": evaluation_id, "revised_at": at, "ack": False}
        )
        return evaluation_id

    def acknowledge(self, evaluation_id: str) -> None:
        EvaluationStore().acknowledge(
            self.tenant, evaluation_id, 1, "someone", "2026-11-20T00:00:00Z"
        )
        for evaluation in self.evaluations:
            if evaluation["id"] == evaluation_id:
                evaluation["ack"] = True

    def expected(self, members: dict[str, list[str]], now: datetime) -> dict[str, tuple[int, int]]:
        """team -> (waiting, overdue), counted from the test's own records."""
        out = {}
        for team_id, agents in members.items():
            waiting = [e for e in self.evaluations if e["agent"] in agents and not e["ack"]]
            late = [e for e in waiting if e["revised_at"] + timedelta(days=WITHIN_DAYS) < now]
            if waiting:
                out[team_id] = (len(waiting), len(late))
        return out


def team_figures(body: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {
        i["ref"]: (i["detail"]["count"], i["detail"]["overdue_count"])
        for i in body["items"]
        if i["kind"] == "team_unacknowledged"
    }


def build_teams(api: Api, clock: Clock, tenant: str = "acme") -> Team:
    clock.now = datetime.fromisoformat("2026-11-01T08:00:00+00:00")
    data = Team(api, clock, tenant)
    put_settings(api, tenant, acknowledge_within_days=WITHIN_DAYS)
    data.team("t1", ["lead-1"])
    data.team("t2", ["lead-1", "lead-2"])
    data.team("t3", ["lead-2"])
    data.team("t4", ["lead-1"])  # nobody waiting: no entry
    data.agent("aino", ("t1", "2026-01-01"))
    data.agent("pekka", ("t1", "2026-01-01"))
    # Moved from t1 to t2 on the 10th: counted for t2 from then on.
    data.agent("sari", ("t1", "2026-01-01"), ("t2", "2026-11-10"))
    data.agent("ville", ("t3", "2026-01-01"))
    data.agent("kaisa", ("t4", "2026-01-01"))
    start = datetime.fromisoformat("2026-11-02T08:00:00+00:00")
    for n, agent in enumerate(["aino", "aino", "pekka", "sari", "sari", "ville", "aino", "pekka"]):
        data.evaluate(agent, start + timedelta(hours=19 * n))
    data.acknowledge(data.evaluations[1]["id"])
    data.acknowledge(data.evaluations[3]["id"])
    return data


def test_team_leaders_see_their_teams_unacknowledged_counts_as_counted_independently(
    api: Api, clock: Clock, requests: list[str]
) -> None:
    data = build_teams(api, clock)
    # Who is in each team the leader leads, before and after sari's move on the 10th.
    before = {"t1": ["aino", "pekka", "sari"], "t2": [], "t4": ["kaisa"]}
    after = {"t1": ["aino", "pekka"], "t2": ["sari"], "t4": ["kaisa"]}
    for now, members in (
        ("2026-11-06T09:00:00+00:00", before),
        ("2026-11-09T12:00:00+00:00", before),
        ("2026-11-11T12:00:00+00:00", after),
    ):
        clock.now = datetime.fromisoformat(now)
        body = get_inbox(api, "evaluator", user="lead-1")
        expected = data.expected(members, clock.now)
        assert team_figures(body) == expected
        assert body["counts"]["team_unacknowledged"] == len(expected)
        assert body["overdue"] == sum(1 for _, late in expected.values() if late)
    t1 = next(i for i in body["items"] if i["ref"] == "t1")
    assert t1["link"] == "#/coaching?team_id=t1"
    assert t1["overdue"] is True
    assert t1["due"] == "2026-11-05T08:00:00Z"  # the soonest: aino's first + 3 days
    assert get_inbox(api, "evaluator", user="lead-2")["counts"]["team_unacknowledged"] == 2
    # Leading a team needs the right to read acknowledgements: an auditor gets none.
    assert team_figures(get_inbox(api, "auditor", user="lead-1")) == {}

    # The cost: settings, the caller's entries, the teams, each team led (the
    # roster once while the tenant's team index is not complete), and one index
    # Query per member.
    complete = [SettingsStore().team_members("acme", t)[0] for t in ("t1", "t2", "t4")]
    requests.clear()
    get_inbox(api, "evaluator", user="lead-1")
    roster = 0 if all(complete) else 1
    assert requests == ["Query"] * (1 + 1 + 1 + 3 + roster + 4)
    for team in ("t1", "t2", "t3", "t4"):
        SettingsStore().mark_team_indexed("acme", team, "2026-11-11T00:00:00Z")
    requests.clear()
    indexed = get_inbox(api, "evaluator", user="lead-1")
    assert requests == ["Query"] * (1 + 1 + 1 + 3 + 4)
    assert team_figures(indexed) == data.expected(after, clock.now)


def test_an_inbox_holds_nothing_of_another_tenant(api: Api, clock: Clock) -> None:
    build_teams(api, clock, tenant="other")
    keep("other", Todo("user:lead-1", inbox.FOLLOW_UP, "s-9", "2026-11-04T08:00:00Z"))
    keep("other", Todo("agent:aino", inbox.SELF_EVALUATE, "r-9", "2026-11-04T08:00:00Z"))
    open_dispute("other", 1, evaluator="eva")
    clock.now = datetime.fromisoformat("2026-11-11T12:00:00+00:00")
    for role, token in [*ROLES, ("evaluator", {"user": "lead-1"})]:
        assert get_inbox(api, role, **token)["items"] == [], role
    # The same people in the other tenant see it all.
    lead = get_inbox(api, "evaluator", user="lead-1", tenant="other")
    assert {i["kind"] for i in lead["items"]} == {"team_unacknowledged", "follow_up"}
    agent = get_inbox(api, "agent", agent_id="aino", tenant="other")
    assert {i["kind"] for i in agent["items"]} == {"acknowledge", "self_evaluate"}
    assert [i["ref"] for i in get_inbox(api, "admin", tenant="other")["items"]] == ["d-1"]

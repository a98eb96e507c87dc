"""The authorization matrix's world and requests: every operation of the OpenAPI
document x every role and role pair x own/other tenant.

The checks live in three test files (test_authorization_matrix*.py), so a run on
two workers shares them out; this module holds what they share.

Generated from the document, so a new route is covered the day it is added: an
operation whose path parameters or body this file cannot fill fails the test and
says what to add.

The checks are properties, not a copy of the permission table:

- **Union**: what a person with two roles gets is what the better of the two roles
  gets alone (same status, same body for reads; for lists, the union of the items).
  This is what catches "not only an agent, so unrestricted".
- **Isolation**: with the ids of tenant acme, a caller of tenant globex (any role
  set) reads nothing of acme's (no id, name or count of it in any answer) and
  changes nothing of acme's (acme's data read back unchanged).

Every token in a run is the same person (user `pat`, agent id `aino`), so the role
is the only thing that differs between the answers compared.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.functional.api import Answer, Api
from tests.support import ROOT, all_answers, demo_form, evaluation_body

ROLES = ("admin", "evaluator", "auditor", "agent", "payroll")
ROLE_SETS: tuple[tuple[str, ...], ...] = tuple((r,) for r in ROLES) + tuple(
    itertools.combinations(ROLES, 2)
)
PERSON = {"user": "pat", "agent_id": "aino"}
FORM_ID = "acme-lomake"
DRAFT_ID = "acme-luonnos"
SECRET_SUMMARY = "acme-salainen-yhteenveto"
SECRET_NAME = "Aino Acme-Ainutlaatuinen"
TEAM_ID = "acme-tiimi"
SECRET_TEAM = "Acme Salainen Tiimi"
PARAM = re.compile(r"{(\w+)}")
OPENAPI = ROOT / "chalicelib" / "schemas" / "openapi.json"


@dataclass
class World:
    """Tenant acme's data, made by people other than `pat` unless the name says so."""

    evaluations: dict[str, str] = field(default_factory=dict)  # label -> id
    imports: dict[str, str] = field(default_factory=dict)
    reviews: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)  # of aino's session
    disputes: dict[str, str] = field(default_factory=dict)

    def markers(self) -> list[str]:
        return [
            *self.evaluations.values(),
            *self.imports.values(),
            *self.reviews.values(),
            *self.sessions.values(),
            *self.disputes.values(),
            FORM_ID,
            DRAFT_ID,
            SECRET_SUMMARY,
            SECRET_NAME,
            SECRET_TEAM,
        ]


@dataclass(frozen=True)
class Request:
    operation: str
    method: str
    path: str
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.operation}: {self.method} {self.path}"


def _form(form_id: str) -> dict[str, Any]:
    return {**demo_form(), "form_id": form_id}


@pytest.fixture
def world(api: Api) -> World:
    admin: dict[str, Any] = {"user": "maija"}
    api.publish(_form(FORM_ID), **admin)
    assert api.call("POST", "/v1/forms", body=_form(DRAFT_ID), **admin).status == 201
    for agent_id in ("aino", "bert"):
        roster = {"name": SECRET_NAME if agent_id == "aino" else "Bert", "payroll_id": "P1"}
        if agent_id == "aino":
            roster["team"] = TEAM_ID
        put = api.call("PUT", f"/v1/agents/{agent_id}", body=roster, **admin)
        assert put.status == 200, put.body
    team = {"name": SECRET_TEAM, "leaders": ["pat"]}
    assert api.call("PUT", f"/v1/teams/{TEAM_ID}", body=team, **admin).status == 200
    form = _form(FORM_ID)
    seeded = World()

    def submit(label: str, role: str, body: dict[str, Any], **who: Any) -> None:
        body["summary"] = SECRET_SUMMARY
        created = api.submit(body, role, **who)
        assert created.status == 201, created.body
        seeded.evaluations[label] = created.body["evaluation_id"]

    submit("about aino", "evaluator", evaluation_body(form, agent_id="aino"), user="eero")
    submit("about bert", "evaluator", evaluation_body(form, agent_id="bert"), user="eero")
    submit("by pat about bert", "evaluator", evaluation_body(form, agent_id="bert"), user="pat")
    submit(
        "pat's self-evaluation",
        "agent",
        evaluation_body(form, agent_id="aino", method="self"),
        **PERSON,
    )
    for label, user in (("by another auditor", "audi"), ("by pat", "pat")):
        started = api.call("POST", "/v1/imports", "auditor", user=user)
        assert started.status == 201, started.body
        seeded.imports[label] = started.body["import_id"]
    _seed_coaching(api, seeded, form)
    return seeded


CONTACT = {"channel": "phone", "id": "call-77", "occurred_at": "2026-11-02T10:15:00+02:00"}


def _review(agent_id: str, leader: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "agent_id": agent_id,
        "form_id": FORM_ID,
        "form_version": 1,
        "contact": CONTACT,
    }
    return body if leader is None else {**body, "leader": leader}


def _side(form: dict[str, Any], leader: bool) -> dict[str, Any]:
    # The same content every time: a side sent again is a retry, answered as it is.
    side: dict[str, Any] = {"answers": all_answers(form)}
    return {**side, "method": "recording"} if leader else side


def _session(agent_id: str, n: int = 0) -> dict[str, Any]:
    criteria = [{"form_id": FORM_ID, "criterion_id": "ratkaisu"}]
    return {
        "agent_id": agent_id,
        "held_on": "2026-11-02",
        "notes": f"muistiinpano {n}",
        "actions": [
            {"text": "Varmista", "owner": "agent", "due": "2026-11-30", "criteria": criteria},
            {"text": "Kuuntele", "owner": "leader", "due": "2026-11-20"},
        ],
        "follow_up": "2026-11-25",
    }


def _seed_coaching(api: Api, seeded: World, form: dict[str, Any]) -> None:
    """Reviews in each state, a session per agent and a dispute per agent, made by
    others (the admin maija, the agent's own token as `aino-u`)."""
    admin: dict[str, Any] = {"user": "maija"}

    def review(label: str, body: dict[str, Any]) -> str:
        made = api.call("POST", "/v1/reviews", body=body, **admin)
        assert made.status == 201, made.body
        seeded.reviews[label] = made.body["review_id"]
        return str(made.body["review_id"])

    self_in = review("aino, self side in", _review("aino", "maija"))
    put = api.call(
        "PUT",
        f"/v1/reviews/{self_in}/self",
        "agent",
        body=_side(form, leader=False),
        user="aino-u",
        agent_id="aino",
    )
    assert put.status == 200, put.body
    leader_in = review("bert, leader side in", _review("bert", "maija"))
    put = api.call("PUT", f"/v1/reviews/{leader_in}/leader", body=_side(form, True), **admin)
    assert put.status == 200, put.body
    review("aino, led by pat", _review("aino", "pat"))
    for agent_id in ("aino", "bert"):
        made = api.call("POST", "/v1/coaching-sessions", body=_session(agent_id), **admin)
        assert made.status == 201, made.body
        seeded.sessions[agent_id] = made.body["session_id"]
        if agent_id == "aino":
            seeded.actions = [a["action_id"] for a in made.body["actions"]]
    for agent_id in ("aino", "bert"):
        # On the evaluations already there: each more evaluation id would add every
        # evaluation route once more for every role set.
        evaluation_id = seeded.evaluations[f"about {agent_id}"]
        path = f"/v1/evaluations/{evaluation_id}/disputes"
        opened = api.call("POST", path, body={"reason": "Kiista"}, **admin)
        assert opened.status == 201, opened.body
        seeded.disputes[agent_id] = opened.body["dispute_id"]


def _path_values(world: World) -> dict[str, list[str]]:
    return {
        "form_id": [FORM_ID, DRAFT_ID],
        "version": ["1"],
        "evaluation_id": list(world.evaluations.values()),
        "revision": ["1"],
        "agent_id": ["aino", "bert"],
        "period": ["2026-11"],
        "import_id": list(world.imports.values()),
        "team_id": [TEAM_ID, "ei-tiimia"],
        "review_id": list(world.reviews.values()),
        "session_id": list(world.sessions.values()),
        "action_id": world.actions,
        "dispute_id": list(world.disputes.values()),
    }


QUERIES: dict[str, list[str]] = {
    "listEvaluations": ["", "?agent_id=aino", "?agent_id=bert"],
    "getAgentSummary": ["?period=2026-11"],
    "getComplianceReport": [
        "?scope=tenant&range=month:2026-11",
        f"?scope=team:{TEAM_ID}&range=month:2026-11",
        "?scope=agent:aino&range=month:2026-11&by_version=true",
        "?scope=agent:bert&range=custom:2026-11-01..2026-11-15",
    ],
    "getHeatmapReport": [f"?scope=team:{TEAM_ID}&range=month:2026-11"],
    "getTrendReport": [
        "?scope=tenant&period=month&count=3&end=2026-11",
        f"?scope=team:{TEAM_ID}&period=week&count=2&end=2026-W45",
        "?scope=agent:aino&period=quarter&count=2&end=2026-Q4",
    ],
    "getBreakdownReport": [
        "?scope=tenant&range=month:2026-11&by=channel",
        f"?scope=team:{TEAM_ID}&range=week:2026-W45&by=evaluator",
        "?scope=agent:aino&range=day:2026-11-02&by=method",
    ],
    "getSuggestionsReport": [
        "?scope=agent:aino&range=month:2026-11&lang=fi",
        "?scope=agent:bert&range=month:2026-11&lang=en",
    ],
    "getLeaderboardReport": [f"?scope=team:{TEAM_ID}&range=month:2026-11"],
    "listReviews": ["", "?agent_id=aino", "?agent_id=bert", "?state=awaiting_self"],
    "listAcknowledgements": [
        "",
        "?agent_id=aino",
        "?agent_id=bert",
        f"?team_id={TEAM_ID}",
        "?team_id=ei-tiimia",
        "?overdue=true",
    ],
    "listCoachingSessions": ["", "?agent_id=aino", "?agent_id=bert"],
    "listDisputes": [
        "",
        "?state=undecided",
        "?state=all&agent_id=aino",
        "?state=all&agent_id=bert",
    ],
}


def _operations() -> Iterator[tuple[str, str, str]]:
    document = json.loads(OPENAPI.read_text("utf-8"))
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "patch", "delete"):
                yield operation["operationId"], method.upper(), path


def _paths(template: str, values: dict[str, list[str]]) -> list[str]:
    names = PARAM.findall(template)
    missing = [name for name in names if name not in values]
    assert not missing, f"{template}: add sample values for {missing} to _path_values"
    out = []
    for combination in itertools.product(*(values[name] for name in names)):
        path = template
        for name, value in zip(names, combination, strict=True):
            path = path.replace("{" + name + "}", value)
        out.append(path)
    return out


def _current(api: Api, path: str) -> Answer:
    return api.call("GET", path, "admin", user="maija")


class Bodies:
    """A valid body (and headers) for each writing operation, made fresh per call so a
    write that succeeds does not make the next caller's identical write a no-op."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.counter = itertools.count(1)

    def for_request(self, operation: str, path: str) -> list[tuple[Any, dict[str, str]]]:
        n = next(self.counter)
        form = _form(FORM_ID)
        if operation == "createForm":
            return [(_form(f"uusi-{n}"), {})]
        if operation == "updateForm":
            current = _current(self.api, path)
            if current.status != 200:
                return [(_form(path.rsplit("/", 1)[1]), {})]
            draft = {**current.body["draft"], "title": f"Muokattu {n}"}
            return [(draft, {"If-Match": current.headers["etag"]})]
        if operation == "createEvaluation":
            self_body = evaluation_body(form, agent_id="aino", method="self")
            return [(evaluation_body(form, agent_id="bert"), {}), (self_body, {})]
        if operation == "amendEvaluation":
            current = _current(self.api, path)
            assert current.status == 200, current.body
            content = {
                key: current.body[key]
                for key in ("form_id", "form_version", "agent_id", "method", "answers")
            }
            contact = {k: v for k, v in current.body["contact"].items() if k != "occurred_at_utc"}
            body = {**content, "contact": contact, "summary": f"korjattu {n}"}
            return [(body, {"If-Match": current.headers["etag"]})]
        if operation == "putAgent":
            return [({"name": f"Nimi {n}", "payroll_id": "P1"}, {})]
        if operation == "putTeam":
            return [({"name": f"Tiimi {n}", "leaders": ["pat", "tl-1"]}, {})]
        if operation == "putSettings":
            return [({"grace_days": n % 5}, {})]
        if operation in ("publishForm", "runExport", "createImport"):
            return [(None, {})]
        coaching = self._coaching(operation, path, n)
        if coaching is not None:
            return coaching
        raise AssertionError(f"{operation}: add a sample body to Bodies.for_request")

    def _coaching(
        self, operation: str, path: str, n: int
    ) -> list[tuple[Any, dict[str, str]]] | None:
        form = _form(FORM_ID)
        if operation == "startReview":
            return [(_review("aino"), {}), (_review("aino", "pat"), {})]
        if operation in ("submitReviewSelf", "submitReviewLeader"):
            return [(_side(form, leader=operation == "submitReviewLeader"), {})]
        if operation == "acknowledgeEvaluation":
            current = _current(self.api, path.removesuffix("/acknowledgement"))
            return [({"revision": current.body["revision"]}, {})]
        if operation == "createCoachingSession":
            return [(_session("aino", n), {}), (_session("bert", n), {})]
        if operation == "updateCoachingSession":
            current = _current(self.api, path)
            if current.status != 200:
                return [(_session("aino", n), {})]
            keys = ("agent_id", "held_on", "evaluation_ids", "suggestions", "follow_up")
            body = {key: current.body[key] for key in keys}
            body["notes"] = f"muutettu {n}"
            body["actions"] = [
                {k: a[k] for k in ("action_id", "text", "owner", "due", "criteria")}
                for a in current.body["actions"]
            ]
            return [(body, {"If-Match": current.headers["etag"]})]
        if operation == "putCoachingSessionWish":
            return [({"development_wish": f"toive {n}"}, {})]
        if operation == "openDispute":
            # What pat opened before is withdrawn first, so each caller meets an
            # evaluation without an undecided dispute of theirs.
            listed = _current(self.api, path)
            for item in listed.body.get("items", []) if listed.status == 200 else []:
                if item["state"] in ("open", "in_review") and item["opened_by"] == "pat":
                    withdrawal = f"/v1/disputes/{item['dispute_id']}/withdrawal"
                    self.api.call("POST", withdrawal, "admin", user="pat")
            return [({"reason": f"Kiista {n}"}, {})]
        if operation == "decideDispute":
            return [({"outcome": "rejected", "reason": f"Hylätty {n}"}, {})]
        if operation == "putNotificationPreferences":
            return [({"email": "pat@laatu.invalid", "language": "fi", "enabled": True}, {})]
        if operation in (
            "acknowledgeCoachingSession",
            "completeCoachingSessionAction",
            "reviewDispute",
            "withdrawDispute",
        ):
            return [(None, {})]
        return None


def _requests(world: World, bodies: Bodies | None) -> list[Request]:
    """Reads when `bodies` is None, else writes (each with a body made just now)."""
    values = _path_values(world)
    out = []
    for operation, method, template in _operations():
        if (method == "GET") != (bodies is None):
            continue
        for path in _paths(template, values):
            for query in QUERIES.get(operation, [""]):
                if bodies is None:
                    out.append(Request(operation, method, path + query))
                    continue
                for body, headers in bodies.for_request(operation, path):
                    out.append(
                        Request(operation, method, path + query, body, tuple(headers.items()))
                    )
    return out


def _call(api: Api, request: Request, roles: tuple[str, ...], tenant: str = "acme") -> Answer:
    return api.call(
        request.method,
        request.path,
        list(roles),
        body=request.body,
        headers=dict(request.headers),
        tenant=tenant,
        **PERSON,
    )


def _rank(status: int) -> int:
    """How far a caller got: refused (403, or 404 for what is out of their reach),
    refused for the content (another 4xx), served."""
    if status in (403, 404):
        return 0
    return 2 if status < 400 else 1


def _items(body: Any) -> set[str] | None:
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return {json.dumps(item, sort_keys=True) for item in body["items"]}
    return None


def _comparable(request: Request, body: Any) -> Any:
    # /v1/me names the roles of the token, which differ by construction.
    if request.operation == "getMe":
        return {k: v for k, v in body.items() if k != "roles"}
    return body


def _union_problem(
    request: Request, pair: tuple[str, ...], answers: dict[tuple[str, ...], Answer]
) -> str | None:
    singles = [answers[(role,)] for role in pair]
    best = max(singles, key=lambda answer: _rank(answer.status))
    got = answers[pair]
    if _rank(got.status) != _rank(best.status):
        shown = ", ".join(f"{r}: {answers[(r,)].status}" for r in pair)
        return f"{request} as {'+'.join(pair)}: {got.status}, alone {shown}"
    if request.method != "GET" or got.status >= 300:
        return None
    served = [a for a in singles if a.status < 300]
    item_sets = [_items(a.body) for a in served]
    if all(items is not None for items in item_sets) and _items(got.body) is not None:
        union = set().union(*(s for s in item_sets if s is not None))
        if _items(got.body) != union:
            return f"{request} as {'+'.join(pair)}: items differ from the union of its roles"
        return None
    if not any(_comparable(request, got.body) == _comparable(request, a.body) for a in served):
        return f"{request} as {'+'.join(pair)}: the body is not what either role gets alone"
    return None


def _union_problems(api: Api, requests: list[Request]) -> list[str]:
    problems = []
    for request in requests:
        answers = {roles: _call(api, request, roles) for roles in ROLE_SETS}
        for roles, answer in answers.items():
            if answer.status >= 500:
                problems.append(f"{request} as {'+'.join(roles)}: {answer.status}")
        for pair in ROLE_SETS[len(ROLES) :]:
            problem = _union_problem(request, pair, answers)
            if problem:
                problems.append(problem)
    return problems


def _leaks(answer: Answer, markers: list[str]) -> list[str]:
    text = json.dumps(answer.body, ensure_ascii=False)
    found = [marker for marker in markers if marker in text]
    counts = re.findall(r'"(?:evaluations|scored)": ([1-9][0-9]*)', text)
    return found + [f"a count of {count}" for count in counts]

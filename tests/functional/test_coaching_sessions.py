"""Coaching sessions through the real app on moto: the record, its inbox entries,
who may do what, and the effect against an independent calculation."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from chalice.test import Client

from chalicelib.adapters.session_store import SessionStore
from chalicelib.adapters.todo_store import TodoStore
from tests.functional.api import Answer, Api
from tests.functional.conftest import Clock, StreamReader, deliver
from tests.support import all_answers, evaluation_body

AINO: dict[str, Any] = {"user": "aino.user", "agent_id": "aino"}
PEKKA: dict[str, Any] = {"user": "pekka.user", "agent_id": "pekka"}
TL1: dict[str, Any] = {"user": "tl-1"}
TL2: dict[str, Any] = {"user": "tl-2"}
ADMIN: dict[str, Any] = {"user": "maija"}
SESSIONS = "/v1/coaching-sessions"
ZONE = ZoneInfo("Europe/Helsinki")


@pytest.fixture
def form(api: Api, clock: Clock) -> dict[str, Any]:
    """Agents aino (team t1, led by tl-1) and pekka (team t2, led by tl-2)."""
    published = api.publish(**ADMIN)
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


def session_body(form: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "agent_id": "aino",
        "held_on": "2026-11-02",
        "evaluation_ids": [],
        "suggestions": [
            {
                "kind": "dropped",
                "form_id": form["form_id"],
                "criterion_id": "ratkaisu",
                "text": "«Ratkaisu» on laskenut.",
            }
        ],
        "notes": "Puhuttiin ratkaisun varmistamisesta.",
        "actions": [
            {
                "text": "Varmista ratkaisu asiakkaalta",
                "owner": "agent",
                "due": "2026-11-30",
                "criteria": [{"form_id": form["form_id"], "criterion_id": "ratkaisu"}],
            },
            {"text": "Kuuntele kolme puhelua", "owner": "leader", "due": "2026-11-15"},
        ],
        "follow_up": "2026-11-20",
    }
    out.update(changes)
    return out


def create(api: Api, body: dict[str, Any], role: str = "evaluator", **who: Any) -> Answer:
    return api.call("POST", SESSIONS, role, body=body, **(who or TL1))


def inbox(owner: str) -> dict[tuple[str, str], str | None]:
    return {(t.kind, t.ref): t.due for t in TodoStore().of("acme", owner)}


def as_input(session: dict[str, Any]) -> dict[str, Any]:
    """A session as SessionInput: what a page sends back to change it."""
    keys = ("agent_id", "held_on", "evaluation_ids", "suggestions", "notes", "follow_up")
    body = {key: session[key] for key in keys}
    body["actions"] = [
        {k: a[k] for k in ("action_id", "text", "owner", "due", "criteria")}
        for a in session["actions"]
    ]
    return body


def test_a_session_its_wish_acknowledgement_actions_and_inbox(
    api: Api, form: dict[str, Any], clock: Clock
) -> None:
    evaluation_id = submit(api, form)
    created = create(api, session_body(form, evaluation_ids=[evaluation_id]))
    assert created.status == 201, created.body
    session = created.body
    sid = session["session_id"]
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"] == f"{SESSIONS}/{sid}"
    agent_action, leader_action = session["actions"]
    assert (session["leader"], session["version"], session["acknowledged"]) == ("tl-1", 1, None)
    assert session["development_wish"] is None
    assert (agent_action["owner_id"], leader_action["owner_id"]) == ("aino", "tl-1")
    assert agent_action["done_at"] is None
    assert session["created_at"] == session["updated_at"] == "2026-11-01T08:00:00Z"
    assert inbox("agent:aino") == {
        ("acknowledge_session", sid): None,
        ("action", f"{sid}/{agent_action['action_id']}"): "2026-11-30",
    }
    assert inbox("user:tl-1") == {
        ("follow_up", sid): "2026-11-20",
        ("action", f"{sid}/{leader_action['action_id']}"): "2026-11-15",
    }
    path = f"{SESSIONS}/{sid}"

    # The agent writes their wish; the same again changes nothing.
    clock.now += timedelta(hours=1)
    wish = {"development_wish": "Haluan oppia kysymään tarkentavia kysymyksiä."}
    wished = api.call("PUT", f"{path}/wish", "agent", body=wish, **AINO)
    assert wished.status == 200, wished.body
    assert (wished.body["development_wish"], wished.body["version"]) == (
        wish["development_wish"],
        2,
    )
    again = api.call("PUT", f"{path}/wish", "agent", body=wish, headers={"If-Match": '"1"'}, **AINO)
    assert (again.status, again.body) == (200, wished.body)

    # The agent acknowledges, once.
    acked = api.call("POST", f"{path}/acknowledgement", "agent", **AINO)
    assert acked.status == 200, acked.body
    assert acked.body["acknowledged"] == {"by": "aino.user", "at": "2026-11-01T09:00:00Z"}
    clock.now += timedelta(hours=1)
    again = api.call("POST", f"{path}/acknowledgement", "agent", **AINO)
    assert (again.status, again.body) == (200, acked.body)
    assert ("acknowledge_session", sid) not in inbox("agent:aino")

    # Actions: the agent does theirs, not the leader's; the leader does theirs.
    done_path = f"{path}/actions/{{}}/done"
    refused = api.call("POST", done_path.format(leader_action["action_id"]), "agent", **AINO)
    assert refused.status == 403, refused.body
    done = api.call("POST", done_path.format(agent_action["action_id"]), "agent", **AINO)
    assert done.status == 200, done.body
    assert done.body["actions"][0]["done_at"] == "2026-11-01T10:00:00Z"
    assert done.body["acknowledged"] == acked.body["acknowledged"]
    again = api.call("POST", done_path.format(agent_action["action_id"]), "agent", **AINO)
    assert (again.status, again.body) == (200, done.body)
    assert inbox("agent:aino") == {}
    assert api.call("POST", done_path.format("ei-ole"), "agent", **AINO).status == 404
    assert api.call("POST", done_path.format("-bad"), "agent", **AINO).status == 400

    # The leader moves the follow-up: the entry is replaced; the acknowledgement stands.
    current = api.call("GET", path, "evaluator", **TL1).body
    moved = as_input(current) | {"follow_up": "2026-11-25"}
    changed = api.call("PUT", path, "evaluator", body=moved, **TL1)
    assert changed.status == 200, changed.body
    assert changed.body["acknowledged"] == acked.body["acknowledged"]
    assert changed.body["actions"][0]["done_at"] == "2026-11-01T10:00:00Z"
    assert inbox("user:tl-1")[("follow_up", sid)] == "2026-11-25"
    version = changed.body["version"]
    assert changed.headers["etag"] == f'"{version}"'

    # If-Match: a stale version is 412, a malformed one 400; the current one applies.
    notes = moved | {"notes": "Lisätty muistiinpano."}
    stale = api.call("PUT", path, "evaluator", body=notes, headers={"If-Match": '"1"'}, **TL1)
    assert (stale.status, stale.body["field"]) == (412, "If-Match")
    bad = api.call("PUT", path, "evaluator", body=notes, headers={"If-Match": "1"}, **TL1)
    assert (bad.status, bad.body["field"]) == (400, "If-Match")
    headers = {"If-Match": f'"{version}"'}
    noted = api.call("PUT", path, "evaluator", body=notes, headers=headers, **TL1)
    assert noted.status == 200, noted.body
    # A change to what was agreed asks the agent to acknowledge again.
    assert noted.body["acknowledged"] is None
    assert ("acknowledge_session", sid) in inbox("agent:aino")
    same = api.call("PUT", path, "evaluator", body=notes, headers=headers, **TL1)
    assert (same.status, same.body) == (200, noted.body)  # a retry: no change

    # An undone action removed, a new one added, the follow-up cleared.
    new_action = {"text": "Kiitä aina", "owner": "agent", "due": "2026-12-05"}
    trimmed = as_input(noted.body) | {"follow_up": None}
    trimmed["actions"] = [trimmed["actions"][0], new_action]
    after = api.call("PUT", path, "admin", body=trimmed, **ADMIN)
    assert after.status == 200, after.body
    added = after.body["actions"][1]
    assert (added["owner_id"], after.body["leader"]) == ("aino", "tl-1")
    assert inbox("user:tl-1") == {}
    assert inbox("agent:aino") == {
        ("acknowledge_session", sid): None,
        ("action", f"{sid}/{added['action_id']}"): "2026-12-05",
    }
    # The agent's wish stays through the leader's changes.
    assert after.body["development_wish"] == wish["development_wish"]
    shown = api.call("GET", path, "agent", **AINO)
    assert shown.status == 200, shown.body
    assert {k: v for k, v in shown.body.items() if k != "effect"} == after.body


def test_lists_are_newest_first_and_scoped(api: Api, form: dict[str, Any]) -> None:
    ids = {}
    for held_on in ("2026-10-01", "2026-11-05", "2026-10-20"):
        made = create(api, session_body(form, held_on=held_on))
        assert made.status == 201, made.body
        ids[held_on] = made.body["session_id"]
    pekkas = create(api, session_body(form, agent_id="pekka"), **TL2)
    assert pekkas.status == 201, pekkas.body
    newest_first = [ids["2026-11-05"], ids["2026-10-20"], ids["2026-10-01"]]

    def listed(query: str, role: str | list[str], **who: Any) -> list[str]:
        answer = api.call("GET", f"{SESSIONS}{query}", role, **who)
        assert answer.status == 200, answer.body
        assert all("effect" not in s for s in answer.body["items"])
        return [s["session_id"] for s in answer.body["items"]]

    assert listed("?agent_id=aino", "evaluator", **TL1) == newest_first
    assert listed("", "evaluator", **TL1) == newest_first
    assert listed("", "agent", **AINO) == newest_first
    assert listed("", "agent", **PEKKA) == [pekkas.body["session_id"]]
    assert listed("", "admin") == [newest_first[0], pekkas.body["session_id"], *newest_first[1:]]
    assert listed("", "evaluator", user="nobody") == []
    assert listed("", "admin", tenant="globex") == []
    for query, role, who in (
        ("?agent_id=pekka", "evaluator", TL1),
        ("?agent_id=pekka", "agent", AINO),
    ):
        assert api.call("GET", f"{SESSIONS}{query}", role, **who).status == 403, query
    for role in ("auditor", "payroll"):
        assert api.call("GET", SESSIONS, role).status == 403
    assert api.call("GET", f"{SESSIONS}?agent_id=-x", "admin").status == 400


def test_who_may_write_and_read(api: Api, form: dict[str, Any]) -> None:
    for role, who in (("agent", AINO), ("auditor", {}), ("payroll", {})):
        refused = create(api, session_body(form), role, **(who or {"user": "x"}))
        assert refused.status == 403, (role, refused.body)
    outside = create(api, session_body(form), **TL2)
    assert (outside.status, outside.body["field"]) == (403, "agent_id")
    by_admin = create(api, session_body(form), "admin", **ADMIN)
    assert by_admin.status == 201, by_admin.body
    assert by_admin.body["leader"] == "maija"
    assert inbox("user:maija") != {}
    made = create(api, session_body(form))
    sid = made.body["session_id"]
    path = f"{SESSIONS}/{sid}"
    action_id = made.body["actions"][0]["action_id"]
    body = as_input(made.body)

    # Reads: the agent, the team's leader and admins; others 404 or 403 by role.
    for role, who in (("agent", AINO), ("evaluator", TL1), ("admin", ADMIN)):
        assert api.call("GET", path, role, **who).status == 200, role
    for role, who in (("agent", PEKKA), ("evaluator", TL2)):
        assert api.call("GET", path, role, **who).status == 404, role
    for role in ("auditor", "payroll"):
        assert api.call("GET", path, role).status == 403, role

    # Another tenant: every route is 404 for the same id (an agent may not PUT at all).
    for method, suffix, body_sent in (
        ("GET", "", None),
        ("PUT", "", body),
        ("PUT", "/wish", {"development_wish": "x"}),
        ("POST", "/acknowledgement", None),
        ("POST", f"/actions/{action_id}/done", None),
    ):
        for role in ("admin", "agent"):
            other = api.call(method, path + suffix, role, body=body_sent, tenant="globex", **AINO)
            expected = 403 if (role, method, suffix) == ("agent", "PUT", "") else 404
            assert other.status == expected, (method, suffix, role, other.body)
    assert api.call("GET", path, "admin", tenant="globex").status == 404
    assert api.call("GET", f"{SESSIONS}/ei-ole", "admin").status == 404
    assert api.call("GET", f"{SESSIONS}/-bad", "admin").status == 400

    # Writes: the content by its leader or an admin; the wish and the acknowledgement
    # by its agent alone.
    assert api.call("PUT", path, "agent", body=body, **AINO).status == 403
    assert api.call("PUT", path, "evaluator", body=body, **TL2).status == 404
    wish = {"development_wish": "Oma toive"}
    for role, who in (("evaluator", TL1), ("admin", {"user": "maija", "agent_id": "aino"})):
        refused = api.call("PUT", f"{path}/wish", role, body=wish, **who)
        assert refused.status == 403, (role, refused.body)
        refused = api.call("POST", f"{path}/acknowledgement", role, **who)
        assert refused.status == 403, (role, refused.body)
    assert api.call("PUT", f"{path}/wish", "agent", body=wish, **PEKKA).status == 404
    done = f"{path}/actions/{action_id}/done"
    assert api.call("POST", done, "agent", **PEKKA).status == 404
    assert api.call("POST", done, "evaluator", **TL2).status == 404
    assert api.call("POST", done, "evaluator", **TL1).status == 200  # the leader may

    # The team moves: its new leader takes the session over, the old one loses it.
    moved = api.call("PUT", "/v1/agents/aino", body={"name": "aino", "team": "t2"})
    assert moved.status == 200, moved.body
    assert api.call("GET", path, "evaluator", **TL1).status == 404
    assert api.call("GET", path, "evaluator", **TL2).status == 200
    changed = api.call("PUT", path, "evaluator", body=body | {"notes": "Uusi"}, **TL2)
    assert changed.status == 200, changed.body
    assert changed.body["leader"] == "tl-1"  # who held it


def test_what_a_session_may_name(api: Api, form: dict[str, Any]) -> None:
    about_pekka = submit(api, form, agent_id="pekka")
    criterion = {"form_id": form["form_id"], "criterion_id": "ei-ole"}
    unknown_form = {"form_id": "ei-lomaketta", "criterion_id": "ratkaisu"}
    action = {"text": "x", "owner": "agent", "due": "2026-11-30"}
    suggestion = session_body(form)["suggestions"][0]
    cases: list[tuple[dict[str, Any], str, str | None]] = [
        ({"evaluation_ids": [about_pekka]}, "evaluation_ids[0]", "other_agent"),
        ({"evaluation_ids": ["ei-ole"]}, "evaluation_ids[0]", "unknown_evaluation"),
        (
            {"actions": [action | {"criteria": [criterion]}]},
            "actions[0].criteria[0].criterion_id",
            "unknown_criterion",
        ),
        (
            {"actions": [action | {"criteria": [unknown_form]}]},
            "actions[0].criteria[0].form_id",
            "unknown_form",
        ),
        ({"suggestions": [suggestion | {"kind": "hunch"}]}, "suggestions[0].kind", None),
        (
            {"suggestions": [suggestion | {"criterion_id": "ei-ole"}]},
            "suggestions[0].criterion_id",
            "unknown_criterion",
        ),
        (
            {"actions": [action | {"action_id": "a"}, action | {"action_id": "a"}]},
            "actions[1].action_id",
            "duplicate_action_id",
        ),
        ({"actions": [action | {"due": "2026-02-30"}]}, "actions[0].due", None),
        ({"held_on": "20261102"}, "held_on", None),
        ({"notes": "x" * 5001}, "notes", None),
        ({"leader": "someone"}, "leader", None),
        ({"agent_id": "ei-rosterissa"}, "agent_id", "unknown_agent"),
    ]
    for changes, field, code in cases:
        refused = create(api, session_body(form, **changes), "admin", **ADMIN)
        assert (refused.status, refused.body["field"]) == (400, field), (changes, refused.body)
        if code is not None:
            assert refused.body["error"] == code, refused.body
    made = create(api, session_body(form))
    moved = as_input(made.body) | {"agent_id": "pekka"}
    refused = api.call("PUT", f"{SESSIONS}/{made.body['session_id']}", "admin", body=moved)
    assert (refused.status, refused.body["error"]) == (400, "agent_changed")


# --- the effect ---------------------------------------------------------------------

HELD_ON = date(2026, 11, 10)
TODAY = date(2026, 11, 20)
CRITERIA = ("ratkaisu", "tervehdys")


def _shown(share: Fraction | float) -> str:
    return str(Decimal(str(float(share) * 100)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _wilson(k: int, n: int) -> tuple[float, float, float]:
    """The textbook Wilson score interval, z = 1.96, in floating point."""
    z, p = 1.96, k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return p, max(0.0, centre - half), min(1.0, centre + half)


def _close(got: str | None, want: float) -> None:
    assert got is not None
    assert abs(Decimal(got) - Decimal(str(want * 100))) <= Decimal("0.0051"), (got, want)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_effect_matches_an_independent_calculation(
    api: Api,
    form: dict[str, Any],
    clock: Clock,
    client: Client,
    stream: StreamReader,
    seed: int,
) -> None:
    rng = random.Random(seed)
    clock.now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    # (agent, local day, method, answers) of each final revision.
    final: dict[str, tuple[str, date, str, dict[str, str]]] = {}
    edges = [
        "2026-08-11T12:00:00+03:00",  # 91 days before: outside
        "2026-08-12T00:00:00+03:00",  # the first day before
        "2026-11-09T23:59:59+02:00",  # the last day before
        "2026-11-09T22:00:00+00:00",  # 00:00 on 10 Nov in Helsinki: after
        "2026-11-20T13:00:00+02:00",  # today
    ]
    start, after_start = datetime(2026, 8, 1, tzinfo=ZONE), datetime(2026, 11, 10, tzinfo=ZONE)
    instants = [
        *edges,
        *(
            (start + timedelta(minutes=rng.randrange(0, 110 * 24 * 60))).isoformat()
            for _ in range(12)
        ),
        *(
            (after_start + timedelta(minutes=rng.randrange(0, 10 * 24 * 60))).isoformat()
            for _ in range(6)
        ),
    ]
    for occurred_at in instants:
        if datetime.fromisoformat(occurred_at) > clock.now:
            continue
        agent = rng.choice(("aino", "aino", "aino", "pekka"))
        method = rng.choice(("recording", "live", "self")) if agent == "aino" else "live"
        answers = all_answers(form)
        answers["ratkaisu"] = rng.choice(("yes", "no", "na"))
        answers["tervehdys"] = rng.choice(("yes", "yes", "no"))
        body = evaluation_body(
            form, agent_id=agent, occurred_at=occurred_at, method=method, answers=answers
        )
        who = AINO if method == "self" else {"user": "eero"}
        created = api.submit(body, "agent" if method == "self" else "evaluator", **who)
        assert created.status == 201, created.body
        local = datetime.fromisoformat(occurred_at).astimezone(ZONE).date()
        final[created.body["evaluation_id"]] = (agent, local, method, answers)
    # One amendment: the latest revision is what counts.
    amended_id = next(e for e, (agent, _, m, _) in final.items() if agent == "aino" and m != "self")
    agent, day, method, answers = final[amended_id]
    changed = {**answers, "ratkaisu": "no" if answers["ratkaisu"] == "yes" else "yes"}
    current = api.call("GET", f"/v1/evaluations/{amended_id}").body
    amendment = {
        k: current[k] for k in ("form_id", "form_version", "agent_id", "contact", "method")
    }
    amendment["answers"] = changed
    put = api.call(
        "PUT",
        f"/v1/evaluations/{amended_id}",
        "evaluator",
        body=amendment,
        headers={"If-Match": '"1"'},
        user="eero",
    )
    assert put.status == 200, put.body
    final[amended_id] = (agent, day, method, changed)
    assert deliver(client, stream.read()) == {"batchItemFailures": []}

    actions = [
        {
            "text": "Varmista ratkaisu",
            "owner": "agent",
            "due": "2026-11-30",
            "criteria": [{"form_id": form["form_id"], "criterion_id": c} for c in CRITERIA],
        }
    ]
    made = create(api, session_body(form, held_on=HELD_ON.isoformat(), actions=actions))
    assert made.status == 201, made.body
    shown = api.call("GET", f"{SESSIONS}/{made.body['session_id']}", "agent", **AINO)
    assert shown.status == 200, shown.body
    effect = shown.body["effect"]
    before_days = (HELD_ON - timedelta(days=90), HELD_ON - timedelta(days=1))
    assert effect["before"] == {"first": "2026-08-12", "last": "2026-11-09"}
    assert effect["after"] == {"first": "2026-11-10", "last": "2026-11-20"}
    texts = {c["id"]: c["text"] for s in form["sections"] for c in s["criteria"]}
    assert [c["criterion_id"] for c in effect["criteria"]] == list(CRITERIA)

    for shown_criterion in effect["criteria"]:
        criterion = shown_criterion["criterion_id"]
        assert shown_criterion["text"] == texts[criterion]
        rates: list[tuple[float, float, float] | None] = []
        for side, (first, last) in (("before", before_days), ("after", (HELD_ON, TODAY))):
            counted = [
                answers[criterion]
                for agent, day, method, answers in final.values()
                if agent == "aino" and method != "self" and first <= day <= last
            ]
            yes, no, na = (counted.count(a) for a in ("yes", "no", "na"))
            view = shown_criterion[side]
            assert (view["yes"], view["no"], view["na"]) == (yes, no, na), (criterion, side)
            if yes + no == 0:
                assert view["rate"] is None
                rates.append(None)
                continue
            rate, low, high = _wilson(yes, yes + no)
            assert view["rate"] == _shown(Fraction(yes, yes + no))
            _close(view["low"], low)
            _close(view["high"], high)
            rates.append((rate, low, high))
        before, after = rates
        if before is None or after is None:
            assert shown_criterion["difference"] is None
            continue
        d = after[0] - before[0]
        low = d - math.sqrt((after[0] - after[1]) ** 2 + (before[2] - before[0]) ** 2)
        high = d + math.sqrt((after[2] - after[0]) ** 2 + (before[0] - before[1]) ** 2)
        difference = shown_criterion["difference"]
        _close(difference["value"], d)
        _close(difference["low"], low)
        _close(difference["high"], high)


def test_a_session_to_come_has_nothing_after(api: Api, form: dict[str, Any]) -> None:
    made = create(api, session_body(form, held_on="2026-12-15"))
    shown = api.call("GET", f"{SESSIONS}/{made.body['session_id']}", "evaluator", **TL1)
    assert shown.status == 200, shown.body
    effect = shown.body["effect"]
    assert effect["after"] == {"first": "2026-12-15", "last": None}
    (criterion,) = effect["criteria"]
    assert criterion["after"] == {
        "yes": 0,
        "no": 0,
        "na": 0,
        "rate": None,
        "low": None,
        "high": None,
    }
    assert criterion["difference"] is None


def test_a_change_without_if_match_applies_only_to_the_version_read(
    api: Api, form: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    made = create(api, session_body(form))
    sid = made.body["session_id"]
    path = f"{SESSIONS}/{sid}"
    read_before = SessionStore().get("acme", sid)
    wished = api.call("PUT", f"{path}/wish", "agent", body={"development_wish": "x"}, **AINO)
    assert wished.status == 200, wished.body
    inbox_before = (inbox("agent:aino"), inbox("user:tl-1"))
    # The leader's change was read before the agent's wish landed.
    monkeypatch.setattr(SessionStore, "get", lambda self, tenant, session_id: read_before)
    changed = as_input(made.body) | {"notes": "Muutettu", "follow_up": None}
    refused = api.call("PUT", path, "evaluator", body=changed, **TL1)
    assert (refused.status, refused.body["field"]) == (412, "If-Match")
    monkeypatch.undo()
    # Nothing of it was written: the session, its listing copy and the inbox stand.
    assert api.call("GET", path, "admin").body["development_wish"] == "x"
    listed = api.call("GET", f"{SESSIONS}?agent_id=aino", "admin").body["items"]
    assert [(s["version"], s["notes"]) for s in listed] == [(2, made.body["notes"])]
    assert (inbox("agent:aino"), inbox("user:tl-1")) == inbox_before

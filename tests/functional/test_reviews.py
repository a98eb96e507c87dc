"""Coaching reviews (self-evaluation first) through the real app on moto.

The cast: agent aino in team t1 led by leena; agent bert in team t2 led by olli;
maija the admin. Tokens name the person (user, agent id), so the blind rule is
checked against who reads, whatever their role.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from chalice.test import Client
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from chalicelib import schemas
from chalicelib.adapters.review_store import ReviewStore
from chalicelib.adapters.todo_store import TodoStore
from chalicelib.domain.reviews import ReviewWrite, evaluation_id_of, open_review, opened_evaluations
from chalicelib.services import reviews as review_service
from chalicelib.services.reviews import _write
from tests.functional.api import Answer, Api
from tests.functional.conftest import Clock, StreamReader, deliver
from tests.support import ROOT, all_answers, demo_form, load_app

FORM = demo_form()
FORM_ID = FORM["form_id"]
CONTACT = {"channel": "phone", "id": "call-42", "occurred_at": "2026-10-30T10:15:00+02:00"}
PERIOD = "2026-10"
AGENT = {"role": "agent", "user": "aino.k", "agent_id": "aino"}
LEADER = {"role": "evaluator", "user": "leena"}
OTHER_LEADER = {"role": "evaluator", "user": "olli"}
ADMIN = {"role": "admin", "user": "maija"}
OTHER_AGENT = {"role": "agent", "user": "bert.b", "agent_id": "bert"}
SELF_SECRET = "oma-arvio-salaisuus"
LEADER_SECRET = "esihenkilon-salaisuus"
SEALED = ("answers", "comments", "summary", "score")


def points(no: tuple[str, ...] = ()) -> str:
    """The overall score with `no` answered No (none critical), counted from the form."""
    weights = {c["id"]: c.get("points", 1) for s in FORM["sections"] for c in s["criteria"]}
    total = sum(weights.values())
    value = Decimal(100 * (total - sum(weights[c] for c in no))) / total
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


DOCUMENT = json.loads((ROOT / "chalicelib" / "schemas" / "openapi.json").read_text("utf-8"))


def documented(name: str) -> Draft202012Validator:
    resource: Resource[Any] = Resource.from_contents(DOCUMENT, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:openapi", resource)
    return Draft202012Validator(
        {"$ref": f"urn:openapi#/components/schemas/{name}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


SHAPES = {"Review": documented("Review"), "ReviewList": documented("ReviewList")}


def as_(api: Api, who: dict[str, Any], method: str, path: str, **kwargs: Any) -> Answer:
    """A call as `who`; every review the API answers with is held to the documented shape."""
    person = {k: v for k, v in who.items() if k != "role"}
    answer = api.call(method, path, who["role"], **person, **kwargs)
    if path.startswith("/v1/reviews") and answer.status < 300:
        listing = method == "GET" and path.split("?")[0] == "/v1/reviews"
        SHAPES["ReviewList" if listing else "Review"].validate(answer.body)
    return answer


@pytest.fixture
def world(api: Api, clock: Clock) -> Api:
    api.publish(FORM, user="maija")
    for team_id, leader in (("t1", "leena"), ("t2", "olli")):
        put = api.call("PUT", f"/v1/teams/{team_id}", body={"name": team_id, "leaders": [leader]})
        assert put.status == 200, put.body
    for agent_id, team in (("aino", "t1"), ("bert", "t2")):
        body = {"name": agent_id.title(), "payroll_id": "P1", "team": team}
        assert api.call("PUT", f"/v1/agents/{agent_id}", body=body).status == 200
    return api


def start(api: Api, who: dict[str, Any] = LEADER, **fields: Any) -> Answer:
    body = {"agent_id": "aino", "form_id": FORM_ID, "form_version": 1, "contact": CONTACT}
    return as_(api, who, "POST", "/v1/reviews", body={**body, **fields})


def started(api: Api, who: dict[str, Any] = LEADER, **fields: Any) -> dict[str, Any]:
    answer = start(api, who, **fields)
    assert answer.status == 201, answer.body
    return dict(answer.body)


def self_side(no: tuple[str, ...] = ()) -> dict[str, Any]:
    answers = {**all_answers(FORM), **dict.fromkeys(no, "no")}
    return {"answers": answers, "summary": SELF_SECRET, "comments": {"kiitos": SELF_SECRET}}


def leader_side(no: tuple[str, ...] = ("ratkaisu",), method: str = "recording") -> dict[str, Any]:
    answers = {**all_answers(FORM), **dict.fromkeys(no, "no")}
    return {"method": method, "answers": answers, "summary": LEADER_SECRET}


def put_side(
    api: Api, who: dict[str, Any], review_id: str, side: str, body: dict[str, Any], **kw: Any
) -> Answer:
    return as_(api, who, "PUT", f"/v1/reviews/{review_id}/{side}", body=body, **kw)


def read(api: Api, who: dict[str, Any], review_id: str) -> Answer:
    return as_(api, who, "GET", f"/v1/reviews/{review_id}")


def text(answer: Answer) -> str:
    return json.dumps(answer.body, ensure_ascii=False)


def figures(api: Api) -> Any:
    answer = api.call("GET", f"/v1/agents/aino/summary?period={PERIOD}", "admin")
    assert answer.status == 200, answer.body
    return answer.body


def todos(owner: str) -> set[tuple[str, str, str | None]]:
    return {(t.kind, t.ref, t.due) for t in TodoStore().of("acme", owner)}


def evaluations_seen(api: Api, who: dict[str, Any]) -> list[dict[str, Any]]:
    answer = as_(api, who, "GET", "/v1/evaluations?agent_id=aino")
    assert answer.status == 200, answer.body
    return list(answer.body["items"])


# The loop ---------------------------------------------------------------------


def test_self_first_then_the_leader_opens_both_side_by_side(world: Api, clock: Clock) -> None:
    api = world
    review = started(api)
    assert review["state"] == "awaiting_both"
    assert (review["leader"], review["created_by"], review["agent_id"]) == (
        "leena",
        "leena",
        "aino",
    )
    assert review["self_due"] == "2026-11-08T08:00:00Z"  # 7 days, the default
    assert (review["self"], review["leader_side"], review["comparison"]) == (None, None, None)
    rid = review["review_id"]
    assert todos("agent:aino") == {("self_evaluate", rid, "2026-11-08T08:00:00Z")}
    assert todos("user:leena") == {("leader_evaluate", rid, None)}

    clock.now += timedelta(hours=1)
    mine = put_side(api, AGENT, rid, "self", self_side(no=("kiitos",)))
    assert mine.status == 200, mine.body
    assert mine.body["state"] == "awaiting_leader"
    assert mine.body["self"]["summary"] == SELF_SECRET  # the author reads it back
    assert mine.body["self"]["score"]["overall"] == points(("kiitos",))
    assert mine.body["self"]["method"] == "self"
    assert mine.body["self"]["evaluation_id"] is None
    assert todos("agent:aino") == set()
    # The leader and the admin see that it is in, and nothing of it.
    for who in (LEADER, ADMIN):
        shown = read(api, who, rid)
        assert shown.status == 200, shown.body
        assert set(shown.body["self"]) == {
            "submitted_at",
            "submitted_by",
            "evaluation_id",
            "method",
        }
        assert shown.body["self"]["submitted_at"] == "2026-11-01T09:00:00Z"
        assert SELF_SECRET not in text(shown)
    assert evaluations_seen(api, AGENT) == []

    clock.now += timedelta(hours=1)
    theirs = put_side(api, LEADER, rid, "leader", leader_side(no=("ratkaisu", "kiitos")))
    assert theirs.status == 200, theirs.body
    opened = theirs.body
    assert opened["state"] == "open"
    assert opened["opened_at"] == "2026-11-01T10:00:00Z"
    assert opened["opened_without_self"] is False
    assert todos("user:leena") == set()
    assert todos("agent:aino") == set()
    for who in (AGENT, LEADER, ADMIN):
        shown = read(api, who, rid)
        assert shown.body == opened, who
        assert SELF_SECRET in text(shown)
        assert LEADER_SECRET in text(shown)
    comparison = opened["comparison"]
    assert comparison["self_score"] == points(("kiitos",)) == "94.12"  # 16 of 17 points
    assert comparison["leader_score"] == points(("ratkaisu", "kiitos")) == "76.47"  # 13 of 17
    rows = {c["criterion_id"]: c for c in comparison["criteria"]}
    assert [c["criterion_id"] for c in comparison["criteria"]] == [
        c["id"] for s in FORM["sections"] for c in s["criteria"]
    ]
    assert rows["ratkaisu"] == {
        "section_id": "kartoitus",
        "criterion_id": "ratkaisu",
        "text": FORM["sections"][1]["criteria"][2]["text"],
        "points": 3,
        "self": "yes",
        "leader": "no",
        "differs": True,
    }
    assert rows["kiitos"]["differs"] is False
    assert comparison["differing"] == 1

    # Both are evaluations now, made at the opening, naming the review.
    stored = {e["method"]: e for e in evaluations_seen(api, AGENT)}
    assert set(stored) == {"self", "recording"}
    for method, evaluation in stored.items():
        assert evaluation["review_id"] == rid
        assert evaluation["created_at"] == evaluation["revised_at"] == "2026-11-01T10:00:00Z"
        side = opened["self"] if method == "self" else opened["leader_side"]
        assert side["evaluation_id"] == evaluation["evaluation_id"]
        assert side["score"] == evaluation["score"]
    assert stored["recording"]["evaluator"] == "leena"
    assert stored["self"]["evaluator"] == "aino.k"
    # The second of a side, or any side now, is refused.
    again = put_side(api, LEADER, rid, "leader", leader_side())
    assert (again.status, again.body["error"]) == (409, "review_open")


def test_a_sealed_leader_side_is_no_evaluation_and_counts_only_once_open(
    world: Api, client: Client, stream: StreamReader, clock: Clock
) -> None:
    api = world
    rid = started(api)["review_id"]
    theirs = put_side(api, LEADER, rid, "leader", leader_side())
    assert theirs.status == 200, theirs.body
    assert theirs.body["state"] == "awaiting_self"
    assert theirs.body["leader_side"]["summary"] == LEADER_SECRET
    assert todos("user:leena") == set()
    assert todos("agent:aino") == {("self_evaluate", rid, "2026-11-08T08:00:00Z")}

    # Nothing of it anywhere before the agent's side is in.
    for who in (AGENT, ADMIN):
        shown = read(api, who, rid)
        assert shown.status == 200, shown.body
        assert set(shown.body["leader_side"]) == {
            "submitted_at",
            "submitted_by",
            "evaluation_id",
            "method",
        }
        assert LEADER_SECRET not in text(shown)
        listed = as_(api, who, "GET", "/v1/reviews?agent_id=aino")
        assert [r["review_id"] for r in listed.body["items"]] == [rid]
        assert LEADER_SECRET not in text(listed)
    for who in (AGENT, OTHER_LEADER, ADMIN):
        assert evaluations_seen(api, who) == []
    assert as_(api, AGENT, "GET", "/v1/evaluations").body["items"] == []
    records = stream.read()
    assert LEADER_SECRET not in json.dumps(records, default=str)
    assert deliver(client, records) == {"batchItemFailures": []}
    assert figures(api)["evaluations"] == 0

    mine = put_side(api, AGENT, rid, "self", self_side())
    assert mine.status == 200, mine.body
    assert mine.body["state"] == "open"
    assert deliver(client, stream.read()) == {"batchItemFailures": []}
    summary = figures(api)
    # The leader's evaluation counts; the self-evaluation never does.
    assert summary["evaluations"] == 1
    assert summary["average_score"] == points(("ratkaisu",)) == "82.35"  # 14 of 17
    ratkaisu = next(c for c in summary["criteria"] if c["criterion_id"] == "ratkaisu")
    assert (ratkaisu["yes"], ratkaisu["no"]) == (0, 1)
    assert len(evaluations_seen(api, OTHER_LEADER)) == 2


def test_after_the_deadline_the_heartbeat_opens_the_leader_side_alone(
    world: Api, client: Client, stream: StreamReader, clock: Clock
) -> None:
    api = world
    root = load_app().root
    rid = started(api)["review_id"]
    waiting = started(api)["review_id"]  # no leader's side: never opened by the beat
    assert put_side(api, LEADER, rid, "leader", leader_side()).status == 200

    clock.now = datetime(2026, 11, 8, 7, 59, 59, tzinfo=UTC)
    assert review_service.open_expired(root.reviews, root.evaluations, "acme", clock.now) == 0
    assert read(api, AGENT, rid).body["state"] == "awaiting_self"
    assert deliver(client, stream.read()) == {"batchItemFailures": []}
    assert figures(api)["evaluations"] == 0

    clock.now = datetime(2026, 11, 8, 9, 0, tzinfo=UTC)
    assert review_service.open_expired(root.reviews, root.evaluations, "globex", clock.now) == 0
    assert review_service.open_expired(root.reviews, root.evaluations, "acme", clock.now) == 1
    assert review_service.open_expired(root.reviews, root.evaluations, "acme", clock.now) == 0
    shown = read(api, AGENT, rid).body
    assert shown["state"] == "open"
    assert shown["opened_at"] == "2026-11-08T09:00:00Z"
    assert shown["opened_without_self"] is True
    assert (shown["self"], shown["comparison"]) == (None, None)
    assert shown["leader_side"]["summary"] == LEADER_SECRET
    assert todos("agent:aino") == {("self_evaluate", waiting, "2026-11-08T08:00:00Z")}
    late = put_side(api, AGENT, rid, "self", self_side())
    assert (late.status, late.body["error"]) == (409, "review_open")
    assert read(api, AGENT, waiting).body["state"] == "awaiting_both"
    [evaluation] = evaluations_seen(api, AGENT)
    assert evaluation["created_at"] == "2026-11-08T09:00:00Z"
    assert deliver(client, stream.read()) == {"batchItemFailures": []}
    assert figures(api)["evaluations"] == 1


def test_a_self_side_after_the_deadline_opens_the_review_without_it(
    world: Api, clock: Clock
) -> None:
    api = world
    rid = started(api)["review_id"]
    assert put_side(api, LEADER, rid, "leader", leader_side()).status == 200
    clock.now = datetime(2026, 11, 8, 8, 0, tzinfo=UTC)
    late = put_side(api, AGENT, rid, "self", self_side())
    assert (late.status, late.body["error"]) == (409, "review_open")
    shown = read(api, AGENT, rid).body
    assert (shown["state"], shown["opened_without_self"]) == ("open", True)
    assert todos("agent:aino") == set()
    root = load_app().root
    assert review_service.open_expired(root.reviews, root.evaluations, "acme", clock.now) == 0


def test_a_leader_side_after_the_deadline_opens_at_once(world: Api, clock: Clock) -> None:
    api = world
    rid = started(api)["review_id"]
    clock.now = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
    theirs = put_side(api, LEADER, rid, "leader", leader_side())
    assert theirs.status == 200, theirs.body
    assert (theirs.body["state"], theirs.body["opened_without_self"]) == ("open", True)
    assert todos("agent:aino") == set()
    assert todos("user:leena") == set()
    assert len(evaluations_seen(api, AGENT)) == 1


def test_the_agent_starts_their_own_review_with_their_team_leader(world: Api) -> None:
    review = started(world, AGENT)
    assert (review["leader"], review["created_by"]) == ("leena", "aino.k")
    shown = read(world, LEADER, review["review_id"])
    assert shown.status == 200, shown.body


def test_an_opening_retried_after_it_was_stored_writes_nothing_twice(
    world: Api, clock: Clock
) -> None:
    api = world
    root = load_app().root
    rid = started(api)["review_id"]
    assert put_side(api, LEADER, rid, "leader", leader_side()).status == 200
    sealed = root.reviews.get("acme", rid)
    clock.now = datetime(2026, 11, 9, tzinfo=UTC)
    assert review_service.open_expired(root.reviews, root.evaluations, "acme", clock.now) == 1
    first = read(api, ADMIN, rid).body
    # A second opener (a retried beat) that read the review before the first one wrote:
    # its evaluations are there under the same ids, so it writes nothing at all.
    later = clock.now + timedelta(hours=1)
    again = open_review(sealed, later)
    assert [e.evaluation_id for e in opened_evaluations(again)] == [evaluation_id_of(rid, "leader")]
    assert _write(root.reviews, root.evaluations, "acme", sealed, again, later) is None
    assert read(api, ADMIN, rid).body == first
    [evaluation] = evaluations_seen(api, ADMIN)
    assert evaluation["evaluation_id"] == evaluation_id_of(rid, "leader")
    assert evaluation["created_at"] == first["opened_at"] == "2026-11-09T00:00:00Z"


# Who may do what ----------------------------------------------------------------


def test_who_may_start_a_review_and_with_which_leader(world: Api) -> None:
    api = world
    cases: list[tuple[dict[str, Any], dict[str, Any], int, str | None]] = [
        (ADMIN, {}, 400, "leader"),
        (ADMIN, {"leader": "someone"}, 400, "leader"),
        (ADMIN, {"leader": "leena"}, 201, None),
        (ADMIN, {"leader": "maija"}, 201, None),
        (LEADER, {"leader": "olli"}, 403, "leader"),
        (LEADER, {"leader": "leena"}, 201, None),
        (OTHER_LEADER, {}, 403, "agent_id"),
        (AGENT, {"leader": "olli"}, 400, "leader"),
        (AGENT, {"agent_id": "bert"}, 403, "agent_id"),
        ({"role": "auditor", "user": "audi"}, {}, 403, None),
        ({"role": "payroll", "user": "pay"}, {}, 403, None),
        (ADMIN, {"agent_id": "nobody", "leader": "maija"}, 400, "agent_id"),
        (ADMIN, {"leader": "maija", "form_version": 2}, 400, "form_version"),
        (ADMIN, {"leader": "maija", "extra": 1}, 400, "extra"),
        (ADMIN, {"leader": "maija", "contact": {**CONTACT, "occurred_at": "x"}}, 400, None),
    ]
    for who, fields, status, field in cases:
        answer = start(api, who, **fields)
        assert answer.status == status, (who, fields, answer.body)
        if field is not None:
            assert answer.body["field"] == field, (who, fields, answer.body)
    assert api.call("PUT", "/v1/teams/t3", body={"name": "t3"}).status == 200
    assert api.call("PUT", "/v1/agents/sari", body={"name": "Sari", "team": "t3"}).status == 200
    leaderless = start(api, {"role": "agent", "user": "sari", "agent_id": "sari"}, agent_id="sari")
    assert (leaderless.status, leaderless.body["field"]) == (400, "leader")


def test_who_may_read_and_write_each_side(world: Api) -> None:
    api = world
    rid = started(api)["review_id"]
    for who in (OTHER_AGENT, OTHER_LEADER, {"role": "auditor", "user": "leena"}):
        assert read(api, who, rid).status in (403, 404), who
    assert read(api, OTHER_AGENT, rid).status == 404
    assert read(api, OTHER_LEADER, rid).status == 404
    assert as_(api, {**ADMIN, "tenant": "globex"}, "GET", f"/v1/reviews/{rid}").status == 404
    elsewhere = {**LEADER, "tenant": "globex"}
    assert put_side(api, elsewhere, rid, "leader", leader_side()).status == 404
    assert put_side(api, {**AGENT, "tenant": "globex"}, rid, "self", self_side()).status == 404
    for role in ("auditor", "payroll"):
        who = {"role": role, "user": "leena", "agent_id": "aino"}
        assert as_(api, who, "GET", "/v1/reviews").status == 403
        assert read(api, who, rid).status == 403
        assert put_side(api, who, rid, "self", self_side()).status == 403
    missing = read(api, ADMIN, "00000000-0000-4000-8000-000000000000")
    assert missing.status == 404
    bad = read(api, ADMIN, "not-a-review")
    assert (bad.status, bad.body["field"]) == (400, "review_id")

    # Only the review's agent writes the self side; only its leader the other.
    for who, side, body in (
        (LEADER, "self", self_side()),
        (ADMIN, "self", self_side()),
        (ADMIN, "leader", leader_side()),
        (AGENT, "leader", leader_side()),
    ):
        refused = put_side(api, who, rid, side, body)
        assert refused.status == 403, (who, side, refused.body)
    assert put_side(api, OTHER_AGENT, rid, "self", self_side()).status == 404

    # Bodies are checked like an evaluation's, against the review's form version.
    for who, side, body, field in (
        (AGENT, "self", {**self_side(), "method": "live"}, "method"),
        (AGENT, "self", {**self_side(), "agent_id": "bert"}, "agent_id"),
        (AGENT, "self", {"answers": {"tervehdys": "yes"}}, "answers.tunnistus"),
        (LEADER, "leader", {k: v for k, v in leader_side().items() if k != "method"}, "method"),
        (LEADER, "leader", {**leader_side(), "method": "self"}, "method"),
        (LEADER, "leader", {**leader_side(), "summary": "x" * 5001}, "summary"),
    ):
        refused = put_side(api, who, rid, side, body)
        assert (refused.status, refused.body["field"]) == (400, field), (side, body)

    stale = put_side(api, AGENT, rid, "self", self_side(), headers={"If-Match": '"7"'})
    assert stale.status == 412
    mine = put_side(api, AGENT, rid, "self", self_side(), headers={"If-Match": '"1"'})
    assert mine.status == 200, mine.body
    assert (mine.body["version"], mine.headers["etag"]) == (2, '"2"')
    # A retry of the same side answers the review as it is; other content is refused.
    twice = put_side(api, AGENT, rid, "self", self_side(), headers={"If-Match": '"1"'})
    assert (twice.status, twice.body["version"]) == (200, 2), twice.body
    changed = put_side(api, AGENT, rid, "self", self_side(no=("ratkaisu",)))
    assert (changed.status, changed.body["error"]) == (409, "side_submitted")


def test_lists_are_newest_first_within_each_readers_reach(world: Api, clock: Clock) -> None:
    api = world
    ids = []
    for _ in range(3):
        ids.append(started(api)["review_id"])
        clock.now += timedelta(minutes=1)
    bert = started(api, OTHER_LEADER, agent_id="bert")["review_id"]
    assert put_side(api, LEADER, ids[0], "leader", leader_side()).status == 200

    def listed(who: dict[str, Any], query: str = "") -> list[str]:
        answer = as_(api, who, "GET", f"/v1/reviews{query}")
        assert answer.status == 200, (who, query, answer.body)
        return [r["review_id"] for r in answer.body["items"]]

    newest_first = ids[::-1]
    assert listed(AGENT) == newest_first
    assert listed(LEADER) == newest_first
    assert listed(OTHER_LEADER) == [bert]
    assert listed(OTHER_AGENT) == [bert]
    assert listed(ADMIN) == [bert, *newest_first]
    assert listed(ADMIN, "?agent_id=aino") == newest_first
    assert listed(ADMIN, "?state=awaiting_self") == [ids[0]]
    assert listed(LEADER, "?state=awaiting_both") == newest_first[:2]
    assert listed({**ADMIN, "tenant": "globex"}) == []
    for who, query in ((AGENT, "?agent_id=bert"), (OTHER_LEADER, "?agent_id=aino")):
        assert as_(api, who, "GET", f"/v1/reviews{query}").status == 403
    assert as_(api, ADMIN, "GET", "/v1/reviews?state=closed").status == 400
    assert as_(api, ADMIN, "GET", "/v1/reviews?limit=0").status == 400
    # No agent id starts with "_": the tenant-wide listings are not an agent's.
    assert as_(api, ADMIN, "GET", "/v1/reviews?agent_id=_ALL").status == 400

    pages: list[str] = []
    cursor = ""
    while True:
        answer = as_(api, ADMIN, "GET", f"/v1/reviews?limit=2{cursor}")
        pages.extend(r["review_id"] for r in answer.body["items"])
        if answer.body["next_cursor"] is None:
            break
        cursor = f"&cursor={answer.body['next_cursor']}"
    assert pages == [bert, *newest_first]
    led = as_(api, LEADER, "GET", "/v1/reviews?limit=1&state=awaiting_both")
    assert [r["review_id"] for r in led.body["items"]] == [ids[2]]
    assert led.body["next_cursor"] is not None


def test_a_leader_who_hands_the_team_on_no_longer_reads_its_reviews(world: Api) -> None:
    api = world
    rid = started(api)["review_id"]
    moved = api.call("PUT", "/v1/teams/t1", body={"name": "t1", "leaders": ["olli"]})
    assert moved.status == 200
    assert read(api, LEADER, rid).status == 404
    assert read(api, OTHER_LEADER, rid).status == 200
    # The review is still leena's to write: olli reads it, and may not write her side.
    assert put_side(api, OTHER_LEADER, rid, "leader", leader_side()).status == 403


def test_the_request_schemas_are_in_the_document_as_they_are() -> None:
    for name, component in (("review", "ReviewInput"), ("review_side", "ReviewSideInput")):
        source = schemas.load(name)
        source.pop("$defs", None)
        del source["$schema"], source["$id"]
        text = json.dumps(source).replace('"#/$defs/agent_id"', '"#/components/schemas/AgentId"')
        assert DOCUMENT["components"]["schemas"][component] == json.loads(text)


def test_sides_arriving_at_once_are_both_kept_and_open_the_review_once(
    world: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agent's side is stored between the leader's read and write: the leader's
    write fails its version condition, reads again, and opens the review."""
    api = world
    rid = started(api)["review_id"]
    original = ReviewStore.update
    raced = {"done": False}

    def racing(self: ReviewStore, tenant: str, write: ReviewWrite) -> None:
        if not raced["done"] and write.new_sides == ("leader",):
            raced["done"] = True
            assert put_side(api, AGENT, rid, "self", self_side()).status == 200
        original(self, tenant, write)

    monkeypatch.setattr(ReviewStore, "update", racing)
    theirs = put_side(api, LEADER, rid, "leader", leader_side())
    assert raced["done"]
    assert theirs.status == 200, theirs.body
    assert theirs.body["state"] == "open"
    assert theirs.body["version"] == 3
    assert theirs.body["comparison"]["differing"] == 1
    assert {e["method"] for e in evaluations_seen(api, ADMIN)} == {"self", "recording"}


def test_two_sides_of_the_largest_size_a_request_carries_both_open(world: Api) -> None:
    """Each side is its own item: two sides near the 256 KB body limit are more than
    one DynamoDB item (400 KB) holds."""
    api = world
    big: dict[str, Any] = {
        "form_id": "iso",
        "name": "Iso lomake",
        "sections": [
            {
                "id": f"s{s}",
                "title": f"Osio {s}",
                "criteria": [{"id": f"c{s}-{c}", "text": f"Kohta {c}"} for c in range(20)],
            }
            for s in range(6)
        ],
    }
    api.publish(big)
    rid = started(api, form_id="iso")["review_id"]
    ids = [c["id"] for s in big["sections"] for c in s["criteria"]]
    side: dict[str, Any] = {
        "answers": dict.fromkeys(ids, "yes"),
        "comments": dict.fromkeys(ids, "x" * 1990),
    }
    assert len(json.dumps(side)) > 230_000
    assert put_side(api, AGENT, rid, "self", side).status == 200
    opened = put_side(api, LEADER, rid, "leader", {**side, "method": "live"})
    assert opened.status == 200, opened.body
    assert opened.body["comparison"]["differing"] == 0
    assert read(api, AGENT, rid).body == opened.body

"""Submitting, retrying, amending and reading evaluations."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from tests.functional.api import Api
from tests.functional.conftest import StreamReader, deliver
from tests.support import all_answers, evaluation_body


def summary(api: Api, agent: str = "agent-7", period: str = "2026-11") -> Any:
    answer = api.call("GET", f"/v1/agents/{agent}/summary?period={period}", "evaluator")
    assert answer.status == 200, answer.body
    return answer.body


def test_a_retry_with_the_same_idempotency_key_stores_nothing_twice(
    api: Api, client: Client, stream: StreamReader
) -> None:
    form = api.publish()
    body = evaluation_body(form)
    first = api.submit(body, headers={"Idempotency-Key": "k-1"})
    again = api.submit(body, headers={"Idempotency-Key": "k-1"})
    assert first.status == again.status == 201
    assert again.body["evaluation_id"] == first.body["evaluation_id"]
    assert again.headers.get("idempotent-replayed") == "true"
    records = stream.read()
    inserts = [r for r in records if r["dynamodb"]["Keys"]["sk"]["S"].startswith("REV#")]
    assert len(inserts) == 1
    deliver(client, records)
    assert summary(api)["evaluations"] == 1


def test_the_same_key_with_another_body_is_refused(api: Api) -> None:
    form = api.publish()
    api.submit(evaluation_body(form), headers={"Idempotency-Key": "k-2"})
    other = api.submit(
        evaluation_body(form, agent_id="agent-8"), headers={"Idempotency-Key": "k-2"}
    )
    assert other.status == 422
    assert other.body["error"] == "idempotency_key_reused"


def test_keys_are_per_user(api: Api) -> None:
    form = api.publish()
    body = evaluation_body(form)
    one = api.submit(body, headers={"Idempotency-Key": "same"}, user="eva")
    two = api.submit(body, headers={"Idempotency-Key": "same"}, user="otto")
    assert one.body["evaluation_id"] != two.body["evaluation_id"]


def test_amendment_keeps_history_and_moves_the_aggregate(
    api: Api, client: Client, stream: StreamReader
) -> None:
    form = api.publish()
    created = api.submit(evaluation_body(form))
    evaluation_id = created.body["evaluation_id"]
    deliver(client, stream.read())
    assert summary(api)["average_score"] == "100.00"

    changed = evaluation_body(
        form,
        occurred_at="2026-12-01T09:00:00+02:00",
        answers={**all_answers(form), "kiitos": "no"},
    )
    path = f"/v1/evaluations/{evaluation_id}"
    assert api.call("PUT", path, "evaluator", body=changed).status == 428
    stale = api.call("PUT", path, "evaluator", body=changed, headers={"If-Match": '"7"'})
    assert stale.status == 412
    amended = api.call("PUT", path, "evaluator", body=changed, headers={"If-Match": '"1"'})
    assert amended.status == 200, amended.body
    assert amended.body["revision"] == 2
    assert amended.headers["etag"] == '"2"'
    deliver(client, stream.read())

    november, december = summary(api), summary(api, period="2026-12")
    assert november["evaluations"] == 0
    assert november["average_score"] is None
    assert december["evaluations"] == 1
    assert december["average_score"] == amended.body["score"]["overall"]

    first = api.call("GET", f"{path}/revisions/1", "evaluator")
    assert first.body["score"]["overall"] == "100.00"
    history = api.call("GET", f"{path}/revisions", "evaluator")
    assert [r["revision"] for r in history.body["items"]] == [1, 2]
    assert api.call("GET", path, "evaluator").body["revision"] == 2


def test_only_the_author_or_an_admin_amends(api: Api) -> None:
    form = api.publish()
    created = api.submit(evaluation_body(form), user="eva")
    path = f"/v1/evaluations/{created.body['evaluation_id']}"
    body = evaluation_body(form, answers={**all_answers(form), "kiitos": "no"})
    other = api.call("PUT", path, "evaluator", body=body, headers={"If-Match": '"1"'}, user="otto")
    assert other.status == 403
    admin = api.call("PUT", path, "admin", body=body, headers={"If-Match": '"1"'})
    assert admin.status == 200
    assert admin.body["evaluator"] == "eva"
    assert admin.body["revised_by"] == "admin-1"


def test_an_evaluation_is_scored_against_its_own_form_version(api: Api) -> None:
    form = api.publish()
    first = api.submit(evaluation_body(form, answers={**all_answers(form), "kiitos": "no"}))
    changed = {**form, "sections": [dict(s) for s in form["sections"]]}
    last = changed["sections"][-1]
    last["criteria"] = [{**c, "points": 10} if c["id"] == "kiitos" else c for c in last["criteria"]]
    etag = api.call("GET", "/v1/forms/asiakaspalvelu").headers["etag"]
    saved = api.call("PUT", "/v1/forms/asiakaspalvelu", body=changed, headers={"If-Match": etag})
    assert saved.status == 200
    published = api.call("POST", "/v1/forms/asiakaspalvelu/publish")
    assert published.status == 201
    assert published.body["version"] == 2
    v1 = api.submit(evaluation_body(form, answers={**all_answers(form), "kiitos": "no"}))
    v2 = api.submit(evaluation_body(form, version=2, answers={**all_answers(form), "kiitos": "no"}))
    assert v1.body["score"]["overall"] == first.body["score"]["overall"] == "94.12"  # 16/17
    assert v2.body["score"]["overall"] == "61.54"  # 16/26


def test_agents_see_only_their_own(api: Api) -> None:
    form = api.publish()
    own = api.submit(evaluation_body(form, agent_id="aino"))
    other = api.submit(evaluation_body(form, agent_id="pekka"))
    as_aino: dict[str, Any] = {"agent_id": "aino"}
    got = api.call("GET", f"/v1/evaluations/{own.body['evaluation_id']}", "agent", **as_aino)
    assert got.status == 200
    hidden = api.call("GET", f"/v1/evaluations/{other.body['evaluation_id']}", "agent", **as_aino)
    assert hidden.status == 404
    listed = api.call("GET", "/v1/evaluations", "agent", **as_aino)
    assert [e["agent_id"] for e in listed.body["items"]] == ["aino"]
    assert api.call("GET", "/v1/evaluations?agent_id=pekka", "agent", **as_aino).status == 403
    assert (
        api.call("GET", "/v1/agents/pekka/summary?period=2026-11", "agent", **as_aino).status == 403
    )


def test_an_agent_self_evaluates_without_touching_pay_figures(
    api: Api, client: Client, stream: StreamReader
) -> None:
    form = api.publish()
    body = evaluation_body(form, agent_id="aino", method="self")
    assert api.submit(body, "agent", agent_id="pekka").status == 400  # not themselves
    assert api.submit({**body, "method": "live"}, "agent", agent_id="aino").status == 400
    created = api.submit(body, "agent", agent_id="aino")
    assert created.status == 201, created.body
    assert api.submit(body, "evaluator").status == 400  # 'self' is the agent's own
    deliver(client, stream.read())
    assert summary(api, agent="aino")["evaluations"] == 0


def test_listing_pages_through_a_time_range(api: Api) -> None:
    form = api.publish()
    for day in range(1, 8):
        api.submit(evaluation_body(form, occurred_at=f"2026-11-{day:02d}T12:00:00+02:00"))
    api.submit(evaluation_body(form, occurred_at="2026-10-31T23:59:59+02:00"))
    seen: list[str] = []
    cursor = ""
    while True:
        query = "agent_id=agent-7&from=2026-11-01T00:00:00%2B02:00&to=2026-12-01T00:00:00%2B02:00"
        page = api.call("GET", f"/v1/evaluations?{query}&limit=3{cursor}", "evaluator")
        assert page.status == 200, page.body
        seen.extend(e["contact"]["occurred_at"] for e in page.body["items"])
        if not page.body["next_cursor"]:
            break
        cursor = f"&cursor={page.body['next_cursor']}"
    assert len(seen) == 7
    assert seen == sorted(seen, reverse=True)
    everyone = api.call("GET", "/v1/evaluations?limit=200", "evaluator")
    assert len(everyone.body["items"]) == 8
    assert api.call("GET", "/v1/evaluations?cursor=bm9wZQ", "evaluator").status == 400


def test_the_api_refuses_an_agent_the_import_would_refuse(api: Api) -> None:
    """One roster rule on every entry path (the import's is in test_imports)."""
    form = api.publish()
    # Without a roster nothing can be checked: any agent id passes.
    assert api.submit(evaluation_body(form, agent_id="anyone")).status == 201
    assert api.call("PUT", "/v1/agents/aino", body={"payroll_id": "P-1"}).status == 200
    refused = api.submit(evaluation_body(form, agent_id="stranger"))
    assert (refused.status, refused.body["field"], refused.body["error"]) == (
        400,
        "agent_id",
        "unknown_agent",
    )
    created = api.submit(evaluation_body(form, agent_id="aino"))
    assert created.status == 201
    moved = api.call(
        "PUT",
        f"/v1/evaluations/{created.body['evaluation_id']}",
        "evaluator",
        body=evaluation_body(form, agent_id="stranger"),
        headers={"If-Match": created.headers["etag"]},
    )
    assert (moved.status, moved.body["error"]) == (400, "unknown_agent")

"""Routes that name an object, tried with another tenant's ids, find nothing (OWASP API1,
BOLA). Every operation x every role set x tenant is in test_authorization_matrix.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functional.api import Api
from tests.support import demo_form, evaluation_body

OTHER: dict[str, Any] = {"tenant": "globex"}


@pytest.fixture
def acme_ids(api: Api) -> dict[str, str]:
    form = api.publish()
    created = api.submit(evaluation_body(form, agent_id="aino"))
    assert created.status == 201
    return {"form_id": form["form_id"], "evaluation_id": created.body["evaluation_id"]}


def test_object_routes_answer_404_for_another_tenants_ids(
    api: Api, acme_ids: dict[str, str]
) -> None:
    form_id, evaluation_id = acme_ids["form_id"], acme_ids["evaluation_id"]
    body = evaluation_body(demo_form(), agent_id="aino")
    not_found = [
        ("GET", f"/v1/forms/{form_id}", None, {}),
        ("PUT", f"/v1/forms/{form_id}", demo_form(), {}),
        ("POST", f"/v1/forms/{form_id}/publish", None, {}),
        ("GET", f"/v1/forms/{form_id}/versions", None, {}),
        ("GET", f"/v1/forms/{form_id}/versions/1", None, {}),
        ("GET", f"/v1/evaluations/{evaluation_id}", None, {}),
        ("PUT", f"/v1/evaluations/{evaluation_id}", body, {"If-Match": '"1"'}),
        ("GET", f"/v1/evaluations/{evaluation_id}/revisions", None, {}),
        ("GET", f"/v1/evaluations/{evaluation_id}/revisions/1", None, {}),
    ]
    for method, path, payload, headers in not_found:
        role = ["admin", "evaluator"]
        answer = api.call(method, path, role, body=payload, headers=headers, **OTHER)
        assert answer.status == 404, (method, path, answer.body)

    # Lists and summaries are scoped by the token's tenant: they come back empty.
    assert api.call("GET", "/v1/forms", "admin", **OTHER).body["items"] == []
    listed = api.call("GET", "/v1/evaluations?agent_id=aino", "evaluator", **OTHER)
    assert listed.body["items"] == []
    assert api.call("GET", "/v1/evaluations", "evaluator", **OTHER).body["items"] == []
    summary = api.call("GET", "/v1/agents/aino/summary?period=2026-11", "evaluator", **OTHER)
    assert summary.body["evaluations"] == 0
    # Submitting against another tenant's form version is refused as unknown.
    refused = api.submit(body, **OTHER)
    assert refused.status == 400
    assert refused.body["field"] == "form_version"
    # The owner still sees everything unchanged.
    assert api.call("GET", f"/v1/evaluations/{evaluation_id}", "evaluator").status == 200


def test_a_cursor_from_one_tenant_does_not_open_another(api: Api, acme_ids: dict[str, str]) -> None:
    form = demo_form()
    for _ in range(3):
        api.submit(evaluation_body(form, agent_id="aino"))
    page = api.call("GET", "/v1/evaluations?agent_id=aino&limit=1", "evaluator")
    cursor = page.body["next_cursor"]
    assert cursor
    api.publish(**OTHER)
    stolen = api.call("GET", f"/v1/evaluations?agent_id=aino&cursor={cursor}", "evaluator", **OTHER)
    assert stolen.status == 400
    assert stolen.body["field"] == "cursor"

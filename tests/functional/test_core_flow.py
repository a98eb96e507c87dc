"""The core slice: publish a form, submit an evaluation, aggregate it from the stream."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from tests.functional.conftest import StreamReader, deliver
from tests.support import auth, demo_form, evaluation_body


def publish_demo(client: Client) -> dict[str, Any]:
    form = demo_form()
    created = client.http.post("/v1/forms", headers=auth("admin"), body=json.dumps(form))
    assert created.status_code == 201, created.body
    published = client.http.post("/v1/forms/asiakaspalvelu/publish", headers=auth("admin"))
    assert published.status_code == 201, published.body
    assert json.loads(published.body)["version"] == 1
    return form


def test_submit_scores_and_stream_aggregates(client: Client, stream: StreamReader) -> None:
    form = publish_demo(client)
    answers = {c["id"]: "yes" for s in form["sections"] for c in s["criteria"]}
    answers["ratkaisu"] = "no"  # 3 of the 17 points lost
    answers["lisamyynti"] = "na"  # 2 points leave the calculation
    body = evaluation_body(form, answers=answers)
    response = client.http.post("/v1/evaluations", headers=auth("evaluator"), body=json.dumps(body))
    assert response.status_code == 201, response.body
    created = json.loads(response.body)
    assert created["score"]["overall"] == "80.00"  # 12 of 15 applicable points
    assert created["revision"] == 1

    result = deliver(client, stream.read())
    assert result == {"batchItemFailures": []}

    summary = client.http.get(
        "/v1/agents/agent-7/summary?period=2026-11", headers=auth("evaluator")
    )
    assert summary.status_code == 200, summary.body
    figures = json.loads(summary.body)
    assert figures["evaluations"] == 1
    assert figures["average_score"] == "80.00"
    rates = {c["criterion_id"]: c["pass_rate"] for c in figures["criteria"]}
    assert rates["ratkaisu"] == "0.00"
    assert rates["tervehdys"] == "100.00"
    assert "lisamyynti" not in rates

"""The core flow on moto, measured request by request.

The app is loaded and driven as in the functional tests (tests/functional/
conftest.py): chalice.test.Client for the HTTP routes, and the evaluations
table's stream read through the Streams API and handed to the stream_consumer
Lambda as a real event. Creating the tables, publishing the form and reading
the stream (Lambda's poller does that, not the function) happen outside the
measured blocks.

One unmeasured round trip (write, stream, summary) runs first, so the figures
are those of a warm Lambda container rather than of its first request.

REPLAY_LAST: moto 5.2 applies a TransactWriteItems action by action and, when
one condition fails, puts back a deep copy of each table. The actions that had
already run leave INSERT records for items that were never stored in the
stream, and the restored table carries a copy of the stream shard, so an open
shard iterator sees no later write. DynamoDB does neither. The idempotent
replay (a cancelled transaction) is therefore the last step of a flow, and each
flow gets a fresh moto.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalice.test import Client
from moto import mock_aws

from chalicelib.adapters.tables import create_tables
from tests.bench.forms import bench_form, bench_form_dict, random_answers
from tests.bench.recorder import Recorder, Scope
from tests.functional.conftest import StreamReader, deliver
from tests.support import all_answers, auth, demo_form, evaluation_body, load_app

PERIOD = "2026-11"


@dataclass(frozen=True)
class Step:
    scope: Scope
    outcome: str


@dataclass
class Flow:
    label: str
    steps: list[Step] = field(default_factory=list)


def _publish(client: Client, form: dict[str, Any]) -> None:
    created = client.http.post("/v1/forms", headers=auth("admin"), body=json.dumps(form))
    assert created.status_code == 201, created.body
    published = client.http.post(f"/v1/forms/{form['form_id']}/publish", headers=auth("admin"))
    assert published.status_code == 201, published.body


def _post(client: Client, body: dict[str, Any], key: str | None) -> str:
    headers = auth("evaluator")
    if key is not None:
        headers["Idempotency-Key"] = key
    response = client.http.post("/v1/evaluations", headers=headers, body=json.dumps(body))
    assert response.status_code == 201, response.body
    replayed = response.headers.get("Idempotent-Replayed") == "true"
    score = json.loads(response.body)["score"]["overall"]
    return f"HTTP 201{', replayed' if replayed else ''}, score {score}"


def _deliver(client: Client, records: list[dict[str, Any]]) -> str:
    result = deliver(client, records)
    assert result == {"batchItemFailures": []}, result
    inserts = sum(1 for r in records if r.get("eventName") == "INSERT")
    return f"{len(records)} records ({inserts} INSERT), batchItemFailures: []"


def _summary(client: Client, agent_id: str) -> str:
    response = client.http.get(
        f"/v1/agents/{agent_id}/summary?period={PERIOD}", headers=auth("evaluator")
    )
    assert response.status_code == 200, response.body
    figures = json.loads(response.body)
    return (
        f"HTTP 200, {figures['evaluations']} evaluations, average {figures['average_score']}, "
        f"{len(figures['criteria'])} criteria"
    )


def _measured(recorder: Recorder, flow: Flow, label: str, action: Callable[[], str]) -> None:
    with recorder.measure(label) as scope:
        outcome = action()
    flow.steps.append(Step(scope, outcome))


def _flow(
    recorder: Recorder,
    label: str,
    form: dict[str, Any],
    bodies: tuple[dict[str, Any], dict[str, Any]],
) -> Flow:
    """A fresh moto per flow: see REPLAY_LAST."""
    flow = Flow(label)
    plain, keyed = bodies
    agent_id = plain["agent_id"]
    key = f"bench-{agent_id}-1"
    with mock_aws():
        create_tables()
        with Client(load_app().app) as client:
            stream = StreamReader()
            _publish(client, form)
            # Unmeasured warm-up: the container's first write, stream batch and read.
            _post(client, {**plain, "agent_id": "agent-warm"}, None)
            _deliver(client, stream.read())
            _summary(client, "agent-warm")

            def step(label: str, action: Callable[[], str]) -> None:
                _measured(recorder, flow, label, action)

            step("POST /v1/evaluations, no Idempotency-Key", lambda: _post(client, plain, None))
            records = stream.read()
            step("  stream handler, that write", lambda: _deliver(client, records))
            step("POST /v1/evaluations, Idempotency-Key", lambda: _post(client, keyed, key))
            records = stream.read()
            step("  stream handler, that write", lambda: _deliver(client, records))
            step(
                f"GET /v1/agents/{{id}}/summary?period={PERIOD}", lambda: _summary(client, agent_id)
            )
            step("POST again, same key and body (replay)", lambda: _post(client, keyed, key))
    return flow


def run_flows(recorder: Recorder) -> list[Flow]:
    demo = demo_form()
    answers = all_answers(demo)
    answers["ratkaisu"] = "no"
    answers["lisamyynti"] = "na"
    demo_bodies = (
        evaluation_body(demo, agent_id="agent-7", answers=answers),
        evaluation_body(demo, agent_id="agent-7"),
    )
    big = bench_form_dict(weighted=True)
    rng = random.Random(7)
    big_answers = [random_answers(bench_form(weighted=True), rng) for _ in range(2)]
    big_bodies = (
        evaluation_body(big, agent_id="agent-50", answers=big_answers[0]),
        evaluation_body(big, agent_id="agent-50", answers=big_answers[1]),
    )
    with recorder.installed():
        return [
            _flow(recorder, f"demo form '{demo['form_id']}': 10 criteria", demo, demo_bodies),
            _flow(recorder, f"bench form '{big['form_id']}': 50 criteria", big, big_bodies),
        ]

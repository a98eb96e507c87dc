"""Races over real HTTP: the local stack serves API calls at once, as Lambda does.

Each race starts its requests together behind a barrier. The outcome is asserted,
never the time anything took.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from chalice.app import Blueprint, Chalice
from chalice.config import Config
from chalice.local import LocalGateway

from chalicelib.adapters.tokens import issue_local_token
from infra.local.app_threads import IN_FLIGHT_HEADER, per_thread
from infra.local.server import API_WORKERS
from tests.e2e.local_stack import StackProcess, call

pytestmark = pytest.mark.e2e

TENANT = "race"
AGENT = "agent-race"
PERIOD = "2026-11"
RACERS = 20
FORM = {
    "form_id": "kilpa",
    "name": "Kilpa",
    "sections": [
        {
            "id": "puhelu",
            "title": "Puhelu",
            "criteria": [
                {"id": "tervehdys", "text": "Tervehtii", "points": 1},
                {"id": "ratkaisu", "text": "Ratkaisee asian", "points": 3},
            ],
        }
    ],
}
Answer = tuple[int, dict[str, str], Any]


def token(role: str) -> str:
    # The stack inherits this secret from the test environment (tests/conftest.py).
    return issue_local_token(
        os.environ["LAATU_LOCAL_JWT_SECRET"], tenant=TENANT, roles=[role], user=f"{role}-race"
    )


def evaluation(contact: str, summary: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {
        "form_id": FORM["form_id"],
        "form_version": 1,
        "agent_id": AGENT,
        "contact": {"channel": "phone", "id": contact, "occurred_at": "2026-11-02T10:15:00+02:00"},
        "method": "recording",
        "answers": {"tervehdys": "yes", "ratkaisu": "no"},
    }
    if summary:
        body["summary"] = summary
    return body


def prepare(stack: StackProcess) -> None:
    """A started stack with the race tenant's form published and its agent on the roster."""
    stack.start()
    admin = token("admin")
    status, _, body = call("POST", f"{stack.base}/v1/forms", admin, FORM)
    assert status == 201, body
    status, _, body = call("POST", f"{stack.base}/v1/forms/{FORM['form_id']}/publish", admin)
    assert status == 201, body
    roster = {"name": "Kilpa Agentti", "team": "Tiimi", "payroll_id": "9001"}
    status, _, body = call("PUT", f"{stack.base}/v1/agents/{AGENT}", admin, roster)
    assert status == 200, body


def race(requests: list[Callable[[], Answer]]) -> list[Answer]:
    """Runs the requests at once: each thread waits at a barrier, then sends."""
    start = threading.Barrier(len(requests))

    def run(request: Callable[[], Answer]) -> Answer:
        start.wait()
        return request()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(run, requests))


def summary_count(stack: StackProcess) -> int:
    url = f"{stack.base}/v1/agents/{AGENT}/summary?period={PERIOD}"
    status, _, body = call("GET", url, token("evaluator"))
    assert status == 200, body
    return int(body["evaluations"])


def counted_once_caught_up(stack: StackProcess, expected: int, timeout_s: float = 20) -> int:
    """The agent's month count, less a marker, once the stream pump has caught up.

    A marker evaluation is written last; the pump delivers the stream in order,
    so once the marker is counted everything before it has been folded in, and
    the count is final. Waits for `expected` and the marker, no longer.
    """
    status, _, body = call(
        "POST", f"{stack.base}/v1/evaluations", token("evaluator"), evaluation("marker")
    )
    assert status == 201, body
    deadline = time.monotonic() + timeout_s
    while (count := summary_count(stack)) < expected + 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    return count - 1


def held_app(inside: threading.Barrier) -> Chalice:
    """An app whose one route waits, mid-request, until every caller is inside it,
    then answers what its Blueprint sees as the current request and context."""
    app = Chalice(app_name="held")
    blueprint = Blueprint(__name__)

    @blueprint.route("/who")
    def who() -> dict[str, Any]:
        inside.wait(timeout=10)
        query = blueprint.current_request.query_params
        assert query is not None
        return {
            "caller": query["caller"],
            "context": blueprint.lambda_context.aws_request_id,
        }

    app.register_blueprint(blueprint)
    return app


@pytest.mark.parametrize("callers", [2, API_WORKERS])
def test_each_request_thread_sees_its_own_request_and_context(callers: int) -> None:
    app = held_app(threading.Barrier(callers))
    gauge = per_thread(app)
    gateway = LocalGateway(app, Config.create(chalice_stage="local", app_name="held"))

    def ask(caller: int) -> tuple[int, dict[str, Any]]:
        response = gateway.handle_request("GET", f"/who?caller={caller}", {}, None)
        in_flight = int(response["headers"][IN_FLIGHT_HEADER])
        return in_flight, json.loads(response["body"])

    with ThreadPoolExecutor(max_workers=callers) as pool:
        answers = list(pool.map(ask, range(callers)))

    # Without per_thread every caller would read the request set last.
    assert [body["caller"] for _, body in answers] == [str(i) for i in range(callers)]
    assert len({body["context"] for _, body in answers}) == callers
    assert gauge.peak == callers  # the barrier held them all inside at once
    assert max(in_flight for in_flight, _ in answers) == callers


def test_requests_really_run_at_once_and_at_most_api_workers(stack: StackProcess) -> None:
    prepare(stack)
    evaluator = token("evaluator")
    url = f"{stack.base}/v1/evaluations"
    peaks: list[int] = []
    # The app counts the calls inside it and says how many there were on each
    # answer. Under a one-at-a-time lock every answer says 1; running twenty
    # together almost always overlaps at once, and a few rounds make it certain.
    for round_ in range(5):
        answers = race(
            [
                partial(call, "POST", url, evaluator, evaluation(f"overlap-{round_}-{i}"))
                for i in range(RACERS)
            ]
        )
        assert [status for status, _, _ in answers] == [201] * RACERS, answers
        peaks.append(max(int(headers[IN_FLIGHT_HEADER]) for _, headers, _ in answers))
        if peaks[-1] > 1:
            break
    assert max(peaks) > 1, f"no two API calls were ever in the app at once: {peaks}"
    assert max(peaks) <= API_WORKERS, peaks


def test_one_of_twenty_parallel_amendments_wins(stack: StackProcess) -> None:
    prepare(stack)
    evaluator = token("evaluator")
    status, headers, created = call(
        "POST", f"{stack.base}/v1/evaluations", evaluator, evaluation("amend-1")
    )
    assert (status, headers["ETag"]) == (201, '"1"'), created
    url = f"{stack.base}/v1/evaluations/{created['evaluation_id']}"
    if_match = {"If-Match": '"1"'}

    answers = race(
        [
            partial(call, "PUT", url, evaluator, evaluation("amend-1", f"amendment {i}"), if_match)
            for i in range(RACERS)
        ]
    )

    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [200] + [412] * (RACERS - 1), answers
    winner = next(body for status, _, body in answers if status == 200)
    assert winner["revision"] == 2
    status, _, history = call("GET", f"{url}/revisions", evaluator)
    assert status == 200, history
    assert [item["revision"] for item in history["items"]] == [1, 2]
    assert history["items"][1]["summary"] == winner["summary"]
    assert counted_once_caught_up(stack, 1) == 1

    # The journal recorded the writes in the order moto applied them, so a
    # restart replays every one of them and comes back to the same history.
    assert stack.stop() == 0
    stack.start()
    replayed = re.search(r"\d+ writes replayed in [\d.]+ s(, \d+ of them FAILED)?", stack.output())
    assert replayed is not None, stack.output()
    assert replayed.group(1) is None, replayed.group(0)
    status, headers, kept = call("GET", url, evaluator)
    assert (status, headers["ETag"], kept["summary"]) == (200, '"2"', winner["summary"])
    status, _, history = call("GET", f"{url}/revisions", evaluator)
    assert [item["revision"] for item in history["items"]] == [1, 2]


def test_twenty_parallel_submits_with_one_key_create_one_evaluation(stack: StackProcess) -> None:
    prepare(stack)
    evaluator = token("evaluator")
    body = evaluation("idem-1")
    key = {"Idempotency-Key": "race-one-key"}

    answers = race(
        [partial(call, "POST", f"{stack.base}/v1/evaluations", evaluator, body, key)] * RACERS
    )

    assert [status for status, _, _ in answers] == [201] * RACERS, answers
    ids = {answer["evaluation_id"] for _, _, answer in answers}
    assert len(ids) == 1, ids
    first = [h for _, h, _ in answers if h.get("Idempotent-Replayed") != "true"]
    assert len(first) == 1, [h.get("Idempotent-Replayed") for _, h, _ in answers]
    status, _, listed = call("GET", f"{stack.base}/v1/evaluations?agent_id={AGENT}", evaluator)
    assert status == 200, listed
    assert [item["evaluation_id"] for item in listed["items"]] == sorted(ids)
    assert counted_once_caught_up(stack, 1) == 1

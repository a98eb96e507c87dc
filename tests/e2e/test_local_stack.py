"""The local stack, started exactly as `make run` starts it, driven over real HTTP."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.adapters.tokens import issue_local_token
from tests.e2e.local_stack import StackProcess, call

pytestmark = pytest.mark.e2e

TENANT = "e2e"
AGENT = "agent-e2e"
PERIOD = "2026-11"
FORM = {
    "form_id": "e2e-lomake",
    "name": "E2E-lomake",
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


def token(role: str) -> str:
    # The stack inherits this secret from the test environment (tests/conftest.py).
    return issue_local_token(
        os.environ["LAATU_LOCAL_JWT_SECRET"], tenant=TENANT, roles=[role], user=f"{role}-e2e"
    )


def evaluation(contact: str, ratkaisu: str) -> dict[str, Any]:
    return {
        "form_id": FORM["form_id"],
        "form_version": 1,
        "agent_id": AGENT,
        "contact": {"channel": "phone", "id": contact, "occurred_at": "2026-11-02T10:15:00+02:00"},
        "method": "recording",
        "answers": {"tervehdys": "yes", "ratkaisu": ratkaisu},
    }


def wait_for(check: Callable[[], tuple[bool, Any]], timeout_s: float = 15, what: str = "") -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        done, last = check()
        if done:
            return last
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s} s waiting for {what}; last: {last}")
        time.sleep(0.1)


def summary(stack: StackProcess) -> dict[str, Any]:
    status, _, body = call(
        "GET", f"{stack.base}/v1/agents/{AGENT}/summary?period={PERIOD}", token("evaluator")
    )
    assert status == 200, body
    figures: dict[str, Any] = body
    return figures


def summary_with(stack: StackProcess, evaluations: int) -> dict[str, Any]:
    def check() -> tuple[bool, Any]:
        figures = summary(stack)
        return figures["evaluations"] >= evaluations, figures

    figures: dict[str, Any] = wait_for(check, what=f"{evaluations} aggregated evaluation(s)")
    return figures


def test_site_config_tokens_and_demo_seed(stack: StackProcess) -> None:
    stack.start()
    output = stack.output()
    assert f"http://127.0.0.1:{stack.port}/" in output
    assert str(stack.data_dir) in output

    status, headers, body = call("GET", f"{stack.base}/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    status, _, body = call("GET", f"{stack.base}/config.js")
    assert status == 200
    assert f'"apiBaseUrl": "http://127.0.0.1:{stack.port}"' in body

    printed = re.search(r"^\s+admin\s+maija\.admin\s+(\S+)$", output, re.MULTILINE)
    assert printed, output
    status, _, me = call("GET", f"{stack.base}/v1/me", printed.group(1))
    assert (status, me) == (
        200,
        {"user": "maija.admin", "tenant": "demo", "roles": ["admin"], "agent_id": None},
    )
    status, _, form = call("GET", f"{stack.base}/v1/forms/asiakaspalvelu", printed.group(1))
    assert (status, form["latest_version"]) == (200, 1)


def test_evaluations_aggregate_and_survive_a_restart(stack: StackProcess) -> None:
    stack.start()
    admin = token("admin")
    status, _, me = call("GET", f"{stack.base}/v1/me", admin)
    assert (status, me["tenant"], me["roles"]) == (200, TENANT, ["admin"])
    status, _, body = call("POST", f"{stack.base}/v1/forms", admin, FORM)
    assert status == 201, body
    status, _, body = call("POST", f"{stack.base}/v1/forms/{FORM['form_id']}/publish", admin)
    assert status == 201, body

    evaluator = token("evaluator")
    key = {"Idempotency-Key": "e2e-first"}
    first = evaluation("call-1", ratkaisu="no")  # 1 of 4 points: 25.00
    status, _, created = call("POST", f"{stack.base}/v1/evaluations", evaluator, first, key)
    assert status == 201, created
    status, headers, again = call("POST", f"{stack.base}/v1/evaluations", evaluator, first, key)
    assert status == 201, again
    assert again["evaluation_id"] == created["evaluation_id"]
    assert headers.get("Idempotent-Replayed") == "true"

    figures = summary_with(stack, 1)
    assert (figures["evaluations"], figures["average_score"]) == (1, "25.00")

    assert stack.stop() == 0
    assert "Laatu stopped." in stack.output()
    stack.start()
    assert re.search(r"\d+ writes replayed in [\d.]+ s", stack.output()), stack.output()

    evaluation_id = created["evaluation_id"]
    status, _, kept = call("GET", f"{stack.base}/v1/evaluations/{evaluation_id}", evaluator)
    assert (status, kept["score"]["overall"]) == (200, "25.00")
    assert summary(stack)["evaluations"] == 1
    status, _, replayed = call("POST", f"{stack.base}/v1/evaluations", evaluator, first, key)
    assert (status, replayed["evaluation_id"]) == (201, evaluation_id)

    # The pump rereads the stream from the start after a restart, in order, so
    # once this second evaluation is counted the replayed first one has been
    # reprocessed too, and must not have been counted twice.
    second = evaluation("call-2", ratkaisu="yes")  # 100.00
    status, _, body = call("POST", f"{stack.base}/v1/evaluations", evaluator, second)
    assert status == 201, body
    figures = summary_with(stack, 2)
    assert (figures["evaluations"], figures["average_score"]) == (2, "62.50")
    assert not (stack.data_dir / "dead-letters").exists()

"""Payroll export through the local stack as `make run` starts it: rules and roster
over HTTP, evaluations through the stream pump, `laatu export`, and payroll's links."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.tokens import issue_local_token
from tests.e2e.local_stack import StackProcess, call, laatu
from tests.e2e.test_local_stack import FORM, wait_for

pytestmark = pytest.mark.e2e

TENANT = "e2e-exports"


def token(role: str) -> str:
    return issue_local_token(
        os.environ["LAATU_LOCAL_JWT_SECRET"], tenant=TENANT, roles=[role], user=f"{role}-1"
    )


def evaluation(agent: str, when: str, ratkaisu: str) -> dict[str, Any]:
    return {
        "form_id": FORM["form_id"],
        "form_version": 1,
        "agent_id": agent,
        "contact": {"channel": "phone", "id": f"call-{when}", "occurred_at": when},
        "method": "recording",
        "answers": {"tervehdys": "yes", "ratkaisu": ratkaisu},
    }


def test_laatu_export_writes_and_payroll_downloads(stack: StackProcess, tmp_path: Path) -> None:
    stack.start()
    admin = token("admin")
    assert call("POST", f"{stack.base}/v1/forms", admin, FORM)[0] == 201
    assert call("POST", f"{stack.base}/v1/forms/{FORM['form_id']}/publish", admin)[0] == 201
    rules = {"incentives": {"tiers": [{"name": "top", "min_average": "60", "amount": "50.00"}]}}
    assert call("PUT", f"{stack.base}/v1/settings", admin, rules)[0] == 200
    for agent in ("aino", "pekka"):
        assert (
            call("PUT", f"{stack.base}/v1/agents/{agent}", admin, {"payroll_id": agent})[0] == 200
        )
    for when, ratkaisu in (
        ("2026-10-05T09:00:00+03:00", "yes"),
        ("2026-10-06T09:00:00+03:00", "no"),
    ):
        status, _, body = call(
            "POST",
            f"{stack.base}/v1/evaluations",
            token("evaluator"),
            evaluation("aino", when, ratkaisu),
        )
        assert status == 201, body

    def aggregated() -> tuple[bool, Any]:
        _, _, body = call(
            "GET", f"{stack.base}/v1/agents/aino/summary?period=2026-10", token("evaluator")
        )
        return body["evaluations"] == 2, body

    wait_for(aggregated, what="the stream pump folding both evaluations in")

    out = tmp_path / "files"
    export = ("export", "--period", "2026-10", "--url", stack.base, "--out", str(out))
    result = laatu(*export, token=admin)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "export 2026-10: written, revision 1" in result.stdout
    rows = list(csv.DictReader(io.StringIO((out / "2026-10" / "r1" / "payroll.csv").read_text())))
    assert [
        (r["agent_id"], r["evaluations"], r["average_score"], r["incentive_amount"]) for r in rows
    ] == [
        ("aino", "2", "62.50", "50.00"),  # 100 and 25: 1 of 4 points
        ("pekka", "0", "", "0.00"),
    ]
    assert (out / "2026-10" / "r1" / "manifest.json").is_file()

    status, _, links = call("GET", f"{stack.base}/v1/exports/2026-10", token("payroll"))
    assert status == 200, links
    assert set(links["revisions"][0]["files"]) == {"payroll.csv", "payroll.jsonl", "manifest.json"}
    again = laatu(*export, token=admin)
    assert "export 2026-10: unchanged, revision 1" in again.stdout

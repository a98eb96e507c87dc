"""`make run`'s demo history: three months of evaluations the reports can show, seeded once."""

from __future__ import annotations

import os
import re
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from infra.local import demo
from tests.e2e.local_stack import StackProcess, call

pytestmark = pytest.mark.e2e

ZONE = ZoneInfo("Europe/Helsinki")  # the demo tenant keeps the default zone
FOLDED = re.compile(r"demo history: all (\d+) in the reports")
SEEDED = re.compile(r"demo history: (\d+) evaluations \(([^)]*)\) and (\d+) amendments stored")


def _months_back(day: date, months: int) -> str:
    index = day.year * 12 + day.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _admin() -> str:
    # The stack inherits this secret from the test environment (tests/conftest.py).
    return demo.user("admin").token(os.environ["LAATU_LOCAL_JWT_SECRET"])


def _get(stack: StackProcess, path: str) -> Any:
    status, _, body = call("GET", stack.base + path, _admin())
    assert status == 200, (path, body)
    return body


def _evaluations_by_month(stack: StackProcess) -> dict[str, int]:
    out: dict[str, int] = {}
    path = "/v1/evaluations?limit=200"
    while True:
        page = _get(stack, path)
        for item in page["items"]:
            moment = datetime.fromisoformat(item["contact"]["occurred_at"]).astimezone(ZONE)
            out[f"{moment:%Y-%m}"] = out.get(f"{moment:%Y-%m}", 0) + 1
        if not page["next_cursor"]:
            return out
        path = f"/v1/evaluations?limit=200&cursor={quote(page['next_cursor'])}"


def _wait_folded(stack: StackProcess, timeout_s: float = 150) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = FOLDED.search(stack.output())
        if found:
            return int(found.group(1))
        time.sleep(0.5)
    pytest.fail(f"the demo history was not in the reports after {timeout_s} s:\n{stack.output()}")


def test_demo_history_fills_the_reports_once(tmp_path: Path) -> None:
    stack = StackProcess(tmp_path / "data", tmp_path / "stack.log", demo_history=True)
    try:
        stack.start()
        seeded = SEEDED.search(stack.output())
        assert seeded, stack.output()
        total = int(seeded.group(1))
        assert 250 <= total <= 450
        assert int(seeded.group(3)) >= 2
        assert _wait_folded(stack) == total

        today = datetime.now(ZONE).date()
        months = [_months_back(today, n) for n in (2, 1, 0)]
        by_month = _evaluations_by_month(stack)
        assert sorted(by_month) == months, by_month
        assert sum(by_month.values()) == total
        assert all(by_month[m] > 0 for m in months)

        first = f"{months[0]}-01"
        span = f"custom:{first}..{today.isoformat()}"
        tenant = _get(stack, f"/v1/reports/compliance?scope=tenant&range={span}")
        assert tenant["evaluations"] == total
        for team_id, _, _ in demo.DEMO_TEAMS:
            report = _get(stack, f"/v1/reports/compliance?scope=team:{team_id}&range={span}")
            assert report["evaluations"] > 0, team_id
            assert report["forms"][0]["sections"], team_id

        # The demo agent is the designed weak one: below the team on one criterion,
        # and the team rarely upsells; last month is a whole month of figures.
        weak = demo.user("agent").agent_id
        found = _get(
            stack, f"/v1/reports/suggestions?scope=agent:{weak}&range=month:{months[1]}&lang=en"
        )["suggestions"]
        kinds = {(s["kind"], s["criterion_id"]) for s in found}
        assert ("below_team", "avoimet") in kinds, found
        assert ("rarely_done", "lisamyynti") in kinds, found
        leaderboard = _get(
            stack, f"/v1/reports/leaderboard?scope=team:tiimi-1&range=month:{months[1]}"
        )
        assert leaderboard["enabled"] is True

        assert stack.stop() == 0
        stack.start()
        assert "demo history: seeding" not in stack.output()
        assert sum(_evaluations_by_month(stack).values()) == total
    finally:
        stack.kill()

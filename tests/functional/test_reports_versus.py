"""An agent's average against the rest of the team and the period before: Welch's
interval, checked against statistics and scipy rather than the code under test."""

from __future__ import annotations

import math
import statistics as stats
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chalice.test import Client
from scipy.stats import t as student_t  # type: ignore[import-untyped]

from tests.functional.api import Api
from tests.functional.conftest import Clock, StreamReader, deliver
from tests.support import all_answers, evaluation_body


def shown(value: float) -> str:
    return str(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def welch(first: list[float], second: list[float]) -> tuple[str, str, str, bool]:
    v1 = stats.variance(first) / len(first)
    v2 = stats.variance(second) / len(second)
    d = stats.mean(first) - stats.mean(second)
    df = (v1 + v2) ** 2 / (v1**2 / (len(first) - 1) + v2**2 / (len(second) - 1))
    margin = float(student_t.ppf(0.975, math.floor(df))) * math.sqrt(v1 + v2)
    low, high = d - margin, d + margin
    clear = min(len(first), len(second)) >= 5 and (low > 0 or high < 0)
    return shown(d), shown(low), shown(high), clear


def test_an_agent_clearly_below_the_rest_of_the_team_and_above_last_month(
    api: Api, client: Client, stream: StreamReader, clock: Clock
) -> None:
    form = api.publish()
    answers = all_answers(form)
    weights = {c["id"]: int(c.get("points", 1)) for s in form["sections"] for c in s["criteria"]}
    total = sum(weights.values())
    assert api.call("PUT", "/v1/teams/t1", body={"name": "T1", "leaders": ["tl"]}).status == 200
    for agent in ("aino", "pekka", "sari"):
        body = {"name": agent, "memberships": [{"team": "t1", "from": "2026-01-01"}]}
        assert api.call("PUT", f"/v1/agents/{agent}", body=body).status == 200

    def evaluate(agent: str, day: str, missed: list[str]) -> float:
        body = evaluation_body(
            form,
            agent_id=agent,
            occurred_at=f"{day}T10:00:00+02:00",
            answers={**answers, **dict.fromkeys(missed, "no")},
        )
        assert api.submit(body).status == 201
        return 100 * (total - sum(weights[m] for m in missed)) / total

    misses: list[list[str]] = [["ratkaisu", "kiitos"], ["ratkaisu"], ["kiitos", "avoimet"]]
    aino = [evaluate("aino", f"2026-11-{d:02d}", misses[d % 3]) for d in range(2, 8)]
    october = [evaluate("aino", f"2026-10-{d:02d}", misses[0] + ["avoimet"]) for d in range(2, 7)]
    rest = [
        evaluate(agent, f"2026-11-{d:02d}", [] if d % 2 else ["kiitos"])
        for agent in ("pekka", "sari")
        for d in range(2, 6)
    ]
    assert deliver(client, stream.read()) == {"batchItemFailures": []}

    answer = api.call("GET", "/v1/reports/compliance?scope=agent:aino&range=month:2026-11")
    assert answer.status == 200, answer.body
    versus: dict[str, Any] = answer.body["versus"]
    assert versus["team_id"] == "t1"
    for key, other in (("rest_of_team", rest), ("previous", october)):
        d, low, high, clear = welch(aino, other)
        got = versus[key]
        assert (got["difference"], got["low"], got["high"], got["clear"]) == (d, low, high, clear)
        assert got["average"]["n"] == len(other)
    assert versus["rest_of_team"]["clear"] is True
    assert Decimal(versus["rest_of_team"]["high"]) < 0
    assert versus["previous_range"]["label"] == "2026-10"
    assert "Welch" in versus["previous"]["method"]

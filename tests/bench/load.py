"""Load: 50 simulated evaluators submitting through the local stack for 60 s.

The stack is started exactly as `make run` starts it (tests/e2e/local_stack.py),
on a fresh data dir and a free port. Each evaluator is a thread with its own
keep-alive connection that submits evaluations of the demo form, one after
another, for the demo roster's agents, until the time is up or the request
budget is spent. Afterwards the bench waits for the stream pump to catch up and
checks, through GET /v1/agents/{id}/summary, that every accepted evaluation is
counted exactly once in its agent's month.

Figures are printed, never asserted. LAATU_BENCH_LOAD_SECONDS shortens the run.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.adapters.tokens import issue_local_token
from infra.local.app_threads import IN_FLIGHT_HEADER
from infra.local.demo import DEMO_AGENTS, TENANT, demo_form
from infra.local.server import API_WORKERS
from tests.e2e.local_stack import StackProcess

EVALUATORS = 50
DEFAULT_SECONDS = 60.0
SECONDS_ENV = "LAATU_BENCH_LOAD_SECONDS"
MAX_REQUESTS = 100_000  # a bound on count as well as on time
REQUEST_TIMEOUT_S = 30
CATCH_UP_TIMEOUT_S = 300
CATCH_UP_STALL_S = 15  # no change in the counts for this long: the pump has stopped
ZONE = ZoneInfo("Europe/Helsinki")  # the demo tenant's default time zone
ANSWER_CYCLE = ("yes", "yes", "no", "na")


@dataclass
class _Tally:
    """What the evaluators saw; one lock, taken once per request."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies_s: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)  # by agent
    peak_in_flight: int = 0
    sent: int = 0

    def claim(self) -> bool:
        with self.lock:
            if self.sent >= MAX_REQUESTS:
                return False
            self.sent += 1
            return True

    def record(self, status: str, latency_s: float, agent: str, in_flight: int) -> None:
        with self.lock:
            self.latencies_s.append(latency_s)
            self.statuses[status] += 1
            if status == "201":
                self.accepted[agent] += 1
            self.peak_in_flight = max(self.peak_in_flight, in_flight)


@dataclass(frozen=True)
class LoadBench:
    evaluators: int
    seconds: float
    elapsed_s: float
    requests: int
    statuses: dict[str, int]
    latencies_ms: dict[str, float]
    accepted: int
    accepted_by_agent: dict[str, int]
    counted_by_agent: dict[str, int]
    catch_up_s: float
    peak_in_flight: int
    period: str

    @property
    def counted(self) -> int:
        return sum(self.counted_by_agent.values())

    @property
    def exactly_once(self) -> bool:
        return self.counted_by_agent == self.accepted_by_agent

    @property
    def errors(self) -> dict[str, int]:
        return {status: n for status, n in self.statuses.items() if status != "201"}

    @property
    def throughput_per_s(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s else 0.0


def load_seconds() -> float:
    raw = os.environ.get(SECONDS_ENV, "").strip()
    return float(raw) if raw else DEFAULT_SECONDS


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of them at or below it."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def _token(role: str, user: str) -> str:
    return issue_local_token(
        os.environ["LAATU_LOCAL_JWT_SECRET"], tenant=TENANT, roles=[role], user=user
    )


def _answers(form: dict[str, Any], seed: int) -> dict[str, str]:
    """Varied answers; N/A only where the form allows it."""
    answers: dict[str, str] = {}
    criteria = [c for section in form["sections"] for c in section["criteria"]]
    for offset, criterion in enumerate(criteria):
        answer = ANSWER_CYCLE[(seed + offset) % len(ANSWER_CYCLE)]
        if answer == "na" and not criterion.get("na_allowed", True):
            answer = "yes"
        answers[str(criterion["id"])] = answer
    return answers


class _Evaluator(threading.Thread):
    def __init__(
        self,
        number: int,
        port: int,
        form: dict[str, Any],
        occurred_at: str,
        deadline: float,
        tally: _Tally,
    ) -> None:
        super().__init__(name=f"evaluator-{number}", daemon=True)
        self._number = number
        self._port = port
        self._form = form
        self._occurred_at = occurred_at
        self._deadline = deadline
        self._tally = tally
        self._token = _token("evaluator", f"bench-evaluator-{number}")

    def run(self) -> None:
        connection = self._connect()
        sequence = 0
        while time.monotonic() < self._deadline and self._tally.claim():
            agent = DEMO_AGENTS[(self._number + sequence) % len(DEMO_AGENTS)][0]
            body = json.dumps(self._body(agent, sequence)).encode()
            headers = {
                "Authorization": f"Bearer {self._token}",
                "Content-Type": "application/json",
                # As the web site sends it: a retried submit can never count twice.
                "Idempotency-Key": str(uuid.uuid4()),
            }
            started = time.perf_counter()
            try:
                connection.request("POST", "/v1/evaluations", body, headers)
                response = connection.getresponse()
                response.read()
                status = str(response.status)
                in_flight = int(response.getheader(IN_FLIGHT_HEADER) or 0)
            except (OSError, http.client.HTTPException) as error:
                status, in_flight = f"connection: {type(error).__name__}", 0
                connection.close()
                connection = self._connect()
            self._tally.record(status, time.perf_counter() - started, agent, in_flight)
            sequence += 1
        connection.close()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self._port, timeout=REQUEST_TIMEOUT_S)

    def _body(self, agent: str, sequence: int) -> dict[str, Any]:
        return {
            "form_id": self._form["form_id"],
            "form_version": 1,
            "agent_id": agent,
            "contact": {
                "channel": "phone",
                "id": f"load-{self._number}-{sequence}",
                "occurred_at": self._occurred_at,
            },
            "method": "recording",
            "answers": _answers(self._form, self._number + sequence),
        }


def _counted(port: int, period: str) -> dict[str, int]:
    token = _token("evaluator", "bench-reader")
    counts: dict[str, int] = {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    try:
        for agent, *_ in DEMO_AGENTS:
            path = f"/v1/agents/{agent}/summary?period={period}"
            connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            response = connection.getresponse()
            answer = json.loads(response.read() or b"null")
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}: {answer}")
            counts[agent] = int(answer["evaluations"])
    finally:
        connection.close()
    return counts


def _catch_up(port: int, period: str, accepted: dict[str, int]) -> tuple[dict[str, int], float]:
    """Polls the summaries until they match what was accepted, pass it, or stop moving."""
    started = last_change = time.monotonic()
    counted = _counted(port, period)
    while time.monotonic() - started < CATCH_UP_TIMEOUT_S:
        if counted == accepted or any(counted[a] > accepted.get(a, 0) for a in counted):
            break
        if time.monotonic() - last_change > CATCH_UP_STALL_S:
            break
        time.sleep(0.5)
        now = _counted(port, period)
        if now != counted:
            counted, last_change = now, time.monotonic()
    return counted, time.monotonic() - started


def run_load_bench(seconds: float | None = None) -> LoadBench:
    duration = load_seconds() if seconds is None else seconds
    form = demo_form()
    # One contact time for the whole run, an hour ago, so every evaluation falls
    # in one month of the tenant's calendar, whatever the date of the run.
    occurred = datetime.now(UTC) - timedelta(hours=1)
    period = occurred.astimezone(ZONE).strftime("%Y-%m")
    with tempfile.TemporaryDirectory(prefix="laatu-load-") as scratch:
        stack = StackProcess(Path(scratch) / "data", Path(scratch) / "stack.log")
        try:
            stack.start()
            tally = _Tally()
            started = time.monotonic()
            evaluators = [
                _Evaluator(n, stack.port, form, occurred.isoformat(), started + duration, tally)
                for n in range(EVALUATORS)
            ]
            for evaluator in evaluators:
                evaluator.start()
            for evaluator in evaluators:
                evaluator.join()
            elapsed = time.monotonic() - started
            accepted = {agent: tally.accepted.get(agent, 0) for agent, *_ in DEMO_AGENTS}
            counted, catch_up_s = _catch_up(stack.port, period, accepted)
            stack.stop()
        finally:
            stack.kill()
    latencies = sorted(tally.latencies_s)
    return LoadBench(
        evaluators=EVALUATORS,
        seconds=duration,
        elapsed_s=elapsed,
        requests=len(latencies),
        statuses=dict(sorted(tally.statuses.items())),
        latencies_ms={
            name: 1000 * percentile(latencies, fraction)
            for name, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))
        },
        accepted=sum(accepted.values()),
        accepted_by_agent=accepted,
        counted_by_agent=counted,
        catch_up_s=catch_up_s,
        peak_in_flight=tally.peak_in_flight,
        period=period,
    )


def render_load(bench: LoadBench) -> str:
    lat = bench.latencies_ms
    errors = ", ".join(f"{s} x{n}" for s, n in bench.errors.items()) or "none"
    per_agent = ", ".join(
        f"{agent} {bench.counted_by_agent.get(agent, 0)}/{n}"
        for agent, n in bench.accepted_by_agent.items()
    )
    verdict = "yes" if bench.exactly_once else "NO"
    return "\n".join(
        [
            f"Load: {bench.evaluators} evaluators submitting for {bench.seconds:g} s through "
            f"the local stack ({API_WORKERS} API workers)",
            f"   requests: {bench.requests:,} in {bench.elapsed_s:.1f} s, "
            f"{bench.throughput_per_s:.1f} per s; accepted (201): {bench.accepted:,}",
            f"   latency: p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms, "
            f"p99 {lat['p99']:.0f} ms, max {lat['max']:.0f} ms",
            f"   errors by status: {errors}",
            f"   most API calls in the app at once (counted by the app): {bench.peak_in_flight}",
            f"   stream caught up {bench.catch_up_s:.1f} s after the load stopped",
            f"   counted in {bench.period} / accepted, per agent: {per_agent}",
            f"   every accepted evaluation counted exactly once: {verdict} "
            f"({bench.counted:,} counted, {bench.accepted:,} accepted)",
        ]
    )


def load_json(bench: LoadBench) -> dict[str, Any]:
    return {
        "evaluators": bench.evaluators,
        "seconds": bench.seconds,
        "elapsed_s": round(bench.elapsed_s, 3),
        "requests": bench.requests,
        "throughput_per_s": round(bench.throughput_per_s, 2),
        "latency_ms": {name: round(value, 1) for name, value in bench.latencies_ms.items()},
        "statuses": bench.statuses,
        "errors": bench.errors,
        "accepted": bench.accepted,
        "counted": bench.counted,
        "accepted_by_agent": bench.accepted_by_agent,
        "counted_by_agent": bench.counted_by_agent,
        "exactly_once": bench.exactly_once,
        "catch_up_s": round(bench.catch_up_s, 2),
        "peak_in_flight": bench.peak_in_flight,
        "api_workers": API_WORKERS,
        "period": bench.period,
    }


if __name__ == "__main__":
    import tests.conftest  # noqa: F401 - the offline AWS environment and the token secret

    print(render_load(run_load_bench()))

"""Reports from report cells: a team of 50 and a tenant of 500 agents, 50 criteria, on moto.

The stream writes one `all` cell per agent and month; the bench writes those cells
directly (with the roster, the teams and a published 50-criterion form), then
times the real report code (services.reports.compliance_report with the real
stores, as the route builds them) against a raw boto3 read of the same cell items:
one BatchGetItem of the team's 50 keys, a paginated Query of the tenant's month
(`all#` prefix). DynamoDB requests are counted by a botocore `before-call` hook on
every client the code uses (PynamoDB's per-model connections and the shared one),
beside the `requests` figure the report itself gives.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import boto3
from moto import mock_aws
from pynamodb.models import Model

from chalicelib import jsoncodec
from chalicelib.adapters import models
from chalicelib.adapters.aggregate_store import cell_pk, cell_sk
from chalicelib.adapters.backfill_store import BackfillStore
from chalicelib.adapters.form_store import FormStore
from chalicelib.adapters.models import ReportCellModel
from chalicelib.adapters.report_store import ReportCellStore
from chalicelib.adapters.settings_store import Agent, SettingsStore
from chalicelib.adapters.tables import create_tables
from chalicelib.domain.principal import Principal
from chalicelib.domain.teams import Membership, Team
from chalicelib.services import team_index
from chalicelib.services.form_cache import PublishedForms
from chalicelib.services.reports import ReportRequest, compliance_report

TENANT = "bench-reports"
TEAM = "tiimi-50"
TEAM_AGENTS = 50
TENANT_AGENTS = 500
CRITERIA = 50
FORM_ID = "bench-50"
MONTHS = ("2026-10", "2026-11", "2026-12")
MONTH = "2026-11"
QUARTER = "2026-Q4"
CUSTOM = "2026-10-17..2026-11-30"  # 45 days: 15 single days and a whole month
EVALUATIONS_EACH = 30
NOW = datetime(2026, 12, 20, 10, 0, tzinfo=UTC)
REPEATS = 3
GOAL = 1.5


@dataclass(frozen=True)
class Timed:
    seconds: float  # best of REPEATS
    requests: Counter[str]  # by operation, from the botocore hook
    reported: int | None  # the report's own `requests` figure
    evaluations: int


@dataclass(frozen=True)
class ScopeBench:
    label: str
    cells: int
    report: Timed
    raw: Timed
    quarter: Timed
    custom: Timed

    @property
    def ratio(self) -> float:
        return self.report.seconds / self.raw.seconds


@dataclass(frozen=True)
class ReportsBench:
    team: ScopeBench
    tenant: ScopeBench
    cell_bytes: int
    roster: Timed  # the one read a team scope adds: every agent's membership history
    setup_s: float


@contextmanager
def counting(clients: list[Any]) -> Iterator[Counter[str]]:
    """Counts API calls by operation with botocore's `before-call` event, once per call
    (retries happen below it), on each of the given clients."""
    counts: Counter[str] = Counter()

    def hook(model: Any, **_: Any) -> None:
        counts[str(model.name)] += 1

    for client in clients:
        client.meta.events.register("before-call.dynamodb", hook, unique_id="bench-reports")
    try:
        yield counts
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb", unique_id="bench-reports")


def _clients(raw: Any) -> list[Any]:
    """Every botocore client the stores use: PynamoDB keeps one per model class."""
    found = {id(raw): raw, id(models.connection().client): models.connection().client}
    for value in vars(models).values():
        if isinstance(value, type) and issubclass(value, Model) and value is not Model:
            try:
                client = value._get_connection().connection.client
            except AttributeError:
                continue  # an abstract base without a table
            found[id(client)] = client
    return list(found.values())


def _criterion(n: int) -> str:
    return f"k{n:02d}"


def _form() -> dict[str, Any]:
    return {
        "form_id": FORM_ID,
        "name": "Bench, 50 criteria",
        "sections": [
            {
                "id": f"s{s}",
                "title": f"Section {s}",
                "criteria": [
                    {"id": _criterion(n), "text": f"Criterion {n}", "points": 1 + n % 3}
                    for n in range(s * 10, s * 10 + 10)
                ],
            }
            for s in range(CRITERIA // 10)
        ],
    }


def _agent(n: int) -> str:
    return f"agent-{n:04d}"


def _counts(n: int) -> str:
    out = {}
    for c in range(CRITERIA):
        no = (n + c) % 7
        na = (n * c) % 3
        out[f"{FORM_ID}/1/{_criterion(c)}"] = [EVALUATIONS_EACH - no - na, no, na]
    return jsoncodec.dumps(out)


def _seed() -> int:
    settings = SettingsStore()
    settings.register_tenant(TENANT, "2026-01-01T00:00:00Z")
    settings.put_team(TENANT, Team(TEAM, "Tiimi 50", ("tl-50",)), "bench", "2026-01-01T00:00:00Z")
    others = ("tiimi-a", "tiimi-b", "tiimi-c")
    for team_id in others:
        settings.put_team(TENANT, Team(team_id, team_id), "bench", "2026-01-01T00:00:00Z")
    for n in range(TENANT_AGENTS):
        team = TEAM if n < TEAM_AGENTS else others[n % len(others)]
        agent = Agent(
            agent_id=_agent(n),
            name=f"Agent {n}",
            team=team,
            payroll_id=str(10000 + n),
            active=True,
            updated_at="2026-01-01T00:00:00Z",
            memberships=(Membership(team, date(2026, 1, 1)),),
        )
        settings.put_agent(TENANT, agent, "bench")
    # As the heartbeat does once for a tenant: marks each team's index complete.
    team_index.run(settings, BackfillStore(), TENANT, lambda: "2026-01-01T00:00:00Z", lambda: True)
    forms = FormStore()
    forms.create(TENANT, _form(), "bench", "2026-01-01T00:00:00Z")
    forms.publish(TENANT, FORM_ID, "bench", "2026-01-01T00:00:00Z")
    size = 0
    with ReportCellModel.batch_write() as batch:
        for month in MONTHS:
            for n in range(TENANT_AGENTS):
                counts = _counts(n)
                size = max(size, len(counts))
                batch.save(
                    ReportCellModel(
                        cell_pk(TENANT, month),
                        cell_sk("all", _agent(n), "-"),
                        agent_id=_agent(n),
                        bucket=month,
                        dimension="all",
                        value="-",
                        evaluations=EVALUATIONS_EACH,
                        scored=EVALUATIONS_EACH,
                        score_sum=Decimal(EVALUATIONS_EACH * 85),
                        score_squares=Decimal(EVALUATIONS_EACH * 85 * 85),
                        full_points=n % 5,
                        counts=counts,
                        updated_at="2026-11-30T12:00:00Z",
                        version=1,
                    )
                )
    return size


def _best(clients: list[Any], run: Callable[[], tuple[int | None, int]]) -> Timed:
    run()  # warm: connections, the form version, botocore's models
    times = []
    counts: Counter[str] = Counter()
    reported: int | None = None
    evaluations = 0
    for attempt in range(REPEATS):
        with counting(clients) as seen:
            started = time.perf_counter()
            reported, evaluations = run()
            times.append(time.perf_counter() - started)
        if attempt == 0:
            counts = seen
    return Timed(min(times), counts, reported, evaluations)


def _report(scope: str, range_: str) -> Callable[[], tuple[int | None, int]]:
    principal = Principal("qa-bench", TENANT, frozenset({"admin"}))
    # One per process, as in a warm Lambda: the published form is read once.
    forms = PublishedForms(FormStore())

    def run() -> tuple[int | None, int]:
        request = ReportRequest(principal, SettingsStore(), ReportCellStore(), forms, NOW)
        view = compliance_report(request, {"scope": scope, "range": range_})
        assert len(view["forms"][0]["sections"]) == CRITERIA // 10
        return int(view["requests"]), int(view["evaluations"])

    return run


def _raw_batch_get(client: Any) -> Callable[[], tuple[int | None, int]]:
    table = ReportCellModel.Meta.table_name
    keys = [
        {"pk": {"S": cell_pk(TENANT, MONTH)}, "sk": {"S": cell_sk("all", _agent(n), "-")}}
        for n in range(TEAM_AGENTS)
    ]

    def run() -> tuple[int | None, int]:
        pending, evaluations = keys, 0
        while pending:
            answer = client.batch_get_item(RequestItems={table: {"Keys": pending}})
            evaluations += sum(int(i["evaluations"]["N"]) for i in answer["Responses"][table])
            pending = answer.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
        return None, evaluations

    return run


def _raw_query(client: Any) -> Callable[[], tuple[int | None, int]]:
    def run() -> tuple[int | None, int]:
        kwargs: dict[str, Any] = {
            "TableName": ReportCellModel.Meta.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": cell_pk(TENANT, MONTH)},
                ":prefix": {"S": "all#"},
            },
        }
        evaluations = 0
        while True:
            page = client.query(**kwargs)
            evaluations += sum(int(i["evaluations"]["N"]) for i in page["Items"])
            if "LastEvaluatedKey" not in page:
                return None, evaluations
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    return run


def run_reports_bench() -> ReportsBench:
    with mock_aws():
        create_tables()
        seeding = time.perf_counter()
        cell_bytes = _seed()
        setup_s = time.perf_counter() - seeding
        raw_client = boto3.client("dynamodb")
        clients = _clients(raw_client)
        scopes = []
        for label, scope, raw in (
            (f"team of {TEAM_AGENTS}", f"team:{TEAM}", _raw_batch_get(raw_client)),
            (f"tenant of {TENANT_AGENTS}", "tenant", _raw_query(raw_client)),
        ):
            cells = TEAM_AGENTS if scope != "tenant" else TENANT_AGENTS
            report = _best(clients, _report(scope, f"month:{MONTH}"))
            raw_timed = _best(clients, raw)
            assert report.evaluations == raw_timed.evaluations == cells * EVALUATIONS_EACH
            quarter = _best(clients, _report(scope, f"quarter:{QUARTER}"))
            custom = _best(clients, _report(scope, f"custom:{CUSTOM}"))
            scopes.append(ScopeBench(label, cells, report, raw_timed, quarter, custom))

        def roster() -> tuple[int | None, int]:
            return None, len(SettingsStore().agents(TENANT))

        roster_timed = _best(clients, roster)
    return ReportsBench(scopes[0], scopes[1], cell_bytes, roster_timed, setup_s)


def _ops(counts: Counter[str]) -> str:
    return ", ".join(f"{op} {n}" for op, n in sorted(counts.items()))


def _requests(timed: Timed) -> str:
    hooked = sum(timed.requests.values())
    told = "" if timed.reported is None else f"; the answer says {timed.reported}"
    noun = "request" if hooked == 1 else "requests"
    return f"{hooked} {noun} ({_ops(timed.requests)}{told})"


def render_reports(bench: ReportsBench) -> str:
    out = [
        f"Reports: compliance from report cells, {CRITERIA} criteria, moto "
        f"(one `all` cell per agent and month, counts JSON about {bench.cell_bytes:,} bytes; "
        f"best of {REPEATS}; writing the cells, roster and form took {bench.setup_s:.1f} s)",
    ]
    for scope in (bench.team, bench.tenant):
        raw_kind = "BatchGetItem" if scope is bench.team else "Query"
        out += [
            f"   {scope.label}, month {MONTH}:",
            f"     compliance_report: {scope.report.seconds * 1000:.1f} ms, "
            f"{_requests(scope.report)}",
            f"     raw {raw_kind} of the same {scope.cells} cells: "
            f"{scope.raw.seconds * 1000:.1f} ms, {_requests(scope.raw)}",
            f"     report / raw: {scope.ratio:.2f}x   (goal: <= {GOAL:g}x: "
            f"{'met' if scope.ratio <= GOAL else 'NOT MET'})",
            f"     quarter {QUARTER}: {_requests(scope.quarter)}, "
            f"{scope.quarter.seconds * 1000:.1f} ms",
            f"     custom 45 days {CUSTOM}: {_requests(scope.custom)}, "
            f"{scope.custom.seconds * 1000:.1f} ms (the 15 single days hold no cells here)",
        ]
    out.append(
        f"   of the team's time, reading the roster ({TENANT_AGENTS} agents' memberships, "
        f"to find the team's members): {bench.roster.seconds * 1000:.1f} ms, "
        f"{_requests(bench.roster)}"
    )
    return "\n".join(out)


def _timed_json(timed: Timed) -> dict[str, Any]:
    return {
        "seconds": round(timed.seconds, 4),
        "requests": dict(timed.requests),
        "reported_requests": timed.reported,
    }


def reports_json(bench: ReportsBench) -> dict[str, Any]:
    out: dict[str, Any] = {
        scope.label: {
            "cells": scope.cells,
            "criteria": CRITERIA,
            "month": _timed_json(scope.report),
            "raw": _timed_json(scope.raw),
            "ratio": round(scope.ratio, 2),
            "goal": f"<= {GOAL:g}x",
            "quarter": _timed_json(scope.quarter),
            "custom_45_days": _timed_json(scope.custom),
        }
        for scope in (bench.team, bench.tenant)
    }
    out["roster_read"] = _timed_json(bench.roster)
    return out


if __name__ == "__main__":
    import tests.conftest  # noqa: F401 - the offline AWS environment

    print(render_reports(run_reports_bench()))

"""Payroll export of one month for 5,000 agents with 30 evaluations each, on moto.

The export reads period aggregates, never evaluations, so the bench seeds the
5,000 month aggregates those 150,000 evaluations would have produced (30
evaluations, 12 criteria each) and a roster of 5,000 agents, then compares the
export's wall time with a plain paginated Query of the same aggregate items in
the same run, and counts every DynamoDB request by operation.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
from botocore.client import BaseClient
from moto import mock_aws

from chalicelib.adapters.aggregate_store import AggregateStore
from chalicelib.adapters.export_files import ExportFiles
from chalicelib.adapters.export_store import ExportStore
from chalicelib.adapters.models import AgentModel, AggregateModel
from chalicelib.adapters.settings_store import SettingsStore
from chalicelib.adapters.tables import create_tables
from chalicelib.services import exports

AGENTS = 5_000
EVALUATIONS_EACH = 30
CRITERIA = 12
TENANT = "bench"
PERIOD = "2026-11"
RUN_AT = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class ExportBench:
    agents: int
    evaluations: int
    export_s: float
    query_s: float
    requests: Counter[str]
    s3_requests: Counter[str]
    rows: int
    csv_bytes: int

    @property
    def ratio(self) -> float:
        return self.export_s / self.query_s


@contextmanager
def counting() -> Iterator[Counter[str]]:
    """Counts API calls by service:operation through botocore's one choke point."""
    counts: Counter[str] = Counter()
    original = BaseClient._make_api_call

    def counted(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        counts[f"{client.meta.service_model.service_name}:{operation}"] += 1
        return original(client, operation, params)

    BaseClient._make_api_call = counted
    try:
        yield counts
    finally:
        BaseClient._make_api_call = original


def _seed() -> None:
    criteria = {
        f"asiakaspalvelu/c{n:02d}": {"yes": EVALUATIONS_EACH - n, "no": n} for n in range(CRITERIA)
    }
    with AggregateModel.batch_write() as batch:
        for n in range(AGENTS):
            agent = f"agent-{n:05d}"
            batch.save(
                AggregateModel(
                    f"{TENANT}#PERIOD#{PERIOD}",
                    f"AGENT#{agent}",
                    agent_id=agent,
                    period=PERIOD,
                    evaluations=EVALUATIONS_EACH,
                    scored=EVALUATIONS_EACH,
                    score_sum=Decimal(EVALUATIONS_EACH * 80 + n % 600) / 3,
                    criteria=criteria,
                    updated_at="2026-11-30T12:00:00Z",
                    version=1,
                )
            )
    with AgentModel.batch_write() as batch:
        for n in range(AGENTS):
            batch.save(
                AgentModel(
                    f"{TENANT}#AGENTS",
                    f"agent-{n:05d}",
                    payroll_id=f"{100000 + n}",
                    active=True,
                    updated_at="2026-11-01T00:00:00Z",
                    updated_by="bench",
                )
            )
    SettingsStore().register_tenant(TENANT, "2026-11-01T00:00:00Z")


def _plain_query() -> int:
    client = boto3.client("dynamodb")
    count = 0
    kwargs: dict[str, Any] = {
        "TableName": AggregateModel.Meta.table_name,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": f"{TENANT}#PERIOD#{PERIOD}"}},
        "ConsistentRead": True,
    }
    while True:
        page = client.query(**kwargs)
        count += len(page["Items"])
        if "LastEvaluatedKey" not in page:
            return count
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def run_export_bench() -> ExportBench:
    with mock_aws():
        create_tables()
        boto3.client("s3").create_bucket(
            Bucket=ExportFiles().bucket,
            CreateBucketConfiguration={"LocationConstraint": os.environ["AWS_REGION"]},
        )
        _seed()
        query_times = []
        for _ in range(2):
            started = time.perf_counter()
            assert _plain_query() == AGENTS
            query_times.append(time.perf_counter() - started)
        stores = exports.ExportStores(
            ExportStore(), AggregateStore(), SettingsStore(), ExportFiles()
        )
        with counting() as counts:
            started = time.perf_counter()
            results = exports.heartbeat(stores, RUN_AT)
            export_s = time.perf_counter() - started
        assert [(r.period, r.outcome) for r in results] == [(PERIOD, "written")]
        csv_data = ExportFiles().get(f"exports/{TENANT}/{PERIOD}/r1/payroll.csv") or b""
    dynamodb = Counter({k: v for k, v in counts.items() if k.startswith("dynamodb:")})
    s3 = Counter({k: v for k, v in counts.items() if k.startswith("s3:")})
    return ExportBench(
        agents=AGENTS,
        evaluations=AGENTS * EVALUATIONS_EACH,
        export_s=export_s,
        query_s=min(query_times),
        requests=dynamodb,
        s3_requests=s3,
        rows=csv_data.count(b"\r\n") - 1,
        csv_bytes=len(csv_data),
    )


def render_exports(bench: ExportBench) -> str:
    requests = ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(bench.requests.items()))
    s3 = ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(bench.s3_requests.items()))
    scans = sum(v for k, v in bench.requests.items() if k.endswith(":Scan"))
    return "\n".join(
        [
            f"Payroll export: {bench.agents:,} agents, {bench.evaluations:,} evaluations "
            f"(as their {bench.agents:,} month aggregates), moto",
            f"   heartbeat export of {PERIOD}: {bench.export_s:.2f} s, {bench.rows:,} rows, "
            f"CSV {bench.csv_bytes:,} bytes",
            f"   plain Query of the same {bench.agents:,} aggregate items: {bench.query_s:.2f} s "
            "(best of 2)",
            f"   export / plain Query: {bench.ratio:.2f}x   (goal: <= 3x)",
            f"   DynamoDB requests: {sum(bench.requests.values())} ({requests}); Scan: {scans}",
            f"   S3 requests: {s3}",
            "   evaluations read: 0 (the export reads aggregates only)",
        ]
    )


def exports_json(bench: ExportBench) -> dict[str, Any]:
    return {
        "agents": bench.agents,
        "evaluations": bench.evaluations,
        "export_s": round(bench.export_s, 3),
        "plain_query_s": round(bench.query_s, 3),
        "ratio": round(bench.ratio, 2),
        "dynamodb_requests": dict(bench.requests),
        "s3_requests": dict(bench.s3_requests),
        "rows": bench.rows,
    }


if __name__ == "__main__":
    import tests.conftest  # noqa: F401 - the offline AWS environment

    print(render_exports(run_export_bench()))

"""Batch import of a 10,000-row CSV on moto, beside raw BatchWriteItem of the same items.

The import runs as the upload's event runs it (events.uploads.importer): read the
file from S3, check and score every row through the ordinary evaluation path,
write, checkpoint every 250 rows, write the report CSV. In the same run the
bench then writes the very items the import stored with plain boto3
BatchWriteItem (25 a request) into fresh copies of the evaluations table (same
keys, indexes and stream): once only the 10,000 HEAD items (one item per row,
the goal's baseline), once all 20,000 items (each evaluation is a HEAD and a
REV#1 item, so this is the floor for any writer of this data model).

moto's own TransactWriteItems deep-copies every table it touches on each call,
which makes the 200th transaction of an import far slower than the first;
DynamoDB does nothing of the kind. The bench uses the local stack's
replacement (infra/local/moto_transactions.py, what `make run` runs on) for
this section only. moto parses a ConditionExpression three times per item, so
the one condition per row the import needs still costs more here than in AWS.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import boto3
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from chalicelib import jsoncodec
from chalicelib.adapters.evaluation_store import EvaluationStore
from chalicelib.adapters.form_store import FormStore
from chalicelib.adapters.import_store import ImportRecord, ImportStore
from chalicelib.adapters.models import EvaluationModel
from chalicelib.adapters.tables import create_tables
from chalicelib.adapters.uploads import UploadStore
from chalicelib.domain.batch.evaluation_ids import evaluation_id_for
from chalicelib.domain.batch.reading import read_file
from chalicelib.domain.batch.rows import parse_row
from chalicelib.domain.batch.templates import template_columns
from chalicelib.domain.batch.upload_keys import key_prefix
from chalicelib.domain.evaluation import Evaluation, Source
from chalicelib.domain.forms import form_to_dict, parse_form
from chalicelib.domain.permissions import Scope
from chalicelib.domain.principal import Principal
from chalicelib.events.uploads import importer
from chalicelib.services import evaluations
from chalicelib.services.form_cache import FormCache
from chalicelib.services.tenant_settings import LoadedRoster
from infra.local import moto_transactions
from tests.bench.exports import counting
from tests.support import demo_form

ROWS = 10_000
TENANT = "bench"
AUDITOR = "auditor.bench"
IMPORT_ID = "bench-import"
ZONE = "Europe/Helsinki"
BATCH = 25


@dataclass(frozen=True)
class ImportBench:
    rows: int
    file_bytes: int
    import_s: float
    prepare_s: float
    heads_s: float
    all_items_s: float
    requests: Counter[str]
    outcome: str

    @property
    def ratio(self) -> float:
        """Import over BatchWriteItem of the 10,000 HEAD items: the goal's ratio."""
        return self.import_s / self.heads_s

    @property
    def ratio_all(self) -> float:
        """Import over BatchWriteItem of all 20,000 items it stored."""
        return self.import_s / self.all_items_s


def batch_file(form: dict[str, Any], rows: int = ROWS) -> bytes:
    """A Finnish spreadsheet's CSV: `;`, local times, answers in Finnish, some skips."""
    rng = random.Random(4)
    parsed = parse_form(form)
    criteria = [(c.id, c.na_allowed) for c in parsed.criteria()]
    columns = template_columns(parsed)
    lines = [";".join(columns)]
    for n in range(rows):
        cells = {
            "external_id": f"OY-{n:06d}",
            "form_id": form["form_id"],
            "form_version": "1",
            "agent_id": f"agent-{n % 50:02d}",
            "channel": "phone",
            "contact_id": f"call-{n}",
            "occurred_at": f"{1 + n % 28}.11.2026 {8 + n % 10}.{n % 60:02d}",
        }
        for criterion_id, na_allowed in criteria:
            words = ["kyllä", "kyllä", "kyllä", "ei"] + (["ohita"] if na_allowed else [])
            cells[criterion_id] = rng.choice(words)
        lines.append(";".join(cells.get(c, "") for c in columns))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _copy_table(name: str) -> None:
    """An empty table shaped like the evaluations table: keys, indexes and stream."""
    client = boto3.client("dynamodb")
    source = client.describe_table(TableName=EvaluationModel.Meta.table_name)["Table"]
    client.create_table(
        TableName=name,
        KeySchema=source["KeySchema"],
        AttributeDefinitions=source["AttributeDefinitions"],
        GlobalSecondaryIndexes=[
            {
                "IndexName": i["IndexName"],
                "KeySchema": i["KeySchema"],
                "Projection": i["Projection"],
            }
            for i in source.get("GlobalSecondaryIndexes", [])
        ],
        StreamSpecification=source["StreamSpecification"],
        BillingMode="PAY_PER_REQUEST",
    )


def _items(
    documents: list[Evaluation],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The HEAD and REV#1 items of the evaluations, exactly as the import stores them."""
    heads, revisions = [], []
    for document in documents:
        body = jsoncodec.dumps(document.to_dict())
        heads.append(EvaluationStore._head(TENANT, document, body).serialize())
        revisions.append(EvaluationStore._revision(TENANT, document, body).serialize())
    return heads, revisions


def _batch_write(table: str, items: list[dict[str, Any]]) -> float:
    client = boto3.client("dynamodb")
    started = time.perf_counter()
    for first in range(0, len(items), BATCH):
        request = {table: [{"PutRequest": {"Item": i}} for i in items[first : first + BATCH]]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems")
    return time.perf_counter() - started


def _prepare_only(
    data: bytes, forms: FormStore, record: ImportRecord
) -> tuple[float, list[Evaluation]]:
    """Read, check and score every row as the import does, writing nothing; the
    time and the evaluations (the same the import wrote: same ids, time and source)."""
    principal = Principal(AUDITOR, TENANT, frozenset({"auditor"}))
    cache = FormCache(forms)
    started_at = datetime.fromisoformat(str(record.started_at))
    documents = []
    started = time.perf_counter()
    batch = read_file(data, "bench.csv")
    for source in batch.rows:
        parsed = parse_row(source, time_zone=ZONE, form_for=lambda f, v: cache.form(TENANT, f, v))
        assert parsed.body is not None, parsed.problems
        evaluation_id = evaluation_id_for(TENANT, AUDITOR, parsed.external_id)
        document = evaluations.new_evaluation(
            cache,
            LoadedRoster(frozenset()),
            principal,
            parsed.body,
            writes=frozenset({Scope.TENANT}),
            evaluation_id=evaluation_id,
            now=started_at,
        )
        documents.append(replace(document, source=Source(IMPORT_ID, parsed.external_id)))
    return time.perf_counter() - started, documents


def run_import_bench(rows: int = ROWS) -> ImportBench:
    original = DynamoDBBackend.transact_write_items
    moto_transactions.install()
    try:
        with mock_aws():
            return _run(rows)
    finally:
        DynamoDBBackend.transact_write_items = original  # type: ignore[method-assign]


def _run(rows: int) -> ImportBench:
    create_tables()
    bucket = os.environ["LAATU_UPLOADS_BUCKET"]
    boto3.client("s3").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": os.environ["AWS_REGION"]}
    )
    forms = FormStore()
    form = demo_form()
    forms.create(TENANT, form_to_dict(parse_form(form)), "qa", "2026-11-01T08:00:00Z")
    forms.publish(TENANT, form["form_id"], "qa", "2026-11-01T08:00:00Z")
    data = batch_file(form, rows)
    stamp = "2026-12-01T09:00:00Z"
    ImportStore().create(
        ImportRecord(
            tenant=TENANT,
            import_id=IMPORT_ID,
            auditor=AUDITOR,
            roles=frozenset({"auditor"}),
            status="pending",
            created_at=stamp,
            updated_at=stamp,
            upload_expires_at=stamp,
        )
    )
    key = key_prefix(TENANT, IMPORT_ID) + "syyskuu.csv"
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=data)
    run = importer(
        imports=ImportStore(),
        uploads=UploadStore(),
        evaluations=EvaluationStore(),
        forms=forms,
        clock=lambda: datetime.now(UTC),
        time_zone_for=lambda _tenant: ZONE,
        roster_for=lambda _tenant: LoadedRoster(frozenset()),
    )

    with counting() as requests:
        started = time.perf_counter()
        outcome = run.run(key, invocation="bench", remaining_s=lambda: 900.0)
        import_s = time.perf_counter() - started
    record = ImportStore().get(TENANT, IMPORT_ID)
    assert (record.status, record.counts.created) == ("done", rows), record

    prepare_s, documents = _prepare_only(data, forms, record)
    heads, revisions = _items(documents)
    # The same items the import stored, byte for byte (a sample is checked).
    for head in heads[:: rows // 10]:
        stored = EvaluationModel.get(head["pk"]["S"], "HEAD").serialize()
        assert stored == head, (stored, head)
    _copy_table("baseline-heads")
    _copy_table("baseline-all")
    heads_s = _batch_write("baseline-heads", heads)
    all_items_s = _batch_write("baseline-all", heads + revisions)
    return ImportBench(
        rows=rows,
        file_bytes=len(data),
        import_s=import_s,
        prepare_s=prepare_s,
        heads_s=heads_s,
        all_items_s=all_items_s,
        requests=requests,
        outcome=outcome,
    )


def render_imports(bench: ImportBench) -> str:
    dynamodb = {k.split(":")[1]: v for k, v in bench.requests.items() if k.startswith("dynamodb:")}
    s3 = {k.split(":")[1]: v for k, v in bench.requests.items() if k.startswith("s3:")}
    listed = ", ".join(f"{k} {v}" for k, v in sorted(dynamodb.items()))
    scans = dynamodb.get("Scan", 0)
    return "\n".join(
        [
            f"Batch import: a {bench.rows:,}-row CSV ({bench.file_bytes:,} bytes, demo form, "
            "11 criteria), moto",
            f"   import (S3 read, check and score every row, write, checkpoints, report): "
            f"{bench.import_s:.2f} s, {bench.rows / bench.import_s:,.0f} rows/s",
            f"     of which reading, checking and scoring alone: {bench.prepare_s:.2f} s",
            f"   raw BatchWriteItem of the {bench.rows:,} HEAD items: {bench.heads_s:.2f} s",
            f"   import / that: {bench.ratio:.2f}x   (goal: <= 2x)",
            f"   raw BatchWriteItem of all {2 * bench.rows:,} items the import stored "
            f"(HEAD + REV#1 per row): {bench.all_items_s:.2f} s; import / that: "
            f"{bench.ratio_all:.2f}x",
            f"   DynamoDB requests: {sum(dynamodb.values())} ({listed}); Scan: {scans}",
            f"   S3 requests: {', '.join(f'{k} {v}' for k, v in sorted(s3.items()))}",
        ]
    )


def imports_json(bench: ImportBench) -> dict[str, Any]:
    return {
        "rows": bench.rows,
        "file_bytes": bench.file_bytes,
        "import_s": round(bench.import_s, 3),
        "prepare_s": round(bench.prepare_s, 3),
        "batch_write_heads_s": round(bench.heads_s, 3),
        "batch_write_all_items_s": round(bench.all_items_s, 3),
        "ratio": round(bench.ratio, 2),
        "ratio_all_items": round(bench.ratio_all, 2),
        "requests": dict(bench.requests),
    }


if __name__ == "__main__":
    import tests.conftest  # noqa: F401 - the offline AWS environment

    print(render_imports(run_import_bench()))

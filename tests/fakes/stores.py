"""In-memory stand-ins for the adapters, for unit tests of the services.

Each fake keeps the semantics a service relies on and raises the storage
exceptions the real adapter raises (chalicelib.domain.storage_errors): a taken
settings revision is AlreadyExists, a stale evaluation revision StaleVersion, a
claimed export period ExportBusy, a lost import lease LeaseLost. Documents go
through jsoncodec like the adapters' stored JSON, so a caller never holds a
reference into the fake's state.

What they do not reproduce, and where it is tested instead (moto, tests/functional):
two writers interleaving inside one adapter call (every fake method is atomic, so
a race is staged by a test overriding a method), DynamoDB's page cursors, item
size limits, expired idempotency keys deleted late, and presigned URLs.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib import jsoncodec
from chalicelib.adapters.export_files import FileAlreadyDifferent
from chalicelib.adapters.export_store import ExportRecord
from chalicelib.adapters.form_store import VersionRecord
from chalicelib.adapters.import_store import Counts, ImportRecord
from chalicelib.adapters.settings_store import Agent
from chalicelib.adapters.uploads import ObjectTooLarge
from chalicelib.domain.aggregates import PeriodAggregate
from chalicelib.domain.errors import NotFound
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.import_report import ReportEntry
from chalicelib.domain.settings import SettingsRevision, TenantSettings
from chalicelib.domain.storage_errors import (
    AlreadyExists,
    ConditionFailed,
    ExportBusy,
    IdempotentReplay,
    LeaseLost,
    StaleVersion,
)
from chalicelib.domain.teams import Team

IDEMPOTENCY_TTL = timedelta(hours=24)


def _copy(document: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = jsoncodec.loads(jsoncodec.dumps(document))
    return copied


# Settings, tenants, roster --------------------------------------------------------


@dataclass
class FakeSettings:
    """SettingsStore: revisions, the tenant registry, the roster and the teams."""

    saved: dict[tuple[str, int], SettingsRevision] = field(default_factory=dict)
    registry: dict[str, str] = field(default_factory=dict)
    roster: dict[tuple[str, str], Agent] = field(default_factory=dict)
    team_records: dict[tuple[str, str], Team] = field(default_factory=dict)

    def revisions(self, tenant: str) -> list[SettingsRevision]:
        return [r for (t, _), r in sorted(self.saved.items()) if t == tenant]

    def add_revision(
        self,
        tenant: str,
        revision: int,
        effective_from: datetime,
        settings: TenantSettings,
        user: str,
        now: str,
    ) -> SettingsRevision:
        if (tenant, revision) in self.saved:
            raise AlreadyExists(f"{tenant} settings revision {revision}")
        saved = SettingsRevision(revision, effective_from, settings, now, user)
        self.saved[(tenant, revision)] = saved
        return saved

    def register_tenant(self, tenant: str, now: str) -> None:
        self.registry.setdefault(tenant, now)

    def tenants(self) -> list[tuple[str, str]]:
        return sorted(self.registry.items())

    def agents(self, tenant: str) -> list[Agent]:
        return [a for (t, _), a in sorted(self.roster.items()) if t == tenant]

    def has_agents(self, tenant: str) -> bool:
        return any(t == tenant for t, _ in self.roster)

    def put_agent(self, tenant: str, agent: Agent, user: str) -> Agent:
        self.roster[(tenant, agent.agent_id)] = agent
        return agent

    def get_agent(self, tenant: str, agent_id: str) -> Agent | None:
        return self.roster.get((tenant, agent_id))

    def teams(self, tenant: str) -> list[Team]:
        return [team for (t, _), team in sorted(self.team_records.items()) if t == tenant]

    def get_team(self, tenant: str, team_id: str) -> Team | None:
        return self.team_records.get((tenant, team_id))

    def put_team(self, tenant: str, team: Team, user: str, now: str) -> Team:
        self.team_records[(tenant, team.team_id)] = team
        return team


# Exports --------------------------------------------------------------------------


@dataclass
class FakeExports:
    """ExportStore: per period a head, per revision a record."""

    head_records: dict[tuple[str, str], ExportRecord] = field(default_factory=dict)
    revision_records: dict[tuple[str, str, int], ExportRecord] = field(default_factory=dict)

    def heads(self, tenant: str) -> dict[str, ExportRecord]:
        return {p: r for (t, p), r in sorted(self.head_records.items()) if t == tenant}

    def history(self, tenant: str) -> list[ExportRecord]:
        return [r for (t, _, _), r in sorted(self.revision_records.items()) if t == tenant]

    def head(self, tenant: str, period: str) -> ExportRecord | None:
        return self.head_records.get((tenant, period))

    def begin(
        self,
        tenant: str,
        period: str,
        revision: int,
        generated_at: str,
        changes_seen: int,
        detail: dict[str, Any],
        now: str,
    ) -> None:
        head = self.head(tenant, period)
        if (head.revision if head else 0) != revision - 1 or (head and head.status != "done"):
            raise ExportBusy(period)
        if (tenant, period, revision) in self.revision_records:
            raise ExportBusy(period)
        record = ExportRecord(
            period, revision, "writing", generated_at, changes_seen, dict(detail), now
        )
        self.head_records[(tenant, period)] = record
        self.revision_records[(tenant, period, revision)] = record

    def finish(
        self, tenant: str, period: str, revision: int, detail: dict[str, Any], now: str
    ) -> None:
        head = self.head(tenant, period)
        record = self.revision_records[(tenant, period, revision)]
        if head is None or head.revision != revision:
            raise ExportBusy(period)
        self.head_records[(tenant, period)] = replace(
            head, status="done", detail=dict(detail), updated_at=now
        )
        self.revision_records[(tenant, period, revision)] = replace(
            record, status="done", detail=dict(detail), updated_at=now
        )

    def mark_checked(self, tenant: str, period: str, changes_seen: int, now: str) -> None:
        head = self.head(tenant, period)
        if head is None or head.changes_seen >= changes_seen:
            return
        self.head_records[(tenant, period)] = replace(
            head, changes_seen=changes_seen, updated_at=now
        )


@dataclass
class FakeAggregates:
    """AggregateStore's read side: period figures and change counts.

    `put` and `count_change` stand in for what the stream handler writes.
    """

    figures: dict[tuple[str, str, str], PeriodAggregate] = field(default_factory=dict)
    changes: dict[tuple[str, str], int] = field(default_factory=dict)

    def put(self, tenant: str, aggregate: PeriodAggregate) -> None:
        self.figures[(tenant, aggregate.period, aggregate.agent_id)] = aggregate

    def count_change(self, tenant: str, pay_period: str) -> None:
        self.changes[(tenant, pay_period)] = self.changes.get((tenant, pay_period), 0) + 1

    def get(self, tenant: str, agent_id: str, bucket: str) -> PeriodAggregate | None:
        return self.figures.get((tenant, bucket, agent_id))

    def bucket(self, tenant: str, bucket: str) -> list[PeriodAggregate]:
        return [a for (t, b, _), a in sorted(self.figures.items()) if (t, b) == (tenant, bucket)]

    def change_counts(self, tenant: str) -> dict[str, int]:
        return {p: n for (t, p), n in sorted(self.changes.items()) if t == tenant}

    def change_count(self, tenant: str, pay_period: str) -> int:
        return self.changes.get((tenant, pay_period), 0)


@dataclass
class FakeExportFiles:
    """ExportFiles: written once, never overwritten."""

    objects: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def put_once(self, key: str, data: bytes, content_type: str) -> None:
        if key in self.objects:
            if self.objects[key][0] != data:
                raise FileAlreadyDifferent(key)
            return
        self.objects[key] = (data, content_type)

    def get(self, key: str) -> bytes | None:
        found = self.objects.get(key)
        return None if found is None else found[0]

    def link(self, key: str, filename: str) -> str:
        return f"memory://{key}?filename={filename}"


# Forms and evaluations ------------------------------------------------------------


@dataclass
class FakeForms:
    """FormStore's published versions; `publish` stands in for the whole draft flow."""

    versions: dict[tuple[str, str, int], VersionRecord] = field(default_factory=dict)

    def publish(self, tenant: str, definition: dict[str, Any], now: str, user: str) -> None:
        form_id = definition["form_id"]
        number = 1 + sum(1 for t, f, _ in self.versions if (t, f) == (tenant, form_id))
        self.versions[(tenant, form_id, number)] = VersionRecord(
            form_id, number, _copy(definition), now, user
        )

    def get_version(self, tenant: str, form_id: str, version: int) -> VersionRecord:
        try:
            return self.versions[(tenant, form_id, version)]
        except KeyError:
            raise NotFound(
                f"form '{form_id}' has no published version {version}", field="form_version"
            ) from None


@dataclass
class FakeEvaluations:
    """EvaluationStore without the listing indexes: HEAD and every revision."""

    stored: dict[tuple[str, str], list[Evaluation]] = field(default_factory=dict)
    idempotency: dict[tuple[str, str, str], tuple[str, str, datetime]] = field(default_factory=dict)

    def create(
        self,
        tenant: str,
        evaluation: Evaluation,
        *,
        idempotency: tuple[str, str, str] | None,
        now: datetime,
    ) -> None:
        if idempotency is not None:
            user, key, request_hash = idempotency
            first = self.idempotency.get((tenant, user, key))
            if first is not None and first[2] >= now:
                raise IdempotentReplay(first[1], first[0])
        if (tenant, evaluation.evaluation_id) in self.stored:
            # The adapter's transaction fails at HEAD, after the idempotency record.
            raise ConditionFailed(failed=frozenset({0 if idempotency is None else 1}))
        if idempotency is not None:
            user, key, request_hash = idempotency
            self.idempotency[(tenant, user, key)] = (
                request_hash,
                evaluation.evaluation_id,
                now + IDEMPOTENCY_TTL,
            )
        self.stored[(tenant, evaluation.evaluation_id)] = [_through_storage(evaluation)]

    def create_many(self, tenant: str, evaluations: Sequence[Evaluation]) -> list[int]:
        existing = [
            i for i, e in enumerate(evaluations) if (tenant, e.evaluation_id) in self.stored
        ]
        if not existing:
            for evaluation in evaluations:
                self.stored[(tenant, evaluation.evaluation_id)] = [_through_storage(evaluation)]
        return existing

    def get_many(self, tenant: str, evaluation_ids: Sequence[str]) -> dict[str, Evaluation]:
        return {i: self.get(tenant, i) for i in evaluation_ids if (tenant, i) in self.stored}

    def amend(self, tenant: str, evaluation: Evaluation, expected_revision: int) -> None:
        evaluation_id = evaluation.evaluation_id
        history = self.stored.get((tenant, evaluation_id))
        if history is None or history[-1].revision != expected_revision:
            raise StaleVersion(f"evaluation {evaluation_id} is past revision {expected_revision}")
        history.append(_through_storage(evaluation))

    def get(self, tenant: str, evaluation_id: str) -> Evaluation:
        return self._history(tenant, evaluation_id)[-1]

    def get_revision(self, tenant: str, evaluation_id: str, revision: int) -> Evaluation:
        for evaluation in self._history(tenant, evaluation_id):
            if evaluation.revision == revision:
                return evaluation
        raise NotFound(f"evaluation '{evaluation_id}' does not exist")

    def revisions(self, tenant: str, evaluation_id: str) -> list[Evaluation]:
        return list(self.stored.get((tenant, evaluation_id), []))

    def _history(self, tenant: str, evaluation_id: str) -> list[Evaluation]:
        try:
            return self.stored[(tenant, evaluation_id)]
        except KeyError:
            raise NotFound(f"evaluation '{evaluation_id}' does not exist") from None


def _through_storage(evaluation: Evaluation) -> Evaluation:
    # What the adapter would read back: the stored JSON, not the caller's object.
    return Evaluation.from_dict(jsoncodec.loads(jsoncodec.dumps(evaluation.to_dict())))


# Batch imports --------------------------------------------------------------------


@dataclass
class FakeImports:
    """ImportStore's state, lease, resume point and per-row report (no listing)."""

    records: dict[tuple[str, str], ImportRecord] = field(default_factory=dict)
    reports: dict[tuple[str, str], dict[int, builtins.list[ReportEntry]]] = field(
        default_factory=dict
    )

    def create(self, record: ImportRecord) -> None:
        if (record.tenant, record.import_id) in self.records:
            # The adapter lets PynamoDB's own error through here; no service expects one.
            raise RuntimeError(f"import {record.import_id} exists")
        self.records[(record.tenant, record.import_id)] = record

    def get(self, tenant: str, import_id: str) -> ImportRecord:
        try:
            return self.records[(tenant, import_id)]
        except KeyError:
            raise NotFound(f"import '{import_id}' does not exist") from None

    def claim(
        self,
        tenant: str,
        import_id: str,
        *,
        key: str,
        size: int,
        owner: str,
        lease_until: float,
        now: float,
        now_iso: str,
    ) -> ImportRecord | None:
        record = self.records.get((tenant, import_id))
        if (
            record is None
            or record.status not in ("pending", "running")
            or record.object_key not in (None, key)
            or not (
                record.lease_until is None
                or record.lease_until < now
                or record.lease_owner == owner
            )
        ):
            return None
        claimed = replace(
            record,
            object_key=key,
            size=size,
            status="running",
            started_at=record.started_at or now_iso,
            lease_owner=owner,
            lease_until=lease_until,
            updated_at=now_iso,
        )
        self.records[(tenant, import_id)] = claimed
        return claimed

    def describe_file(
        self,
        tenant: str,
        import_id: str,
        owner: str,
        *,
        file_format: str,
        encoding: str,
        delimiter: str | None,
        rows_total: int,
        now_iso: str,
    ) -> None:
        record = self._held(tenant, import_id, owner)
        self._put(
            replace(
                record,
                file_format=file_format,
                encoding=encoding,
                delimiter=record.delimiter if delimiter is None else delimiter,
                rows_total=rows_total,
                updated_at=now_iso,
            )
        )

    def checkpoint(
        self,
        tenant: str,
        import_id: str,
        owner: str,
        *,
        first: int,
        entries: Sequence[ReportEntry],
        now_iso: str,
        lease_until: float,
    ) -> None:
        record = self._held(tenant, import_id, owner)
        if record.next_row != first:
            raise LeaseLost(f"import {import_id}: another invocation took over")
        done, more = record.counts, Counts.of(entries)
        self.reports.setdefault((tenant, import_id), {})[first] = list(entries)
        self._put(
            replace(
                record,
                next_row=first + len(entries),
                counts=Counts(
                    done.created + more.created,
                    done.amended + more.amended,
                    done.unchanged + more.unchanged,
                    done.rejected + more.rejected,
                ),
                updated_at=now_iso,
                lease_until=lease_until,
            )
        )

    def finish(
        self,
        tenant: str,
        import_id: str,
        owner: str,
        *,
        status: str,
        now_iso: str,
        report_key: str | None,
        error: tuple[str, str] | None = None,
    ) -> None:
        record = self._held(tenant, import_id, owner)
        self._put(
            replace(
                record,
                status=status,
                finished_at=now_iso,
                updated_at=now_iso,
                lease_owner=None,
                lease_until=None,
                report_key=record.report_key if report_key is None else report_key,
                error_code=record.error_code if error is None else error[0],
                error_message=record.error_message if error is None else error[1],
            )
        )

    def release(self, tenant: str, import_id: str, owner: str, now_iso: str) -> None:
        record = self._held(tenant, import_id, owner)
        self._put(replace(record, lease_until=0, updated_at=now_iso))

    def record_failure(self, tenant: str, import_id: str, owner: str, now_iso: str) -> int:
        record = self._held(tenant, import_id, owner)
        failed = replace(record, failures=record.failures + 1, lease_until=0, updated_at=now_iso)
        self._put(failed)
        return failed.failures

    def rows(self, tenant: str, import_id: str, start: int = 0) -> Iterator[ReportEntry]:
        runs = self.reports.get((tenant, import_id), {})
        index = 0
        for first in sorted(runs):
            index = max(index, first)
            for entry in runs[first]:
                if index >= start:
                    yield entry
                index += 1

    def _held(self, tenant: str, import_id: str, owner: str) -> ImportRecord:
        record = self.records.get((tenant, import_id))
        if record is None or record.lease_owner != owner:
            raise LeaseLost(f"import {import_id}: another invocation took over")
        return record

    def _put(self, record: ImportRecord) -> None:
        self.records[(record.tenant, record.import_id)] = record


@dataclass
class FakeUploads:
    """UploadStore's objects (the presigned POST is S3's and not faked)."""

    bucket: str = "memory-uploads"
    objects: dict[str, bytes] = field(default_factory=dict)
    content_types: dict[str, str] = field(default_factory=dict)
    processed: set[str] = field(default_factory=set)

    def size(self, key: str) -> int | None:
        found = self.objects.get(key)
        return None if found is None else len(found)

    def read(self, key: str, max_bytes: int) -> bytes:
        data = self.objects[key]
        if len(data) > max_bytes:
            raise ObjectTooLarge(len(data))
        return data

    def write(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = data
        self.content_types[key] = content_type
        self.processed.add(key)  # the adapter writes reports with the processed tag

    def mark_processed(self, key: str) -> None:
        if key not in self.objects:
            raise KeyError(key)  # S3 answers NoSuchKey for tagging a missing object
        self.processed.add(key)

"""What each use case needs from storage: small protocols, one per need.

Services name these instead of the DynamoDB and S3 adapters, so a service runs on
anything with the same methods: the adapters in production, the in-memory fakes of
tests/fakes/ in unit tests. Each protocol lists only the methods its callers use,
with the adapters' signatures, and speaks in records (dataclasses), never in
PynamoDB models or boto3 types. mypy checks the adapters and the fakes against
them wherever either is passed to a service.

The storage exceptions a method raises are part of its contract; they are those of
chalicelib.domain.storage_errors and are named in each method's docstring.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from chalicelib.adapters.backfill_store import BackfillProgress
from chalicelib.adapters.evaluation_store import Page
from chalicelib.adapters.export_store import ExportRecord
from chalicelib.adapters.form_store import FormRecord, VersionRecord
from chalicelib.adapters.import_store import ImportRecord
from chalicelib.adapters.settings_store import Agent
from chalicelib.adapters.uploads import PresignedPost
from chalicelib.domain.aggregates import Contribution, PeriodAggregate
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.import_report import ReportEntry
from chalicelib.domain.report_cells import Cell, CellKey
from chalicelib.domain.settings import SettingsRevision, TenantSettings
from chalicelib.domain.teams import Team

AggregateKey = tuple[str, str]  # (agent_id, bucket)

# Settings, tenants and the roster -------------------------------------------------


class TenantRegistry(Protocol):
    def register_tenant(self, tenant: str, now: str) -> None:
        """Idempotent: the first call's `now` stays the tenant's start."""
        ...


class SettingsHistory(Protocol):
    def revisions(self, tenant: str) -> list[SettingsRevision]: ...


class SettingsWrites(SettingsHistory, TenantRegistry, Protocol):
    def add_revision(
        self,
        tenant: str,
        revision: int,
        effective_from: datetime,
        settings: TenantSettings,
        user: str,
        now: str,
    ) -> SettingsRevision:
        """AlreadyExists when revision number `revision` is taken."""
        ...


class AgentDirectory(Protocol):
    def agents(self, tenant: str) -> list[Agent]: ...


class AgentLookup(Protocol):
    def get_agent(self, tenant: str, agent_id: str) -> Agent | None: ...


class RosterLookups(AgentLookup, Protocol):
    def has_agents(self, tenant: str) -> bool: ...


class RosterWrites(TenantRegistry, Protocol):
    def put_agent(self, tenant: str, agent: Agent, user: str) -> Agent: ...

    def get_agent(self, tenant: str, agent_id: str) -> Agent | None: ...

    def revisions(self, tenant: str) -> list[SettingsRevision]:
        """The settings revisions: the tenant's zone says which day "today" is."""
        ...


class RosterReads(SettingsHistory, AgentDirectory, AgentLookup, Protocol):
    """The roster as shown: the team in force today is read in the tenant's zone."""


# Teams ----------------------------------------------------------------------------


class TeamDirectory(Protocol):
    def teams(self, tenant: str) -> list[Team]:
        """Every team of the tenant, by team id."""
        ...


class TeamRoster(Protocol):
    def team_members(self, tenant: str, team_id: str) -> tuple[bool, list[Agent]]:
        """(whether the team index is complete for the team, every agent whose
        membership history names it, with that history)."""
        ...


class TeamLookup(Protocol):
    def get_team(self, tenant: str, team_id: str) -> Team | None: ...


class TeamWrites(TeamLookup, TenantRegistry, Protocol):
    def put_team(self, tenant: str, team: Team, user: str, now: str) -> Team:
        """Create or replace."""
        ...


# Payroll exports ------------------------------------------------------------------


class ExportHeads(Protocol):
    def heads(self, tenant: str) -> dict[str, ExportRecord]:
        """Each exported period's head (its latest revision), by period label."""
        ...


class ExportLedger(ExportHeads, Protocol):
    def head(self, tenant: str, period: str) -> ExportRecord | None: ...

    def history(self, tenant: str) -> list[ExportRecord]:
        """Every revision of every period, oldest first within a period."""
        ...

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
        """Claim `revision` (status "writing"); ExportBusy unless the head is the
        previous revision and done (or absent for revision 1)."""
        ...

    def finish(
        self, tenant: str, period: str, revision: int, detail: dict[str, Any], now: str
    ) -> None:
        """Mark `revision` done; ExportBusy when the head moved to another revision."""
        ...

    def mark_checked(self, tenant: str, period: str, changes_seen: int, now: str) -> None:
        """Note that the figures were unchanged up to `changes_seen`; never lowers it."""
        ...


class PeriodFigures(Protocol):
    def bucket(self, tenant: str, bucket: str) -> list[PeriodAggregate]: ...

    def change_count(self, tenant: str, pay_period: str) -> int: ...

    def change_counts(self, tenant: str) -> dict[str, int]: ...


class ExportSettings(SettingsHistory, TenantRegistry, AgentDirectory, Protocol):
    def tenants(self) -> list[tuple[str, str]]:
        """(tenant, created_at) of every registered tenant."""
        ...


class ExportFileStore(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def put_once(self, key: str, data: bytes, content_type: str) -> None:
        """Write unless present; FileAlreadyDifferent when present with other bytes."""
        ...

    def link(self, key: str, filename: str) -> str: ...


# Scoring on write and summaries ---------------------------------------------------


class LedgerSnapshot(Protocol):
    """What an aggregate store read for one evaluation, to be written back as a whole."""

    @property
    def applied_revision(self) -> int: ...

    @property
    def applied_contribution(self) -> Contribution | None: ...

    def domain_aggregates(self) -> dict[AggregateKey, PeriodAggregate]: ...

    def domain_cells(self) -> dict[CellKey, Cell]: ...


SnapshotT = TypeVar("SnapshotT", bound=LedgerSnapshot)


class AggregateLedger(Protocol[SnapshotT]):
    def read(
        self,
        tenant: str,
        evaluation_id: str,
        wanted: Iterable[AggregateKey],
        wanted_cells: Iterable[CellKey] = (),
    ) -> SnapshotT: ...

    def write(
        self,
        snapshot: SnapshotT,
        revision: int,
        contribution: Contribution,
        changed: Mapping[AggregateKey, PeriodAggregate],
        now: str,
        pay_periods: Iterable[str] = (),
        cells: Mapping[CellKey, Cell] | None = None,
    ) -> None:
        """All or nothing; ConcurrentUpdate when anything changed since `snapshot`."""
        ...


class BackfillMarkers(Protocol):
    """How far each one-off fill got, per tenant and job."""

    def progress(self, tenant: str, job: str) -> BackfillProgress: ...

    def save(self, tenant: str, job: str, progress: BackfillProgress, now: str) -> None: ...


class ReportCells(Protocol):
    """Report cells of one bucket; counts the DynamoDB requests it made."""

    requests: int

    def cells(
        self, tenant: str, bucket: str, dimension: str, agents: Collection[str] | None
    ) -> dict[tuple[str, str], Cell]:
        """(agent, value) -> cell for `agents` (None: every agent of the tenant)."""
        ...


class AggregateLookup(Protocol):
    def get(self, tenant: str, agent_id: str, bucket: str) -> PeriodAggregate | None: ...


# Forms ----------------------------------------------------------------------------


class FormVersions(Protocol):
    """Published form versions: the FormStore, or a batch import's cache of it."""

    def get_version(self, tenant: str, form_id: str, version: int) -> VersionRecord:
        """NotFound when the form has no such published version."""
        ...


class FormCreates(Protocol):
    def create(self, tenant: str, definition: dict[str, Any], user: str, now: str) -> FormRecord:
        """AlreadyExists when the form id is taken."""
        ...


class FormDrafts(FormVersions, Protocol):
    def get(self, tenant: str, form_id: str) -> FormRecord:
        """NotFound when there is no such form."""
        ...


class FormEdits(FormDrafts, Protocol):
    def update(
        self,
        tenant: str,
        definition: dict[str, Any],
        user: str,
        now: str,
        expected_version: int,
    ) -> FormRecord:
        """StaleVersion when the draft is not at `expected_version`."""
        ...


class FormPublishing(Protocol):
    def publish(self, tenant: str, form_id: str, user: str, now: str) -> tuple[VersionRecord, bool]:
        """StaleVersion when the draft moved or the version appeared meanwhile."""
        ...


class FormListing(Protocol):
    def list_forms(self, tenant: str) -> list[FormRecord]: ...


class FormVersionListing(Protocol):
    def list_versions(self, tenant: str, form_id: str) -> list[VersionRecord]: ...


# Evaluations ----------------------------------------------------------------------


class EvaluationReads(Protocol):
    def get(self, tenant: str, evaluation_id: str) -> Evaluation:
        """The current revision; NotFound when there is no such evaluation."""
        ...


class EvaluationHistory(EvaluationReads, Protocol):
    def get_revision(self, tenant: str, evaluation_id: str, revision: int) -> Evaluation: ...

    def revisions(self, tenant: str, evaluation_id: str) -> list[Evaluation]: ...


class EvaluationCreates(Protocol):
    def create(
        self,
        tenant: str,
        evaluation: Evaluation,
        *,
        idempotency: tuple[str, str, str] | None,
        now: datetime,
    ) -> None:
        """IdempotentReplay when the (user, key) was used before."""
        ...

    def get_revision(self, tenant: str, evaluation_id: str, revision: int) -> Evaluation: ...


class EvaluationAmends(EvaluationReads, Protocol):
    def amend(self, tenant: str, evaluation: Evaluation, expected_revision: int) -> None:
        """StaleVersion when the current revision is not `expected_revision`."""
        ...


class EvaluationListing(Protocol):
    def by_agent(
        self, tenant: str, agent_id: str, start: str, end: str, limit: int, cursor: str | None
    ) -> Page: ...

    def by_tenant(
        self, tenant: str, start: str, end: str, limit: int, cursor: str | None
    ) -> Page: ...


class ImportedEvaluations(EvaluationAmends, Protocol):
    def create_many(self, tenant: str, evaluations: Sequence[Evaluation]) -> list[int]:
        """All or none; the positions of those whose id exists (then none written)."""
        ...

    def get_many(self, tenant: str, evaluation_ids: Sequence[str]) -> dict[str, Evaluation]: ...


# Batch imports --------------------------------------------------------------------


class ImportCreates(Protocol):
    def create(self, record: ImportRecord) -> None: ...


class ImportReads(Protocol):
    def get(self, tenant: str, import_id: str) -> ImportRecord:
        """NotFound when there is no such import."""
        ...


class ImportReport(Protocol):
    def rows(self, tenant: str, import_id: str, start: int = 0) -> Iterator[ReportEntry]:
        """The per-row report from row index `start` on, in file order."""
        ...


class ImportListing(Protocol):
    def list(
        self, tenant: str, user: str | None, limit: int, cursor: str | None
    ) -> tuple[builtins.list[ImportRecord], str | None]: ...


class ImportRuns(ImportReads, ImportReport, Protocol):
    """The import's state under a lease: every change after `claim` raises LeaseLost
    when another invocation holds the import now."""

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
        """The import, leased to `owner`; None when finished, reading another upload,
        or leased to another live invocation."""
        ...

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
    ) -> None: ...

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
        """The report of rows from `first` on and the resume point past them, together;
        LeaseLost unless `owner` holds the lease and the resume point is `first`."""
        ...

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
    ) -> None: ...

    def release(self, tenant: str, import_id: str, owner: str, now_iso: str) -> None: ...

    def record_failure(self, tenant: str, import_id: str, owner: str, now_iso: str) -> int:
        """Count a failed attempt and free the lease; the new count."""
        ...


class UploadPosts(Protocol):
    def presigned_post(self, key_prefix: str, max_bytes: int, expires_s: int) -> PresignedPost: ...


class ReportLinks(Protocol):
    def download_url(self, key: str, file_name: str, expires_s: int) -> str: ...


class UploadObjects(Protocol):
    @property
    def bucket(self) -> str:
        """The bucket whose events name these objects (events.uploads filters on it)."""
        ...

    def size(self, key: str) -> int | None:
        """None when there is no such object."""
        ...

    def read(self, key: str, max_bytes: int) -> bytes:
        """ObjectTooLarge (chalicelib.adapters.uploads) past `max_bytes`."""
        ...

    def write(self, key: str, data: bytes, content_type: str) -> None: ...

    def mark_processed(self, key: str) -> None: ...

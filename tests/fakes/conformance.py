"""For mypy only: each adapter and each fake satisfies the ports it stands for.

Nothing here runs in a test; `mypy` reads these assignments and fails when an
adapter's or a fake's signature drifts from the protocol a service names.
"""

from __future__ import annotations

from chalicelib.adapters.aggregate_store import AggregateStore, Snapshot
from chalicelib.adapters.evaluation_store import EvaluationStore
from chalicelib.adapters.export_files import ExportFiles
from chalicelib.adapters.export_store import ExportStore
from chalicelib.adapters.form_store import FormStore
from chalicelib.adapters.import_store import ImportStore
from chalicelib.adapters.settings_store import SettingsStore
from chalicelib.adapters.uploads import UploadStore
from chalicelib.services import ports
from tests.fakes.stores import (
    FakeAggregates,
    FakeEvaluations,
    FakeExportFiles,
    FakeExports,
    FakeForms,
    FakeImports,
    FakeSettings,
    FakeUploads,
)


def adapters(
    settings: SettingsStore,
    exports: ExportStore,
    files: ExportFiles,
    aggregates: AggregateStore,
    forms: FormStore,
    evaluations: EvaluationStore,
    imports: ImportStore,
    uploads: UploadStore,
) -> None:
    _settings: ports.SettingsWrites = settings
    _export_settings: ports.ExportSettings = settings
    _roster: ports.RosterLookups = settings
    _roster_writes: ports.RosterWrites = settings
    _roster_reads: ports.RosterReads = settings
    _teams: ports.TeamDirectory = settings
    _team_writes: ports.TeamWrites = settings
    _ledger: ports.ExportLedger = exports
    _files: ports.ExportFileStore = files
    _figures: ports.PeriodFigures = aggregates
    _lookup: ports.AggregateLookup = aggregates
    _aggregate_ledger: ports.AggregateLedger[Snapshot] = aggregates
    _creates: ports.FormCreates = forms
    _edits: ports.FormEdits = forms
    _publishing: ports.FormPublishing = forms
    _listing: ports.FormListing = forms
    _version_listing: ports.FormVersionListing = forms
    _history: ports.EvaluationHistory = evaluations
    _evaluation_creates: ports.EvaluationCreates = evaluations
    _evaluation_listing: ports.EvaluationListing = evaluations
    _imported: ports.ImportedEvaluations = evaluations
    _runs: ports.ImportRuns = imports
    _import_creates: ports.ImportCreates = imports
    _import_listing: ports.ImportListing = imports
    _objects: ports.UploadObjects = uploads
    _posts: ports.UploadPosts = uploads
    _links: ports.ReportLinks = uploads


def fakes(
    settings: FakeSettings,
    exports: FakeExports,
    files: FakeExportFiles,
    aggregates: FakeAggregates,
    forms: FakeForms,
    evaluations: FakeEvaluations,
    imports: FakeImports,
    uploads: FakeUploads,
) -> None:
    _settings: ports.SettingsWrites = settings
    _export_settings: ports.ExportSettings = settings
    _roster: ports.RosterLookups = settings
    _roster_writes: ports.RosterWrites = settings
    _roster_reads: ports.RosterReads = settings
    _teams: ports.TeamDirectory = settings
    _team_writes: ports.TeamWrites = settings
    _ledger: ports.ExportLedger = exports
    _files: ports.ExportFileStore = files
    _figures: ports.PeriodFigures = aggregates
    _lookup: ports.AggregateLookup = aggregates
    _versions: ports.FormVersions = forms
    _history: ports.EvaluationHistory = evaluations
    _evaluation_creates: ports.EvaluationCreates = evaluations
    _imported: ports.ImportedEvaluations = evaluations
    _runs: ports.ImportRuns = imports
    _import_creates: ports.ImportCreates = imports
    _objects: ports.UploadObjects = uploads

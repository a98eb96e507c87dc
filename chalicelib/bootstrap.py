"""The composition root: the configuration, the clock and every store, built once.

functions/app.py calls `bootstrap()` and hands the one `Context` to the routes
(through `api.http.use`) and to each event handler. Nothing else builds a store,
so a test or the local stack can swap a clock or a store in one place, and
configuration (table names, buckets) is read when the context is built, not when
a module happens to be imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from chalicelib.adapters.aggregate_store import AggregateStore
from chalicelib.adapters.dispute_store import DisputeStore
from chalicelib.adapters.evaluation_store import EvaluationStore
from chalicelib.adapters.export_files import ExportFiles
from chalicelib.adapters.export_store import ExportStore
from chalicelib.adapters.form_store import FormStore
from chalicelib.adapters.import_store import ImportStore
from chalicelib.adapters.notification_store import NotificationStore
from chalicelib.adapters.report_store import ReportCellStore
from chalicelib.adapters.review_store import ReviewStore
from chalicelib.adapters.session_store import SessionStore
from chalicelib.adapters.settings_store import SettingsStore
from chalicelib.adapters.tables import configure
from chalicelib.adapters.todo_store import TodoStore
from chalicelib.adapters.uploads import UploadStore
from chalicelib.config import Settings, settings
from chalicelib.services.exports import ExportStores
from chalicelib.services.form_cache import PublishedForms
from chalicelib.services.tenant_settings import StoredRoster


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    config: Settings
    forms: FormStore
    evaluations: EvaluationStore
    aggregates: AggregateStore
    settings: SettingsStore
    exports: ExportStore
    export_files: ExportFiles
    imports: ImportStore
    uploads: UploadStore
    # The one clock: routes, the stream handler, the heartbeat and the importer read
    # it, so a test that travels in time sets it once.
    clock: Callable[[], datetime] = system_clock
    # Published versions never change: parsed once per process for every report.
    published_forms: PublishedForms | None = None
    # The coaching loop's records; they hold no configuration of their own.
    reviews: ReviewStore = field(default_factory=ReviewStore)
    sessions: SessionStore = field(default_factory=SessionStore)
    disputes: DisputeStore = field(default_factory=DisputeStore)
    todos: TodoStore = field(default_factory=TodoStore)
    notifications: NotificationStore = field(default_factory=NotificationStore)

    def now(self) -> datetime:
        return self.clock()

    @property
    def export_stores(self) -> ExportStores:
        return ExportStores(
            exports=self.exports,
            aggregates=self.aggregates,
            settings=self.settings,
            files=self.export_files,
            cells=self.report_cells(),
        )

    def roster(self, tenant: str) -> StoredRoster:
        return StoredRoster(self.settings, tenant)

    def report_forms(self) -> PublishedForms:
        if self.published_forms is None:
            self.published_forms = PublishedForms(self.forms)
        return self.published_forms

    def report_cells(self) -> ReportCellStore:
        """A reader of report cells with its own request count: one per report."""
        return ReportCellStore()


def bootstrap(config: Settings | None = None) -> Context:
    config = config or settings()
    configure(config.main_table, config.evaluations_table, config.region)
    return Context(
        config=config,
        forms=FormStore(),
        evaluations=EvaluationStore(),
        aggregates=AggregateStore(),
        settings=SettingsStore(),
        exports=ExportStore(),
        export_files=ExportFiles(),
        imports=ImportStore(),
        uploads=UploadStore(),
    )

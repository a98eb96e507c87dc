"""The payroll export's state machine on in-memory stores: when a period is due,
each revision written once, a late change, a crashed run resumed.

The tenant keeps the default settings: calendar months in Europe/Helsinki (UTC+2
in winter), three grace days. November ends on the 30th, so it is due at local
midnight starting 4 December: 2026-12-03T22:00:00Z, written out by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.adapters.settings_store import Agent
from chalicelib.domain.aggregates import Contribution, PeriodAggregate, contribution_of
from chalicelib.domain.errors import Conflict
from chalicelib.domain.payroll import parse_jsonl
from chalicelib.domain.principal import Principal
from chalicelib.domain.settings import SettingsRevision, parse_settings
from chalicelib.services import exports
from chalicelib.services.exports import ExportStores, RunResult
from tests.fakes.stores import FakeAggregates, FakeExportFiles, FakeExports, FakeSettings

TENANT = "acme"
ADMIN = Principal("ada", TENANT, frozenset({"admin"}))
NOVEMBER_DUE = "2026-12-03T22:00:00Z"
R1 = "exports/acme/2026-11/r1/"
R2 = "exports/acme/2026-11/r2/"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def figures(evaluations: int, score_sum: str) -> PeriodAggregate:
    return PeriodAggregate(
        "aino", "2026-11", evaluations=evaluations, scored=evaluations, score_sum=Decimal(score_sum)
    )


@dataclass
class Disputed(FakeAggregates):
    """The aggregates with what the ledger holds of evaluations under an undecided
    dispute (AggregateStore.disputed), by evaluation id."""

    open_disputes: dict[str, Contribution] = field(default_factory=dict)

    def disputed(self, tenant: str) -> list[Contribution]:
        return [c for _, c in sorted(self.open_disputes.items())]


def make_stores(files: FakeExportFiles | None = None) -> ExportStores:
    settings = FakeSettings()
    settings.register_tenant(TENANT, "2026-11-02T08:00:00Z")
    settings.put_agent(TENANT, Agent("aino", "Aino", "", "P-1", True, ""), "ada")
    aggregates = Disputed()
    aggregates.put(TENANT, figures(2, "170"))
    return ExportStores(FakeExports(), aggregates, settings, files or FakeExportFiles())


def files_of(stores: ExportStores) -> list[str]:
    assert isinstance(stores.files, FakeExportFiles)
    return sorted(stores.files.objects)


def aggregates_of(stores: ExportStores) -> Disputed:
    assert isinstance(stores.aggregates, Disputed)
    return stores.aggregates


def rows_in(stores: ExportStores, prefix: str) -> list[tuple[str, int, Decimal | None]]:
    data = stores.files.get(prefix + "payroll.jsonl")
    assert data is not None
    return [(r.agent_id, r.evaluations, r.average) for r in parse_jsonl(data)]


def test_nothing_is_due_one_second_before_local_midnight_after_the_grace_days() -> None:
    stores = make_stores()
    assert exports.heartbeat(stores, at("2026-12-03T21:59:59Z")) == []
    assert files_of(stores) == []


def test_a_period_is_written_as_revision_1_at_local_midnight_after_the_grace_days() -> None:
    stores = make_stores()
    results = exports.heartbeat(stores, at(NOVEMBER_DUE))
    # The tenant started in November: October is not its period.
    assert results == [RunResult(TENANT, "2026-11", "written", 1)]
    assert files_of(stores) == [R1 + "manifest.json", R1 + "payroll.csv", R1 + "payroll.jsonl"]
    assert rows_in(stores, R1) == [("aino", 2, Decimal("85.00"))]
    head = stores.exports.head(TENANT, "2026-11")
    assert head is not None
    assert (head.status, head.detail["start"], head.detail["end"]) == (
        "done",
        "2026-11-01",
        "2026-11-30",
    )


def test_revision_1_is_written_once_however_often_the_heartbeat_fires() -> None:
    stores = make_stores()
    exports.heartbeat(stores, at(NOVEMBER_DUE))
    written = {key: stores.files.get(key) for key in files_of(stores)}
    assert exports.heartbeat(stores, at(NOVEMBER_DUE)) == []
    assert exports.heartbeat(stores, at("2026-12-20T08:00:00Z")) == []
    assert {key: stores.files.get(key) for key in files_of(stores)} == written
    assert [r.revision for r in stores.exports.history(TENANT)] == [1]


def test_a_late_change_that_leaves_the_figures_as_they_were_makes_no_revision() -> None:
    stores = make_stores()
    exports.heartbeat(stores, at(NOVEMBER_DUE))
    # An amendment moved nothing that is paid: counted, figures equal.
    aggregates_of(stores).count_change(TENANT, "2026-11")
    later = at("2026-12-05T08:00:00Z")
    assert exports.heartbeat(stores, later) == [RunResult(TENANT, "2026-11", "unchanged", 1)]
    head = stores.exports.head(TENANT, "2026-11")
    assert head is not None
    assert head.changes_seen == 1
    assert exports.heartbeat(stores, later) == []  # compared once, not at every beat
    assert not any(key.startswith(R2) for key in files_of(stores))


def test_a_late_change_of_the_figures_makes_revision_2_with_adjustments() -> None:
    stores = make_stores()
    exports.heartbeat(stores, at(NOVEMBER_DUE))
    first = stores.files.get(R1 + "payroll.jsonl")
    aggregates_of(stores).put(TENANT, figures(3, "240"))
    aggregates_of(stores).count_change(TENANT, "2026-11")
    results = exports.heartbeat(stores, at("2026-12-05T08:00:00Z"))
    assert results == [RunResult(TENANT, "2026-11", "written", 2)]
    assert rows_in(stores, R2) == [("aino", 3, Decimal("80.00"))]
    assert R2 + "adjustments.csv" in files_of(stores)
    assert stores.files.get(R1 + "payroll.jsonl") == first  # revision 1 stays as paid
    assert [r.revision for r in stores.exports.history(TENANT)] == [1, 2]


class DiesAtTheCsv(FakeExportFiles):
    """The run dies after payroll.jsonl, before payroll.csv, the first time."""

    died = False

    def put_once(self, key: str, data: bytes, content_type: str) -> None:
        if key.endswith("payroll.csv") and not self.died:
            self.died = True
            raise RuntimeError("the Lambda died")
        super().put_once(key, data, content_type)


def test_a_crashed_run_is_resumed_with_what_its_data_file_says() -> None:
    stores = make_stores(DiesAtTheCsv())
    failed = exports.heartbeat(stores, at(NOVEMBER_DUE))
    assert failed == [RunResult(TENANT, "2026-11", "failed", None)]
    head = stores.exports.head(TENANT, "2026-11")
    assert head is not None
    assert (head.revision, head.status) == (1, "writing")
    assert files_of(stores) == [R1 + "payroll.jsonl"]
    pinned = stores.files.get(R1 + "payroll.jsonl")
    # A new evaluation lands before the retry; revision 1 still says what it said.
    aggregates_of(stores).put(TENANT, figures(3, "240"))
    aggregates_of(stores).count_change(TENANT, "2026-11")
    resumed = exports.heartbeat(stores, at("2026-12-03T22:05:00Z"))
    assert resumed == [RunResult(TENANT, "2026-11", "written", 1)]
    assert stores.files.get(R1 + "payroll.jsonl") == pinned
    assert rows_in(stores, R1) == [("aino", 2, Decimal("85.00"))]
    csv = stores.files.get(R1 + "payroll.csv")
    assert csv is not None
    assert b"85.00" in csv
    # The change the resumed run did not include becomes revision 2 at the next beat.
    later = exports.heartbeat(stores, at("2026-12-03T22:10:00Z"))
    assert later == [RunResult(TENANT, "2026-11", "written", 2)]
    assert rows_in(stores, R2) == [("aino", 3, Decimal("80.00"))]


def test_run_now_exports_from_local_midnight_after_the_last_day_grace_or_not() -> None:
    stores = make_stores()
    with pytest.raises(Conflict) as early:
        exports.run_now(stores, ADMIN, "2026-11", at("2026-11-30T21:59:59Z"))
    assert early.value.code == "period_not_ended"
    assert files_of(stores) == []
    done = exports.run_now(stores, ADMIN, "2026-11", at("2026-11-30T22:00:00Z"))
    assert done == RunResult(TENANT, "2026-11", "written", 1)
    again = exports.run_now(stores, ADMIN, "2026-11", at("2026-11-30T22:01:00Z"))
    assert again == RunResult(TENANT, "2026-11", "unchanged", 1)


class ClaimedMeanwhile(FakeExports):
    """Another run claims the same revision between this run's read and its claim."""

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
        super().begin(tenant, period, revision, "other run", changes_seen, detail, now)
        super().begin(tenant, period, revision, generated_at, changes_seen, detail, now)


def test_a_run_that_meets_another_runs_claim_is_busy_and_writes_nothing() -> None:
    stores = make_stores()
    stores = ExportStores(ClaimedMeanwhile(), stores.aggregates, stores.settings, stores.files)
    assert exports.heartbeat(stores, at(NOVEMBER_DUE)) == [
        RunResult(TENANT, "2026-11", "busy", None)
    ]
    assert files_of(stores) == []
    head = stores.exports.head(TENANT, "2026-11")
    assert head is not None
    assert head.generated_at == "other run"


# --- evaluations under an undecided dispute -----------------------------------------


def scored(day: str, score: str, agent: str = "aino") -> Contribution:
    return contribution_of(
        agent_id=agent,
        buckets=("2026-11", day),
        pay_period="2026-11",
        method="recording",
        form_id="f",
        answers={},
        score=Decimal(score),
    )


def disputes_at_export(stores: ExportStores, mode: str) -> None:
    assert isinstance(stores.settings, FakeSettings)
    settings = parse_settings({"coaching": {"disputes_at_export": mode}})
    stores.settings.saved[(TENANT, 1)] = SettingsRevision(1, at("2026-10-31T22:00:00Z"), settings)


def open_disputes_in(stores: ExportStores, prefix: str) -> list[tuple[str, int]]:
    data = stores.files.get(prefix + "payroll.jsonl")
    assert data is not None
    return [(r.agent_id, r.open_disputes) for r in parse_jsonl(data)]


def test_counted_a_disputed_evaluation_counts_and_is_flagged_and_a_flag_alone_is_no_revision() -> (
    None
):
    stores = make_stores()
    disputes_at_export(stores, "counted")
    # aino's two evaluations: 80 and 90; the 80 is disputed.
    aggregates_of(stores).open_disputes["ev-1"] = scored("2026-11-05", "80")
    exports.heartbeat(stores, at(NOVEMBER_DUE))
    assert rows_in(stores, R1) == [("aino", 2, Decimal("85.00"))]
    assert open_disputes_in(stores, R1) == [("aino", 1)]
    manifest = stores.files.get(R1 + "manifest.json")
    assert manifest is not None
    assert b'"disputes_at_export": "counted"' in manifest
    # The dispute is settled: the count moves, the figures do not.
    del aggregates_of(stores).open_disputes["ev-1"]
    aggregates_of(stores).count_change(TENANT, "2026-11")
    later = exports.heartbeat(stores, at("2026-12-05T08:00:00Z"))
    assert later == [RunResult(TENANT, "2026-11", "unchanged", 1)]


def test_held_a_disputed_evaluation_is_taken_out_until_decided() -> None:
    stores = make_stores()
    disputes_at_export(stores, "held")
    disputed = scored("2026-11-05", "80")
    aggregates_of(stores).open_disputes["ev-1"] = disputed
    # Another period's disputed evaluation counts for nothing here.
    aggregates_of(stores).open_disputes["ev-2"] = scored("2026-12-01", "10")
    exports.heartbeat(stores, at(NOVEMBER_DUE))
    assert rows_in(stores, R1) == [("aino", 1, Decimal("90.00"))]  # 170 - 80
    assert open_disputes_in(stores, R1) == [("aino", 1)]
    manifest = stores.files.get(R1 + "manifest.json")
    assert manifest is not None
    assert b'"disputes_at_export": "held"' in manifest
    # Rejected: the evaluation counts again, and payroll gets an adjustment.
    del aggregates_of(stores).open_disputes["ev-1"]
    aggregates_of(stores).count_change(TENANT, "2026-11")
    later = exports.heartbeat(stores, at("2026-12-05T08:00:00Z"))
    assert later == [RunResult(TENANT, "2026-11", "written", 2)]
    assert rows_in(stores, R2) == [("aino", 2, Decimal("85.00"))]
    assert open_disputes_in(stores, R2) == [("aino", 0)]
    assert R2 + "adjustments.csv" in files_of(stores)


def test_a_resumed_held_run_writes_what_its_data_file_says() -> None:
    stores = make_stores(DiesAtTheCsv())
    disputes_at_export(stores, "held")
    aggregates_of(stores).open_disputes["ev-1"] = scored("2026-11-05", "80")
    exports.heartbeat(stores, at(NOVEMBER_DUE))
    pinned = stores.files.get(R1 + "payroll.jsonl")
    del aggregates_of(stores).open_disputes["ev-1"]  # decided before the retry
    resumed = exports.heartbeat(stores, at("2026-12-03T22:05:00Z"))
    assert resumed == [RunResult(TENANT, "2026-11", "written", 1)]
    assert stores.files.get(R1 + "payroll.jsonl") == pinned
    assert open_disputes_in(stores, R1) == [("aino", 1)]
    csv = stores.files.get(R1 + "payroll.csv")
    assert csv is not None
    assert csv.split(b"\r\n")[1].endswith(b",1")

"""The importer's settle paths on in-memory stores: a row whose evaluation exists
unchanged, one this import wrote before it crashed, one amended, and one that meets
a concurrent amendment. The whole run goes through Importer.run, as the upload's
event drives it; the transaction limits and DynamoDB's own races stay with
tests/functional/test_imports_idempotency.py (moto).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.adapters.import_store import ImportRecord
from chalicelib.domain.batch.evaluation_ids import evaluation_id_for
from chalicelib.domain.batch.templates import template_columns
from chalicelib.domain.batch.upload_keys import key_prefix
from chalicelib.domain.evaluation import Evaluation, Source
from chalicelib.domain.forms import parse_form
from chalicelib.domain.import_report import ReportEntry
from chalicelib.services import tenant_settings
from chalicelib.services.importer import Importer
from tests.fakes.stores import FakeEvaluations, FakeForms, FakeImports, FakeSettings, FakeUploads

TENANT = "acme"
AUDITOR = "auditor-1"
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
FORM: dict[str, Any] = {
    "form_id": "palvelu",
    "name": "Palvelu",
    "sections": [
        {
            "id": "avaus",
            "title": "Avaus",
            "criteria": [
                {"id": "tervehdys", "text": "Tervehtii"},
                {"id": "kuuntelu", "text": "Kuuntelee"},
            ],
        }
    ],
}


def row(external_id: str, kuuntelu: str = "yes") -> dict[str, str]:
    return {
        "external_id": external_id,
        "form_id": "palvelu",
        "form_version": "1",
        "agent_id": "aino",
        "channel": "phone",
        "contact_id": f"call-{external_id}",
        "occurred_at": "2026-11-02 10:15",
        "tervehdys": "yes",
        "kuuntelu": kuuntelu,
    }


def csv_file(rows: Sequence[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, template_columns(parse_form(FORM)), delimiter=";", lineterminator="\r\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def eid(external_id: str) -> str:
    return evaluation_id_for(TENANT, AUDITOR, external_id)


class World:
    def __init__(self, evaluations: FakeEvaluations | None = None) -> None:
        self.imports = FakeImports()
        self.uploads = FakeUploads()
        self.evaluations = evaluations or FakeEvaluations()
        self.forms = FakeForms()
        self.forms.publish(TENANT, FORM, "2026-11-01T00:00:00Z", "ada")
        self.settings = FakeSettings()
        self.importer = Importer(
            imports=self.imports,
            uploads=self.uploads,
            evaluations=self.evaluations,
            forms=self.forms,
            time_zone_for=lambda tenant: "Europe/Helsinki",
            clock=lambda: NOW,
            roster_for=lambda tenant: tenant_settings.roster_check(self.settings, tenant),
        )

    def upload(self, import_id: str, rows: Sequence[dict[str, str]]) -> str:
        stamp = "2026-11-20T08:59:00Z"
        self.imports.create(
            ImportRecord(
                TENANT, import_id, AUDITOR, frozenset({"auditor"}), "pending", stamp, stamp, stamp
            )
        )
        key = key_prefix(TENANT, import_id) + "rivit.csv"
        self.uploads.objects[key] = csv_file(rows)
        return key

    def run(self, key: str, invocation: str = "inv-1") -> str:
        return self.importer.run(key, invocation=invocation, remaining_s=lambda: 900.0)

    def report(self, import_id: str) -> list[tuple[str, str, int | None]]:
        return [
            (e.external_id, e.outcome, e.revision) for e in self.imports.rows(TENANT, import_id)
        ]

    def revisions(self, external_id: str) -> list[int]:
        return [e.revision for e in self.evaluations.revisions(TENANT, eid(external_id))]


def test_a_new_file_creates_every_row_once() -> None:
    world = World()
    world.run(world.upload("imp-1", [row("A-1"), row("A-2")]))
    assert world.report("imp-1") == [("A-1", "created", 1), ("A-2", "created", 1)]
    assert world.imports.get(TENANT, "imp-1").status == "done"
    shown = world.evaluations.get(TENANT, eid("A-1"))
    assert shown.source == Source(import_id="imp-1", external_id="A-1")


def test_a_row_already_imported_unchanged_by_another_import_is_unchanged() -> None:
    world = World()
    world.run(world.upload("imp-1", [row("A-1")]))
    world.run(world.upload("imp-2", [row("A-1")]))
    assert world.report("imp-2") == [("A-1", "unchanged", 1)]
    assert world.revisions("A-1") == [1]
    # The evaluation still says where it came from first.
    source = world.evaluations.get(TENANT, eid("A-1")).source
    assert source is not None
    assert source.import_id == "imp-1"


def test_a_row_with_other_answers_is_amended_keeping_the_old_revision() -> None:
    world = World()
    world.run(world.upload("imp-1", [row("A-1")]))
    world.run(world.upload("imp-2", [row("A-1", kuuntelu="no")]))
    assert world.report("imp-2") == [("A-1", "amended", 2)]
    assert world.revisions("A-1") == [1, 2]
    current = world.evaluations.get(TENANT, eid("A-1"))
    assert current.answers["kuuntelu"] == "no"
    assert current.source == Source(import_id="imp-2", external_id="A-1")


class DiesAfterWriting(FakeEvaluations):
    """The first transaction is written, then the invocation dies before its checkpoint."""

    died = False

    def create_many(self, tenant: str, evaluations: Sequence[Evaluation]) -> list[int]:
        existing = super().create_many(tenant, evaluations)
        if not self.died:
            self.died = True
            raise RuntimeError("the Lambda died")
        return existing


def test_rows_this_import_wrote_before_a_crash_are_reported_as_created_by_the_retry() -> None:
    world = World(DiesAfterWriting())
    key = world.upload("imp-1", [row("A-1"), row("A-2")])
    with pytest.raises(RuntimeError, match="died"):
        world.run(key, "inv-1")
    assert world.imports.get(TENANT, "imp-1").failures == 1
    assert world.report("imp-1") == []  # nothing checkpointed
    world.run(key, "inv-2")
    assert world.report("imp-1") == [("A-1", "created", 1), ("A-2", "created", 1)]
    assert world.revisions("A-1") == [1]
    assert world.imports.get(TENANT, "imp-1").counts.created == 2


def test_a_row_this_import_amended_before_a_crash_is_reported_as_amended() -> None:
    world = World()
    world.run(world.upload("imp-1", [row("A-1")]))
    # imp-2 amended A-1 and died before its checkpoint: its revision 2 is stored.
    key = world.upload("imp-2", [row("A-1", kuuntelu="no")])
    world.evaluations = world.importer.evaluations = AmendsThenDies(world.evaluations.stored)
    with pytest.raises(RuntimeError, match="died"):
        world.run(key, "inv-1")
    world.run(key, "inv-2")
    assert world.report("imp-2") == [("A-1", "amended", 2)]
    assert world.revisions("A-1") == [1, 2]


class AmendsThenDies(FakeEvaluations):
    died = False

    def amend(self, tenant: str, evaluation: Evaluation, expected_revision: int) -> None:
        super().amend(tenant, evaluation, expected_revision)
        if not self.died:
            self.died = True
            raise RuntimeError("the Lambda died")


class AmendedMeanwhile(FakeEvaluations):
    """An admin amends the evaluation between the importer's read and its write."""

    raced = False

    def amend(self, tenant: str, evaluation: Evaluation, expected_revision: int) -> None:
        if not self.raced:
            self.raced = True
            theirs = self.get(tenant, evaluation.evaluation_id)
            theirs = replace(theirs, revision=theirs.revision + 1, summary="korjattu", source=None)
            super().amend(tenant, theirs, expected_revision)
        super().amend(tenant, evaluation, expected_revision)


def test_a_row_that_meets_a_concurrent_amendment_is_amended_after_it() -> None:
    world = World()
    world.run(world.upload("imp-1", [row("A-1")]))
    world.evaluations = world.importer.evaluations = AmendedMeanwhile(world.evaluations.stored)
    world.run(world.upload("imp-2", [row("A-1", kuuntelu="no")]))
    # The import's amendment follows the admin's revision 2 rather than replacing it.
    assert world.report("imp-2") == [("A-1", "amended", 3)]
    history = world.evaluations.revisions(TENANT, eid("A-1"))
    assert [(e.revision, e.answers["kuuntelu"]) for e in history] == [
        (1, "yes"),
        (2, "yes"),
        (3, "no"),
    ]


def test_entries_are_in_file_order_and_report_every_row() -> None:
    world = World()
    world.run(world.upload("imp-1", [row("A-2")]))
    world.run(world.upload("imp-2", [row("A-1"), row("A-2", kuuntelu="no"), row("A-3")]))
    entries: list[ReportEntry] = list(world.imports.rows(TENANT, "imp-2"))
    assert [(e.row, e.outcome) for e in entries] == [(2, "created"), (3, "amended"), (4, "created")]

"""The composition root names the tables, whatever was imported first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from chalicelib.adapters import models, tables
from chalicelib.adapters.import_models import ImportModel
from chalicelib.bootstrap import bootstrap
from chalicelib.config import settings


def test_the_tables_come_from_the_configuration_it_is_given() -> None:
    original = settings()
    try:
        config = replace(original, main_table="main-x", evaluations_table="evals-x")
        context = bootstrap(config)
        assert context.config is config
        assert models.AggregateModel.Meta.table_name == "main-x"
        assert ImportModel.Meta.table_name == "main-x"
        assert models.EvaluationModel.Meta.table_name == "evals-x"
        assert {m.Meta.table_name for m in tables.TABLE_OWNERS} == {"main-x", "evals-x"}
    finally:
        bootstrap(original)
    assert models.AggregateModel.Meta.table_name == original.main_table


def test_one_clock_for_everything_built_from_the_context() -> None:
    context = bootstrap()
    moment = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    context.clock = lambda: moment
    assert context.now() == moment
    assert context.export_stores.settings is context.settings
    assert context.roster("acme").store is context.settings

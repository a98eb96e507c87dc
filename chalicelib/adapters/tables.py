"""Creating the tables where no template does: the local stack and the tests.

In AWS the merge template declares the same tables; a test keeps the two in step.
"""

from __future__ import annotations

from pynamodb.models import Model

from chalicelib.adapters import coaching_models, import_models, models
from chalicelib.adapters.models import AggregateModel, EvaluationModel

# The model that carries each table's indexes and stream creates that table.
TABLE_OWNERS: tuple[type[Model], ...] = (AggregateModel, EvaluationModel)


def _models() -> list[type[Model]]:
    found = {
        value
        for module in (models, import_models, coaching_models)
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Model) and value is not Model
    }
    return sorted(found, key=lambda model: model.__name__)


def configure(main_table: str, evaluations_table: str, region: str) -> None:
    """Point every model at its table. PynamoDB reads Meta when a model first talks
    to DynamoDB, so the tables are named by the configuration handed to the
    composition root, not by whichever environment was set at import time."""
    for model in _models():
        is_evaluations = issubclass(model, EvaluationModel)
        model.Meta.table_name = evaluations_table if is_evaluations else main_table
        model.Meta.region = region
        # A connection made earlier would keep the old table's name.
        model._connection = None


def create_tables() -> None:
    for model in TABLE_OWNERS:
        if not model.exists():
            model.create_table(wait=True)

"""Creating the tables where no template does: the local stack and the tests.

In AWS the merge template declares the same tables; a test keeps the two in step.
"""

from __future__ import annotations

from pynamodb.models import Model

from chalicelib.adapters.models import AggregateModel, EvaluationModel

# The model that carries each table's indexes and stream creates that table.
TABLE_OWNERS: tuple[type[Model], ...] = (AggregateModel, EvaluationModel)


def create_tables() -> None:
    for model in TABLE_OWNERS:
        if not model.exists():
            model.create_table(wait=True)

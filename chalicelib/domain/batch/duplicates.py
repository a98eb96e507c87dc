"""An external_id twice in one file: the first row counts, a later one is refused."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from chalicelib.domain.batch.problems import Problem, shown
from chalicelib.domain.batch.source_rows import SourceRow


def first_rows(rows: Sequence[SourceRow]) -> dict[str, int]:
    """Where each external_id first appears (its row number): a later row with the
    same id is a duplicate within the file."""
    first: dict[str, int] = {}
    for row in rows:
        if row.external_id:
            first.setdefault(row.external_id, row.row)
    return first


def duplicate_problem(row: SourceRow, first: Mapping[str, int]) -> Problem | None:
    seen = first.get(row.external_id)
    if seen is None or seen == row.row:
        return None
    return Problem(
        "external_id",
        "duplicate_external_id",
        f"external_id '{shown(row.external_id)}' is already on row {seen}; "
        "a file has each evaluation once",
    )

"""A batch file as read, before any row is checked against its form: what both
file formats produce, and the rules they share for a cell."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from chalicelib.domain.batch.limits import MAX_ROWS
from chalicelib.domain.batch.problems import FileRejected, Problem
from chalicelib.domain.text import refused_character

Format = Literal["csv", "jsonl"]


@dataclass(frozen=True)
class SourceRow:
    """One row as read: `row` is the number a spreadsheet shows (the header is row 1)
    or the JSON Lines line number; `cells` holds the non-empty cells, trimmed.
    A cell that could not be read is left out of `cells` and has its problem in
    `problems`, under its column."""

    row: int
    cells: Mapping[str, str]
    problems: tuple[Problem, ...] = ()

    @property
    def external_id(self) -> str:
        return self.cells.get("external_id", "")


@dataclass(frozen=True)
class BatchFile:
    format: Format
    encoding: str
    delimiter: str | None
    columns: tuple[str, ...]
    rows: tuple[SourceRow, ...]


def refused_cell(column: str, value: str) -> Problem | None:
    """The project's one rule for text (chalicelib/domain/text.py), as a row problem."""
    found = refused_character(value)
    if found is None:
        return None
    return Problem(
        column,
        "invalid_character",
        f"'{column}' contains a character that is not allowed ({found})",
    )


def too_many_rows() -> FileRejected:
    return FileRejected(
        "too_many_rows",
        f"the file has more than {MAX_ROWS:,} rows; split it into files of at most "
        f"{MAX_ROWS:,} rows",
    )

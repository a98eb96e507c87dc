"""A CSV batch file as spreadsheets write it: `;`, `,` or a tab between cells,
quoted cells with line breaks, blank rows left behind."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from chalicelib.domain.batch.columns import FIXED_COLUMNS, REQUIRED_COLUMNS, column_name
from chalicelib.domain.batch.limits import MAX_FILE_BYTES, MAX_ROWS
from chalicelib.domain.batch.problems import FileRejected, Problem
from chalicelib.domain.batch.source_rows import BatchFile, SourceRow, refused_cell, too_many_rows

_DELIMITERS = (";", ",", "\t")

# A cell over the csv module's default 128 KiB would raise csv.Error and refuse the
# whole file; allowed up to the file limit, it is one row's too-long cell instead.
csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))


def read_csv(text: str, encoding: str) -> BatchFile:
    delimiter = sniff_delimiter(text)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[SourceRow] = []
    columns: tuple[str, ...] | None = None
    try:
        for number, record in enumerate(records, start=1):
            cells = [cell.strip() for cell in record]
            if not any(cells):
                continue  # blank lines and the ";;;;" rows spreadsheets leave behind
            if columns is None:
                columns = _header(cells)
                continue
            if len(rows) == MAX_ROWS:
                raise too_many_rows()
            rows.append(_csv_row(number, columns, record))
    except csv.Error as exc:
        raise FileRejected("unreadable_file", f"the file is not readable CSV: {exc}") from None
    if columns is None:
        raise FileRejected("empty_file", "the file is empty")
    if not rows:
        raise FileRejected("empty_file", "the file has a header row but no evaluation rows")
    return BatchFile("csv", encoding, delimiter, columns, tuple(rows))


def sniff_delimiter(text: str) -> str:
    """`;` or `,` (or a tab): the one that splits the header into the most known columns."""
    first = next((line for line in text.splitlines() if line.strip()), "")

    def score(delimiter: str) -> tuple[int, int]:
        fields = next(csv.reader([first], delimiter=delimiter), [])
        names = {column_name(f) for f in fields}
        return len(names & set(FIXED_COLUMNS)), len(fields)

    return max(_DELIMITERS, key=score)


def _header(cells: Sequence[str]) -> tuple[str, ...]:
    columns = tuple(column_name(cell) for cell in cells)
    seen: set[str] = set()
    for name in columns:
        if name and name in seen:
            raise FileRejected("duplicate_column", f"the column '{name}' appears twice")
        seen.add(name)
    missing = [name for name in REQUIRED_COLUMNS if name not in seen]
    if missing:
        raise FileRejected(
            "missing_columns",
            f"the header row lacks the required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; the template for the form version has them all",
        )
    return columns


def _csv_row(number: int, columns: Sequence[str], cells: Sequence[str]) -> SourceRow:
    values: dict[str, str] = {}
    problems: list[Problem] = []
    for index, raw in enumerate(cells):
        cell = raw.strip()
        if not cell:
            continue
        if index >= len(columns):
            problems.append(
                Problem(
                    None,
                    "extra_cells",
                    f"the row has {len(cells)} cells but the header has {len(columns)} columns",
                )
            )
            break
        if not columns[index]:
            problems.append(
                Problem(None, "unnamed_column", f"cell {index + 1} has a value but no column name")
            )
            continue
        # Checked before trimming: strip() would silently drop some controls (U+001C-U+001F).
        refused = refused_cell(columns[index], raw)
        if refused is not None:
            problems.append(refused)
            continue
        values[columns[index]] = cell
    return SourceRow(number, values, tuple(problems))

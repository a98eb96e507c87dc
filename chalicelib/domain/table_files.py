"""A report table as a download: the one shape every report hands to a file writer.

A `Table` holds plain values (text, whole numbers, Decimals, dates, None) and says
per column what kind of number it is, so each writer formats it once: CSV here
(pure), XLSX in `chalicelib.files.xlsx` (it needs a third-party library).

CSV comes in the dialect the reader's Excel expects: Finnish and Swedish Excel
split on `;` and read `81,25` as a number; English Excel splits on `,` and reads
`81.25`. Every dialect starts with a UTF-8 BOM, without which Excel reads the
file as the machine's legacy code page and mangles ä, ö and å. Text cells go
through `csv_cells.csv_cell`, the one formula-safety rule for every CSV Laatu
writes. Per cent columns are plain numbers (`81,25`, not `81,25 %`) so a sheet
can compute with them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, get_args

from chalicelib.domain.csv_cells import csv_cell
from chalicelib.domain.numbers import reported

Lang = Literal["fi", "sv", "en"]
Kind = Literal["text", "integer", "decimal", "percent", "date"]
Value = str | int | Decimal | date | None

LANGS: tuple[Lang, ...] = get_args(Lang)
KINDS: tuple[Kind, ...] = get_args(Kind)
BOM = "\ufeff"
# Only a plain decimal string may stand for a number, so no text slips into a
# number cell (where no formula guard applies) and no float notation either.
_PLAIN_NUMBER = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,20})?")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal_point: str


DIALECTS: Mapping[Lang, Dialect] = {
    "fi": Dialect(";", ","),
    "sv": Dialect(";", ","),
    "en": Dialect(",", "."),
}


def _titles(titles: Mapping[str, str], what: str) -> dict[Lang, str]:
    missing = [lang for lang in LANGS if not isinstance(titles.get(lang), str)]
    if missing:
        raise ValueError(f"{what} has no title in {', '.join(missing)}")
    return {lang: titles[lang] for lang in LANGS}


@dataclass(frozen=True)
class Column:
    key: str
    titles: Mapping[str, str]  # {"fi": ..., "sv": ..., "en": ...}
    kind: Kind = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key}: kind must be one of {', '.join(KINDS)}")
        object.__setattr__(self, "titles", _titles(self.titles, f"column {self.key}"))

    def title(self, lang: Lang) -> str:
        return self.titles[lang]


def _two_decimals(value: Decimal) -> Decimal:
    rounded = reported(value)
    assert rounded is not None
    # -0.004 rounds to -0.00, which a sheet would show as "-0,00".
    return abs(rounded) if rounded.is_zero() else rounded


def _typed(column: Column, value: object) -> Value:
    """The value as the column's kind holds it, or ValueError when it cannot be one."""
    if value is None:
        return None
    kind = column.kind
    if kind == "text" and isinstance(value, str):
        return value
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind in ("decimal", "percent"):
        if isinstance(value, int) and not isinstance(value, bool):
            return _two_decimals(Decimal(value))
        if isinstance(value, Decimal) and value.is_finite():
            return _two_decimals(value)
        if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):
            return _two_decimals(Decimal(value))
    if kind == "date":
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and _ISO_DAY.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
    raise ValueError(f"column {column.key} ({kind}) cannot hold {value!r}")


@dataclass(frozen=True)
class Table:
    """Rows align with `columns`; decimal and percent values are kept rounded half-up
    to two decimals, dates as `date` (an ISO `YYYY-MM-DD` string is accepted)."""

    titles: Mapping[str, str]
    columns: Sequence[Column]
    rows: Sequence[Sequence[object]]

    def __post_init__(self) -> None:
        object.__setattr__(self, "titles", _titles(self.titles, "the table"))
        columns = tuple(self.columns)
        keys = [column.key for column in columns]
        if not columns or len(set(keys)) != len(keys):
            raise ValueError("a table needs columns with distinct keys")
        rows = []
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(columns):
                raise ValueError(f"row {number} has {len(row)} cells for {len(columns)} columns")
            rows.append(tuple(_typed(c, v) for c, v in zip(columns, row, strict=True)))
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "rows", tuple(rows))

    def title(self, lang: Lang) -> str:
        return self.titles[lang]

    def header(self, lang: Lang) -> list[str]:
        return [column.title(lang) for column in self.columns]

    @property
    def typed_rows(self) -> tuple[tuple[Value, ...], ...]:
        return self.rows  # type: ignore[return-value]  # __post_init__ typed every cell


def csv_value(kind: Kind, value: Value, dialect: Dialect) -> str:
    """One cell as the dialect writes it."""
    if isinstance(value, date):
        return value.isoformat()
    cell = csv_cell(value)
    if kind in ("decimal", "percent"):
        return cell.replace(".", dialect.decimal_point)
    return cell


def render_csv(table: Table, lang: Lang) -> bytes:
    """The table as CSV in `lang`'s Excel dialect: titles in the header row, BOM, CRLF."""
    dialect = DIALECTS[lang]
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow([csv_cell(title) for title in table.header(lang)])
    kinds = [column.kind for column in table.columns]
    for row in table.typed_rows:
        writer.writerow(
            [csv_value(kind, value, dialect) for kind, value in zip(kinds, row, strict=True)]
        )
    return buffer.getvalue().encode("utf-8")

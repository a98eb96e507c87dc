"""A report table as an Excel workbook (XLSX), with XlsxWriter, in memory.

Text is always written as a string cell (`write_string`), which Excel never runs
as a formula, opens as a link or turns into a number, so no apostrophe guard is
needed here and the text stays exactly as stored (XlsxWriter writes control
characters as OOXML's `_xHHHH_` and guards a literal `_xHHHH_` as `_x005F_xHHHH_`,
so Excel shows what was written). Numbers are number cells with
a number format; per cent values (0..100) use `0.00`, not Excel's `%` format,
which would show 81.25 as 8125 %.

XlsxWriter is imported inside `render_xlsx`: the API Lambda imports this module
with every route, and only a download pays for the library.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from chalicelib.domain.table_files import Kind, Lang, Table, Value

MAX_SHEET_NAME = 31  # Excel's limit, in UTF-16 code units
FORBIDDEN_IN_SHEET_NAME = frozenset("[]:*?/\\")
FALLBACK_SHEET_NAME = "Laatu"
NUMBER_FORMATS: dict[Kind, str] = {
    "integer": "0",
    "decimal": "0.00",
    "percent": "0.00",
    "date": "yyyy-mm-dd",
}
MIN_WIDTH, MAX_WIDTH = 8, 60
# Excel refuses options that could make a string a formula, a link or a number;
# write_string does not consult them, but a later write() must not either.
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def sheet_name(title: str) -> str:
    """A sheet name Excel accepts: no []:*?/\\ or control characters, no apostrophe at
    either end, at most 31 UTF-16 units, not empty and not Excel's reserved 'History'."""
    kept = "".join(
        " " if char.isspace() else char
        for char in title
        if char not in FORBIDDEN_IN_SHEET_NAME and (char.isprintable() or char.isspace())
    )
    name = " ".join(kept.split()).strip("'")
    while _utf16_length(name) > MAX_SHEET_NAME:
        name = name[:-1]
    name = name.strip().strip("'")
    if not name:
        return FALLBACK_SHEET_NAME
    if name.casefold() == "history":
        return f"{name} 1"
    return name


def _shown(kind: Kind, value: Value) -> str:
    """Roughly what Excel shows, to size the column."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return max(value.splitlines() or [""], key=len)
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _width(title: str, kind: Kind, values: list[Value]) -> float:
    longest = max([len(title), *(len(_shown(kind, v)) for v in values)])
    return float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))


def render_xlsx(table: Table, lang: Lang) -> bytes:
    """One sheet named after the table: a bold, frozen header row of column titles
    in `lang`, then the rows; None leaves a cell empty."""
    import xlsxwriter  # type: ignore[import-untyped]  # lazily: see the module docstring

    buffer = io.BytesIO()
    workbook: Any = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    workbook.set_properties({"title": table.title(lang)})
    sheet: Any = workbook.add_worksheet(sheet_name(table.title(lang)))
    header = workbook.add_format({"bold": True})
    formats = {kind: workbook.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
    kinds = [column.kind for column in table.columns]
    titles = table.header(lang)

    for index, title in enumerate(titles):
        sheet.write_string(0, index, title, header)
    for number, row in enumerate(table.typed_rows, start=1):
        for index, (kind, value) in enumerate(zip(kinds, row, strict=True)):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(number, index, value)
            elif isinstance(value, date):
                sheet.write_datetime(number, index, datetime.combine(value, time()), formats[kind])
            else:
                # Two-decimal values well inside a double's 15 digits read back exactly.
                sheet.write_number(number, index, float(value), formats[kind])

    sheet.freeze_panes(1, 0)
    if table.typed_rows:
        sheet.autofilter(0, 0, len(table.typed_rows), len(kinds) - 1)
    for index, (title, kind) in enumerate(zip(titles, kinds, strict=True)):
        column = [row[index] for row in table.typed_rows]
        sheet.set_column(index, index, _width(title, kind, column))
    workbook.close()
    return buffer.getvalue()

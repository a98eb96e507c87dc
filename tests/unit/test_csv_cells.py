"""CSV cells no spreadsheet runs as formulas: every file Laatu writes, read back with
Python's csv module splitting on `,`, `;` and tab, whatever it was written with."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.batch.problems import Problem
from chalicelib.domain.batch.templates import template_columns, template_csv
from chalicelib.domain.csv_cells import csv_cell, safe_text_cell
from chalicelib.domain.forms import parse_form
from chalicelib.domain.import_report import ReportEntry, failure_csv, rejected, report_csv
from chalicelib.domain.pay_periods import PayPeriod
from chalicelib.domain.payroll import (
    ExportContext,
    PayrollRow,
    changed_agents,
    render_adjustments,
    render_csv,
)
from chalicelib.domain.settings import parse_settings
from tests.unit.strategies import PROPERTY

HOSTILE = [
    "a;=1+1",
    "x\t=cmd",
    "\u200b=1",
    " @SUM(A1)",
    "x,-2",
    "ok",
    '=HYPERLINK("http://x")',
    "\ufeff+1",
    "\u00a0-1",
    '"=1"',
    "a\r\n=1",
    "line\n@x",
    "\uff1d1+1",  # a full-width equals sign
    "a; ;\t @x",
    "\u2060\u200d-3;+4,@5\t=6",
    "'=already",
    "a=b, c-d; e@f",
]
READERS = (",", ";", "\t")
FORMULA = set("=+-@")
# A number as payroll reads it: the numeric columns, never a text cell.
PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def first_visible(cell: str) -> str:
    """The first character a spreadsheet would act on: blanks, invisible format
    characters and quotes skipped; full-width forms folded."""
    for char in cell:
        if char.isspace() or char == '"' or unicodedata.category(char) in ("Cc", "Cf"):
            continue
        return unicodedata.normalize("NFKC", char)
    return ""


def read(data: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data, newline=""), delimiter=delimiter))


def assert_no_formula(data: str, numbers_allowed: bool = False) -> None:
    for reader in READERS:
        for row in read(data, reader):
            for cell in row:
                if numbers_allowed and PLAIN_NUMBER.fullmatch(cell):
                    continue
                assert first_visible(cell) not in FORMULA, (reader, row, cell)


def written(rows: list[list[str]], delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


# The rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize("writer", READERS)
@pytest.mark.parametrize("text", HOSTILE)
def test_no_reader_finds_a_formula_in_a_hostile_cell(text: str, writer: str) -> None:
    data = written(
        [["id", "name"], [csv_cell(text), csv_cell(text)], ["ok", csv_cell(text)]], writer
    )
    assert_no_formula(data)
    # The file's own dialect gives the cell back: the text, apostrophes aside.
    for row in read(data, writer)[1:]:
        assert row[1] == safe_text_cell(text)
        assert row[1].replace("'", "") == text.replace("'", "")


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("a;=1+1", "a;'=1+1"),
        ("x\t=cmd", "x\t'=cmd"),
        ("\u200b=1", "'\u200b=1"),
        (" @SUM(A1)", "' @SUM(A1)"),
        ("x,-2", "x,'-2"),
        ("ok", "ok"),
        ("-5", "'-5"),
        ("a=b", "a=b"),
        ("'=1", "'=1"),
        ("", ""),
    ],
)
def test_an_apostrophe_goes_before_each_piece_that_would_run(text: str, cell: str) -> None:
    assert safe_text_cell(text) == cell


def test_numbers_are_plain_and_none_is_empty() -> None:
    assert csv_cell(Decimal("-50.00")) == "-50.00"
    assert csv_cell(Decimal("87.50")) == "87.50"
    assert csv_cell(-3) == "-3"
    assert csv_cell(None) == ""
    # A number written as text is text: a payroll id "-5" is not a number to compute with.
    assert csv_cell("-5") == "'-5"


HOSTILE_ALPHABET = st.sampled_from(
    [*"=+-@;,\t\r\n \"'a1", "\u200b", "\u00a0", "\ufeff", "\u2060", "\uff0b", "\u3000"]
)


@PROPERTY
@given(st.text(HOSTILE_ALPHABET, max_size=20), st.sampled_from(READERS))
def test_any_text_is_safe_in_every_dialect_and_recoverable(text: str, writer: str) -> None:
    cell = safe_text_cell(text)
    assert cell.replace("'", "") == text.replace("'", "")
    assert safe_text_cell(cell) == cell  # once safe, always safe: no apostrophes pile up
    data = written([["x", cell, "y"]], writer)
    assert_no_formula(data)
    assert read(data, writer) == [["x", cell, "y"]]


# The files ---------------------------------------------------------------------------------

SETTINGS = parse_settings({})
NOVEMBER = PayPeriod("2026-11", date(2026, 11, 1), date(2026, 11, 30), SETTINGS)
CONTEXT = ExportContext("acme", NOVEMBER, 2, "2026-12-03T22:00:05Z")


@pytest.mark.parametrize("text", HOSTILE)
def test_payroll_files_keep_numbers_plain_and_text_safe(text: str) -> None:
    before = PayrollRow(text, text, 3, 2, Decimal("87.50"), text, Decimal("200.00"))
    after = PayrollRow(text, text, 4, 3, Decimal("70.00"), "", Decimal("0.00"))
    data = render_csv(CONTEXT, [before]).decode("utf-8")
    assert_no_formula(data, numbers_allowed=True)
    header, row = read(data, ",")
    fields = dict(zip(header, row, strict=True))
    assert fields["payroll_id"].replace("'", "") == text.replace("'", "")
    assert [fields[c] for c in ("evaluations", "scored_evaluations", "average_score")] == [
        "3",
        "2",
        "87.50",
    ]
    assert fields["incentive_amount"] == "200.00"

    adjustments = render_adjustments(CONTEXT, changed_agents([before], [after])).decode()
    assert_no_formula(adjustments, numbers_allowed=True)
    header, row = read(adjustments, ",")
    fields = dict(zip(header, row, strict=True))
    assert fields["amount_difference"] == "-200.00"  # a number, so no apostrophe
    assert fields["tier_before"].replace("'", "") == text.replace("'", "")


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("text", HOSTILE)
def test_import_reports_are_safe_in_both_dialects(text: str, delimiter: str) -> None:
    entries = [
        ReportEntry(2, "A-1", "created", "ev-1", 1),
        rejected(3, text, [Problem("agent_id", "invalid", f"'{text}' is not an agent id")]),
        ReportEntry(4, text, "amended", "ev-3", 2, warnings=(Problem(None, "w", text),)),
    ]
    data = report_csv(entries, delimiter).decode("utf-8").removeprefix("\ufeff")
    assert_no_formula(data, numbers_allowed=True)
    rows = read(data, delimiter)
    assert [row[1].replace("'", "") for row in rows[1:]] == ["A-1", *[text.replace("'", "")] * 2]
    assert [row[2] for row in rows[1:]] == ["created", "rejected", "amended"]
    refused = failure_csv("unreadable_file", text, delimiter).decode().removeprefix("\ufeff")
    assert_no_formula(refused)


def test_a_report_with_a_lone_surrogate_is_still_written() -> None:
    data = report_csv([rejected(2, "A", [Problem(None, "invalid", "bad \ud800 here")])], ";")
    assert "bad \\ud800 here" in data.decode("utf-8")


def test_the_template_header_is_the_columns_exactly() -> None:
    form = parse_form(
        {
            "form_id": "palvelu",
            "name": "=Palvelu",
            "sections": [{"id": "s", "title": "-Avaus", "criteria": [{"id": "a-1", "text": "@x"}]}],
        }
    )
    for delimiter in (";", ","):
        text = template_csv(form, delimiter).removeprefix("\ufeff")
        assert read(text, delimiter) == [template_columns(form)]
        assert_no_formula(text)

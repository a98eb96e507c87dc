"""Reading a batch file: encodings, delimiters, quoted newlines, JSON Lines, and the
whole-file refusals that come before any row is looked at."""

from __future__ import annotations

import codecs
import json

import pytest

from chalicelib.domain.batch.columns import REQUIRED_COLUMNS
from chalicelib.domain.batch.csv_reading import sniff_delimiter
from chalicelib.domain.batch.encoding import decode
from chalicelib.domain.batch.limits import MAX_FILE_BYTES, MAX_ROWS
from chalicelib.domain.batch.problems import FileRejected
from chalicelib.domain.batch.reading import read_file

HEADER = [*REQUIRED_COLUMNS, "summary", "tervehdys"]


def csv_text(rows: list[list[str]], delimiter: str = ";", header: list[str] | None = None) -> str:
    lines = [delimiter.join(header or HEADER)] + [delimiter.join(r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


def a_row(external_id: str = "A-1", summary: str = "", answer: str = "kyllä") -> list[str]:
    return [
        external_id,
        "palvelu",
        "1",
        "aino",
        "phone",
        "c-1",
        "2.11.2026 10.15",
        summary,
        answer,
    ]


def refused(data: bytes, name: str = "batch.csv") -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        read_file(data, name)
    return caught.value


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("windows-1252", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
    ],
)
def test_utf8_with_or_without_bom_windows_1252_and_utf16_read_alike(
    encoding: str, prefix: bytes
) -> None:
    data = prefix + csv_text([a_row(summary="Hyvä, selkeä ö")]).encode(encoding)
    batch = read_file(data, "batch.csv")
    (row,) = batch.rows
    assert row.cells["tervehdys"] == "kyllä"
    assert row.cells["summary"] == "Hyvä, selkeä ö"
    assert row.cells["external_id"] == "A-1"  # no BOM left on the first column


def test_windows_1252_is_named_as_the_encoding_read() -> None:
    assert decode("ä".encode("windows-1252")) == ("ä", "windows-1252")
    assert decode("ä".encode()) == ("ä", "utf-8")
    assert decode(codecs.BOM_UTF8 + b"x") == ("x", "utf-8-sig")


def test_bytes_neither_utf8_nor_windows_1252_refuse_the_file() -> None:
    # 0x81 is undefined in Windows-1252 and not valid UTF-8 on its own.
    assert refused(b"external_id;form_id\r\n\x81\x81;x\r\n").code == "unreadable_encoding"


@pytest.mark.parametrize("delimiter", [";", ","])
def test_the_delimiter_is_sniffed_from_the_header(delimiter: str) -> None:
    batch = read_file(csv_text([a_row()], delimiter).encode(), "batch.csv")
    assert batch.delimiter == delimiter
    assert batch.rows[0].cells["form_id"] == "palvelu"


def test_a_comma_inside_a_semicolon_file_does_not_fool_the_sniffer() -> None:
    header = ";".join(HEADER) + ';"notes, with commas, many, of, them"'
    assert sniff_delimiter(header + "\r\n") == ";"


def test_quoted_fields_keep_newlines_and_rows_keep_spreadsheet_numbers() -> None:
    text = csv_text([a_row("A-1", summary='"first line\nsecond; line"'), a_row("A-2")])
    batch = read_file(text.encode(), "batch.csv")
    first, second = batch.rows
    assert first.cells["summary"] == "first line\nsecond; line"
    # The header is row 1; a record spanning two lines is still one row.
    assert (first.row, second.row) == (2, 3)


def test_blank_lines_and_empty_spreadsheet_rows_are_skipped_but_counted() -> None:
    text = csv_text([a_row("A-1"), [""] * len(HEADER), a_row("A-2")]) + "\r\n;;;;\r\n"
    batch = read_file(text.encode(), "batch.csv")
    assert [r.external_id for r in batch.rows] == ["A-1", "A-2"]
    assert [r.row for r in batch.rows] == [2, 4]


def test_header_names_are_trimmed_and_case_insensitive() -> None:
    header = [f"  {name.upper()} " for name in HEADER]
    batch = read_file(csv_text([a_row()], header=header).encode(), "batch.csv")
    assert batch.columns == tuple(HEADER)


def test_cells_are_trimmed_and_empty_cells_left_out() -> None:
    row = a_row(summary="   ")
    row[3] = "  aino "
    (source,) = read_file(csv_text([row]).encode(), "batch.csv").rows
    assert source.cells["agent_id"] == "aino"
    assert "summary" not in source.cells


def test_extra_cells_and_values_under_nameless_columns_are_row_problems() -> None:
    text = csv_text([[*a_row("A-1"), "surprise"]])
    (row,) = read_file(text.encode(), "batch.csv").rows
    assert [p.code for p in row.problems] == ["extra_cells"]
    header = [*HEADER, ""]
    text = csv_text([[*a_row("A-2"), "x"]], header=header)
    (row,) = read_file(text.encode(), "batch.csv").rows
    assert [p.code for p in row.problems] == ["unnamed_column"]


@pytest.mark.parametrize("data", [b"", b"   \r\n", codecs.BOM_UTF8])
def test_an_empty_file_is_refused(data: bytes) -> None:
    assert refused(data).code == "empty_file"


def test_a_header_without_rows_is_refused() -> None:
    error = refused(csv_text([]).encode())
    assert (error.code, error.message) == (
        "empty_file",
        "the file has a header row but no evaluation rows",
    )


def test_missing_required_columns_are_all_named() -> None:
    header = [c for c in HEADER if c not in ("agent_id", "occurred_at")]
    error = refused(csv_text([], header=header).encode())
    assert error.code == "missing_columns"
    assert "agent_id, occurred_at" in error.message


def test_a_column_twice_is_refused() -> None:
    error = refused(csv_text([], header=[*HEADER, "tervehdys"]).encode())
    assert (error.code, "tervehdys" in error.message) == ("duplicate_column", True)


def test_over_20_mb_is_refused_before_decoding() -> None:
    error = refused(b"x" * (MAX_FILE_BYTES + 1))
    assert error.code == "file_too_large"
    assert "20 MB" in error.message


def test_50000_rows_pass_and_50001_are_refused() -> None:
    line = ";".join(["x"] * len(REQUIRED_COLUMNS))
    head = ";".join(REQUIRED_COLUMNS)
    at_limit = (head + "\n" + (line + "\n") * MAX_ROWS).encode()
    assert len(read_file(at_limit, "big.csv").rows) == MAX_ROWS
    error = refused((head + "\n" + (line + "\n") * (MAX_ROWS + 1)).encode(), "big.csv")
    assert error.code == "too_many_rows"
    assert "50,000" in error.message


def test_json_lines_are_read_by_name_or_content() -> None:
    lines = [
        {"external_id": "J-1", "form_version": 1, "duration_s": 310, "summary": None},
        {"External_ID": " J-2 ", "tervehdys": "Ja"},
    ]
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n\n"
    for name in ("batch.jsonl", "batch.ndjson", "batch"):
        batch = read_file(text.encode(), name)
        assert batch.format == "jsonl"
        first, second = batch.rows
        assert first.cells == {"external_id": "J-1", "form_version": "1", "duration_s": "310"}
        assert second.cells == {"external_id": "J-2", "tervehdys": "Ja"}
        assert (first.row, second.row) == (1, 2)


def test_a_bad_json_line_is_a_problem_of_that_row_only() -> None:
    text = '{"external_id": "J-1"}\n{not json\n[1, 2]\n{"external_id": true}\n'
    rows = read_file(text.encode(), "batch.jsonl").rows
    assert [[p.code for p in r.problems] for r in rows] == [
        [],
        ["malformed_json"],
        ["malformed_json"],
        ["invalid"],
    ]
    assert rows[3].problems[0].column == "external_id"


def test_json_lines_over_50000_rows_are_refused() -> None:
    text = '{"external_id": "x"}\n' * (MAX_ROWS + 1)
    assert refused(text.encode(), "batch.jsonl").code == "too_many_rows"

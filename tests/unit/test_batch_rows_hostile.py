"""One hostile cell in an import file is one rejected row, named by its column; the
other rows of the file still become evaluations. Files are real CSV (written with
Python's csv module, `;` and `,`) and JSON Lines, read and parsed as the importer does."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import schemas
from chalicelib.domain.batch.local_times import contact_time
from chalicelib.domain.batch.reading import read_file
from chalicelib.domain.batch.rows import ParsedRow, parse_row
from chalicelib.domain.evaluations import build_evaluation
from chalicelib.domain.forms import Form, parse_form
from chalicelib.domain.periods import month_of, parse_instant, to_utc_iso
from tests.unit.strategies import PROPERTY

HELSINKI = "Europe/Helsinki"
FORM = parse_form(
    {
        "form_id": "palvelu",
        "name": "Palvelu",
        "sections": [
            {
                "id": "avaus",
                "title": "Avaus",
                "criteria": [
                    {"id": "tervehdys", "text": "Tervehtii"},
                    {"id": "kuuntelu", "text": "Kuuntelee"},
                ],
            }
        ],
    }
)
COLUMNS = [
    "external_id",
    "form_id",
    "form_version",
    "agent_id",
    "channel",
    "contact_id",
    "occurred_at",
    "duration_s",
    "summary",
    "tervehdys",
    "kuuntelu",
    "comment:kuuntelu",
]


def forms(form_id: str, version: int) -> Form | None:
    return FORM if (form_id, version) == ("palvelu", 1) else None


def good_row(index: int) -> dict[str, str]:
    return {
        "external_id": f"G-{index}",
        "form_id": "palvelu",
        "form_version": "1",
        "agent_id": "aino",
        "channel": "phone",
        "contact_id": f"call-{index}",
        "occurred_at": "2026-11-02T10:15:00+02:00",
        "duration_s": "310",
        "summary": "Hyvä; puhelu, kiitos",
        "tervehdys": "kyllä",
        "kuuntelu": "ei",
        "comment:kuuntelu": "Keskeytti kerran",
    }


@dataclass(frozen=True)
class Hostile:
    """One bad value: `text` as a CSV cell and a JSON string; `json` as raw JSON when it
    can only be written in JSON (or is written differently there)."""

    name: str
    column: str
    text: str | None
    json: str | None = None
    duplicate: bool = False  # the JSON object gives `column` twice


DEEP = "[" * 100_000 + "]" * 100_000
HOSTILE = [
    Hostile("digits over int()'s limit", "form_version", "9" * 5000, "9" * 5000),
    Hostile("digits over the limit as a string", "duration_s", "1" * 4301),
    Hostile("a superscript digit", "form_version", "²"),
    Hostile("Arabic-Indic digits", "form_version", "١٢"),
    Hostile("full-width digits", "duration_s", "３１０"),
    Hostile("year 9999 behind UTC", "occurred_at", "9999-12-31T23:59:59-14:00"),
    Hostile("year 1 ahead of UTC", "occurred_at", "0001-01-01T00:00:00+14:00"),
    Hostile("year 9999 local", "occurred_at", "31.12.9999 23.59"),
    Hostile("year 1 local", "occurred_at", "0001-01-01 00:00"),
    Hostile("hour 24 at the end of year 9999", "occurred_at", "9999-12-31T24:00:00+00:00"),
    Hostile("Unicode digits in a local time", "occurred_at", "٢٠٢٦-١١-٠٢ ١٠:١٥"),
    Hostile("Unicode digits in an offset", "occurred_at", "2026-11-02T10:15:00+٠٢:٠٠"),
    Hostile("a BOM before an external id", "external_id", "\ufeffG-x"),
    Hostile("NUL in a contact id", "contact_id", "call\x00-1"),
    Hostile("a bell in a summary", "summary", "hello\x07"),
    Hostile("an escape sequence in a comment", "comment:kuuntelu", "\x1b[31mred"),
    Hostile("a C1 control in an answer", "tervehdys", "kyllä\x85"),
    Hostile("a unit separator that strip() would drop", "agent_id", "aino\x1f"),
    Hostile("a right-to-left override", "contact_id", "call\u202e1-"),
    Hostile("a cell over 128 KiB", "summary", "x" * 200_000),
    Hostile("a lone surrogate", "external_id", None, json.dumps("G-\ud800")),
    Hostile("a lone low surrogate in an answer", "tervehdys", None, json.dumps("\udc00")),
    Hostile("a raw NUL inside a JSON string", "summary", None, '"a\x00b"'),
    Hostile("nesting that recurses", "summary", None, DEEP),
    Hostile(
        "an object nesting that recurses", "summary", None, '{"a":' * 50_000 + "1" + "}" * 50_000
    ),
    Hostile("NaN", "form_version", None, "NaN"),
    Hostile("Infinity", "duration_s", None, "Infinity"),
    Hostile("minus Infinity", "duration_s", None, "-Infinity"),
    Hostile("a float over the range", "form_version", None, "1e999"),
    Hostile("a fraction", "form_version", None, "1.0"),
    Hostile("a duplicate key", "agent_id", None, '"eero"', duplicate=True),
    Hostile("a duplicate key in other letter case", "kuuntelu", None, '"kyllä"', duplicate=True),
]
JSON_ONLY = [h for h in HOSTILE if h.text is None]


def csv_file(rows: list[dict[str, str]], delimiter: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def json_line(row: dict[str, str], hostile: Hostile | None) -> str:
    members = [json.dumps(k) + ":" + json.dumps(v, ensure_ascii=False) for k, v in row.items()]
    if hostile is not None:
        fragment = hostile.json if hostile.json is not None else json.dumps(hostile.text)
        if hostile.duplicate:
            key = hostile.column.upper() if "case" in hostile.name else hostile.column
            members.append(json.dumps(key) + ":" + fragment)
        else:
            members = [m for m in members if not m.startswith(json.dumps(hostile.column) + ":")]
            members.append(json.dumps(hostile.column) + ":" + fragment)
    return "{" + ",".join(members) + "}"


def parsed(data: bytes, name: str) -> list[ParsedRow]:
    batch = read_file(data, name)
    return [parse_row(row, time_zone=HELSINKI, form_for=forms) for row in batch.rows]


def check(rows: list[ParsedRow], count: int, position: int, column: str, first_row: int) -> None:
    assert len(rows) == count + 1
    bad = rows[position]
    assert bad.row == first_row + position
    assert bad.body is None
    assert bad.problems, "a rejected row says why"
    assert {p.column for p in bad.problems} == {column}, bad.problems
    for row in rows[:position] + rows[position + 1 :]:
        assert row.problems == (), row.problems
        assert row.body is not None
        schemas.validate("evaluation", row.body)
    assert [r.external_id for r in rows if r.body] == [
        f"G-{i}" for i in range(count + 1) if i != position
    ]


placement = st.integers(min_value=1, max_value=6).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(min_value=0, max_value=n))
)
CSV_HOSTILE = [h for h in HOSTILE if h.text is not None]


@PROPERTY
@given(
    placement,
    st.sampled_from(CSV_HOSTILE),
    st.sampled_from([";", ","]),
)
def test_one_hostile_csv_cell_is_one_rejected_row(
    where: tuple[int, int], hostile: Hostile, delimiter: str
) -> None:
    count, position = where
    rows = [good_row(i) for i in range(count + 1)]
    assert hostile.text is not None
    rows[position] = {**rows[position], hostile.column: hostile.text}
    check(parsed(csv_file(rows, delimiter), "batch.csv"), count, position, hostile.column, 2)


@PROPERTY
@given(placement, st.sampled_from(HOSTILE))
def test_one_hostile_json_value_is_one_rejected_row(
    where: tuple[int, int], hostile: Hostile
) -> None:
    count, position = where
    lines = [json_line(good_row(i), hostile if i == position else None) for i in range(count + 1)]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    check(parsed(data, "batch.jsonl"), count, position, hostile.column, 1)


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_every_hostile_value_in_every_format(hostile: Hostile) -> None:
    """The table in full, each value at the middle of three rows, so no value is left
    to the random draw."""
    formats: list[tuple[bytes, str, int]] = []
    if hostile.text is not None:
        rows = [good_row(0), {**good_row(1), hostile.column: hostile.text}, good_row(2)]
        formats += [(csv_file(rows, d), "batch.csv", 2) for d in (";", ",")]
    lines = [json_line(good_row(i), hostile if i == 1 else None) for i in range(3)]
    formats.append(("\n".join(lines).encode("utf-8"), "batch.jsonl", 1))
    for data, name, first in formats:
        check(parsed(data, name), 2, 1, hostile.column, first)


def test_a_hostile_key_is_named_spelled_out() -> None:
    line = json_line(good_row(0), None)[:-1] + ',"x\\u0000y":"1"}'
    (row,) = parsed(line.encode(), "batch.jsonl")
    assert [(p.column, p.code) for p in row.problems] == [("x\\u0000y", "invalid_character")]


def test_a_line_separator_inside_a_json_string_does_not_split_the_row() -> None:
    rows = [good_row(0), {**good_row(1), "summary": "eka\u2028toka\u0085kolmas"}]
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\r\n"
    first, second = parsed(text.encode(), "batch.jsonl")
    assert first.body is not None
    # U+0085 is a C1 control, which the text rule refuses; U+2028 alone would pass.
    assert [(p.column, p.code) for p in second.problems] == [("summary", "invalid_character")]
    ok = {**good_row(1), "summary": "eka\u2028toka"}
    (alone,) = parsed(json.dumps(ok, ensure_ascii=False).encode(), "batch.jsonl")
    assert alone.body is not None
    assert alone.body["summary"] == "eka\u2028toka"


def test_a_json_number_is_read_as_its_digits() -> None:
    row = json_line(good_row(0), None).replace('"form_version":"1"', '"form_version":1')
    (ok,) = parsed(row.encode(), "batch.jsonl")
    assert ok.body is not None
    assert ok.body["form_version"] == 1


# Dates at the edges: what the import accepts, the rest of the path can convert ----------

OFFSETS = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda m: timezone(timedelta(minutes=m))
)
ZONES = ("Pacific/Kiritimati", "Etc/GMT+12", "Europe/Helsinki", "America/Adak", "UTC")


def edge_datetimes() -> st.SearchStrategy[datetime]:
    near_start = st.datetimes(max_value=datetime(1, 1, 5))  # noqa: DTZ001
    near_end = st.datetimes(min_value=datetime(9999, 12, 27))  # noqa: DTZ001
    anywhere = st.datetimes()
    return st.one_of(near_start, near_end, anywhere)


def accepted_or_refused(text: str) -> str | None:
    try:
        moment, _warning = contact_time(text, HELSINKI)
    except ValueError:
        return None
    return moment


@PROPERTY
@given(edge_datetimes(), OFFSETS)
def test_an_accepted_contact_time_converts_everywhere_later(
    local: datetime, offset: timezone
) -> None:
    for text in (
        local.replace(tzinfo=offset).isoformat(),
        f"{local.year:04}-{local.month:02}-{local.day:02} {local.hour:02}:{local.minute:02}",
    ):
        moment = accepted_or_refused(text)
        if moment is None:
            continue
        # The evaluation path: parse, store UTC, place in the tenant's month (any zone).
        instant = parse_instant(moment, "contact.occurred_at")
        assert to_utc_iso(instant).endswith("Z")
        for zone in ZONES:
            there = instant.astimezone(ZoneInfo(zone))
            # The same instant, shown in the zone. Compared in UTC: PEP 495 makes a
            # wall time in a repeated hour (the night DST ends) unequal to any time
            # in another zone, even the very instant it came from.
            assert there.astimezone(UTC) == instant.astimezone(UTC)
            # No overflow. (The label of a year before 1000 is not zero-padded: strftime.)
            assert month_of(instant, zone).endswith(f"-{there.month:02}")


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
        "0001-01-01 00:00",
        "31.12.9999 23.59",
    ],
)
def test_the_ends_of_the_calendar_are_refused_with_their_own_code(text: str) -> None:
    row = {**good_row(0), "occurred_at": text}
    (bad,) = parsed(csv_file([row], ";"), "batch.csv")
    assert [(p.column, p.code) for p in bad.problems] == [("occurred_at", "out_of_range")]


def test_a_time_a_day_inside_the_calendar_is_kept_and_scores() -> None:
    row = {**good_row(0), "occurred_at": "9999-12-30T00:00:00+00:00"}
    (ok,) = parsed(csv_file([row], ";"), "batch.csv")
    assert ok.body is not None
    document = build_evaluation(
        body=ok.body,
        form=FORM,
        evaluation_id="e",
        revision=1,
        actor="a",
        now="2026-11-02T10:00:00Z",
    ).to_dict()
    assert document["contact"]["occurred_at_utc"] == "9999-12-30T00:00:00Z"
    assert (
        datetime.fromisoformat(document["contact"]["occurred_at_utc"]).astimezone(UTC).year == 9999
    )


@pytest.mark.parametrize("byte", [b"\xe4", b"\x81", b"\xc3"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_byte_that_is_not_utf8_is_one_rejected_row(byte: bytes, bom: bytes) -> None:
    rows = [good_row(0), {**good_row(1), "contact_id": "call-STRAY"}, good_row(2)]
    data = bom + csv_file(rows, ";").replace(b"STRAY", byte)
    batch = read_file(data, "batch.csv")
    assert batch.encoding == ("utf-8-sig" if bom else "utf-8")
    check(parsed(data, "batch.csv"), 2, 1, "contact_id", 2)
    # The other rows keep their letters: the file was not read as Windows-1252.
    assert batch.rows[0].cells["tervehdys"] == "kyllä"


def test_a_windows_1252_file_is_still_read_as_windows_1252() -> None:
    data = csv_file([good_row(0), good_row(1)], ";").decode().encode("windows-1252")
    batch = read_file(data, "batch.csv")
    assert batch.encoding == "windows-1252"
    assert [r.cells["tervehdys"] for r in batch.rows] == ["kyllä", "kyllä"]

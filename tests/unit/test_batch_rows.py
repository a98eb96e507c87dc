"""One batch row into an evaluation body: answers in three languages, local times in
the tenant's zone, and every problem of a row reported with its column."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from chalicelib import schemas
from chalicelib.domain.batch import limits
from chalicelib.domain.batch.answers import ANSWER_WORDS, answer_value
from chalicelib.domain.batch.columns import FIXED_COLUMNS, REQUIRED_COLUMNS
from chalicelib.domain.batch.duplicates import duplicate_problem, first_rows
from chalicelib.domain.batch.evaluation_ids import evaluation_id_for
from chalicelib.domain.batch.local_times import contact_time
from chalicelib.domain.batch.problems import Problem
from chalicelib.domain.batch.reading import read_file
from chalicelib.domain.batch.row_schema import answer_pattern, row_schema
from chalicelib.domain.batch.rows import AGENT_ID, SLUG, ParsedRow, parse_row
from chalicelib.domain.batch.source_rows import SourceRow
from chalicelib.domain.batch.templates import template_columns, template_csv
from chalicelib.domain.batch.upload_keys import parse_key
from chalicelib.domain.forms import Form, parse_form
from chalicelib.domain.import_report import (
    ReportEntry,
    failure_csv,
    rejected,
    report_csv,
)
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
                    {"id": "kuuntelu", "text": "Kuuntelee", "na_allowed": False},
                    # Named like a fixed column: answered as answer:summary.
                    {"id": "summary", "text": "Tekee yhteenvedon"},
                ],
            }
        ],
    }
)


def forms(form_id: str, version: int) -> Form | None:
    return FORM if (form_id, version) == ("palvelu", 1) else None


def cells(**overrides: str | None) -> dict[str, str]:
    base: dict[str, str | None] = {
        "external_id": "A-1",
        "form_id": "palvelu",
        "form_version": "1",
        "agent_id": "aino",
        "channel": "phone",
        "contact_id": "call-1",
        "occurred_at": "2026-11-02T10:15:00+02:00",
        "tervehdys": "yes",
        "kuuntelu": "no",
        "answer:summary": "na",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def parse(**overrides: str | None) -> ParsedRow:
    return parse_row(SourceRow(2, cells(**overrides)), time_zone=HELSINKI, form_for=forms)


def problems(**overrides: str | None) -> list[tuple[str | None, str]]:
    parsed = parse(**overrides)
    assert parsed.body is None
    return [(p.column, p.code) for p in parsed.problems]


def test_a_valid_row_becomes_an_external_evaluation_the_schema_accepts() -> None:
    parsed = parse(
        duration_s="310",
        recording_url="https://rec.example/1",
        summary="Hyvä puhelu",
        **{"comment:kuuntelu": "Keskeytti kerran"},
    )
    assert parsed.problems == ()
    assert parsed.body == {
        "form_id": "palvelu",
        "form_version": 1,
        "agent_id": "aino",
        "contact": {
            "channel": "phone",
            "id": "call-1",
            "occurred_at": "2026-11-02T10:15:00+02:00",
            "duration_s": 310,
            "recording_url": "https://rec.example/1",
        },
        "method": "external",
        "answers": {"tervehdys": "yes", "kuuntelu": "no", "summary": "na"},
        "comments": {"kuuntelu": "Keskeytti kerran"},
        "summary": "Hyvä puhelu",
    }
    schemas.validate("evaluation", parsed.body)


@pytest.mark.parametrize(
    ("word", "answer"),
    [
        ("YES", "yes"),
        ("No", "no"),
        ("N/A", "na"),
        ("KYLLÄ", "yes"),
        (unicodedata.normalize("NFD", "kyllä"), None),  # read_file makes it NFC first
        ("Ei", "no"),
        ("ohita", "na"),
        ("Ja", "yes"),
        ("NEJ", "no"),
        ("Hoppa  Över", "na"),
        (" hoppa över ", "na"),
        ("maybe", None),
        ("y", None),
    ],
)
def test_answers_in_english_finnish_and_swedish_any_case(word: str, answer: str | None) -> None:
    assert answer_value(word) == answer


def test_a_decomposed_umlaut_from_a_mac_still_reads_as_kylla() -> None:
    header = ";".join([*FIXED_COLUMNS, "tervehdys"])
    line = ";".join(["A", "f", "1", "a", "phone", "c", "2026-11-02 10:00", "", "", "", "kyllä"])
    data = (header + "\n" + unicodedata.normalize("NFD", line) + "\n").encode()
    (row,) = read_file(data, "mac.csv").rows
    assert answer_value(row.cells["tervehdys"]) == "yes"


def test_every_problem_of_a_row_is_reported_with_its_column() -> None:
    found = problems(
        external_id=None,
        agent_id="aino smith",
        channel="fax",
        occurred_at="2026-03-29 03:30",
        duration_s="-5",
        recording_url="ftp://x",
        tervehdys="maybe",
        kuuntelu="ohita",
        **{"answer:summary": None, "notes": "x"},
    )
    assert found == [
        ("external_id", "required"),
        ("agent_id", "invalid"),
        ("channel", "invalid"),
        ("occurred_at", "nonexistent_local_time"),
        ("duration_s", "invalid"),
        ("recording_url", "invalid"),
        ("tervehdys", "invalid_answer"),
        ("kuuntelu", "na_not_allowed"),
        ("answer:summary", "missing_answer"),
        ("notes", "unknown_criterion"),
    ]


def test_an_unknown_form_version_is_a_problem_of_the_form_version_column() -> None:
    assert problems(form_version="2") == [("form_version", "unknown_form_version")]
    assert problems(form_version="x") == [("form_version", "invalid")]


def test_an_agent_outside_the_tenant_is_refused_through_the_hook() -> None:
    parsed = parse_row(
        SourceRow(2, cells()),
        time_zone=HELSINKI,
        form_for=forms,
        agent_known=lambda agent_id: agent_id != "aino",
    )
    assert [(p.column, p.code) for p in parsed.problems] == [("agent_id", "unknown_agent")]


def test_the_channel_is_read_in_any_case() -> None:
    body = parse(channel="Email").body
    assert body is not None
    assert body["contact"]["channel"] == "email"


def test_a_criterion_named_like_a_fixed_column_is_answered_with_the_prefix() -> None:
    parsed = parse(summary="Yhteenveto puhelusta")
    assert parsed.body is not None
    assert parsed.body["summary"] == "Yhteenveto puhelusta"
    assert parsed.body["answers"]["summary"] == "na"
    assert parsed.column_of("answers.summary") == "answer:summary"


def test_an_answer_in_both_spellings_is_refused() -> None:
    assert problems(**{"answer:tervehdys": "no"}) == [("answer:tervehdys", "duplicate_answer")]


def test_comments_for_unknown_criteria_are_refused() -> None:
    assert problems(**{"comment:ratkaisu": "hm"}) == [("comment:ratkaisu", "unknown_criterion")]


def test_columns_of_other_forms_are_fine_when_empty() -> None:
    # A file mixing forms: this row leaves another form's column empty, so it is absent.
    assert parse().problems == ()


def test_field_paths_map_back_to_columns() -> None:
    parsed = parse()
    assert parsed.column_of("contact.occurred_at") == "occurred_at"
    assert parsed.column_of("contact.id") == "contact_id"
    assert parsed.column_of("contact.channel") == "channel"
    assert parsed.column_of("comments.kuuntelu") == "comment:kuuntelu"
    assert parsed.column_of("answers.tervehdys") == "tervehdys"
    assert parsed.column_of("agent_id") == "agent_id"
    assert parsed.column_of(None) is None


def test_limits_of_the_text_columns() -> None:
    assert problems(external_id="x" * 201) == [("external_id", "too_long")]
    assert problems(contact_id="a\x00b") == [("contact_id", "invalid")]
    assert problems(summary="y" * 5001) == [("summary", "too_long")]
    assert problems(**{"comment:tervehdys": "z" * 2001}) == [("comment:tervehdys", "too_long")]
    assert problems(duration_s="86401") == [("duration_s", "invalid")]


# Times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-02T10:15:00+02:00", "2026-11-02T10:15:00+02:00"),
        ("2026-11-02T08:15:00Z", "2026-11-02T08:15:00+00:00"),
        ("2026-11-02 10:15", "2026-11-02T10:15:00+02:00"),
        ("2026-07-02T10:15:30", "2026-07-02T10:15:30+03:00"),
        ("2.11.2026 10.15", "2026-11-02T10:15:00+02:00"),
        ("02.11.2026 klo 10:15:07", "2026-11-02T10:15:07+02:00"),
    ],
)
def test_times_with_an_offset_are_kept_and_local_ones_placed_in_the_zone(
    text: str, expected: str
) -> None:
    assert contact_time(text, HELSINKI) == (expected, None)


def test_a_time_in_the_spring_gap_does_not_exist() -> None:
    # Helsinki went from 03:00 to 04:00 on 29 March 2026.
    with pytest.raises(ValueError, match="does not exist in Europe/Helsinki"):
        contact_time("2026-03-29 03:30", HELSINKI)
    assert contact_time("2026-03-29 04:00", HELSINKI)[0] == "2026-03-29T04:00:00+03:00"


def test_a_time_in_the_autumn_overlap_is_the_first_and_flagged() -> None:
    # 03:00-04:00 on 25 October 2026 happened twice: +03:00, then +02:00.
    moment, warning = contact_time("2026-10-25 03:30", HELSINKI)
    assert moment == "2026-10-25T03:30:00+03:00"
    assert warning is not None
    assert "2026-10-25T03:30:00+02:00" in warning
    parsed = parse(occurred_at="25.10.2026 3.30")
    assert [w.code for w in parsed.warnings] == ["ambiguous_local_time"]
    assert parsed.body is not None


@pytest.mark.parametrize("text", ["2026-02-30 10:00", "2026-11-02", "tomorrow", "10:15"])
def test_unreadable_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a"):
        contact_time(text, HELSINKI)


@PROPERTY
@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)))  # noqa: DTZ001
def test_a_local_time_is_either_placed_exactly_or_refused_as_a_gap(local: datetime) -> None:
    local = local.replace(microsecond=0, fold=0)  # the text carries no fold
    zone = ZoneInfo(HELSINKI)
    text = local.strftime("%Y-%m-%d %H:%M:%S")
    try:
        moment, warning = contact_time(text, HELSINKI)
    except ValueError:
        # Refused only when the wall time does not exist (it does not survive a round trip).
        placed = local.replace(tzinfo=zone)
        assert placed.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local
        return
    parsed = datetime.fromisoformat(moment)
    assert parsed.astimezone(zone).replace(tzinfo=None) == local
    later = local.replace(tzinfo=zone, fold=1)
    ambiguous = later.utcoffset() != local.replace(tzinfo=zone).utcoffset()
    assert (warning is not None) == ambiguous
    if ambiguous:  # the first of the two: the larger (summer) offset
        assert parsed.utcoffset() == timedelta(hours=3)


# Duplicates, ids and keys ---------------------------------------------------------------


def test_a_later_row_with_the_same_external_id_is_a_duplicate() -> None:
    rows = [SourceRow(2, {"external_id": "A"}), SourceRow(3, {"external_id": "A"})]
    first = first_rows(rows)
    assert duplicate_problem(rows[0], first) is None
    problem = duplicate_problem(rows[1], first)
    assert problem is not None
    assert (problem.column, problem.code) == ("external_id", "duplicate_external_id")
    assert "row 2" in problem.message


def test_evaluation_ids_are_fixed_per_tenant_auditor_and_external_id() -> None:
    one = evaluation_id_for("acme", "auditor-1", "A-1")
    assert one == evaluation_id_for("acme", "auditor-1", "A-1")
    assert (
        len(
            {
                one,
                *(
                    evaluation_id_for(*k)
                    for k in [
                        ("acme", "auditor-2", "A-1"),
                        ("globex", "auditor-1", "A-1"),
                        ("acme", "auditor-1", "A-2"),
                        ("acme", "auditor-1#A", "-1"),
                    ]
                ),
            }
        )
        == 5
    )


def test_upload_keys_name_their_tenant_and_import() -> None:
    assert parse_key("uploads/acme/imp-1/batch 1.csv") == ("acme", "imp-1")
    assert parse_key("uploads/acme/imp-1/sub/x.csv") == ("acme", "imp-1")
    for key in ("uploads/acme/imp-1/", "uploads/acme", "exports/acme/imp-1/x", "uploads//i/x"):
        assert parse_key(key) is None


# Template and schema ---------------------------------------------------------------------


def test_the_template_has_every_column_and_reads_back_as_a_valid_header() -> None:
    columns = template_columns(FORM)
    assert columns[: len(FIXED_COLUMNS)] == list(FIXED_COLUMNS)
    assert columns[len(FIXED_COLUMNS) :] == [
        "tervehdys",
        "kuuntelu",
        "answer:summary",
        "comment:tervehdys",
        "comment:kuuntelu",
        "comment:summary",
    ]
    text = template_csv(FORM)
    assert text.startswith("\ufeffexternal_id;form_id;")
    assert text.endswith("comment:summary\r\n")
    filled = text + "A-1;palvelu;1;aino;phone;c-1;2.11.2026 10.15;;;;kyllä;ei;ohita;;;\r\n"
    (row,) = read_file(filled.encode("utf-8"), "template.csv").rows
    assert parse_row(row, time_zone=HELSINKI, form_for=forms).problems == ()
    assert template_csv(FORM, ",").startswith("\ufeffexternal_id,form_id,")


def test_the_schema_files_patterns_are_the_rules_the_importer_applies() -> None:
    base = schemas.load("batch_row")
    Draft202012Validator.check_schema(base)
    assert base["$defs"]["answer"]["pattern"] == answer_pattern()
    assert base["$defs"]["answer_not_na"]["pattern"] == answer_pattern(include_na=False)
    evaluation = schemas.load("evaluation")
    # The importer reads its patterns from the evaluation and form schemas; the row
    # schema an auditor downloads must promise the same.
    slug = schemas.load("form")["$defs"]["slug"]["pattern"]
    assert base["properties"]["form_id"]["pattern"] == slug
    assert base["properties"]["agent_id"]["pattern"] == evaluation["$defs"]["agent_id"]["pattern"]
    channel = evaluation["properties"]["contact"]["properties"]["channel"]["enum"]
    assert base["properties"]["channel"]["enum"] == channel
    assert SLUG.fullmatch("asiakaspalvelu")
    assert not SLUG.fullmatch("asiakaspalvelu\n")
    assert AGENT_ID.fullmatch("aino.virtanen@acme")
    assert not AGENT_ID.fullmatch("aino\n")
    assert set(base["required"]) == set(REQUIRED_COLUMNS)


def test_the_row_limits_are_those_of_the_evaluation_the_row_becomes() -> None:
    # Read from the row schema; the body then meets the evaluation schema, which must
    # not refuse a cell the row's own rule let through (or the reverse).
    evaluation = schemas.load("evaluation")["properties"]
    contact = evaluation["contact"]["properties"]
    assert contact["id"]["maxLength"] == limits.MAX_CONTACT_ID
    assert contact["recording_url"]["maxLength"] == limits.MAX_RECORDING_URL
    assert contact["duration_s"]["maximum"] == limits.MAX_DURATION_S
    assert evaluation["summary"]["maxLength"] == limits.MAX_SUMMARY
    assert evaluation["comments"]["additionalProperties"]["maxLength"] == limits.MAX_COMMENT


def _version_validator() -> Draft202012Validator:
    schema = row_schema(schemas.load("batch_row"), FORM, 1)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_the_version_schema_accepts_a_good_row_and_names_a_bad_one() -> None:
    validator = _version_validator()
    good: dict[str, Any] = {**cells(), "form_version": 1, "tervehdys": "Kyllä"}
    assert list(validator.iter_errors(good)) == []
    bad = {**good, "kuuntelu": "ohita", "extra": "x"}
    errors = {str(e.message)[:40] for e in validator.iter_errors(bad)}
    assert len(errors) == 2
    assert not validator.is_valid({**good, "form_id": "other"})


@PROPERTY
@given(
    st.fixed_dictionaries(
        {
            "tervehdys": st.sampled_from([*ANSWER_WORDS, "YES", "Kyllä", "maybe", ""]),
            "kuuntelu": st.sampled_from([*ANSWER_WORDS, "HOPPA ÖVER", "x"]),
            "answer:summary": st.sampled_from(["na", "Ei", "?"]),
        }
    )
)
def test_the_schema_and_the_importer_agree_on_answers(answers: dict[str, str]) -> None:
    row = {**cells(), **answers}
    row = {k: v for k, v in row.items() if v}
    schema_ok = _version_validator().is_valid(row)
    parsed = parse_row(SourceRow(2, row), time_zone=HELSINKI, form_for=forms)
    assert schema_ok == (parsed.body is not None)


# The report ------------------------------------------------------------------------------


def test_the_report_csv_opens_in_a_spreadsheet_and_defuses_formulas() -> None:
    entries = [
        ReportEntry(2, "A-1", "created", "ev-1", 1),
        rejected(3, "=HYPERLINK(1)", [Problem("agent_id", "invalid", "bad")]),
        ReportEntry(4, "A-3", "amended", "ev-3", 2),
    ]
    text = report_csv(entries, ",").decode("utf-8")
    assert text.startswith("\ufeffrow,external_id,outcome,evaluation_id,revision,problems")
    lines = text.lstrip("\ufeff").split("\r\n")
    assert lines[1] == "2,A-1,created,ev-1,1,,"
    assert lines[2] == "3,'=HYPERLINK(1),rejected,,,agent_id: bad,"
    assert lines[3] == "4,A-3,amended,ev-3,2,,"
    assert failure_csv("empty_file", "the file is empty").decode().count("\r\n") == 2


def test_report_entries_round_trip_through_json() -> None:
    entry = ReportEntry(
        7,
        "A",
        "created",
        "ev",
        1,
        warnings=(Problem("occurred_at", "ambiguous_local_time", "twice"),),
    )
    assert ReportEntry.from_dict(json.loads(json.dumps(entry.to_dict()))) == entry

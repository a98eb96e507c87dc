"""What payroll receives: rows checked against an independent calculation, and the
CSV, JSON Lines, adjustments and manifest files they are rendered to."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.aggregates import (
    Contribution,
    CriterionCounts,
    PeriodAggregate,
    combine,
    contribution_of,
    subtract,
)
from chalicelib.domain.pay_periods import PayPeriod
from chalicelib.domain.payroll import (
    ExportContext,
    PayrollRow,
    RosterEntry,
    changed_agents,
    parse_jsonl,
    payroll_rows,
    render_adjustments,
    render_csv,
    render_jsonl,
    render_manifest,
)
from chalicelib.domain.settings import parse_settings

PAYROLL_PROPERTY = settings(max_examples=100, deadline=None)

TENANT = "acme"
TIERS = [("silver", "80", "100.00"), ("gold", "90", "200.00")]
RULES_BODY: dict[str, Any] = {
    "incentives": {
        "min_scored": 2,
        "tiers": [{"name": n, "min_average": m, "amount": a} for n, m, a in TIERS],
    }
}
SETTINGS = parse_settings(RULES_BODY)
RULES = SETTINGS.incentives
NOVEMBER = PayPeriod("2026-11", date(2026, 11, 1), date(2026, 11, 30), SETTINGS)
FIRST = ExportContext(TENANT, NOVEMBER, 1, "2026-12-03T22:00:05Z")
SECOND = replace(FIRST, revision=2, generated_at="2026-12-04T22:00:03Z")

CSV_HEADER = (
    b"tenant,period,period_start,period_end,agent_id,payroll_id,evaluations,"
    b"scored_evaluations,average_score,tier,incentive_amount,currency,revision,"
    b"average_low,average_high,tier_uncertain,open_disputes\r\n"
)
ADJUSTMENTS_HEADER = [
    "tenant",
    "period",
    "agent_id",
    "payroll_id",
    "revision_before",
    "revision_after",
    "evaluations_before",
    "evaluations_after",
    "scored_before",
    "scored_after",
    "average_before",
    "average_after",
    "tier_before",
    "tier_after",
    "amount_before",
    "amount_after",
    "amount_difference",
    "currency",
]


# --- an independent calculation -----------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """An agent's evaluations in the period: the scores of the scored ones, and how
    many more had no score."""

    scores: tuple[Decimal, ...]
    unscored: int = 0

    def aggregate(self, agent_id: str) -> PeriodAggregate:
        return PeriodAggregate(
            agent_id,
            NOVEMBER.label,
            evaluations=len(self.scores) + self.unscored,
            scored=len(self.scores),
            score_sum=sum(self.scores, Decimal(0)),
        )


def half_up(value: Fraction) -> str:
    """A non-negative exact value rounded half-up to two decimals, as text."""
    hundredths = value * 100
    whole = hundredths.numerator // hundredths.denominator
    if (hundredths - whole) * 2 >= 1:
        whole += 1
    return f"{whole // 100}.{whole % 100:02d}"


def expected_rows(
    figures: dict[str, Figures],
    roster: list[tuple[str, str, bool]],
    min_scored: int = 2,
    tiers: list[tuple[str, str, str]] = TIERS,
) -> list[tuple[str, str, int, int, str | None, str, str]]:
    payroll_ids = {agent_id: payroll_id for agent_id, payroll_id, _ in roster}
    agent_ids = {agent_id for agent_id, _, active in roster if active} | set(figures)
    out = []
    for agent_id in sorted(agent_ids):
        mine = figures.get(agent_id, Figures(()))
        average = None
        if mine.scores:
            exact = sum((Fraction(s) for s in mine.scores), Fraction(0)) / len(mine.scores)
            average = half_up(exact)
        tier, amount = "", "0.00"
        if average is not None and len(mine.scores) >= min_scored:
            reached = [t for t in tiers if Fraction(t[1]) <= Fraction(average)]
            if reached:
                tier, _, amount = max(reached, key=lambda t: Fraction(t[1]))
        out.append(
            (
                agent_id,
                payroll_ids.get(agent_id, ""),
                len(mine.scores) + mine.unscored,
                len(mine.scores),
                average,
                tier,
                amount,
            )
        )
    return out


def as_tuples(rows: list[PayrollRow]) -> list[tuple[str, str, int, int, str | None, str, str]]:
    return [
        (
            row.agent_id,
            row.payroll_id,
            row.evaluations,
            row.scored,
            None if row.average is None else format(row.average, "f"),
            row.tier,
            format(row.amount, ".2f"),
        )
        for row in rows
    ]


def rows_for(figures: dict[str, Figures], roster: list[tuple[str, str, bool]]) -> list[PayrollRow]:
    return payroll_rows(
        {agent_id: f.aggregate(agent_id) for agent_id, f in figures.items()},
        [RosterEntry(*entry) for entry in roster],
        RULES,
    )


def scores(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


# --- rows ---------------------------------------------------------------------------

ROSTER = [
    ("aino", "1001", True),
    ("eero", "1002", True),  # no evaluations: a row of zeros
    ("helmi", "1003", False),  # inactive, no evaluations: left out
    ("ilmari", "1004", False),  # inactive, with evaluations: kept
]
FIGURES = {
    "aino": Figures(scores("85.5", "89.5"), unscored=1),  # 87.50 -> silver
    "ilmari": Figures(scores("95", "91")),  # 93.00 -> gold
    "ghost": Figures(scores("99", "99", "99")),  # not on the roster: no payroll id
}


def test_rows_match_the_independent_calculation() -> None:
    rows = rows_for(FIGURES, ROSTER)
    assert as_tuples(rows) == expected_rows(FIGURES, ROSTER)
    assert as_tuples(rows) == [
        ("aino", "1001", 3, 2, "87.50", "silver", "100.00"),
        ("eero", "1002", 0, 0, None, "", "0.00"),
        ("ghost", "", 3, 3, "99.00", "gold", "200.00"),
        ("ilmari", "1004", 2, 2, "93.00", "gold", "200.00"),
    ]


@pytest.mark.parametrize(
    ("values", "average"),
    [
        (("80.125",), "80.13"),  # half-up, not half-even (80.12)
        (("80.135",), "80.14"),
        (("80.124999",), "80.12"),
        # Rounded once, at the end: rounding each score first would give 80.01.
        (("80.005", "80.004"), "80.00"),
        (("100", "100", "0"), "66.67"),
        (("100", "0", "0"), "33.33"),
        (("89.995",), "90.00"),
        (("0", "0"), "0.00"),
        (
            ("66.66666666666666666667", "66.66666666666666666667", "66.66666666666666666666"),
            "66.67",
        ),
    ],
)
def test_averages_are_rounded_half_up_once(values: tuple[str, ...], average: str) -> None:
    figures = {"aino": Figures(scores(*values))}
    (row,) = rows_for(figures, [])
    assert row.average is not None
    assert format(row.average, "f") == average
    assert as_tuples([row]) == expected_rows(figures, [])


def test_the_tier_is_taken_from_the_rounded_average() -> None:
    # 89.995 reports as 90.00, so the agent is paid what the report shows: gold.
    (row,) = rows_for({"aino": Figures(scores("89.99", "90.00"))}, [])
    assert (format(row.average or 0, "f"), row.tier, row.amount) == (
        "90.00",
        "gold",
        Decimal("200.00"),
    )


def test_the_minimum_count_of_scored_evaluations() -> None:
    figures = {
        "aino": Figures(scores("99"), unscored=5),  # one scored: below min_scored 2
        "eero": Figures(scores("99", "99")),
    }
    rows = rows_for(figures, [])
    assert [(r.agent_id, r.tier, r.amount) for r in rows] == [
        ("aino", "", Decimal("0.00")),
        ("eero", "gold", Decimal("200.00")),
    ]
    assert rows[0].average == Decimal("99.00")  # still reported, just not paid


def test_rows_are_sorted_by_agent_id_not_by_input_order() -> None:
    roster = [("b", "", True), ("a", "", True), ("B", "", True), ("a.2", "", True)]
    assert [r.agent_id for r in rows_for({"c": Figures(scores("1"))}, roster)] == sorted(
        ["b", "a", "B", "a.2", "c"]
    )


AGENT_IDS = tuple(f"agent-{n:02d}" for n in range(10))
stored_scores = st.one_of(
    st.decimals(min_value=0, max_value=100, places=3),
    st.decimals(min_value=0, max_value=100, places=20),
)


@st.composite
def rosters_and_figures(
    draw: st.DrawFn,
) -> tuple[dict[str, Figures], list[tuple[str, str, bool]]]:
    roster_ids = draw(st.lists(st.sampled_from(AGENT_IDS), unique=True))
    roster = [(a, draw(st.text(max_size=8)), draw(st.booleans())) for a in roster_ids]
    figured = draw(st.lists(st.sampled_from(AGENT_IDS), unique=True))
    figures = {}
    for agent_id in figured:
        scored = draw(st.lists(stored_scores, max_size=30))
        unscored = draw(st.integers(min_value=0 if scored else 1, max_value=3))
        figures[agent_id] = Figures(tuple(scored), unscored)
    return figures, roster


@PAYROLL_PROPERTY
@given(rosters_and_figures())
def test_any_rows_match_the_independent_calculation(
    case: tuple[dict[str, Figures], list[tuple[str, str, bool]]],
) -> None:
    figures, roster = case
    assert as_tuples(rows_for(figures, roster)) == expected_rows(figures, roster)


# --- CSV ----------------------------------------------------------------------------


def csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_csv_header_rows_and_line_ends() -> None:
    rows = rows_for(FIGURES, ROSTER)
    data = render_csv(FIRST, rows)
    assert data.startswith(CSV_HEADER)
    lines = data.split(b"\r\n")
    assert lines[-1] == b""  # the last line ends with CRLF too
    assert len(lines) == 1 + len(rows) + 1
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert lines[1:3] == [
        b"acme,2026-11,2026-11-01,2026-11-30,aino,1001,3,2,87.50,silver,100.00,EUR,1,,,,0",
        b"acme,2026-11,2026-11-01,2026-11-30,eero,1002,0,0,,,0.00,EUR,1,,,,0",
    ]


def test_csv_without_rows_is_just_the_header() -> None:
    assert render_csv(FIRST, []) == CSV_HEADER


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+358401234567", "'+358401234567"),
        ("-5", "'-5"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        # The piece after a tab or line break is what a tab-splitting reader sees.
        ("\t=1+1", "\t'=1+1"),
        ("\r=1+1", "\r'=1+1"),
        ("1001", "1001"),
        ("a=b", "a=b"),
        ("", ""),
        # Spreadsheets skip leading blanks before reading a formula.
        (" =1", "' =1"),
        ("a;=1", "a;'=1"),
    ],
)
def test_csv_text_cells_are_safe_from_formula_injection(text: str, cell: str) -> None:
    rows = [
        PayrollRow("aino", text, 2, 2, Decimal("87.50"), text, Decimal("0.00")),
    ]
    (row,) = csv_cells(render_csv(FIRST, rows))[1:]
    assert row[5] == cell  # payroll_id
    assert row[9] == cell  # tier
    # Numbers stay plain numbers.
    assert row[6:9] == ["2", "2", "87.50"]
    assert row[10] == "0.00"


def test_csv_is_utf8_with_finnish_letters_and_no_bom() -> None:
    rows = [PayrollRow("aino", "Äänekoski-ÖÅ", 0, 0, None, "kulta-ä", Decimal("0.00"))]
    data = render_csv(FIRST, rows)
    assert not data.startswith(b"\xef\xbb\xbf")
    assert "Äänekoski-ÖÅ".encode() in data
    assert "kulta-ä".encode() in data
    assert csv_cells(data)[1][5] == "Äänekoski-ÖÅ"


# --- JSON Lines ---------------------------------------------------------------------


def jsonl_records(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line, parse_float=Decimal) for line in data.decode("utf-8").split("\n")[:-1]]


def test_jsonl_numbers_are_json_numbers_with_exact_digits() -> None:
    rows = rows_for(FIGURES, ROSTER)
    data = render_jsonl(FIRST, rows)
    assert data.endswith(b"\n")
    records = jsonl_records(data)
    assert len(records) == len(rows)
    aino, eero = records[0], records[1]
    assert list(aino) == [
        "tenant",
        "period",
        "period_start",
        "period_end",
        "agent_id",
        "payroll_id",
        "evaluations",
        "scored_evaluations",
        "average_score",
        "tier",
        "incentive_amount",
        "currency",
        "revision",
        "average_low",
        "average_high",
        "tier_uncertain",
        "open_disputes",
    ]
    assert aino["open_disputes"] == 0
    assert type(aino["open_disputes"]) is int
    assert aino["average_score"] == Decimal("87.50")
    assert str(aino["average_score"]) == "87.50"
    assert str(aino["incentive_amount"]) == "100.00"
    assert aino["evaluations"] == 3
    assert type(aino["evaluations"]) is int
    assert aino["revision"] == 1
    assert aino["payroll_id"] == "1001"  # text stays text
    assert eero["average_score"] is None
    assert str(eero["incentive_amount"]) == "0.00"
    assert b'"average_score":87.50,' in data
    assert b'"incentive_amount":0.00,' in data


def test_jsonl_keeps_text_as_given() -> None:
    rows = [PayrollRow("aino", "=1+1", 0, 0, None, "kulta-ä", Decimal("0.00"))]
    (record,) = jsonl_records(render_jsonl(FIRST, rows))
    assert record["payroll_id"] == "=1+1"  # no apostrophe: JSON is not a spreadsheet
    assert record["tier"] == "kulta-ä"
    assert "kulta-ä".encode() in render_jsonl(FIRST, rows)


payroll_row_values = st.builds(
    PayrollRow,
    agent_id=st.sampled_from(AGENT_IDS),
    payroll_id=st.text(max_size=12),
    evaluations=st.integers(min_value=0, max_value=10_000),
    scored=st.integers(min_value=0, max_value=10_000),
    average=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
    tier=st.text(max_size=12),
    amount=st.decimals(min_value=0, max_value=999_999_999, places=2),
    average_low=st.one_of(st.none(), st.decimals(min_value=-50, max_value=100, places=2)),
    average_high=st.one_of(st.none(), st.decimals(min_value=0, max_value=150, places=2)),
    tier_uncertain=st.one_of(st.none(), st.booleans()),
    open_disputes=st.integers(min_value=0, max_value=10_000),
)


@PAYROLL_PROPERTY
@given(st.lists(payroll_row_values, max_size=6, unique_by=lambda r: r.agent_id))
def test_parse_jsonl_round_trips_render_jsonl(rows: list[PayrollRow]) -> None:
    rows = sorted(rows, key=lambda r: r.agent_id)
    data = render_jsonl(FIRST, rows)
    parsed = parse_jsonl(data)
    assert parsed == rows
    assert [(str(r.average), str(r.amount)) for r in parsed] == [
        (str(r.average), str(r.amount)) for r in rows
    ]
    # A resumed export renders from the parsed rows: the bytes must not change.
    assert render_jsonl(FIRST, parsed) == data
    assert render_csv(FIRST, parsed) == render_csv(FIRST, rows)


def test_a_line_separator_inside_a_text_value_does_not_split_a_record() -> None:
    rows = [
        PayrollRow("agent-01", "a\u2028b\x85c", 1, 1, Decimal("50.00"), "t\u2029", Decimal("0.00")),
        PayrollRow("agent-02", "x\x1cy\x1dz\x1e", 0, 0, None, "\x0b\x0c", Decimal("0.00")),
    ]
    assert parse_jsonl(render_jsonl(FIRST, rows)) == rows


# --- deterministic bytes ------------------------------------------------------------


def test_rendering_twice_gives_identical_bytes() -> None:
    rows = rows_for(FIGURES, ROSTER)
    again = rows_for(dict(reversed(FIGURES.items())), list(reversed(ROSTER)))
    assert render_csv(FIRST, rows) == render_csv(FIRST, again)
    assert render_jsonl(FIRST, rows) == render_jsonl(FIRST, again)
    pairs = changed_agents(rows[:2], again)
    assert render_adjustments(SECOND, pairs) == render_adjustments(SECOND, pairs)
    files = {"payroll.jsonl": render_jsonl(FIRST, rows), "payroll.csv": render_csv(FIRST, rows)}
    reordered = dict(reversed(files.items()))
    assert render_manifest(FIRST, files, 4, None) == render_manifest(FIRST, reordered, 4, None)


# --- changes between revisions ------------------------------------------------------


def row(agent_id: str, average: str | None, tier: str = "", amount: str = "0.00") -> PayrollRow:
    scored = 0 if average is None else 2
    value = None if average is None else Decimal(average)
    return PayrollRow(agent_id, f"p-{agent_id}", scored, scored, value, tier, Decimal(amount))


BEFORE = [
    row("aino", "95.00", "gold", "200.00"),
    row("eero", "85.00", "silver", "100.00"),
    row("helmi", "82.00", "silver", "100.00"),
]
AFTER = [
    row("aino", "95.00", "gold", "200.00"),
    replace(row("eero", "91.00", "gold", "200.00"), evaluations=3, scored=3),
    row("ilmari", "88.00", "silver", "100.00"),
]


def test_changed_agents_lists_changes_appearances_and_disappearances() -> None:
    assert changed_agents(BEFORE, AFTER) == [
        (BEFORE[1], AFTER[1]),
        (BEFORE[2], None),
        (None, AFTER[2]),
    ]


def test_changed_agents_of_equal_figures_is_empty() -> None:
    assert changed_agents(BEFORE, list(reversed(BEFORE))) == []
    # The same amount written with other digits is the same figure.
    same = [replace(r, amount=r.amount.quantize(Decimal("0.0001"))) for r in BEFORE]
    assert changed_agents(BEFORE, same) == []


@pytest.mark.parametrize(
    "change",
    [
        {"payroll_id": "new"},
        {"evaluations": 9},
        {"scored": 1},
        {"average": Decimal("94.99")},
        {"average": None},
        {"tier": "silver"},
        {"amount": Decimal("199.99")},
    ],
)
def test_any_figure_that_changes_makes_an_adjustment(change: dict[str, Any]) -> None:
    after = [replace(BEFORE[0], **change), *BEFORE[1:]]
    assert changed_agents(BEFORE, after) == [(BEFORE[0], after[0])]


def test_adjustments_file_has_before_after_and_difference() -> None:
    data = render_adjustments(SECOND, changed_agents(BEFORE, AFTER))
    assert data.endswith(b"\r\n")
    header, *lines = data.decode("utf-8").split("\r\n")
    assert header.split(",") == ADJUSTMENTS_HEADER
    assert lines == [
        "acme,2026-11,eero,p-eero,1,2,2,3,2,3,85.00,91.00,silver,gold,100.00,200.00,100.00,EUR",
        # Gone: the after side is empty and its amount zero; the difference stays a number.
        "acme,2026-11,helmi,p-helmi,1,2,2,,2,,82.00,,silver,,100.00,0.00,-100.00,EUR",
        # New: the before side is empty.
        "acme,2026-11,ilmari,p-ilmari,1,2,,2,,2,,88.00,,silver,0.00,100.00,100.00,EUR",
        "",
    ]


def test_adjustments_file_is_safe_from_formula_injection() -> None:
    before = [replace(BEFORE[0], payroll_id="=cmd|' /C calc'!A0", tier="@gold")]
    after = [replace(before[0], amount=Decimal("150.00"), tier="-gold")]
    (line,) = csv_cells(render_adjustments(SECOND, changed_agents(before, after)))[1:]
    assert line[3] == "'=cmd|' /C calc'!A0"
    assert line[12:14] == ["'@gold", "'-gold"]
    assert line[14:17] == ["200.00", "150.00", "-50.00"]


# --- manifest -----------------------------------------------------------------------


def test_manifest_of_a_first_revision() -> None:
    rows = rows_for(FIGURES, ROSTER)
    files = {"payroll.jsonl": render_jsonl(FIRST, rows), "payroll.csv": render_csv(FIRST, rows)}
    manifest = json.loads(render_manifest(FIRST, files, len(rows), None))
    assert manifest["tenant"] == "acme"
    assert manifest["period"] == {"label": "2026-11", "start": "2026-11-01", "end": "2026-11-30"}
    assert manifest["revision"] == 1
    assert manifest["generated_at"] == "2026-12-03T22:00:05Z"
    assert manifest["row_count"] == 4
    assert manifest["files"] == {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for name, data in files.items()
    }
    assert manifest["rules"] == {
        "time_zone": "Europe/Helsinki",
        "pay_period": {"kind": "month"},
        "grace_days": 3,
        "currency": "EUR",
        "incentives": {
            "min_scored": 2,
            "tiers": [
                {"name": "gold", "min_average": "90", "amount": "200.00"},
                {"name": "silver", "min_average": "80", "amount": "100.00"},
            ],
        },
        "disputes_at_export": "counted",
    }
    # Also at the top: what a disputed evaluation counted for in these very files.
    assert manifest["disputes_at_export"] == "counted"
    assert "adjusted_agents" not in manifest


def test_manifest_of_a_later_revision_counts_the_adjusted_agents() -> None:
    pairs = changed_agents(BEFORE, AFTER)
    files = {
        "payroll.jsonl": render_jsonl(SECOND, AFTER),
        "payroll.csv": render_csv(SECOND, AFTER),
        "adjustments.csv": render_adjustments(SECOND, pairs),
    }
    data = render_manifest(SECOND, files, len(AFTER), len(pairs))
    manifest = json.loads(data)
    assert manifest["revision"] == 2
    assert manifest["adjusted_agents"] == 3
    assert sorted(manifest["files"]) == ["adjustments.csv", "payroll.csv", "payroll.jsonl"]
    assert manifest["files"]["adjustments.csv"] == {
        "sha256": hashlib.sha256(files["adjustments.csv"]).hexdigest(),
        "bytes": len(files["adjustments.csv"]),
    }
    assert data.endswith(b"\n")


# --- evaluations under an undecided dispute -----------------------------------------


def test_rows_count_each_agents_open_disputes_and_an_agent_held_back_keeps_a_row() -> None:
    aggregates = {agent_id: f.aggregate(agent_id) for agent_id, f in FIGURES.items()}
    disputed = {"aino": 2, "helmi": 1}  # helmi: inactive, all held back, nothing left
    rows = payroll_rows(aggregates, [RosterEntry(*e) for e in ROSTER], RULES, None, disputed)
    assert [(r.agent_id, r.open_disputes) for r in rows] == [
        ("aino", 2),
        ("eero", 0),
        ("ghost", 0),
        ("helmi", 1),
        ("ilmari", 0),
    ]
    helmi = rows[3]
    assert (helmi.payroll_id, helmi.evaluations, helmi.average) == ("1003", 0, None)
    line = render_csv(FIRST, rows).split(b"\r\n")[1]
    assert line.endswith(b",silver,100.00,EUR,1,,,,2")


def test_a_changed_open_disputes_count_alone_is_no_adjustment() -> None:
    flagged = [replace(r, open_disputes=3) for r in BEFORE]
    assert changed_agents(BEFORE, flagged) == []
    assert all(r.figures() == f.figures() for r, f in zip(BEFORE, flagged, strict=True))


def test_a_data_file_written_before_the_column_reads_as_none_flagged() -> None:
    rows = [PayrollRow("aino", "1001", 2, 2, Decimal("87.50"), "silver", Decimal("100.00"))]
    line = render_jsonl(FIRST, rows).decode()
    older = line.replace(',"open_disputes":0', "")
    assert "open_disputes" not in older
    assert parse_jsonl(older.encode()) == rows


def test_the_manifest_says_a_disputed_evaluation_was_held_back() -> None:
    held = parse_settings({**RULES_BODY, "coaching": {"disputes_at_export": "held"}})
    context = replace(FIRST, period=replace(NOVEMBER, settings=held))
    rows = rows_for(FIGURES, ROSTER)
    manifest = json.loads(render_manifest(context, {"payroll.csv": b""}, len(rows), None))
    assert manifest["disputes_at_export"] == "held"
    assert manifest["rules"]["disputes_at_export"] == "held"


# --- taking held-back evaluations out of an aggregate, exactly ----------------------

CRITERIA = ("c1", "c2", "c3", "c4")


@dataclass(frozen=True)
class Evaluated:
    """One evaluation as plain data: its agent, score and answers."""

    agent_id: str
    day: int
    score: Decimal | None
    answers: tuple[tuple[str, str], ...]
    method: str = "recording"

    def contribution(self) -> Contribution:
        return contribution_of(
            agent_id=self.agent_id,
            buckets=("2026-11", f"2026-11-{self.day:02d}"),
            pay_period="2026-11",
            method=self.method,
            form_id="f",
            answers=dict(self.answers),
            score=self.score,
        )


evaluated = st.builds(
    Evaluated,
    agent_id=st.just("aino"),
    day=st.integers(min_value=1, max_value=30),
    score=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=20)),
    answers=st.lists(
        st.tuples(st.sampled_from(CRITERIA), st.sampled_from(("yes", "no", "na"))),
        unique_by=lambda pair: pair[0],
        max_size=len(CRITERIA),
    ).map(tuple),
    method=st.sampled_from(("recording", "live", "self")),
)


def recount(evaluations: list[Evaluated]) -> PeriodAggregate:
    """Independent of the code under test: counted straight from the plain data."""
    counted = [e for e in evaluations if e.method != "self"]
    scores = [e.score for e in counted if e.score is not None]
    criteria = {}
    for criterion in CRITERIA:
        yes = sum(1 for e in counted if (criterion, "yes") in e.answers)
        no = sum(1 for e in counted if (criterion, "no") in e.answers)
        if yes or no:
            criteria[f"f/{criterion}"] = CriterionCounts(yes, no)
    return PeriodAggregate(
        "aino",
        "2026-11",
        evaluations=len(counted),
        scored=len(scores),
        score_sum=sum(scores, Decimal(0)),
        criteria=criteria,
    )


@PAYROLL_PROPERTY
@given(st.lists(evaluated, max_size=12), st.data())
def test_subtracting_held_contributions_equals_a_recount_without_them(
    evaluations: list[Evaluated], data: st.DataObject
) -> None:
    held_at = data.draw(st.sets(st.integers(min_value=0, max_value=max(len(evaluations) - 1, 0))))
    held = [e for i, e in enumerate(evaluations) if i in held_at]
    kept = [e for i, e in enumerate(evaluations) if i not in held_at]
    everything = recount(evaluations)
    assert subtract(everything, [e.contribution() for e in held]) == recount(kept)
    # The same from the days a two-week period combines: buckets do not matter.
    days = [recount([e]) for e in evaluations]
    combined = combine("aino", "2026-11-02", [replace(d, period="x") for d in days])
    assert subtract(combined, [e.contribution() for e in held]) == replace(
        recount(kept), period="2026-11-02"
    )


def test_subtracting_what_is_not_in_the_aggregate_is_refused() -> None:
    one = Evaluated("aino", 2, Decimal(50), (("c1", "yes"),))
    with pytest.raises(ValueError, match="not part of"):
        subtract(recount([]), [one.contribution()])
    with pytest.raises(ValueError, match="another agent"):
        subtract(recount([one]), [replace(one, agent_id="eero").contribution()])

"""Report ranges, the leaderboard, the suggestion rules and the report tables."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import report_tables
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.pay_periods import Calendar
from chalicelib.domain.report_cells import Cell, square
from chalicelib.domain.report_ranges import buckets, parse_range
from chalicelib.domain.report_suggestions import TEXTS, WHY, SuggestionInput, suggestions
from chalicelib.domain.reports import Standing, average_view, leaderboard
from chalicelib.domain.statistics import rate_difference, wilson_interval

CALENDAR = Calendar([])


@pytest.mark.parametrize(
    ("value", "first", "last"),
    [
        ("day:2026-11-02", "2026-11-02", "2026-11-02"),
        ("week:2026-W45", "2026-11-02", "2026-11-08"),
        ("week:2026-W53", "2026-12-28", "2027-01-03"),
        ("week:2027-W01", "2027-01-04", "2027-01-10"),
        ("month:2026-02", "2026-02-01", "2026-02-28"),
        ("month:2028-02", "2028-02-01", "2028-02-29"),
        ("quarter:2026-Q1", "2026-01-01", "2026-03-31"),
        ("quarter:2026-Q4", "2026-10-01", "2026-12-31"),
        ("custom:2026-11-01..2026-11-15", "2026-11-01", "2026-11-15"),
        ("custom:2026-01-01..2026-12-31", "2026-01-01", "2026-12-31"),
    ],
)
def test_parse_range_gives_the_local_days_of_each_kind(value: str, first: str, last: str) -> None:
    found = parse_range(value, CALENDAR)
    assert (found.kind, found.label) == tuple(value.split(":", 1))
    assert (found.first, found.last) == (date.fromisoformat(first), date.fromisoformat(last))


def test_a_pay_range_is_the_pay_period_of_its_label() -> None:
    period = CALENDAR.period_labelled("2026-11")
    found = parse_range("pay:2026-11", CALENDAR)
    assert (found.kind, found.first, found.last) == ("pay", period.start, period.end)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "month",
        "month:",
        "month:2026-13",
        "month:2026-1",
        "month:26-11",
        "day:2026-02-30",
        "day:20261102",
        "week:2026-W54",
        "week:2026-W00",
        "week:2026-45",
        "quarter:2026-Q5",
        "quarter:2026-Q0",
        "custom:2026-11-15..2026-11-01",
        "custom:2026-01-01..2027-01-02",
        "custom:2026-11-01",
        "custom:2026-11-01..",
        "year:2026",
        "month:٢٠٢٦-١١",
        "month:2026-11 ",
        "day:1969-12-31",
        "pay:nonsense",
    ],
)
def test_a_bad_range_is_invalid_input_on_the_range_field(value: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_range(value, CALENDAR)
    assert raised.value.field == "range"


def _days_of(labels: list[str]) -> list[date]:
    out: list[date] = []
    for label in labels:
        if len(label) == 7:
            first = date.fromisoformat(f"{label}-01")
            day = first
            while day.month == first.month:
                out.append(day)
                day += timedelta(days=1)
        else:
            out.append(date.fromisoformat(label))
    return out


@settings(max_examples=300)
@given(st.dates(date(2024, 1, 1), date(2028, 12, 31)), st.integers(0, 800))
def test_buckets_cover_exactly_the_days_using_whole_months(first: date, length: int) -> None:
    last = first + timedelta(days=length)
    labels = buckets(first, last)
    days = _days_of(labels)
    assert days == [first + timedelta(days=i) for i in range(length + 1)]
    # A month wholly inside the range is one bucket, never its days.
    for label in labels:
        if len(label) == 10:
            day = date.fromisoformat(label)
            month_first = day.replace(day=1)
            month_last = (month_first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            assert not (first <= month_first and month_last <= last), label


# --- the leaderboard --------------------------------------------------------------


def _cell(*scores: int) -> Cell:
    values = [Decimal(s) for s in scores]
    return Cell(
        evaluations=len(values),
        scored=len(values),
        score_sum=sum(values, Decimal(0)),
        score_squares=sum((square(v) for v in values), Decimal(0)),
        full_points=sum(1 for v in values if v == 100),
    )


def test_the_leaderboard_ranks_by_the_average_and_ties_share_a_rank() -> None:
    standings = [
        Standing("cecilia", _cell(80, 80, 80, 80, 80)),
        Standing("aino", _cell(90, 90, 90, 90, 90)),
        Standing("bert", _cell(80, 80, 80, 80, 80)),
        Standing("daniel", _cell(70, 70, 70, 70, 70, 70)),
        Standing("eeva", _cell(100, 100, 100, 100)),  # 4: never ranked
        Standing("frans", Cell()),
    ]
    ranked, unranked = leaderboard(standings, 1)
    assert [(r["rank"], r["agent_id"]) for r in ranked] == [
        (1, "aino"),
        (2, "bert"),
        (2, "cecilia"),
        (4, "daniel"),
    ]
    assert ranked[0]["average"] == average_view(_cell(90, 90, 90, 90, 90))
    assert unranked == [{"agent_id": "eeva", "n": 4}, {"agent_id": "frans", "n": 0}]


def test_the_tenants_minimum_holds_and_never_goes_below_five() -> None:
    standings = [Standing("aino", _cell(*[90] * 7)), Standing("bert", _cell(*[80] * 10))]
    ranked, unranked = leaderboard(standings, 10)
    assert [r["agent_id"] for r in ranked] == ["bert"]
    assert unranked == [{"agent_id": "aino", "n": 7}]
    ranked, _ = leaderboard(standings, 3)
    assert [r["agent_id"] for r in ranked] == ["aino", "bert"]


@given(st.lists(st.lists(st.integers(0, 100), max_size=8), max_size=6))
def test_no_one_with_fewer_than_five_scores_is_ever_ranked(scores: list[list[int]]) -> None:
    standings = [Standing(f"a{i}", _cell(*s)) for i, s in enumerate(scores)]
    ranked, unranked = leaderboard(standings, 1)
    assert all(len(scores[int(r["agent_id"][1:])]) >= 5 for r in ranked)
    assert {r["agent_id"] for r in unranked} == {
        f"a{i}" for i, s in enumerate(scores) if len(s) < 5
    }
    means = [Decimal(r["average"]["mean"]) for r in ranked]
    assert means == sorted(means, reverse=True)


# --- suggestions ------------------------------------------------------------------


def _answers(yes: int, no: int, key: str = "f/1/c1") -> Cell:
    return Cell(evaluations=yes + no, counts={key: (yes, no, 0)} if yes + no else {})


@settings(max_examples=200)
@given(
    st.integers(0, 30),
    st.integers(0, 30),
    st.integers(0, 30),
    st.integers(0, 30),
    st.sampled_from(("fi", "sv", "en")),
)
def test_below_team_and_dropped_fire_exactly_when_the_interval_lies_below_zero(
    yes: int, no: int, other_yes: int, other_no: int, lang: str
) -> None:
    mine, other = _answers(yes, no), _answers(other_yes, other_no)
    titles = {("f", "c1"): "Tervehdys"}
    first, second = wilson_interval(yes, yes + no), wilson_interval(other_yes, other_yes + other_no)
    clear = (
        first is not None
        and second is not None
        and first.n >= 5
        and second.n >= 5
        and rate_difference(first, second).high < 0
    )
    for kind, data in (
        ("below_team", SuggestionInput(mine, None, other, None, titles)),
        ("dropped", SuggestionInput(mine, other, None, None, titles)),
    ):
        found = suggestions(data, lang)
        assert [s["kind"] for s in found] == ([kind] if clear else []), (kind, yes, no)
        for s in found:
            assert "Tervehdys" in s["text"]
            assert s["figures"]["agent"] == {
                "k": yes,
                "n": yes + no,
                "rate": s["figures"]["agent"]["rate"],
            }


@settings(max_examples=200)
@given(st.integers(0, 40), st.integers(0, 40), st.sampled_from(("fi", "sv", "en")))
def test_rarely_done_fires_exactly_when_the_upper_wilson_bound_is_under_80(
    yes: int, no: int, lang: str
) -> None:
    team = _answers(yes, no)
    interval = wilson_interval(yes, yes + no)
    expected = interval is not None and interval.n >= 5 and interval.high < Decimal("0.8")
    found = suggestions(SuggestionInput(Cell(), None, None, team, {}), lang)
    assert [s["kind"] for s in found] == (["rarely_done"] if expected else [])


def test_every_text_exists_in_finnish_swedish_and_english() -> None:
    for table in (TEXTS, WHY):
        assert set(table) == {"below_team", "dropped", "rarely_done"}
        for kind, texts in table.items():
            assert set(texts) == {"fi", "sv", "en"}, kind
            assert len(set(texts.values())) == 3, kind
    with pytest.raises(ValueError, match="unknown language"):
        suggestions(SuggestionInput(Cell(), None, None, None, {}), "de")


# --- tables -----------------------------------------------------------------------


def _compliance_view() -> dict[str, object]:
    rate = {"k": 3, "n": 4, "rate": "75.00", "low": "30.06", "high": "95.44", "comparable": False}
    share = {"k": 1, "n": 5, "rate": "20.00", "low": "3.62", "high": "62.45", "comparable": True}
    criterion = {
        "criterion_id": "c1",
        "title": "Tervehdys",
        "yes": 3,
        "no": 1,
        "na": 1,
        "compliance": rate,
        "na_share": share,
        "points_earned": 6,
        "points_available": 8,
    }
    section = {"section_id": "s1", "title": "Avaus", "criteria": [criterion]}
    return {"forms": [{"form_id": "f", "version": None, "title": "F", "sections": [section]}]}


def test_the_compliance_table_has_the_figures_of_the_json_view() -> None:
    table = report_tables.compliance_table(_compliance_view())
    (row,) = table.rows
    by_key = dict(zip([c.key for c in table.columns], row, strict=True))
    assert by_key["criterion"] == "c1"
    assert (by_key["yes"], by_key["no"], by_key["na"]) == (3, 1, 1)
    shown = (by_key["compliance_rate"], by_key["compliance_low"], by_key["compliance_high"])
    assert tuple(str(v) for v in shown) == ("75.00", "30.06", "95.44")
    assert str(by_key["na_share"]) == "20.00"
    assert (by_key["earned"], by_key["available"]) == (6, 8)
    assert by_key["note"] == "n < 5"

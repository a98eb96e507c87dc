"""Tenant settings: defaults, parsing a request body, errors by field, incentive tiers."""

from __future__ import annotations

import json
from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib import jsoncodec, schemas
from chalicelib.api.http import status_of
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.settings import (
    DEFAULT_SETTINGS,
    IncentiveRules,
    TenantSettings,
    Tier,
    parse_settings,
    pay_rules_to_dict,
    settings_to_dict,
)
from chalicelib.domain.statistics import MeanInterval

SETTINGS_PROPERTY = settings(max_examples=100, deadline=None)

DEFAULTS_AS_DICT = {
    "time_zone": "Europe/Helsinki",
    "pay_period": {"kind": "month"},
    "grace_days": 3,
    "currency": "EUR",
    "incentives": {"min_scored": 0, "tiers": []},
    "reports": {
        "shift_bands": {"day": "07:00", "evening": "15:00", "night": "23:00"},
        "leaderboard": False,
        "leaderboard_min_evaluations": 10,
    },
    "coaching": {
        "acknowledge_within_days": None,
        "self_evaluation_days": 7,
        "dispute_window_days": 7,
        "dispute_review_days": 5,
        "disputes_at_export": "counted",
        "email_notifications": False,
    },
}

# min_average and amount as strings and as JSON numbers (ints and decimals), parsed
# the way the API parses a request body: floats become Decimal, never float.
FULL_BODY_TEXT = """
{
  "time_zone": "Europe/Stockholm",
  "pay_period": {"kind": "two_weeks", "anchor": "2026-11-02"},
  "grace_days": 5,
  "currency": "SEK",
  "incentives": {
    "min_scored": 4,
    "tiers": [
      {"name": "bronze", "min_average": 70, "amount": "50"},
      {"name": "gold", "min_average": "90", "amount": 200.00},
      {"name": "silver", "min_average": 80.5, "amount": "100.00"}
    ]
  }
}
"""


def tier(name: str, min_average: str, amount: str) -> dict[str, Any]:
    return {"name": name, "min_average": min_average, "amount": amount}


def rules(min_scored: int, *tiers: dict[str, Any]) -> IncentiveRules:
    body = {"incentives": {"min_scored": min_scored, "tiers": list(tiers)}}
    return parse_settings(body).incentives


GOLD_SILVER = rules(2, tier("silver", "80", "100.00"), tier("gold", "90", "200.00"))


# --- defaults -----------------------------------------------------------------------


def test_defaults() -> None:
    assert TenantSettings() == DEFAULT_SETTINGS
    assert DEFAULT_SETTINGS.time_zone == "Europe/Helsinki"
    assert DEFAULT_SETTINGS.period_kind == "month"
    assert DEFAULT_SETTINGS.period_anchor is None
    assert DEFAULT_SETTINGS.grace_days == 3
    assert DEFAULT_SETTINGS.currency == "EUR"
    assert DEFAULT_SETTINGS.incentives == IncentiveRules(min_scored=0, tiers=())
    assert str(DEFAULT_SETTINGS.zone) == "Europe/Helsinki"


def test_an_empty_body_gives_the_defaults() -> None:
    assert parse_settings({}) == DEFAULT_SETTINGS
    assert settings_to_dict(parse_settings({})) == DEFAULTS_AS_DICT


def test_an_empty_incentives_object_means_no_minimum_and_no_tiers() -> None:
    parsed = parse_settings({"incentives": {}})
    assert parsed.incentives.min_scored == 0
    assert parsed.incentives.tiers == ()


# --- a full body --------------------------------------------------------------------


def test_a_full_body_is_schema_valid() -> None:
    schemas.validate("settings", jsoncodec.loads(FULL_BODY_TEXT))


def test_parse_a_full_body() -> None:
    parsed = parse_settings(jsoncodec.loads(FULL_BODY_TEXT))
    assert parsed.time_zone == "Europe/Stockholm"
    assert parsed.period_kind == "two_weeks"
    assert parsed.period_anchor == date(2026, 11, 2)
    assert parsed.grace_days == 5
    assert parsed.currency == "SEK"
    assert parsed.incentives.min_scored == 4
    # Sorted highest threshold first, whatever order the body gave.
    assert [(t.name, t.min_average, t.amount) for t in parsed.incentives.tiers] == [
        ("gold", Decimal(90), Decimal(200)),
        ("silver", Decimal("80.5"), Decimal(100)),
        ("bronze", Decimal(70), Decimal(50)),
    ]
    for parsed_tier in parsed.incentives.tiers:
        assert isinstance(parsed_tier.min_average, Decimal)
        assert isinstance(parsed_tier.amount, Decimal)


def test_a_full_body_round_trips_through_settings_to_dict() -> None:
    parsed = parse_settings(jsoncodec.loads(FULL_BODY_TEXT))
    shown = settings_to_dict(parsed)
    assert shown["pay_period"] == {"kind": "two_weeks", "anchor": "2026-11-02"}
    assert [t["name"] for t in shown["incentives"]["tiers"]] == ["gold", "silver", "bronze"]
    # Decimals are shown as strings, never as floats.
    assert shown["incentives"]["tiers"][1] == {
        "name": "silver",
        "min_average": "80.5",
        "amount": "100.00",
    }
    schemas.validate("settings", shown)
    assert parse_settings(shown) == parsed


def test_numbers_from_python_floats_keep_their_decimal_digits() -> None:
    floats = {"incentives": {"tiers": [{"name": "x", "min_average": 80.1, "amount": 0.1}]}}
    only = parse_settings(floats).incentives.tiers[0]
    assert only.min_average == Decimal("80.1")
    assert only.amount == Decimal("0.1")


# --- errors name their field --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": "Europe/Helsinkii"}, "time_zone"),
        ({"time_zone": "EET+2"}, "time_zone"),
        ({"pay_period": {"kind": "two_weeks"}}, "pay_period.anchor"),
        ({"pay_period": {"kind": "month", "anchor": "2026-11-02"}}, "pay_period.anchor"),
        ({"pay_period": {"kind": "two_weeks", "anchor": "2026-02-30"}}, "pay_period.anchor"),
        (
            {"incentives": {"tiers": [tier("gold", "90", "200"), tier("gold", "80", "100")]}},
            "incentives.tiers[1].name",
        ),
        (
            # 90, "90" and 90.0 are one threshold.
            {
                "incentives": {
                    "tiers": [
                        tier("a", "70", "1"),
                        {"name": "b", "min_average": 90, "amount": "2"},
                        tier("c", "90.0", "3"),
                    ]
                }
            },
            "incentives.tiers[2].min_average",
        ),
        ({"incentives": {"tiers": [tier("gold", "90", "200.005")]}}, "incentives.tiers[0].amount"),
        (
            {
                "incentives": {
                    "tiers": [
                        tier("a", "80", "1.00"),
                        {"name": "b", "min_average": 90, "amount": Decimal("0.001")},
                    ]
                }
            },
            "incentives.tiers[1].amount",
        ),
    ],
)
def test_errors_name_the_field(body: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_settings(body)
    assert caught.value.field == field
    assert status_of(caught.value) == 400


def test_an_amount_with_three_decimals_as_a_json_number_passes_the_schema_but_not_parsing() -> None:
    body = jsoncodec.loads(
        b'{"incentives": {"tiers": [{"name": "gold", "min_average": 90, "amount": 100.125}]}}'
    )
    schemas.validate("settings", body)  # the schema cannot count a number's decimals
    with pytest.raises(InvalidInput) as caught:
        parse_settings(body)
    assert caught.value.field == "incentives.tiers[0].amount"


@pytest.mark.parametrize("constant", ["NaN", "Infinity"])
@pytest.mark.parametrize("key", ["min_average", "amount"])
def test_a_non_finite_number_is_refused_by_field(constant: str, key: str) -> None:
    # Python's JSON parser accepts NaN and Infinity; a NaN passes the schema's
    # minimum and maximum (every comparison with it is false).
    other = "amount" if key == "min_average" else "min_average"
    text = f'{{"incentives": {{"tiers": [{{"name": "g", "{key}": {constant}, "{other}": "1"}}]}}}}'
    with pytest.raises(ValueError, match="not a JSON number"):
        jsoncodec.loads(text)  # the API's parser refuses them outright
    with pytest.raises(InvalidInput) as caught:
        parse_settings(json.loads(text, parse_float=Decimal))  # and the rule holds without it
    assert caught.value.field == f"incentives.tiers[0].{key}"


# --- tier_for -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scored", "average", "expected"),
    [
        (2, "90.00", "gold"),  # inclusive: exactly the threshold
        (2, "89.99", "silver"),
        (2, "100.00", "gold"),
        (2, "80.00", "silver"),
        (2, "79.99", None),
        (0, None, None),
        (5, None, None),
        (1, "95.00", None),  # below min_scored
        (3, "95.00", "gold"),
    ],
)
def test_tier_for(scored: int, average: str | None, expected: str | None) -> None:
    found = GOLD_SILVER.tier_for(scored, None if average is None else Decimal(average))
    assert (found.name if found else None) == expected


def test_tier_for_with_min_scored_zero_still_needs_an_average() -> None:
    everyone = rules(0, tier("base", "0", "10.00"))
    assert everyone.tier_for(0, None) is None
    found = everyone.tier_for(0, Decimal("0.00"))
    assert found is not None
    assert found.amount == Decimal("10.00")


def test_tier_for_uses_the_value_it_is_given_without_rounding_it() -> None:
    # The export passes the reported (rounded) average; tier_for must not round
    # again, nor look past the value it is given.
    assert GOLD_SILVER.tier_for(2, Decimal("89.995")) == Tier(
        "silver", Decimal(80), Decimal("100.00")
    )
    assert GOLD_SILVER.tier_for(2, Decimal("90.00")) == Tier("gold", Decimal(90), Decimal("200.00"))
    assert GOLD_SILVER.tier_for(2, Decimal("79.9999999")) is None


def test_no_tiers_means_no_tier() -> None:
    assert IncentiveRules().tier_for(100, Decimal(100)) is None


# --- properties ---------------------------------------------------------------------

ZONES = ("Europe/Helsinki", "Europe/Stockholm", "UTC", "America/New_York", "Asia/Kolkata")


@st.composite
def decimal_values(draw: st.DrawFn, max_units: int) -> tuple[Any, Decimal]:
    """(how the body writes it, the exact value): a string, an int or a Decimal."""
    cents = draw(st.integers(min_value=0, max_value=max_units * 100))
    value = Decimal(cents) / 100
    style = draw(st.sampled_from(("string2", "string", "int", "decimal")))
    if style == "int":
        value = Decimal(cents // 100)
        return int(value), value
    if style == "decimal":
        return value, value
    text = f"{cents // 100}.{cents % 100:02d}" if style == "string2" else format(value, "f")
    return text, Decimal(text)


@st.composite
def settings_bodies(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A schema-valid body and, computed independently, what it should mean."""
    body: dict[str, Any] = {}
    expected: dict[str, Any] = {
        "time_zone": "Europe/Helsinki",
        "kind": "month",
        "anchor": None,
        "grace_days": 3,
        "currency": "EUR",
        "min_scored": 0,
    }
    if draw(st.booleans()):
        body["time_zone"] = expected["time_zone"] = draw(st.sampled_from(ZONES))
    if draw(st.booleans()):
        anchor = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
        body["pay_period"] = {"kind": "two_weeks", "anchor": anchor.isoformat()}
        expected["kind"], expected["anchor"] = "two_weeks", anchor
    elif draw(st.booleans()):
        body["pay_period"] = {"kind": "month"}
    if draw(st.booleans()):
        body["grace_days"] = expected["grace_days"] = draw(st.integers(0, 31))
    if draw(st.booleans()):
        body["currency"] = expected["currency"] = draw(st.from_regex(r"\A[A-Z]{3}\Z"))
    raw_tiers = draw(
        st.lists(
            st.tuples(
                st.text(min_size=1, max_size=40),
                decimal_values(100),
                decimal_values(99999),
            ),
            max_size=8,
            unique_by=(lambda t: t[0], lambda t: t[1][1]),
        )
    )
    incentives: dict[str, Any] = {}
    if draw(st.booleans()):
        incentives["min_scored"] = expected["min_scored"] = draw(st.integers(0, 10000))
    show_empty_tiers = draw(st.booleans())
    if raw_tiers or show_empty_tiers:
        incentives["tiers"] = [
            {"name": name, "min_average": shown, "amount": amount_shown}
            for name, (shown, _), (amount_shown, _) in raw_tiers
        ]
    show_empty_incentives = draw(st.booleans())
    if incentives or show_empty_incentives:
        body["incentives"] = incentives
    expected["tiers"] = [(name, value, amount) for name, (_, value), (_, amount) in raw_tiers]
    return body, expected


@SETTINGS_PROPERTY
@given(settings_bodies())
def test_any_valid_body_parses_to_what_it_says(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    body, expected = case
    schemas.validate("settings", body)
    parsed = parse_settings(body)
    assert parsed.time_zone == expected["time_zone"]
    assert parsed.period_kind == expected["kind"]
    assert parsed.period_anchor == expected["anchor"]
    assert parsed.grace_days == expected["grace_days"]
    assert parsed.currency == expected["currency"]
    assert parsed.incentives.min_scored == expected["min_scored"]
    highest_first = sorted(expected["tiers"], key=lambda t: t[1], reverse=True)
    assert [(t.name, t.min_average, t.amount) for t in parsed.incentives.tiers] == highest_first
    # What GET shows is itself a valid body that means the same.
    shown = settings_to_dict(parsed)
    schemas.validate("settings", shown)
    assert parse_settings(shown) == parsed


@SETTINGS_PROPERTY
@given(
    settings_bodies(),
    st.integers(min_value=0, max_value=10001),
    st.one_of(st.none(), st.decimals(min_value=0, max_value=101, places=2)),
)
def test_tier_for_is_the_highest_threshold_reached(
    case: tuple[dict[str, Any], dict[str, Any]], scored: int, average: Decimal | None
) -> None:
    body, expected = case
    incentives = parse_settings(body).incentives
    found = incentives.tier_for(scored, average)
    if average is None or scored < expected["min_scored"]:
        assert found is None
        return
    reached = [t for t in expected["tiers"] if t[1] <= average]
    if not reached:
        assert found is None
        return
    name, threshold, amount = max(reached, key=lambda t: t[1])
    assert found is not None
    assert (found.name, found.min_average, found.amount) == (name, threshold, amount)


# --- report settings ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("bands", "moment", "band"),
    [
        ({}, "06:59", "night"),
        ({}, "07:00", "day"),
        ({}, "14:59", "day"),
        ({}, "15:00", "evening"),
        ({}, "22:59", "evening"),
        ({}, "23:00", "night"),
        ({}, "00:00", "night"),
        # A night that starts after midnight: the evening runs across it.
        ({"night": "01:00"}, "00:30", "evening"),
        ({"night": "01:00"}, "01:00", "night"),
        ({"day": "06:30", "evening": "14:30", "night": "22:30"}, "06:29", "night"),
        ({"day": "06:30", "evening": "14:30", "night": "22:30"}, "06:30", "day"),
    ],
)
def test_a_local_time_falls_in_the_band_that_started_last(
    bands: dict[str, str], moment: str, band: str
) -> None:
    settings = parse_settings({"reports": {"shift_bands": bands}})
    assert settings.reports.shift_of(time.fromisoformat(moment)) == band


@pytest.mark.parametrize("value", ["7:00", "24:00", "07:00:00", "０７:00", "07.00"])
def test_a_band_start_is_a_time_like_07_00(value: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_settings({"reports": {"shift_bands": {"day": value}}})
    assert raised.value.field == "reports.shift_bands.day"


def test_two_bands_cannot_start_at_the_same_time() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_settings({"reports": {"shift_bands": {"day": "15:00"}}})
    assert raised.value.field == "reports.shift_bands"


def test_report_settings_stay_out_of_the_pay_rules() -> None:
    settings = parse_settings({"reports": {"leaderboard": True}})
    assert settings_to_dict(settings)["reports"]["leaderboard"] is True
    assert "reports" not in pay_rules_to_dict(settings)
    assert pay_rules_to_dict(settings) == {
        **{k: v for k, v in settings_to_dict(settings).items() if k not in ("reports", "coaching")},
        "disputes_at_export": "counted",
    }


def test_of_the_coaching_settings_only_what_a_dispute_counts_for_is_a_pay_rule() -> None:
    settings = parse_settings(
        {"coaching": {"disputes_at_export": "held", "dispute_window_days": 3}}
    )
    assert settings_to_dict(settings)["coaching"]["dispute_window_days"] == 3
    assert pay_rules_to_dict(settings)["disputes_at_export"] == "held"
    assert "coaching" not in pay_rules_to_dict(settings)


def _interval(n: int, low: str | None, high: str | None) -> MeanInterval:
    mean = Decimal(90)
    return MeanInterval(
        n=n,
        mean=mean,
        sd=None if low is None else Decimal(1),
        margin=None if low is None else Decimal(1),
        low=None if low is None else Decimal(low),
        high=None if high is None else Decimal(high),
    )


@pytest.mark.parametrize(
    ("scored", "low", "high", "uncertain"),
    [
        (10, "85.10", "92.30", True),  # gold starts at 90, inside the interval
        (10, "81.00", "89.99", False),  # all of it silver
        (10, "90.00", "95.00", False),  # at the line is gold: low < 90 does not hold
        (10, "85.00", "90.00", True),  # the top reaches gold
        (10, "70.00", "80.00", True),  # the top reaches silver
        (10, "92.00", "99.00", False),
        (4, "92.00", "99.00", True),  # too few to compare, whatever the interval
        (1, None, None, True),  # one score: no interval at all
    ],
)
def test_a_tier_is_uncertain_when_its_interval_crosses_a_tier_line(
    scored: int, low: str | None, high: str | None, uncertain: bool
) -> None:
    any_count = rules(1, tier("silver", "80", "100.00"), tier("gold", "90", "200.00"))
    assert any_count.tier_uncertain(scored, _interval(scored, low, high)) is uncertain


def test_nothing_to_decide_means_no_certainty_either_way() -> None:
    interval = _interval(10, "85.00", "95.00")
    assert rules(0).tier_uncertain(10, interval) is None  # no tiers
    assert GOLD_SILVER.tier_uncertain(1, interval) is None  # below min_scored 2
    assert GOLD_SILVER.tier_uncertain(0, None) is None

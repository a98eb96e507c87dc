"""Periods in the tenant's time zone (Europe/Helsinki: UTC+2, UTC+3 in summer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.periods import (
    DEFAULT_TIME_ZONE,
    month_of,
    parse_instant,
    parse_month,
    to_utc_iso,
)
from tests.unit.strategies import PROPERTY

HELSINKI = "Europe/Helsinki"


def test_default_time_zone_is_helsinki() -> None:
    assert DEFAULT_TIME_ZONE == HELSINKI


@pytest.mark.parametrize(
    ("instant", "month"),
    [
        # End of October is winter time (UTC+2): Helsinki midnight is 22:00 UTC.
        ("2026-10-31T22:30:00Z", "2026-11"),
        ("2026-10-31T22:00:00Z", "2026-11"),
        ("2026-10-31T21:59:59Z", "2026-10"),
        # End of March is summer time (UTC+3): Helsinki midnight is 21:00 UTC.
        ("2026-03-31T21:00:00Z", "2026-04"),
        ("2026-03-31T20:59:59Z", "2026-03"),
        # New year, winter time.
        ("2026-12-31T22:00:00Z", "2027-01"),
        ("2026-12-31T21:59:59Z", "2026-12"),
        # End of July, summer time.
        ("2026-07-31T21:30:00Z", "2026-08"),
        ("2026-07-31T20:30:00Z", "2026-07"),
        # The offset written in the input does not matter, only the instant.
        ("2026-11-01T00:30:00+02:00", "2026-11"),
        ("2026-10-31T17:30:00-05:00", "2026-11"),
        ("2026-11-01T00:30:00+03:00", "2026-10"),  # 23:30 on Oct 31 in EET
    ],
)
def test_month_of_at_month_boundaries(instant: str, month: str) -> None:
    assert month_of(parse_instant(instant, field="t"), HELSINKI) == month


def test_month_of_differs_from_utc_month_at_the_boundary() -> None:
    moment = parse_instant("2026-10-31T22:30:00Z", field="t")
    assert month_of(moment, "UTC") == "2026-10"
    assert month_of(moment, HELSINKI) == "2026-11"


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        # DST ends 2026-10-25 at 01:00 UTC: 04:00 EEST becomes 03:00 EET, so the
        # local hour 03:00-04:00 happens twice; the offset tells which one.
        ("2026-10-25T03:30:00+03:00", "2026-10-25T00:30:00Z"),
        ("2026-10-25T03:30:00+02:00", "2026-10-25T01:30:00Z"),
        # DST starts 2026-03-29 at 01:00 UTC: 03:00 EET jumps to 04:00 EEST.
        ("2026-03-29T02:59:59+02:00", "2026-03-29T00:59:59Z"),
        ("2026-03-29T04:00:00+03:00", "2026-03-29T01:00:00Z"),
    ],
)
def test_dst_nights_keep_instants_apart(local: str, utc: str) -> None:
    moment = parse_instant(local, field="t")
    assert to_utc_iso(moment) == utc
    assert month_of(moment, HELSINKI) == local[:7]


def test_repeated_autumn_hour_is_two_distinct_instants_in_the_same_month() -> None:
    first = parse_instant("2026-10-25T03:30:00+03:00", field="t")
    second = parse_instant("2026-10-25T03:30:00+02:00", field="t")
    assert second - first == timedelta(hours=1)
    assert month_of(first, HELSINKI) == month_of(second, HELSINKI) == "2026-10"


@PROPERTY
@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    )
)
def test_month_of_agrees_with_helsinki_wall_clock(moment: datetime) -> None:
    # Helsinki is UTC+2 or UTC+3: the month is the UTC month, or the next one in the
    # last two or three hours of the UTC month.
    month = month_of(moment, HELSINKI)
    candidates = {(moment + timedelta(hours=h)).strftime("%Y-%m") for h in (2, 3)}
    assert month in candidates
    assert month_of(parse_instant(to_utc_iso(moment), field="t"), HELSINKI) == month


@pytest.mark.parametrize("value", ["2026-11-02T14:05:00", "2026-11-02", "2026-11-02 14:05"])
def test_parse_instant_refuses_a_time_without_offset(value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_instant(value, field="contact.occurred_at")
    assert caught.value.field == "contact.occurred_at"
    assert "offset" in caught.value.message


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", ""])
def test_parse_instant_refuses_what_is_not_a_date_time(value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_instant(value, field="contact.occurred_at")
    assert caught.value.field == "contact.occurred_at"


def test_parse_instant_accepts_z_and_offsets() -> None:
    assert to_utc_iso(parse_instant("2026-11-02T14:05:00Z", field="t")) == "2026-11-02T14:05:00Z"
    assert (
        to_utc_iso(parse_instant("2026-11-02T14:05:00+02:00", field="t")) == "2026-11-02T12:05:00Z"
    )


def test_parse_month() -> None:
    assert parse_month("2026-11") == "2026-11"
    with pytest.raises(InvalidInput) as caught:
        parse_month("2026-13")
    assert caught.value.field == "period"

"""Pay periods in Europe/Helsinki (UTC+2, UTC+3 in summer) and when each is due.

DST ends on 2026-10-25 (04:00 EEST becomes 03:00 EET) and starts on 2027-03-28
(03:00 EET becomes 04:00 EEST). Expected instants are written out by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.pay_periods import Calendar, PayPeriod, local_midnight
from chalicelib.domain.settings import (
    DEFAULT_SETTINGS,
    SettingsRevision,
    TenantSettings,
    parse_settings,
)

HELSINKI = "Europe/Helsinki"
ONE_DAY = timedelta(days=1)
ONE_SECOND = timedelta(seconds=1)
PERIOD_PROPERTY = settings(max_examples=100, deadline=None)

MONTHLY = Calendar(())
TWO_WEEKS_SETTINGS = parse_settings({"pay_period": {"kind": "two_weeks", "anchor": "2026-11-02"}})
FORTNIGHTLY = Calendar([SettingsRevision(1, datetime(1970, 1, 1, tzinfo=UTC), TWO_WEEKS_SETTINGS)])


def utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None
    return moment


def two_weeks(anchor: str, grace_days: int = 3, time_zone: str = HELSINKI) -> TenantSettings:
    return parse_settings(
        {
            "time_zone": time_zone,
            "grace_days": grace_days,
            "pay_period": {"kind": "two_weeks", "anchor": anchor},
        }
    )


def revision(
    number: int, first_day: date, new: TenantSettings, zone_before: str = HELSINKI
) -> SettingsRevision:
    """A revision effective from local midnight of `first_day` in the zone then in force."""
    return SettingsRevision(number, local_midnight(first_day, zone_before), new)


def shape(periods: list[PayPeriod]) -> list[tuple[str, date, date]]:
    return [(p.label, p.start, p.end) for p in periods]


def assert_contiguous(periods: list[PayPeriod]) -> None:
    for before, after in pairwise(periods):
        assert after.start == before.end + ONE_DAY, (before, after)
    for period in periods:
        assert period.start <= period.end


# --- calendar months ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "label", "start", "end"),
    [
        (date(2026, 11, 15), "2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 11, 1), "2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 10, 31), "2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        (date(2026, 2, 28), "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        (date(2028, 2, 29), "2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        (date(2026, 12, 31), "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), "2027-01", date(2027, 1, 1), date(2027, 1, 31)),
    ],
)
def test_month_periods(day: date, label: str, start: date, end: date) -> None:
    period = MONTHLY.period_of(day)
    assert (period.label, period.start, period.end) == (label, start, end)
    assert period.is_calendar_month
    assert period.settings == DEFAULT_SETTINGS
    days = list(period.days())
    assert days[0] == start
    assert days[-1] == end
    assert len(days) == (end - start).days + 1


def test_months_between_two_days_are_contiguous_and_labelled() -> None:
    periods = MONTHLY.periods_between(date(2026, 10, 15), date(2027, 1, 5))
    assert [p.label for p in periods] == ["2026-10", "2026-11", "2026-12", "2027-01"]
    assert periods[0].start == date(2026, 10, 1)
    assert periods[-1].end == date(2027, 1, 31)
    assert_contiguous(periods)


@PERIOD_PROPERTY
@given(st.dates(min_value=date(1971, 1, 1), max_value=date(2099, 12, 31)))
def test_any_day_is_in_its_calendar_month(day: date) -> None:
    period = MONTHLY.period_of(day)
    assert period.start == date(day.year, day.month, 1)
    assert (period.end + ONE_DAY).day == 1
    assert period.end.month == day.month
    assert period.label == f"{day.year:04d}-{day.month:02d}"


# --- two-week periods ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 11, 2), date(2026, 11, 2), date(2026, 11, 15)),  # the anchor
        (date(2026, 11, 15), date(2026, 11, 2), date(2026, 11, 15)),
        (date(2026, 11, 16), date(2026, 11, 16), date(2026, 11, 29)),
        # Crosses a month end.
        (date(2026, 11, 30), date(2026, 11, 30), date(2026, 12, 13)),
        (date(2026, 12, 5), date(2026, 11, 30), date(2026, 12, 13)),
        # Crosses a year end.
        (date(2026, 12, 31), date(2026, 12, 28), date(2027, 1, 10)),
        (date(2027, 1, 10), date(2026, 12, 28), date(2027, 1, 10)),
        (date(2027, 1, 11), date(2027, 1, 11), date(2027, 1, 24)),
        # Days before the anchor.
        (date(2026, 11, 1), date(2026, 10, 19), date(2026, 11, 1)),
        (date(2026, 10, 19), date(2026, 10, 19), date(2026, 11, 1)),
        (date(2026, 10, 18), date(2026, 10, 5), date(2026, 10, 18)),
        (date(2026, 1, 1), date(2025, 12, 29), date(2026, 1, 11)),
    ],
)
def test_two_week_periods_from_an_anchor(day: date, start: date, end: date) -> None:
    period = FORTNIGHTLY.period_of(day)
    assert (period.label, period.start, period.end) == (start.isoformat(), start, end)
    assert not period.is_calendar_month
    assert len(list(period.days())) == 14


def test_two_week_periods_between_two_days() -> None:
    periods = FORTNIGHTLY.periods_between(date(2026, 11, 20), date(2027, 1, 1))
    assert [p.label for p in periods] == [
        "2026-11-16",
        "2026-11-30",
        "2026-12-14",
        "2026-12-28",
    ]
    assert_contiguous(periods)


@PERIOD_PROPERTY
@given(
    st.dates(min_value=date(1971, 1, 1), max_value=date(2099, 12, 31)),
    st.dates(min_value=date(1980, 1, 1), max_value=date(2090, 12, 31)),
)
def test_any_day_is_in_the_two_weeks_counted_from_the_anchor(day: date, anchor: date) -> None:
    calendar = Calendar(
        [SettingsRevision(1, datetime(1970, 1, 1, tzinfo=UTC), two_weeks(anchor.isoformat()))]
    )
    period = calendar.period_of(day)
    assert period.start <= day <= period.end
    assert (period.end - period.start).days == 13
    assert (period.start - anchor).days % 14 == 0
    assert period.label == period.start.isoformat()
    assert calendar.period_labelled(period.label) == period


# --- contacts on a period boundary --------------------------------------------------


def fortnightly(anchor: str) -> Calendar:
    return Calendar([SettingsRevision(1, datetime(1970, 1, 1, tzinfo=UTC), two_weeks(anchor))])


@pytest.mark.parametrize(
    ("anchor", "moment", "day", "label"),
    [
        # Winter (UTC+2): local midnight is 22:00 UTC the day before.
        (None, "2026-10-31T23:59:59+02:00", date(2026, 10, 31), "2026-10"),
        (None, "2026-11-01T00:00:00+02:00", date(2026, 11, 1), "2026-11"),
        (None, "2026-10-31T21:59:59+00:00", date(2026, 10, 31), "2026-10"),
        (None, "2026-10-31T22:00:00+00:00", date(2026, 11, 1), "2026-11"),
        (None, "2026-12-31T23:59:59+02:00", date(2026, 12, 31), "2026-12"),
        (None, "2027-01-01T00:00:00+02:00", date(2027, 1, 1), "2027-01"),
        # Summer (UTC+3): local midnight is 21:00 UTC.
        (None, "2026-06-30T23:59:59+03:00", date(2026, 6, 30), "2026-06"),
        (None, "2026-07-01T00:00:00+03:00", date(2026, 7, 1), "2026-07"),
        (None, "2026-06-30T20:59:59+00:00", date(2026, 6, 30), "2026-06"),
        (None, "2026-06-30T21:00:00+00:00", date(2026, 7, 1), "2026-07"),
        # A two-week boundary.
        ("2026-11-02", "2026-11-15T23:59:59+02:00", date(2026, 11, 15), "2026-11-02"),
        ("2026-11-02", "2026-11-16T00:00:00+02:00", date(2026, 11, 16), "2026-11-16"),
        # Two-week periods ending on the DST nights: 25 Oct 2026 has 25 hours,
        # 28 Mar 2027 has 23; the repeated hour 03:00-04:00 is on the 25th both times.
        ("2026-10-26", "2026-10-25T03:30:00+03:00", date(2026, 10, 25), "2026-10-12"),
        ("2026-10-26", "2026-10-25T03:30:00+02:00", date(2026, 10, 25), "2026-10-12"),
        ("2026-10-26", "2026-10-25T23:59:59+02:00", date(2026, 10, 25), "2026-10-12"),
        ("2026-10-26", "2026-10-26T00:00:00+02:00", date(2026, 10, 26), "2026-10-26"),
        ("2027-03-29", "2027-03-28T02:59:59+02:00", date(2027, 3, 28), "2027-03-15"),
        ("2027-03-29", "2027-03-28T04:00:00+03:00", date(2027, 3, 28), "2027-03-15"),
        ("2027-03-29", "2027-03-28T23:59:59+03:00", date(2027, 3, 28), "2027-03-15"),
        ("2027-03-29", "2027-03-29T00:00:00+03:00", date(2027, 3, 29), "2027-03-29"),
    ],
)
def test_contacts_at_the_last_and_first_second_of_a_period(
    anchor: str | None, moment: str, day: date, label: str
) -> None:
    calendar = MONTHLY if anchor is None else fortnightly(anchor)
    found = calendar.day_of(utc(moment))
    assert found == day
    assert calendar.period_of(found).label == label


# --- due instants across the DST nights ---------------------------------------------


@pytest.mark.parametrize(
    ("label", "due"),
    [
        # October 2026 (DST ended on the 25th): 4 Nov 00:00 EET.
        ("2026-10", datetime(2026, 11, 3, 22, 0, tzinfo=UTC)),
        # March 2027 (DST started on the 28th): 4 Apr 00:00 EEST.
        ("2027-03", datetime(2027, 4, 3, 21, 0, tzinfo=UTC)),
        # September 2026 ends in summer time, and is due in summer time.
        ("2026-09", datetime(2026, 10, 3, 21, 0, tzinfo=UTC)),
        # February 2027 ends in winter time, and is due in winter time.
        ("2027-02", datetime(2027, 3, 3, 22, 0, tzinfo=UTC)),
    ],
)
def test_due_at_of_months_with_grace_3(label: str, due: datetime) -> None:
    period = MONTHLY.period_labelled(label)
    assert period.settings.grace_days == 3
    assert period.due_at() == due
    assert period.due_at().utcoffset() is not None


@pytest.mark.parametrize(
    ("day", "due"),
    [
        # Oct 8-21; due on the DST night itself: 25 Oct 00:00 is still EEST.
        (date(2026, 10, 21), datetime(2026, 10, 24, 21, 0, tzinfo=UTC)),
        # Oct 22 - Nov 4, spanning the autumn change; due 8 Nov 00:00 EET.
        (date(2026, 10, 25), datetime(2026, 11, 7, 22, 0, tzinfo=UTC)),
        # Mar 11-24 2027; due 28 Mar 00:00, still EET (the change is at 03:00).
        (date(2027, 3, 24), datetime(2027, 3, 27, 22, 0, tzinfo=UTC)),
        # Mar 25 - Apr 7 2027, spanning the spring change; due 11 Apr 00:00 EEST.
        (date(2027, 3, 28), datetime(2027, 4, 10, 21, 0, tzinfo=UTC)),
    ],
)
def test_due_at_of_two_week_periods_around_the_dst_nights(day: date, due: datetime) -> None:
    assert fortnightly("2026-10-08").period_of(day).due_at() == due


@pytest.mark.parametrize(
    ("grace_days", "due"),
    [
        (0, datetime(2026, 10, 31, 22, 0, tzinfo=UTC)),
        (1, datetime(2026, 11, 1, 22, 0, tzinfo=UTC)),
        (31, datetime(2026, 12, 1, 22, 0, tzinfo=UTC)),
    ],
)
def test_due_at_follows_the_grace_days(grace_days: int, due: datetime) -> None:
    settings_ = parse_settings({"grace_days": grace_days})
    calendar = Calendar([SettingsRevision(1, datetime(1970, 1, 1, tzinfo=UTC), settings_)])
    assert calendar.period_labelled("2026-10").due_at() == due


def test_local_midnights_around_the_dst_months() -> None:
    def instant(day: date) -> datetime:
        return local_midnight(day, HELSINKI).astimezone(UTC)

    # October 2026 has an extra hour, March 2027 one hour less.
    assert instant(date(2026, 11, 1)) - instant(date(2026, 10, 1)) == timedelta(days=31, hours=1)
    assert instant(date(2027, 4, 1)) - instant(date(2027, 3, 1)) == timedelta(days=31, hours=-1)
    assert instant(date(2026, 10, 25)) == datetime(2026, 10, 24, 21, 0, tzinfo=UTC)
    assert instant(date(2026, 10, 26)) == datetime(2026, 10, 25, 22, 0, tzinfo=UTC)


# --- due(since, now): late, repeated and skipped heartbeats -------------------------

OCTOBER_DUE = datetime(2026, 11, 3, 22, 0, tzinfo=UTC)
MARCH_DUE = datetime(2027, 4, 3, 21, 0, tzinfo=UTC)


def due_labels(calendar: Calendar, since: date, now: datetime) -> list[str]:
    return [p.label for p in calendar.due(since, now)]


def test_a_month_is_due_at_its_instant_and_not_a_second_before() -> None:
    since = date(2026, 10, 1)
    assert due_labels(MONTHLY, since, OCTOBER_DUE - ONE_SECOND) == []
    assert due_labels(MONTHLY, since, OCTOBER_DUE) == ["2026-10"]


def test_march_is_due_an_hour_earlier_in_utc_than_winter_months() -> None:
    since = date(2027, 3, 1)
    assert due_labels(MONTHLY, since, MARCH_DUE - ONE_SECOND) == []
    assert due_labels(MONTHLY, since, MARCH_DUE) == ["2027-03"]


def test_a_heartbeat_twice_or_late_or_after_a_gap_finds_the_same_periods() -> None:
    since = date(2026, 10, 1)
    first = MONTHLY.due(since, OCTOBER_DUE)
    assert MONTHLY.due(since, OCTOBER_DUE) == first  # fired twice
    assert due_labels(MONTHLY, since, OCTOBER_DUE + timedelta(minutes=59)) == ["2026-10"]  # late
    # Skipped for two days: still just October.
    assert due_labels(MONTHLY, since, OCTOBER_DUE + timedelta(days=2)) == ["2026-10"]
    # Skipped for a month: October and November, oldest first.
    november_due = datetime(2026, 12, 3, 22, 0, tzinfo=UTC)
    assert due_labels(MONTHLY, since, november_due - ONE_SECOND) == ["2026-10"]
    assert due_labels(MONTHLY, since, november_due) == ["2026-10", "2026-11"]


def test_due_starts_from_the_period_holding_since() -> None:
    assert due_labels(MONTHLY, date(2026, 9, 15), OCTOBER_DUE) == ["2026-09", "2026-10"]
    assert due_labels(MONTHLY, date(2026, 11, 1), OCTOBER_DUE) == []


def test_two_week_periods_fall_due_one_after_another() -> None:
    # 2026-11-02..15 is due 19 Nov 00:00 EET = 18 Nov 22:00 UTC.
    due = datetime(2026, 11, 18, 22, 0, tzinfo=UTC)
    since = date(2026, 11, 2)
    assert due_labels(FORTNIGHTLY, since, due - ONE_SECOND) == []
    assert due_labels(FORTNIGHTLY, since, due) == ["2026-11-02"]
    assert due_labels(FORTNIGHTLY, since, due + timedelta(days=14)) == [
        "2026-11-02",
        "2026-11-16",
    ]


# --- settings revisions -------------------------------------------------------------

SWITCH_DAY = date(2026, 11, 16)


def test_month_to_two_weeks_cuts_the_month_at_the_effective_day() -> None:
    calendar = Calendar([revision(1, SWITCH_DAY, two_weeks("2026-11-16"))])
    periods = calendar.periods_between(date(2026, 10, 1), date(2026, 12, 31))
    assert shape(periods) == [
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 15)),
        ("2026-11-16", date(2026, 11, 16), date(2026, 11, 29)),
        ("2026-11-30", date(2026, 11, 30), date(2026, 12, 13)),
        ("2026-12-14", date(2026, 12, 14), date(2026, 12, 27)),
        ("2026-12-28", date(2026, 12, 28), date(2027, 1, 10)),
    ]
    assert [p.settings.period_kind for p in periods] == ["month", "month"] + ["two_weeks"] * 4
    assert periods[0].is_calendar_month
    assert not periods[1].is_calendar_month  # cut short
    # The cut month is due three days after its new last day.
    assert periods[1].due_at() == datetime(2026, 11, 18, 22, 0, tzinfo=UTC)


def test_the_effective_instant_splits_contacts_between_the_two_calendars() -> None:
    calendar = Calendar([revision(1, SWITCH_DAY, two_weeks("2026-11-16"))])
    effective = datetime(2026, 11, 15, 22, 0, tzinfo=UTC)  # 16 Nov 00:00 EET
    before, at = effective - ONE_SECOND, effective
    assert calendar.settings_at(before) == DEFAULT_SETTINGS
    assert calendar.settings_at(at).period_kind == "two_weeks"
    assert calendar.period_of(calendar.day_of(before)).label == "2026-11"
    assert calendar.period_of(calendar.day_of(at)).label == "2026-11-16"


def test_an_anchor_off_the_effective_day_starts_the_first_period_at_the_effective_day() -> None:
    calendar = Calendar([revision(1, SWITCH_DAY, two_weeks("2026-11-09"))])
    periods = calendar.periods_between(date(2026, 11, 1), date(2026, 12, 10))
    assert [(p.start, p.end) for p in periods] == [
        (date(2026, 11, 1), date(2026, 11, 15)),
        (date(2026, 11, 16), date(2026, 11, 22)),
        (date(2026, 11, 23), date(2026, 12, 6)),
        (date(2026, 12, 7), date(2026, 12, 20)),
    ]
    assert_contiguous(periods)
    # Every period, the cut one included, can be found by its label.
    for period in periods:
        assert calendar.period_labelled(period.label) == period


def test_after_an_exported_month_the_first_two_weeks_start_on_the_next_day() -> None:
    # November exported, so the change applies from 1 Dec; the anchor's rhythm
    # puts a period start on 30 Nov, so the first two weeks are 1-13 Dec.
    calendar = Calendar([revision(1, date(2026, 12, 1), two_weeks("2026-11-02"))])
    periods = calendar.periods_between(date(2026, 11, 1), date(2026, 12, 31))
    assert [(p.start, p.end) for p in periods] == [
        (date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2026, 12, 13)),
        (date(2026, 12, 14), date(2026, 12, 27)),
        (date(2026, 12, 28), date(2027, 1, 10)),
    ]
    assert periods[0].label == "2026-11"
    assert periods[0].is_calendar_month
    assert periods[1].due_at() == datetime(2026, 12, 16, 22, 0, tzinfo=UTC)
    for period in periods:
        assert calendar.period_labelled(period.label) == period


def test_two_weeks_to_month_cuts_the_two_weeks_and_starts_a_short_month() -> None:
    calendar = Calendar(
        [
            SettingsRevision(1, datetime(1970, 1, 1, tzinfo=UTC), two_weeks("2026-11-02")),
            revision(2, date(2026, 11, 23), DEFAULT_SETTINGS),
        ]
    )
    periods = calendar.periods_between(date(2026, 11, 2), date(2026, 12, 31))
    assert [(p.start, p.end) for p in periods] == [
        (date(2026, 11, 2), date(2026, 11, 15)),
        (date(2026, 11, 16), date(2026, 11, 22)),
        (date(2026, 11, 23), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2026, 12, 31)),
    ]
    assert [p.label for p in periods][-1] == "2026-12"
    assert periods[2].label == "2026-11"
    for period in periods:
        assert calendar.period_labelled(period.label) == period


def test_a_time_zone_change_takes_effect_at_midnight_in_the_old_zone() -> None:
    utc_settings = parse_settings({"time_zone": "UTC"})
    calendar = Calendar([revision(1, date(2026, 12, 1), utc_settings)])
    effective = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)  # 1 Dec 00:00 EET
    assert calendar.settings_at(effective - ONE_SECOND).time_zone == HELSINKI
    assert calendar.settings_at(effective).time_zone == "UTC"
    assert calendar.settings_on(date(2026, 11, 30)).time_zone == HELSINKI
    assert calendar.settings_on(date(2026, 12, 1)).time_zone == "UTC"
    november = calendar.period_labelled("2026-11")
    december = calendar.period_labelled("2026-12")
    assert (november.start, november.end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert (december.start, december.end) == (date(2026, 12, 1), date(2026, 12, 31))
    # Each month is due at midnight in its own zone.
    assert november.due_at() == datetime(2026, 12, 3, 22, 0, tzinfo=UTC)
    assert december.due_at() == datetime(2027, 1, 4, 0, 0, tzinfo=UTC)
    # Before the change a contact is on a Helsinki day, after it on a UTC day.
    assert calendar.day_of(datetime(2026, 11, 30, 21, 59, 59, tzinfo=UTC)) == date(2026, 11, 30)
    assert calendar.day_of(datetime(2026, 12, 1, 0, 0, tzinfo=UTC)) == date(2026, 12, 1)
    assert calendar.day_of(datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)) == date(2026, 11, 30)


@pytest.mark.parametrize("zone", ["Europe/Stockholm", "UTC", "America/New_York", "Asia/Tokyo"])
def test_a_later_revision_at_the_same_instant_replaces_a_pending_time_zone_change(
    zone: str,
) -> None:
    # Saved in November: a new zone from 1 Dec, then, before December, other rules.
    # Both take effect at 1 Dec 00:00 Helsinki; the second replaces the first, and
    # November stays one whole period.
    effective = local_midnight(date(2026, 12, 1), HELSINKI)
    new_rules = parse_settings({"incentives": {"min_scored": 1}})
    calendar = Calendar(
        [
            SettingsRevision(1, effective, parse_settings({"time_zone": zone})),
            SettingsRevision(2, effective, new_rules),
        ]
    )
    periods = calendar.periods_between(date(2026, 11, 1), date(2026, 12, 31))
    assert shape(periods) == [
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ]
    assert periods[0].settings == DEFAULT_SETTINGS
    assert periods[1].settings == new_rules
    assert calendar.settings_at(effective) == new_rules
    assert calendar.settings_at(effective - ONE_SECOND) == DEFAULT_SETTINGS


@PERIOD_PROPERTY
@given(
    st.sampled_from(("UTC", "Asia/Tokyo", "America/New_York", "Europe/Stockholm")),
    st.integers(min_value=-3 * 86400, max_value=3 * 86400),
    st.integers(min_value=0, max_value=3 * 86400),
)
def test_days_never_go_backwards_across_a_time_zone_change(
    zone: str, offset: int, gap: int
) -> None:
    calendar = Calendar([revision(1, date(2026, 12, 1), parse_settings({"time_zone": zone}))])
    effective = local_midnight(date(2026, 12, 1), HELSINKI)
    first = effective + timedelta(seconds=offset)
    second = first + timedelta(seconds=gap)
    first_day, second_day = calendar.day_of(first), calendar.day_of(second)
    assert first_day <= second_day
    # A contact before the change is never placed on the new zone's first day or later,
    # nor one after it on a day before the old zone's last.
    if first < effective:
        assert first_day <= date(2026, 11, 30)
    else:
        assert first_day >= date(2026, 11, 30)
    period = calendar.period_of(first_day)
    assert period.start <= first_day <= period.end


# --- period_labelled ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "label", "start", "end"),
    [
        (MONTHLY, "2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        (MONTHLY, "2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        (FORTNIGHTLY, "2026-11-16", date(2026, 11, 16), date(2026, 11, 29)),
        (FORTNIGHTLY, "2026-10-19", date(2026, 10, 19), date(2026, 11, 1)),
    ],
)
def test_period_labelled(calendar: Calendar, label: str, start: date, end: date) -> None:
    period = calendar.period_labelled(label)
    assert (period.label, period.start, period.end) == (label, start, end)


@pytest.mark.parametrize(
    ("calendar", "label"),
    [
        (MONTHLY, "2026-13"),
        (MONTHLY, "2026-00"),
        (MONTHLY, "2026-1"),
        (MONTHLY, "november"),
        (MONTHLY, ""),
        (MONTHLY, "2026-11-01"),  # a day, not a month
        (MONTHLY, "2026-11-31"),
        (FORTNIGHTLY, "2026-11"),  # a month, not a two-week period
        (FORTNIGHTLY, "2026-11-03"),  # inside a period, not its first day
        (FORTNIGHTLY, "20261102"),  # the basic ISO form
        (FORTNIGHTLY, "2026-W45-1"),  # an ISO week date of 2026-11-02
        (FORTNIGHTLY, "9999-12-27"),  # its period would end past the last date
    ],
)
def test_period_labelled_refuses_anything_but_a_period_label(
    calendar: Calendar, label: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        calendar.period_labelled(label)
    assert caught.value.field == "period"

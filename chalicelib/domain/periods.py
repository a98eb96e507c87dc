"""Periods are computed in the tenant's time zone; time is stored in UTC."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import InvalidInput

DEFAULT_TIME_ZONE = "Europe/Helsinki"
# strptime alone takes 2026-1 and other scripts' digits.
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


# A day inside the ends of Python's calendar, so an instant has a UTC time and a
# local date in every time zone (year 1 at +14:00 is still year 0 in UTC).
FIRST_INSTANT = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
LAST_INSTANT = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)


def in_calendar(moment: datetime) -> bool:
    """Whether `moment` has a UTC time and a local date in every time zone."""
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        return False
    return FIRST_INSTANT <= utc <= LAST_INSTANT


def parse_instant(value: str, field: str) -> datetime:
    """An ISO 8601 date-time that must carry its offset, as an aware datetime."""
    try:
        # fromisoformat also reads other scripts' digits; a stored time is ASCII.
        if not value.isascii():
            raise ValueError(value)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"'{value}' is not an ISO 8601 date-time", field=field) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InvalidInput(
            f"'{value}' has no UTC offset; write it like 2026-11-02T14:05:00+02:00",
            field=field,
        )
    if not in_calendar(parsed):
        raise InvalidInput(
            f"'{value}' is outside the calendar Laatu keeps", field=field, code="out_of_range"
        )
    return parsed


def to_utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def month_of(moment: datetime, time_zone: str) -> str:
    """The calendar month, YYYY-MM, that `moment` falls in where the tenant is."""
    return month_label(moment.astimezone(ZoneInfo(time_zone)))


def month_label(day: date) -> str:
    """YYYY-MM. strftime's %Y does not pad years before 1000 on every platform."""
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(value: str, field: str = "period") -> str:
    try:
        if not _MONTH.fullmatch(value):
            raise ValueError(value)
        parsed = datetime.strptime(value, "%Y-%m")  # noqa: DTZ007 - a month label, not an instant
    except ValueError:
        raise InvalidInput(f"'{value}' is not a month like 2026-11", field=field) from None
    return month_label(parsed)

"""Periods are computed in the tenant's time zone; time is stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import InvalidInput

DEFAULT_TIME_ZONE = "Europe/Helsinki"


def parse_instant(value: str, field: str) -> datetime:
    """An ISO 8601 date-time that must carry its offset, as an aware datetime."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"'{value}' is not an ISO 8601 date-time", field=field) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InvalidInput(
            f"'{value}' has no UTC offset; write it like 2026-11-02T14:05:00+02:00",
            field=field,
        )
    return parsed


def to_utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def month_of(moment: datetime, time_zone: str) -> str:
    """The calendar month, YYYY-MM, that `moment` falls in where the tenant is."""
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m")


def parse_month(value: str, field: str = "period") -> str:
    try:
        parsed = datetime.strptime(value, "%Y-%m")  # noqa: DTZ007 - a month label, not an instant
    except ValueError:
        raise InvalidInput(f"'{value}' is not a month like 2026-11", field=field) from None
    return parsed.strftime("%Y-%m")

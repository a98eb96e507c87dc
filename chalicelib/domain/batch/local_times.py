"""When a contact happened, as a batch row writes it.

ISO 8601 with an offset is kept as written. A local time without one is read in
the tenant's time zone: a time in the spring-forward gap does not exist and is
refused; a time in the autumn overlap happened twice and is taken as the first
(summer time), with a warning.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.batch.problems import shown
from chalicelib.domain.periods import in_calendar

# Local date-times as spreadsheets write them: ISO (2026-11-02 10:15[:00]) or
# Finnish (2.11.2026 10.15 / 10:15, optionally "klo" before the time). ASCII digits
# only: `\d` would also take Arabic-Indic and other Unicode digits.
_ISO_LOCAL = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})[T ]+"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?",
    re.ASCII,
)
_FINNISH_LOCAL = re.compile(
    r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})\s+(?:klo\s+)?"
    r"(?P<H>\d{1,2})[.:](?P<M>\d{2})(?:[.:](?P<S>\d{2}))?",
    re.ASCII,
)
_HAS_OFFSET = re.compile(r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$", re.ASCII)


class OutOfCalendar(ValueError):
    """A time at the very ends of the calendar, with no UTC time or local date."""


def contact_time(text: str, time_zone: str) -> tuple[str, str | None]:
    """ISO 8601 with offset, kept; or a local time, placed in `time_zone`.

    Returns (ISO 8601 with offset, warning or None). Raises ValueError for a
    time that is not readable, that did not exist there (a DST gap), or that is
    at the ends of the calendar (OutOfCalendar).
    """
    value = " ".join(text.split())
    if _HAS_OFFSET.search(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"'{shown(value)}' is not a date-time; write it like 2026-11-02T10:15:00+02:00"
            ) from None
        if moment.utcoffset() is not None:
            return _check_calendar(moment, value).isoformat(), None
    local = _local(value)
    zone = ZoneInfo(time_zone)
    first = _check_calendar(local.replace(tzinfo=zone, fold=0), value)
    second = _check_calendar(local.replace(tzinfo=zone, fold=1), value)
    if first.utcoffset() == second.utcoffset():
        return first.isoformat(), None
    wall = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if wall != local:
        raise ValueError(
            f"{local:%Y-%m-%d %H:%M} does not exist in {time_zone}: the clocks jumped over it "
            "(daylight saving time); check the time or write it with its offset"
        )
    return first.isoformat(), (
        f"{local:%Y-%m-%d %H:%M} happened twice in {time_zone} (the clocks went back); "
        f"read as the first, {first.isoformat()}; write the offset to choose the second "
        f"({second.isoformat()})"
    )


def _check_calendar(moment: datetime, value: str) -> datetime:
    if not in_calendar(moment):
        raise OutOfCalendar(
            f"'{shown(value)}' is too close to the ends of the calendar to convert "
            "to UTC; check the year"
        )
    return moment


def _local(value: str) -> datetime:
    match = _ISO_LOCAL.fullmatch(value) or _FINNISH_LOCAL.fullmatch(value)
    if match is None:
        raise ValueError(
            f"'{shown(value)}' is not a date and time; write 2026-11-02 10:15, "
            "2.11.2026 10.15 or 2026-11-02T10:15:00+02:00"
        )
    parts = match.groupdict()
    try:
        return datetime(  # noqa: DTZ001 - a wall-clock time, placed in a zone by the caller
            int(parts["y"]),
            int(parts["m"]),
            int(parts["d"]),
            int(parts["H"]),
            int(parts["M"]),
            int(parts["S"] or 0),
        )
    except ValueError as exc:
        raise ValueError(f"'{shown(value)}' is not a real date and time: {exc}") from None

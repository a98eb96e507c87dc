"""Which local days a report covers, and which cells make them up.

A range is written `kind:value`: `day:2026-11-02`, `week:2026-W45` (ISO week),
`month:2026-11`, `quarter:2026-Q4`, `pay:<pay period label>` or
`custom:2026-11-01..2026-11-15`. Days are local days in the tenant's time zone,
the same days the stream placed each contact on.

A range is read as whole months where it covers them and single days elsewhere,
so a month costs one cell per agent and a quarter three.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.pay_periods import Calendar
from chalicelib.domain.settings import EARLIEST_DATE, LATEST_DATE

ONE_DAY = timedelta(days=1)
MAX_CUSTOM_DAYS = 366
TREND_KINDS = ("week", "month", "quarter")
MAX_TREND_POINTS = 24

_FORMS = {
    "day": re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII),
    "week": re.compile(r"([0-9]{4})-W([0-9]{2})", re.ASCII),
    "month": re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII),
    "quarter": re.compile(r"([0-9]{4})-Q([1-4])", re.ASCII),
    "custom": re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.\.([0-9]{4}-[0-9]{2}-[0-9]{2})", re.ASCII),
}
_EXAMPLES = (
    "day:2026-11-02, week:2026-W45, month:2026-11, quarter:2026-Q4, "
    "pay:2026-11 or custom:2026-11-01..2026-11-15"
)


@dataclass(frozen=True)
class ReportRange:
    kind: str
    label: str
    first: date
    last: date  # inclusive

    def days(self) -> Iterator[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += ONE_DAY

    def to_dict(self, time_zone: str) -> dict[str, str]:
        return {
            "kind": self.kind,
            "label": self.label,
            "first_day": self.first.isoformat(),
            "last_day": self.last.isoformat(),
            "time_zone": time_zone,
        }


def _bad(value: str) -> InvalidInput:
    return InvalidInput(f"'{value}' is not a range like {_EXAMPLES}", field="range")


def _check_days(first: date, last: date, value: str) -> None:
    if not (EARLIEST_DATE <= first <= last <= LATEST_DATE):
        raise InvalidInput(
            f"'{value}' must lie from {EARLIEST_DATE} to {LATEST_DATE}, first day first",
            field="range",
            code="out_of_range",
        )


def parse_range(value: str, pay_calendar: Calendar) -> ReportRange:
    kind, _, text = value.partition(":")
    if kind == "pay":
        try:
            period = pay_calendar.period_labelled(text)
        except InvalidInput as exc:
            # The calendar names its own field; here the label came in `range`.
            raise InvalidInput(exc.message, field="range", code=exc.code) from None
        return ReportRange("pay", period.label, period.start, period.end)
    pattern = _FORMS.get(kind)
    match = pattern.fullmatch(text) if pattern else None
    if match is None:
        raise _bad(value)
    try:
        if kind == "custom":
            first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
            _check_days(first, last, value)
            if (last - first).days + 1 > MAX_CUSTOM_DAYS:
                raise InvalidInput(
                    f"a custom range covers at most {MAX_CUSTOM_DAYS} days",
                    field="range",
                    code="out_of_range",
                )
            return ReportRange(kind, text, first, last)
        found = period_of_label(kind, text)
    except ValueError:
        raise _bad(value) from None
    _check_days(found.first, found.last, value)
    return found


def period_of_label(kind: str, label: str) -> ReportRange:
    """The day, week, month or quarter a label names; ValueError when it names none."""
    match = _FORMS[kind].fullmatch(label)
    if match is None:
        raise ValueError(label)
    year = int(match[1])
    if kind == "day":
        day = date.fromisoformat(label)
        return ReportRange(kind, label, day, day)
    if kind == "week":
        monday = date.fromisocalendar(year, int(match[2]), 1)
        return ReportRange(kind, label, monday, monday + timedelta(days=6))
    if kind == "month":
        first = date(year, int(match[2]), 1)
        return ReportRange(kind, label, first, _month_end(first))
    quarter = int(match[2])
    first = date(year, 3 * quarter - 2, 1)
    return ReportRange(kind, label, first, _month_end(date(year, 3 * quarter, 1)))


def label_of(kind: str, day: date) -> str:
    """The label of the week, month or quarter holding `day`."""
    if kind == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if kind == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if kind == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    return day.isoformat()


def trend_periods(kind: str, end: ReportRange, count: int) -> list[ReportRange]:
    """`count` consecutive periods of `kind` ending with `end`, oldest first."""
    periods = [end]
    while len(periods) < count:
        before = periods[-1].first - ONE_DAY
        if before < EARLIEST_DATE:
            break
        periods.append(period_of_label(kind, label_of(kind, before)))
    return periods[::-1]


def previous_period(kind: str, current: ReportRange) -> ReportRange | None:
    """The period just before: the same kind, or as many days for pay and custom."""
    before = current.first - ONE_DAY
    if before < EARLIEST_DATE:
        return None
    if kind in ("day", *TREND_KINDS):
        return period_of_label(kind, label_of(kind, before))
    length = (current.last - current.first).days
    first = before - timedelta(days=length)
    if first < EARLIEST_DATE:
        return None
    return ReportRange("custom", f"{first}..{before}", first, before)


def _month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def buckets(first: date, last: date) -> list[str]:
    """The cell buckets whose sum is exactly the days first..last: whole months as
    `2026-11`, the days of a partly covered month one by one."""
    out: list[str] = []
    month = first.replace(day=1)
    while month <= last:
        month_end = _month_end(month)
        if first <= month and month_end <= last:
            out.append(label_of("month", month))
        else:
            day = max(first, month)
            while day <= min(last, month_end):
                out.append(day.isoformat())
                day += ONE_DAY
        month = month_end + ONE_DAY
    return out


def buckets_of_spans(spans: Iterable[tuple[date, date]]) -> list[str]:
    out: list[str] = []
    for first, last in spans:
        out.extend(buckets(first, last))
    return out

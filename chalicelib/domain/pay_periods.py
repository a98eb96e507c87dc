"""Pay periods in the tenant's calendar, and when each one is due for export.

A period is a run of local days: a calendar month (label `2026-11`) or two
weeks counted from an anchor day (label: its first day, `2026-11-02`). When a
settings revision changes the calendar, the periods on either side of its
effective day are cut there, so every day belongs to exactly one period.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.periods import month_label
from chalicelib.domain.settings import (
    DEFAULT_SETTINGS,
    EARLIEST_DATE,
    LATEST_DATE,
    SettingsRevision,
    TenantSettings,
)

TWO_WEEKS = timedelta(days=14)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class PayPeriod:
    label: str
    start: date  # first local day
    end: date  # last local day, inclusive
    settings: TenantSettings

    def days(self) -> Iterator[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += ONE_DAY

    @property
    def is_calendar_month(self) -> bool:
        first = self.start.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return (self.start, self.end) == (first, last)

    def due_at(self) -> datetime:
        """Local midnight after the last day plus the grace days, as an aware instant."""
        day = self.end + ONE_DAY + timedelta(days=self.settings.grace_days)
        return local_midnight(day, self.settings.time_zone)


def local_midnight(day: date, time_zone: str) -> datetime:
    # zoneinfo resolves a midnight that a DST change skips or repeats (fold=0).
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(time_zone))


def local_day(moment: datetime, time_zone: str) -> date:
    return moment.astimezone(ZoneInfo(time_zone)).date()


def _plain_period(day: date, settings: TenantSettings) -> tuple[str, date, date]:
    if settings.period_kind == "month":
        first = day.replace(day=1)
        last = first.replace(day=calendar.monthrange(day.year, day.month)[1])
        return month_label(first), first, last
    anchor = settings.period_anchor
    assert anchor is not None  # parse_settings requires it for two-week periods
    start = anchor + TWO_WEEKS * ((day - anchor).days // 14)
    return start.isoformat(), start, start + TWO_WEEKS - ONE_DAY


@dataclass(frozen=True)
class Calendar:
    """A tenant's settings history seen as one calendar of pay periods."""

    revisions: Sequence[SettingsRevision]

    def _ordered(self) -> list[SettingsRevision]:
        return sorted(self.revisions, key=lambda r: (r.effective_from, r.revision))

    def _effective_days(self) -> list[tuple[date, TenantSettings]]:
        """(first local day, settings) of each revision, oldest first."""
        out: list[tuple[date, TenantSettings]] = []
        latest, before = DEFAULT_SETTINGS, DEFAULT_SETTINGS
        instant: datetime | None = None
        for revision in self._ordered():
            if revision.effective_from != instant:
                # Revisions sharing an instant replace one another: the zone in force
                # before it is the one in force before the first of them.
                instant, before = revision.effective_from, latest
            # The effective instant is a local midnight in the zone that was in force.
            out.append((local_day(revision.effective_from, before.time_zone), revision.settings))
            latest = revision.settings
        return out

    def settings_on(self, day: date) -> TenantSettings:
        current = DEFAULT_SETTINGS
        for first_day, settings in self._effective_days():
            if first_day <= day:
                current = settings
        return current

    def settings_at(self, moment: datetime) -> TenantSettings:
        current = DEFAULT_SETTINGS
        for revision in self._ordered():
            if revision.effective_from <= moment:
                current = revision.settings
        return current

    def day_of(self, moment: datetime) -> date:
        """The local day a contact at `moment` falls on, in the zone then in force."""
        return local_day(moment, self.settings_at(moment).time_zone)

    def period_of(self, day: date) -> PayPeriod:
        settings = self.settings_on(day)
        label, start, end = _plain_period(day, settings)
        for first_day, _ in self._effective_days():
            # A calendar change cuts the periods around its first day.
            if start < first_day <= day:
                start = first_day
            if day < first_day <= end:
                end = first_day - ONE_DAY
        return PayPeriod(label, start, end, settings)

    def period_labelled(self, label: str) -> PayPeriod:
        try:
            if len(label) == 7:
                first = date.fromisoformat(f"{label}-01")
                last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
            else:
                first = date.fromisoformat(label)
                last = first + TWO_WEEKS - ONE_DAY
            if not EARLIEST_DATE <= first <= LATEST_DATE:
                raise ValueError(label)
            # A calendar change can cut a period so that it starts after the day its
            # label names: look through every day the label could cover.
            candidates = self.periods_between(first, last)
        except (ValueError, OverflowError):  # not a date, or at the end of the calendar
            raise InvalidInput(
                f"'{label}' is not a pay period like 2026-11 or 2026-11-02", field="period"
            ) from None
        for period in candidates:
            if period.label == label:
                return period
        raise InvalidInput(f"'{label}' is not one of this tenant's pay periods", field="period")

    def periods_between(self, first_day: date, last_day: date) -> list[PayPeriod]:
        periods: list[PayPeriod] = []
        day = first_day
        while day <= last_day:
            period = self.period_of(day)
            periods.append(period)
            day = period.end + ONE_DAY
        return periods

    def due(self, since: date, now: datetime) -> list[PayPeriod]:
        """Every period from the one holding `since` whose grace has passed at `now`."""
        today = local_day(now, self.settings_at(now).time_zone)
        return [p for p in self.periods_between(since, today) if p.due_at() <= now]

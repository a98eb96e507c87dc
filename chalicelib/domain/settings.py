"""A tenant's settings: time zone, pay period, grace days, currency and incentive rules.

Settings are kept as revisions, each effective from an instant. A change takes
effect from the start of the first pay period not yet exported, so an exported
period keeps the rules it was paid with. `pay_periods.Calendar` picks the revision in
force at a moment or on a day.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.periods import DEFAULT_TIME_ZONE
from chalicelib.domain.statistics import MeanInterval, comparable

PeriodKind = Literal["month", "two_weeks"]
DEFAULT_GRACE_DAYS = 3
DEFAULT_CURRENCY = "EUR"


@dataclass(frozen=True)
class Tier:
    name: str
    min_average: Decimal
    amount: Decimal


@dataclass(frozen=True)
class IncentiveRules:
    min_scored: int = 0
    tiers: tuple[Tier, ...] = ()  # highest threshold first

    def tier_for(self, scored: int, average: Decimal | None) -> Tier | None:
        """The best tier the reported (rounded) average reaches, if the agent qualifies."""
        if average is None or scored < self.min_scored:
            return None
        return next((tier for tier in self.tiers if average >= tier.min_average), None)

    def tier_uncertain(self, scored: int, interval: MeanInterval | None) -> bool | None:
        """Whether the tier may rest on luck: the 95 % interval of the average reaches
        across a tier boundary (low < boundary <= high), or there are too few scores
        to know (fewer than 5, or fewer than 2 with no interval at all). None when
        there is nothing to decide: no tiers, or the agent does not qualify."""
        if not self.tiers or scored == 0 or scored < self.min_scored:
            return None
        if interval is None or interval.low is None or interval.high is None:
            return True
        if not comparable(interval.n):
            return True
        low, high = interval.low, interval.high
        return any(low < tier.min_average <= high for tier in self.tiers)


SHIFT_BANDS = ("day", "evening", "night")
DEFAULT_SHIFT_STARTS = (time(7), time(15), time(23))
DEFAULT_LEADERBOARD_MIN = 10


@dataclass(frozen=True)
class ReportSettings:
    # Local start times of the day, evening and night bands of a 24/7 service; a
    # band runs until the next one starts, the last one across midnight.
    shift_starts: tuple[time, time, time] = DEFAULT_SHIFT_STARTS
    leaderboard: bool = False  # rankings are a tenant's choice, off until chosen
    leaderboard_min_evaluations: int = DEFAULT_LEADERBOARD_MIN

    def shift_of(self, local: time) -> str:
        """The band a local time of day falls in."""
        starts = sorted(zip(self.shift_starts, SHIFT_BANDS, strict=True))
        band = starts[-1][1]  # before the earliest start: the band that crossed midnight
        for start, name in starts:
            if start <= local:
                band = name
        return band


DisputedAtExport = Literal["counted", "held"]


@dataclass(frozen=True)
class CoachingSettings:
    """The coaching loop's deadlines and what a disputed evaluation counts for in pay."""

    # Days an agent has to acknowledge an evaluation; None: acknowledging is asked
    # for but nothing is ever overdue.
    acknowledge_within_days: int | None = None
    # Days an agent has for their self-evaluation of a coaching review before the
    # team leader's evaluation opens without it.
    self_evaluation_days: int = 7
    # Days from when the agent could first see an evaluation to dispute it.
    dispute_window_days: int = 7
    # Days a reviewer has to decide a dispute from when it was opened.
    dispute_review_days: int = 5
    # At export time an evaluation under an undecided dispute is counted as it is
    # (and flagged in a column) or held back until decided.
    disputes_at_export: DisputedAtExport = "counted"
    email_notifications: bool = False


@dataclass(frozen=True)
class TenantSettings:
    time_zone: str = DEFAULT_TIME_ZONE
    period_kind: PeriodKind = "month"
    period_anchor: date | None = None  # a first day of a two-week period
    grace_days: int = DEFAULT_GRACE_DAYS
    currency: str = DEFAULT_CURRENCY
    incentives: IncentiveRules = field(default_factory=IncentiveRules)
    reports: ReportSettings = field(default_factory=ReportSettings)
    coaching: CoachingSettings = field(default_factory=CoachingSettings)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


DEFAULT_SETTINGS = TenantSettings()


@dataclass(frozen=True)
class SettingsRevision:
    revision: int
    effective_from: datetime  # aware; the instant the revision's first period starts
    settings: TenantSettings
    saved_at: str = ""
    saved_by: str = ""


def parse_settings(body: Mapping[str, Any]) -> TenantSettings:
    """Settings from a schema-valid body; checks what the schema cannot."""
    time_zone = body.get("time_zone", DEFAULT_TIME_ZONE)
    if time_zone not in _zones():
        raise InvalidInput(f"'{time_zone}' is not an IANA time zone", field="time_zone")
    try:
        ZoneInfo(time_zone)
    except ZoneInfoNotFoundError:
        raise InvalidInput(f"'{time_zone}' is not an IANA time zone", field="time_zone") from None
    period = body.get("pay_period", {"kind": "month"})
    kind: PeriodKind = period["kind"]
    anchor = None
    if kind == "two_weeks":
        if "anchor" not in period:
            raise InvalidInput(
                "a two-week pay period needs an anchor date (a first day of a period)",
                field="pay_period.anchor",
            )
        anchor = parse_day(period["anchor"], "pay_period.anchor")
    elif "anchor" in period:
        raise InvalidInput("only a two-week pay period has an anchor", field="pay_period.anchor")
    rules = body.get("incentives", {})
    tiers = tuple(
        Tier(
            name=raw["name"],
            min_average=_decimal(raw["min_average"], f"incentives.tiers[{index}].min_average"),
            amount=_decimal(raw["amount"], f"incentives.tiers[{index}].amount"),
        )
        for index, raw in enumerate(rules.get("tiers", []))
    )
    _check_tiers(tiers)
    return TenantSettings(
        reports=_report_settings(body.get("reports", {})),
        coaching=_coaching_settings(body.get("coaching", {})),
        time_zone=time_zone,
        period_kind=kind,
        period_anchor=anchor,
        grace_days=int(body.get("grace_days", DEFAULT_GRACE_DAYS)),
        currency=body.get("currency", DEFAULT_CURRENCY),
        incentives=IncentiveRules(
            min_scored=int(rules.get("min_scored", 0)),
            tiers=tuple(sorted(tiers, key=lambda t: t.min_average, reverse=True)),
        ),
    )


def _report_settings(body: Mapping[str, Any]) -> ReportSettings:
    raw = body.get("shift_bands", {})
    starts = tuple(
        _time_of_day(raw.get(band, default.strftime("%H:%M")), f"reports.shift_bands.{band}")
        for band, default in zip(SHIFT_BANDS, DEFAULT_SHIFT_STARTS, strict=True)
    )
    if len(set(starts)) != len(starts):
        raise InvalidInput(
            "the day, evening and night bands must start at different times",
            field="reports.shift_bands",
        )
    return ReportSettings(
        shift_starts=(starts[0], starts[1], starts[2]),
        leaderboard=bool(body.get("leaderboard", False)),
        leaderboard_min_evaluations=int(
            body.get("leaderboard_min_evaluations", DEFAULT_LEADERBOARD_MIN)
        ),
    )


def _coaching_settings(body: Mapping[str, Any]) -> CoachingSettings:
    default = CoachingSettings()
    return CoachingSettings(
        acknowledge_within_days=body.get(
            "acknowledge_within_days", default.acknowledge_within_days
        ),
        self_evaluation_days=int(body.get("self_evaluation_days", default.self_evaluation_days)),
        dispute_window_days=int(body.get("dispute_window_days", default.dispute_window_days)),
        dispute_review_days=int(body.get("dispute_review_days", default.dispute_review_days)),
        disputes_at_export=body.get("disputes_at_export", default.disputes_at_export),
        email_notifications=bool(body.get("email_notifications", default.email_notifications)),
    )


_TIME_OF_DAY = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]", re.ASCII)


def _time_of_day(value: str, field_name: str) -> time:
    if not _TIME_OF_DAY.fullmatch(value):
        raise InvalidInput(f"'{value}' is not a time of day like 07:00", field=field_name)
    return time(int(value[:2]), int(value[3:]))


def _check_tiers(tiers: Sequence[Tier]) -> None:
    names: set[str] = set()
    thresholds: set[Decimal] = set()
    for index, tier in enumerate(tiers):
        if tier.name in names:
            raise InvalidInput(
                f"tier name '{tier.name}' is used twice", field=f"incentives.tiers[{index}].name"
            )
        if tier.min_average in thresholds:
            raise InvalidInput(
                f"two tiers start at {tier.min_average}",
                field=f"incentives.tiers[{index}].min_average",
            )
        if tier.amount != tier.amount.quantize(Decimal("0.01")):
            raise InvalidInput(
                "an amount has at most two decimals", field=f"incentives.tiers[{index}].amount"
            )
        names.add(tier.name)
        thresholds.add(tier.min_average)


def _decimal(value: Any, field_name: str) -> Decimal:
    # JSON bodies may carry NaN or Infinity, and a NaN passes the schema's bounds.
    number = Decimal(str(value))
    if not number.is_finite():
        raise InvalidInput(f"'{value}' is not a finite number", field=field_name)
    return number


# Pay periods are counted from the anchor; a date at the end of the calendar would
# leave no room for the periods around it.
EARLIEST_DATE, LATEST_DATE = date(1970, 1, 1), date(2999, 12, 31)


# fromisoformat alone also takes 20261102 and 2026-W45-1.
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def parse_day(value: object, field: str) -> date:
    """A day written YYYY-MM-DD, inside the calendar settings keep (1970..2999)."""
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise InvalidInput(f"'{value}' is not a date like 2026-11-02", field=field)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"'{value}' is not a date like 2026-11-02", field=field) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise InvalidInput(
            f"'{value}' must be from {EARLIEST_DATE} to {LATEST_DATE}",
            field=field,
            code="out_of_range",
        )
    return day


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def settings_to_dict(settings: TenantSettings) -> dict[str, Any]:
    period: dict[str, Any] = {"kind": settings.period_kind}
    if settings.period_anchor is not None:
        period["anchor"] = settings.period_anchor.isoformat()
    return {
        "time_zone": settings.time_zone,
        "pay_period": period,
        "grace_days": settings.grace_days,
        "currency": settings.currency,
        "incentives": {
            "min_scored": settings.incentives.min_scored,
            "tiers": [
                {
                    "name": tier.name,
                    "min_average": format(tier.min_average, "f"),
                    "amount": format(tier.amount, "f"),
                }
                for tier in settings.incentives.tiers
            ],
        },
        "reports": {
            "shift_bands": {
                band: start.strftime("%H:%M")
                for band, start in zip(SHIFT_BANDS, settings.reports.shift_starts, strict=True)
            },
            "leaderboard": settings.reports.leaderboard,
            "leaderboard_min_evaluations": settings.reports.leaderboard_min_evaluations,
        },
        "coaching": {
            "acknowledge_within_days": settings.coaching.acknowledge_within_days,
            "self_evaluation_days": settings.coaching.self_evaluation_days,
            "dispute_window_days": settings.coaching.dispute_window_days,
            "dispute_review_days": settings.coaching.dispute_review_days,
            "disputes_at_export": settings.coaching.disputes_at_export,
            "email_notifications": settings.coaching.email_notifications,
        },
    }


def pay_rules_to_dict(settings: TenantSettings) -> dict[str, Any]:
    """The settings a pay period was paid with: everything but how reports band and
    rank and the coaching deadlines, which change no figure in pay and so no payroll
    file; of coaching, only what a disputed evaluation counts for."""
    rules = settings_to_dict(settings)
    del rules["reports"]
    del rules["coaching"]
    rules["disputes_at_export"] = settings.coaching.disputes_at_export
    return rules

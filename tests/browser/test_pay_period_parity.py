"""The browser's pay periods are the server's: the periods static_site/js/pay-periods.js
suggests as ended (months, and two weeks counted from an anchor, on the tenant's
clock) against chalicelib.domain.pay_periods's calendar, on many random inputs."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.domain.pay_periods import ONE_DAY, Calendar
from chalicelib.domain.settings import PeriodKind, SettingsRevision, TenantSettings
from tests.browser.conftest import PageFactory

COUNT = 12
ZONES = ["Europe/Helsinki", "America/New_York", "Pacific/Chatham", "Pacific/Pago_Pago", "UTC"]

ENDED_IN_BROWSER = """async (cases) => {
  const m = await import('/js/pay-periods.js');
  return cases.map((c) => m.endedPeriods(c.payPeriod, c.zone, c.count, c.now));
}"""


def server_ended(kind: PeriodKind, anchor: date | None, zone: str, now: datetime) -> list[str]:
    """The `COUNT` periods before the one holding today, newest first, by the domain."""
    settings = TenantSettings(time_zone=zone, period_kind=kind, period_anchor=anchor)
    # One revision in force from long before any case, so nothing cuts a period.
    calendar = Calendar([SettingsRevision(1, datetime(2000, 1, 1, tzinfo=UTC), settings)])
    period = calendar.period_of(calendar.day_of(now))
    labels = []
    for _ in range(COUNT):
        period = calendar.period_of(period.start - ONE_DAY)
        labels.append(period.label)
    return labels


def random_now(rng: random.Random) -> datetime:
    moment = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(5 * 366 * 86400))
    if rng.random() < 0.4:
        # Near a midnight somewhere: the day depends on the zone.
        moment = moment.replace(
            hour=rng.choice([0, 10, 11, 12, 13, 23]), minute=rng.choice([0, 59])
        )
    return moment


def test_ended_periods_in_the_browser_equal_the_domain_calendar(open_page: PageFactory) -> None:
    page = open_page(None).page
    page.goto("/")
    rng = random.Random(20261102)
    cases: list[tuple[PeriodKind, date | None, str, datetime]] = []
    for _ in range(1500):
        kind: PeriodKind = "two_weeks" if rng.random() < 0.7 else "month"
        anchor = (
            date(2023, 1, 1) + timedelta(days=rng.randrange(6 * 366))
            if kind == "two_weeks"
            else None
        )
        cases.append((kind, anchor, rng.choice(ZONES), random_now(rng)))
    sent: list[dict[str, Any]] = [
        {
            "payPeriod": {"kind": kind, **({"anchor": anchor.isoformat()} if anchor else {})},
            "zone": zone,
            "count": COUNT,
            "now": now.timestamp() * 1000,
        }
        for kind, anchor, zone, now in cases
    ]
    got = page.evaluate(ENDED_IN_BROWSER, sent)
    expected = [server_ended(*case) for case in cases]
    mismatches = [(c, e, g) for c, e, g in zip(cases, expected, got, strict=True) if e != g]
    assert mismatches == [], mismatches[:3]
    # The anchor is after today in some cases: periods counted backwards from it.
    assert any(a is not None and a > n.date() for _, a, _, n in cases)
    assert sum(1 for kind, *_ in cases if kind == "month") > 300

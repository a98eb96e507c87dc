"""The local schedule timer on a tiny Chalice app and a fake clock.

Laatu has no scheduled function yet; this keeps the timer exercised until it does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from chalice.app import Chalice, CloudWatchEvent, Rate

from infra.local.timer import HOURLY_S, ScheduleTimer, interval_s, schedules_of

WHEN = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fake_app(fired: list[CloudWatchEvent]) -> Chalice:
    app = Chalice(app_name="fake")

    @app.schedule("rate(1 minute)")
    def every_minute(event: CloudWatchEvent) -> None:
        fired.append(event)

    @app.route("/")
    def index() -> dict[str, Any]:
        return {}

    return app


def test_a_rate_schedule_fires_once_per_interval() -> None:
    fired: list[CloudWatchEvent] = []
    clock = Clock()
    timer = ScheduleTimer(
        schedules_of(fake_app(fired)), region="eu-north-1", clock=clock, wall_clock=lambda: WHEN
    )

    clock.now += 59
    assert timer.tick() == []
    clock.now += 1
    assert timer.tick() == ["every_minute"]
    assert timer.tick() == []
    clock.now += 190  # three runs missed: it fires once and does not catch up
    assert timer.tick() == ["every_minute"]
    clock.now += 49
    assert timer.tick() == []
    clock.now += 1
    assert timer.tick() == ["every_minute"]

    assert len(fired) == 3
    event = fired[0]
    assert event.detail_type == "Scheduled Event"
    assert event.source == "aws.events"
    assert event.time == "2026-11-23T10:00:00Z"
    assert event.region == "eu-north-1"
    assert event.resources[0].endswith(":rule/laatu-local-every_minute")


def test_a_failing_scheduled_function_does_not_stop_the_timer() -> None:
    app = Chalice(app_name="fake")
    calls: list[str] = []

    @app.schedule(Rate(2, unit=Rate.MINUTES), name="broken")
    def broken(event: CloudWatchEvent) -> None:
        calls.append(event.event_id)
        raise RuntimeError("boom")

    clock = Clock()
    timer = ScheduleTimer(schedules_of(app), region="eu-north-1", clock=clock)
    for _ in range(2):
        clock.now += 120
        assert timer.tick() == ["broken"]
    assert len(set(calls)) == 2


def test_an_app_without_schedules_starts_no_thread() -> None:
    timer = ScheduleTimer([], region="eu-north-1")
    timer.start()
    timer.stop()
    assert timer.tick() == []


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(1 minute)", 60),
        ("rate(5 minutes)", 300),
        ("rate(1 hour)", 3600),
        ("rate(2 hours)", 7200),
        ("rate(1 day)", 86400),
        ("cron(15 1 * * ? *)", HOURLY_S),
    ],
)
def test_schedule_expressions(expression: str, seconds: float) -> None:
    assert interval_s(expression) == seconds


@pytest.mark.parametrize("expression", ["rate(0 minutes)", "rate(5 weeks)", "every minute"])
def test_bad_schedule_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ValueError, match=r"rate|schedule"):
        interval_s(expression)

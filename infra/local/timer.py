"""EventBridge schedules, played locally: fires each `@app.schedule` function at its rate.

Like a rate rule, a schedule first fires one interval after start and does not
catch up on missed runs. A cron expression is approximated as hourly: the
handlers treat the schedule as a heartbeat and decide from data what is due.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalice.app import ScheduledEventConfig, ScheduleExpression

from infra.local.events import ACCOUNT, eventbridge_event
from infra.local.loop import BackgroundLoop

log = logging.getLogger("laatu.local.timer")

HOURLY_S = 3600.0
_RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)")
_UNIT_S = {"minute": 60, "hour": 3600, "day": 86400}
_MAX_WAIT_S = 1.0  # how long stop() may wait for the thread


def interval_s(expression: str) -> float:
    """Seconds between runs of a schedule expression."""
    text = expression.strip().lower()
    match = _RATE.fullmatch(text)
    if match:
        value, unit = int(match.group(1)), match.group(2).rstrip("s")
        if value < 1:
            raise ValueError(f"a rate must be at least 1: {expression!r}")
        return float(value * _UNIT_S[unit])
    if text.startswith("cron(") and text.endswith(")"):
        return HOURLY_S
    raise ValueError(f"not a schedule expression: {expression!r}")


@dataclass(frozen=True)
class Schedule:
    name: str
    expression: str
    interval_s: float
    handler: Callable[[dict[str, Any], Any], Any]


def schedules_of(app: Any) -> list[Schedule]:
    """The scheduled functions a Chalice app registers, with their handlers."""
    found = []
    for source in app.event_sources:
        if not isinstance(source, ScheduledEventConfig):
            continue
        expression = source.schedule_expression
        if isinstance(expression, ScheduleExpression):
            expression = expression.to_string()
        found.append(
            Schedule(
                name=source.name,
                expression=expression,
                interval_s=interval_s(expression),
                handler=app.handler_map[source.name],
            )
        )
    return found


def scheduled_event(schedule: Schedule, at: datetime, region: str) -> dict[str, Any]:
    """The event EventBridge sends a scheduled Lambda."""
    return eventbridge_event(
        detail_type="Scheduled Event",
        source="aws.events",
        at=at,
        region=region,
        resources=[f"arn:aws:events:{region}:{ACCOUNT}:rule/laatu-local-{schedule.name}"],
        detail={},
    )


class ScheduleTimer:
    def __init__(
        self,
        schedules: list[Schedule],
        *,
        region: str,
        context: Callable[[Schedule], Any] = lambda _schedule: None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._schedules = schedules
        self._region = region
        self._context = context
        self._clock = clock
        self._wall_clock = wall_clock
        started = clock()
        self._due = {s.name: started + s.interval_s for s in schedules}
        self._loop = BackgroundLoop("schedule-timer", self._step, retry_s=_MAX_WAIT_S, log=log)

    def start(self) -> None:
        if self._schedules:
            self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    def tick(self) -> list[str]:
        """Fire every schedule that is due; returns their names."""
        now = self._clock()
        fired = []
        for schedule in self._schedules:
            if now < self._due[schedule.name]:
                continue
            while self._due[schedule.name] <= now:  # missed runs are skipped, not queued
                self._due[schedule.name] += schedule.interval_s
            fired.append(schedule.name)
            event = scheduled_event(schedule, self._wall_clock(), self._region)
            try:
                schedule.handler(event, self._context(schedule))
            except Exception:
                log.exception("scheduled function %s failed", schedule.name)
        return fired

    def _step(self) -> float:
        self.tick()
        return min(max(min(self._due.values()) - self._clock(), 0.0), _MAX_WAIT_S)

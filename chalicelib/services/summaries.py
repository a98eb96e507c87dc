"""An agent's figures for one period, read with a single GetItem."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib.domain import permissions
from chalicelib.domain.aggregates import PeriodAggregate
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.numbers import reported_str
from chalicelib.domain.periods import parse_month
from chalicelib.domain.principal import Principal
from chalicelib.services.ports import AggregateLookup


def agent_summary(
    store: AggregateLookup,
    principal: Principal,
    agent_id: str,
    period: str | None,
) -> dict[str, Any]:
    """The agent's calendar month, in the tenant's time zone when the contacts happened."""
    granted = permissions.require(principal, "summary.read")
    if not permissions.reaches(granted, principal, about_agent=agent_id):
        raise Forbidden("an agent can see only their own summary", field="agent_id")
    if not period:
        raise InvalidInput("period is required, like 2026-11", field="period")
    month = parse_month(period)
    aggregate = store.get(principal.tenant, agent_id, month) or PeriodAggregate(agent_id, month)
    return present_summary(aggregate)


def present_summary(aggregate: PeriodAggregate) -> dict[str, Any]:
    criteria = []
    for key in sorted(aggregate.criteria):
        counts = aggregate.criteria[key]
        form_id, criterion_id = key.split("/", 1)
        answered = counts.yes + counts.no
        criteria.append(
            {
                "form_id": form_id,
                "criterion_id": criterion_id,
                "yes": counts.yes,
                "no": counts.no,
                "pass_rate": reported_str(_rate(counts.yes, answered)),
            }
        )
    return {
        "agent_id": aggregate.agent_id,
        "period": aggregate.period,
        "evaluations": aggregate.evaluations,
        "scored": aggregate.scored,
        "average_score": reported_str(aggregate.average_score),
        "criteria": criteria,
    }


def _rate(yes: int, answered: int) -> Decimal | None:
    return None if answered == 0 else Decimal(100 * yes) / Decimal(answered)

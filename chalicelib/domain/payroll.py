"""What payroll receives for one pay period: a row per agent, rendered as files.

Everything here is deterministic: the same figures, rules and revision always
give the same bytes, so a retried export writes exactly what the first try did.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chalicelib.domain.aggregates import PeriodAggregate
from chalicelib.domain.csv_cells import csv_cell
from chalicelib.domain.numbers import reported
from chalicelib.domain.pay_periods import PayPeriod
from chalicelib.domain.settings import IncentiveRules, pay_rules_to_dict
from chalicelib.domain.statistics import MeanInterval

ZERO_MONEY = Decimal("0.00")
# How long a payroll system's download link stays good.
LINK_LIFETIME_S = 15 * 60


def revision_prefix(tenant: str, period: str, revision: int) -> str:
    """Where a revision's files live: written once, under their own prefix."""
    return f"exports/{tenant}/{period}/r{revision}/"


COLUMNS = (
    "tenant",
    "period",
    "period_start",
    "period_end",
    "agent_id",
    "payroll_id",
    "evaluations",
    "scored_evaluations",
    "average_score",
    "tier",
    "incentive_amount",
    "currency",
    "revision",
    # Added after the first release, so at the end: a payroll system reading by
    # position keeps working. Not compared: a new revision is only for pay.
    "average_low",
    "average_high",
    "tier_uncertain",
    # How many of the agent's evaluations in the period were under an undecided
    # dispute at export time: counted as they are and flagged here, or held back
    # (left out of the figures), as the manifest's `disputes_at_export` says.
    "open_disputes",
)
COMPARED = ("payroll_id", "evaluations", "scored", "average", "tier", "amount")


@dataclass(frozen=True)
class RosterEntry:
    agent_id: str
    payroll_id: str
    active: bool


@dataclass(frozen=True)
class PayrollRow:
    agent_id: str
    payroll_id: str
    evaluations: int
    scored: int
    average: Decimal | None  # reported: half-up to two decimals
    tier: str
    amount: Decimal
    # The 95 % interval of the average (reported, two decimals); None below 2 scores
    # or when the period's report cells are missing (figures written before them).
    average_low: Decimal | None = None
    average_high: Decimal | None = None
    # Whether luck may have decided the tier: see IncentiveRules.tier_uncertain.
    tier_uncertain: bool | None = None
    # Evaluations under an undecided dispute (see COLUMNS). Not compared: a flag that
    # changed while the figures did not makes no new revision.
    open_disputes: int = 0

    def figures(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in COMPARED)


def payroll_rows(
    aggregates: Mapping[str, PeriodAggregate],
    roster: Iterable[RosterEntry],
    rules: IncentiveRules,
    intervals: Mapping[str, MeanInterval | None] | None = None,
    open_disputes: Mapping[str, int] | None = None,
) -> list[PayrollRow]:
    """A row for every active agent and for every agent with figures, by agent id.

    `intervals` holds each agent's interval of the average over the same scores;
    an agent missing from it (its cells predate reports) gets no interval and an
    unknown tier certainty, never a guessed one. `open_disputes` counts each agent's
    evaluations under an undecided dispute; an agent held back entirely still gets a
    row, so payroll sees why their figures went."""
    disputed = open_disputes or {}
    people = {entry.agent_id: entry for entry in roster}
    agent_ids = {a for a, e in people.items() if e.active} | set(aggregates) | set(disputed)
    rows = []
    for agent_id in sorted(agent_ids):
        aggregate = aggregates.get(agent_id) or PeriodAggregate(agent_id, "")
        average = reported(aggregate.average_score)
        tier = rules.tier_for(aggregate.scored, average)
        entry = people.get(agent_id)
        known = intervals is not None and (agent_id in intervals or aggregate.scored == 0)
        interval = intervals.get(agent_id) if intervals is not None else None
        rows.append(
            PayrollRow(
                agent_id=agent_id,
                payroll_id=entry.payroll_id if entry else "",
                evaluations=aggregate.evaluations,
                scored=aggregate.scored,
                average=average,
                tier=tier.name if tier else "",
                amount=tier.amount if tier else ZERO_MONEY,
                average_low=reported(interval.low) if interval else None,
                average_high=reported(interval.high) if interval else None,
                tier_uncertain=rules.tier_uncertain(aggregate.scored, interval) if known else None,
                open_disputes=disputed.get(agent_id, 0),
            )
        )
    return rows


@dataclass(frozen=True)
class ExportContext:
    tenant: str
    period: PayPeriod
    revision: int
    generated_at: str

    @property
    def currency(self) -> str:
        return self.period.settings.currency


def _money(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def _record(context: ExportContext, row: PayrollRow) -> dict[str, Any]:
    """One row with typed values; both renderings start from this."""
    return {
        "tenant": context.tenant,
        "period": context.period.label,
        "period_start": context.period.start.isoformat(),
        "period_end": context.period.end.isoformat(),
        "agent_id": row.agent_id,
        "payroll_id": row.payroll_id,
        "evaluations": row.evaluations,
        "scored_evaluations": row.scored,
        "average_score": row.average,
        "tier": row.tier,
        "incentive_amount": row.amount.quantize(Decimal("0.01")),
        "currency": context.currency,
        "revision": context.revision,
        "average_low": row.average_low,
        "average_high": row.average_high,
        "tier_uncertain": row.tier_uncertain,
        "open_disputes": row.open_disputes,
    }


def _csv(header: Sequence[str], lines: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(lines)
    return buffer.getvalue().encode("utf-8")


def render_csv(context: ExportContext, rows: Sequence[PayrollRow]) -> bytes:
    return _csv(
        COLUMNS,
        ([csv_cell(v) for v in _record(context, row).values()] for row in rows),
    )


def _json_value(value: Any) -> str:
    # Decimals go out as JSON numbers with their exact digits, never through float.
    if isinstance(value, Decimal):
        return format(value, "f")
    return json.dumps(value, ensure_ascii=False)


def render_jsonl(context: ExportContext, rows: Sequence[PayrollRow]) -> bytes:
    lines = []
    for row in rows:
        record = _record(context, row)
        fields = ",".join(f"{json.dumps(k)}:{_json_value(v)}" for k, v in record.items())
        lines.append("{" + fields + "}\n")
    return "".join(lines).encode("utf-8")


def parse_jsonl(data: bytes) -> list[PayrollRow]:
    rows = []
    # Records end in "\n" only: str.splitlines would also split at U+2028, U+0085 and
    # the like, which json.dumps(ensure_ascii=False) leaves raw inside strings.
    for line in data.decode("utf-8").split("\n"):
        if not line:
            continue
        record = json.loads(line, parse_float=Decimal)
        average = record["average_score"]
        rows.append(
            PayrollRow(
                agent_id=record["agent_id"],
                payroll_id=record["payroll_id"],
                evaluations=int(record["evaluations"]),
                scored=int(record["scored_evaluations"]),
                average=None if average is None else Decimal(average),
                tier=record["tier"],
                amount=Decimal(record["incentive_amount"]),
                average_low=_decimal_or_none(record.get("average_low")),
                average_high=_decimal_or_none(record.get("average_high")),
                tier_uncertain=record.get("tier_uncertain"),
                # Absent from files written before the column: none were flagged then.
                open_disputes=int(record.get("open_disputes", 0)),
            )
        )
    return rows


def _decimal_or_none(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def changed_agents(
    before: Sequence[PayrollRow], after: Sequence[PayrollRow]
) -> list[tuple[PayrollRow | None, PayrollRow | None]]:
    """(before, after) for every agent whose figures differ, by agent id."""
    old = {row.agent_id: row for row in before}
    new = {row.agent_id: row for row in after}
    pairs = []
    for agent_id in sorted(old.keys() | new.keys()):
        a, b = old.get(agent_id), new.get(agent_id)
        if a is None or b is None or a.figures() != b.figures():
            pairs.append((a, b))
    return pairs


ADJUSTMENT_COLUMNS = (
    "tenant",
    "period",
    "agent_id",
    "payroll_id",
    "revision_before",
    "revision_after",
    "evaluations_before",
    "evaluations_after",
    "scored_before",
    "scored_after",
    "average_before",
    "average_after",
    "tier_before",
    "tier_after",
    "amount_before",
    "amount_after",
    "amount_difference",
    "currency",
)


def render_adjustments(
    context: ExportContext,
    pairs: Sequence[tuple[PayrollRow | None, PayrollRow | None]],
) -> bytes:
    lines = []
    for before, after in pairs:
        any_row = after or before
        assert any_row is not None
        amount_before = before.amount if before else ZERO_MONEY
        amount_after = after.amount if after else ZERO_MONEY
        lines.append(
            [
                csv_cell(context.tenant),
                csv_cell(context.period.label),
                csv_cell(any_row.agent_id),
                csv_cell(any_row.payroll_id),
                str(context.revision - 1),
                str(context.revision),
                csv_cell(before.evaluations if before else None),
                csv_cell(after.evaluations if after else None),
                csv_cell(before.scored if before else None),
                csv_cell(after.scored if after else None),
                csv_cell(before.average if before else None),
                csv_cell(after.average if after else None),
                csv_cell(before.tier if before else None),
                csv_cell(after.tier if after else None),
                _money(amount_before),
                _money(amount_after),
                _money(amount_after - amount_before),
                csv_cell(context.currency),
            ]
        )
    return _csv(ADJUSTMENT_COLUMNS, lines)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_manifest(
    context: ExportContext, files: Mapping[str, bytes], row_count: int, adjusted: int | None
) -> bytes:
    manifest: dict[str, Any] = {
        "tenant": context.tenant,
        "period": {
            "label": context.period.label,
            "start": context.period.start.isoformat(),
            "end": context.period.end.isoformat(),
        },
        "revision": context.revision,
        "generated_at": context.generated_at,
        "row_count": row_count,
        "files": {
            name: {"sha256": sha256(data), "bytes": len(data)}
            for name, data in sorted(files.items())
        },
        "rules": pay_rules_to_dict(context.period.settings),
        # What an evaluation under an undecided dispute counted for in these files.
        "disputes_at_export": context.period.settings.coaching.disputes_at_export,
    }
    if adjusted is not None:
        manifest["adjusted_agents"] = adjusted
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()

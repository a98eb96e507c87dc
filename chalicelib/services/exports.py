"""Payroll exports: decide from data which periods are due, write each revision once.

A run of one period reads the period's change count first and its aggregates
second, so a change that lands in between is seen by the next run rather than
lost. A revision is claimed in DynamoDB before any file is written; the files
are written only-if-absent, payroll.jsonl first, and a resumed run derives the
rest from it, so a crash and retry produce the same bytes. A late change to an
exported period makes the next revision with an adjustments file.

An evaluation under an undecided dispute at export time counts as the tenant's
setting in force for the period says (`coaching.disputes_at_export`): "counted" as it
is, or "held": its contribution (the ledger's, what the figures hold of it) is taken
out of the agent's figures exactly. Either way the row's `open_disputes` says how many
of the agent's evaluations that was, and the manifest names the choice. A dispute
opened or settled bumps the period's change count, so the next beat looks again; with
"held" the figures move and the next revision carries the adjustments.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from chalicelib.domain import permissions
from chalicelib.domain.aggregates import Contribution, PeriodAggregate, combine, subtract
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.pay_periods import Calendar, PayPeriod, local_midnight
from chalicelib.domain.payroll import (
    LINK_LIFETIME_S,
    ExportContext,
    PayrollRow,
    RosterEntry,
    changed_agents,
    parse_jsonl,
    payroll_rows,
    render_adjustments,
    render_csv,
    render_jsonl,
    render_manifest,
    revision_prefix,
)
from chalicelib.domain.periods import month_label, to_utc_iso
from chalicelib.domain.principal import Principal
from chalicelib.domain.report_cells import Cell
from chalicelib.domain.report_ranges import buckets
from chalicelib.domain.statistics import MeanInterval, mean_interval_of_sums
from chalicelib.domain.storage_errors import ExportBusy
from chalicelib.services.ports import (
    ExportFileStore,
    ExportLedger,
    ExportSettings,
    PeriodFigures,
    ReportCells,
)

log = logging.getLogger("laatu.exports")
ONE_DAY = timedelta(days=1)

DATA_FILE = "payroll.jsonl"
CSV_FILE = "payroll.csv"
ADJUSTMENTS_FILE = "adjustments.csv"
MANIFEST_FILE = "manifest.json"
CONTENT_TYPES = {
    DATA_FILE: "application/x-ndjson; charset=utf-8",
    CSV_FILE: "text/csv; charset=utf-8",
    ADJUSTMENTS_FILE: "text/csv; charset=utf-8",
    MANIFEST_FILE: "application/json",
}


class ExportFigures(PeriodFigures, Protocol):
    def disputed(self, tenant: str) -> list[Contribution]:
        """What the figures hold of each evaluation under an undecided dispute now
        (the ledger's contributions; an evaluation not yet applied is absent)."""
        ...


@dataclass(frozen=True)
class ExportStores:
    exports: ExportLedger
    aggregates: ExportFigures
    settings: ExportSettings
    files: ExportFileStore
    # Where each agent's interval of the average comes from; None leaves the
    # interval columns empty (unit tests of the pay figures alone).
    cells: ReportCells | None = None


@dataclass(frozen=True)
class RunResult:
    tenant: str
    period: str
    outcome: Literal["written", "unchanged", "busy", "failed"]
    revision: int | None


def figures(
    aggregates: PeriodFigures, tenant: str, period: PayPeriod
) -> dict[str, PeriodAggregate]:
    """Each agent's figures for the period, from month or day buckets (never evaluations)."""
    if period.is_calendar_month:
        return {a.agent_id: a for a in aggregates.bucket(tenant, month_label(period.start))}
    by_agent: dict[str, list[PeriodAggregate]] = {}
    for day in period.days():
        for aggregate in aggregates.bucket(tenant, day.isoformat()):
            by_agent.setdefault(aggregate.agent_id, []).append(aggregate)
    return {agent: combine(agent, period.label, parts) for agent, parts in by_agent.items()}


def disputed_in(
    stores: ExportStores, tenant: str, period: PayPeriod
) -> dict[str, list[Contribution]]:
    """Each agent's counted contributions in the period under an undecided dispute now:
    those whose local day is one of the period's, so exactly what `figures` summed."""
    days = {day.isoformat() for day in period.days()}
    out: dict[str, list[Contribution]] = {}
    for contribution in stores.aggregates.disputed(tenant):
        if contribution.counted and days.intersection(contribution.buckets):
            out.setdefault(contribution.agent_id, []).append(contribution)
    return out


def current_rows(stores: ExportStores, tenant: str, period: PayPeriod) -> list[PayrollRow]:
    roster = [
        RosterEntry(a.agent_id, a.payroll_id, a.active) for a in stores.settings.agents(tenant)
    ]
    pay = figures(stores.aggregates, tenant, period)
    disputed = disputed_in(stores, tenant, period)
    held: Mapping[str, list[Contribution]] = {}
    if period.settings.coaching.disputes_at_export == "held":
        held = disputed
        pay = {agent: subtract(aggregate, held.get(agent, ())) for agent, aggregate in pay.items()}
    return payroll_rows(
        pay,
        roster,
        period.settings.incentives,
        intervals(stores.cells, tenant, period, pay, held),
        {agent: len(found) for agent, found in disputed.items()},
    )


def intervals(
    cells: ReportCells | None,
    tenant: str,
    period: PayPeriod,
    pay: Mapping[str, PeriodAggregate],
    held: Mapping[str, list[Contribution]] | None = None,
) -> dict[str, MeanInterval | None] | None:
    """Each agent's interval of the period average, from the report cells of the same
    days, less what is `held` back. An agent whose cells hold other counts than the
    pay figures (evaluations scored before report cells existed) is left out: no
    interval rather than a wrong one."""
    if cells is None:
        return None
    summed: dict[str, Cell] = {}
    for bucket in buckets(period.start, period.end):
        for (agent, _), cell in cells.cells(tenant, bucket, "all", None).items():
            summed[agent] = summed[agent].plus(cell) if agent in summed else cell
    for agent, contributions in (held or {}).items():
        for contribution in contributions:
            if agent in summed and contribution.report is not None:
                summed[agent] = summed[agent].remove(contribution.report)
    out: dict[str, MeanInterval | None] = {}
    for agent, aggregate in pay.items():
        found = summed.get(agent)
        if found is not None and (found.scored, found.score_sum) == (
            aggregate.scored,
            aggregate.score_sum,
        ):
            out[agent] = mean_interval_of_sums(found.scored, found.score_sum, found.score_squares)
    return out


def _same(before: Iterable[PayrollRow], after: Iterable[PayrollRow]) -> bool:
    return [(r.agent_id, r.figures()) for r in before] == [(r.agent_id, r.figures()) for r in after]


def run_period(stores: ExportStores, tenant: str, period: PayPeriod, now: datetime) -> RunResult:
    head = stores.exports.head(tenant, period.label)
    if head is not None and head.status == "writing":
        return _write(stores, tenant, period, head.revision, head.generated_at, now)
    changes = stores.aggregates.change_count(tenant, period.label)
    if head is not None and head.changes_seen >= changes:
        return RunResult(tenant, period.label, "unchanged", head.revision)
    rows = current_rows(stores, tenant, period)
    if head is not None:
        previous = _rows_of(stores, tenant, period.label, head.revision)
        if _same(previous, rows):
            stores.exports.mark_checked(tenant, period.label, changes, to_utc_iso(now))
            return RunResult(tenant, period.label, "unchanged", head.revision)
    revision = (head.revision if head else 0) + 1
    generated_at = to_utc_iso(now)
    try:
        stores.exports.begin(
            tenant,
            period.label,
            revision,
            generated_at,
            changes,
            {"start": period.start.isoformat(), "end": period.end.isoformat()},
            generated_at,
        )
    except ExportBusy:
        return RunResult(tenant, period.label, "busy", None)
    return _write(stores, tenant, period, revision, generated_at, now, rows)


def _rows_of(stores: ExportStores, tenant: str, period: str, revision: int) -> list[PayrollRow]:
    data = stores.files.get(revision_prefix(tenant, period, revision) + DATA_FILE)
    if data is None:
        raise RuntimeError(f"{tenant} {period} revision {revision} has no {DATA_FILE}")
    return parse_jsonl(data)


def _write(
    stores: ExportStores,
    tenant: str,
    period: PayPeriod,
    revision: int,
    generated_at: str,
    now: datetime,
    rows: list[PayrollRow] | None = None,
) -> RunResult:
    prefix = revision_prefix(tenant, period.label, revision)
    context = ExportContext(tenant, period, revision, generated_at)
    existing = stores.files.get(prefix + DATA_FILE)
    if existing is not None:
        # A resumed run: the data file written first pins what this revision says.
        rows = parse_jsonl(existing)
    elif rows is None:
        rows = current_rows(stores, tenant, period)
    files = {DATA_FILE: render_jsonl(context, rows), CSV_FILE: render_csv(context, rows)}
    adjusted = None
    if revision > 1:
        pairs = changed_agents(_rows_of(stores, tenant, period.label, revision - 1), rows)
        files[ADJUSTMENTS_FILE] = render_adjustments(context, pairs)
        adjusted = len(pairs)
    for name, data in files.items():  # payroll.jsonl first: dicts keep insertion order
        stores.files.put_once(prefix + name, data, CONTENT_TYPES[name])
    manifest = render_manifest(context, files, len(rows), adjusted)
    stores.files.put_once(prefix + MANIFEST_FILE, manifest, CONTENT_TYPES[MANIFEST_FILE])
    detail = {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "rows": len(rows),
        "adjusted_agents": adjusted,
        "files": sorted([*files, MANIFEST_FILE]),
    }
    stores.exports.finish(tenant, period.label, revision, detail, to_utc_iso(now))
    log.info("exported %s %s revision %s (%s rows)", tenant, period.label, revision, len(rows))
    return RunResult(tenant, period.label, "written", revision)


def calendar_of(stores: ExportStores, tenant: str) -> Calendar:
    return Calendar(stores.settings.revisions(tenant))


def heartbeat(stores: ExportStores, now: datetime) -> list[RunResult]:
    """Export every due period not yet exported, and re-export changed ones.

    Idempotent and order-free: firing late, twice or after a gap of days only
    changes how many periods one beat finds due.
    """
    results = []
    for tenant, created_at in stores.settings.tenants():
        calendar = calendar_of(stores, tenant)
        heads = stores.exports.heads(tenant)
        counts = stores.aggregates.change_counts(tenant)
        since = calendar.day_of(datetime.fromisoformat(created_at.replace("Z", "+00:00")))
        for period in calendar.due(since, now):
            head = heads.get(period.label)
            unchanged = head is not None and head.changes_seen >= counts.get(period.label, 0)
            if head is not None and head.status == "done" and unchanged:
                continue
            try:
                results.append(run_period(stores, tenant, period, now))
            except Exception:
                # One tenant's failure must not hold up the others; the next beat retries.
                log.exception("export of %s %s failed", tenant, period.label)
                results.append(RunResult(tenant, period.label, "failed", None))
    return results


def _period(stores: ExportStores, tenant: str, label: str) -> PayPeriod:
    return calendar_of(stores, tenant).period_labelled(label)


def list_exports(stores: ExportStores, principal: Principal) -> list[dict[str, Any]]:
    permissions.require(principal, "export.manage")
    history: dict[str, list[dict[str, Any]]] = {}
    for record in stores.exports.history(principal.tenant):
        history.setdefault(record.period, []).append(
            {
                "revision": record.revision,
                "status": record.status,
                "generated_at": record.generated_at,
                "rows": record.detail.get("rows"),
                "adjusted_agents": record.detail.get("adjusted_agents"),
            }
        )
    heads = stores.exports.heads(principal.tenant)
    return [
        {
            "period": label,
            "start": head.detail.get("start"),
            "end": head.detail.get("end"),
            "latest_revision": head.revision,
            "status": head.status,
            "updated_at": head.updated_at,
            "revisions": history.get(label, []),
        }
        for label, head in sorted(heads.items(), reverse=True)
    ]


def run_now(stores: ExportStores, principal: Principal, label: str, now: datetime) -> RunResult:
    """An admin's 'run now': same guarantees as the heartbeat, grace days or not."""
    permissions.require(principal, "export.manage")
    period = _period(stores, principal.tenant, label)
    if local_midnight(period.end + ONE_DAY, period.settings.time_zone) > now:
        raise Conflict(
            f"period {label} has not ended yet; it can be exported from {period.end + ONE_DAY} on",
            field="period",
            code="period_not_ended",
        )
    stores.settings.register_tenant(principal.tenant, to_utc_iso(now))
    return run_period(stores, principal.tenant, period, now)


def download_links(stores: ExportStores, principal: Principal, label: str) -> dict[str, Any]:
    """Short-lived links to the tenant's files of one period, every revision."""
    permissions.require(principal, "export.download")
    head = stores.exports.head(principal.tenant, label)
    if head is None:
        raise NotFound(f"period {label} has not been exported", field="period")
    revisions = []
    for record in stores.exports.history(principal.tenant):
        if record.period != label or record.status != "done":
            continue
        prefix = revision_prefix(principal.tenant, label, record.revision)
        revisions.append(
            {
                "revision": record.revision,
                "generated_at": record.generated_at,
                "files": {
                    name: stores.files.link(
                        prefix + name,
                        f"laatu-{principal.tenant}-{label}-r{record.revision}-{name}",
                    )
                    for name in record.detail.get("files", [])
                },
            }
        )
    if not revisions:
        raise NotFound(f"period {label} is still being written; try again shortly")
    return {
        "period": label,
        "start": head.detail.get("start"),
        "end": head.detail.get("end"),
        "latest_revision": revisions[-1]["revision"],
        "links_expire_in_s": LINK_LIFETIME_S,
        "revisions": revisions,
    }

"""Reports: who may see which scope, which cells make it up, and the figures.

Every report is read from report cells, never from evaluations: a tenant's month
is one Query of the month's cells, a team's month one BatchGetItem of its
members' cells, a custom range whole months plus single days. The answer says
how many DynamoDB requests it took (`requests`).

Who sees what (the `report.read` row of the permission table):

- the tenant scope needs TENANT (QA managers);
- a team: TENANT, or LED when the caller leads the team, or SELF when the caller
  is a member during the range; a member sees the team's totals only, never
  another agent's figures (no heatmap, no ranking);
- an agent: TENANT, SELF for the caller's own figures, or LED when the agent was
  in a team the caller leads on some day of the range.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from chalicelib.adapters.settings_store import Agent
from chalicelib.domain import permissions
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.forms import Form
from chalicelib.domain.numbers import reported
from chalicelib.domain.pay_periods import Calendar, local_day, local_midnight
from chalicelib.domain.periods import to_utc_iso
from chalicelib.domain.permissions import Scope
from chalicelib.domain.principal import Principal
from chalicelib.domain.report_cells import BREAKDOWNS, Cell, split_version_key, total
from chalicelib.domain.report_ranges import (
    MAX_TREND_POINTS,
    TREND_KINDS,
    ReportRange,
    buckets,
    buckets_of_spans,
    label_of,
    parse_range,
    period_of_label,
    previous_period,
    trend_periods,
)
from chalicelib.domain.report_suggestions import LANGUAGES, SuggestionInput, suggestions
from chalicelib.domain.reports import (
    FormKey,
    Standing,
    average_interval,
    average_view,
    breakdown_label,
    criteria_compliance,
    criterion_columns,
    difference_view,
    form_view,
    heatmap_cells,
    leaderboard,
    tally,
)
from chalicelib.domain.settings import TenantSettings
from chalicelib.domain.statistics import mean_difference
from chalicelib.domain.teams import Membership, Span, Team, spans_in_team, team_on, teams_in
from chalicelib.domain.text import parse_whole
from chalicelib.services.form_cache import PublishedForms
from chalicelib.services.ports import (
    AgentDirectory,
    AgentLookup,
    ReportCells,
    SettingsHistory,
    TeamDirectory,
    TeamLookup,
    TeamRoster,
)

ONE_DAY = timedelta(days=1)
DEFAULT_TREND_POINTS = 6


class ReportSources(
    SettingsHistory, AgentDirectory, AgentLookup, TeamDirectory, TeamLookup, TeamRoster, Protocol
):
    """The settings store: settings revisions, the roster, the teams and their members."""


@dataclass
class Scoped:
    """A scope resolved: which agents, over which days, and what the caller may see."""

    kind: str  # tenant | team | agent
    id: str | None
    name: str | None
    spans: dict[str, list[Span]] | None  # agent -> day spans; None: every agent, whole range
    anonymous: bool = False  # the caller sees totals only
    team: Team | None = None

    def view(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "name": self.name, "anonymous": self.anonymous}


@dataclass
class ReportRequest:
    principal: Principal
    sources: ReportSources
    cells: ReportCells
    forms: PublishedForms
    now: datetime
    _calendar: Calendar | None = None
    _members: dict[str, dict[str, tuple[Membership, ...]]] = field(default_factory=dict)
    _agents: dict[str, Agent | None] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)
    _teams: dict[str, Team] | None = None
    _forms: dict[FormKey, Form | None] = field(default_factory=dict)
    _source_reads: int = 0
    _team_records: dict[str, Team | None] = field(default_factory=dict)

    def _count_read(self) -> None:
        self._source_reads += 1

    @property
    def tenant(self) -> str:
        return self.principal.tenant

    @property
    def calendar(self) -> Calendar:
        if self._calendar is None:
            self._count_read()
            self._calendar = Calendar(self.sources.revisions(self.tenant))
        return self._calendar

    @property
    def settings(self) -> TenantSettings:
        return self.calendar.settings_at(self.now)

    @property
    def time_zone(self) -> str:
        return self.settings.time_zone

    def today(self) -> date:
        return local_day(self.now, self.time_zone)

    def members_of(self, team_id: str) -> dict[str, tuple[Membership, ...]]:
        """Every agent whose history names the team, with that history: the team's
        part of the index (one Query), or the whole roster while the index of a
        tenant with older records is still being built."""
        if team_id not in self._members:
            self._count_read()
            complete, agents = self.sources.team_members(self.tenant, team_id)
            if not complete:
                self._count_read()
                agents = [
                    a
                    for a in self.sources.agents(self.tenant)
                    if team_id in teams_in(a.memberships)
                ]
            self._names.update({a.agent_id: a.name for a in agents})
            self._members[team_id] = {a.agent_id: a.memberships for a in agents}
        return self._members[team_id]

    def agent(self, agent_id: str) -> Agent | None:
        if agent_id not in self._agents:
            self._count_read()
            found = self.sources.get_agent(self.tenant, agent_id)
            self._agents[agent_id] = found
            if found is not None:
                self._names[agent_id] = found.name
        return self._agents[agent_id]

    def memberships_of(self, agent_id: str) -> tuple[Membership, ...]:
        found = self.agent(agent_id)
        return () if found is None else found.memberships

    def name_of(self, agent_id: str) -> str | None:
        if agent_id not in self._names:
            self.agent(agent_id)
        return self._names.get(agent_id) or None

    def teams(self) -> dict[str, Team]:
        if self._teams is None:
            self._count_read()
            self._teams = {t.team_id: t for t in self.sources.teams(self.tenant)}
        return self._teams

    def team(self, team_id: str) -> Team | None:
        if self._teams is not None:
            return self._teams.get(team_id)
        if team_id not in self._team_records:
            self._count_read()
            self._team_records[team_id] = self.sources.get_team(self.tenant, team_id)
        return self._team_records[team_id]

    def form(self, key: FormKey) -> Form | None:
        if key not in self._forms:
            found, read = self.forms.form(self.tenant, *key)
            if read:
                self._count_read()
            self._forms[key] = found
        return self._forms[key]

    def forms_of(self, cells: Iterable[Cell]) -> dict[FormKey, Form]:
        keys = sorted({(f, v) for cell in cells for f, v, _ in map(split_version_key, cell.counts)})
        found = {key: self.form(key) for key in keys}
        return {key: form for key, form in found.items() if form is not None}

    @property
    def requests(self) -> int:
        return self.cells.requests + self._source_reads

    # --- scope and range ----------------------------------------------------------

    def range(self, query: Mapping[str, str]) -> ReportRange:
        value = query.get("range") or ""
        if not value:
            raise InvalidInput("range is required, like month:2026-11", field="range")
        return parse_range(value, self.calendar)

    def scope(self, query: Mapping[str, str], period: ReportRange) -> Scoped:
        granted = permissions.require(self.principal, "report.read")
        value = query.get("scope") or ""
        kind, _, ident = value.partition(":")
        if value == "tenant":
            if Scope.TENANT not in granted:
                raise Forbidden("the whole tenant's report is for QA managers", field="scope")
            return Scoped("tenant", None, None, None)
        if kind == "team" and ident:
            return self._team_scope(granted, ident, period)
        if kind == "agent" and ident:
            return self._agent_scope(granted, ident, period)
        raise InvalidInput(
            "scope must be tenant, team:<team id> or agent:<agent id>", field="scope"
        )

    def _team_scope(self, granted: frozenset[Scope], team_id: str, period: ReportRange) -> Scoped:
        team = self.team(team_id)
        if team is None:
            raise NotFound(f"team '{team_id}' is not known", field="scope")
        members = self.spans_of_members(team_id, period)
        scoped = Scoped("team", team_id, team.name, members, team=team)
        if Scope.TENANT in granted or (
            Scope.LED in granted and team.is_led_by(self.principal.user)
        ):
            return scoped
        if Scope.SELF in granted and self.principal.agent_id in members:
            scoped.anonymous = True
            return scoped
        raise Forbidden("this team's report is for its team leaders and members", field="scope")

    def _agent_scope(self, granted: frozenset[Scope], agent_id: str, period: ReportRange) -> Scoped:
        whole = {agent_id: [(period.first, period.last)]}
        scoped = Scoped("agent", agent_id, self.name_of(agent_id), whole)
        if Scope.TENANT in granted:
            return scoped
        if Scope.SELF in granted and agent_id == self.principal.agent_id:
            return scoped
        if Scope.LED in granted:
            memberships = self.memberships_of(agent_id)
            for team in self.teams().values():
                if team.is_led_by(self.principal.user) and spans_in_team(
                    memberships, team.team_id, period.first, period.last
                ):
                    return scoped
        raise Forbidden("an agent's report is for them, their team leader and QA managers")

    def spans_of_members(self, team_id: str, period: ReportRange) -> dict[str, list[Span]]:
        """The team's members in the range, with the days each was in the team."""
        return {
            agent: spans
            for agent, memberships in self.members_of(team_id).items()
            if (spans := spans_in_team(memberships, team_id, period.first, period.last))
        }

    # --- reading cells ------------------------------------------------------------

    def per_agent(
        self, scoped: Scoped, period: ReportRange, dimension: str = "all"
    ) -> dict[tuple[str, str], Cell]:
        """The summed cells over the range, by (agent, dimension value)."""
        plan: dict[str, set[str] | None] = {}
        if scoped.spans is None:
            plan = dict.fromkeys(buckets(period.first, period.last))
        else:
            for agent, spans in scoped.spans.items():
                for bucket in buckets_of_spans(spans):
                    agents = plan.setdefault(bucket, set())
                    assert agents is not None
                    agents.add(agent)
        out: dict[tuple[str, str], Cell] = {}
        for bucket, agents in plan.items():
            for key, cell in self.cells.cells(self.tenant, bucket, dimension, agents).items():
                out[key] = out[key].plus(cell) if key in out else cell
        return out

    def evaluations_url(self, agent_id: str | None, period: ReportRange) -> str:
        start = to_utc_iso(local_midnight(period.first, self.time_zone))
        end = to_utc_iso(local_midnight(period.last + ONE_DAY, self.time_zone))
        agent = f"agent_id={agent_id}&" if agent_id else ""
        return f"/v1/evaluations?{agent}from={start}&to={end}"


def _head(request: ReportRequest, scoped: Scoped, period: ReportRange) -> dict[str, Any]:
    return {"scope": scoped.view(), "range": period.to_dict(request.time_zone)}


def _flag(query: Mapping[str, str], name: str) -> bool:
    value = query.get(name, "false")
    if value not in ("true", "false"):
        raise InvalidInput(f"{name} is true or false", field=name)
    return value == "true"


def compliance_report(request: ReportRequest, query: Mapping[str, str]) -> dict[str, Any]:
    period = request.range(query)
    scoped = request.scope(query, period)
    cell = total(request.per_agent(scoped, period).values())
    forms = request.forms_of([cell])
    only = query.get("form") or None
    tallies = tally(cell, forms, by_version=_flag(query, "by_version"), only_form=only)
    out = {
        **_head(request, scoped, period),
        "evaluations": cell.evaluations,
        "average": average_view(cell),
        "full_points": cell.full_points,
        "forms": [form_view(t) for t in tallies],
        "evaluations_url": request.evaluations_url(
            scoped.id if scoped.kind == "agent" else None, period
        ),
    }
    if scoped.kind == "agent" and scoped.id is not None:
        out["tier"] = tier_view(request.calendar.settings_on(period.last), cell)
        out["versus"] = versus_view(request, agent_context(request, scoped.id, period))
    return {**out, "requests": request.requests}


def tier_view(settings: TenantSettings, cell: Cell) -> dict[str, Any] | None:
    """The incentive tier the range's average would reach under the rules in force
    on its last day, and whether luck may have decided it (as the payroll file says
    for a pay period). None when the tenant pays no tiers."""
    rules = settings.incentives
    if not rules.tiers:
        return None
    interval = average_interval(cell)
    tier = rules.tier_for(cell.scored, reported(interval.mean) if interval else None)
    return {
        "name": None if tier is None else tier.name,
        "uncertain": rules.tier_uncertain(cell.scored, interval),
        "lines": [{"name": t.name, "min_average": format(t.min_average, "f")} for t in rules.tiers],
        "min_scored": rules.min_scored,
    }


def _needs_names(scoped: Scoped, what: str) -> None:
    if scoped.kind != "team":
        raise InvalidInput(f"a {what} is drawn for a team: scope=team:<team id>", field="scope")
    if scoped.anonymous:
        raise Forbidden(f"a team's {what} shows each agent: it is for team leaders")


def heatmap_report(request: ReportRequest, query: Mapping[str, str]) -> dict[str, Any]:
    period = request.range(query)
    scoped = request.scope(query, period)
    _needs_names(scoped, "heatmap")
    by_agent = {agent: cell for (agent, _), cell in request.per_agent(scoped, period).items()}
    columns = criterion_columns(by_agent.values(), request.forms_of(by_agent.values()))
    rows = [
        {
            "agent_id": agent,
            "name": request.name_of(agent),
            "average": average_view(by_agent[agent]),
            "cells": heatmap_cells(by_agent[agent], columns),
            "evaluations_url": request.evaluations_url(agent, period),
        }
        for agent in sorted(by_agent)
    ]
    return {
        **_head(request, scoped, period),
        "criteria": columns,
        "agents": rows,
        "requests": request.requests,
    }


def trend_report(request: ReportRequest, query: Mapping[str, str]) -> dict[str, Any]:
    kind = query.get("period") or "month"
    if kind not in TREND_KINDS:
        raise InvalidInput("period is week, month or quarter", field="period")
    count = parse_whole(
        query.get("count") or str(DEFAULT_TREND_POINTS), "count", 1, MAX_TREND_POINTS
    )
    end_label = query.get("end") or label_of(kind, request.today())
    try:
        end = period_of_label(kind, end_label)
    except ValueError:
        raise InvalidInput(f"'{end_label}' is not a {kind} label", field="end") from None
    periods = trend_periods(kind, end, count)
    whole = ReportRange(
        kind, f"{periods[0].label}..{periods[-1].label}", periods[0].first, end.last
    )
    scoped = request.scope(query, whole)
    cells = [total(request.per_agent(_narrowed(scoped, p), p).values()) for p in periods]
    columns = criterion_columns(cells, request.forms_of(cells))
    points = [
        {
            "label": p.label,
            "first_day": p.first.isoformat(),
            "last_day": p.last.isoformat(),
            "average": average_view(cell),
            "criteria": criteria_compliance(cell, columns),
        }
        for p, cell in zip(periods, cells, strict=True)
    ]
    change = None
    if len(cells) >= 2:
        last, before = average_interval(cells[-1]), average_interval(cells[-2])
        if last is not None and before is not None:
            change = difference_view(mean_difference(last, before), as_percent=False)
            if change is not None:
                change = {"from": periods[-2].label, "to": periods[-1].label, **change}
    return {
        "scope": scoped.view(),
        "period": kind,
        "time_zone": request.time_zone,
        "criteria": columns,
        "points": points,
        "change": change,
        "requests": request.requests,
    }


def _narrowed(scoped: Scoped, period: ReportRange) -> Scoped:
    """The scope's agents and spans within one period of a longer range."""
    if scoped.spans is None:
        return scoped
    spans: dict[str, list[Span]] = {}
    for agent, agent_spans in scoped.spans.items():
        inside = [
            (max(a, period.first), min(b, period.last))
            for a, b in agent_spans
            if a <= period.last and b >= period.first
        ]
        if inside:
            spans[agent] = inside
    return Scoped(scoped.kind, scoped.id, scoped.name, spans, scoped.anonymous, scoped.team)


def breakdown_report(request: ReportRequest, query: Mapping[str, str]) -> dict[str, Any]:
    by = query.get("by") or ""
    if by not in BREAKDOWNS:
        raise InvalidInput(f"by is one of {', '.join(BREAKDOWNS)}", field="by")
    period = request.range(query)
    scoped = request.scope(query, period)
    groups: dict[str, Cell] = {}
    for (_, value), cell in request.per_agent(scoped, period, by).items():
        groups[value] = groups[value].plus(cell) if value in groups else cell
    columns = criterion_columns(groups.values(), request.forms_of(groups.values()))
    return {
        **_head(request, scoped, period),
        "by": by,
        "groups": [
            {
                "value": value,
                "label": breakdown_label(by, value, query.get("lang") or "fi"),
                "evaluations": groups[value].evaluations,
                "average": average_view(groups[value]),
                "criteria": criteria_compliance(groups[value], columns),
            }
            for value in sorted(groups)
        ],
        "criteria": columns,
        "requests": request.requests,
    }


@dataclass
class AgentContext:
    """An agent's figures over a range with what they are compared with: the same
    agent in the period before, and the team they are in on the range's last day
    (whole, and without the agent)."""

    agent: Cell
    previous_range: ReportRange | None
    previous: Cell | None
    team_id: str | None
    team: Cell | None
    rest: Cell | None


def agent_context(request: ReportRequest, agent_id: str, period: ReportRange) -> AgentContext:
    whole = Scoped("agent", agent_id, None, {agent_id: [(period.first, period.last)]})
    mine = total(request.per_agent(whole, period).values())
    before_range = previous_period(period.kind, period)
    previous = None
    if before_range is not None:
        before_scope = Scoped(
            "agent", agent_id, None, {agent_id: [(before_range.first, before_range.last)]}
        )
        previous = total(request.per_agent(before_scope, before_range).values())
    team_id = team_on(request.memberships_of(agent_id), period.last)
    rest = team = None
    if team_id is not None and request.team(team_id) is not None:
        members = request.spans_of_members(team_id, period)
        team_cells = request.per_agent(Scoped("team", team_id, None, members), period)
        team = total(team_cells.values())
        rest = total(cell for (agent, _), cell in team_cells.items() if agent != agent_id)
    return AgentContext(mine, before_range, previous, team_id, team, rest)


def versus_view(request: ReportRequest, around: AgentContext) -> dict[str, Any]:
    """The agent's average against the rest of their team and against the period
    before, each with Welch's interval of the difference; `clear` says whether the
    page may call it better or worse."""
    mine = average_interval(around.agent)

    def compared(other: Cell | None) -> dict[str, Any] | None:
        theirs = None if other is None else average_interval(other)
        if mine is None or theirs is None:
            return None
        diff = difference_view(mean_difference(mine, theirs), as_percent=False)
        return None if diff is None or other is None else {"average": average_view(other), **diff}

    previous_range = around.previous_range
    return {
        "team_id": around.team_id,
        "rest_of_team": compared(around.rest),
        "previous_range": None
        if previous_range is None
        else previous_range.to_dict(request.time_zone),
        "previous": compared(around.previous),
    }


def suggestions_report(request: ReportRequest, query: Mapping[str, str]) -> dict[str, Any]:
    lang = query.get("lang") or "fi"
    if lang not in LANGUAGES:
        raise InvalidInput("lang is fi, sv or en", field="lang")
    period = request.range(query)
    scoped = request.scope(query, period)
    if scoped.kind != "agent" or scoped.id is None:
        raise InvalidInput("suggestions are for one agent: scope=agent:<agent id>", field="scope")
    agent_id = scoped.id
    around = agent_context(request, agent_id, period)
    mine, previous, team, rest = around.agent, around.previous, around.team, around.rest
    before_range, team_id = around.previous_range, around.team_id
    cells = [c for c in (mine, previous, team) if c is not None]
    columns = criterion_columns(cells, request.forms_of(cells))
    titles = {(c["form_id"], c["criterion_id"]): c["title"] for c in columns}
    found = suggestions(SuggestionInput(mine, previous, rest, team, titles), lang)
    url = request.evaluations_url(agent_id, period)
    return {
        **_head(request, scoped, period),
        "team_id": team_id,
        "previous_range": None if before_range is None else before_range.to_dict(request.time_zone),
        "suggestions": [{**s, "evaluations_url": url} for s in found],
        "requests": request.requests,
    }


def leaderboard_report(request: ReportRequest, query: Mapping[str, str]) -> dict[str, Any]:
    period = request.range(query)
    scoped = request.scope(query, period)
    _needs_names(scoped, "ranking")
    rules = request.settings.reports
    head = {**_head(request, scoped, period), "enabled": rules.leaderboard}
    head["min_evaluations"] = max(rules.leaderboard_min_evaluations, 5)
    if not rules.leaderboard:
        return {**head, "ranked": [], "unranked": [], "requests": request.requests}
    by_agent = {agent: cell for (agent, _), cell in request.per_agent(scoped, period).items()}
    for agent in scoped.spans or {}:
        by_agent.setdefault(agent, Cell())
    ranked, unranked = leaderboard(
        (Standing(agent, cell) for agent, cell in by_agent.items()),
        rules.leaderboard_min_evaluations,
    )
    for row in (*ranked, *unranked):
        row["name"] = request.name_of(row["agent_id"])
    return {**head, "ranked": ranked, "unranked": unranked, "requests": request.requests}

"""Tenant settings and the agent roster: admins write, the whole tenant reads settings.

A settings change takes effect from the first pay period not yet exported, so an
exported period keeps the rules it was paid with. A time-zone change waits for
the next period that has not started: contacts already recorded were placed on
the days of the old zone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib import schemas
from chalicelib.adapters.settings_store import Agent
from chalicelib.domain import permissions
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.pay_periods import Calendar, local_day, local_midnight
from chalicelib.domain.periods import to_utc_iso
from chalicelib.domain.principal import Principal
from chalicelib.domain.settings import SettingsRevision, parse_settings, settings_to_dict
from chalicelib.domain.storage_errors import AlreadyExists
from chalicelib.domain.teams import parse_memberships, team_on, with_team_from
from chalicelib.services.ports import (
    AgentDirectory,
    ExportHeads,
    RosterLookups,
    RosterReads,
    RosterWrites,
    SettingsHistory,
    SettingsWrites,
)

ONE_DAY = timedelta(days=1)


def _revision_view(revision: SettingsRevision) -> dict[str, Any]:
    return {
        "revision": revision.revision,
        "effective_from": to_utc_iso(revision.effective_from),
        "saved_at": revision.saved_at,
        "saved_by": revision.saved_by,
        "settings": settings_to_dict(revision.settings),
    }


def view(store: SettingsHistory, principal: Principal, now: datetime) -> dict[str, Any]:
    """The settings in force now; admins also see every revision, pending ones included."""
    permissions.require(principal, "settings.read")
    revisions = store.revisions(principal.tenant)
    out = settings_to_dict(Calendar(revisions).settings_at(now))
    if permissions.allows(principal, "settings.read_history"):
        out["revisions"] = [_revision_view(r) for r in revisions]
    return out


def first_unexported_day(calendar: Calendar, exports: ExportHeads, tenant: str) -> date | None:
    ends = [
        date.fromisoformat(head.detail["end"])
        for head in exports.heads(tenant).values()
        if "end" in head.detail
    ]
    return max(ends) + ONE_DAY if ends else None


def update(
    store: SettingsWrites,
    exports: ExportHeads,
    principal: Principal,
    body: Any,
    now: datetime,
) -> dict[str, Any]:
    permissions.require(principal, "settings.write")
    schemas.validate("settings", body)
    new = parse_settings(body)
    tenant = principal.tenant
    revisions = store.revisions(tenant)
    calendar = Calendar(revisions)
    current = calendar.settings_at(now)
    starts = [
        day
        for day in (
            first_unexported_day(calendar, exports, tenant),
            # Never before a revision already saved, so the newest always wins.
            *(local_day(r.effective_from, current.time_zone) for r in revisions),
        )
        if day is not None
    ]
    if new.time_zone != current.time_zone:
        starts.append(calendar.period_of(local_day(now, current.time_zone)).end + ONE_DAY)
    first_day = max(starts) if starts else date(1970, 1, 1)
    effective_from = max(
        [
            local_midnight(first_day, calendar.settings_on(first_day - ONE_DAY).time_zone),
            # Days were reckoned in today's zone; an older revision may sit in another.
            *(r.effective_from for r in revisions),
        ]
    )
    try:
        revision = store.add_revision(
            tenant,
            len(revisions) + 1,
            effective_from,
            new,
            principal.user,
            to_utc_iso(now),
        )
    except AlreadyExists:
        raise Conflict(
            "the settings were changed at the same moment; reload them",
            code="concurrent_settings_change",
        ) from None
    store.register_tenant(tenant, to_utc_iso(now))
    return _revision_view(revision)


def put_agent(
    store: RosterWrites, principal: Principal, agent_id: str, body: Any, now: datetime
) -> Agent:
    """Create or replace an agent's record.

    `memberships` replaces the team history, and `team`, when sent too, must be the
    team it puts the agent in today. With `team` alone (or neither: no team) a
    change of today's team is a membership from today, in the tenant's zone; the
    history before today is kept.
    """
    permissions.require(principal, "roster.write")
    schemas.validate("agent", body)
    if not schemas.matches("evaluation", "#/$defs/agent_id", agent_id):
        raise InvalidInput(f"'{agent_id}' is not a valid agent id", field="agent_id")
    tenant = principal.tenant
    today = local_day(now, time_zone_now(store, tenant, now))
    if "memberships" in body:
        memberships = parse_memberships(body["memberships"])
        team = team_on(memberships, today) or ""
        if "team" in body and body["team"] != team:
            raise InvalidInput(
                f"team must be the team the memberships give for today ({team or 'none'})",
                field="team",
            )
    else:
        team = body.get("team", "")
        existing = store.get_agent(tenant, agent_id)
        memberships = with_team_from(existing.memberships if existing else (), team, today)
    agent = Agent(
        agent_id=agent_id,
        name=body.get("name", ""),
        team=team,
        payroll_id=body.get("payroll_id", ""),
        active=body.get("active", True),
        updated_at=to_utc_iso(now),
        memberships=memberships,
    )
    store.register_tenant(tenant, to_utc_iso(now))
    return store.put_agent(tenant, agent, principal.user)


def agent_view(agent: Agent) -> dict[str, Any]:
    """An agent as the API shows it."""
    return {
        "agent_id": agent.agent_id,
        "name": agent.name,
        "team": agent.team,
        "payroll_id": agent.payroll_id,
        "active": agent.active,
        "updated_at": agent.updated_at,
        "memberships": [m.to_dict() for m in agent.memberships],
    }


def _as_of(agent: Agent, today: date) -> Agent:
    # The stored `team` is the one in force when the record was written; a move
    # planned ahead has taken effect since if its day has come.
    if not agent.memberships:
        return agent
    return replace(agent, team=team_on(agent.memberships, today) or "")


def list_agents(store: RosterReads, principal: Principal, now: datetime) -> list[Agent]:
    granted = permissions.require(principal, "roster.read")
    agents = store.agents(principal.tenant)
    today = local_day(now, time_zone_now(store, principal.tenant, now))
    return [
        _as_of(a, today)
        for a in agents
        if permissions.reaches(granted, principal, about_agent=a.agent_id)
    ]


def get_agent(store: RosterReads, principal: Principal, agent_id: str, now: datetime) -> Agent:
    granted = permissions.require(principal, "roster.read")
    if not permissions.reaches(granted, principal, about_agent=agent_id):
        raise NotFound(f"agent '{agent_id}' is not known")
    agent = store.get_agent(principal.tenant, agent_id)
    if agent is None:
        raise NotFound(f"agent '{agent_id}' is not known")
    return _as_of(agent, local_day(now, time_zone_now(store, principal.tenant, now)))


def time_zone_now(store: SettingsHistory, tenant: str, now: datetime) -> str:
    """The tenant's time zone in force at `now` (local times in batch files use it)."""
    return Calendar(store.revisions(tenant)).settings_at(now).time_zone


def local_today(store: SettingsHistory, tenant: str, now: datetime) -> date:
    """The tenant's local day at `now`, in the zone then in force: the day coaching
    deadlines and "the team an agent is in now" are decided on."""
    return Calendar(store.revisions(tenant)).day_of(now)


@dataclass(frozen=True)
class LoadedRoster:
    """The whole roster read once: for an import run, which asks about many agents."""

    agent_ids: frozenset[str]

    def is_kept(self) -> bool:
        return bool(self.agent_ids)

    def has(self, agent_id: str) -> bool:
        return agent_id in self.agent_ids


@dataclass(frozen=True)
class StoredRoster:
    """The roster asked about one agent at a time: one GetItem for a known agent."""

    store: RosterLookups
    tenant: str

    def is_kept(self) -> bool:
        return self.store.has_agents(self.tenant)

    def has(self, agent_id: str) -> bool:
        return self.store.get_agent(self.tenant, agent_id) is not None


def roster_check(store: AgentDirectory, tenant: str) -> LoadedRoster:
    """The tenant's roster for `domain.roster.check_agent`, read once (an import run)."""
    return LoadedRoster(frozenset(agent.agent_id for agent in store.agents(tenant)))

"""Whom a coaching action reaches: the caller's own records, the agents of the teams
they lead, or the whole tenant (domain/permissions.py, the coaching rows).

LED here means "now": an agent whose membership in force on the tenant's local
today is a team the caller leads. A coaching record follows the agent's current
team, so a team leader who takes over a team takes over its open reviews, sessions
and disputes, and one who hands a team on stops seeing them.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from chalicelib.domain import permissions
from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.permissions import Scope
from chalicelib.domain.principal import Principal
from chalicelib.domain.teams import team_on
from chalicelib.services.ports import (
    AgentDirectory,
    AgentLookup,
    TeamDirectory,
    TeamLookup,
    TeamRoster,
)


class CoachingTeams(AgentDirectory, AgentLookup, TeamLookup, TeamDirectory, TeamRoster, Protocol):
    pass


def reaches_agent(
    teams: CoachingTeams,
    principal: Principal,
    granted: frozenset[Scope],
    agent_id: str,
    today: date,
) -> bool:
    """Whether records about `agent_id` are within `granted` for the caller today."""
    if Scope.TENANT in granted:
        return True
    if Scope.SELF in granted and principal.agent_id is not None and agent_id == principal.agent_id:
        return True
    if Scope.LED not in granted:
        return False
    agent = teams.get_agent(principal.tenant, agent_id)
    team_id = None if agent is None else team_on(agent.memberships, today)
    if team_id is None:
        return False
    team = teams.get_team(principal.tenant, team_id)
    return team is not None and team.is_led_by(principal.user)


def require_agent(
    teams: CoachingTeams, principal: Principal, action: str, agent_id: str, today: date
) -> frozenset[Scope]:
    """For a write naming an agent: Forbidden when the agent is outside the caller's
    reach (the caller named them, so saying so reveals nothing)."""
    granted = permissions.require(principal, action)
    if not reaches_agent(teams, principal, granted, agent_id, today):
        raise Forbidden(_outside(granted), field="agent_id")
    return granted


def require_record(
    teams: CoachingTeams,
    principal: Principal,
    action: str,
    agent_id: str,
    today: date,
    what: str,
) -> frozenset[Scope]:
    """For a record named by id: NotFound when it is about an agent outside the
    caller's reach, so ids reveal nothing."""
    granted = permissions.require(principal, action)
    if not reaches_agent(teams, principal, granted, agent_id, today):
        raise NotFound(f"{what} does not exist")
    return granted


def led_agents(teams: CoachingTeams, principal: Principal, today: date) -> frozenset[str]:
    """The agents now in a team the caller leads: a Query per team led, or the whole
    roster while the team index of a tenant with older records is being built."""
    found: set[str] = set()
    roster = None
    for team in teams.teams(principal.tenant):
        if not team.is_led_by(principal.user):
            continue
        complete, members = teams.team_members(principal.tenant, team.team_id)
        if not complete:
            roster = teams.agents(principal.tenant) if roster is None else roster
            members = roster
        found.update(a.agent_id for a in members if team_on(a.memberships, today) == team.team_id)
    return frozenset(found)


def _outside(granted: frozenset[Scope]) -> str:
    if Scope.LED in granted:
        return "this agent is not in a team you lead"
    return "an agent can do this only for themselves"

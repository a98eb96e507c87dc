"""Teams: admins write them; everyone in the tenant but payroll reads them.

A team is a name and the user ids of the evaluators who lead it. Who is in a team
on which day is each agent's membership history (tenant_settings.put_agent,
domain.teams); report code reads both with one Query each, `store.teams(tenant)`
and `store.agents(tenant)`, and asks `teams_led_by` and `domain.teams.members_during`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from chalicelib import schemas
from chalicelib.adapters.settings_store import Agent
from chalicelib.domain import permissions
from chalicelib.domain.errors import NotFound
from chalicelib.domain.periods import to_utc_iso
from chalicelib.domain.principal import Principal
from chalicelib.domain.teams import Membership, Team, check_team_id, parse_team
from chalicelib.services.ports import TeamDirectory, TeamLookup, TeamWrites


def list_teams(store: TeamDirectory, principal: Principal) -> list[Team]:
    permissions.require(principal, "team.read")
    return store.teams(principal.tenant)


def get_team(store: TeamLookup, principal: Principal, team_id: str) -> Team:
    # team.read is tenant-wide for every role that has it, so an unknown id is the
    # only 404 (another tenant's ids are unknown here: keys start with the tenant).
    permissions.require(principal, "team.read")
    team = store.get_team(principal.tenant, check_team_id(team_id))
    if team is None:
        raise NotFound(f"team '{team_id}' is not known")
    return team


def put_team(
    store: TeamWrites, principal: Principal, team_id: str, body: Any, now: datetime
) -> Team:
    """Create or replace a team (admins)."""
    permissions.require(principal, "team.write")
    schemas.validate("team", body)
    team = parse_team(team_id, body)
    store.register_tenant(principal.tenant, to_utc_iso(now))
    return store.put_team(principal.tenant, team, principal.user, to_utc_iso(now))


def team_view(team: Team) -> dict[str, Any]:
    return team.to_dict()


def teams_led_by(teams: Iterable[Team], user: str) -> list[Team]:
    """The teams that list `user` (a token's `sub`) among their leaders, in order."""
    return [team for team in teams if team.is_led_by(user)]


def memberships_by_agent(agents: Iterable[Agent]) -> dict[str, tuple[Membership, ...]]:
    """{agent_id: history} of `store.agents(tenant)`, as `members_during` takes it."""
    return {agent.agent_id: agent.memberships for agent in agents}

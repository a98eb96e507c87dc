"""The inbox use case: gather what needs the caller's action and shape it at `now`.

Every role may read their own inbox (an empty one is still an answer). What it
reads, and what each part costs in DynamoDB requests:

- the tenant's settings (one Query): the deadline for acknowledgements and the
  time zone of local-day deadlines, as in force now;
- the kept entries of each owner the caller answers to (one Query per owner:
  `user:…`, and `agent:…` with an agent id);
- with `evaluation.acknowledge` and an agent id, the caller's evaluations waiting
  for acknowledgement (one Query of the sparse `unacknowledged` index);
- with `dispute.decide`, the tenant's undecided disputes (one Query of the OPEN
  partition), less those about evaluations the caller wrote;
- with `acknowledgement.read` (led or tenant), for each team the caller leads:
  the team's members (one Query, or the roster once while the team index is not
  complete) and each member's waiting evaluations (one index Query per member,
  overdue ones counted from the same answer). A leader of T teams with M members
  in all costs 1 + T + M requests for this part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib.adapters.settings_store import Agent
from chalicelib.domain import inbox_view, permissions
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.inbox import Todo, owners_of
from chalicelib.domain.inbox_view import Inbox, TeamBacklog, Unacknowledged, UndecidedDispute
from chalicelib.domain.pay_periods import Calendar, local_day
from chalicelib.domain.permissions import Scope
from chalicelib.domain.principal import Principal
from chalicelib.domain.teams import team_on
from chalicelib.services.ports import AgentDirectory, SettingsHistory, TeamDirectory, TeamRoster


class KeptEntries(Protocol):
    def of(self, tenant: str, owner: str) -> list[Todo]: ...


class AwaitingAcknowledgement(Protocol):
    def unacknowledged(
        self, tenant: str, agent_id: str, revised_before: str | None = None
    ) -> list[Evaluation]: ...


class UndecidedDisputes(Protocol):
    def undecided(self, tenant: str) -> list[Mapping[str, Any]]:
        """Every undecided dispute of the tenant, in the Dispute shape."""
        ...


class InboxTeams(SettingsHistory, AgentDirectory, TeamDirectory, TeamRoster, Protocol):
    pass


@dataclass(frozen=True)
class InboxSources:
    todos: KeptEntries
    evaluations: AwaitingAcknowledgement
    disputes: UndecidedDisputes
    teams: InboxTeams  # the SettingsStore: settings, teams, their members, the roster


def read(sources: InboxSources, principal: Principal, now: datetime) -> Inbox:
    tenant = principal.tenant
    settings = Calendar(sources.teams.revisions(tenant)).settings_at(now)
    zone = settings.time_zone
    within_days = settings.coaching.acknowledge_within_days

    todos = [todo for owner in owners_of(principal) for todo in sources.todos.of(tenant, owner)]

    waiting: list[Unacknowledged] = []
    if principal.agent_id is not None and permissions.allows(principal, "evaluation.acknowledge"):
        waiting = _waiting(sources.evaluations, tenant, principal.agent_id)

    reviewer = principal.user if permissions.allows(principal, "dispute.decide") else None
    disputes: list[UndecidedDispute] = []
    if reviewer is not None:
        disputes = [UndecidedDispute.from_dict(d) for d in sources.disputes.undecided(tenant)]

    teams: list[TeamBacklog] = []
    if {Scope.LED, Scope.TENANT} & permissions.scopes(principal, "acknowledgement.read"):
        today = local_day(now, zone)
        for team_id, members in _led_teams(sources.teams, principal, today):
            team_waiting = [w for a in members for w in _waiting(sources.evaluations, tenant, a)]
            teams.append(TeamBacklog(team_id, team_waiting))

    return inbox_view.build(
        todos=todos,
        unacknowledged=waiting,
        disputes=disputes,
        teams=teams,
        reviewer=reviewer,
        acknowledge_within_days=within_days,
        now=now,
        zone=zone,
    )


def _waiting(store: AwaitingAcknowledgement, tenant: str, agent_id: str) -> list[Unacknowledged]:
    return [
        Unacknowledged(
            evaluation_id=e.evaluation_id,
            agent_id=e.agent_id,
            revision=e.revision,
            revised_at=e.revised_at,
        )
        for e in store.unacknowledged(tenant, agent_id)
    ]


def _led_teams(teams: InboxTeams, principal: Principal, today: date) -> list[tuple[str, list[str]]]:
    """(team id, the agents in it today) of each team the caller leads, by team id.

    The members come from the team index, or from the roster (read once) while the
    index of a tenant with older agent records is being built, as
    services/coaching_access.led_agents reads them."""
    out: list[tuple[str, list[str]]] = []
    roster: list[Agent] | None = None
    for team in teams.teams(principal.tenant):
        if not team.is_led_by(principal.user):
            continue
        complete, members = teams.team_members(principal.tenant, team.team_id)
        if not complete:
            roster = teams.agents(principal.tenant) if roster is None else roster
            members = roster
        agents = sorted(
            {a.agent_id for a in members if team_on(a.memberships, today) == team.team_id}
        )
        out.append((team.team_id, agents))
    return out

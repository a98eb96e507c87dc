"""Tenant settings revisions, the tenant registry and the agent roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib import jsoncodec
from chalicelib.adapters.conditions import on_failed_condition
from chalicelib.adapters.models import (
    AgentModel,
    MembershipAttribute,
    SettingsModel,
    TeamModel,
    TenantModel,
)
from chalicelib.domain.settings import (
    SettingsRevision,
    TenantSettings,
    parse_settings,
    settings_to_dict,
)
from chalicelib.domain.storage_errors import AlreadyExists
from chalicelib.domain.teams import Membership, Team, stored_memberships

TENANTS_PK = "TENANTS"


def _settings_pk(tenant: str) -> str:
    return f"{tenant}#SETTINGS"


def _agents_pk(tenant: str) -> str:
    return f"{tenant}#AGENTS"


def _teams_pk(tenant: str) -> str:
    return f"{tenant}#TEAMS"


@dataclass(frozen=True)
class Agent:
    agent_id: str
    name: str
    team: str
    payroll_id: str
    active: bool
    updated_at: str
    # The team history by local day (domain.teams); `team` is the one in force
    # when the record was written.
    memberships: tuple[Membership, ...] = ()


class SettingsStore:
    def revisions(self, tenant: str) -> list[SettingsRevision]:
        return [
            SettingsRevision(
                revision=int(item.revision),
                effective_from=datetime.fromisoformat(item.effective_from),
                settings=parse_settings(jsoncodec.loads(item.settings)),
                saved_at=item.saved_at,
                saved_by=item.saved_by,
            )
            for item in SettingsModel.query(_settings_pk(tenant), consistent_read=True)
        ]

    def add_revision(
        self,
        tenant: str,
        revision: int,
        effective_from: datetime,
        settings: TenantSettings,
        user: str,
        now: str,
    ) -> SettingsRevision:
        """AlreadyExists when another change took revision number `revision` first."""
        item = SettingsModel(
            _settings_pk(tenant),
            f"REV#{revision:06d}",
            revision=revision,
            effective_from=effective_from.isoformat(),
            settings=jsoncodec.dumps(settings_to_dict(settings)),
            saved_at=now,
            saved_by=user,
        )
        with on_failed_condition(AlreadyExists, f"{tenant} settings revision {revision}"):
            item.save(condition=SettingsModel.sk.does_not_exist())
        return SettingsRevision(revision, effective_from, settings, now, user)

    def register_tenant(self, tenant: str, now: str) -> None:
        """Idempotent: the first call records when the tenant started."""
        try:
            with on_failed_condition(AlreadyExists):
                TenantModel(TENANTS_PK, tenant, created_at=now).save(
                    condition=TenantModel.sk.does_not_exist()
                )
        except AlreadyExists:
            pass  # registered before: the first start stands

    def tenants(self) -> list[tuple[str, str]]:
        """(tenant, created_at) of every tenant, from the registry partition."""
        return [(item.sk, item.created_at) for item in TenantModel.query(TENANTS_PK)]

    def agents(self, tenant: str) -> list[Agent]:
        """Every agent of the tenant with their membership history: one Query."""
        return [_agent(item) for item in AgentModel.query(_agents_pk(tenant), consistent_read=True)]

    def has_agents(self, tenant: str) -> bool:
        query = AgentModel.query(_agents_pk(tenant), consistent_read=True, limit=1)
        return next(iter(query), None) is not None

    def put_agent(self, tenant: str, agent: Agent, user: str) -> Agent:
        AgentModel(
            _agents_pk(tenant),
            agent.agent_id,
            name=agent.name,
            team=agent.team,
            payroll_id=agent.payroll_id,
            active=agent.active,
            memberships=[
                MembershipAttribute(team=m.team, start=m.start.isoformat())
                for m in agent.memberships
            ],
            updated_at=agent.updated_at,
            updated_by=user,
        ).save()
        return agent

    def get_agent(self, tenant: str, agent_id: str) -> Agent | None:
        try:
            return _agent(AgentModel.get(_agents_pk(tenant), agent_id))
        except AgentModel.DoesNotExist:
            return None

    def teams(self, tenant: str) -> list[Team]:
        """Every team of the tenant, by team id: one Query."""
        return [_team(item) for item in TeamModel.query(_teams_pk(tenant), consistent_read=True)]

    def get_team(self, tenant: str, team_id: str) -> Team | None:
        try:
            return _team(TeamModel.get(_teams_pk(tenant), team_id, consistent_read=True))
        except TeamModel.DoesNotExist:
            return None

    def put_team(self, tenant: str, team: Team, user: str, now: str) -> Team:
        """Create or replace the team."""
        TeamModel(
            _teams_pk(tenant),
            team.team_id,
            name=team.name,
            leaders=list(team.leaders),
            updated_at=now,
            updated_by=user,
        ).save()
        return team


def _agent(item: AgentModel) -> Agent:
    return Agent(
        agent_id=item.sk,
        name=item.name,
        team=item.team,
        payroll_id=item.payroll_id,
        active=bool(item.active),
        updated_at=item.updated_at,
        memberships=stored_memberships(
            None
            if item.memberships is None
            else [{"team": m.team, "from": m.start} for m in item.memberships],
            item.team,
        ),
    )


def _team(item: TeamModel) -> Team:
    return Team(team_id=item.sk, name=item.name, leaders=tuple(str(x) for x in item.leaders or ()))

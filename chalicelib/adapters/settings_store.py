"""Tenant settings revisions, the tenant registry and the agent roster."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib import jsoncodec
from chalicelib.adapters.backfill_store import BackfillStore
from chalicelib.adapters.conditions import on_failed_condition
from chalicelib.adapters.models import (
    AgentModel,
    MembershipAttribute,
    SettingsModel,
    TeamMemberModel,
    TeamModel,
    TenantModel,
    connection,
)
from chalicelib.domain.settings import (
    SettingsRevision,
    TenantSettings,
    parse_settings,
    settings_to_dict,
)
from chalicelib.domain.storage_errors import AlreadyExists, ConcurrentUpdate
from chalicelib.domain.teams import Membership, Team, stored_memberships, teams_in

TENANTS_PK = "TENANTS"


def _settings_pk(tenant: str) -> str:
    return f"{tenant}#SETTINGS"


def _agents_pk(tenant: str) -> str:
    return f"{tenant}#AGENTS"


def _teams_pk(tenant: str) -> str:
    return f"{tenant}#TEAMS"


def _members_pk(tenant: str, team_id: str) -> str:
    return f"{tenant}#MEMBERS#{team_id}"


# Agent ids start with a letter or digit, so this key is never an agent's.
COMPLETE_SK = "#complete"
TEAM_INDEX_JOB = "team_index"  # services.team_index.JOB: the marker of its run
MAX_ATTEMPTS = 5


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
        """Create or replace the agent, and their entries in the team index with them:
        one transaction, conditioned on the record not having changed since read."""
        for _attempt in range(MAX_ATTEMPTS):
            old = self._agent_item(tenant, agent.agent_id)
            before = teams_in(_agent(old).memberships) if old is not None else frozenset()
            after = teams_in(agent.memberships)
            item = AgentModel(
                _agents_pk(tenant),
                agent.agent_id,
                name=agent.name,
                team=agent.team,
                payroll_id=agent.payroll_id,
                active=agent.active,
                memberships=_membership_attributes(agent.memberships),
                updated_at=agent.updated_at,
                updated_by=user,
                revision=_next_revision(old),
            )
            try:
                with (
                    on_failed_condition(ConcurrentUpdate, f"agent {agent.agent_id}"),
                    TransactWrite(connection=connection()) as transaction,
                ):
                    transaction.save(item, condition=_unchanged(old))
                    for team in sorted(after):
                        transaction.save(_member_item(tenant, team, agent))
                    for team in sorted(before - after):
                        transaction.delete(
                            TeamMemberModel(_members_pk(tenant, team), agent.agent_id)
                        )
            except ConcurrentUpdate:
                continue
            return agent
        raise ConcurrentUpdate(f"agent {agent.agent_id}: still contended")

    def team_members(self, tenant: str, team_id: str) -> tuple[bool, list[Agent]]:
        """(whether the index is complete for the team, the agents it holds): one Query."""
        complete = False
        agents: list[Agent] = []
        query = TeamMemberModel.query(_members_pk(tenant, team_id), consistent_read=True)
        for item in query:
            if item.sk == COMPLETE_SK:
                complete = True
                continue
            agents.append(_member(item))
        return complete, agents

    def index_agent(self, tenant: str, agent_id: str) -> None:
        """Put an agent saved before the team index into it, as it is now."""
        for _attempt in range(MAX_ATTEMPTS):
            old = self._agent_item(tenant, agent_id)
            if old is None:
                return
            agent = _agent(old)
            try:
                with (
                    on_failed_condition(ConcurrentUpdate, f"agent {agent_id}"),
                    TransactWrite(connection=connection()) as transaction,
                ):
                    transaction.condition_check(
                        AgentModel, old.pk, old.sk, condition=_unchanged(old)
                    )
                    for team in sorted(teams_in(agent.memberships)):
                        transaction.save(_member_item(tenant, team, agent))
            except ConcurrentUpdate:
                continue  # written meanwhile, and so indexed by that write
            return

    def mark_team_indexed(self, tenant: str, team_id: str, now: str) -> None:
        TeamMemberModel(_members_pk(tenant, team_id), COMPLETE_SK, updated_at=now).save()

    def _agent_item(self, tenant: str, agent_id: str) -> AgentModel | None:
        try:
            return AgentModel.get(_agents_pk(tenant), agent_id, consistent_read=True)
        except AgentModel.DoesNotExist:
            return None

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
        if BackfillStore().progress(tenant, TEAM_INDEX_JOB).done:
            # Indexed from now on by every agent write; before the tenant's index is
            # built, its indexing marks every team at the end instead.
            self.mark_team_indexed(tenant, team.team_id, now)
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


def _member(item: TeamMemberModel) -> Agent:
    return Agent(
        agent_id=item.sk,
        name=item.name,
        team="",
        payroll_id="",
        active=True,
        updated_at=item.updated_at,
        memberships=stored_memberships(
            [{"team": m.team, "from": m.start} for m in item.memberships or ()], ""
        ),
    )


def _member_item(tenant: str, team_id: str, agent: Agent) -> TeamMemberModel:
    return TeamMemberModel(
        _members_pk(tenant, team_id),
        agent.agent_id,
        name=agent.name,
        memberships=_membership_attributes(agent.memberships),
        updated_at=agent.updated_at,
    )


def _membership_attributes(memberships: Iterable[Membership]) -> list[MembershipAttribute]:
    return [MembershipAttribute(team=m.team, start=m.start.isoformat()) for m in memberships]


def _next_revision(old: AgentModel | None) -> int:
    return 1 if old is None or old.revision is None else int(old.revision) + 1


def _unchanged(old: AgentModel | None) -> Condition:
    if old is None:
        return AgentModel.sk.does_not_exist()
    if old.revision is None:
        return AgentModel.revision.does_not_exist() & (AgentModel.updated_at == old.updated_at)
    return AgentModel.revision == old.revision


def _team(item: TeamModel) -> Team:
    return Team(team_id=item.sk, name=item.name, leaders=tuple(str(x) for x in item.leaders or ()))

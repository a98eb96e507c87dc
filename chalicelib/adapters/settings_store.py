"""Tenant settings revisions, the tenant registry and the agent roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib import jsoncodec
from chalicelib.adapters.conditions import on_failed_condition
from chalicelib.adapters.models import AgentModel, SettingsModel, TenantModel
from chalicelib.domain.settings import (
    SettingsRevision,
    TenantSettings,
    parse_settings,
    settings_to_dict,
)
from chalicelib.domain.storage_errors import AlreadyExists

TENANTS_PK = "TENANTS"


def _settings_pk(tenant: str) -> str:
    return f"{tenant}#SETTINGS"


def _agents_pk(tenant: str) -> str:
    return f"{tenant}#AGENTS"


@dataclass(frozen=True)
class Agent:
    agent_id: str
    name: str
    team: str
    payroll_id: str
    active: bool
    updated_at: str


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
            updated_at=agent.updated_at,
            updated_by=user,
        ).save()
        return agent

    def get_agent(self, tenant: str, agent_id: str) -> Agent | None:
        try:
            return _agent(AgentModel.get(_agents_pk(tenant), agent_id))
        except AgentModel.DoesNotExist:
            return None


def _agent(item: AgentModel) -> Agent:
    return Agent(
        agent_id=item.sk,
        name=item.name,
        team=item.team,
        payroll_id=item.payroll_id,
        active=bool(item.active),
        updated_at=item.updated_at,
    )

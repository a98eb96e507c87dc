"""Acknowledgements: an agent says they have read an evaluation's revision; their
team leaders and QA managers see what is unacknowledged and what is overdue.

Storage is the evaluation store's: the HEAD item carries the acknowledgement of
the current revision and, until then, the keys of the sparse `unacknowledged`
index (one Query per agent lists what waits); each REV item keeps who
acknowledged it and when.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib import schemas
from chalicelib.adapters.evaluation_store import Acknowledgement
from chalicelib.domain import permissions
from chalicelib.domain.acknowledgements import asks_acknowledgement, check_acknowledgement, deadline
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.numbers import reported_str
from chalicelib.domain.pay_periods import Calendar, local_day
from chalicelib.domain.periods import parse_instant, to_utc_iso
from chalicelib.domain.permissions import Scope
from chalicelib.domain.principal import Principal
from chalicelib.domain.settings import TenantSettings
from chalicelib.domain.storage_errors import StaleVersion
from chalicelib.domain.teams import check_team_id, team_on
from chalicelib.services import coaching_access, evaluations
from chalicelib.services.coaching_access import CoachingTeams
from chalicelib.services.ports import EvaluationReads, SettingsHistory


class AcknowledgementStore(EvaluationReads, Protocol):
    def acknowledge(self, tenant: str, evaluation_id: str, revision: int, by: str, at: str) -> None:
        """StaleVersion when `revision` is not current or already acknowledged."""
        ...

    def acknowledgements(self, tenant: str, evaluation_id: str) -> list[Acknowledgement]: ...


class UnacknowledgedListing(Protocol):
    def unacknowledged(
        self, tenant: str, agent_id: str, revised_before: str | None = None
    ) -> list[Evaluation]: ...


class AcknowledgementTeams(CoachingTeams, SettingsHistory, Protocol):
    """The settings store: the roster, the teams and the settings revisions."""


def ack_view(ack: Acknowledgement) -> dict[str, Any]:
    return {
        "evaluation_id": ack.evaluation_id,
        "revision": ack.revision,
        "by": ack.by,
        "at": ack.at,
    }


def _settings(store: SettingsHistory, tenant: str, now: datetime) -> TenantSettings:
    return Calendar(store.revisions(tenant)).settings_at(now)


def _current_ack(
    store: AcknowledgementStore, tenant: str, evaluation: Evaluation
) -> Acknowledgement | None:
    found = store.acknowledgements(tenant, evaluation.evaluation_id)
    return next((a for a in found if a.revision == evaluation.revision), None)


def acknowledge(
    store: AcknowledgementStore,
    principal: Principal,
    evaluation_id: str,
    body: Any,
    now: datetime,
) -> Acknowledgement:
    """Record that the agent read the current revision. Again for the same revision
    answers the first acknowledgement (a retry changes nothing)."""
    granted = permissions.require(principal, "evaluation.acknowledge")
    schemas.validate("acknowledgement", body)
    revision = int(body["revision"])
    evaluation = evaluations.get(store, principal, evaluation_id)
    check_acknowledgement(granted, principal, evaluation, revision)
    tenant = principal.tenant
    earlier = _current_ack(store, tenant, evaluation)
    if earlier is not None:
        return earlier
    at = to_utc_iso(now)
    try:
        store.acknowledge(tenant, evaluation_id, revision, principal.user, at)
    except StaleVersion:
        # Someone got there first: the same acknowledgement (a concurrent retry), an
        # amendment, or a revision that never asked (written before the index).
        current = store.get(tenant, evaluation_id)
        earlier = _current_ack(store, tenant, current)
        if earlier is not None and earlier.revision == revision:
            return earlier
        if current.revision != revision:
            raise Conflict(
                f"revision {revision} was replaced while you read it; read the new one",
                field="revision",
                code="stale_revision",
            ) from None
        raise Conflict(
            "this revision does not wait for an acknowledgement", code="nothing_to_acknowledge"
        ) from None
    return Acknowledgement(evaluation_id, revision, principal.user, at)


def status(
    store: AcknowledgementStore,
    settings: SettingsHistory,
    principal: Principal,
    evaluation_id: str,
    now: datetime,
) -> dict[str, Any]:
    """Every acknowledgement of an evaluation and whether the current revision's is
    in, due or overdue: for anyone who can read the evaluation."""
    evaluation = evaluations.get(store, principal, evaluation_id)
    found = store.acknowledgements(principal.tenant, evaluation_id)
    acknowledged = any(a.revision == evaluation.revision for a in found)
    within = _settings(settings, principal.tenant, now).coaching.acknowledge_within_days
    term = deadline(
        evaluation, parse_instant(evaluation.revised_at, "revised_at"), acknowledged, within, now
    )
    return {
        "items": [ack_view(a) for a in found],
        "current_revision": evaluation.revision,
        "acknowledged": acknowledged,
        "due": None if term.due is None else to_utc_iso(term.due),
        "overdue": term.overdue,
    }


@dataclass(frozen=True)
class Waiting:
    evaluation: Evaluation
    due: str | None
    overdue: bool

    def view(self) -> dict[str, Any]:
        e = self.evaluation
        return {
            "evaluation_id": e.evaluation_id,
            "revision": e.revision,
            "agent_id": e.agent_id,
            "evaluator": e.evaluator,
            "contact": e.contact.fields(),
            "score_overall": reported_str(e.score.overall),
            "revised_at": e.revised_at,
            "due": self.due,
            "overdue": self.overdue,
        }


def _flag(query: dict[str, str], name: str) -> bool | None:
    value = query.get(name)
    if value in (None, ""):
        return None
    if value not in ("true", "false"):
        raise InvalidInput(f"{name} is true or false", field=name)
    return value == "true"


def _members_now(teams: CoachingTeams, tenant: str, team_id: str, today: date) -> set[str]:
    complete, members = teams.team_members(tenant, team_id)
    if not complete:
        members = teams.agents(tenant)
    return {a.agent_id for a in members if team_on(a.memberships, today) == team_id}


def _agents_asked(
    teams: AcknowledgementTeams,
    principal: Principal,
    granted: frozenset[Scope],
    query: dict[str, str],
    today: date,
) -> set[str]:
    """The agents whose unacknowledged evaluations the query asks for, within reach."""
    tenant = principal.tenant
    agent_id = query.get("agent_id") or None
    team_id = query.get("team_id") or None
    if agent_id is not None and team_id is not None:
        raise InvalidInput("ask for one agent_id or one team_id, not both", field="team_id")
    if agent_id is not None:
        if not schemas.matches("evaluation", "#/$defs/agent_id", agent_id):
            raise InvalidInput(f"'{agent_id}' is not a valid agent id", field="agent_id")
        if not coaching_access.reaches_agent(teams, principal, granted, agent_id, today):
            raise Forbidden(
                "an agent's acknowledgements are for them, their team leaders and QA managers",
                field="agent_id",
            )
        return {agent_id}
    if team_id is not None:
        check_team_id(team_id)
        team = teams.get_team(tenant, team_id)
        led = Scope.LED in granted and team is not None and team.is_led_by(principal.user)
        if Scope.TENANT not in granted and not led:
            raise Forbidden(
                "a team's acknowledgements are for its team leaders and QA managers",
                field="team_id",
            )
        if team is None:
            raise NotFound(f"team '{team_id}' is not known", field="team_id")
        return _members_now(teams, tenant, team_id, today)
    # Neither: everyone the caller reaches, role by role.
    agents: set[str] = set()
    if Scope.TENANT in granted:
        agents.update(a.agent_id for a in teams.agents(tenant))
    if Scope.LED in granted:
        agents.update(coaching_access.led_agents(teams, principal, today))
    if Scope.SELF in granted and principal.agent_id is not None:
        agents.add(principal.agent_id)
    return agents


def waiting(
    evaluations_waiting: Iterable[Evaluation], within_days: int | None, now: datetime
) -> list[Waiting]:
    out = []
    for evaluation in evaluations_waiting:
        if not asks_acknowledgement(evaluation):
            continue  # the index never holds one; a stale copy is no reason to ask
        term = deadline(
            evaluation, parse_instant(evaluation.revised_at, "revised_at"), False, within_days, now
        )
        due = None if term.due is None else to_utc_iso(term.due)
        out.append(Waiting(evaluation, due, term.overdue))
    return sorted(out, key=lambda w: (w.evaluation.revised_at, w.evaluation.evaluation_id))


def listing(
    store: UnacknowledgedListing,
    teams: AcknowledgementTeams,
    principal: Principal,
    query: dict[str, str],
    now: datetime,
) -> dict[str, Any]:
    """What waits for acknowledgement, oldest first: one index Query per agent."""
    granted = permissions.require(principal, "acknowledgement.read")
    overdue = _flag(query, "overdue")
    settings = _settings(teams, principal.tenant, now)
    today = local_day(now, settings.time_zone)
    agents = _agents_asked(teams, principal, granted, query, today)
    found: list[Evaluation] = []
    for agent_id in sorted(agents):
        found.extend(store.unacknowledged(principal.tenant, agent_id))
    items: Sequence[Waiting] = waiting(found, settings.coaching.acknowledge_within_days, now)
    if overdue is not None:
        items = [w for w in items if w.overdue == overdue]
    return {
        "items": [w.view() for w in items],
        "count": len(items),
        "overdue_count": sum(1 for w in items if w.overdue),
    }

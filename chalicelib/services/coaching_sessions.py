"""Coaching sessions: a team leader records one, the agent writes their wish and
acknowledges it, either marks the actions done, and the session's page shows the
agent's compliance on the actions' criteria before and after.

Who may (the session rows of domain/permissions.py, L = an agent now in a team
the caller leads): session.write (admin T, evaluator L) records and changes a
session; session.read (T/L/S) reads one; only the session's agent, as an agent,
writes the development wish and acknowledges; an action is done by its owner or by
whoever may write the session. A session about an agent out of the caller's reach
is 404, as is another tenant's.

Every change is one transaction with the inbox entries it makes or settles, on
the condition that the session is still at the version read (or the version an
If-Match names: 412 when stale). A change that would change nothing answers the
session as it is, so a retried request answers what the first one did.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib import schemas
from chalicelib.adapters.form_store import VersionRecord
from chalicelib.domain import coaching_sessions as rules
from chalicelib.domain import permissions
from chalicelib.domain.coaching_sessions import CriterionRef, Session, TodoKey
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound, PreconditionFailed
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.forms import parse_form
from chalicelib.domain.inbox import Todo
from chalicelib.domain.periods import to_utc_iso
from chalicelib.domain.permissions import Scope
from chalicelib.domain.preconditions import required_version
from chalicelib.domain.principal import Principal
from chalicelib.domain.report_cells import Cell, total
from chalicelib.domain.report_ranges import buckets
from chalicelib.domain.roster import Roster, check_agent
from chalicelib.domain.storage_errors import StaleVersion
from chalicelib.services import coaching_access
from chalicelib.services.coaching_access import CoachingTeams
from chalicelib.services.ports import ReportCells, SettingsHistory
from chalicelib.services.tenant_settings import local_today

# The schema's patterns for ids in a path: an id no session could have is refused.
_SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")
_ACTION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class SessionRecords(Protocol):
    def create(
        self, tenant: str, session: Session, puts: Sequence[Todo], deletes: Sequence[TodoKey] = ()
    ) -> None:
        """AlreadyExists when the id is taken."""
        ...

    def replace(
        self,
        tenant: str,
        before: Session,
        after: Session,
        puts: Sequence[Todo],
        deletes: Sequence[TodoKey],
    ) -> None:
        """StaleVersion when the session is no longer at `before.version`."""
        ...

    def get(self, tenant: str, session_id: str) -> Session:
        """NotFound when there is none."""
        ...

    def of_agent(self, tenant: str, agent_id: str) -> list[Session]: ...


class EvaluationBatch(Protocol):
    def get_many(self, tenant: str, evaluation_ids: Sequence[str]) -> dict[str, Evaluation]: ...


class PublishedVersions(Protocol):
    def list_versions(self, tenant: str, form_id: str) -> list[VersionRecord]:
        """Oldest first; NotFound when there is no such form."""
        ...


class SessionTeams(CoachingTeams, SettingsHistory, Protocol):
    """The settings store: the roster, the teams and the settings revisions."""


@dataclass(frozen=True)
class SessionStores:
    sessions: SessionRecords
    evaluations: EvaluationBatch
    forms: PublishedVersions
    teams: SessionTeams
    roster: Roster
    cells: ReportCells


def _today(stores: SessionStores, tenant: str, now: datetime) -> date:
    return local_today(stores.teams, tenant, now)


def _check_id(pattern: re.Pattern[str], value: str, field: str) -> None:
    if not pattern.fullmatch(value):
        raise InvalidInput(f"'{value}' is not a valid {field}", field=field)


def _versions(stores: SessionStores, tenant: str, form_id: str) -> list[VersionRecord] | None:
    try:
        return stores.forms.list_versions(tenant, form_id)
    except NotFound:
        return None


def _criteria_of(
    stores: SessionStores, tenant: str, form_ids: Collection[str]
) -> dict[str, list[tuple[str, str]] | None]:
    """{form id: [(criterion id, text)] of every published version, oldest first},
    None for a form that does not exist."""
    out: dict[str, list[tuple[str, str]] | None] = {}
    for form_id in form_ids:
        versions = _versions(stores, tenant, form_id)
        out[form_id] = (
            None
            if versions is None
            else [
                (c.id, c.text)
                for version in versions
                for c in parse_form(version.definition).criteria()
            ]
        )
    return out


def _checked_input(stores: SessionStores, tenant: str, body: Any) -> rules.SessionInput:
    """A schema-valid body checked: its days, ids, criteria and evaluations."""
    session = rules.parse_input(body)
    criteria = _criteria_of(stores, tenant, rules.forms_named(session))
    rules.check_criteria(
        session,
        {
            form_id: None if found is None else frozenset(cid for cid, _ in found)
            for form_id, found in criteria.items()
        },
    )
    if session.evaluation_ids:
        found = stores.evaluations.get_many(tenant, session.evaluation_ids)
        rules.check_evaluations(session, {e: v.agent_id for e, v in found.items()})
    return session


def create(
    stores: SessionStores, principal: Principal, body: Any, *, session_id: str, now: datetime
) -> Session:
    """Record a session held by the caller (its leader) with an agent they reach."""
    permissions.require(principal, "session.write")
    tenant = principal.tenant
    schemas.validate("coaching_session", body)
    coaching_access.require_agent(
        stores.teams, principal, "session.write", body["agent_id"], _today(stores, tenant, now)
    )
    check_agent(stores.roster, body["agent_id"])
    content = _checked_input(stores, tenant, body)
    at = to_utc_iso(now)
    session = rules.new_session(content, session_id=session_id, leader=principal.user, now=at)
    puts, deletes = rules.todo_changes(None, session, at)
    stores.sessions.create(tenant, session, puts, deletes)
    return session


@dataclass(frozen=True)
class Visible:
    session: Session
    read: frozenset[Scope]  # the caller's session.read scopes
    today: date


def _visible(
    stores: SessionStores, principal: Principal, session_id: str, now: datetime
) -> Visible:
    _check_id(_SESSION_ID, session_id, "session_id")
    granted = permissions.require(principal, "session.read")
    session = stores.sessions.get(principal.tenant, session_id)
    today = _today(stores, principal.tenant, now)
    if not coaching_access.reaches_agent(stores.teams, principal, granted, session.agent_id, today):
        raise NotFound(f"session '{session_id}' does not exist")
    return Visible(session, granted, today)


def _writes(stores: SessionStores, principal: Principal, found: Visible) -> bool:
    """Whether the caller may change the session: an admin, or a leader of the
    agent's team now (a leader who takes a team over takes its sessions over)."""
    granted = permissions.scopes(principal, "session.write")
    return bool(granted) and coaching_access.reaches_agent(
        stores.teams, principal, granted, found.session.agent_id, found.today
    )


def _store(
    stores: SessionStores,
    tenant: str,
    before: Session,
    after: Session,
    if_match: str | None,
    now: str,
) -> Session:
    """Write `after` over `before`: nothing when it changes nothing (a retry answers
    the first result), else on the version If-Match names or the one read."""
    if after is before or after == before:
        return before
    if if_match is not None:
        expected = required_version(if_match, "the session you are changing")
        if expected != before.version:
            raise PreconditionFailed(
                f"the session is at version {before.version}, not {expected}; reload it",
                field="If-Match",
            )
    puts, deletes = rules.todo_changes(before, after, now)
    try:
        stores.sessions.replace(tenant, before, after, puts, deletes)
    except StaleVersion:
        raise PreconditionFailed(
            "the session was changed by someone else; reload it", field="If-Match"
        ) from None
    return after


def update(
    stores: SessionStores,
    principal: Principal,
    session_id: str,
    body: Any,
    *,
    if_match: str | None,
    now: datetime,
) -> Session:
    permissions.require(principal, "session.write")
    found = _visible(stores, principal, session_id, now)
    if not _writes(stores, principal, found):
        raise Forbidden("a session is changed by the agent's team leader or an admin")
    schemas.validate("coaching_session", body)
    content = _checked_input(stores, principal.tenant, body)
    at = to_utc_iso(now)
    after = rules.updated(found.session, content, at)
    return _store(stores, principal.tenant, found.session, after, if_match, at)


def _as_its_agent(principal: Principal, found: Visible, what: str) -> None:
    if not rules.speaks_as_its_agent(found.read, principal, found.session):
        raise Forbidden(f"only the session's agent {what}")


def wish(
    stores: SessionStores,
    principal: Principal,
    session_id: str,
    body: Any,
    *,
    if_match: str | None,
    now: datetime,
) -> Session:
    found = _visible(stores, principal, session_id, now)
    _as_its_agent(principal, found, "writes their development wish")
    schemas.validate("session_wish", body)
    at = to_utc_iso(now)
    after = rules.with_wish(found.session, body["development_wish"], at)
    return _store(stores, principal.tenant, found.session, after, if_match, at)


def acknowledge(
    stores: SessionStores,
    principal: Principal,
    session_id: str,
    *,
    if_match: str | None,
    now: datetime,
) -> Session:
    found = _visible(stores, principal, session_id, now)
    _as_its_agent(principal, found, "acknowledges it")
    at = to_utc_iso(now)
    after = rules.acknowledged(found.session, principal.user, at)
    return _store(stores, principal.tenant, found.session, after, if_match, at)


def complete_action(
    stores: SessionStores,
    principal: Principal,
    session_id: str,
    action_id: str,
    *,
    if_match: str | None,
    now: datetime,
) -> Session:
    _check_id(_ACTION_ID, action_id, "action_id")
    found = _visible(stores, principal, session_id, now)
    action = found.session.action(action_id)
    if action is None:
        raise NotFound(f"session '{session_id}' has no action '{action_id}'")
    writes = _writes(stores, principal, found)
    if not rules.may_complete(found.read, principal, found.session, action, writes_session=writes):
        raise Forbidden("an action is marked done by its owner, the team leader or an admin")
    at = to_utc_iso(now)
    after = rules.with_action_done(found.session, action_id, at)
    return _store(stores, principal.tenant, found.session, after, if_match, at)


def _summed(cells: ReportCells, tenant: str, agent_id: str, days: tuple[date, date] | None) -> Cell:
    """The agent's "all" cells over the days: whole months and single days."""
    if days is None:
        return Cell()
    found = [
        cell
        for bucket in buckets(*days)
        for cell in cells.cells(tenant, bucket, "all", {agent_id}).values()
    ]
    return total(found)


def get(
    stores: SessionStores, principal: Principal, session_id: str, now: datetime
) -> dict[str, Any]:
    """The session with its effect on the criteria its actions are about."""
    found = _visible(stores, principal, session_id, now)
    session = found.session
    windows = rules.effect_windows(date.fromisoformat(session.held_on), found.today)
    tenant = principal.tenant
    before = _summed(stores.cells, tenant, session.agent_id, windows[0])
    after = _summed(stores.cells, tenant, session.agent_id, windows[1])
    criteria = rules.effect_criteria(session)
    texts = _criteria_of(stores, tenant, sorted({c.form_id for c in criteria}))
    titles: Mapping[CriterionRef, str] = rules.criteria_titles(
        (form_id, found_criteria or []) for form_id, found_criteria in texts.items()
    )
    return rules.present(session, rules.effect(session, windows, before, after, titles))


def list_sessions(
    stores: SessionStores, principal: Principal, query: Mapping[str, str], now: datetime
) -> list[Session]:
    """Newest held_on first: one agent's (agent_id=), or every agent's the caller
    reaches (an admin: the roster; a team leader: their teams' agents now; an
    agent: their own)."""
    granted = permissions.require(principal, "session.read")
    tenant = principal.tenant
    today = _today(stores, tenant, now)
    agent_id = query.get("agent_id") or None
    if agent_id is not None:
        if not schemas.matches("evaluation", "#/$defs/agent_id", agent_id):
            raise InvalidInput(f"'{agent_id}' is not a valid agent id", field="agent_id")
        if not coaching_access.reaches_agent(stores.teams, principal, granted, agent_id, today):
            raise Forbidden(
                "an agent's sessions are for them, their team leaders and QA managers",
                field="agent_id",
            )
        agents = {agent_id}
    else:
        agents = set()
        if Scope.TENANT in granted:
            agents.update(a.agent_id for a in stores.teams.agents(tenant))
        if Scope.LED in granted:
            agents.update(coaching_access.led_agents(stores.teams, principal, today))
        if Scope.SELF in granted and principal.agent_id is not None:
            agents.add(principal.agent_id)
    found = [s for agent in sorted(agents) for s in stores.sessions.of_agent(tenant, agent)]
    return sorted(found, key=lambda s: (s.held_on, s.session_id), reverse=True)

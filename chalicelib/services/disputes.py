"""Dispute use cases: open, read and list, take into review, decide, withdraw.

The rules are domain/disputes.py; this module reads what they need, asks them, and
writes what they return in one transaction with everything that follows from it:

- every change that makes or settles an undecided dispute (open, withdraw, reject,
  uphold) bumps the export change count of the pay period the evaluation counts in
  now (its ledger entry), so the next payroll beat re-exports a period whose
  disputed evaluations count differently; an evaluation the stream has not applied
  yet counts nowhere, and the stream bumps its period when it applies it;
- upholding is an amendment: the corrected evaluation (checked as an amendment is)
  becomes the next revision naming the dispute, written by EvaluationStore.amend
  together with the decision, so exactly one decision wins and it comes with exactly
  one amendment. The stream then folds it into the figures like any other.

A write that loses a race is read again and the rules asked again, so the loser
hears what happened (`already_decided`, `in_review`) or, if nothing did, the write is
tried once more; with If-Match (the dispute's version) or `evaluation_revision` the
caller pins what they saw, and a change since is 412.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib import schemas
from chalicelib.domain import disputes as rules
from chalicelib.domain import permissions
from chalicelib.domain.aggregates import Contribution
from chalicelib.domain.disputes import Actor, Dispute, Terms
from chalicelib.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PreconditionFailed,
)
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.evaluations import build_evaluation, same_content
from chalicelib.domain.forms import Form, parse_form
from chalicelib.domain.pay_periods import Calendar
from chalicelib.domain.periods import parse_instant, to_utc_iso
from chalicelib.domain.permissions import Scope
from chalicelib.domain.preconditions import optional_version
from chalicelib.domain.principal import Principal
from chalicelib.domain.roster import Roster, check_agent
from chalicelib.domain.storage_errors import AlreadyExists, StaleVersion
from chalicelib.services import coaching_access
from chalicelib.services import evaluations as evaluation_service
from chalicelib.services.coaching_access import CoachingTeams
from chalicelib.services.ports import EvaluationReads, FormVersions, SettingsHistory
from chalicelib.services.tenant_settings import local_today

# Items another store adds to a transaction (opaque here: a PynamoDB TransactWrite).
Writes = Callable[[Any], None]
ATTEMPTS = 3
LIST_STATES = ("undecided", "all")


class DisputeRecords(Protocol):
    def open(self, tenant: str, dispute: Dispute, also: Writes | None = None) -> None:
        """AlreadyExists when the evaluation has an undecided dispute."""
        ...

    def change(
        self, tenant: str, dispute: Dispute, expected_version: int, also: Writes | None = None
    ) -> None:
        """StaleVersion when the record is not at `expected_version`."""
        ...

    def change_writes(self, tenant: str, dispute: Dispute, expected_version: int) -> Writes: ...

    def get(self, tenant: str, dispute_id: str) -> Dispute:
        """NotFound when there is no such dispute."""
        ...

    def of_evaluation(self, tenant: str, evaluation_id: str) -> list[Dispute]: ...

    def of_agent(self, tenant: str, agent_id: str) -> list[Dispute]: ...

    def undecided(self, tenant: str) -> list[Dispute]: ...


class AppliedFigures(Protocol):
    """The aggregation ledger: what the figures hold of an evaluation, and the bump."""

    def applied(self, tenant: str, evaluation_id: str) -> Contribution | None: ...

    def counting(self, tenant: str, pay_period: str) -> Writes: ...


class DisputedEvaluations(EvaluationReads, Protocol):
    def amend(
        self,
        tenant: str,
        evaluation: Evaluation,
        expected_revision: int,
        also: Writes | None = None,
    ) -> None:
        """StaleVersion when the current revision is not `expected_revision` or an
        added item's condition fails."""
        ...


class DisputeTeams(CoachingTeams, SettingsHistory, Protocol):
    """The settings store: teams and agents (who reaches whom), settings (deadlines)."""


@dataclass(frozen=True)
class DisputeStores:
    disputes: DisputeRecords
    evaluations: DisputedEvaluations
    forms: FormVersions
    teams: DisputeTeams
    ledger: AppliedFigures


class _Lost(Exception):
    """The write lost a race: read again and ask the rules again."""


# --- helpers --------------------------------------------------------------------------


def _calendar(stores: DisputeStores, tenant: str) -> Calendar:
    return Calendar(stores.teams.revisions(tenant))


def _optional_version(if_match: str | None) -> int | None:
    return optional_version(if_match, "the dispute you change")


def _check_version(dispute: Dispute, expected: int | None) -> None:
    if expected is not None and expected != dispute.version:
        raise PreconditionFailed(
            f"the dispute is at version {dispute.version}, not {expected}; reload it",
            field="If-Match",
        )


def _today(stores: DisputeStores, tenant: str, now: datetime) -> date:
    """The tenant's local day: whose team an agent is in now is decided by it."""
    return local_today(stores.teams, tenant, now)


def _actor(stores: DisputeStores, principal: Principal, agent_id: str, today: date) -> Actor:
    opens = permissions.scopes(principal, "dispute.open")
    reaches = bool(opens) and coaching_access.reaches_agent(
        stores.teams, principal, opens, agent_id, today
    )
    return Actor(
        user=principal.user,
        agent_id=principal.agent_id,
        reaches_agent=reaches,
        decides=permissions.allows(principal, "dispute.decide"),
    )


def _bump(stores: DisputeStores, tenant: str, evaluation_id: str) -> Writes | None:
    """The change-count bump of the pay period the evaluation counts in now."""
    applied = stores.ledger.applied(tenant, evaluation_id)
    return None if applied is None else stores.ledger.counting(tenant, applied.pay_period)


def _both(first: Writes, second: Writes | None) -> Writes:
    def write(transaction: Any) -> None:
        first(transaction)
        if second is not None:
            second(transaction)

    return write


def _form(forms: FormVersions, tenant: str, form_id: str, version: int, field: str) -> Form:
    try:
        found = forms.get_version(tenant, form_id, version)
    except NotFound:
        raise InvalidInput(
            f"form '{form_id}' has no published version {version}",
            field=field,
            code="unknown_form_version",
        ) from None
    return parse_form(found.definition)


def _visible(stores: DisputeStores, principal: Principal, dispute_id: str, today: date) -> Dispute:
    """The dispute, if the caller may read it (404 otherwise: ids reveal nothing)."""
    permissions.require(principal, "dispute.read")
    dispute = stores.disputes.get(principal.tenant, dispute_id)
    coaching_access.require_record(
        stores.teams,
        principal,
        "dispute.read",
        dispute.agent_id,
        today,
        f"dispute '{dispute_id}'",
    )
    return dispute


# --- opening ----------------------------------------------------------------------------


def open_dispute(
    stores: DisputeStores,
    principal: Principal,
    evaluation_id: str,
    body: Any,
    *,
    dispute_id: str,
    now: datetime,
) -> Dispute:
    schemas.validate("dispute", body)
    permissions.require(principal, "dispute.open")
    tenant = principal.tenant
    # An evaluation the caller cannot read is absent (404); one they can read about an
    # agent outside their reach is a write they may not make (403).
    evaluation = evaluation_service.get(stores.evaluations, principal, evaluation_id)
    calendar = _calendar(stores, tenant)
    today = calendar.day_of(now)
    coaching_access.require_agent(
        stores.teams, principal, "dispute.open", evaluation.agent_id, today
    )
    criteria: Sequence[str] = body.get("criteria", [])
    known: list[str] = []
    if criteria:
        form = _form(stores.forms, tenant, evaluation.form_id, evaluation.form_version, "criteria")
        known = form.criterion_ids()
    # The window is the one promised when the evaluation was made; the review's
    # deadline follows the rules in force now.
    made = calendar.settings_at(parse_instant(evaluation.created_at, "created_at"))
    current = calendar.settings_at(now)
    dispute = rules.open_dispute(
        dispute_id=dispute_id,
        evaluation=evaluation,
        actor=_actor(stores, principal, evaluation.agent_id, today),
        reason=body["reason"],
        criteria=criteria,
        form_criteria=known,
        now=now,
        window=Terms(made.coaching.dispute_window_days, made.time_zone),
        review=Terms(current.coaching.dispute_review_days, current.time_zone),
    )
    try:
        stores.disputes.open(tenant, dispute, also=_bump(stores, tenant, evaluation_id))
    except AlreadyExists:
        raise Conflict(
            "this evaluation already has an undecided dispute", code="dispute_open"
        ) from None
    return dispute


# --- reading ----------------------------------------------------------------------------


def get(stores: DisputeStores, principal: Principal, dispute_id: str, now: datetime) -> Dispute:
    return _visible(stores, principal, dispute_id, _today(stores, principal.tenant, now))


def of_evaluation(
    stores: DisputeStores, principal: Principal, evaluation_id: str, now: datetime
) -> list[Dispute]:
    """The evaluation's disputes, oldest first, for whoever reads disputes about its agent."""
    permissions.require(principal, "dispute.read")
    evaluation = evaluation_service.get(stores.evaluations, principal, evaluation_id)
    coaching_access.require_agent(
        stores.teams,
        principal,
        "dispute.read",
        evaluation.agent_id,
        _today(stores, principal.tenant, now),
    )
    return stores.disputes.of_evaluation(principal.tenant, evaluation_id)


def list_disputes(
    stores: DisputeStores, principal: Principal, query: Mapping[str, str], now: datetime
) -> list[Dispute]:
    """`state=undecided` (the default): every open or in-review dispute the caller
    reaches, the earliest review deadline first. `state=all&agent_id=`: one agent's
    disputes, newest first."""
    granted = permissions.require(principal, "dispute.read")
    tenant = principal.tenant
    state = query.get("state") or "undecided"
    if state not in LIST_STATES:
        raise InvalidInput("state is undecided or all", field="state")
    agent_id = query.get("agent_id") or None
    today = _today(stores, tenant, now)
    if agent_id is not None:
        if not schemas.matches("evaluation", "#/$defs/agent_id", agent_id):
            raise InvalidInput(f"'{agent_id}' is not a valid agent_id", field="agent_id")
        coaching_access.require_agent(stores.teams, principal, "dispute.read", agent_id, today)
    if state == "all":
        if agent_id is None:
            raise InvalidInput(
                "state=all lists one agent's disputes: give agent_id",
                field="agent_id",
                code="required",
            )
        found = stores.disputes.of_agent(tenant, agent_id)
        return sorted(found, key=lambda d: (d.opened_at, d.dispute_id), reverse=True)
    undecided = stores.disputes.undecided(tenant)
    if agent_id is not None:
        shown = [d for d in undecided if d.agent_id == agent_id]
    elif Scope.TENANT in granted:
        shown = undecided
    else:
        reached: set[str] = set()
        if Scope.SELF in granted and principal.agent_id is not None:
            reached.add(principal.agent_id)
        if Scope.LED in granted:
            reached |= coaching_access.led_agents(stores.teams, principal, today)
        shown = [d for d in undecided if d.agent_id in reached]
    return sorted(shown, key=lambda d: (d.review_due, d.opened_at, d.dispute_id))


# --- review, decision, withdrawal ------------------------------------------------------


def _settle(attempt: Callable[[], Dispute]) -> Dispute:
    for _ in range(ATTEMPTS):
        try:
            return attempt()
        except _Lost:
            continue
    raise Conflict("the dispute is being changed by someone else; try again", code="busy")


def take_into_review(
    stores: DisputeStores,
    principal: Principal,
    dispute_id: str,
    *,
    if_match: str | None,
    now: datetime,
) -> Dispute:
    permissions.require(principal, "dispute.decide")
    expected = _optional_version(if_match)
    tenant = principal.tenant

    def attempt() -> Dispute:
        today = _today(stores, tenant, now)
        dispute = _visible(stores, principal, dispute_id, today)
        _check_version(dispute, expected)
        evaluation = stores.evaluations.get(tenant, dispute.evaluation_id)
        actor = _actor(stores, principal, dispute.agent_id, today)
        changed = rules.take_into_review(dispute, actor, evaluation, now)
        if changed is dispute:
            return dispute
        try:
            # Still undecided: nothing counts differently in pay, so no bump.
            stores.disputes.change(tenant, changed, dispute.version)
        except StaleVersion:
            raise _Lost from None
        return changed

    return _settle(attempt)


def withdraw(
    stores: DisputeStores,
    principal: Principal,
    dispute_id: str,
    *,
    if_match: str | None,
    now: datetime,
) -> Dispute:
    permissions.require(principal, "dispute.open")
    expected = _optional_version(if_match)
    tenant = principal.tenant

    def attempt() -> Dispute:
        today = _today(stores, tenant, now)
        dispute = _visible(stores, principal, dispute_id, today)
        _check_version(dispute, expected)
        changed = rules.withdraw(dispute, _actor(stores, principal, dispute.agent_id, today), now)
        if changed is dispute:
            return dispute
        try:
            stores.disputes.change(
                tenant, changed, dispute.version, also=_bump(stores, tenant, dispute.evaluation_id)
            )
        except StaleVersion:
            raise _Lost from None
        return changed

    return _settle(attempt)


def _nested(field: str, check: Callable[[], Any]) -> Any:
    """Run a check of the corrected evaluation, its errors named inside `evaluation`."""
    try:
        return check()
    except InvalidInput as error:
        inner = error.field
        raise InvalidInput(
            error.message,
            field=field if not inner else f"{field}.{inner}",
            code=error.code,
        ) from None


def _amendment(
    stores: DisputeStores,
    roster: Roster,
    principal: Principal,
    dispute: Dispute,
    current: Evaluation,
    corrected: Mapping[str, Any],
    now: datetime,
) -> Evaluation:
    """The revision an upheld dispute writes, checked as services.evaluations.amend
    checks an admin's amendment."""
    if corrected["method"] == rules.UNCOUNTED_METHOD:
        raise InvalidInput(
            "method 'self' is for an agent's own evaluation", field="evaluation.method"
        )
    if corrected["agent_id"] != current.agent_id:
        _nested("evaluation", lambda: check_agent(roster, corrected["agent_id"]))
    if same_content(current, corrected):
        raise InvalidInput(
            "an upheld dispute corrects the evaluation: change what was wrong, "
            "or reject the dispute",
            field="evaluation",
            code="unchanged",
        )
    form = _nested(
        "evaluation",
        lambda: _form(
            stores.forms,
            principal.tenant,
            corrected["form_id"],
            corrected["form_version"],
            "form_version",
        ),
    )
    amended: Evaluation = _nested(
        "evaluation",
        lambda: build_evaluation(
            body=corrected,
            form=form,
            evaluation_id=current.evaluation_id,
            revision=current.revision + 1,
            actor=principal.user,
            now=to_utc_iso(now),
            amending=current,
            dispute_id=dispute.dispute_id,
        ),
    )
    return amended


def decide(
    stores: DisputeStores,
    roster: Roster,
    principal: Principal,
    dispute_id: str,
    body: Any,
    *,
    if_match: str | None,
    now: datetime,
) -> Dispute:
    schemas.validate("dispute_decision", body)
    outcome: str = body["outcome"]
    corrected: Mapping[str, Any] | None = body.get("evaluation")
    pinned: int | None = body.get("evaluation_revision")
    if outcome == rules.UPHELD and corrected is None:
        raise InvalidInput(
            "an upheld dispute needs the corrected evaluation", field="evaluation", code="required"
        )
    if outcome == rules.REJECTED and corrected is not None:
        raise InvalidInput("a rejected dispute leaves the evaluation as it is", field="evaluation")
    if corrected is not None:
        _nested("evaluation", lambda: schemas.validate("evaluation", corrected))
    permissions.require(principal, "dispute.decide")
    expected = _optional_version(if_match)
    tenant = principal.tenant

    def attempt() -> Dispute:
        today = _today(stores, tenant, now)
        dispute = _visible(stores, principal, dispute_id, today)
        _check_version(dispute, expected)
        current = stores.evaluations.get(tenant, dispute.evaluation_id)
        decided = rules.decide(
            dispute,
            _actor(stores, principal, dispute.agent_id, today),
            current,
            outcome=outcome,
            reason=body["reason"],
            now=now,
            revision=current.revision + 1 if outcome == rules.UPHELD else None,
        )
        if decided is dispute:
            return dispute  # the caller's own decision, asked again
        if pinned is not None and pinned != current.revision:
            raise PreconditionFailed(
                f"the evaluation is at revision {current.revision}, not {pinned}; reload it",
                field="evaluation_revision",
            )
        bump = _bump(stores, tenant, dispute.evaluation_id)
        try:
            if corrected is None:
                stores.disputes.change(tenant, decided, dispute.version, also=bump)
            else:
                amended = _amendment(stores, roster, principal, dispute, current, corrected, now)
                writes = stores.disputes.change_writes(tenant, decided, dispute.version)
                stores.evaluations.amend(
                    tenant, amended, current.revision, also=_both(writes, bump)
                )
        except StaleVersion:
            raise _Lost from None
        return decided

    return _settle(attempt)


def present(dispute: Dispute) -> dict[str, Any]:
    return dispute.to_dict()

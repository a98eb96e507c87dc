"""Evaluation use cases: submit (idempotently), amend with history, read and list."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from chalicelib import schemas
from chalicelib.adapters.evaluation_store import Page
from chalicelib.domain import permissions
from chalicelib.domain.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    UnprocessableIdempotencyKey,
)
from chalicelib.domain.evaluation import Evaluation, Source
from chalicelib.domain.evaluations import (
    build_evaluation,
    check_method,
    same_content,
)
from chalicelib.domain.forms import Form, parse_form
from chalicelib.domain.periods import parse_instant, to_utc_iso
from chalicelib.domain.permissions import Scope
from chalicelib.domain.preconditions import required_version
from chalicelib.domain.principal import Principal
from chalicelib.domain.roster import Roster, check_agent
from chalicelib.domain.storage_errors import IdempotentReplay, StaleVersion
from chalicelib.domain.text import parse_whole
from chalicelib.services.ports import (
    EvaluationAmends,
    EvaluationCreates,
    EvaluationHistory,
    EvaluationListing,
    EvaluationReads,
    FormVersions,
)

MAX_IDEMPOTENCY_KEY = 200
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Wider than any contact time, so an open end of a range needs no special case.
EARLIEST, LATEST = "0000", "9999"


def _form_version(forms: FormVersions, tenant: str, body: dict[str, Any]) -> Form:
    try:
        version = forms.get_version(tenant, body["form_id"], body["form_version"])
    except NotFound:
        raise InvalidInput(
            f"form '{body['form_id']}' has no published version {body['form_version']}",
            field="form_version",
            code="unknown_form_version",
        ) from None
    return parse_form(version.definition)


def _request_hash(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_evaluation(
    forms: FormVersions,
    roster: Roster,
    principal: Principal,
    body: Any,
    *,
    writes: frozenset[Scope],
    evaluation_id: str,
    now: datetime,
) -> Evaluation:
    """Validate a body and build its revision 1: the one path that submit and the
    batch import share, so an imported row is checked and scored like any other.
    `writes` is what the caller's right to write reaches (submit, or import)."""
    schemas.validate("evaluation", body)
    check_method(principal, body, writes)
    check_agent(roster, body["agent_id"])
    return build_evaluation(
        body=body,
        form=_form_version(forms, principal.tenant, body),
        evaluation_id=evaluation_id,
        revision=1,
        actor=principal.user,
        now=to_utc_iso(now),
    )


def submit(
    store: EvaluationCreates,
    forms: FormVersions,
    roster: Roster,
    principal: Principal,
    body: Any,
    *,
    idempotency_key: str | None,
    evaluation_id: str,
    now: datetime,
) -> tuple[Evaluation, bool]:
    """Store revision 1; (evaluation, created). A keyed retry returns the first result."""
    writes = permissions.require(principal, "evaluation.submit")
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise InvalidInput(
            f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters",
            field="Idempotency-Key",
        )
    evaluation = new_evaluation(
        forms, roster, principal, body, writes=writes, evaluation_id=evaluation_id, now=now
    )
    request_hash = _request_hash(body)
    try:
        store.create(
            principal.tenant,
            evaluation,
            idempotency=None
            if idempotency_key is None
            else (principal.user, idempotency_key, request_hash),
            now=now,
        )
    except IdempotentReplay as replay:
        if replay.request_hash != request_hash:
            raise UnprocessableIdempotencyKey(
                "this Idempotency-Key was already used with a different request",
                field="Idempotency-Key",
            ) from None
        return store.get_revision(principal.tenant, replay.evaluation_id, 1), False
    return evaluation, True


def amend(
    store: EvaluationAmends,
    forms: FormVersions,
    roster: Roster,
    principal: Principal,
    evaluation_id: str,
    body: Any,
    *,
    if_match: str | None,
    now: datetime,
    source: Source | None = None,
) -> Evaluation:
    """Store the next revision; `source` notes where it came from (a batch import)."""
    granted = permissions.require(principal, "evaluation.amend")
    current = get(store, principal, evaluation_id)
    expected = required_version(if_match, "the revision you are amending")
    if not permissions.reaches(granted, principal, author=current.evaluator):
        raise Forbidden("only the evaluator who wrote it or an admin can amend an evaluation")
    if current.revision != expected:
        raise PreconditionFailed(
            f"the evaluation is at revision {current.revision}, not {expected}; reload it",
            field="If-Match",
        )
    schemas.validate("evaluation", body)
    # An admin corrects any evaluation; others write what they may submit.
    writes = permissions.scopes(principal, "evaluation.submit")
    if Scope.TENANT in granted:
        writes |= {Scope.TENANT}
    if Scope.TENANT not in writes:
        check_method(principal, body, writes)
    elif body["method"] == "self" and current.method != "self":
        raise InvalidInput("method 'self' is for an agent's own evaluation", field="method")
    if body["agent_id"] != current.agent_id:
        check_agent(roster, body["agent_id"])
    if same_content(current, body):
        return current
    evaluation = build_evaluation(
        body=body,
        form=_form_version(forms, principal.tenant, body),
        evaluation_id=evaluation_id,
        revision=expected + 1,
        actor=principal.user,
        now=to_utc_iso(now),
        amending=current,
        source=source,
    )
    try:
        store.amend(principal.tenant, evaluation, expected)
    except StaleVersion:
        raise PreconditionFailed(
            "the evaluation was amended by someone else; reload it", field="If-Match"
        ) from None
    return evaluation


def _visible(granted: frozenset[Scope], principal: Principal, evaluation: Evaluation) -> None:
    # Another agent's evaluation is reported as absent, not forbidden: ids reveal nothing.
    if not permissions.reaches(granted, principal, about_agent=evaluation.agent_id):
        raise NotFound(f"evaluation '{evaluation.evaluation_id}' does not exist")


def get(store: EvaluationReads, principal: Principal, evaluation_id: str) -> Evaluation:
    granted = permissions.require(principal, "evaluation.read")
    evaluation = store.get(principal.tenant, evaluation_id)
    _visible(granted, principal, evaluation)
    return evaluation


def revisions(
    store: EvaluationHistory, principal: Principal, evaluation_id: str
) -> list[Evaluation]:
    get(store, principal, evaluation_id)
    return store.revisions(principal.tenant, evaluation_id)


def revision(
    store: EvaluationHistory, principal: Principal, evaluation_id: str, number: int
) -> Evaluation:
    get(store, principal, evaluation_id)
    return store.get_revision(principal.tenant, evaluation_id, number)


def list_evaluations(store: EvaluationListing, principal: Principal, query: dict[str, str]) -> Page:
    granted = permissions.require(principal, "evaluation.read")
    agent_id = query.get("agent_id") or None
    if permissions.Scope.TENANT not in granted:
        if agent_id not in (None, principal.agent_id) or principal.agent_id is None:
            raise Forbidden("an agent can list only their own evaluations", field="agent_id")
        agent_id = principal.agent_id
    start = _bound(query.get("from"), "from", EARLIEST)
    end = _bound(query.get("to"), "to", LATEST)
    limit = _limit(query.get("limit"))
    cursor = query.get("cursor") or None
    if agent_id is not None:
        return store.by_agent(principal.tenant, agent_id, start, end, limit, cursor)
    return store.by_tenant(principal.tenant, start, end, limit, cursor)


def _bound(value: str | None, field: str, default: str) -> str:
    return default if not value else to_utc_iso(parse_instant(value, field))


def _limit(value: str | None) -> int:
    return DEFAULT_LIMIT if value is None else parse_whole(value, "limit", 1, MAX_LIMIT)

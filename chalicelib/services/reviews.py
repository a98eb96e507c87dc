"""Coaching reviews, self-evaluation first: start, submit a side, read, list, and
open those whose self-evaluation deadline has passed (the heartbeat).

Access follows the coaching rows of the permission table (review.start,
review.read: admin the tenant, a team leader the agents now in a team they lead, an
agent themselves) through services/coaching_access.py. Who may write a side is the
person, not a role: the review's agent writes the self side, its team leader the
other. The blind rule and every transition are domain/reviews.py; this module reads,
checks, and writes each change in one transaction with what goes with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from pynamodb.transactions import TransactWrite

from chalicelib import schemas
from chalicelib.domain import permissions
from chalicelib.domain import reviews as rules
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.evaluations import build_evaluation
from chalicelib.domain.forms import Form, parse_form
from chalicelib.domain.pay_periods import Calendar, local_day
from chalicelib.domain.periods import to_utc_iso
from chalicelib.domain.permissions import Scope
from chalicelib.domain.preconditions import optional_version
from chalicelib.domain.principal import Principal
from chalicelib.domain.reviews import Review, ReviewWrite, Side, Viewer
from chalicelib.domain.roster import check_agent
from chalicelib.domain.storage_errors import ConditionFailed
from chalicelib.domain.teams import team_on
from chalicelib.domain.text import check_text, parse_whole
from chalicelib.services import coaching_access
from chalicelib.services.coaching_access import CoachingTeams
from chalicelib.services.ports import FormVersions, RosterLookups, SettingsHistory
from chalicelib.services.tenant_settings import StoredRoster, local_today

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR = 200
# A write that loses a race to another side's write reads again and retries; with
# only two writers and a heartbeat, a few attempts always suffice.
ATTEMPTS = 4

AlsoWrite = Callable[[TransactWrite], None]


class ReviewRecords(Protocol):
    def add_to(self, transaction: TransactWrite, tenant: str, write: ReviewWrite) -> None: ...

    def create(self, tenant: str, write: ReviewWrite) -> None:
        """AlreadyExists when the review id is taken."""
        ...

    def update(self, tenant: str, write: ReviewWrite) -> None:
        """StaleVersion when the record moved past `write.expected_version`."""
        ...

    def get(self, tenant: str, review_id: str) -> Review:
        """NotFound when there is no such review."""
        ...

    def get_many(self, tenant: str, review_ids: Sequence[str]) -> dict[str, Review]: ...

    def listing(
        self, tenant: str, agent_id: str | None, before: str | None, limit: int
    ) -> list[tuple[str, str]]: ...

    def sealed_due(self, tenant: str, now: str) -> list[str]: ...


class OpeningEvaluations(Protocol):
    def create_many(
        self, tenant: str, evaluations: Sequence[Evaluation], also: AlsoWrite | None = None
    ) -> list[int]:
        """All or none; the positions of those whose id exists (then none written);
        ConditionFailed when an added item's condition fails."""
        ...

    def get_many(self, tenant: str, evaluation_ids: Sequence[str]) -> dict[str, Evaluation]: ...


class ReviewSettings(CoachingTeams, SettingsHistory, RosterLookups, Protocol):
    """The settings store: teams and agents for access, the calendar for the deadline."""


@dataclass(frozen=True)
class ReviewStores:
    reviews: ReviewRecords
    evaluations: OpeningEvaluations
    forms: FormVersions
    settings: ReviewSettings


# Reading ------------------------------------------------------------------------


def get(
    stores: ReviewStores, principal: Principal, review_id: str, now: datetime
) -> dict[str, Any]:
    review = _readable(stores, principal, review_id, _today(stores, principal.tenant, now))
    return _views(stores, principal, [review])[0]


def list_reviews(
    stores: ReviewStores, principal: Principal, query: dict[str, str], now: datetime
) -> dict[str, Any]:
    """Newest first, at most `limit`, from `cursor` (the previous page's next_cursor)."""
    granted = permissions.require(principal, "review.read")
    tenant = principal.tenant
    today = _today(stores, tenant, now)
    state = query.get("state") or None
    if state is not None and state not in rules.STATES:
        raise InvalidInput(f"state must be one of {', '.join(rules.STATES)}", field="state")
    limit = (
        DEFAULT_LIMIT
        if query.get("limit") is None
        else parse_whole(query["limit"], "limit", 1, MAX_LIMIT)
    )
    cursor = query.get("cursor") or None
    if cursor is not None and len(cursor) > MAX_CURSOR:
        raise InvalidInput("cursor is not one this API gave", field="cursor")
    agent_id = query.get("agent_id") or None
    partitions: list[str | None]
    if agent_id is not None:
        check_text(agent_id, "agent_id")
        if not schemas.matches("evaluation", "#/$defs/agent_id", agent_id):
            raise InvalidInput(f"'{agent_id}' is not a valid agent_id", field="agent_id")
        coaching_access.require_agent(stores.settings, principal, "review.read", agent_id, today)
        partitions = [agent_id]
    elif Scope.TENANT in granted:
        partitions = [None]
    else:
        reached: set[str] = set()
        if Scope.SELF in granted and principal.agent_id is not None:
            reached.add(principal.agent_id)
        if Scope.LED in granted:
            reached |= coaching_access.led_agents(stores.settings, principal, today)
        partitions = [*sorted(reached)]
    found: list[tuple[str, Review]] = []
    more = False
    for partition in partitions:
        matches, exhausted = _matching(stores, tenant, partition, state, cursor, limit)
        found.extend(matches)
        more = more or not exhausted
    found.sort(key=lambda pair: pair[0], reverse=True)
    more = more or len(found) > limit
    page = found[:limit]
    return {
        "items": _views(stores, principal, [review for _, review in page]),
        "next_cursor": page[-1][0] if more and page else None,
    }


def _matching(
    stores: ReviewStores,
    tenant: str,
    partition: str | None,
    state: str | None,
    before: str | None,
    limit: int,
) -> tuple[list[tuple[str, Review]], bool]:
    """Up to `limit` reviews of one listing in `state` (None: any), newest first,
    and whether the listing has nothing more before them."""
    out: list[tuple[str, Review]] = []
    while len(out) < limit:
        keys = stores.reviews.listing(tenant, partition, before, limit)
        records = stores.reviews.get_many(tenant, [review_id for _, review_id in keys])
        for sk, review_id in keys:
            review = records.get(review_id)
            if review is not None and (state is None or review.state == state):
                out.append((sk, review))
        if len(keys) < limit:
            return out, True
        before = keys[-1][0]
    return out, False


def _views(stores: ReviewStores, principal: Principal, found: list[Review]) -> list[dict[str, Any]]:
    """Each review as the caller may see it; for open ones, the sides as their
    evaluations are now (one read for all) and the comparison over the form."""
    viewer = Viewer.of(principal)
    ids = [
        side.evaluation.evaluation_id
        for review in found
        if review.is_open
        for side in (review.self_side, review.leader_side)
        if side is not None
    ]
    current = stores.evaluations.get_many(principal.tenant, ids) if ids else {}
    forms: dict[tuple[str, int], Form | None] = {}
    out = []
    for review in found:
        form = None
        if review.is_open and review.self_side is not None:
            key = (review.form_id, review.form_version)
            if key not in forms:
                forms[key] = _form_or_none(stores.forms, principal.tenant, *key)
            form = forms[key]
        out.append(rules.view_of(review, viewer, form, current))
    return out


def _readable(stores: ReviewStores, principal: Principal, review_id: str, today: date) -> Review:
    """The review, if the caller may read it; NotFound otherwise (ids reveal nothing)."""
    permissions.require(principal, "review.read")
    review = stores.reviews.get(principal.tenant, review_id)
    coaching_access.require_record(
        stores.settings, principal, "review.read", review.agent_id, today, f"review '{review_id}'"
    )
    return review


# Starting -----------------------------------------------------------------------


def start(
    stores: ReviewStores, principal: Principal, body: Any, *, review_id: str, now: datetime
) -> dict[str, Any]:
    permissions.require(principal, "review.start")
    schemas.validate("review", body)
    tenant = principal.tenant
    settings = Calendar(stores.settings.revisions(tenant)).settings_at(now)
    today = local_day(now, settings.time_zone)
    agent_id = body["agent_id"]
    granted = coaching_access.require_agent(
        stores.settings, principal, "review.start", agent_id, today
    )
    check_agent(StoredRoster(stores.settings, tenant), agent_id)
    leaders = _team_leaders(stores.settings, tenant, agent_id, today)
    facts = rules.StartFacts(
        caller=principal.user,
        tenant_wide=Scope.TENANT in granted,
        leads=Scope.LED in granted and principal.user in leaders,
        own=Scope.SELF in granted and principal.agent_id == agent_id,
        team_leaders=leaders,
    )
    leader = rules.choose_leader(facts, body.get("leader"))
    _form(stores.forms, tenant, body["form_id"], body["form_version"])
    review = rules.new_review(
        review_id=review_id,
        agent_id=agent_id,
        leader=leader,
        form_id=body["form_id"],
        form_version=body["form_version"],
        contact=body["contact"],
        created_by=principal.user,
        now=now,
        self_evaluation_days=settings.coaching.self_evaluation_days,
    )
    write = rules.write_of(None, review, now)
    stores.reviews.create(tenant, write)
    return rules.view_of(write.review, Viewer.of(principal))


def _team_leaders(teams: CoachingTeams, tenant: str, agent_id: str, today: date) -> tuple[str, ...]:
    agent = teams.get_agent(tenant, agent_id)
    team_id = None if agent is None else team_on(agent.memberships, today)
    team = None if team_id is None else teams.get_team(tenant, team_id)
    return () if team is None else team.leaders


# Submitting a side --------------------------------------------------------------


def submit_self(
    stores: ReviewStores,
    principal: Principal,
    review_id: str,
    body: Any,
    *,
    if_match: str | None,
    now: datetime,
) -> dict[str, Any]:
    return _submit(stores, principal, review_id, rules.SELF, body, if_match, now)


def submit_leader(
    stores: ReviewStores,
    principal: Principal,
    review_id: str,
    body: Any,
    *,
    if_match: str | None,
    now: datetime,
) -> dict[str, Any]:
    return _submit(stores, principal, review_id, rules.LEADER, body, if_match, now)


def _submit(
    stores: ReviewStores,
    principal: Principal,
    review_id: str,
    side: str,
    body: Any,
    if_match: str | None,
    now: datetime,
) -> dict[str, Any]:
    tenant = principal.tenant
    review = _readable(stores, principal, review_id, _today(stores, tenant, now))
    rules.check_submitter(review, side, Viewer.of(principal))
    schemas.validate("review_side", body)
    if rules.is_resubmission(review, side, body):
        return _views(stores, principal, [review])[0]
    expected = optional_version(if_match, "the review")
    if expected is not None and review.version != expected:
        raise PreconditionFailed(
            f"the review is at version {review.version}, not {expected}; reload it",
            field="If-Match",
        )
    submitted = _side(stores.forms, principal, review, side, body, now)
    for _ in range(ATTEMPTS):
        if rules.due_to_open(review, now):
            # Its deadline passed with the leader's side in: it opens now, without
            # the agent's side, as the heartbeat would; then the side is refused.
            _write(
                stores.reviews,
                stores.evaluations,
                tenant,
                review,
                rules.open_review(review, now),
                now,
            )
            review = stores.reviews.get(tenant, review_id)
            continue
        stored = _write(
            stores.reviews,
            stores.evaluations,
            tenant,
            review,
            rules.submit(review, side, submitted, now),
            now,
        )
        if stored is not None:
            return _views(stores, principal, [stored])[0]
        if expected is not None:
            raise PreconditionFailed(
                "the review was changed by someone else; reload it", field="If-Match"
            )
        review = stores.reviews.get(tenant, review_id)
    raise Conflict("the review is changing right now; try again", code="concurrent_change")


def _side(
    forms: FormVersions,
    principal: Principal,
    review: Review,
    side: str,
    content: dict[str, Any],
    now: datetime,
) -> Side:
    """The side scored as an evaluation of the review's form version would be."""
    at = to_utc_iso(now)
    evaluation = build_evaluation(
        body=rules.side_body(review, side, content),
        form=_form(forms, principal.tenant, review.form_id, review.form_version),
        evaluation_id=rules.evaluation_id_of(review.review_id, side),
        revision=1,
        actor=principal.user,
        now=at,
        review_id=review.review_id,
    )
    return Side(submitted_at=at, submitted_by=principal.user, evaluation=evaluation)


def _write(
    reviews: ReviewRecords,
    evaluations: OpeningEvaluations,
    tenant: str,
    before: Review,
    after: Review,
    now: datetime,
) -> Review | None:
    """Store `after` over `before`: the review as stored, or None when someone changed
    it first (read it again). An opening writes the sides' evaluations in the same
    transaction, so nothing of a sealed side is ever an evaluation before it."""
    write = rules.write_of(before, after, now)
    if not write.review.is_open:
        try:
            reviews.update(tenant, write)
        except ConditionFailed:
            return None
        return write.review

    def also(transaction: TransactWrite) -> None:
        reviews.add_to(transaction, tenant, write)

    try:
        existing = evaluations.create_many(
            tenant, rules.opened_evaluations(write.review), also=also
        )
    except ConditionFailed:
        return None
    # The evaluations exist only if an opening of this review was stored (they are
    # written with it, under ids only it makes): it is open already; read it again.
    return None if existing else write.review


# The heartbeat ------------------------------------------------------------------


def open_expired(
    reviews: ReviewRecords, evaluations: OpeningEvaluations, tenant: str, now: datetime
) -> int:
    """Open every review of `tenant` whose self-evaluation deadline has passed with
    the leader's side in; how many this call opened. One opened meanwhile (by the
    agent's side, or by another beat) is left as it is."""
    opened = 0
    for review_id in reviews.sealed_due(tenant, to_utc_iso(now)):
        for _ in range(ATTEMPTS):
            try:
                review = reviews.get(tenant, review_id)
            except NotFound:
                break
            if not rules.due_to_open(review, now):
                break
            if _write(reviews, evaluations, tenant, review, rules.open_review(review, now), now):
                opened += 1
                break
    return opened


# Helpers ------------------------------------------------------------------------


def _today(stores: ReviewStores, tenant: str, now: datetime) -> date:
    return local_today(stores.settings, tenant, now)


def _form(forms: FormVersions, tenant: str, form_id: str, version: int) -> Form:
    try:
        record = forms.get_version(tenant, form_id, version)
    except NotFound:
        raise InvalidInput(
            f"form '{form_id}' has no published version {version}",
            field="form_version",
            code="unknown_form_version",
        ) from None
    return parse_form(record.definition)


def _form_or_none(forms: FormVersions, tenant: str, form_id: str, version: int) -> Form | None:
    try:
        return parse_form(forms.get_version(tenant, form_id, version).definition)
    except NotFound:
        return None

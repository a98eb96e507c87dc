"""Disputes: an agent (or their team leader for them) contests an evaluation, and
someone other than its evaluator decides. Pure rules over `Dispute`.

States and transitions, and nothing else:

    open ──► in_review ──► upheld | rejected
    open | in_review ──► withdrawn

upheld, rejected and withdrawn are final: a final dispute never changes again.
Every change appends one `Change` (state, who, when, why) to the history and
bumps `version`, so `version == len(history)` always.

Who does what (the service works out `Actor` from the token and the team records):

- opening: whoever `dispute.open` reaches for the evaluation's agent now: the agent
  themselves, a leader of the agent's current team, or an admin;
- taking into review and deciding: a holder of `dispute.decide` who is neither the
  evaluation's evaluator (who wrote revision 1), nor the author of its current
  revision, nor the disputed agent. Any such holder may decide an in_review dispute,
  not only the one who took it: the reviewer is recorded and normally decides, but a
  dispute must not wait for one person's return, and `decision.by` says who did;
- withdrawing: the disputed agent, or the person who opened it, while `dispute.open`
  still reaches the agent.

A repeated request is answered, not refused: taking into review what the caller
already took, deciding again what the caller decided the same way, or withdrawing
what is withdrawn returns the dispute as it is (the same object), so a retry after a
lost answer is safe. Anything else on a final dispute is `already_decided`.

Deadlines end with a local day, never at an instant of the clock: the window to
dispute closes at the end of the local day `dispute_window_days` after the day the
evaluation was made (made on Monday 2 Nov at 15:00 with 7 days: open until Monday
9 Nov 23:59:59 local), so an agent on a night shift or across a DST change never
gets less than the days promised, and the deadline reads as a date. The review is due
the same way, `dispute_review_days` after the day the dispute was opened. Both are
given as the instant that end falls on (the next local midnight), in UTC.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.pay_periods import local_day, local_midnight
from chalicelib.domain.periods import parse_instant, to_utc_iso

OPEN = "open"
IN_REVIEW = "in_review"
UPHELD = "upheld"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
STATES = (OPEN, IN_REVIEW, UPHELD, REJECTED, WITHDRAWN)
UNDECIDED = frozenset({OPEN, IN_REVIEW})
FINAL = frozenset({UPHELD, REJECTED, WITHDRAWN})
OUTCOMES = (UPHELD, REJECTED)
# The whole state machine as data: the property tests check every change against it.
TRANSITIONS: Mapping[str, frozenset[str]] = {
    OPEN: frozenset({IN_REVIEW, WITHDRAWN}),
    IN_REVIEW: frozenset({UPHELD, REJECTED, WITHDRAWN}),
    UPHELD: frozenset(),
    REJECTED: frozenset(),
    WITHDRAWN: frozenset(),
}
UNCOUNTED_METHOD = "self"


@dataclass(frozen=True)
class Change:
    """One entry of the history: the state entered, who, when and (if given) why."""

    state: str
    by: str
    at: str  # UTC ISO instant
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"state": self.state, "by": self.by, "at": self.at}
        if self.reason is not None:
            out["reason"] = self.reason
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        reason = data.get("reason")
        return cls(
            state=str(data["state"]),
            by=str(data["by"]),
            at=str(data["at"]),
            reason=None if reason is None else str(reason),
        )


@dataclass(frozen=True)
class Decision:
    outcome: str  # upheld | rejected
    reason: str
    by: str
    at: str
    revision: int | None  # the evaluation revision an upheld decision wrote

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "reason": self.reason,
            "by": self.by,
            "at": self.at,
            "revision": self.revision,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        revision = data.get("revision")
        return cls(
            outcome=str(data["outcome"]),
            reason=str(data["reason"]),
            by=str(data["by"]),
            at=str(data["at"]),
            revision=None if revision is None else int(revision),
        )


@dataclass(frozen=True)
class Dispute:
    dispute_id: str
    evaluation_id: str
    evaluation_revision: int  # the revision disputed
    agent_id: str  # the evaluation's agent when it was disputed
    evaluator: str  # who wrote revision 1 of the evaluation
    criteria: tuple[str, ...]  # criterion ids disputed; empty: the whole evaluation
    reason: str
    state: str
    opened_by: str
    opened_at: str
    review_due: str  # UTC instant the review deadline passes
    reviewer: str | None
    decision: Decision | None
    history: tuple[Change, ...]
    version: int

    @property
    def undecided(self) -> bool:
        return self.state in UNDECIDED

    def to_dict(self) -> dict[str, Any]:
        """The stored record, which is also exactly what the API shows."""
        return {
            "dispute_id": self.dispute_id,
            "evaluation_id": self.evaluation_id,
            "evaluation_revision": self.evaluation_revision,
            "agent_id": self.agent_id,
            "evaluator": self.evaluator,
            "criteria": list(self.criteria),
            "reason": self.reason,
            "state": self.state,
            "opened_by": self.opened_by,
            "opened_at": self.opened_at,
            "review_due": self.review_due,
            "reviewer": self.reviewer,
            "decision": None if self.decision is None else self.decision.to_dict(),
            "history": [change.to_dict() for change in self.history],
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Dispute:
        decision = data.get("decision")
        reviewer = data.get("reviewer")
        return cls(
            dispute_id=str(data["dispute_id"]),
            evaluation_id=str(data["evaluation_id"]),
            evaluation_revision=int(data["evaluation_revision"]),
            agent_id=str(data["agent_id"]),
            evaluator=str(data["evaluator"]),
            criteria=tuple(str(c) for c in data["criteria"]),
            reason=str(data["reason"]),
            state=str(data["state"]),
            opened_by=str(data["opened_by"]),
            opened_at=str(data["opened_at"]),
            review_due=str(data["review_due"]),
            reviewer=None if reviewer is None else str(reviewer),
            decision=None if decision is None else Decision.from_dict(decision),
            history=tuple(Change.from_dict(c) for c in data["history"]),
            version=int(data["version"]),
        )


@dataclass(frozen=True)
class Actor:
    """Who acts, as far as the rules need to know."""

    user: str
    agent_id: str | None  # the agent the token says the caller is, if any
    reaches_agent: bool  # dispute.open reaches the (evaluation's) agent now
    decides: bool  # holds dispute.decide


@dataclass(frozen=True)
class Terms:
    """A deadline rule: `days` local days after the day something happened, in a zone."""

    days: int
    time_zone: str

    def ends(self, start: datetime) -> datetime:
        """The instant the last local day ends: local midnight after day(start) + days."""
        last_day = local_day(start, self.time_zone) + timedelta(days=self.days)
        return local_midnight(last_day + timedelta(days=1), self.time_zone)


def window_closes(evaluation: Evaluation, window: Terms) -> datetime:
    created = parse_instant(evaluation.created_at, "created_at")
    return window.ends(created)


def open_dispute(
    *,
    dispute_id: str,
    evaluation: Evaluation,
    actor: Actor,
    reason: str,
    criteria: Sequence[str],
    form_criteria: Collection[str],
    now: datetime,
    window: Terms,
    review: Terms,
) -> Dispute:
    """A new open dispute of the evaluation's current revision. `form_criteria` are the
    criterion ids of its form version; `window` the terms in force when it was made,
    `review` those in force now. (One undecided dispute per evaluation is storage's to
    enforce: it alone sees the others.)"""
    if not actor.reaches_agent:
        raise Forbidden("only the agent, a leader of their team or an admin can dispute this")
    if evaluation.method == UNCOUNTED_METHOD:
        raise Conflict(
            "a self-evaluation never counts, so there is nothing to dispute",
            code="self_evaluation",
        )
    closes = window_closes(evaluation, window)
    if now >= closes:
        raise Conflict(
            f"the window to dispute this evaluation closed at {to_utc_iso(closes)}",
            code="dispute_window_closed",
        )
    if not reason.strip():
        raise InvalidInput("say why the evaluation is disputed", field="reason")
    known = frozenset(form_criteria)
    for index, criterion in enumerate(criteria):
        if criterion not in known:
            raise InvalidInput(
                f"'{criterion}' is not a criterion of form {evaluation.form_id} "
                f"version {evaluation.form_version}",
                field=f"criteria[{index}]",
                code="unknown_criterion",
            )
    if len(set(criteria)) != len(criteria):
        raise InvalidInput("a criterion is named twice", field="criteria")
    at = to_utc_iso(now)
    return Dispute(
        dispute_id=dispute_id,
        evaluation_id=evaluation.evaluation_id,
        evaluation_revision=evaluation.revision,
        agent_id=evaluation.agent_id,
        evaluator=evaluation.evaluator,
        criteria=tuple(criteria),
        reason=reason,
        state=OPEN,
        opened_by=actor.user,
        opened_at=at,
        review_due=to_utc_iso(review.ends(now)),
        reviewer=None,
        decision=None,
        history=(Change(OPEN, actor.user, at, reason),),
        version=1,
    )


def check_impartial(actor: Actor, dispute: Dispute, evaluation: Evaluation) -> None:
    """The one who reviews or decides has no part in what is disputed."""
    authors = {dispute.evaluator, evaluation.evaluator, evaluation.revised_by}
    if actor.user in authors:
        raise Forbidden(
            "someone other than the evaluation's evaluator and the author of its "
            "current revision decides a dispute",
            code="own_evaluation",
        )
    if actor.agent_id is not None and actor.agent_id in {dispute.agent_id, evaluation.agent_id}:
        raise Forbidden("an agent's own dispute is decided by someone else", code="own_dispute")


def _require_decider(actor: Actor) -> None:
    if not actor.decides:
        raise Forbidden("this needs one of the roles: admin")


def _final(dispute: Dispute) -> Conflict:
    if dispute.state == WITHDRAWN:
        return Conflict("the dispute was withdrawn", code="already_decided")
    return Conflict(f"the dispute was already {dispute.state}", code="already_decided")


def _changed(dispute: Dispute, change: Change, **fields: Any) -> Dispute:
    if change.state not in TRANSITIONS[dispute.state]:  # a bug here, never the caller's
        raise AssertionError(f"{dispute.state} -> {change.state} is not a transition")
    return replace(
        dispute,
        state=change.state,
        history=(*dispute.history, change),
        version=dispute.version + 1,
        **fields,
    )


def take_into_review(
    dispute: Dispute, actor: Actor, evaluation: Evaluation, now: datetime
) -> Dispute:
    """open -> in_review with the caller as reviewer; `evaluation` is its current revision."""
    _require_decider(actor)
    if dispute.state == IN_REVIEW:
        if dispute.reviewer == actor.user:
            return dispute
        raise Conflict(f"{dispute.reviewer} is reviewing this dispute", code="in_review")
    if dispute.state in FINAL:
        raise _final(dispute)
    check_impartial(actor, dispute, evaluation)
    return _changed(dispute, Change(IN_REVIEW, actor.user, to_utc_iso(now)), reviewer=actor.user)


def decide(
    dispute: Dispute,
    actor: Actor,
    evaluation: Evaluation,
    *,
    outcome: str,
    reason: str,
    now: datetime,
    revision: int | None,
) -> Dispute:
    """in_review -> upheld | rejected. `evaluation` is the current revision (before an
    upholding amendment); `revision` the one an upheld decision writes (None when
    rejected)."""
    if outcome not in OUTCOMES:
        raise InvalidInput("the outcome is upheld or rejected", field="outcome")
    if (outcome == UPHELD) != (revision is not None):
        raise ValueError("an upheld decision names the revision it writes; a rejection none")
    _require_decider(actor)
    if dispute.state in FINAL:
        decided = dispute.decision
        if decided is not None and (decided.outcome, decided.by) == (outcome, actor.user):
            return dispute
        raise _final(dispute)
    if dispute.state != IN_REVIEW:
        raise Conflict("take the dispute into review first", code="not_in_review")
    check_impartial(actor, dispute, evaluation)
    if not reason.strip():
        raise InvalidInput("say why the dispute is decided this way", field="reason")
    at = to_utc_iso(now)
    return _changed(
        dispute,
        Change(outcome, actor.user, at, reason),
        decision=Decision(outcome, reason, actor.user, at, revision),
    )


def may_withdraw(dispute: Dispute, actor: Actor) -> bool:
    is_agent = actor.agent_id is not None and actor.agent_id == dispute.agent_id
    return actor.reaches_agent and (is_agent or actor.user == dispute.opened_by)


def withdraw(dispute: Dispute, actor: Actor, now: datetime) -> Dispute:
    """open | in_review -> withdrawn, by the agent or the one who opened it."""
    if not may_withdraw(dispute, actor):
        raise Forbidden("only the agent or the one who opened a dispute can withdraw it")
    if dispute.state == WITHDRAWN:
        return dispute
    if dispute.state in FINAL:
        raise _final(dispute)
    return _changed(dispute, Change(WITHDRAWN, actor.user, to_utc_iso(now)))

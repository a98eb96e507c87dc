"""Coaching reviews, self-evaluation first: the rules over plain data.

A team leader (or the agent) starts a review of one contact. Each of the two sides,
the agent's self-evaluation and the team leader's evaluation, is scored with the
same form version and kept sealed in the review: before the review opens, a side's
answers, comments, summary and score are shown only to its author (the other party
learns only that it was submitted, and when), and neither side exists as an
evaluation, so no other route can show or count it. The review opens, exactly once,
when the second side arrives, or when the self-evaluation's deadline passes with the
leader's side in; then both sides become evaluations at the moment of opening and
everyone who may read the review sees both, criterion by criterion.

States follow from the sides: awaiting_both -> awaiting_self (the leader's is in) or
awaiting_leader (the agent's is in) -> open. What must exist beside the record (the
inbox entries, the pointer the heartbeat reads for expired reviews) is also a
function of the record, so a write derives it from the states before and after.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.evaluation import Contact, Evaluation
from chalicelib.domain.evaluations import present, same_content
from chalicelib.domain.forms import Form
from chalicelib.domain.inbox import LEADER_EVALUATE, SELF_EVALUATE, Todo, agent_owner, user_owner
from chalicelib.domain.numbers import reported_str
from chalicelib.domain.periods import parse_instant, to_utc_iso
from chalicelib.domain.principal import Principal

SELF = "self"
LEADER = "leader"
SIDES = (SELF, LEADER)

AWAITING_BOTH = "awaiting_both"
AWAITING_SELF = "awaiting_self"  # the leader's side is in
AWAITING_LEADER = "awaiting_leader"  # the agent's side is in
OPEN = "open"
STATES = (AWAITING_BOTH, AWAITING_SELF, AWAITING_LEADER, OPEN)

SELF_METHOD = "self"  # never counted in pay (aggregates.UNCOUNTED_METHODS)
LEADER_METHODS = ("live", "recording")
# What of a side only its author sees before the review opens.
SEALED_FIELDS = ("answers", "comments", "summary", "score")

# Evaluation ids of a review's sides are derived from the review id, so an opening
# retried after a crash writes the same ids and finds them already there.
_EVALUATION_IDS = uuid.UUID("6f0b1c2e-9d4a-5b7e-8c3f-2a1d0e9b8c7a")


def evaluation_id_of(review_id: str, side: str) -> str:
    return str(uuid.uuid5(_EVALUATION_IDS, f"{review_id}/{side}"))


@dataclass(frozen=True)
class Side:
    """One side as submitted: the evaluation it makes, scored, not yet stored as one."""

    submitted_at: str
    submitted_by: str
    evaluation: Evaluation  # sealed until the review opens

    @property
    def method(self) -> str:
        return self.evaluation.method

    def to_dict(self) -> dict[str, Any]:
        return {
            "submitted_at": self.submitted_at,
            "submitted_by": self.submitted_by,
            "evaluation": self.evaluation.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Side:
        return cls(
            submitted_at=str(data["submitted_at"]),
            submitted_by=str(data["submitted_by"]),
            evaluation=Evaluation.from_dict(data["evaluation"]),
        )


@dataclass(frozen=True)
class Review:
    review_id: str
    agent_id: str
    leader: str  # the user id of the team leader whose side this is
    form_id: str
    form_version: int
    contact: Contact
    created_by: str
    created_at: str
    self_due: str  # UTC instant: after it the leader's side opens without the agent's
    version: int = 1
    self_side: Side | None = None
    leader_side: Side | None = None
    opened_at: str | None = None

    def __post_init__(self) -> None:
        # The second side opens the review in the same write: a review that is not
        # open has at most one side in, so every record has one of the four states.
        if self.opened_at is None and self.self_side is not None and self.leader_side is not None:
            raise ValueError(f"review {self.review_id} has both sides in but is not open")
        if self.opened_at is not None and self.leader_side is None:
            raise ValueError(f"review {self.review_id} is open without the leader's side")

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    @property
    def state(self) -> str:
        if self.is_open:
            return OPEN
        if self.self_side is None:
            return AWAITING_BOTH if self.leader_side is None else AWAITING_SELF
        return AWAITING_LEADER

    @property
    def opened_without_self(self) -> bool:
        return self.is_open and self.self_side is None

    def side(self, name: str) -> Side | None:
        return self.self_side if name == SELF else self.leader_side

    def to_dict(self) -> dict[str, Any]:
        return {
            "review_id": self.review_id,
            "agent_id": self.agent_id,
            "leader": self.leader,
            "form_id": self.form_id,
            "form_version": self.form_version,
            "contact": self.contact.to_dict(),
            "created_by": self.created_by,
            "created_at": self.created_at,
            "self_due": self.self_due,
            "version": self.version,
            "state": self.state,
            "self": None if self.self_side is None else self.self_side.to_dict(),
            "leader_side": None if self.leader_side is None else self.leader_side.to_dict(),
            "opened_at": self.opened_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Review:
        self_side, leader_side = data.get("self"), data.get("leader_side")
        return cls(
            review_id=str(data["review_id"]),
            agent_id=str(data["agent_id"]),
            leader=str(data["leader"]),
            form_id=str(data["form_id"]),
            form_version=int(data["form_version"]),
            contact=Contact.from_dict(data["contact"]),
            created_by=str(data["created_by"]),
            created_at=str(data["created_at"]),
            self_due=str(data["self_due"]),
            version=int(data["version"]),
            self_side=None if self_side is None else Side.from_dict(self_side),
            leader_side=None if leader_side is None else Side.from_dict(leader_side),
            opened_at=None if data.get("opened_at") is None else str(data["opened_at"]),
        )


# Starting ----------------------------------------------------------------------


@dataclass(frozen=True)
class StartFacts:
    """What decides who the team leader of a new review is."""

    caller: str  # the caller's user id
    tenant_wide: bool  # the caller may start a review about any agent (an admin)
    leads: bool  # the caller may start one as a leader of the agent's current team
    own: bool  # the caller may start one about themselves as the agent
    team_leaders: tuple[str, ...]  # the leaders of the agent's current team


def choose_leader(facts: StartFacts, requested: str | None) -> str:
    """The review's team leader. An agent gets their team's first leader (or names
    one of its leaders); a team leader is the leader themselves; an admin names the
    leader: one of the team's leaders or themselves. With several roles, the review
    starts if any one of them allows it."""
    if requested is None:
        if facts.leads:
            return facts.caller
        if facts.own:
            if not facts.team_leaders:
                raise InvalidInput(
                    "your team has no team leader to review with; ask an admin",
                    field="leader",
                    code="no_leader",
                )
            return facts.team_leaders[0]
        raise InvalidInput("name the team leader of the review", field="leader")
    in_team = requested in facts.team_leaders
    if (
        (facts.tenant_wide and (in_team or requested == facts.caller))
        or (facts.leads and requested == facts.caller)
        or (facts.own and in_team)
    ):
        return requested
    if facts.leads and not (facts.tenant_wide or facts.own):
        raise Forbidden("a team leader starts a review as its leader", field="leader")
    raise InvalidInput(
        f"'{requested}' does not lead the agent's current team", field="leader", code="not_a_leader"
    )


def new_review(
    *,
    review_id: str,
    agent_id: str,
    leader: str,
    form_id: str,
    form_version: int,
    contact: Mapping[str, Any],
    created_by: str,
    now: datetime,
    self_evaluation_days: int,
) -> Review:
    occurred = parse_instant(contact["occurred_at"], field="contact.occurred_at")
    return Review(
        review_id=review_id,
        agent_id=agent_id,
        leader=leader,
        form_id=form_id,
        form_version=form_version,
        contact=Contact.from_body(contact, to_utc_iso(occurred)),
        created_by=created_by,
        created_at=to_utc_iso(now),
        self_due=to_utc_iso(now + timedelta(days=self_evaluation_days)),
    )


# Submitting --------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Who is reading or writing, as the token names them. Authorship is the person,
    not the role: whoever the token says is the review's agent wrote the self side,
    whoever it says is the review's leader wrote the other."""

    user: str
    agent_id: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Viewer:
        return cls(principal.user, principal.agent_id)


def is_author(review: Review, side: str, viewer: Viewer) -> bool:
    if side == SELF:
        return viewer.agent_id is not None and viewer.agent_id == review.agent_id
    return viewer.user == review.leader


def check_submitter(review: Review, side: str, viewer: Viewer) -> None:
    if not is_author(review, side, viewer):
        if side == SELF:
            raise Forbidden("only the review's agent writes the self-evaluation")
        raise Forbidden("only the review's team leader writes the leader's evaluation")


def side_body(review: Review, side: str, content: Mapping[str, Any]) -> dict[str, Any]:
    """The evaluation body a (schema-checked) side makes: the review's form version,
    agent and contact, and the side's method (the agent's is always "self")."""
    if side == SELF:
        if "method" in content:
            raise InvalidInput(
                "the agent's side has no method: it is a self-evaluation", field="method"
            )
        method = SELF_METHOD
    else:
        if content.get("method") not in LEADER_METHODS:
            raise InvalidInput("method must be live or recording", field="method")
        method = str(content["method"])
    body: dict[str, Any] = {
        "form_id": review.form_id,
        "form_version": review.form_version,
        "agent_id": review.agent_id,
        "contact": review.contact.fields(),
        "method": method,
        "answers": dict(content["answers"]),
    }
    for optional in ("comments", "summary"):
        if optional in content:
            body[optional] = content[optional]
    return body


def is_resubmission(review: Review, side: str, content: Mapping[str, Any]) -> bool:
    """Whether `content` is what the side already holds: a retry, which answers the
    review as it is (also once open) rather than a conflict."""
    existing = review.side(side)
    return existing is not None and same_content(
        existing.evaluation, side_body(review, side, content)
    )


def submit(review: Review, side: str, submitted: Side, now: datetime) -> Review:
    """The review with `side` in, opened if that makes it due. A side is written
    once, and never to a review that is open or due to open."""
    if review.is_open:
        raise Conflict("the review is open: its sides can no longer change", code="review_open")
    if due_to_open(review, now):
        raise Conflict(
            f"the self-evaluation was due by {review.self_due}: the review opens without it",
            code="review_open",
        )
    if review.side(side) is not None:
        raise Conflict("this side of the review was already submitted", code="side_submitted")
    self_side = submitted if side == SELF else review.self_side
    leader_side = submitted if side == LEADER else review.leader_side
    opens = leader_side is not None and (self_side is not None or _past_due(review, now))
    return replace(
        review,
        self_side=self_side,
        leader_side=leader_side,
        opened_at=to_utc_iso(now) if opens else None,
    )


def due_to_open(review: Review, now: datetime) -> bool:
    """Open when both sides are in, or the leader's is and the agent's time is up."""
    if review.is_open or review.leader_side is None:
        return False
    return review.self_side is not None or _past_due(review, now)


def _past_due(review: Review, now: datetime) -> bool:
    return now >= parse_instant(review.self_due, "self_due")


def open_review(review: Review, now: datetime) -> Review:
    if not due_to_open(review, now):
        raise Conflict("the review is not ready to open", code="not_due")
    return replace(review, opened_at=to_utc_iso(now))


def opened_evaluations(review: Review) -> list[Evaluation]:
    """The evaluations an open review's sides become, made when it opened: so the
    agent's acknowledgement and dispute windows start when they could first see it."""
    assert review.opened_at is not None
    at = review.opened_at
    return [
        replace(side.evaluation, created_at=at, revised_at=at)
        for side in (review.leader_side, review.self_side)
        if side is not None
    ]


# What exists beside the record ---------------------------------------------------


def is_sealed(review: Review) -> bool:
    """The leader's side waits for the agent's or for the deadline: the heartbeat
    looks for these."""
    return not review.is_open and review.leader_side is not None and review.self_side is None


def inbox_of(review: Review, created_at: str) -> dict[tuple[str, str], Todo]:
    """(owner, kind) -> the inbox entry the review asks for now."""
    detail = {"agent_id": review.agent_id, "review_id": review.review_id}
    out: dict[tuple[str, str], Todo] = {}
    if review.self_side is None and not review.is_open:
        owner = agent_owner(review.agent_id)
        out[(owner, SELF_EVALUATE)] = Todo(
            owner, SELF_EVALUATE, review.review_id, created_at, review.self_due, detail
        )
    if review.leader_side is None:
        owner = user_owner(review.leader)
        out[(owner, LEADER_EVALUATE)] = Todo(
            owner, LEADER_EVALUATE, review.review_id, created_at, None, detail
        )
    return out


@dataclass(frozen=True)
class ReviewWrite:
    """One write of a review, with everything that changes with it."""

    review: Review  # as stored after the write (its version already the next)
    expected_version: int | None  # None: a new review
    new_sides: tuple[str, ...]  # the sides this write brings in
    seal: bool | None  # put (True) or delete (False) the heartbeat's pointer; None: as is
    put_todos: tuple[Todo, ...]
    delete_todos: tuple[tuple[str, str, str], ...]  # (owner, kind, ref)


def write_of(before: Review | None, after: Review, now: datetime) -> ReviewWrite:
    """The write that takes `before` (None: nothing yet) to `after`."""
    at = to_utc_iso(now)
    stored = replace(after, version=1 if before is None else before.version + 1)
    old = {} if before is None else inbox_of(before, at)
    new = inbox_of(stored, at)
    was_sealed = before is not None and is_sealed(before)
    seal = None if was_sealed == is_sealed(stored) else is_sealed(stored)
    return ReviewWrite(
        review=stored,
        expected_version=None if before is None else before.version,
        new_sides=tuple(
            name
            for name in SIDES
            if stored.side(name) is not None and (before is None or before.side(name) is None)
        ),
        seal=seal,
        put_todos=tuple(todo for key, todo in new.items() if key not in old),
        delete_todos=tuple(
            (owner, kind, after.review_id) for owner, kind in old if (owner, kind) not in new
        ),
    )


# What each reader sees -----------------------------------------------------------


def view_of(
    review: Review,
    viewer: Viewer,
    form: Form | None = None,
    current: Mapping[str, Evaluation] | None = None,
) -> dict[str, Any]:
    """The review as `viewer` may see it. Before it opens, a side's content is in the
    answer only for its author; after, for everyone who may read the review, with the
    comparison (over `form`, the review's form version). `current` holds the sides'
    evaluations as they are now (an amendment after opening shows), by id."""
    current = current or {}
    sides: dict[str, Evaluation | None] = {}
    shown: dict[str, dict[str, Any] | None] = {}
    for name in SIDES:
        side = review.side(name)
        if side is None:
            sides[name], shown[name] = None, None
            continue
        evaluation = side.evaluation
        if review.is_open:
            evaluation = current.get(evaluation.evaluation_id) or opened_evaluation(review, side)
        visible = review.is_open or is_author(review, name, viewer)
        sides[name] = evaluation if visible else None
        shown[name] = _side_view(side, evaluation, visible, review.is_open)
    comparison = None
    self_eval, leader_eval = sides[SELF], sides[LEADER]
    if review.is_open and form is not None and self_eval is not None and leader_eval is not None:
        comparison = compare(form, self_eval, leader_eval)
    return {
        "review_id": review.review_id,
        "agent_id": review.agent_id,
        "leader": review.leader,
        "form_id": review.form_id,
        "form_version": review.form_version,
        "contact": review.contact.fields(),
        "state": review.state,
        "created_by": review.created_by,
        "created_at": review.created_at,
        "self_due": review.self_due,
        "opened_at": review.opened_at,
        "opened_without_self": review.opened_without_self,
        "version": review.version,
        "self": shown[SELF],
        "leader_side": shown[LEADER],
        "comparison": comparison,
    }


def opened_evaluation(review: Review, side: Side) -> Evaluation:
    assert review.opened_at is not None
    at = review.opened_at
    return replace(side.evaluation, created_at=at, revised_at=at)


def _side_view(side: Side, evaluation: Evaluation, visible: bool, is_open: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "submitted_at": side.submitted_at,
        "submitted_by": side.submitted_by,
        "evaluation_id": evaluation.evaluation_id if is_open else None,
        "method": side.method,
    }
    if visible:
        presented = present(evaluation)
        for name in SEALED_FIELDS:
            out[name] = presented[name]
    return out


def compare(form: Form, self_eval: Evaluation, leader_eval: Evaluation) -> dict[str, Any]:
    """Both sides criterion by criterion over the form, in its order. An answer an
    amendment moved off the form's criteria shows as null."""
    criteria = []
    for section in form.sections:
        for criterion in section.criteria:
            mine = self_eval.answers.get(criterion.id)
            theirs = leader_eval.answers.get(criterion.id)
            criteria.append(
                {
                    "section_id": section.id,
                    "criterion_id": criterion.id,
                    "text": criterion.text,
                    "points": criterion.points,
                    "self": mine,
                    "leader": theirs,
                    "differs": mine != theirs,
                }
            )
    return {
        "criteria": criteria,
        "self_score": reported_str(self_eval.score.overall),
        "leader_score": reported_str(leader_eval.score.overall),
        "differing": sum(1 for c in criteria if c["differs"]),
    }

"""A coaching session: what a team leader and an agent talked about and agreed.

A session names the evaluations and report suggestions it went through, the
leader's notes, the agent's own development wish, the actions agreed (each with
an owner and a due day) and a follow-up day. The agent acknowledges it. Later,
the session's page shows the agent's compliance on the criteria the actions were
about, before and after the session, with the reports' honest intervals.

Everything here is pure: the record, its validation beyond the JSON Schema, its
transitions, the inbox entries it asks for, and the effect from summed cells.

Transitions, each returning the session unchanged (the same object) when it would
change nothing, so a retried request answers what the first one did:

- `updated`: the leader (or an admin) replaces the content. A change to anything
  the agent agreed to (all but the follow-up day, the leader's own reminder) asks
  the agent to acknowledge it again.
- `with_wish`: the agent writes their development wish.
- `acknowledged`: the agent acknowledges (once; again is no change).
- `with_action_done`: an action is done (once).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from chalicelib.domain import inbox
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.inbox import Todo, agent_owner, user_owner
from chalicelib.domain.permissions import Scope
from chalicelib.domain.principal import Principal
from chalicelib.domain.report_cells import Cell
from chalicelib.domain.report_ranges import MAX_CUSTOM_DAYS
from chalicelib.domain.report_suggestions import TEXTS
from chalicelib.domain.reports import criterion_rates, percent
from chalicelib.domain.settings import parse_day
from chalicelib.domain.statistics import RateInterval, rate_difference, wilson_interval

OWNERS = ("agent", "leader")
# The kinds GET /v1/reports/suggestions gives: a session copies its suggestions.
SUGGESTION_KINDS = tuple(TEXTS)
# The effect compares the 90 local days before the session with the days from it on.
BEFORE_DAYS = 90
# A year after the session is as far as "after" reaches: an older session's effect
# is read over its first year (and a page view stays a bounded number of reads).
MAX_AFTER_DAYS = MAX_CUSTOM_DAYS
ONE_DAY = timedelta(days=1)

TodoKey = tuple[str, str, str]  # (owner, kind, ref)


@dataclass(frozen=True, order=True)
class CriterionRef:
    form_id: str
    criterion_id: str

    def to_dict(self) -> dict[str, str]:
        return {"form_id": self.form_id, "criterion_id": self.criterion_id}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CriterionRef:
        return cls(str(data["form_id"]), str(data["criterion_id"]))


@dataclass(frozen=True)
class Suggestion:
    kind: str
    form_id: str
    criterion_id: str
    text: str

    @property
    def criterion(self) -> CriterionRef:
        return CriterionRef(self.form_id, self.criterion_id)

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "form_id": self.form_id,
            "criterion_id": self.criterion_id,
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Suggestion:
        return cls(
            str(data["kind"]), str(data["form_id"]), str(data["criterion_id"]), str(data["text"])
        )


@dataclass(frozen=True)
class ActionInput:
    action_id: str | None  # None: a new action, its id made from its content
    text: str
    owner: str  # agent | leader
    due: str  # YYYY-MM-DD
    criteria: tuple[CriterionRef, ...]


@dataclass(frozen=True)
class SessionInput:
    """A schema-valid SessionInput body, its days checked."""

    agent_id: str
    held_on: str
    evaluation_ids: tuple[str, ...]
    suggestions: tuple[Suggestion, ...]
    notes: str
    actions: tuple[ActionInput, ...]
    follow_up: str | None


@dataclass(frozen=True)
class Action:
    action_id: str
    text: str
    owner: str  # agent | leader
    owner_id: str  # the agent's id, or the session's leader's user id
    due: str
    criteria: tuple[CriterionRef, ...]
    done_at: str | None = None

    @property
    def inbox_owner(self) -> str:
        return agent_owner(self.owner_id) if self.owner == "agent" else user_owner(self.owner_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "action_id": self.action_id,
            "text": self.text,
            "owner": self.owner,
            "owner_id": self.owner_id,
            "due": self.due,
            "criteria": [c.to_dict() for c in self.criteria],
            "done_at": self.done_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Action:
        return cls(
            action_id=str(data["action_id"]),
            text=str(data["text"]),
            owner=str(data["owner"]),
            owner_id=str(data["owner_id"]),
            due=str(data["due"]),
            criteria=tuple(CriterionRef.from_dict(c) for c in data["criteria"]),
            done_at=None if data.get("done_at") is None else str(data["done_at"]),
        )


@dataclass(frozen=True)
class Acknowledged:
    by: str  # the user id of the agent's token
    at: str  # UTC instant

    def to_dict(self) -> dict[str, str]:
        return {"by": self.by, "at": self.at}


@dataclass(frozen=True)
class Session:
    session_id: str
    agent_id: str
    leader: str  # the user who held the session
    held_on: str
    evaluation_ids: tuple[str, ...]
    suggestions: tuple[Suggestion, ...]
    notes: str
    development_wish: str | None
    actions: tuple[Action, ...]
    follow_up: str | None
    acknowledged: Acknowledged | None
    created_at: str
    updated_at: str
    version: int

    def action(self, action_id: str) -> Action | None:
        return next((a for a in self.actions if a.action_id == action_id), None)

    def agreed(self) -> tuple[Any, ...]:
        """What the agent acknowledges: everything the leader wrote but the follow-up."""
        return (
            self.held_on,
            self.evaluation_ids,
            self.suggestions,
            self.notes,
            tuple(replace(a, done_at=None) for a in self.actions),
        )

    def to_dict(self) -> dict[str, Any]:
        """The stored record, and the API's view without the effect."""
        return {
            "session_id": self.session_id,
            "agent_id": self.agent_id,
            "leader": self.leader,
            "held_on": self.held_on,
            "evaluation_ids": list(self.evaluation_ids),
            "suggestions": [s.to_dict() for s in self.suggestions],
            "notes": self.notes,
            "development_wish": self.development_wish,
            "actions": [a.to_dict() for a in self.actions],
            "follow_up": self.follow_up,
            "acknowledged": None if self.acknowledged is None else self.acknowledged.to_dict(),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Session:
        acknowledged = data.get("acknowledged")
        wish = data.get("development_wish")
        follow_up = data.get("follow_up")
        return cls(
            session_id=str(data["session_id"]),
            agent_id=str(data["agent_id"]),
            leader=str(data["leader"]),
            held_on=str(data["held_on"]),
            evaluation_ids=tuple(str(e) for e in data["evaluation_ids"]),
            suggestions=tuple(Suggestion.from_dict(s) for s in data["suggestions"]),
            notes=str(data["notes"]),
            development_wish=None if wish is None else str(wish),
            actions=tuple(Action.from_dict(a) for a in data["actions"]),
            follow_up=None if follow_up is None else str(follow_up),
            acknowledged=None
            if acknowledged is None
            else Acknowledged(str(acknowledged["by"]), str(acknowledged["at"])),
            created_at=str(data["created_at"]),
            updated_at=str(data["updated_at"]),
            version=int(data["version"]),
        )


# --- the input ---------------------------------------------------------------------


def parse_input(body: Mapping[str, Any]) -> SessionInput:
    """A schema-valid SessionInput: its days parsed, its action ids unique."""
    held_on = parse_day(body["held_on"], "held_on").isoformat()
    raw_follow_up = body.get("follow_up")
    follow_up = None if raw_follow_up is None else parse_day(raw_follow_up, "follow_up")
    actions: list[ActionInput] = []
    seen: set[str] = set()
    for index, raw in enumerate(body.get("actions", [])):
        action_id = raw.get("action_id")
        if action_id is not None:
            if action_id in seen:
                raise InvalidInput(
                    f"action id '{action_id}' is used twice",
                    field=f"actions[{index}].action_id",
                    code="duplicate_action_id",
                )
            seen.add(action_id)
        actions.append(
            ActionInput(
                action_id=action_id,
                text=raw["text"],
                owner=raw["owner"],
                due=parse_day(raw["due"], f"actions[{index}].due").isoformat(),
                criteria=tuple(CriterionRef.from_dict(c) for c in raw.get("criteria", [])),
            )
        )
    return SessionInput(
        agent_id=body["agent_id"],
        held_on=held_on,
        evaluation_ids=tuple(body.get("evaluation_ids", [])),
        suggestions=tuple(Suggestion.from_dict(s) for s in body.get("suggestions", [])),
        notes=body.get("notes", ""),
        actions=tuple(actions),
        follow_up=None if follow_up is None else follow_up.isoformat(),
    )


def forms_named(session: SessionInput) -> list[str]:
    """Every form a suggestion or an action's criterion names, sorted."""
    named = {s.form_id for s in session.suggestions}
    named.update(c.form_id for a in session.actions for c in a.criteria)
    return sorted(named)


def check_criteria(session: SessionInput, known: Mapping[str, frozenset[str] | None]) -> None:
    """Each criterion named exists in its form (in some published version):
    `known` maps each form named to its criterion ids, None for no such form."""

    def check(ref: CriterionRef, where: str) -> None:
        ids = known.get(ref.form_id)
        if ids is None:
            raise InvalidInput(
                f"there is no published form '{ref.form_id}'",
                field=f"{where}.form_id",
                code="unknown_form",
            )
        if ref.criterion_id not in ids:
            raise InvalidInput(
                f"form '{ref.form_id}' has no criterion '{ref.criterion_id}'",
                field=f"{where}.criterion_id",
                code="unknown_criterion",
            )

    for index, suggestion in enumerate(session.suggestions):
        if suggestion.kind not in SUGGESTION_KINDS:
            raise InvalidInput(
                f"kind is one of {', '.join(SUGGESTION_KINDS)}",
                field=f"suggestions[{index}].kind",
            )
        check(suggestion.criterion, f"suggestions[{index}]")
    for index, action in enumerate(session.actions):
        for number, ref in enumerate(action.criteria):
            check(ref, f"actions[{index}].criteria[{number}]")


def check_evaluations(session: SessionInput, agents: Mapping[str, str]) -> None:
    """Each evaluation named exists and is about the session's agent: `agents` maps
    each evaluation found to its agent."""
    for index, evaluation_id in enumerate(session.evaluation_ids):
        agent_id = agents.get(evaluation_id)
        if agent_id is None:
            raise InvalidInput(
                f"evaluation '{evaluation_id}' does not exist",
                field=f"evaluation_ids[{index}]",
                code="unknown_evaluation",
            )
        if agent_id != session.agent_id:
            raise InvalidInput(
                f"evaluation '{evaluation_id}' is about another agent",
                field=f"evaluation_ids[{index}]",
                code="other_agent",
            )


def action_id_for(session_id: str, action: ActionInput, occurrence: int) -> str:
    """The id of an action sent without one: made from its content, so a retried
    request names the same actions (and changes nothing) instead of new ones."""
    content = json.dumps(
        [
            session_id,
            action.text,
            action.owner,
            action.due,
            [c.to_dict() for c in action.criteria],
            occurrence,
        ],
        ensure_ascii=False,
        sort_keys=True,
    )
    return "a-" + hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


def _actions(
    session_id: str,
    inputs: Sequence[ActionInput],
    agent_id: str,
    leader: str,
    previous: Sequence[Action] = (),
) -> tuple[Action, ...]:
    given = {a.action_id for a in inputs if a.action_id is not None}
    done = {a.action_id: a.done_at for a in previous}
    out: list[Action] = []
    occurrences: dict[str, int] = {}
    for item in inputs:
        action_id = item.action_id
        if action_id is None:
            key = json.dumps(
                [item.text, item.owner, item.due, [c.to_dict() for c in item.criteria]]
            )
            while True:
                occurrence = occurrences.get(key, 0)
                occurrences[key] = occurrence + 1
                action_id = action_id_for(session_id, item, occurrence)
                if action_id not in given:
                    break
        out.append(
            Action(
                action_id=action_id,
                text=item.text,
                owner=item.owner,
                owner_id=agent_id if item.owner == "agent" else leader,
                due=item.due,
                criteria=item.criteria,
                # An action kept by id stays done when its wording changes.
                done_at=done.get(action_id),
            )
        )
    return tuple(out)


# --- transitions -------------------------------------------------------------------


def new_session(session: SessionInput, *, session_id: str, leader: str, now: str) -> Session:
    return Session(
        session_id=session_id,
        agent_id=session.agent_id,
        leader=leader,
        held_on=session.held_on,
        evaluation_ids=session.evaluation_ids,
        suggestions=session.suggestions,
        notes=session.notes,
        development_wish=None,
        actions=_actions(session_id, session.actions, session.agent_id, leader),
        follow_up=session.follow_up,
        acknowledged=None,
        created_at=now,
        updated_at=now,
        version=1,
    )


def _changed(current: Session, now: str, **changes: Any) -> Session:
    candidate = replace(current, **changes)
    if candidate == current:
        return current
    return replace(candidate, updated_at=now, version=current.version + 1)


def updated(current: Session, session: SessionInput, now: str) -> Session:
    """The content replaced; the agent, the leader and the wish stay."""
    if session.agent_id != current.agent_id:
        raise InvalidInput(
            "a session stays with its agent; hold a new session for another",
            field="agent_id",
            code="agent_changed",
        )
    candidate = replace(
        current,
        held_on=session.held_on,
        evaluation_ids=session.evaluation_ids,
        suggestions=session.suggestions,
        notes=session.notes,
        actions=_actions(
            current.session_id, session.actions, current.agent_id, current.leader, current.actions
        ),
        follow_up=session.follow_up,
    )
    kept = current.acknowledged if candidate.agreed() == current.agreed() else None
    return _changed(
        current,
        now,
        held_on=candidate.held_on,
        evaluation_ids=candidate.evaluation_ids,
        suggestions=candidate.suggestions,
        notes=candidate.notes,
        actions=candidate.actions,
        follow_up=candidate.follow_up,
        acknowledged=kept,
    )


def with_wish(current: Session, wish: str, now: str) -> Session:
    return _changed(current, now, development_wish=wish)


def acknowledged(current: Session, by: str, at: str) -> Session:
    """The first acknowledgement stands; acknowledging again changes nothing."""
    if current.acknowledged is not None:
        return current
    return _changed(current, at, acknowledged=Acknowledged(by, at))


def with_action_done(current: Session, action_id: str, at: str) -> Session:
    action = current.action(action_id)
    if action is None:
        raise NotFound(f"session '{current.session_id}' has no action '{action_id}'")
    if action.done_at is not None:
        return current
    actions = tuple(replace(a, done_at=at) if a is action else a for a in current.actions)
    return _changed(current, at, actions=actions)


# --- who may -----------------------------------------------------------------------


def speaks_as_its_agent(granted: frozenset[Scope], principal: Principal, session: Session) -> bool:
    """The session's agent, acting as an agent (session.read S): they alone write the
    development wish and acknowledge."""
    return (
        Scope.SELF in granted
        and principal.agent_id is not None
        and principal.agent_id == session.agent_id
    )


def may_complete(
    read: frozenset[Scope],
    principal: Principal,
    session: Session,
    action: Action,
    *,
    writes_session: bool,
) -> bool:
    """An action is marked done by its owner, or by whoever may write the session
    (its leader, a leader of the agent's team now, an admin)."""
    if writes_session:
        return True
    if action.owner == "agent":
        return speaks_as_its_agent(read, principal, session)
    return principal.user == action.owner_id


# --- the inbox ---------------------------------------------------------------------


def todos(session: Session, now: str) -> dict[TodoKey, Todo]:
    """The inbox entries the session asks for: its acknowledgement until given, the
    follow-up while one is set, and each action until done."""
    detail = {"agent_id": session.agent_id, "session_id": session.session_id}
    out: list[Todo] = []
    if session.acknowledged is None:
        out.append(
            Todo(
                agent_owner(session.agent_id),
                inbox.ACKNOWLEDGE_SESSION,
                session.session_id,
                now,
                None,
                detail,
            )
        )
    if session.follow_up is not None:
        out.append(
            Todo(
                user_owner(session.leader),
                inbox.FOLLOW_UP,
                session.session_id,
                now,
                session.follow_up,
                detail,
            )
        )
    for action in session.actions:
        if action.done_at is None:
            ref = f"{session.session_id}/{action.action_id}"
            out.append(Todo(action.inbox_owner, inbox.ACTION, ref, now, action.due, detail))
    return {(t.owner, t.kind, t.ref): t for t in out}


def todo_changes(
    before: Session | None, after: Session, now: str
) -> tuple[list[Todo], list[TodoKey]]:
    """(entries to put, entries to delete) taking the inbox from `before` to `after`.

    An entry still asked for with the same due day is left as it is (putting it
    again would notify its owner again); one whose due day changed is replaced."""
    old = {} if before is None else todos(before, now)
    new = todos(after, now)
    puts = [todo for key, todo in new.items() if key not in old or old[key].due != todo.due]
    deletes = [key for key in old if key not in new]
    return puts, deletes


# --- the effect --------------------------------------------------------------------

DayRange = tuple[date, date]  # inclusive


def effect_windows(held_on: date, today: date) -> tuple[DayRange, DayRange | None]:
    """(before, after): the 90 local days ending the day before the session, and the
    session's day to today (at most a year of it); no after while it is to come."""
    before = (held_on - timedelta(days=BEFORE_DAYS), held_on - ONE_DAY)
    if held_on > today:
        return before, None
    return before, (held_on, min(today, held_on + timedelta(days=MAX_AFTER_DAYS - 1)))


def effect_criteria(session: Session) -> list[CriterionRef]:
    """The criteria the actions are about, each once, in the order first named."""
    seen: dict[CriterionRef, None] = {}
    for action in session.actions:
        for ref in action.criteria:
            seen.setdefault(ref, None)
    return list(seen)


def _counts(rates: Mapping[tuple[str, str], tuple[int, int, int]], ref: CriterionRef) -> Any:
    yes, no, na = rates.get((ref.form_id, ref.criterion_id), (0, 0, 0))
    interval = wilson_interval(yes, yes + no)
    view = {
        "yes": yes,
        "no": no,
        "na": na,
        "rate": None if interval is None else percent(interval.rate),
        "low": None if interval is None else percent(interval.low),
        "high": None if interval is None else percent(interval.high),
    }
    return view, interval


def _window(days: DayRange | None, held_on: date) -> dict[str, str | None]:
    if days is None:
        return {"first": held_on.isoformat(), "last": None}
    return {"first": days[0].isoformat(), "last": days[1].isoformat()}


def effect(
    session: Session,
    windows: tuple[DayRange, DayRange | None],
    before: Cell,
    after: Cell,
    titles: Mapping[CriterionRef, str],
) -> dict[str, Any]:
    """The agent's compliance on each criterion of the actions, before and after:
    rate = yes / (yes + no) with its 95 % Wilson interval, and Newcombe's interval
    of the difference (after minus before) when both sides have answers. Rates and
    differences in per cent (percentage points), two decimals."""
    held_on = date.fromisoformat(session.held_on)
    before_rates, after_rates = criterion_rates(before), criterion_rates(after)
    criteria = []
    for ref in effect_criteria(session):
        before_view, before_rate = _counts(before_rates, ref)
        after_view, after_rate = _counts(after_rates, ref)
        criteria.append(
            {
                "form_id": ref.form_id,
                "criterion_id": ref.criterion_id,
                "text": titles.get(ref, ref.criterion_id),
                "before": before_view,
                "after": after_view,
                "difference": _difference(after_rate, before_rate),
            }
        )
    return {
        "before": _window(windows[0], held_on),
        "after": _window(windows[1], held_on),
        "criteria": criteria,
    }


def _difference(
    after: RateInterval | None, before: RateInterval | None
) -> dict[str, str | None] | None:
    if after is None or before is None:
        return None
    diff = rate_difference(after, before)
    return {
        "value": percent(diff.difference),
        "low": percent(diff.low),
        "high": percent(diff.high),
    }


def present(session: Session, effect_view: Mapping[str, Any] | None = None) -> dict[str, Any]:
    out = session.to_dict()
    if effect_view is not None:
        out["effect"] = dict(effect_view)
    return out


def criteria_titles(
    forms: Iterable[tuple[str, Sequence[tuple[str, str]]]],
) -> dict[CriterionRef, str]:
    """{criterion: text} from (form id, [(criterion id, text)] of each published
    version, oldest first): the newest version's wording wins."""
    out: dict[CriterionRef, str] = {}
    for form_id, criteria in forms:
        for criterion_id, text in criteria:
            out[CriterionRef(form_id, criterion_id)] = text
    return out

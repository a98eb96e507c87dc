"""The inbox as a person sees it: what needs their action, with deadlines at `now`.

Pure: kept entries (domain/inbox.py), evaluations waiting for the caller's
acknowledgement, undecided disputes and their teams' unacknowledged counts come in
as plain data; `InboxItem`s with a due date, whether it is overdue, a link to the
site's page for it, and the counts per kind come out. The page words each item
from its kind and `detail` in the reader's language, so nothing here is prose.

Deadlines are of two shapes: an instant (`2026-11-09T08:00:00Z`: a self-evaluation,
an acknowledgement, a dispute's review) or a local day (`2026-11-09`: a session's
follow-up, an action). An instant is overdue strictly after it, the rule the
unacknowledged index's "revised before now minus the days" query has too; a day
is overdue once the tenant's local today is after it, so an action due today is
not late until tomorrow.

Ordering: overdue items first, then by deadline (soonest first, none last), then
newest first; kind and ref settle ties, so the same data always reads the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from chalicelib.domain import inbox
from chalicelib.domain.inbox import Todo
from chalicelib.domain.periods import to_utc_iso

# Every kind an inbox can hold, in the order the counts list them.
KINDS = (
    inbox.SELF_EVALUATE,
    inbox.LEADER_EVALUATE,
    inbox.ACKNOWLEDGE,
    inbox.ACKNOWLEDGE_SESSION,
    inbox.ACTION,
    inbox.FOLLOW_UP,
    inbox.REVIEW_DISPUTE,
    inbox.TEAM_UNACKNOWLEDGED,
)
# The detail keys the API documents; a kept entry's other keys stay in storage.
DETAIL_KEYS = (
    "agent_id",
    "evaluation_id",
    "review_id",
    "session_id",
    "dispute_id",
    "team_id",
    "count",
    "overdue_count",
)
UNDECIDED_STATES = frozenset({"open", "in_review"})


@dataclass(frozen=True)
class InboxItem:
    kind: str
    ref: str
    due: str | None  # a UTC instant or a local day, as the record gives it
    overdue: bool
    created_at: str
    link: str  # a site hash route
    detail: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "due": self.due,
            "overdue": self.overdue,
            "created_at": self.created_at,
            "link": self.link,
            "detail": dict(self.detail),
        }


@dataclass(frozen=True)
class Unacknowledged:
    """An evaluation whose current revision waits for its agent."""

    evaluation_id: str
    agent_id: str
    revision: int
    revised_at: str  # UTC instant


@dataclass(frozen=True)
class UndecidedDispute:
    dispute_id: str
    evaluation_id: str
    agent_id: str
    evaluator: str
    state: str
    opened_at: str
    review_due: str | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UndecidedDispute:
        """From the Dispute shape (the contract's), as the OPEN partition holds it."""
        review_due = data.get("review_due")
        return cls(
            dispute_id=str(data["dispute_id"]),
            evaluation_id=str(data["evaluation_id"]),
            agent_id=str(data["agent_id"]),
            evaluator=str(data["evaluator"]),
            state=str(data["state"]),
            opened_at=str(data["opened_at"]),
            review_due=None if review_due is None else str(review_due),
        )


@dataclass(frozen=True)
class TeamBacklog:
    """A team the caller leads and its members' evaluations waiting for acknowledgement."""

    team_id: str
    waiting: Sequence[Unacknowledged]


@dataclass(frozen=True)
class Inbox:
    items: tuple[InboxItem, ...]
    counts: Mapping[str, int]
    overdue: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": [item.to_dict() for item in self.items],
            "counts": dict(self.counts),
            "overdue": self.overdue,
        }

    def totals(self) -> dict[str, Any]:
        """What a badge needs: the counts without the items (a few hundred bytes)."""
        return {"total": len(self.items), "counts": dict(self.counts), "overdue": self.overdue}


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _is_day(value: str) -> bool:
    return len(value) == len("YYYY-MM-DD")


def deadline(due: str, zone: str) -> datetime:
    """The instant a deadline passes: an instant itself, a local day at its end
    (the next local midnight)."""
    if _is_day(due):
        next_day = date.fromisoformat(due) + timedelta(days=1)
        return datetime.combine(next_day, time(), ZoneInfo(zone))
    return _instant(due)


def is_overdue(due: str | None, now: datetime, zone: str) -> bool:
    if due is None:
        return False
    if _is_day(due):
        return now.astimezone(ZoneInfo(zone)).date() > date.fromisoformat(due)
    return now > _instant(due)


def acknowledge_due(revised_at: str, within_days: int | None) -> str | None:
    """Due `within_days` after the revision was written; None without a deadline."""
    if within_days is None:
        return None
    return to_utc_iso(_instant(revised_at) + timedelta(days=within_days))


def link_for(kind: str, ref: str, detail: Mapping[str, Any]) -> str:
    """The site's page where the item is done (static_site/js/router.js, which
    decodes each part)."""
    if kind == inbox.ACTION:
        session_id = str(detail.get("session_id") or ref.split("/", 1)[0])
        return f"#/coaching/{_part(session_id)}"
    if kind == inbox.TEAM_UNACKNOWLEDGED:
        return f"#/coaching?team_id={_part(ref)}"
    page = PAGES.get(kind)
    return "#/inbox" if page is None else f"#/{page}/{_part(ref)}"


PAGES = {
    inbox.SELF_EVALUATE: "reviews",
    inbox.LEADER_EVALUATE: "reviews",
    inbox.ACKNOWLEDGE_SESSION: "coaching",
    inbox.FOLLOW_UP: "coaching",
    inbox.ACKNOWLEDGE: "evaluations",
    inbox.REVIEW_DISPUTE: "disputes",
}


def _part(value: str) -> str:
    return quote(value, safe="")


def kept_item(todo: Todo, now: datetime, zone: str) -> InboxItem:
    detail = {key: todo.detail[key] for key in DETAIL_KEYS if todo.detail.get(key) is not None}
    return InboxItem(
        kind=todo.kind,
        ref=todo.ref,
        due=todo.due,
        overdue=is_overdue(todo.due, now, zone),
        created_at=todo.created_at,
        link=link_for(todo.kind, todo.ref, todo.detail),
        detail=detail,
    )


def acknowledge_item(waiting: Unacknowledged, within_days: int | None, now: datetime) -> InboxItem:
    due = acknowledge_due(waiting.revised_at, within_days)
    return InboxItem(
        kind=inbox.ACKNOWLEDGE,
        ref=waiting.evaluation_id,
        due=due,
        overdue=due is not None and now > _instant(due),
        created_at=waiting.revised_at,
        link=link_for(inbox.ACKNOWLEDGE, waiting.evaluation_id, {}),
        detail={"agent_id": waiting.agent_id, "evaluation_id": waiting.evaluation_id},
    )


def dispute_item(dispute: UndecidedDispute, now: datetime) -> InboxItem:
    return InboxItem(
        kind=inbox.REVIEW_DISPUTE,
        ref=dispute.dispute_id,
        due=dispute.review_due,
        overdue=dispute.review_due is not None and now > _instant(dispute.review_due),
        created_at=dispute.opened_at,
        link=link_for(inbox.REVIEW_DISPUTE, dispute.dispute_id, {}),
        detail={
            "agent_id": dispute.agent_id,
            "evaluation_id": dispute.evaluation_id,
            "dispute_id": dispute.dispute_id,
        },
    )


def disputes_to_review(
    disputes: Iterable[UndecidedDispute], reviewer: str
) -> list[UndecidedDispute]:
    """Undecided disputes the caller may decide: never one about their own evaluation."""
    return [d for d in disputes if d.state in UNDECIDED_STATES and d.evaluator != reviewer]


def team_item(backlog: TeamBacklog, within_days: int | None, now: datetime) -> InboxItem | None:
    """How many of the team's evaluations wait and how many are late; None for none.

    Due is the soonest deadline among them, created_at the newest revision, so the
    team's entry sorts with the item that makes it most urgent."""
    if not backlog.waiting:
        return None
    dues = [acknowledge_due(w.revised_at, within_days) for w in backlog.waiting]
    overdue_count = sum(1 for due in dues if due is not None and now > _instant(due))
    known = [due for due in dues if due is not None]
    return InboxItem(
        kind=inbox.TEAM_UNACKNOWLEDGED,
        ref=backlog.team_id,
        due=min(known, key=_instant) if known else None,
        overdue=overdue_count > 0,
        created_at=max((w.revised_at for w in backlog.waiting), key=_instant),
        link=link_for(inbox.TEAM_UNACKNOWLEDGED, backlog.team_id, {}),
        detail={
            "team_id": backlog.team_id,
            "count": len(backlog.waiting),
            "overdue_count": overdue_count,
        },
    )


def order_key(item: InboxItem, zone: str) -> tuple[Any, ...]:
    """Overdue first, then the soonest deadline (none last), then newest."""
    when = None if item.due is None else deadline(item.due, zone).timestamp()
    created = _instant(item.created_at).timestamp()
    return (
        not item.overdue,
        when is None,
        when if when is not None else 0.0,
        -created,
        item.kind,
        item.ref,
    )


def build(
    *,
    todos: Iterable[Todo],
    unacknowledged: Iterable[Unacknowledged],
    disputes: Iterable[UndecidedDispute],
    teams: Iterable[TeamBacklog],
    reviewer: str | None,
    acknowledge_within_days: int | None,
    now: datetime,
    zone: str,
) -> Inbox:
    """The caller's inbox. `disputes` are every undecided one of the tenant when the
    caller may decide disputes (`reviewer` is then their user id), else nothing."""
    items: dict[tuple[str, str], InboxItem] = {}

    def add(item: InboxItem) -> None:
        # One entry per (kind, ref): a person who is both owners of a kept entry
        # (never expected) or a dispute read twice still shows once.
        items.setdefault((item.kind, item.ref), item)

    for todo in todos:
        add(kept_item(todo, now, zone))
    for waiting in unacknowledged:
        add(acknowledge_item(waiting, acknowledge_within_days, now))
    if reviewer is not None:
        for dispute in disputes_to_review(disputes, reviewer):
            add(dispute_item(dispute, now))
    for backlog in teams:
        team = team_item(backlog, acknowledge_within_days, now)
        if team is not None:
            add(team)
    ordered = tuple(sorted(items.values(), key=lambda item: order_key(item, zone)))
    counts = dict.fromkeys(KINDS, 0)
    for item in ordered:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return Inbox(
        items=ordered,
        counts=counts,
        overdue=sum(1 for item in ordered if item.overdue),
    )

"""The inbox's rules: deadlines, overdue at `now`, links, counts and order, each
checked against a plain recount of the same data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import inbox, inbox_view
from chalicelib.domain.inbox import Todo
from chalicelib.domain.inbox_view import TeamBacklog, Unacknowledged, UndecidedDispute
from chalicelib.domain.periods import to_utc_iso
from tests.unit.strategies import PROPERTY

HELSINKI = "Europe/Helsinki"
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
START = datetime(2026, 10, 1, tzinfo=UTC)


def empty(**kwargs: object) -> inbox_view.Inbox:
    args: dict[str, object] = {
        "todos": [],
        "unacknowledged": [],
        "disputes": [],
        "teams": [],
        "reviewer": None,
        "acknowledge_within_days": None,
        "now": NOW,
        "zone": HELSINKI,
    }
    args.update(kwargs)
    return inbox_view.build(**args)  # type: ignore[arg-type]


def waiting(n: int, revised_at: datetime, agent: str = "aino") -> Unacknowledged:
    return Unacknowledged(f"ev-{n}", agent, 1, to_utc_iso(revised_at))


def dispute(n: int, evaluator: str = "eva", state: str = "open") -> UndecidedDispute:
    return UndecidedDispute(
        dispute_id=f"d-{n}",
        evaluation_id=f"ev-{n}",
        agent_id="aino",
        evaluator=evaluator,
        state=state,
        opened_at="2026-11-05T08:00:00Z",
        review_due="2026-11-10T08:00:00Z",
    )


def test_an_empty_inbox_counts_every_kind_as_zero() -> None:
    answer = empty().to_dict()
    assert answer == {"items": [], "counts": dict.fromkeys(inbox_view.KINDS, 0), "overdue": 0}
    assert set(inbox_view.KINDS) == inbox.KEPT_KINDS | {
        inbox.ACKNOWLEDGE,
        inbox.REVIEW_DISPUTE,
        inbox.TEAM_UNACKNOWLEDGED,
    }


def test_an_instant_is_overdue_strictly_after_it() -> None:
    due = "2026-11-10T12:00:00Z"
    assert not inbox_view.is_overdue(due, NOW, HELSINKI)
    assert inbox_view.is_overdue(due, NOW + timedelta(seconds=1), HELSINKI)
    assert not inbox_view.is_overdue(None, NOW, HELSINKI)


def test_a_day_is_overdue_once_the_tenants_local_day_is_after_it() -> None:
    # 21:59 UTC on the 10th is 23:59 in Helsinki: still the 10th there.
    assert not inbox_view.is_overdue(
        "2026-11-10", datetime(2026, 11, 10, 21, 59, tzinfo=UTC), HELSINKI
    )
    assert inbox_view.is_overdue("2026-11-10", datetime(2026, 11, 10, 22, 0, tzinfo=UTC), HELSINKI)
    # In UTC the same instant is still the 10th.
    assert not inbox_view.is_overdue("2026-11-10", datetime(2026, 11, 10, 22, 0, tzinfo=UTC), "UTC")
    assert inbox_view.deadline("2026-11-10", HELSINKI) == datetime(2026, 11, 10, 22, 0, tzinfo=UTC)


def test_acknowledgement_is_due_the_days_after_the_revision() -> None:
    assert inbox_view.acknowledge_due("2026-11-02T08:00:00Z", 3) == "2026-11-05T08:00:00Z"
    assert inbox_view.acknowledge_due("2026-11-02T08:00:00Z", None) is None
    item = inbox_view.acknowledge_item(waiting(1, NOW - timedelta(days=3, seconds=1)), 3, NOW)
    assert item.overdue
    assert item.link == "#/evaluations/ev-1"
    assert item.detail == {"agent_id": "aino", "evaluation_id": "ev-1"}
    assert not inbox_view.acknowledge_item(waiting(1, NOW - timedelta(days=3)), 3, NOW).overdue
    assert not inbox_view.acknowledge_item(waiting(1, START), None, NOW).overdue


@pytest.mark.parametrize(
    ("kind", "ref", "detail", "link"),
    [
        (inbox.SELF_EVALUATE, "r-1", {}, "#/reviews/r-1"),
        (inbox.LEADER_EVALUATE, "r-1", {}, "#/reviews/r-1"),
        (inbox.ACKNOWLEDGE_SESSION, "s-1", {}, "#/coaching/s-1"),
        (inbox.FOLLOW_UP, "s-1", {}, "#/coaching/s-1"),
        (inbox.ACTION, "s-1/a-2", {}, "#/coaching/s-1"),
        (inbox.ACTION, "s-1/a-2", {"session_id": "s-1"}, "#/coaching/s-1"),
        (inbox.ACKNOWLEDGE, "e-1", {}, "#/evaluations/e-1"),
        (inbox.REVIEW_DISPUTE, "d-1", {}, "#/disputes/d-1"),
        (inbox.TEAM_UNACKNOWLEDGED, "t@1", {}, "#/coaching?team_id=t%401"),
        ("something_new", "x", {}, "#/inbox"),
    ],
)
def test_each_kind_links_to_its_page(
    kind: str, ref: str, detail: dict[str, str], link: str
) -> None:
    assert inbox_view.link_for(kind, ref, detail) == link


def test_a_kept_entry_shows_only_the_documented_detail() -> None:
    todo = Todo(
        owner="agent:aino",
        kind=inbox.ACTION,
        ref="s-1/a-1",
        created_at="2026-11-01T08:00:00Z",
        due="2026-11-09",
        detail={
            "session_id": "s-1",
            "agent_id": "aino",
            "text": "not for the inbox",
            "team_id": None,
        },
    )
    item = inbox_view.kept_item(todo, NOW, HELSINKI)
    assert item.detail == {"session_id": "s-1", "agent_id": "aino"}
    assert item.overdue
    assert item.link == "#/coaching/s-1"


def test_disputes_about_the_reviewers_own_evaluations_and_decided_ones_are_left_out() -> None:
    disputes = [
        dispute(1),
        dispute(2, evaluator="me"),
        dispute(3, state="upheld"),
        dispute(4, state="in_review"),
    ]
    shown = empty(disputes=disputes, reviewer="me")
    assert [i.ref for i in shown.items] == ["d-1", "d-4"]
    assert all(i.overdue for i in shown.items)  # review_due 08:00, now 12:00
    assert shown.items[0].detail == {
        "agent_id": "aino",
        "evaluation_id": "ev-1",
        "dispute_id": "d-1",
    }
    # Without the right to decide (reviewer None) none shows.
    assert empty(disputes=disputes).items == ()


def test_a_team_without_waiting_evaluations_shows_nothing() -> None:
    assert inbox_view.team_item(TeamBacklog("t1", []), 3, NOW) is None


def test_the_same_entry_twice_shows_once() -> None:
    todo = Todo("user:lead", inbox.FOLLOW_UP, "s-1", "2026-11-01T08:00:00Z", "2026-11-20")
    assert len(empty(todos=[todo, todo]).items) == 1


instants = st.integers(min_value=0, max_value=60 * 24 * 60).map(
    lambda minutes: START + timedelta(minutes=minutes)
)
days_or_none = st.one_of(st.none(), st.integers(min_value=1, max_value=30))


@PROPERTY
@given(
    revisions=st.lists(instants, max_size=30),
    within=days_or_none,
    now=instants,
)
def test_team_figures_match_a_recount(
    revisions: list[datetime], within: int | None, now: datetime
) -> None:
    backlog = TeamBacklog("t1", [waiting(n, at) for n, at in enumerate(revisions)])
    item = inbox_view.team_item(backlog, within, now)
    if not revisions:
        assert item is None
        return
    assert item is not None
    late = 0 if within is None else sum(1 for at in revisions if at + timedelta(days=within) < now)
    assert item.detail == {"team_id": "t1", "count": len(revisions), "overdue_count": late}
    assert item.overdue == (late > 0)
    assert item.created_at == to_utc_iso(max(revisions))
    expected_due = None if within is None else to_utc_iso(min(revisions) + timedelta(days=within))
    assert item.due == expected_due


due_values = st.one_of(
    st.none(),
    instants.map(to_utc_iso),
    instants.map(lambda at: at.date().isoformat()),
)


@st.composite
def todos(draw: st.DrawFn) -> list[Todo]:
    out = []
    for n in range(draw(st.integers(min_value=0, max_value=12))):
        out.append(
            Todo(
                owner=draw(st.sampled_from(["user:u", "agent:aino"])),
                kind=draw(st.sampled_from(sorted(inbox.KEPT_KINDS))),
                ref=f"r-{n}",
                created_at=to_utc_iso(draw(instants)),
                due=draw(due_values),
            )
        )
    return out


@PROPERTY
@given(
    kept=todos(),
    acks=st.lists(instants, max_size=8),
    within=days_or_none,
    now=instants,
    zone=st.sampled_from([HELSINKI, "UTC", "America/New_York"]),
)
def test_counts_overdue_and_order_match_a_recount(
    kept: list[Todo], acks: list[datetime], within: int | None, now: datetime, zone: str
) -> None:
    unacknowledged = [waiting(n, at) for n, at in enumerate(acks)]
    built = empty(
        todos=kept,
        unacknowledged=unacknowledged,
        acknowledge_within_days=within,
        now=now,
        zone=zone,
    )
    # Counts and overdue, recounted from the inputs without the module's helpers.
    expected_counts = dict.fromkeys(inbox_view.KINDS, 0)
    late = 0
    for todo in kept:
        expected_counts[todo.kind] += 1
        if todo.due is not None:
            if len(todo.due) == 10:
                late += now.astimezone(ZoneInfo(zone)).date().isoformat() > todo.due
            else:
                late += now > datetime.fromisoformat(todo.due)
    expected_counts[inbox.ACKNOWLEDGE] = len(acks)
    if within is not None:
        late += sum(1 for at in acks if at + timedelta(days=within) < now)
    assert dict(built.counts) == expected_counts
    assert built.overdue == late
    assert len(built.items) == len(kept) + len(acks)
    # Order: overdue first; then deadlines ascending with none last; then newest first.
    items = list(built.items)
    flags = [item.overdue for item in items]
    assert flags == sorted(flags, reverse=True)
    for group in (True, False):
        members = [item for item in items if item.overdue is group]
        deadlines = [
            (
                item.due is None,
                0.0 if item.due is None else inbox_view.deadline(item.due, zone).timestamp(),
            )
            for item in members
        ]
        assert deadlines == sorted(deadlines)
        for before, after in pairwise(members):
            if (before.due is None and after.due is None) or (
                before.due is not None
                and after.due is not None
                and inbox_view.deadline(before.due, zone) == inbox_view.deadline(after.due, zone)
            ):
                assert before.created_at >= after.created_at

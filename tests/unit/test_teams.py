"""Teams and effective-dated membership: parsing, the team on a day, spans, and the
append when only today's team changes; spans checked day by day against team_on."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.settings import parse_day
from chalicelib.domain.teams import (
    Membership,
    Team,
    members_during,
    parse_memberships,
    parse_team,
    spans_in_team,
    stored_memberships,
    team_on,
    with_team_from,
)

D = date.fromisoformat
HISTORY = (Membership("t1", D("2026-01-01")), Membership("t2", D("2026-03-01")))


def test_the_team_on_a_day_is_the_latest_membership_started_by_then() -> None:
    assert team_on(HISTORY, D("2025-12-31")) is None
    assert team_on(HISTORY, D("2026-01-01")) == "t1"
    assert team_on(HISTORY, D("2026-02-28")) == "t1"
    assert team_on(HISTORY, D("2026-03-01")) == "t2"
    assert team_on(HISTORY, D("2999-12-31")) == "t2"
    assert team_on((), D("2026-01-01")) is None


def test_an_empty_team_means_in_no_team_from_that_day() -> None:
    left = (*HISTORY, Membership("", D("2026-05-01")))
    assert team_on(left, D("2026-05-01")) is None
    assert spans_in_team(left, "t2", D("2026-01-01"), D("2026-12-31")) == [
        (D("2026-03-01"), D("2026-04-30"))
    ]


def test_spans_are_inclusive_and_clipped_to_the_range() -> None:
    assert spans_in_team(HISTORY, "t1", D("2026-02-15"), D("2026-03-15")) == [
        (D("2026-02-15"), D("2026-02-28"))
    ]
    assert spans_in_team(HISTORY, "t2", D("2026-02-15"), D("2026-03-15")) == [
        (D("2026-03-01"), D("2026-03-15"))
    ]
    assert spans_in_team(HISTORY, "t3", D("2026-01-01"), D("2026-12-31")) == []
    assert spans_in_team(HISTORY, "t1", D("2026-03-01"), D("2026-02-01")) == []


def test_a_return_to_a_team_is_a_second_span_and_a_repeat_joins_them() -> None:
    back = (*HISTORY, Membership("t1", D("2026-04-01")))
    assert spans_in_team(back, "t1", D("2026-01-01"), D("2026-04-30")) == [
        (D("2026-01-01"), D("2026-02-28")),
        (D("2026-04-01"), D("2026-04-30")),
    ]
    repeated = (Membership("t1", D("2026-01-01")), Membership("t1", D("2026-02-01")))
    assert spans_in_team(repeated, "t1", D("2026-01-01"), D("2026-03-01")) == [
        (D("2026-01-01"), D("2026-03-01"))
    ]


def test_members_during_lists_only_those_in_the_team_in_the_range() -> None:
    agents = {
        "aino": HISTORY,
        "bert": (Membership("t2", D("2026-01-01")),),
        "cecilia": (),
    }
    assert members_during(agents, "t1", D("2026-02-01"), D("2026-03-31")) == {
        "aino": [(D("2026-02-01"), D("2026-02-28"))]
    }
    assert members_during(agents.items(), "t2", D("2026-02-01"), D("2026-03-31")) == {
        "aino": [(D("2026-03-01"), D("2026-03-31"))],
        "bert": [(D("2026-02-01"), D("2026-03-31"))],
    }


def test_parsing_a_history() -> None:
    raw = [{"team": "t1", "from": "2026-01-01"}, {"team": "", "from": "2026-02-01"}]
    assert parse_memberships(raw) == (
        Membership("t1", D("2026-01-01")),
        Membership("", D("2026-02-01")),
    )
    assert parse_memberships([]) == ()
    assert [m.to_dict() for m in parse_memberships(raw)] == raw


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ([{"team": "t1", "from": "2026-02-01"}, {"team": "t2", "from": "2026-01-01"}], "[1].from"),
        ([{"team": "t1", "from": "2026-02-01"}, {"team": "t2", "from": "2026-02-01"}], "[1].from"),
        ([{"team": "t 1", "from": "2026-02-01"}], "[0].team"),
        ([{"team": "-t1", "from": "2026-02-01"}], "[0].team"),
        ([{"team": "t" * 65, "from": "2026-02-01"}], "[0].team"),
        ([{"team": "t1\u202e", "from": "2026-02-01"}], "[0].team"),
        ([{"team": 7, "from": "2026-02-01"}], "[0].team"),
        ([{"team": "t1", "from": "1969-12-31"}], "[0].from"),
        ([{"team": "t1", "from": "3000-01-01"}], "[0].from"),
        ([{"team": "t1", "from": "20260201"}], "[0].from"),
        ([{"team": "t1", "from": "2026-02-30"}], "[0].from"),
        ([{"team": "t1", "from": "２０２６-02-01"}], "[0].from"),
        ([{"team": "t1"}], "[0]"),
        ([{"team": "t1", "from": "2026-02-01", "to": "2026-03-01"}], "[0]"),
        (["t1"], "[0]"),
    ],
)
def test_a_history_that_is_not_one_is_refused_naming_the_field(raw: object, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_memberships(raw)
    assert refused.value.field == f"memberships{field}"


def test_the_calendar_ends_are_the_settings_ones() -> None:
    assert parse_day("1970-01-01", "from") == D("1970-01-01")
    assert parse_day("2999-12-31", "from") == D("2999-12-31")
    with pytest.raises(InvalidInput) as refused:
        parse_day("9999-12-31", "from")
    assert refused.value.code == "out_of_range"


def test_a_record_from_before_histories_was_in_its_team_all_along() -> None:
    assert stored_memberships(None, "t1") == (Membership("t1", D("1970-01-01")),)
    assert stored_memberships(None, "") == ()
    # A stored history is read as written, even a team name from before team ids.
    assert stored_memberships([{"team": "Tiimi 1", "from": "2026-01-01"}], "t9") == (
        Membership("Tiimi 1", D("2026-01-01")),
    )


def test_a_new_team_today_is_appended_and_the_same_team_changes_nothing() -> None:
    today = D("2026-04-10")
    assert with_team_from(HISTORY, "t2", today) == HISTORY
    assert with_team_from(HISTORY, "t3", today) == (*HISTORY, Membership("t3", today))
    assert with_team_from(HISTORY, "", today) == (*HISTORY, Membership("", today))
    assert with_team_from((), "", today) == ()
    assert with_team_from((), "t1", today) == (Membership("t1", today),)


def test_a_second_change_the_same_day_replaces_the_first() -> None:
    today = D("2026-04-10")
    moved = with_team_from(HISTORY, "t3", today)
    assert with_team_from(moved, "t4", today) == (*HISTORY, Membership("t4", today))
    # Back to the team of yesterday: as if the move never happened.
    assert with_team_from(moved, "t2", today) == HISTORY


def test_a_move_planned_ahead_is_kept() -> None:
    planned = (*HISTORY, Membership("t5", D("2026-06-01")))
    today = D("2026-04-10")
    assert with_team_from(planned, "t3", today) == (
        *HISTORY,
        Membership("t3", today),
        Membership("t5", D("2026-06-01")),
    )


def test_a_team_body() -> None:
    assert parse_team("t1", {"name": "Asiakaspalvelu A", "leaders": ["tl-1"]}) == Team(
        "t1", "Asiakaspalvelu A", ("tl-1",)
    )
    with pytest.raises(InvalidInput) as twice:
        parse_team("t1", {"name": "A", "leaders": ["tl-1", "tl-1"]})
    assert twice.value.field == "leaders[1]"
    with pytest.raises(InvalidInput) as bad_id:
        parse_team("t 1", {"name": "A"})
    assert bad_id.value.field == "team_id"
    assert Team("t1", "A", ("tl-1",)).to_dict() == {
        "team_id": "t1",
        "name": "A",
        "leaders": ["tl-1"],
    }


# Properties: spans agree with team_on on every day ----------------------------------

EPOCH = D("2026-01-01")
TEAMS = ("t1", "t2", "")


@st.composite
def histories(draw: st.DrawFn) -> tuple[Membership, ...]:
    offsets = sorted(draw(st.sets(st.integers(0, 120), max_size=8)))
    return tuple(
        Membership(draw(st.sampled_from(TEAMS)), EPOCH + timedelta(days=o)) for o in offsets
    )


@given(
    history=histories(),
    team=st.sampled_from(TEAMS[:2]),
    start=st.integers(-10, 130),
    length=st.integers(0, 60),
)
def test_spans_are_exactly_the_days_team_on_gives_the_team(
    history: tuple[Membership, ...], team: str, start: int, length: int
) -> None:
    first = EPOCH + timedelta(days=start)
    last = first + timedelta(days=length)
    spans = spans_in_team(history, team, first, last)
    covered = {s + timedelta(days=i) for s, e in spans for i in range((e - s).days + 1)}
    expected = {
        first + timedelta(days=i)
        for i in range(length + 1)
        if team_on(history, first + timedelta(days=i)) == team
    }
    assert covered == expected
    # Disjoint, in order, and never touching (touching spans would be one).
    for (_, end), (begin, _) in itertools.pairwise(spans):
        assert end + timedelta(days=1) < begin
    assert all(s <= e for s, e in spans)


@given(history=histories(), team=st.sampled_from(TEAMS), day=st.integers(0, 130))
def test_after_with_team_from_the_team_that_day_is_the_team(
    history: tuple[Membership, ...], team: str, day: int
) -> None:
    today = EPOCH + timedelta(days=day)
    changed = with_team_from(history, team, today)
    assert team_on(changed, today) == (team or None)
    starts = [m.start for m in changed]
    assert starts == sorted(set(starts))
    # Nothing before today moves; everything after today stays.
    for offset in range(-5, 0):
        moment = today + timedelta(days=offset)
        assert team_on(changed, moment) == team_on(history, moment)
    assert [m for m in changed if m.start > today] == [m for m in history if m.start > today]
    assert parse_memberships([m.to_dict() for m in changed]) == changed

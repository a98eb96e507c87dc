"""Teams and an agent's effective-dated membership of them.

A membership says "in team T from local day D on" (days in the tenant's zone). An
agent's history is sorted by its start days, no two on the same day; the one in
force on a day is the one with the greatest start on or before it, and before the
first the agent is in no team. A membership of team "" ends the previous one: in no
team from that day (an agent who leaves every team). Reports add up a team's
members' own figures over the days each was in it, so a corrected history counts
exactly at once; nothing about teams is written into the figures themselves.

Pure: stored and requested shapes in, records out.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.settings import EARLIEST_DATE, parse_day
from chalicelib.domain.text import check_text

TEAM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MAX_NAME = 200
MAX_LEADERS = 50
MAX_LEADER = 128
MAX_MEMBERSHIPS = 500
# Each team of a history is indexed in the same transaction as the agent record,
# which DynamoDB caps at 100 items.
MAX_TEAMS_IN_HISTORY = 90
ONE_DAY = timedelta(days=1)

Span = tuple[date, date]  # inclusive: (first day, last day)


@dataclass(frozen=True)
class Team:
    team_id: str
    name: str
    leaders: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"team_id": self.team_id, "name": self.name, "leaders": list(self.leaders)}

    def is_led_by(self, user: str) -> bool:
        return user in self.leaders


@dataclass(frozen=True)
class Membership:
    team: str  # a team id, or "" for "in no team" from `start`
    start: date

    def to_dict(self) -> dict[str, str]:
        return {"team": self.team, "from": self.start.isoformat()}


def is_team_id(value: object) -> bool:
    return isinstance(value, str) and TEAM_ID.fullmatch(value) is not None


def check_team_id(value: str, field: str = "team_id") -> str:
    check_text(value, field)
    if not is_team_id(value):
        raise InvalidInput(f"'{value}' is not a valid team id", field=field)
    return value


def parse_team(team_id: str, body: Mapping[str, Any]) -> Team:
    """A team from a PUT body (already valid against team.schema.json)."""
    check_team_id(team_id)
    name = body.get("name", "")
    leaders = body.get("leaders", [])
    if not isinstance(name, str) or len(name) > MAX_NAME:
        raise InvalidInput(f"name must be text of at most {MAX_NAME} characters", field="name")
    check_text(name, "name")
    if not isinstance(leaders, list) or len(leaders) > MAX_LEADERS:
        raise InvalidInput(f"leaders must list at most {MAX_LEADERS} user ids", field="leaders")
    seen: set[str] = set()
    for index, leader in enumerate(leaders):
        where = f"leaders[{index}]"
        if not isinstance(leader, str) or not 1 <= len(leader) <= MAX_LEADER:
            raise InvalidInput(
                f"a leader is a user id of 1 to {MAX_LEADER} characters", field=where
            )
        check_text(leader, where)
        if leader in seen:
            raise InvalidInput(f"'{leader}' is listed twice", field=where)
        seen.add(leader)
    return Team(team_id=team_id, name=name, leaders=tuple(leaders))


def parse_memberships(raw: object, field: str = "memberships") -> tuple[Membership, ...]:
    """A membership history as a client sends it: `[{"team": "t1", "from": "2026-11-02"}]`.

    It must be sorted by `from` with no two on the same day: an out-of-order list is
    more likely a mistake than an intent, so it is refused rather than reordered.
    """
    if not isinstance(raw, list):
        raise InvalidInput(f"{field} must be a list", field=field)
    if len(raw) > MAX_MEMBERSHIPS:
        raise InvalidInput(f"{field} may hold at most {MAX_MEMBERSHIPS} entries", field=field)
    out: list[Membership] = []
    for index, entry in enumerate(raw):
        where = f"{field}[{index}]"
        if not isinstance(entry, Mapping) or set(entry) != {"team", "from"}:
            raise InvalidInput(f'{where} must be {{"team": ..., "from": ...}}', field=where)
        team = entry["team"]
        if not isinstance(team, str):
            raise InvalidInput(f"{where}.team must be a team id or empty", field=f"{where}.team")
        if team:
            check_team_id(team, f"{where}.team")
        start = parse_day(entry["from"], f"{where}.from")
        if out and start <= out[-1].start:
            problem = "the same day as" if start == out[-1].start else "before"
            raise InvalidInput(
                f"{where}.from is {problem} the entry before it; sort by day, one per day",
                field=f"{where}.from",
            )
        out.append(Membership(team, start))
    if len(teams_in(out)) > MAX_TEAMS_IN_HISTORY:
        raise InvalidInput(
            f"{field} may name at most {MAX_TEAMS_IN_HISTORY} different teams", field=field
        )
    return tuple(out)


def teams_in(memberships: Iterable[Membership]) -> frozenset[str]:
    """Every team a history names (not "no team")."""
    return frozenset(m.team for m in memberships if m.team)


def stored_memberships(
    raw: Sequence[Mapping[str, str]] | None, team: str
) -> tuple[Membership, ...]:
    """A stored history; a record written before histories existed (`raw` None) was
    in its `team` all along, or in none."""
    if raw is None:
        return (Membership(team, EARLIEST_DATE),) if team else ()
    return tuple(Membership(str(m["team"]), date.fromisoformat(str(m["from"]))) for m in raw)


def _index_on(memberships: Sequence[Membership], day: date) -> int:
    """The index of the membership in force on `day`, -1 before the first."""
    return bisect_right([m.start for m in memberships], day) - 1


def team_on(memberships: Sequence[Membership], day: date) -> str | None:
    """The team the agent is in on `day`; None for no team."""
    index = _index_on(memberships, day)
    if index < 0:
        return None
    return memberships[index].team or None


def spans_in_team(
    memberships: Sequence[Membership], team: str, first: date, last: date
) -> list[Span]:
    """The inclusive day spans within [first, last] when the agent was in `team`,
    in order; consecutive memberships of the same team make one span."""
    if not team or last < first:
        return []
    spans: list[Span] = []
    for index, membership in enumerate(memberships):
        if membership.team != team:
            continue
        upto = memberships[index + 1].start - ONE_DAY if index + 1 < len(memberships) else last
        start, end = max(membership.start, first), min(upto, last)
        if start > end:
            continue
        if spans and spans[-1][1] + ONE_DAY == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def members_during(
    agents: Mapping[str, Sequence[Membership]] | Iterable[tuple[str, Sequence[Membership]]],
    team: str,
    first: date,
    last: date,
) -> dict[str, list[Span]]:
    """{agent_id: spans} of every agent in `team` on some day of [first, last]."""
    pairs = agents.items() if isinstance(agents, Mapping) else agents
    out: dict[str, list[Span]] = {}
    for agent_id, memberships in pairs:
        spans = spans_in_team(memberships, team, first, last)
        if spans:
            out[agent_id] = spans
    return out


def with_team_from(
    memberships: Sequence[Membership], team: str, day: date
) -> tuple[Membership, ...]:
    """The history after "the agent is in `team` ("" for none) from `day` on".

    Unchanged when that is already so. An entry starting on `day` is replaced (a
    second change the same day), and entries after `day` stay: a move planned ahead
    is not cancelled by today's edit.
    """
    if (team or None) == team_on(memberships, day):
        return tuple(memberships)
    kept = [m for m in memberships if m.start != day]
    if (team or None) == team_on(kept, day):
        return tuple(kept)
    index = _index_on(kept, day) + 1
    return (*kept[:index], Membership(team, day), *kept[index:])

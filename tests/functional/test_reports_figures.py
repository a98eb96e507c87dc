"""Every report figure equals an independent calculation from the final revisions.

Random tenants (forms with two versions, answers, channels, methods, evaluators,
contact instants on DST nights and month / ISO-week / quarter edges, amendments
that move an evaluation to another agent, day and answers, team moves mid-range)
are written through the API, their stream records delivered shuffled and doubled
through the real stream handler, and then every report is compared, string for
string, with figures computed here straight from what was last submitted: the
local day with zoneinfo, the team from the membership in force that day, Wilson
from its quadratic, mean and sd from `statistics`, t from scipy.
"""

from __future__ import annotations

import itertools
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from chalice.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]

from tests.functional.api import Api
from tests.functional.conftest import Clock, StreamReader, deliver

ZONE = ZoneInfo("Europe/Helsinki")
Z = Decimal("1.96")
AGENTS = ("aino", "bert", "cecilia")
TEAMS = ("t1", "t2")
EVALUATORS = ("eero", "essi")
CHANNELS = ("phone", "email", "chat", "social")
METHODS = ("live", "recording", "external", "self")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# Instants around the two DST nights of 2026 in Helsinki, month / quarter / ISO-week
# edges and the shift band starts (07:00, 15:00, 23:00 local).
INSTANTS = tuple(
    _utc(t)
    for t in (
        "2026-03-28T21:59:59+00:00",  # Sat 28 Mar 23:59:59 EET
        "2026-03-28T22:00:00+00:00",  # Sun 29 Mar 00:00 EET
        "2026-03-29T00:59:59+00:00",  # 02:59:59 EET, just before the jump
        "2026-03-29T01:00:00+00:00",  # 04:00 EEST
        "2026-03-29T03:59:59+00:00",  # 06:59:59 EEST, night
        "2026-03-29T04:00:00+00:00",  # 07:00 EEST, day
        "2026-03-29T20:59:59+00:00",  # Sun 23:59:59 EEST, the ISO week's last second
        "2026-03-29T21:00:00+00:00",  # Mon 30 Mar 00:00, week 14
        "2026-03-31T20:59:59+00:00",  # 31 Mar 23:59:59, end of Q1
        "2026-03-31T21:00:00+00:00",  # 1 Apr 00:00, Q2
        "2026-09-30T21:00:00+00:00",  # 1 Oct 00:00 EEST, Q4
        "2026-10-24T20:59:59+00:00",  # Sat 24 Oct 23:59:59 EEST
        "2026-10-24T21:00:00+00:00",  # Sun 25 Oct 00:00 EEST
        "2026-10-25T00:30:00+00:00",  # 03:30 EEST (first time)
        "2026-10-25T01:30:00+00:00",  # 03:30 EET (second time)
        "2026-10-25T12:59:59+00:00",  # 14:59:59 EET, day
        "2026-10-25T13:00:00+00:00",  # 15:00 EET, evening
        "2026-10-25T20:59:59+00:00",  # 22:59:59 EET, evening
        "2026-10-25T21:00:00+00:00",  # 23:00 EET, night
        "2026-10-25T22:00:00+00:00",  # Mon 26 Oct 00:00 EET, week 44
        "2026-10-31T21:59:59+00:00",  # 31 Oct 23:59:59 EET
        "2026-10-31T22:00:00+00:00",  # 1 Nov 00:00 EET
    )
)
MEMBERSHIP_DAYS = tuple(
    date.fromisoformat(d)
    for d in (
        "2026-01-01",
        "2026-03-29",
        "2026-03-30",
        "2026-04-01",
        "2026-10-01",
        "2026-10-25",
        "2026-10-26",
        "2026-11-01",
    )
)
RANGES = (
    "day:2026-03-29",
    "day:2026-10-25",
    "week:2026-W13",
    "week:2026-W14",
    "week:2026-W43",
    "week:2026-W44",
    "month:2026-03",
    "month:2026-04",
    "month:2026-10",
    "quarter:2026-Q1",
    "quarter:2026-Q2",
    "quarter:2026-Q4",
    "custom:2026-03-28..2026-04-01",
    "custom:2026-09-30..2026-11-01",
    "custom:2026-01-01..2026-12-31",
)
TRENDS = (
    ("month", "2026-11", 3),
    ("month", "2026-04", 2),
    ("week", "2026-W44", 2),
    ("week", "2026-W14", 3),
    ("quarter", "2026-Q4", 4),
)


# --- the scenario -----------------------------------------------------------------


@dataclass(frozen=True)
class Crit:
    id: str
    points: int
    critical: bool = False


@dataclass(frozen=True)
class Layout:
    form_id: str
    sections: tuple[tuple[str, tuple[Crit, ...]], ...]

    def criteria(self) -> list[Crit]:
        return [c for _, cs in self.sections for c in cs]

    def body(self) -> dict[str, Any]:
        return {
            "form_id": self.form_id,
            "name": f"Lomake {self.form_id}",
            "sections": [
                {
                    "id": sid,
                    "title": f"Osio {sid}",
                    "criteria": [
                        {
                            "id": c.id,
                            "text": f"Kriteeri {c.id}",
                            "points": c.points,
                            "critical": c.critical,
                        }
                        for c in cs
                    ],
                }
                for sid, cs in self.sections
            ],
        }


@dataclass
class Revision:
    agent: str
    instant: datetime
    answers: dict[str, str]


@dataclass
class Planned:
    form: int  # index into the scenario's forms
    version: int
    channel: str
    method: str
    evaluator: str
    revisions: list[Revision]


@dataclass
class Scenario:
    forms: list[tuple[Layout, Layout]]  # (version 1, version 2)
    evaluations: list[Planned]
    memberships: dict[str, list[tuple[date, str]]]
    early_memberships: dict[str, list[tuple[date, str]]] | None
    seed: int
    ranges: list[str]


@st.composite
def layouts(draw: st.DrawFn, form_id: str, prefix: str) -> tuple[Layout, Layout]:
    points = [draw(st.integers(1, 3)) for _ in range(4)]
    critical = draw(st.booleans())
    c1 = Crit(f"{prefix}1", points[0])
    c2 = Crit(f"{prefix}2", points[1], critical)
    c3 = Crit(f"{prefix}3", points[2])
    c4 = Crit(f"{prefix}4", points[3])
    first = Layout(form_id, (("s1", (c1, c2)), ("s2", (c3, c4))))
    changed = Crit(c1.id, points[0] + draw(st.integers(1, 2)))
    added = Crit(f"{prefix}5", draw(st.integers(1, 3)))
    # Version 2: c1 is worth more, c4 is gone, c5 is new (in s1, before c2).
    second = Layout(form_id, (("s1", (changed, added, c2)), ("s2", (c3,))))
    return first, second


def _answers(draw: st.DrawFn, layout: Layout) -> dict[str, str]:
    return {c.id: draw(st.sampled_from(("yes", "yes", "no", "na"))) for c in layout.criteria()}


def _history(draw: st.DrawFn) -> list[tuple[date, str]]:
    days = sorted(draw(st.sets(st.sampled_from(MEMBERSHIP_DAYS), max_size=3)))
    return [(day, draw(st.sampled_from(("t1", "t1", "t2", "")))) for day in days]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    forms = [draw(layouts("lomake-a", "a"))]
    if draw(st.booleans()):
        forms.append(draw(layouts("lomake-b", "b")))
    planned = []
    for _ in range(draw(st.integers(2, 12))):
        index = draw(st.integers(0, len(forms) - 1))
        version = draw(st.sampled_from((1, 2)))
        layout = forms[index][version - 1]
        method = draw(st.sampled_from(METHODS))
        revisions = [
            Revision(
                draw(st.sampled_from(AGENTS)),
                draw(st.sampled_from(INSTANTS)),
                _answers(draw, layout),
            )
        ]
        for _ in range(0 if method == "self" else draw(st.integers(0, 2))):
            last = revisions[-1]
            revisions.append(
                Revision(
                    draw(st.sampled_from((last.agent, *AGENTS))),
                    draw(st.sampled_from((last.instant, *INSTANTS))),
                    _answers(draw, layout),
                )
            )
        planned.append(
            Planned(
                index,
                version,
                draw(st.sampled_from(CHANNELS)),
                method,
                draw(st.sampled_from(EVALUATORS)),
                revisions,
            )
        )
    memberships = {agent: _history(draw) for agent in AGENTS}
    early = {agent: _history(draw) for agent in AGENTS} if draw(st.booleans()) else None
    ranges = draw(st.lists(st.sampled_from(RANGES), min_size=1, max_size=2, unique=True))
    return Scenario(forms, planned, memberships, early, draw(st.integers(0, 2**16)), ranges)


# --- writing it through the API ---------------------------------------------------

_TENANTS = itertools.count(1)


@dataclass
class Written:
    tenant: str
    api: Api
    scenario: Scenario
    layouts: dict[tuple[str, int], Layout] = field(default_factory=dict)

    def call(self, path: str, role: str = "admin", **token: Any) -> Any:
        answer = self.api.call("GET", path, role, tenant=self.tenant, **token)
        assert answer.status == 200, (path, answer.status, answer.body)
        return answer.body


def _memberships_body(history: list[tuple[date, str]]) -> dict[str, Any]:
    return {
        "name": "Agentti",
        "memberships": [{"team": team, "from": day.isoformat()} for day, team in history],
    }


def _put_memberships(api: Api, tenant: str, histories: dict[str, list[tuple[date, str]]]) -> None:
    for agent, history in histories.items():
        saved = api.call(
            "PUT", f"/v1/agents/{agent}", body=_memberships_body(history), tenant=tenant
        )
        assert saved.status == 200, saved.body


def _publish(api: Api, tenant: str, first: Layout, second: Layout) -> None:
    created = api.call("POST", "/v1/forms", body=first.body(), tenant=tenant)
    assert created.status == 201, created.body
    path = f"/v1/forms/{first.form_id}"
    assert api.call("POST", f"{path}/publish", tenant=tenant).status == 201
    draft = api.call("GET", path, tenant=tenant)
    updated = api.call(
        "PUT", path, body=second.body(), headers={"If-Match": draft.headers["etag"]}, tenant=tenant
    )
    assert updated.status == 200, updated.body
    published = api.call("POST", f"{path}/publish", tenant=tenant)
    assert published.status == 201, published.body


def _body(layout: Layout, planned: Planned, revision: Revision, n: int) -> dict[str, Any]:
    return {
        "form_id": layout.form_id,
        "form_version": planned.version,
        "agent_id": revision.agent,
        "contact": {
            "channel": planned.channel,
            "id": f"contact-{n}",
            "occurred_at": revision.instant.isoformat(),
        },
        "method": planned.method,
        "answers": revision.answers,
    }


def write(api: Api, client: Client, stream: StreamReader, scenario: Scenario) -> Written:
    tenant = f"figures-{next(_TENANTS)}"
    written = Written(tenant, api, scenario)
    for one, two in scenario.forms:
        _publish(api, tenant, one, two)
        written.layouts[(one.form_id, 1)] = one
        written.layouts[(one.form_id, 2)] = two
    for team in TEAMS:
        body = {"name": f"Tiimi {team}", "leaders": [f"lead-{team}"]}
        assert api.call("PUT", f"/v1/teams/{team}", body=body, tenant=tenant).status == 200
    settings_body = {"reports": {"leaderboard": True, "leaderboard_min_evaluations": 1}}
    assert api.call("PUT", "/v1/settings", body=settings_body, tenant=tenant).status == 200
    _put_memberships(api, tenant, scenario.early_memberships or scenario.memberships)
    for n, planned in enumerate(scenario.evaluations):
        layout = scenario.forms[planned.form][planned.version - 1]
        first = planned.revisions[0]
        if planned.method == "self":
            who: dict[str, Any] = {
                "role": "agent",
                "user": f"u-{first.agent}",
                "agent_id": first.agent,
            }
        else:
            who = {"role": "evaluator", "user": planned.evaluator}
        role = who.pop("role")
        created = api.submit(_body(layout, planned, first, n), role, tenant=tenant, **who)
        assert created.status == 201, created.body
        evaluation_id = created.body["evaluation_id"]
        for number, revision in enumerate(planned.revisions[1:], start=1):
            amended = api.call(
                "PUT",
                f"/v1/evaluations/{evaluation_id}",
                role,
                body=_body(layout, planned, revision, n),
                headers={"If-Match": f'"{number}"'},
                tenant=tenant,
                **who,
            )
            assert amended.status == 200, amended.body
    records = stream.read() * 2
    random.Random(scenario.seed).shuffle(records)
    for start in range(0, len(records), 4):
        assert deliver(client, records[start : start + 4]) == {"batchItemFailures": []}
    if scenario.early_memberships is not None:
        # A corrected history counts at once: nothing about teams is in the cells.
        _put_memberships(api, tenant, scenario.memberships)
    return written


# --- the independent calculation --------------------------------------------------


def half_up(value: Fraction | Decimal | float) -> str:
    with localcontext() as ctx:
        ctx.prec = 80
        if isinstance(value, Fraction):
            exact = Decimal(value.numerator) / Decimal(value.denominator)
        else:
            exact = Decimal(value)
        return str(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def stored(value: Fraction) -> Decimal:
    """A score as it is kept: 20 decimal places (the README: "stored with 20 places")."""
    with localcontext() as ctx:
        ctx.prec = 80
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(Decimal(10) ** -20, rounding=ROUND_HALF_EVEN)


def wilson(k: int, n: int) -> tuple[Decimal, Decimal]:
    """The Wilson bounds as the roots of (n + z²)p² − (2k + z²)p + k²/n = 0."""
    with localcontext() as ctx:
        ctx.prec = 60
        a = n + Z * Z
        b = 2 * k + Z * Z
        root = (b * b - 4 * a * Decimal(k * k) / n).sqrt()
        return (b - root) / (2 * a), (b + root) / (2 * a)


def rate(k: int, n: int) -> dict[str, Any]:
    if n == 0:
        return {"k": k, "n": 0, "rate": None, "low": None, "high": None, "comparable": False}
    low, high = wilson(k, n)
    return {
        "k": k,
        "n": n,
        "rate": half_up(Fraction(100 * k, n)),
        "low": half_up(100 * low),
        "high": half_up(100 * high),
        "comparable": n >= 5,
    }


def t975(df: int) -> Decimal:
    return Decimal(repr(float(stats.t.ppf(0.975, df))))


def average(scores: Sequence[Decimal]) -> dict[str, Any]:
    n = len(scores)
    if n == 0:
        return {
            "n": 0,
            "mean": None,
            "sd": None,
            "margin": None,
            "low": None,
            "high": None,
            "comparable": False,
        }
    with localcontext() as ctx:
        ctx.prec = 60
        mean = statistics.mean(scores)
        out: dict[str, Any] = {"n": n, "mean": half_up(mean), "comparable": n >= 5}
        if n < 2:
            return {**out, "sd": None, "margin": None, "low": None, "high": None}
        sd = statistics.stdev(scores)
        margin = t975(n - 1) * sd / Decimal(n).sqrt()
        return {
            **out,
            "sd": half_up(sd),
            "margin": half_up(margin),
            "low": half_up(mean - margin),
            "high": half_up(mean + margin),
        }


def welch(now: Sequence[Decimal], before: Sequence[Decimal]) -> dict[str, Any] | None:
    if len(now) < 2 or len(before) < 2:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        d = statistics.mean(now) - statistics.mean(before)
        v1 = statistics.variance(now) / len(now)
        v2 = statistics.variance(before) / len(before)
        if v1 + v2 == 0:
            low = high = d
        else:
            df = (v1 + v2) ** 2 / (v1 * v1 / (len(now) - 1) + v2 * v2 / (len(before) - 1))
            margin = t975(max(1, int(df))) * (v1 + v2).sqrt()
            low, high = d - margin, d + margin
    clear = len(now) >= 5 and len(before) >= 5 and (low > 0 or high < 0)
    return {"difference": half_up(d), "low": half_up(low), "high": half_up(high), "clear": clear}


@dataclass(frozen=True)
class Final:
    """One evaluation as its last revision says, and what it counts for."""

    form_id: str
    version: int
    layout: Layout
    agent: str
    day: date
    channel: str
    method: str
    shift: str
    evaluator: str
    answers: dict[str, str]

    @property
    def score(self) -> Fraction | None:
        points = {c.id: c for c in self.layout.criteria()}
        applicable = sum(points[c].points for c, a in self.answers.items() if a != "na")
        if applicable == 0:
            return None
        if any(points[c].critical and a == "no" for c, a in self.answers.items()):
            return Fraction(0)
        earned = sum(points[c].points for c, a in self.answers.items() if a == "yes")
        return Fraction(100 * earned, applicable)

    def value(self, by: str) -> str:
        return {
            "channel": self.channel,
            "method": self.method,
            "shift": self.shift,
            "evaluator": self.evaluator,
        }[by]


def shift_of(local: time) -> str:
    if time(7) <= local < time(15):
        return "day"
    if time(15) <= local < time(23):
        return "evening"
    return "night"


def finals(written: Written) -> list[Final]:
    out = []
    for planned in written.scenario.evaluations:
        if planned.method == "self":
            continue  # stored and shown, never counted
        layout = written.scenario.forms[planned.form][planned.version - 1]
        last = planned.revisions[-1]
        local = last.instant.astimezone(ZONE)
        out.append(
            Final(
                layout.form_id,
                planned.version,
                layout,
                last.agent,
                local.date(),
                planned.channel,
                planned.method,
                shift_of(local.time()),
                planned.evaluator,
                last.answers,
            )
        )
    return out


def team_on(history: list[tuple[date, str]], day: date) -> str | None:
    team = None
    for start, name in history:
        if start <= day:
            team = name or None
    return team


def range_days(value: str) -> tuple[date, date]:
    kind, text = value.split(":", 1)
    if kind == "day":
        day = date.fromisoformat(text)
        return day, day
    if kind == "week":
        year, week = text.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
        return monday, monday + timedelta(days=6)
    if kind == "month":
        first = date.fromisoformat(f"{text}-01")
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return first, following - timedelta(days=1)
    if kind == "quarter":
        year, q = text.split("-Q")
        first = date(int(year), 3 * int(q) - 2, 1)
        last_month = date(int(year), 3 * int(q), 1)
        following = (last_month.replace(day=28) + timedelta(days=4)).replace(day=1)
        return first, following - timedelta(days=1)
    a, b = text.split("..")
    return date.fromisoformat(a), date.fromisoformat(b)


def in_scope(written: Written, scope: str, first: date, last: date) -> list[Final]:
    out = []
    for final in finals(written):
        if not first <= final.day <= last:
            continue
        kind, _, ident = scope.partition(":")
        if (
            kind == "team"
            and team_on(written.scenario.memberships[final.agent], final.day) != ident
        ):
            continue
        if kind == "agent" and final.agent != ident:
            continue
        out.append(final)
    return out


def scores(evaluations: Sequence[Final]) -> list[Decimal]:
    return [stored(s) for e in evaluations if (s := e.score) is not None]


def counts(evaluations: Sequence[Final]) -> dict[tuple[str, int, str], list[int]]:
    out: dict[tuple[str, int, str], list[int]] = {}
    for e in evaluations:
        for criterion, answer in e.answers.items():
            tally = out.setdefault((e.form_id, e.version, criterion), [0, 0, 0])
            tally[("yes", "no", "na").index(answer)] += 1
    return out


def by_criterion(evaluations: Sequence[Final]) -> dict[tuple[str, str], list[int]]:
    out: dict[tuple[str, str], list[int]] = {}
    for (form_id, _, criterion), (yes, no, na) in counts(evaluations).items():
        tally = out.setdefault((form_id, criterion), [0, 0, 0])
        tally[0] += yes
        tally[1] += no
        tally[2] += na
    return out


def columns(written: Written, groups: Sequence[Sequence[Final]]) -> list[tuple[str, str]]:
    """The criteria answered in any group, forms by id, in the newest version's order."""
    seen = {key for group in groups for key in by_criterion(group)}
    newest: dict[str, int] = {}
    for group in groups:
        for e in group:
            newest[e.form_id] = max(newest.get(e.form_id, 0), e.version)
    out = []
    for form_id in sorted(newest):
        order = [c.id for c in written.layouts[(form_id, newest[form_id])].criteria()]
        ids = [c for c in order if (form_id, c) in seen]
        ids += sorted(c for f, c in seen if f == form_id and c not in order)
        out += [(form_id, c) for c in ids]
    return out


def points_of(written: Written, form_id: str, version: int, criterion: str) -> int:
    layout = written.layouts[(form_id, version)]
    return next(c.points for c in layout.criteria() if c.id == criterion)


def expected_forms(
    written: Written, evaluations: Sequence[Final], by_version: bool
) -> list[dict[str, Any]]:
    tallies = counts(evaluations)
    groups: dict[tuple[str, int | None], dict[str, list[int]]] = {}
    for (form_id, version, criterion), (yes, no, na) in sorted(tallies.items()):
        group = groups.setdefault((form_id, version if by_version else None), {})
        points = points_of(written, form_id, version, criterion)
        t = group.setdefault(criterion, [0, 0, 0, 0, 0])
        for i, v in enumerate((yes, no, na, yes * points, (yes + no) * points)):
            t[i] += v
    out = []
    for form_id, shown_version in sorted(groups, key=lambda g: (g[0], g[1] or 0)):
        criteria = groups[(form_id, shown_version)]
        newest = shown_version or max(v for f, v, _ in tallies if f == form_id)
        layout = written.layouts[(form_id, newest)]
        sections = []
        placed: set[str] = set()
        for section_id, crits in layout.sections:
            rows = [c.id for c in crits if c.id in criteria]
            placed.update(rows)
            if rows:
                sections.append(_section(section_id, f"Osio {section_id}", rows, criteria, True))
        rest = sorted(c for c in criteria if c not in placed)
        if rest:
            sections.append(_section(None, None, rest, criteria, False))
        out.append(
            {
                "form_id": form_id,
                "version": shown_version,
                "title": f"Lomake {form_id}",
                "sections": sections,
            }
        )
    return out


def _section(
    section_id: str | None,
    title: str | None,
    rows: list[str],
    criteria: dict[str, list[int]],
    titled: bool,
) -> dict[str, Any]:
    yes = sum(criteria[c][0] for c in rows)
    no = sum(criteria[c][1] for c in rows)
    return {
        "section_id": section_id,
        "title": title,
        "criteria": [
            {
                "criterion_id": c,
                "title": f"Kriteeri {c}" if titled else None,
                "yes": criteria[c][0],
                "no": criteria[c][1],
                "na": criteria[c][2],
                "compliance": rate(criteria[c][0], criteria[c][0] + criteria[c][1]),
                "na_share": rate(criteria[c][2], sum(criteria[c][:3])),
                "points_earned": str(criteria[c][3]),
                "points_available": str(criteria[c][4]),
            }
            for c in rows
        ],
        "compliance": rate(yes, yes + no),
        "points_earned": str(sum(criteria[c][3] for c in rows)),
        "points_available": str(sum(criteria[c][4] for c in rows)),
    }


def _points_as_text(forms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Points as strings, the contract's shape (whole numbers either way)."""
    for form in forms:
        for section in form["sections"]:
            for key in ("points_earned", "points_available"):
                section[key] = str(section[key])
            for criterion in section["criteria"]:
                for key in ("points_earned", "points_available"):
                    criterion[key] = str(criterion[key])
    return forms


def criteria_rates(
    evaluations: Sequence[Final], cols: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    rates = by_criterion(evaluations)
    out = []
    for form_id, criterion in cols:
        yes, no, _ = rates.get((form_id, criterion), [0, 0, 0])
        out.append(
            {"form_id": form_id, "criterion_id": criterion, "compliance": rate(yes, yes + no)}
        )
    return out


# --- comparing --------------------------------------------------------------------


def scopes() -> list[str]:
    return ["tenant", *(f"team:{t}" for t in TEAMS), *(f"agent:{a}" for a in AGENTS)]


def check_compliance(written: Written, scope: str, range_: str, versions: bool) -> None:
    first, last = range_days(range_)
    evaluations = in_scope(written, scope, first, last)
    for by_version in (False, True) if versions else (False,):
        query = f"scope={scope}&range={range_}" + ("&by_version=true" if by_version else "")
        got = written.call(f"/v1/reports/compliance?{query}")
        where = (written.tenant, query)
        assert got["range"]["first_day"] == first.isoformat(), where
        assert got["range"]["last_day"] == last.isoformat(), where
        assert got["range"]["time_zone"] == "Europe/Helsinki", where
        assert got["evaluations"] == len(evaluations), where
        assert got["average"] == average(scores(evaluations)), where
        assert got["full_points"] == sum(1 for e in evaluations if e.score == 100), where
        assert _points_as_text(got["forms"]) == expected_forms(written, evaluations, by_version), (
            where
        )


BYS = ("channel", "method", "shift", "evaluator")


def check_breakdown(written: Written, scope: str, range_: str, bys: Sequence[str]) -> None:
    first, last = range_days(range_)
    evaluations = in_scope(written, scope, first, last)
    for by in bys:
        query = f"scope={scope}&range={range_}&by={by}"
        got = written.call(f"/v1/reports/breakdown?{query}")
        groups: dict[str, list[Final]] = {}
        for e in evaluations:
            groups.setdefault(e.value(by), []).append(e)
        cols = columns(written, list(groups.values()))
        expected = [
            {
                "value": value,
                "evaluations": len(groups[value]),
                "average": average(scores(groups[value])),
                "criteria": criteria_rates(groups[value], cols),
            }
            for value in sorted(groups)
        ]
        # Every group, none left empty by an amendment: the final revisions alone.
        shown = [
            {k: g[k] for k in ("value", "evaluations", "average", "criteria")}
            for g in got["groups"]
        ]
        assert shown == expected, (written.tenant, query)
        assert [(c["form_id"], c["criterion_id"]) for c in got["criteria"]] == cols


def _by_agent(evaluations: Sequence[Final]) -> dict[str, list[Final]]:
    out: dict[str, list[Final]] = {}
    for e in evaluations:
        out.setdefault(e.agent, []).append(e)
    return out


def check_heatmap(written: Written, team: str, range_: str) -> None:
    first, last = range_days(range_)
    agents = _by_agent(in_scope(written, f"team:{team}", first, last))
    query = f"scope=team:{team}&range={range_}"
    got = written.call(f"/v1/reports/heatmap?{query}")
    cols = columns(written, list(agents.values()))
    assert [(c["form_id"], c["criterion_id"]) for c in got["criteria"]] == cols, query
    expected = []
    for agent in sorted(agents):
        rates = by_criterion(agents[agent])
        cells = []
        for key in cols:
            yes, no, _ = rates.get(key, [0, 0, 0])
            cells.append(None if yes + no == 0 else rate(yes, yes + no))
        expected.append(
            {"agent_id": agent, "average": average(scores(agents[agent])), "cells": cells}
        )
    shown = [{k: row[k] for k in ("agent_id", "average", "cells")} for row in got["agents"]]
    assert shown == expected, (written.tenant, query)


def check_leaderboard(written: Written, team: str, range_: str) -> None:
    first, last = range_days(range_)
    agents = _by_agent(in_scope(written, f"team:{team}", first, last))
    members = {
        agent
        for agent, history in written.scenario.memberships.items()
        if any(
            team_on(history, first + timedelta(days=i)) == team
            for i in range((last - first).days + 1)
        )
    }
    query = f"scope=team:{team}&range={range_}"
    got = written.call(f"/v1/reports/leaderboard?{query}")
    assert got["enabled"] is True
    assert got["min_evaluations"] == 5
    standings = []
    unranked = []
    for agent in sorted(members | set(agents)):
        mine = scores(agents.get(agent, []))
        if len(mine) >= 5:
            standings.append((statistics.mean(mine), agent))
        else:
            unranked.append({"agent_id": agent, "n": len(mine)})
    standings.sort(key=lambda s: (-s[0], s[1]))
    expected = []
    for position, (mean, agent) in enumerate(standings, start=1):
        tied = [p for p, (m, _) in enumerate(standings, start=1) if half_up(m) == half_up(mean)]
        expected.append({"rank": tied[0] if tied else position, "agent_id": agent})
    assert [{"rank": r["rank"], "agent_id": r["agent_id"]} for r in got["ranked"]] == expected, (
        query
    )
    for row in got["ranked"]:
        assert row["average"] == average(scores(agents[row["agent_id"]])), query
    assert [{"agent_id": r["agent_id"], "n": r["n"]} for r in got["unranked"]] == unranked, query


def check_trend(written: Written, scope: str, kind: str, end: str, count: int) -> None:
    query = f"scope={scope}&period={kind}&count={count}&end={end}"
    got = written.call(f"/v1/reports/trend?{query}")
    periods = []
    label = end
    for _ in range(count):
        first, last = range_days(f"{kind}:{label}")
        periods.append((label, first, last))
        before = first - timedelta(days=1)
        if kind == "week":
            year, week, _ = before.isocalendar()
            label = f"{year}-W{week:02d}"
        elif kind == "month":
            label = f"{before.year}-{before.month:02d}"
        else:
            label = f"{before.year}-Q{(before.month - 1) // 3 + 1}"
    periods.reverse()
    groups = [in_scope(written, scope, first, last) for _, first, last in periods]
    cols = columns(written, groups)
    expected = [
        {
            "label": label,
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
            "average": average(scores(group)),
            "criteria": criteria_rates(group, cols),
        }
        for (label, first, last), group in zip(periods, groups, strict=True)
    ]
    assert got["points"] == expected, (written.tenant, query)
    change = welch(scores(groups[-1]), scores(groups[-2])) if count >= 2 else None
    shown = got["change"]
    if change is None:
        assert shown is None, query
    else:
        assert shown is not None, query
        assert (shown["from"], shown["to"]) == (periods[-2][0], periods[-1][0])
        assert {k: shown[k] for k in change} == change, (written.tenant, query)


def check_everything(written: Written, agent_ranges: int = 3) -> None:
    # Each moto request costs ~30 ms, and an agent's compliance reads the period
    # before and the team too: every scope gets the compliance on the first
    # `agent_ranges` ranges (teams and the tenant on all), and the breakdown
    # dimensions and by_version rotate over the scopes.
    for turn, range_ in enumerate(written.scenario.ranges):
        for index, scope in enumerate(scopes()):
            if scope.startswith("agent:") and turn >= agent_ranges:
                continue
            check_compliance(written, scope, range_, versions=(index + turn) % 3 == 0)
            check_breakdown(written, scope, range_, [BYS[(index + turn) % len(BYS)]])
        for team in TEAMS:
            check_heatmap(written, team, range_)
            check_leaderboard(written, team, range_)
    for index, scope in enumerate(scopes()):
        kind, end, count = TRENDS[(index + written.scenario.seed) % len(TRENDS)]
        check_trend(written, scope, kind, end, count)


# --- the tests --------------------------------------------------------------------


@pytest.fixture
def late_clock(clock: Clock) -> Clock:
    clock.now = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
    return clock


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_every_report_figure_is_the_independent_calculation(
    api: Api, client: Client, stream: StreamReader, late_clock: Clock, scenario: Scenario
) -> None:
    # Each example writes a tenant of its own, so examples share the moto tables safely.
    written = write(api, client, stream, scenario)
    check_everything(written)


def test_every_edge_instant_on_a_fixed_history(
    api: Api, client: Client, stream: StreamReader, late_clock: Clock
) -> None:
    """A fixed history that hits every instant once, so each edge is always tried."""
    a1, a2 = Crit("a1", 1), Crit("a2", 2, critical=True)
    first = Layout("lomake-a", (("s1", (a1, a2)), ("s2", (Crit("a3", 3), Crit("a4", 1)))))
    second = Layout(
        "lomake-a", (("s1", (Crit("a1", 3), Crit("a5", 2), a2)), ("s2", (Crit("a3", 3),)))
    )
    rng = random.Random(7)
    planned = []
    for n, instant in enumerate(INSTANTS):
        version = 1 + n % 2
        layout = (first, second)[version - 1]
        answers = {c.id: rng.choice(("yes", "yes", "yes", "no", "na")) for c in layout.criteria()}
        revisions = [Revision(AGENTS[n % 3], instant, answers)]
        if n % 5 == 0 and METHODS[n % 4] != "self":
            moved = {c.id: "yes" for c in layout.criteria()}
            revisions.append(
                Revision(AGENTS[(n + 1) % 3], INSTANTS[(n + 7) % len(INSTANTS)], moved)
            )
        planned.append(
            Planned(0, version, CHANNELS[n % 4], METHODS[n % 4], EVALUATORS[n % 2], revisions)
        )
    history = {
        "aino": [(date(2026, 1, 1), "t1"), (date(2026, 3, 30), "t2"), (date(2026, 10, 26), "t1")],
        "bert": [(date(2026, 3, 29), "t1"), (date(2026, 10, 25), "")],
        "cecilia": [(date(2026, 1, 1), "t2")],
    }
    scenario = Scenario([(first, second)], planned, history, None, 3, [])
    written = write(api, client, stream, scenario)
    # Each edge once, at the least cost (moto answers a request in ~30 ms, and an
    # agent's compliance reads the period before and the team as well).
    edges = ("day:2026-03-29", "day:2026-10-25", "week:2026-W13", "week:2026-W44")
    for range_ in (*edges, "month:2026-03", "quarter:2026-Q4"):
        check_compliance(written, "tenant", range_, versions=range_.startswith("month"))
    for range_ in edges[:2]:
        check_breakdown(written, "tenant", range_, ["shift"])
        for agent in AGENTS:
            check_compliance(written, f"agent:{agent}", range_, versions=False)
    for range_ in ("week:2026-W14", "month:2026-10", "quarter:2026-Q1"):
        for team in TEAMS:
            check_compliance(written, f"team:{team}", range_, versions=False)
    check_breakdown(written, "team:t1", "month:2026-10", BYS)
    check_heatmap(written, "t1", "month:2026-03")
    check_leaderboard(written, "t1", "quarter:2026-Q4")
    check_trend(written, "tenant", "week", "2026-W14", 3)
    check_trend(written, "team:t1", "month", "2026-11", 3)


def test_points_earned_and_available_are_whole_numbers(
    api: Api, client: Client, stream: StreamReader, late_clock: Clock
) -> None:
    """Points are whole numbers, so JSON integers are exact (the first draft of the
    contract wrote them as strings; the API, the OpenAPI document and the site use
    integers)."""
    layout = Layout("lomake-a", (("s1", (Crit("a1", 2), Crit("a2", 3))),))
    revision = Revision("aino", INSTANTS[0], {"a1": "yes", "a2": "no"})
    planned = [Planned(0, 1, "phone", "live", "eero", [revision])]
    second = Layout("lomake-a", (("s1", (Crit("a1", 2), Crit("a2", 4))),))
    scenario = Scenario([(layout, second)], planned, {a: [] for a in AGENTS}, None, 1, [])
    written = write(api, client, stream, scenario)
    got = written.call("/v1/reports/compliance?scope=tenant&range=month:2026-03")
    section = got["forms"][0]["sections"][0]
    assert (section["points_earned"], section["points_available"]) == (2, 5)
    criterion = section["criteria"][0]
    assert (criterion["points_earned"], criterion["points_available"]) == (2, 2)


def test_an_amendment_that_moves_an_evaluation_away_leaves_no_empty_row(
    api: Api, client: Client, stream: StreamReader, late_clock: Clock
) -> None:
    """An evaluation moved to another agent, channel-free day: the cells it left are
    empty, and an empty cell is no evaluation. A breakdown group or heatmap row with
    0 evaluations exists only because of the history, not the final revisions."""
    layout = Layout("lomake-a", (("s1", (Crit("a1", 1), Crit("a2", 1))),))
    moved = [
        Revision("aino", INSTANTS[1], {"a1": "yes", "a2": "no"}),
        Revision("bert", INSTANTS[12], {"a1": "yes", "a2": "yes"}),  # to bert, in October
    ]
    kept = [Revision("bert", INSTANTS[2], {"a1": "no", "a2": "yes"})]
    planned = [
        Planned(0, 1, "email", "live", "eero", moved),
        Planned(0, 1, "phone", "recording", "essi", kept),
    ]
    history = {a: [(date(2026, 1, 1), "t1")] for a in AGENTS}
    scenario = Scenario([(layout, layout)], planned, history, None, 1, [])
    # Version 2 must differ to be published.
    scenario.forms[0] = (layout, Layout("lomake-a", (("s1", (Crit("a1", 2), Crit("a2", 1))),)))
    written = write(api, client, stream, scenario)
    query = "scope=team:t1&range=month:2026-03"
    groups = written.call(f"/v1/reports/breakdown?{query}&by=channel")["groups"]
    assert [(g["value"], g["evaluations"]) for g in groups] == [("phone", 1)]
    rows = written.call(f"/v1/reports/heatmap?{query}")["agents"]
    assert [row["agent_id"] for row in rows] == ["bert"]


def _count_requests(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every botocore request from now on, by operation name."""
    import botocore.client

    seen: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation: str, params: Any) -> Any:
        seen.append(operation)
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return seen


def test_a_report_reads_cells_not_evaluations(
    api: Api, client: Client, stream: StreamReader, late_clock: Clock
) -> None:
    """A month's team report and a tenant report cost the same few DynamoDB requests
    for 3 evaluations as for 24: they never read an evaluation."""
    layout = Layout("lomake-a", (("s1", (Crit("a1", 1), Crit("a2", 2))),))
    second = Layout("lomake-a", (("s1", (Crit("a1", 2), Crit("a2", 2))),))
    history = {a: [(date(2026, 1, 1), "t1")] for a in AGENTS}
    costs = []
    for size in (3, 24):
        planned = [
            Planned(
                0,
                1 + n % 2,
                CHANNELS[n % 4],
                ("live", "recording", "external")[n % 3],
                EVALUATORS[n % 2],
                [Revision(AGENTS[n % 3], INSTANTS[10 + n % 10], {"a1": "yes", "a2": "no"})],
            )
            for n in range(size)
        ]
        written = write(
            api, client, stream, Scenario([(layout, second)], planned, history, None, 1, [])
        )
        cost = {}
        for query in (
            "compliance?scope=team:t1&range=month:2026-10",
            "compliance?scope=tenant&range=month:2026-10",
            "heatmap?scope=team:t1&range=month:2026-10",
            "breakdown?scope=tenant&range=month:2026-10&by=channel",
        ):
            with pytest.MonkeyPatch.context() as patch:
                seen = _count_requests(patch)
                body = written.call(f"/v1/reports/{query}")
            assert not [op for op in seen if op in ("Scan",)], seen
            cost[query] = (len(seen), body["requests"])
            assert len(seen) <= 8, (query, seen)
            # The answer says what it cost: every DynamoDB request of the report.
            assert body["requests"] == len(seen), (query, seen)
        costs.append(cost)
    assert costs[0] == costs[1]

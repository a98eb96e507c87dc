"""Three months of demo evaluations, so the report pages have something to show.

A fresh demo tenant gets a few hundred evaluations of its demo agents over the
two calendar months before this one and this month so far, posted through the
HTTP API like everything else the demo seeds. The history is drawn from a fixed
random seed and has the shapes the reports are there to find: the demo agent
(the one whose token `make run` prints) clearly weaker than the rest of the team
on one criterion, one criterion rarely done in every team, one agent improving
month by month, one dropping last month; night shifts and external audits a bit
stricter; a few amendments.

Idempotent across restarts: it runs only while the tenant has no evaluations, and
`<data dir>/demo-history.json` keeps the moment it was planned from, so a start
after a crash mid-seed rebuilds the same plan and posts it again with the same
Idempotency-Keys (stored once, answered as replays) before it marks it done.
`LAATU_DEMO_HISTORY=0` leaves it out (the e2e harness does, so other tests start
from an empty tenant).
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.adapters.tokens import issue_local_token
from infra.local import demo

log = logging.getLogger("laatu.local.demo")

ENV = "LAATU_DEMO_HISTORY"
STATE_FILE = "demo-history.json"
RANDOM_SEED = 20261102
# The local API runs 8 calls at once; leave room for the stream pump and a browser.
WORKERS = 6
FULL_MONTH_EVALUATIONS = 140
MIN_THIS_MONTH = 24
FALLBACK_EVALUATOR = "eero.evaluator"
AUDITOR = "auditor.oy"
FOLD_TIMEOUT_S = 120.0
POLL_S = 0.5
_TIMEOUT_S = 30
_RETRIES = 4
_RETRY_STATUSES = (429, 500, 502, 503, 504)

# The designed shapes, on the demo form's criteria (infra/local/demo-form.fi.json).
BASE_RATES: Mapping[str, float] = {
    "tervehdys": 0.95,
    "tunnistus": 0.97,
    "avoimet": 0.86,
    "kuuntelu": 0.93,
    "ratkaisu": 0.82,
    "lisamyynti": 0.42,  # rarely done, team-wide
    "argumentointi": 0.86,
    "ostopaatos": 0.84,
    "yhteenveto": 0.88,
    "kirjaus": 0.93,
    "kiitos": 0.96,
}
NA_RATES: Mapping[str, float] = {"tunnistus": 0.08, "lisamyynti": 0.2}
DEFAULT_NA_RATE = 0.03
WEAK_CRITERION, WEAK_RATE = "avoimet", 0.45
DROPPED_CRITERIA, DROPPED_RATE = ("kuuntelu", "kirjaus"), 0.55
IMPROVING_DELTAS = (-0.2, -0.1, 0.0)  # two months ago, last month, this month
NIGHT_DELTA = -0.06
AUDIT_DELTA = {"kirjaus": -0.1, "yhteenveto": -0.08}
CHANNELS = (("phone", 0.5), ("chat", 0.2), ("email", 0.2), ("social", 0.1))
METHODS = (("recording", 0.55), ("live", 0.25), ("external", 0.2))
# Contacts by local hour: the day shift busiest, the night shift quiet but there.
HOUR_WEIGHTS = tuple(0.6 if h < 7 or h >= 23 else 3.0 if h < 15 else 2.0 for h in range(24))
AMENDMENTS = 3


@dataclass(frozen=True)
class Planned:
    index: int
    user: str  # who evaluates: a team leader, or the auditor for `external`
    role: str
    body: dict[str, Any]

    @property
    def key(self) -> str:
        return f"demo-history-{self.index:04d}"


@dataclass(frozen=True)
class Plan:
    anchor: datetime
    first_day: date
    evaluations: list[Planned]
    amendments: list[int]  # indexes into evaluations

    def per_month(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for planned in self.evaluations:
            month = planned.body["contact"]["occurred_at"][:7]
            out[month] = out.get(month, 0) + 1
        return dict(sorted(out.items()))


@dataclass
class History:
    evaluations: int
    amendments: int
    first_day: date
    last_day: date
    per_month: dict[str, int]
    seconds: float
    replayed: int = 0
    agents: list[str] = field(default_factory=list)


# --- the plan ---------------------------------------------------------------------


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(first: date) -> date:
    return _months_back(first, -1) - timedelta(days=1)


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _instants(
    rng: random.Random, first: date, last: date, count: int, zone: ZoneInfo, before: datetime
) -> list[datetime]:
    """`count` contact times in the local days first..last, all before `before`."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    weights = [0.5 if d.weekday() >= 5 else 1.0 for d in days]
    out: list[datetime] = []
    while len(out) < count:
        day = rng.choices(days, weights)[0]
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
        local = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=zone)
        # Through UTC and back: a time in a DST gap becomes one that exists.
        moment = local.astimezone(ZoneInfo("UTC")).astimezone(zone)
        if moment < before:
            out.append(moment)
        elif day == before.date():
            # This morning's share of today: spread over the hours already gone.
            start = datetime(day.year, day.month, day.day, tzinfo=zone)
            span = max((before - start).total_seconds() - 120, 60)
            out.append(start + timedelta(seconds=rng.uniform(0, span)))
    return sorted(out)


def _shift(moment: datetime) -> str:
    hour = moment.hour
    return "night" if hour < 7 or hour >= 23 else "day" if hour < 15 else "evening"


@dataclass(frozen=True)
class Cast:
    """Who plays which part, from the roster: the shapes need three agents at most."""

    teams: dict[str, str]  # agent -> team
    leaders: dict[str, list[str]]  # team -> evaluators
    weak: str | None
    improving: str | None
    dropping: str | None

    @classmethod
    def of(cls, teams: Mapping[str, str], leaders: Mapping[str, Sequence[str]]) -> Cast:
        agents = sorted(teams)
        weak = demo.user("agent").agent_id
        weak = weak if weak in teams else (agents[0] if agents else None)
        mates = [a for a in agents if a != weak and teams[a] == teams.get(weak or "")]
        others = [a for a in agents if a != weak and a not in mates]
        improving = mates[0] if mates else None
        dropping = others[0] if others else (mates[1] if len(mates) > 1 else None)
        crew = {t: list(leaders.get(t) or ()) or [FALLBACK_EVALUATOR] for t in set(teams.values())}
        return cls(dict(teams), crew, weak, improving, dropping)

    def rate(self, agent: str, month: int, criterion: str, shift: str, method: str) -> float:
        p = BASE_RATES.get(criterion, 0.9)
        if agent == self.weak and criterion == WEAK_CRITERION:
            p = WEAK_RATE
        if agent == self.improving:
            p += IMPROVING_DELTAS[month]
        if agent == self.dropping and month >= 1 and criterion in DROPPED_CRITERIA:
            p = DROPPED_RATE
        if shift == "night":
            p += NIGHT_DELTA
        if method == "external":
            p += AUDIT_DELTA.get(criterion, 0.0)
        return min(max(p, 0.02), 0.995)


def plan_history(
    anchor: datetime,
    zone: ZoneInfo,
    form_id: str,
    version: int,
    criteria: Sequence[tuple[str, bool]],  # (criterion id, N/A allowed)
    cast: Cast,
) -> Plan:
    """The same plan for the same anchor, roster and form, whenever it is made."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311 - demo data, repeatable on purpose
    today = anchor.astimezone(zone)
    this_month = today.date().replace(day=1)
    months = [_months_back(this_month, 2), _months_back(this_month, 1), this_month]
    agents = sorted(cast.teams)
    evaluations: list[Planned] = []
    for month_index, first in enumerate(months):
        last = min(_month_end(first), today.date())
        if first == this_month:
            # As busy as a full month, by the share of it gone; a few even on the 1st.
            gone = (today.date() - first).days + today.hour / 24
            share = gone / (_month_end(first) - first + timedelta(days=1)).days
            count = max(MIN_THIS_MONTH, round(FULL_MONTH_EVALUATIONS * share))
        else:
            count = FULL_MONTH_EVALUATIONS
        for moment in _instants(rng, first, last, count, zone, today):
            agent = rng.choice(agents)
            channel = _pick(rng, CHANNELS)
            method = _pick(rng, METHODS)
            if method == "external":
                user, role = AUDITOR, "auditor"
            else:
                user, role = rng.choice(cast.leaders[cast.teams[agent]]), "evaluator"
            shift = _shift(moment)
            answers: dict[str, str] = {}
            for criterion, na_allowed in criteria:
                na = NA_RATES.get(criterion, DEFAULT_NA_RATE)
                if channel in ("email", "social") and criterion == "tunnistus":
                    na = 0.35  # nobody to identify in many a written contact
                if na_allowed and rng.random() < na:
                    answers[criterion] = "na"
                    continue
                p = cast.rate(agent, month_index, criterion, shift, method)
                answers[criterion] = "yes" if rng.random() < p else "no"
            index = len(evaluations) + 1
            contact: dict[str, Any] = {
                "channel": channel,
                "id": f"demo-{channel}-{index:04d}",
                "occurred_at": moment.isoformat(),
            }
            if channel in ("phone", "chat"):
                contact["duration_s"] = rng.randrange(90, 1500)
            body = {
                "form_id": form_id,
                "form_version": version,
                "agent_id": agent,
                "contact": contact,
                "method": method,
                "answers": answers,
            }
            evaluations.append(Planned(index, user, role, body))
    # Amend a few recordings listened to again: one "no" turns out a "yes".
    candidates = [
        n
        for n, p in enumerate(evaluations)
        if p.body["method"] == "recording" and "no" in p.body["answers"].values()
    ]
    amendments = sorted(rng.sample(candidates, min(AMENDMENTS, len(candidates))))
    return Plan(anchor, months[0], evaluations, amendments)


def amended(planned: Planned) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(json.dumps(planned.body))
    criterion = next(c for c, a in body["answers"].items() if a == "no")
    body["answers"][criterion] = "yes"
    body["comments"] = {criterion: "Tarkistettu tallenteelta uudelleen: tehty."}
    return body


# --- over HTTP --------------------------------------------------------------------


class _Client:
    def __init__(self, base_url: str, token: str) -> None:
        self._base = base_url.rstrip("/")
        self._token = token

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        """Retries a refused connection or a 5xx (the same key, so never twice)."""
        data = None if body is None else json.dumps(body).encode()
        all_headers = {
            "Authorization": f"Bearer {self._token}",
            "Content-Type": "application/json",
            **(headers or {}),
        }
        for attempt in range(_RETRIES):
            request = urllib.request.Request(  # noqa: S310 - our own loopback URL
                self._base + path, data=data, method=method, headers=all_headers
            )
            try:
                with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:  # noqa: S310
                    status, got, raw = int(response.status), dict(response.headers), response.read()
            except urllib.error.HTTPError as error:
                status, got, raw = int(error.code), dict(error.headers), error.read()
            except OSError:
                if attempt == _RETRIES - 1:
                    raise
                time.sleep(0.2 * 2**attempt)
                continue
            if status in _RETRY_STATUSES and attempt < _RETRIES - 1:
                time.sleep(0.2 * 2**attempt)
                continue
            return status, got, json.loads(raw or b"null")
        raise AssertionError("unreachable")

    def expect(self, statuses: Iterable[int], method: str, path: str, body: Any = None) -> Any:
        status, _, answer = self.call(method, path, body)
        if status not in tuple(statuses):
            raise RuntimeError(f"{method} {path} answered {status}: {answer}")
        return answer


def _token(secret: str, role: str, user: str) -> str:
    return issue_local_token(
        secret, tenant=demo.TENANT, roles=[role], user=user, lifetime_s=demo.TOKEN_LIFETIME_S
    )


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        state: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return state


def _write_state(path: Path, state: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps(state) + "\n", "utf-8")
    scratch.replace(path)


def seed_history(base_url: str, secret: str, data_dir: Path) -> History | None:
    """Seed the demo history once; None when it is off, done or the tenant has data."""
    if os.environ.get(ENV, "1").strip() == "0":
        return None
    state_path = data_dir / STATE_FILE
    state = _read_state(state_path)
    if state is not None and state.get("state") == "done":
        return None
    admin = _Client(base_url, _token(secret, "admin", demo.user("admin").user))
    if state is None:
        if admin.expect((200,), "GET", "/v1/evaluations?limit=1")["items"]:
            return None  # a tenant with evaluations of its own keeps them as they are
        settings = admin.expect((200,), "GET", "/v1/settings")
        zone = ZoneInfo(settings["time_zone"])
        anchor = datetime.now(zone).replace(microsecond=0)
        state = {"state": "seeding", "anchor": anchor.isoformat()}
        _write_state(state_path, state)
    else:
        log.info("demo history: an earlier start stopped half-way; finishing it")
    anchor = datetime.fromisoformat(str(state["anchor"]))
    history = _seed(admin, base_url, secret, anchor)
    _write_state(state_path, {**state, "state": "done", "evaluations": history.evaluations})
    return history


def _seed(admin: _Client, base_url: str, secret: str, anchor: datetime) -> History:
    started = time.perf_counter()
    settings = admin.expect((200,), "GET", "/v1/settings")
    zone = ZoneInfo(settings["time_zone"])
    _leaderboard_on(admin, settings)
    form = demo.demo_form()
    form_id = str(form["form_id"])
    version = int(admin.expect((200,), "GET", f"/v1/forms/{form_id}")["latest_version"])
    criteria = [
        (str(c["id"]), bool(c.get("na_allowed", True)))
        for section in form["sections"]
        for c in section["criteria"]
    ]
    agents = admin.expect((200,), "GET", "/v1/agents")["items"]
    teams = {a["agent_id"]: a["team"] for a in agents if a["team"] and a["active"]}
    known = {t["team_id"]: t for t in admin.expect((200,), "GET", "/v1/teams")["items"]}
    leaders = {team_id: list(t.get("leaders") or ()) for team_id, t in known.items()}
    if not teams:
        raise RuntimeError("the demo roster has no agents in a team to evaluate")
    cast = Cast.of(teams, leaders)
    plan = plan_history(anchor, zone, form_id, version, criteria, cast)
    _backdate_memberships(admin, agents, plan.first_day)
    log.info(
        "demo history: seeding %d evaluations of %d agents in %s over %s..%s …",
        len(plan.evaluations),
        len(teams),
        ", ".join(sorted(set(teams.values()))),
        plan.first_day,
        anchor.astimezone(zone).date(),
    )
    clients = {
        (p.role, p.user): _Client(base_url, _token(secret, p.role, p.user))
        for p in plan.evaluations
    }

    def post(planned: Planned) -> tuple[str, bool]:
        client = clients[(planned.role, planned.user)]
        status, headers, answer = client.call(
            "POST", "/v1/evaluations", planned.body, {"Idempotency-Key": planned.key}
        )
        if status != 201:
            raise RuntimeError(f"demo evaluation {planned.index} answered {status}: {answer}")
        return str(answer["evaluation_id"]), headers.get("Idempotent-Replayed") == "true"

    with ThreadPoolExecutor(WORKERS, thread_name_prefix="demo-history") as pool:
        posted = list(pool.map(post, plan.evaluations))
    for n in plan.amendments:
        planned = plan.evaluations[n]
        client = clients[(planned.role, planned.user)]
        path = f"/v1/evaluations/{posted[n][0]}"
        status, _, answer = client.call("PUT", path, amended(planned), {"If-Match": '"1"'})
        # 412: amended already, by the start that stopped half-way.
        if status not in (200, 412):
            raise RuntimeError(f"amending demo evaluation {planned.index}: {status} {answer}")
    stored_s = time.perf_counter() - started
    history = History(
        evaluations=len(plan.evaluations),
        amendments=len(plan.amendments),
        first_day=plan.first_day,
        last_day=anchor.astimezone(zone).date(),
        per_month=plan.per_month(),
        seconds=stored_s,
        replayed=sum(1 for _, replayed in posted if replayed),
        agents=sorted(teams),
    )
    months = ", ".join(f"{m} {n}" for m, n in history.per_month.items())
    log.info(
        "demo history: %d evaluations (%s) and %d amendments stored in %.1f s; "
        "the stream folds them into the reports in the background",
        history.evaluations,
        months,
        history.amendments,
        stored_s,
    )
    # The stack is usable meanwhile; the log says when the reports have it all.
    threading.Thread(
        target=_wait_folded, args=(admin, plan), name="demo-history-fold", daemon=True
    ).start()
    return history


def _leaderboard_on(admin: _Client, settings: Mapping[str, Any]) -> None:
    body = {k: v for k, v in settings.items() if k != "revisions"}
    reports = dict(body.get("reports") or {})
    if reports.get("leaderboard"):
        return
    body["reports"] = {**reports, "leaderboard": True}
    admin.expect((200,), "PUT", "/v1/settings", body)


def _backdate_memberships(admin: _Client, agents: Sequence[Mapping[str, Any]], first: date) -> None:
    """The roster was made today, so each agent joined their team today: the history
    needs them in it from its first day, or the team reports would leave it out."""
    for agent in agents:
        memberships = [dict(m) for m in agent.get("memberships") or ()]
        if not agent["team"] or (memberships and memberships[0]["from"] <= first.isoformat()):
            continue
        if memberships:
            memberships[0]["from"] = first.isoformat()
        else:
            memberships = [{"team": agent["team"], "from": first.isoformat()}]
        body = {
            "name": agent["name"],
            "payroll_id": agent["payroll_id"],
            "active": agent["active"],
            "memberships": memberships,
        }
        path = f"/v1/agents/{urllib.parse.quote(agent['agent_id'], safe='')}"
        admin.expect((200,), "PUT", path, body)


def _wait_folded(admin: _Client, plan: Plan) -> float | None:
    """Until the stream pump has folded every evaluation in. The agents' month
    summaries move in the same transaction as the report cells and are one GetItem
    each, so they tell it without loading the moto the pump is waiting for (a
    report per poll would)."""
    started = time.perf_counter()
    wanted: dict[tuple[str, str], int] = {}
    for planned in plan.evaluations:
        key = (planned.body["agent_id"], planned.body["contact"]["occurred_at"][:7])
        wanted[key] = wanted.get(key, 0) + 1
    deadline = time.monotonic() + FOLD_TIMEOUT_S
    while wanted and time.monotonic() < deadline:
        for agent, month in sorted(wanted):
            path = f"/v1/agents/{urllib.parse.quote(agent, safe='')}/summary?period={month}"
            status, _, answer = admin.call("GET", path)
            if status == 200 and int(answer["evaluations"]) >= wanted[(agent, month)]:
                del wanted[(agent, month)]
            else:
                break  # not there yet: ask again in a while, from here
        if wanted:
            time.sleep(POLL_S)
    if wanted:
        log.warning("demo history: the reports had not caught up after %.0f s", FOLD_TIMEOUT_S)
        return None
    folded_s = time.perf_counter() - started
    log.info("demo history: all %d in the reports (%.1f s later)", len(plan.evaluations), folded_s)
    return folded_s

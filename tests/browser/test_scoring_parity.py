"""The browser's live score is the server's score: static_site/js/scoring.js against
chalicelib's scoring on thousands of random forms and answers, and through the real
API on a sample; and the browser's time-zone arithmetic against zoneinfo."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib import jsoncodec
from chalicelib.domain.forms import form_to_dict, parse_form
from chalicelib.domain.numbers import reported_str, to_stored
from chalicelib.domain.scoring import score
from tests.browser.conftest import PageFactory
from tests.browser.support import Site

# Weights people type, and some that no binary fraction holds exactly.
AWKWARD_WEIGHTS = ["1", "2", "0.5", "0.1", "0.333", "3.75", "7", "0.001", "999.99", "12.5", "0.7"]

SCORE_IN_BROWSER = """async (cases) => {
  const m = await import('/js/scoring.js');
  return cases.map((c) => m.report(m.score(c.definition, c.answers)));
}"""


def random_form(rng: random.Random, index: int) -> dict[str, Any]:
    weighted = rng.random() < 0.5
    sections = []
    for s in range(rng.randint(1, 5)):
        criteria = [
            {
                "id": f"c{s}-{c}",
                "text": f"criterion {s}.{c}",
                "points": rng.choice([1, 1, 2, 3, 5, rng.randint(1, 100)]),
                "critical": rng.random() < 0.12,
                "na_allowed": rng.random() < 0.75,
            }
            for c in range(rng.randint(1, 6))
        ]
        section: dict[str, Any] = {"id": f"s{s}", "title": f"section {s}", "criteria": criteria}
        if weighted:
            weight = rng.choice([*AWKWARD_WEIGHTS, str(Decimal(rng.randint(1, 999_999)) / 1000)])
            section["weight"] = Decimal(weight)
        sections.append(section)
    return {"form_id": f"f{index}", "name": f"form {index}", "sections": sections}


def random_answers(rng: random.Random, definition: dict[str, Any]) -> dict[str, str]:
    all_na = rng.random() < 0.05
    answers = {}
    for section in definition["sections"]:
        for criterion in section["criteria"]:
            allowed = ["yes", "no", "na"] if criterion["na_allowed"] else ["yes", "no"]
            if all_na and criterion["na_allowed"]:
                answers[criterion["id"]] = "na"
            else:
                answers[criterion["id"]] = rng.choices(allowed, [6, 3, 2][: len(allowed)])[0]
    return answers


def server_report(definition: dict[str, Any], answers: dict[str, str]) -> dict[str, Any]:
    """What the API reports (chalicelib.domain.evaluations.present) for these answers."""
    result = score(parse_form(definition), answers)

    def shown(value: Any) -> str | None:
        return None if value is None else reported_str(to_stored(value))

    return {
        "overall": shown(result.overall),
        "scorable": result.overall is not None,
        "failed_critical": list(result.failed_critical),
        "yes_points": result.yes_points,
        "applicable_points": result.applicable_points,
        "sections": [
            {
                "id": s.section_id,
                "score": shown(s.value),
                "yes_points": s.yes_points,
                "applicable_points": s.applicable_points,
            }
            for s in result.sections
        ],
    }


def as_api_json(definition: dict[str, Any]) -> Any:
    """The definition as GET /v1/forms sends it: stored Decimals written as JSON numbers."""
    return json.loads(jsoncodec.dumps(form_to_dict(parse_form(definition))))


def test_browser_scores_equal_the_domain_rules_on_random_forms(open_page: PageFactory) -> None:
    page = open_page("evaluator").page
    rng = random.Random(20261102)
    cases = []
    for index in range(400):
        definition = random_form(rng, index)
        sent = as_api_json(definition)
        for _ in range(6):
            answers = random_answers(rng, definition)
            cases.append((definition, sent, answers))
    got = page.evaluate(SCORE_IN_BROWSER, [{"definition": s, "answers": a} for _, s, a in cases])
    expected = [server_report(d, a) for d, _, a in cases]
    mismatches = [
        (d["form_id"], a, e, g)
        for (d, _, a), e, g in zip(cases, expected, got, strict=True)
        if e != g
    ]
    assert mismatches == [], mismatches[:3]
    weighted = sum(1 for d, _, _ in cases if "weight" in d["sections"][0])
    critical = sum(1 for e in expected if e["failed_critical"])
    assert weighted > 500
    assert critical > 200
    print(f"[scoring] {len(cases)} random answer sets: browser = domain rules")


def test_browser_scores_equal_what_the_api_stores(open_page: PageFactory, site: Site) -> None:
    page = open_page("evaluator").page
    rng = random.Random(7)
    forms = [random_form(rng, index) for index in range(4)]
    # Weighted with weights whose ratios never terminate, every section three criteria.
    forms[0]["sections"] = [
        {
            "id": f"w{s}",
            "title": f"weighted {s}",
            "weight": Decimal(weight),
            "criteria": [
                {"id": f"w{s}-{c}", "text": "x", "points": c + s + 1, "na_allowed": True}
                for c in range(3)
            ],
        }
        for s, weight in enumerate(["0.333", "7", "0.1"])
    ]
    cases: list[tuple[dict[str, Any], dict[str, str]]] = []
    for number, definition in enumerate(forms):
        definition["form_id"] = f"parity-{number}"
        site.expect(201, "POST", "/v1/forms", "admin", as_api_json(definition))
        site.expect(201, "POST", f"/v1/forms/parity-{number}/publish", "admin")
        cases += [(definition, random_answers(rng, definition)) for _ in range(10)]
    browser = page.evaluate(
        SCORE_IN_BROWSER, [{"definition": as_api_json(d), "answers": a} for d, a in cases]
    )
    for count, ((definition, answers), expected) in enumerate(zip(cases, browser, strict=True)):
        stored = site.expect(
            201,
            "POST",
            "/v1/evaluations",
            "evaluator",
            {
                "form_id": definition["form_id"],
                "form_version": 1,
                "agent_id": "parity-agent",
                "contact": {
                    "channel": "chat",
                    "id": f"parity-{count}",
                    "occurred_at": "2026-01-15T12:00:00+02:00",
                },
                "method": "recording",
                "answers": answers,
            },
        )
        assert stored["score"] == expected, (definition["form_id"], answers)


ZONES = [
    "Europe/Helsinki",
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Pacific/Chatham",  # +12:45 / +13:45
    "UTC",
]


def walls_to_check(zone: str, rng: random.Random) -> list[str]:
    """Every half hour around each of the zone's 2025-2027 offset changes (the gap and
    the repeated hour), plus random times."""
    tz = ZoneInfo(zone)
    out: list[str] = []
    moment = datetime(2025, 1, 1, tzinfo=UTC)
    previous = moment.astimezone(tz).utcoffset()
    while moment < datetime(2027, 12, 31, tzinfo=UTC):
        moment += timedelta(hours=1)
        offset = moment.astimezone(tz).utcoffset()
        if offset != previous:
            local = moment.astimezone(tz).replace(tzinfo=None, minute=0)
            out += [
                (local + timedelta(minutes=15 * k)).strftime("%Y-%m-%dT%H:%M")
                for k in range(-12, 13)
            ]
            previous = offset
    start = datetime(2024, 1, 1)  # noqa: DTZ001 - a wall-clock time, no zone by design
    out += [
        (start + timedelta(minutes=rng.randrange(4 * 366 * 24 * 60))).strftime("%Y-%m-%dT%H:%M")
        for _ in range(150)
    ]
    return out


def test_contact_time_gets_the_offset_zoneinfo_gives(open_page: PageFactory) -> None:
    page = open_page("evaluator").page
    rng = random.Random(3)
    cases = [(zone, wall) for zone in ZONES for wall in walls_to_check(zone, rng)]
    got = page.evaluate(
        """async (cases) => {
          const m = await import('/js/timezone.js');
          return cases.map(([zone, wall]) => m.wallToIso(wall, zone));
        }""",
        cases,
    )
    expected = [
        datetime.fromisoformat(wall).replace(tzinfo=ZoneInfo(zone)).isoformat()
        for zone, wall in cases
    ]
    mismatches = [(c, e, g) for c, e, g in zip(cases, expected, got, strict=True) if e != g]
    assert mismatches == [], mismatches[:5]
    assert len(cases) > 1500


TYPED_TIMES = {
    "2.11.2026 10.15": "2026-11-02T10:15",
    "02.11.2026 klo 10.15": "2026-11-02T10:15",
    "2.11.2026 kl. 9:05": "2026-11-02T09:05",
    "2026-11-02 10:15": "2026-11-02T10:15",
    "2026-11-02T23:59": "2026-11-02T23:59",
    "2.11. 10.15": "2026-11-02T10:15",
    "10.15": "2026-11-23T10:15",
    "klo 7.05": "2026-11-23T07:05",
    "29.2.2026 10.00": None,
    "31.11.2026 10.00": None,
    "2.11.2026 24.00": None,
    "huomenna": None,
}


def test_typed_contact_times_are_understood(open_page: PageFactory) -> None:
    page = open_page(None).page
    page.goto("/")
    got = page.evaluate(
        """async (typed) => {
          const m = await import('/js/wall-time.js');
          return typed.map((text) => m.parseWallTime(text, '2026-11-23T08:00'));
        }""",
        list(TYPED_TIMES),
    )
    assert dict(zip(TYPED_TIMES, got, strict=True)) == TYPED_TIMES


def test_rounding_is_half_up_on_the_stored_value(open_page: PageFactory) -> None:
    """numbers.py: stored with 20 places half-even, reported half-up to two."""
    page = open_page(None).page
    page.goto("/")
    fractions = [(1, 8), (5, 1000), (15, 1000), (2, 3), (1, 3), (100, 7), (12345, 1000), (1, 200)]
    fractions += list(itertools.product(range(1, 12), range(1, 12)))
    got = page.evaluate(
        """async (pairs) => {
          const s = await import('/js/scoring.js');
          const f = await import('/js/fraction.js');
          return pairs.map(([n, d]) => s.reported(f.fraction(n, d)));
        }""",
        fractions,
    )
    from fractions import Fraction

    assert got == [reported_str(to_stored(Fraction(n, d))) for n, d in fractions]

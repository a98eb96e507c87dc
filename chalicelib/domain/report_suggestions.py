"""Action suggestions for coaching: rule-based, each with the figures that make it.

Three rules, each an honest statistical statement, never a hunch:

- `below_team`: the agent does a criterion clearly less often than the rest of
  their team (the 95 % interval of the difference of the two rates lies below 0).
- `dropped`: the agent does a criterion clearly less often than in the previous
  period of the same length.
- `rarely_done`: the team as a whole leaves a criterion undone in many applicable
  contacts: its compliance is clearly below 80 % (the upper end of its 95 %
  Wilson interval is under 80 %).

A rule needs at least 5 applicable answers on each side of a comparison. The
largest differences come first, at most 5 of each kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chalicelib.domain.report_cells import Cell
from chalicelib.domain.reports import CriterionKey, criterion_rates, difference_view, percent
from chalicelib.domain.statistics import rate_difference, wilson_interval

RARELY_DONE_BELOW = Decimal("0.80")
MAX_PER_KIND = 5
LANGUAGES = ("fi", "sv", "en")

TEXTS: Mapping[str, Mapping[str, str]] = {
    "below_team": {
        "fi": "«{title}» jää tiimin tasosta: {agent} % vs. muu tiimi {team} %.",
        "sv": "«{title}» ligger under teamet: {agent} % mot resten av teamet {team} %.",
        "en": "“{title}” is below the team: {agent} % against the rest of the team's {team} %.",
    },
    "dropped": {
        "fi": "«{title}» on laskenut: {now} % nyt, {before} % edellisellä jaksolla.",
        "sv": "«{title}» har sjunkit: {now} % nu, {before} % förra perioden.",
        "en": "“{title}” has dropped: {now} % now, {before} % in the previous period.",
    },
    "rarely_done": {
        "fi": "«{title}» jää tekemättä {undone} %:ssa tiimin yhteyksistä, joihin se kuuluu.",
        "sv": "«{title}» görs inte i {undone} % av teamets kontakter där den gäller.",
        "en": "“{title}” is not done in {undone} % of the team's applicable contacts.",
    },
}
WHY: Mapping[str, Mapping[str, str]] = {
    "below_team": {
        "fi": "Ero on tilastollisesti selvä: sen 95 %:n luottamusväli ({low}…{high} "
        "prosenttiyksikköä) on kokonaan nollan alapuolella. Arvioita {n} ja {m}.",
        "sv": "Skillnaden är statistiskt tydlig: dess 95 %-intervall ({low}…{high} "
        "procentenheter) ligger helt under noll. Bedömningar {n} och {m}.",
        "en": "The difference is statistically clear: its 95 % interval ({low} to {high} "
        "percentage points) lies wholly below zero. Based on {n} and {m} answers.",
    },
    "dropped": {
        "fi": "Lasku on tilastollisesti selvä: sen 95 %:n luottamusväli ({low}…{high} "
        "prosenttiyksikköä) on kokonaan nollan alapuolella. Arvioita {n} ja {m}.",
        "sv": "Nedgången är statistiskt tydlig: dess 95 %-intervall ({low}…{high} "
        "procentenheter) ligger helt under noll. Bedömningar {n} och {m}.",
        "en": "The drop is statistically clear: its 95 % interval ({low} to {high} "
        "percentage points) lies wholly below zero. Based on {n} and {m} answers.",
    },
    "rarely_done": {
        "fi": "Tiimin noudattaminen on selvästi alle 80 %: 95 %:n luottamusväli on "
        "{low}…{high} % ({n} arviota).",
        "sv": "Teamets efterlevnad ligger tydligt under 80 %: 95 %-intervallet är "
        "{low}…{high} % ({n} bedömningar).",
        "en": "The team's compliance is clearly below 80 %: its 95 % interval is "
        "{low} to {high} % ({n} answers).",
    },
}


@dataclass(frozen=True)
class SuggestionInput:
    agent: Cell
    previous: Cell | None  # the agent in the period before
    rest_of_team: Cell | None  # the agent's team without the agent
    team: Cell | None  # the whole team, agent included
    titles: Mapping[CriterionKey, str | None]


def _title(titles: Mapping[CriterionKey, str | None], key: CriterionKey) -> str:
    return titles.get(key) or key[1]


def suggestions(data: SuggestionInput, lang: str) -> list[dict[str, Any]]:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    mine = criterion_rates(data.agent)
    out: list[dict[str, Any]] = []
    comparisons = (
        ("below_team", data.rest_of_team),
        ("dropped", data.previous),
    )
    for kind, other_cell in comparisons:
        if other_cell is None:
            continue
        other = criterion_rates(other_cell)
        found: list[tuple[Decimal, dict[str, Any]]] = []
        for key, (yes, no, _) in mine.items():
            o_yes, o_no, _ = other.get(key, (0, 0, 0))
            first, second = wilson_interval(yes, yes + no), wilson_interval(o_yes, o_yes + o_no)
            if first is None or second is None:
                continue
            diff = rate_difference(first, second)
            if not (diff.clear and diff.high < 0):
                continue
            view = difference_view(diff, as_percent=True)
            assert view is not None
            title = _title(data.titles, key)
            values = {
                "title": title,
                "agent": percent(first.rate),
                "team": percent(second.rate),
                "now": percent(first.rate),
                "before": percent(second.rate),
                "low": view["low"],
                "high": view["high"],
                "n": first.n,
                "m": second.n,
            }
            found.append(
                (
                    diff.difference,
                    {
                        "kind": kind,
                        "form_id": key[0],
                        "criterion_id": key[1],
                        "title": title,
                        "text": TEXTS[kind][lang].format(**values),
                        "why": WHY[kind][lang].format(**values),
                        "figures": {
                            "agent": {"k": first.k, "n": first.n, "rate": percent(first.rate)},
                            "other": {"k": second.k, "n": second.n, "rate": percent(second.rate)},
                            "difference": view,
                        },
                    },
                )
            )
        found.sort(key=lambda pair: (pair[0], pair[1]["form_id"], pair[1]["criterion_id"]))
        out.extend(item for _, item in found[:MAX_PER_KIND])
    if data.team is not None:
        rare: list[tuple[Decimal, dict[str, Any]]] = []
        for key, (yes, no, _) in criterion_rates(data.team).items():
            interval = wilson_interval(yes, yes + no)
            if interval is None or not interval.comparable or interval.high >= RARELY_DONE_BELOW:
                continue
            title = _title(data.titles, key)
            values = {
                "title": title,
                "undone": percent(1 - interval.rate),
                "low": percent(interval.low),
                "high": percent(interval.high),
                "n": interval.n,
            }
            rare.append(
                (
                    interval.rate,
                    {
                        "kind": "rarely_done",
                        "form_id": key[0],
                        "criterion_id": key[1],
                        "title": title,
                        "text": TEXTS["rarely_done"][lang].format(**values),
                        "why": WHY["rarely_done"][lang].format(**values),
                        "figures": {
                            "team": {
                                "k": interval.k,
                                "n": interval.n,
                                "rate": percent(interval.rate),
                                "low": percent(interval.low),
                                "high": percent(interval.high),
                            }
                        },
                    },
                )
            )
        rare.sort(key=lambda pair: (pair[0], pair[1]["form_id"], pair[1]["criterion_id"]))
        out.extend(item for _, item in rare[:MAX_PER_KIND])
    return out

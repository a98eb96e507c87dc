"""Report figures from summed cells: compliance, heatmap, trend, breakdown, ranking.

Pure functions over `Cell`s and form definitions. Every rate comes with its n and
95 % Wilson interval and every average with its n and t interval
(chalicelib.domain.statistics); a figure on fewer than 5 evaluations is marked
"too few to compare" and is never ranked or called better or worse.

Criteria are matched across form versions by their id: the counts of
`form/3/greeting` and `form/4/greeting` are one criterion unless a report asks
for versions apart. Titles and sections come from the newest version seen;
a criterion that version no longer has is listed under "no longer on the form".
Points earned and available use each version's own points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chalicelib.domain.forms import Criterion, Form
from chalicelib.domain.numbers import reported_str
from chalicelib.domain.report_cells import Cell, split_version_key
from chalicelib.domain.statistics import (
    Difference,
    MeanInterval,
    RateInterval,
    comparable,
    mean_interval_of_sums,
    wilson_interval,
)

FormKey = tuple[str, int]  # (form_id, version)
CriterionKey = tuple[str, str]  # (form_id, criterion_id), across versions
HUNDRED = Decimal(100)


# --- how figures are shown --------------------------------------------------------


def percent(share: Decimal | None) -> str | None:
    return None if share is None else reported_str(share * HUNDRED)


def rate_view(interval: RateInterval | None, k: int = 0, n: int = 0) -> dict[str, Any]:
    if interval is None:
        return {"k": k, "n": n, "rate": None, "low": None, "high": None, "comparable": False}
    return {
        "k": interval.k,
        "n": interval.n,
        "rate": percent(interval.rate),
        "low": percent(interval.low),
        "high": percent(interval.high),
        "comparable": interval.comparable,
    }


def rate_of(k: int, n: int) -> dict[str, Any]:
    return rate_view(wilson_interval(k, n), k, n)


def average_interval(cell: Cell) -> MeanInterval | None:
    return mean_interval_of_sums(cell.scored, cell.score_sum, cell.score_squares)


def average_view(cell: Cell) -> dict[str, Any]:
    interval = average_interval(cell)
    if interval is None:
        return {
            "n": 0,
            "mean": None,
            "sd": None,
            "margin": None,
            "low": None,
            "high": None,
            "comparable": False,
        }
    return {
        "n": interval.n,
        "mean": reported_str(interval.mean),
        "sd": reported_str(interval.sd),
        "margin": reported_str(interval.margin),
        "low": reported_str(interval.low),
        "high": reported_str(interval.high),
        "comparable": interval.comparable,
    }


def difference_view(diff: Difference | None, *, as_percent: bool) -> dict[str, Any] | None:
    if diff is None:
        return None
    shown = percent if as_percent else reported_str
    return {
        "difference": shown(diff.difference),
        "low": shown(diff.low),
        "high": shown(diff.high),
        "clear": diff.clear,
        "method": diff.method,
    }


# --- criteria across versions -----------------------------------------------------


@dataclass
class CriterionTally:
    yes: int = 0
    no: int = 0
    na: int = 0
    points_earned: int = 0
    points_available: int = 0

    def add(self, yes: int, no: int, na: int, points: int) -> None:
        self.yes += yes
        self.no += no
        self.na += na
        self.points_earned += yes * points
        self.points_available += (yes + no) * points

    @property
    def compliance(self) -> RateInterval | None:
        return wilson_interval(self.yes, self.yes + self.no)


@dataclass
class FormTally:
    form_id: str
    version: int | None  # None: versions matched by criterion id
    layout: Form | None
    criteria: dict[str, CriterionTally] = field(default_factory=dict)


def _points(form: Form | None, criterion_id: str) -> int:
    if form is None:
        return 0
    found = next((c for c in form.criteria() if c.id == criterion_id), None)
    return 0 if found is None else found.points


def tally(
    cell: Cell,
    forms: Mapping[FormKey, Form],
    *,
    by_version: bool = False,
    only_form: str | None = None,
) -> list[FormTally]:
    """Counts per criterion, per form (and per version when asked)."""
    tallies: dict[tuple[str, int | None], FormTally] = {}
    newest: dict[str, int] = {}
    for key in cell.counts:
        form_id, version, _ = split_version_key(key)
        newest[form_id] = max(version, newest.get(form_id, 0))
    for key, (yes, no, na) in sorted(cell.counts.items()):
        form_id, version, criterion_id = split_version_key(key)
        if only_form is not None and form_id != only_form:
            continue
        group = (form_id, version if by_version else None)
        layout_version = version if by_version else newest[form_id]
        form_tally = tallies.setdefault(
            group, FormTally(form_id, group[1], forms.get((form_id, layout_version)))
        )
        counts = form_tally.criteria.setdefault(criterion_id, CriterionTally())
        counts.add(yes, no, na, _points(forms.get((form_id, version)), criterion_id))
    return [tallies[key] for key in sorted(tallies, key=lambda k: (k[0], k[1] or 0))]


def _criterion_view(criterion_id: str, title: str | None, counts: CriterionTally) -> dict[str, Any]:
    return {
        "criterion_id": criterion_id,
        "title": title,
        "yes": counts.yes,
        "no": counts.no,
        "na": counts.na,
        "compliance": rate_of(counts.yes, counts.yes + counts.no),
        "na_share": rate_of(counts.na, counts.yes + counts.no + counts.na),
        "points_earned": counts.points_earned,
        "points_available": counts.points_available,
    }


def _section_view(
    section_id: str | None,
    title: str | None,
    rows: Sequence[tuple[Criterion | None, str, CriterionTally]],
) -> dict[str, Any]:
    yes = sum(t.yes for _, _, t in rows)
    no = sum(t.no for _, _, t in rows)
    return {
        "section_id": section_id,
        "title": title,
        "criteria": [_criterion_view(cid, None if c is None else c.text, t) for c, cid, t in rows],
        "compliance": rate_of(yes, yes + no),
        "points_earned": sum(t.points_earned for _, _, t in rows),
        "points_available": sum(t.points_available for _, _, t in rows),
    }


def form_view(form_tally: FormTally) -> dict[str, Any]:
    """One form's criteria in the layout's sections and order."""
    sections: list[dict[str, Any]] = []
    placed: set[str] = set()
    layout = form_tally.layout
    for section in layout.sections if layout else ():
        rows = [
            (c, c.id, form_tally.criteria[c.id])
            for c in section.criteria
            if c.id in form_tally.criteria
        ]
        placed.update(cid for _, cid, _ in rows)
        if rows:
            sections.append(_section_view(section.id, section.title, rows))
    rest = [(None, cid, t) for cid, t in sorted(form_tally.criteria.items()) if cid not in placed]
    if rest:
        sections.append(_section_view(None, None, rest))
    return {
        "form_id": form_tally.form_id,
        "version": form_tally.version,
        "title": None if layout is None else layout.name,
        "sections": sections,
    }


def criterion_rates(cell: Cell) -> dict[CriterionKey, tuple[int, int, int]]:
    """(yes, no, na) per criterion, versions matched by id."""
    out: dict[CriterionKey, tuple[int, int, int]] = {}
    for key, (yes, no, na) in cell.counts.items():
        form_id, _, criterion_id = split_version_key(key)
        old = out.get((form_id, criterion_id), (0, 0, 0))
        out[(form_id, criterion_id)] = (old[0] + yes, old[1] + no, old[2] + na)
    return out


def criterion_columns(cells: Iterable[Cell], forms: Mapping[FormKey, Form]) -> list[dict[str, Any]]:
    """The criteria seen in any of `cells`, in the newest layout's order."""
    seen: set[CriterionKey] = set()
    newest: dict[str, int] = {}
    for cell in cells:
        for key in cell.counts:
            form_id, version, criterion_id = split_version_key(key)
            seen.add((form_id, criterion_id))
            newest[form_id] = max(version, newest.get(form_id, 0))
    columns: list[dict[str, Any]] = []
    for form_id in sorted(newest):
        layout = forms.get((form_id, newest[form_id]))
        ordered = [c.id for c in layout.criteria()] if layout else []
        titles = {c.id: c.text for c in layout.criteria()} if layout else {}
        ids = [cid for cid in ordered if (form_id, cid) in seen]
        ids += sorted(cid for f, cid in seen if f == form_id and cid not in ordered)
        columns += [
            {"form_id": form_id, "criterion_id": cid, "title": titles.get(cid)} for cid in ids
        ]
    return columns


def criteria_compliance(cell: Cell, columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rates = criterion_rates(cell)
    out = []
    for column in columns:
        yes, no, _ = rates.get((column["form_id"], column["criterion_id"]), (0, 0, 0))
        out.append(
            {
                "form_id": column["form_id"],
                "criterion_id": column["criterion_id"],
                "compliance": rate_of(yes, yes + no),
            }
        )
    return out


def heatmap_cells(cell: Cell, columns: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """One agent's row: a rate per column, None where the criterion never applied."""
    rates = criterion_rates(cell)
    row: list[dict[str, Any] | None] = []
    for column in columns:
        yes, no, _ = rates.get((column["form_id"], column["criterion_id"]), (0, 0, 0))
        row.append(None if yes + no == 0 else rate_of(yes, yes + no))
    return row


# --- breakdown groups -------------------------------------------------------------

BREAKDOWN_LABELS: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "channel": {
        "phone": {"fi": "puhelin", "sv": "telefon", "en": "phone"},
        "email": {"fi": "sähköposti", "sv": "e-post", "en": "email"},
        "chat": {"fi": "chat", "sv": "chatt", "en": "chat"},
        "social": {"fi": "some", "sv": "sociala medier", "en": "social media"},
    },
    "method": {
        "live": {"fi": "kuuntelu livenä", "sv": "medlyssning", "en": "live"},
        "recording": {"fi": "nauhoite", "sv": "inspelning", "en": "recording"},
        "external": {
            "fi": "ulkoinen auditoija",
            "sv": "extern granskare",
            "en": "external auditor",
        },
    },
    "shift": {
        "day": {"fi": "päivä", "sv": "dag", "en": "day"},
        "evening": {"fi": "ilta", "sv": "kväll", "en": "evening"},
        "night": {"fi": "yö", "sv": "natt", "en": "night"},
    },
}


def breakdown_label(by: str, value: str, lang: str) -> str:
    """A group's name for people; an evaluator (or a value no table names) as it is."""
    return BREAKDOWN_LABELS.get(by, {}).get(value, {}).get(lang, value)


# --- ranking and recognition ------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    agent_id: str
    cell: Cell


def leaderboard(
    standings: Iterable[Standing], min_evaluations: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(ranked, unranked). Ranked by the average, ties sharing a rank; an agent with
    fewer scored evaluations than the tenant's minimum (and never fewer than 5) is
    listed apart, unranked. Badges recognise; they are never part of pay."""
    needed = max(min_evaluations, 5)
    ranked_rows: list[tuple[Decimal, Standing]] = []
    unranked: list[dict[str, Any]] = []
    for standing in standings:
        interval = average_interval(standing.cell)
        if interval is None or standing.cell.scored < needed or not comparable(interval.n):
            unranked.append({"agent_id": standing.agent_id, "n": standing.cell.scored})
            continue
        ranked_rows.append((interval.mean, standing))
    ranked_rows.sort(key=lambda row: (-row[0], row[1].agent_id))
    ranked: list[dict[str, Any]] = []
    rank = 0
    previous: str | None = None
    for position, (mean, standing) in enumerate(ranked_rows, start=1):
        shown = reported_str(mean)
        if shown != previous:
            rank = position
            previous = shown
        ranked.append(
            {
                "rank": rank,
                "agent_id": standing.agent_id,
                "average": average_view(standing.cell),
                "badges": badges(standing.cell),
            }
        )
    unranked.sort(key=lambda row: row["agent_id"])
    return ranked, unranked


def badges(cell: Cell) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if cell.full_points:
        out.append({"badge": "full_points", "count": cell.full_points})
    if cell.scored >= 5 and cell.full_points == cell.scored:
        out.append({"badge": "every_contact_full_points", "count": cell.scored})
    return out

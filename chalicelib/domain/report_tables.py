"""Every report as a table for download: the same figures the JSON answer shows.

Built from the report's JSON view, so a downloaded sheet can never say something
the page does not. Rates and intervals are per cent (0..100), averages points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chalicelib.domain.table_files import Column, Kind, Table

T = Mapping[str, str]


def _t(fi: str, sv: str, en: str) -> dict[str, str]:
    return {"fi": fi, "sv": sv, "en": en}


def _col(key: str, titles: T, kind: Kind = "text") -> Column:
    return Column(key, titles, kind)


RATE_COLUMNS = (
    ("k", _t("kyllä", "ja", "yes"), "integer"),
    ("n", _t("n", "n", "n"), "integer"),
    ("rate", _t("%", "%", "%"), "percent"),
    ("low", _t("95 % alaraja", "95 % nedre", "95 % low"), "percent"),
    ("high", _t("95 % yläraja", "95 % övre", "95 % high"), "percent"),
)
AVERAGE_COLUMNS = (
    ("n", _t("arvioita", "bedömningar", "evaluations"), "integer"),
    ("mean", _t("keskiarvo", "medelvärde", "average"), "decimal"),
    ("low", _t("95 % alaraja", "95 % nedre", "95 % low"), "decimal"),
    ("high", _t("95 % yläraja", "95 % övre", "95 % high"), "decimal"),
)
# Language-neutral, so one sheet reads the same in any of the three.
TOO_FEW = "n < 5"


def _prefixed(prefix: str, titles: T, columns: Sequence[tuple[str, T, str]]) -> list[Column]:
    return [
        Column(
            f"{prefix}_{key}",
            {lang: f"{titles[lang]}: {sub[lang]}" for lang in ("fi", "sv", "en")},
            kind,  # type: ignore[arg-type]
        )
        for key, sub, kind in columns
    ]


def _rate_cells(rate: Mapping[str, Any] | None) -> list[Any]:
    if rate is None:
        return [None] * len(RATE_COLUMNS)
    return [rate["k"], rate["n"], rate["rate"], rate["low"], rate["high"]]


def _average_cells(average: Mapping[str, Any]) -> list[Any]:
    return [average["n"], average["mean"], average["low"], average["high"]]


def _note(comparable: bool) -> str:
    return "" if comparable else TOO_FEW


def compliance_table(view: Mapping[str, Any]) -> Table:
    columns = [
        _col("form", _t("lomake", "formulär", "form")),
        _col("version", _t("versio", "version", "version"), "integer"),
        _col("section", _t("osio", "avsnitt", "section")),
        _col("criterion", _t("kriteeri", "kriterium", "criterion")),
        _col("title", _t("kuvaus", "beskrivning", "description")),
        _col("yes", _t("kyllä", "ja", "yes"), "integer"),
        _col("no", _t("ei", "nej", "no"), "integer"),
        _col("na", _t("ei koske", "ej tillämplig", "N/A"), "integer"),
        *_prefixed("compliance", _t("noudattaminen", "efterlevnad", "compliance"), RATE_COLUMNS),
        _col(
            "na_share", _t("ei koske -osuus %", "andel ej tillämplig %", "N/A share %"), "percent"
        ),
        _col("earned", _t("pisteet", "poäng", "points earned"), "integer"),
        _col(
            "available", _t("pisteet mahdolliset", "möjliga poäng", "points available"), "integer"
        ),
        _col("note", _t("huomio", "anmärkning", "note")),
    ]
    rows = []
    for form in view["forms"]:
        for section in form["sections"]:
            for c in section["criteria"]:
                rows.append(
                    [
                        form["form_id"],
                        form["version"],
                        section["section_id"],
                        c["criterion_id"],
                        c["title"],
                        c["yes"],
                        c["no"],
                        c["na"],
                        *_rate_cells(c["compliance"]),
                        c["na_share"]["rate"],
                        c["points_earned"],
                        c["points_available"],
                        _note(c["compliance"]["comparable"]),
                    ]
                )
    return Table(
        _t("Kriteerien noudattaminen", "Efterlevnad per kriterium", "Criterion compliance"),
        columns,
        rows,
    )


def _criterion_columns(criteria: Sequence[Mapping[str, Any]]) -> list[Column]:
    """A per cent column for each criterion, named `form/criterion` in every language."""
    return [
        Column(
            f"c{index}",
            dict.fromkeys(("fi", "sv", "en"), f"{c['form_id']}/{c['criterion_id']} %"),
            "percent",
        )
        for index, c in enumerate(criteria)
    ]


def heatmap_table(view: Mapping[str, Any]) -> Table:
    columns = [
        _col("agent", _t("agentti", "agent", "agent")),
        _col("name", _t("nimi", "namn", "name")),
        *_prefixed("average", _t("pisteet", "poäng", "score"), AVERAGE_COLUMNS),
        *_criterion_columns(view["criteria"]),
    ]
    rows = [
        [
            agent["agent_id"],
            agent["name"],
            *_average_cells(agent["average"]),
            *(None if cell is None else cell["rate"] for cell in agent["cells"]),
        ]
        for agent in view["agents"]
    ]
    return Table(_t("Lämpökartta", "Värmekarta", "Heatmap"), columns, rows)


def trend_table(view: Mapping[str, Any]) -> Table:
    columns = [
        _col("period", _t("jakso", "period", "period")),
        _col("first", _t("alkaa", "börjar", "first day"), "date"),
        _col("last", _t("päättyy", "slutar", "last day"), "date"),
        *_prefixed("average", _t("pisteet", "poäng", "score"), AVERAGE_COLUMNS),
        *_criterion_columns(view["criteria"]),
    ]
    rows = [
        [
            p["label"],
            p["first_day"],
            p["last_day"],
            *_average_cells(p["average"]),
            *(c["compliance"]["rate"] for c in p["criteria"]),
        ]
        for p in view["points"]
    ]
    return Table(_t("Kehitys", "Utveckling", "Trend"), columns, rows)


def breakdown_table(view: Mapping[str, Any]) -> Table:
    columns = [
        _col("value", _t("ryhmä", "grupp", "group")),
        _col("evaluations", _t("arvioita", "bedömningar", "evaluations"), "integer"),
        *_prefixed("average", _t("pisteet", "poäng", "score"), AVERAGE_COLUMNS),
        *_criterion_columns(view["criteria"]),
    ]
    rows = [
        [
            g["value"],
            g["evaluations"],
            *_average_cells(g["average"]),
            *(c["compliance"]["rate"] for c in g["criteria"]),
        ]
        for g in view["groups"]
    ]
    return Table(_t("Jaottelu", "Fördelning", "Breakdown"), columns, rows)


def leaderboard_table(view: Mapping[str, Any]) -> Table:
    columns = [
        _col("rank", _t("sija", "placering", "rank"), "integer"),
        _col("agent", _t("agentti", "agent", "agent")),
        _col("name", _t("nimi", "namn", "name")),
        *_prefixed("average", _t("pisteet", "poäng", "score"), AVERAGE_COLUMNS),
        _col("full", _t("täydet pisteet", "fulla poäng", "full points"), "integer"),
    ]
    rows = [
        [
            row["rank"],
            row["agent_id"],
            row["name"],
            *_average_cells(row["average"]),
            next((b["count"] for b in row["badges"] if b["badge"] == "full_points"), 0),
        ]
        for row in view["ranked"]
    ]
    return Table(_t("Sijoitukset", "Topplista", "Leaderboard"), columns, rows)


def suggestions_table(view: Mapping[str, Any]) -> Table:
    columns = [
        _col("kind", _t("tyyppi", "typ", "kind")),
        _col("form", _t("lomake", "formulär", "form")),
        _col("criterion", _t("kriteeri", "kriterium", "criterion")),
        _col("text", _t("ehdotus", "förslag", "suggestion")),
        _col("why", _t("peruste", "grund", "why")),
    ]
    rows = [
        [s["kind"], s["form_id"], s["criterion_id"], s["text"], s["why"]]
        for s in view["suggestions"]
    ]
    return Table(_t("Toimenpide-ehdotukset", "Åtgärdsförslag", "Action suggestions"), columns, rows)

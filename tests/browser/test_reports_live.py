"""The report pages on the real local stack: evaluations are posted through the API
(as the other browser tests get their data), the stream folds them into the report
cells, and the page shows what the reports API answers, figure for figure; a
heatmap cell drills into the results page with those evaluations; a download is the
API's file, fetched with the token; axe-core on each role's page. (The fixture tests
in test_reports_pages.py cover what a fresh stack has no data for: a change, a
ranking, suggestions.)"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageFactory
from tests.browser.support import Site, Watched
from tests.browser.test_reports_pages import every_card, rows

HELSINKI = ZoneInfo("Europe/Helsinki")
FORM_ID = "asiakaspalvelu"
# pekka (Tiimi 1 in the demo roster) is no other browser test's agent: two
# evaluations make every cell of his "too few to compare".
PEKKA_EVALUATIONS = 2


def month() -> str:
    return datetime.now(HELSINKI).strftime("%Y-%m")


def post(site: Site, agent: str, contact: str, channel: str, answers: dict[str, str]) -> None:
    form = site.expect(200, "GET", f"/v1/forms/{FORM_ID}", "evaluator")
    ids = [c["id"] for s in form["published"]["sections"] for c in s["criteria"]]
    now = datetime.now(HELSINKI).replace(microsecond=0)
    site.expect(
        201,
        "POST",
        "/v1/evaluations",
        "evaluator",
        {
            "form_id": FORM_ID,
            "form_version": form["latest_version"],
            "agent_id": agent,
            "contact": {"channel": channel, "id": contact, "occurred_at": now.isoformat()},
            "method": "recording",
            "answers": {i: answers.get(i, "yes") for i in ids},
        },
    )


@pytest.fixture(scope="module")
def seeded(site: Site) -> str:
    """Six evaluations of aino and two of pekka this month, folded into the reports."""
    for number in range(6):
        post(site, "aino", f"live-a-{number}", "phone", {"ratkaisu": "no" if number % 2 else "yes"})
    for number in range(PEKKA_EVALUATIONS):
        post(site, "pekka", f"live-p-{number}", "email", {"kuuntelu": "no"})
    deadline = time.monotonic() + 20
    while True:
        heat = site.expect(
            200, "GET", f"/v1/reports/heatmap?scope=team:tiimi-1&range=month:{month()}", "admin"
        )
        counts = {a["agent_id"]: a["average"]["n"] for a in heat["agents"]}
        if counts.get("pekka") == PEKKA_EVALUATIONS and counts.get("aino", 0) >= 6:
            return month()
        assert time.monotonic() < deadline, f"the reports show {counts}"
        time.sleep(0.2)


def report(site: Site, route: str, query: str, role: str = "admin") -> Any:
    return site.expect(200, "GET", f"/v1/reports/{route}?{query}", role)


def open_live(open_page: PageFactory, role: str, path: str, locale: str = "en-GB") -> Watched:
    watched = open_page(role, locale=locale)
    watched.page.goto(path)
    every_card(watched.page)
    return watched


def open_tables(page: Page) -> None:
    for summary in page.locator("details.chart-table > summary").all():
        summary.click()


def test_the_team_page_shows_the_apis_figures(
    open_page: PageFactory, site: Site, seeded: str
) -> None:
    query = f"scope=team:tiimi-1&range=month:{seeded}"
    page = open_live(open_page, "admin", f"/#/reports?{query}&by=channel").page
    open_tables(page)
    data = report(site, "compliance", query)
    expect(page.locator("[data-evaluations]")).to_have_text(str(data["evaluations"]))
    for section in data["forms"][0]["sections"]:
        got = {r["key"]: r for r in rows(page, f'[data-section="{section["section_id"]}"] table')}
        for c in section["criteria"]:
            row = got[f"{FORM_ID}/{c['criterion_id']}"]
            assert row["n"] == str(c["compliance"]["n"])
            assert row["value"] == (c["compliance"]["rate"] or "")
            assert row["comparable"] == str(c["compliance"]["comparable"]).lower()
            assert f"| {c['yes']} | {c['no']} | {c['na']} |" in row["cells"]

    heat = report(site, "heatmap", query)
    table = page.locator("#heatmap table")
    for agent in heat["agents"]:
        for criterion, cell in zip(heat["criteria"], agent["cells"], strict=True):
            key = f"{criterion['form_id']}/{criterion['criterion_id']}"
            td = table.locator(f'tr[data-agent="{agent["agent_id"]}"] td[data-criterion="{key}"]')
            drawn = page.locator(
                f'#heatmap g.heat-cell[data-agent="{agent["agent_id"]}"][data-criterion="{key}"]'
            )
            if cell is None or cell["n"] == 0:
                expect(td).to_have_text("no answers")
            elif not cell["comparable"]:
                expect(td).to_contain_text("too few to compare")
                expect(drawn).to_have_attribute("data-state", "too-few")
            else:
                expect(td).to_have_attribute("data-value", cell["rate"])
                expect(drawn).to_have_attribute("data-state", "rate")
    # pekka's two evaluations: every one of his cells is too few, none on the scale.
    expect(
        page.locator('#heatmap g.heat-cell[data-agent="pekka"][data-state="rate"]')
    ).to_have_count(0)
    expect(
        page.locator('#heatmap g.heat-cell[data-agent="pekka"][data-state="too-few"]')
    ).not_to_have_count(0)

    trend = report(site, "trend", f"scope=team:tiimi-1&period=month&count=6&end={seeded}")
    got_trend = {r["key"]: r for r in rows(page, "#trend table")}
    for point in trend["points"]:
        assert got_trend[point["label"]]["value"] == (point["average"]["mean"] or "")
        assert got_trend[point["label"]]["n"] == str(point["average"]["n"])
    split = report(site, "breakdown", f"{query}&by=channel")
    got_split = {r["key"]: r for r in rows(page, "#breakdown table[data-chart]")}
    for group in split["groups"]:
        assert got_split[group["value"]]["value"] == (group["average"]["mean"] or "")


def test_a_heatmap_cell_drills_into_the_evaluations_behind_it(
    open_page: PageFactory, site: Site, seeded: str
) -> None:
    page = open_live(
        open_page, "evaluator", f"/#/reports?scope=team:tiimi-1&range=month:{seeded}"
    ).page
    page.locator(
        f'#heatmap g.heat-cell[data-agent="pekka"][data-criterion="{FORM_ID}/kuuntelu"]'
    ).click()
    page.wait_for_url("**#/results?**")
    query = parse_qs(urlsplit(page.url).fragment.split("?", 1)[1])
    assert query["agent"] == ["pekka"]
    assert query["criterion"] == [f"{FORM_ID}/kuuntelu"]
    expect(page.locator("[data-filtered]")).to_be_visible()
    items = page.locator(".evaluation-list > li")
    expect(items).to_have_count(PEKKA_EVALUATIONS)
    expect(page.locator('.evaluation-list [data-answer="no"]')).to_have_count(PEKKA_EVALUATIONS)


def test_a_download_is_the_apis_file(open_page: PageFactory, site: Site, seeded: str) -> None:
    page = open_live(
        open_page, "admin", f"/#/reports?scope=team:tiimi-1&range=month:{seeded}", locale="fi-FI"
    ).page
    with page.expect_download() as info:
        page.locator('#compliance button[data-format="csv"]').click()
    name = info.value.suggested_filename
    assert name.endswith(".csv")
    path = info.value.path()
    text = path.read_bytes().decode("utf-8")
    # fi: BOM, ';' between columns.
    assert text.startswith("\ufeff")
    assert ";" in text.splitlines()[0]
    with page.expect_download() as info:
        page.locator('#compliance button[data-format="xlsx"]').click()
    assert info.value.path().read_bytes()[:2] == b"PK"


def test_an_agent_gets_their_own_figures_and_the_teams_totals(
    open_page: PageFactory, site: Site, seeded: str
) -> None:
    page = open_live(open_page, "agent", "/#/reports", locale="fi-FI").page
    own = report(site, "compliance", f"scope=agent:aino&range=month:{seeded}", "agent")
    team = report(site, "compliance", f"scope=team:tiimi-1&range=month:{seeded}", "agent")
    expect(page.locator("#compliance [data-evaluations]")).to_have_text(str(own["evaluations"]))
    expect(page.locator("#team [data-evaluations]")).to_have_text(str(team["evaluations"]))
    # No one's rows: no heatmap, no ranking.
    expect(page.locator("#heatmap")).to_have_count(0)
    expect(page.locator("#leaderboard")).to_have_count(0)
    expect(page.locator("#suggestions")).not_to_have_attribute("aria-busy", "true")


@pytest.mark.parametrize(
    ("role", "path", "locale"),
    [
        ("admin", "/#/reports", "en-GB"),
        ("evaluator", "/#/reports", "fi-FI"),
        ("agent", "/#/reports", "sv-FI"),
    ],
)
def test_no_axe_violations_on_the_live_report_pages(
    open_page: PageFactory, seeded: str, role: str, path: str, locale: str
) -> None:
    watched = open_live(open_page, role, path, locale=locale)
    open_tables(watched.page)
    assert [(v["id"], v["impact"]) for v in watched.axe()] == []

"""The report pages (#/reports) in Chromium on the local stack, with the reports
API's answers served from JSON fixtures that follow its contract
(tests/browser/fixtures/reports/): the charts' tables hold exactly the fixture's
figures, "too few to compare" included and never coloured on the scale; the filters
round-trip through the address; a heatmap cell drills into the results page; the
downloads carry the token; axe-core finds nothing serious on any report page; and
the page's first load stays within the site's 150 KB budget, uncompressed."""

from __future__ import annotations

import gzip
import json
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

from tests.browser.conftest import PageFactory
from tests.browser.support import Site, Watched, blocking_violations

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
FIRST_LOAD_BUDGET_BYTES = 150 * 1024
TEAM_VIEW = "/#/reports?scope=team:tiimi-1&range=month:2026-11&by=channel"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))


@dataclass
class FakeReports:
    """The reports and teams routes answered from the fixtures; every request kept."""

    requests: list[Request] = field(default_factory=list)

    def install(self, page: Page) -> None:
        page.route("**/v1/reports/**", self._report)
        page.route("**/v1/teams", self._teams)

    def queries(self, route: str) -> list[dict[str, str]]:
        out = []
        for request in self.requests:
            parts = urlsplit(request.url)
            if parts.path == f"/v1/reports/{route}":
                out.append({k: v[0] for k, v in parse_qs(parts.query).items()})
        return out

    def _teams(self, route: Route) -> None:
        route.fulfill(json=fixture("teams"))

    def _report(self, route: Route) -> None:
        request = route.request
        self.requests.append(request)
        parts = urlsplit(request.url)
        name = parts.path.rsplit("/", 1)[-1]
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if query.get("format") in ("csv", "xlsx"):
            route.fulfill(
                status=200,
                body="kriteeri;toteutuma\ntervehdys;90,00\n".encode("utf-8-sig"),
                headers={
                    "Content-Type": "text/csv; charset=utf-8",
                    "Content-Disposition": f'attachment; filename="laatu-{name}.{query["format"]}"',
                },
            )
            return
        if name == "compliance":
            kind = query.get("scope", "").split(":")[0]
            route.fulfill(json=fixture(f"compliance-{kind}"))
        elif name in ("heatmap", "leaderboard") and query.get("scope", "").startswith("agent:"):
            route.fulfill(status=400, json={"error": "bad_scope", "message": "team scope only"})
        else:
            route.fulfill(json=fixture(name))


def open_reports(
    open_page: PageFactory, role: str, hash_path: str, locale: str = "en-GB"
) -> tuple[Watched, FakeReports]:
    watched = open_page(role, locale=locale)
    fake = FakeReports()
    fake.install(watched.page)
    watched.page.goto(hash_path)
    every_card(watched.page)
    return watched, fake


def every_card(page: Page) -> None:
    """Waits for the first screen's cards, then scrolls to each card below it that is
    still waiting (they load when scrolled to) until every card has its figures."""
    page.locator(".view-reports[data-ready=true]").wait_for()
    page.wait_for_function(
        """() => {
            const view = document.querySelector('.view-reports[data-ready=true]');
            if (view?.dataset.complete === 'true') return true;
            for (const card of view?.querySelectorAll('.report-card[aria-busy]') ?? []) {
                card.scrollIntoView();
            }
            return false;
        }""",
        polling=100,
    )
    page.evaluate("() => window.scrollTo(0, 0)")


def rows(page: Page, selector: str) -> list[dict[str, str]]:
    """Each row of a figures table as its data attributes and cell texts."""
    result: list[dict[str, str]] = page.eval_on_selector_all(
        f"{selector} tbody tr",
        """rows => rows.map(r => ({
            key: r.dataset.key ?? r.dataset.agent, comparable: r.dataset.comparable ?? '',
            n: r.dataset.n ?? '', cells: [...r.children].map(c => c.textContent.trim()).join(' | '),
            value: r.querySelector('[data-value]')?.dataset.value ?? '',
            low: r.querySelector('[data-low]')?.dataset.low ?? '',
            high: r.querySelector('[data-high]')?.dataset.high ?? '',
        }))""",
    )
    return result


def test_compliance_chart_and_its_table_hold_the_fixture_figures(open_page: PageFactory) -> None:
    watched, _ = open_reports(open_page, "admin", TEAM_VIEW)
    page = watched.page
    data = fixture("compliance-team")
    expect(page.locator(".range-line")).to_contain_text("Tiimi 1, 2026-11")
    expect(page.locator("[data-evaluations]")).to_have_text(str(data["evaluations"]))
    expect(page.locator("[data-mean]")).to_have_text("84.17 p")
    figures = page.locator("#compliance")
    # The meaning of every figure is on the page.
    expect(figures.locator(".meaning")).to_contain_text("Compliance = Yes / (Yes + No)")
    expect(figures.locator(".meaning")).to_contain_text("95 % Wilson")
    for section in data["forms"][0]["sections"]:
        box = figures.locator(f'[data-section="{section["section_id"]}"]')
        svg = box.locator("svg[role=img]")
        expect(svg).to_have_attribute("aria-label", re.compile(section["title"]))
        box.locator("details > summary").click()
        got = {r["key"]: r for r in rows(page, f'[data-section="{section["section_id"]}"] table')}
        for c in section["criteria"]:
            row = got[f"asiakaspalvelu/{c['criterion_id']}"]
            rate = c["compliance"]
            assert row["n"] == str(rate["n"])
            assert row["comparable"] == str(rate["comparable"]).lower()
            assert row["value"] == (rate["rate"] or "")
            cells = row["cells"]
            assert cells.startswith(c["title"])
            assert f"| {c['yes']} | {c['no']} | {c['na']} | {rate['n']} |" in cells
            if rate["n"] == 0:
                assert "no answers" in cells
            elif not rate["comparable"]:
                # Too few: the figure and n, marked, no interval on the scale.
                assert "too few to compare" in cells
                assert row["low"] == rate["low"]
                assert "| – |" in cells
            else:
                assert f"{rate['low']}–{rate['high']} %" in cells
                assert "too few" not in cells
    # In the picture: the comparable bar is drawn on the scale, the too-few one hatched.
    tunnistus = figures.locator('g.row[data-key="asiakaspalvelu/tunnistus"]')
    expect(tunnistus.locator("rect.too-few")).to_have_count(1)
    expect(tunnistus.locator("rect.bar")).to_have_count(0)
    expect(tunnistus).to_contain_text("too few to compare · n = 3")
    expect(figures.locator('g.row[data-key="asiakaspalvelu/tervehdys"] rect.bar')).to_have_count(1)


def test_heatmap_marks_too_few_and_never_colours_it(open_page: PageFactory) -> None:
    watched, _ = open_reports(open_page, "admin", TEAM_VIEW)
    page = watched.page
    data = fixture("heatmap")
    card = page.locator("#heatmap")
    card.locator("details > summary").click()
    for agent in data["agents"]:
        for criterion, cell in zip(data["criteria"], agent["cells"], strict=True):
            key = f"{criterion['form_id']}/{criterion['criterion_id']}"
            td = card.locator(f'tr[data-agent="{agent["agent_id"]}"] td[data-criterion="{key}"]')
            drawn = card.locator(
                f'g.heat-cell[data-agent="{agent["agent_id"]}"][data-criterion="{key}"]'
            )
            fill = drawn.locator("rect").first.get_attribute("fill") or ""
            if cell is None or cell["n"] == 0:
                expect(td).to_have_text("no answers")
                assert drawn.get_attribute("data-state") == "empty"
                assert fill == "#ffffff"
            elif not cell["comparable"]:
                expect(td).to_have_class("too-few")
                expect(td).to_contain_text("too few to compare")
                expect(td).to_contain_text(f"n = {cell['n']}")
                assert drawn.get_attribute("data-state") == "too-few"
                assert fill.startswith("url(#hatch-"), fill
                expect(drawn).to_contain_text(f"n={cell['n']}")
            else:
                expect(td).to_contain_text(
                    f"{cell['rate']} % ({cell['low']}–{cell['high']} %, n = {cell['n']})"
                )
                assert td.get_attribute("data-value") == cell["rate"]
                assert drawn.get_attribute("data-state") == "rate"
                assert fill.startswith("#")
                assert fill != "#ffffff"
                expect(drawn).to_contain_text(cell["rate"])


def test_trend_breakdown_and_leaderboard_show_the_fixture(open_page: PageFactory) -> None:
    watched, fake = open_reports(open_page, "admin", TEAM_VIEW)
    page = watched.page
    data = fixture("trend")
    trend = page.locator("#trend")
    trend.locator("details > summary").click()
    got = {r["key"]: r for r in rows(page, "#trend table")}
    for point in data["points"]:
        row = got[point["label"]]
        average = point["average"]
        assert row["n"] == str(average["n"])
        assert row["value"] == average["mean"]
        if average["comparable"]:
            assert f"{average['low']}–{average['high']} p" in row["cells"]
        else:
            assert "too few to compare" in row["cells"]
    # The too-few month is a ring off the line, not a point on it.
    expect(trend.locator(".too-few-mark")).to_have_count(1)
    expect(trend.locator(".method")).to_contain_text(data["change"]["method"])
    expect(trend.locator(".change")).to_contain_text("Not a clear change.")
    assert fake.queries("trend")[0] == {
        "scope": "team:tiimi-1",
        "period": "month",
        "count": "6",
        "end": "2026-11",
    }
    # One criterion's compliance instead of the average, kept in the address.
    trend.get_by_label("Show").select_option("asiakaspalvelu/avoimet")
    page.wait_for_url("**criterion=asiakaspalvelu%2Favoimet**")
    every_card(page)
    page.locator("#trend details > summary").click()
    first = rows(page, "#trend table")[0]
    assert first["value"] == data["points"][0]["criteria"][1]["compliance"]["rate"]

    breakdown = {r["key"]: r for r in rows(page, "#breakdown table.figures-table[data-chart]")}
    for group in fixture("breakdown")["groups"]:
        assert breakdown[group["value"]]["value"] == group["average"]["mean"]
        assert (
            breakdown[group["value"]]["comparable"] == str(group["average"]["comparable"]).lower()
        )
    expect(page.locator(".breakdown-table td.too-few")).to_have_count(1)
    board = page.locator("#leaderboard table")
    expect(board.locator("tbody tr")).to_have_count(2)
    expect(board.locator('tr[data-agent="mittari"]')).to_contain_text("Full points in a row")
    expect(page.locator("#leaderboard")).to_contain_text("Ville (n = 3)")


def test_filters_round_trip_through_the_address(open_page: PageFactory) -> None:
    watched, fake = open_reports(open_page, "admin", TEAM_VIEW)
    page = watched.page
    form = page.locator(".report-filters")
    form.get_by_label("Whose figures").select_option("team:tiimi-2")
    form.get_by_label("Period kind").select_option("week")
    form.get_by_label("Period", exact=True).fill("2026-W45")
    form.get_by_label("Break down by").select_option("shift")
    form.get_by_label("Form").select_option("asiakaspalvelu")
    form.get_by_role("button", name="Show").click()
    page.wait_for_url("**range=week%3A2026-W45**")
    every_card(page)
    query = parse_qs(urlsplit(page.url).fragment.split("?", 1)[1])
    assert query == {
        "scope": ["team:tiimi-2"],
        "range": ["week:2026-W45"],
        "by": ["shift"],
        "form": ["asiakaspalvelu"],
    }
    assert fake.queries("compliance")[-1] == {
        "scope": "team:tiimi-2",
        "range": "week:2026-W45",
        "form": "asiakaspalvelu",
    }
    assert fake.queries("breakdown")[-1]["by"] == "shift"
    assert fake.queries("trend")[-1] == {
        "scope": "team:tiimi-2",
        "period": "week",
        "count": "6",
        "end": "2026-W45",
    }
    # The same address in a fresh page shows the same choices.
    again, _ = open_reports(open_page, "admin", "/#" + urlsplit(page.url).fragment)
    form = again.page.locator(".report-filters")
    expect(form.get_by_label("Whose figures")).to_have_value("team:tiimi-2")
    expect(form.get_by_label("Period kind")).to_have_value("week")
    expect(form.get_by_label("Period", exact=True)).to_have_value("2026-W45")
    expect(form.get_by_label("Break down by")).to_have_value("shift")
    expect(form.get_by_label("Form")).to_have_value("asiakaspalvelu")
    # ‹ goes to the week before, in the address.
    form.get_by_role("button", name="Previous period").click()
    again.page.wait_for_url("**range=week%3A2026-W44**")
    # A custom range that runs backwards is refused at the field.
    again.page.locator(".view-reports[data-ready=true]").wait_for()
    form = again.page.locator(".report-filters")
    form.get_by_label("Period kind").select_option("custom")
    form.get_by_label("First day").fill("2026-11-15")
    form.get_by_label("Last day").fill("2026-11-01")
    form.get_by_role("button", name="Show").click()
    expect(form.locator(".field-error")).to_be_visible()
    assert "week%3A2026-W44" in again.page.url


def test_a_heatmap_cell_drills_into_the_results_page(open_page: PageFactory) -> None:
    watched, _ = open_reports(open_page, "admin", TEAM_VIEW)
    page = watched.page
    page.locator(
        '#heatmap g.heat-cell[data-agent="aino"][data-criterion="asiakaspalvelu/tervehdys"]'
    ).click()
    page.wait_for_url("**#/results?**")
    query = parse_qs(urlsplit(page.url).fragment.split("?", 1)[1])
    assert query["agent"] == ["aino"]
    assert query["month"] == ["2026-11"]
    assert query["from"] == ["2026-11-01T00:00:00+02:00"]
    assert query["to"] == ["2026-12-01T00:00:00+02:00"]
    assert query["criterion"] == ["asiakaspalvelu/tervehdys"]
    expect(page.locator("[data-filtered]")).to_contain_text("that answered")
    # The table's link goes to the same place (for the keyboard and screen readers).
    page.go_back()
    every_card(page)
    page.locator("#heatmap details > summary").click()
    link = page.locator(
        '#heatmap tr[data-agent="aino"] td[data-criterion="asiakaspalvelu/tervehdys"] a'
    )
    href = link.get_attribute("href") or ""
    assert parse_qs(href.split("?", 1)[1]) == query


def test_downloads_carry_the_token_and_the_language(open_page: PageFactory, site: Site) -> None:
    watched, fake = open_reports(open_page, "admin", TEAM_VIEW)
    page = watched.page
    for format_ in ("csv", "xlsx"):
        with page.expect_download() as info:
            page.locator(f'#compliance button[data-format="{format_}"]').click()
        assert info.value.suggested_filename == f"laatu-compliance.{format_}"
        expect(page.locator("#compliance .download-status")).to_have_text(
            f"Saved laatu-compliance.{format_}."
        )
    files = [r for r in fake.requests if "format=" in r.url]
    assert [parse_qs(urlsplit(r.url).query)["format"][0] for r in files] == ["csv", "xlsx"]
    for request in files:
        query = parse_qs(urlsplit(request.url).query)
        assert query["lang"] == ["en"]
        assert query["scope"] == ["team:tiimi-1"]
        assert request.headers["authorization"].startswith("Bearer ")
        assert "token" not in request.url


def test_an_agent_sees_their_own_page_with_the_team_totals_and_suggestions(
    open_page: PageFactory,
) -> None:
    watched, fake = open_reports(open_page, "agent", "/#/reports", locale="fi-FI")
    page = watched.page
    expect(page.locator("h1")).to_have_text("Oma raporttini")
    assert fake.queries("compliance")[0]["scope"] == "agent:aino"
    assert any(q["scope"].startswith("team:") for q in fake.queries("compliance"))
    expect(page.locator("#heatmap")).to_have_count(0)
    expect(page.locator("#leaderboard")).to_have_count(0)
    expect(page.locator("#team")).to_contain_text("kenenkään omia lukuja ei näytetä")
    suggestion = page.locator('.suggestion[data-kind="below_team"]')
    expect(suggestion).to_contain_text("Kysy avoimia kysymyksiä")
    href = suggestion.locator("a").get_attribute("href") or ""
    query = parse_qs(href.split("?", 1)[1])
    assert query["agent"] == ["aino"]
    assert query["from"] == ["2026-11-01T00:00:00+02:00"]
    assert query["criterion"] == ["asiakaspalvelu/avoimet"]
    # An agent's own criterion rows drill into their evaluations too.
    page.locator('#compliance [data-section="avaus"] details > summary').click()
    link = page.locator('#compliance tr[data-key="asiakaspalvelu/tervehdys"] a')
    assert "criterion=asiakaspalvelu%2Ftervehdys" in (link.get_attribute("href") or "")
    # The nav has the page, for the agent too.
    expect(page.locator("#nav a[href='#/reports']")).to_have_attribute("aria-current", "page")


def test_a_team_leader_gets_the_teams_they_lead(open_page: PageFactory) -> None:
    watched, fake = open_reports(open_page, "evaluator", "/#/reports", locale="sv-FI")
    page = watched.page
    assert fake.queries("compliance")[0]["scope"] == "team:tiimi-1"
    options = page.locator(".report-filters select[name=scope] option")
    # Tiimi 2 is led by someone else; no tenant scope for a team leader.
    expect(options).to_have_text(["Team: Tiimi 1", "En kundtjänstmedarbetare (skriv id)"])
    expect(page.locator("#heatmap svg[role=img]")).to_have_count(1)


PAGES = [
    ("admin", "/#/reports?scope=tenant&range=month:2026-11&by=channel", "en-GB"),
    ("admin", TEAM_VIEW, "fi-FI"),
    ("evaluator", "/#/reports", "sv-FI"),
    ("agent", "/#/reports", "fi-FI"),
    ("agent", "/#/reports?scope=agent:aino&range=custom:2026-11-01..2026-11-15&by=method", "en-GB"),
]


@pytest.mark.parametrize(("role", "path", "locale"), PAGES)
def test_no_serious_or_critical_violations_on_the_report_pages(
    open_page: PageFactory, role: str, path: str, locale: str
) -> None:
    watched, _ = open_reports(open_page, role, path, locale=locale)
    for details in watched.page.locator("details.chart-table").all():
        details.locator("summary").click()
    assert blocking_violations(watched, f"{role}: {path}") == []
    # Every violation, of any impact, is one to fix on a new page.
    assert [v["id"] for v in watched.axe()] == []


def test_print_hides_the_menu_and_filters_and_opens_the_tables(open_page: PageFactory) -> None:
    watched, _ = open_reports(open_page, "admin", TEAM_VIEW)
    page = watched.page
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".report-filters")).to_be_hidden()
    expect(page.locator(".download-buttons").first).to_be_hidden()
    expect(page.locator("details.chart-table:not([open])")).to_have_count(0)
    # Nothing reaches past an A4 page's printable width (210 mm - 2 x 12 mm).
    page.set_viewport_size({"width": 703, "height": 1000})  # 186 mm at 96 dpi
    widest: float = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('.view-reports svg, .view-reports table')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= 703, widest


# What the report page adds to every page's first load (its modules, stylesheet,
# messages and the answers it fetches), uncompressed: a guard on its own growth.
REPORT_OWN_BUDGET_BYTES = 80 * 1024


WEIGHED_TENANT = "report-weight"


def _weighed_tenant(shared: Site) -> Site:
    """A tenant of its own, as a centre has it in its first month: the demo form, a
    team of two and a month of their evaluations. Weighed in the shared demo tenant,
    the page would carry whatever forms and data the tests before it left there."""
    from tests.browser.test_reports_live import month, post
    from tests.support import demo_form

    site = replace(shared, tenant=WEIGHED_TENANT)
    if site.api("GET", "/v1/forms/asiakaspalvelu", "admin")[0] == 404:
        site.expect(201, "POST", "/v1/forms", "admin", demo_form())
        site.expect(201, "POST", "/v1/forms/asiakaspalvelu/publish", "admin")
    site.expect(200, "PUT", "/v1/teams/tiimi-1", "admin", {"name": "Tiimi 1", "leaders": []})
    for agent in ("aino", "pekka"):
        body = {"name": agent.title(), "memberships": [{"team": "tiimi-1", "from": "2026-01-01"}]}
        site.expect(200, "PUT", f"/v1/agents/{agent}", "admin", body)
    for number in range(20):
        missed = {"ratkaisu": "no"} if number % 3 else {"kiitos": "no", "avoimet": "no"}
        agent = "aino" if number % 2 else "pekka"
        post(site, agent, f"weight-{number}", ("phone", "chat", "email")[number % 3], missed)
    deadline = time.monotonic() + 20
    query = f"scope=team:tiimi-1&range=month:{month()}"
    while site.expect(200, "GET", f"/v1/reports/compliance?{query}", "admin")["evaluations"] < 20:
        assert time.monotonic() < deadline, "the stream did not fold the evaluations in"
        time.sleep(0.2)
    return site


def test_first_load_of_the_report_page_is_local_and_within_budget(
    browser: Browser, site: Site
) -> None:
    """As measure.first_load holds the evaluation page (tests/bench/browser.py): an
    agent's first visit to the real reports API, nothing cached, signed in before the
    first byte, every request's body and headers counted, and the budget held on the
    bytes as the browser receives them from the local server, uncompressed (gzipped,
    as CloudFront's Compress sends them, is printed beside). The first load carries the
    report page's modules and none of the evaluation page's; the cards below the first
    screen load when scrolled to."""
    site = _weighed_tenant(site)
    context = browser.new_context(base_url=site.base, locale="fi-FI")
    session = json.dumps({"token": site.token("agent"), "refreshToken": None})
    context.add_init_script(f"localStorage.setItem('laatu.session', {json.dumps(session)})")
    page = context.new_page()
    finished: list[Request] = []
    page.on("requestfinished", lambda request: finished.append(request))
    try:
        page.goto("/#/reports")
        page.locator(".view-reports[data-ready=true]").wait_for()
        page.wait_for_load_state("networkidle")
        loads = []
        for request in list(finished):
            sizes = request.sizes()
            response = request.response()
            body = response.body() if response is not None else b""
            headers = sizes["responseHeadersSize"] + sizes["requestHeadersSize"]
            loads.append((request.url, len(body) + headers, len(gzip.compress(body, 6)) + headers))
        # Nothing is lost: scrolled to, the cards below load.
        every_card(page)
        expect(page.locator("#trend svg[role=img]")).to_have_count(1)
        expect(page.locator("#breakdown table[data-chart]")).to_have_count(1)
    finally:
        context.close()
    plain = sum(size for _, size, _ in loads)
    packed = sum(size for _, _, size in loads)
    own_paths = (
        "/js/views/reports",
        "/js/components/charts",
        "/js/components/line-chart",
        "/js/components/heatmap",
        "/js/api/reports",
        "/js/api/teams",
        "/js/messages/reports.",
        "/css/reports",
        "/v1/reports/",
        "/v1/teams",
    )
    own = sum(size for url, size, _ in loads if any(p in url for p in own_paths))
    print(
        f"[weight] report page first load: {plain / 1024:.1f} KB as served locally, "
        f"{packed / 1024:.1f} KB gzipped, over {len(loads)} requests; "
        f"the report page's own part {own / 1024:.1f} KB"
    )
    for url, size, zipped in sorted(loads, key=lambda item: -item[1]):
        print(f"[weight]   {size:7d} {zipped:7d} {url}")
    paths = [urlsplit(url).path for url, _, _ in loads]
    assert [url for url, _, _ in loads if not url.startswith(site.base + "/")] == []
    assert "/js/views/reports.js" in paths
    # Neither the evaluation page's modules nor what the first screen does not show.
    assert [
        p for p in paths if p.startswith(("/js/views/evaluate", "/js/components/criteria"))
    ] == []
    for later in (
        "/js/components/heatmap.js",
        "/js/views/reports/below.js",
        "/js/components/line-chart.js",
    ):
        assert later not in paths
    assert plain <= FIRST_LOAD_BUDGET_BYTES
    assert own <= REPORT_OWN_BUDGET_BYTES

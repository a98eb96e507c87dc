"""The pay pages as people use them. A QA manager sets the rules and the roster on
the Settings page (decimals typed the Finnish way), last month's evaluations are
posted through the API, "run now" on the Payroll exports page writes revision 1
(a month that has not ended is refused at the field), the history shows it and the
CSV downloaded through its link holds what the rules say. Payroll sees only its
download page and gets the same files. axe-core on each page."""

from __future__ import annotations

import csv
import io
import time
import urllib.request
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.browser.conftest import PageFactory
from tests.browser.support import Site, blocking_violations

HELSINKI = ZoneInfo("Europe/Helsinki")
FORM_ID = "asiakaspalvelu"


def last_month() -> tuple[str, str, str]:
    """(last month's label, this month's label, an instant mid-way through last month)."""
    today = datetime.now(HELSINKI).date()
    end = today.replace(day=1) - timedelta(days=1)
    moment = datetime(end.year, end.month, 15, 10, 0, tzinfo=HELSINKI)
    return f"{end:%Y-%m}", f"{today:%Y-%m}", moment.isoformat()


def evaluate(site: Site, agent: str, contact: str, when: str, changes: dict[str, str]) -> str:
    form = site.expect(200, "GET", f"/v1/forms/{FORM_ID}", "evaluator")
    ids = [c["id"] for s in form["published"]["sections"] for c in s["criteria"]]
    stored = site.expect(
        201,
        "POST",
        "/v1/evaluations",
        "evaluator",
        {
            "form_id": FORM_ID,
            "form_version": form["latest_version"],
            "agent_id": agent,
            "contact": {"channel": "phone", "id": contact, "occurred_at": when},
            "method": "recording",
            "answers": {i: changes.get(i, "yes") for i in ids},
        },
    )
    score: str = stored["score"]["overall"]
    return score


def wait_for_figures(site: Site, period: str, expected: dict[str, int]) -> None:
    """Until the stream has folded the evaluations into the month's figures."""
    deadline = time.monotonic() + 15
    while True:
        counts = {
            agent: site.expect(200, "GET", f"/v1/agents/{agent}/summary?period={period}", "admin")[
                "evaluations"
            ]
            for agent in expected
        }
        if counts == expected:
            return
        assert time.monotonic() < deadline, f"figures {counts}, expected {expected}"
        time.sleep(0.1)


def payroll_rows(data: bytes) -> dict[str, dict[str, str]]:
    return {r["agent_id"]: r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}


def add_agent(page: Page, agent_id: str, name: str, team: str, payroll_id: str) -> None:
    form = page.locator(".agent-form")
    form.get_by_label("Tunnus", exact=True).fill(agent_id)
    form.get_by_label("Nimi", exact=True).fill(name)
    form.get_by_label("Tiimi", exact=True).fill(team)
    form.get_by_label("Palkkatunnus", exact=True).fill(payroll_id)
    form.get_by_role("button", name="Tallenna", exact=True).click()
    expect(form.locator(".editor-status")).to_have_text(f"{agent_id} tallennettu.")


def set_rules_and_roster(page: Page, site: Site) -> None:
    page.goto("/#/settings")
    expect(page.get_by_role("heading", name="Palkkioiden säännöt")).to_be_visible()
    page.get_by_label("Pisteytettyjä arviointeja vähintään").fill("2")
    add_tier = page.get_by_role("button", name="Lisää taso")
    add_tier.click()
    expect(page.get_by_label("Tason 1 nimi")).to_be_focused()
    page.get_by_label("Tason 1 nimi").fill("kulta")
    page.get_by_label("Tason 1 vähimmäiskeskiarvo (%)").fill("90")
    page.get_by_label("Tason 1 summa").fill("200,001")  # three decimals: refused here
    add_tier.click()
    page.get_by_label("Tason 2 nimi").fill("hopea")
    page.get_by_label("Tason 2 vähimmäiskeskiarvo (%)").fill("87,5")
    page.get_by_label("Tason 2 summa").fill("100")
    page.get_by_role("button", name="Tallenna säännöt").click()
    amount = page.get_by_label("Tason 1 summa")
    expect(amount).to_be_focused()
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(page.locator('[data-field="incentives.tiers[0].amount"] .field-error')).to_contain_text(
        "enintään kahdella desimaalilla"
    )
    amount.fill("200,00")
    page.get_by_role("button", name="Tallenna säännöt").click()
    note = page.locator(".saved-note")
    expect(note).to_contain_text("Tallennettu versiona 1.")
    expect(note).to_contain_text("voimassa kaikilla palkkajaksoilla")
    expect(page.locator('[data-revision="1"]')).to_contain_text("voimassa")
    stored = site.expect(200, "GET", "/v1/settings", "admin")
    assert stored["incentives"] == {
        "min_scored": 2,
        "tiers": [
            {"name": "kulta", "min_average": "90", "amount": "200.00"},
            {"name": "hopea", "min_average": "87.5", "amount": "100.00"},
        ],
    }
    # The form shows the saved decimals the Finnish way.
    page.reload()
    expect(page.get_by_label("Tason 2 vähimmäiskeskiarvo (%)")).to_have_value("87,5")

    add_agent(page, "palkka-a", "Aino Palkka", "tiimi-1", "E-1001")
    add_agent(page, "palkka-c", "Cecilia Palkka", "tiimi-1", "E-1003")
    add_agent(page, "palkka-d", "Dora Poissa", "tiimi-2", "E-1004")
    page.get_by_role("button", name="Muokkaa Dora Poissa").click()
    form = page.locator(".agent-form")
    expect(form.get_by_label("Tunnus", exact=True)).to_have_js_property("readOnly", True)
    form.get_by_label("Aktiivinen (jokaisessa viennissä)").uncheck()
    form.get_by_label("Tiimi", exact=True).fill("tiimi-3")
    form.get_by_role("button", name="Tallenna", exact=True).click()
    expect(page.get_by_role("button", name="Muokkaa Dora Poissa")).to_be_focused()
    row = page.locator('tr[data-agent="palkka-d"]')
    expect(row).to_contain_text("tiimi-3")
    expect(row).to_contain_text("Ei aktiivinen")
    agents = {a["agent_id"]: a for a in site.expect(200, "GET", "/v1/agents", "admin")["items"]}
    assert agents["palkka-a"]["payroll_id"] == "E-1001"
    assert agents["palkka-d"]["active"] is False


def test_a_manager_sets_the_rules_runs_an_export_and_downloads_it(
    open_page: PageFactory, site: Site
) -> None:
    period, this_month, moment = last_month()
    watched = open_page("admin", locale="fi-FI")
    page = watched.page
    expect(page.locator("#nav a")).to_have_text(
        ["Lomakkeet", "Tulokset", "Raportit", "Lataa erä", "Palkkaviennit", "Asetukset"]
    )
    set_rules_and_roster(page, site)
    blocking = {"settings": blocking_violations(watched, "admin: settings")}

    # palkka-b is on the roster without the page, so an evaluation of them is accepted.
    site.expect(200, "PUT", "/v1/agents/palkka-b", "admin", {"payroll_id": "E-1002"})
    # Last month: palkka-a 100 and 80 (average 90.00, kulta), palkka-b one only.
    assert evaluate(site, "palkka-a", "pay-1", moment, {}) == "100.00"
    assert evaluate(site, "palkka-a", "pay-2", moment, {"ratkaisu": "no", "lisamyynti": "na"}) == (
        "80.00"
    )
    assert evaluate(site, "palkka-b", "pay-3", moment, {}) == "100.00"
    wait_for_figures(site, period, {"palkka-a": 2, "palkka-b": 1})

    page.get_by_role("link", name="Palkkaviennit").click()
    period_input = page.get_by_label("Palkkajakso")
    expect(period_input).to_have_value(period)  # the last period that has ended
    run = page.locator(".run-form").get_by_role("button", name="Vie nyt")
    period_input.fill(this_month)
    run.click()
    refusal = page.locator('.run-form [data-field="period"] .field-error')
    expect(refusal).to_contain_text("Jakso ei ole vielä päättynyt")
    expect(refusal).to_contain_text("alkaen")
    expect(period_input).to_be_focused()

    period_input.fill(period)
    run.click()
    expect(page.locator(".run-form .editor-status")).to_have_text(
        f"Jaksosta {period} kirjoitettiin versio 1."
    )
    card = page.locator(f'.export-period[data-period="{period}"]')
    expect(card.locator(".badge")).to_have_text("Valmis")
    expect(card.locator("tbody tr")).to_have_count(1)
    listed = site.expect(200, "GET", "/v1/exports", "admin")["items"]
    history = next(item for item in listed if item["period"] == period)
    assert history["latest_revision"] == 1
    rows_cell = card.locator('tr[data-revision="1"] td.num').first
    expect(rows_cell).to_have_text(str(history["revisions"][0]["rows"]))

    # The links are fetched on every click, never kept.
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if f"/v1/exports/{period}" in r.url else None)
    card.get_by_role("button", name=f"Latauslinkit {period}").click()
    link = card.locator('a[data-file="payroll.csv"][data-revision="1"]')
    expect(link).to_be_visible()
    expect(card.locator(".file-links a")).to_have_count(3)  # csv, jsonl, manifest
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"laatu-demo-{period}-r1-payroll.csv"
    with open(download.value.path(), "rb") as saved:
        data = saved.read()
    rows = payroll_rows(data)
    assert len(rows) == history["revisions"][0]["rows"]
    a, b, c = rows["palkka-a"], rows["palkka-b"], rows["palkka-c"]
    assert (a["payroll_id"], a["evaluations"], a["scored_evaluations"]) == ("E-1001", "2", "2")
    assert (a["average_score"], a["tier"], a["incentive_amount"]) == ("90.00", "kulta", "200.00")
    assert (a["currency"], a["period"], a["revision"]) == ("EUR", period, "1")
    assert (b["payroll_id"], b["evaluations"], b["tier"]) == ("E-1002", "1", "")
    assert b["incentive_amount"] == "0.00"
    assert (c["payroll_id"], c["evaluations"], c["tier"]) == ("E-1003", "0", "")
    assert "palkka-d" not in rows  # inactive, no evaluations
    card.get_by_role("button", name=f"Latauslinkit {period}").click()
    expect(link).to_be_visible()
    assert len(asked) == 2

    # Again: nothing has changed, so revision 1 still holds.
    card.get_by_role("button", name=f"Vie nyt {period}").click()
    card = page.locator(f'.export-period[data-period="{period}"]')
    expect(card.locator(".card-status")).to_have_text(
        f"Mikään ei ole muuttunut: jakson {period} versio 1 on yhä voimassa."
    )
    expect(card.get_by_role("button", name=f"Vie nyt {period}")).to_be_focused()
    card.get_by_role("button", name=f"Latauslinkit {period}").click()
    expect(card.locator(".file-links a").first).to_be_visible()
    blocking["exports"] = blocking_violations(watched, "admin: exports with links")
    assert blocking == {"settings": [], "exports": []}


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - moto's loopback link
        body: bytes = response.read()
    return body


def test_payroll_sees_only_its_download_page_and_gets_the_files(
    open_page: PageFactory, site: Site
) -> None:
    period, _, _ = last_month()
    # Exported already by the test above, or now: a run of an unchanged period changes nothing.
    run: dict[str, Any] = site.expect(200, "POST", f"/v1/exports/{period}/run", "admin")
    assert run["outcome"] in ("written", "unchanged")
    watched = open_page("payroll", locale="sv-FI")
    page = watched.page
    expect(page).to_have_url("/#/payroll")
    expect(page.locator("#nav a")).to_have_text(["Lönefiler"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Lönefiler")

    period_input = page.get_by_label("Löneperiod")
    period_input.fill("2019-01")
    page.get_by_role("button", name="Visa filerna").click()
    expect(page.locator(".export-files .notice")).to_have_text("2019-01 har inte exporterats ännu.")

    month, year = period[5:], period[:4]
    period_input.fill(f"{month}/{year}")  # typed the Finnish way
    page.get_by_role("button", name="Visa filerna").click()
    expect(period_input).to_have_value(period)
    link = page.locator('a[data-file="payroll.csv"]').first
    expect(link).to_be_visible()
    expect(page.locator(".export-files [role=status]")).to_contain_text("Länkarna fungerar till")
    href = link.get_attribute("href")
    assert href is not None
    data = fetch(href)
    assert data.startswith(b"tenant,period,period_start,period_end,agent_id,payroll_id,")
    assert all(r["tenant"] == "demo" and r["period"] == period for r in payroll_rows(data).values())
    assert blocking_violations(watched, "payroll: download page with links") == []

    # The manager's pages are not for payroll, even by address.
    page.goto("/#/exports")
    expect(page.locator("main")).to_contain_text("Endast en kvalitetschef ser löneexporterna.")
    expect(page.locator("#nav a")).to_have_text(["Lönefiler"])
    # The page's own messages follow the language switch.
    page.get_by_role("link", name="Lönefiler").click()
    page.locator("#lang").select_option("fi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Palkkatiedostot")
    expect(page.get_by_role("button", name="Näytä tiedostot")).to_be_visible()

"""The whole way through, as people do it: a QA manager builds and publishes a form
in the editor, an evaluator evaluates a contact with the keyboard only (in Finnish,
reloading half-way), the stored score is checked through the API, and the agent
finds it under My results (in Swedish) and starts a self-evaluation."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import PageFactory
from tests.browser.support import Site
from tests.browser.test_scoring_parity import server_report

FORM_ID = "puhelu"
HELSINKI = ZoneInfo("Europe/Helsinki")


def sign_in_by_pasting(page: Page, token: str) -> None:
    page.goto("/")
    expect(page).to_have_url("/#/signin")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who .who-user")).to_be_visible()


def field(page: Page, name: str, control: str = "input") -> Locator:
    return page.locator(f'[data-field="{name}"] {control}').first


def build_and_publish_the_form(page: Page, site: Site) -> dict[str, Any]:
    sign_in_by_pasting(page, site.token("admin"))
    expect(page).to_have_url("/#/forms")
    page.get_by_role("link", name="New form").click()
    field(page, "form_id").fill(FORM_ID)
    field(page, "name").fill("Puhelun laatu")
    field(page, "sections[0].title").fill("Avaus")
    field(page, "sections[0].criteria[0].text", "textarea").fill("Tervehtii")
    add_criterion = page.get_by_role("button", name="Add a criterion")
    add_criterion.first.click()
    field(page, "sections[0].criteria[1].text", "textarea").fill("Tunnistaa asiakkaan")
    field(page, "sections[0].criteria[1].points").fill("2")
    field(page, "sections[0].criteria[1].critical").check()
    add_criterion.first.click()
    field(page, "sections[0].criteria[2].text", "textarea").fill("Kuuntelee")
    field(page, "sections[0].criteria[2].na_allowed").uncheck()
    page.get_by_role("button", name="Add a section").click()
    field(page, "sections[1].title").fill("Lopetus")
    field(page, "sections[1].criteria[0].text", "textarea").fill("Yhteenveto")
    field(page, "sections[1].criteria[0].points").fill("3")
    add_criterion.nth(1).click()
    field(page, "sections[1].criteria[1].text", "textarea").fill("Kiittää")
    field(page, "sections[1].criteria[1].na_allowed").uncheck()
    # Reorder: "Kuuntelee" before "Tunnistaa asiakkaan"; focus stays on the moved item.
    page.get_by_role("button", name="Move Criterion 1.3 up").click()
    expect(field(page, "sections[0].criteria[1].text", "textarea")).to_have_value("Kuuntelee")
    expect(page.get_by_role("button", name="Move Criterion 1.2 up")).to_be_focused()
    # Weights, typed with a decimal comma as people here do.
    page.get_by_label("Weight the sections").check()
    field(page, "sections[0].weight").fill("0,5")
    field(page, "sections[1].weight").fill("1.5")
    # The preview scores like the real page.
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".preview")
    expect(preview.locator(".criterion")).to_have_count(5)
    preview.locator(".criterion").first.get_by_role("radio", name="Yes").check()
    expect(preview.locator("[data-live-score]")).to_have_text("100.00 %")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".editor-status")).to_have_text("Draft saved")
    expect(page).to_have_url(f"/#/forms/{FORM_ID}")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".editor-status")).to_have_text("Version 1 published")
    expect(page.locator(".versions-list li")).to_have_count(1)

    stored = site.expect(200, "GET", f"/v1/forms/{FORM_ID}", "evaluator")
    assert stored["latest_version"] == 1
    definition: dict[str, Any] = stored["published"]
    assert [s["weight"] for s in definition["sections"]] == [0.5, 1.5]
    assert [[c["id"] for c in s["criteria"]] for s in definition["sections"]] == [
        ["tervehtii", "kuuntelee", "tunnistaa-asiakkaan"],
        ["yhteenveto", "kiittaa"],
    ]
    first = definition["sections"][0]["criteria"]
    assert first[1]["na_allowed"] is False
    assert first[2] == {
        "id": "tunnistaa-asiakkaan",
        "text": "Tunnistaa asiakkaan",
        "points": 2,
        "critical": True,
        "na_allowed": True,
    }
    return definition


def focused(page: Page) -> str:
    script = "() => document.activeElement.dataset.criterion || document.activeElement.tagName"
    result: str = page.evaluate(script)
    return result


def evaluate_with_the_keyboard(page: Page) -> None:
    """Only key presses from here to the stored evaluation."""
    keys = page.keyboard
    page.goto("/#/evaluate")
    expect(page.get_by_role("heading", name="Arvioi kontakti")).to_be_visible()
    for _ in range(10):  # Tab to the form's link, as a person would
        if "Puhelun laatu" in page.evaluate("() => document.activeElement.textContent"):
            break
        keys.press("Tab")
    keys.press("Enter")
    expect(page.get_by_role("heading", name="Puhelun laatu")).to_be_visible()
    expect(field(page, "agent_id")).to_be_focused()
    keys.type("aino")
    keys.press("Tab")
    keys.type("puhelu-1")
    for _ in range(4):  # the contact time (now, prefilled), channel, method, recording
        keys.press("Tab")
    keys.type("https://tallenteet.example/puhelu-1")
    keys.press("Tab")
    assert focused(page) == "tervehtii"
    keys.press("k")  # kyllä
    assert focused(page) == "kuuntelee"
    keys.press("o")  # ohita: not allowed here, nothing happens
    assert focused(page) == "kuuntelee"
    expect(page.locator("#announcer")).to_have_text("Tätä kriteeriä ei voi ohittaa.")
    keys.press("e")  # ei
    assert focused(page) == "tunnistaa-asiakkaan"
    keys.press("Tab")  # into the criterion's comment
    keys.type("Tunnisti vasta toisella kysymyksellä.")
    keys.press("Shift+Tab")
    keys.press("k")
    assert focused(page) == "yhteenveto"
    expect(page.locator("[data-live-score]")).to_have_text("75,00 %")


def reload_and_find_the_draft(page: Page) -> None:
    page.reload()
    expect(page.get_by_text("jatkat luonnosta")).to_be_visible()
    expect(field(page, "agent_id")).to_have_value("aino")
    expect(field(page, "contact.id")).to_have_value("puhelu-1")
    expect(field(page, "comments.tunnistaa-asiakkaan", "textarea")).to_have_value(
        "Tunnisti vasta toisella kysymyksellä."
    )
    checked = page.locator("input[type=radio]:checked")
    expect(checked).to_have_count(3)
    assert focused(page) == "yhteenveto"  # the first unanswered criterion


def finish_and_submit(page: Page) -> tuple[str, float]:
    keys = page.keyboard
    keys.press("o")  # yhteenveto: N/A
    keys.press("k")  # kiittää
    expect(field(page, "summary", "textarea")).to_be_focused()
    keys.type("Hyvä puhelu, tunnistus hitaasti.")
    # Weighted: (0.5 × 3/4 + 1.5 × 1/1) / 2 = 93.75 %
    expect(page.locator("[data-live-score]")).to_have_text("93,75 %")
    started = time.perf_counter()
    keys.press("Control+Enter")
    stored = page.locator("[data-stored-evaluation]")
    expect(stored).to_be_visible()
    elapsed = time.perf_counter() - started
    expect(stored.locator("[data-score]")).to_have_text("93,75 %")
    evaluation_id = stored.get_attribute("data-evaluation-id")
    assert evaluation_id
    drafts = page.evaluate(
        "() => Object.keys(localStorage).filter((k) => k.startsWith('laatu.draft.'))"
    )
    assert drafts == []
    return evaluation_id, elapsed


def check_through_the_api(site: Site, evaluation_id: str, definition: dict[str, Any]) -> None:
    stored = site.expect(200, "GET", f"/v1/evaluations/{evaluation_id}", "evaluator")
    answers = {
        "tervehtii": "yes",
        "kuuntelee": "no",
        "tunnistaa-asiakkaan": "yes",
        "yhteenveto": "na",
        "kiittaa": "yes",
    }
    assert stored["answers"] == answers
    assert stored["score"] == server_report(definition, answers)
    assert stored["score"]["overall"] == "93.75"
    assert stored["comments"] == {"tunnistaa-asiakkaan": "Tunnisti vasta toisella kysymyksellä."}
    assert stored["summary"] == "Hyvä puhelu, tunnistus hitaasti."
    assert stored["method"] == "live"
    assert stored["evaluator"] == "eero.evaluator"
    contact = stored["contact"]
    assert contact["id"] == "puhelu-1"
    assert contact["recording_url"] == "https://tallenteet.example/puhelu-1"
    # The prefilled time is now on Helsinki's clock, sent with Helsinki's offset.
    occurred = datetime.fromisoformat(contact["occurred_at"])
    now = datetime.now(HELSINKI)
    assert occurred.utcoffset() == now.utcoffset()
    assert timedelta(0) <= now - occurred < timedelta(minutes=5)
    page = site.expect(200, "GET", "/v1/evaluations?agent_id=aino", "evaluator")
    assert [e["evaluation_id"] for e in page["items"] if e["contact"]["id"] == "puhelu-1"] == [
        evaluation_id
    ]


def see_it_under_my_results(page: Page, site: Site, evaluation_id: str) -> None:
    page.goto("/")
    expect(page).to_have_url("/#/results")
    expect(page.get_by_role("heading", name="Mina resultat")).to_be_visible()
    row = page.locator(f'details[data-evaluation-id="{evaluation_id}"]')
    deadline = time.monotonic() + 15
    # The stream folds the evaluation into the month a moment after it is stored.
    while not (row.count() and page.locator('[data-count="0"]').count() == 0):
        assert time.monotonic() < deadline, "the evaluation never reached My results"
        page.wait_for_timeout(300)
        page.reload()
        page.locator(".results .card").first.wait_for()
    # Other tests may have evaluated aino this month too: the page shows the API's figure.
    month = datetime.now(HELSINKI).strftime("%Y-%m")
    summary = site.expect(200, "GET", f"/v1/agents/aino/summary?period={month}", "agent")
    average = summary["average_score"].replace(".", ",")
    expect(page.locator("[data-average]")).to_have_text(f"{average} %")
    expect(row.locator("[data-score]")).to_have_text("93,75 %")
    row.locator("summary").click()
    expect(row.get_by_text("Tunnisti vasta toisella kysymyksellä.")).to_be_visible()
    rates = page.locator("table.rates")
    expect(rates.locator('tr[data-criterion="kuuntelee"] td').nth(2)).to_have_text("0,00 %")
    expect(rates.locator('tr[data-criterion="tervehtii"] td').nth(2)).to_have_text("100,00 %")
    expect(rates.locator('tr[data-criterion="tervehtii"] th')).to_have_text("Tervehtii")


def start_a_self_evaluation(page: Page, site: Site) -> None:
    page.get_by_role("link", name="Börja en självbedömning").click()
    page.get_by_role("link", name="Puhelun laatu").click()
    expect(field(page, "agent_id")).to_have_value("aino")
    expect(field(page, "method")).to_have_value("Självbedömning")
    expect(field(page, "contact.id")).to_be_focused()
    keys = page.keyboard
    keys.type("sjalv-1")
    for _ in range(5):  # time, channel, method, recording, first criterion
        keys.press("Tab")
    for key in "jnjhj":  # ja, nej, ja, hoppa över, ja
        keys.press(key)
    keys.press("Control+Enter")
    stored = page.locator("[data-stored-evaluation]")
    expect(stored).to_be_visible()
    evaluation_id = stored.get_attribute("data-evaluation-id")
    evaluation = site.expect(200, "GET", f"/v1/evaluations/{evaluation_id}", "agent")
    assert evaluation["method"] == "self"
    assert evaluation["agent_id"] == "aino"
    assert evaluation["answers"]["yhteenveto"] == "na"
    expect(stored.get_by_text("Självbedömning")).to_be_visible()


def test_from_the_editor_to_my_results(open_page: PageFactory, site: Site) -> None:
    admin = open_page(None, locale="en-GB").page
    definition = build_and_publish_the_form(admin, site)

    evaluator = open_page("evaluator", locale="fi-FI").page
    evaluate_with_the_keyboard(evaluator)
    reload_and_find_the_draft(evaluator)
    evaluation_id, elapsed = finish_and_submit(evaluator)
    check_through_the_api(site, evaluation_id, definition)
    print(f"[journey] submit to stored evaluation shown: {elapsed * 1000:.0f} ms")

    agent = open_page("agent", locale="sv-FI").page
    see_it_under_my_results(agent, site, evaluation_id)
    start_a_self_evaluation(agent, site)

"""The evaluation page when things go wrong and on other screens: a connection that
drops, the server refusing a field, N/A where it is not allowed, other languages,
a tablet, signing in and out."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Page, Request, Route, expect

from tests.browser.conftest import PageFactory
from tests.browser.support import Site

DEMO_FORM = "asiakaspalvelu"
# Criteria of the demo form (shared/data/demo-form.fi.json) that cannot be N/A.
NOT_NA = {"kuuntelu", "kirjaus", "kiitos"}


def start(page: Page, agent: str, contact: str) -> None:
    page.goto(f"/#/evaluate/{DEMO_FORM}")
    page.locator('[data-field="agent_id"] input').fill(agent)
    page.locator('[data-field="contact.id"] input').fill(contact)


def answer_all(page: Page, key: str = "y") -> None:
    page.locator(".criterion input[type=radio]").first.focus()
    for _ in range(page.locator(".criterion").count()):
        page.keyboard.press(key)


def evaluations_of(site: Site, agent: str, contact: str) -> list[dict[str, Any]]:
    listing = site.expect(200, "GET", f"/v1/evaluations?agent_id={agent}", "evaluator")
    return [e for e in listing["items"] if e["contact"]["id"] == contact]


def test_a_lost_answer_is_retried_with_the_same_key_and_stored_once(
    open_page: PageFactory, site: Site
) -> None:
    page = open_page("evaluator").page
    keys: list[str] = []
    replayed: list[str | None] = []

    def flaky(route: Route, request: Request) -> None:
        if request.method != "POST":
            route.continue_()
            return
        keys.append(request.headers["idempotency-key"])
        if len(keys) == 1:
            route.fetch()  # the server stores it...
            route.abort("connectionreset")  # ...and the answer is lost on the way back
        else:
            response = route.fetch()
            replayed.append(response.headers.get("idempotent-replayed"))
            route.fulfill(response=response)

    page.route("**/v1/evaluations", flaky)
    start(page, "ville", "flaky-1")
    answer_all(page)
    page.keyboard.press("Control+Enter")
    expect(page.locator("[data-stored-evaluation]")).to_be_visible()
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert replayed == ["true"]
    assert len(evaluations_of(site, "ville", "flaky-1")) == 1


def test_offline_the_draft_waits_and_goes_once_back_online(
    open_page: PageFactory, site: Site
) -> None:
    watched = open_page("evaluator")
    page = watched.page
    start(page, "ville", "offline-1")
    answer_all(page, "k")
    page.locator('[data-field="comments.kiitos"] textarea').fill("Lämmin lopetus")
    draft_key = "laatu.draft.demo/eero.evaluator/eval/asiakaspalvelu"
    key_before = json.loads(page.evaluate(f"() => localStorage.getItem('{draft_key}')"))[
        "idempotencyKey"
    ]
    page.context.set_offline(True)
    page.keyboard.press("Control+Enter")
    expect(page.locator(".error-box")).to_contain_text("yhteys katkesi", timeout=15_000)
    expect(page.locator(".error-box")).to_be_focused()
    page.context.set_offline(False)
    page.reload()
    expect(page.locator('[data-field="comments.kiitos"] textarea')).to_have_value("Lämmin lopetus")
    expect(page.locator("input[type=radio]:checked")).to_have_count(11)
    sent: list[str] = []
    page.on(
        "request",
        lambda r: sent.append(r.headers.get("idempotency-key", "")) if r.method == "POST" else None,
    )
    page.keyboard.press("Control+Enter")
    expect(page.locator("[data-stored-evaluation]")).to_be_visible()
    assert sent == [key_before]
    stored = evaluations_of(site, "ville", "offline-1")
    assert len(stored) == 1
    assert stored[0]["comments"] == {"kiitos": "Lämmin lopetus"}
    watched.problems.clear()  # the offline fetches are logged as errors on purpose


def test_errors_are_shown_next_to_the_field_they_name(open_page: PageFactory) -> None:
    page = open_page("evaluator", locale="en-GB").page
    start(page, "ville", "errors-1")
    # Before asking the server: every unanswered criterion is marked, focus on the first.
    page.locator(".criterion input[type=radio]").first.focus()
    for key in "yyy":
        page.keyboard.press(key)
    page.keyboard.press("Control+Enter")
    unanswered = page.locator('.criterion [data-field^="answers."] .field-error')
    expect(unanswered).to_have_count(8)
    assert page.evaluate("() => document.activeElement.dataset.criterion") == "kuuntelu"
    answer_all(page)
    expect(page.locator(".field-error")).to_have_count(8)  # still shown until the next try
    # The server refuses the recording link: its message goes under that field.
    link = page.locator('[data-field="contact.recording_url"] input')
    link.fill("ftp://example.invalid/1")
    page.keyboard.press("Control+Enter")
    error = page.locator('[data-field="contact.recording_url"] .field-error')
    expect(error).to_contain_text("does not match")
    expect(page.locator(".field-error")).to_have_count(1)
    expect(link).to_have_attribute("aria-invalid", "true")
    expect(link).to_be_focused()
    described = link.get_attribute("aria-describedby") or ""
    assert error.get_attribute("id") in described.split()


def test_na_is_offered_only_where_the_form_allows_it(open_page: PageFactory) -> None:
    page = open_page("evaluator", locale="en-GB").page
    start(page, "ville", "na-1")
    for block in page.locator(".criterion").all():
        criterion = block.get_attribute("data-criterion-block")
        names = [r.get_attribute("value") for r in block.locator("input[type=radio]").all()]
        assert names == (["yes", "no"] if criterion in NOT_NA else ["yes", "no", "na"])


def test_language_comes_from_the_browser_and_the_switch(open_page: PageFactory) -> None:
    page = open_page("evaluator", locale="sv-FI").page
    page.goto(f"/#/evaluate/{DEMO_FORM}")
    expect(page.get_by_role("button", name=re.compile("Skicka bedömningen"))).to_be_visible()
    page.locator(".criterion input[type=radio]").first.focus()
    for key in "jjn":  # 1 + 2 points yes, 2 points no (the second is critical: keep it yes)
        page.keyboard.press(key)
    expect(page.locator("[data-live-score]")).to_have_text("60,00 %")
    page.get_by_label("Språk").select_option("en")
    expect(page.get_by_role("button", name=re.compile("Submit evaluation"))).to_be_visible()
    expect(page.locator("[data-live-score]")).to_have_text("60.00 %")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("fi")
    expect(page.locator("[data-live-score]")).to_have_text("60,00 %")
    expect(page.locator(".draft-state")).to_contain_text(re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}"))


def test_tablet_width_keeps_the_score_in_view_and_nothing_overflows(
    open_page: PageFactory,
) -> None:
    page = open_page("evaluator", width=768, height=1024).page
    start(page, "ville", "tablet-1")
    panel = page.locator(".score-panel").bounding_box()
    first = page.locator(".criterion").first.bounding_box()
    assert panel is not None
    assert first is not None
    assert panel["y"] < first["y"]
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    page.locator(".criterion input[type=radio]").last.focus()  # far down the page
    assert (
        page.evaluate("() => document.querySelector('.score-panel').getBoundingClientRect().top")
        <= 1
    )


def test_sign_in_refuses_a_bad_token_and_sign_out_keeps_drafts(
    open_page: PageFactory, site: Site
) -> None:
    page = open_page(None, locale="en-GB").page
    page.goto("/")
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    page.get_by_label("Token").fill("not-a-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator('[data-field="token"] .field-error')).to_contain_text("not a token")
    forged = site.token("evaluator")[:-4] + "AAAA"
    page.get_by_label("Token").fill(forged)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator('[data-field="token"] .field-error')).to_contain_text("did not accept")
    page.get_by_label("Token").fill(site.token("evaluator"))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who")).to_contain_text("eero.evaluator")
    expect(page.locator("#who")).to_contain_text("demo")
    expect(page.locator("#who")).to_contain_text("evaluator")
    start(page, "ville", "signout-1")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/#/signin")
    assert page.evaluate("() => localStorage.getItem('laatu.session')") is None
    assert page.evaluate(
        "() => Object.keys(localStorage).some((k) => k.startsWith('laatu.draft.'))"
    )


def test_contact_time_is_read_on_the_tenants_clock(open_page: PageFactory, site: Site) -> None:
    """The zone comes from GET /v1/settings; here a tenant in New York, on the night
    its clocks go back (1 Nov 2026): 01:30 happens twice and means the first one."""
    page = open_page(None, locale="en-GB").page
    page.route(
        "**/v1/settings",
        lambda route: route.fulfill(
            content_type="application/json", body=json.dumps({"time_zone": "America/New_York"})
        ),
    )
    page.goto(f"/#token={site.token('evaluator')}")
    page.locator("#who .who-user").wait_for()
    start(page, "ville", "new-york-1")
    when = page.locator('[data-field="contact.occurred_at"] input')
    hint = page.locator('[data-field="contact.occurred_at"] .hint')
    expect(hint).to_contain_text("America/New_York")
    when.fill("2.11.2026 10.15")
    expect(hint).to_contain_text("(UTC-05:00)")
    when.fill("1.11.2026 1.30")
    expect(hint).to_contain_text("(UTC-04:00)")
    when.fill("yesterday")
    expect(hint).to_contain_text("Not understood yet.")
    when.fill("2026-11-01 01:30")
    answer_all(page)
    page.keyboard.press("Control+Enter")
    expect(page.locator("[data-stored-evaluation]")).to_be_visible()
    [stored] = evaluations_of(site, "ville", "new-york-1")
    assert stored["contact"]["occurred_at"] == "2026-11-01T01:30:00-04:00"

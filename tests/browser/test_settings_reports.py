"""The settings page's report settings (reports in settings.schema.json) in Chromium on
the local stack: the shift bands and the rankings are saved with the rest of the
settings and read back after a reload; two bands starting at the same time are the
API's to refuse, and the page shows its answer at the bands; axe-core finds nothing.
The test keeps to a tenant of its own, so the demo tenant's revisions and shift
bands stay as the other tests expect them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Browser, Page, Route, expect

from chalicelib.adapters.tokens import issue_local_token
from tests.browser.support import Site, Watched, blocking_violations
from tests.e2e.local_stack import call

TENANT = "settings-reports"


def admin_token(site: Site) -> str:
    return issue_local_token(site.secret, tenant=TENANT, roles=["admin"], user="maija.admin")


def stored_settings(site: Site) -> Any:
    status, _, body = call("GET", f"{site.base}/v1/settings", admin_token(site), None)
    assert status == 200, body
    return body


def open_settings(browser: Browser, site: Site, closers: list[Callable[[], None]]) -> Watched:
    context = browser.new_context(
        base_url=site.base,
        locale="en-GB",
        viewport={"width": 1280, "height": 900},
        timezone_id="Europe/Helsinki",
    )
    context.set_default_timeout(10_000)
    closers.append(context.close)
    watched = Watched(context.new_page())
    watched.page.goto(f"/#token={admin_token(site)}")
    watched.page.wait_for_selector("#who .who-user")
    watched.page.goto("/#/settings")
    expect(watched.page.locator("fieldset.report-rules legend").first).to_have_text("Reports")
    return watched


def save(page: Page) -> None:
    page.get_by_role("button", name="Save the rules").click()


def test_report_settings_are_saved_read_back_and_refused_at_the_bands(
    browser: Browser, site: Site
) -> None:
    closers: list[Callable[[], None]] = []
    try:
        watched = open_settings(browser, site, closers)
        page = watched.page
        # The defaults before anything is saved.
        expect(page.get_by_label("Day starts")).to_have_value("07:00")
        expect(page.get_by_label("Evening starts")).to_have_value("15:00")
        expect(page.get_by_label("Night starts")).to_have_value("23:00")
        leaderboard = page.get_by_label("Show team rankings to team leaders; never part of pay")
        expect(leaderboard).not_to_be_checked()
        expect(page.locator("fieldset.report-rules")).to_contain_text(
            "Each band runs until the next one starts, so the night band may run across midnight"
        )
        expect(page.locator("fieldset.report-rules")).to_contain_text("Below 5 nobody is ranked")

        page.get_by_label("Day starts").fill("06:30")
        page.get_by_label("Evening starts").fill("14:30")
        page.get_by_label("Night starts").fill("22:00")
        leaderboard.check()
        page.get_by_label("Evaluations needed to be ranked").fill("8")
        save(page)
        expect(page.locator(".saved-note")).to_contain_text("Saved as revision 1.")
        stored = stored_settings(site)
        assert stored["reports"] == {
            "shift_bands": {"day": "06:30", "evening": "14:30", "night": "22:00"},
            "leaderboard": True,
            "leaderboard_min_evaluations": 8,
        }
        # The rest of the settings went along unchanged (the page saves the whole body).
        assert stored["time_zone"] == "Europe/Helsinki"
        assert stored["incentives"] == {"min_scored": 0, "tiers": []}

        page.reload()
        expect(page.get_by_label("Day starts")).to_have_value("06:30")
        expect(page.get_by_label("Evening starts")).to_have_value("14:30")
        expect(page.get_by_label("Night starts")).to_have_value("22:00")
        expect(leaderboard).to_be_checked()
        expect(page.get_by_label("Evaluations needed to be ranked")).to_have_value("8")

        # Two bands starting together: the API refuses (field reports.shift_bands) and
        # the page says so at the bands, in the page's language.
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.method) if "/v1/settings" in r.url else None)
        page.get_by_label("Evening starts").fill("06:30")
        save(page)
        error = page.locator('[data-field="reports.shift_bands"] > .field-error')
        expect(error).to_have_text("Two bands cannot start at the same time.")
        assert "PUT" in asked
        for band in ("Day starts", "Evening starts", "Night starts"):
            expect(page.get_by_label(band)).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_label("Day starts")).to_be_focused()
        assert [r["revision"] for r in stored_settings(site)["revisions"]] == [1]
        assert blocking_violations(watched, "admin: settings, a band refused") == []
        assert [v["id"] for v in watched.axe()] == []

        # A band's own time refused by the API goes to that band.
        def refuse_day(route: Route) -> None:
            if route.request.method != "PUT":
                route.fallback()
                return
            route.fulfill(
                status=400,
                json={
                    "error": "invalid_input",
                    "message": "not a time of day",
                    "field": "reports.shift_bands.day",
                },
            )

        page.route("**/v1/settings", refuse_day)
        page.get_by_label("Evening starts").fill("14:30")
        save(page)
        expect(page.locator('[data-field="reports.shift_bands.day"] .field-error')).to_have_text(
            "Write the time as hours and minutes, e.g. 07:00."
        )
        expect(page.locator('[data-field="reports.shift_bands"] > .field-error')).to_have_count(0)
        page.unroute("**/v1/settings")

        # An empty band and a count out of range are caught before the API is asked.
        asked.clear()
        page.get_by_label("Night starts").fill("")
        page.get_by_label("Evaluations needed to be ranked").fill("0")
        save(page)
        expect(page.locator('[data-field="reports.shift_bands.night"] .field-error')).to_have_text(
            "Write the time as hours and minutes, e.g. 07:00."
        )
        expect(
            page.locator('[data-field="reports.leaderboard_min_evaluations"] .field-error')
        ).to_have_text("Write a whole number from 1 to 1000.")
        assert "PUT" not in asked
        watched.assert_clean()
    finally:
        for close in closers:
            close()

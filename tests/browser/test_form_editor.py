"""The form editor when the server says no: an id in use, a value the schema refuses,
and two QA managers editing the same form (If-Match with the ETag)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PageFactory
from tests.browser.support import Site


def test_refusals_are_shown_at_their_fields(open_page: PageFactory) -> None:
    page = open_page("admin", locale="en-GB").page
    page.goto("/#/forms/new")
    page.locator('[data-field="form_id"] input').fill("asiakaspalvelu")  # the demo form's id
    page.locator('[data-field="name"] input').fill("Copy")
    page.locator('[data-field="sections[0].title"] input').fill("Only")
    page.locator('[data-field="sections[0].criteria[0].text"] textarea').fill("Greets")
    page.get_by_role("button", name="Save draft").click()
    taken = page.locator('[data-field="form_id"] .field-error')
    expect(taken).to_have_text("That id is already in use by another form.")
    expect(page.locator('[data-field="form_id"] input')).to_be_focused()

    page.locator('[data-field="form_id"] input').fill("editor-errors")
    page.get_by_label("Weight the sections").check()
    page.locator('[data-field="sections[0].weight"] input').fill("lots")
    page.get_by_role("button", name="Save draft").click()
    weight_error = page.locator('[data-field="sections[0].weight"] .field-error')
    expect(weight_error).to_be_visible()
    expect(page.locator(".field-error")).to_have_count(1)
    expect(page.locator('[data-field="sections[0].weight"] input')).to_have_attribute(
        "aria-invalid", "true"
    )


def test_a_second_manager_cannot_overwrite_the_first(open_page: PageFactory, site: Site) -> None:
    site.expect(
        201,
        "POST",
        "/v1/forms",
        "admin",
        {
            "form_id": "shared-edit",
            "name": "Shared",
            "sections": [{"id": "s", "title": "S", "criteria": [{"id": "c", "text": "C"}]}],
        },
    )
    first = open_page("admin", locale="en-GB").page
    second = open_page("admin", locale="en-GB").page
    for page in (first, second):
        page.goto("/#/forms/shared-edit")
        expect(page.locator('[data-field="name"] input')).to_have_value("Shared")
    first.locator('[data-field="name"] input').fill("Shared, first")
    first.get_by_role("button", name="Save draft").click()
    expect(first.locator(".editor-status")).to_have_text("Draft saved")
    second.locator('[data-field="name"] input').fill("Shared, second")
    second.get_by_role("button", name="Save draft").click()
    expect(second.locator(".error-box")).to_contain_text("Someone else changed this")
    stored = site.expect(200, "GET", "/v1/forms/shared-edit", "admin")
    assert stored["draft"]["name"] == "Shared, first"


def test_a_draft_saves_after_it_was_published(open_page: PageFactory, site: Site) -> None:
    """Publishing moves the form's ETag on; the editor keeps up, so its next save is
    not mistaken for someone else's change."""
    site.expect(
        201,
        "POST",
        "/v1/forms",
        "admin",
        {
            "form_id": "publish-then-edit",
            "name": "Before",
            "sections": [{"id": "s", "title": "S", "criteria": [{"id": "c", "text": "C"}]}],
        },
    )
    page = open_page("admin", locale="en-GB").page
    page.goto("/#/forms/publish-then-edit")
    expect(page.locator('[data-field="name"] input')).to_have_value("Before")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".editor-status")).to_have_text("Version 1 published")
    page.locator('[data-field="name"] input').fill("After")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".editor-status")).to_have_text("Draft saved")
    stored = site.expect(200, "GET", "/v1/forms/publish-then-edit", "admin")
    assert stored["draft"]["name"] == "After"

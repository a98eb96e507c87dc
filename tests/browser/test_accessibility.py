"""axe-core on every page of the site, as each role sees it, at laptop and tablet
width: no serious or critical violation. Every violation found is printed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.browser.conftest import PageFactory
from tests.browser.support import Site, Watched

BLOCKING = {"serious", "critical"}


def seed(site: Site) -> str:
    """An evaluation of aino this month, so the result pages have content."""
    form = site.expect(200, "GET", "/v1/forms/asiakaspalvelu", "evaluator")
    answers = {
        c["id"]: ("no" if i == 3 else "yes")
        for i, c in enumerate(c for s in form["published"]["sections"] for c in s["criteria"])
    }
    now = datetime.now(ZoneInfo("Europe/Helsinki")).replace(microsecond=0)
    stored = site.expect(
        201,
        "POST",
        "/v1/evaluations",
        "evaluator",
        {
            "form_id": "asiakaspalvelu",
            "form_version": form["latest_version"],
            "agent_id": "aino",
            "contact": {"channel": "email", "id": "a11y-1", "occurred_at": now.isoformat()},
            "method": "recording",
            "answers": answers,
            "comments": {"kuuntelu": "Keskeytti kahdesti."},
            "summary": "Muuten hyvä.",
        },
    )
    evaluation_id: str = stored["evaluation_id"]
    return evaluation_id


def check(watched: Watched, name: str, found: dict[str, list[dict[str, Any]]]) -> None:
    found[name] = watched.axe()


def test_no_serious_or_critical_violations_on_any_page(open_page: PageFactory, site: Site) -> None:
    evaluation_id = seed(site)
    found: dict[str, list[dict[str, Any]]] = {}

    signed_out = open_page(None, locale="en-GB")
    signed_out.page.goto("/")
    expect(signed_out.page.get_by_label("Token")).to_be_visible()
    check(signed_out, "sign-in", found)

    evaluator = open_page("evaluator", locale="fi-FI")
    page = evaluator.page
    # (name, how to get there, what shows the page is complete)
    steps: list[tuple[str, Callable[[Page], object], str]] = [
        ("pick a form", lambda p: p.goto("/#/evaluate"), ".link-card"),
        ("evaluation, empty", lambda p: p.goto("/#/evaluate/asiakaspalvelu"), ".criterion"),
        ("evaluation, answered with errors", answer_some_and_submit, ".field-error"),
        (
            "stored evaluation",
            lambda p: p.goto(f"/#/evaluations/{evaluation_id}"),
            "[data-stored-evaluation]",
        ),
        ("results of an agent", lambda p: p.goto("/#/results?agent=aino"), ".results .card"),
    ]
    for name, step, ready in steps:
        step(page)
        page.locator(ready).first.wait_for()
        check(evaluator, f"evaluator: {name}", found)

    agent = open_page("agent", locale="sv-FI")
    agent.page.goto("/#/results")
    agent.page.locator("details summary").first.click()
    agent.page.locator("details .answers").first.wait_for()
    check(agent, "agent: my results, one opened", found)
    agent.page.goto("/#/self")
    agent.page.locator(".link-card").first.wait_for()
    check(agent, "agent: self-evaluation form list", found)

    admin = open_page("admin", locale="en-GB")
    admin.page.goto("/#/forms")
    admin.page.locator("table").wait_for()
    check(admin, "admin: forms", found)
    admin.page.goto("/#/forms/asiakaspalvelu")
    admin.page.get_by_role("button", name="Preview").click()
    admin.page.locator(".preview .criterion").first.wait_for()
    admin.page.locator(".versions-list").wait_for()
    check(admin, "admin: form editor with preview", found)
    admin.page.goto("/#/forms/new")
    admin.page.get_by_label("Weight the sections").check()
    check(admin, "admin: new form", found)

    tablet = open_page("evaluator", locale="fi-FI", width=768, height=1024)
    tablet.page.goto("/#/evaluate/asiakaspalvelu")
    tablet.page.locator(".criterion").first.wait_for()
    check(tablet, "tablet: evaluation", found)

    impacts: Counter[str] = Counter()
    for name, violations in found.items():
        for v in violations:
            impacts[v["impact"]] += 1
            print(f"[axe] {name}: {v['impact']} {v['id']} ({len(v['nodes'])} nodes): {v['help']}")
    print(f"[axe] {len(found)} pages checked; violations by impact: {dict(impacts) or 'none'}")
    blocking = {
        name: [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in bad]
        for name, violations in found.items()
        if (bad := [v for v in violations if v["impact"] in BLOCKING])
    }
    assert blocking == {}


def answer_some_and_submit(page: Page) -> None:
    page.locator(".criterion input[type=radio]").first.focus()
    for key in "kke":
        page.keyboard.press(key)
    page.keyboard.press("Control+Enter")

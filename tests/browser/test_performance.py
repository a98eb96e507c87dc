"""The evaluation page's first load and submits, checked for what they do: every
request stays on the site's own origin, and every submit is stored exactly once.
How big and how fast they are is `make bench`'s (tests/bench/browser.py)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser

from tests.browser.conftest import PageFactory
from tests.browser.measure import first_load, submit_evaluations
from tests.browser.support import Site

SUBMITS = 20


def test_first_load_of_the_evaluation_page_is_local(browser: Browser, site: Site) -> None:
    load = first_load(browser, site)
    foreign = [r.url for r in load.requests if not r.url.startswith(site.base + "/")]
    assert load.requests
    assert foreign == []


def test_twenty_submits_are_each_stored_once(open_page: PageFactory, site: Site) -> None:
    page = open_page("evaluator", locale="fi-FI").page
    # Each submit waits for the stored evaluation on screen before the next one.
    submit_evaluations(page, SUBMITS, "mittari")
    stored: Any = site.expect(200, "GET", "/v1/evaluations?agent_id=mittari&limit=50", "evaluator")
    assert len(stored["items"]) == SUBMITS

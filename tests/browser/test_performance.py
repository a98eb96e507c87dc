"""The two figures the issue asks for, measured in the real browser against the
local stack, printed and written to build/browser-metrics.json:

- the bytes a first visit to the evaluation page transfers (goal: under 150 KB,
  all from the site's own origin);
- the time from the submit click to the stored evaluation on screen, median of 20."""

from __future__ import annotations

import json
import statistics
from typing import Any

from playwright.sync_api import Browser, Request

from tests.browser.conftest import PageFactory
from tests.browser.support import Site, record_metrics

BUDGET_BYTES = 150 * 1024
SUBMITS = 20

# Clicks submit and resolves once the stored evaluation is in the page and painted.
SUBMIT_AND_TIME = """() => new Promise((resolve) => {
  const started = performance.now();
  const shown = () => document.querySelector('[data-stored-evaluation]');
  const observer = new MutationObserver(() => {
    if (!shown()) return;
    observer.disconnect();
    requestAnimationFrame(() => resolve(performance.now() - started));
  });
  observer.observe(document.getElementById('main'), {childList: true, subtree: true});
  setTimeout(() => resolve(null), 10000);
  document.getElementById('submit-evaluation').click();
})"""


# When the first criterion is in the page, counted from the start of navigation.
SHOWN_AT = """new MutationObserver((_, observer) => {
  if (!document.querySelector('.criterion')) return;
  window.__criteriaShownAt = performance.now();
  observer.disconnect();
}).observe(document, {childList: true, subtree: true});"""


def test_first_load_of_the_evaluation_page_is_small_and_local(browser: Browser, site: Site) -> None:
    context = browser.new_context(base_url=site.base, locale="fi-FI")
    session = json.dumps({"token": site.token("evaluator"), "refreshToken": None})
    # Signed in before the first byte, so the measured load is the page itself.
    context.add_init_script(f"localStorage.setItem('laatu.session', {json.dumps(session)})")
    context.add_init_script(SHOWN_AT)
    page = context.new_page()
    loaded: list[tuple[str, int, int]] = []

    def finished(request: Request) -> None:
        sizes = request.sizes()
        loaded.append(
            (
                request.url,
                sizes["responseBodySize"],
                sizes["responseHeadersSize"] + sizes["requestHeadersSize"],
            )
        )

    page.on("requestfinished", finished)
    page.goto("/#/evaluate/asiakaspalvelu")
    page.locator(".criterion").first.wait_for()
    page.wait_for_load_state("networkidle")
    shown_ms = page.evaluate("() => window.__criteriaShownAt")
    context.close()

    body = sum(size for _, size, _ in loaded)
    headers = sum(size for _, _, size in loaded)
    foreign = [url for url, _, _ in loaded if not url.startswith(site.base + "/")]
    for url, size, _ in sorted(loaded, key=lambda item: -item[1]):
        print(f"[first-load] {size:7d} B  {url.removeprefix(site.base)}")
    record_metrics(
        evaluation_page_first_load_bytes=body + headers,
        evaluation_page_first_load_body_bytes=body,
        evaluation_page_first_load_requests=len(loaded),
        evaluation_page_first_load_ms=round(shown_ms),
    )
    assert foreign == []
    assert body + headers < BUDGET_BYTES


def test_submit_to_stored_evaluation_median_of_twenty(open_page: PageFactory, site: Site) -> None:
    page = open_page("evaluator", locale="fi-FI").page
    timings: list[float] = []
    for number in range(SUBMITS):
        page.goto("/#/evaluate/asiakaspalvelu")
        page.locator('[data-field="agent_id"] input').fill("mittari")
        page.locator('[data-field="contact.id"] input').fill(f"perf-{number}")
        page.locator(".criterion input[type=radio]").first.focus()
        for key in "kkekokkkekk":  # kiitos (the last) cannot be N/A
            page.keyboard.press(key)
        elapsed: float | None = page.evaluate(SUBMIT_AND_TIME)
        assert elapsed is not None, "the stored evaluation was not shown in 10 s"
        timings.append(elapsed)
        page.locator("[data-stored-evaluation]").wait_for()
    stored: Any = site.expect(200, "GET", "/v1/evaluations?agent_id=mittari&limit=50", "evaluator")
    assert len(stored["items"]) == SUBMITS
    median = statistics.median(timings)
    record_metrics(
        submit_to_stored_shown_ms_median=round(median, 1),
        submit_to_stored_shown_ms_min=round(min(timings), 1),
        submit_to_stored_shown_ms_max=round(max(timings), 1),
        submit_to_stored_shown_samples=SUBMITS,
    )
    assert median < 1000

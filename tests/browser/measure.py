"""The two runs behind the evaluation page's figures, shared by the browser tests
(which check what they load and store) and `make bench` (which prints how big and
how fast): a first visit to the evaluation page, and submits one after another."""

from __future__ import annotations

import json
from dataclasses import dataclass

from playwright.sync_api import Browser, Page, Request

from tests.browser.support import Site

FORM = "asiakaspalvelu"
# The demo form's eleven criteria answered with the keyboard; kiitos (the last)
# cannot be N/A.
KEYS = "kkekokkkekk"

# When the first criterion is in the page, counted from the start of navigation.
SHOWN_AT = """new MutationObserver((_, observer) => {
  if (!document.querySelector('.criterion')) return;
  window.__criteriaShownAt = performance.now();
  observer.disconnect();
}).observe(document, {childList: true, subtree: true});"""

# Clicks submit and resolves once the stored evaluation is in the page and painted
# (null after 10 s).
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


@dataclass(frozen=True)
class Loaded:
    url: str
    body_bytes: int
    header_bytes: int  # request and response headers


@dataclass(frozen=True)
class FirstLoad:
    requests: list[Loaded]
    criteria_shown_ms: float

    @property
    def body_bytes(self) -> int:
        return sum(r.body_bytes for r in self.requests)

    @property
    def total_bytes(self) -> int:
        return self.body_bytes + sum(r.header_bytes for r in self.requests)


def first_load(browser: Browser, site: Site) -> FirstLoad:
    """A first visit to the evaluation page by a signed-in evaluator, with nothing cached."""
    context = browser.new_context(base_url=site.base, locale="fi-FI")
    session = json.dumps({"token": site.token("evaluator"), "refreshToken": None})
    # Signed in before the first byte, so what loads is the page itself.
    context.add_init_script(f"localStorage.setItem('laatu.session', {json.dumps(session)})")
    context.add_init_script(SHOWN_AT)
    page = context.new_page()
    loaded: list[Loaded] = []

    def finished(request: Request) -> None:
        sizes = request.sizes()
        headers = sizes["responseHeadersSize"] + sizes["requestHeadersSize"]
        loaded.append(Loaded(request.url, sizes["responseBodySize"], headers))

    page.on("requestfinished", finished)
    try:
        page.goto(f"/#/evaluate/{FORM}")
        page.locator(".criterion").first.wait_for()
        page.wait_for_load_state("networkidle")
        shown_ms: float = page.evaluate("() => window.__criteriaShownAt")
    finally:
        context.close()
    return FirstLoad(loaded, shown_ms)


def submit_evaluations(page: Page, count: int, agent_id: str) -> list[float | None]:
    """`count` evaluations of `agent_id` done with the keyboard and submitted, each
    one's time from the click to the stored evaluation on screen (None: not shown)."""
    timings: list[float | None] = []
    for number in range(count):
        page.goto(f"/#/evaluate/{FORM}")
        page.locator('[data-field="agent_id"] input').fill(agent_id)
        page.locator('[data-field="contact.id"] input').fill(f"{agent_id}-{number}")
        page.locator(".criterion input[type=radio]").first.focus()
        for key in KEYS:
            page.keyboard.press(key)
        timings.append(page.evaluate(SUBMIT_AND_TIME))
        page.locator("[data-stored-evaluation]").wait_for()
    return timings

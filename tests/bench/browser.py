"""The evaluation page in Debian's Chromium against the local stack, started as
`make run` starts it (own port and data dir): what a first visit transfers (goal:
under 150 KB, all from the site's own origin) and the time from the submit click to
the stored evaluation on screen, median of 20. Printed with the goal beside;
nothing is asserted. Without /usr/bin/chromium the section says so and is skipped.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.browser.measure import first_load, submit_evaluations
from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, Site
from tests.e2e.local_stack import StackProcess

FIRST_LOAD_GOAL_BYTES = 150 * 1024
SUBMIT_GOAL_MS = 1000
SUBMITS = 20
BENCH_AGENT = "bench-mittari"


@dataclass(frozen=True)
class BrowserBench:
    first_load_bytes: int
    first_load_body_bytes: int
    first_load_requests: int
    foreign_requests: int
    criteria_shown_ms: float
    submit_ms: list[float]  # the submits whose stored evaluation was shown
    submits_not_shown: int

    @property
    def submit_median_ms(self) -> float | None:
        return statistics.median(self.submit_ms) if self.submit_ms else None


def run_browser_bench() -> BrowserBench | None:
    if not os.access(CHROMIUM, os.X_OK):
        return None
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="laatu-bench-browser-") as folder:
        root = Path(folder)
        stack = StackProcess(root / "data", root / "stack.log")
        stack.start()
        try:
            site = Site(stack.base, os.environ["LAATU_LOCAL_JWT_SECRET"])
            # An evaluation must name an agent in the tenant's roster.
            site.expect(200, "PUT", f"/v1/agents/{BENCH_AGENT}", "admin", {"name": BENCH_AGENT})
            with sync_playwright() as driver:
                browser = driver.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                )
                try:
                    load = first_load(browser, site)
                    context = browser.new_context(base_url=site.base, locale="fi-FI")
                    page = context.new_page()
                    page.goto(f"/#token={site.token('evaluator')}")
                    page.wait_for_selector("#who .who-user")
                    timings = submit_evaluations(page, SUBMITS, BENCH_AGENT)
                    context.close()
                finally:
                    browser.close()
        finally:
            stack.stop()
    shown = [t for t in timings if t is not None]
    return BrowserBench(
        first_load_bytes=load.total_bytes,
        first_load_body_bytes=load.body_bytes,
        first_load_requests=len(load.requests),
        foreign_requests=sum(1 for r in load.requests if not r.url.startswith(site.base + "/")),
        criteria_shown_ms=load.criteria_shown_ms,
        submit_ms=shown,
        submits_not_shown=len(timings) - len(shown),
    )


def render_browser(bench: BrowserBench | None) -> str:
    if bench is None:
        return f"Browser: skipped, no Chromium at {CHROMIUM} (make browser-deps)"
    median = bench.submit_median_ms
    submit = "not shown" if median is None else f"{median:.1f} ms"
    spread = (
        f" (min {min(bench.submit_ms):.1f}, max {max(bench.submit_ms):.1f})"
        if bench.submit_ms
        else ""
    )
    lines = [
        "Browser (Chromium, local stack): the evaluation page",
        f"  first load:        {bench.first_load_bytes / 1024:.1f} KB over "
        f"{bench.first_load_requests} requests ({bench.first_load_body_bytes / 1024:.1f} KB "
        f"bodies), {bench.foreign_requests} from another origin  "
        f"(goal: under {FIRST_LOAD_GOAL_BYTES // 1024} KB, none from another origin)",
        f"  criteria shown:    {bench.criteria_shown_ms:.0f} ms after navigation started",
        f"  submit to stored:  median {submit} of {len(bench.submit_ms)}{spread}  "
        f"(goal: under {SUBMIT_GOAL_MS} ms)",
    ]
    if bench.submits_not_shown:
        lines.append(f"  {bench.submits_not_shown} submits not shown within 10 s")
    return "\n".join(lines)


def browser_json(bench: BrowserBench | None) -> dict[str, Any] | None:
    if bench is None:
        return None
    return {
        "first_load_bytes": bench.first_load_bytes,
        "first_load_body_bytes": bench.first_load_body_bytes,
        "first_load_requests": bench.first_load_requests,
        "first_load_foreign_requests": bench.foreign_requests,
        "first_load_goal_bytes": FIRST_LOAD_GOAL_BYTES,
        "criteria_shown_ms": round(bench.criteria_shown_ms),
        "submit_to_stored_ms_median": bench.submit_median_ms,
        "submit_to_stored_ms": [round(t, 1) for t in bench.submit_ms],
        "submit_goal_ms": SUBMIT_GOAL_MS,
    }


if __name__ == "__main__":
    import tests.conftest  # noqa: F401 - the offline environment and the local token secret

    print(render_browser(run_browser_bench()))

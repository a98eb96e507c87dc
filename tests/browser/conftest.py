"""Fixtures for the browser tests: the local stack as `make run` starts it, Debian's
Chromium driven by Playwright, a signed-in page per role, and a screenshot of every
open page in test-artifacts/ when a test fails."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, Site, Watched
from tests.e2e.local_stack import StackProcess
from tests.support import ROOT

ARTIFACTS = ROOT / "test-artifacts"
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    reports = request.node.stash.get(_REPORTS, {})
    return any(r.failed for r in reports.values())


@pytest.fixture(scope="session")
def chromium_path() -> str:
    # A missing browser is a broken machine, not a reason to skip: fail loudly.
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Debian's chromium is not installed at {CHROMIUM}; the browser tests need it. "
            "Run `make browser-deps` (as root it installs it with apt-get), or "
            "`apt-get install -y --no-install-recommends chromium`."
        )
    return CHROMIUM


# Agents the browser tests evaluate besides the demo roster's.
TEST_AGENTS = ("ville", "mittari", "parity-agent")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The stack on its own port and data dir, started as `make run` starts it."""
    root = tmp_path_factory.mktemp("browser-stack")
    stack = StackProcess(root / "data", root / "stack.log")
    stack.start()
    site = Site(stack.base, os.environ["LAATU_LOCAL_JWT_SECRET"])
    # The demo tenant keeps a roster, and an evaluation must name an agent in it.
    for agent_id in TEST_AGENTS:
        site.expect(200, "PUT", f"/v1/agents/{agent_id}", "admin", {"name": agent_id})
    try:
        yield site
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright, chromium_path: str) -> Iterator[Browser]:
    instance = playwright.chromium.launch(
        executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
    )
    yield instance
    instance.close()


PageFactory = Callable[..., Watched]


@pytest.fixture
def open_page(
    browser: Browser, site: Site, request: pytest.FixtureRequest
) -> Iterator[PageFactory]:
    """open_page(role, locale="fi-FI", width=1280) → a page signed in as that demo
    role (role None: signed out), watched for script errors and CSP refusals."""
    contexts: list[BrowserContext] = []
    watched: list[Watched] = []

    def make(
        role: str | None = "evaluator",
        *,
        locale: str = "fi-FI",
        width: int = 1280,
        height: int = 900,
        sign_in: bool = True,
    ) -> Watched:
        context = browser.new_context(
            locale=locale,
            viewport={"width": width, "height": height},
            base_url=site.base,
            timezone_id="Europe/Helsinki",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = Watched(context.new_page())
        watched.append(page)
        if role is not None and sign_in:
            page.page.goto(f"/#token={site.token(role)}")
            page.page.wait_for_selector("#who .who-user")
        return page

    yield make

    if _failed(request):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        for index, page in enumerate(watched):
            try:
                page.page.screenshot(path=str(ARTIFACTS / f"{name}-{index}.png"), full_page=True)
            except Exception as error:
                print(f"no screenshot of page {index}: {error}")
    for context in contexts:
        context.close()
    if not _failed(request):
        for page in watched:
            page.assert_clean()

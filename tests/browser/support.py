"""What the browser tests share: how Chromium is started, the demo people's tokens,
the API over plain HTTP, and axe-core in a page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, Route

from chalicelib.adapters.tokens import issue_local_token
from tests.e2e.local_stack import call
from tests.support import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = ROOT / "build" / "browser-deps" / "node_modules" / "axe-core" / "axe.min.js"
TENANT = "demo"
# The demo people infra/local/demo.py seeds and `make run` prints tokens for.
PEOPLE = {
    "admin": ("maija.admin", None),
    "evaluator": ("eero.evaluator", None),
    "auditor": ("auditor.oy", None),
    "agent": ("aino.agent", "aino"),
    "payroll": ("palkat", None),
}


@dataclass(frozen=True)
class Site:
    base: str
    secret: str
    tenant: str = TENANT  # another one for a test that needs a tenant of its own

    def token(self, role: str) -> str:
        user, agent_id = PEOPLE[role]
        return issue_local_token(
            self.secret, tenant=self.tenant, roles=[role], user=user, agent_id=agent_id
        )

    def api(
        self,
        method: str,
        path: str,
        role: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        return call(method, self.base + path, self.token(role), body, headers)

    def expect(self, status: int, method: str, path: str, role: str, body: Any = None) -> Any:
        got, _, answer = self.api(method, path, role, body)
        assert got == status, f"{method} {path} answered {got}: {answer}"
        return answer


@dataclass
class Watched:
    """A page, with what went wrong in it: uncaught errors and CSP refusals."""

    page: Page
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.problems.append(f"CSP: {text}")

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)

    def axe(self) -> list[dict[str, Any]]:
        """axe-core's violations on the page as it is now. axe is served from the
        page's own origin (a route), so the site's CSP needs no exception."""
        if not AXE_JS.is_file():
            raise AssertionError(f"{AXE_JS} is missing: run `make browser-deps`")
        if not self.page.evaluate("() => Boolean(window.axe)"):
            self.page.route("**/__test__/axe.min.js", _serve_axe)
            self.page.add_script_tag(url="/__test__/axe.min.js")
        result: dict[str, Any] = self.page.evaluate(
            """async () => await window.axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                'wcag22aa', 'best-practice']},
                resultTypes: ['violations'],
            })"""
        )
        violations: list[dict[str, Any]] = result["violations"]
        return violations


def _serve_axe(route: Route) -> None:
    route.fulfill(path=AXE_JS, content_type="text/javascript; charset=utf-8")


BLOCKING_IMPACTS = {"serious", "critical"}


def blocking_violations(watched: Watched, name: str) -> list[tuple[str, str, list[Any]]]:
    """axe-core on the page as it is now: every violation printed, the serious and
    critical ones returned (id, impact, the first few elements)."""
    found = []
    for violation in watched.axe():
        nodes = [n["target"] for n in violation["nodes"]]
        print(f"[axe] {name}: {violation['impact']} {violation['id']} ({len(nodes)} nodes)")
        if violation["impact"] in BLOCKING_IMPACTS:
            found.append((violation["id"], violation["impact"], nodes[:3]))
    return found

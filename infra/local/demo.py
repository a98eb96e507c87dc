"""The demo tenant: its people, its form, and seeding it through the HTTP API.

Seeding goes through the API, not the tables, so the demo data is exactly what
a QA manager would have made, validated by the same code.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.adapters.tokens import issue_local_token
from infra.local.settings import ROOT

TENANT = "demo"
TOKEN_LIFETIME_S = 12 * 3600
SHARED_FORM = ROOT.parent / "shared" / "data" / "demo-form.fi.json"
# A copy, so a clone without the shared folder still has a demo.
BUNDLED_FORM = Path(__file__).with_name("demo-form.fi.json")
_TIMEOUT_S = 30


@dataclass(frozen=True)
class DemoUser:
    role: str
    user: str
    agent_id: str | None = None

    def token(self, secret: str) -> str:
        return issue_local_token(
            secret,
            tenant=TENANT,
            roles=[self.role],
            user=self.user,
            agent_id=self.agent_id,
            lifetime_s=TOKEN_LIFETIME_S,
        )


USERS = (
    DemoUser("admin", "maija.admin"),
    DemoUser("evaluator", "eero.evaluator"),
    DemoUser("auditor", "auditor.oy"),
    DemoUser("agent", "aino.agent", agent_id="aino"),
    DemoUser("payroll", "palkat"),
)


def user(role: str) -> DemoUser:
    return next(u for u in USERS if u.role == role)


def demo_form() -> dict[str, Any]:
    path = SHARED_FORM if SHARED_FORM.is_file() else BUNDLED_FORM
    form: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return form


@dataclass(frozen=True)
class Seeded:
    form_id: str
    version: int
    created: bool


# The demo roster: payroll sees everyone, and batch rows for other agents are refused.
DEMO_AGENTS = (
    ("aino", "Aino Asiakaspalvelija", "tiimi-1", "1001"),
    ("pekka", "Pekka Puhelin", "tiimi-1", "1002"),
    ("sari", "Sari Sähköposti", "tiimi-2", "1003"),
)
# The demo teams (team id, name, leaders): the demo evaluator leads the first.
DEMO_TEAMS: tuple[tuple[str, str, list[str]], ...] = (
    ("tiimi-1", "Tiimi 1", ["eero.evaluator"]),
    ("tiimi-2", "Tiimi 2", []),
)


def seed(base_url: str, secret: str) -> Seeded:
    """Create and publish the demo form and the roster unless they are already there."""
    form = demo_form()
    form_id = str(form["form_id"])
    api = _Api(base_url, user("admin").token(secret))
    status, agents = api.call("GET", "/v1/agents")
    if status == 200 and not agents["items"]:
        for team_id, team_name, leaders in DEMO_TEAMS:
            team_body = {"name": team_name, "leaders": leaders}
            api.expect(200, "PUT", f"/v1/teams/{team_id}", team_body)
        for agent_id, name, team, payroll_id in DEMO_AGENTS:
            body = {"name": name, "team": team, "payroll_id": payroll_id}
            api.expect(200, "PUT", f"/v1/agents/{agent_id}", body)
    status, existing = api.call("GET", f"/v1/forms/{form_id}")
    if status == 200 and existing["latest_version"] >= 1:
        return Seeded(form_id, int(existing["latest_version"]), created=False)
    if status == 404:
        api.expect(201, "POST", "/v1/forms", form)
    elif status != 200:
        raise RuntimeError(f"reading the demo form answered {status}: {existing}")
    # An earlier start may have stopped between creating and publishing.
    published = api.expect((200, 201), "POST", f"/v1/forms/{form_id}/publish")
    return Seeded(form_id, int(published["version"]), created=True)


class _Api:
    def __init__(self, base_url: str, token: str) -> None:
        self._base = base_url.rstrip("/")
        self._token = token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - our own loopback URL
            self._base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:  # noqa: S310
                return int(response.status), json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return int(error.code), json.loads(error.read() or b"null")

    def expect(
        self, statuses: int | tuple[int, ...], method: str, path: str, body: Any = None
    ) -> Any:
        wanted = (statuses,) if isinstance(statuses, int) else statuses
        status, answer = self.call(method, path, body)
        if status not in wanted:
            raise RuntimeError(f"{method} {path} answered {status}: {answer}")
        return answer

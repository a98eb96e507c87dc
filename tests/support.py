"""Helpers the functional and end-to-end tests share."""

from __future__ import annotations

import importlib.util
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from chalicelib.adapters.tokens import issue_local_token

ROOT = Path(__file__).resolve().parent.parent
# The shared folder's form, or the copy the local stack bundles for a clone without it.
_SHARED_FORM = ROOT.parent / "shared" / "data" / "demo-form.fi.json"
DEMO_FORM = (
    _SHARED_FORM if _SHARED_FORM.exists() else ROOT / "infra" / "local" / "demo-form.fi.json"
)


@cache
def load_app() -> Any:
    """functions/app.py as Lambda imports it (it is not a package)."""
    spec = importlib.util.spec_from_file_location("laatu_app", ROOT / "functions" / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def token(
    role: str | list[str],
    *,
    tenant: str = "acme",
    user: str | None = None,
    agent_id: str | None = None,
) -> str:
    roles = [role] if isinstance(role, str) else role
    return issue_local_token(
        os.environ["LAATU_LOCAL_JWT_SECRET"],
        tenant=tenant,
        roles=roles,
        user=user or f"{roles[0]}-1",
        agent_id=agent_id,
    )


def auth(role: str | list[str], **kwargs: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, **kwargs)}", "Content-Type": "application/json"}


def demo_form() -> dict[str, Any]:
    form: dict[str, Any] = json.loads(DEMO_FORM.read_text("utf-8"))
    return form


def all_answers(form: dict[str, Any], answer: str = "yes") -> dict[str, str]:
    return {c["id"]: answer for s in form["sections"] for c in s["criteria"]}


def evaluation_body(
    form: dict[str, Any],
    *,
    agent_id: str = "agent-7",
    version: int = 1,
    occurred_at: str = "2026-11-02T10:15:00+02:00",
    method: str = "recording",
    answers: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "form_id": form["form_id"],
        "form_version": version,
        "agent_id": agent_id,
        "contact": {"channel": "phone", "id": "call-1", "occurred_at": occurred_at},
        "method": method,
        "answers": answers or all_answers(form),
    }

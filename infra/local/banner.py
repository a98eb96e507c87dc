"""What `make run` prints once the stack is up: where it is and how to use it."""

from __future__ import annotations

import json
import shlex
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.settings import DEFAULT_SETTINGS
from infra.local import demo
from infra.local.environment import MAIL_FROM
from infra.local.mail import DRAIN_INTERVAL_S
from infra.local.pump import POLL_INTERVAL_S
from infra.local.settings import ROOT
from infra.local.stack import Running


def render(stack: Running, now: datetime | None = None) -> str:
    zone = ZoneInfo(DEFAULT_SETTINGS.time_zone)  # the demo tenant keeps the default
    moment = (now or datetime.now(zone)).astimezone(zone).replace(microsecond=0)
    base = stack.url.rstrip("/")
    data = stack.settings.data_dir
    reset = "`make clean-data`" if data == ROOT / ".data" else f"`rm -rf {shlex.quote(str(data))}`"
    replayed = stack.replayed
    restored = (
        f"{replayed.requests} writes replayed in {replayed.seconds:.2f} s"
        + (f", {replayed.failed} of them FAILED (see the log)" if replayed.failed else "")
        if replayed.requests
        else "empty, a fresh start"
    )
    form_state = "published just now" if stack.seeded_now else "already there"
    schedules = ", ".join(f"{s.name} {s.expression}" for s in stack.schedules) or "none yet"
    width = max(len(u.role) for u in demo.USERS)
    user_width = max(len(u.user) for u in demo.USERS)
    tokens = [
        f"  {u.role:<{width}}  {u.user:<{user_width}}  {u.token(stack.secret)}" for u in demo.USERS
    ]
    # The site signs in from the fragment (static_site/js/main.js); it never reaches a server.
    links = [f"  {u.role:<{width}}  {base}/#token={u.token(stack.secret)}" for u in demo.USERS]
    lines = [
        "",
        f"Laatu is running at {stack.url}  (ready in {stack.startup_s:.1f} s)",
        "",
        f"  API        {base}/v1/openapi.json",
        f"  AWS        moto at {stack.moto_endpoint} (region eu-north-1, any credentials; "
        "the port changes at each start)",
        f"  Data       {data}  ({restored})",
        f"  Reset      stop the stack (Ctrl-C), then {reset}",
        f"  Demo       tenant '{demo.TENANT}', form '{stack.form_id}' "
        f"version {stack.form_version} ({form_state})",
        f"  Stream     read every {POLL_INTERVAL_S:g} s into stream_consumer; "
        f"records that keep failing go to {stack.settings.dead_letter_dir}/",
        f"  Schedules  {schedules}",
        f"  Mail       inbox mail from {MAIL_FROM} into moto's SES every {DRAIN_INTERVAL_S:g} s "
        "(with the tenant's coaching email_notifications on and the person's on); "
        "`laatu mail` prints what was sent",
        "",
        f"Tokens for tenant '{demo.TENANT}', valid "
        f"{demo.TOKEN_LIFETIME_S // 3600} h (`laatu token --help` makes others):",
        *tokens,
        "",
        "Sign in on the web site: open the link for a role",
        *links,
        "",
        "Try it: an evaluation of agent aino with the demo form, then aino's summary:",
        "",
        _curl_evaluation(stack, base, moment),
        "",
        f"  curl -sS '{base}/v1/agents/aino/summary?period={moment:%Y-%m}' \\",
        f"    -H 'Authorization: Bearer {demo.user('agent').token(stack.secret)}'",
        "",
        "Press Ctrl-C to stop.",
        "",
    ]
    return "\n".join(lines)


def _curl_evaluation(stack: Running, base: str, moment: datetime) -> str:
    form = demo.demo_form()
    body: dict[str, Any] = {
        "form_id": stack.form_id,
        "form_version": stack.form_version,
        "agent_id": "aino",
        "contact": {"channel": "phone", "id": "call-1001", "occurred_at": moment.isoformat()},
        "method": "recording",
        "answers": {c["id"]: "yes" for s in form["sections"] for c in s["criteria"]},
    }
    token = demo.user("evaluator").token(stack.secret)
    return "\n".join(
        [
            f"  curl -sS -X POST {base}/v1/evaluations \\",
            f"    -H 'Authorization: Bearer {token}' \\",
            "    -H 'Content-Type: application/json' \\",
            f"    -H 'Idempotency-Key: curl-example-{moment:%Y%m%d%H%M%S}' \\",
            f"    -d {shlex.quote(json.dumps(body, ensure_ascii=False))}",
        ]
    )

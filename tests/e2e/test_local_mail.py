"""Inbox mail through the local stack as `make run` starts it: the sender verified in
moto's SES at start, a new entry mailed within seconds, `laatu mail` reading it
back (and after a restart), and nothing mailed while the tenant has mail off."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from chalicelib.adapters.tokens import issue_local_token
from infra.local.environment import MAIL_FROM
from infra.local.mail import endpoint_path
from tests.e2e.local_stack import StackProcess, call, laatu
from tests.e2e.test_local_stack import FORM, wait_for

pytestmark = pytest.mark.e2e

TENANT = "e2e-mail"
LEADER = "tiina.leader"
AGENT = "aino"


def token(role: str, user: str, agent_id: str | None = None) -> str:
    return issue_local_token(
        os.environ["LAATU_LOCAL_JWT_SECRET"],
        tenant=TENANT,
        roles=[role],
        user=user,
        agent_id=agent_id,
    )


ADMIN = token("admin", "maija.manager")
LEAD = token("evaluator", LEADER)
AINO = token("agent", "aino.agent", AGENT)


def ask(stack: StackProcess, who: str, method: str, path: str, body: Any = None) -> Any:
    status, _, answer = call(method, f"{stack.base}{path}", who, body)
    assert 200 <= status < 300, f"{method} {path}: {status} {answer}"
    return answer


def mails(stack: StackProcess, *args: str) -> list[dict[str, Any]]:
    done = laatu("mail", "--data-dir", str(stack.data_dir), "--json", *args)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def set_up(stack: StackProcess, mail_on: bool) -> None:
    ask(stack, ADMIN, "PUT", "/v1/settings", {"coaching": {"email_notifications": mail_on}})
    ask(stack, ADMIN, "POST", "/v1/forms", FORM)
    ask(stack, ADMIN, "POST", f"/v1/forms/{FORM['form_id']}/publish")
    ask(stack, ADMIN, "PUT", "/v1/teams/t1", {"name": "T1", "leaders": [LEADER]})
    ask(stack, ADMIN, "PUT", f"/v1/agents/{AGENT}", {"name": "Aino", "team": "t1"})
    preference = {"email": "aino@example.fi", "language": "fi", "enabled": True}
    ask(stack, AINO, "PUT", "/v1/me/notifications", preference)
    lead = {"email": "tiina@example.fi", "language": "en", "enabled": True}
    ask(stack, LEAD, "PUT", "/v1/me/notifications", lead)


def start_review(stack: StackProcess, contact: str) -> str:
    body = {
        "agent_id": AGENT,
        "form_id": FORM["form_id"],
        "form_version": 1,
        "contact": {"channel": "phone", "id": contact, "occurred_at": "2026-11-02T10:15:00+02:00"},
    }
    review_id: str = ask(stack, LEAD, "POST", "/v1/reviews", body)["review_id"]
    return review_id


def test_a_new_entry_is_mailed_and_read_back_after_a_restart(stack: StackProcess) -> None:
    stack.start()
    moto = endpoint_path(stack.data_dir).read_text("utf-8").strip()
    assert moto.startswith("http://127.0.0.1:")
    assert "laatu mail" in stack.output()
    assert mails(stack) == []
    set_up(stack, mail_on=True)
    review_id = start_review(stack, "call-1")

    def both() -> tuple[bool, Any]:
        sent = mails(stack)
        return len(sent) == 2, sent

    sent = wait_for(both, what="the review's two mails")
    link = f"{stack.base}/#/reviews/{review_id}\n"
    assert {(tuple(m["to"]), m["subject"], m["body"]) for m in sent} == {
        (("aino@example.fi",), "Laatu: itsearviointisi odottaa", link),
        (
            ("tiina@example.fi",),
            "Laatu: a coaching review is waiting for your evaluation",
            link,
        ),
    }
    assert {m["from"] for m in sent} == {MAIL_FROM}
    assert [m["to"] for m in mails(stack, "--to", "aino@example.fi")] == [["aino@example.fi"]]
    text = laatu("mail", "--data-dir", str(stack.data_dir), "--last", "1")
    assert text.returncode == 0, text.stderr
    assert "Subject: " in text.stdout
    assert link.strip() in text.stdout

    stack.stop()
    assert not endpoint_path(stack.data_dir).exists()
    stopped = laatu("mail", "--data-dir", str(stack.data_dir))
    assert stopped.returncode == 1
    assert "not running" in stopped.stderr
    stack.start()
    assert len(mails(stack)) == 2  # moto's SES is journaled like the data


def test_nothing_is_mailed_while_the_tenant_has_mail_off(stack: StackProcess) -> None:
    stack.start()
    set_up(stack, mail_on=False)
    start_review(stack, "call-2")
    inbox = ask(stack, AINO, "GET", "/v1/inbox")
    assert [item["kind"] for item in inbox["items"]] == ["self_evaluate"]

    # The drain deletes what it does not mail, and says so in the stack's log.
    wait_for(
        lambda: (f"DrainResult(tenant='{TENANT}', sent=0, skipped=2" in stack.output(), None),
        what="a drain that mails nothing",
    )
    assert mails(stack) == []

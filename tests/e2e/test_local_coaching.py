"""The coaching loop through the local stack as `make run` starts it, over HTTP.

Self-evaluation first, then the team leader's evaluation of the same contact, side
by side; a coaching session with an action; the agent acknowledges and disputes;
the QA manager upholds it with a corrected answer; the stream folds the new
revision into the agent's figures and `laatu export` writes the period's next
payroll revision with the adjustment. Every step's inbox is read as the person
whose turn it is would read it.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.tokens import issue_local_token
from tests.e2e.local_stack import StackProcess, call, laatu
from tests.e2e.test_local_stack import FORM, wait_for

pytestmark = pytest.mark.e2e

TENANT = "e2e-coaching"
LEADER = "tiina.leader"
MANAGER = "maija.manager"
AGENT = "aino"
PERIOD = "2026-10"
OCCURRED = "2026-10-14T10:00:00+03:00"


def token(role: str, user: str, agent_id: str | None = None) -> str:
    return issue_local_token(
        os.environ["LAATU_LOCAL_JWT_SECRET"],
        tenant=TENANT,
        roles=[role],
        user=user,
        agent_id=agent_id,
    )


ADMIN = ("admin", MANAGER)
EVALUATOR = ("evaluator", LEADER)


class Person:
    def __init__(self, stack: StackProcess, role: str, user: str, agent_id: str | None = None):
        self.base = stack.base
        self.token = token(role, user, agent_id)

    def ask(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        status, _, answer = call(method, f"{self.base}{path}", self.token, body)
        assert status == expect, f"{method} {path}: {status} {answer}"
        return answer

    def inbox_kinds(self) -> list[str]:
        return [item["kind"] for item in self.ask("GET", "/v1/inbox")["items"]]


def summary(person: Person) -> dict[str, Any]:
    answer: dict[str, Any] = person.ask("GET", f"/v1/agents/{AGENT}/summary?period={PERIOD}")
    return answer


def payroll_rows(directory: Path, revision: int) -> dict[str, dict[str, str]]:
    text = (directory / PERIOD / f"r{revision}" / "payroll.csv").read_text("utf-8")
    return {row["agent_id"]: row for row in csv.DictReader(io.StringIO(text))}


def test_the_whole_coaching_loop_reaches_the_payroll_revision(
    stack: StackProcess, tmp_path: Path
) -> None:
    stack.start()
    manager = Person(stack, *ADMIN)
    leader = Person(stack, *EVALUATOR)
    agent = Person(stack, "agent", "aino.agent", AGENT)
    manager.ask("POST", "/v1/forms", FORM, expect=201)
    manager.ask("POST", f"/v1/forms/{FORM['form_id']}/publish", expect=201)
    manager.ask("PUT", "/v1/teams/t1", {"name": "Tiimi 1", "leaders": [LEADER]})
    manager.ask("PUT", f"/v1/agents/{AGENT}", {"name": "Aino", "team": "t1", "payroll_id": "P1"})

    # 1. The team leader starts a review; the agent scores the contact first.
    contact = {"channel": "phone", "id": "call-77", "occurred_at": OCCURRED}
    review = leader.ask(
        "POST",
        "/v1/reviews",
        {"agent_id": AGENT, "form_id": FORM["form_id"], "form_version": 1, "contact": contact},
        expect=201,
    )
    path = f"/v1/reviews/{review['review_id']}"
    assert "self_evaluate" in agent.inbox_kinds()
    assert "leader_evaluate" in leader.inbox_kinds()
    leader_side = {"method": "recording", "answers": {"tervehdys": "yes", "ratkaisu": "no"}}
    sealed = leader.ask("PUT", f"{path}/leader", leader_side)
    assert sealed["state"] == "awaiting_self"
    # The agent sees that the leader's side is in, never what it says.
    waiting = agent.ask("GET", path)
    assert waiting["leader_side"]["submitted_at"]
    assert "answers" not in waiting["leader_side"]
    opened = agent.ask("PUT", f"{path}/self", {"answers": {"tervehdys": "yes", "ratkaisu": "yes"}})
    assert opened["state"] == "open"
    differing = [c["criterion_id"] for c in opened["comparison"]["criteria"] if c["differs"]]
    assert differing == ["ratkaisu"]
    leader_evaluation = opened["leader_side"]["evaluation_id"]

    def counted() -> tuple[bool, Any]:
        found = summary(leader)
        return found["evaluations"] == 1, found

    before = wait_for(counted, what="the stream folding in the leader's evaluation (not the self)")
    export = ("export", "--period", PERIOD, "--url", stack.base, "--out", str(tmp_path))
    first = laatu(*export, token=manager.token)
    assert f"export {PERIOD}: written, revision 1" in first.stdout, first.stdout + first.stderr
    assert payroll_rows(tmp_path, 1)[AGENT]["average_score"] == before["average_score"]

    # 2. A coaching session with an action on the criterion they read differently.
    session = leader.ask(
        "POST",
        "/v1/coaching-sessions",
        {
            "agent_id": AGENT,
            "held_on": "2026-10-20",
            "evaluation_ids": [leader_evaluation],
            "suggestions": [],
            "notes": "Ratkaisu jäi varmistamatta.",
            "actions": [
                {
                    "text": "Varmista ratkaisu asiakkaalta",
                    "owner": "agent",
                    "due": "2026-11-30",
                    "criteria": [{"form_id": FORM["form_id"], "criterion_id": "ratkaisu"}],
                }
            ],
            "follow_up": "2026-11-20",
        },
        expect=201,
    )
    session_path = f"/v1/coaching-sessions/{session['session_id']}"
    assert "acknowledge_session" in agent.inbox_kinds()
    agent.ask("PUT", f"{session_path}/wish", {"development_wish": "Haluan oppia kysymään."})
    acknowledged = agent.ask("POST", f"{session_path}/acknowledgement")
    assert acknowledged["acknowledged"]["by"] == "aino.agent"
    assert "acknowledge_session" not in agent.inbox_kinds()
    effect = agent.ask("GET", session_path)["effect"]
    assert [c["criterion_id"] for c in effect["criteria"]] == ["ratkaisu"]

    # 3. The agent acknowledges the evaluation, then disputes the criterion.
    evaluation_path = f"/v1/evaluations/{leader_evaluation}"
    assert "acknowledge" in agent.inbox_kinds()
    agent.ask("POST", f"{evaluation_path}/acknowledgement", {"revision": 1})
    assert "acknowledge" not in agent.inbox_kinds()
    dispute = agent.ask(
        "POST",
        f"{evaluation_path}/disputes",
        {"reason": "Varmistin ratkaisun puhelun lopussa.", "criteria": ["ratkaisu"]},
        expect=201,
    )
    assert dispute["state"] == "open"
    assert "review_dispute" in manager.inbox_kinds()
    dispute_path = f"/v1/disputes/{dispute['dispute_id']}"
    assert manager.ask("POST", f"{dispute_path}/review")["state"] == "in_review"
    current = manager.ask("GET", evaluation_path)
    corrected = {
        name: current[name]
        for name in ("form_id", "form_version", "agent_id", "contact", "method", "answers")
    }
    corrected["answers"] = {**current["answers"], "ratkaisu": "yes"}
    decided = manager.ask(
        "POST",
        f"{dispute_path}/decision",
        {
            "outcome": "upheld",
            "reason": "Tallenteella ratkaisu varmistetaan.",
            "evaluation": corrected,
            "evaluation_revision": current["revision"],
        },
    )
    assert decided["state"] == "upheld"
    amended = agent.ask("GET", evaluation_path)
    assert (amended["revision"], amended["dispute_id"]) == (2, dispute["dispute_id"])
    # The corrected revision asks for acknowledgement again.
    assert "acknowledge" in agent.inbox_kinds()

    # 4. The stream carries the correction to the figures and to pay.
    def corrected_figures() -> tuple[bool, Any]:
        found = summary(agent)
        return found["average_score"] != before["average_score"], found

    after = wait_for(corrected_figures, what="the stream folding in the upheld dispute")
    second = laatu(*export, token=manager.token)
    assert f"export {PERIOD}: written, revision 2" in second.stdout, second.stdout + second.stderr
    assert payroll_rows(tmp_path, 2)[AGENT]["average_score"] == after["average_score"]
    adjustments = (tmp_path / PERIOD / "r2" / "adjustments.csv").read_text("utf-8")
    assert AGENT in adjustments

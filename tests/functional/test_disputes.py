"""Disputes through the real app on moto: who opens, reads, reviews, decides and
withdraws; an upheld dispute amends the evaluation in one transaction with the
decision, and the stream folds the correction into the agent's figures; two deciders
racing make exactly one decision and one amendment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from chalice.test import Client
from moto.dynamodb.models import DynamoDBBackend

from chalicelib.adapters.coaching_models import CoachingItemModel
from chalicelib.adapters.models import ChangeCountModel, EvaluationModel
from chalicelib.domain import disputes as rules
from chalicelib.domain.errors import Conflict, LaatuError
from chalicelib.domain.principal import Principal
from chalicelib.services import disputes as service
from chalicelib.services.disputes import DisputeStores
from tests.functional.api import Answer, Api
from tests.functional.conftest import Clock, StreamReader, deliver
from tests.support import all_answers, evaluation_body, load_app

# Who is who. aino and bert are agents; tiina leads aino's team, olli bert's; eero
# evaluates; maija and ville are QA managers (admin).
AINO = {"role": "agent", "user": "aino.user", "agent_id": "aino"}
BERT = {"role": "agent", "user": "bert.user", "agent_id": "bert"}
TIINA = {"role": "evaluator", "user": "tiina"}
OLLI = {"role": "evaluator", "user": "olli"}
EERO = {"role": "evaluator", "user": "eero"}
MAIJA = {"role": "admin", "user": "maija"}
VILLE = {"role": "admin", "user": "ville"}
AUDITOR = {"role": "auditor", "user": "audi"}
PAYROLL = {"role": "payroll", "user": "pay"}
MADE = datetime(2026, 11, 2, 13, 0, tzinfo=UTC)  # Monday 15:00 in Helsinki


class World:
    def __init__(self, api: Api, clock: Clock) -> None:
        self.api, self.clock = api, clock
        self.form = api.publish(user="maija")
        for agent, team in (("aino", "t-aino"), ("bert", "t-bert")):
            body = {"name": agent.title(), "payroll_id": f"P-{agent}", "team": team}
            assert api.call("PUT", f"/v1/agents/{agent}", body=body).status == 200
        for team, leader in (("t-aino", "tiina"), ("t-bert", "olli")):
            team_body = {"name": team, "leaders": [leader]}
            assert api.call("PUT", f"/v1/teams/{team}", body=team_body).status == 200
        clock.now = MADE

    def as_(
        self, who: dict[str, Any], method: str, path: str, body: Any = None, **kw: Any
    ) -> Answer:
        person = dict(who)
        role = person.pop("role")
        return self.api.call(method, path, role, body=body, **person, **kw)

    def evaluate(
        self, agent: str = "aino", missed: tuple[str, ...] = ("ratkaisu",)
    ) -> dict[str, Any]:
        answers = {**all_answers(self.form), **dict.fromkeys(missed, "no")}
        body = evaluation_body(self.form, agent_id=agent, answers=answers)
        created = self.as_(EERO, "POST", "/v1/evaluations", body)
        assert created.status == 201, created.body
        return dict(created.body)

    def dispute(self, evaluation_id: str, who: dict[str, Any] = AINO, **body: Any) -> Answer:
        payload = {"reason": "Varmistin ratkaisun puhelun lopussa.", **body}
        return self.as_(who, "POST", f"/v1/evaluations/{evaluation_id}/disputes", payload)

    def corrected(self, evaluation: dict[str, Any], **answers: str) -> dict[str, Any]:
        fields = ("form_id", "form_version", "agent_id", "contact", "method", "answers")
        body = {name: evaluation[name] for name in fields}
        body["answers"] = {**evaluation["answers"], **answers}
        return body


@pytest.fixture
def world(api: Api, clock: Clock) -> World:
    return World(api, clock)


def opened(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    evaluation = world.evaluate()
    world.clock.now = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    answer = world.dispute(evaluation["evaluation_id"], criteria=["ratkaisu"])
    assert answer.status == 201, answer.body
    return evaluation, answer.body


# --- opening ------------------------------------------------------------------------------


def test_the_agent_opens_a_dispute_of_named_criteria(world: World) -> None:
    evaluation, dispute = opened(world)
    assert dispute == {
        "dispute_id": dispute["dispute_id"],
        "evaluation_id": evaluation["evaluation_id"],
        "evaluation_revision": 1,
        "agent_id": "aino",
        "evaluator": "eero",
        "criteria": ["ratkaisu"],
        "reason": "Varmistin ratkaisun puhelun lopussa.",
        "state": "open",
        "opened_by": "aino.user",
        "opened_at": "2026-11-03T08:00:00Z",
        # Five local days from Tuesday 3 Nov: due by the end of Sunday 8 Nov in Helsinki.
        "review_due": "2026-11-08T22:00:00Z",
        "reviewer": None,
        "decision": None,
        "history": [
            {
                "state": "open",
                "by": "aino.user",
                "at": "2026-11-03T08:00:00Z",
                "reason": "Varmistin ratkaisun puhelun lopussa.",
            }
        ],
        "version": 1,
    }
    again = world.dispute(evaluation["evaluation_id"], TIINA)
    assert (again.status, again.body["error"]) == (409, "dispute_open")
    read = world.as_(AINO, "GET", f"/v1/disputes/{dispute['dispute_id']}")
    assert (read.status, read.body, read.headers["etag"]) == (200, dispute, '"1"')


def test_who_may_open_a_dispute(world: World) -> None:
    evaluation = world.evaluate()
    path_id = evaluation["evaluation_id"]
    assert world.dispute(path_id, BERT).status == 404  # another agent's: not there
    assert world.dispute(path_id, OLLI).status == 403  # not a team the caller leads
    assert world.dispute(path_id, AUDITOR).status == 403
    assert world.dispute(path_id, PAYROLL).status == 403
    other_tenant = world.api.call(
        "POST",
        f"/v1/evaluations/{path_id}/disputes",
        "admin",
        body={"reason": "x"},
        tenant="globex",
    )
    assert other_tenant.status == 404
    by_leader = world.dispute(path_id, TIINA)
    assert by_leader.status == 201, by_leader.body
    assert by_leader.body["opened_by"] == "tiina"
    # The agent may withdraw what their team leader opened for them.
    dispute_id = by_leader.body["dispute_id"]
    withdrawn = world.as_(AINO, "POST", f"/v1/disputes/{dispute_id}/withdrawal")
    assert (withdrawn.status, withdrawn.body["state"]) == (200, "withdrawn")
    assert world.dispute(path_id, MAIJA).status == 201  # an admin, for anyone


def test_what_cannot_be_disputed(world: World) -> None:
    evaluation = world.evaluate()
    path_id = evaluation["evaluation_id"]
    for body, field in (
        ({"criteria": ["ei-ole"]}, "criteria[0]"),
        ({"criteria": ["ratkaisu", "ratkaisu"]}, "criteria"),
        ({"reason": "  "}, "reason"),
        ({"extra": True}, "extra"),
    ):
        refused = world.dispute(path_id, **body)
        assert (refused.status, refused.body["field"]) == (400, field), body
    self_body = evaluation_body(world.form, agent_id="aino", method="self")
    own = world.as_(AINO, "POST", "/v1/evaluations", self_body)
    assert own.status == 201, own.body
    refused = world.dispute(own.body["evaluation_id"])
    assert (refused.status, refused.body["error"]) == (409, "self_evaluation")
    # Made Monday 2 Nov 15:00: the week ends with Monday 9 Nov in Helsinki.
    second = world.evaluate()
    world.clock.now = datetime(2026, 11, 9, 21, 59, 59, tzinfo=UTC)
    assert world.dispute(path_id).status == 201
    world.clock.now = datetime(2026, 11, 9, 22, 0, tzinfo=UTC)
    closed = world.dispute(second["evaluation_id"])
    assert (closed.status, closed.body["error"]) == (409, "dispute_window_closed")


# --- reading ------------------------------------------------------------------------------


def ids(answer: Answer) -> list[str]:
    assert answer.status == 200, answer.body
    return [item["dispute_id"] for item in answer.body["items"]]


def test_each_reads_only_the_disputes_within_reach(world: World) -> None:
    aino_evaluation, aino_dispute = opened(world)
    bert_evaluation = world.evaluate("bert")
    bert_answer = world.dispute(bert_evaluation["evaluation_id"], BERT)
    assert bert_answer.status == 201, bert_answer.body
    mine, theirs = aino_dispute["dispute_id"], bert_answer.body["dispute_id"]

    undecided = "/v1/disputes?state=undecided"
    assert sorted(ids(world.as_(MAIJA, "GET", undecided))) == sorted([mine, theirs])
    assert ids(world.as_(MAIJA, "GET", "/v1/disputes")) == ids(world.as_(MAIJA, "GET", undecided))
    assert ids(world.as_(AINO, "GET", undecided)) == [mine]
    assert ids(world.as_(BERT, "GET", undecided)) == [theirs]
    assert ids(world.as_(TIINA, "GET", undecided)) == [mine]
    assert ids(world.as_(OLLI, "GET", undecided)) == [theirs]
    assert ids(world.as_(EERO, "GET", undecided)) == []  # leads no team
    assert ids(world.as_(MAIJA, "GET", f"{undecided}&agent_id=bert")) == [theirs]
    for who in (AUDITOR, PAYROLL):
        assert world.as_(who, "GET", undecided).status == 403
    assert world.as_(AINO, "GET", f"{undecided}&agent_id=bert").status == 403
    assert world.as_(TIINA, "GET", "/v1/disputes?state=all&agent_id=bert").status == 403
    assert ids(world.as_(TIINA, "GET", "/v1/disputes?state=all&agent_id=aino")) == [mine]
    assert ids(world.as_(AINO, "GET", "/v1/disputes?state=all&agent_id=aino")) == [mine]
    for query, field in (
        ("?state=all", "agent_id"),
        ("?state=everything", "state"),
        ("?agent_id=-x", "agent_id"),
    ):
        refused = world.as_(MAIJA, "GET", f"/v1/disputes{query}")
        assert (refused.status, refused.body["field"]) == (400, field), query

    one = f"/v1/disputes/{mine}"
    for who, status in ((AINO, 200), (TIINA, 200), (MAIJA, 200), (BERT, 404), (OLLI, 404)):
        assert world.as_(who, "GET", one).status == status, who
    assert world.as_(AUDITOR, "GET", one).status == 403
    assert world.api.call("GET", one, "admin", tenant="globex").status == 404
    assert world.as_(MAIJA, "GET", "/v1/disputes/not-a-uuid").status == 400
    assert world.as_(MAIJA, "GET", f"/v1/disputes/{'9' * 5000}").status == 400

    listed = f"/v1/evaluations/{aino_evaluation['evaluation_id']}/disputes"
    for who in (AINO, TIINA, MAIJA):
        assert ids(world.as_(who, "GET", listed)) == [mine], who
    assert world.as_(BERT, "GET", listed).status == 404
    assert world.as_(OLLI, "GET", listed).status == 403
    assert world.api.call("GET", listed, "admin", tenant="globex").status == 404
    # After a decision the dispute leaves the undecided list but stays the agent's.
    assert world.as_(MAIJA, "POST", f"{one}/review").status == 200
    rejected = world.as_(
        MAIJA, "POST", f"{one}/decision", {"outcome": "rejected", "reason": "Ei näy tallenteella."}
    )
    assert rejected.status == 200, rejected.body
    assert ids(world.as_(AINO, "GET", undecided)) == []
    assert ids(world.as_(AINO, "GET", "/v1/disputes?state=all&agent_id=aino")) == [mine]
    assert ids(world.as_(AINO, "GET", listed)) == [mine]


def test_another_tenant_changes_nothing(world: World) -> None:
    _, dispute = opened(world)
    path = f"/v1/disputes/{dispute['dispute_id']}"
    for action, body in (
        ("review", None),
        ("decision", {"outcome": "rejected", "reason": "x"}),
        ("withdrawal", None),
    ):
        for role in ("admin", "agent", "evaluator"):
            answer = world.api.call(
                "POST", f"{path}/{action}", role, body=body, tenant="globex", agent_id="aino"
            )
            assert answer.status in (403, 404), (action, role, answer.status)
    assert world.as_(MAIJA, "GET", path).body == dispute
    assert world.api.call("GET", "/v1/disputes", "admin", tenant="globex").body == {"items": []}


# --- review and decision -----------------------------------------------------------------


def test_review_and_decision_are_for_an_admin_who_did_not_write_it(world: World) -> None:
    evaluation, dispute = opened(world)
    path = f"/v1/disputes/{dispute['dispute_id']}"
    for who in (AINO, TIINA, EERO, AUDITOR, PAYROLL):
        assert world.as_(who, "POST", f"{path}/review").status == 403, who
    evaluator_admin = {"role": ["admin", "evaluator"], "user": "eero"}
    own = world.as_(evaluator_admin, "POST", f"{path}/review")
    assert (own.status, own.body["error"]) == (403, "own_evaluation")
    agent_admin = {"role": ["admin", "agent"], "user": "aino.admin", "agent_id": "aino"}
    own = world.as_(agent_admin, "POST", f"{path}/review")
    assert (own.status, own.body["error"]) == (403, "own_dispute")
    early = world.as_(MAIJA, "POST", f"{path}/decision", {"outcome": "rejected", "reason": "x"})
    assert (early.status, early.body["error"]) == (409, "not_in_review")
    stale = world.as_(MAIJA, "POST", f"{path}/review", headers={"If-Match": '"7"'})
    assert stale.status == 412
    world.clock.now = datetime(2026, 11, 4, 8, 0, tzinfo=UTC)
    taken = world.as_(MAIJA, "POST", f"{path}/review", headers={"If-Match": '"1"'})
    assert taken.status == 200, taken.body
    assert (taken.body["state"], taken.body["reviewer"], taken.body["version"]) == (
        "in_review",
        "maija",
        2,
    )
    assert taken.body["history"][-1] == {
        "state": "in_review",
        "by": "maija",
        "at": "2026-11-04T08:00:00Z",
    }
    assert world.as_(MAIJA, "POST", f"{path}/review").body == taken.body  # asked again
    busy = world.as_(VILLE, "POST", f"{path}/review")
    assert (busy.status, busy.body["error"]) == (409, "in_review")
    for body, field in (
        ({"outcome": "upheld", "reason": "x"}, "evaluation"),
        (
            {"outcome": "rejected", "reason": "x", "evaluation": world.corrected(evaluation)},
            "evaluation",
        ),
        (
            {"outcome": "upheld", "reason": "x", "evaluation": world.corrected(evaluation)},
            "evaluation",
        ),
        (
            {
                "outcome": "upheld",
                "reason": "x",
                "evaluation": {**world.corrected(evaluation, ratkaisu="yes"), "method": "self"},
            },
            "evaluation.method",
        ),
        (
            {
                "outcome": "upheld",
                "reason": "x",
                "evaluation": {**world.corrected(evaluation), "answers": {"ei-ole": "yes"}},
            },
            "evaluation.answers.ei-ole",
        ),
        (
            {
                "outcome": "upheld",
                "reason": "x",
                "evaluation": {**world.corrected(evaluation, ratkaisu="yes"), "agent_id": "nobody"},
            },
            "evaluation.agent_id",
        ),
        (
            {"outcome": "upheld", "reason": "x", "evaluation": {"form_id": "x"}},
            "evaluation.form_version",
        ),
        ({"outcome": "rejected", "reason": "x", "extra": 1}, "extra"),
    ):
        refused = world.as_(MAIJA, "POST", f"{path}/decision", body)
        assert refused.status == 400, (body, refused.body)
        assert refused.body["field"] == field, (body, refused.body)
    pinned = {
        "outcome": "upheld",
        "reason": "Tallenteella ratkaisu varmistetaan.",
        "evaluation": world.corrected(evaluation, ratkaisu="yes"),
        "evaluation_revision": 2,
    }
    stale_revision = world.as_(MAIJA, "POST", f"{path}/decision", pinned)
    assert (stale_revision.status, stale_revision.body["field"]) == (412, "evaluation_revision")
    assert world.as_(AINO, "POST", f"{path}/decision", pinned).status == 403


def test_an_upheld_dispute_amends_the_evaluation_and_the_figures_follow(
    world: World, client: Client, stream: StreamReader
) -> None:
    evaluation, dispute = opened(world)
    assert deliver(client, stream.read()) == {"batchItemFailures": []}
    summary = "/v1/agents/aino/summary?period=2026-11"
    before = world.as_(MAIJA, "GET", summary).body
    assert before["average_score"] == expected(14)  # 3 of 17 points missed
    path = f"/v1/disputes/{dispute['dispute_id']}"
    assert world.as_(MAIJA, "POST", f"{path}/review").status == 200
    world.clock.now = datetime(2026, 11, 5, 9, 30, tzinfo=UTC)
    decision = {
        "outcome": "upheld",
        "reason": "Tallenteella ratkaisu varmistetaan.",
        "evaluation": world.corrected(evaluation, ratkaisu="yes"),
        "evaluation_revision": 1,
    }
    decided = world.as_(VILLE, "POST", f"{path}/decision", decision)  # not the reviewer
    assert decided.status == 200, decided.body
    assert decided.body["state"] == "upheld"
    assert decided.body["decision"] == {
        "outcome": "upheld",
        "reason": "Tallenteella ratkaisu varmistetaan.",
        "by": "ville",
        "at": "2026-11-05T09:30:00Z",
        "revision": 2,
    }
    assert [h["state"] for h in decided.body["history"]] == ["open", "in_review", "upheld"]
    amended = world.as_(AINO, "GET", f"/v1/evaluations/{evaluation['evaluation_id']}").body
    assert (amended["revision"], amended["dispute_id"], amended["revised_by"]) == (
        2,
        dispute["dispute_id"],
        "ville",
    )
    assert (amended["evaluator"], amended["created_at"]) == ("eero", evaluation["created_at"])
    assert amended["score"]["overall"] == "100.00"
    # Asked again by the same person: the decision as it is, no second amendment.
    again = world.as_(VILLE, "POST", f"{path}/decision", decision)
    assert (again.status, again.body) == (200, decided.body)
    other = world.as_(MAIJA, "POST", f"{path}/decision", {"outcome": "rejected", "reason": "x"})
    assert (other.status, other.body["error"]) == (409, "already_decided")
    withdrawn = world.as_(AINO, "POST", f"{path}/withdrawal")
    assert (withdrawn.status, withdrawn.body["error"]) == (409, "already_decided")
    revisions = world.as_(MAIJA, "GET", f"/v1/evaluations/{evaluation['evaluation_id']}/revisions")
    assert [r["revision"] for r in revisions.body["items"]] == [1, 2]
    # The stream folds the correction in like any amendment.
    assert deliver(client, stream.read()) == {"batchItemFailures": []}
    after = world.as_(AINO, "GET", summary).body
    assert (after["evaluations"], after["average_score"]) == (1, expected(17))
    assert world.as_(AINO, "GET", "/v1/disputes").body == {"items": []}


def expected(points: int) -> str:
    """Independent of the code under test: a share of 17 points, rounded half-up."""
    return str((Decimal(100 * points) / 17).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_withdrawal_by_the_agent_or_the_opener_and_what_it_bumps(world: World) -> None:
    evaluation, dispute = opened(world)
    path = f"/v1/disputes/{dispute['dispute_id']}/withdrawal"
    for who in (MAIJA, TIINA, AUDITOR):
        assert world.as_(who, "POST", path).status == 403, who
    for who in (BERT, OLLI):
        assert world.as_(who, "POST", path).status == 404, who
    # Not yet applied by the stream: no pay period to bump (the stream bumps it).
    assert list(ChangeCountModel.query("acme#CHANGES")) == []
    withdrawn = world.as_(AINO, "POST", path, headers={"If-Match": '"1"'})
    assert (withdrawn.status, withdrawn.body["state"], withdrawn.body["version"]) == (
        200,
        "withdrawn",
        2,
    )
    assert withdrawn.body["history"][-1]["by"] == "aino.user"
    assert world.as_(AINO, "POST", path).body == withdrawn.body  # asked again
    stale = world.as_(AINO, "POST", path, headers={"If-Match": '"1"'})
    assert stale.status == 412
    # Withdrawn: the evaluation may be disputed again, within its window.
    assert world.dispute(evaluation["evaluation_id"]).status == 201


def test_every_settling_change_bumps_the_pay_period_the_evaluation_counts_in(
    world: World, client: Client, stream: StreamReader
) -> None:
    evaluation = world.evaluate()
    assert deliver(client, stream.read()) == {"batchItemFailures": []}

    def count() -> int:
        return int(ChangeCountModel.get("acme#CHANGES", "2026-11", consistent_read=True).changes)

    applied = count()
    world.clock.now = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    first = world.dispute(evaluation["evaluation_id"]).body["dispute_id"]
    assert count() == applied + 1
    assert world.as_(AINO, "POST", f"/v1/disputes/{first}/withdrawal").status == 200
    assert count() == applied + 2
    second = world.dispute(evaluation["evaluation_id"]).body["dispute_id"]
    assert world.as_(MAIJA, "POST", f"/v1/disputes/{second}/review").status == 200
    assert count() == applied + 3  # taking into review changes nothing in pay
    rejected = world.as_(
        MAIJA, "POST", f"/v1/disputes/{second}/decision", {"outcome": "rejected", "reason": "x"}
    )
    assert rejected.status == 200, rejected.body
    assert count() == applied + 4
    # The OPEN copy is there exactly while a dispute is undecided.
    assert list(CoachingItemModel.query("acme#DISPUTES#OPEN")) == []


# --- two deciders at once ----------------------------------------------------------------


@pytest.fixture
def serializable_transactions(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB runs transactions serializably; moto in one process takes no lock, so
    two threads could interleave inside one of its transactions. Give it DynamoDB's."""
    original = DynamoDBBackend.transact_write_items
    lock = threading.Lock()

    def locked(self: Any, transact_items: Any) -> Any:
        with lock:
            return original(self, transact_items)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", locked)


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Each call in a thread of its own, let go together; what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = calls[index]()
        except LaatuError as error:
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("both_read_first", [False, True])
def test_two_deciders_racing_make_one_decision_and_one_amendment(
    world: World,
    serializable_transactions: None,
    monkeypatch: pytest.MonkeyPatch,
    both_read_first: bool,
) -> None:
    """Let go together; with `both_read_first`, each decides from the same in_review
    dispute before either writes, so only the transaction's conditions can tell them
    apart: the loser's write fails, it reads again and hears already_decided."""
    decisions_asked: list[str] = []
    if both_read_first:
        rule = rules.decide
        both_decided = threading.Barrier(2, timeout=10)
        first_ask = threading.local()

        def decide_then_wait(*args: Any, **kwargs: Any) -> Any:
            decided = rule(*args, **kwargs)
            decisions_asked.append(decided.state)
            if not getattr(first_ask, "done", False):
                first_ask.done = True
                both_decided.wait()
            return decided

        monkeypatch.setattr(rules, "decide", decide_then_wait)
    root = load_app().root
    stores = DisputeStores(
        root.disputes, root.evaluations, root.forms, root.settings, root.aggregates
    )
    roster = root.roster("acme")
    for round_number in range(4):
        evaluation, dispute = opened(world)
        path = f"/v1/disputes/{dispute['dispute_id']}"
        assert world.as_(MAIJA, "POST", f"{path}/review").status == 200
        # Both uphold, each with another correction, or one upholds and one rejects.
        bodies: list[dict[str, Any]] = [
            {
                "outcome": "upheld",
                "reason": "Maija",
                "evaluation": world.corrected(evaluation, ratkaisu="yes"),
            },
            {
                "outcome": "upheld" if round_number % 2 else "rejected",
                "reason": "Ville",
                **(
                    {"evaluation": world.corrected(evaluation, ratkaisu="yes", kiitos="no")}
                    if round_number % 2
                    else {}
                ),
            },
        ]
        deciders = [
            Principal("maija", "acme", frozenset({"admin"})),
            Principal("ville", "acme", frozenset({"admin"})),
        ]

        def decider(
            principal: Principal, body: dict[str, Any], dispute_id: str
        ) -> Callable[[], Any]:
            return lambda: service.decide(
                stores, roster, principal, dispute_id, body, if_match=None, now=world.clock.now
            )

        outcomes = race(
            [decider(p, b, dispute["dispute_id"]) for p, b in zip(deciders, bodies, strict=True)]
        )
        won = [o for o in outcomes if not isinstance(o, LaatuError)]
        lost = [o for o in outcomes if isinstance(o, LaatuError)]
        assert len(won) == 1, outcomes
        assert len(lost) == 1, outcomes
        assert isinstance(lost[0], Conflict)
        assert lost[0].code == "already_decided"
        stored = world.as_(MAIJA, "GET", path).body
        assert stored == won[0].to_dict()
        assert len([h for h in stored["history"] if h["state"] in ("upheld", "rejected")]) == 1
        revisions = list(
            EvaluationModel.query(
                f"acme#{evaluation['evaluation_id']}", EvaluationModel.sk.startswith("REV#")
            )
        )
        upheld = stored["state"] == "upheld"
        assert len(revisions) == (2 if upheld else 1)
        current = world.as_(MAIJA, "GET", f"/v1/evaluations/{evaluation['evaluation_id']}").body
        winner = bodies[0] if stored["decision"]["by"] == "maija" else bodies[1]
        if upheld:
            assert current["answers"] == winner["evaluation"]["answers"]
            assert current["dispute_id"] == dispute["dispute_id"]
        else:
            assert current["revision"] == 1
        if both_read_first:
            # Both decided from in_review before either wrote: the loser's refusal came
            # from its failed write and the second read, not from a first read.
            assert len(decisions_asked) == 2
            assert set(decisions_asked) <= set(rules.OUTCOMES)
            decisions_asked.clear()

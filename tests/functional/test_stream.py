"""Scoring on write is idempotent: duplicates, reordering and bad records change nothing extra."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.adapters.aggregate_store import AggregateStore
from chalicelib.adapters.models import QuarantineModel
from tests.functional.api import Api
from tests.functional.conftest import StreamReader, deliver
from tests.support import all_answers, evaluation_body


def figures(api: Api, agent: str, period: str = "2026-11") -> Any:
    answer = api.call("GET", f"/v1/agents/{agent}/summary?period={period}", "admin")
    assert answer.status == 200, answer.body
    return answer.body


def write_history(api: Api) -> list[str]:
    """Three evaluations across two agents, one amended twice, one moved to December."""
    form = api.publish()
    answers = all_answers(form)
    ids = []
    for agent, no in (("aino", "kiitos"), ("aino", "ratkaisu"), ("pekka", "avoimet")):
        created = api.submit(evaluation_body(form, agent_id=agent, answers={**answers, no: "no"}))
        ids.append(created.body["evaluation_id"])
    path = f"/v1/evaluations/{ids[0]}"
    second = evaluation_body(form, agent_id="aino", answers={**answers, "tervehdys": "no"})
    assert (
        api.call("PUT", path, "evaluator", body=second, headers={"If-Match": '"1"'}).status == 200
    )
    third = evaluation_body(
        form, agent_id="pekka", occurred_at="2026-12-03T08:00:00+02:00", answers=answers
    )
    assert api.call("PUT", path, "evaluator", body=third, headers={"If-Match": '"2"'}).status == 200
    return ids


def snapshot(api: Api) -> list[Any]:
    return [
        figures(api, agent, period)
        for agent in ("aino", "pekka")
        for period in ("2026-11", "2026-12")
    ]


def expected_after_history(api: Api) -> None:
    aino, _, pekka, pekka_december = snapshot(api)
    assert aino["evaluations"] == 1  # the amended one left aino for pekka in December
    assert aino["average_score"] == "82.35"  # 14 / 17
    assert pekka["evaluations"] == 1
    assert pekka_december["evaluations"] == 1
    assert pekka_december["average_score"] == "100.00"


def test_in_order_delivery_gives_the_expected_figures(
    api: Api, client: Client, stream: StreamReader
) -> None:
    write_history(api)
    assert deliver(client, stream.read()) == {"batchItemFailures": []}
    expected_after_history(api)


def test_replaying_whole_batches_changes_nothing(
    api: Api, client: Client, stream: StreamReader
) -> None:
    write_history(api)
    records = stream.read()
    deliver(client, records)
    once = snapshot(api)
    for _ in range(3):
        deliver(client, records)
    assert snapshot(api) == once


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_any_order_with_duplicates_gives_the_same_figures(
    api: Api, client: Client, stream: StreamReader, seed: int
) -> None:
    write_history(api)
    records = stream.read()
    shuffled = records * 2
    random.Random(seed).shuffle(shuffled)
    for start in range(0, len(shuffled), 3):
        deliver(client, shuffled[start : start + 3])
    expected_after_history(api)


def test_a_bad_record_is_quarantined_and_does_not_block_the_rest(
    api: Api, client: Client, stream: StreamReader
) -> None:
    form = api.publish()
    api.submit(evaluation_body(form, agent_id="aino"))
    records = [r for r in stream.read() if r["dynamodb"]["Keys"]["sk"]["S"].startswith("REV#")]
    broken = copy.deepcopy(records[0])
    broken["eventID"] = "broken-1"
    broken["dynamodb"]["NewImage"]["document"] = {"S": "{not json"}
    assert deliver(client, [broken, *records]) == {"batchItemFailures": []}
    assert figures(api, "aino")["evaluations"] == 1
    quarantined = list(QuarantineModel.query("acme#QUARANTINE"))
    assert [q.event_id for q in quarantined] == ["broken-1"]


def test_a_passing_failure_is_reported_for_retry(
    api: Api, client: Client, stream: StreamReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = api.publish()
    api.submit(evaluation_body(form, agent_id="aino"))
    api.submit(evaluation_body(form, agent_id="pekka"))
    records = [r for r in stream.read() if r["dynamodb"]["Keys"]["sk"]["S"].startswith("REV#")]
    original = AggregateStore.write
    calls = {"n": 0}

    def flaky(self: AggregateStore, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionError("throttled")
        original(self, *args, **kwargs)

    monkeypatch.setattr(AggregateStore, "write", flaky)
    result = deliver(client, records)
    failed = records[1]["dynamodb"]["SequenceNumber"]
    assert result == {"batchItemFailures": [{"itemIdentifier": failed}]}
    # Lambda retries from the failed record on; it and everything after apply once.
    assert deliver(client, records[1:]) == {"batchItemFailures": []}
    assert figures(api, "aino")["evaluations"] == 1
    assert figures(api, "pekka")["evaluations"] == 1

"""A team's report reads its members from the team index, built once for old records."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from chalicelib.adapters.backfill_store import BackfillProgress, BackfillStore
from chalicelib.adapters.models import AgentModel, TeamMemberModel
from chalicelib.adapters.settings_store import SettingsStore
from chalicelib.services import team_index
from tests.functional.api import Api
from tests.functional.conftest import Clock, StreamReader, deliver
from tests.support import all_answers, evaluation_body

REPORT = "/v1/reports/compliance?scope=team:t1&range=month:2026-11"


def report(api: Api) -> tuple[dict[str, Any], int]:
    answer = api.call("GET", REPORT)
    assert answer.status == 200, answer.body
    body = dict(answer.body)
    return body, body.pop("requests")


def build_index() -> BackfillProgress:
    return team_index.run(SettingsStore(), BackfillStore(), "acme", lambda: "now", lambda: True)


def test_old_records_are_read_from_the_roster_until_indexed_then_from_the_index(
    api: Api, client: Client, stream: StreamReader, clock: Clock
) -> None:
    form = api.publish()
    for n, agent in enumerate(("aino", "pekka", "sari", "ville")):
        body = evaluation_body(
            form,
            agent_id=agent,
            occurred_at=f"2026-11-0{n + 1}T10:00:00+02:00",
            answers=all_answers(form),
        )
        assert api.submit(body).status == 201
    assert deliver(client, stream.read()) == {"batchItemFailures": []}
    assert api.call("PUT", "/v1/teams/t1", body={"name": "T1", "leaders": []}).status == 200
    # Records as written before the index: straight into the table, no index entries.
    for agent, team in (("aino", "t1"), ("pekka", "t1"), ("sari", "t2")):
        AgentModel(
            "acme#AGENTS",
            agent,
            name=agent.title(),
            team=team,
            updated_at="2026-01-01T00:00:00Z",
            updated_by="old",
        ).save()
    before, roster_requests = report(api)
    assert before["evaluations"] == 2  # aino and pekka, read from the roster

    progress = build_index()
    assert (progress.done, progress.seen) == (True, 3)
    after, index_requests = report(api)
    assert after == before
    members = {m.sk for m in TeamMemberModel.query("acme#MEMBERS#t1")}
    assert members == {"aino", "pekka", "#complete"}
    assert index_requests < roster_requests

    # A move through the API keeps the index right: out of t1, into t2.
    moved = {"name": "Pekka", "memberships": [{"team": "t2", "from": "2026-01-01"}]}
    assert api.call("PUT", "/v1/agents/pekka", body=moved).status == 200
    assert report(api)[0]["evaluations"] == 1
    assert {m.sk for m in TeamMemberModel.query("acme#MEMBERS#t1")} == {"aino", "#complete"}
    assert {m.sk for m in TeamMemberModel.query("acme#MEMBERS#t2")} == {
        "sari",
        "pekka",
        "#complete",
    }
    # A team made after the index is complete from the start.
    assert api.call("PUT", "/v1/teams/t3", body={"name": "T3", "leaders": []}).status == 200
    ville = {"name": "Ville", "memberships": [{"team": "t3", "from": "2026-11-01"}]}
    assert api.call("PUT", "/v1/agents/ville", body=ville).status == 200
    answer = api.call("GET", "/v1/reports/compliance?scope=team:t3&range=month:2026-11")
    assert answer.body["evaluations"] == 1
    assert {m.sk for m in TeamMemberModel.query("acme#MEMBERS#t3")} == {"ville", "#complete"}
    # Building again changes nothing.
    assert build_index().done

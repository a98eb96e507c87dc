"""Teams and agents' membership history through the real app on moto's DynamoDB."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalicelib.adapters.models import AgentModel
from chalicelib.adapters.settings_store import SettingsStore
from chalicelib.domain.teams import Membership
from tests.functional.api import Api
from tests.functional.conftest import Clock

TEAM = {"name": "Asiakaspalvelu A", "leaders": ["tl-1"]}


def test_an_admin_puts_a_team_and_every_role_but_payroll_reads_it(api: Api, clock: Clock) -> None:
    saved = api.call("PUT", "/v1/teams/t1", body=TEAM, user="maija")
    assert saved.status == 200, saved.body
    assert saved.body == {"team_id": "t1", "name": "Asiakaspalvelu A", "leaders": ["tl-1"]}
    assert api.call("PUT", "/v1/teams/a.team@x", body={"name": "B"}).status == 200
    for role in ("admin", "evaluator", "auditor", "agent"):
        listed = api.call("GET", "/v1/teams", role, agent_id="aino")
        assert listed.status == 200, (role, listed.body)
        assert [t["team_id"] for t in listed.body["items"]] == ["a.team@x", "t1"]
        assert api.call("GET", "/v1/teams/t1", role, agent_id="aino").body == saved.body
    assert api.call("GET", "/v1/teams", "payroll").status == 403
    assert api.call("GET", "/v1/teams/t1", "payroll").status == 403
    for role in ("evaluator", "auditor", "agent", "payroll"):
        refused = api.call("PUT", "/v1/teams/t1", role, body={"name": "X"}, agent_id="aino")
        assert refused.status == 403, (role, refused.body)
    replaced = api.call("PUT", "/v1/teams/t1", body={"name": "Uusi nimi"})
    assert replaced.body == {"team_id": "t1", "name": "Uusi nimi", "leaders": []}
    assert api.call("GET", "/v1/teams/t1").body == replaced.body


def test_unknown_bad_and_other_tenants_teams(api: Api, clock: Clock) -> None:
    assert api.call("PUT", "/v1/teams/t1", body=TEAM).status == 200
    assert api.call("GET", "/v1/teams/t2").status == 404
    assert api.call("GET", "/v1/teams/t1", tenant="globex").status == 404
    assert api.call("GET", "/v1/teams", tenant="globex").body == {"items": []}
    bad_id = api.call("GET", "/v1/teams/-t1")
    assert (bad_id.status, bad_id.body["field"]) == (400, "team_id")
    assert api.call("PUT", f"/v1/teams/{'t' * 65}", body=TEAM).status == 400
    for body, field in (
        ({"leaders": []}, "name"),
        ({"name": "A", "leaders": ["x", "x"]}, "leaders"),
        ({"name": "A", "leaders": [""]}, "leaders[0]"),
        ({"name": "A", "extra": 1}, "extra"),
        ({"name": "A" * 201}, "name"),
        ({"name": "A\u202e"}, "name"),
    ):
        refused = api.call("PUT", "/v1/teams/t3", body=body)
        assert (refused.status, refused.body["field"]) == (400, field), body
    assert api.call("GET", "/v1/teams/t3").status == 404


def test_a_change_of_team_is_a_membership_from_the_local_today(api: Api, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 1, 22, 30, tzinfo=UTC)  # 2 November in Helsinki
    first = api.call("PUT", "/v1/agents/aino", body={"name": "Aino", "team": "t1"})
    assert first.status == 200, first.body
    assert first.body["team"] == "t1"
    assert first.body["memberships"] == [{"team": "t1", "from": "2026-11-02"}]
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    api.call("PUT", "/v1/agents/aino", body={"name": "Aino", "team": "t2"})
    shown = api.call("GET", "/v1/agents/aino", "agent", agent_id="aino")
    assert shown.status == 200, shown.body
    assert shown.body["memberships"] == [
        {"team": "t1", "from": "2026-11-02"},
        {"team": "t2", "from": "2026-12-01"},
    ]
    listed = api.call("GET", "/v1/agents", "evaluator")
    assert listed.body["items"][0]["memberships"] == shown.body["memberships"]


def test_memberships_replace_the_history(api: Api, clock: Clock) -> None:
    history = [{"team": "t1", "from": "2026-01-01"}, {"team": "t2", "from": "2026-11-05"}]
    saved = api.call("PUT", "/v1/agents/aino", body={"memberships": history})
    assert saved.status == 200, saved.body
    assert (saved.body["team"], saved.body["memberships"]) == ("t1", history)
    clock.now = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
    assert api.call("GET", "/v1/agents/aino").body["team"] == "t2"
    mismatch = api.call("PUT", "/v1/agents/aino", body={"memberships": history, "team": "t1"})
    assert (mismatch.status, mismatch.body["field"]) == (400, "team")
    for bad, field in (
        ([{"team": "t1", "from": "2026-1-1"}], "memberships[0].from"),
        ([{"team": "t 1", "from": "2026-01-01"}], "memberships[0].team"),
        ([{"team": "t1", "from": "2026-02-30"}], "memberships[0].from"),
        ([{"team": "t1", "from": "3000-01-01"}], "memberships[0].from"),
        (history[::-1], "memberships[1].from"),
        ([{"team": "t1", "from": "2026-01-01", "until": "2026-02-01"}], "memberships[0].until"),
    ):
        refused = api.call("PUT", "/v1/agents/aino", body={"memberships": bad})
        assert (refused.status, refused.body["field"]) == (400, field), bad


def test_a_record_from_before_histories_reads_as_in_its_team_all_along(
    api: Api, clock: Clock
) -> None:
    for agent_id, team in (("aino", "Tiimi 1"), ("bert", "")):
        AgentModel(
            "acme#AGENTS", agent_id, name=agent_id, team=team, updated_at="", updated_by="x"
        ).save()
    store = SettingsStore()
    agents = {agent.agent_id: agent for agent in store.agents("acme")}
    assert agents["aino"].memberships == (Membership("Tiimi 1", date(1970, 1, 1)),)
    assert agents["bert"].memberships == ()
    shown = api.call("GET", "/v1/agents/aino")
    assert shown.body["memberships"] == [{"team": "Tiimi 1", "from": "1970-01-01"}]
    # The next change keeps that history and appends today's team.
    moved = api.call("PUT", "/v1/agents/aino", body={"name": "Aino", "team": "t1"})
    assert moved.body["memberships"] == [
        {"team": "Tiimi 1", "from": "1970-01-01"},
        {"team": "t1", "from": "2026-11-01"},
    ]
    # An empty history is stored as one and read back as one.
    emptied = api.call("PUT", "/v1/agents/bert", body={"memberships": []})
    assert emptied.body["memberships"] == []
    assert api.call("GET", "/v1/agents/bert").body["memberships"] == []

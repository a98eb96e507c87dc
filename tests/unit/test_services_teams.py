"""Teams and the roster's membership history on in-memory stores.

"Today" is the tenant's local day: Helsinki (the default zone) is UTC+2 in winter,
so 22:30 UTC on 1 November is already 2 November there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.principal import Principal
from chalicelib.domain.settings import SettingsRevision, TenantSettings
from chalicelib.domain.teams import Membership, Team
from chalicelib.services import teams, tenant_settings
from tests.fakes.stores import FakeSettings

TENANT = "acme"
ADMIN = Principal("ada", TENANT, frozenset({"admin"}))
LATE_EVENING = datetime(2026, 11, 1, 22, 30, tzinfo=UTC)  # 2 Nov 00:30 in Helsinki
D = date.fromisoformat


def person(*roles: str, user: str = "pat", agent_id: str | None = None) -> Principal:
    return Principal(user, TENANT, frozenset(roles), agent_id)


def put(store: FakeSettings, body: dict[str, Any], now: datetime = LATE_EVENING) -> Any:
    return tenant_settings.put_agent(store, ADMIN, "aino", body, now)


def test_only_admins_write_teams_and_payroll_reads_none() -> None:
    store = FakeSettings()
    saved = teams.put_team(store, ADMIN, "t1", {"name": "A", "leaders": ["tl-1"]}, LATE_EVENING)
    assert saved == Team("t1", "A", ("tl-1",))
    assert store.registry == {TENANT: "2026-11-01T22:30:00Z"}
    for role in ("evaluator", "auditor", "agent", "payroll"):
        with pytest.raises(Forbidden):
            teams.put_team(store, person(role), "t1", {"name": "B"}, LATE_EVENING)
    for role in ("admin", "evaluator", "auditor", "agent"):
        assert teams.list_teams(store, person(role)) == [saved]
        assert teams.get_team(store, person(role), "t1") == saved
    with pytest.raises(Forbidden):
        teams.list_teams(store, person("payroll"))
    with pytest.raises(Forbidden):
        teams.get_team(store, person("payroll"), "t1")


def test_an_unknown_team_is_not_found_and_a_bad_body_is_refused() -> None:
    store = FakeSettings()
    with pytest.raises(NotFound):
        teams.get_team(store, ADMIN, "t1")
    with pytest.raises(InvalidInput) as refused:
        teams.put_team(store, ADMIN, "t1", {"name": "A", "boss": "x"}, LATE_EVENING)
    assert refused.value.field == "boss"
    assert store.team_records == {}


def test_another_tenants_team_is_not_found() -> None:
    store = FakeSettings()
    teams.put_team(store, ADMIN, "t1", {"name": "A"}, LATE_EVENING)
    with pytest.raises(NotFound):
        teams.get_team(store, Principal("gus", "globex", frozenset({"admin"})), "t1")


def test_teams_led_by_a_user() -> None:
    found = [Team("t1", "A", ("tl-1", "tl-2")), Team("t2", "B", ("tl-2",)), Team("t3", "C")]
    assert [t.team_id for t in teams.teams_led_by(found, "tl-2")] == ["t1", "t2"]
    assert teams.teams_led_by(found, "nobody") == []


def test_a_team_alone_appends_a_membership_from_the_local_today() -> None:
    store = FakeSettings()
    first = put(store, {"name": "Aino", "team": "t1"})
    assert first.memberships == (Membership("t1", D("2026-11-02")),)
    assert put(store, {"name": "Aino", "team": "t1"}).memberships == first.memberships
    later = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    moved = put(store, {"name": "Aino", "team": "t2"}, later)
    assert moved.team == "t2"
    assert moved.memberships == (
        Membership("t1", D("2026-11-02")),
        Membership("t2", D("2026-12-01")),
    )
    # Leaving out the team is "in no team" from today, as every field takes its default.
    left = put(store, {"name": "Aino"}, datetime(2027, 1, 5, 9, 0, tzinfo=UTC))
    assert left.team == ""
    assert left.memberships[-1] == Membership("", D("2027-01-05"))


def test_today_is_read_in_the_tenants_zone() -> None:
    store = FakeSettings()
    store.saved[(TENANT, 1)] = SettingsRevision(
        1,
        datetime(1970, 1, 1, tzinfo=UTC),
        TenantSettings(time_zone="America/New_York"),
        "",
        "ada",
    )
    # 22:30 UTC is still 1 November in New York.
    assert put(store, {"team": "t1"}).memberships == (Membership("t1", D("2026-11-01")),)


def test_memberships_replace_the_history_and_give_todays_team() -> None:
    store = FakeSettings()
    put(store, {"team": "t1"})
    history = [{"team": "t1", "from": "2026-01-01"}, {"team": "t2", "from": "2026-10-01"}]
    saved = put(store, {"name": "Aino", "memberships": history})
    assert saved.team == "t2"
    assert [m.to_dict() for m in saved.memberships] == history
    assert put(store, {"memberships": history, "team": "t2"}).team == "t2"
    with pytest.raises(InvalidInput) as refused:
        put(store, {"memberships": history, "team": "t1"})
    assert refused.value.field == "team"
    with pytest.raises(InvalidInput) as unsorted:
        put(store, {"memberships": history[::-1]})
    assert unsorted.value.field == "memberships[1].from"


def test_the_roster_shows_the_team_in_force_today() -> None:
    store = FakeSettings()
    planned = [{"team": "t1", "from": "2026-01-01"}, {"team": "t2", "from": "2026-11-05"}]
    put(store, {"memberships": planned})
    before = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
    after = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
    assert tenant_settings.get_agent(store, ADMIN, "aino", before).team == "t1"
    assert tenant_settings.get_agent(store, ADMIN, "aino", after).team == "t2"
    assert [a.team for a in tenant_settings.list_agents(store, ADMIN, after)] == ["t2"]
    view = tenant_settings.agent_view(tenant_settings.get_agent(store, ADMIN, "aino", after))
    assert view["memberships"] == planned
    assert teams.memberships_by_agent(store.agents(TENANT)) == {
        "aino": (Membership("t1", D("2026-01-01")), Membership("t2", D("2026-11-05")))
    }


def test_a_team_that_is_not_a_team_id_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        put(FakeSettings(), {"team": "Tiimi 1"})
    assert refused.value.field == "team"

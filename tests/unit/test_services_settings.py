"""tenant_settings.update on in-memory stores: when a settings change takes effect.

Expected instants are written out by hand in UTC (Helsinki is UTC+2 in winter,
UTC+3 in summer), not computed with the calendar code under test.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from chalicelib.adapters.export_store import ExportRecord
from chalicelib.domain.errors import Conflict
from chalicelib.domain.principal import Principal
from chalicelib.domain.settings import SettingsRevision, TenantSettings
from chalicelib.services import tenant_settings
from tests.fakes.stores import FakeExports, FakeSettings

TENANT = "acme"
ADMIN = Principal("ada", TENANT, frozenset({"admin"}))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def exported(exports: FakeExports, period: str, start: str, end: str) -> None:
    exports.head_records[(TENANT, period)] = ExportRecord(
        period, 1, "done", "2026-01-01T00:00:00Z", 0, {"start": start, "end": end}, ""
    )


def update(
    settings: FakeSettings, exports: FakeExports, body: dict[str, Any], now: str
) -> dict[str, Any]:
    return tenant_settings.update(settings, exports, ADMIN, body, at(now))


def test_with_nothing_exported_a_change_covers_every_day_from_the_first() -> None:
    settings, exports = FakeSettings(), FakeExports()
    saved = update(settings, exports, {"grace_days": 5}, "2026-11-10T12:00:00Z")
    # 1970-01-01 00:00 in Helsinki (UTC+2 that winter).
    assert (saved["revision"], saved["effective_from"]) == (1, "1969-12-31T22:00:00Z")
    assert settings.registry == {TENANT: "2026-11-10T12:00:00Z"}


@pytest.mark.parametrize(
    ("end", "now", "effective_from"),
    [
        # October exported, November not yet although it has ended: from 1 November.
        ("2026-10-31", "2026-12-10T12:00:00Z", "2026-10-31T22:00:00Z"),
        # Midsummer: the local midnight is three hours before UTC's.
        ("2026-06-30", "2026-07-15T12:00:00Z", "2026-06-30T21:00:00Z"),
    ],
)
def test_a_change_takes_effect_from_the_first_period_not_yet_exported(
    end: str, now: str, effective_from: str
) -> None:
    settings, exports = FakeSettings(), FakeExports()
    exported(exports, "2026-01", "2026-01-01", "2026-01-31")  # the latest export counts
    exported(exports, end[:7], end[:8] + "01", end)
    saved = update(settings, exports, {"grace_days": 5}, now)
    assert saved["effective_from"] == effective_from


@pytest.mark.parametrize(
    ("now", "effective_from"),
    [
        ("2026-11-10T12:00:00Z", "2026-11-30T22:00:00Z"),  # from 1 December, Helsinki
        # 00:30 on 1 December in Helsinki while UTC is still on 30 November: December
        # has started there, so the change waits for January.
        ("2026-11-30T22:30:00Z", "2026-12-31T22:00:00Z"),
    ],
)
def test_a_time_zone_change_waits_for_the_next_period_not_started(
    now: str, effective_from: str
) -> None:
    settings, exports = FakeSettings(), FakeExports()
    exported(exports, "2026-09", "2026-09-01", "2026-09-30")
    saved = update(settings, exports, {"time_zone": "Europe/London"}, now)
    assert saved["effective_from"] == effective_from
    # Until then the old zone is in force.
    shown = tenant_settings.view(settings, ADMIN, at(now))
    assert shown["time_zone"] == "Europe/Helsinki"
    assert [r["effective_from"] for r in shown["revisions"]] == [effective_from]


def test_a_change_never_takes_effect_before_a_pending_revision() -> None:
    settings, exports = FakeSettings(), FakeExports()
    exported(exports, "2026-10", "2026-10-01", "2026-10-31")
    update(settings, exports, {"time_zone": "Europe/London"}, "2026-11-10T12:00:00Z")
    # Alone it would take effect from 1 November; the pending December one is newer.
    saved = update(settings, exports, {"grace_days": 7}, "2026-11-11T12:00:00Z")
    assert (saved["revision"], saved["effective_from"]) == (2, "2026-11-30T22:00:00Z")


def test_a_change_never_takes_effect_before_a_revision_in_another_zone() -> None:
    settings, exports = FakeSettings(), FakeExports()
    # Revision 1 starts at London's midnight, two hours after Helsinki's.
    settings.saved[(TENANT, 1)] = SettingsRevision(
        1, at("2020-01-01T00:00:00Z"), TenantSettings(time_zone="Europe/London")
    )
    saved = update(
        settings, exports, {"time_zone": "Europe/London", "grace_days": 4}, "2026-11-10T12:00:00Z"
    )
    assert (saved["revision"], saved["effective_from"]) == (2, "2020-01-01T00:00:00Z")


class StaleReads(FakeSettings):
    """Another admin saved revision 1 after this request read the revisions."""

    def revisions(self, tenant: str) -> list[SettingsRevision]:
        return []


def test_two_changes_at_once_make_one_revision_and_a_conflict() -> None:
    settings = StaleReads()
    settings.saved[(TENANT, 1)] = SettingsRevision(1, at("2026-01-01T00:00:00Z"), TenantSettings())
    with pytest.raises(Conflict) as refused:
        update(settings, FakeExports(), {"grace_days": 5}, "2026-11-10T12:00:00Z")
    assert refused.value.code == "concurrent_settings_change"
    assert list(settings.saved) == [(TENANT, 1)]

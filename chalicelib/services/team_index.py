"""The team index for agents saved before it existed: built once per tenant.

Run from the hourly heartbeat. Every agent record is put into the index as it is
now (a write that races with it is itself indexed, and the indexing yields to
it); then every team gets its "complete" mark, from which on a team's report
reads only its members. Until then a team report reads the whole roster, so
figures are right at every moment, only slower. A team created after the
indexing is complete from the start (`SettingsStore.put_team`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from chalicelib.adapters.backfill_store import BackfillProgress
from chalicelib.adapters.settings_store import TEAM_INDEX_JOB
from chalicelib.domain.teams import teams_in
from chalicelib.services.ports import AgentDirectory, BackfillMarkers, TeamDirectory

log = logging.getLogger("laatu.backfill")

JOB = TEAM_INDEX_JOB
SAVE_EVERY = 50


class IndexWrites(AgentDirectory, TeamDirectory, Protocol):
    def index_agent(self, tenant: str, agent_id: str) -> None: ...

    def mark_team_indexed(self, tenant: str, team_id: str, now: str) -> None: ...


def run(
    store: IndexWrites,
    markers: BackfillMarkers,
    tenant: str,
    now: Callable[[], str],
    time_left: Callable[[], bool],
) -> BackfillProgress:
    progress = markers.progress(tenant, JOB)
    if progress.done:
        return progress
    agents = sorted(store.agents(tenant), key=lambda a: a.agent_id)
    # The cursor is the last agent id indexed: ids sort, and an agent added since
    # is indexed by its own write wherever it sorts.
    todo = [a for a in agents if progress.cursor is None or a.agent_id > progress.cursor]
    for count, agent in enumerate(todo, start=1):
        if not time_left():
            markers.save(tenant, JOB, progress, now())
            return progress
        store.index_agent(tenant, agent.agent_id)
        progress = BackfillProgress(agent.agent_id, False, progress.seen + 1, progress.filled + 1)
        if count % SAVE_EVERY == 0:
            markers.save(tenant, JOB, progress, now())
    teams = {team.team_id for team in store.teams(tenant)}
    for agent in agents:
        teams |= teams_in(agent.memberships)
    for team_id in sorted(teams):
        store.mark_team_indexed(tenant, team_id, now())
    progress = BackfillProgress(progress.cursor, True, progress.seen, progress.filled)
    markers.save(tenant, JOB, progress, now())
    log.info("team index of %s: %d agents, %d teams, done", tenant, progress.seen, len(teams))
    return progress

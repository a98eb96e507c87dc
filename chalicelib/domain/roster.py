"""Which agent ids an evaluation may name: the one rule for every entry path.

A tenant that keeps no roster cannot be checked, so every agent id passes; once it
keeps one (PUT /v1/agents/{id}, or a roster upload), only its agents do. The web
form, the API and the batch import all ask `check_agent`, so nothing the import
refuses can come in another way (and then be paid without a payroll id).
"""

from __future__ import annotations

from typing import Protocol

from chalicelib.domain.errors import InvalidInput


class Roster(Protocol):
    def is_kept(self) -> bool:
        """Whether the tenant keeps a roster at all."""
        ...

    def has(self, agent_id: str) -> bool: ...


def admits(roster: Roster, agent_id: str) -> bool:
    return roster.has(agent_id) or not roster.is_kept()


def check_agent(roster: Roster, agent_id: str) -> None:
    if not admits(roster, agent_id):
        raise InvalidInput(
            f"agent '{agent_id}' is not an agent of the tenant; add them to the roster first",
            field="agent_id",
            code="unknown_agent",
        )

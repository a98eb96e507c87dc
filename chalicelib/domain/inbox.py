"""What needs a person's action: the kinds of inbox entries and whom they are for.

An entry is owned by an agent (`agent:{agent id}`, what the roster and evaluations
name) or by a user (`user:{user id}`, a team leader or QA manager as the token names
them); a person with both sees both. Entries a service keeps (a review waiting for a
side, a session to acknowledge, a follow-up, an agreed action) are written in the
same transaction as the change that makes or settles them; the rest (evaluations to
acknowledge, disputes to review, a team's overdue acknowledgements) are read from
where they already are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.principal import Principal

# Kept by the services, one entry per (owner, kind, ref).
SELF_EVALUATE = "self_evaluate"  # ref: review id; owner: the agent
LEADER_EVALUATE = "leader_evaluate"  # ref: review id; owner: the review's team leader
ACKNOWLEDGE_SESSION = "acknowledge_session"  # ref: session id; owner: the agent
FOLLOW_UP = "follow_up"  # ref: session id; owner: the session's team leader
ACTION = "action"  # ref: `{session id}/{action id}`; owner: the action's owner
KEPT_KINDS = frozenset({SELF_EVALUATE, LEADER_EVALUATE, ACKNOWLEDGE_SESSION, FOLLOW_UP, ACTION})

# Read from where they are.
ACKNOWLEDGE = "acknowledge"  # ref: evaluation id
REVIEW_DISPUTE = "review_dispute"  # ref: dispute id
TEAM_UNACKNOWLEDGED = "team_unacknowledged"  # ref: team id


def agent_owner(agent_id: str) -> str:
    return f"agent:{agent_id}"


def user_owner(user: str) -> str:
    return f"user:{user}"


def owners_of(principal: Principal) -> tuple[str, ...]:
    """Every owner key the caller answers to."""
    owners = [user_owner(principal.user)]
    if principal.agent_id is not None:
        owners.append(agent_owner(principal.agent_id))
    return tuple(owners)


@dataclass(frozen=True)
class Todo:
    owner: str
    kind: str
    ref: str
    created_at: str  # UTC ISO instant
    due: str | None = None  # a local day YYYY-MM-DD or a UTC ISO instant; None: no deadline
    # What the inbox shows without reading the record: agent_id, evaluation_id, ...
    detail: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "kind": self.kind,
            "ref": self.ref,
            "created_at": self.created_at,
            "due": self.due,
            "detail": dict(self.detail),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Todo:
        return cls(
            owner=str(data["owner"]),
            kind=str(data["kind"]),
            ref=str(data["ref"]),
            created_at=str(data["created_at"]),
            due=None if data.get("due") is None else str(data["due"]),
            detail=dict(data.get("detail") or {}),
        )

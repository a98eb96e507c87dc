"""Who may do what, as one table: role -> action -> scope.

A person in several groups may do what any one of their roles may: the scopes of
all their roles are united, action by action. Nothing is granted for being "not
only" some role, so adding a role can only add what that role itself allows.

Scopes say which records of the tenant an action reaches:

- `TENANT`: every record of the caller's tenant.
- `SELF`: records about the caller as an agent (the token's `agent_id`): their
  own evaluations, summary and roster entry.
- `AUTHORED`: records the caller wrote themselves (an evaluation they entered, an
  import they uploaded).
- `LED`: records about the teams the caller leads (a team lists its leaders' user
  ids) and about the agents in them while they are members.

Every service asks `require(principal, action)` first and, where the answer is not
`TENANT`, narrows what it reads with `reaches(...)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from chalicelib.domain.errors import Forbidden
from chalicelib.domain.principal import Principal


class Scope(Enum):
    TENANT = "tenant"
    SELF = "self"
    AUTHORED = "authored"
    LED = "led"


# The table itself. A cell is the scope a role has for an action: T (tenant), S
# (self), A (authored), L (led), - (none). Read a column to see what a role may do.
# form.read covers published forms, their versions and import templates;
# evaluation.submit S is an agent's own self-evaluation; evaluation.amend A is an
# evaluation the caller wrote; evaluation.read covers revisions and lists;
# settings.read_history shows every revision, pending ones included; import.read an
# import's progress, report and lists; export.manage the history and "run now";
# export.download the links to a period's payroll files; team.read the teams and
# their leaders; report.read L is a team the caller leads or an agent in one during
# the report's days, S the caller's own figures and their teams' totals. In the
# coaching rows L is an agent now in a team the caller leads: review.* a coaching
# review (self-evaluation first), session.* a coaching session, dispute.decide
# taking a dispute into review and deciding it (never by its evaluation's author),
# acknowledgement.read who acknowledged what and what is overdue.
TABLE = """
action                 admin  evaluator  auditor  agent  payroll
form.read              T      T          T        T      T
form.read_draft        T      -          -        -      -
form.write             T      -          -        -      -
evaluation.submit      -      T          T        S      -
evaluation.amend       T      A          A        A      -
evaluation.read        T      T          T        S      -
summary.read           T      T          T        S      -
settings.read          T      T          T        T      T
settings.read_history  T      -          -        -      -
settings.write         T      -          -        -      -
roster.read            T      T          T        S      T
roster.write           T      -          -        -      -
import.create          T      -          T        -      -
import.read            T      -          A        -      -
export.manage          T      -          -        -      -
export.download        T      -          -        -      T
team.read              T      T          T        T      -
team.write             T      -          -        -      -
report.read            T      L          -        S      -
review.start           T      L          -        S      -
review.read            T      L          -        S      -
session.write          T      L          -        -      -
session.read           T      L          -        S      -
evaluation.acknowledge -      -          -        S      -
acknowledgement.read   T      L          -        S      -
dispute.open           T      L          -        S      -
dispute.read           T      L          -        S      -
dispute.decide         T      -          -        -      -
"""
_CELLS = {"T": Scope.TENANT, "S": Scope.SELF, "A": Scope.AUTHORED, "L": Scope.LED}


def _parse(table: str) -> dict[str, dict[str, frozenset[Scope]]]:
    header, *rows = (line.split() for line in table.strip().splitlines())
    roles = header[1:]
    out: dict[str, dict[str, frozenset[Scope]]] = {role: {} for role in roles}
    for action, *cells in rows:
        for role, cell in zip(roles, cells, strict=True):
            if cell != "-":
                out[role][action] = frozenset({_CELLS[cell]})
    return out


PERMISSIONS: Mapping[str, Mapping[str, frozenset[Scope]]] = _parse(TABLE)
ACTIONS = tuple(line.split()[0] for line in TABLE.strip().splitlines()[1:])


def scopes(principal: Principal, action: str) -> frozenset[Scope]:
    """The union of what each of the caller's roles allows for `action`."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    granted: set[Scope] = set()
    for role in principal.roles:
        granted |= PERMISSIONS.get(role, {}).get(action, frozenset())
    return frozenset(granted)


def allows(principal: Principal, action: str) -> bool:
    return bool(scopes(principal, action))


def require(principal: Principal, action: str) -> frozenset[Scope]:
    """The caller's scopes for `action`; Forbidden when they have none."""
    granted = scopes(principal, action)
    if not granted:
        roles = sorted(role for role, actions in PERMISSIONS.items() if action in actions)
        raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")
    return granted


def reaches(
    granted: frozenset[Scope],
    principal: Principal,
    *,
    about_agent: str | None = None,
    author: str | None = None,
) -> bool:
    """Whether a record about `about_agent`, written by `author`, is within `granted`."""
    if Scope.TENANT in granted:
        return True
    about_caller = principal.agent_id is not None and about_agent == principal.agent_id
    if Scope.SELF in granted and about_caller:
        return True
    return Scope.AUTHORED in granted and author is not None and author == principal.user

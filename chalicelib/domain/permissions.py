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


T, SELF, AUTHORED = Scope.TENANT, Scope.SELF, Scope.AUTHORED

ACTIONS = (
    "form.read",  # published forms and their versions and templates
    "form.read_draft",  # drafts and unpublished forms
    "form.write",  # create, edit, publish
    "evaluation.submit",  # a new evaluation; SELF means a self-evaluation only
    "evaluation.amend",
    "evaluation.read",  # one evaluation, its revisions, lists
    "summary.read",  # an agent's period figures
    "settings.read",
    "settings.read_history",  # every settings revision, pending ones included
    "settings.write",
    "roster.read",  # the roster, or one agent in it
    "roster.write",
    "import.create",
    "import.read",  # an import's progress and report, lists of imports
    "export.manage",  # the export history and running a period now
    "export.download",  # presigned links to a period's payroll files
)

PERMISSIONS: Mapping[str, Mapping[str, frozenset[Scope]]] = {
    "admin": {
        "form.read": frozenset({T}),
        "form.read_draft": frozenset({T}),
        "form.write": frozenset({T}),
        "evaluation.amend": frozenset({T}),
        "evaluation.read": frozenset({T}),
        "summary.read": frozenset({T}),
        "settings.read": frozenset({T}),
        "settings.read_history": frozenset({T}),
        "settings.write": frozenset({T}),
        "roster.read": frozenset({T}),
        "roster.write": frozenset({T}),
        "import.create": frozenset({T}),
        "import.read": frozenset({T}),
        "export.manage": frozenset({T}),
        "export.download": frozenset({T}),
    },
    "evaluator": {
        "form.read": frozenset({T}),
        "evaluation.submit": frozenset({T}),
        "evaluation.amend": frozenset({AUTHORED}),
        "evaluation.read": frozenset({T}),
        "summary.read": frozenset({T}),
        "settings.read": frozenset({T}),
        "roster.read": frozenset({T}),
    },
    "auditor": {
        "form.read": frozenset({T}),
        "evaluation.submit": frozenset({T}),
        "evaluation.amend": frozenset({AUTHORED}),
        "evaluation.read": frozenset({T}),
        "summary.read": frozenset({T}),
        "settings.read": frozenset({T}),
        "roster.read": frozenset({T}),
        "import.create": frozenset({T}),
        "import.read": frozenset({AUTHORED}),
    },
    "agent": {
        "form.read": frozenset({T}),
        "evaluation.submit": frozenset({SELF}),
        # Their own self-evaluation: written by them and about them.
        "evaluation.amend": frozenset({AUTHORED}),
        "evaluation.read": frozenset({SELF}),
        "summary.read": frozenset({SELF}),
        "settings.read": frozenset({T}),
        "roster.read": frozenset({SELF}),
    },
    "payroll": {
        "form.read": frozenset({T}),
        "settings.read": frozenset({T}),
        "roster.read": frozenset({T}),
        "export.download": frozenset({T}),
    },
}


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

"""Who is calling: taken only from a verified token, never from a request body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chalicelib.domain.errors import Forbidden

ROLES = frozenset({"admin", "evaluator", "auditor", "agent", "payroll"})
TENANT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class Principal:
    user: str
    tenant: str
    roles: frozenset[str]
    agent_id: str | None = None

    def has_any(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)

    def require(self, *roles: str) -> None:
        if not self.has_any(*roles):
            raise Forbidden(f"this needs one of the roles: {', '.join(sorted(roles))}")

    @property
    def only_agent(self) -> bool:
        """An agent with no wider role sees only their own evaluations."""
        return self.roles.isdisjoint(ROLES - {"agent"})

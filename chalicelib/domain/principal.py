"""Who is calling: taken only from a verified token, never from a request body."""

from __future__ import annotations

import re
from dataclasses import dataclass

ROLES = frozenset({"admin", "evaluator", "auditor", "agent", "payroll"})
TENANT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class Principal:
    user: str
    tenant: str
    roles: frozenset[str]
    agent_id: str | None = None

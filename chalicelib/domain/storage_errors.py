"""What storage says when a write could not happen as asked, in storage terms.

Stores raise these; services decide what each means to a client (a 409, a 412, a
retry, a quiet skip). They are plain Python, so a service or an in-memory fake
uses them without importing boto3 or PynamoDB, and none of them names an HTTP
status or header.
"""

from __future__ import annotations

from dataclasses import dataclass

SINGLE_WRITE = frozenset({0})


class ConditionFailed(Exception):
    """A write's condition did not hold: another writer got there first.

    `failed` are the positions, in the order written, of the items whose
    condition did not hold; a single write is position 0.
    """

    def __init__(self, detail: str = "", *, failed: frozenset[int] = SINGLE_WRITE) -> None:
        super().__init__(detail)
        self.failed = failed


class AlreadyExists(ConditionFailed):
    """The item a write meant to create is already there."""


class StaleVersion(ConditionFailed):
    """The item changed since it was read (or was named at a version it is not at)."""


class ConcurrentUpdate(StaleVersion):
    """Another writer changed the ledger or an aggregate first; read again and retry."""


class ExportBusy(StaleVersion):
    """Another run claimed the export period first."""


class LeaseLost(StaleVersion):
    """Another invocation holds the import's lease now: this one must stop."""


@dataclass(frozen=True)
class IdempotentReplay(Exception):
    """The idempotency key was used before; carries what the first request stored."""

    evaluation_id: str
    request_hash: str

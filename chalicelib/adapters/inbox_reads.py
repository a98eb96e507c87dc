"""What the inbox reads from where other records keep it, by the key shapes fixed in
coaching_models.py rather than through the owning stores.

`{t}#DISPUTES#OPEN` / `{evaluation}` holds a copy of each undecided dispute (the
Dispute shape), kept in step with the record by the dispute store in the same
transaction as each change, so every dispute a reviewer may have to decide is one
Query of one partition.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib import jsoncodec
from chalicelib.adapters.coaching_models import CoachingItemModel


def open_disputes_pk(tenant: str) -> str:
    return f"{tenant}#DISPUTES#OPEN"


class OpenDisputes:
    def undecided(self, tenant: str) -> list[Mapping[str, Any]]:
        """Every undecided dispute of the tenant, as its Dispute document: one Query
        (paged by PynamoDB)."""
        out: list[Mapping[str, Any]] = []
        for item in CoachingItemModel.query(open_disputes_pk(tenant), consistent_read=True):
            doc = jsoncodec.loads(item.doc)
            if isinstance(doc, Mapping):
                out.append(doc)
        return out

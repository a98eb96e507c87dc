"""Disputes in the main table, as `CoachingItemModel` items (coaching_models.py):

- `{t}#DISPUTE#{id}` / `DISPUTE`: the dispute with its history (`doc`), `version`
  counting its changes; every change is written on the condition that the record is
  still at the version it was read at, so two reviewers never both change it.
- `{t}#DISPUTES#{evaluation}` / `{opened}#{id}`: the evaluation's disputes, oldest
  first; `{t}#DISPUTES#AGENT#{agent}` / `{opened}#{id}`: the agent's. Both hold the
  id only; a listing reads the records with one BatchGet.
- `{t}#DISPUTES#OPEN` / `{evaluation}`: present exactly while a dispute of that
  evaluation is undecided, holding a copy of the dispute kept in step with the
  record. Opening puts it on the condition that it is absent, which is what keeps one
  undecided dispute per evaluation; a decision or a withdrawal deletes it in the same
  transaction. Every undecided dispute of a tenant is one Query of this partition
  (the reviewers' list, the inbox, the payroll export).

Each write takes `also`: items of another store for the same transaction (the
export's change count, an upholding amendment's evaluation items), so a dispute and
what follows from it are written together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pynamodb.transactions import TransactWrite

from chalicelib import jsoncodec
from chalicelib.adapters.coaching_models import CoachingItemModel
from chalicelib.adapters.conditions import on_failed_condition
from chalicelib.adapters.models import connection
from chalicelib.domain.disputes import Dispute
from chalicelib.domain.errors import NotFound
from chalicelib.domain.storage_errors import AlreadyExists, StaleVersion

RECORD_SK = "DISPUTE"
AlsoWrite = Callable[[TransactWrite], None]
# Positions in the opening transaction: record, evaluation's list, agent's list, OPEN.
OPEN_POSITION = 3


def record_pk(tenant: str, dispute_id: str) -> str:
    return f"{tenant}#DISPUTE#{dispute_id}"


def evaluation_pk(tenant: str, evaluation_id: str) -> str:
    return f"{tenant}#DISPUTES#{evaluation_id}"


def agent_pk(tenant: str, agent_id: str) -> str:
    return f"{tenant}#DISPUTES#AGENT#{agent_id}"


def open_pk(tenant: str) -> str:
    return f"{tenant}#DISPUTES#OPEN"


def listing_sk(dispute: Dispute) -> str:
    return f"{dispute.opened_at}#{dispute.dispute_id}"


def _doc(dispute: Dispute) -> str:
    return jsoncodec.dumps(dispute.to_dict())


def _read(item: CoachingItemModel) -> Dispute:
    return Dispute.from_dict(jsoncodec.loads(item.doc))


def _record(tenant: str, dispute: Dispute) -> CoachingItemModel:
    return CoachingItemModel(
        record_pk(tenant, dispute.dispute_id), RECORD_SK, doc=_doc(dispute), version=dispute.version
    )


def _open_pointer(tenant: str, dispute: Dispute) -> CoachingItemModel:
    return CoachingItemModel(
        open_pk(tenant), dispute.evaluation_id, doc=_doc(dispute), version=dispute.version
    )


class DisputeStore:
    def open(self, tenant: str, dispute: Dispute, also: AlsoWrite | None = None) -> None:
        """Store a new dispute; AlreadyExists when its evaluation has an undecided one
        (or the id is taken). `also` adds items after the dispute's four."""
        pointer_doc = jsoncodec.dumps({"dispute_id": dispute.dispute_id})
        with (
            on_failed_condition(AlreadyExists, f"dispute of {dispute.evaluation_id}"),
            TransactWrite(connection=connection()) as transaction,
        ):
            transaction.save(
                _record(tenant, dispute), condition=CoachingItemModel.pk.does_not_exist()
            )
            sk = listing_sk(dispute)
            transaction.save(
                CoachingItemModel(evaluation_pk(tenant, dispute.evaluation_id), sk, doc=pointer_doc)
            )
            transaction.save(
                CoachingItemModel(agent_pk(tenant, dispute.agent_id), sk, doc=pointer_doc)
            )
            transaction.save(
                _open_pointer(tenant, dispute), condition=CoachingItemModel.pk.does_not_exist()
            )
            if also is not None:
                also(transaction)

    def change(
        self,
        tenant: str,
        dispute: Dispute,
        expected_version: int,
        also: AlsoWrite | None = None,
    ) -> None:
        """Store a changed dispute if the record is still at `expected_version`
        (StaleVersion otherwise, position 0)."""
        with (
            on_failed_condition(StaleVersion, f"dispute {dispute.dispute_id}"),
            TransactWrite(connection=connection()) as transaction,
        ):
            self.change_writes(tenant, dispute, expected_version)(transaction)
            if also is not None:
                also(transaction)

    def change_writes(self, tenant: str, dispute: Dispute, expected_version: int) -> AlsoWrite:
        """The items of a change, for a transaction another store runs (an upholding
        amendment): the record, conditioned on its version, and the OPEN copy, kept
        while undecided and deleted once decided. Two items."""

        def write(transaction: TransactWrite) -> None:
            transaction.save(
                _record(tenant, dispute), condition=CoachingItemModel.version == expected_version
            )
            if dispute.undecided:
                transaction.save(
                    _open_pointer(tenant, dispute), condition=CoachingItemModel.pk.exists()
                )
            else:
                transaction.delete(CoachingItemModel(open_pk(tenant), dispute.evaluation_id))

        return write

    def get(self, tenant: str, dispute_id: str) -> Dispute:
        try:
            item = CoachingItemModel.get(
                record_pk(tenant, dispute_id), RECORD_SK, consistent_read=True
            )
        except CoachingItemModel.DoesNotExist:
            raise NotFound(f"dispute '{dispute_id}' does not exist") from None
        return _read(item)

    def of_evaluation(self, tenant: str, evaluation_id: str) -> list[Dispute]:
        """The evaluation's disputes, oldest first: one Query and one BatchGet."""
        return self._listed(evaluation_pk(tenant, evaluation_id), tenant)

    def of_agent(self, tenant: str, agent_id: str) -> list[Dispute]:
        """The agent's disputes, oldest first: one Query and one BatchGet."""
        return self._listed(agent_pk(tenant, agent_id), tenant)

    def undecided(self, tenant: str) -> list[Dispute]:
        """Every open or in-review dispute of the tenant: one Query (paged by PynamoDB)."""
        return [
            _read(item) for item in CoachingItemModel.query(open_pk(tenant), consistent_read=True)
        ]

    def _listed(self, pk: str, tenant: str) -> list[Dispute]:
        ids = [
            str(jsoncodec.loads(item.doc)["dispute_id"])
            for item in CoachingItemModel.query(pk, consistent_read=True)
        ]
        return self._records(tenant, ids)

    def _records(self, tenant: str, dispute_ids: Sequence[str]) -> list[Dispute]:
        keys = [(record_pk(tenant, dispute_id), RECORD_SK) for dispute_id in dispute_ids]
        found = {
            item.pk: _read(item) for item in CoachingItemModel.batch_get(keys, consistent_read=True)
        }
        return [found[pk] for pk, _ in keys if pk in found]

"""Export bookkeeping in DynamoDB: per period a head, per revision a record.

Claiming a revision is one transaction (the revision record must not exist and
the head must be as read), so two runs at once can never both write a revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.transactions import TransactWrite

from chalicelib import jsoncodec
from chalicelib.adapters.conditions import on_failed_condition
from chalicelib.adapters.models import ExportModel, connection

# Defined with the other storage errors; also importable from here, its store.
from chalicelib.domain.storage_errors import ExportBusy as ExportBusy
from chalicelib.domain.storage_errors import StaleVersion


@dataclass(frozen=True)
class ExportRecord:
    period: str
    revision: int
    status: str
    generated_at: str
    changes_seen: int
    detail: dict[str, Any]
    updated_at: str


def _pk(tenant: str) -> str:
    return f"{tenant}#EXPORTS"


def _revision_sk(period: str, revision: int) -> str:
    return f"{period}#R{revision:04d}"


def _record(item: ExportModel) -> ExportRecord:
    return ExportRecord(
        period=item.period,
        revision=int(item.revision),
        status=item.status,
        generated_at=item.generated_at,
        changes_seen=int(item.changes_seen),
        detail=jsoncodec.loads(item.detail),
        updated_at=item.updated_at,
    )


class ExportStore:
    def heads(self, tenant: str) -> dict[str, ExportRecord]:
        return {record.period: record for sk, record in self._all(tenant) if sk == record.period}

    def history(self, tenant: str) -> list[ExportRecord]:
        """Every revision of every period, oldest first within a period."""
        return [record for sk, record in self._all(tenant) if sk != record.period]

    def _all(self, tenant: str) -> list[tuple[str, ExportRecord]]:
        return [
            (item.sk, _record(item))
            for item in ExportModel.query(_pk(tenant), consistent_read=True)
        ]

    def head(self, tenant: str, period: str) -> ExportRecord | None:
        item = self._head_item(tenant, period)
        return None if item is None else _record(item)

    def _head_item(self, tenant: str, period: str) -> ExportModel | None:
        try:
            return ExportModel.get(_pk(tenant), period, consistent_read=True)
        except ExportModel.DoesNotExist:
            return None

    def begin(
        self,
        tenant: str,
        period: str,
        revision: int,
        generated_at: str,
        changes_seen: int,
        detail: dict[str, Any],
        now: str,
    ) -> None:
        head = self._head_item(tenant, period)
        if (head.revision if head else 0) != revision - 1 or (head and head.status != "done"):
            raise ExportBusy(period)
        fields: dict[str, Any] = {
            "period": period,
            "revision": revision,
            "status": "writing",
            "generated_at": generated_at,
            "changes_seen": changes_seen,
            "detail": jsoncodec.dumps(detail),
            "updated_at": now,
        }
        head = head or ExportModel(_pk(tenant), period)
        for name, value in fields.items():
            setattr(head, name, value)
        record = ExportModel(_pk(tenant), _revision_sk(period, revision), **fields)
        with (
            on_failed_condition(ExportBusy, period),
            TransactWrite(connection=connection()) as transaction,
        ):
            transaction.save(head)  # conditioned on the version read
            transaction.save(record)  # new: conditioned on not existing

    def finish(
        self, tenant: str, period: str, revision: int, detail: dict[str, Any], now: str
    ) -> None:
        head = self._head_item(tenant, period)
        record = ExportModel.get(_pk(tenant), _revision_sk(period, revision), consistent_read=True)
        if head is None or int(head.revision) != revision:
            raise ExportBusy(period)
        with TransactWrite(connection=connection()) as transaction:
            for item in (head, record):
                item.status = "done"
                item.detail = jsoncodec.dumps(detail)
                item.updated_at = now
                transaction.save(item)

    def mark_checked(self, tenant: str, period: str, changes_seen: int, now: str) -> None:
        """The figures were compared and had not changed up to `changes_seen`."""
        head = self._head_item(tenant, period)
        if head is None or int(head.changes_seen) >= changes_seen:
            return
        head.changes_seen = changes_seen
        head.updated_at = now
        try:
            with on_failed_condition(StaleVersion):
                head.save()  # conditioned on the version read
        except StaleVersion:
            pass  # a concurrent run moved the head on: it saw more

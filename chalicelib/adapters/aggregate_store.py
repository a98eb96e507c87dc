"""Period aggregates and the ledger that makes applying them idempotent.

The ledger item of an evaluation records which revision the aggregates hold and
what it contributed. Applying a revision reads the ledger and the aggregates it
touches, and writes all of them in one transaction conditioned on their
versions, so a duplicate, a late older revision or a concurrent writer can
never count twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model
from pynamodb.transactions import TransactGet, TransactWrite

from chalicelib import jsoncodec
from chalicelib.adapters.coaching_models import CoachingItemModel
from chalicelib.adapters.conditions import on_failed_condition
from chalicelib.adapters.dispute_store import open_pk
from chalicelib.adapters.models import (
    AggregateModel,
    ChangeCountModel,
    LedgerModel,
    QuarantineModel,
    ReportCellModel,
    connection,
)
from chalicelib.domain.aggregates import Contribution, CriterionCounts, PeriodAggregate
from chalicelib.domain.report_cells import Cell, CellKey

# Defined with the other storage errors; also importable from here, its store.
from chalicelib.domain.storage_errors import ConcurrentUpdate as ConcurrentUpdate

AggregateKey = tuple[str, str]  # (agent_id, bucket)


@dataclass
class Snapshot:
    """What the store held when read, with the items to write back conditionally."""

    tenant: str
    evaluation_id: str
    ledger: LedgerModel | None
    aggregates: dict[AggregateKey, AggregateModel]
    cells: dict[CellKey, ReportCellModel] = field(default_factory=dict)

    @property
    def applied_revision(self) -> int:
        return 0 if self.ledger is None else int(self.ledger.revision)

    @property
    def applied_contribution(self) -> Contribution | None:
        if self.ledger is None:
            return None
        return Contribution.from_dict(jsoncodec.loads(self.ledger.contribution))

    def domain_aggregates(self) -> dict[AggregateKey, PeriodAggregate]:
        return {key: _to_domain(item) for key, item in self.aggregates.items()}

    def domain_cells(self) -> dict[CellKey, Cell]:
        return {key: cell_of(item) for key, item in self.cells.items()}


def _ledger_pk(tenant: str, evaluation_id: str) -> str:
    return f"{tenant}#EVAL#{evaluation_id}"


def _aggregate_keys(tenant: str, agent_id: str, bucket: str) -> tuple[str, str]:
    return _bucket_pk(tenant, bucket), f"AGENT#{agent_id}"


def _bucket_pk(tenant: str, bucket: str) -> str:
    return f"{tenant}#PERIOD#{bucket}"


def cell_pk(tenant: str, bucket: str) -> str:
    return f"{tenant}#CELL#{bucket}"


def cell_sk(dimension: str, agent_id: str, value: str = "") -> str:
    """The sort key of a cell; without a value, the prefix of an agent's cells."""
    return f"{dimension}#{agent_id}#{value}"


def cell_of(item: ReportCellModel) -> Cell:
    counts = jsoncodec.loads(item.counts)
    return Cell(
        evaluations=int(item.evaluations),
        scored=int(item.scored),
        score_sum=item.score_sum,
        score_squares=item.score_squares,
        full_points=int(item.full_points),
        counts={key: (int(v[0]), int(v[1]), int(v[2])) for key, v in counts.items()},
    )


def key_of(item: ReportCellModel) -> CellKey:
    return CellKey(item.bucket, item.dimension, item.agent_id, item.value)


def _new_cell(tenant: str, key: CellKey) -> ReportCellModel:
    return ReportCellModel(
        cell_pk(tenant, key.bucket),
        cell_sk(key.dimension, key.agent_id, key.value),
        agent_id=key.agent_id,
        bucket=key.bucket,
        dimension=key.dimension,
        value=key.value,
    )


def changes_pk(tenant: str) -> str:
    return f"{tenant}#CHANGES"


def count_change(transaction: TransactWrite, tenant: str, pay_period: str) -> None:
    """Bump a pay period's change count inside another write's transaction, so the
    export's next beat knows the period moved (a dispute opened or settled changes
    what a held evaluation counts for without touching any aggregate)."""
    counter = ChangeCountModel(changes_pk(tenant), pay_period)
    transaction.update(counter, actions=[ChangeCountModel.changes.add(1)])


def _plain(value: Any) -> dict[str, Any]:
    # A raw MapAttribute reads back as an attribute container, not a dict.
    return dict(value.as_dict() if hasattr(value, "as_dict") else value)


def _to_domain(item: AggregateModel) -> PeriodAggregate:
    criteria = {
        key: CriterionCounts(int(counts["yes"]), int(counts["no"]))
        for key, counts in _plain(item.criteria).items()
    }
    return PeriodAggregate(
        agent_id=item.agent_id,
        period=item.period,
        evaluations=int(item.evaluations),
        scored=int(item.scored),
        score_sum=item.score_sum,
        criteria=criteria,
    )


class AggregateStore:
    def read(
        self,
        tenant: str,
        evaluation_id: str,
        wanted: Iterable[AggregateKey],
        wanted_cells: Iterable[CellKey] = (),
    ) -> Snapshot:
        """The ledger of the evaluation and the aggregates and cells named (plus the
        ones the ledger points at), read consistently."""
        keys = list(dict.fromkeys(wanted))
        cell_keys = list(dict.fromkeys(wanted_cells))
        with TransactGet(connection=connection()) as transaction:
            ledger_future = transaction.get(
                LedgerModel, _ledger_pk(tenant, evaluation_id), "APPLIED"
            )
            futures = {
                key: transaction.get(AggregateModel, *_aggregate_keys(tenant, *key)) for key in keys
            }
            cell_futures = {
                key: transaction.get(
                    ReportCellModel,
                    cell_pk(tenant, key.bucket),
                    cell_sk(key.dimension, key.agent_id, key.value),
                )
                for key in cell_keys
            }
        ledger = _present(ledger_future)
        snapshot = Snapshot(tenant, evaluation_id, ledger, {})
        for key, future in futures.items():
            snapshot.aggregates[key] = _present(future) or self._new_item(tenant, key)
        for cell_key, cell_future in cell_futures.items():
            snapshot.cells[cell_key] = _present(cell_future) or _new_cell(tenant, cell_key)
        applied = snapshot.applied_contribution
        if applied is not None:
            for key in applied.bucket_keys():
                if key not in snapshot.aggregates:
                    snapshot.aggregates[key] = self._get_or_new(tenant, key)
            for cell_key in applied.report.cell_keys() if applied.report else ():
                if cell_key not in snapshot.cells:
                    snapshot.cells[cell_key] = self._get_or_new_cell(tenant, cell_key)
        return snapshot

    def write(
        self,
        snapshot: Snapshot,
        revision: int,
        contribution: Contribution,
        changed: Mapping[AggregateKey, PeriodAggregate],
        now: str,
        pay_periods: Iterable[str] = (),
        cells: Mapping[CellKey, Cell] | None = None,
    ) -> None:
        """Ledger and aggregates in one transaction, each conditioned on its version;
        the change count of every pay period touched goes up in the same step.
        ConcurrentUpdate when another writer got there first: read again and retry."""
        ledger = snapshot.ledger or LedgerModel(
            _ledger_pk(snapshot.tenant, snapshot.evaluation_id), "APPLIED"
        )
        ledger.revision = revision
        ledger.contribution = jsoncodec.dumps(contribution.to_dict())
        ledger.applied_at = now
        with (
            on_failed_condition(ConcurrentUpdate, f"evaluation {snapshot.evaluation_id}"),
            TransactWrite(connection=connection()) as transaction,
        ):
            transaction.save(ledger)  # conditioned on its version by PynamoDB
            for key, aggregate in changed.items():
                item = snapshot.aggregates[key]
                item.evaluations = aggregate.evaluations
                item.scored = aggregate.scored
                item.score_sum = aggregate.score_sum
                item.criteria = {
                    k: {"yes": c.yes, "no": c.no} for k, c in aggregate.criteria.items()
                }
                item.updated_at = now
                transaction.save(item)
            for cell_key, cell in (cells or {}).items():
                cell_item = snapshot.cells[cell_key]
                if cell.empty:
                    # A cell an amendment emptied holds no evaluation: kept, it would
                    # be a 0-evaluation row that only the edit history explains.
                    if cell_item.version is not None:
                        transaction.delete(cell_item)  # conditioned on its version
                    continue
                cell_item.evaluations = cell.evaluations
                cell_item.scored = cell.scored
                cell_item.score_sum = cell.score_sum
                cell_item.score_squares = cell.score_squares
                cell_item.full_points = cell.full_points
                cell_item.counts = jsoncodec.dumps(dict(sorted(cell.counts.items())))
                cell_item.updated_at = now
                transaction.save(cell_item)
            for label in sorted(set(pay_periods)):
                count_change(transaction, snapshot.tenant, label)

    def applied(self, tenant: str, evaluation_id: str) -> Contribution | None:
        """What the aggregates hold of one evaluation now; None until the stream has
        applied it (strongly consistent)."""
        try:
            item = LedgerModel.get(
                _ledger_pk(tenant, evaluation_id), "APPLIED", consistent_read=True
            )
        except LedgerModel.DoesNotExist:
            return None
        return Contribution.from_dict(jsoncodec.loads(item.contribution))

    def counting(self, tenant: str, pay_period: str) -> Callable[[TransactWrite], None]:
        """The change-count bump of a pay period, for another store's transaction."""
        return lambda transaction: count_change(transaction, tenant, pay_period)

    def disputed(self, tenant: str) -> list[Contribution]:
        """What the aggregates hold of each evaluation under an undecided dispute: one
        Query of the disputes' OPEN partition (keys only) and BatchGets of the ledger.
        An evaluation the stream has not applied yet holds nothing, so it is absent."""
        evaluation_ids = [
            item.sk
            for item in CoachingItemModel.query(
                open_pk(tenant), consistent_read=True, attributes_to_get=["pk", "sk"]
            )
        ]
        keys = [(_ledger_pk(tenant, evaluation_id), "APPLIED") for evaluation_id in evaluation_ids]
        found = {
            item.pk: Contribution.from_dict(jsoncodec.loads(item.contribution))
            for item in LedgerModel.batch_get(keys, consistent_read=True)
        }
        # In the OPEN partition's order (by evaluation id), whatever BatchGet returned.
        return [found[pk] for pk, _ in keys if pk in found]

    def get(self, tenant: str, agent_id: str, bucket: str) -> PeriodAggregate | None:
        try:
            item = AggregateModel.get(*_aggregate_keys(tenant, agent_id, bucket))
        except AggregateModel.DoesNotExist:
            return None
        return _to_domain(item)

    def bucket(self, tenant: str, bucket: str) -> list[PeriodAggregate]:
        """Every agent's aggregate in one bucket, read strongly consistently."""
        return [
            _to_domain(item)
            for item in AggregateModel.query(_bucket_pk(tenant, bucket), consistent_read=True)
        ]

    def change_counts(self, tenant: str) -> dict[str, int]:
        """Every pay period's change count, in one Query."""
        return {
            item.sk: int(item.changes)
            for item in ChangeCountModel.query(changes_pk(tenant), consistent_read=True)
        }

    def change_count(self, tenant: str, pay_period: str) -> int:
        try:
            item = ChangeCountModel.get(changes_pk(tenant), pay_period, consistent_read=True)
        except ChangeCountModel.DoesNotExist:
            return 0
        return int(item.changes)

    def quarantine(self, tenant: str, event_id: str, error: str, record: str, now: str) -> None:
        QuarantineModel(
            f"{tenant}#QUARANTINE",
            f"{now}#{event_id}",
            event_id=event_id,
            error=error[:2000],
            record=record,
            at=now,
        ).save()

    def _get_or_new_cell(self, tenant: str, key: CellKey) -> ReportCellModel:
        try:
            return ReportCellModel.get(
                cell_pk(tenant, key.bucket),
                cell_sk(key.dimension, key.agent_id, key.value),
                consistent_read=True,
            )
        except ReportCellModel.DoesNotExist:
            return _new_cell(tenant, key)

    def _get_or_new(self, tenant: str, key: AggregateKey) -> AggregateModel:
        try:
            return AggregateModel.get(*_aggregate_keys(tenant, *key), consistent_read=True)
        except AggregateModel.DoesNotExist:
            return self._new_item(tenant, key)

    @staticmethod
    def _new_item(tenant: str, key: AggregateKey) -> AggregateModel:
        agent_id, bucket = key
        return AggregateModel(
            *_aggregate_keys(tenant, agent_id, bucket),
            agent_id=agent_id,
            period=bucket,
        )


M = TypeVar("M", bound=Model)
M_co = TypeVar("M_co", bound=Model, covariant=True)


class _Future(Protocol[M_co]):
    def get(self) -> M_co: ...


def _present(future: _Future[M]) -> M | None:
    try:
        return future.get()
    except DoesNotExist:
        return None

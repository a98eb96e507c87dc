"""Evaluations in DynamoDB: a HEAD item (current, indexed) and one item per revision.

A create writes HEAD and REV#1 (and the idempotency record) in one transaction;
an amendment updates HEAD on the condition that it is still at the revision the
client saw, and adds the next REV item. The REV inserts are what the stream
handler aggregates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.transactions import TransactWrite

from chalicelib import jsoncodec
from chalicelib.adapters import cursors
from chalicelib.adapters.conditions import on_failed_condition
from chalicelib.adapters.models import EvaluationModel, IdempotencyModel, connection
from chalicelib.domain.aggregates import UNCOUNTED_METHODS
from chalicelib.domain.errors import NotFound
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.storage_errors import ConditionFailed, IdempotentReplay, StaleVersion

HEAD = "HEAD"
# Another store's items written in the same transaction, after the evaluation's own.
AlsoWrite = Callable[[TransactWrite], None]
IDEMPOTENCY_TTL = timedelta(hours=24)


def revision_sk(revision: int) -> str:
    return f"REV#{revision:06d}"


def _pk(tenant: str, evaluation_id: str) -> str:
    return f"{tenant}#{evaluation_id}"


def _idempotency_pk(tenant: str, user: str, key: str) -> str:
    return f"{tenant}#IDEM#{user}#{key}"


@dataclass(frozen=True)
class Page:
    evaluations: list[Evaluation]
    next_cursor: str | None


@dataclass(frozen=True)
class Acknowledgement:
    evaluation_id: str
    revision: int
    by: str
    at: str


def _body(evaluation: Evaluation) -> str:
    return jsoncodec.dumps(evaluation.to_dict())


def _read(item: EvaluationModel) -> Evaluation:
    return Evaluation.from_dict(jsoncodec.loads(item.document))


class EvaluationStore:
    def create(
        self,
        tenant: str,
        evaluation: Evaluation,
        *,
        idempotency: tuple[str, str, str] | None,
        now: datetime,
        also: AlsoWrite | None = None,
    ) -> None:
        """Store revision 1. `idempotency` is (user, key, request hash); a key used
        before raises IdempotentReplay with what the first request stored. `also`
        adds items to the same transaction, after the idempotency record (if any),
        HEAD and REV#1."""
        evaluation_id = evaluation.evaluation_id
        body = _body(evaluation)
        head = self._head(tenant, evaluation, body)
        revision = self._revision(tenant, evaluation, body)
        try:
            with on_failed_condition(), TransactWrite(connection=connection()) as transaction:
                if idempotency is not None:
                    user, key, request_hash = idempotency
                    transaction.save(
                        IdempotencyModel(
                            _idempotency_pk(tenant, user, key),
                            "IDEM",
                            request_hash=request_hash,
                            evaluation_id=evaluation_id,
                            created_at=evaluation.created_at,
                            expires=now + IDEMPOTENCY_TTL,
                        ),
                        # DynamoDB deletes expired items up to two days late;
                        # an expired key is free again from its expiry on.
                        condition=IdempotencyModel.pk.does_not_exist()
                        | (IdempotencyModel.expires < now),
                    )
                transaction.save(head, condition=EvaluationModel.pk.does_not_exist())
                transaction.save(revision, condition=EvaluationModel.pk.does_not_exist())
                if also is not None:
                    also(transaction)
        except ConditionFailed as failure:
            # The idempotency record is written first: position 0.
            if idempotency is not None and 0 in failure.failed:
                user, key, _ = idempotency
                first = IdempotencyModel.get(
                    _idempotency_pk(tenant, user, key), "IDEM", consistent_read=True
                )
                raise IdempotentReplay(first.evaluation_id, first.request_hash) from None
            raise

    def create_many(
        self, tenant: str, evaluations: Sequence[Evaluation], also: AlsoWrite | None = None
    ) -> list[int]:
        """Store revision 1 of up to 50 evaluations (two items each) in one transaction:
        all or none. Returns the positions of those whose id already exists; if any
        does, nothing was written. A batch import's fast path: one request per 50 rows
        instead of one per row, each row still whole or absent. `also` adds items
        after the evaluations' (from position 2 * len(evaluations)); their failed
        condition raises ConditionFailed."""
        try:
            with on_failed_condition(), TransactWrite(connection=connection()) as transaction:
                for evaluation in evaluations:
                    body = _body(evaluation)
                    # HEAD's condition alone keeps the id unique: REV#1 is only ever
                    # written together with a new HEAD, never on its own.
                    transaction.save(
                        self._head(tenant, evaluation, body),
                        condition=EvaluationModel.pk.does_not_exist(),
                    )
                    transaction.save(self._revision(tenant, evaluation, body))
                if also is not None:
                    also(transaction)
        except ConditionFailed as failure:
            # Each evaluation is two items, HEAD first: the i-th HEAD is at 2 * i.
            existing = [i for i in range(len(evaluations)) if 2 * i in failure.failed]
            if not existing:
                raise
            return existing
        return []

    def get_many(self, tenant: str, evaluation_ids: Sequence[str]) -> dict[str, Evaluation]:
        """The current revisions of those that exist, by id (strongly consistent)."""
        keys = [(_pk(tenant, evaluation_id), HEAD) for evaluation_id in evaluation_ids]
        return {
            item.evaluation_id: _read(item)
            for item in EvaluationModel.batch_get(keys, consistent_read=True)
        }

    def amend(
        self,
        tenant: str,
        evaluation: Evaluation,
        expected_revision: int,
        also: AlsoWrite | None = None,
    ) -> None:
        """Store the next revision if HEAD is still at `expected_revision` (StaleVersion
        if someone amended it first). `also` adds items after HEAD and the REV item;
        a StaleVersion's `failed` positions say whose condition did not hold (0:
        HEAD, 2 on: the added items)."""
        body = _body(evaluation)
        head = self._head(tenant, evaluation, body)
        stale = f"evaluation {evaluation.evaluation_id} is past revision {expected_revision}"
        with (
            on_failed_condition(StaleVersion, stale),
            TransactWrite(connection=connection()) as transaction,
        ):
            transaction.save(head, condition=EvaluationModel.revision == expected_revision)
            transaction.save(
                self._revision(tenant, evaluation, body),
                condition=EvaluationModel.pk.does_not_exist(),
            )
            if also is not None:
                also(transaction)

    def acknowledge(self, tenant: str, evaluation_id: str, revision: int, by: str, at: str) -> None:
        """Record that the agent acknowledged `revision`, if it is still the current one
        and not yet acknowledged (StaleVersion otherwise)."""
        pk = _pk(tenant, evaluation_id)
        with (
            on_failed_condition(StaleVersion, f"evaluation {evaluation_id} revision {revision}"),
            TransactWrite(connection=connection()) as transaction,
        ):
            transaction.update(
                EvaluationModel(pk, HEAD),
                actions=[
                    EvaluationModel.ack_pk.remove(),
                    EvaluationModel.ack_sk.remove(),
                    EvaluationModel.acknowledged_by.set(by),
                    EvaluationModel.acknowledged_at.set(at),
                ],
                condition=(EvaluationModel.revision == revision) & EvaluationModel.ack_pk.exists(),
            )
            transaction.update(
                EvaluationModel(pk, revision_sk(revision)),
                actions=[
                    EvaluationModel.acknowledged_by.set(by),
                    EvaluationModel.acknowledged_at.set(at),
                ],
                condition=EvaluationModel.acknowledged_at.does_not_exist(),
            )

    def acknowledgements(self, tenant: str, evaluation_id: str) -> list[Acknowledgement]:
        """Every acknowledged revision of an evaluation, oldest first: one Query."""
        query = EvaluationModel.query(
            _pk(tenant, evaluation_id),
            EvaluationModel.sk.startswith("REV#"),
            consistent_read=True,
            attributes_to_get=["revision", "acknowledged_by", "acknowledged_at"],
        )
        return [
            Acknowledgement(
                evaluation_id, int(item.revision), item.acknowledged_by, item.acknowledged_at
            )
            for item in query
            if item.acknowledged_at is not None and item.acknowledged_by is not None
        ]

    def unacknowledged(
        self, tenant: str, agent_id: str, revised_before: str | None = None
    ) -> list[Evaluation]:
        """The agent's evaluations whose current revision waits for acknowledgement,
        oldest revision first; with `revised_before`, only those revised before that
        UTC instant (the overdue ones). Eventually consistent, as every index is."""
        condition = None
        if revised_before is not None:
            condition = EvaluationModel.ack_sk < revised_before
        query = EvaluationModel.unacknowledged.query(f"{tenant}#{agent_id}", condition)
        return [_read(item) for item in query]

    def get(self, tenant: str, evaluation_id: str) -> Evaluation:
        return self._get(tenant, evaluation_id, HEAD)

    def get_revision(self, tenant: str, evaluation_id: str, revision: int) -> Evaluation:
        return self._get(tenant, evaluation_id, revision_sk(revision))

    def revisions(self, tenant: str, evaluation_id: str) -> list[Evaluation]:
        items = EvaluationModel.query(
            _pk(tenant, evaluation_id), EvaluationModel.sk.startswith("REV#")
        )
        return [_read(item) for item in items]

    def by_agent(
        self, tenant: str, agent_id: str, start: str, end: str, limit: int, cursor: str | None
    ) -> Page:
        return self._page(
            EvaluationModel.by_agent, f"{tenant}#{agent_id}", start, end, limit, cursor
        )

    def by_tenant(self, tenant: str, start: str, end: str, limit: int, cursor: str | None) -> Page:
        return self._page(EvaluationModel.by_tenant, tenant, start, end, limit, cursor)

    def _page(
        self, index: Any, partition: str, start: str, end: str, limit: int, cursor: str | None
    ) -> Page:
        start_key = cursors.decode(cursor, partition) if cursor else None
        # The sort key is `{occurred UTC}#{id}`: "T#id" sorts after "T" itself, so
        # BETWEEN start AND end on the time prefix is exactly [start, end).
        results = index.query(
            partition,
            EvaluationModel.occurred_sk.between(start, end),
            limit=limit,
            last_evaluated_key=start_key,
            scan_index_forward=False,
        )
        evaluations = [_read(item) for item in results]
        last = results.last_evaluated_key
        return Page(evaluations, cursors.encode(last) if last else None)

    def _get(self, tenant: str, evaluation_id: str, sk: str) -> Evaluation:
        try:
            item = EvaluationModel.get(_pk(tenant, evaluation_id), sk, consistent_read=True)
        except EvaluationModel.DoesNotExist:
            raise NotFound(f"evaluation '{evaluation_id}' does not exist") from None
        return _read(item)

    @staticmethod
    def _head(tenant: str, evaluation: Evaluation, body: str) -> EvaluationModel:
        occurred_sk = f"{evaluation.contact.occurred_at_utc}#{evaluation.evaluation_id}"
        ack_pk, ack_sk = _awaiting_acknowledgement(tenant, evaluation)
        return EvaluationModel(
            _pk(tenant, evaluation.evaluation_id),
            HEAD,
            tenant=tenant,
            evaluation_id=evaluation.evaluation_id,
            revision=evaluation.revision,
            document=body,
            agent_pk=f"{tenant}#{evaluation.agent_id}",
            tenant_pk=tenant,
            occurred_sk=occurred_sk,
            ack_pk=ack_pk,
            ack_sk=ack_sk,
        )

    @staticmethod
    def _revision(tenant: str, evaluation: Evaluation, body: str) -> EvaluationModel:
        return EvaluationModel(
            _pk(tenant, evaluation.evaluation_id),
            revision_sk(evaluation.revision),
            tenant=tenant,
            evaluation_id=evaluation.evaluation_id,
            revision=evaluation.revision,
            document=body,
        )


def _awaiting_acknowledgement(tenant: str, evaluation: Evaluation) -> tuple[str | None, str | None]:
    # An agent's own self-evaluation needs no acknowledgement; every other revision
    # about them does, a correction included.
    if evaluation.method in UNCOUNTED_METHODS:
        return None, None
    return f"{tenant}#{evaluation.agent_id}", f"{evaluation.revised_at}#{evaluation.evaluation_id}"

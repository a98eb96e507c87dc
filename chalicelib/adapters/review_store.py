"""Coaching reviews in the main table (CoachingItemModel items).

- `{t}#REVIEW#{id}` / `REVIEW`: the record; every write is conditioned on the
  version it was read at. `{t}#REVIEW#{id}` / `SIDE#self`, `SIDE#leader`: each side
  as submitted (the evaluation it makes, sealed until the review opens), written in
  the same transaction as the record that takes it in. Apart because one side may be
  as large as a request body (256 KB) and an item holds at most 400 KB; one Query
  of the partition reads the whole review.
- `{t}#REVIEWS#{agent}` / `{created}#{id}`: the agent's reviews, newest last.
- `{t}#REVIEWS#_ALL` / `{created}#{id}`: every review of the tenant (an admin's list).
- `{t}#REVIEWS#_SEALED` / `{self due}#{id}`: while the leader's side is in and the
  agent's is not; the heartbeat Queries it for reviews whose deadline has passed.

The two tenant-wide partitions start with `_`, which no agent id can (agent ids
start with a letter or digit), so no agent's listing is ever one of them. Listing
items are written once, with the review, and never change: what changes is read
from the record. A write's inbox entries (todo_store) and the heartbeat's pointer
go in the same transaction as the record, so they exist exactly when it says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pynamodb.transactions import TransactWrite

from chalicelib import jsoncodec
from chalicelib.adapters.coaching_models import CoachingItemModel
from chalicelib.adapters.conditions import on_failed_condition
from chalicelib.adapters.models import connection
from chalicelib.adapters.todo_store import delete_todo, put_todo
from chalicelib.domain.errors import NotFound
from chalicelib.domain.reviews import LEADER, SELF, Review, ReviewWrite
from chalicelib.domain.storage_errors import AlreadyExists, StaleVersion

RECORD_SK = "REVIEW"
SIDE_SK = "SIDE#"
ALL = "_ALL"
SEALED = "_SEALED"


def record_pk(tenant: str, review_id: str) -> str:
    return f"{tenant}#REVIEW#{review_id}"


def listing_pk(tenant: str, agent_id: str | None) -> str:
    """An agent's reviews, or with None every review of the tenant."""
    return f"{tenant}#REVIEWS#{ALL if agent_id is None else agent_id}"


def sealed_pk(tenant: str) -> str:
    return f"{tenant}#REVIEWS#{SEALED}"


def listing_sk(review: Review) -> str:
    return f"{review.created_at}#{review.review_id}"


def _pointer_doc(review: Review) -> str:
    return jsoncodec.dumps({"review_id": review.review_id})


def _assemble(items: Iterable[CoachingItemModel]) -> Review | None:
    """A review from its partition's items (the record and its sides)."""
    data: dict[str, Any] | None = None
    sides: dict[str, Any] = {}
    for item in items:
        if item.sk == RECORD_SK:
            data = jsoncodec.loads(item.doc)
            # The item's version is the one every write is conditioned on.
            data["version"] = int(item.version)
        elif item.sk.startswith(SIDE_SK):
            sides[item.sk.removeprefix(SIDE_SK)] = jsoncodec.loads(item.doc)
    if data is None:
        return None
    data["self"] = sides.get(SELF)
    data["leader_side"] = sides.get(LEADER)
    return Review.from_dict(data)


def _record_doc(review: Review) -> str:
    out = review.to_dict()
    # The sides are items of their own; the record says only whether each is in.
    out["self"] = review.self_side is not None
    out["leader_side"] = review.leader_side is not None
    return jsoncodec.dumps(out)


class ReviewStore:
    def add_to(self, transaction: TransactWrite, tenant: str, write: ReviewWrite) -> None:
        """Put `write`'s items into a transaction: the record first (conditioned on
        the version read, or on being new), then the listings of a new review, the
        heartbeat's pointer and the inbox entries. Position 0 is the record."""
        review = write.review
        pk = record_pk(tenant, review.review_id)
        record = CoachingItemModel(pk, RECORD_SK, doc=_record_doc(review), version=review.version)
        if write.expected_version is None:
            transaction.save(record, condition=CoachingItemModel.pk.does_not_exist())
            for agent_id in (review.agent_id, None):
                transaction.save(
                    CoachingItemModel(
                        listing_pk(tenant, agent_id), listing_sk(review), doc=_pointer_doc(review)
                    )
                )
        else:
            transaction.save(record, condition=CoachingItemModel.version == write.expected_version)
        for name in write.new_sides:
            side = review.side(name)
            assert side is not None
            transaction.save(
                CoachingItemModel(pk, f"{SIDE_SK}{name}", doc=jsoncodec.dumps(side.to_dict()))
            )
        sealed_sk = f"{review.self_due}#{review.review_id}"
        if write.seal is True:
            transaction.save(
                CoachingItemModel(sealed_pk(tenant), sealed_sk, doc=_pointer_doc(review))
            )
        elif write.seal is False:
            transaction.delete(CoachingItemModel(sealed_pk(tenant), sealed_sk))
        for todo in write.put_todos:
            put_todo(transaction, tenant, todo)
        for owner, kind, ref in write.delete_todos:
            delete_todo(transaction, tenant, owner, kind, ref)

    def create(self, tenant: str, write: ReviewWrite) -> None:
        """AlreadyExists when the review id is taken."""
        with (
            on_failed_condition(AlreadyExists, f"review {write.review.review_id} exists"),
            TransactWrite(connection=connection()) as transaction,
        ):
            self.add_to(transaction, tenant, write)

    def update(self, tenant: str, write: ReviewWrite) -> None:
        """StaleVersion when the record is no longer at `write.expected_version`."""
        with (
            on_failed_condition(StaleVersion, f"review {write.review.review_id} changed"),
            TransactWrite(connection=connection()) as transaction,
        ):
            self.add_to(transaction, tenant, write)

    def get(self, tenant: str, review_id: str) -> Review:
        """NotFound when the tenant has no such review. One Query: record and sides."""
        found = _assemble(
            CoachingItemModel.query(record_pk(tenant, review_id), consistent_read=True)
        )
        if found is None:
            raise NotFound(f"review '{review_id}' does not exist")
        return found

    def get_many(self, tenant: str, review_ids: Sequence[str]) -> dict[str, Review]:
        """Those that exist, by id (strongly consistent): one BatchGetItem of each
        review's record and both its possible sides (PynamoDB splits it by 100 keys)."""
        keys = [
            (record_pk(tenant, review_id), sk)
            for review_id in dict.fromkeys(review_ids)
            for sk in (RECORD_SK, f"{SIDE_SK}{SELF}", f"{SIDE_SK}{LEADER}")
        ]
        by_review: dict[str, list[CoachingItemModel]] = {}
        for item in CoachingItemModel.batch_get(keys, consistent_read=True):
            by_review.setdefault(item.pk, []).append(item)
        out = {}
        for items in by_review.values():
            review = _assemble(items)
            if review is not None:
                out[review.review_id] = review
        return out

    def listing(
        self, tenant: str, agent_id: str | None, before: str | None, limit: int
    ) -> list[tuple[str, str]]:
        """(sort key, review id) of up to `limit` reviews, newest first, of one agent
        (None: of the tenant) created before the sort key `before` (None: any)."""
        condition = None if before is None else CoachingItemModel.sk < before
        items = CoachingItemModel.query(
            listing_pk(tenant, agent_id),
            condition,
            scan_index_forward=False,
            limit=limit,
            consistent_read=True,
        )
        return [(item.sk, str(jsoncodec.loads(item.doc)["review_id"])) for item in items]

    def sealed_due(self, tenant: str, now: str) -> list[str]:
        """Ids of reviews whose leader's side waits and whose self_due is at or before
        the UTC instant `now`, earliest deadline first."""
        # `{due}#{id}` <= `{now}#` + the highest id character: every due at or before now.
        items = CoachingItemModel.query(
            sealed_pk(tenant), CoachingItemModel.sk <= f"{now}#~", consistent_read=True
        )
        return [str(jsoncodec.loads(item.doc)["review_id"]) for item in items]

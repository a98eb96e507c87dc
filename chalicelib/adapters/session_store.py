"""Coaching sessions in the main table, each write one transaction with its inbox entries.

- `{t}#SESSION#{id}` / `SESSION`: the session (doc: its JSON), `version` its version;
- `{t}#SESSIONS#{agent}` / `{held_on}#{id}`: the agent's listing, a copy of the
  session, so a list is one Query and needs no read of each session.

A change is written on the condition that the session is still at the version read
(StaleVersion otherwise), and the listing copy and the inbox entries the change
makes or settles are in the same transaction, so an entry exists exactly when the
session says someone must act.
"""

from __future__ import annotations

from collections.abc import Sequence

from pynamodb.transactions import TransactWrite

from chalicelib import jsoncodec
from chalicelib.adapters.coaching_models import CoachingItemModel
from chalicelib.adapters.conditions import on_failed_condition
from chalicelib.adapters.models import connection
from chalicelib.adapters.todo_store import delete_todo, put_todo
from chalicelib.domain.coaching_sessions import Session, TodoKey
from chalicelib.domain.errors import NotFound
from chalicelib.domain.inbox import Todo
from chalicelib.domain.storage_errors import AlreadyExists, StaleVersion

SESSION_SK = "SESSION"


def session_pk(tenant: str, session_id: str) -> str:
    return f"{tenant}#SESSION#{session_id}"


def listing_pk(tenant: str, agent_id: str) -> str:
    return f"{tenant}#SESSIONS#{agent_id}"


def listing_sk(session: Session) -> str:
    return f"{session.held_on}#{session.session_id}"


def _items(tenant: str, session: Session) -> tuple[CoachingItemModel, CoachingItemModel]:
    doc = jsoncodec.dumps(session.to_dict())
    return (
        CoachingItemModel(
            session_pk(tenant, session.session_id), SESSION_SK, doc=doc, version=session.version
        ),
        CoachingItemModel(
            listing_pk(tenant, session.agent_id),
            listing_sk(session),
            doc=doc,
            version=session.version,
        ),
    )


def _inbox(
    transaction: TransactWrite, tenant: str, puts: Sequence[Todo], deletes: Sequence[TodoKey]
) -> None:
    for owner, kind, ref in deletes:
        delete_todo(transaction, tenant, owner, kind, ref)
    for todo in puts:
        put_todo(transaction, tenant, todo)


def _read(item: CoachingItemModel) -> Session:
    return Session.from_dict(jsoncodec.loads(item.doc))


class SessionStore:
    def create(
        self, tenant: str, session: Session, puts: Sequence[Todo], deletes: Sequence[TodoKey] = ()
    ) -> None:
        """Store a new session with its listing copy and inbox entries (AlreadyExists
        if the id is taken)."""
        record, listing = _items(tenant, session)
        with (
            on_failed_condition(AlreadyExists, f"session {session.session_id} exists"),
            TransactWrite(connection=connection()) as transaction,
        ):
            transaction.save(record, condition=CoachingItemModel.pk.does_not_exist())
            transaction.save(listing)
            _inbox(transaction, tenant, puts, deletes)

    def replace(
        self,
        tenant: str,
        before: Session,
        after: Session,
        puts: Sequence[Todo],
        deletes: Sequence[TodoKey],
    ) -> None:
        """Store `after` if the session is still at `before.version` (StaleVersion if
        someone changed it first); a new held_on moves the listing copy."""
        record, listing = _items(tenant, after)
        stale = f"session {after.session_id} is past version {before.version}"
        with (
            on_failed_condition(StaleVersion, stale),
            TransactWrite(connection=connection()) as transaction,
        ):
            transaction.save(record, condition=CoachingItemModel.version == before.version)
            if listing_sk(before) != listing_sk(after):
                transaction.delete(
                    CoachingItemModel(listing_pk(tenant, before.agent_id), listing_sk(before))
                )
            transaction.save(listing)
            _inbox(transaction, tenant, puts, deletes)

    def get(self, tenant: str, session_id: str) -> Session:
        try:
            item = CoachingItemModel.get(
                session_pk(tenant, session_id), SESSION_SK, consistent_read=True
            )
        except CoachingItemModel.DoesNotExist:
            raise NotFound(f"session '{session_id}' does not exist") from None
        return _read(item)

    def of_agent(self, tenant: str, agent_id: str) -> list[Session]:
        """The agent's sessions, newest held_on first: one Query (paged by PynamoDB)."""
        query = CoachingItemModel.query(
            listing_pk(tenant, agent_id), consistent_read=True, scan_index_forward=False
        )
        return [_read(item) for item in query]

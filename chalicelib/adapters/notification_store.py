"""Notification preferences and the outbox, as `CoachingItemModel` items:

- `{t}#NOTIFY` / `{owner}`: where and in which language a person is notified
  (`doc`: {email, language, enabled, updated_at, updated_by}). An inbox entry names
  its owner as `user:{user}` or `agent:{agent id}` (domain/inbox.py), so a person
  with an agent id has the same preference under both owners, written together in
  one transaction; the sender then needs one GetItem per message, whichever owner
  the entry names.
- `{t}#OUTBOX` / `{created}#{owner}#{kind}#{ref}`: a new inbox entry not yet
  mailed, put by todo_store.put_todo in the transaction that made the entry. The
  notification sender reads it oldest first and deletes each message once it is
  done with it, on the condition that it is still the message it read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pynamodb.transactions import TransactWrite

from chalicelib import jsoncodec
from chalicelib.adapters.coaching_models import CoachingItemModel
from chalicelib.adapters.conditions import on_failed_condition
from chalicelib.adapters.models import connection
from chalicelib.adapters.todo_store import outbox_pk
from chalicelib.domain.inbox import Todo
from chalicelib.domain.notification_templates import Preference
from chalicelib.domain.storage_errors import ConditionFailed

# A drain reads at most this many messages at a time (one Query page).
OUTBOX_PAGE = 100


def preference_pk(tenant: str) -> str:
    return f"{tenant}#NOTIFY"


@dataclass(frozen=True)
class OutboxMessage:
    key: str  # the item's sort key
    todo: Todo
    doc: str  # as stored: the delete is conditioned on it


class NotificationStore:
    def preference(self, tenant: str, owner: str) -> Preference | None:
        """One GetItem; None when the person never saved one."""
        try:
            item = CoachingItemModel.get(preference_pk(tenant), owner, consistent_read=True)
        except CoachingItemModel.DoesNotExist:
            return None
        return Preference.from_dict(jsoncodec.loads(item.doc))

    def put_preference(
        self,
        tenant: str,
        owners: Sequence[str],
        preference: Preference,
        user: str,
        now: str,
    ) -> None:
        """The same preference under each of the person's owners, in one transaction."""
        doc = jsoncodec.dumps({**preference.to_dict(), "updated_at": now, "updated_by": user})
        with TransactWrite(connection=connection()) as transaction:
            for owner in dict.fromkeys(owners):
                transaction.save(CoachingItemModel(preference_pk(tenant), owner, doc=doc))

    def outbox(self, tenant: str, limit: int = OUTBOX_PAGE) -> list[OutboxMessage]:
        """The oldest `limit` messages: one Query."""
        query = CoachingItemModel.query(outbox_pk(tenant), consistent_read=True, limit=limit)
        return [
            OutboxMessage(key=item.sk, todo=Todo.from_dict(jsoncodec.loads(item.doc)), doc=item.doc)
            for item in query
        ]

    def remove(self, tenant: str, message: OutboxMessage) -> bool:
        """Delete the message if it is still the one read; False when another drain
        deleted it first (or it was replaced by a newer one with the same key)."""
        item = CoachingItemModel(outbox_pk(tenant), message.key)
        try:
            with on_failed_condition(ConditionFailed, f"outbox {message.key}"):
                item.delete(condition=CoachingItemModel.doc == message.doc)
        except ConditionFailed:
            return False
        return True

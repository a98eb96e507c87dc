"""Inbox entries kept with the change they belong to, and the outbox that mails them.

A service adds `put_todo` and `delete_todo` to its own transaction, so an entry
exists exactly when the record says someone must act. Putting an entry also puts
an outbox message in the same transaction: the notification sender finds every
new entry there and decides from the person's preferences and the tenant's
setting whether to mail it, so no entry is ever missed for mail and none is
mailed twice by a retried request.
"""

from __future__ import annotations

from pynamodb.transactions import TransactWrite

from chalicelib import jsoncodec
from chalicelib.adapters.coaching_models import CoachingItemModel
from chalicelib.domain.inbox import Todo


def todo_pk(tenant: str, owner: str) -> str:
    return f"{tenant}#TODO#{owner}"


def todo_sk(kind: str, ref: str) -> str:
    return f"{kind}#{ref}"


def outbox_pk(tenant: str) -> str:
    return f"{tenant}#OUTBOX"


def put_todo(transaction: TransactWrite, tenant: str, todo: Todo) -> None:
    """Two items: the entry (replacing one of the same owner, kind and ref) and its
    outbox message."""
    doc = jsoncodec.dumps(todo.to_dict())
    transaction.save(
        CoachingItemModel(todo_pk(tenant, todo.owner), todo_sk(todo.kind, todo.ref), doc=doc)
    )
    outbox_sk = f"{todo.created_at}#{todo.owner}#{todo.kind}#{todo.ref}"
    transaction.save(CoachingItemModel(outbox_pk(tenant), outbox_sk, doc=doc))


def delete_todo(transaction: TransactWrite, tenant: str, owner: str, kind: str, ref: str) -> None:
    """One item; deleting an entry that is not there is no error."""
    transaction.delete(CoachingItemModel(todo_pk(tenant, owner), todo_sk(kind, ref)))


class TodoStore:
    def of(self, tenant: str, owner: str) -> list[Todo]:
        """Every entry of one owner, oldest kind first: one Query (paged by PynamoDB)."""
        return [
            Todo.from_dict(jsoncodec.loads(item.doc))
            for item in CoachingItemModel.query(todo_pk(tenant, owner), consistent_read=True)
        ]

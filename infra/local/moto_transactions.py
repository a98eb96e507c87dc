"""TransactWriteItems for the local stack's moto, with an undo as small as the transaction.

moto 5.2.5 backs up every table a transaction touches with copy.deepcopy,
items and stream records included, before each TransactWriteItems. Laatu
writes every evaluation and every aggregation in a transaction, so each write
costs time in proportion to all data so far: measured here, a submit went from
40 ms to 160 ms over 300 evaluations, and replaying that journal took 21 s.

This replacement keeps moto's own loop (the same checks, errors and
cancellation reasons) and changes only the undo: it saves the few items the
transaction names and the length of each stream, and on cancellation puts
those back, in place. Keeping the same table and stream objects also means a
cancelled transaction leaves nothing behind in the stream, as in DynamoDB.

It is installed only over the moto version it was written against.
"""

from __future__ import annotations

import copy
import importlib.metadata
import logging
from dataclasses import dataclass, field
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType

log = logging.getLogger("laatu.local.moto")

WRITTEN_FOR = "5.2.5"
_OPERATIONS = frozenset({"ConditionCheck", "Put", "Delete", "Update"})


@dataclass
class _Undo:
    """What a transaction may change: its named items as they were, and stream lengths."""

    items: list[tuple[Any, DynamoType, DynamoType | None, Any]] = field(default_factory=list)
    streams: list[tuple[Any, int]] = field(default_factory=list)

    @classmethod
    def before(cls, backend: Any, transact_items: list[dict[str, Any]]) -> _Undo:
        undo = cls()
        seen_tables: set[int] = set()
        for entry in transact_items:
            for op_type, op in entry.items():
                table = backend.tables.get(op.get("TableName"))
                if table is None:
                    continue  # moto reports the missing table itself
                key = op.get("Item") if op_type == "Put" else op.get("Key")
                try:
                    hash_value = DynamoType(key[table.hash_key_attr])
                    range_value = (
                        DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
                    )
                except (KeyError, TypeError):
                    continue  # a malformed key: moto refuses it before writing anything
                current = table.get_item(hash_value, range_value)
                undo.items.append((table, hash_value, range_value, copy.deepcopy(current)))
                if table.stream_shard is not None and id(table) not in seen_tables:
                    seen_tables.add(id(table))
                    undo.streams.append((table.stream_shard, len(table.stream_shard.items)))
        return undo

    def apply(self) -> None:
        for table, hash_value, range_value, item in reversed(self.items):
            if range_value is None:
                if item is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = item
            elif item is None:
                table.items[hash_value].pop(range_value, None)
            else:
                table.items[hash_value][range_value] = item
        for shard, length in self.streams:
            del shard.items[length:]


def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    """moto 5.2.5's DynamoDBBackend.transact_write_items with _Undo for its backup."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    undo = _Undo.before(self, transact_items)
    target_items: set[tuple[str, str]] = set()

    def check_unicity(table_name: str, key: dict[str, Any]) -> None:
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in target_items:
            raise MultipleTransactionsException()
        target_items.add(item)

    errors: list[tuple[str, str, dict[str, Any]] | tuple[None, None, None]] = []
    for item in transact_items:
        original_item: dict[str, Any] | None = None
        if len(list(item.keys())) > 1:
            raise TransactWriteSingleOpException
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in _OPERATIONS:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            names = op.get("ExpressionAttributeNames")
            values = op.get("ExpressionAttributeValues")
            if op_type == "Put":
                attrs = op["Item"]
                table = self.get_table(table_name)
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            check_unicity(table_name, key)
            current = self.get_item(table_name, key)
            if condition_expression is not None:
                condition_op = get_filter_expression(condition_expression, names, values)
                if not condition_op.expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)
            if op_type == "Put":
                self.put_item(
                    table_name,
                    op["Item"],
                    condition_expression=condition_expression,
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    table_name,
                    key,
                    condition_expression=condition_expression,
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            elif op_type == "Update":
                self.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    condition_expression=condition_expression,
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            undo.apply()
            raise
        except ConditionalCheckFailed as e:
            errors.append(("ConditionalCheckFailed", str(e.message), original_item))  # type: ignore[arg-type]
        except Exception as e:  # moto reports any other failure as that item's reason
            errors.append((type(e).__name__, str(e), original_item))  # type: ignore[arg-type]
    if any(code is not None for code, _, _ in errors):
        undo.apply()
        raise TransactionCanceledException(errors)


def install() -> bool:
    """Replaces moto's method if moto is the version this was written for."""
    installed = importlib.metadata.version("moto")
    if installed != WRITTEN_FOR:
        log.warning(
            "moto %s is not %s: keeping its own TransactWriteItems, which slows down "
            "as data grows; check infra/local/moto_transactions.py against it",
            installed,
            WRITTEN_FOR,
        )
        return False
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    return True

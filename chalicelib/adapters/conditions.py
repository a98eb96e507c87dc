"""The one place that reads PynamoDB's errors for a write whose condition did not hold.

DynamoDB reports it two ways: a single write fails with
ConditionalCheckFailedException; a transaction is cancelled with one reason per
item. A transaction is also cancelled with TransactionConflict when another
transaction held one of its items at that moment: for every store here that
means the same as a failed condition (another writer got there first), so both
count. Anything else (throttling, validation, a network error) is not a
condition and propagates unchanged, for the caller's retry to deal with.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pynamodb.exceptions import PynamoDBException, TransactWriteError

from chalicelib.domain.storage_errors import SINGLE_WRITE, ConditionFailed

SINGLE_WRITE_FAILED = "ConditionalCheckFailedException"
CANCELLED_BY_ANOTHER_WRITER = frozenset({"ConditionalCheckFailed", "TransactionConflict"})


def failed_positions(error: PynamoDBException) -> frozenset[int]:
    """The positions of the items whose condition did not hold; empty when `error`
    is not a failed condition at all."""
    if isinstance(error, TransactWriteError):
        return frozenset(
            position
            for position, reason in enumerate(error.cancellation_reasons)
            if reason is not None and reason.code in CANCELLED_BY_ANOTHER_WRITER
        )
    return SINGLE_WRITE if error.cause_response_code == SINGLE_WRITE_FAILED else frozenset()


@contextmanager
def on_failed_condition(
    kind: type[ConditionFailed] = ConditionFailed, detail: str = ""
) -> Iterator[None]:
    """Raise `kind` (a storage exception, with the failed positions) when a write in
    the block fails its condition; let every other error through as it is."""
    try:
        yield
    except PynamoDBException as exc:
        failed = failed_positions(exc)
        if not failed:
            raise
        raise kind(detail, failed=failed) from None

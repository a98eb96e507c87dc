"""The one reader of PynamoDB's failed conditions, on errors built as PynamoDB builds them."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from pynamodb.exceptions import (
    CancellationReason,
    DoesNotExist,
    PutError,
    TransactWriteError,
    UpdateError,
    VerboseClientError,
)

from chalicelib.adapters.conditions import failed_positions, on_failed_condition
from chalicelib.domain.storage_errors import AlreadyExists, ConditionFailed, StaleVersion


def single(error: type[PutError] | type[UpdateError], code: str) -> PutError | UpdateError:
    return error(cause=ClientError({"Error": {"Code": code, "Message": code}}, "PutItem"))


def cancelled(*codes: str | None) -> TransactWriteError:
    reasons = [None if code is None else CancellationReason(code=code) for code in codes]
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
        "TransactWriteItems",
        cancellation_reasons=reasons,
    )
    return TransactWriteError("Failed to write transaction items", cause=cause)


def test_a_single_write_whose_condition_failed_is_position_0() -> None:
    assert failed_positions(single(PutError, "ConditionalCheckFailedException")) == {0}
    assert failed_positions(single(UpdateError, "ConditionalCheckFailedException")) == {0}


def test_other_failures_of_a_single_write_are_not_conditions() -> None:
    assert failed_positions(single(PutError, "ProvisionedThroughputExceededException")) == set()
    assert failed_positions(single(UpdateError, "ValidationException")) == set()
    assert failed_positions(DoesNotExist()) == set()


def test_a_cancelled_transaction_names_the_items_another_writer_got_to_first() -> None:
    error = cancelled(None, "ConditionalCheckFailed", None, "TransactionConflict")
    assert failed_positions(error) == {1, 3}


def test_a_transaction_cancelled_for_another_reason_is_not_a_condition() -> None:
    assert failed_positions(cancelled(None, "ThrottlingError")) == set()
    assert failed_positions(cancelled("ValidationError")) == set()
    assert failed_positions(cancelled()) == set()


def test_the_block_raises_the_storage_exception_asked_for_with_the_positions() -> None:
    with pytest.raises(StaleVersion) as caught, on_failed_condition(StaleVersion, "form f"):
        raise cancelled("ConditionalCheckFailed", None)
    assert (str(caught.value), caught.value.failed) == ("form f", frozenset({0}))
    assert caught.value.__cause__ is None
    with pytest.raises(AlreadyExists), on_failed_condition(AlreadyExists):
        raise single(PutError, "ConditionalCheckFailedException")
    with pytest.raises(ConditionFailed) as generic, on_failed_condition():
        raise cancelled(None, None, "ConditionalCheckFailed")
    assert type(generic.value) is ConditionFailed
    assert generic.value.failed == {2}


def test_the_block_lets_every_other_error_through_unchanged() -> None:
    throttled = single(PutError, "ProvisionedThroughputExceededException")
    with pytest.raises(PutError) as caught, on_failed_condition(StaleVersion):
        raise throttled
    assert caught.value is throttled
    with pytest.raises(KeyError), on_failed_condition(StaleVersion):
        raise KeyError("not storage")


def test_a_block_that_writes_fine_raises_nothing() -> None:
    written = []
    with on_failed_condition(StaleVersion):
        written.append("item")
    assert written == ["item"]

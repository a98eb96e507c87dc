"""Exact stored scores, one half-up rounding when reported."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.numbers import STORED_QUANTUM, average, reported, reported_str, to_stored
from tests.unit.strategies import PROPERTY


def half_up_hundredths(value: Fraction) -> Fraction:
    """Reference half-up rounding of a non-negative value to two decimals."""
    return Fraction(math.floor(value * 100 + Fraction(1, 2)), 100)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2.345", "2.35"),  # half-even would give 2.34
        ("2.335", "2.34"),
        ("2.675", "2.68"),  # float round() gives 2.67
        ("0.005", "0.01"),
        ("0.0049999", "0.00"),
        ("99.995", "100.00"),
        ("100", "100.00"),
        ("0", "0.00"),
        ("66.66666666666666666667", "66.67"),
    ],
)
def test_reported_rounds_half_up_to_two_decimals(value: str, shown: str) -> None:
    assert reported_str(Decimal(value)) == shown


def test_nothing_to_report_stays_none() -> None:
    assert reported(None) is None
    assert reported_str(None) is None


def test_to_stored_keeps_twenty_decimals() -> None:
    assert to_stored(Fraction(200, 3)) == Decimal("66.66666666666666666667")
    assert to_stored(Fraction(100, 3)) == Decimal("33.33333333333333333333")
    assert to_stored(Fraction(100)) == Decimal("100")
    assert to_stored(Fraction(100)).as_tuple().exponent == -20


@PROPERTY
@given(
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=1, max_value=10_000),
)
def test_to_stored_is_within_half_a_quantum_and_reports_like_the_exact_value(
    numerator: int, denominator: int
) -> None:
    exact = Fraction(100) * Fraction(min(numerator, denominator), denominator)
    stored = to_stored(exact)

    assert abs(Fraction(stored) - exact) <= Fraction(STORED_QUANTUM) / 2
    # A score's denominator is small, so storing never moves it across a rounding edge.
    assert Fraction(reported(stored) or 0) == half_up_hundredths(exact)


def test_average_is_exact_and_none_for_nothing() -> None:
    assert average(Decimal(0), 0) is None
    mean = average(Decimal(200), 3)
    assert mean is not None
    # Far more precise than the default 28-digit context.
    assert abs(Fraction(mean) - Fraction(200, 3)) < Fraction(1, 10**50)
    assert reported_str(average(Decimal(200), 3)) == "66.67"


def test_averaging_stored_values_then_rounding_once_differs_from_averaging_rounded_values() -> None:
    # Two evaluations scoring 5/8 and 2/3: 62.5 and 66.666...
    stored = [to_stored(Fraction(500, 8)), to_stored(Fraction(200, 3))]

    once = reported_str(average(sum(stored, Decimal(0)), len(stored)))
    rounded_each = [reported(value) or Decimal(0) for value in stored]
    twice = reported_str(average(sum(rounded_each, Decimal(0)), len(rounded_each)))

    # The exact mean is 64.58333...; rounding each first gives 62.50 and 66.67, mean 64.585.
    assert once == "64.58"
    assert twice == "64.59"

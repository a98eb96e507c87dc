"""Decimal conventions for scores: exact inside, rounded half-up once on output."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

# Stored scores keep 20 decimal places: exact for every terminating fraction and
# within 1e-20 of the rest, far below the 0.005 that the reported rounding sees.
# 20 places plus at most 7 integer digits stays inside DynamoDB's 38 digits.
STORED_QUANTUM = Decimal("1e-20")
REPORTED_QUANTUM = Decimal("0.01")


def to_stored(value: Fraction) -> Decimal:
    # Divide with more precision than the default 28 digits so the quantize
    # below rounds the true value, not an already rounded one.
    with localcontext() as ctx:
        ctx.prec = 60
        precise = Decimal(value.numerator) / Decimal(value.denominator)
        return precise.quantize(STORED_QUANTUM, rounding=ROUND_HALF_EVEN)


def reported(value: Decimal | None) -> Decimal | None:
    """Half-up to two decimals: the one rounding every report applies."""
    if value is None:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        return value.quantize(REPORTED_QUANTUM, rounding=ROUND_HALF_UP)


def reported_str(value: Decimal | None) -> str | None:
    rounded = reported(value)
    return None if rounded is None else format(rounded, "f")


def average(total: Decimal, count: int) -> Decimal | None:
    """Exact mean of stored values; None when nothing was scored."""
    if count == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        return total / count

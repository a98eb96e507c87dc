"""Honest figures: every rate and every average with its n and a 95 % interval.

A figure in a report is a count of what was seen in the evaluations done, not
the truth about an agent or a team: with few evaluations, luck moves it a lot.
The interval says how far: if the same people kept working the same way and
other contacts had been evaluated, the figure would fall inside it 95 times in
100. Two figures whose intervals overlap widely are not shown as different.

Definitions follow ../shared/docs/domain.md ("Figures, exactly"):

- a rate (k of n, e.g. compliance) gets the 95 % Wilson score interval, z = 1.96;
- an average of n scores gets mean ± t(0.975, n − 1) · s / √n, s the sample
  standard deviation;
- below n = 5 a figure is shown with its n and "too few to compare", never ranked.

Everything here is pure and runs on the deployed Lambda: no numpy or scipy.
Counts, means and standard deviations are exact (Fraction, then Decimal with 60
digits); results keep the stored 20 decimal places and are rounded half-up only
when shown (`numbers.reported`). Rates are shares from 0 to 1; a page shows them
as per cent. The only inexact number is the Student t quantile, an irrational
constant computed in binary floating point (within 1e-13 of scipy, relative),
which moves a reported interval by far less than its 0.005 rounding step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache
from statistics import NormalDist
from typing import Literal

from chalicelib.domain.numbers import STORED_QUANTUM, to_stored

# domain.md fixes z = 1.96 for rates (not the 1.95996... quantile) so a figure
# can be recomputed by hand from its definition.
Z_95 = Decimal("1.96")
MIN_COMPARABLE = 5

# Up to this many degrees of freedom the t quantile inverts the exact CDF (a
# finite series of at most df / 2 terms, whose rounding error grows with df:
# 3e-14 at 1,000, 6e-13 at 10,000); beyond it the Cornish-Fisher expansion to
# 1/df^4 is both cheaper and closer (about 1e-15 from scipy at df = 1,000, and
# its terms shrink as 1/df).
_SERIES_MAX_DF = 1_000
_PRECISION = 60


def comparable(n: int) -> bool:
    """Whether a figure rests on enough evaluations to be ranked or compared.

    Below 5 evaluations a figure is shown with its count and "too few to
    compare": it is never placed in a ranking, a heatmap colour scale or a
    "better / worse than the team" statement, however high or low it is.
    """
    return n >= MIN_COMPARABLE


@dataclass(frozen=True)
class RateInterval:
    """A share (k of n, from 0 to 1) with its 95 % Wilson score interval.

    Read as: "k of n applicable contacts, the rate is `rate`; with this many
    evaluations the true rate is, with 95 % confidence, between `low` and
    `high`". The interval is not symmetric around the rate and never leaves
    0..1: 10 of 10 gives 72 %..100 %, not "100 % ± 0".
    """

    k: int
    n: int
    rate: Decimal
    low: Decimal
    high: Decimal

    @property
    def comparable(self) -> bool:
        return comparable(self.n)


@dataclass(frozen=True)
class MeanInterval:
    """An average of n scores with its 95 % interval (mean ± margin).

    Read as: "the average of n evaluated contacts is `mean` points; with this
    many evaluations and this much spread between them the true average is,
    with 95 % confidence, within `margin` points of it". `sd` is the sample
    standard deviation: how far a typical evaluation lies from the average.
    With a single score there is no spread and so no interval (`sd`, `margin`,
    `low` and `high` are None). The interval follows the definition and is not
    cut at 0 or 100.
    """

    n: int
    mean: Decimal
    sd: Decimal | None
    margin: Decimal | None
    low: Decimal | None
    high: Decimal | None

    @property
    def comparable(self) -> bool:
        return comparable(self.n)


@dataclass(frozen=True)
class Compliance:
    """How often a criterion was done where it applied, and how often it did not apply.

    `compliance` is Yes / (Yes + No): of the contacts where the criterion
    applied, the share where it was done. N/A answers leave it; they are
    reported as their own share `na_share`, N/A / (Yes + No + N/A), because a
    criterion marked "not applicable" unusually often is itself worth a look.
    Each is None when nothing was counted for it.
    """

    yes: int
    no: int
    na: int
    compliance: RateInterval | None
    na_share: RateInterval | None


def _stored(value: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return value.quantize(STORED_QUANTUM, rounding=ROUND_HALF_EVEN)


def _decimal(value: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return Decimal(value.numerator) / Decimal(value.denominator)


def wilson_interval(k: int, n: int, z: Decimal = Z_95) -> RateInterval | None:
    """The 95 % Wilson score interval of k successes in n; None when n is 0.

    Wilson's interval is the set of true rates p for which the observed rate
    would not be surprising: |k/n − p| ≤ z · √(p(1 − p)/n). Unlike the textbook
    "rate ± 1.96 · standard error" it stays inside 0..1 and stays honest at
    0 of n and n of n, which QA answers (mostly Yes) hit all the time.
    """
    if n < 0 or not 0 <= k <= n:
        raise ValueError(f"a rate needs 0 <= k <= n, got k={k}, n={n}")
    if z <= 0:
        raise ValueError("z must be positive")
    if n == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        rate = Decimal(k) / n
        z2 = z * z
        denominator = 1 + z2 / n
        centre = (rate + z2 / (2 * n)) / denominator
        half = z / denominator * (rate * (1 - rate) / n + z2 / (4 * n * n)).sqrt()
        # At 0 of n and n of n a bound is exactly 0 or 1; the 60-digit square
        # root can miss it by 1e-60 either side, which the clamp and the
        # 20-place quantize below take away.
        low = max(Decimal(0), centre - half)
        high = min(Decimal(1), centre + half)
    return RateInterval(
        k=k, n=n, rate=to_stored(Fraction(k, n)), low=_stored(low), high=_stored(high)
    )


def compliance(yes: int, no: int, na: int) -> Compliance:
    """Compliance Yes / (Yes + No) and the N/A share N/A / (Yes + No + N/A), with intervals."""
    if min(yes, no, na) < 0:
        raise ValueError("answer counts cannot be negative")
    return Compliance(
        yes=yes,
        no=no,
        na=na,
        compliance=wilson_interval(yes, yes + no),
        na_share=wilson_interval(na, yes + no + na),
    )


def mean_interval(values: Sequence[Decimal]) -> MeanInterval | None:
    """The average of the scores with its 95 % interval; None when there are none.

    The interval is mean ± t(0.975, n − 1) · s / √n: the Student t quantile
    rather than 1.96 because s is itself estimated from the same few scores,
    which widens the interval when n is small (n = 2: ±12.7 s/√2; n = 30:
    ±2.05 s/√30).
    """
    n = len(values)
    if n == 0:
        return None
    exact = [_exact(value) for value in values]
    mean = sum(exact, Fraction(0)) / n
    if n < 2:
        return MeanInterval(
            n=n, mean=_stored(_decimal(mean)), sd=None, margin=None, low=None, high=None
        )
    variance = sum(((x - mean) ** 2 for x in exact), Fraction(0)) / (n - 1)
    return _mean_with_spread(n, mean, variance)


def mean_interval_of_sums(n: int, total: Decimal, squares: Decimal) -> MeanInterval | None:
    """`mean_interval` from what the report cells keep: the count, the sum and the
    sum of squares of the scores (each square cut to 20 places when stored).

    s² = (Σx² − (Σx)²/n) / (n − 1), in exact fractions, so the cancellation that
    makes this formula unsafe in floating point cannot happen; a negative
    variance (only possible from the 1e-20 cuts when every score is equal) is 0.
    """
    if n < 0:
        raise ValueError("a count cannot be negative")
    if n == 0:
        return None
    mean = _exact(total) / n
    if n < 2:
        return MeanInterval(
            n=n, mean=_stored(_decimal(mean)), sd=None, margin=None, low=None, high=None
        )
    variance = max(Fraction(0), (_exact(squares) - _exact(total) * mean) / (n - 1))
    return _mean_with_spread(n, mean, variance)


def _mean_with_spread(n: int, mean: Fraction, variance: Fraction) -> MeanInterval:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        sd = _decimal(variance).sqrt()
        margin = _t_975(n - 1) * sd / Decimal(n).sqrt()
        centre = _decimal(mean)
        low, high = centre - margin, centre + margin
    return MeanInterval(
        n=n,
        mean=_stored(centre),
        sd=_stored(sd),
        margin=_stored(margin),
        low=_stored(low),
        high=_stored(high),
    )


@dataclass(frozen=True)
class Difference:
    """A difference between two figures (first minus second) with its 95 % interval.

    `clear` says the difference is statistically clear: both figures rest on at
    least 5 evaluations and the interval does not contain 0. Only then does a
    report say "better" or "worse". Rates are shares (0..1), averages points.
    """

    difference: Decimal
    low: Decimal
    high: Decimal
    clear: bool
    method: str


RATE_DIFFERENCE_METHOD = (
    "Newcombe's hybrid score interval (method 10) of the difference of two rates, "
    "built from their 95 % Wilson intervals; clear when it excludes 0 and each rate "
    "rests on at least 5 answers"
)
MEAN_DIFFERENCE_METHOD = (
    "Welch's 95 % interval of the difference of two averages (Student t with the "
    "Welch-Satterthwaite degrees of freedom, rounded down); clear when it excludes 0 "
    "and each average rests on at least 5 scores"
)


def rate_difference(first: RateInterval, second: RateInterval) -> Difference:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        d = first.rate - second.rate
        low = d - ((first.rate - first.low) ** 2 + (second.high - second.rate) ** 2).sqrt()
        high = d + ((first.high - first.rate) ** 2 + (second.rate - second.low) ** 2).sqrt()
    clear = first.comparable and second.comparable and (low > 0 or high < 0)
    return Difference(_stored(d), _stored(low), _stored(high), clear, RATE_DIFFERENCE_METHOD)


def mean_difference(first: MeanInterval, second: MeanInterval) -> Difference | None:
    """None when either average has fewer than 2 scores (no spread to test with)."""
    if first.sd is None or second.sd is None:
        return None
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        d = first.mean - second.mean
        v1 = first.sd * first.sd / first.n
        v2 = second.sd * second.sd / second.n
        if v1 + v2 == 0:
            low = high = d
        else:
            df_exact = (v1 + v2) ** 2 / (v1 * v1 / (first.n - 1) + v2 * v2 / (second.n - 1))
            df = max(1, int(df_exact))
            margin = _t_975(df) * (v1 + v2).sqrt()
            low, high = d - margin, d + margin
    clear = first.comparable and second.comparable and (low > 0 or high < 0)
    return Difference(_stored(d), _stored(low), _stored(high), clear, MEAN_DIFFERENCE_METHOD)


def _exact(value: Decimal) -> Fraction:
    if not value.is_finite():
        raise ValueError(f"a score must be a finite number, got {value}")
    return Fraction(value)


def margin_for_sample_size(spread: Decimal, n: int) -> Decimal:
    """The ± margin of a 95 % interval of an average of n scores with sample spread `spread`.

    "30 evaluations a quarter with a spread of 11 points gives ±4.1 points."
    """
    if n < 2:
        raise ValueError("an interval of an average needs at least 2 scores")
    if spread < 0:
        raise ValueError("a spread cannot be negative")
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return _stored(_t_975(n - 1) * spread / Decimal(n).sqrt())


def sample_size_for_margin(
    spread: Decimal, margin: Decimal, *, method: Literal["t", "normal"] = "t"
) -> int:
    """How many evaluations give an average a 95 % interval of at most ±margin points.

    `spread` is the standard deviation of scores seen so far (for the same kind
    of contacts and form). With `method="t"` (the default, matching how the
    reports draw the interval) it is the smallest n with
    t(0.975, n − 1) · spread / √n ≤ margin; t depends on n, so n is searched,
    not solved. `method="normal"` gives the textbook ⌈(1.96 · spread / margin)²⌉,
    which is a few evaluations short when n is small. At least 2 either way:
    one score has no spread and so no interval.
    """
    if margin <= 0:
        raise ValueError("the margin must be positive")
    if spread < 0:
        raise ValueError("a spread cannot be negative")
    if spread == 0:
        return 2
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        if method == "normal":
            needed = ((Z_95 * spread / margin) ** 2).to_integral_value(rounding=ROUND_CEILING)
            return max(2, int(needed))

        def enough(n: int) -> bool:
            # Compare squares: exact, and no square root of n needed.
            return (_t_975(n - 1) * spread) ** 2 <= margin * margin * n

        # t(0.975, df) is above the normal quantile for every df, so no n below
        # the normal answer can do; the margin shrinks as n grows, so the
        # smallest n that does is found by doubling, then bisecting.
        z = Decimal(repr(NormalDist().inv_cdf(0.975)))
        lower = int(((z * spread / margin) ** 2).to_integral_value(rounding=ROUND_CEILING))
        lo, hi = 1, max(2, lower - 1)
        while not enough(hi):
            lo, hi = hi, hi * 2
        while hi - lo > 1:
            middle = (lo + hi) // 2
            if enough(middle):
                hi = middle
            else:
                lo = middle
        return hi


def _t_975(df: int) -> Decimal:
    # repr gives the shortest decimal that reads back as the same double: the
    # quantile to its float accuracy, without 50 digits of binary noise.
    return Decimal(repr(t_quantile(0.975, df)))


@lru_cache(maxsize=4096)
def t_quantile(p: float, df: int) -> float:
    """The p quantile of Student's t distribution with df degrees of freedom.

    The value t with P(T ≤ t) = p. t(0.975, df) is the multiplier of s/√n in
    the 95 % interval of an average of df + 1 scores: 12.71 for 2 scores,
    2.26 for 10, 2.05 for 30, tending to 1.96 as the count grows.
    """
    if not 0 < p < 1:
        raise ValueError("p must be strictly between 0 and 1")
    if isinstance(df, bool) or not isinstance(df, int) or df < 1:
        raise ValueError("df must be a whole number of at least 1")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1 - p, df)
    expansion = _cornish_fisher(p, df)
    if df > _SERIES_MAX_DF:
        return expansion
    return _solve_two_sided(2 * p - 1, df, expansion)


def _cornish_fisher(p: float, df: int) -> float:
    # Abramowitz & Stegun 26.7.5: the t quantile as the normal quantile plus
    # powers of 1/df. Close for large df, and a good start for Newton below.
    x = NormalDist().inv_cdf(p)
    x2 = x * x
    g1 = (x2 + 1) * x / 4
    g2 = ((5 * x2 + 16) * x2 + 3) * x / 96
    g3 = (((3 * x2 + 19) * x2 + 17) * x2 - 15) * x / 384
    g4 = ((((79 * x2 + 776) * x2 + 1482) * x2 - 1920) * x2 - 945) * x / 92160
    v = float(df)
    return x + g1 / v + g2 / v**2 + g3 / v**3 + g4 / v**4


def _two_sided_mass(t: float, df: int) -> float:
    """P(|T| ≤ t) for t ≥ 0, summed exactly (Abramowitz & Stegun 26.7.3 and 26.7.4).

    With θ = atan(t / √df), for integer df the CDF is a finite sum of powers of
    cos θ with positive terms, so it is accurate to rounding error at any df
    (no cancellation, no continued fraction to converge).
    """
    r = df + t * t
    cos2 = df / r
    sin = t / math.sqrt(r)
    term = total = 1.0
    if df % 2 == 0:
        for k in range(1, df // 2):
            term *= cos2 * (2 * k - 1) / (2 * k)
            total += term
        return sin * total
    theta = math.atan2(t, math.sqrt(df))
    if df == 1:
        return 2 * theta / math.pi
    for k in range(1, (df - 1) // 2):
        term *= cos2 * (2 * k) / (2 * k + 1)
        total += term
    return 2 / math.pi * (theta + sin * math.sqrt(cos2) * total)


def _two_sided_density(t: float, df: int) -> float:
    # d/dt P(|T| <= t) = 2 f(t), f the t density; logs keep large df finite.
    log_f = (
        math.lgamma((df + 1) / 2)
        - math.lgamma(df / 2)
        - 0.5 * math.log(df * math.pi)
        - (df + 1) / 2 * math.log1p(t * t / df)
    )
    return 2 * math.exp(log_f)


def _solve_two_sided(mass: float, df: int, start: float) -> float:
    # Newton on P(|T| <= t) = mass, kept inside a bracket that always holds the
    # root: a step that would leave it becomes a bisection, so heavy tails
    # (df = 1) or a poor start cannot make it diverge.
    lo, hi = 0.0, max(start, 1.0)
    while _two_sided_mass(hi, df) < mass:
        lo, hi = hi, hi * 2
    t = min(max(start, lo), hi)
    for _ in range(200):
        value = _two_sided_mass(t, df) - mass
        if value == 0:
            return t
        if value < 0:
            lo = t
        else:
            hi = t
        step = value / _two_sided_density(t, df)
        candidate = t - step
        if not lo < candidate < hi:
            candidate = (lo + hi) / 2
        if abs(candidate - t) <= 2e-16 * t or hi - lo <= 2e-16 * hi:
            return candidate
        t = candidate
    return t

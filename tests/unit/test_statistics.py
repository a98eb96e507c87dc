"""Intervals and the "too few to compare" rule, against an independent calculation.

scipy (a dev dependency only) is the reference for the Student t quantile and
the normal quantile; the Wilson interval is written here again from its formula
in floating point, and checked against the score test it inverts.
"""

from __future__ import annotations

import itertools
import math
import statistics as pystats
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]

from chalicelib.domain.numbers import reported_str
from chalicelib.domain.statistics import (
    MIN_COMPARABLE,
    Z_95,
    comparable,
    compliance,
    margin_for_sample_size,
    mean_interval,
    sample_size_for_margin,
    t_quantile,
    wilson_interval,
)
from tests.unit.strategies import PROPERTY

scores = st.decimals(
    min_value=Decimal(0), max_value=Decimal(100), places=2, allow_nan=False, allow_infinity=False
)


def is_share(value: Decimal, k: int, n: int) -> bool:
    # Stored figures keep 20 decimals, so k/n is exact to half of 1e-20.
    return abs(Fraction(value) - Fraction(k, n)) <= Fraction(1, 2 * 10**20)


def close(ours: Decimal | float, reference: float, rel: float = 1e-12) -> bool:
    return math.isclose(float(ours), reference, rel_tol=rel, abs_tol=1e-12)


# --- the t quantile -------------------------------------------------------


@pytest.mark.parametrize(
    ("df", "expected"),
    [
        # Printed tables give these to 3 decimals; the digits are scipy's.
        (1, 12.706204736174694),
        (2, 4.302652729749462),
        (9, 2.262157162798205),
        (29, 2.045229642132703),
        (100, 1.983971518523552),
    ],
)
def test_t_975_known_values(df: int, expected: float) -> None:
    assert abs(t_quantile(0.975, df) - expected) < 1e-9


def test_t_closed_forms_for_one_and_two_degrees_of_freedom() -> None:
    # df = 1 is the Cauchy distribution, df = 2 has t = (2p - 1) sqrt(2 / (4p(1 - p))).
    for p in (0.6, 0.9, 0.975, 0.995):
        assert math.isclose(t_quantile(p, 1), math.tan(math.pi * (p - 0.5)), rel_tol=1e-13)
        two = (2 * p - 1) * math.sqrt(2 / (4 * p * (1 - p)))
        assert math.isclose(t_quantile(p, 2), two, rel_tol=1e-13)


def test_t_975_tends_to_the_normal_quantile() -> None:
    assert abs(t_quantile(0.975, 10**10) - 1.959963985) < 1e-9
    assert abs(t_quantile(0.975, 10**14) - 1.959963984540054) < 1e-13
    assert t_quantile(0.975, 10**6) > 1.959963984540054


def test_t_975_every_df_up_to_ten_thousand_matches_scipy() -> None:
    dfs = np.arange(1, 10_001)
    reference = stats.t.ppf(0.975, dfs)
    errors = [abs(t_quantile(0.975, int(df)) - ref) for df, ref in zip(dfs, reference, strict=True)]
    # 1e-9 is what the reports need; the method gives about 6e-14.
    assert max(errors) < 1e-12


def test_t_975_beyond_the_series_is_as_close_as_a_double_allows() -> None:
    # Above 1,000 degrees of freedom the expansion in 1/df takes over; a wrong
    # coefficient in its last term would show as a few 1e-15 here.
    dfs = np.arange(1_001, 20_001)
    reference = stats.t.ppf(0.975, dfs)
    errors = [abs(t_quantile(0.975, int(df)) - ref) for df, ref in zip(dfs, reference, strict=True)]
    assert max(errors) < 2.5e-15


@PROPERTY
@given(st.integers(min_value=1, max_value=10**8))
def test_t_975_matches_scipy_at_any_df(df: int) -> None:
    assert close(t_quantile(0.975, df), float(stats.t.ppf(0.975, df)), rel=1e-12)


@PROPERTY
@given(
    st.floats(min_value=0.001, max_value=0.999).filter(lambda p: abs(p - 0.5) > 1e-6),
    st.integers(min_value=1, max_value=5_000),
)
def test_t_quantile_matches_scipy_at_any_level(p: float, df: int) -> None:
    ours = t_quantile(p, df)
    assert math.isclose(ours, float(stats.t.ppf(p, df)), rel_tol=1e-11)
    assert t_quantile(1 - p, df) == pytest.approx(-ours, rel=1e-12)


def test_t_quantile_is_decreasing_in_df() -> None:
    values = [t_quantile(0.975, df) for df in range(1, 3_000)]
    assert all(a > b for a, b in itertools.pairwise(values))


@pytest.mark.parametrize(("p", "df"), [(0.0, 5), (1.0, 5), (-0.1, 5), (0.975, 0), (0.975, -3)])
def test_t_quantile_rejects_impossible_arguments(p: float, df: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        t_quantile(p, df)


def test_t_quantile_of_one_half_is_zero() -> None:
    assert t_quantile(0.5, 7) == 0.0


# --- Wilson -----------------------------------------------------------------


def wilson_reference(k: int, n: int, z: float) -> tuple[float, float]:
    """Wilson (1927) as usually written: centre ± half, with p = k / n."""
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_wilson_eight_of_ten() -> None:
    interval = wilson_interval(8, 10)
    assert interval is not None
    assert interval.rate == Decimal("0.8")
    assert (reported_str(100 * interval.low), reported_str(100 * interval.high)) == (
        "49.02",
        "94.33",
    )


def test_wilson_at_the_edges_stays_inside_zero_to_one() -> None:
    none, every = wilson_interval(0, 10), wilson_interval(10, 10)
    assert none is not None
    assert every is not None
    # 0 of 10: the upper bound is z^2/n / (1 + z^2/n) = 0.38416 / 1.38416.
    assert none.low == 0
    assert close(none.high, 0.38416 / 1.38416)
    assert every.high == 1
    assert close(every.low, 1 - 0.38416 / 1.38416)


@pytest.mark.parametrize("n", range(1, 200))
def test_wilson_never_shows_minus_zero_or_more_than_everything(n: int) -> None:
    # The bound at 0 of n (and 1 at n of n) is exact; a rounding residue of
    # either sign must not show as "-0.00" or as more than 100 %.
    none, every = wilson_interval(0, n), wilson_interval(n, n)
    assert none is not None
    assert every is not None
    assert reported_str(100 * none.low) == "0.00"
    assert not none.low.is_signed()
    assert reported_str(100 * every.high) == "100.00"


def test_wilson_of_nothing_is_no_interval() -> None:
    assert wilson_interval(0, 0) is None


@pytest.mark.parametrize(("k", "n"), [(-1, 3), (4, 3), (0, -1)])
def test_wilson_rejects_impossible_counts(k: int, n: int) -> None:
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson_interval(k, n)


@PROPERTY
@given(st.integers(min_value=1, max_value=100_000), st.data())
def test_wilson_matches_its_formula_with_scipys_normal_quantile(
    n: int, data: st.DataObject
) -> None:
    k = data.draw(st.integers(min_value=0, max_value=n))
    z = float(stats.norm.ppf(0.975))
    interval = wilson_interval(k, n, z=Decimal(repr(z)))
    assert interval is not None
    low, high = wilson_reference(k, n, z)
    assert interval.n == n
    assert interval.k == k
    assert is_share(interval.rate, k, n)
    assert close(interval.low, max(0.0, low))
    assert close(interval.high, min(1.0, high))
    assert interval.low <= interval.rate <= interval.high


@PROPERTY
@given(st.integers(min_value=1, max_value=10_000), st.data())
def test_wilson_bounds_are_where_the_score_test_is_just_significant(
    n: int, data: st.DataObject
) -> None:
    # The Wilson interval is every p with (k/n - p)^2 <= z^2 p (1 - p) / n:
    # equality holds at each bound that is not 0 or 1.
    k = data.draw(st.integers(min_value=0, max_value=n))
    interval = wilson_interval(k, n)
    assert interval is not None
    rate = Decimal(k) / n
    with localcontext() as ctx:
        ctx.prec = 60
        for bound in (interval.low, interval.high):
            if bound in (0, 1):
                continue
            gap = (rate - bound) ** 2 * n - Z_95**2 * bound * (1 - bound)
            assert abs(gap) < Decimal("1e-17")
    assert (interval.low == 0) == (k == 0)
    assert (interval.high == 1) == (k == n)


@PROPERTY
@given(st.integers(min_value=0, max_value=500), st.integers(min_value=1, max_value=500))
def test_more_evaluations_narrow_the_interval(k: int, n: int) -> None:
    k = min(k, n)
    few, many = wilson_interval(k, n), wilson_interval(4 * k, 4 * n)
    assert few is not None
    assert many is not None
    assert many.high - many.low < few.high - few.low


# --- compliance -------------------------------------------------------------


def test_compliance_example() -> None:
    figure = compliance(yes=8, no=2, na=3)
    assert figure.compliance is not None
    assert figure.na_share is not None
    assert figure.compliance == wilson_interval(8, 10)
    assert is_share(figure.na_share.rate, 3, 13)
    assert figure.na_share.n == 13


@PROPERTY
@given(
    st.integers(min_value=0, max_value=2_000),
    st.integers(min_value=0, max_value=2_000),
    st.integers(min_value=0, max_value=2_000),
)
def test_compliance_leaves_na_out_and_reports_it_as_its_own_share(
    yes: int, no: int, na: int
) -> None:
    figure = compliance(yes, no, na)
    assert (figure.yes, figure.no, figure.na) == (yes, no, na)
    if yes + no == 0:
        assert figure.compliance is None
    else:
        assert figure.compliance is not None
        assert is_share(figure.compliance.rate, yes, yes + no)
        assert figure.compliance.n == yes + no
        low, high = wilson_reference(yes, yes + no, 1.96)
        assert close(figure.compliance.low, max(0.0, low))
        assert close(figure.compliance.high, min(1.0, high))
    if yes + no + na == 0:
        assert figure.na_share is None
    else:
        assert figure.na_share is not None
        assert is_share(figure.na_share.rate, na, yes + no + na)
        low, high = wilson_reference(na, yes + no + na, 1.96)
        assert close(figure.na_share.low, max(0.0, low))
        assert close(figure.na_share.high, min(1.0, high))


def test_compliance_rejects_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        compliance(1, -1, 0)


# --- averages ---------------------------------------------------------------


def test_mean_interval_example() -> None:
    # 70, 80, 90: mean 80, s = 10, margin t(0.975, 2) * 10 / sqrt(3) = 24.84.
    figure = mean_interval([Decimal(70), Decimal(80), Decimal(90)])
    assert figure is not None
    assert figure.mean == 80
    assert figure.sd == 10
    assert (reported_str(figure.margin), reported_str(figure.low), reported_str(figure.high)) == (
        "24.84",
        "55.16",
        "104.84",
    )


@PROPERTY
@given(st.lists(scores, min_size=2, max_size=80))
def test_mean_interval_matches_scipy(values: list[Decimal]) -> None:
    figure = mean_interval(values)
    assert figure is not None
    n = len(values)
    exact = [Fraction(v) for v in values]
    assert figure.n == n
    assert abs(Fraction(figure.mean) - pystats.mean(exact)) <= Fraction(1, 2 * 10**20)
    assert figure.sd is not None
    assert figure.margin is not None
    assert figure.low is not None
    assert figure.high is not None
    assert abs(Fraction(figure.sd) ** 2 - pystats.variance(exact)) < Fraction(1, 10**15)
    if figure.sd == 0:
        assert figure.low == figure.high == figure.mean
    else:
        floats = np.array([float(v) for v in values])
        low, high = stats.t.interval(0.95, n - 1, loc=floats.mean(), scale=stats.sem(floats))
        assert close(figure.low, float(low), rel=1e-9)
        assert close(figure.high, float(high), rel=1e-9)
        assert close(figure.margin, float(high - low) / 2, rel=1e-9)


def test_one_score_has_a_mean_but_no_interval() -> None:
    figure = mean_interval([Decimal("87.5")])
    assert figure is not None
    assert figure.mean == Decimal("87.5")
    assert (figure.sd, figure.margin, figure.low, figure.high) == (None, None, None, None)
    assert mean_interval([]) is None


def test_mean_interval_rejects_nan() -> None:
    with pytest.raises(ValueError, match="finite"):
        mean_interval([Decimal(1), Decimal("NaN")])


# --- too few to compare -----------------------------------------------------


def test_too_few_to_compare_below_five() -> None:
    assert MIN_COMPARABLE == 5
    assert [comparable(n) for n in range(8)] == [False] * 5 + [True] * 3
    four, five = wilson_interval(4, 4), wilson_interval(4, 5)
    assert four is not None
    assert five is not None
    assert not four.comparable
    assert five.comparable
    short = mean_interval([Decimal(v) for v in (1, 2, 3, 4)])
    enough = mean_interval([Decimal(v) for v in (1, 2, 3, 4, 5)])
    assert short is not None
    assert enough is not None
    assert not short.comparable
    assert enough.comparable


# --- sample size ------------------------------------------------------------


def reference_margin(spread: float, n: int) -> float:
    return float(stats.t.ppf(0.975, n - 1)) * spread / math.sqrt(n)


def test_thirty_a_quarter_gives_about_four_points() -> None:
    # The sampling issue's example: spread 11 points, 30 evaluations.
    assert reported_str(margin_for_sample_size(Decimal(11), 30)) == "4.11"
    assert sample_size_for_margin(Decimal(11), Decimal("4.11")) == 30
    assert sample_size_for_margin(Decimal(11), Decimal("4.10")) == 31


@PROPERTY
@given(
    st.decimals(min_value=Decimal("0.5"), max_value=Decimal(40), places=2),
    st.decimals(min_value=Decimal("0.2"), max_value=Decimal(20), places=2),
)
def test_sample_size_is_the_smallest_that_reaches_the_margin(
    spread: Decimal, margin: Decimal
) -> None:
    n = sample_size_for_margin(spread, margin)
    assert n >= 2
    # Reference margins from scipy; skip the knife-edge cases where float
    # rounding in the reference could decide either way.
    at_n = reference_margin(float(spread), n)
    assert at_n <= float(margin) * (1 + 1e-12)
    if n > 2:
        assert reference_margin(float(spread), n - 1) > float(margin) * (1 - 1e-12)


@PROPERTY
@given(
    st.decimals(min_value=Decimal("0.5"), max_value=Decimal(40), places=2),
    st.decimals(min_value=Decimal("0.2"), max_value=Decimal(20), places=2),
)
def test_sample_size_by_the_normal_formula(spread: Decimal, margin: Decimal) -> None:
    expected = math.ceil((Fraction("1.96") * Fraction(spread) / Fraction(margin)) ** 2)
    assert sample_size_for_margin(spread, margin, method="normal") == max(2, expected)
    # t(0.975, df) is above the normal quantile 1.95996... at every df, so the
    # t answer is never below the normal formula with that quantile (one less
    # allowed for float rounding in this reference).
    normal = (float(stats.norm.ppf(0.975)) * float(spread) / float(margin)) ** 2
    assert sample_size_for_margin(spread, margin) >= math.ceil(normal) - 1


def test_no_spread_needs_only_two() -> None:
    assert sample_size_for_margin(Decimal(0), Decimal(1)) == 2


@pytest.mark.parametrize(("spread", "margin"), [("1", "0"), ("1", "-1"), ("-1", "1")])
def test_sample_size_rejects_impossible_arguments(spread: str, margin: str) -> None:
    with pytest.raises(ValueError, match=r"must be positive|cannot be negative"):
        sample_size_for_margin(Decimal(spread), Decimal(margin))


def test_margin_needs_two_scores() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        margin_for_sample_size(Decimal(10), 1)

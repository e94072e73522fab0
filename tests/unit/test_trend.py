"""The trend verdict against scipy's regression and F tests, written apart from the code, at their critical values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from scaling_forecast.engine.trend import TREND_ALPHA, trend_verdict, trend_warning


def reference(x: np.ndarray, y: np.ndarray, lower_is_better: bool) -> str | None:
    """The verdict from its definition, with numpy's polyfit and scipy's distributions."""
    if np.unique(x).size < 3:
        return None
    n = x.size
    if np.unique(x).size >= 5:
        c2, c1, c0 = np.polyfit(x - x.mean(), y, 2)
        u = x - x.mean()
        rss2 = float(np.sum((y - np.polyval([c2, c1, c0], u)) ** 2))
        rss1 = float(np.sum((y - np.polyval(np.polyfit(u, y, 1), u)) ** 2))
        if c2 != 0:
            vertex = -c1 / (2 * c2)
            lo, hi = u.min(), u.max()
            if lo + 0.2 * (hi - lo) < vertex < hi - 0.2 * (hi - lo):
                f = np.polyval([c2, c1, c0], np.array([lo, vertex, hi]))
                noise = max(2 * np.sqrt(rss2 / (n - 3)), 1e-9 * np.abs(y).max())
                arms = abs(f[0] - f[1]) > noise and abs(f[2] - f[1]) > noise
                exact = rss2 == 0.0  # an exact parabola: nothing but the curve to explain
                if arms and (exact or stats.f.sf((rss1 - rss2) / (rss2 / (n - 3)), 1, n - 3) < TREND_ALPHA):
                    return "non-monotone"
    fit = stats.linregress(x, y)
    if fit.pvalue >= TREND_ALPHA:
        return "flat"
    return "improving" if (fit.slope < 0) == lower_is_better else "worsening"


def at_t(x: np.ndarray, t: float, seed: int) -> np.ndarray:
    """``y`` whose OLS slope on ``x`` has exactly the t-statistic ``t`` (residuals orthogonal to 1 and x)."""
    rng = np.random.default_rng(seed)
    basis = np.column_stack([np.ones_like(x), x - x.mean()])
    e = rng.normal(size=x.size)
    e -= basis @ np.linalg.lstsq(basis, e, rcond=None)[0]
    n, sxx = x.size, float(np.sum((x - x.mean()) ** 2))
    se = np.sqrt(float(e @ e) / (n - 2) / sxx)
    return 3.0 + t * se * (x - x.mean()) + e


@pytest.mark.parametrize("n", [3, 4, 6, 9])
@pytest.mark.parametrize("side", [-1.0, 1.0])
def test_the_slope_test_turns_at_students_critical_value_on_both_sides(n: int, side: float) -> None:
    x = np.log(np.geomspace(1e18, 1e21, n))
    critical = stats.t.ppf(1 - TREND_ALPHA / 2, n - 2)
    for seed in range(3):
        just_below = at_t(x, side * critical * (1 - 1e-6), seed)
        just_above = at_t(x, side * critical * (1 + 1e-6), seed)
        if n >= 5:  # the quadratic may claim a turn first; the reference says when
            assert trend_verdict(x, just_below, lower_is_better=True) == reference(x, just_below, True)
            assert trend_verdict(x, just_above, lower_is_better=True) == reference(x, just_above, True)
            continue
        assert trend_verdict(x, just_below, lower_is_better=True) == "flat"
        falling = side < 0
        assert trend_verdict(x, just_above, lower_is_better=True) == ("improving" if falling else "worsening")
        assert trend_verdict(x, just_above, lower_is_better=False) == ("worsening" if falling else "improving")


def test_verdicts_match_the_reference_on_random_ladders() -> None:
    rng = np.random.default_rng(0)
    seen: set[str | None] = set()
    for _ in range(400):
        n = int(rng.integers(3, 12))
        x = np.log(np.geomspace(1e18, 10 ** rng.uniform(19, 23), n))
        u = (x - x.mean()) / np.ptp(x)
        y = rng.normal(0, 1) * u + rng.normal(0, 1) * 4 * u**2 + rng.normal(0, 10 ** rng.uniform(-2, 0), n)
        sense = bool(rng.integers(2))
        got, want = trend_verdict(x, y, lower_is_better=sense), reference(x, y, sense)
        assert got == want, (x, y, sense)
        seen.add(got)
    assert seen == {"flat", "improving", "worsening", "non-monotone"}


def test_a_u_turn_is_non_monotone_only_with_five_distinct_computes_and_a_central_vertex() -> None:
    x5 = np.log(np.geomspace(1e18, 1e22, 5))
    u = np.linspace(-1.0, 1.0, 5)
    bowl = 2.0 + u**2 + np.array([0.01, -0.02, 0.015, -0.01, 0.005])
    assert trend_verdict(x5, bowl, lower_is_better=True) == "non-monotone"
    assert trend_verdict(x5[:4], bowl[:4], lower_is_better=True) != "non-monotone"
    doubled = np.repeat(x5[:4], 2)  # 8 runs on 4 computes: still no turn is judged
    assert trend_verdict(doubled, np.repeat(bowl[:4], 2) + 0.01 * np.tile([1, -1], 4), lower_is_better=True) != (
        "non-monotone"
    )
    wobble = np.array([0.01, -0.02, 0.015, -0.01, 0.005])
    edge = 2.0 + (u + 0.75) ** 2 + wobble  # vertex at -0.75 of [-1, 1]: outside the middle 60%
    assert trend_verdict(x5, edge, lower_is_better=True) == reference(x5, edge, True) != "non-monotone"


def test_fewer_than_three_distinct_computes_are_not_judged() -> None:
    x = np.log(np.array([1e18, 1e18, 1e19, 1e19]))
    assert trend_verdict(x, np.array([3.0, 3.1, 2.5, 2.6]), lower_is_better=True) is None
    three = np.log(np.array([1e18, 1e18, 1e19, 1e20]))
    assert trend_verdict(three, np.array([3.0, 3.02, 2.5, 2.0]), lower_is_better=True) == "improving"


def test_an_exact_line_has_the_sense_of_its_slope_and_a_constant_is_flat() -> None:
    x = np.log(np.geomspace(1e18, 1e21, 4))
    assert trend_verdict(x, 5.0 - 0.1 * x, lower_is_better=True) == "improving"
    assert trend_verdict(x, 5.0 - 0.1 * x, lower_is_better=False) == "worsening"
    assert trend_verdict(x, 5.0 + 0.1 * x, lower_is_better=False) == "improving"
    assert trend_verdict(x, np.full(4, 0.25), lower_is_better=False) == "flat"


@pytest.mark.parametrize(("trend", "verb"), [("worsening", "gets worse"), ("non-monotone", "does not move one way")])
def test_worsening_and_turning_trends_are_warned_and_the_others_are_not(trend: str, verb: str) -> None:
    (warning,) = trend_warning(trend, "accuracy")
    assert warning == (
        f"accuracy {verb} with compute across these runs (trend: {trend}): scaling may reverse, as it did for "
        "hindsight neglect in the GPT-4 report, and the extrapolation is not a forecast of the large model"
    )
    for quiet in ("improving", "flat", None):
        assert trend_warning(quiet, "accuracy") == ()


def test_exact_lines_and_parabolas_are_judged_without_noise() -> None:
    """No residual at all: a line has the sense of its slope (either sign, any size), a parabola turning
    inside the range is non-monotone, a constant is flat."""
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    assert trend_verdict(x, 3.0 - 0.5 * x, lower_is_better=True) == "improving"
    assert trend_verdict(x, 3.0 + 0.5 * x, lower_is_better=True) == "worsening"
    assert trend_verdict(x, 3.0 + 0.5 * x, lower_is_better=False) == "improving"
    assert trend_verdict(x, 3.0 - 2.0 * x, lower_is_better=False) == "worsening"
    assert trend_verdict(x, 1.0 + x**2, lower_is_better=True) == "non-monotone"
    assert trend_verdict(x, np.full(5, 0.5), lower_is_better=True) == "flat"
    assert trend_verdict(x[:4], np.array([3.0, 2.0, 1.0, 0.0]), lower_is_better=True) == "improving"


def test_a_large_constant_is_flat_whatever_its_rounding() -> None:
    """A constant of a million leaves a quadratic of about 1e-11 from rounding alone: it is not a turn."""
    x = np.log(np.geomspace(1e18, 1e22, 7))
    for value in (1e6, 123456.789, 3.3e7):
        assert trend_verdict(x, np.full(7, value), lower_is_better=True) == "flat"

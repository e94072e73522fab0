"""Misspecification: the ladder's rolling forecasts, tested against its own noise, flag a bent ladder and widen its PI."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import ndtri

from scaling_forecast.engine.drift import DRIFT_LEVEL, rolling_drift, trend
from scaling_forecast.engine.forecasting import forecast
from scaling_forecast.engine.models import load_fit
from scaling_forecast.laws import get_law
from scaling_forecast.settings import FitSettings, Target
from scaling_forecast.tasks.ladder import fit_law

from ..conftest import saturating_ladder


def bent_ladder(seed: int, noise: float = 0.002) -> tuple[np.ndarray, np.ndarray]:
    """10 runs over 4 decades whose smallest runs carry a warm-up excess: up to 10% more loss, fading as C^-0.5."""
    compute = np.geomspace(1e17, 1e21, 10)
    loss = (777.0 * compute**-0.155 + 1.8) * (1.0 + 0.1 * (compute / compute[0]) ** -0.5)
    return compute, loss * np.exp(np.random.default_rng(seed).normal(0.0, noise, compute.size))


def test_the_statistic_is_half_normal_when_errors_are_pure_noise() -> None:
    """Independent errors with variance u s^2: T = |sum w e| / (s sqrt(sum w^2 u)) is |N(0, 1)| exactly."""
    rng = np.random.default_rng(0)
    distance = np.array([0.5, 1.0, 1.5, 0.5, 1.0, 0.5])
    inflation = np.array([4.0, 9.0, 16.0, 2.0, 3.0, 1.5])
    sigma = 0.01
    errors = rng.normal(0.0, 1.0, (20000, distance.size)) * sigma * np.sqrt(inflation)
    statistic, _ = trend(errors, np.broadcast_to(inflation, errors.shape), distance, np.full(20000, sigma))
    assert np.quantile(statistic, 0.9) == pytest.approx(float(ndtri(0.95)), rel=0.03)
    assert np.quantile(statistic, 0.5) == pytest.approx(float(ndtri(0.75)), rel=0.03)


def test_the_excess_is_the_weighted_slope_of_the_errors_on_distance() -> None:
    distance = np.array([1.0, 2.0, 3.0])
    inflation = np.array([1.0, 2.0, 4.0])
    errors = -0.02 * distance[None, :]  # every forecast 2% low per decade
    _, excess = trend(errors, inflation[None, :], distance, np.array([0.01]))
    assert excess[0] == pytest.approx(0.02, rel=1e-12)


def test_false_alarms_on_straight_ladders_are_near_the_level() -> None:
    """The p-value comes from the ladder's own law: on ladders that follow it, it falls below 5% about 5% of the time.
    Two-sided: more than 7 of 60 alarms is a check that cries wolf, none a check that never fires (these seeds: 1)."""
    law = get_law("loss")
    alarms = [rolling_drift(law, *saturating_ladder(n=9, noise=0.005, seed=seed)).warned for seed in range(60)]
    assert 1 <= sum(alarms) <= 7


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_warning_fires_on_a_bent_ladder_and_not_on_a_straight_one(seed: int) -> None:
    bent = fit_law(*bent_ladder(seed), FitSettings(n_boot=200), (Target(1000.0, True),))
    assert bent.fit.drift is not None and bent.fit.drift.warned and bent.fit.drift.p_value is not None
    assert bent.fit.drift.p_value < DRIFT_LEVEL
    assert any("rolling forecasts drift" in w for w in bent.fit.warnings)
    compute, loss = saturating_ladder(n=10, noise=0.002, seed=seed)
    straight = fit_law(compute, loss, FitSettings(n_boot=200), (Target(1000.0, True),))
    assert straight.fit.drift is not None and not straight.fit.drift.warned
    assert not any("drift" in w for w in straight.fit.warnings)


def test_widening_adds_the_drift_per_decade_in_quadrature_and_warn_shows_the_unwidened_pi() -> None:
    compute, loss = bent_ladder(0)
    targets = (Target(1000.0, True), Target(compute[-1] / 10))  # 3 decades beyond, and inside the runs
    widened = fit_law(compute, loss, FitSettings(n_boot=200), targets)
    warned = fit_law(compute, loss, FitSettings(n_boot=200, misspecification="warn"), targets)
    drift = widened.fit.drift
    assert drift is not None and drift.warned and drift.excess is not None
    assert "--misspecification widen widens them" in " ".join(warned.fit.warnings)
    far, inside = widened.predictions
    plain = warned.predictions[0]
    assert far.estimate == plain.estimate and far.ci == plain.ci
    extra = float(ndtri(0.95)) * drift.excess * 3.0
    centre = math.log(far.estimate)
    for bound, unwidened in zip(far.pi, plain.pi, strict=True):
        assert abs(math.log(bound) - centre) == pytest.approx(math.hypot(math.log(unwidened) - centre, extra), rel=1e-9)
    assert inside.pi == warned.predictions[1].pi  # no extrapolation, no widening
    reloaded = forecast(load_fit(widened.to_saved_dict(), "fit.json"), targets, 0.9)
    assert reloaded.predictions[0].pi == pytest.approx(far.pi)


def test_too_few_runs_say_so_instead_of_testing() -> None:
    compute, loss = saturating_ladder(n=5, noise=0.01, seed=2)
    drift = rolling_drift(get_law("loss"), compute, loss)
    assert drift.too_few and not drift.warned and drift.p_value is None
    result = fit_law(compute, loss, FitSettings(law="loss", method="delta"))
    assert any("too few for the ladder to test the loss law" in w for w in result.fit.warnings)
    assert rolling_drift(get_law("power"), compute, loss).too_few is False  # 2 parameters: 5 runs are enough


def test_auto_checks_the_nesting_loss_law() -> None:
    compute, loss = saturating_ladder(n=9, noise=0.005, seed=3)
    result = fit_law(compute, loss, FitSettings(n_boot=200))
    assert result.fit.drift is not None and result.fit.drift.law == "loss"
    assert fit_law(compute, loss, FitSettings(law="power", method="delta")).fit.drift.law == "power"  # type: ignore[union-attr]


def test_a_ladder_beyond_every_null_replicate_has_the_smallest_monte_carlo_p_value() -> None:
    """``p = (1 + #{T* >= T}) / (1 + R)``: never 0; a strongly bent ladder beats all R null ladders, so p is 1 / (R + 1)."""
    from scaling_forecast.engine.drift import NULL_REPLICATES

    compute, loss = bent_ladder(0, noise=0.0005)
    drift = rolling_drift(get_law("loss"), compute, loss)
    assert drift.p_value == pytest.approx(1.0 / (1 + NULL_REPLICATES))


@pytest.mark.parametrize("law", ["loss", "power", "broken"])
def test_the_check_does_not_depend_on_the_unit_of_compute(law: str) -> None:
    """A ladder in FLOP, in kFLOP or in 1e5 FLOP is the same ladder: every law's windows are fitted centred on their
    own mean log compute, so the statistic and the p-value do not move (the broken law's break is bounded in
    centred units: uncentred windows moved this p-value from 0.025 to 0.36)."""
    compute, loss = bent_ladder(0)
    reference = rolling_drift(get_law(law), compute, loss)
    for unit in (1e-3, 1e5):
        scaled = rolling_drift(get_law(law), compute * unit, loss)
        assert scaled.p_value == reference.p_value and scaled.warned == reference.warned
        assert scaled.statistic == pytest.approx(reference.statistic, rel=1e-6)


def test_the_broken_law_warns_on_a_bent_ladder() -> None:
    drift = rolling_drift(get_law("broken"), *bent_ladder(0))
    assert drift.warned and drift.p_value is not None and drift.p_value < DRIFT_LEVEL


def windows_by_hand(compute: np.ndarray, p: int) -> list[int]:
    """Window sizes from the definition: ``p + 1`` to ``n - 1`` runs, ``p + 1`` distinct, below the next run;
    of more than 10, 10 evenly spaced (the first and the last among them)."""
    sizes = [
        k for k in range(p + 1, compute.size) if compute[k - 1] < compute[k] and len(set(compute[:k].tolist())) >= p + 1
    ]
    if len(sizes) > 10:
        sizes = [sizes[i] for i in sorted({round(j * (len(sizes) - 1) / 9) for j in range(10)})]
    return sizes


def power_drift_by_hand(compute: np.ndarray, y: np.ndarray, huber: float | None = None) -> dict[str, float]:
    """The power law's observed drift statistic, excess, worst miss and its reach, from numpy's least-squares lines
    (or scipy's Huber fits) of each window: an independent rebuild of the check's observed side."""
    from scipy.optimize import least_squares

    def line(x: np.ndarray, v: np.ndarray) -> np.ndarray:
        if huber is None:
            slope, intercept = np.polyfit(x, v, 1)
            return np.array([intercept, slope])
        start = np.polyfit(x, v, 1)[::-1]
        return least_squares(lambda t: v - t[0] - t[1] * x, start, loss="huber", f_scale=huber, xtol=1e-15).x

    log_c, log_y = np.log(compute), np.log(y)
    errors, inflation, distance = [], [], []
    for k in windows_by_hand(compute, 2):
        x = log_c[:k]
        t = line(x, log_y[:k])
        inverse = np.linalg.inv(np.column_stack([np.ones(k), x]).T @ np.column_stack([np.ones(k), x]))
        for j in range(k, compute.size):
            g = np.array([1.0, log_c[j]])
            errors.append(log_y[j] - t[0] - t[1] * log_c[j])
            inflation.append(1.0 + g @ inverse @ g)
            distance.append(np.log10(compute[j] / compute[k - 1]))
    e, u, d = np.array(errors), np.array(inflation), np.array(distance)
    t = line(log_c, log_y)
    s = math.sqrt(float(np.sum((log_y - t[0] - t[1] * log_c) ** 2)) / (compute.size - 2))
    w = d / u
    worst = int(np.argmax(np.abs(e)))
    return {
        "n_forecasts": e.size,
        "statistic": abs(float(w @ e)) / (s * math.sqrt(float(np.sum(w**2 * u)))),
        "excess": abs(float(w @ e)) / float(w @ d),
        "worst_error": math.expm1(abs(e[worst])),
        "worst_factor": 10 ** d[worst],
    }


@pytest.mark.parametrize("huber", [None, 1e-3])
@pytest.mark.parametrize("n", [7, 16])
def test_the_observed_drift_is_the_power_laws_rolling_lines_rebuilt_by_hand(n: int, huber: float | None) -> None:
    from scaling_forecast.engine.fitting import LEAST_SQUARES, Objective

    compute, loss = bent_ladder(1)
    compute = np.geomspace(1e17, 1e21, n)
    loss = (3.0 * compute**-0.03) * (1.0 + 0.05 * (compute / compute[0]) ** -0.3)
    loss = loss * np.exp(np.random.default_rng(n).normal(0.0, 0.003, n))
    objective = LEAST_SQUARES if huber is None else Objective("huber", huber)
    drift = rolling_drift(get_law("power"), compute[::-1], loss[::-1], objective=objective)  # sorted inside
    expected = power_drift_by_hand(compute, loss, huber)
    assert drift.n_forecasts == expected["n_forecasts"]
    for name in ("statistic", "excess", "worst_error", "worst_factor"):
        assert getattr(drift, name) == pytest.approx(expected[name], rel=1e-4), name


def test_the_window_sizes_follow_their_definition_with_ties_and_at_most_ten() -> None:
    from scaling_forecast.engine.drift import windows

    rng = np.random.default_rng(4)
    for _ in range(40):
        compute = np.sort(rng.choice(np.geomspace(1e17, 1e22, 12), size=int(rng.integers(3, 30))))
        for p in (2, 3, 4):
            assert windows(np.log(compute), p) == windows_by_hand(compute, p), (compute, p)


def test_rolling_forecasts_fit_each_row_on_its_own() -> None:
    """Two ladders in one call: each row's forecasts are its own least-squares lines'; one row alone gives the same."""
    from scaling_forecast.engine.drift import rolling_forecasts

    compute = np.geomspace(1e17, 1e21, 6)
    rows = np.log(np.vstack([3.0 * compute**-0.03, 5.0 * compute**-0.05 * (1 + 0.02 * np.sin(np.arange(6)))]))
    errors, inflation, distance = rolling_forecasts(get_law("power"), np.log(compute), rows, {})
    for row in range(2):
        alone, _, _ = rolling_forecasts(get_law("power"), np.log(compute), rows[row : row + 1], {})
        assert errors[row] == pytest.approx(alone[0], abs=1e-9)
    by_hand = []
    for k in (3, 4, 5):
        slope, intercept = np.polyfit(np.log(compute[:k]), rows[1, :k], 1)
        by_hand += list(rows[1, k:] - intercept - slope * np.log(compute[k:]))
    assert errors[1] == pytest.approx(by_hand, abs=1e-9)
    assert errors[0] == pytest.approx(np.zeros(6), abs=1e-9) and inflation.shape == (2, 6)
    assert distance == pytest.approx(np.log10(compute[[3, 4, 5, 4, 5, 5]] / compute[[2, 2, 2, 3, 3, 4]]))
    none = rolling_forecasts(get_law("power"), np.log(compute[:3]), rows[:, :3], {})
    assert [a.shape for a in none] == [(2, 0), (2, 0), (0,)]


def test_the_trend_of_each_row_is_its_own() -> None:
    distance = np.array([1.0, 2.0])
    errors = np.array([[0.01, 0.02], [-0.03, -0.06]])
    statistic, excess = trend(errors, np.ones((2, 2)), distance, np.array([0.01, 0.02]))
    assert excess == pytest.approx([0.01, 0.03])
    assert statistic == pytest.approx([0.05 / (0.01 * math.sqrt(5.0)), 0.15 / (0.02 * math.sqrt(5.0))])


def test_too_few_forecasts_still_count_them() -> None:
    compute = np.geomspace(1e17, 1e21, 5)
    drift = rolling_drift(get_law("loss"), compute, 2.0 + compute**-0.1)
    assert drift.too_few and drift.n_forecasts == 1  # one window of 4 runs, forecasting the fifth


def test_widening_a_pass_rate_forecast_widens_its_pass_rate_by_the_same_bounds() -> None:
    """The pass-rate law on a bent ladder of ``-E[log pass_rate]``: the widened pi of ``Q`` maps to the pass-rate
    pi ``(exp(-Q_high), exp(-Q_low))``, wider than the unwidened one."""
    compute, loss = bent_ladder(0)
    q = loss / 2.0
    target = (Target(1000.0, True),)
    widened = fit_law(compute, q, FitSettings(law="passrate", n_boot=200), target, y_column="-E[log pass_rate]")
    warned = fit_law(compute, q, FitSettings(law="passrate", n_boot=200, misspecification="warn"), target, y_column="q")
    assert widened.fit.drift is not None and widened.fit.drift.warned
    (p,), (plain,) = widened.predictions, warned.predictions
    assert p.pass_rate is not None and plain.pass_rate is not None
    assert p.pass_rate.pi == pytest.approx((math.exp(-p.pi[1]), math.exp(-p.pi[0])), rel=1e-12)
    assert p.pass_rate.pi[0] < plain.pass_rate.pi[0] and p.pass_rate.pi[1] > plain.pass_rate.pi[1]
    assert p.pass_rate.estimate == plain.pass_rate.estimate and p.pass_rate.ci == plain.pass_rate.ci


def test_widening_an_interval_of_every_loss_leaves_it_so_and_a_zero_end_at_zero() -> None:
    """A pi of ``(0, inf)`` (a runaway law whose interval holds every loss) has nothing to widen; an end at 0 stays
    at 0 (log 0 is -inf, not an error), and the other end widens in quadrature."""
    from scaling_forecast.engine.forecasting import _widened
    from scaling_forecast.results import Prediction

    every = Prediction(1e22, 1000.0, 2.6e-27, (0.0, math.inf), (0.0, math.inf))
    assert _widened(every, 0.2).pi == (0.0, math.inf)
    half = _widened(Prediction(1e22, 1000.0, 2.0, (1.0, 3.0), (0.0, 4.0)), 0.2)
    assert half.pi[0] == 0.0
    assert math.log(half.pi[1] / 2.0) == pytest.approx(math.hypot(math.log(2.0), 0.2 * 3.0), rel=1e-12)


def test_a_ladder_whose_broken_law_runs_off_to_its_bound_is_forecast_without_an_error() -> None:
    """Nine real runs (Gadre et al.'s C4 frontier below 3e18 with three runs a plan drew) where the broken law wins
    the hold-out with an exponent that runs off to its bound and the drift check widens: the forecast is made, its
    interval holds every loss, and the warnings say the law's parameters are not identified."""
    compute = np.array([3.35131e15, 1.34052e16, 5.3621e16, 2.14484e17, 7.08502e17, 1.417e18, 1.07242e17, 1.07242e17])
    compute = np.append(compute, 7.47291e17)
    loss = np.array([5.97492, 5.22068, 4.77306, 4.5064, 3.97004, 3.64233, 4.85114, 4.70978, 3.9745])
    result = fit_law(compute, loss, FitSettings(), (Target(5.69568e21),))
    assert result.law == "broken" and result.fit.drift is not None and result.fit.drift.warned
    (p,) = result.predictions
    assert p.pi[0] == 0.0 and p.pi[1] == math.inf
    assert any("is not identified" in w for w in result.fit.warnings)

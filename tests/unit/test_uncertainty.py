from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from scaling_forecast.engine.uncertainty import (
    Uncertainty,
    adjusted_residuals,
    probability_below,
    student_t_quantile,
    studentised_draws,
    studentised_interval,
)
from scaling_forecast.settings import FitSettings, parse_target
from scaling_forecast.tasks.ladder import fit_law

from ..conftest import saturating_ladder


def _power_runs(seed: int = 0, n: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    compute = np.geomspace(1e18, 1e22, n)
    return compute, 30.0 * compute**-0.07 * np.exp(rng.normal(0, 0.01, n))


def test_student_t_quantile_matches_scipy_stats() -> None:
    for dof in (1, 2, 5, 30):
        assert_allclose(student_t_quantile(0.95, dof), stats.t.ppf(0.95, dof), rtol=1e-10)


def test_delta_method_is_exact_regression_inference_for_the_power_law() -> None:
    """For log L = log a + b log C the delta method is textbook OLS: check it against statsmodels' formulas."""
    compute, loss = _power_runs()
    result = fit_law(compute, loss, FitSettings(law="power", method="delta"), (parse_target(1e24),))
    x, y = np.log(compute), np.log(loss)
    regression = stats.linregress(x, y)
    n = x.size
    residual_sd = np.sqrt(np.sum((y - regression.intercept - regression.slope * x) ** 2) / (n - 2))
    t = stats.t.ppf(0.95, n - 2)
    b = result.param("b")
    assert_allclose(b.estimate, regression.slope, rtol=1e-9)
    assert_allclose(b.stderr, regression.stderr, rtol=1e-9)
    assert_allclose(
        b.ci, [regression.slope - t * regression.stderr, regression.slope + t * regression.stderr], rtol=1e-9
    )
    x0 = np.log(1e24)
    mean_se = residual_sd * np.sqrt(1 / n + (x0 - x.mean()) ** 2 / np.sum((x - x.mean()) ** 2))
    new_se = residual_sd * np.sqrt(1 + 1 / n + (x0 - x.mean()) ** 2 / np.sum((x - x.mean()) ** 2))
    centre = regression.intercept + regression.slope * x0
    prediction = result.predictions[0]
    assert_allclose(np.log(prediction.estimate), centre, rtol=1e-9)
    assert_allclose(np.log(prediction.ci), [centre - t * mean_se, centre + t * mean_se], rtol=1e-9)
    assert_allclose(np.log(prediction.pi), [centre - t * new_se, centre + t * new_se], rtol=1e-9)


def test_adjusted_residuals_restore_the_noise_scale() -> None:
    from scaling_forecast.laws import PowerLaw

    law = PowerLaw()
    log_x = np.linspace(-3, 3, 6)
    residuals = np.array([0.01, -0.02, 0.015, -0.005, 0.0, 0.0])
    hat_theta = np.array([0.0, -0.1])
    adjusted = adjusted_residuals(law, hat_theta, log_x, residuals)
    design = np.column_stack([np.ones(6), log_x])
    leverage = np.diag(design @ np.linalg.inv(design.T @ design) @ design.T)
    expected = residuals / np.sqrt(1 - leverage)
    assert_allclose(adjusted, expected - expected.mean(), rtol=1e-9)


def test_bootstrap_intervals_contain_the_estimate_and_are_at_least_the_t_interval() -> None:
    compute, loss = saturating_ladder(n=8, seed=4)
    targets = (parse_target("10x"), parse_target("1000x"))
    boot = fit_law(compute, loss, FitSettings(law="loss", n_boot=500), targets)
    delta = fit_law(compute, loss, FitSettings(law="loss", method="delta"), targets)
    for b, d in zip(boot.predictions, delta.predictions, strict=True):
        assert b.ci[0] <= b.estimate <= b.ci[1] and b.pi[0] <= b.estimate <= b.pi[1]
        assert b.ci[0] <= d.ci[0] * (1 + 1e-12) and b.ci[1] >= d.ci[1] * (1 - 1e-12)
        assert b.pi[1] - b.pi[0] >= b.ci[1] - b.ci[0]


def test_state_round_trips_through_json() -> None:
    import json

    compute, loss = saturating_ladder(n=6, seed=1)
    result = fit_law(compute, loss, FitSettings(law="loss", n_boot=200), (parse_target(1e23),))
    state = json.loads(json.dumps(result.model.uncertainty.to_dict()))
    restored = Uncertainty.from_dict(state)
    assert_allclose(restored.boot_covariance, result.model.uncertainty.boot_covariance, rtol=0, atol=0)
    assert_allclose(restored.boot_theta, result.model.uncertainty.boot_theta, rtol=0, atol=0)
    original = result.model.uncertainty
    assert (restored.method, restored.percentile) == (original.method, original.percentile) == ("bootstrap", False)
    # a replicate that could not be fitted (NaN) is written as JSON's null, and read back as NaN
    from dataclasses import replace

    failed = replace(original, boot_theta=np.vstack([original.boot_theta[:2], np.full((1, 3), np.nan)]))
    text = json.dumps(failed.to_dict(), allow_nan=False)
    assert "null" in text
    back = Uncertainty.from_dict(json.loads(text)).boot_theta
    assert np.isnan(back[2]).all() and np.array_equal(back[:2], original.boot_theta[:2])


@pytest.mark.parametrize("method", ["bootstrap", "delta"])
def test_coverage_of_the_law_in_a_small_simulation(method: str) -> None:
    """A seeded miniature of benchmarks/coverage.py: 90% intervals at 100x should cover about 90%."""
    truth = 777.0 * 1e23**-0.155 + 1.8
    covered = 0
    trials = 60
    for seed in range(trials):
        compute, loss = saturating_ladder(n=7, noise=0.01, seed=100 + seed, decades=3.0)
        result = fit_law(
            compute, loss, FitSettings(law="loss", method=method, n_boot=300, seed=seed), (parse_target(1e23),)
        )
        low, high = result.predictions[0].ci
        covered += low <= truth <= high
    assert 0.78 <= covered / trials <= 0.97  # too narrow or too wide (60 of 60, or 59) both fail


def test_probability_below_agrees_with_the_interval() -> None:
    """The interval at level 0.9 excludes 0 from above exactly when P(q < 0) exceeds 0.95."""
    rng = np.random.default_rng(11)
    for _ in range(300):
        estimate, stderr, dof = rng.normal(0, 1), rng.uniform(0.3, 2.0), int(rng.integers(1, 10))
        boot = estimate + stderr * rng.standard_t(4, 2000) * rng.uniform(0.5, 1.5)
        boot_se = stderr * rng.uniform(0.7, 1.3, 2000)
        low, high = studentised_interval(
            np.array([estimate]),
            np.array([stderr]),
            np.full((2000, 1), estimate),
            boot[:, None],
            boot_se[:, None],
            dof,
            0.9,
        )[0]
        p = probability_below(estimate, stderr, boot, boot_se, dof)
        if high < -1e-3 * stderr:
            assert p >= 0.95 - 1e-3
        if low > 1e-3 * stderr:
            assert p <= 0.05 + 1e-3
        if p > 0.95 + 1e-3:
            assert high < 0
        if p < 0.05 - 1e-3:
            assert low > 0


def test_coverage_benchmark_runs_at_a_small_size() -> None:
    """The full simulation is benchmarks/coverage.py; here a few ladders of two cells, as a smoke test of its code."""
    import importlib.util
    import sys

    from ..conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("coverage_benchmark", ROOT / "benchmarks" / "coverage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for truth in ("floor-not-in-view", "warm-up"):
        data = module.run_chunk((truth, 6, 2.0, 0.01, 0, 0, 4, "auto", 200, 0.9))
        assert data["ci"].shape == (4, 3) and data["warned"].shape == (4,)
        lines = module.cell_lines(truth, 6, 2.0, 0.01, data, 0.9)
        assert len(lines) == 3 and all(line.count("|") == len(module.HEADER) + 1 for line in lines)
    best = module.best_half_widths(
        "loss", (777.0, -0.155, 1.8), np.geomspace(1e17, 1e20, 6), np.array([1e21]), 0.01, 0.9
    )
    assert best.shape == (2, 1) and best[1, 0] > best[0, 0] > 0
    # the power law's oracle is the loss law's at c = 0 with one parameter fewer: never wider
    compute, target = np.geomspace(1e17, 1e20, 6), np.array([1e23])
    power = module.best_half_widths("power", (777.0, -0.155), compute, target, 0.01, 0.9)
    nested = module.best_half_widths("loss", (777.0, -0.155, 0.0), compute, target, 0.01, 0.9)
    assert power[0, 0] < nested[0, 0]


def _right_skewed(size: int = 4000) -> np.ndarray:
    """Replicates ``q* = q + e`` with ``e`` exponential (scale 3): a long right tail, and a known distribution."""
    return np.random.default_rng(7).exponential(3.0, size)


def test_the_bootstrap_t_interval_leans_against_the_replicates_skew() -> None:
    """Textbook bootstrap-t (Efron & Tibshirani, ch. 12): ``[q - se t*_(1-a/2), q - se t*_(a/2)]`` with
    ``t* = (q* - q) / se*``. Replicates that overshoot to the right say the estimate overshoots, so the
    interval reaches far to the left: with ``q = 0``, ``se = se* = 1`` its lower end is ``-Q_e(0.95)``
    (the exponential's 95% quantile, ``3 ln 20``), and its upper end is the Student-t floor."""
    e = _right_skewed()
    low, high = studentised_interval(
        np.array([0.0]), np.array([1.0]), np.zeros((e.size, 1)), e[:, None], np.ones((e.size, 1)), 200, 0.9
    )[0]
    assert low == pytest.approx(-3.0 * np.log(20.0), rel=0.05)  # the closed form, to Monte Carlo error
    assert high == pytest.approx(stats.t.ppf(0.95, 200), rel=1e-9)  # the right side is only the t floor
    assert -low > 4 * high


def test_probabilities_use_reflected_draws() -> None:
    """``studentised_draws`` are ``q + se (q - q*) / se*``: for right-skewed replicates around ``q = 0``,
    ``P(true < -1)`` is ``P(e > 1) = exp(-1/3)``, closer to 1/2 than Student-t's ``F_t(-1)``, so it is kept."""
    e = _right_skewed()
    p = probability_below(0.0, 1.0, e, np.ones(e.size), 200, threshold=-1.0)
    assert float(p) == pytest.approx(np.exp(-1.0 / 3.0), abs=0.02)
    draws = studentised_draws(0.0, 1.0, e, np.ones(e.size), 200)
    assert np.median(draws) == pytest.approx(-3.0 * np.log(2.0), rel=0.05)  # the reflected median


def test_the_percentile_interval_of_a_case_bootstrap_leans_with_the_skew() -> None:
    """A case bootstrap's percentile interval (Chinchilla's) is the replicates' own quantiles: right-skewed
    replicates give an interval that reaches far to the right, ``[Q_e(0.05), Q_e(0.95)]`` of the exponential."""
    e = _right_skewed()
    state = Uncertainty(
        "bootstrap",
        np.zeros(2),
        np.eye(2),
        0.01,
        5,
        boot_theta=np.zeros((e.size, 2)),
        boot_covariance=np.tile(np.eye(2), (e.size, 1, 1)),
        boot_sigma=np.full(e.size, 0.01),
        boot_noise=np.zeros(e.size),
        percentile=True,
    )
    stderr, bounds = state.quantity_intervals(
        np.array([0.0]), np.zeros((1, 2)), e[:, None], np.zeros((e.size, 1, 2)), 0.9
    )
    low, high = bounds[0]
    assert low == pytest.approx(0.0, abs=0.05)  # the estimate: the 5% quantile 3 ln(1/0.95) = 0.15 lies above it
    assert high == pytest.approx(3.0 * np.log(20.0), rel=0.05)
    assert stderr[0] == pytest.approx(3.0, rel=0.05)  # the exponential's standard deviation


def test_the_bootstrap_pi_of_a_straight_line_is_close_to_the_textbook_one() -> None:
    """40 runs of a power law (a straight line in logs, Gaussian noise): the studentised bootstrap's pi for a new
    run at 10x is the textbook OLS prediction interval to within Monte Carlo error (its own noise in ``se*``
    included: without it the pivot's spread, and the pi, would be several times too wide)."""
    compute, loss = _power_runs(seed=3, n=40)
    target = compute[-1] * 10.0
    result = fit_law(compute, loss, FitSettings(law="power", n_boot=2000), (parse_target(target),))
    x, y = np.log(compute), np.log(loss)
    regression = stats.linregress(x, y)
    n = x.size
    residual_sd = np.sqrt(np.sum((y - regression.intercept - regression.slope * x) ** 2) / (n - 2))
    x0 = np.log(target)
    new_se = residual_sd * np.sqrt(1 + 1 / n + (x0 - x.mean()) ** 2 / np.sum((x - x.mean()) ** 2))
    half_width = stats.t.ppf(0.95, n - 2) * new_se
    low, high = np.log(result.predictions[0].pi)
    assert (high - low) / 2 == pytest.approx(half_width, rel=0.15)


def test_the_case_bootstrap_standard_error_divides_by_b_minus_one() -> None:
    """Efron & Tibshirani (1993), eq. 6.6: ``se_B = sqrt(sum (q*_b - mean q*)^2 / (B - 1))``. Four replicates
    1, 2, 3, 4 give ``sqrt(5 / 3)`` (with ``B`` in the denominator it would be ``sqrt(5 / 4)``)."""
    draws = np.array([1.0, 2.0, 3.0, 4.0])
    state = Uncertainty(
        "bootstrap",
        np.zeros(2),
        np.eye(2),
        0.01,
        5,
        boot_theta=np.zeros((4, 2)),
        boot_covariance=np.tile(np.eye(2), (4, 1, 1)),
        boot_sigma=np.full(4, 0.01),
        boot_noise=np.zeros(4),
        percentile=True,
    )
    stderr, _ = state.quantity_intervals(np.array([2.5]), np.zeros((1, 2)), draws[:, None], np.zeros((4, 1, 2)), 0.9)
    assert stderr[0] == pytest.approx(np.sqrt(5.0 / 3.0), rel=1e-12)


def test_every_random_stream_is_its_own() -> None:
    """The keys of the stream table are distinct, apart from a comparison's sweep indices, and their draws differ:
    no two parts of a procedure share draws."""
    from scaling_forecast.engine.streams import Stream, stream

    keys = [int(s) for s in Stream]
    assert len(set(keys)) == len(keys) and min(keys) > 2**31  # sweeps use [seed, i] with small i
    first = {s: tuple(stream(0, s).integers(0, 2**31, 4)) for s in Stream}
    assert len(set(first.values())) == len(Stream)
    assert tuple(np.random.default_rng(0).integers(0, 2**31, 4)) not in first.values()  # a fit's own bootstrap


def test_the_residual_bootstrap_draws_adjusted_residuals_around_the_fit() -> None:
    """Replicates are the fitted curve plus residuals from the leverage-adjusted pool, drawn with replacement."""
    from scaling_forecast.engine.uncertainty import adjusted_residuals, residual_bootstrap
    from scaling_forecast.laws import PowerLaw

    law = PowerLaw()
    log_x = np.linspace(-3.0, 3.0, 7)
    log_y = 1.0 - 0.2 * log_x + np.random.default_rng(3).normal(0, 0.01, 7)
    theta = np.polyfit(log_x, log_y, 1)[::-1]
    draws = residual_bootstrap(law, theta, log_x, log_y, np.random.default_rng(1), 500)
    fitted = theta[0] + theta[1] * log_x
    pool = adjusted_residuals(law, theta, log_x, log_y - fitted)
    assert np.allclose(draws.data() - fitted, pool[draws.index], atol=1e-12)
    assert draws.index.shape == (500, 7) and set(np.unique(draws.index)) == set(range(7))
    # OLS leverages h_i = 1/n + (x_i - mean)^2 / Sxx: the pool is r_i / sqrt(1 - h_i), centred
    h = 1 / 7 + (log_x - log_x.mean()) ** 2 / ((log_x - log_x.mean()) ** 2).sum()
    adjusted = (log_y - fitted) / np.sqrt(1 - h)
    assert np.allclose(pool, adjusted - adjusted.mean(), atol=1e-12)


def test_each_stream_is_numpys_generator_of_the_seed_its_key_and_its_sub_streams() -> None:
    from scaling_forecast.engine.streams import Stream, stream

    for key in Stream:
        drawn = stream(7, key, 3).random(4)
        assert drawn.tolist() == np.random.default_rng([7, int(key), 3]).random(4).tolist()
    assert stream(7, Stream.JOIN).random() == np.random.default_rng([7, 2**32 - 5]).random()
    assert stream(7, Stream.JOIN, 1).random() != stream(7, Stream.JOIN, 2).random()
    assert len({int(key) for key in Stream}) == len(Stream) == 5


def test_with_few_degrees_of_freedom_the_draws_and_interval_are_the_basic_bootstraps() -> None:
    """Under 3 degrees of freedom: draws ``2 q - q*`` and the interval ``q + quantiles(c* - q*)``, widened to the
    Student-t interval and to ``q``; at 3 and more, the studentised pivot."""
    from scaling_forecast.engine.uncertainty import studentised_draws, studentised_interval

    rng = np.random.default_rng(0)
    boot = rng.normal(1.0, 0.3, (4001, 1)) ** 3  # skewed replicates
    se_star = np.full((4001, 1), 0.2)
    est, se = np.array([1.0]), np.array([0.01])
    assert np.array_equal(studentised_draws(est, se, boot, se_star, 2), 2.0 * est - boot)
    assert np.allclose(studentised_draws(est, se, boot, se_star, 3), est + se * (est - boot) / se_star)
    interval = studentised_interval(est, se, np.full_like(boot, 1.0), boot, se_star, 2, 0.9)
    low_q, high_q = np.quantile(1.0 - boot[:, 0], [0.05, 0.95])
    assert interval[0] == pytest.approx([min(1.0 + low_q, 1.0), max(1.0 + high_q, 1.0)], rel=1e-9)
    assert np.isnan(studentised_draws(est, se, np.array([[np.inf]]), np.array([[0.2]]), 5)).all()


def test_the_probability_below_counts_ties_as_half_and_uses_the_closer_of_its_two_estimates() -> None:
    from scipy.special import stdtr

    from scaling_forecast.engine.uncertainty import probability_below

    boot = np.array(
        [[1.0, 1.0], [2.0, 3.0], [3.0, 3.0], [4.0, 5.0]]
    )  # draws 2q - q* with q = 2: 3, 2, 1, 0 / 3, 1, 1, -1
    found = probability_below(np.array([2.0, 2.0]), np.array([1e-9, 1e-9]), boot, np.ones_like(boot), 2, threshold=1.0)
    # column 1: draws 3, 2, 1, 0 below 1: one, one tie: (1 + 0.5) / 4; column 2: 3, 1, 1, -1: (1 + 1) / 4
    assert found.tolist() == [1.5 / 4, 2.0 / 4]
    wide = probability_below(np.array([2.0]), np.array([10.0]), boot[:, :1], np.ones((4, 1)), 2, threshold=1.0)
    assert wide[0] == pytest.approx(float(stdtr(2, -0.1)))  # the Student-t probability is the closer to 1/2
    exact = probability_below(
        np.array([0.5, 2.0, 1.0]), np.array([0.0, 0.0, 0.0]), np.full((4, 3), np.nan), np.ones((4, 3)), 5, 1.0
    )
    assert exact.tolist() == [1.0, 0.0, 0.0]  # no spread and no draws: certainly below, or not (at it: not below)
    # one finite draw, at the threshold: its share, 1/2, is closer to 1/2 than the Student-t probability
    one = probability_below(np.array([2.0]), np.array([1.0]), np.array([[3.0], [np.nan]]), np.ones((2, 1)), 2, 1.0)
    assert one.tolist() == [0.5]
    # equally far from 1/2 (the draws all above, certainly below by Student-t): the Student-t probability is kept
    tie = probability_below(np.array([0.5]), np.array([0.0]), np.array([[-1.0], [-2.0]]), np.ones((2, 1)), 2, 1.0)
    assert tie.tolist() == [1.0]


def test_nan_quantiles_leave_out_failed_replicates_column_by_column() -> None:
    from scaling_forecast.engine.uncertainty import nan_quantiles

    rng = np.random.default_rng(1)
    draws = rng.normal(size=(1001, 3))
    low, high = nan_quantiles(draws, 0.05)
    assert np.allclose(low, np.quantile(draws, 0.05, axis=0)) and np.allclose(high, np.quantile(draws, 0.95, axis=0))
    draws[:100, 1] = np.nan
    low, high = nan_quantiles(draws, 0.05)
    assert low[1] == pytest.approx(np.quantile(draws[100:, 1], 0.05)) and high[0] == pytest.approx(
        np.quantile(draws[:, 0], 0.95)
    )
    draws[:, 2] = np.nan  # a column no replicate could forecast: NaN, without numpy's warning
    low, high = nan_quantiles(draws, 0.05)
    assert np.isnan(low[2]) and np.isnan(high[2]) and np.isfinite(low[:2]).all()


def test_a_new_runs_noise_is_drawn_from_every_adjusted_residual() -> None:
    from scaling_forecast.engine.uncertainty import ResidualBootstrap

    pool = np.array([-2.0, -1.0, 1.0, 2.0])
    sampler = ResidualBootstrap.__new__(ResidualBootstrap)
    object.__setattr__(sampler, "pool", pool)
    drawn = sampler.noise(np.random.default_rng(0), 4000)
    assert set(drawn.tolist()) == set(pool.tolist())
    assert abs(float(np.mean(drawn == -2.0)) - 0.25) < 0.03


def test_a_percentile_bootstrap_says_so_in_its_saved_state() -> None:
    from scaling_forecast.engine.uncertainty import Uncertainty

    saved = Uncertainty("bootstrap", np.zeros(2), np.eye(2), 0.1, 3, percentile=True).to_dict()
    assert saved["percentile"] is True and Uncertainty.from_dict(saved).percentile is True
    plain = Uncertainty("bootstrap", np.zeros(2), np.eye(2), 0.1, 3).to_dict()
    assert "percentile" not in plain and Uncertainty.from_dict(plain).percentile is False


def test_the_delta_covariance_of_a_singular_fit_is_its_pseudo_inverse_row_by_row() -> None:
    """A power law whose runs share one compute has a singular information matrix: its covariance is
    ``s^2 (J'J)^+``, while the other row of the batch keeps its exact inverse."""
    from scaling_forecast.engine.uncertainty import delta_covariance
    from scaling_forecast.laws import get_law

    law = get_law("power")
    log_x = np.vstack([np.zeros(5), np.linspace(-2.0, 2.0, 5)])
    theta = np.array([[0.1, -0.1], [0.2, -0.2]])
    residuals = np.array([[0.01, -0.01, 0.02, -0.02, 0.0], [0.01, -0.02, 0.0, 0.02, -0.01]])
    covariance, sigma = delta_covariance(law, theta, log_x, residuals)
    s2 = (residuals**2).sum(axis=1) / 3
    assert sigma == pytest.approx(np.sqrt(s2))
    for row in range(2):
        design = np.column_stack([np.ones(5), log_x[row]])
        assert covariance[row] == pytest.approx(s2[row] * np.linalg.pinv(design.T @ design), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("seed", [1, 8])
def test_a_forecasts_bootstrap_t_intervals_rebuilt_by_hand_from_its_replicates(seed: int) -> None:
    """The default method on the power law ``log L = t0 + t1 x`` (``x = log C - log C_ref``): the ``ci`` of the
    forecast and of ``b`` are ``q + se [T*_(5%), T*_(95%)]`` with ``T* = (q - q*) / se*``, the ``pi`` is the same
    with a new run's noise (``T* = (q + e* - q*) / sqrt(se*^2 + s*^2)``), each held to at least the Student-t
    interval, the ``pi`` to at least the ``ci``: rebuilt here from the replicates with numpy alone. The runs' noise is
    skewed (exponential), so the replicates, not the Student-t interval, set at least one end."""
    compute = np.geomspace(1e18, 1e22, 7)
    loss = 30.0 * compute**-0.07 * np.exp(0.02 * np.random.default_rng(seed).standard_exponential(7))
    target = 1e24
    result = fit_law(compute, loss, FitSettings(law="power", n_boot=300), (parse_target(target),))
    model = result.model
    u = model.uncertainty
    assert u.method == "bootstrap" and not u.percentile
    t = stats.t.ppf(0.95, u.dof)

    def interval(q, se, q_boot, se_boot, centre, scale):  # type: ignore[no-untyped-def]
        pivot = (centre - q_boot) / se_boot
        low, high = np.quantile(pivot, [0.05, 0.95])
        return min(q + scale * low, q - t * scale, q), max(q + scale * high, q + t * scale, q)

    x0 = np.log(target) - model.log_cref
    g = np.array([1.0, x0])
    q = u.theta @ g
    se = np.sqrt(g @ u.covariance @ g)
    q_boot = u.boot_theta @ g
    se_boot = np.sqrt(np.einsum("p,bpq,q->b", g, u.boot_covariance, g))
    prediction = result.predictions[0]
    assert_allclose(np.log(prediction.estimate), q, rtol=1e-12)
    ci = interval(q, se, q_boot, se_boot, q, se)
    assert_allclose(np.log(prediction.ci), ci, rtol=1e-10)
    new_se = np.sqrt(se_boot**2 + u.boot_sigma**2)
    pi = interval(q, np.hypot(se, u.sigma), q_boot, new_se, q + u.boot_noise, np.hypot(se, u.sigma))
    assert_allclose(np.log(prediction.pi), [min(pi[0], ci[0]), max(pi[1], ci[1])], rtol=1e-10)
    delta = (q - t * se, q + t * se)
    assert max(delta[0] - ci[0], ci[1] - delta[1]) > 0.05 * se  # the replicates, not the delta method, set an end
    new_delta = (q - t * np.hypot(se, u.sigma), q + t * np.hypot(se, u.sigma))
    assert max(new_delta[0] - pi[0], pi[1] - new_delta[1]) > 0.05 * se

    b = result.param("b")
    b_ci = interval(
        u.theta[1],
        np.sqrt(u.covariance[1, 1]),
        u.boot_theta[:, 1],
        np.sqrt(u.boot_covariance[:, 1, 1]),
        u.theta[1],
        np.sqrt(u.covariance[1, 1]),
    )
    assert_allclose(b.ci, b_ci, rtol=1e-10)
    assert b.ci != pytest.approx((b.estimate - t * b.stderr, b.estimate + t * b.stderr), rel=1e-6)


def test_replicates_without_spread_are_left_out_of_the_pivot_silently() -> None:
    """A replicate whose own standard error is 0 (an exact fit) gives a pivot 0/0 or x/0: it is left out of the
    draws, the interval and the probability, with no numpy warning (a warning fails any test)."""
    est, se = np.array([1.0]), np.array([0.1])
    rng = np.random.default_rng(3)
    boot = rng.normal(1.0, 0.1, (400, 1))
    boot_se = np.full((400, 1), 0.1)
    spoilt_boot, spoilt_se = boot.copy(), boot_se.copy()
    spoilt_boot[:2, 0], spoilt_se[:2, 0] = [1.0, 1.3], 0.0  # 0/0 and 0.3/0
    draws = studentised_draws(est, se, spoilt_boot, spoilt_se, 5)
    assert np.isnan(draws[:2, 0]).all() and np.array_equal(
        draws[2:], studentised_draws(est, se, boot[2:], boot_se[2:], 5)
    )
    centre = np.ones_like(boot)
    assert np.array_equal(
        studentised_interval(est, se, centre, spoilt_boot, spoilt_se, 5, 0.9),
        studentised_interval(est, se, centre[2:], boot[2:], boot_se[2:], 5, 0.9),
    )
    assert np.array_equal(
        probability_below(est, se, spoilt_boot, spoilt_se, 5, 1.05),
        probability_below(est, se, boot[2:], boot_se[2:], 5, 1.05),
    )


def test_at_three_degrees_of_freedom_the_interval_is_already_studentised() -> None:
    """``MIN_STUDENTISED_DOF`` is 3: at 3 the pivot is ``(c* - q*) / se*`` scaled by ``se``, at 2 the basic ``c* - q*``."""
    rng = np.random.default_rng(4)
    boot = rng.normal(1.0, 0.3, (2001, 1)) ** 3
    boot_se = rng.uniform(0.1, 0.5, (2001, 1))
    est, se, centre = np.array([1.0]), np.array([0.2]), np.ones((2001, 1))
    t3, t2 = stats.t.ppf(0.95, 3), stats.t.ppf(0.95, 2)
    low, high = np.quantile((1.0 - boot[:, 0]) / boot_se[:, 0], [0.05, 0.95])
    expected = [min(1.0 + 0.2 * low, 1.0 - t3 * 0.2, 1.0), max(1.0 + 0.2 * high, 1.0 + t3 * 0.2, 1.0)]
    assert studentised_interval(est, se, centre, boot, boot_se, 3, 0.9)[0] == pytest.approx(expected, rel=1e-12)
    low, high = np.quantile(1.0 - boot[:, 0], [0.05, 0.95])
    expected = [min(1.0 + low, 1.0 - t2 * 0.2, 1.0), max(1.0 + high, 1.0 + t2 * 0.2, 1.0)]
    assert studentised_interval(est, se, centre, boot, boot_se, 2, 0.9)[0] == pytest.approx(expected, rel=1e-12)


def test_a_run_of_high_leverage_is_adjusted_as_if_its_leverage_were_the_cap() -> None:
    """``h_i`` is capped at 0.95: a run far beyond the others (leverage near 1) is divided by ``sqrt(0.05)``."""
    from scaling_forecast.engine.uncertainty import MAX_LEVERAGE
    from scaling_forecast.laws import get_law

    law = get_law("power")
    log_x = np.array([0.0, 0.01, 0.02, 0.03, 30.0])
    residuals = np.array([0.01, -0.02, 0.01, 0.005, 0.001])
    design = np.column_stack([np.ones(5), log_x])
    leverage = np.einsum("ip,pq,iq->i", design, np.linalg.inv(design.T @ design), design)
    assert leverage[-1] > MAX_LEVERAGE == 0.95
    adjusted = residuals / np.sqrt(1.0 - np.minimum(leverage, 0.95))
    found = adjusted_residuals(law, np.array([0.0, -0.1]), log_x, residuals)
    assert found == pytest.approx(adjusted - adjusted.mean(), rel=1e-9)


def test_a_delta_state_says_so_and_chunked_replicates_are_the_same_replicates(monkeypatch: pytest.MonkeyPatch) -> None:
    from scaling_forecast.engine import uncertainty
    from scaling_forecast.laws import get_law

    law = get_law("power")
    compute, loss = _power_runs(seed=2)
    log_x, log_y = np.log(compute) - np.log(compute).mean(), np.log(loss)
    theta = np.polyfit(log_x, log_y, 1)[::-1]
    delta = uncertainty.estimate_uncertainty(law, log_x, log_y, theta, method="delta", n_boot=0, seed=0)
    assert delta.method == "delta" and delta.to_dict()["method"] == "delta" and delta.boot_theta is None
    whole = uncertainty.estimate_uncertainty(law, log_x, log_y, theta, method="bootstrap", n_boot=300, seed=5)
    assert len(uncertainty._chunks(300, log_y.size * theta.size)) == 1
    monkeypatch.setattr(uncertainty, "CHUNK_BYTES", 40 * 8 * log_y.size * theta.size * 7)  # chunks of 7 replicates
    assert len(uncertainty._chunks(300, log_y.size * theta.size)) == 43
    chunked = uncertainty.estimate_uncertainty(law, log_x, log_y, theta, method="bootstrap", n_boot=300, seed=5)
    for name in ("boot_theta", "boot_covariance", "boot_sigma", "boot_noise"):
        assert_allclose(getattr(chunked, name), getattr(whole, name), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("loss_fn", ["lsq", "huber"])
def test_data_resampled_another_way_are_what_each_replicate_fits(loss_fn: str) -> None:
    """Noise-free runs (every residual 0) and replicates of the data resampled another way (the problem
    bootstrap's role): each bootstrap replicate is the fit to that replicate's data, by numpy's least squares line,
    or by scipy's Huber line (one point of each replicate far off: the fit must be Huber's, not least squares')."""
    from scipy.optimize import least_squares

    from scaling_forecast.engine.fitting import Objective
    from scaling_forecast.engine.uncertainty import estimate_uncertainty
    from scaling_forecast.laws import get_law

    law = get_law("power")
    log_x = np.linspace(-2.0, 2.0, 8)
    log_y = 1.0 - 0.2 * log_x
    theta = np.array([1.0, -0.2])
    wiggle = 0.02 * np.sin(np.arange(5)[:, None] * 1.7 + np.arange(8)[None, :])
    if loss_fn == "huber":
        wiggle[:, 3] += 0.3
    data = log_y[None, :] + wiggle
    objective = Objective(loss_fn, 0.01)
    state = estimate_uncertainty(
        law,
        log_x,
        log_y,
        theta,
        method="bootstrap",
        n_boot=5,
        seed=0,
        objective=objective,
        replicates=lambda rng, n: data[:n],
    )
    assert state.boot_theta is not None
    for row, replicate in enumerate(data):
        if loss_fn == "lsq":
            line = np.polyfit(log_x, replicate, 1)[::-1]
        else:
            start = np.polyfit(log_x, replicate, 1)[::-1]
            line = least_squares(
                lambda t, v=replicate: v - t[0] - t[1] * log_x, start, loss="huber", f_scale=0.01, xtol=1e-15
            ).x
        fitted = law.log_predict(state.boot_theta[row : row + 1], log_x)[0]
        assert_allclose(fitted, line[0] + line[1] * log_x, atol=1e-7)

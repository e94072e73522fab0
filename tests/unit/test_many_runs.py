"""Many runs: a ladder of more than 2 x MAX_POINTS runs is fitted as equal-count bins, checked against references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import least_squares

from scaling_forecast.engine import drift, selection
from scaling_forecast.engine.uncertainty import adjusted_residuals
from scaling_forecast.laws import get_law
from scaling_forecast.settings import FitSettings, parse_target
from scaling_forecast.tasks.fit import MAX_POINTS, binned_runs, fitted_points
from scaling_forecast.tasks.ladder import fit_law


def _ladder(n: int, noise: float = 0.01, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``L = 2 + 50 C^-0.15`` at ``n`` runs spread log-uniformly over 1e17 to 1e21, log-normal noise."""
    rng = np.random.default_rng(seed)
    compute = 10 ** rng.uniform(17, 21, n)
    return compute, (2.0 + 50.0 * compute**-0.15) * np.exp(rng.normal(0.0, noise, n))


def test_bins_are_the_geometric_means_of_equal_counts_in_compute_order() -> None:
    compute = np.array([8.0, 1.0, 4.0, 2.0, 16.0, 32.0, 64.0])
    y = np.array([3.0, 9.0, 4.0, 6.0, 2.0, 2.0, 1.0])
    points, values = binned_runs(compute, y, 3)
    # sorted: (1, 9), (2, 6), (4, 4) | (8, 3), (16, 2) | (32, 2), (64, 1)
    np.testing.assert_allclose(points, [2.0, np.sqrt(128.0), np.sqrt(2048.0)])
    np.testing.assert_allclose(values, [(9 * 6 * 4) ** (1 / 3), np.sqrt(6.0), np.sqrt(2.0)])


def test_a_binned_fit_agrees_with_the_least_squares_fit_to_every_run() -> None:
    """The fit to 3,000 runs as bins is within a tenth of its own stderr of scipy's fit to all runs."""
    compute, y = _ladder(3000)
    result = fit_law(compute, y, FitSettings(law="loss", n_boot=400), (parse_target("1000x"),))
    assert result.data.points is not None and result.data.points <= MAX_POINTS and result.data.n_runs == 3000
    law = get_law("loss")
    log_x = np.log(compute) - result.model.log_cref
    reference = least_squares(
        lambda t: np.log(y) - law.log_predict(t[None, :], log_x)[0],
        result.model.uncertainty.theta,
        xtol=1e-14,
        ftol=1e-14,
    ).x
    for p, value in zip(result.params, law.to_user(reference[None, :], result.model.log_cref)[0], strict=True):
        assert abs(p.estimate - value) < 0.1 * p.stderr, p.name


def test_a_new_runs_noise_is_the_runs_own_not_the_bins() -> None:
    """With 1% noise per run the pi's noise scale is 1%, not 1% / sqrt(runs per bin); the ci is much narrower."""
    compute, y = _ladder(4000, noise=0.01, seed=3)
    result = fit_law(compute, y, FitSettings(law="loss", n_boot=400), (parse_target("10x"),))
    assert result.model.uncertainty.sigma == pytest.approx(0.01, rel=0.05)
    p = result.predictions[0]
    pi_half = np.log(p.pi[1] / p.pi[0]) / 2
    ci_half = np.log(p.ci[1] / p.ci[0]) / 2
    assert pi_half == pytest.approx(1.645 * np.hypot(0.01, ci_half / 1.645), rel=0.15)
    assert ci_half < 0.5 * pi_half


def test_binned_intervals_cover_the_truth_as_often_as_they_say() -> None:
    """40 ladders of 400 runs: the 90% ci at 10x holds the true loss in 30 to 39 of them (these seeds: 36); fewer is
    too narrow, all 40 too wide (an exact 90% interval holds all 40 with probability 1.5%)."""
    truth = 2.0 + 50.0 * 1e22**-0.15
    held = 0
    for seed in range(40):
        compute, y = _ladder(400, noise=0.02, seed=seed)
        compute = compute * (1e21 / compute.max())
        result = fit_law(compute, y, FitSettings(law="loss", n_boot=300, seed=seed), (parse_target("1e22"),))
        low, high = result.predictions[0].ci
        held += low <= truth <= high
    assert 30 <= held <= 39


def test_the_drift_check_and_the_law_choice_are_capped() -> None:
    log_c = np.log(np.geomspace(1e17, 1e21, 200))
    chosen = drift.windows(log_c, 3)
    assert len(chosen) == drift.MAX_WINDOWS and chosen[0] == 4 and chosen[-1] == 199
    compute, y = _ladder(60)
    choice = selection.select_law(compute, y)
    assert choice is not None and choice[0].held_out == selection.MAX_HELD_OUT


def test_leverages_match_the_hat_matrix_diagonal() -> None:
    """Row-wise leverages (no n x n matrix) equal the diagonal of J (J'J)^-1 J' computed the textbook way."""
    law = get_law("loss")
    log_x = np.linspace(-4.0, 4.0, 30)
    theta = np.array([-2.0, -0.2, 0.5])
    jacobian = law.log_jacobian(theta[None, :], log_x)[0]
    hat = jacobian @ np.linalg.inv(jacobian.T @ jacobian) @ jacobian.T
    residuals = np.random.default_rng(0).normal(0.0, 0.01, 30)
    expected = residuals / np.sqrt(1.0 - np.diag(hat))
    np.testing.assert_allclose(adjusted_residuals(law, theta, log_x, residuals), expected - expected.mean(), rtol=1e-10)


def test_seeds_at_one_compute_are_replicates_of_one_point() -> None:
    """10 sizes x 30 seeds (2% noise): fitted as one point per size; the pi carries the seeds' 2% scatter."""
    rng = np.random.default_rng(5)
    compute = np.repeat(np.geomspace(1e17, 1e21, 10), 30)
    y = (2.0 + 50.0 * compute**-0.15) * np.exp(rng.normal(0.0, 0.02, compute.size))
    result = fit_law(compute, y, FitSettings(law="loss", n_boot=300), (parse_target("10x"),))
    assert result.data.n_runs == 300 and result.data.points is not None
    assert result.model.uncertainty.sigma == pytest.approx(0.02, rel=0.1)
    p = result.predictions[0]
    assert np.log(p.pi[1] / p.pi[0]) / 2 == pytest.approx(1.7 * 0.02, rel=0.2)
    points, values = fitted_points(compute, y)
    np.testing.assert_array_equal(points, np.geomspace(1e17, 1e21, 10))  # one point per size, seeds averaged
    np.testing.assert_allclose(values, np.exp(np.log(y).reshape(10, 30).mean(axis=1)))
    assert result.data.points == 10


def test_the_default_commands_pi_holds_new_runs_as_often_as_it_says() -> None:
    """Default options (law auto), 4,000 runs at 1% noise: 90% of new runs at 10x fall in the pi (85% to 95%)."""
    compute, y = _ladder(4000, noise=0.01, seed=11)
    result = fit_law(compute, y, FitSettings(n_boot=400), (parse_target("1e22"),))
    assert result.data.points is not None
    low, high = result.predictions[0].pi
    new_runs = (2.0 + 50.0 * 1e22**-0.15) * np.exp(np.random.default_rng(1).normal(0.0, 0.01, 4000))
    assert 0.85 <= float(np.mean((low <= new_runs) & (new_runs <= high))) <= 0.95


def test_a_rise_between_points_is_warned_only_beyond_their_noise() -> None:
    """1,000 noisy runs of a falling law: no 'does not decrease' warning; 3% bump in one decade: warned."""
    compute, y = _ladder(1000)
    quiet = fit_law(compute, y, FitSettings(law="loss", n_boot=200), (parse_target("10x"),))
    assert not any("does not decrease" in w for w in quiet.fit.warnings)
    bumped = np.where((compute > 1e19) & (compute < 1e20), y * 1.03, y)
    loud = fit_law(compute, bumped, FitSettings(law="loss", n_boot=200), (parse_target("10x"),))
    assert any(w.startswith("loss does not decrease with compute") for w in loud.fit.warnings)

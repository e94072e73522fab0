"""The Chinchilla law: recovery, the closed-form optimum, and the published reference fit on real data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from scaling_forecast.chinchilla import TwoVariableRuns, allocation, fit_chinchilla, summarise
from scaling_forecast.fitting import objective
from scaling_forecast.laws import CHINCHILLA_GRID, ChinchillaLaw
from scaling_forecast.runs import load_two_variable

TRUE = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
#: Besiroglu et al. 2024 (Epoch AI), Table 1: estimate and standard error.
REFERENCE = {
    "E": (1.817, 0.026),
    "A": (482.0, 124.5),
    "B": (2085.0, 1293.0),
    "alpha": (0.348, 0.015),
    "beta": (0.366, 0.021),
}


def _synthetic(noise: float, seed: int = 0) -> TwoVariableRuns:
    rng = np.random.default_rng(seed)
    n = np.repeat(np.geomspace(1e7, 3e9, 8), 6)
    d = n * np.tile([4.0, 8.0, 16.0, 32.0, 64.0, 128.0], 8)
    loss = TRUE["E"] + TRUE["A"] / n ** TRUE["alpha"] + TRUE["B"] / d ** TRUE["beta"]
    return TwoVariableRuns(n, d, loss * np.exp(rng.normal(0.0, noise, n.size)), tuple(map(str, range(n.size))))


def test_noise_free_runs_give_back_the_law() -> None:
    fit = fit_chinchilla(_synthetic(0.0), n_boot=0, loss_fn="lsq")
    assert fit.params()[0] == pytest.approx(list(TRUE.values()), rel=1e-5)


def test_noisy_runs_recover_the_law_within_the_intervals() -> None:
    runs = _synthetic(0.003, seed=4)
    fit = fit_chinchilla(runs, n_boot=200, seed=1)
    result = summarise(runs, fit, level=0.95, budgets=(1e22,), n_boot=200)
    for name, value in TRUE.items():
        low, high = result.param(name).ci
        assert low <= value <= high, name
    truth = allocation(np.array([list(TRUE.values())]), 1e22)
    optimum = result.optima[0]
    assert optimum.params.ci[0] <= truth[0][0] <= optimum.params.ci[1]
    assert optimum.loss.ci[0] <= truth[2][0] <= optimum.loss.ci[1]


def test_closed_form_allocation_is_the_minimum_along_the_budget() -> None:
    params = np.array([[REFERENCE[k][0] for k in ("E", "A", "B", "alpha", "beta")]])
    budget = 5.88e23
    n_opt, d_opt, loss = allocation(params, budget)
    e, a, b, alpha, beta = params[0]

    def along(log_n: float) -> float:
        n = np.exp(log_n)
        return float(e + a / n**alpha + b / (budget / (6 * n)) ** beta)

    brute = minimize_scalar(along, bounds=(np.log(1e8), np.log(1e13)), method="bounded", options={"xatol": 1e-10})
    assert n_opt[0] == pytest.approx(np.exp(brute.x), rel=1e-6)
    assert loss[0] == pytest.approx(brute.fun, rel=1e-12)
    assert d_opt[0] / n_opt[0] == pytest.approx(18.3, abs=0.1)  # Epoch's rounded estimates; the data README: 18.25


def test_the_fit_is_no_worse_than_polishing_every_start_of_a_coarser_grid() -> None:
    runs = _synthetic(0.005, seed=2)
    fit = fit_chinchilla(runs, n_boot=0)
    n, d, loss = runs.params, runs.tokens, runs.loss
    # the law written out in the user's units, for every grid point (a, b, e, alpha, beta)
    a, b, e, alpha, beta = (CHINCHILLA_GRID[:, i : i + 1] for i in range(5))
    grid_loss = np.exp(e) + np.exp(a) / n**alpha + np.exp(b) / d**beta
    scores = objective(np.log(loss) - np.log(grid_loss), "huber", 1e-3)
    assert fit.objective <= scores.min()
    wide = fit_chinchilla(runs, n_boot=0, starts=200)
    assert fit.objective <= wide.objective * (1 + 1e-9)


def test_the_law_matches_its_formula_and_its_derivatives() -> None:
    law = ChinchillaLaw()
    theta = np.array([[6.0, 7.0, 0.5, 0.34, 0.28], [5.0, 9.0, 0.1, 0.5, 0.4]])
    design = np.log([[1e8, 2e9], [3e9, 6e10], [7e10, 1.4e12]])
    a, b, e, alpha, beta = (theta[:, i : i + 1] for i in range(5))
    n, d = np.exp(design[:, 0]), np.exp(design[:, 1])
    written_out = np.log(np.exp(e) + np.exp(a) / n**alpha + np.exp(b) / d**beta)
    assert law.log_predict(theta, design) == pytest.approx(written_out, rel=1e-13)
    step = 1e-6
    for j in range(5):
        shift = np.zeros(5)
        shift[j] = step
        numeric = (law.log_predict(theta + shift, design) - law.log_predict(theta - shift, design)) / (2 * step)
        assert law.log_jacobian(theta, design)[..., j] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
    user = law.to_user(theta, 0.0)
    assert user[0] == pytest.approx([np.exp(0.5), np.exp(6.0), np.exp(7.0), 0.34, 0.28])
    assert law.from_user(user, 0.0) == pytest.approx(theta)


def test_case_bootstrap_spread_matches_refitting_resampled_runs_one_by_one() -> None:
    """The batched replicates are the fits of their resampled runs: refit a few independently with scipy."""
    from scipy.optimize import least_squares

    runs = _synthetic(0.01, seed=3)
    fit = fit_chinchilla(runs, n_boot=8, seed=5, loss_fn="lsq")
    assert fit.boot_theta is not None
    drawn = np.random.default_rng(5).integers(0, runs.loss.size, size=(8, runs.loss.size))
    for replicate, rows in zip(fit.boot_theta, drawn, strict=True):
        n, d, loss = runs.params[rows], runs.tokens[rows], runs.loss[rows]

        def residuals(t: np.ndarray, n=n, d=d, loss=loss) -> np.ndarray:  # type: ignore[no-untyped-def]
            return np.log(loss) - np.log(np.exp(t[2]) + np.exp(t[0]) / n ** t[3] + np.exp(t[1]) / d ** t[4])

        solution = least_squares(residuals, fit.theta, xtol=1e-15, ftol=1e-15, gtol=1e-15)
        assert 0.5 * np.sum(residuals(replicate) ** 2) <= solution.cost * (1 + 1e-7)


def test_reproduces_the_published_reference_fit(shared_data) -> None:  # type: ignore[no-untyped-def]
    runs, dropped = load_two_variable(shared_data / "chinchilla" / "chinchilla_points.csv", drop_highest=5)
    assert runs.loss.size == 240 and len(dropped) == 5
    fit = fit_chinchilla(runs, n_boot=0)
    estimates = dict(zip(("E", "A", "B", "alpha", "beta"), fit.params()[0], strict=True))
    for name, (value, stderr) in REFERENCE.items():
        assert abs(estimates[name] - value) <= 0.1 * stderr, name
    n_opt, d_opt, _ = allocation(fit.params(), 5.88e23)
    assert d_opt[0] / n_opt[0] == pytest.approx(17.9, abs=0.1)  # the README's plain grid fit; Epoch's gives 18.25

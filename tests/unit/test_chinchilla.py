"""The Chinchilla law: recovery, the closed-form optimum, and the published reference fit on real data."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import least_squares, minimize_scalar

from scaling_forecast.engine.fitting import Objective, fit_batch, refine
from scaling_forecast.engine.runs import Runs
from scaling_forecast.laws import CHINCHILLA_GRID, ChinchillaLaw
from scaling_forecast.readers.runs import load_two_variable
from scaling_forecast.results import FitResult
from scaling_forecast.settings import FitSettings, Target, parse_target
from scaling_forecast.tasks.ladder import fit_law

from ..conftest import shared_file

TRUE = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
#: Besiroglu et al. 2024 (Epoch AI), Table 1: estimate and standard error.
REFERENCE = {
    "E": (1.817, 0.026),
    "A": (482.0, 124.5),
    "B": (2085.0, 1293.0),
    "alpha": (0.348, 0.015),
    "beta": (0.366, 0.021),
}
#: ... and their 95% bootstrap intervals (Table 1).
REFERENCE_CI = {
    "E": (1.769, 1.871),
    "A": (285.0, 744.0),
    "B": (1042.0, 5810.0),
    "alpha": (0.317, 0.373),
    "beta": (0.331, 0.415),
}
LAW = ChinchillaLaw()


def _lsq_objective():  # type: ignore[no-untyped-def]
    from scaling_forecast.engine.fitting import LEAST_SQUARES

    return LEAST_SQUARES


_LSQ = _lsq_objective()


def _synthetic(noise: float, seed: int = 0) -> Runs:
    rng = np.random.default_rng(seed)
    n = np.repeat(np.geomspace(1e7, 3e9, 8), 6)
    d = n * np.tile([4.0, 8.0, 16.0, 32.0, 64.0, 128.0], 8)
    loss = TRUE["E"] + TRUE["A"] / n ** TRUE["alpha"] + TRUE["B"] / d ** TRUE["beta"]
    loss = loss * np.exp(rng.normal(0.0, noise, n.size))
    columns = np.column_stack([n, d])
    return Runs(6 * n * d, loss, tuple(map(str, range(n.size))), "compute", "loss", "<synthetic>", columns=columns)


def _fit(runs: Runs, targets: tuple[Target, ...] = (), **settings: object) -> FitResult:
    chosen = FitSettings(law="chinchilla", **settings)  # type: ignore[arg-type]
    return fit_law(runs.x, runs.y, chosen, targets, columns=runs.columns)


def _optimum(runs: Runs, loss_fn: str = "huber", n_starts: int | None = None) -> tuple[np.ndarray, float]:
    """The point fit alone: reported parameters and the objective."""
    assert runs.columns is not None
    design, log_y = np.log(runs.columns), np.log(runs.y)[None, :]
    first = fit_batch(LAW, design, log_y, objective=Objective(loss_fn), n_starts=n_starts)
    best = refine(LAW, design, log_y, first, objective=Objective(loss_fn))
    return LAW.to_user(best.theta, 0.0)[0], float(best.objective[0])


def test_noise_free_runs_give_back_the_law() -> None:
    params, _ = _optimum(_synthetic(0.0), loss_fn="lsq")
    assert params == pytest.approx(list(TRUE.values()), rel=1e-5)


def test_noisy_runs_recover_the_law_within_the_intervals() -> None:
    runs = _synthetic(0.003, seed=4)
    result = _fit(runs, (parse_target(1e22),), level=0.95, n_boot=200)
    for name, value in TRUE.items():
        low, high = result.param(name).ci
        assert low <= value <= high, name
    truth = LAW.allocation(np.array([list(TRUE.values())]), 1e22)
    assert truth is not None
    optimum = result.optima[0]
    assert optimum.params.ci[0] <= truth["params"][0] <= optimum.params.ci[1]
    assert optimum.loss.ci[0] <= truth["loss"][0] <= optimum.loss.ci[1]
    # the prediction at a compute target is the law at the fit's own compute-optimal allocation
    prediction = result.predictions[0]
    assert dict(prediction.design) == pytest.approx(
        {"params": optimum.params.estimate, "tokens": optimum.tokens.estimate}
    )
    assert prediction.estimate == pytest.approx(optimum.loss.estimate, rel=1e-12)


def test_closed_form_allocation_is_the_minimum_along_the_budget() -> None:
    params = np.array([[REFERENCE[k][0] for k in ("E", "A", "B", "alpha", "beta")]])
    budget = 5.88e23
    optimum = LAW.allocation(params, budget)
    assert optimum is not None
    e, a, b, alpha, beta = params[0]

    def along(log_n: float) -> float:
        n = np.exp(log_n)
        return float(e + a / n**alpha + b / (budget / (6 * n)) ** beta)

    brute = minimize_scalar(along, bounds=(np.log(1e8), np.log(1e13)), method="bounded", options={"xatol": 1e-10})
    assert optimum["params"][0] == pytest.approx(np.exp(brute.x), rel=1e-6)
    assert optimum["loss"][0] == pytest.approx(brute.fun, rel=1e-12)
    assert optimum["tokens"][0] == pytest.approx(budget / (6 * np.exp(brute.x)), rel=1e-6)
    # Epoch's rounded estimates; the data README gives 18.25
    assert optimum["tokens_per_param"][0] == pytest.approx(18.3, abs=0.1)
    # the exponents are the slopes of log N_opt and log D_opt in log C, measured here by brute force
    later = LAW.allocation(params, budget * 10.0)
    assert later is not None
    slopes = {key: np.log10(later[key][0] / optimum[key][0]) for key in ("params", "tokens")}
    exponents = LAW.allocation_exponents(params)
    assert exponents["a"][0] == pytest.approx(slopes["params"], rel=1e-9)
    assert exponents["b"][0] == pytest.approx(slopes["tokens"], rel=1e-9)


def test_the_fit_is_no_worse_than_polishing_every_start_of_a_coarser_grid() -> None:
    runs = _synthetic(0.005, seed=2)
    _, value = _optimum(runs)
    n, d, loss = runs.columns[:, 0], runs.columns[:, 1], runs.y  # type: ignore[index]
    # the law written out in the user's units, for every grid point (a, b, e, alpha, beta)
    a, b, e, alpha, beta = (CHINCHILLA_GRID[:, i : i + 1] for i in range(5))
    grid_loss = np.exp(e) + np.exp(a) / n**alpha + np.exp(b) / d**beta
    scores = Objective("huber", 1e-3)(np.log(loss) - np.log(grid_loss))
    assert value <= scores.min()
    _, wide = _optimum(runs, n_starts=200)
    assert value <= wide * (1 + 1e-9)


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


def test_case_bootstrap_replicates_are_the_fits_of_their_resampled_runs() -> None:
    """Refit a few replicates' resampled runs independently with scipy: the batch found their optima."""
    runs = _synthetic(0.01, seed=3)
    result = _fit(runs, n_boot=100, seed=5, loss_fn="lsq")
    state = result.model.uncertainty
    assert state.boot_theta is not None and state.percentile
    order = np.lexsort((runs.y, runs.x))  # the fit's canonical order of the runs
    drawn = order[np.random.default_rng(5).integers(0, runs.y.size, size=(100, runs.y.size))]
    for replicate, rows in list(zip(state.boot_theta, drawn, strict=True))[:8]:
        n, d, loss = runs.columns[rows, 0], runs.columns[rows, 1], runs.y[rows]  # type: ignore[index]

        def residuals(t: np.ndarray, n=n, d=d, loss=loss) -> np.ndarray:  # type: ignore[no-untyped-def]
            return np.log(loss) - np.log(np.exp(t[2]) + np.exp(t[0]) / n ** t[3] + np.exp(t[1]) / d ** t[4])

        solution = least_squares(residuals, state.theta, xtol=1e-15, ftol=1e-15, gtol=1e-15)
        assert 0.5 * np.sum(residuals(replicate) ** 2) <= solution.cost * (1 + 1e-7)


def test_reproduces_the_published_reference_fit(shared_data) -> None:  # type: ignore[no-untyped-def]
    path = shared_file(shared_data, "chinchilla", "chinchilla_points.csv")
    runs, dropped = load_two_variable(path, drop_highest=5)
    assert runs.y.size == 240 and len(dropped) == 5
    result = _fit(runs, (parse_target(5.88e23),), level=0.95)
    for name, (value, stderr) in REFERENCE.items():
        assert abs(result.param(name).estimate - value) <= 0.1 * stderr, name
        # the case bootstrap's 95% interval (2,000 replicates): each end within 0.3 standard errors of Epoch's
        for ours, theirs in zip(result.param(name).ci, REFERENCE_CI[name], strict=True):
            assert abs(ours - theirs) <= 0.3 * stderr, name
    optimum = result.optima[0]
    # the README's plain grid fit; Epoch's rounded estimates give 18.25
    assert optimum.tokens_per_param.estimate == pytest.approx(17.9, abs=0.1)
    assert optimum.tokens.estimate / optimum.params.estimate == pytest.approx(17.9, abs=0.1)


@pytest.mark.parametrize("loss_fn", ["lsq", "huber"])
def test_the_start_is_the_best_of_the_reference_grid_by_brute_force_row_by_row(loss_fn: str) -> None:
    """The starts are the grid points of Besiroglu et al.'s protocol with the lowest objective, best first: every
    grid point scored through the law's own formula, one at a time."""
    from scaling_forecast.engine.fitting import Objective
    from scaling_forecast.laws import CHINCHILLA_GRID

    objective = Objective(loss_fn, 1e-3)
    runs = [_synthetic(0.02, seed) for seed in (1, 2)]
    log_x = np.stack([np.log(r.columns[::4]) for r in runs])  # 12 runs each, their own sizes and tokens
    log_y = np.stack([np.log(r.y[::4]) for r in runs])
    starts = LAW.initial(log_x, log_y, objective, n_starts=3)
    assert starts.shape == (2, 3, 5)
    for row in range(2):
        scores = np.array(
            [objective(log_y[row][None] - LAW.log_predict(g[None], log_x[row]))[0] for g in CHINCHILLA_GRID]
        )
        best = np.argsort(scores, kind="stable")[:3]
        np.testing.assert_array_equal(starts[row], CHINCHILLA_GRID[best])
    shared = LAW.initial(log_x[0], log_y[:1], objective, n_starts=1)  # one design for every row
    np.testing.assert_array_equal(shared[0], starts[0, :1])


def test_the_law_is_a_stable_log_sum_exp_of_its_three_terms_however_far_apart() -> None:
    """``log L = logsumexp(a - alpha log N, b - beta log D, e)``, against scipy's, with terms 1,600 nats apart
    across runs (a global shift would overflow or underflow)."""
    from scipy.special import logsumexp

    theta = np.array([[800.0, 5.0, 0.5, 2.0, 0.3]])
    log_x = np.log(np.array([[1.0, 1e10], [1e300, 1e12], [1e20, 1e20]]))
    terms = np.stack([800.0 - 2.0 * log_x[:, 0], 5.0 - 0.3 * log_x[:, 1], np.full(3, 0.5)], axis=-1)
    assert_allclose(LAW.log_predict(theta, log_x)[0], logsumexp(terms, axis=-1), rtol=1e-12)
    jacobian = LAW.log_jacobian(theta, log_x)[0]
    shares = np.exp(terms - logsumexp(terms, axis=-1, keepdims=True))
    assert np.isfinite(jacobian).all()
    assert_allclose(jacobian[:, :3], shares, rtol=1e-12, atol=1e-300)
    assert_allclose(jacobian[:, 3], -shares[:, 0] * log_x[:, 0], rtol=1e-12, atol=1e-300)


def test_a_vanished_term_is_named_with_its_column_at_a_hundredth_of_a_percent() -> None:
    """A term whose spread across the runs is under 1e-4 of the mean loss leaves no allocation."""
    n = np.array([1e8, 1e9, 1e10, 3e10])  # four runs: a mean over runs is not a mean over the three terms
    d = np.array([1e10, 1e11, 1e12, 3e12])
    log_x = np.log(np.column_stack([n, d]))
    loss = 1.8 + 400.0 / n**0.34  # the mean loss of the runs, the data term aside
    for spread, warned in ((0.9e-4, True), (1.1e-4, False)):
        # B / D^beta with beta small: its spread over the runs set to spread * mean loss
        beta = 1e-3
        span = d[0] ** -beta - d[-1] ** -beta
        b = spread * (loss.mean() + 0.0) / span
        theta = np.array([np.log(400.0), np.log(b), np.log(1.8), 0.34, beta])
        found = LAW.degenerate(theta, log_x)
        assert (found is not None) == warned, spread
    assert found is None
    message = LAW.degenerate(np.array([np.log(1e-9), np.log(2000.0), np.log(1.8), 0.34, 0.37]), log_x)
    assert message == (
        "the chinchilla fit has no params term (A/N^alpha moves the loss by under 0.01% across the runs): loss does not "
        "fall with params in these runs, so the law cannot split a budget between params and tokens; check the params "
        "column, or fit loss against compute (--law loss)"
    )
    tokens = LAW.degenerate(np.array([np.log(400.0), np.log(1e-9), np.log(1.8), 0.34, 0.37]), log_x)
    assert tokens is not None and tokens.startswith("the chinchilla fit has no tokens term (B/D^beta moves")


def test_the_design_must_vary_both_sizes_and_tokens_and_two_of_each_are_enough() -> None:
    message = "the chinchilla law needs runs at 2 or more model sizes and token counts; vary both N and D"
    two = np.log(np.array([[1e8, 1e10], [1e9, 1e11]]))
    assert LAW.design_problem(two) is None
    assert LAW.design_problem(np.log(np.array([[1e8, 1e10], [1e9, 1e10]]))) == message  # one token count
    assert LAW.design_problem(np.log(np.array([[1e8, 1e10], [1e8, 1e11]]))) == message  # one model size
    with pytest.raises(ValueError, match=r"^the chinchilla law needs parameters and tokens per run$"):
        LAW.log_design(np.zeros(2), None, 0.0)


def test_an_allocation_with_a_vanished_exponent_is_not_finite_and_says_nothing() -> None:
    """Bootstrap replicates can reach the grid's zero exponents: their allocation is inf or NaN, without a
    warning (a warning fails the suite), and is left out of the percentile interval."""
    params = np.array([[1.8, 400.0, 2000.0, 0.34, 0.0], [1.8, 400.0, 2000.0, 0.0, 0.0]])
    optimum = LAW.allocation(params, 1e21)
    assert optimum is not None and not np.isfinite(optimum["params"]).any()
    exponents = LAW.allocation_exponents(params)
    assert exponents["a"][0] == 0.0 and np.isnan(exponents["a"][1])
    assert LAW.initial(np.log(_synthetic(0.02).columns[::4]), np.log(_synthetic(0.02).y[None, ::4]), _LSQ).shape == (
        1,
        1,
        5,
    )


def test_a_fits_allocation_exponents_are_its_own_and_its_replicates_beta_over_alpha_plus_beta() -> None:
    """``N_opt ~ C^a``, ``D_opt ~ C^b`` with ``a = beta / (alpha + beta)``: the estimate from the fitted exponents,
    the interval the percentiles of the replicates' (numpy's quantiles of the saved draws)."""
    runs = _synthetic(0.003, seed=4)
    result = _fit(runs, (parse_target(1e22),), n_boot=200)
    alpha, beta = result.param("alpha").estimate, result.param("beta").estimate
    exponents = dict(result.exponents)
    assert exponents["a"].estimate == pytest.approx(beta / (alpha + beta), rel=1e-12)
    assert exponents["b"].estimate == pytest.approx(alpha / (alpha + beta), rel=1e-12)
    model = result.model
    boot = LAW.to_user(model.uncertainty.boot_theta, model.log_cref)
    share = boot[:, 4] / (boot[:, 3] + boot[:, 4])
    share = share[np.isfinite(share)]
    low, high = np.quantile(share, [0.05, 0.95])
    assert exponents["a"].ci == pytest.approx((min(low, exponents["a"].estimate), max(high, exponents["a"].estimate)))
    assert exponents["a"].ci[1] - exponents["a"].ci[0] > 0.0
    assert result.to_dict()["exponents"]["a"]["ci"] == list(exponents["a"].ci)


def test_a_forecasts_case_bootstrap_ci_and_pi_are_numpys_quantiles_of_its_replicates() -> None:
    """The reference protocol's case bootstrap gives percentile intervals: the ``ci`` is the 5% and 95% quantiles of
    the replicates' ``log L*`` at the fit's own compute-optimal point, the ``pi`` those of ``log L* + e*`` (a new run's
    noise), each widened to hold the estimate, and the ``pi`` to hold the ``ci``."""
    runs = _synthetic(0.01, seed=3)
    result = _fit(runs, (parse_target(1e22),), n_boot=200)
    u = result.model.uncertainty
    assert u.percentile and u.boot_theta is not None and u.boot_noise is not None
    prediction = result.predictions[0]
    design = np.log(np.array([[value for _, value in prediction.design]]))
    q = np.log(prediction.estimate)
    boot = LAW.log_predict(u.boot_theta, design)[:, 0]
    low, high = np.quantile(boot[np.isfinite(boot)], [0.05, 0.95])
    ci = (min(low, q), max(high, q))
    assert np.log(prediction.ci) == pytest.approx(ci, rel=1e-12)
    noisy = boot + u.boot_noise
    low, high = np.quantile(noisy[np.isfinite(noisy)], [0.05, 0.95])
    assert np.log(prediction.pi) == pytest.approx((min(low, q, ci[0]), max(high, q, ci[1])), rel=1e-12)
    assert np.log(prediction.pi[1] / prediction.pi[0]) > 1.2 * np.log(prediction.ci[1] / prediction.ci[0])


def test_a_fit_keeps_each_runs_parameters_and_tokens_in_compute_order() -> None:
    """The fitted runs carry their (N, D), row for row with compute and loss, sorted by compute: what a saved fit
    and its plot read."""
    runs = _synthetic(0.003, seed=2)
    result = _fit(runs, n_boot=100)
    assert result.runs is not None
    order = np.lexsort((runs.y, runs.x))
    assert result.runs.x == tuple(runs.x[order].tolist()) and result.runs.y == tuple(runs.y[order].tolist())
    assert result.runs.columns == tuple(tuple(row) for row in runs.columns[order].tolist())
    assert all(
        6.0 * n * d == pytest.approx(c, rel=1e-12) for (n, d), c in zip(result.runs.columns, result.runs.x, strict=True)
    )


def test_each_replicates_log_sum_exp_is_shifted_by_its_own_largest_term() -> None:
    """A batch of two parameter rows 800 nats apart: each row's log loss is scipy's logsumexp of its own terms (a
    shift by the batch's largest term would underflow the smaller row to -inf)."""
    from scipy.special import logsumexp

    theta = np.array([[800.0, 800.0, 800.0, 0.3, 0.3], [6.0, 6.0, 0.5, 0.34, 0.28]])
    log_x = np.log(np.array([[1e8, 1e10], [1e9, 1e11], [1e10, 1e12]]))
    for row, t in enumerate(theta):
        terms = np.stack([t[0] - t[3] * log_x[:, 0], t[1] - t[4] * log_x[:, 1], np.full(3, t[2])], axis=-1)
        assert_allclose(LAW.log_predict(theta, log_x)[row], logsumexp(terms, axis=-1), rtol=1e-12)

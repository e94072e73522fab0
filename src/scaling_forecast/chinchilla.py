"""The two-variable law ``L(N, D) = E + A / N^alpha + B / D^beta`` and compute-optimal allocation.

Fitted as in Hoffmann et al. 2022 (approach 3) and its replication by Besiroglu et al. 2024: the
summed Huber loss (delta 1e-3) of ``log L - LSE(a - alpha log N, b - beta log D, e)``, with
``A = e^a``, ``B = e^b``, ``E = e^e``, minimised from a grid of starting points. Uncertainty is a
case bootstrap over runs: each replicate reweights the runs by multinomial counts.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError, DataError, FitError
from .fitting import LOSS_FUNCTIONS
from .laws import Array
from .results import ChinchillaResult, Estimate, Optimum, PointForecast

PARAM_NAMES = ("E", "A", "B", "alpha", "beta")
#: The reference protocol's starting grid (Besiroglu et al. 2024): 4,500 points of (a, b, e, alpha, beta).
REFERENCE_GRID = np.array(
    list(
        itertools.product(
            np.arange(0.0, 30.0, 5.0),
            np.arange(0.0, 30.0, 5.0),
            np.arange(-1.0, 1.5, 0.5),
            np.arange(0.0, 2.5, 0.5),
            np.arange(0.0, 2.5, 0.5),
        )
    )
)
#: Starts polished after the batched scan of the grid, best first.
POLISHED_STARTS = 20
BOUNDS = [(None, None), (None, None), (None, None), (0.0, None), (0.0, None)]


@dataclass(frozen=True, eq=False)
class TwoVariableRuns:
    """Runs with parameters ``N``, tokens ``D`` and final loss ``L``."""

    params: Array
    tokens: Array
    loss: Array
    names: tuple[str, ...]
    file: str = "<data>"


def log_predict(theta: Array, log_n: Array, log_d: Array) -> Array:
    """``log L = LSE(a - alpha log N, b - beta log D, e)`` for rows of ``theta = (a, b, e, alpha, beta)``."""
    theta = np.atleast_2d(theta)
    terms = np.stack(
        [
            theta[:, :1] - theta[:, 3:4] * log_n,
            theta[:, 1:2] - theta[:, 4:5] * log_d,
            np.broadcast_to(theta[:, 2:3], (theta.shape[0], np.size(log_n))),
        ]
    )
    top = terms.max(axis=0)
    return np.asarray(top + np.log(np.exp(terms - top).sum(axis=0)), dtype=float)


def _objective_and_gradient(
    theta: Array, log_n: Array, log_d: Array, log_l: Array, weights: Array, loss_fn: str, delta: float
) -> tuple[float, Array]:
    """The weighted summed loss of log residuals and its analytic gradient."""
    a, b, e, alpha, beta = theta
    terms = np.stack([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)])
    top = terms.max(axis=0)
    exp = np.exp(terms - top)
    total = exp.sum(axis=0)
    residual = log_l - (top + np.log(total))
    if loss_fn == "lsq":
        rho, psi = 0.5 * residual**2, residual
    else:
        magnitude = np.abs(residual)
        rho = np.where(magnitude <= delta, 0.5 * residual**2, delta * (magnitude - 0.5 * delta))
        psi = np.clip(residual, -delta, delta)
    share = exp / total
    weighted = weights * psi
    gradient = -np.array(
        [
            share[0] @ weighted,
            share[1] @ weighted,
            share[2] @ weighted,
            -(share[0] * log_n) @ weighted,
            -(share[1] * log_d) @ weighted,
        ]
    )
    return float(weights @ rho), gradient


def batch_objective(thetas: Array, log_n: Array, log_d: Array, log_l: Array, loss_fn: str, delta: float) -> Array:
    """The summed loss at many parameter vectors at once: ``(K, 5) -> (K,)``."""
    residual = log_l - log_predict(thetas, log_n, log_d)
    if loss_fn == "lsq":
        return np.asarray((0.5 * residual**2).sum(axis=1), dtype=float)
    magnitude = np.abs(residual)
    rho = np.where(magnitude <= delta, 0.5 * residual**2, delta * (magnitude - 0.5 * delta))
    return np.asarray(rho.sum(axis=1), dtype=float)


def _minimise(
    start: Array, log_n: Array, log_d: Array, log_l: Array, weights: Array, loss_fn: str, delta: float
) -> tuple[Array, float, bool]:
    from scipy.optimize import minimize

    solution = minimize(
        _objective_and_gradient,
        start,
        args=(log_n, log_d, log_l, weights, loss_fn, delta),
        jac=True,
        method="L-BFGS-B",
        bounds=BOUNDS,
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 20000, "maxcor": 20},
    )
    return np.asarray(solution.x, dtype=float), float(solution.fun), bool(solution.success)


@dataclass(frozen=True)
class ChinchillaFit:
    """Fitted internal parameters ``theta = (a, b, e, alpha, beta)``, and bootstrap replicates."""

    theta: Array
    objective: float
    converged: bool
    rmse: float
    boot_theta: Array | None
    residuals: Array

    def params(self, theta: Array | None = None) -> Array:
        """``(E, A, B, alpha, beta)`` rows for ``theta`` (default: the fit)."""
        t = np.atleast_2d(self.theta if theta is None else theta)
        return np.column_stack([np.exp(t[:, 2]), np.exp(t[:, 0]), np.exp(t[:, 1]), t[:, 3], t[:, 4]])


def fit_chinchilla(
    runs: TwoVariableRuns,
    *,
    loss_fn: str = "huber",
    huber_delta: float = 1e-3,
    n_boot: int = 1000,
    seed: int = 0,
    starts: int = POLISHED_STARTS,
) -> ChinchillaFit:
    """Fit the law, then refit ``n_boot`` case-bootstrap replicates warm-started from the fit.

    Notes
    -----
    The 4,500 starts of :data:`REFERENCE_GRID` are evaluated in one batched computation; the
    ``starts`` best are polished by L-BFGS-B with analytic gradients and tight tolerances, and the
    lowest objective is kept. A replicate ``r`` weights run ``i`` by ``w_ri ~ Multinomial(n, 1/n)``
    (the same objective as refitting the resampled runs) and starts from the fit.
    """
    if loss_fn not in LOSS_FUNCTIONS:
        raise ConfigError(f"--loss-fn {loss_fn!r}: unknown loss function; choose one of {', '.join(LOSS_FUNCTIONS)}")
    log_n, log_d, log_l = np.log(runs.params), np.log(runs.tokens), np.log(runs.loss)
    n = log_l.size
    if n < 6:
        raise DataError(f"{runs.file}: the chinchilla law has 5 parameters and needs 6 or more runs, got {n}; add runs")
    if np.unique(log_n).size < 2 or np.unique(log_d).size < 2:
        raise DataError(
            f"{runs.file}: the chinchilla law needs runs at 2 or more model sizes and token counts; vary both N and D"
        )
    scores = batch_objective(REFERENCE_GRID, log_n, log_d, log_l, loss_fn, huber_delta)
    ones = np.ones(n)
    best: tuple[Array, float, bool] | None = None
    for index in np.argsort(scores, kind="stable")[:starts]:
        candidate = _minimise(REFERENCE_GRID[index], log_n, log_d, log_l, ones, loss_fn, huber_delta)
        if best is None or candidate[1] < best[1]:
            best = candidate
    assert best is not None
    theta, objective, converged = best
    if not (np.isfinite(theta).all() and math.isfinite(objective)):
        raise FitError(f"{runs.file}: the chinchilla law could not be fitted (non-finite optimum)")
    residuals = log_l - log_predict(theta, log_n, log_d)[0]
    boot = None
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)
        boot = np.array(
            [_minimise(theta, log_n, log_d, log_l, w, loss_fn, huber_delta)[0] for w in counts], dtype=float
        )
    return ChinchillaFit(theta, objective, converged, float(np.sqrt(np.mean(residuals**2))), boot, residuals)


def _interval(estimate: float, draws: Array, level: float) -> Estimate:
    tail = (1.0 - level) / 2.0
    finite = draws[np.isfinite(draws)]
    if finite.size == 0:
        return Estimate(estimate, (math.nan, math.nan))
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return Estimate(estimate, (float(min(low, estimate)), float(max(high, estimate))))


def allocation(params: Array, budget: float) -> tuple[Array, Array, Array]:
    """Closed-form compute-optimal ``N_opt``, ``D_opt`` and loss for rows of ``(E, A, B, alpha, beta)``.

    Notes
    -----
    Minimising ``L(N, C / 6N)`` gives ``N_opt = G (C/6)^a``, ``D_opt = G^-1 (C/6)^b`` with
    ``G = (alpha A / (beta B))^(1 / (alpha + beta))``, ``a = beta / (alpha + beta)``,
    ``b = alpha / (alpha + beta)``.
    """
    e, a_coef, b_coef, alpha, beta = (params[:, i] for i in range(5))
    with np.errstate(all="ignore"):
        g = (alpha * a_coef / (beta * b_coef)) ** (1.0 / (alpha + beta))
        n_opt = g * (budget / 6.0) ** (beta / (alpha + beta))
        d_opt = budget / (6.0 * n_opt)
        loss = e + a_coef / n_opt**alpha + b_coef / d_opt**beta
    return n_opt, d_opt, loss


def summarise(
    runs: TwoVariableRuns,
    fit: ChinchillaFit,
    *,
    level: float = 0.9,
    at: tuple[tuple[float, float], ...] = (),
    budgets: tuple[float, ...] = (),
    n_boot: int = 1000,
    seed: int = 0,
    loss_fn: str = "huber",
    huber_delta: float = 1e-3,
    excluded: tuple[str, ...] = (),
) -> ChinchillaResult:
    """Parameters, predictions at ``(N, D)`` pairs and optima at budgets, with percentile intervals."""
    params = fit.params()[0]
    boot = fit.params(fit.boot_theta) if fit.boot_theta is not None else np.empty((0, 5))
    named = tuple(
        (
            name,
            _interval(float(params[i]), boot[:, i], level),
            float(np.std(boot[:, i], ddof=1)) if len(boot) > 1 else math.nan,
        )
        for i, name in enumerate(PARAM_NAMES)
    )
    rng = np.random.default_rng([seed, 1])
    noise = fit.residuals[rng.integers(0, fit.residuals.size, size=len(boot))] if len(boot) else np.empty(0)
    predictions = []
    for n_value, d_value in at:
        _check_point(n_value, d_value)
        point = float(np.exp(log_predict(fit.theta, np.log([n_value]), np.log([d_value]))[0, 0]))
        draws = np.empty(0)
        if fit.boot_theta is not None:
            draws = np.exp(log_predict(fit.boot_theta, np.log([n_value]), np.log([d_value]))[:, 0])
        ci = _interval(point, draws, level).ci
        pi = _interval(point, draws * np.exp(noise), level).ci if len(boot) else ci
        pi = (min(pi[0], ci[0]), max(pi[1], ci[1]))
        predictions.append(PointForecast(n_value, d_value, point, ci, pi))
    optima = []
    for budget in budgets:
        n_opt, d_opt, loss = (float(v[0]) for v in allocation(params[None, :], budget))
        bn, bd, bl = allocation(boot, budget)
        optima.append(
            Optimum(
                budget,
                _interval(n_opt, bn, level),
                _interval(d_opt, bd, level),
                _interval(d_opt / n_opt, bd / bn, level),
                _interval(loss, bl, level),
            )
        )
    alpha, beta = params[3], params[4]
    exponents = (
        _interval(float(beta / (alpha + beta)), boot[:, 4] / (boot[:, 3] + boot[:, 4]), level),
        _interval(float(alpha / (alpha + beta)), boot[:, 3] / (boot[:, 3] + boot[:, 4]), level),
    )
    warnings = []
    if not fit.converged:
        warnings.append("the fit did not converge to its tolerance; the parameters may be inaccurate")
    if runs.loss.size < 30:
        warnings.append(
            f"only {runs.loss.size} runs: five parameters from so few runs are loosely determined; "
            "use 30 or more runs over several model sizes and token counts"
        )
    for name, value in (("alpha", alpha), ("beta", beta)):
        if value <= 1e-6:
            warnings.append(f"{name} is at its bound 0: the law has no {'size' if name == 'alpha' else 'data'} term")
    return ChinchillaResult(
        file=runs.file,
        n_runs=int(runs.loss.size),
        excluded=excluded,
        level=level,
        n_boot=len(boot),
        seed=seed,
        loss_fn=loss_fn,
        huber_delta=huber_delta,
        params=named,
        objective=fit.objective,
        rmse=fit.rmse,
        converged=fit.converged,
        predictions=tuple(predictions),
        optima=tuple(optima),
        exponents=exponents,
        warnings=tuple(warnings),
    )


def _check_point(n_value: float, d_value: float) -> None:
    if not (math.isfinite(n_value) and math.isfinite(d_value) and n_value > 0 and d_value > 0):
        raise ConfigError(f"--at {n_value:g},{d_value:g}: parameters and tokens must be positive numbers")


def parse_point(text: str) -> tuple[float, float]:
    """``"7e10,1.4e12"`` -> ``(N, D)``."""
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        n_value, d_value = float(parts[0]), float(parts[1])
    except ValueError:
        raise ConfigError(f"--at {text!r}: expected PARAMS,TOKENS like 7e10,1.4e12") from None
    _check_point(n_value, d_value)
    return n_value, d_value

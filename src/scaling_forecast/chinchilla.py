"""The two-variable law ``L(N, D) = E + A / N^alpha + B / D^beta`` and compute-optimal allocation.

Fitted as in Hoffmann et al. 2022 (approach 3) and its replication by Besiroglu et al. 2024: the
summed Huber loss (delta 1e-3) of ``log L - LSE(a - alpha log N, b - beta log D, e)``, with
``A = e^a``, ``B = e^b``, ``E = e^e``, minimised from a grid of starting points. The law is
:class:`~scaling_forecast.laws.ChinchillaLaw`, fitted by the batched engine. Uncertainty is a case
bootstrap over runs: each replicate refits runs drawn with replacement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError, DataError, FitError
from .fitting import LOSS_FUNCTIONS, fit_batch, refine
from .laws import Array, ChinchillaLaw
from .results import ChinchillaResult, Estimate, Optimum, PointForecast

PARAM_NAMES = ChinchillaLaw.param_names
#: Starts of the reference grid polished, best first.
POLISHED_STARTS = 20


@dataclass(frozen=True, eq=False)
class TwoVariableRuns:
    """Runs with parameters ``N``, tokens ``D`` and final loss ``L``."""

    params: Array
    tokens: Array
    loss: Array
    names: tuple[str, ...]
    file: str = "<data>"

    @property
    def design(self) -> Array:
        """``(log N, log D)`` per run: ``(n, 2)``."""
        return np.column_stack([np.log(self.params), np.log(self.tokens)])


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
        return LAW.to_user(np.atleast_2d(self.theta if theta is None else theta), 0.0)


LAW = ChinchillaLaw()


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
    The batched engine (:func:`~scaling_forecast.fitting.fit_batch`) scans the 4,500 starts of
    :data:`~scaling_forecast.laws.CHINCHILLA_GRID`, polishes the ``starts`` best and keeps the lowest
    objective. Replicate ``r`` refits runs drawn with replacement, all replicates in one batch,
    each polished from the fit.
    """
    if loss_fn not in LOSS_FUNCTIONS:
        raise ConfigError(f"--loss-fn {loss_fn!r}: unknown loss function; choose one of {', '.join(LOSS_FUNCTIONS)}")
    design, log_l = runs.design, np.log(runs.loss)
    n = log_l.size
    if n < 6:
        raise DataError(f"{runs.file}: the chinchilla law has 5 parameters and needs 6 or more runs, got {n}; add runs")
    if np.unique(design[:, 0]).size < 2 or np.unique(design[:, 1]).size < 2:
        raise DataError(
            f"{runs.file}: the chinchilla law needs runs at 2 or more model sizes and token counts; vary both N and D"
        )
    first = fit_batch(LAW, design, log_l[None, :], n_starts=starts, loss_fn=loss_fn, huber_delta=huber_delta)
    best = refine(LAW, design, log_l[None, :], first, loss_fn=loss_fn, huber_delta=huber_delta)
    theta, objective = best.theta[0], float(best.objective[0])
    if not (np.isfinite(theta).all() and math.isfinite(objective)):
        raise FitError(f"{runs.file}: the chinchilla law could not be fitted (non-finite optimum)")
    residuals = log_l - LAW.log_predict(theta[None, :], design)[0]
    boot = None
    if n_boot > 0:
        drawn = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
        replicates = fit_batch(
            LAW, design[drawn], log_l[drawn], warm_start=theta, loss_fn=loss_fn, huber_delta=huber_delta
        )
        boot = np.where(np.isfinite(replicates.objective)[:, None], replicates.theta, np.nan)
    return ChinchillaFit(
        theta, objective, bool(best.converged[0]), float(np.sqrt(np.mean(residuals**2))), boot, residuals
    )


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
        design = np.log([[n_value, d_value]])
        point = float(np.exp(LAW.log_predict(fit.theta[None, :], design)[0, 0]))
        draws = np.empty(0)
        if fit.boot_theta is not None:
            draws = np.exp(LAW.log_predict(fit.boot_theta, design)[:, 0])
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

"""Misspecification check: the ladder's own rolling-origin forecasts, tested against what noise alone would give.

When the law is wrong, in-sample scatter can be tiny while forecasts drift off further the more they
extrapolate, and every interval built from the residuals is too narrow. The ladder can tell, up to
a point: fit its smallest runs, forecast its larger ones, and ask whether the errors keep one sign
and grow with distance more than they would if the law held.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..laws import Array, Law
from ..results import Drift
from .fitting import LEAST_SQUARES, Objective, fit_batch, refine
from .rolling import rolling_origins
from .streams import Stream, stream
from .uncertainty import residual_bootstrap

#: The drift test's level: a ladder whose p-value is below it is said to drift (the false-alarm rate).
DRIFT_LEVEL = 0.05
#: Replicates of the ladder under its fitted law that give the test's null distribution.
NULL_REPLICATES = 200
#: Fewer rolling forecasts than this cannot test anything.
MIN_FORECASTS = 3
#: Polish steps of a replicate's window fit: a test needs its statistic, not the last digits of each optimum.
REPLICATE_ITERATIONS = 40
#: At most this many rolling windows (the ladders of 12 runs or fewer keep every one).
MAX_WINDOWS = 10


def windows(log_c: Array, n_params: int) -> list[int]:
    """Sizes ``k`` of the rolling windows of the sorted runs: ``p + 1`` to ``n - 1``, fittable, below the next run.

    Of more than :data:`MAX_WINDOWS` such windows, that many evenly spaced ones (the first and the last
    among them): the null replicates use the same windows, so the test keeps its level.
    """
    origins = rolling_origins(log_c, min_distinct=n_params + 1, start=n_params + 1, max_windows=MAX_WINDOWS)
    return [k for k, _ in origins]


def rolling_forecasts(law: Law, log_c: Array, log_y: Array, options: dict[str, Any]) -> tuple[Array, Array, Array]:
    """Every forecast of a larger run from a window of the smallest runs, for each row of ``log_y``.

    The first row is fitted from the law's global start; the others (replicates of it) are polished
    from its fit, with the start's scan as a certificate (:func:`~scaling_forecast.fitting.fit_batch`).

    Notes
    -----
    Runs sorted by compute. Each window holds the ``k`` smallest runs, ``k`` from ``p + 1`` (one
    residual degree of freedom) to ``n - 1``, at ``p + 1`` or more distinct compute values and
    strictly below the next run. The law is fitted to the window (every row at once) and each
    larger run ``j`` forecast: the error ``e = log y_j - log f_k(C_j)``, its variance inflation
    ``u = 1 + g' (J'J)^+ g`` (the forecast's variance is ``u s^2`` when the law holds with noise
    ``s``), and its distance ``d = log10(C_j / C_k)`` from the window's largest run.
    ``(B, n) -> (B, F), (B, F), (F,)``.
    """
    errors, inflation, distance = [], [], []
    for k in windows(log_c, law.n_params):
        centre = log_c[:k].mean()
        window = log_c[:k] - centre
        first = fit_batch(law, window, log_y[:1, :k], **options).theta
        theta = first
        if log_y.shape[0] > 1:
            rest = fit_batch(law, window, log_y[1:, :k], warm_start=first[0], max_iter=REPLICATE_ITERATIONS, **options)
            theta = np.vstack([first, rest.theta])
        jacobian = law.log_jacobian(theta, window)
        with np.errstate(all="ignore"):
            inverse = np.linalg.pinv(jacobian.transpose(0, 2, 1) @ jacobian, hermitian=True)
        ahead = log_c[k:] - centre
        gradient = law.log_jacobian(theta, ahead)
        errors.append(log_y[:, k:] - law.log_predict(theta, ahead))
        inflation.append(1.0 + np.einsum("bmp,bpq,bmq->bm", gradient, inverse, gradient))
        distance.append((log_c[k:] - log_c[k - 1]) / math.log(10.0))
    if not errors:
        empty = np.zeros((log_y.shape[0], 0))
        return empty, empty, np.zeros(0)
    return np.concatenate(errors, axis=1), np.concatenate(inflation, axis=1), np.concatenate(distance)


def trend(errors: Array, inflation: Array, distance: Array, sigma: Array) -> tuple[Array, Array]:
    """The drift statistic and the excess error per decade of each row.

    Notes
    -----
    With weights ``w = d / u`` (far forecasts count more, noisy ones less), the statistic is the
    standardised weighted sum ``T = |sum w e| / (s sqrt(sum w^2 u))``, about ``|N(0, 1)|`` when
    the law holds, large when errors keep one sign and grow with distance. The excess per decade
    is the weighted least-squares slope of ``e`` on ``d`` through the origin,
    ``|sum (d / u) e| / sum (d^2 / u)``.
    """
    with np.errstate(all="ignore"):
        weight = distance / inflation
        total = np.nansum(weight * errors, axis=1)
        statistic = np.abs(total) / (sigma * np.sqrt(np.nansum(weight**2 * inflation, axis=1)))
        excess = np.abs(total) / np.nansum(weight * distance, axis=1)
    return statistic, excess


def rolling_drift(law: Law, compute: Array, y: Array, *, objective: Objective = LEAST_SQUARES, seed: int = 0) -> Drift:
    """Test whether the ladder's rolling forecasts drift more than its noise explains.

    Notes
    -----
    The law is fitted to all runs; ``s`` is its residual scale. The observed statistic
    (:func:`trend` over :func:`rolling_forecasts`) is compared with its distribution over
    :data:`NULL_REPLICATES` ladders drawn from the fitted law with resampled leverage-adjusted
    residuals (each refitted for its own ``s``): ``p = (1 + #{T* >= T}) / (1 + R)``. The ladder
    drifts when ``p`` is below :data:`DRIFT_LEVEL`, which is then the false-alarm rate on ladders
    that follow the law. With fewer than :data:`MIN_FORECASTS` forecasts the check cannot run
    (``too_few``).
    """
    order = np.argsort(compute, kind="stable")
    compute, y = np.asarray(compute, dtype=float)[order], np.asarray(y, dtype=float)[order]
    log_c, log_y = np.log(compute), np.log(y)
    options: dict[str, Any] = {"objective": objective}
    n, p = log_c.size, law.n_params
    n_forecasts = sum(n - k for k in windows(log_c, p))
    if n_forecasts < MIN_FORECASTS:  # which also leaves the fit to all runs p + 3 or more of them
        return Drift(law.name, n_forecasts, None, None, None, None, None, too_few=True)
    log_x = log_c - log_c.mean()
    best = refine(law, log_x, log_y[None, :], fit_batch(law, log_x, log_y[None, :], **options), **options)
    theta = best.theta[0]
    fitted = law.log_predict(theta[None, :], log_x)[0]
    residuals = log_y - fitted
    sigma = math.sqrt(float(residuals @ residuals) / (n - p))
    null_y = residual_bootstrap(law, theta, log_x, log_y, stream(seed, Stream.DRIFT_NULL), NULL_REPLICATES).data()
    null_fit = fit_batch(law, log_x, null_y, warm_start=theta, **options)
    null_residuals = null_y - law.log_predict(null_fit.theta, log_x)
    null_sigma = np.sqrt((null_residuals**2).sum(axis=1) / (n - p))
    every_errors, every_inflation, distance = rolling_forecasts(law, log_c, np.vstack([log_y, null_y]), options)
    errors, inflation = every_errors[:1], every_inflation[:1]
    statistic, excess = trend(errors, inflation, distance, np.array([sigma]))
    null_statistic, _ = trend(every_errors[1:], every_inflation[1:], distance, null_sigma)
    finite = null_statistic[np.isfinite(null_statistic)]
    observed = float(statistic[0]) if np.isfinite(statistic[0]) else 0.0
    p_value = float((1 + (finite >= observed).sum()) / (1 + finite.size))
    worst = int(np.nanargmax(np.abs(errors[0])))
    return Drift(
        law=law.name,
        n_forecasts=int(distance.size),
        statistic=observed,
        p_value=p_value,
        excess=float(excess[0]) if np.isfinite(excess[0]) else 0.0,
        worst_error=float(np.expm1(abs(errors[0, worst]))),
        worst_factor=float(10.0 ** distance[worst]),
        warned=p_value < DRIFT_LEVEL,
    )

"""Batched estimators in log space: a global start from the law, then a bounded Levenberg-Marquardt polish.

Every function works on a batch of ``B`` data sets sharing the same compute values (the fitted
runs and all their bootstrap replicates), so one call fits them all with numpy array operations.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import numpy as np

from .laws import Array, BoolArray, Law

LOSS_FUNCTIONS = ("lsq", "huber")

_Function = TypeVar("_Function", bound=Callable[..., Any])


def quiet(function: _Function) -> _Function:
    """Overflow at extreme trial parameters is expected and handled: keep numpy silent."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(all="ignore"):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def rho(residuals: Array, loss_fn: str = "lsq", huber_delta: float = 1e-3) -> Array:
    """Elementwise loss of log residuals ``r``.

    Notes
    -----
    ``lsq``: ``r^2 / 2``. ``huber``: ``r^2 / 2`` for ``|r| <= delta``, else
    ``delta * (|r| - delta / 2)`` (the same as ``scipy.special.huber``).
    """
    if loss_fn == "lsq":
        return np.asarray(0.5 * residuals**2)
    magnitude = np.abs(residuals)
    quadratic = 0.5 * residuals**2
    linear = huber_delta * (magnitude - 0.5 * huber_delta)
    return np.asarray(np.where(magnitude <= huber_delta, quadratic, linear), dtype=float)


def objective(residuals: Array, loss_fn: str = "lsq", huber_delta: float = 1e-3) -> Array:
    """Summed loss per row: ``(B, n) -> (B,)``."""
    return np.asarray(rho(residuals, loss_fn, huber_delta).sum(axis=-1), dtype=float)


def _score_and_curvature(residuals: Array, loss_fn: str, huber_delta: float) -> tuple[Array, Array]:
    """``psi = rho'(r)`` and the Gauss-Newton curvature weight ``rho''(r)``.

    Huber's curvature is 0 outside ``|r| <= delta``; a small IRLS-like weight keeps the
    system definite there while steps are damped.
    """
    if loss_fn == "lsq":
        return residuals, np.ones_like(residuals)
    magnitude = np.abs(residuals)
    inside = magnitude <= huber_delta
    score = np.clip(residuals, -huber_delta, huber_delta)
    curvature = np.where(inside, 1.0, 1e-3 * huber_delta / np.maximum(magnitude, 1e-300))
    return score, curvature


@dataclass(frozen=True, eq=False)
class BatchFit:
    """Optimum of each data set in a batch.

    Attributes
    ----------
    theta : (B, p) internal parameters.
    objective : (B,) summed loss at the optimum.
    converged : (B,) whether the polish met its tolerance.
    """

    theta: Array
    objective: Array
    converged: BoolArray


@quiet
def fit_batch(
    law: Law,
    log_x: Array,
    log_y: Array,
    *,
    loss_fn: str = "lsq",
    huber_delta: float = 1e-3,
    n_starts: int = 3,
    warm_start: Array | None = None,
    max_iter: int = 200,
) -> BatchFit:
    """Fit ``law`` to every row of ``log_y`` ``(B, n)`` observed at ``log_x`` ``(n,)``.

    Notes
    -----
    Minimises ``sum_i rho(log y_i - log f(x_i; theta))``. ``law.initial`` scans the law's
    nonlinear parameter and returns the best ``n_starts`` basins of the scan. Without
    ``warm_start`` each basin is polished and the lowest objective kept. With ``warm_start``
    (a ``(p,)`` vector, e.g. the fit of which the rows are bootstrap replicates) every row is
    polished from it first, and a basin of the scan is polished too only where its scan
    value already beats that optimum, i.e. where the warm start provably missed the global one.
    """
    row_objective = partial(objective, loss_fn=loss_fn, huber_delta=huber_delta)
    log_y = np.atleast_2d(np.asarray(log_y, dtype=float))
    n_rows = log_y.shape[0]
    starts = law.project(law.initial(log_x, log_y, row_objective, n_starts))
    n_params = starts.shape[2]
    options = partial(polish, law, log_x, loss_fn=loss_fn, huber_delta=huber_delta, max_iter=max_iter)
    if warm_start is not None:
        best = options(log_y, np.broadcast_to(warm_start, (n_rows, n_params)).copy())
        scan = row_objective(
            log_y[:, None, :] - law.log_predict(starts.reshape(-1, n_params), log_x).reshape(n_rows, -1, log_x.size)
        )
        rows, basins = np.nonzero(scan < best.objective[:, None] * (1.0 - 1e-9))
    else:
        best = None
        rows, basins = np.repeat(np.arange(n_rows), starts.shape[1]), np.tile(np.arange(starts.shape[1]), n_rows)
    if rows.size == 0:
        assert best is not None
        return best
    polished = options(log_y[rows], starts[rows, basins])
    n_slots = starts.shape[1] + 1  # the scan's basins and the warm start
    values = np.full((n_rows, n_slots), np.inf)
    values[rows, basins] = np.where(np.isfinite(polished.objective), polished.objective, np.inf)
    thetas = np.zeros((n_rows, n_slots, n_params))
    thetas[rows, basins] = polished.theta
    flags = np.zeros((n_rows, n_slots), dtype=bool)
    flags[rows, basins] = polished.converged
    if best is not None:
        values[:, -1] = np.where(np.isfinite(best.objective), best.objective, np.inf)
        thetas[:, -1], flags[:, -1] = best.theta, best.converged
    pick = np.argmin(values, axis=1)
    index = np.arange(n_rows)
    chosen = values[index, pick]
    return BatchFit(
        np.where(np.isfinite(chosen)[:, None], thetas[index, pick], np.nan),
        np.where(np.isfinite(chosen), chosen, np.nan),
        flags[index, pick],
    )


@quiet
def polish(
    law: Law,
    log_x: Array,
    log_y: Array,
    theta: Array,
    *,
    loss_fn: str = "lsq",
    huber_delta: float = 1e-3,
    max_iter: int = 200,
) -> BatchFit:
    """Bounded Levenberg-Marquardt from ``theta`` ``(B, p)`` for each row of ``log_y``.

    Notes
    -----
    Steps solve ``(J^T W J + lambda diag(J^T J)) delta = J^T psi(r)`` with ``psi = rho'`` and
    ``W = rho''`` (for least squares ``psi(r) = r`` and ``W = I``: Gauss-Newton). Parameters at
    an active bound are held fixed for the step; a step is kept only if it lowers the objective.
    """
    row_objective = partial(objective, loss_fn=loss_fn, huber_delta=huber_delta)
    theta = law.project(theta)
    lower, upper = np.array(law.lower), np.array(law.upper)
    residuals = log_y - law.log_predict(theta, log_x)
    current = row_objective(residuals)
    n_rows, n_params = theta.shape
    damping = np.full(n_rows, 1e-5)
    done = ~np.isfinite(current)
    converged = np.zeros(n_rows, dtype=bool)
    eye = np.eye(n_params)
    for _ in range(max_iter):
        rows = np.flatnonzero(~done)
        if rows.size == 0:
            break
        theta_k, residuals_k = theta[rows], residuals[rows]
        jacobian = law.log_jacobian(theta_k, log_x)
        score, curvature = _score_and_curvature(residuals_k, loss_fn, huber_delta)
        normal = np.einsum("knp,kn,knq->kpq", jacobian, curvature, jacobian)
        gradient = np.einsum("knp,kn->kp", jacobian, score)
        free = ~(((theta_k <= lower) & (gradient < 0)) | ((theta_k >= upper) & (gradient > 0)))
        scale = np.maximum(np.einsum("knp,knp->kp", jacobian, jacobian), 1e-300)
        score_norm = np.einsum("kn,kn->k", score, score)
        cosine = np.abs(gradient * free) / np.sqrt(scale * np.maximum(score_norm, 1e-300)[:, None])
        at_optimum = (cosine.max(axis=1) < 1e-8) | (current[rows] <= 1e-300)
        mask = free[:, :, None] & free[:, None, :]
        system = np.where(mask, normal, 0.0) + eye * np.where(free, damping[rows, None] * scale, 1.0)[:, None, :]
        step = np.linalg.solve(system, (gradient * free)[..., None])[..., 0]
        trial = law.project(theta_k + step)
        trial_residuals = log_y[rows] - law.log_predict(trial, log_x)
        trial_objective = row_objective(trial_residuals)
        better = (trial_objective < current[rows]) & ~at_optimum
        decrease = (current[rows] - trial_objective) / np.maximum(current[rows], 1e-300)
        tiny_step = np.all(np.abs(trial - theta_k) <= 1e-12 * (np.abs(theta_k) + 1e-12), axis=1)
        accepted = rows[better]
        theta[accepted] = trial[better]
        residuals[accepted] = trial_residuals[better]
        current[accepted] = trial_objective[better]
        damping[rows] = np.where(better, damping[rows] / 3.0, damping[rows] * 4.0)
        finished = at_optimum | (better & ((decrease < 1e-14) | tiny_step)) | (~better & (np.abs(decrease) < 1e-14))
        stalled = damping[rows] > 1e12
        converged[rows[finished]] = True
        done[rows[finished | stalled]] = True
    return BatchFit(theta=theta, objective=current, converged=converged & np.isfinite(current))


@quiet
def refine(
    law: Law,
    log_x: Array,
    log_y: Array,
    start: BatchFit,
    *,
    loss_fn: str = "lsq",
    huber_delta: float = 1e-3,
) -> BatchFit:
    """Second polish of single fits that did not converge, with ``scipy.optimize.least_squares``.

    Huber's objective with a tiny ``delta`` is close to least absolute deviations, whose kinks
    slow Gauss-Newton down; scipy's trust-region reflective method finishes the job. The result
    is kept only where it lowers the objective.
    """
    from scipy.optimize import least_squares

    theta, current, converged = start.theta.copy(), start.objective.copy(), start.converged.copy()
    lower, upper = np.array(law.lower), np.array(law.upper)
    for row in np.flatnonzero(~converged & np.isfinite(current)):
        x0 = np.clip(theta[row], np.nextafter(lower, upper), np.nextafter(upper, lower))
        solution = least_squares(
            lambda t, r=row: log_y[r] - law.log_predict(t[None, :], log_x)[0],
            x0,
            jac=lambda t, r=row: -law.log_jacobian(t[None, :], log_x)[0],
            bounds=(lower, upper),
            loss="linear" if loss_fn == "lsq" else "huber",
            f_scale=huber_delta,
            xtol=1e-15,
            ftol=1e-15,
            gtol=1e-15,
            max_nfev=2000,
        )
        value = objective((log_y[row] - law.log_predict(solution.x[None, :], log_x)[0])[None, :], loss_fn, huber_delta)[
            0
        ]
        if value <= current[row]:
            theta[row], current[row] = solution.x, value
            converged[row] = bool(solution.success)
    return BatchFit(theta, current, converged)

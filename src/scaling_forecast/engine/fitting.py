"""Batched estimators in log space: a global start from the law, then a bounded Levenberg-Marquardt polish.

Every function works on a batch of ``B`` data sets sharing the same compute values (the fitted
runs and all their bootstrap replicates), so one call fits them all with numpy array operations.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from ..laws import Array, BoolArray, IndexArray, Law
from ..settings import DEFAULTS

_Function = TypeVar("_Function", bound=Callable[..., Any])


def quiet(function: _Function) -> _Function:
    """Overflow at extreme trial parameters is expected and handled: keep numpy silent."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(all="ignore"):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True)
class Objective:
    """The objective on log residuals ``r``: least squares (``lsq``), or Huber's loss with threshold ``delta``.

    Notes
    -----
    ``lsq``: ``rho(r) = r^2 / 2``. ``huber``: ``r^2 / 2`` for ``|r| <= delta``, else
    ``delta * (|r| - delta / 2)`` (the same as ``scipy.special.huber``). Called on residuals ``(B, n)``,
    it gives each row's sum ``(B,)``.
    """

    loss_fn: str = "lsq"
    delta: float = DEFAULTS["huber_delta"]

    def rho(self, residuals: Array) -> Array:
        """Elementwise loss of the residuals."""
        if self.loss_fn == "lsq":
            return np.asarray(0.5 * residuals**2)
        magnitude = np.abs(residuals)
        quadratic = 0.5 * residuals**2
        linear = self.delta * (magnitude - 0.5 * self.delta)
        return np.asarray(np.where(magnitude <= self.delta, quadratic, linear), dtype=float)

    def __call__(self, residuals: Array) -> Array:
        """Summed loss per row: ``(B, n) -> (B,)``."""
        return np.asarray(self.rho(residuals).sum(axis=-1), dtype=float)

    def score_and_curvature(self, residuals: Array) -> tuple[Array, Array]:
        """``psi = rho'(r)`` and the Gauss-Newton curvature weight ``rho''(r)``.

        Huber's curvature is 0 outside ``|r| <= delta``; a small IRLS-like weight keeps the
        system definite there while steps are damped.
        """
        if self.loss_fn == "lsq":
            return residuals, np.ones_like(residuals)
        magnitude = np.abs(residuals)
        inside = magnitude <= self.delta
        score = np.clip(residuals, -self.delta, self.delta)
        curvature = np.where(inside, 1.0, 1e-3 * self.delta / np.maximum(magnitude, 1e-300))
        return score, curvature


#: Least squares on log residuals: the default objective.
LEAST_SQUARES = Objective()


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
    objective: Objective = LEAST_SQUARES,
    n_starts: int | None = None,
    warm_start: Array | None = None,
    max_iter: int = 200,
) -> BatchFit:
    """Fit ``law`` to every row of ``log_y`` ``(B, n)`` observed at ``log_x`` ``(n,)`` or ``(B, n)``.

    Notes
    -----
    Minimises ``sum_i rho(log y_i - log f(x_i; theta))``. ``law.initial`` scans the law's
    nonlinear parameter and returns the best ``n_starts`` basins of the scan. Without
    ``warm_start`` each basin is polished and the lowest objective kept. With ``warm_start``
    (a ``(p,)`` vector, e.g. the fit of which the rows are bootstrap replicates) every row is
    polished from it first, and a basin of the scan is polished too only where its scan
    value already beats that optimum, i.e. where the warm start provably missed the global one.
    A law whose scan is a large grid (``law.rescans`` false) keeps the warm-started polish.
    """
    row_objective = objective
    log_y = np.atleast_2d(np.asarray(log_y, dtype=float))
    n_rows, n_runs = log_y.shape

    def rows_x(rows: IndexArray) -> Array:
        return log_x[rows] if law.per_row(log_x) else log_x

    def options(rows: IndexArray, theta: Array) -> BatchFit:
        return polish(law, rows_x(rows), log_y[rows], theta, objective=objective, max_iter=max_iter)

    best: BatchFit | None = None
    if warm_start is not None:
        every = np.arange(n_rows)
        best = options(every, np.broadcast_to(warm_start, (n_rows, warm_start.size)).copy())
        if not law.rescans:
            return best
    starts = law.project(law.initial(log_x, log_y, row_objective, n_starts or law.n_starts))
    n_params = starts.shape[2]
    if best is not None:
        scan_x = np.repeat(log_x, starts.shape[1], axis=0) if law.per_row(log_x) else log_x
        scan = row_objective(
            log_y[:, None, :] - law.log_predict(starts.reshape(-1, n_params), scan_x).reshape(n_rows, -1, n_runs)
        )
        rows, basins = np.nonzero(scan < best.objective[:, None] * (1.0 - 1e-9))
    else:
        rows, basins = np.repeat(np.arange(n_rows), starts.shape[1]), np.tile(np.arange(starts.shape[1]), n_rows)
    if rows.size == 0:
        assert best is not None
        return best
    polished = options(rows, starts[rows, basins])
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
    objective: Objective = LEAST_SQUARES,
    max_iter: int = 200,
) -> BatchFit:
    """Bounded Levenberg-Marquardt from ``theta`` ``(B, p)`` for each row of ``log_y``.

    Notes
    -----
    Steps solve ``(J^T W J + lambda diag(J^T J)) delta = J^T psi(r)`` with ``psi = rho'`` and
    ``W = rho''`` (for least squares ``psi(r) = r`` and ``W = I``: Gauss-Newton). Parameters at
    an active bound are held fixed for the step; a step is kept only if it lowers the objective.
    """
    row_objective = objective
    lsq = objective.loss_fn == "lsq"
    theta = law.project(theta)
    lower, upper = np.array(law.lower), np.array(law.upper)
    residuals = log_y - law.log_predict(theta, log_x)
    current = row_objective(residuals)
    n_rows, n_params = theta.shape
    damping = np.full(n_rows, 1e-5)
    done = ~np.isfinite(current)
    converged = np.zeros(n_rows, dtype=bool)
    diagonal = np.arange(n_params)
    for _ in range(max_iter):
        rows = np.flatnonzero(~done)
        if rows.size == 0:
            break
        take: slice | IndexArray = slice(None) if rows.size == n_rows else rows  # views while every row is active
        theta_k, residuals_k = theta[take], residuals[take]
        x_k = log_x[take] if law.per_row(log_x) else log_x
        jacobian = law.log_jacobian(theta_k, x_k)
        transposed = np.ascontiguousarray(jacobian.transpose(0, 2, 1))
        score, curvature = objective.score_and_curvature(residuals_k)
        if lsq:
            normal = normal_matrix(transposed)
            scale = np.maximum(np.diagonal(normal, axis1=1, axis2=2), 1e-300)
        else:
            normal = (transposed * curvature[:, None, :]) @ transposed.transpose(0, 2, 1)
            scale = np.maximum(np.einsum("bpn,bpn->bp", transposed, transposed), 1e-300)
        gradient = np.einsum("bpn,bn->bp", transposed, score)
        free = ~(((theta_k <= lower) & (gradient < 0)) | ((theta_k >= upper) & (gradient > 0)))
        score_norm = np.einsum("bn,bn->b", score, score)
        cosine = np.abs(gradient * free) / np.sqrt(scale * np.maximum(score_norm, 1e-300)[:, None])
        at_optimum = (cosine.max(axis=1) < 1e-8) | (current[take] <= 1e-300)
        system = normal if free.all() else np.where(free[:, :, None] & free[:, None, :], normal, 0.0)
        damped = np.diagonal(normal, axis1=1, axis2=2) + damping[take, None] * scale
        system[:, diagonal, diagonal] = np.where(free, damped, 1.0)
        # least squares on a law of 3 parameters: the adjugate's closed form, 3x faster (Huber's weighted
        # systems can be far worse conditioned, and keep the elimination)
        solve = _solve_three if lsq and n_params == 3 else solve_small
        step = solve(system, gradient * free)
        trial = law.project(theta_k + step)
        trial_residuals = log_y[take] - law.log_predict(trial, x_k)
        trial_objective = row_objective(trial_residuals)
        current_k = current[take]
        better = (trial_objective < current_k) & ~at_optimum
        decrease = (current_k - trial_objective) / np.maximum(current_k, 1e-300)
        tiny_step = np.all(np.abs(trial - theta_k) <= 1e-12 * (np.abs(theta_k) + 1e-12), axis=1)
        accepted = rows[better]
        theta[accepted] = trial[better]
        residuals[accepted] = trial_residuals[better]
        current[accepted] = trial_objective[better]
        damping[rows] = np.where(better, damping[rows] / 3.0, damping[rows] * 4.0)
        finished = at_optimum | (better & ((decrease < 1e-12) | tiny_step)) | (~better & (np.abs(decrease) < 1e-12))
        stalled = damping[rows] > 1e12
        converged[rows[finished]] = True
        done[rows[finished | stalled]] = True
    return BatchFit(theta=theta, objective=current, converged=converged & np.isfinite(current))


def solve_small(system: Array, rhs: Array) -> Array:
    """Solve ``(B, p, p) x = (B, p)`` (or ``(B, p, k)``) for many small positive definite systems.

    Gaussian elimination without pivoting, vectorised over the batch: for ``p <= 5`` this is
    several times faster than LAPACK called once per system. A singular system gives non-finite
    entries, which callers treat as a rejected step (or fall back to a pseudo-inverse).
    """
    vector = rhs.ndim == 2
    a = system.copy()
    b = rhs[:, :, None].copy() if vector else rhs.copy()
    size = a.shape[1]
    for i in range(size):
        for j in range(i + 1, size):
            factor = a[:, j, i] / a[:, i, i]
            a[:, j, i:] -= factor[:, None] * a[:, i, i:]
            b[:, j] -= factor[:, None] * b[:, i]
    x = np.empty_like(b)
    for i in reversed(range(size)):
        x[:, i] = (b[:, i] - (a[:, i, i + 1 :, None] * x[:, i + 1 :]).sum(axis=1)) / a[:, i, i, None]
    return x[:, :, 0] if vector else x


def _solve_three(system: Array, rhs: Array) -> Array:
    """:func:`solve_small` for ``(B, 3, 3), (B, 3) -> (B, 3)`` by the adjugate: ``x = adj(A) b / det(A)``."""
    a, b, c = system[:, 0, 0], system[:, 0, 1], system[:, 0, 2]
    d, e, f = system[:, 1, 0], system[:, 1, 1], system[:, 1, 2]
    g, h, i = system[:, 2, 0], system[:, 2, 1], system[:, 2, 2]
    adjugate = np.empty_like(system)
    adjugate[:, 0, 0], adjugate[:, 0, 1], adjugate[:, 0, 2] = e * i - f * h, c * h - b * i, b * f - c * e
    adjugate[:, 1, 0], adjugate[:, 1, 1], adjugate[:, 1, 2] = f * g - d * i, a * i - c * g, c * d - a * f
    adjugate[:, 2, 0], adjugate[:, 2, 1], adjugate[:, 2, 2] = d * h - e * g, b * g - a * h, a * e - b * d
    determinant = a * adjugate[:, 0, 0] + b * adjugate[:, 1, 0] + c * adjugate[:, 2, 0]
    solution = adjugate[:, :, 0] * rhs[:, 0, None] + adjugate[:, :, 1] * rhs[:, 1, None]
    solution += adjugate[:, :, 2] * rhs[:, 2, None]
    return np.asarray(solution / determinant[:, None], dtype=float)


def normal_matrix(transposed: Array) -> Array:
    """``J^T J`` from ``J^T`` ``(B, p, n)``: one row dot product per pair (faster than batched matmul for small p)."""
    n_params = transposed.shape[1]
    normal = np.empty((transposed.shape[0], n_params, n_params))
    for i in range(n_params):
        for j in range(i, n_params):
            normal[:, i, j] = normal[:, j, i] = np.einsum("bn,bn->b", transposed[:, i], transposed[:, j])
    return normal


@quiet
def refine(
    law: Law,
    log_x: Array,
    log_y: Array,
    start: BatchFit,
    *,
    objective: Objective = LEAST_SQUARES,
) -> BatchFit:
    """Second polish of single fits that did not converge, with ``scipy.optimize.least_squares``.

    Huber's objective with a tiny ``delta`` is close to least absolute deviations, whose kinks
    slow Gauss-Newton down; scipy's trust-region reflective method finishes the job. The result
    is kept only where it lowers the objective.
    """
    theta, current, converged = start.theta.copy(), start.objective.copy(), start.converged.copy()
    lower, upper = np.array(law.lower), np.array(law.upper)
    for row in np.flatnonzero(~converged & np.isfinite(current)):
        from scipy.optimize import least_squares  # only here: its import alone costs 0.4 s

        row_x = log_x[row] if law.per_row(log_x) else log_x
        x0 = np.clip(theta[row], np.nextafter(lower, upper), np.nextafter(upper, lower))
        solution = least_squares(
            lambda t, r=row, rx=row_x: log_y[r] - law.log_predict(t[None, :], rx)[0],
            x0,
            jac=lambda t, rx=row_x: -law.log_jacobian(t[None, :], rx)[0],
            bounds=(lower, upper),
            loss="linear" if objective.loss_fn == "lsq" else "huber",
            f_scale=objective.delta,
            xtol=1e-15,
            ftol=1e-15,
            gtol=1e-15,
            max_nfev=2000,
        )
        value = objective((log_y[row] - law.log_predict(solution.x[None, :], row_x)[0])[None, :])[0]
        if value <= current[row]:
            theta[row], current[row] = solution.x, value
            converged[row] = bool(solution.success)
    return BatchFit(theta, current, converged)

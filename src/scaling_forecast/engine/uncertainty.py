"""Uncertainty of a fitted law: delta method and a studentised residual bootstrap.

Both give, for any quantity ``q`` that is a smooth function of the parameters (a reported
parameter, or ``log L`` at a target compute), a confidence interval for ``q`` (``ci``) and, for
predictions, an interval for a new run's ``log L`` (``pi``).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..laws import Array, IndexArray, Law
from .fitting import LEAST_SQUARES, Objective, fit_batch, normal_matrix, solve_small

#: The memory a batch of bootstrap refits may take, and the arrays of ``n x p`` floats a refit holds.
CHUNK_BYTES = 256 * 2**20
FIT_ARRAYS = 40
#: Leverages are capped here so that one near-interpolated run cannot blow up its residual.
MAX_LEVERAGE = 0.95
#: Below this many residual degrees of freedom the bootstrap is not studentised.
MIN_STUDENTISED_DOF = 3


@functools.lru_cache(maxsize=256)
def student_t_quantile(probability: float, dof: int) -> float:
    """Quantile of Student's t distribution with ``dof`` degrees of freedom."""
    from scipy.special import stdtrit

    return float(stdtrit(dof, probability))


def studentised_interval(
    estimate: Array,
    stderr: Array,
    boot_centre: Array,
    boot_estimate: Array,
    boot_stderr: Array,
    dof: int,
    level: float,
) -> Array:
    """Bootstrap-t interval of ``m`` quantities, never narrower than the Student-t delta interval.

    Notes
    -----
    The pivot ``T = (q_true - q) / se`` is replaced by its replicate analogue
    ``T* = (c* - q*) / se*`` (``c*`` is ``q``, or ``q`` plus a new run's noise) and the interval is
    ``q + se [T*_(a/2), T*_(1-a/2)]``. With fewer than 3 degrees of freedom a replicate's own
    ``se*`` can be about 0, so the pivot is not studentised (``T* = c* - q*``, ``se = 1``). The
    result is widened where needed to hold ``q +- t_{dof} se`` and always contains ``q``.
    ``(m,), (m,), (B, m), (B, m), (B, m) -> (m, 2)``.
    """
    tail = (1.0 - level) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        if dof >= MIN_STUDENTISED_DOF:
            pivot, pivot_scale = (boot_centre - boot_estimate) / boot_stderr, stderr
        else:
            pivot, pivot_scale = boot_centre - boot_estimate, np.ones_like(stderr)
    pivot = np.where(np.isfinite(pivot), pivot, np.nan)
    low_q, high_q = nan_quantiles(pivot, tail)
    half = student_t_quantile(1.0 - tail, dof) * stderr
    low = np.minimum(np.minimum(estimate + pivot_scale * low_q, estimate - half), estimate)
    high = np.maximum(np.maximum(estimate + pivot_scale * high_q, estimate + half), estimate)
    return np.column_stack([low, high])


def studentised_draws(
    estimate: Array | float, stderr: Array | float, boot_estimate: Array, boot_stderr: Array, dof: int
) -> Array:
    """Bootstrap-t draws of the true value of a quantity: ``q + se (q - q*) / se*``.

    Notes
    -----
    Their quantiles are the bootstrap-t interval's bounds (the confidence distribution of the
    quantity). With fewer than 3 degrees of freedom, the basic bootstrap's ``2 q - q*``.
    Replicates that failed give NaN.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        if dof >= MIN_STUDENTISED_DOF:
            draws = estimate + stderr * (estimate - boot_estimate) / boot_stderr
        else:
            draws = 2.0 * estimate - boot_estimate
    return np.asarray(np.where(np.isfinite(draws), draws, np.nan), dtype=float)


def probability_below(
    estimate: Array | float,
    stderr: Array | float,
    boot_estimate: Array,
    boot_stderr: Array,
    dof: int,
    threshold: float = 0.0,
) -> Array:
    """Confidence that a quantity's true value is below ``threshold``, consistent with its interval.

    Notes
    -----
    The share of :func:`studentised_draws` below the threshold, or the Student-t delta
    probability ``F_t((threshold - q) / se)``, whichever is closer to 1/2: the interval of
    :func:`studentised_interval` is the hull of the two, so at any level it excludes the
    threshold exactly when this probability lies outside ``[a/2, 1 - a/2]``. Vectorised over
    columns: ``(m,), (m,), (B, m), (B, m) -> (m,)`` (or scalars and ``(B,)`` to a scalar array).
    """
    from scipy.special import stdtr

    estimate, stderr = np.asarray(estimate, dtype=float), np.asarray(stderr, dtype=float)
    draws = studentised_draws(estimate, stderr, boot_estimate, boot_stderr, dof)
    count = np.isfinite(draws).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        student = np.where(stderr > 0, stdtr(dof, (threshold - estimate) / stderr), (estimate < threshold) * 1.0)
        bootstrap = ((draws < threshold).sum(axis=0) + 0.5 * (draws == threshold).sum(axis=0)) / count
    closer = (count > 0) & (np.abs(bootstrap - 0.5) < np.abs(student - 0.5))
    return np.asarray(np.where(closer, bootstrap, student), dtype=float)


def delta_covariance(law: Law, theta: Array, log_x: Array, residuals: Array) -> tuple[Array, Array]:
    """Covariance of ``theta`` and residual scale for each row of a batch.

    Notes
    -----
    ``s^2 = sum r_i^2 / (n - p)`` and ``Cov(theta) = s^2 (J^T J)^+`` with ``J = d log f / d theta``
    at the optimum: ``(B, p), (B, n) -> (B, p, p), (B,)``.
    """
    n_runs, n_params = residuals.shape[-1], theta.shape[-1]
    sigma2 = (residuals**2).sum(axis=-1) / (n_runs - n_params)
    information = normal_matrix(np.ascontiguousarray(law.log_jacobian(theta, log_x).transpose(0, 2, 1)))
    with np.errstate(all="ignore"):
        identity = np.broadcast_to(np.eye(n_params), information.shape)
        inverse = solve_small(information, identity)
        error = np.abs(information @ inverse - identity).max(axis=(1, 2))
        bad = ~(error < 1e-8)  # singular or ill-conditioned: the pseudo-inverse
        if bad.any():
            inverse[bad] = np.linalg.pinv(information[bad], hermitian=True)
        covariance = inverse * sigma2[:, None, None]
    covariance = 0.5 * (covariance + np.swapaxes(covariance, -1, -2))  # exactly symmetric
    return covariance, np.sqrt(sigma2)


def adjusted_residuals(law: Law, theta: Array, log_x: Array, residuals: Array) -> Array:
    """Leverage-adjusted, centred residuals ``e_i = r_i / sqrt(1 - h_i) - mean``.

    Notes
    -----
    ``h_i = g_i^T (J^T J)^+ g_i`` is the diagonal of the hat matrix ``J (J^T J)^+ J^T``, computed
    row by row from the ``p x p`` normal matrix (never the ``n x n`` hat matrix). Raw residuals of a
    fit with ``p`` parameters to ``n`` runs are too small by about ``sqrt((n - p) / n)``; dividing
    by ``sqrt(1 - h_i)`` restores the noise scale run by run.
    """
    jacobian = law.log_jacobian(theta[None, :], log_x)[0]
    inverse = np.linalg.pinv(jacobian.T @ jacobian, hermitian=True)
    leverage = np.clip(np.einsum("ip,pq,iq->i", jacobian, inverse, jacobian), 0.0, MAX_LEVERAGE)
    adjusted = residuals / np.sqrt(1.0 - leverage)
    return np.asarray(adjusted - adjusted.mean())


@dataclass(frozen=True, eq=False)
class Uncertainty:
    """Everything needed to put intervals on any quantity of a fit, at any level.

    Attributes
    ----------
    method : ``bootstrap`` or ``delta``.
    theta : (p,) fitted internal parameters; covariance : (p, p) their delta-method covariance.
    sigma : residual scale ``s`` of the log residuals; dof : ``n - p``.
    boot_theta, boot_covariance, boot_sigma : per-replicate fits (bootstrap only).
    boot_noise : a new run's log-noise per replicate, drawn from the adjusted residuals.
    percentile : intervals are the percentiles of the replicates (a case bootstrap, as in the
    Chinchilla law's reference protocol) rather than bootstrap-t.
    """

    method: str
    theta: Array
    covariance: Array
    sigma: float
    dof: int
    boot_theta: Array | None = None
    boot_covariance: Array | None = None
    boot_sigma: Array | None = None
    boot_noise: Array | None = None
    percentile: bool = False

    @property
    def n_boot(self) -> int:
        return 0 if self.boot_theta is None else int(self.boot_theta.shape[0])

    @property
    def failed_replicates(self) -> int:
        if self.boot_theta is None or self.boot_covariance is None:
            return 0
        ok = np.isfinite(self.boot_theta).all(axis=1) & np.isfinite(self.boot_covariance).all(axis=(1, 2))
        return int((~ok).sum())

    def quantity_intervals(
        self,
        estimate: Array,
        gradient: Array,
        boot_estimate: Array | None,
        boot_gradient: Array | None,
        level: float,
        *,
        new_run: bool = False,
    ) -> tuple[Array, Array]:
        """Intervals for ``m`` quantities ``q`` with ``gradient = dq/dtheta`` ``(m, p)``.

        Notes
        -----
        ``se = sqrt(g^T Cov g)``, plus ``s^2`` under the square root for a new run.
        Delta: ``q +- t_{n-p, (1+level)/2} se``. Bootstrap: :func:`studentised_interval` with
        ``T* = (q - q*) / se*`` (for a new run ``(q + e* - q*) / se*``); with ``percentile``, the
        quantiles of ``q*`` (``q* + e*``), and ``se`` their standard deviation.
        The interval always contains the estimate. Returns ``(stderr (m,), bounds (m, 2))``.
        """
        stderr = np.sqrt(np.einsum("mp,pq,mq->m", gradient, self.covariance, gradient))
        scale = np.sqrt(stderr**2 + self.sigma**2) if new_run else stderr
        tail = (1.0 - level) / 2.0
        if self.percentile and boot_estimate is not None:
            assert self.boot_noise is not None
            draws = np.where(np.isfinite(boot_estimate), boot_estimate, np.nan)
            with warnings.catch_warnings():  # a target no replicate could forecast is NaN, said as n/a
                warnings.simplefilter("ignore", RuntimeWarning)
                stderr = np.nanstd(draws, axis=0, ddof=1)
            if new_run:
                draws = draws + self.boot_noise[:, None]
            low, high = nan_quantiles(draws, tail)
        elif boot_estimate is None or boot_gradient is None:  # the delta method (it has no replicates)
            half = student_t_quantile(1.0 - tail, self.dof) * scale
            low, high = estimate - half, estimate + half
        else:
            assert self.boot_covariance is not None and self.boot_sigma is not None
            boot_se2 = np.einsum("bmp,bpq,bmq->bm", boot_gradient, self.boot_covariance, boot_gradient)
            centre = np.broadcast_to(estimate[None, :], boot_estimate.shape)
            if new_run:
                assert self.boot_noise is not None
                boot_se2 = boot_se2 + self.boot_sigma[:, None] ** 2
                centre = centre + self.boot_noise[:, None]
            bounds = studentised_interval(estimate, scale, centre, boot_estimate, np.sqrt(boot_se2), self.dof, level)
            low, high = bounds[:, 0], bounds[:, 1]
        low, high = np.minimum(low, estimate), np.maximum(high, estimate)
        return stderr, np.column_stack([low, high])

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe state, enough for :meth:`from_dict` to give identical intervals."""
        state: dict[str, Any] = {
            "method": self.method,
            "theta": self.theta.tolist(),
            "covariance": self.covariance.tolist(),
            "sigma": self.sigma,
            "dof": self.dof,
        }
        if self.percentile:
            state["percentile"] = True
        if self.boot_theta is not None:
            assert self.boot_covariance is not None
            upper = np.triu_indices(self.theta.size)
            state["bootstrap"] = {
                "theta": _json_rows(self.boot_theta),
                "covariance_upper": _json_rows(self.boot_covariance[:, upper[0], upper[1]]),
                "sigma": _json_rows(self.boot_sigma),
                "noise": _json_rows(self.boot_noise),
            }
        return state

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> Uncertainty:
        theta = np.asarray(state["theta"], dtype=float)
        boot = state.get("bootstrap")
        fields: dict[str, Array] = {}
        if boot is not None:
            upper = np.triu_indices(theta.size)
            packed = _array(boot["covariance_upper"])
            covariance = np.zeros((packed.shape[0], theta.size, theta.size))
            covariance[:, upper[0], upper[1]] = packed
            covariance[:, upper[1], upper[0]] = packed
            fields = {
                "boot_theta": _array(boot["theta"]),
                "boot_covariance": covariance,
                "boot_sigma": _array(boot["sigma"]),
                "boot_noise": _array(boot["noise"]),
            }
        return cls(
            method=str(state["method"]),
            theta=theta,
            covariance=np.asarray(state["covariance"], dtype=float),
            sigma=float(state["sigma"]),
            dof=int(state["dof"]),
            percentile=bool(state.get("percentile")),
            **fields,
        )


def _json_rows(values: Array | None) -> Any:
    """Nested lists of floats with ``None`` for non-finite values (JSON has no NaN)."""
    assert values is not None
    cells = values.astype(object)
    cells[~np.isfinite(values)] = None
    return cells.tolist()


def _array(values: Any) -> Array:
    return np.array(values, dtype=float)  # JSON null becomes NaN


@dataclass(frozen=True, eq=False)
class ResidualBootstrap:
    """The residual bootstrap of a fit: replicate ``b`` is ``log f(x_i; theta) + e_{index[b, i]}``.

    ``pool`` are the leverage-adjusted, centred residuals (:func:`adjusted_residuals`), ``index``
    ``(B, n)`` the draws with replacement (with ``cases`` resampling, the runs drawn).
    """

    fitted: Array
    pool: Array
    index: IndexArray

    def data(self, rows: slice | IndexArray = slice(None)) -> Array:
        """The replicate data sets ``(b, n)`` of ``rows`` of the draws."""
        return np.asarray(self.fitted[None, :] + self.pool[self.index[rows]], dtype=float)

    def noise(self, rng: np.random.Generator, size: int) -> Array:
        """A new run's log noise for each of ``size`` replicates: a resampled adjusted residual."""
        return np.asarray(self.pool[rng.integers(0, self.pool.size, size=size)], dtype=float)


def residual_bootstrap(
    law: Law, theta: Array, log_x: Array, log_y: Array, rng: np.random.Generator, n_boot: int
) -> ResidualBootstrap:
    """The residual bootstrap of the fit ``theta`` of ``law`` to ``log_y`` at ``log_x``: every replicate drawn from
    ``rng`` at once (the one resampler of the fit's bootstrap, a comparison's sweeps and the drift check's null)."""
    fitted = law.log_predict(theta[None, :], log_x)[0]
    pool = adjusted_residuals(law, theta, log_x, log_y - fitted)
    return ResidualBootstrap(fitted, pool, rng.integers(0, log_y.size, size=(n_boot, log_y.size)))


def delta_uncertainty(law: Law, log_x: Array, log_y: Array, theta: Array) -> Uncertainty:
    """The delta method's state at ``theta``: ``Cov = s^2 (J^T J)^+``, ``s^2 = RSS / (n - p)`` (no replicates)."""
    residuals = log_y - law.log_predict(theta[None, :], log_x)[0]
    covariance, sigma = delta_covariance(law, theta[None, :], log_x, residuals[None, :])
    return Uncertainty("delta", theta, covariance[0], float(sigma[0]), log_y.size - theta.size)


def estimate_uncertainty(
    law: Law,
    log_x: Array,
    log_y: Array,
    theta: Array,
    *,
    method: str,
    n_boot: int,
    seed: int,
    objective: Objective = LEAST_SQUARES,
    replicates: Callable[[np.random.Generator, int], Array] | None = None,
) -> Uncertainty:
    """:func:`delta_uncertainty` and, for ``bootstrap``, a residual bootstrap of ``n_boot`` replicates.

    Notes
    -----
    Residual bootstrap in log space: ``log y*_i = log f(x_i; theta) + e*_i`` with ``e*`` drawn
    with replacement from the leverage-adjusted residuals (a law whose ``resampling`` is ``cases``
    draws whole runs with replacement instead); all replicates are refitted in one batched call.
    Each replicate keeps its own delta-method covariance so that intervals can be studentised
    (bootstrap-t). ``replicates(rng, n_boot)`` gives ``(n_boot, n)`` data sets
    resampled another way (problems, for pass rates); their shift from the observed ``log y`` is
    added to the residual draws, so that both sources of variation are resampled.
    """
    delta = delta_uncertainty(law, log_x, log_y, theta)
    if method == "delta":
        return delta
    rng = np.random.default_rng(seed)
    draws = residual_bootstrap(law, theta, log_x, log_y, rng, n_boot)
    shift = None
    if replicates is not None:  # add the data's own resampling (problems), as a shift from the observed
        shift = np.asarray(replicates(rng, n_boot), dtype=float) - log_y[None, :]
    noise = draws.noise(rng, n_boot)
    boot_theta = np.empty((n_boot, theta.size))
    boot_covariance = np.empty((n_boot, theta.size, theta.size))
    boot_sigma = np.empty(n_boot)
    # any cover of the replicates by chunks computes the same values (tested): the sizes only bound the memory
    per_replicate = log_y.size * max(1, log_x[0].size if log_x.ndim > 1 else 1) * theta.size  # pragma: no mutate
    for rows in _chunks(n_boot, per_replicate):
        if law.resampling == "cases":
            boot_x, boot_log_y = log_x[draws.index[rows]], log_y[draws.index[rows]]
        else:
            boot_x, boot_log_y = log_x, draws.data(rows)
        if shift is not None:
            boot_log_y = boot_log_y + shift[rows]
        boot = fit_batch(law, boot_x, boot_log_y, objective=objective, warm_start=theta)
        boot_residuals = boot_log_y - law.log_predict(boot.theta, boot_x)
        boot_covariance[rows], boot_sigma[rows] = delta_covariance(law, boot.theta, boot_x, boot_residuals)
        boot_theta[rows] = np.where(np.isfinite(boot.objective)[:, None], boot.theta, np.nan)
    return replace(
        delta,
        method="bootstrap",
        boot_theta=boot_theta,
        boot_covariance=boot_covariance,
        boot_sigma=boot_sigma,
        boot_noise=noise,
        percentile=law.resampling == "cases",
    )


def _chunks(n_boot: int, floats_per_replicate: int) -> list[slice]:
    """Consecutive slices of the replicates, each refitted in one batch within :data:`CHUNK_BYTES`.

    A batched fit holds a few dozen arrays of ``n x p`` floats per replicate (Jacobians, trial
    residuals, the law's start scan); chunks keep the peak memory bounded whatever the runs.
    """
    size = max(1, int(CHUNK_BYTES // (FIT_ARRAYS * 8 * max(floats_per_replicate, 1))))  # pragma: no mutate
    return [slice(start, min(start + size, n_boot)) for start in range(0, n_boot, size)]  # pragma: no mutate


def nan_quantiles(draws: Array, tail: float) -> tuple[Array, Array]:
    """The ``tail`` and ``1 - tail`` quantiles of each column over its finite draws; NaN where there are none."""
    if not np.isnan(draws).any():  # numpy's nanquantile walks the columns one by one; most draws are whole
        low, high = np.quantile(draws, [tail, 1.0 - tail], axis=0)
        return low, high
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanquantile(draws, [tail, 1.0 - tail], axis=0)
    return low, high

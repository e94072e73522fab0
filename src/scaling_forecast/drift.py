"""Misspecification check: how far off the ladder's own forecasts were, against what the intervals allowed.

When the law is wrong, in-sample scatter can be tiny while forecasts drift further off the more
they extrapolate, and every interval built from the residuals is too narrow. The ladder can
tell: fit its smallest runs, forecast its larger ones, and compare the errors with the
prediction intervals' own scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .fitting import fit_batch, refine
from .laws import Array, Law
from .uncertainty import delta_covariance

#: A ratio of forecast errors to their predicted scale above this draws a warning.
DRIFT_WARNING = 3.0
#: Windows need this many residual degrees of freedom for their scale to mean anything.
MIN_WINDOW_DOF = 2
#: Fewer rolling forecasts than this say nothing.
MIN_FORECASTS = 3


@dataclass(frozen=True)
class Drift:
    """The rolling backtest of a ladder, summarised.

    ``ratio`` is ``median |z| / 0.6745`` (a robust RMS) over every forecast of a larger run from a
    window of smaller ones, ``z = (log y - log f) / sqrt(g' Cov g + s^2)`` (the error in units of
    the window's own delta-method prediction scale): about 1 when the law is right, larger when
    forecasts drift off faster than the residuals suggest. ``worst_factor`` is the extrapolation factor of the
    forecast with the largest ``|z|``.
    """

    ratio: float
    n_forecasts: int
    worst_error: float
    worst_factor: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "ratio": self.ratio,
            "n_forecasts": self.n_forecasts,
            "worst_error": self.worst_error,
            "worst_factor": self.worst_factor,
        }

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> Drift:
        return cls(
            float(state["ratio"]), int(state["n_forecasts"]), float(state["worst_error"]), float(state["worst_factor"])
        )


def rolling_drift(
    law: Law, compute: Array, y: Array, *, loss_fn: str = "lsq", huber_delta: float = 1e-3
) -> Drift | None:
    """Forecast every larger run from every window of smaller runs; ``None`` if too few forecasts.

    Notes
    -----
    Runs sorted by compute; for each window of the ``k`` smallest (all runs below a compute
    value, with at least ``p + MIN_WINDOW_DOF`` runs at ``p + 1`` or more distinct computes), the
    law is fitted by the same estimator as the main fit and each larger run is forecast.
    """
    order = np.argsort(compute, kind="stable")
    compute, y = np.asarray(compute, dtype=float)[order], np.asarray(y, dtype=float)[order]
    log_c, log_y = np.log(compute), np.log(y)
    options: dict[str, Any] = {"loss_fn": loss_fn, "huber_delta": huber_delta}
    scores, errors, factors = [], [], []
    for k in range(law.n_params + MIN_WINDOW_DOF, compute.size):
        if compute[k] <= compute[k - 1] or np.unique(compute[:k]).size < law.n_params + 1:
            continue
        centre = log_c[:k].mean()
        log_x = log_c[:k] - centre
        best = refine(law, log_x, log_y[None, :k], fit_batch(law, log_x, log_y[None, :k], **options), **options)
        theta = best.theta
        if not np.isfinite(theta).all():
            continue
        residuals = log_y[:k] - law.log_predict(theta, log_x)[0]
        covariance, sigma = delta_covariance(law, theta, log_x, residuals[None, :])
        ahead = log_c[k:] - centre
        gradient = law.log_jacobian(theta, ahead)[0]
        scale = np.sqrt(np.einsum("mp,pq,mq->m", gradient, covariance[0], gradient) + sigma[0] ** 2)
        error = log_y[k:] - law.log_predict(theta, ahead)[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            z = error / scale
        keep = np.isfinite(z)
        scores.extend(z[keep])
        errors.extend(error[keep])
        factors.extend(np.exp(log_c[k:][keep] - log_c[k - 1]))
    if len(scores) < MIN_FORECASTS:
        return None
    z = np.array(scores)
    worst = int(np.argmax(np.abs(z)))
    ratio = float(np.median(np.abs(z)) / 0.6745)
    return Drift(ratio, len(scores), float(np.expm1(abs(errors[worst]))), float(factors[worst]))

"""The default direct law of accuracy: the GPT-4 form, its intervals calibrated on the ladder's rolling-origin errors.

The point forecast is the GPT-4 report's capability form on an accuracy, ``-log acc = alpha * C^(-k)``,
fitted by least squares on ``z = log(-log acc)`` against ``ln C`` (a line: the closed-form optimum).
``k`` may take either sign, so an accuracy that falls with compute (inverse scaling) is fitted and
a flat one comes out flat.

A bootstrap of a handful of runs describes the law's noise, not how wrong the form is far beyond the
runs; on real ladders (Pythia) it holds about 70% at a nominal 90%. The intervals here are
calibrated instead on the ladder's own extrapolation errors, as a backtest would measure them:
each origin fits the smallest ``k`` runs (``k`` from 3) and forecasts every larger one; an error
``e`` at distance ``d`` (decades of compute from the centre of the fitted runs, in ``log10 C``)
measures how fast error grows with distance, ``s^2 = mean((e / d)^2)``. At a target at distance
``D`` from the centre of every run, with ``sigma`` the fit's residual scale and ``m`` errors,

    ci = estimate +- t_m * sqrt(sigma^2 / n + s^2 D^2)
    pi = estimate +- t_m * sqrt(sigma^2 (1 + 1/n) + s^2 D^2)

both clipped to [0, 1] (the ``pi`` holds the ``ci``). The form of an ordinary least-squares
interval (a line's error grows with the distance from its centre), with the slope's spread read
from the ladder's own forecasts rather than from its residuals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..laws import Array
from ..results import FitResult, ParameterEstimate, Prediction
from ..settings import Target, check_level
from .forecasting import resolved
from .reliability import extrapolation_warnings
from .streams import Stream, stream
from .uncertainty import student_t_quantile

#: The fewest distinct computes a rolling origin fits (a two-parameter line and one residual).
MIN_ORIGIN = 3


@dataclass(frozen=True, eq=False)
class Calibration:
    """A procedure's rolling-origin ``errors`` at ``distances`` (decades from the centre of each origin's runs),
    its residual scale ``sigma`` on its ``n`` runs, and their centre ``centre`` in ``log10 C``."""

    errors: Array
    distances: Array
    sigma: float
    n: int
    centre: float

    @property
    def scale(self) -> float:
        """``s``: the rolling-origin error per decade of distance beyond a run's own scatter,
        ``sqrt(max(mean((e^2 - sigma^2) / d^2), 0))``; infinite without errors."""
        if not self.errors.size:
            return math.inf
        return float(math.sqrt(max(float(np.mean((self.errors**2 - self.sigma**2) / self.distances**2)), 0.0)))

    @property
    def dof(self) -> int:
        return max(int(self.errors.size), 1)

    def halves(self, values: Array, level: float) -> tuple[Array, Array]:
        """The ``ci`` and ``pi`` half-widths at computes ``values`` (see the module)."""
        decades = np.log10(values) - self.centre
        t = student_t_quantile(0.5 + level / 2.0, self.dof)
        scale = self.scale
        extrapolation = (scale * decades) ** 2 if math.isfinite(scale) else np.full(values.shape, np.inf)
        sigma2 = self.sigma**2
        return t * np.sqrt(sigma2 / self.n + extrapolation), t * np.sqrt(sigma2 * (1.0 + 1.0 / self.n) + extrapolation)

    def to_state(self) -> dict[str, Any]:
        return {
            "errors": self.errors.tolist(),
            "distances": self.distances.tolist(),
            "sigma": self.sigma,
            "n": self.n,
            "centre": self.centre,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Calibration:
        return cls(
            np.asarray(state["errors"], dtype=float),
            np.asarray(state["distances"], dtype=float),
            float(state["sigma"]),
            int(state["n"]),
            float(state["centre"]),
        )


def gpt4_line(log_c: Array, accuracy: Array) -> Array:
    """``(log alpha, -k)``: the least-squares line of ``log(-log acc)`` on ``ln C``."""
    z = np.log(-np.log(accuracy))
    centred = log_c - log_c.mean()
    sxx = float(centred @ centred)
    slope = float(centred @ z) / sxx if sxx > 0.0 else 0.0
    return np.array([float(z.mean()) - slope * float(log_c.mean()), slope])


def gpt4_accuracy(theta: Array, log_c: Array) -> Array:
    """``exp(-alpha C^(-k))`` at ``ln C`` ``log_c``."""
    with np.errstate(over="ignore"):
        return np.asarray(np.exp(-np.exp(theta[0] + theta[1] * log_c)), dtype=float)


def rolling_errors(log_c: Array, accuracy: Array) -> tuple[Array, Array]:
    """Errors (forecast minus run) of every origin's forecast of every larger run, and their distances in decades
    from the centre of the origin's runs; origins are the smallest ``k`` distinct computes, ``k`` from
    :data:`MIN_ORIGIN` to all but the largest."""
    levels = np.unique(log_c)
    errors, distances = [], []
    for k in range(MIN_ORIGIN, levels.size):
        inside = log_c <= levels[k - 1]
        theta = gpt4_line(log_c[inside], accuracy[inside])
        beyond = ~inside
        errors.append(gpt4_accuracy(theta, log_c[beyond]) - accuracy[beyond])
        distances.append((log_c[beyond] - log_c[inside].mean()) / math.log(10.0))
    if not errors:
        return np.empty(0), np.empty(0)
    return np.concatenate(errors), np.concatenate(distances)


@dataclass(frozen=True, eq=False)
class CalibratedModel:
    """The calibrated GPT-4 form fitted (see the module): ``theta = (log alpha, -k)`` on ``ln C``; the runs; their
    rolling-origin ``errors`` at ``distances``; warnings before and after the forecast's own."""

    law: Any
    theta: Array
    log_c: Array
    accuracy: Array
    errors: Array
    distances: Array
    seed: int
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    #: How many draws :meth:`draws` makes (a comparison's ``--bootstrap``).
    n_draws: int = 2000

    kind = "calibrated"

    @property
    def sigma(self) -> float:
        """The residual scale in accuracy, ``sqrt(RSS / (n - 2))``."""
        residuals = self.accuracy - gpt4_accuracy(self.theta, self.log_c)
        return float(math.sqrt(residuals @ residuals / max(self.accuracy.size - 2, 1)))

    @property
    def calibration(self) -> Calibration:
        centre = float(self.log_c.mean()) / math.log(10.0)
        return Calibration(self.errors, self.distances, self.sigma, int(self.accuracy.size), centre)

    @property
    def dof(self) -> int:
        return self.calibration.dof

    def halves(self, values: Array, level: float) -> tuple[Array, Array]:
        """The ``ci`` and ``pi`` half-widths at computes ``values`` (see the module)."""
        return self.calibration.halves(values, level)

    def forecast(self, result: FitResult, targets: tuple[Target, ...], level: float) -> FitResult:
        check_level(level)
        values, factors = resolved(result, targets)
        estimate = gpt4_accuracy(self.theta, np.log(values))
        ci_half, pi_half = self.halves(values, level)
        predictions = tuple(
            Prediction(
                float(v),
                float(f),
                float(e),
                (float(max(e - c, 0.0)), float(min(e + c, 1.0))),
                (float(max(e - p, 0.0)), float(min(e + p, 1.0))),
            )
            for v, f, e, c, p in zip(values, factors, estimate, ci_half, pi_half, strict=True)
        )
        warnings = self.before + extrapolation_warnings(predictions, result.data.compute_min) + self.after
        return replace(
            result,
            level=level,
            params=self.params(level),
            predictions=predictions,
            fit=replace(result.fit, warnings=warnings),
        )

    def params(self, level: float) -> tuple[ParameterEstimate, ...]:
        """``alpha`` and ``k`` with the Student-t intervals of the line's coefficients (``alpha``'s through ``exp``)."""
        n = self.accuracy.size  # 4 or more runs at 4 or more computes: n - 2 > 0 and Sxx > 0
        z = np.log(-np.log(self.accuracy))
        residual = z - (self.theta[0] + self.theta[1] * self.log_c)
        s2 = float(residual @ residual) / (n - 2)
        centred = self.log_c - self.log_c.mean()
        sxx = float(centred @ centred)
        se_slope = math.sqrt(s2 / sxx)
        se_intercept = math.sqrt(s2 * (1.0 / n + self.log_c.mean() ** 2 / sxx))
        t = student_t_quantile(0.5 + level / 2.0, n - 2)
        log_alpha, k = float(self.theta[0]), -float(self.theta[1])
        with np.errstate(over="ignore"):  # a steep ladder's alpha (and its interval) can be beyond a float
            exp = np.exp(np.array([log_alpha, log_alpha - t * se_intercept, log_alpha + t * se_intercept]))
        alpha = ParameterEstimate("alpha", float(exp[0]), float(exp[0]) * se_intercept, (float(exp[1]), float(exp[2])))
        return alpha, ParameterEstimate("k", k, se_slope, (k - t * se_slope, k + t * se_slope))

    def draws(self, target: float) -> Array:
        """Draws of the true accuracy at ``target`` (its confidence distribution): the estimate plus Student-t draws
        scaled to the ``ci`` (stream :attr:`Stream.JOIN`, the same at every target)."""
        values = np.array([target])
        ci_half, _ = self.halves(values, 0.9)
        scale = float(ci_half[0]) / student_t_quantile(0.95, self.dof)
        t = stream(self.seed, Stream.JOIN).standard_t(self.dof, self.n_draws)
        estimate = float(gpt4_accuracy(self.theta, np.log(values))[0])
        draws = estimate + scale * t  # pragma: no mutate (t is symmetric: estimate - scale t draws the same)
        return np.asarray(np.clip(draws, 0.0, 1.0), dtype=float)

    def to_state(self) -> dict[str, Any]:
        return {
            "theta": self.theta.tolist(),
            "log_c": self.log_c.tolist(),
            "accuracy": self.accuracy.tolist(),
            "errors": self.errors.tolist(),
            "distances": self.distances.tolist(),
            "seed": self.seed,
            "before": list(self.before),
            "after": list(self.after),
            "n_draws": self.n_draws,
        }

    @classmethod
    def from_state(cls, law: Any, state: dict[str, Any]) -> CalibratedModel:
        def array(key: str) -> Array:
            return np.asarray(state[key], dtype=float)

        return cls(
            law,
            array("theta"),
            array("log_c"),
            array("accuracy"),
            array("errors"),
            array("distances"),
            int(state["seed"]),
            tuple(str(w) for w in state["before"]),
            tuple(str(w) for w in state["after"]),
            int(state["n_draws"]),
        )

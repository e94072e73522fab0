"""The models of the accuracy laws: a link fitted with a case bootstrap, the two-step join, the direct laws.

A :class:`TwoStepModel` holds step 1 (a fit of the task loss with the loss procedure, itself a
result with its own model) and step 2 (a link from task loss to accuracy with its bootstrap); a
:class:`DirectModel` holds a direct law of accuracy against compute with its published intervals
(``gpt4`` or ``sigmoid``; the default ``accuracy`` law's model is in :mod:`.calibrated`). Both
forecast any target at any level without refitting, save their state, and draw the true accuracy's
confidence distribution at a target (for ``compare``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..laws import AccuracyLaw, Array, IndexArray, Link, SigmoidLink
from ..results import (
    DerivedForecast,
    FitResult,
    ParameterEstimate,
    Prediction,
)
from ..settings import Target, check_level
from .calibrated import Calibration
from .fitting import fit_batch, polish, quiet
from .forecasting import resolved
from .reliability import extrapolation_warnings
from .streams import Stream, stream
from .trend import trend_warning
from .uncertainty import student_t_quantile

#: The standard normal's 95% quantile: a 90% interval is +- this many standard deviations.
Z_90 = 1.6448536269514722
#: Draws of a flat task's mean when no law was fitted to it.
FLAT_DRAWS = 2000
#: The level of step 1's intervals from which the two-step law draws the task loss, at every level asked.
REFERENCE_LEVEL = 0.9


@dataclass(frozen=True, eq=False)
class LinkFit:
    """A link fitted to rows ``(x, accuracy)`` by least squares on accuracy, with a case bootstrap.

    ``boot_theta`` ``(B, p)`` are the replicates (failed ones dropped); ``noise`` ``(B,)`` is a new
    run's scatter about the curve for each replicate, a resampled residual (the same at every target).
    """

    link: Link
    theta: Array
    boot_theta: Array
    residuals: Array
    noise: Array
    x: Array
    accuracy: Array

    def at(self, x: Array) -> tuple[Array, Array]:
        """The link's accuracy at ``x`` ``(m,)``, and every replicate's ``(B, m)``."""
        return self.link.log_predict(self.theta[None, :], x)[0], self.link.log_predict(self.boot_theta, x)

    @property
    def rmse(self) -> float:
        return float(np.sqrt(np.mean(self.residuals**2)))

    def to_state(self) -> dict[str, Any]:
        return {
            "floor": self.link.floor,
            "theta": self.theta.tolist(),
            "boot_theta": self.boot_theta.tolist(),
            "residuals": self.residuals.tolist(),
            "noise": self.noise.tolist(),
            "x": self.x.tolist(),
            "accuracy": self.accuracy.tolist(),
        }

    @classmethod
    def from_state(cls, link: type[Link], state: dict[str, Any]) -> LinkFit:
        def array(key: str) -> Array:
            return np.asarray(state[key], dtype=float)

        boot = array("boot_theta").reshape(-1, len(state["theta"]))
        return cls(
            link(float(state["floor"])),
            array("theta"),
            boot,
            array("residuals"),
            array("noise"),
            array("x"),
            array("accuracy"),
        )


@quiet
def fit_link(
    link: Link, x: Array, accuracy: Array, n_boot: int, rng: np.random.Generator | None, groups: Array | None = None
) -> LinkFit | None:
    """The link's fit to ``(x, accuracy)`` and ``n_boot`` case-bootstrap replicates; ``None`` if it cannot be fitted.

    Replicates resample rows; with checkpoints (``groups``, one label per row) they resample runs,
    then rows within each drawn run, so that the checkpoints of one run count as one run. With
    ``n_boot`` 0 only the fit is made.
    """
    best = fit_batch(link, x, accuracy[None, :])
    if not np.isfinite(best.objective[0]):
        return None
    theta = best.theta[0]
    residuals = accuracy - link.log_predict(theta[None, :], x)[0]
    if n_boot == 0 or rng is None:
        empty = np.empty((0, theta.size))
        return LinkFit(link, theta, empty, residuals, np.empty(0), x, accuracy)
    draws = _case_draws(rng, x.size, n_boot, groups)
    boot = polish(link, x[draws], accuracy[draws], np.repeat(theta[None, :], n_boot, axis=0))
    boot_theta = np.where(np.isfinite(boot.objective)[:, None], boot.theta, np.nan)
    boot_theta = boot_theta[np.isfinite(boot_theta).all(axis=1)]
    noise = residuals[rng.integers(0, residuals.size, boot_theta.shape[0])]
    return LinkFit(link, theta, boot_theta, residuals, noise, x, accuracy)


def _case_draws(rng: np.random.Generator, n_rows: int, n_boot: int, groups: Array | None) -> IndexArray:
    """Rows of each replicate: rows drawn with replacement, or runs and then rows within each drawn run."""
    if groups is None:
        return rng.integers(0, n_rows, size=(n_boot, n_rows))
    labels, members = np.unique(groups, return_inverse=True)
    by_run = [np.flatnonzero(members == g) for g in range(labels.size)]
    per_run = max(1, n_rows // labels.size)
    picked = rng.integers(0, labels.size, size=(n_boot, labels.size))
    within = rng.integers(0, 1 << 30, size=(n_boot, labels.size, per_run))
    sizes = np.array([m.size for m in by_run])
    offsets = within % sizes[picked][:, :, None]
    padded = np.full((labels.size, sizes.max()), -1)
    for g, m in enumerate(by_run):
        padded[g, : m.size] = m
    return np.asarray(padded[picked[:, :, None], offsets].reshape(n_boot, -1))


def percentile_params(
    names: tuple[str, ...], estimates: Array, draws: Array, level: float
) -> tuple[ParameterEstimate, ...]:
    """Parameters with the standard deviation and percentile interval of their bootstrap ``draws`` ``(B, p)``."""
    tail = (1.0 - level) / 2.0
    with np.errstate(all="ignore"):
        low, high = np.quantile(draws, [tail, 1.0 - tail], axis=0)
        spread = np.std(draws, axis=0, ddof=1)
    return tuple(
        ParameterEstimate(name, float(estimates[i]), float(spread[i]), (float(low[i]), float(high[i])))
        for i, name in enumerate(names)
    )


def floor_of(chance: float, accuracy: Array, column: str) -> tuple[float, tuple[str, ...]]:
    """The link's floor: ``chance``, lowered to the lowest accuracy when runs score below chance (with a warning)."""
    below = int((accuracy < chance).sum())
    if not below:
        return chance, ()
    lowest = float(accuracy.min())
    return lowest, (
        f"{below} run(s) score below chance ({chance:g}) on {column}, the lowest {lowest:.4g}: small models do; "
        f"the sigmoid's floor is lowered to {lowest:.4g}",
    )


def chance_warning(given: bool) -> tuple[str, ...]:
    """The warning of a fit whose chance accuracy was not given (its floor is 0)."""
    if given:
        return ()
    return (
        "no --chance given (nor a 'chance' column): the sigmoid's floor is 0; for a multiple-choice task "
        "give the accuracy of random guessing, e.g. --chance 0.25 for four choices",
    )


#: A flat accuracy whose runs' mean is less than this share of the way from chance to 1 sits near chance.
NEAR_CHANCE = 0.1


def trend_warnings(
    trend: str | None, column: str, law: str = "two-step", chance: float | None = None, accuracy: Array | None = None
) -> tuple[str, ...]:
    """What a flat, worsening or non-monotone accuracy draws; a flat one near ``chance`` (when known) is not yet
    predictable. The ``accuracy`` law forecasts a flat task along its fitted form; the others as flat."""
    if trend != "flat":
        return trend_warning(trend, column)
    if accuracy is not None and np.ptp(accuracy) == 0.0:
        return (
            f"every run scores {accuracy[0]:g} on {column}: the forecast is that value, with an interval of no width "
            "(nothing in the runs varies to measure error by); a larger model may still differ",
        )
    how = (
        "it is forecast along the fitted form, its interval growing with distance"
        if law == "accuracy"
        else "it is forecast as flat, the runs' mean with an interval as wide as their scatter"
    )
    text = f"{column} is flat across these runs (no change the noise can distinguish): {how}"
    if chance is not None and accuracy is not None and accuracy.mean() - chance < NEAR_CHANCE * (1.0 - chance):
        text += (
            f"; it sits near chance ({chance:g}), so the task has not started to scale: these runs cannot rule out "
            "that it starts beyond them, and no interval from them holds such a start"
        )
    return (text,)


@dataclass(frozen=True, eq=False)
class Flat:
    """A task that does not move with compute, forecast as flat: the runs' mean with a Student-t ``ci`` and
    a new run's ``pi`` (clipped to [0, 1])."""

    accuracy: Array

    def interval(self, level: float) -> tuple[float, tuple[float, float], tuple[float, float]]:
        n = self.accuracy.size
        mean, scale = float(self.accuracy.mean()), float(self.accuracy.std(ddof=1))
        half = student_t_quantile(0.5 + level / 2.0, n - 1) * scale
        ci = (max(mean - half / math.sqrt(n), 0.0), min(mean + half / math.sqrt(n), 1.0))
        pi = (max(mean - half * math.sqrt(1.0 + 1.0 / n), 0.0), min(mean + half * math.sqrt(1.0 + 1.0 / n), 1.0))
        return mean, ci, pi

    def draws(self, normal: Array) -> Array:
        """Draws of the true mean from standard ``normal`` draws: ``mean + normal * s / sqrt(n)``."""
        n = self.accuracy.size
        return np.asarray(self.accuracy.mean() + normal * self.accuracy.std(ddof=1) / math.sqrt(n), dtype=float)

    def predictions(self, predictions: tuple[Prediction, ...], level: float) -> tuple[Prediction, ...]:
        mean, ci, pi = self.interval(level)
        return tuple(replace(p, estimate=mean, ci=ci, pi=pi, pass_rate=None) for p in predictions)


def split_normal(normal: Array, estimate: float, bounds: tuple[float, float], z: float) -> Array:
    """Draws whose central interval at the level of ``z`` is ``bounds``: standard ``normal`` draws scaled by a
    normal on each side of the estimate."""
    below, above = (estimate - bounds[0]) / z, (bounds[1] - estimate) / z
    return np.asarray(estimate + normal * np.where(normal < 0, below, above), dtype=float)


def _prefixed(prefix: str, params: tuple[ParameterEstimate, ...]) -> tuple[ParameterEstimate, ...]:
    return tuple(replace(p, name=f"{prefix}.{p.name}") for p in params)


#: One law's forecast at one target: estimate, ``ci`` and ``pi``.
Forecast = tuple[float, tuple[float, float], tuple[float, float]]


@dataclass(frozen=True, eq=False)
class TwoStepModel:
    """A two-step law fitted: ``step1`` the task loss's fit (a result), ``link`` step 2 with its bootstrap.

    Notes
    -----
    Step 1's ``ci`` and ``pi`` at a target are carried to step 2 as split normals (one normal each
    side of the estimate, matched to the interval's bounds); draw ``r`` is paired with replicate
    ``r`` of the link, and accuracy's ``ci`` is the central interval of ``acc_r(L_r)``. The ``pi``
    draws ``L_r`` from step 1's ``pi`` and adds the replicate's new-run residual, clipped to [0, 1].
    The standard normals are drawn once per fit (stream :attr:`Stream.JOIN`) and used at every
    target, so an interval does not depend on which other targets were asked. ``flat``: the
    accuracy does not move with compute, and is forecast as flat.
    """

    law: AccuracyLaw
    step1: FitResult
    link: LinkFit
    seed: int
    flat: Flat | None = None
    #: Warnings before and after step 1's (the floor and chance; the trend).
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    #: The whole procedure's rolling-origin errors: the ``pi`` is at least as wide as they say.
    calibration: Calibration | None = None

    kind = "two-step"

    def _normals(self) -> tuple[Array, Array]:
        rng = stream(self.seed, Stream.JOIN)
        size = self.link.boot_theta.shape[0]
        normal = np.asarray(rng.standard_normal((2, size)), dtype=float)
        return normal[0], normal[1]

    @quiet
    def forecast(self, result: FitResult, targets: tuple[Target, ...], level: float) -> FitResult:
        check_level(level)
        resolved(result, targets)
        step1 = self.step1.model.forecast(self.step1, targets, level)
        reference = (
            step1 if level == REFERENCE_LEVEL else self.step1.model.forecast(self.step1, targets, REFERENCE_LEVEL)
        )
        predictions = self._join(step1.predictions, reference.predictions, level)
        params = _prefixed("step1", step1.params) + _prefixed("step2", self._link_params(level))
        warnings = self.before + step1.fit.warnings + self.after
        return replace(
            result,
            level=level,
            params=params,
            predictions=predictions,
            fit=replace(result.fit, warnings=warnings),
            law_selection=step1.law_selection,
        )

    def _link_params(self, level: float) -> tuple[ParameterEstimate, ...]:
        link = self.link.link
        user = link.to_user(np.vstack([self.link.theta[None, :], self.link.boot_theta]), 0.0)
        return percentile_params(link.param_names, user[0], user[1:], level)

    def _join(
        self, predictions: tuple[Prediction, ...], reference: tuple[Prediction, ...], level: float
    ) -> tuple[Prediction, ...]:
        """Step 1's ``predictions`` at ``level`` joined with the link; the task loss is drawn from step 1's
        intervals at :data:`REFERENCE_LEVEL` (``reference``), so that the draws, and the nesting of the
        intervals of every level, do not depend on the level asked."""
        with_loss = tuple(replace(p, task_loss=DerivedForecast(p.estimate, p.ci, p.pi)) for p in predictions)
        if self.flat is not None:
            return self.flat.predictions(with_loss, level)
        tail = (1.0 - level) / 2.0
        normal_ci, normal_pi = self._normals()
        link, boot = self.link.link, self.link.boot_theta
        joined = []
        for p, q in zip(with_loss, reference, strict=True):
            accuracy = float(link.log_predict(self.link.theta[None, :], np.array([p.estimate]))[0, 0])
            on_curve = link.log_predict(boot, split_normal(normal_ci, q.estimate, q.ci, Z_90)[:, None])[:, 0]
            new_run = link.log_predict(boot, split_normal(normal_pi, q.estimate, q.pi, Z_90)[:, None])[:, 0]
            new_run = np.clip(new_run + self.link.noise, 0.0, 1.0)
            ci, pi = np.quantile(on_curve, [tail, 1.0 - tail]), np.quantile(new_run, [tail, 1.0 - tail])
            pi = np.array([min(pi[0], ci[0]), max(pi[1], ci[1])])  # a new run's interval holds the law's
            if self.calibration is not None:  # a new run's interval is as wide as the procedure's own errors say
                _, half = self.calibration.halves(np.array([p.target]), level)
                pi = np.clip([min(pi[0], accuracy - half[0]), max(pi[1], accuracy + half[0])], 0.0, 1.0)
            joined.append(
                replace(
                    p,
                    estimate=accuracy,
                    ci=(float(min(ci[0], accuracy)), float(max(ci[1], accuracy))),
                    pi=(float(min(pi[0], accuracy)), float(max(pi[1], accuracy))),
                    pass_rate=None,
                )
            )
        return tuple(joined)

    def draws(self, target: float) -> Array:
        """Draws of the true accuracy at ``target`` (its confidence distribution), one per link replicate: step 1's
        90% ``ci`` as a split normal, through the replicates of the link."""
        normal, _ = self._normals()
        if self.flat is not None:
            return self.flat.draws(normal)
        step1 = self.step1.predict(target, 0.9).predictions[0]
        loss = split_normal(normal, step1.estimate, step1.ci, Z_90)
        return np.asarray(self.link.link.log_predict(self.link.boot_theta, loss[:, None])[:, 0], dtype=float)

    def to_state(self) -> dict[str, Any]:
        return {
            "step1": self.step1.to_saved_dict(),
            "link": self.link.to_state(),
            "seed": self.seed,
            "flat": None if self.flat is None else self.flat.accuracy.tolist(),
            "before": list(self.before),
            "after": list(self.after),
            "calibration": None if self.calibration is None else self.calibration.to_state(),
        }

    @classmethod
    def from_state(cls, law: Any, state: dict[str, Any], step1: FitResult) -> TwoStepModel:
        flat = state.get("flat")
        calibration = state.get("calibration")
        return cls(
            law,
            step1,
            LinkFit.from_state(law.link, state["link"]),
            int(state["seed"]),
            None if flat is None else Flat(np.asarray(flat, dtype=float)),
            tuple(str(w) for w in state["before"]),
            tuple(str(w) for w in state["after"]),
            None if calibration is None else Calibration.from_state(calibration),
        )


#: The sigmoid in log compute is the sigmoid link on ``L = -log10 C``.
def log_compute_design(compute: Array) -> Array:
    return np.asarray(-np.log10(compute), dtype=float)


@dataclass(frozen=True, eq=False)
class DirectModel:
    """A direct law of accuracy against compute fitted with its published intervals: ``gpt4``, a fit of the
    ``passrate`` law to ``-log acc`` (its pass-rate forecast is the accuracy), or ``sigmoid``, the sigmoid
    link on ``-log10 C`` with a case bootstrap. ``flat``: the accuracy does not move with compute."""

    law: AccuracyLaw
    seed: int
    gpt4: FitResult | None = None
    sigmoid: LinkFit | None = None
    flat: Flat | None = None
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()

    kind = "direct"

    @quiet
    def forecast(self, result: FitResult, targets: tuple[Target, ...], level: float) -> FitResult:
        check_level(level)
        values, factors = resolved(result, targets)
        if self.gpt4 is not None:
            gpt4 = self.gpt4.model.forecast(self.gpt4, targets, level)
            own = [(r.estimate, r.ci, r.pi) for r in (p.pass_rate for p in gpt4.predictions) if r is not None]
            params, middle = gpt4.params, gpt4.fit.warnings  # its forecast's warnings name far targets too
        elif self.sigmoid is not None:
            own, params, middle = self._sigmoid(values, level), self._sigmoid_params(level), ()
        else:  # a flat task no law could be fitted to (every run the same): the flat forecast alone
            own, params, middle = [(math.nan, (math.nan, math.nan), (math.nan, math.nan))] * values.size, (), ()
        predictions = tuple(
            Prediction(float(v), float(f), float(e), ci, pi)
            for v, f, (e, ci, pi) in zip(values, factors, own, strict=True)
        )
        if self.gpt4 is None:
            middle = extrapolation_warnings(predictions, result.data.compute_min)
        if self.flat is not None:
            predictions = self.flat.predictions(predictions, level)
        return replace(
            result,
            level=level,
            params=params,
            predictions=predictions,
            fit=replace(result.fit, warnings=self.before + middle + self.after),
        )

    def _sigmoid(self, values: Array, level: float) -> list[Forecast]:
        assert self.sigmoid is not None
        estimate, draws = self.sigmoid.at(log_compute_design(values))
        noisy = np.clip(draws + self.sigmoid.noise[:, None], 0.0, 1.0)
        tail = (1.0 - level) / 2.0
        ci = np.quantile(draws, [tail, 1.0 - tail], axis=0).T
        pi = np.quantile(noisy, [tail, 1.0 - tail], axis=0).T
        pi = np.column_stack([np.minimum(pi[:, 0], ci[:, 0]), np.maximum(pi[:, 1], ci[:, 1])])
        return [
            (
                float(estimate[i]),
                (float(min(ci[i, 0], estimate[i])), float(max(ci[i, 1], estimate[i]))),
                (float(min(pi[i, 0], estimate[i])), float(max(pi[i, 1], estimate[i]))),
            )
            for i in range(values.size)
        ]

    def _sigmoid_params(self, level: float) -> tuple[ParameterEstimate, ...]:
        assert self.sigmoid is not None
        theta, boot = self.sigmoid.theta, self.sigmoid.boot_theta
        with np.errstate(over="ignore", invalid="ignore"):  # a replicate whose midpoint runs off to 1e300 FLOP
            user = np.column_stack([np.exp(np.r_[theta[0], boot[:, 0]]), 10.0 ** -np.r_[theta[1], boot[:, 1]]])
        return percentile_params(("slope", "C_mid"), user[0], user[1:], level)

    def draws(self, target: float) -> Array:
        """Draws of the true accuracy at ``target``: the fitted law's bootstrap replicates."""
        if self.gpt4 is not None:
            from .forecasting import curve_model

            model = curve_model(self.gpt4)
            law, state = model.law, model.uncertainty
            assert state.boot_theta is not None
            x = law.target_design(state.theta, np.log(np.array([target])), model.log_cref)
            draws = np.exp(-np.exp(law.log_predict(state.boot_theta, x)[:, 0]))
        elif self.sigmoid is not None:
            draws = self.sigmoid.at(log_compute_design(np.array([target])))[1][:, 0]
        else:
            draws = np.zeros(FLAT_DRAWS)
        if self.flat is not None:
            draws = self.flat.draws(stream(self.seed, Stream.JOIN).standard_normal(draws.size))
        return np.asarray(draws[np.isfinite(draws)], dtype=float)

    def to_state(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "gpt4": None if self.gpt4 is None else self.gpt4.to_saved_dict(),
            "sigmoid": None if self.sigmoid is None else self.sigmoid.to_state(),
            "flat": None if self.flat is None else self.flat.accuracy.tolist(),
            "before": list(self.before),
            "after": list(self.after),
        }

    @classmethod
    def from_state(cls, law: Any, state: dict[str, Any], gpt4: FitResult | None) -> DirectModel:
        flat = state.get("flat")
        sigmoid = state.get("sigmoid")
        return cls(
            law,
            int(state["seed"]),
            gpt4,
            None if sigmoid is None else LinkFit.from_state(SigmoidLink, sigmoid),
            None if flat is None else Flat(np.asarray(flat, dtype=float)),
            tuple(str(w) for w in state["before"]),
            tuple(str(w) for w in state["after"]),
        )

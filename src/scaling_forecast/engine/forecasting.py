"""Forecast a fitted curve law at targets and a level, without refitting: parameters, ``ci``, ``pi``, allocations.

A :class:`CurveModel` is the state of a fitted curve law (its parameters, bootstrap, the candidate
laws the interval spans, the misspecification check): the model a :class:`~scaling_forecast.results.FitResult`
holds, so that the result alone forecasts, saves and draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..laws import Array, Law, PassRateLaw, curve_law
from ..results import (
    CandidateForecast,
    DerivedForecast,
    Drift,
    Estimate,
    FitResult,
    LawSelection,
    Optimum,
    ParameterEstimate,
    Prediction,
)
from ..settings import Target, check_level
from .fitting import quiet
from .reliability import ABSURD_FACTOR, extrapolation_warnings, identification_warnings
from .uncertainty import Uncertainty

#: The laws that are the ``loss`` law with its floor at 0: a floor only raises their forecasts.
NESTED = ("power",)


@dataclass(frozen=True, eq=False)
class CandidateState:
    """One law weighed by ``--law auto``: its fitted state (``None``: it could not be fitted) and whether the
    reported interval spans its own."""

    law: str
    state: Uncertainty | None
    in_interval: bool = False


@dataclass(frozen=True, eq=False)
class CurveModel:
    """A fitted curve law: ``law`` at ``theta`` in compute normalised by ``C_ref``, with its uncertainty.

    ``candidates`` are the laws ``--law auto`` weighed (the chosen one among them), ``drift`` the
    misspecification check, which widens the ``pi`` under ``misspecification`` ``widen``.
    """

    law: Law
    log_cref: float
    uncertainty: Uncertainty
    candidates: tuple[CandidateState, ...] = ()
    drift: Drift | None = None
    misspecification: str = "warn"

    kind = "curve"

    @property
    def theta(self) -> Array:
        return self.uncertainty.theta

    def forecast(self, result: FitResult, targets: tuple[Target, ...], level: float) -> FitResult:
        return forecast(result, targets, level)

    def to_state(self) -> dict[str, Any]:
        """What :meth:`from_state` needs to give the same forecasts (the keys of the saved ``state``)."""
        state: dict[str, Any] = {"log_compute_ref": self.log_cref, "uncertainty": self.uncertainty.to_dict()}
        if self.candidates:
            state["candidates"] = {c.law: c.state.to_dict() for c in self.candidates if c.state is not None}
            state["in_interval"] = [c.law for c in self.candidates if c.in_interval]
        return state

    @classmethod
    def from_state(
        cls, law: Law, state: dict[str, Any], drift: Drift | None, misspecification: str, selection: Any = None
    ) -> CurveModel:
        """The model of a saved fit; ``selection`` (its saved ``law_selection``) marks the spanned laws of old files."""
        states = state.get("candidates", {})
        spanned = state.get("in_interval")
        if spanned is None and selection is not None:
            spanned = [c["law"] for c in selection["candidates"] if c.get("in_interval")]
        names = [c["law"] for c in selection["candidates"]] if selection is not None else list(states)
        candidates = tuple(
            CandidateState(
                str(name),
                None if name not in states else Uncertainty.from_dict(states[name]),
                name in (spanned or ()),
            )
            for name in names
        )
        return cls(
            law,
            float(state["log_compute_ref"]),
            Uncertainty.from_dict(state["uncertainty"]),
            candidates,
            drift,
            misspecification,
        )


@quiet
def forecast(result: FitResult, targets: tuple[Target, ...], level: float) -> FitResult:
    """Parameters and predictions of a fitted curve law at ``level`` and ``targets`` (no refit).

    The warnings that depend on the level and the targets are added to ``result.data_warnings``.
    """
    check_level(level)
    model = result.model
    assert isinstance(model, CurveModel)
    law, uncertainty, log_cref = model.law, model.uncertainty, model.log_cref
    params = _parameters(law, uncertainty, log_cref, level)
    values, factors = resolved(result, targets)
    if any(t.point is not None for t in targets) and law.design == ("compute",):
        raise ConfigError(f"the {law.name} law is forecast at a compute, not at a point of parameters and tokens")
    design = _target_design(law, uncertainty.theta, log_cref, targets, values)
    predictions = tuple(
        p if t.point is None else replace(p, design=tuple(zip(law.design, t.point, strict=True)))
        for p, t in zip(_predictions(law, uncertainty, design, values, factors, level), targets, strict=True)
    )
    selection = result.law_selection
    if selection is not None and model.candidates:
        selection, predictions = _spanned(selection, model, predictions, values, factors, level)
    drift = model.drift
    if model.misspecification == "widen" and drift is not None and drift.warned and drift.excess is not None:
        from scipy.special import ndtri

        z = float(ndtri(0.5 + level / 2.0))
        predictions = tuple(_widened(p, z * drift.excess) for p in predictions)
    warnings = (
        result.data_warnings
        + identification_warnings(law, params, level)
        + extrapolation_warnings(predictions, result.data.compute_min)
    )
    budgets = tuple(float(v) for v, t in zip(values, targets, strict=True) if t.point is None)
    optima, exponents = _allocations(law, uncertainty, log_cref, budgets, level)
    return replace(
        result,
        level=level,
        params=params,
        predictions=predictions,
        fit=replace(result.fit, warnings=warnings),
        law_selection=selection,
        optima=optima,
        exponents=exponents,
    )


def curve_model(result: FitResult) -> CurveModel:
    """The :class:`CurveModel` of a fit of a curve law."""
    model = result.model
    if not isinstance(model, CurveModel):
        raise TypeError(f"the {result.law} law is not a curve law")
    return model


def _unit(x_column: str) -> str:
    """What the runs' x is counted in: FLOP for compute, else the column's own name."""
    return "FLOP" if x_column.strip().lower() in ("compute", "flops", "c") else f"({x_column})"


def resolved(result: FitResult, targets: tuple[Target, ...]) -> tuple[Array, Array]:
    """Each target's compute and its multiple of the largest run; targets beyond :data:`ABSURD_FACTOR` are refused."""
    compute_max = result.data.compute_max
    values = np.array([t.resolve(compute_max) for t in targets], dtype=float)
    factors = np.array([t.value if t.relative else t.value / compute_max for t in targets], dtype=float)
    for target, value, factor in zip(targets, values, factors, strict=True):
        if not (1.0 / ABSURD_FACTOR <= factor <= ABSURD_FACTOR):
            raise ConfigError(
                f"target {target}: {value:.3g} {_unit(result.data.x_column)} is {factor:.3g}x the largest run "
                f"({compute_max:.3g}); "
                f"no law holds that far, so targets beyond {ABSURD_FACTOR:.0e}x either way are refused"
            )
    return values, factors


def _target_design(law: Law, theta: Array, log_cref: float, targets: tuple[Target, ...], values: Array) -> Array:
    """The design of each target: its explicit point, or where the law forecasts that compute."""
    design = law.target_design(theta, np.log(values), log_cref) if values.size else np.empty((0,))
    if law.design == ("compute",):
        return design
    design = design.reshape(-1, len(law.design))
    for i, target in enumerate(targets):
        if target.point is not None:
            design[i] = np.log(target.point)
    return design


def _allocations(
    law: Law, uncertainty: Uncertainty, log_cref: float, budgets: tuple[float, ...], level: float
) -> tuple[tuple[Optimum, ...], tuple[tuple[str, Estimate], ...]]:
    """The law's compute-optimal allocation at each budget, and its exponents, with percentile intervals."""
    params = law.to_user(uncertainty.theta[None, :], log_cref)
    if law.allocation(params, 1.0) is None:
        return (), ()
    boot = np.empty((0, law.n_params))
    if uncertainty.boot_theta is not None:
        boot = law.to_user(uncertainty.boot_theta, log_cref)
    optima = []
    for budget in budgets:
        point, draws = law.allocation(params, budget), law.allocation(boot, budget)
        assert point is not None and draws is not None
        optima.append(Optimum(budget, **{k: _percentile(float(point[k][0]), draws[k], level) for k in point}))
    point_exponents, draw_exponents = law.allocation_exponents(params), law.allocation_exponents(boot)
    exponents = tuple(
        (name, _percentile(float(value[0]), draw_exponents[name], level)) for name, value in point_exponents.items()
    )
    return tuple(optima), exponents


def _percentile(estimate: float, draws: Array, level: float) -> Estimate:
    """``estimate`` with the percentile interval of its bootstrap ``draws``, widened to contain it."""
    finite = draws[np.isfinite(draws)]
    if finite.size == 0:
        return Estimate(estimate, (math.nan, math.nan))
    low, high = np.quantile(finite, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return Estimate(estimate, (float(min(low, estimate)), float(max(high, estimate))))


def _spanned(
    selection: LawSelection,
    model: CurveModel,
    predictions: tuple[Prediction, ...],
    targets: Array,
    factors: Array,
    level: float,
) -> tuple[LawSelection, tuple[Prediction, ...]]:
    """Each candidate's own forecasts, and the chosen law's predictions with intervals spanning every law marked.

    Notes
    -----
    The reported ``ci`` is ``[min_k low_k, max_k high_k]`` over the laws ``k`` in the interval, and
    likewise ``pi``: whichever of them holds, its own interval is inside (a union of intervals
    covers at least as often as the interval of the true law). When the chosen law is the power
    law, which is the loss law with ``c = 0``, the lower end is the power law's own: a floor
    ``c >= 0`` fitted to the same runs only raises the forecast beyond them, so the loss law's
    lower tail (its linearised ``c < 0`` side) holds no law of the family.
    """
    candidates, spans, floor = [], [], None
    states = {c.law: c for c in model.candidates}
    for candidate in selection.candidates:
        own: tuple[Prediction, ...] = ()
        fitted = states.get(candidate.law)
        if fitted is not None and fitted.state is not None:
            law = curve_law(candidate.law)
            design = law.target_design(fitted.state.theta, np.log(targets), model.log_cref)
            own = _predictions(law, fitted.state, design, targets, factors, level)
        if candidate.in_interval:
            spans.append(own)
            if candidate.law == selection.chosen and candidate.law in NESTED:
                floor = own
        forecasts = tuple(
            CandidateForecast(
                p.target,
                p.estimate,
                p.ci if candidate.in_interval else None,
                p.pi if candidate.in_interval else None,
            )
            for p in own
        )
        candidates.append(replace(candidate, predictions=forecasts))
    lowest = spans if floor is None else [floor]
    spanned = tuple(
        replace(
            prediction,
            ci=(min(s[i].ci[0] for s in lowest), max(s[i].ci[1] for s in spans)),
            pi=(min(s[i].pi[0] for s in lowest), max(s[i].pi[1] for s in spans)),
        )
        for i, prediction in enumerate(predictions)
    )
    return replace(selection, candidates=tuple(candidates)), spanned


def _parameters(law: Law, uncertainty: Uncertainty, log_cref: float, level: float) -> tuple[ParameterEstimate, ...]:
    matrix, offset = law.reporting_matrix(log_cref), law.reporting_offset(log_cref)
    estimate = matrix @ uncertainty.theta + offset
    boot_estimate = boot_gradient = None
    if uncertainty.boot_theta is not None:
        boot_estimate = uncertainty.boot_theta @ matrix.T + offset
        boot_gradient = np.broadcast_to(matrix, (boot_estimate.shape[0], *matrix.shape))
    stderr, bounds = uncertainty.quantity_intervals(estimate, matrix, boot_estimate, boot_gradient, level)
    params = []
    for i, name in enumerate(law.param_names):
        value, se, (low, high) = estimate[i], stderr[i], bounds[i]
        if law.log_scale[i]:
            value, low, high = np.exp(value), np.exp(low), np.exp(high)
            se = value * se
        floor, ceiling = law.param_bounds[i]
        params.append(
            ParameterEstimate(name, float(value), float(se), (float(max(low, floor)), float(min(high, ceiling))))
        )
    return tuple(params)


def _predictions(
    law: Law,
    uncertainty: Uncertainty,
    log_x: Array,
    targets: Array,
    factors: Array,
    level: float,
) -> tuple[Prediction, ...]:
    """The law at each target's design ``log_x``, with its ``ci`` and ``pi``."""
    if targets.size == 0:
        return ()
    theta = uncertainty.theta[None, :]
    estimate = law.log_predict(theta, log_x)[0]
    gradient = law.log_jacobian(theta, log_x)[0]
    boot_estimate = boot_gradient = None
    if uncertainty.boot_theta is not None:
        boot_estimate = law.log_predict(uncertainty.boot_theta, log_x)
        boot_gradient = law.log_jacobian(uncertainty.boot_theta, log_x)
    _, ci = uncertainty.quantity_intervals(estimate, gradient, boot_estimate, boot_gradient, level)
    _, pi = uncertainty.quantity_intervals(estimate, gradient, boot_estimate, boot_gradient, level, new_run=True)
    # a new run's interval holds the law's: the bootstrap tails of the two can differ in skew
    pi = np.column_stack([np.minimum(pi[:, 0], ci[:, 0]), np.maximum(pi[:, 1], ci[:, 1])])
    ci, pi, estimate = np.exp(ci), np.exp(pi), np.exp(estimate)
    pass_rates: list[DerivedForecast | None] = [None] * targets.size
    if isinstance(law, PassRateLaw):  # the pass rate exp(-Q) falls as Q rises: bounds swap
        pass_rates = [
            DerivedForecast(
                float(np.exp(-estimate[i])),
                (float(np.exp(-ci[i, 1])), float(np.exp(-ci[i, 0]))),
                (float(np.exp(-pi[i, 1])), float(np.exp(-pi[i, 0]))),
            )
            for i in range(targets.size)
        ]
    return tuple(
        Prediction(
            target=float(t),
            extrapolation_factor=float(factors[i]),
            estimate=float(estimate[i]),
            ci=(float(ci[i, 0]), float(ci[i, 1])),
            pi=(float(pi[i, 0]), float(pi[i, 1])),
            pass_rate=pass_rates[i],
            design=() if law.design == ("compute",) else tuple(zip(law.design, np.exp(log_x[i]).tolist(), strict=True)),
        )
        for i, t in enumerate(targets)
    )


def _log(value: float) -> float:
    """``log`` with ``log 0 = -inf`` (the end of an interval of every loss)."""
    return math.log(value) if value > 0.0 else -math.inf


def _widened(prediction: Prediction, per_decade: float) -> Prediction:
    """``pi`` with ``per_decade`` times the decades beyond the largest run added to each side, in quadrature.

    Notes
    -----
    In log space, each side's distance ``h`` from the estimate becomes ``sqrt(h^2 + (z tau D)^2)``
    with ``D = log10(extrapolation factor)`` (0 inside the runs) and ``z tau`` the drift's error
    per decade times the normal quantile of the level.
    """
    if not 0.0 < prediction.estimate < math.inf:
        return prediction  # an interval of every loss, (0, inf), has nothing to widen
    centre = math.log(prediction.estimate)
    extra = per_decade * max(0.0, math.log10(prediction.extrapolation_factor))
    low, high = (
        math.exp(centre + math.copysign(math.hypot(distance, extra), distance))
        for distance in (_log(v) - centre for v in prediction.pi)
    )
    low, high = min(low, prediction.pi[0]), max(high, prediction.pi[1])
    widened = replace(prediction, pi=(low, high))
    if prediction.pass_rate is not None:  # the pass-rate law's: exp(-Q) falls as Q rises
        widened = replace(widened, pass_rate=replace(prediction.pass_rate, pi=(math.exp(-high), math.exp(-low))))
    return widened

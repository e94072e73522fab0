"""Fit a law to runs and forecast targets: the pure pipeline behind ``forecast fit`` and ``predict``."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .config import BOOTSTRAP_RANGE, MAX_BOOTSTRAP
from .drift import rolling_drift
from .errors import ConfigError, DataError, FitError
from .fitting import LOSS_FUNCTIONS, BatchFit, fit_batch, quiet, refine
from .laws import LAWS, Array, IndexArray, Law, PassRateLaw, get_law
from .passrate import ZERO_POLICIES, PassRateRuns, PassRates
from .results import (
    BucketResult,
    Candidate,
    CandidateForecast,
    DataSummary,
    DerivedForecast,
    Drift,
    Estimate,
    FitQuality,
    FitResult,
    LawSelection,
    Optimum,
    ParameterEstimate,
    Prediction,
)
from .selection import select_law
from .trend import trend_verdict
from .uncertainty import METHODS, Uncertainty, estimate_uncertainty

#: Under ``--law auto`` the interval always spans this law's own: it nests the power law (``c = 0``),
#: so its interval carries the uncertainty of an irreducible loss the runs may not show yet.
NESTING_LAW = "loss"
#: The laws that are :data:`NESTING_LAW` with its floor at 0: a floor only raises their forecasts.
NESTED = ("power",)
MISSPECIFICATION = ("warn", "widen")
#: Thresholds of the reliability warnings.
MIN_DECADES = 1.5
MAX_EXTRAPOLATION = 1000.0
#: Targets this many times beyond (or below) the largest run are refused: no law holds that far.
ABSURD_FACTOR = 1e6
WEAK_IDENTIFICATION_RATIO = 10.0
#: More than twice this many runs are fitted as at most this many points (see :func:`fitted_points`),
#: so that the cost of the fit no longer grows with the runs.
MAX_POINTS = 24
#: Seed-sequence key of the stream that draws a new run's noise from every run of a binned fit.
RUN_NOISE_STREAM = 2**32 - 3
#: A parameter whose interval is wider than this many times its estimate is not identified at all.
UNIDENTIFIED_WIDTH = 1000.0
#: A fitted law whose log changes less than this over the fitted runs is flat (0.01%).
FLAT = 1e-4

_TARGET = re.compile(r"^\s*([0-9.eE+-]+)\s*([xX×])?\s*$")


@dataclass(frozen=True)
class Target:
    """A target compute: absolute FLOP, or a multiple of the largest fitted run (``1000x``).

    A law of several design columns can also be forecast at an explicit ``point`` of its design
    (``N, D`` for chinchilla), whose compute is ``value``; a compute target alone is forecast where
    the law puts it (for chinchilla: the fit's compute-optimal allocation).
    """

    value: float
    relative: bool = False
    point: tuple[float, ...] | None = None

    def resolve(self, compute_max: float) -> float:
        return self.value * compute_max if self.relative else self.value

    def __str__(self) -> str:
        if self.point is not None:
            return ",".join(f"{v:g}" for v in self.point)
        return f"{self.value:g}x" if self.relative else f"{self.value:g}"


def parse_target(text: str | float | int) -> Target:
    """Parse ``1e24``, ``"3.2e23"`` or ``"1000x"``; a target must be a positive finite number."""
    if isinstance(text, bool):
        raise ConfigError(f"target {text!r}: expected a compute like 1e24 or a multiple like 1000x")
    if isinstance(text, (int, float)):
        value, relative = float(text), False
    else:
        match = _TARGET.match(str(text))
        if match is None:
            raise ConfigError(
                f"target {text!r}: expected a compute like 1e24 or a multiple of the largest run like 1000x"
            )
        try:
            value = float(match.group(1))
        except ValueError:
            raise ConfigError(
                f"target {text!r}: expected a compute like 1e24 or a multiple of the largest run like 1000x"
            ) from None
        relative = match.group(2) is not None
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"target {text!r}: target compute must be a positive finite number")
    return Target(value, relative)


def parse_point(text: str) -> Target:
    """``"7e10,1.4e12"`` -> the target at ``N = 7e10`` parameters and ``D = 1.4e12`` tokens (``C = 6 N D``)."""
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        n_value, d_value = float(parts[0]), float(parts[1])
    except ValueError:
        raise ConfigError(f"--at {text!r}: expected PARAMS,TOKENS like 7e10,1.4e12") from None
    if not (math.isfinite(n_value) and math.isfinite(d_value) and n_value > 0 and d_value > 0):
        raise ConfigError(f"--at {text}: parameters and tokens must be positive numbers")
    return Target(6.0 * n_value * d_value, point=(n_value, d_value))


@dataclass(frozen=True)
class FitSettings:
    """How to fit: law, objective and uncertainty method."""

    law: str = "auto"
    level: float = 0.9
    method: str = "bootstrap"
    n_boot: int = 2000
    seed: int = 0
    #: ``auto``: the law's own (``huber`` for chinchilla, as its reference protocol; ``lsq`` otherwise).
    loss_fn: str = "auto"
    huber_delta: float = 1e-3
    misspecification: str = "widen"

    def validated(self) -> FitSettings:
        """Check every value; law ``auto`` resolves to ``loss``, loss function ``auto`` to the law's own."""
        if self.law != "auto" and self.law not in LAWS:  # the registry as it is now: laws can be added
            raise ConfigError(f"--law {self.law!r}: unknown law; choose one of {', '.join(('auto', *LAWS))}")
        if self.method not in METHODS:
            raise ConfigError(f"--method {self.method!r}: unknown method; choose one of {', '.join(METHODS)}")
        if self.loss_fn not in ("auto", *LOSS_FUNCTIONS):
            raise ConfigError(
                f"--loss-fn {self.loss_fn!r}: unknown loss function; choose one of auto, {', '.join(LOSS_FUNCTIONS)}"
            )
        check_level(self.level)
        if self.method == "bootstrap" and not 100 <= self.n_boot <= MAX_BOOTSTRAP:
            raise ConfigError(f"--bootstrap {self.n_boot}: {BOOTSTRAP_RANGE}")
        if not (math.isfinite(self.huber_delta) and self.huber_delta > 0):
            raise ConfigError(f"--huber-delta {self.huber_delta}: must be a positive number, e.g. 1e-3")
        if self.seed < 0:
            raise ConfigError(f"--seed {self.seed}: must be a non-negative integer")
        if self.misspecification not in MISSPECIFICATION:
            raise ConfigError(
                f"--misspecification {self.misspecification!r}: choose one of {', '.join(MISSPECIFICATION)}"
            )
        law = "loss" if self.law == "auto" else self.law
        loss_fn = get_law(law).default_loss_fn if self.loss_fn == "auto" else self.loss_fn
        return replace(self, law=law, loss_fn=loss_fn)


def check_level(level: float) -> None:
    if not (0.0 < level < 1.0):
        raise ConfigError(f"--level {level}: must be between 0 and 1 (exclusive), e.g. 0.9")


@quiet
def fit_law(
    compute: Array,
    y: Array,
    settings: FitSettings,
    targets: tuple[Target, ...] = (),
    *,
    file: str = "<data>",
    x_column: str = "compute",
    y_column: str = "loss",
    sweep: str | None = None,
    replicates: Callable[[np.random.Generator, int], Array] | None = None,
    extra_warnings: tuple[str, ...] = (),
    problems: dict[str, Any] | None = None,
    columns: Array | None = None,
) -> FitResult:
    """Fit ``settings.law`` to ``y`` against ``compute`` and forecast each target.

    Notes
    -----
    Runs are put in a canonical order first, so the row order of the input changes nothing.
    Compute is normalised by ``C_ref = exp(mean log C)``; parameters are reported in the
    user's units. ``replicates(rng, n_boot)`` gives bootstrap data sets of ``log y`` in the
    caller's run order (see :func:`estimate_uncertainty`). A law of several design columns
    reads them from ``columns`` ``(n, k)`` (for chinchilla: parameters and tokens; ``compute`` is then
    ``6 N D``, which orders the runs and measures extrapolation).
    """
    compute, y = validated(compute, y, file, x_column, y_column)
    runs = None
    if columns is None and replicates is None and compute.size > 2 * MAX_POINTS:
        runs = (compute, y)
        compute, y = fitted_points(compute, y)
    selection = None
    if settings.law == "auto":
        settings = replace(settings, loss_fn=settings.validated().loss_fn)
        unit = "run(s)" if runs is None else "points"
        selection = select_law(compute, y, loss_fn=settings.loss_fn, huber_delta=settings.huber_delta, unit=unit)
        if selection is None:
            raise DataError(
                f"{file}: runs at {np.unique(compute).size} distinct compute value(s); even the power law "
                "needs 3 or more; add runs"
            )
        settings = replace(settings, law=selection.chosen)
    settings = settings.validated()
    law = get_law(settings.law)
    if law.resampling == "cases" and settings.method != "bootstrap":
        raise ConfigError(
            f"--law {law.name} uses a case bootstrap over runs, as its reference protocol; "
            "--method delta is not available"
        )
    if (columns is None) != (law.design == ("compute",)):
        needs = ", ".join(law.design)
        raise ConfigError(f"--law {settings.law}: the law reads {needs} per run; give the runs' {needs}")
    order = np.lexsort((y, compute))
    compute, y = compute[order], y[order]
    log_columns = None if columns is None else np.log(np.asarray(columns, dtype=float)[order])
    if replicates is not None:
        draw = replicates

        def replicates(rng: np.random.Generator, n_boot: int) -> Array:
            return draw(rng, n_boot)[:, order]

    distinct = np.unique(compute).size
    if distinct < law.n_params + 1:
        raise DataError(
            f"{file}: the {law.name} law has {law.n_params} parameters and needs runs at "
            f"{law.n_params + 1} or more distinct compute values, got {distinct}; add runs"
            + (" or use --law power" if law.name == "loss" else "")
        )
    log_compute = np.log(compute)
    log_cref = law.log_reference(log_compute)
    log_x, log_y = law.log_design(log_compute, log_columns, log_cref), np.log(y)
    problem = law.design_problem(log_x)
    if problem is not None:
        raise DataError(f"{file}: {problem}")
    best = fit_batch(law, log_x, log_y[None, :], loss_fn=settings.loss_fn, huber_delta=settings.huber_delta)
    best = refine(law, log_x, log_y[None, :], best, loss_fn=settings.loss_fn, huber_delta=settings.huber_delta)
    theta = best.theta[0]
    if not (np.isfinite(theta).all() and np.isfinite(best.objective[0])):
        raise FitError(f"{file}: the {law.name} law could not be fitted (non-finite optimum)")
    fitted = law.log_predict(theta[None, :], log_x)[0]
    if np.ptp(fitted) < FLAT:
        slope = float(np.polyfit(np.log(compute), log_y, 1)[0]) if np.unique(compute).size > 1 else 0.0
        if slope > FLAT:  # the law can only fall: a rising metric comes out as a flat fit
            raise FitError(
                f"{file}: {y_column} rises with {x_column} (from {y[0]:.4g} at {compute[0]:.3g} to {y[-1]:.4g} at "
                f"{compute[-1]:.3g}), and the {law.name} law can only fall; fit a quantity that falls with scale "
                "(a loss, --y COL), or check that larger runs really have more compute"
            )
        raise FitError(
            f"{file}: the fitted {law.name} law is flat ({y_column} does not change with {x_column}); "
            "check that the runs differ in compute"
        )
    degenerate = law.degenerate(theta, log_x)
    if degenerate is not None:
        raise FitError(f"{file}: {degenerate}")
    options: dict[str, Any] = {
        "method": settings.method,
        "n_boot": settings.n_boot,
        "seed": settings.seed,
        "loss_fn": settings.loss_fn,
        "huber_delta": settings.huber_delta,
    }
    uncertainty = estimate_uncertainty(law, log_x, log_y, theta, replicates=replicates, **options)
    if selection is not None:
        selection = _interval_laws(selection, uncertainty, log_x, log_y, options)
    points = None
    if runs is not None:  # the fit saw bins: a new run's noise is every run's own scatter about the law
        points = (compute, y)
        every = np.lexsort((runs[1], runs[0]))
        compute, y = runs[0][every], runs[1][every]
        log_x = law.log_design(np.log(compute), None, log_cref)
        uncertainty = _run_noise(law, uncertainty, log_x, np.log(y), settings.seed)
        if selection is not None:  # the interval spans these laws' own states: each gets the runs' noise
            candidates = []
            for c in selection.candidates:
                if c.law == law.name:
                    c = replace(c, state=uncertainty)
                elif c.state is not None and c.in_interval:
                    c = replace(c, state=_run_noise(get_law(c.law), c.state, log_x, np.log(y), settings.seed))
                candidates.append(c)
            selection = replace(selection, candidates=tuple(candidates))
    return assemble(
        law,
        settings,
        targets,
        compute,
        y,
        log_cref,
        best,
        uncertainty,
        log_x=log_x,
        points=points,
        file=file,
        x_column=x_column,
        y_column=y_column,
        sweep=sweep,
        extra_warnings=extra_warnings,
        problems=problems,
        law_selection=selection,
    )


def fitted_points(compute: Array, y: Array) -> tuple[Array, Array]:
    """The points a fit of many runs sees: one per compute value when the runs sit at
    :data:`MAX_POINTS` or fewer (seeds, repeated evaluations: replicates of one point), else
    :func:`binned_runs` of at most :data:`MAX_POINTS` bins of equal count (``m`` or ``m + 1`` runs)."""
    levels, index = np.unique(compute, return_inverse=True)
    if levels.size <= MAX_POINTS:
        counts = np.bincount(index)
        return levels, np.exp(np.bincount(index, weights=np.log(y)) / counts)
    per_bin = -(-compute.size // MAX_POINTS)
    return binned_runs(compute, y, compute.size // per_bin)


def binned_runs(compute: Array, y: Array, n_points: int) -> tuple[Array, Array]:
    """The runs as ``n_points`` equal-count bins in compute order: geometric means of compute and of ``y``.

    Notes
    -----
    In log space a bin of ``m`` runs is one point with noise ``s / sqrt(m)``; bins of equal count
    (sizes differ by at most one) keep the points' noise equal, so the unweighted fit to the bins
    is the fit to the runs up to the law's curvature across a bin. Ties keep the file's order.
    """
    order = np.argsort(compute, kind="stable")
    log_c, log_y = np.log(compute[order]), np.log(y[order])
    bins = np.array_split(np.arange(compute.size), n_points)
    starts = np.array([b[0] for b in bins])
    counts = np.array([b.size for b in bins])
    mean_c = np.add.reduceat(log_c, starts) / counts
    mean_y = np.add.reduceat(log_y, starts) / counts
    return np.exp(mean_c), np.exp(mean_y)


def _run_noise(law: Law, uncertainty: Uncertainty, log_x: Array, log_y: Array, seed: int) -> Uncertainty:
    """``uncertainty`` of a fit to bins, with a new run's noise taken from every run, not from the bins.

    ``s_run^2 = sum r_i^2 / (n - p)`` over every run's log residual ``r_i`` from the fitted law; each
    replicate's new-run noise is a centred ``r_i`` drawn at random, and its noise scale is ``s_run``
    (known to about ``1 / sqrt(2n)``: the replicates of the law's curve are what vary).
    """
    residuals = log_y - law.log_predict(uncertainty.theta[None, :], log_x)[0]
    run_sigma = math.sqrt(float(residuals @ residuals) / max(log_y.size - law.n_params, 1))
    if uncertainty.boot_noise is None or uncertainty.boot_sigma is None:
        return replace(uncertainty, sigma=run_sigma)
    rng = np.random.default_rng([seed, RUN_NOISE_STREAM])
    noise = (residuals - residuals.mean())[rng.integers(0, residuals.size, size=uncertainty.boot_noise.size)]
    return replace(
        uncertainty,
        sigma=run_sigma,
        boot_sigma=np.where(np.isfinite(uncertainty.boot_sigma), run_sigma, np.nan),
        boot_noise=noise,
    )


def validated(compute: Any, y: Any, file: str, x_column: str, y_column: str) -> tuple[Array, Array]:
    """``compute`` and ``y`` as float arrays of one length, every value positive and finite; else a DataError."""
    arrays = []
    for values, name in ((compute, x_column), (y, y_column)):
        try:
            array = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise DataError(f"{file}: {name} must be numbers; got {type(values).__name__}") from None
        if array.ndim != 1:
            raise DataError(f"{file}: {name} must be one value per run (a 1-d array); got shape {array.shape}")
        bad = np.flatnonzero(~(np.isfinite(array) & (array > 0)))
        if bad.size:
            i = int(bad[0])
            raise DataError(
                f"{file}: {name}[{i}] is {float(array[i])!r}; every value must be a positive finite number "
                "(laws are fitted in log space)"
            )
        arrays.append(array)
    if arrays[0].size != arrays[1].size:
        raise DataError(f"{file}: {arrays[0].size} {x_column} values but {arrays[1].size} {y_column} values")
    return arrays[0], arrays[1]


def _interval_laws(
    selection: LawSelection, uncertainty: Uncertainty, log_x: Array, log_y: Array, options: dict[str, Any]
) -> LawSelection:
    """Mark the laws whose intervals the reported interval spans, and give them their own uncertainty.

    The chosen law keeps the fit's own uncertainty; :data:`NESTING_LAW`, when it could be fitted and
    was not chosen, gets the same bootstrap (method, replicates, seed) on the same runs.
    """
    candidates = []
    for candidate in selection.candidates:
        if candidate.law == selection.chosen:
            candidate = replace(candidate, in_interval=True, state=uncertainty)
        elif candidate.law == NESTING_LAW and candidate.state is not None:
            law = get_law(candidate.law)
            state = estimate_uncertainty(law, log_x, log_y, candidate.state.theta, **options)
            candidate = replace(candidate, in_interval=True, state=state)
        candidates.append(candidate)
    return replace(selection, candidates=tuple(candidates))


def assemble(
    law: Law,
    settings: FitSettings,
    targets: tuple[Target, ...],
    compute: Array,
    y: Array,
    log_cref: float,
    best: BatchFit,
    uncertainty: Uncertainty,
    *,
    file: str,
    x_column: str,
    y_column: str,
    sweep: str | None,
    extra_warnings: tuple[str, ...] = (),
    problems: dict[str, Any] | None = None,
    check_drift: bool = True,
    law_selection: LawSelection | None = None,
    log_x: Array | None = None,
    points: tuple[Array, Array] | None = None,
) -> FitResult:
    """The :class:`FitResult` of a fitted law (``best`` holds one row) with its forecasts.

    ``check_drift`` runs the ladder's rolling backtest (:func:`rolling_drift`) on laws of compute
    alone. ``log_x`` is the runs' design (default: log compute over ``C_ref``). ``points`` are the
    bins the law was fitted to when the runs were more than :data:`MAX_POINTS` (the check runs on them).
    """
    if log_x is None:
        log_x = np.log(compute) - log_cref
    residuals = np.log(y) - law.log_predict(uncertainty.theta[None, :], log_x)[0]
    data = DataSummary(
        file=file,
        n_runs=int(y.size),
        compute_min=float(compute[0]),
        compute_max=float(compute[-1]),
        x_column=x_column,
        y_column=y_column,
        sweep=sweep,
        problems=problems,
        points=None if points is None else int(points[0].size),
    )
    drift = None
    fitted_compute, fitted_y = points or (compute, y)
    if check_drift and law.design == ("compute",):
        drift_law = law
        if law_selection is not None and any(c.law == NESTING_LAW and c.in_interval for c in law_selection.candidates):
            drift_law = get_law(NESTING_LAW)
        drift = rolling_drift(
            drift_law,
            fitted_compute,
            fitted_y,
            loss_fn=settings.loss_fn,
            huber_delta=settings.huber_delta,
            seed=settings.seed,
        )
    data_warnings = _data_warnings(law, fitted_compute, fitted_y, data, uncertainty, bool(best.converged[0]))
    data_warnings += extra_warnings
    if drift is not None:
        data_warnings += _drift_warnings(drift, compute, settings.misspecification)
    trend = trend_verdict(np.log(fitted_compute), np.log(fitted_y), lower_is_better=True)  # rises are warned above
    quality = FitQuality(
        rmse=float(np.sqrt(np.mean(residuals**2))),
        objective=float(best.objective[0]),
        converged=bool(best.converged[0]),
        dof=uncertainty.dof,
        failed_replicates=uncertainty.failed_replicates,
        warnings=data_warnings,
        drift=drift,
        trend=trend,
    )
    result = FitResult(
        law=law.name,
        formula=law.formula,
        level=settings.level,
        method=settings.method,
        n_boot=uncertainty.n_boot,
        seed=settings.seed,
        loss_fn=settings.loss_fn,
        huber_delta=settings.huber_delta,
        log_compute_ref=log_cref,
        data=data,
        params=(),
        fit=quality,
        predictions=(),
        uncertainty=uncertainty,
        data_warnings=data_warnings,
        law_selection=law_selection,
        misspecification=settings.misspecification,
    )
    return forecast(result, targets, settings.level)


@quiet
def forecast(result: FitResult, targets: tuple[Target, ...], level: float) -> FitResult:
    """Parameters and predictions of a fitted law at ``level`` and ``targets`` (no refit).

    The warnings that depend on the level and the targets are added to ``result.data_warnings``.
    """
    check_level(level)
    law = get_law(result.law)
    params = _parameters(law, result.uncertainty, result.log_compute_ref, level)
    compute_max = result.data.compute_max
    values = np.array([t.resolve(compute_max) for t in targets], dtype=float)
    factors = np.array([t.value if t.relative else t.value / compute_max for t in targets], dtype=float)
    for target, value, factor in zip(targets, values, factors, strict=True):
        if not (1.0 / ABSURD_FACTOR <= factor <= ABSURD_FACTOR):
            raise ConfigError(
                f"target {target}: {value:.3g} FLOP is {factor:.3g}x the largest run ({compute_max:.3g}); "
                f"no law holds that far, so targets beyond {ABSURD_FACTOR:.0e}x either way are refused"
            )
    if any(t.point is not None for t in targets) and law.design == ("compute",):
        raise ConfigError(f"the {law.name} law is forecast at a compute, not at a point of parameters and tokens")
    design = _target_design(law, result.uncertainty.theta, result.log_compute_ref, targets, values)
    predictions = tuple(
        p if t.point is None else replace(p, design=tuple(zip(law.design, t.point, strict=True)))
        for p, t in zip(_predictions(law, result.uncertainty, design, values, factors, level), targets, strict=True)
    )
    selection = result.law_selection
    if selection is not None:
        selection, predictions = _spanned(selection, predictions, result.log_compute_ref, values, factors, level)
    drift = result.fit.drift
    if result.misspecification == "widen" and drift is not None and drift.warned and drift.excess is not None:
        from scipy.special import ndtri

        z = float(ndtri(0.5 + level / 2.0))
        predictions = tuple(_widened(p, z * drift.excess, isinstance(law, PassRateLaw)) for p in predictions)
    warnings = (
        result.data_warnings
        + _identification_warnings(law, params, level)
        + _extrapolation_warnings(predictions, result.data.compute_min)
    )
    budgets = tuple(float(v) for v, t in zip(values, targets, strict=True) if t.point is None)
    optima, exponents = _allocations(law, result.uncertainty, result.log_compute_ref, budgets, level)
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
    predictions: tuple[Prediction, ...],
    log_cref: float,
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
    for candidate in selection.candidates:
        own: tuple[Prediction, ...] = ()
        if candidate.state is not None:
            law = get_law(candidate.law)
            design = law.target_design(candidate.state.theta, np.log(targets), log_cref)
            own = _predictions(law, candidate.state, design, targets, factors, level)
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


def _widened(prediction: Prediction, per_decade: float, pass_rate: bool) -> Prediction:
    """``pi`` with ``per_decade`` times the decades beyond the largest run added to each side, in quadrature.

    Notes
    -----
    In log space, each side's distance ``h`` from the estimate becomes ``sqrt(h^2 + (z tau D)^2)``
    with ``D = log10(extrapolation factor)`` (0 inside the runs) and ``z tau`` the drift's error
    per decade times the normal quantile of the level.
    """
    centre = math.log(prediction.estimate)
    extra = per_decade * max(0.0, math.log10(prediction.extrapolation_factor))
    low, high = (
        math.exp(centre + math.copysign(math.hypot(math.log(v) - centre, extra), math.log(v) - centre))
        for v in prediction.pi
    )
    low, high = min(low, prediction.pi[0]), max(high, prediction.pi[1])
    widened = replace(prediction, pi=(low, high))
    if pass_rate and prediction.pass_rate is not None:
        widened = replace(widened, pass_rate=replace(prediction.pass_rate, pi=(math.exp(-high), math.exp(-low))))
    return widened


def _drift_warnings(drift: Drift, compute: Array, misspecification: str) -> tuple[str, ...]:
    """The warning of the misspecification check: the ladder drifts, or it has too few runs to tell."""
    if drift.too_few:
        distinct = np.unique(compute).size
        return (
            f"only {distinct} runs at distinct compute values: too few for the ladder to test the {drift.law} law "
            f"on its own larger runs (the misspecification check needs {get_law(drift.law).n_params + 3}); the "
            "intervals assume the law holds beyond the runs",
        )
    if not drift.warned:
        return ()
    assert drift.excess is not None and drift.worst_error is not None and drift.worst_factor is not None
    action = (
        "the prediction intervals are widened by that rate times the decades beyond the largest run"
        if misspecification == "widen"
        else "the prediction intervals are probably too narrow (--misspecification widen widens them)"
    )
    return (
        f"the ladder's own rolling forecasts drift: the {drift.law} law fitted to its smaller runs misses the "
        f"larger ones by {drift.excess:.1%} per decade of extrapolation, keeping one sign (p = {drift.p_value:.3f}; "
        f"worst {drift.worst_error:.1%} off at {drift.worst_factor:,.0f}x): the law is probably misspecified; "
        f"{action}",
    )


def _data_warnings(
    law: Law, compute: Array, y: Array, data: DataSummary, uncertainty: Uncertainty, converged: bool
) -> tuple[str, ...]:
    warnings = []
    if data.n_runs < law.min_runs:
        warnings.append(
            f"only {data.n_runs} runs (fewer than {law.min_runs}): the intervals rest on "
            f"{uncertainty.dof} degree(s) of freedom; add runs for a reliable forecast"
        )
    if law.design != ("compute",):  # compute alone does not order a law of several columns
        return tuple(warnings) + _fit_warnings(uncertainty, converged)
    decades = math.log10(data.compute_max / data.compute_min)
    if decades < MIN_DECADES - 1e-3:
        warnings.append(
            f"compute spans only {decades:.2f} decades (less than {MIN_DECADES}): the exponent is "
            "poorly constrained; spread the runs over more compute"
        )
    levels, index = np.unique(compute, return_inverse=True)
    means = np.bincount(index, weights=y) / np.bincount(index)
    if data.points is None:
        rises = np.flatnonzero(np.diff(means) >= 0)
    else:  # points are means of m runs: a rise within their noise says nothing
        noise = 3.0 * math.sqrt(2.0) * uncertainty.sigma / math.sqrt(data.n_runs / data.points)
        rises = np.flatnonzero(np.diff(np.log(means)) > noise)
    if rises.size:
        i = int(rises[0])
        warnings.append(
            f"{data.y_column} does not decrease with {data.x_column}: it is {means[i]:.4g} at "
            f"{levels[i]:.3g} and {means[i + 1]:.4g} at {levels[i + 1]:.3g}; check those runs"
        )
    return tuple(warnings) + _fit_warnings(uncertainty, converged)


def _fit_warnings(uncertainty: Uncertainty, converged: bool) -> tuple[str, ...]:
    warnings = []
    if not converged:
        warnings.append("the fit did not converge to its tolerance; the parameters may be inaccurate")
    failed = uncertainty.failed_replicates
    if uncertainty.n_boot and failed > 0.01 * uncertainty.n_boot:
        warnings.append(f"{failed} of {uncertainty.n_boot} bootstrap replicates could not be fitted and were dropped")
    return tuple(warnings)


def _identification_warnings(law: Law, params: tuple[ParameterEstimate, ...], level: float) -> tuple[str, ...]:
    warnings = []
    described = dict(law.identified)
    for p in params:
        low, high = p.ci
        if not (np.isfinite(low) and np.isfinite(high)) or high - low > UNIDENTIFIED_WIDTH * abs(p.estimate):
            warnings.append(
                f"parameter {p.name} is not identified by these runs: its {level:.0%} interval [{low:.3g}, {high:.3g}] "
                f"is over {UNIDENTIFIED_WIDTH:,.0f}x its estimate {p.estimate:.3g}, so every interval that leans on "
                "it is not physical; add runs that vary what it governs, or fit a law with fewer parameters"
            )
            continue
        if p.name not in described:
            continue
        low, high = sorted(abs(v) for v in p.ci)
        if low == 0.0 or high / low > WEAK_IDENTIFICATION_RATIO:
            warnings.append(
                f"{described[p.name]} is weakly identified: its {level:.0%} interval "
                f"[{p.ci[0]:.3g}, {p.ci[1]:.3g}] spans more than an order of magnitude; "
                "runs over more compute would pin it down"
            )
    return tuple(warnings)


def _extrapolation_warnings(predictions: tuple[Prediction, ...], compute_min: float) -> tuple[str, ...]:
    """Targets far beyond the runs, and targets below the smallest run (a backcast, not a forecast)."""
    far = tuple(
        f"target {p.target:.3g} is {p.extrapolation_factor:,.0f}x beyond the largest run "
        f"(more than {MAX_EXTRAPOLATION:,.0f}x): treat the forecast with caution"
        for p in predictions
        if p.extrapolation_factor > MAX_EXTRAPOLATION * (1 + 1e-9)
    )
    below = tuple(
        f"target {p.target:.3g} is below the smallest run ({compute_min:.3g}): that is a backcast outside the "
        "runs, not a forecast; a gate on it says nothing about a large run"
        for p in predictions
        if p.target < compute_min * (1 - 1e-9)
    )
    return far + below


def load_fit(saved: Any, file: str) -> FitResult:
    """Rebuild a :class:`FitResult` and its data warnings from ``FitResult.to_saved_dict()``."""
    try:
        state = saved["state"]
        law = get_law(saved["law"])
        data = DataSummary(**{**saved["data"], "excluded": tuple(saved["data"].get("excluded", ()))})
        uncertainty = Uncertainty.from_dict(state["uncertainty"])
        data_warnings = tuple(str(w) for w in state["data_warnings"])
        fit = saved["fit"]
        result = FitResult(
            law=law.name,
            formula=law.formula,
            level=float(saved["level"]),
            method=str(saved["method"]),
            n_boot=int(saved["n_boot"]),
            seed=int(saved["seed"]),
            loss_fn=str(saved["loss_fn"]),
            huber_delta=float(saved["huber_delta"] or 1e-3),
            log_compute_ref=float(state["log_compute_ref"]),
            data=data,
            params=(),
            fit=FitQuality(
                rmse=float(fit["rmse"]),
                objective=float(fit["objective"]),
                converged=bool(fit["converged"]),
                dof=int(fit["dof"]),
                failed_replicates=int(fit["failed_replicates"]),
                warnings=data_warnings,
                drift=None
                if fit.get("drift") is None or "p_value" not in fit["drift"]
                else Drift.from_dict(fit["drift"]),
                trend=None if fit.get("trend") is None else str(fit["trend"]),
            ),
            predictions=(),
            uncertainty=uncertainty,
            data_warnings=data_warnings,
            law_selection=_load_selection(saved.get("law_selection"), state.get("candidates", {})),
            misspecification=str(saved.get("misspecification", "warn")),
        )
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise DataError(
            f"{file}: not a saved fit (missing or bad {error}); create one with 'forecast fit RUNS --save FIT.json'"
        ) from None
    return result


def _load_selection(document: Any, states: dict[str, Any]) -> LawSelection | None:
    """The :class:`LawSelection` of a saved fit, with each candidate's saved state.

    Fits saved before the interval spanned the candidates carry no candidate states: their
    forecasts are the chosen law's alone, as they were when saved.
    """
    if document is None or any("in_interval" not in c for c in document["candidates"]):
        return None
    candidates = tuple(
        Candidate(
            law=str(c["law"]),
            n_params=int(c["n_params"]),
            held_out_error=None if c["held_out_rmse"] is None else float(c["held_out_rmse"]),
            aicc=None if c["aicc"] is None else float(c["aicc"]),
            weight=float(c["weight"]),
            in_interval=bool(c["in_interval"]),
            state=None if c["law"] not in states else Uncertainty.from_dict(states[c["law"]]),
        )
        for c in document["candidates"]
    )
    return LawSelection(
        str(document["chosen"]),
        str(document["criterion"]),
        int(document["held_out"]),
        candidates,
        str(document["reason"]),
    )


MIN_PROBLEMS = 10


def _pass_rate_settings(settings: FitSettings, zeros: str) -> FitSettings:
    """``settings`` for pass rates (law ``passrate``), after checking the zero policy and the law."""
    if zeros not in ZERO_POLICIES:
        raise ConfigError(f"--zeros {zeros!r}: unknown policy; choose one of {', '.join(ZERO_POLICIES)}")
    if settings.law not in ("auto", "passrate"):
        raise ConfigError(f"--law {settings.law}: this file holds pass rates; use --law passrate (or auto)")
    return replace(settings, law="passrate")


SATURATION = 0.9


@quiet
def fit_pass_rates(
    data: PassRateRuns,
    settings: FitSettings,
    targets: tuple[Target, ...] = (),
    *,
    zeros: str = "subset",
    buckets: int = 0,
) -> FitResult:
    """Fit the capability law to pass rates, and optionally to each of ``buckets`` difficulty buckets.

    Notes
    -----
    ``Q_r = -mean_j log p_rj`` over the problems left by the zero policy. With per-problem data the
    bootstrap resamples problems (the same draw for every run); with one rate per run it resamples
    residuals as for loss. Each bucket is fitted the same way to its own problems.
    """
    settings = _pass_rate_settings(settings, zeros)
    rates = data.apply_zeros(zeros)
    result = _fit_rates(data, rates, settings, targets)
    if buckets <= 0:
        return result
    fitted, failures = [], []
    for name, columns, (lowest, highest) in rates.buckets(buckets):
        try:
            bucket = _fit_rates(data, rates.subset(columns), settings, targets)
        except FitError as error:
            failures.append(f"{name} could not be fitted: {str(error).split(': ', 1)[-1]}")
            continue
        fitted.append(BucketResult(name, len(columns), (lowest, highest), bucket.params, bucket.predictions))
    return replace(
        result, buckets=tuple(fitted), fit=replace(result.fit, warnings=result.fit.warnings + tuple(failures))
    )


@dataclass(frozen=True, eq=False)
class RateInputs:
    """What the capability law is fitted to: ``Q`` per run, its problem bootstrap and notes."""

    quantity: Array
    replicates: Callable[[np.random.Generator, int], Array] | None
    warnings: tuple[str, ...]
    problems: dict[str, Any]
    #: The problems resampled by ``replicates``, in column order (per-problem data only).
    problem_set: tuple[str, ...] | None = None


def rate_inputs(data: PassRateRuns, rates: PassRates) -> RateInputs:
    """``Q_r = -mean_j log p_rj`` per run, with the warnings that the problem set draws."""
    quantity = rates.mean_neg_log()
    if not np.all(quantity > 0):
        raise FitError(
            f"{data.file}: every pass rate is 1 on some run, so -E[log pass_rate] is 0; the law needs failures"
        )
    warnings = []
    if rates.per_problem and rates.n_problems < MIN_PROBLEMS:
        warnings.append(
            f"only {rates.n_problems} problems after zero handling (fewer than {MIN_PROBLEMS}): "
            "the mean log pass rate is noisy; add problems or use --zeros smooth"
        )
    best = int(np.argmin(quantity))
    if np.exp(-quantity[best]) > SATURATION:
        warnings.append(
            f"pass rates saturate near 1 (run {data.names[best]!r}: {np.exp(-quantity[best]):.0%} geometric mean): "
            "the law has no ceiling, so forecasts near 100% are unreliable"
        )
    problems = {
        "n_problems": rates.n_problems if rates.per_problem else None,
        "n_problems_total": rates.n_problems_total if rates.per_problem else None,
        "zeros": rates.zeros,
        "k": data.k,
        "note": rates.note,
    }
    if not rates.per_problem:
        return RateInputs(quantity, None, tuple(warnings), problems)
    return RateInputs(quantity, rates.problem_bootstrap, tuple(warnings), problems, rates.problems)


def _fit_rates(data: PassRateRuns, rates: PassRates, settings: FitSettings, targets: tuple[Target, ...]) -> FitResult:
    inputs = rate_inputs(data, rates)
    return fit_law(
        data.compute,
        inputs.quantity,
        settings,
        targets,
        file=data.file,
        x_column=data.x_column,
        y_column=PassRateLaw.quantity,
        sweep=data.sweep,
        replicates=inputs.replicates,
        extra_warnings=inputs.warnings,
        problems=inputs.problems,
    )


@dataclass(frozen=True, eq=False)
class Ladder:
    """Runs ready to fit with fixed settings: ``y`` is loss, or ``-E[log pass_rate]`` for pass rates.

    :meth:`fit` fits all runs or a subset (``rows``), which is what backtests need.
    """

    compute: Array
    y: Array
    names: tuple[str, ...]
    settings: FitSettings
    file: str = "<data>"
    x_column: str = "compute"
    y_column: str = "loss"
    sweep: str | None = None
    rate_runs: PassRateRuns | None = None
    rates: PassRates | None = None
    excluded: tuple[str, ...] = ()
    min_compute: float | None = None
    #: The law's other design columns per run (chinchilla: parameters and tokens).
    columns: Array | None = None
    #: What reading the runs left out and why, repeated with every fit.
    warnings: tuple[str, ...] = ()

    @property
    def n_runs(self) -> int:
        return int(self.compute.size)

    def fit(self, rows: IndexArray | None = None, targets: tuple[Target, ...] = ()) -> FitResult:
        """Fit ``settings.law`` to the runs in ``rows`` (default: all) and forecast ``targets``."""
        index = np.arange(self.n_runs) if rows is None else np.asarray(rows, dtype=np.intp)
        result = self._fit(index, targets)
        if not (self.excluded or self.min_compute is not None):
            return result
        return replace(result, data=replace(result.data, excluded=self.excluded, min_compute=self.min_compute))

    def _fit(self, index: IndexArray, targets: tuple[Target, ...]) -> FitResult:
        if self.rates is None or self.rate_runs is None:
            return fit_law(
                self.compute[index],
                self.y[index],
                self.settings,
                targets,
                file=self.file,
                x_column=self.x_column,
                y_column=self.y_column,
                sweep=self.sweep,
                columns=None if self.columns is None else self.columns[index],
                extra_warnings=self.warnings,
            )
        data = replace(
            self.rate_runs,
            compute=self.rate_runs.compute[index],
            names=tuple(self.rate_runs.names[i] for i in index),
        )
        return _fit_rates(data, self.rates.runs(index), self.settings, targets)


def loss_ladder(runs: Any, settings: FitSettings, **dropped: Any) -> Ladder:
    """A :class:`Ladder` of loss runs (a :class:`scaling_forecast.runs.Runs`).

    ``dropped`` records ``excluded`` runs and ``min_compute`` for the output.
    """
    settings.validated()  # report bad settings before any fit; "auto" is resolved by each fit
    return Ladder(
        runs.x,
        runs.y,
        tuple(runs.names),
        settings,
        file=runs.file,
        x_column=runs.x_column,
        y_column=runs.y_column,
        sweep=runs.sweep,
        columns=runs.columns,
        warnings=runs.warnings,
        **dropped,
    )


def rate_ladder(data: PassRateRuns, settings: FitSettings, zeros: str = "subset", **dropped: Any) -> Ladder:
    """A :class:`Ladder` of pass rates, after the zero policy (applied to all runs at once)."""
    settings = _pass_rate_settings(settings, zeros).validated()
    rates = data.apply_zeros(zeros)
    return Ladder(
        data.compute,
        rates.mean_neg_log(),
        data.names,
        settings,
        file=data.file,
        x_column=data.x_column,
        y_column=PassRateLaw.quantity,
        sweep=data.sweep,
        rate_runs=data,
        rates=rates,
        **dropped,
    )


def ladder(data: Any, settings: FitSettings, zeros: str = "subset", **dropped: Any) -> Ladder:
    """The :class:`Ladder` of loaded runs: pass rates (:func:`rate_ladder`) or losses (:func:`loss_ladder`)."""
    if isinstance(data, PassRateRuns):
        return rate_ladder(data, settings, zeros, **dropped)
    return loss_ladder(data, settings, **dropped)

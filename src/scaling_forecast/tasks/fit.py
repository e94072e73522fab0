"""Fit a law to runs and forecast targets: the pure pipeline behind ``forecast fit`` and ``predict``."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..engine.drift import rolling_drift
from ..engine.fitting import BatchFit, Objective, fit_batch, quiet, refine
from ..engine.forecasting import CandidateState, CurveModel, forecast
from ..engine.passrates import ZERO_POLICIES, PassRateRuns, PassRates
from ..engine.reliability import data_warnings, drift_warnings
from ..engine.selection import select_law
from ..engine.streams import Stream, stream
from ..engine.trend import trend_verdict
from ..engine.uncertainty import Uncertainty, estimate_uncertainty
from ..errors import ConfigError, DataError, FitError
from ..laws import Array, Law, PassRateLaw, curve_law
from ..results import BucketResult, DataSummary, FitQuality, FitResult, LawSelection, Points
from ..settings import FitSettings, Target

#: Under ``--law auto`` the interval always spans this law's own: it nests the power law (``c = 0``),
#: so its interval carries the uncertainty of an irreducible loss the runs may not show yet.
NESTING_LAW = "loss"
#: More than twice this many runs are fitted as at most this many points (see :func:`fitted_points`),
#: so that the cost of the fit no longer grows with the runs.
MAX_POINTS = 24
#: A fitted law whose log changes less than this over the fitted runs is flat (0.01%).
FLAT = 1e-4


@quiet
def fit_curve(
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
    law_name: str | None = None,
    check_drift: bool = True,
) -> FitResult:
    """Fit ``settings.law`` (a curve law, or ``auto``) to ``y`` against ``compute`` and forecast each target.

    Notes
    -----
    The steps: check the arrays; fit many runs as bins; choose the law (``auto``); put the runs in
    a canonical order (the row order of the input changes nothing) and normalise compute by
    ``C_ref = exp(mean log C)``; fit; bootstrap; give the laws the interval spans their own
    bootstrap; take a new run's noise from every run when bins were fitted; assemble the result.
    Parameters are reported in the user's units. ``replicates(rng, n_boot)`` gives bootstrap data
    sets of ``log y`` in the caller's run order (see :func:`estimate_uncertainty`). A law of several
    design columns reads them from ``columns`` ``(n, k)`` (for chinchilla: parameters and tokens;
    ``compute`` is then ``6 N D``, which orders the runs and measures extrapolation). ``law_name`` is the law's
    name in warnings, when it is fitted as part of another (``gpt4``: the ``passrate`` law on an accuracy).
    ``check_drift`` off leaves out the misspecification check (a planned run's refit keeps the ladder's).
    """
    where = Where(file, x_column, y_column, sweep, problems, extra_warnings, law_name)
    compute, y = validated(compute, y, file, x_column, y_column)
    runs = None
    if columns is None and replicates is None and compute.size > 2 * MAX_POINTS:
        runs = (compute, y)
        compute, y = fitted_points(compute, y)
    settings, selection, states = _choose_law(settings, compute, y, where, binned=runs is not None)
    settings, law = _curve_law(settings, columns)
    compute, y, columns, replicates = _canonical_order(compute, y, columns, replicates)
    log_columns = None if columns is None else np.log(columns)
    _check_design(law, compute, where)
    log_cref = law.log_reference(np.log(compute))
    log_x, log_y = law.log_design(np.log(compute), log_columns, log_cref), np.log(y)
    problem = law.design_problem(log_x)
    if problem is not None:
        raise DataError(f"{file}: {problem}")
    best = _optimum(law, log_x, log_y, settings, compute, y, where)
    options = _bootstrap_options(settings)
    uncertainty = estimate_uncertainty(law, log_x, log_y, best.theta[0], replicates=replicates, **options)
    candidates = _interval_laws(selection, states, uncertainty, log_x, log_y, options)
    points = None
    if runs is not None:  # the fit saw bins: a new run's noise is every run's own scatter about the law
        points = (compute, y)
        every = np.lexsort((runs[1], runs[0]))
        compute, y = runs[0][every], runs[1][every]
        log_x = law.log_design(np.log(compute), None, log_cref)
        uncertainty = _run_noise(law, uncertainty, log_x, np.log(y), settings.seed)
        candidates = _candidates_run_noise(law, candidates, uncertainty, log_x, np.log(y), settings.seed)
    return assemble(
        law,
        settings,
        targets,
        compute,
        y,
        log_cref,
        best,
        uncertainty,
        where,
        log_x=log_x,
        points=points,
        law_selection=selection,
        candidates=candidates,
        columns=columns,
        check_drift=check_drift,
    )


@dataclass(frozen=True)
class Where:
    """Where the runs come from and what reading them noted: the file, the columns fitted, the sweep, the
    problem set of pass rates, and the warnings repeated with every fit."""

    file: str
    x_column: str
    y_column: str
    sweep: str | None = None
    problems: dict[str, Any] | None = None
    warnings: tuple[str, ...] = ()
    #: The law's name in messages when it is fitted as part of another (``gpt4``: the passrate law on accuracy).
    law_name: str | None = None


def _choose_law(
    settings: FitSettings, compute: Array, y: Array, where: Where, *, binned: bool
) -> tuple[FitSettings, LawSelection | None, dict[str, Uncertainty | None]]:
    """``settings`` with the law ``auto`` chooses (:func:`select_law`), the choice, and the candidates' fits."""
    if settings.law != "auto":
        return settings, None, {}
    settings = replace(settings, loss_fn=settings.resolved().loss_fn)
    unit = "points" if binned else "run(s)"
    chosen = select_law(compute, y, objective=objective_of(settings), unit=unit)
    if chosen is None:
        raise DataError(
            f"{where.file}: runs at {np.unique(compute).size} distinct compute value(s); even the power law "
            "needs 3 or more; add runs"
        )
    selection, states = chosen
    return replace(settings, law=selection.chosen), selection, states


def _curve_law(settings: FitSettings, columns: Array | None) -> tuple[FitSettings, Law]:
    """``settings`` resolved and their curve law, after checking that the runs give the columns it reads."""
    settings = settings.resolved()
    law = curve_law(settings.law)
    if settings.method not in law.methods:
        raise ConfigError(
            f"--law {law.name} uses a case bootstrap over runs, as its reference protocol; "
            f"--method {settings.method} is not available"
        )
    if (columns is None) != (law.design == ("compute",)):
        needs = ", ".join(law.design)
        raise ConfigError(f"--law {settings.law}: the law reads {needs} per run; give the runs' {needs}")
    return settings, law


def _canonical_order(
    compute: Array, y: Array, columns: Array | None, replicates: Callable[[np.random.Generator, int], Array] | None
) -> tuple[Array, Array, Array | None, Callable[[np.random.Generator, int], Array] | None]:
    """The runs sorted by compute then ``y``, with their design columns and their resampler in the same order."""
    order = np.lexsort((y, compute))
    ordered_columns = None if columns is None else np.asarray(columns, dtype=float)[order]
    if replicates is None:
        return compute[order], y[order], ordered_columns, None
    draw = replicates

    def ordered(rng: np.random.Generator, n_boot: int) -> Array:
        return draw(rng, n_boot)[:, order]

    return compute[order], y[order], ordered_columns, ordered


def _check_design(law: Law, compute: Array, where: Where) -> None:
    """A law of ``p`` parameters needs runs at ``p + 1`` or more distinct computes."""
    distinct = np.unique(compute).size
    if distinct < law.n_params + 1:
        raise DataError(
            f"{where.file}: the {where.law_name or law.name} law has {law.n_params} parameters and needs runs at "
            f"{law.n_params + 1} or more distinct compute values, got {distinct}; add runs"
            + (" or use --law power" if law.name == "loss" else "")
        )


def _optimum(
    law: Law, log_x: Array, log_y: Array, settings: FitSettings, compute: Array, y: Array, where: Where
) -> BatchFit:
    """The law's global optimum (a batched start and polish, then scipy where that did not converge), checked:
    finite, not flat, and still this law (no term that vanished)."""
    objective = objective_of(settings)
    best = refine(
        law, log_x, log_y[None, :], fit_batch(law, log_x, log_y[None, :], objective=objective), objective=objective
    )
    theta = best.theta[0]
    name = where.law_name or law.name
    if not (np.isfinite(theta).all() and np.isfinite(best.objective[0])):
        raise FitError(f"{where.file}: the {name} law could not be fitted (non-finite optimum)")
    fitted = law.log_predict(theta[None, :], log_x)[0]
    if np.ptp(fitted) < FLAT:
        slope = float(np.polyfit(np.log(compute), log_y, 1)[0]) if np.unique(compute).size > 1 else 0.0
        if slope > FLAT:  # the law can only fall: a rising metric comes out as a flat fit
            raise FitError(
                f"{where.file}: {where.y_column} rises with {where.x_column} (from {y[0]:.4g} at {compute[0]:.3g} "
                f"to {y[-1]:.4g} at {compute[-1]:.3g}), and the {name} law can only fall; fit a quantity that falls "
                "with scale (a loss, --y COL), an accuracy with --law accuracy, or check that larger runs really have "
                "more compute"
            )
        raise FitError(
            f"{where.file}: the fitted {name} law is flat ({where.y_column} does not change with "
            f"{where.x_column}); check that the runs differ in compute"
        )
    degenerate = law.degenerate(theta, log_x)
    if degenerate is not None:
        raise FitError(f"{where.file}: {degenerate}")
    return best


def objective_of(settings: FitSettings) -> Objective:
    """The objective of (resolved) ``settings``: its loss function with its Huber threshold."""
    return Objective(settings.loss_fn, settings.huber_delta)


def _bootstrap_options(settings: FitSettings) -> dict[str, Any]:
    return {
        "method": settings.method,
        "n_boot": settings.n_boot,
        "seed": settings.seed,
        "objective": objective_of(settings),
    }


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
    rng = stream(seed, Stream.RUN_NOISE)
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
    selection: LawSelection | None,
    states: dict[str, Uncertainty | None],
    uncertainty: Uncertainty,
    log_x: Array,
    log_y: Array,
    options: dict[str, Any],
) -> tuple[CandidateState, ...]:
    """Each candidate's state, the laws whose intervals the reported interval spans marked.

    The chosen law keeps the fit's own uncertainty; :data:`NESTING_LAW`, when it could be fitted and
    was not chosen, gets the same bootstrap (method, replicates, seed) on the same runs.
    """
    if selection is None:
        return ()
    candidates = []
    for candidate in selection.candidates:
        state = states.get(candidate.law)
        if candidate.law == selection.chosen:
            candidates.append(CandidateState(candidate.law, uncertainty, True))
        elif candidate.law == NESTING_LAW and state is not None:
            law = curve_law(candidate.law)
            candidates.append(
                CandidateState(candidate.law, estimate_uncertainty(law, log_x, log_y, state.theta, **options), True)
            )
        else:
            candidates.append(CandidateState(candidate.law, state, False))
    return tuple(candidates)


def _candidates_run_noise(
    law: Law, candidates: tuple[CandidateState, ...], uncertainty: Uncertainty, log_x: Array, log_y: Array, seed: int
) -> tuple[CandidateState, ...]:
    """The spanned laws' states with a new run's noise from every run (see :func:`_run_noise`)."""
    updated = []
    for c in candidates:
        if c.law == law.name:
            c = replace(c, state=uncertainty)
        elif c.state is not None and c.in_interval:
            c = replace(c, state=_run_noise(curve_law(c.law), c.state, log_x, log_y, seed))
        updated.append(c)
    return tuple(updated)


def assemble(
    law: Law,
    settings: FitSettings,
    targets: tuple[Target, ...],
    compute: Array,
    y: Array,
    log_cref: float,
    best: BatchFit,
    uncertainty: Uncertainty,
    where: Where,
    *,
    check_drift: bool,
    law_selection: LawSelection | None = None,
    candidates: tuple[CandidateState, ...] = (),
    columns: Array | None = None,
    log_x: Array,
    points: tuple[Array, Array] | None = None,
) -> FitResult:
    """The :class:`FitResult` of a fitted law (``best`` holds one row) with its forecasts.

    ``candidates`` are the states of the laws ``--law auto`` weighed (:func:`_interval_laws`).

    ``check_drift`` runs the ladder's rolling backtest (:func:`rolling_drift`) on laws of compute
    alone. ``log_x`` is the runs' design (log compute over ``C_ref`` for a law of compute). ``points`` are the
    bins the law was fitted to when the runs were more than :data:`MAX_POINTS` (the check runs on them).
    """
    residuals = np.log(y) - law.log_predict(uncertainty.theta[None, :], log_x)[0]
    data = DataSummary(
        file=where.file,
        n_runs=int(y.size),
        compute_min=float(compute[0]),
        compute_max=float(compute[-1]),
        x_column=where.x_column,
        y_column=where.y_column,
        sweep=where.sweep,
        problems=where.problems,
        points=None if points is None else int(points[0].size),
    )
    drift = None
    fitted_compute, fitted_y = points or (compute, y)
    if law_selection is not None:
        spanned = {c.law for c in candidates if c.in_interval}
        law_selection = replace(
            law_selection, candidates=tuple(replace(c, in_interval=c.law in spanned) for c in law_selection.candidates)
        )
    if check_drift and law.design == ("compute",):
        drift_law = law
        if any(c.law == NESTING_LAW and c.in_interval for c in candidates):
            drift_law = curve_law(NESTING_LAW)
        drift = rolling_drift(
            drift_law,
            fitted_compute,
            fitted_y,
            objective=objective_of(settings),
            seed=settings.seed,
        )
    warnings = data_warnings(law, fitted_compute, fitted_y, data, uncertainty, bool(best.converged[0]))
    warnings += where.warnings
    if drift is not None:
        warnings += drift_warnings(drift, compute, settings.misspecification, where.law_name)
    trend = trend_verdict(np.log(fitted_compute), np.log(fitted_y), lower_is_better=True)  # rises are warned above
    quality = FitQuality(
        rmse=float(np.sqrt(np.mean(residuals**2))),
        objective=float(best.objective[0]),
        converged=bool(best.converged[0]),
        dof=uncertainty.dof,
        failed_replicates=uncertainty.failed_replicates,
        warnings=warnings,
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
        data=data,
        params=(),
        fit=quality,
        predictions=(),
        model=CurveModel(law, log_cref, uncertainty, candidates, drift, settings.misspecification),
        data_warnings=warnings,
        law_selection=law_selection,
        misspecification=settings.misspecification,
        runs=Points(
            tuple(compute.tolist()),
            tuple(y.tolist()),
            () if columns is None else tuple(tuple(row) for row in np.asarray(columns, dtype=float).tolist()),
        ),
    )
    return forecast(result, targets, settings.level)


MIN_PROBLEMS = 10


def pass_rate_settings(settings: FitSettings, zeros: str) -> FitSettings:
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
    settings = pass_rate_settings(settings, zeros)
    rates = data.apply_zeros(zeros)
    result = fit_rates(data, rates, settings, targets)
    if buckets <= 0:
        return result
    fitted, failures = [], []
    for name, columns, (lowest, highest) in rates.buckets(buckets):
        try:
            bucket = fit_rates(data, rates.subset(columns), settings, targets)
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


def fit_rates(data: PassRateRuns, rates: PassRates, settings: FitSettings, targets: tuple[Target, ...]) -> FitResult:
    inputs = rate_inputs(data, rates)
    return fit_curve(
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

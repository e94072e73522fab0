"""Compare methodology sweeps at a target compute: which wins, by how much, and how sure we are.

Every sweep (a ladder of small runs of one methodology) is fitted with the same law and settings.
The sweeps' fits and all their bootstrap replicates are fitted together: sweeps with the same
number of runs form one batch whose rows each carry their own compute values.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..engine.fitting import BatchFit, fit_batch, polish, quiet, refine
from ..engine.forecasting import curve_model
from ..engine.passrates import PassRateRuns
from ..engine.runs import Runs
from ..engine.streams import Stream, stream
from ..engine.uncertainty import (
    CHUNK_BYTES,
    Uncertainty,
    delta_covariance,
    nan_quantiles,
    probability_below,
    residual_bootstrap,
    studentised_draws,
    studentised_interval,
)
from ..errors import ConfigError, DataError, FitError
from ..laws import AccuracyLaw, Array, Law, LawSpec, PassRateLaw, curve_law, get_law
from ..results import Comparison, Crossing, FitResult, RankedSweep, TargetComparison
from ..settings import FitSettings, Target
from .capability import fit_accuracy_law
from .fit import Where, assemble, fit_curve, objective_of, rate_inputs, validated

#: Bootstrap rows polished at a time: small enough to stay in cache, large enough to amortise numpy's overhead.
CHUNK_ROWS = 10_000
#: The sweeps whose differences from the baseline are drawn at once.
SWEEPS_AT_ONCE = 1000
#: The arrays of replicates x runs a chunk of sweeps holds (the chunk fits :data:`CHUNK_BYTES`).
SWEEP_ARRAYS = 8
#: Points of the log-compute grid on which curves are checked for crossings.
CROSSING_GRID = 2001
#: Above this many sweeps, crossings are checked only against the baseline and the winners.
ALL_PAIRS_LIMIT = 20


@dataclass(frozen=True, eq=False)
class Sweep:
    """One methodology's ladder of runs: ``y`` (loss, or ``-E[log pass_rate]``) against ``compute``.

    ``replicates(rng, n_boot)`` resamples the data another way (problems, for pass rates), as in
    :func:`scaling_forecast.uncertainty.estimate_uncertainty`; ``problem_set`` names what it resamples.
    """

    name: str
    compute: Array
    y: Array
    file: str = "<data>"
    x_column: str = "compute"
    y_column: str = "loss"
    replicates: Callable[[np.random.Generator, int], Array] | None = None
    warnings: tuple[str, ...] = ()
    problems: dict[str, Any] | None = None
    problem_set: tuple[str, ...] | None = None
    #: The law's other design columns per run (chinchilla: parameters and tokens; ``compute = 6 N D``).
    columns: Array | None = None
    #: Runs of accuracies (every row, checkpoints included), for the laws of accuracy.
    runs: Runs | None = None


def sweeps_from(loaded: Sequence[tuple[str, Any]], zeros: str = "subset") -> list[Sweep]:
    """Sweeps to compare from ``(name, runs)`` pairs (:func:`scaling_forecast.runs.read_sweeps`).

    Pass-rate runs become ``-E[log pass_rate]`` after the ``zeros`` policy, with their problem bootstrap.
    """
    sweeps = []
    for name, data in loaded:
        if isinstance(data, PassRateRuns):
            inputs = rate_inputs(data, data.apply_zeros(zeros, label=f"{data.file} (sweep {name})"))
            compute, y, y_column = data.compute, inputs.quantity, PassRateLaw.quantity
            extra: dict[str, Any] = {"replicates": inputs.replicates, "warnings": inputs.warnings}
            extra.update(problems=inputs.problems, problem_set=inputs.problem_set)
        elif data.metric == "accuracy":
            final = data.final_rows()
            compute, y, y_column = data.x[final], data.y[final], data.y_column
            extra = {"runs": replace(data, sweep=name), "warnings": data.warnings}
        else:
            compute, y, y_column, extra = data.x, data.y, data.y_column, {"columns": data.columns}
        sweeps.append(Sweep(name, compute, y, file=data.file, x_column=data.x_column, y_column=y_column, **extra))
    return sweeps


def require_best_failure(comparison: Comparison, sweep: str, min_p_best: float = 0.0) -> str | None:
    """Why the gate "``sweep`` ranks first at every target, with ``P(best) >= min_p_best``" fails, or ``None``."""
    failures = [
        f"at {c.target:.3g} the best is {c.ranking[0].sweep!r}"
        if c.ranking[0].sweep != sweep
        else f"at {c.target:.3g} P(best) is {c.ranking[0].p_best:.3f} < {min_p_best}"
        for c in comparison.comparisons
        if c.ranking[0].sweep != sweep or c.ranking[0].p_best < min_p_best
    ]
    return f"--require-best {sweep}: {'; '.join(failures)}" if failures else None


@dataclass(frozen=True, eq=False)
class _Fitted:
    """A sweep and its fit (with its bootstrap replicates)."""

    sweep: Sweep
    result: FitResult


def compare_sweeps(
    sweeps: Sequence[Sweep],
    settings: FitSettings,
    targets: tuple[Target, ...],
    *,
    baseline: str | None = None,
    strict: bool = False,
    workers: int | None = None,
) -> Comparison:
    """Fit every sweep, rank them at each target and find where their curves cross.

    Notes
    -----
    Each sweep gets the residual bootstrap of ``forecast fit`` (leverage-adjusted residuals,
    ``settings.n_boot`` replicates, its own random stream ``default_rng([seed, i])`` for the
    ``i``-th sweep given). Sweeps evaluated on the same problem set draw the same problems in
    replicate ``r`` (a paired bootstrap: the problems' difficulty is common to all sweeps).
    Replicate ``r`` of one sweep is paired with replicate ``r`` of another. ``delta_ci`` is the
    bootstrap-t interval of the difference ``delta = y_s - y_base`` at the target, studentised by
    ``sqrt(se_s^2 + se_base^2)``; ``p_better`` is the confidence that the true ``delta < 0``
    (:func:`probability_below`, consistent with ``delta_ci``); ``p_best`` the share of replicates
    in which the sweep's bootstrap-t draw of its true value (:func:`studentised_draws`) is the
    lowest. A relative target (``1000x``) is a multiple of the largest run of all sweeps. Under
    ``auto``, sweeps of pass rates are fitted with the ``passrate`` law, others with ``loss``.

    Sweeps are fitted in chunks whose replicates fit :data:`CHUNK_BYTES`; with more than one
    chunk, ``workers`` processes (default: every CPU this process may use) fit them side by side.
    Each sweep has its own random stream, so the answer does not depend on ``workers``.
    """
    if settings.law == "auto" and sweeps and all(s.y_column == PassRateLaw.quantity for s in sweeps):
        settings = replace(settings, law="passrate")
    accuracies = [s.runs for s in sweeps if s.runs is not None]
    if settings.law == "auto" and sweeps and len(accuracies) == len(sweeps):
        settings = replace(settings, law="two-step" if all(r.columns is not None for r in accuracies) else "accuracy")
    settings = settings.resolved()
    if settings.method != "bootstrap":
        raise ConfigError("forecast compare needs --method bootstrap: its probabilities come from the bootstrap draws")
    spec = get_law(settings.law)  # resolving the settings refused --chance for a law without a floor
    if isinstance(spec, AccuracyLaw):
        return _compare_by_draws(sweeps, settings, targets, baseline=baseline, strict=strict)
    if any(s.runs is not None for s in sweeps):
        raise ConfigError(f"--law {settings.law}: the sweeps hold accuracies; compare them with a law of accuracy")
    law = curve_law(settings.law)
    if (law.design == ("compute",)) != all(s.columns is None for s in sweeps):
        raise ConfigError(
            f"--law {law.name}: the law reads {', '.join(law.design)} per run; every sweep must give them"
        )
    for sweep in sweeps:
        validated(sweep.compute, sweep.y, f"sweep {sweep.name!r} ({sweep.file})", sweep.x_column, sweep.y_column)
    _check_names(sweeps, baseline)
    left_out: list[str] = []
    usable: list[tuple[int, Sweep]] = []
    for index, sweep in enumerate(sweeps):
        distinct = np.unique(sweep.compute).size
        if distinct < law.n_params + 1:
            message = (
                f"sweep {sweep.name!r} ({sweep.file}): runs at {distinct} distinct compute value(s); the {law.name} "
                f"law needs {law.n_params + 1} or more, so it is left out; add runs to it"
            )
            if strict or sweep.name == baseline:
                raise DataError(message + ("" if strict else " (it is the --baseline)"))
            left_out.append(message)
        else:
            usable.append((index, sweep))
    if len(usable) < 2:
        raise DataError(
            f"forecast compare needs at least 2 sweeps that can be fitted, got {len(usable)}"
            + (f"; {left_out[0]}" if left_out else "")
        )
    compute_max = max(float(np.max(s.compute)) for _, s in usable)
    absolute = tuple(Target(t.resolve(compute_max)) for t in targets)
    by_size: dict[int, list[tuple[int, Sweep]]] = {}
    for index, sweep in usable:
        by_size.setdefault(sweep.y.size, []).append((index, sweep))
    problem_sets = {s.problem_set for _, s in usable if s.replicates is not None}
    paired = len(problem_sets) == 1 and None not in problem_sets
    fitted: dict[int, _Fitted] = {}
    if law.design != ("compute",):  # fitted one sweep at a time, each with its own batch of replicates
        by_size = {}
        for index, sweep in usable:
            try:
                fitted[index] = _Fitted(sweep, _fit_one(sweep, settings, absolute))
            except (DataError, FitError) as error:
                message = f"sweep {sweep.name!r}: {error}; it is left out"
                if strict or sweep.name == baseline:
                    raise DataError(message) from None
                left_out.append(message)
    for whole in by_size.values():
        # chunks only bound the memory: any chunking gives the same answer (tested with CHUNK_BYTES = 1)
        replicate_bytes = SWEEP_ARRAYS * 8 * settings.n_boot * whole[0][1].compute.size  # pragma: no mutate
        per_chunk = max(1, CHUNK_BYTES // replicate_bytes)  # pragma: no mutate
        chunks = [whole[first : first + per_chunk] for first in range(0, len(whole), per_chunk)]
        task = (law, settings, absolute, paired, len(usable) <= ALL_PAIRS_LIMIT)
        fits = [item for chunk in _fit_chunks(task, chunks, workers) for item in chunk]
        for (index, sweep), item in zip(whole, fits, strict=True):
            if isinstance(item, str):
                if strict or sweep.name == baseline:
                    raise DataError(item)
                left_out.append(item)
            else:
                fitted[index] = item
    ordered = [fitted[i] for i in sorted(fitted)]
    if len(ordered) < 2:
        raise DataError(f"forecast compare needs at least 2 sweeps that can be fitted, got {len(ordered)}")
    comparisons = tuple(_rank(law, ordered, target.value, baseline, settings.level) for target in absolute)
    crossings = _crossings(law, ordered, absolute, comparisons)
    return _comparison(law, law.formula, settings, ordered, comparisons, crossings, left_out)


_Task = tuple[Law, FitSettings, tuple[Target, ...], bool, bool]
#: What forked workers read: the task and its chunks (inherited, so sweeps' resamplers need no pickling).
_PENDING: tuple[_Task, list[list[tuple[int, Sweep]]]] | None = None


def _fit_chunks(task: _Task, chunks: list[list[tuple[int, Sweep]]], workers: int | None) -> list[list[_Fitted | str]]:
    """:func:`_fit_group` on each chunk of sweeps, in forked worker processes when there are several."""
    global _PENDING
    # how many processes fit the chunks changes no answer: the forked fit is byte for byte the serial one (tested)
    affinity = getattr(os, "sched_getaffinity", None)  # pragma: no mutate
    available = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)  # pragma: no mutate
    n_workers = min(available if workers is None else workers, len(chunks))  # pragma: no mutate
    if n_workers < 2 or "fork" not in multiprocessing.get_all_start_methods():  # pragma: no mutate
        return [_fit_group(*task, chunk) for chunk in chunks]
    _PENDING = (task, chunks)
    try:
        context = multiprocessing.get_context("fork")  # pragma: no mutate
        with context.Pool(n_workers, initializer=_ignore_interrupts) as pool:  # pragma: no mutate
            results = pool.map(_fit_pending, range(len(chunks)), chunksize=1)  # pragma: no mutate
    finally:
        _PENDING = None
    pairs = [zip(chunk, result, strict=True) for chunk, result in zip(chunks, results, strict=True)]
    return [[item if isinstance(item, str) else _Fitted(sweep, item) for (_, sweep), item in pair] for pair in pairs]


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which stops them and says so in one line."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _fit_pending(index: int) -> list[FitResult | str]:
    assert _PENDING is not None
    task, chunks = _PENDING
    return [item if isinstance(item, str) else item.result for item in _fit_group(*task, chunks[index])]


def _fit_one(sweep: Sweep, settings: FitSettings, targets: tuple[Target, ...]) -> FitResult:
    """One sweep fitted as ``forecast fit`` would (laws of several design columns)."""
    where: dict[str, Any] = {"file": sweep.file, "x_column": sweep.x_column, "y_column": sweep.y_column}
    extra: dict[str, Any] = {"sweep": sweep.name, "extra_warnings": sweep.warnings, "columns": sweep.columns}
    return fit_curve(sweep.compute, sweep.y, settings, targets, **where, **extra)


@quiet
def _fit_group(
    law: Law,
    settings: FitSettings,
    targets: tuple[Target, ...],
    paired: bool,
    check_drift: bool,
    group: list[tuple[int, Sweep]],
) -> list[_Fitted | str]:
    """Fit sweeps with the same number of runs, and their bootstrap replicates, as batches.

    With ``paired``, every sweep's problem bootstrap draws from one stream, so the same problems.
    ``check_drift`` runs each sweep's rolling backtest (a loop of small fits per sweep).
    """
    objective = objective_of(settings)
    fit_options: dict[str, Any] = {"objective": objective}
    orders = [np.lexsort((s.y, s.compute)) for _, s in group]
    compute = np.array([s.compute[o] for (_, s), o in zip(group, orders, strict=True)], dtype=float)
    y = np.array([s.y[o] for (_, s), o in zip(group, orders, strict=True)], dtype=float)
    log_compute = np.log(compute)
    log_cref = log_compute.mean(axis=1)
    log_x, log_y = log_compute - log_cref[:, None], np.log(y)
    best = refine(law, log_x, log_y, fit_batch(law, log_x, log_y, **fit_options), **fit_options)
    n_sweeps, n_runs = log_y.shape
    n_boot = settings.n_boot
    fitted = law.log_predict(best.theta, log_x)
    covariance, sigma = delta_covariance(law, best.theta, log_x, log_y - fitted)
    boot_log_y = np.empty((n_sweeps, n_boot, n_runs))
    noise = np.empty((n_sweeps, n_boot))
    ok = np.isfinite(best.theta).all(axis=1) & np.isfinite(best.objective)
    for row, ((index, sweep), order) in enumerate(zip(group, orders, strict=True)):
        if not ok[row]:
            boot_log_y[row] = np.nan
            continue
        rng = np.random.default_rng([settings.seed, index])
        draws = residual_bootstrap(law, best.theta[row], log_x[row], log_y[row], rng, n_boot)
        boot_log_y[row] = draws.data()
        if sweep.replicates is not None:
            problem_rng = stream(settings.seed, Stream.PAIRED_PROBLEMS) if paired else rng
            shifts = np.asarray(sweep.replicates(problem_rng, n_boot), dtype=float)[:, order] - log_y[row]
            boot_log_y[row] += shifts
        noise[row] = draws.noise(rng, n_boot)
    flat_y = boot_log_y.reshape(-1, n_runs)
    starts = np.repeat(np.where(ok[:, None], best.theta, 0.0), n_boot, axis=0)
    if settings.loss_fn == "lsq":  # the first Gauss-Newton step, once per sweep: its replicates share the Jacobian
        jacobian = law.log_jacobian(starts[::n_boot], log_x)
        jacobian = np.where(np.isfinite(jacobian), jacobian, 0.0)
        step = np.einsum("spn,sbn->sbp", np.linalg.pinv(jacobian), boot_log_y - fitted[:, None, :])
        stepped = law.project(starts + step.reshape(starts.shape))
    boot_theta = np.empty((flat_y.shape[0], law.n_params))
    boot_covariance = np.empty((flat_y.shape[0], law.n_params, law.n_params))
    boot_sigma = np.empty(flat_y.shape[0])
    for start in range(0, flat_y.shape[0], CHUNK_ROWS):
        rows = slice(start, start + CHUNK_ROWS)
        sweep_of = np.arange(rows.start, min(rows.stop, flat_y.shape[0])) // n_boot  # each replicate's sweep
        chunk_x = log_x[sweep_of]
        start_theta = starts[rows]
        if settings.loss_fn == "lsq":  # the step is kept where it lowers the objective
            before = objective(flat_y[rows] - law.log_predict(start_theta, chunk_x))
            after = objective(flat_y[rows] - law.log_predict(stepped[rows], chunk_x))
            start_theta = np.where((after < before)[:, None], stepped[rows], start_theta)
        chunk = polish(law, chunk_x, flat_y[rows], start_theta, **fit_options)
        theta = np.where(np.isfinite(chunk.objective)[:, None], chunk.theta, np.nan)
        residuals = flat_y[rows] - law.log_predict(theta, chunk_x)
        boot_theta[rows] = theta
        boot_covariance[rows], boot_sigma[rows] = delta_covariance(law, theta, chunk_x, residuals)
    results: list[_Fitted | str] = []
    for row, (_, sweep) in enumerate(group):
        if not ok[row] or np.ptp(fitted[row]) < 1e-9:
            results.append(
                f"sweep {sweep.name!r} ({sweep.file}): the {law.name} law could not be fitted "
                "(non-finite or flat optimum), so it is left out; check its runs"
            )
            continue
        part = slice(row * n_boot, (row + 1) * n_boot)
        uncertainty = Uncertainty(
            "bootstrap",
            best.theta[row],
            covariance[row],
            float(sigma[row]),
            n_runs - law.n_params,
            boot_theta=boot_theta[part],
            boot_covariance=boot_covariance[part],
            boot_sigma=boot_sigma[part],
            boot_noise=noise[row],
        )
        one = BatchFit(best.theta[row : row + 1], best.objective[row : row + 1], best.converged[row : row + 1])
        result = assemble(
            law,
            settings,
            targets,
            compute[row],
            y[row],
            float(log_cref[row]),
            one,
            uncertainty,
            Where(sweep.file, sweep.x_column, sweep.y_column, sweep.name, sweep.problems, sweep.warnings),
            check_drift=check_drift,
            log_x=np.log(compute[row]) - float(log_cref[row]),
        )
        results.append(_Fitted(sweep, result))
    return results


def _at_target(law: Law, items: list[_Fitted], log_target: float) -> tuple[Array, Array, Array, Array]:
    """``y`` and its delta-method se at the target for each sweep ``(m,)``, and for every replicate ``(m, B)``."""
    models = [curve_model(item.result) for item in items]
    states = [m.uncertainty for m in models]
    log_target_array = np.array([log_target])
    log_x = np.stack([law.target_design(m.theta, log_target_array, m.log_cref) for m in models])
    theta, covariance = np.stack([u.theta for u in states]), np.stack([u.covariance for u in states])
    estimate = np.exp(law.log_predict(theta, log_x)[:, 0])
    gradient = law.log_jacobian(theta, log_x)[:, 0]
    stderr = estimate * np.sqrt(np.einsum("mp,mpq,mq->m", gradient, covariance, gradient))
    boot_theta = np.concatenate([u.boot_theta for u in states if u.boot_theta is not None])
    boot_covariance = np.concatenate([u.boot_covariance for u in states if u.boot_covariance is not None])
    boot_x = np.repeat(log_x, boot_theta.shape[0] // len(items), axis=0)
    boot = np.exp(law.log_predict(boot_theta, boot_x)[:, 0])
    boot_gradient = law.log_jacobian(boot_theta, boot_x)[:, 0]
    boot_se = boot * np.sqrt(np.einsum("bp,bpq,bq->b", boot_gradient, boot_covariance, boot_gradient))
    return estimate, stderr, boot.reshape(len(items), -1), boot_se.reshape(len(items), -1)


@quiet
def _rank(law: Law, fitted: list[_Fitted], target: float, baseline: str | None, level: float) -> TargetComparison:
    log_target = math.log(target)
    values = [_at_target(law, fitted[first : first + 1000], log_target) for first in range(0, len(fitted), 1000)]
    estimates, stderrs, boots, boot_ses = (np.concatenate(parts) for parts in zip(*values, strict=True))
    dofs = np.array([item.result.fit.dof for item in fitted])
    percentile = curve_model(fitted[0].result).uncertainty.percentile  # a case bootstrap: the draws are replicates
    truths = boots.copy()
    if not percentile:
        for dof in np.unique(dofs):
            rows = dofs == dof
            truths[rows] = studentised_draws(
                estimates[rows, None], stderrs[rows, None], boots[rows], boot_ses[rows], dof
            )
    finite = np.where(np.isfinite(truths), truths, np.inf)
    usable = np.isfinite(finite.min(axis=0))
    winners = np.argmin(finite[:, usable], axis=0)
    p_best = np.bincount(winners, minlength=len(fitted)) / max(int(usable.sum()), 1)
    order = np.argsort(estimates, kind="stable")
    base = int(order[0]) if baseline is None else next(i for i, f in enumerate(fitted) if f.sweep.name == baseline)
    p_better, delta_ci = _against_baseline(estimates, stderrs, boots, boot_ses, dofs, base, percentile, level)
    ranking = []
    for i in order:
        item = fitted[int(i)]
        prediction = item.result.predictions[[p.target for p in item.result.predictions].index(target)]
        pass_rate = None
        if isinstance(law, PassRateLaw) and prediction.pass_rate is not None:
            pass_rate = (prediction.pass_rate.estimate, prediction.pass_rate.ci)
        other = i != base
        ranking.append(
            RankedSweep(
                sweep=item.sweep.name,
                estimate=prediction.estimate,
                ci=prediction.ci,
                delta=float(estimates[i] - estimates[base]) if other else None,
                delta_ci=(float(delta_ci[i, 0]), float(delta_ci[i, 1])) if other else None,
                p_better=float(p_better[i]) if other else None,
                p_best=float(p_best[i]),
                pass_rate=pass_rate,
            )
        )
    return TargetComparison(target, fitted[base].sweep.name, tuple(ranking))


def _against_baseline(
    estimates: Array,
    stderrs: Array,
    boots: Array,
    boot_ses: Array,
    dofs: Array,
    base: int,
    percentile: bool,
    level: float,
) -> tuple[Array, Array]:
    """``P(delta < 0)`` and the interval of ``delta = y_s - y_base`` for every sweep ``s`` (the baseline's are NaN).

    Sweeps are taken :data:`SWEEPS_AT_ONCE` at a time, so the replicates of the differences stay small.
    """
    n_sweeps = estimates.size
    p_better, delta_ci = np.full(n_sweeps, np.nan), np.full((n_sweeps, 2), np.nan)
    others = np.delete(np.arange(n_sweeps), base)
    # any cover of the sweeps by chunks computes the same values (tested): the size only bounds the memory
    for first in range(0, others.size, SWEEPS_AT_ONCE):  # pragma: no mutate
        chunk = others[first : first + SWEEPS_AT_ONCE]  # pragma: no mutate
        for dof in np.unique(np.minimum(dofs[chunk], dofs[base])):
            cols = chunk[np.minimum(dofs[chunk], dofs[base]) == dof]
            delta = estimates[cols] - estimates[base]
            boot_delta = (boots[cols] - boots[base]).T  # (replicates, sweeps)
            if percentile:
                p_better[cols], delta_ci[cols] = _percentile_delta(delta, boot_delta, level)
                continue
            delta_se = np.hypot(stderrs[cols], stderrs[base])
            boot_delta_se = np.hypot(boot_ses[cols], boot_ses[base]).T
            p_better[cols] = probability_below(delta, delta_se, boot_delta, boot_delta_se, int(dof))
            centre = np.broadcast_to(delta, boot_delta.shape)
            delta_ci[cols] = studentised_interval(delta, delta_se, centre, boot_delta, boot_delta_se, int(dof), level)
    return p_better, delta_ci


def _percentile_delta(delta: Array, boot_delta: Array, level: float) -> tuple[Array, Array]:
    """``P(true delta < 0)`` and the percentile interval of each ``delta`` from its replicates (case bootstrap)."""
    low, high = nan_quantiles(np.where(np.isfinite(boot_delta), boot_delta, np.nan), (1.0 - level) / 2.0)
    count = np.isfinite(boot_delta).sum(axis=0)
    share = ((boot_delta < 0).sum(axis=0) + 0.5 * (boot_delta == 0).sum(axis=0)) / count
    return share, np.column_stack([np.minimum(low, delta), np.maximum(high, delta)])


@quiet
def _crossings(
    law: Law,
    fitted: list[_Fitted],
    targets: tuple[Target, ...],
    comparisons: tuple[TargetComparison, ...],
) -> tuple[Crossing, ...]:
    """Where two fitted curves cross, between the smallest run and the largest target.

    With many sweeps only the pairs that involve a baseline or a winner are checked.
    """
    low = min(f.result.data.compute_min for f in fitted)
    high = max([f.result.data.compute_max for f in fitted] + [t.value for t in targets])
    grid = np.linspace(math.log(low), math.log(high), CROSSING_GRID)
    models = [curve_model(f.result) for f in fitted]
    thetas = [m.theta for m in models]
    designs = [law.target_design(m.theta, grid, m.log_cref) for m in models]
    curves = np.array([law.log_predict(t[None, :], d)[0] for t, d in zip(thetas, designs, strict=True)])
    names = [f.sweep.name for f in fitted]
    if len(fitted) <= ALL_PAIRS_LIMIT:
        pairs = [(i, j) for i in range(len(fitted)) for j in range(i + 1, len(fitted))]
    else:
        anchors = {names.index(c.baseline) for c in comparisons}
        anchors |= {names.index(c.ranking[0].sweep) for c in comparisons}
        pairs = sorted({(min(a, j), max(a, j)) for a in anchors for j in range(len(fitted)) if j != a})
    crossings = []
    for i, j in pairs:
        difference = curves[i] - curves[j]
        signs = np.sign(difference)
        changes = np.flatnonzero(signs[:-1] * signs[1:] < 0)
        for k in changes:
            share = difference[k] / (difference[k] - difference[k + 1])
            log_c = grid[k] + share * (grid[k + 1] - grid[k])
            below, above = (names[i], names[j]) if difference[k] < 0 else (names[j], names[i])
            fitted_high = min(fitted[i].result.data.compute_max, fitted[j].result.data.compute_max)
            crossings.append(Crossing(below, above, float(math.exp(log_c)), bool(math.exp(log_c) <= fitted_high)))
    return tuple(sorted(crossings, key=lambda c: (c.compute, c.below, c.above)))


def _check_names(sweeps: Sequence[Sweep], baseline: str | None) -> None:
    """Every sweep has a name of its own, and the baseline is one of them."""
    names = [s.name for s in sweeps]
    duplicates = sorted(n for n, count in Counter(names).items() if count > 1)
    if duplicates:
        raise DataError(f"two sweeps are named {duplicates[0]!r}; give every sweep its own name (--name)")
    if baseline is not None and baseline not in names:
        raise ConfigError(f"--baseline {baseline!r}: no such sweep; sweeps are {', '.join(names)}")


def _comparison(
    law: LawSpec,
    formula: str,
    settings: FitSettings,
    fitted: list[_Fitted],
    comparisons: tuple[TargetComparison, ...],
    crossings: tuple[Crossing, ...],
    left_out: list[str],
) -> Comparison:
    """The comparison of the fitted sweeps, with every warning: sweeps left out, crossings, each sweep's own."""
    warnings = tuple(left_out) + tuple(c.message() for c in crossings)
    for item in fitted:
        warnings += tuple(f"sweep {item.sweep.name!r}: {w}" for w in item.result.fit.warnings)
    return Comparison(
        law=law.name,
        formula=formula,
        level=settings.level,
        n_boot=settings.n_boot,
        seed=settings.seed,
        loss_fn=settings.loss_fn,
        fits=tuple(item.result for item in fitted),
        comparisons=comparisons,
        crossings=crossings,
        left_out=tuple(left_out),
        warnings=warnings,
        sense=law.sense,
    )


def _compare_by_draws(
    sweeps: Sequence[Sweep],
    settings: FitSettings,
    targets: tuple[Target, ...],
    *,
    baseline: str | None,
    strict: bool,
) -> Comparison:
    """Sweeps fitted one at a time with a law whose model draws its forecast's confidence distribution (the laws
    of accuracy), ranked in the law's own sense.

    Notes
    -----
    Each sweep is fitted as ``forecast fit`` would, with a seed of its own (:func:`sweep_seed`: the
    sweeps' runs are independent, so are their replicates). At a target, replicate ``r`` of one sweep's draws
    of the true value (:meth:`~scaling_forecast.engine.capability.TwoStepModel.draws`) is paired with
    replicate ``r`` of another's: ``p_best`` is the share of replicates in which a sweep is the best,
    ``p_better`` the share in which it beats the baseline, and ``delta_ci`` the percentile interval of
    the paired differences.
    """
    law = get_law(settings.law)
    _check_names(sweeps, baseline)
    compute_max = max(float(np.max(s.compute)) for s in sweeps)
    absolute = tuple(Target(t.resolve(compute_max)) for t in targets)
    fitted, left_out = [], []
    for index, sweep in enumerate(sweeps):
        assert sweep.runs is not None
        own = replace(settings, seed=sweep_seed(settings.seed, index))
        try:
            fitted.append(_Fitted(sweep, fit_accuracy_law(sweep.runs, own, absolute)))
        except (DataError, FitError) as error:
            message = f"sweep {sweep.name!r}: {error}; it is left out"
            if strict or sweep.name == baseline:
                raise DataError(message) from None
            left_out.append(message)
    if len(fitted) < 2:
        raise DataError(f"forecast compare needs at least 2 sweeps that can be fitted, got {len(fitted)}")
    comparisons = tuple(_rank_draws(law, fitted, t.value, baseline, settings.level) for t in absolute)
    crossings = _crossings_of_forecasts(fitted, absolute)
    formulas = {f.result.formula for f in fitted}
    formula = fitted[0].result.formula if len(formulas) == 1 else law.formula  # each sweep has its floor
    return _comparison(law, formula, settings, fitted, comparisons, crossings, left_out)


def _rank_draws(
    law: LawSpec, fitted: list[_Fitted], target: float, baseline: str | None, level: float
) -> TargetComparison:
    """The sweeps at one target, best first in the law's sense, from their paired confidence draws."""
    sign = 1.0 if law.sense == "lower" else -1.0
    predictions = [next(p for p in item.result.predictions if p.target == target) for item in fitted]
    estimates = np.array([p.estimate for p in predictions])
    models: list[Any] = [item.result.model for item in fitted]
    draws = [np.asarray(model.draws(target), dtype=np.float64) for model in models]
    size = min(d.size for d in draws)
    paired = np.stack([d[:size] for d in draws])  # (sweeps, replicates)
    p_best = np.bincount(np.argmin(sign * paired, axis=0), minlength=len(fitted)) / size
    order = np.argsort(sign * estimates, kind="stable")
    base = int(order[0]) if baseline is None else next(i for i, f in enumerate(fitted) if f.sweep.name == baseline)
    tail = (1.0 - level) / 2.0
    ranking = []
    for i in order:
        other = int(i) != base
        delta = float(estimates[i] - estimates[base])
        differences = paired[i] - paired[base]
        low, high = np.quantile(differences, [tail, 1.0 - tail])
        better = float(np.mean(sign * differences < 0) + 0.5 * np.mean(differences == 0))
        ranking.append(
            RankedSweep(
                sweep=fitted[int(i)].sweep.name,
                estimate=predictions[i].estimate,
                ci=predictions[i].ci,
                delta=delta if other else None,
                delta_ci=(float(min(low, delta)), float(max(high, delta))) if other else None,
                p_better=better if other else None,
                p_best=float(p_best[i]),
            )
        )
    return TargetComparison(target, fitted[base].sweep.name, tuple(ranking))


def _crossings_of_forecasts(fitted: list[_Fitted], targets: tuple[Target, ...]) -> tuple[Crossing, ...]:
    """Where two sweeps' forecasts cross, between the smallest run and the largest target (the models' own
    estimates on a grid of computes, no refit)."""
    low = min(f.result.data.compute_min for f in fitted)
    high = max([f.result.data.compute_max for f in fitted] + [t.value for t in targets])
    grid = np.geomspace(low, high, 200)
    curves = np.array([[p.estimate for p in f.result.predict(list(grid)).predictions] for f in fitted])
    names = [f.sweep.name for f in fitted]
    found = []
    for i in range(len(fitted)):
        for j in range(i + 1, len(fitted)):
            difference = curves[i] - curves[j]
            for k in np.flatnonzero(np.sign(difference[:-1]) * np.sign(difference[1:]) < 0):
                share = difference[k] / (difference[k] - difference[k + 1])
                compute = float(np.exp(np.log(grid[k]) + share * (np.log(grid[k + 1]) - np.log(grid[k]))))
                first_lower = difference[k] < 0  # sweep i lower before the crossing
                below, above = (names[i], names[j]) if first_lower else (names[j], names[i])
                inside = compute <= min(fitted[i].result.data.compute_max, fitted[j].result.data.compute_max)
                found.append(Crossing(below, above, compute, bool(inside)))
    return tuple(sorted(found, key=lambda c: (c.compute, c.below, c.above)))


def sweep_seed(seed: int, index: int) -> int:
    """The seed of the ``index``-th sweep: a 32-bit draw of ``SeedSequence([seed, index])``, so every sweep has
    streams of its own, as ``default_rng([seed, index])`` gives the curve laws' sweeps."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])

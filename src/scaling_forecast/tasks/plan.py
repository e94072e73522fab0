"""Which run to train next: each candidate run's expected interval at the target once it is added.

A candidate run at compute ``C`` (a loss, or an accuracy with its task loss for the two-step law) is
drawn from the current forecast at ``C`` (its ``pi``, law choice and misspecification widening
included), added to the runs, and the whole default procedure is rerun (law choice and bootstrap;
the drift check's verdict is the ladder's); the width of the new ``pi`` at the target, the median over
the draws, is what the run is expected to leave. Every candidate
sees the same draws of the standard normal and the same bootstrap seed (common random numbers), so
that the differences between candidates are the design's, not the Monte Carlo's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import combinations_with_replacement
from typing import NamedTuple

import numpy as np
from scipy.special import ndtri

from ..engine.forecasting import CurveModel, forecast
from ..engine.reliability import ABSURD_FACTOR
from ..engine.runs import Runs
from ..errors import ConfigError, ForecastError
from ..laws import Array, IndexArray
from ..results import DerivedForecast, Drift, FitResult, PlannedRun, PlannedSet, Prediction, RunPlan
from ..settings import Target
from .capability import fit_accuracy_law
from .fit import fit_curve
from .ladder import Ladder

#: Bootstrap replicates of each refit: a width needs its scale, not its last digit (the user's
#: ``--bootstrap`` when smaller).
PLAN_REPLICATES = 200
#: Draws of each candidate run (stratified normal quantiles: few draws give a steady median).
DRAWS = 8
#: The default candidates: this many computes, evenly spaced in log from the smallest run to ``SPAN`` times
#: the largest, a repeat of the largest run and a run of the whole budget.
GRID_POINTS = 8
SPAN = 10.0
#: Without ``--budget``, the compute of the usual next step: one run this many times the largest.
BUDGET_FACTOR = 2.0
#: A planned accuracy is kept this far inside (0, 1): the GPT-4 form takes the log of -log(accuracy).
EDGE = 1e-4
#: Without ``--runs``, at most this many runs are recommended.
MAX_RUNS = 3
#: The greedy choice of a set starts from each of this many narrowest single runs and keeps the narrowest set.
STARTS = 3


class Expectation(NamedTuple):
    """What a set of planned runs is expected to leave: the median ``pi`` width at the target over the draws, the
    chosen law's own, the share of refits that chose the same law, the refits that failed, and the Monte Carlo
    standard error of the median width."""

    width: float
    own: float
    same_law: float
    failed: int
    se: float


#: The expectation of a set of candidate runs, by their rows.
Expected = Callable[[tuple[int, ...]], Expectation]


@dataclass(frozen=True)
class _Forecast:
    """The current forecast at the candidate computes: estimate, ``ci`` and ``pi`` (each ``(m,)``)."""

    estimate: Array
    ci_low: Array
    ci_high: Array
    pi_low: Array
    pi_high: Array


def default_candidates(compute: Array, budget: float) -> tuple[tuple[float, str], ...]:
    """:data:`GRID_POINTS` computes evenly spaced in log from the smallest run to :data:`SPAN` times the largest, a
    repeat of the largest run, and one run that spends the whole ``budget`` (when it is larger than the largest):
    ``(compute, kind)`` with ``kind`` ``grid``, ``repeat`` or ``budget``."""
    low, high = float(np.min(compute)), float(np.max(compute))
    found = [(float(c), "grid") for c in np.geomspace(low, SPAN * high, GRID_POINTS)]
    found.append((high, "repeat"))
    if budget > high:
        found.append((budget, "budget"))
    kept: list[tuple[float, str]] = []
    for c, kind in sorted(found, key=lambda item: (item[0], ("repeat", "grid", "budget").index(item[1]))):
        if not any(math.isclose(c, other) for other, _ in kept):
            kept.append((c, kind))
    return tuple(kept)


def plan_runs(
    ladder: Ladder,
    target: Target,
    *,
    candidates: tuple[float, ...] = (),
    budget: float | None = None,
    max_runs: int | None = None,
    draws: int = DRAWS,
) -> RunPlan:
    """The expected ``pi`` width at ``target`` after each candidate run, and the best set of runs within ``budget``.

    Notes
    -----
    A run's cost is its compute. Run ``j`` of draw ``d`` is ``log y = log m + s z``, ``m`` the current
    estimate at its compute and ``z = z_0 + z_j`` split as the current forecast splits: ``z_0`` (shared by the
    runs of one draw: the law's curve) scaled by the ``ci`` and ``z_j`` (the run's own noise) by the rest of the
    ``pi``, ``sqrt(pi^2 - ci^2)``, on each side of the estimate. The draws are stratified: ``z`` runs through the
    normal quantiles ``(d + 1/2) / draws``. Under ``budget`` the set is chosen greedily and settled against the
    runs the draws cannot tell apart (:func:`_best_set`, :func:`_settled`; :func:`exhaustive_set` tries every set).
    """
    if ladder.rates is not None or ladder.columns is not None:
        what = "pass rates" if ladder.rates is not None else "parameters and tokens"
        raise ConfigError(
            f"forecast plan plans runs of a loss or an accuracy against compute; {ladder.file} holds {what} "
            "(planning those runs is not built yet)"
        )
    if draws < 2:
        raise ConfigError(f"--draws {draws}: must be 2 or more")
    if max_runs is not None and max_runs < 1:
        raise ConfigError(f"--runs {max_runs}: must be 1 or more")
    compute_max = float(np.max(ladder.compute))
    at = Target(target.resolve(compute_max))
    if budget is None:
        budget = BUDGET_FACTOR * compute_max
    if not (math.isfinite(budget) and budget > 0):
        raise ConfigError(f"--budget {budget:g}: must be a positive compute in FLOP")
    chosen = (
        tuple((float(c), "given") for c in candidates) if candidates else default_candidates(ladder.compute, budget)
    )
    if any(not (math.isfinite(c) and c > 0) for c, _ in chosen):
        raise ConfigError("--candidates: every compute must be a positive number of FLOP")
    for c, _ in chosen:
        if not 1.0 / ABSURD_FACTOR <= c / compute_max <= ABSURD_FACTOR:
            raise ConfigError(
                f"--candidates {c:g}: {c / compute_max:.3g}x the largest run ({compute_max:.3g}); give runs within "
                f"{ABSURD_FACTOR:.0e}x of it either way"
            )
    settings = replace(ladder.settings, n_boot=min(ladder.settings.n_boot, PLAN_REPLICATES))
    base = replace(ladder, settings=settings)
    now = base.fit(targets=(at, *(Target(c) for c, _ in chosen)))
    forecast = _forecast_at(now.predictions[1:])
    task = None
    if now.predictions[1:] and now.predictions[1].task_loss is not None:  # two-step: a run adds a task loss too
        task = _forecast_at(tuple(p.task_loss for p in now.predictions[1:] if p.task_loss is not None))
    width_now, own_now = _widths(now)
    variates = _variates(draws, MAX_RUNS if max_runs is None else max_runs, settings.seed)

    known: dict[tuple[int, ...], Expectation] = {}

    def expected(rows: tuple[int, ...]) -> Expectation:
        if rows not in known:
            computes = np.array([chosen[i][0] for i in rows])
            known[rows] = _expected(base, at, (forecast, task), rows, computes, variates, now.law, now.fit.drift)
        return known[rows]

    singles = {}
    planned = []
    for i, (c, kind) in enumerate(chosen):
        found = expected((i,))
        width, own = found.width, found.own
        singles[i] = width
        gain = width_now - width
        planned.append(
            PlannedRun(
                compute=c,
                kind=kind,
                cost=c,
                width=width,
                gain=gain,
                noise_gain=own_now - own,
                law_gain=(width_now - own_now) - (width - own),
                per_flop=gain / c,
                disagreement=_disagreement(now, i + 1),
                same_law=found.same_law,
                failed_draws=found.failed,
                width_se=found.se,
            )
        )
    best = _best_set(chosen, singles, budget, MAX_RUNS if max_runs is None else max_runs, expected, width_now)
    rows, width = best
    warnings = list(now.fit.warnings)
    if not rows:
        warnings.append(
            f"no candidate run costs {budget:.3g} FLOP or less and narrows the interval; raise --budget or give "
            "--candidates"
        )
    failed_total = sum(p.failed_draws for p in planned)
    if failed_total:
        warnings.append(
            f"{failed_total} of {draws * len(planned)} planned refits could not be fitted and were left out"
        )
    recommended = PlannedSet(
        computes=tuple(chosen[i][0] for i in rows),
        cost=float(sum(chosen[i][0] for i in rows)),
        width=width,
        width_se=expected(rows).se if rows else math.nan,
    )
    prediction = now.predictions[0]
    return RunPlan(
        file=ladder.file,
        law=now.law,
        target=at.value,
        level=settings.level,
        estimate=prediction.estimate,
        pi=prediction.pi,
        width=width_now,
        own_width=own_now,
        budget=budget,
        max_runs=MAX_RUNS if max_runs is None else max_runs,
        draws=draws,
        n_boot=0 if settings.method == "delta" else settings.n_boot,
        seed=settings.seed,
        n_runs=ladder.n_runs,
        compute_max=compute_max,
        candidates=tuple(planned),
        recommended=recommended,
        warnings=tuple(warnings),
    )


def _forecast_at(predictions: tuple[Prediction, ...] | tuple[DerivedForecast, ...]) -> _Forecast:
    return _Forecast(
        np.array([p.estimate for p in predictions]),
        np.array([p.ci[0] for p in predictions]),
        np.array([p.ci[1] for p in predictions]),
        np.array([p.pi[0] for p in predictions]),
        np.array([p.pi[1] for p in predictions]),
    )


def _widths(result: FitResult) -> tuple[float, float]:
    """The reported ``pi`` width at the first target, and the chosen law's own (before law choice and drift)."""
    prediction = result.predictions[0]
    width = prediction.pi[1] - prediction.pi[0]
    selection = result.law_selection
    if selection is None:
        return width, width
    own = selection.candidate(selection.chosen).predictions[0].pi
    assert own is not None  # the chosen law is in its interval: its own forecast has a pi
    return width, own[1] - own[0]


def _variates(draws: int, slots: int, seed: int) -> tuple[Array, Array]:
    """Stratified standard normals: the shared ``z_0`` ``(draws,)`` and each run's own ``(draws, slots)``, its
    quantiles in an order of its own (a Latin hypercube), seeded."""
    quantiles = ndtri((np.arange(draws) + 0.5) / draws)
    rng = np.random.default_rng([seed, 29])
    own = np.stack([quantiles[rng.permutation(draws)] for _ in range(slots)], axis=1)
    return quantiles, own


def _expected(
    ladder: Ladder,
    target: Target,
    forecasts: tuple[_Forecast, _Forecast | None],
    rows: tuple[int, ...],
    compute: Array,
    variates: tuple[Array, Array],
    law: str,
    drift: Drift | None,
) -> Expectation:
    """Median ``pi`` width at ``target`` (and the chosen law's own) over the draws of the runs ``rows`` added to the
    ladder; the share of refits that chose ``law``, how many failed, and the median's standard error
    (``1.2533 * 1.4826 MAD / sqrt(n)``, the normal's). The median, not the mean: a draw or two whose refit runs
    off (a law whose interval spans orders of magnitude) would decide a mean, and the plan would shun the runs
    nearest the target for what one unlucky draw does.

    A loss is drawn in log space; an accuracy as it is, kept inside ``(0, 1)`` (``[0, 1]`` for the sigmoid); with
    the two-step law a run's task loss is drawn with the opposite normals, so that a lower loss goes with a
    higher accuracy, each spread as its own forecast says."""
    forecast, task = forecasts
    index = np.array(rows)
    runs = ladder.accuracy_runs
    level = ladder.settings.level
    if runs is None:
        drawn = np.exp(planned_draws(forecast, index, variates, level))
    else:
        edge = 0.0 if ladder.settings.law == "sigmoid" else EDGE
        drawn = np.clip(planned_draws(forecast, index, variates, level, log=False), edge, 1.0 - edge)
    losses = None
    if task is not None:
        losses = np.exp(planned_draws(task, index, (-variates[0], -variates[1]), level))
    widths, owns, same, failed = [], [], 0, 0
    for d, y in enumerate(drawn):
        try:
            if runs is None:
                result = _refit(
                    ladder, np.concatenate([ladder.compute, compute]), np.concatenate([ladder.y, y]), target, drift
                )
            else:
                grown = _grown(runs, compute, y, None if losses is None else losses[d])
                result = fit_accuracy_law(grown, ladder.settings, (target,))
        except ForecastError:
            failed += 1
            continue
        width, own_width = _widths(result)
        widths.append(width)
        owns.append(own_width)
        same += result.law == law
    if not widths:
        return Expectation(math.nan, math.nan, math.nan, failed, math.nan)
    middle, se = float(np.median(widths)), math.nan
    if len(widths) > 1 and math.isfinite(middle):  # a width may be inf: an interval of every loss
        se = 1.2533 * 1.4826 * float(np.median(np.abs(np.array(widths) - middle))) / math.sqrt(len(widths))
    return Expectation(middle, float(np.median(owns)), same / len(widths), failed, se)


def _grown(runs: Runs, compute: Array, accuracy: Array, task_loss: Array | None) -> Runs:
    """``runs`` of accuracies with planned runs added (each one row, its last step the file's last)."""
    names = tuple(f"planned {k + 1}" for k in range(compute.size))
    columns = runs.columns
    if columns is not None:
        assert task_loss is not None
        columns = np.vstack([columns, task_loss[:, None]])
    steps = None if runs.steps is None else np.concatenate([runs.steps, np.full(compute.size, np.max(runs.steps))])
    return replace(
        runs,
        x=np.concatenate([runs.x, compute]),
        y=np.concatenate([runs.y, accuracy]),
        names=runs.names + names,
        columns=columns,
        steps=steps,
    )


def planned_draws(
    forecast: _Forecast, index: IndexArray, variates: tuple[Array, Array], level: float, *, log: bool = True
) -> Array:
    """``log y`` (or ``y``, ``log`` off) of the runs at the candidates ``index`` in each draw ``(draws, k)``:
    ``log m + s_ci z_0 + s_new z_j``, each ``s`` the forecast's half-width at ``level`` over the normal quantile, on
    the side of its ``z``; ``s_ci`` from the ``ci`` (the curve, shared by the runs of a draw) and
    ``s_new = sqrt(s_pi^2 - s_ci^2)`` (a run's own noise), so that each run alone is spread as the ``pi`` says."""
    shared, own = variates
    scale = np.log if log else np.asarray
    centre = scale(forecast.estimate[index])
    z = ndtri(0.5 + level / 2.0)
    ci_below, ci_above = (centre - scale(forecast.ci_low[index])) / z, (scale(forecast.ci_high[index]) - centre) / z
    pi_below, pi_above = (centre - scale(forecast.pi_low[index])) / z, (scale(forecast.pi_high[index]) - centre) / z
    new_below = np.sqrt(np.maximum(pi_below**2 - ci_below**2, 0.0))
    new_above = np.sqrt(np.maximum(pi_above**2 - ci_above**2, 0.0))
    z0, zj = shared[:, None], own[:, : index.size]
    curve = np.where(z0 < 0, ci_below, ci_above) * z0
    return np.asarray(centre + curve + np.where(zj < 0, new_below, new_above) * zj, dtype=float)


def _refit(ladder: Ladder, compute: Array, y: Array, target: Target, drift: Drift | None) -> FitResult:
    """The default procedure on the runs with a planned one added, keeping the ladder's drift verdict (its check
    is four fifths of a fit's cost, and a run drawn from the current forecast seldom changes it)."""
    result = fit_curve(compute, y, ladder.settings, (target,), check_drift=False)  # only its pi is read
    if drift is None:
        return result
    assert isinstance(result.model, CurveModel)
    model = replace(result.model, drift=drift)
    return forecast(replace(result, model=model, fit=replace(result.fit, drift=drift)), (target,), result.level)


def _disagreement(result: FitResult, position: int) -> float:
    """How far apart the laws in the interval put the run at candidate ``position``: the range of their estimates
    over the chosen law's ``pi`` half-width there (above 1, one run there tells them apart)."""
    selection = result.law_selection
    if selection is None:
        return 0.0
    estimates = [c.predictions[position].estimate for c in selection.candidates if c.in_interval]
    if len(estimates) < 2:
        return 0.0
    chosen = selection.candidate(selection.chosen).predictions[position].pi
    assert chosen is not None  # the chosen law is in its interval: its own forecast has a pi
    half = (chosen[1] - chosen[0]) / 2.0
    return float((max(estimates) - min(estimates)) / half) if half > 0 else math.inf


def _best_set(
    chosen: tuple[tuple[float, str], ...],
    singles: dict[int, float],
    budget: float,
    max_runs: int,
    expected: Expected,
    width_now: float,
) -> tuple[tuple[int, ...], float]:
    """The narrowest of :data:`STARTS` greedy sets within ``budget``, each begun from one of the narrowest affordable
    single runs: each step adds the affordable run that leaves the narrowest expected interval, while one narrows
    it, up to ``max_runs`` runs (a run of the whole budget leaves nothing for cheap runs that would have narrowed
    more with a slightly smaller one); ``((), width_now)`` when no affordable run narrows."""
    cost = [c for c, _ in chosen]
    tried: dict[tuple[int, ...], float] = {(i,): w for i, w in singles.items()}
    firsts = sorted(
        (w, cost[i], i) for i, w in singles.items() if cost[i] <= budget and math.isfinite(w) and w < width_now
    )
    best: tuple[tuple[int, ...], float] = ((), width_now)
    for width, _, first in firsts[:STARTS]:
        rows: tuple[int, ...] = (first,)
        left = budget - cost[first]
        while len(rows) < max_runs:
            options = []
            for i in range(len(chosen)):
                if cost[i] > left:
                    continue
                key = tuple(sorted((*rows, i)))
                if key not in tried:
                    tried[key] = expected(key).width
                if math.isfinite(tried[key]) and tried[key] < width:
                    options.append((tried[key], cost[i], i))
            if not options:
                break
            width, _, pick = min(options)
            rows, left = tuple(sorted((*rows, pick))), left - cost[pick]
        if width < best[1]:
            best = (rows, width)
    return _settled(best, firsts, cost, expected)


def _settled(
    best: tuple[tuple[int, ...], float],
    firsts: list[tuple[float, float, int]],
    cost: list[float],
    expected: Expected,
) -> tuple[tuple[int, ...], float]:
    """The greedy ``best`` set, unless the draws cannot tell it from one run: among the single runs within one
    standard error of the narrowest, the one of most compute (the anchor: of runs the draws call equal, the one
    nearest the target measures most of the law there); a set of several runs replaces it only when its expected
    width is below the anchor's by more than its own standard error."""
    if not firsts:
        return best
    narrowest = expected((firsts[0][2],))
    ties = [i for w, _, i in firsts if w <= narrowest.width + _error(narrowest)]
    anchor = max(ties, key=lambda i: cost[i])  # of equal costs, the first: the narrowest
    anchored = ((anchor,), expected((anchor,)).width)
    rows, width = best
    if width + _error(expected(rows)) < anchored[1]:  # never a single run: the anchor is within one error of it
        return best
    return anchored


def _error(found: Expectation) -> float:
    """The standard error of an expectation, 0 where the draws could not give one."""
    return found.se if math.isfinite(found.se) else 0.0


def exhaustive_set(
    chosen: tuple[tuple[float, str], ...], budget: float, max_runs: int, expected: Expected
) -> tuple[tuple[int, ...], float]:
    """The narrowest set of at most ``max_runs`` candidates within ``budget``, by trying every one (the benchmark's
    reference for the greedy choice)."""
    best: tuple[tuple[int, ...], float] = ((), math.inf)
    for size in range(1, max_runs + 1):
        for rows in combinations_with_replacement(range(len(chosen)), size):
            if sum(chosen[i][0] for i in rows) <= budget:
                width = expected(rows).width
                if width < best[1]:
                    best = (rows, width)
    return best

"""Capability forecasts: benchmark accuracy through a task loss (the two-step law) and trend verdicts.

Step 1 forecasts a task loss ``L`` (bits per byte, or the negative log-likelihood of the correct
answer) from compute with the default loss procedure (law choice and misspecification inside the
interval). Step 2 maps task loss to accuracy through a sigmoid between chance and 1,

    acc(L) = chance + (1 - chance) / (1 + exp(k (L - L0))),    k > 0,

fitted by least squares on accuracy to every row (checkpoints included: the map holds along
training as across sizes). This is the method of Bhagia et al. (2024), "Establishing Task Scaling
Laws via Compute-Efficient Model Ladders", and of the Llama 3 report's two-stage forecast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np
from scipy.special import expit

from ..engine.fitting import fit_batch, polish
from ..engine.reach import crossings, reach_grid
from ..engine.trend import trend_verdict, trend_warning
from ..engine.uncertainty import student_t_quantile
from ..errors import ConfigError, DataError, FitError
from ..laws import Array, IndexArray, Law, RowObjective
from ..results import DerivedForecast, FitResult, ParameterEstimate, Prediction, Reach, TaskFits
from ..settings import CAPABILITY_LAWS, FitSettings, Target
from .fit import fit_law

#: Seed-sequence key of the step-2 bootstrap and of the Monte Carlo that joins the two steps.
TWO_STEP_STREAM = 2**32 - 2
#: Slopes ``k`` (per unit of task loss) scanned by the sigmoid's start.
SLOPE_GRID: Array = np.geomspace(0.05, 200.0, 48)


class AccuracyMap(Law):
    """Step 2 of the two-step law: ``acc = chance + (1 - chance) * sigmoid(-k (L - L0))``.

    Notes
    -----
    ``theta = (log k, L0)``. The engine fits ``log y - log_predict``; this map returns accuracy
    itself and is given accuracies as ``log y``, so the fit is least squares on accuracy. It is
    not a law of compute and is not in the registry.
    """

    name = "sigmoid"
    formula = "acc = chance + (1 - chance) * sigmoid(-k (L - L0))"
    param_names = ("k", "L0")
    log_scale = (True, False)
    lower = (-12.0, -np.inf)
    upper = (12.0, np.inf)
    param_bounds = ((0.0, np.inf), (-np.inf, np.inf))
    quantity = "accuracy"
    design = ("task_loss",)
    n_starts = 1

    def __init__(self, chance: float = 0.0) -> None:
        self.chance = chance

    def log_predict(self, theta: Array, log_x: Array) -> Array:
        share = expit(-np.exp(theta[:, :1]) * (log_x - theta[:, 1:2]))
        return np.asarray(self.chance + (1.0 - self.chance) * share, dtype=float)

    def log_jacobian(self, theta: Array, log_x: Array) -> Array:
        slope, shift = np.exp(theta[:, :1]), log_x - theta[:, 1:2]
        s = expit(-slope * shift)
        scale = (1.0 - self.chance) * s * (1.0 - s)
        return np.stack([-scale * slope * shift, scale * slope], axis=-1)

    def initial(self, log_x: Array, log_y: Array, objective: RowObjective, n_starts: int = 1) -> Array:
        x = log_x if log_x.ndim == 2 else np.broadcast_to(log_x, log_y.shape)
        low, high = x.min(axis=1), x.max(axis=1)
        span = np.maximum(high - low, 1e-6)
        centres = low[:, None] + span[:, None] * np.linspace(-1.0, 2.0, 31)[None, :]  # (B, G)
        grid_k = np.log(SLOPE_GRID / span[:, None])  # (B, K)
        theta = np.stack(np.broadcast_arrays(grid_k[:, :, None], centres[:, None, :]), axis=-1).reshape(
            x.shape[0], -1, 2
        )
        rows = theta.shape[1]
        flat = theta.reshape(-1, 2)
        fitted = self.log_predict(flat, np.repeat(x, rows, axis=0))
        scores = objective(np.repeat(log_y, rows, axis=0) - fitted).reshape(x.shape[0], rows)
        best = np.argmin(np.where(np.isfinite(scores), scores, np.inf), axis=1)
        return np.asarray(theta[np.arange(x.shape[0]), best][:, None, :], dtype=float)

    def reporting_matrix(self, log_cref: float) -> Array:
        return np.eye(2)

    def inverse(self, theta: Array, accuracy: float) -> Array:
        """The task loss at which each row of ``theta`` reaches ``accuracy`` (NaN outside (chance, 1))."""
        share = (accuracy - self.chance) / (1.0 - self.chance)
        if not 0.0 < share < 1.0:
            return np.full(theta.shape[0], np.nan)
        return np.asarray(theta[:, 1] + np.log(1.0 / share - 1.0) / np.exp(theta[:, 0]), dtype=float)


@dataclass(frozen=True, eq=False)
class CapabilityRuns:
    """Rows of a two-step file: compute, task loss and accuracy; ``run`` and ``step`` for checkpoints."""

    compute: Array
    task_loss: Array
    accuracy: Array
    names: tuple[str, ...]
    steps: Array | None = None
    file: str = "<data>"
    x_column: str = "compute"
    loss_column: str = "task_loss"
    accuracy_column: str = "accuracy"
    chance: float | None = None
    warnings: tuple[str, ...] = ()

    def final_rows(self) -> IndexArray:
        """Each run's last step (every row when there are no checkpoints): the runs of step 1."""
        if self.steps is None:
            return np.arange(self.compute.size)
        last: dict[str, int] = {}
        for row, (name, step) in enumerate(zip(self.names, self.steps, strict=True)):
            if name not in last or step >= self.steps[last[name]]:
                last[name] = row
        return np.array(sorted(last.values()), dtype=np.intp)


def fit_accuracy_map(
    task_loss: Array, accuracy: Array, chance: float, n_boot: int, rng: np.random.Generator, groups: Array | None
) -> tuple[AccuracyMap, Array, Array, Array]:
    """Step 2: the sigmoid's ``theta``, its bootstrap replicates ``(B, 2)``, and the residuals of the fit.

    Replicates resample rows; with checkpoints (``groups``, one label per row) they resample runs,
    then rows within each drawn run, so that the checkpoints of one run count as one run.
    """
    law = AccuracyMap(chance)
    best = fit_batch(law, task_loss, accuracy[None, :])
    if not np.isfinite(best.objective[0]):
        raise FitError("the task-loss-to-accuracy sigmoid could not be fitted; check the accuracy column")
    theta = best.theta[0]
    n_rows = task_loss.size
    if groups is None:
        draws = rng.integers(0, n_rows, size=(n_boot, n_rows))
    else:
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
        draws = padded[picked[:, :, None], offsets].reshape(n_boot, -1)
    boot_x, boot_y = task_loss[draws], accuracy[draws]
    boot = polish(law, boot_x, boot_y, np.repeat(theta[None, :], n_boot, axis=0))
    boot_theta = np.where(np.isfinite(boot.objective)[:, None], boot.theta, np.nan)
    residuals = accuracy - law.log_predict(theta[None, :], task_loss)[0]
    return law, theta, boot_theta, residuals


def _percentile_params(
    names: tuple[str, ...], estimates: Array, draws: Array, level: float
) -> tuple[ParameterEstimate, ...]:
    """Parameters with the standard deviation and percentile interval of their bootstrap ``draws`` ``(B, p)``."""
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(draws, [tail, 1.0 - tail], axis=0)
    spread = np.std(draws, axis=0, ddof=1)
    return tuple(
        ParameterEstimate(name, float(estimates[i]), float(spread[i]), (float(low[i]), float(high[i])))
        for i, name in enumerate(names)
    )


def _chance(chance: float | None) -> tuple[float, tuple[str, ...]]:
    """The accuracy of random guessing, 0 (with a warning that says so) when the user gave none."""
    if chance is None:
        return 0.0, (
            "no --chance given (nor a 'chance' column): the sigmoid's floor is 0; for a multiple-choice task "
            "give the accuracy of random guessing, e.g. --chance 0.25 for four choices",
        )
    if not 0.0 <= chance < 1.0:
        raise ConfigError(f"--chance {chance:g}: must be at least 0 and below 1 (the accuracy of random guessing)")
    return chance, ()


def _floor(chance: float, accuracy: Array, column: str, warnings: tuple[str, ...]) -> tuple[float, tuple[str, ...]]:
    """The sigmoid's floor: ``chance``, lowered to the lowest accuracy when runs score below chance."""
    below = int((accuracy < chance).sum())
    if not below:
        return chance, warnings
    lowest = float(accuracy.min())
    message = (
        f"{below} run(s) score below chance ({chance:g}) on {column}, the lowest {lowest:.4g}: small models do; "
        f"the sigmoid's floor is lowered to {lowest:.4g}"
    )
    return lowest, (*warnings, message)


def _joined(
    law: AccuracyMap,
    theta: Array,
    boot_theta: Array,
    residuals: Array,
    level: float,
    predictions: tuple[Prediction, ...],
    draws: np.random.Generator,
) -> list[Prediction]:
    """Each step-1 forecast carried through the sigmoid's replicates (see :func:`fit_two_step`)."""
    from scipy.special import ndtri

    tail = (1.0 - level) / 2.0
    z = float(ndtri(1.0 - tail))
    size = boot_theta.shape[0]
    joined = []
    for p in predictions:
        accuracy = float(law.log_predict(theta[None, :], np.array([p.estimate]))[0, 0])
        on_curve = law.log_predict(boot_theta, _split_normal(draws, p.estimate, p.ci, z, size)[:, None])[:, 0]
        new_run = law.log_predict(boot_theta, _split_normal(draws, p.estimate, p.pi, z, size)[:, None])[:, 0]
        new_run = np.clip(new_run + residuals[draws.integers(0, residuals.size, size)], 0.0, 1.0)
        ci, pi = np.quantile(on_curve, [tail, 1.0 - tail]), np.quantile(new_run, [tail, 1.0 - tail])
        joined.append(
            replace(
                p,
                estimate=accuracy,
                ci=(float(min(ci[0], accuracy)), float(max(ci[1], accuracy))),
                pi=(float(min(pi[0], accuracy)), float(max(pi[1], accuracy))),
                task_loss=DerivedForecast(p.estimate, p.ci, p.pi),
            )
        )
    return joined


def _flat_interval(accuracy: Array, level: float) -> tuple[float, tuple[float, float], tuple[float, float]]:
    """The runs' mean, its Student-t ``ci`` and a new run's ``pi``, within [0, 1]."""
    n = accuracy.size
    mean, scale = float(accuracy.mean()), float(accuracy.std(ddof=1))
    half = student_t_quantile(0.5 + level / 2.0, n - 1) * scale
    ci = (max(mean - half / math.sqrt(n), 0.0), min(mean + half / math.sqrt(n), 1.0))
    pi = (max(mean - half * math.sqrt(1.0 + 1.0 / n), 0.0), min(mean + half * math.sqrt(1.0 + 1.0 / n), 1.0))
    return mean, ci, pi


def _flat(
    predictions: tuple[Prediction, ...],
    draws: np.random.Generator | None = None,
    *,
    accuracy: Array,
    level: float,
    task_loss: bool = True,
) -> list[Prediction]:
    """A flat task forecast as flat: the runs' mean, ``ci`` its Student-t interval, ``pi`` a new run's.

    ``predictions`` are the step-1 forecasts (kept as ``task_loss``), or with ``task_loss`` false
    any forecasts at the same targets.
    """
    mean, ci, pi = _flat_interval(accuracy, level)
    return [
        replace(
            p,
            estimate=mean,
            ci=ci,
            pi=pi,
            pass_rate=None,
            task_loss=DerivedForecast(p.estimate, p.ci, p.pi) if task_loss else None,
        )
        for p in predictions
    ]


def _trend_warnings(trend: str | None, column: str) -> tuple[str, ...]:
    if trend == "flat":
        return (
            f"{column} is flat across these runs (no change the noise can distinguish): it is forecast as flat, "
            "the runs' mean with an interval as wide as their scatter",
        )
    return trend_warning(trend, column)


def _split_normal(rng: np.random.Generator, estimate: float, bounds: tuple[float, float], z: float, size: int) -> Array:
    """Draws whose central interval at the level of ``z`` is ``bounds`` (a normal on each side of the estimate)."""
    normal = rng.standard_normal(size)
    below, above = (estimate - bounds[0]) / z, (bounds[1] - estimate) / z
    return estimate + normal * np.where(normal < 0, below, above)


def fit_two_step(
    runs: CapabilityRuns,
    settings: FitSettings,
    targets: tuple[Target, ...],
    chance: float | None = None,
    reach: tuple[float, ...] = (),
) -> FitResult:
    """Forecast accuracy at each target through the task loss (the module's two steps).

    Notes
    -----
    Step 1 is :func:`scaling_forecast.forecast.fit_law` on each run's last step, with the
    settings given (law ``auto`` by default), so its ``ci`` and ``pi`` hold law choice and
    misspecification. Its interval is carried to step 2 as a split normal (one normal each side
    of the estimate, matched to the interval's bounds); each draw is paired with a bootstrap
    replicate of the sigmoid, and accuracy's ``ci`` is the central quantile interval of
    ``acc_r(L_r)``. The ``pi`` draws ``L_r`` from step 1's ``pi`` and adds a resampled step-2
    residual (a model's own scatter around the curve), clipped to [0, 1]. ``reach``: the compute
    at which accuracy reaches each value (:func:`scaling_forecast.reach.crossings` on the joined band).
    """
    chance, floor_warning = _chance(runs.chance if chance is None else chance)
    final = runs.final_rows()
    step1 = fit_law(
        runs.compute[final],
        runs.task_loss[final],
        settings,
        targets,
        file=runs.file,
        x_column=runs.x_column,
        y_column=runs.loss_column,
    )
    rng = np.random.default_rng([settings.seed, TWO_STEP_STREAM])
    groups = np.array(runs.names) if runs.steps is not None else None
    floor, floor_warning = _floor(chance, runs.accuracy, runs.accuracy_column, floor_warning)
    law, theta, boot_theta, residuals = fit_accuracy_map(
        runs.task_loss, runs.accuracy, floor, settings.n_boot, rng, groups
    )
    ok = np.isfinite(boot_theta).all(axis=1)
    if ok.sum() < 0.5 * settings.n_boot:
        raise FitError(
            "the task-loss-to-accuracy sigmoid failed in most bootstrap replicates; check the accuracy column"
        )
    boot_theta = boot_theta[ok]

    final_accuracy = runs.accuracy[final]
    trend = trend_verdict(np.log(runs.compute[final]), final_accuracy, lower_is_better=False)
    if trend == "flat":
        joined = partial(_flat, accuracy=final_accuracy, level=settings.level)
    else:
        joined = partial(_joined, law, theta, boot_theta, residuals, settings.level)
    predictions = joined(step1.predictions, rng)
    reaches: tuple[Reach, ...] = ()
    if reach:
        grid = reach_grid(step1.data.compute_min, step1.data.compute_max)
        band = joined(step1.predict(grid).predictions, np.random.default_rng([settings.seed, TWO_STEP_STREAM, 1]))
        bounds = np.array([b.ci for b in band])
        reaches = crossings(reach, grid, np.array([b.estimate for b in band]), bounds[:, 0], bounds[:, 1])
    user = law.to_user(np.vstack([theta[None, :], boot_theta]), 0.0)
    step2 = _percentile_params(law.param_names, user[0], user[1:], settings.level)
    warnings = floor_warning + step1.fit.warnings + _trend_warnings(trend, runs.accuracy_column)
    return replace(
        step1,
        law="two-step",
        formula=f"{runs.loss_column}: {step1.formula}; accuracy = {floor:g} + (1 - {floor:g}) * sigmoid(-k (L - L0))",
        params=step1.params + step2,
        predictions=tuple(predictions),
        data=replace(step1.data, accuracy_column=runs.accuracy_column),
        fit=replace(step1.fit, warnings=warnings, trend=trend),
        reach=reaches,
    )


def load_capability(table: Any, *, task_loss: bool = True) -> CapabilityRuns:
    """Read compute (or 6 N D), a task loss (unless ``task_loss`` is false), an accuracy, and optional
    ``run``/``step``/``chance`` columns."""
    from ..readers.runs import _ComputeColumn
    from ..readers.tables import as_table, cell_number

    table = as_table(table)
    label = table.label
    compute = _ComputeColumn(table, None, None, None)
    loss_column, accuracy_column = table.column("task_loss"), table.column("accuracy")
    if not task_loss and accuracy_column is not None:
        loss_column = loss_column or accuracy_column  # read twice, not used: the direct laws fit accuracy alone
    if loss_column is None or accuracy_column is None:
        missing = "a task loss ('task_loss', 'bpb', 'nll' or 'correct_nll')" if loss_column is None else "an accuracy"
        raise DataError(
            f"{label}: --law two-step reads {missing} column"
            + ("" if loss_column is None else " ('accuracy', 'acc', 'acc_norm' or 'rc_acc')")
            + "; add it to the file"
        )
    run_column, step_column = table.column("run"), table.column("step")
    chance_name = table.column("chance")
    xs, losses, accuracies, names, steps, chances = [], [], [], [], [], []
    for row, record in enumerate(table.records, start=1):
        x_value = compute.value(record, row)
        loss = cell_number(record.get(loss_column), row, loss_column, label)
        accuracy = cell_number(record.get(accuracy_column), row, accuracy_column, label)
        if loss <= 0 and task_loss:
            raise DataError(f"{label}: row {row}, column '{loss_column}': {loss:g} must be positive; fix the value")
        if not 0.0 <= accuracy <= 1.0:
            raise DataError(
                f"{label}: row {row}, column '{accuracy_column}': {accuracy:g} is not a share between 0 and 1 "
                "(write 71.5% as 0.715)"
            )
        name = (str(record.get(run_column, "")).strip() if run_column else "") or f"row {row}"
        xs.append(x_value)
        losses.append(loss)
        accuracies.append(accuracy)
        names.append(name)
        if step_column is not None:
            steps.append(cell_number(record.get(step_column), row, step_column, label))
        if chance_name is not None:
            chances.append(cell_number(record.get(chance_name), row, chance_name, label))
    if len(set(chances)) > 1:
        raise DataError(f"{label}: column '{chance_name}' holds several values; one file is one task with one chance")
    chance = chances[0] if chances else None
    if chance is not None and not 0.0 <= chance < 1.0:
        raise DataError(f"{label}: column '{chance_name}': {chance:g} must be at least 0 and below 1")
    use_steps = step_column is not None and run_column is not None
    return CapabilityRuns(
        compute=np.array(xs),
        task_loss=np.array(losses),
        accuracy=np.array(accuracies),
        names=tuple(names),
        steps=np.array(steps) if use_steps else None,
        file=label,
        x_column=compute.name,
        loss_column=loss_column,
        accuracy_column=accuracy_column,
        chance=chance,
    )


def capability_law(table: Any) -> str | None:
    """The law of a file of accuracies with no loss and no pass rates: ``two-step`` with a task loss, else
    ``accuracy``; ``None`` for any other file."""
    if table.column("accuracy") is None or table.column("loss") is not None or table.has_pass_rates():
        return None
    return _accuracy_law(table)


def _accuracy_law(table: Any) -> str:
    return "two-step" if table.column("task_loss") is not None else "accuracy"


def fit_capability(
    table: Any,
    law: str,
    settings: FitSettings,
    targets: tuple[Target, ...],
    chance: float | None = None,
    reach: tuple[float, ...] = (),
) -> FitResult:
    """``law`` (one of :data:`CAPABILITY_LAWS`) fitted to a table's rows; ``chance`` wins over its column."""
    runs = load_capability(table, task_loss=law == "two-step")
    chance = runs.chance if chance is None else chance
    if law == "two-step":
        return fit_two_step(runs, settings, targets, chance, reach)
    where = {"file": runs.file, "x_column": runs.x_column, "y_column": runs.accuracy_column}
    return fit_accuracy(runs.compute, runs.accuracy, settings, targets, chance, reach, **where)


def fit_by(
    table: Any,
    by: str,
    law: str,
    settings: FitSettings,
    targets: tuple[Target, ...],
    chance: float | None = None,
    reach: tuple[float, ...] = (),
) -> TaskFits:
    """Each value of column ``by`` (a task) fitted on its own; ``law`` ``auto`` is the file's capability law."""
    from ..readers.tables import Table, explicit_column

    column = explicit_column(table.columns, by, "--by", table.label)
    if table.column("accuracy") is None:
        raise DataError(f"{table.label}: --by {by} fits accuracy files; the file has no accuracy column")
    chosen = law if law in CAPABILITY_LAWS else _accuracy_law(table)  # a 'task' column is no pass-rate file here
    fits = []
    for value, rows in table.rows_by(column).items():
        part = Table(f"{table.label} ({column} {value!r}; rows counted within it)", table.columns, [r for _, r in rows])
        fits.append((value, fit_capability(part, chosen, settings, targets, chance, reach)))
    return TaskFits(column, table.label, tuple(fits))


#: The direct accuracy laws ``--law accuracy`` weighs, with their formulas.
ACCURACY_LAWS = {
    "gpt4": "-log(acc) = alpha * C^(-k)",
    "sigmoid": "acc = chance + (1 - chance) * sigmoid(slope * (log10 C - log10 C_mid))",
}


def _sigmoid_in_compute(
    compute: Array, accuracy: Array, chance: float, targets: Array, settings: FitSettings, rng: np.random.Generator
) -> tuple[tuple[ParameterEstimate, ...], Array, Array, Array]:
    """The sigmoid in log compute: its ``slope`` and ``C_mid``, and the estimate, ci and pi at each target.

    The fit is :class:`AccuracyMap` with ``L = -log10 C`` (so ``k`` is the slope per decade and
    ``L0 = -log10 C_mid``); the intervals are percentile intervals of a case bootstrap, the pi
    adding a resampled residual.
    """
    law, theta, boot, residuals = fit_accuracy_map(-np.log10(compute), accuracy, chance, settings.n_boot, rng, None)
    boot = boot[np.isfinite(boot).all(axis=1)]
    x = -np.log10(targets)
    estimate = law.log_predict(theta[None, :], x)[0]
    draws = law.log_predict(boot, x)
    noisy = np.clip(draws + residuals[rng.integers(0, residuals.size, draws.shape)], 0.0, 1.0)
    tail = (1.0 - settings.level) / 2.0
    ci = np.quantile(draws, [tail, 1.0 - tail], axis=0).T
    pi = np.quantile(noisy, [tail, 1.0 - tail], axis=0).T
    with np.errstate(over="ignore", invalid="ignore"):  # a replicate whose midpoint runs off to 1e300 FLOP
        user = np.column_stack([np.exp(np.r_[theta[0], boot[:, 0]]), 10.0 ** -np.r_[theta[1], boot[:, 1]]])
        params = _percentile_params(("slope", "C_mid"), user[0], user[1:], settings.level)
    return params, estimate, ci, pi


def fit_accuracy(
    compute: Array,
    accuracy: Array,
    settings: FitSettings,
    targets: tuple[Target, ...],
    chance: float | None = None,
    reach: tuple[float, ...] = (),
    *,
    file: str = "<data>",
    x_column: str = "compute",
    y_column: str = "accuracy",
) -> FitResult:
    """Accuracy forecast directly from compute, for files with no task loss: the better of two laws.

    Notes
    -----
    ``gpt4`` is the GPT-4 report's capability form, the ``passrate`` law fitted to ``-log(acc)``
    (its pass-rate forecast is the accuracy); ``sigmoid`` rises from chance to 1 in log compute.
    Each forecasts the largest run from the others; the smaller absolute error is chosen. The
    reported ``ci`` and ``pi`` are the hull of both laws' intervals (the choice of law is inside
    the interval), and a warning says when the two laws' ``ci`` do not overlap at a target.
    """
    from ..results import LawSelection

    chance, floor_warning = _chance(chance)
    if np.any(accuracy <= 0.0) or np.any(accuracy >= 1.0):
        raise DataError(f"{file}: accuracies of exactly 0 or 1 cannot be fitted by the GPT-4 form; check '{y_column}'")
    order = np.argsort(compute, kind="stable")
    compute, accuracy = compute[order], accuracy[order]
    if np.unique(compute).size < 4:
        raise DataError(f"{file}: --law accuracy needs runs at 4 or more distinct compute values")
    gpt4 = fit_law(
        compute,
        -np.log(accuracy),
        replace(settings, law="passrate"),
        targets,
        file=file,
        x_column=x_column,
        y_column=f"-log {y_column}",
    )
    rng = np.random.default_rng([settings.seed, TWO_STEP_STREAM])
    values = np.array([p.target for p in gpt4.predictions])
    floor, floor_warning = _floor(chance, accuracy, y_column, floor_warning)
    sig_params, sig_estimate, sig_ci, sig_pi = _sigmoid_in_compute(compute, accuracy, floor, values, settings, rng)
    # each law forecasts the largest run from the smaller ones
    held = replace(settings, n_boot=100)
    last = Target(float(compute[-1]))
    small = compute[:-1], accuracy[:-1]
    gpt4_held = fit_law(small[0], -np.log(small[1]), replace(held, law="passrate"), (last,))
    gpt4_error = abs(float(np.exp(-gpt4_held.predictions[0].estimate)) - accuracy[-1])
    sig_held = _sigmoid_in_compute(*small, floor, np.array([compute[-1]]), held, np.random.default_rng(settings.seed))
    sig_error = abs(float(sig_held[1][0]) - accuracy[-1])
    chosen = "gpt4" if gpt4_error <= sig_error else "sigmoid"
    predictions, disagree = [], []
    for i, p in enumerate(gpt4.predictions):
        assert p.pass_rate is not None
        g = p.pass_rate
        own = {
            "gpt4": (g.estimate, g.ci, g.pi),
            "sigmoid": (float(sig_estimate[i]), tuple(sig_ci[i]), tuple(sig_pi[i])),
        }
        estimate = own[chosen][0]
        ci = (min(g.ci[0], sig_ci[i, 0], estimate), max(g.ci[1], sig_ci[i, 1], estimate))
        pi = (min(g.pi[0], sig_pi[i, 0], estimate), max(g.pi[1], sig_pi[i, 1], estimate))
        if g.ci[1] < sig_ci[i, 0] or sig_ci[i, 1] < g.ci[0]:
            disagree.append(f"{p.target:.3g}")
        predictions.append(replace(p, estimate=float(estimate), ci=ci, pi=pi, pass_rate=None))
    rates = [p.pass_rate for p in gpt4.predictions if p.pass_rate is not None]
    candidates = (
        _candidate("gpt4", gpt4_error, chosen, values, [(r.estimate, r.ci, r.pi) for r in rates]),
        _candidate("sigmoid", sig_error, chosen, values, list(zip(sig_estimate, sig_ci, sig_pi, strict=True))),
    )
    reason = (
        f"{chosen} forecasts the largest run from the smaller ones with absolute error "
        f"{min(gpt4_error, sig_error):.3f} (gpt4 {gpt4_error:.3f}, sigmoid {sig_error:.3f}); "
        "the interval spans both laws"
    )
    selection = LawSelection(chosen, "held-out", 1, candidates, reason)
    warnings = floor_warning + gpt4.fit.warnings
    if disagree:
        warnings += (
            f"the gpt4 and sigmoid laws disagree at {', '.join(disagree)} FLOP (their intervals do not overlap): "
            "the forecast depends on the law; the reported interval spans both",
        )
    trend = trend_verdict(np.log(compute), accuracy, lower_is_better=False)
    warnings += _trend_warnings(trend, y_column)
    if trend == "flat":
        predictions = _flat(tuple(predictions), accuracy=accuracy, level=settings.level, task_loss=False)
    reaches: tuple[Reach, ...] = ()
    if reach:
        grid = reach_grid(float(compute[0]), float(compute[-1]))
        band = with_band(gpt4, grid)
        _, sig_band, sig_band_ci, _ = _sigmoid_in_compute(
            compute, accuracy, floor, grid, settings, np.random.default_rng([settings.seed, TWO_STEP_STREAM, 1])
        )
        curve = band[0] if chosen == "gpt4" else sig_band
        low = np.minimum(np.minimum(band[1], sig_band_ci[:, 0]), curve)
        high = np.maximum(np.maximum(band[2], sig_band_ci[:, 1]), curve)
        if trend == "flat":
            mean, flat_ci, _ = _flat_interval(accuracy, settings.level)
            curve, low, high = (np.full(grid.size, v) for v in (mean, *flat_ci))
        reaches = crossings(reach, grid, curve, low, high)
    return replace(
        gpt4,
        law="accuracy",
        formula=f"{ACCURACY_LAWS['gpt4']}; or {ACCURACY_LAWS['sigmoid']} (floor {floor:g})",
        params=gpt4.params + sig_params,
        predictions=tuple(predictions),
        data=replace(gpt4.data, y_column=y_column),
        fit=replace(gpt4.fit, warnings=warnings, trend=trend),
        law_selection=selection,
        reach=reaches,
    )


def _candidate(name: str, error: float, chosen: str, targets: Array, forecasts: list[Any]) -> Any:
    """One direct law as ``--law auto``'s candidates are shown: held-out error and its own ``(estimate, ci, pi)``."""
    from ..results import Candidate, CandidateForecast

    own = tuple(
        CandidateForecast(float(t), float(e), (float(c[0]), float(c[1])), (float(q[0]), float(q[1])))
        for t, (e, c, q) in zip(targets, forecasts, strict=True)
    )
    weight = 1.0 if name == chosen else 0.0
    return Candidate(name, 2, error, None, weight=weight, in_interval=True, predictions=own)


def with_band(result: FitResult, grid: Array) -> tuple[Array, Array, Array]:
    """A pass-rate fit's pass rate (here: accuracy) and its ci at each compute of ``grid``."""
    band = result.predict(grid).predictions
    rates = [p.pass_rate for p in band if p.pass_rate is not None]
    return (
        np.array([r.estimate for r in rates]),
        np.array([r.ci[0] for r in rates]),
        np.array([r.ci[1] for r in rates]),
    )

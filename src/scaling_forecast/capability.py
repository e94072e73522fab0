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

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.special import expit

from .errors import ConfigError, DataError, FitError
from .fitting import fit_batch, polish
from .forecast import FitSettings, Target, fit_law
from .laws import Array, IndexArray, Law, RowObjective
from .reach import crossings, reach_grid
from .results import DerivedForecast, FitResult, ParameterEstimate, Prediction, Reach
from .trend import trend_verdict, trend_warning

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
    floor_warning: tuple[str, ...] = ()
    chance = runs.chance if chance is None else chance
    if chance is None:
        chance = 0.0
        floor_warning = (
            "no --chance given (nor a 'chance' column): the sigmoid's floor is 0; for a multiple-choice task "
            "give the accuracy of random guessing, e.g. --chance 0.25 for four choices",
        )
    if not 0.0 <= chance < 1.0:
        raise ConfigError(f"--chance {chance:g}: must be at least 0 and below 1 (the accuracy of random guessing)")
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
    law, theta, boot_theta, residuals = fit_accuracy_map(
        runs.task_loss, runs.accuracy, chance, settings.n_boot, rng, groups
    )
    ok = np.isfinite(boot_theta).all(axis=1)
    if ok.sum() < 0.5 * settings.n_boot:
        raise FitError(
            "the task-loss-to-accuracy sigmoid failed in most bootstrap replicates; check the accuracy column"
        )
    boot_theta = boot_theta[ok]
    from scipy.special import ndtri

    tail = (1.0 - settings.level) / 2.0
    z = float(ndtri(1.0 - tail))

    def joined(predictions: tuple[Prediction, ...], draws: np.random.Generator) -> list[Prediction]:
        """Each task-loss forecast carried through the sigmoid's replicates (see the notes)."""
        joined_predictions = []
        for p in predictions:
            accuracy = float(law.log_predict(theta[None, :], np.array([p.estimate]))[0, 0])
            mean_draws = _split_normal(draws, p.estimate, p.ci, z, boot_theta.shape[0])
            new_draws = _split_normal(draws, p.estimate, p.pi, z, boot_theta.shape[0])
            on_curve = law.log_predict(boot_theta, mean_draws[:, None])[:, 0]
            new_run = law.log_predict(boot_theta, new_draws[:, None])[:, 0]
            new_run = np.clip(new_run + residuals[draws.integers(0, residuals.size, boot_theta.shape[0])], 0.0, 1.0)
            ci = np.quantile(on_curve, [tail, 1.0 - tail])
            pi = np.quantile(new_run, [tail, 1.0 - tail])
            joined_predictions.append(
                replace(
                    p,
                    estimate=accuracy,
                    ci=(float(min(ci[0], accuracy)), float(max(ci[1], accuracy))),
                    pi=(float(min(pi[0], accuracy)), float(max(pi[1], accuracy))),
                    task_loss=DerivedForecast(p.estimate, p.ci, p.pi),
                )
            )
        return joined_predictions

    predictions = joined(step1.predictions, rng)
    reaches: tuple[Reach, ...] = ()
    if reach:
        grid = reach_grid(step1.data.compute_min, step1.data.compute_max)
        band = joined(step1.predict(grid).predictions, np.random.default_rng([settings.seed, TWO_STEP_STREAM, 1]))
        bounds = np.array([b.ci for b in band])
        reaches = crossings(reach, grid, np.array([b.estimate for b in band]), bounds[:, 0], bounds[:, 1])
    user = law.to_user(boot_theta, 0.0)
    estimates = law.to_user(theta[None, :], 0.0)[0]
    step2 = tuple(
        ParameterEstimate(
            name,
            float(value),
            float(np.std(user[:, i], ddof=1)),
            (float(np.quantile(user[:, i], tail)), float(np.quantile(user[:, i], 1.0 - tail))),
        )
        for i, (name, value) in enumerate(zip(law.param_names, estimates, strict=True))
    )
    final_accuracy = runs.accuracy[final]
    trend = trend_verdict(np.log(runs.compute[final]), final_accuracy, lower_is_better=False)
    warnings = floor_warning + step1.fit.warnings
    warnings += trend_warning(trend, runs.accuracy_column)
    below = int((final_accuracy < chance).sum())
    if below:
        warnings += (
            f"{below} run(s) score below chance ({chance:g}) on {runs.accuracy_column}: the sigmoid's floor is "
            "chance, so they count as scatter around it",
        )
    return replace(
        step1,
        law="two-step",
        formula=f"{runs.loss_column}: {step1.formula}; accuracy = {chance:g} + (1 - {chance:g}) * sigmoid(-k (L - L0))",
        params=step1.params + step2,
        predictions=tuple(predictions),
        data=replace(step1.data, accuracy_column=runs.accuracy_column),
        fit=replace(step1.fit, warnings=warnings, trend=trend),
        reach=reaches,
    )


def load_capability(table: Any, *, chance_column: bool = True) -> CapabilityRuns:
    """Read compute (or 6 N D), a task loss, an accuracy and optional ``run``/``step``/``chance`` columns."""
    from .runs import _ComputeColumn, _number, as_table

    table = as_table(table)
    label = table.label
    compute = _ComputeColumn(table, None, None, None)
    loss_column, accuracy_column = table.column("task_loss"), table.column("accuracy")
    if loss_column is None or accuracy_column is None:
        missing = "a task loss ('task_loss', 'bpb', 'nll' or 'correct_nll')" if loss_column is None else "an accuracy"
        raise DataError(
            f"{label}: --law two-step reads {missing} column"
            + ("" if loss_column is None else " ('accuracy', 'acc', 'acc_norm' or 'rc_acc')")
            + "; add it to the file"
        )
    run_column, step_column = table.column("run"), table.column("step")
    chance_name = table.column("chance") if chance_column else None
    xs, losses, accuracies, names, steps, chances = [], [], [], [], [], []
    for row, record in enumerate(table.records, start=1):
        x_value = compute.value(record, row)
        loss = _number(record.get(loss_column), row, loss_column, label)
        accuracy = _number(record.get(accuracy_column), row, accuracy_column, label)
        if loss <= 0:
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
            steps.append(_number(record.get(step_column), row, step_column, label))
        if chance_name is not None:
            chances.append(_number(record.get(chance_name), row, chance_name, label))
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

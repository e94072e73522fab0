"""Capability forecasts of accuracy: the two-step law through a task loss, and the direct laws of compute.

Step 1 of the two-step law forecasts a task loss (bits per byte, or the negative log-likelihood of
the correct answer) from compute with the default loss procedure (law choice and misspecification
inside the interval); step 2 maps task loss to accuracy through a link, by default a sigmoid
between chance and 1, ``acc(L) = chance + (1 - chance) / (1 + exp(k (L - L0)))``, fitted by least
squares on accuracy to every row (checkpoints included: the map holds along training as across
sizes). This is the method of Bhagia et al. (2024), "Establishing Task Scaling Laws via
Compute-Efficient Model Ladders", and of the Llama 3 report's two-stage forecast. Files with no task
loss are fitted by the direct laws (``gpt4``, ``sigmoid``, or ``accuracy``, the better of the two).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ..engine.calibrated import MIN_ORIGIN, CalibratedModel, Calibration, gpt4_accuracy, gpt4_line, rolling_errors
from ..engine.capability import (
    DirectModel,
    Flat,
    TwoStepModel,
    chance_warning,
    fit_link,
    floor_of,
    log_compute_design,
    trend_warnings,
)
from ..engine.forecasting import curve_model
from ..engine.runs import Runs
from ..engine.streams import Stream, stream
from ..engine.trend import trend_verdict
from ..errors import ConfigError, DataError, FitError, ForecastError
from ..laws import AccuracyLaw, Array, SigmoidLink, TwoStepLaw, get_law
from ..results import DataSummary, FitQuality, FitResult, Points
from ..settings import FitSettings, Target
from .fit import fit_curve


def fit_accuracy_law(runs: Runs, settings: FitSettings, targets: tuple[Target, ...] = ()) -> FitResult:
    """``settings.law`` (a law of accuracy) fitted to ``runs`` of accuracies, forecast at each target."""
    law = get_law(settings.law)
    if not isinstance(law, AccuracyLaw):
        raise TypeError(f"the {settings.law} law is not a law of accuracy")
    if law.methods and settings.method not in law.methods:
        raise ConfigError(f"--method {settings.method}: the {law.name} law's intervals come from {law.intervals}")
    if not law.methods and settings.method != "bootstrap":
        raise ConfigError(f"method {settings.method!r}: the {law.name} law's intervals come from {law.intervals}")
    if not law.takes_objective and settings.loss_fn == "huber":
        raise ConfigError(f"loss_fn 'huber': the {law.name} law is fitted by least squares on accuracy")
    outside = np.flatnonzero((runs.y < 0.0) | (runs.y > 1.0))
    if outside.size:
        i = int(outside[0])
        raise DataError(
            f"{runs.file}: run {runs.names[i]!r}, '{runs.y_column}': {runs.y[i]:g} is not a share between 0 and 1; "
            "an accuracy in percent divides by 100"
        )
    if isinstance(law, TwoStepLaw):
        return fit_two_step(runs, settings, targets, law)
    return fit_direct(runs, settings, targets, law)


def _chance(runs: Runs, settings: FitSettings, floored: bool = True) -> tuple[float, tuple[str, ...]]:
    """The chance accuracy (``--chance`` wins over the file's column), and the warning when neither gave one
    to a law with a floor at chance (``floored``)."""
    chance = settings.chance if settings.chance is not None else runs.chance
    return (0.0 if chance is None else chance), chance_warning(chance is not None or not floored)


def fit_two_step(
    runs: Runs, settings: FitSettings, targets: tuple[Target, ...] = (), law: TwoStepLaw | None = None
) -> FitResult:
    """Forecast accuracy at each target through the task loss (the module's two steps).

    Notes
    -----
    Step 1 is :func:`scaling_forecast.tasks.fit.fit_curve` on each run's last step (law ``auto``, the
    other settings as given), so its ``ci`` and ``pi`` hold law choice and misspecification; on an
    over-training grid (runs carry parameters and tokens, some size trained on several token counts,
    so compute alone does not set the loss) it is the ``chinchilla`` law ``L(N, D)``. Step 2
    is the law's link fitted to every row with a case bootstrap (runs, then rows within each drawn
    run, when there are checkpoints). :class:`~scaling_forecast.engine.capability.TwoStepModel`
    joins them.
    """
    law = law or TwoStepLaw()
    if runs.columns is None or runs.columns.shape[1] not in (1, 3):
        raise DataError(f"{runs.file}: --law {law.name} reads a task loss per run; add a 'task_loss' column")
    chance, before = _chance(runs, settings)
    final = runs.final_rows()
    task_loss, loss_column = runs.columns[:, 0], runs.column_names[0]
    grid = runs.columns[final, 1:] if runs.columns.shape[1] == 3 else None
    step1 = fit_curve(
        runs.x[final],
        task_loss[final],
        replace(settings, law="auto" if grid is None else "chinchilla", chance=None),
        targets,
        file=runs.file,
        x_column=runs.x_column,
        y_column=loss_column,
        sweep=runs.sweep,
        extra_warnings=runs.warnings,
        columns=grid,
    )
    floor, below = floor_of(chance, runs.y, runs.y_column)
    groups = np.array(runs.names) if runs.steps is not None else None
    rng = stream(settings.seed, Stream.LINK_BOOTSTRAP)
    link = fit_link(law.link(floor), task_loss, runs.y, settings.n_boot, rng, groups)
    if link is None:
        raise FitError(f"{runs.file}: the task-loss-to-accuracy link could not be fitted; check the accuracy column")
    if link.boot_theta.shape[0] < 0.5 * settings.n_boot:
        raise FitError(
            f"{runs.file}: the task-loss-to-accuracy link failed in most bootstrap replicates; "
            "check the accuracy column"
        )
    final_accuracy = runs.y[final]
    trend = trend_verdict(np.log(runs.x[final]), final_accuracy, lower_is_better=False)
    flat = Flat(final_accuracy) if trend == "flat" else None
    before += below
    given = runs.chance if settings.chance is None else settings.chance
    after = trend_warnings(trend, runs.y_column, law.name, given, final_accuracy)
    calibration = _two_step_calibration(runs, settings, law, floor, link.rmse)
    model = TwoStepModel(law, step1, link, settings.seed, flat, before, after, calibration)
    link_formula = law.link.formula.replace("chance", f"{floor:g}")
    result = replace(
        step1,
        law=law.name,
        formula=f"{loss_column}: {step1.formula}; {link_formula}",
        data=replace(step1.data, accuracy_column=runs.y_column, chance=given),
        fit=replace(step1.fit, trend=trend),
        model=model,
        data_warnings=before + step1.data_warnings + after,
        runs=Points(tuple(runs.x[final].tolist()), tuple(final_accuracy.tolist())),
    )
    return model.forecast(result, targets, settings.level)


def _ladder_warnings(compute: Array, law: AccuracyLaw, n_errors: int) -> tuple[str, ...]:
    """Too few runs for the calibrated law's rolling-origin errors to be many (its intervals widen with distance
    and with few errors by themselves: a short span of compute draws no warning of its own)."""
    warnings = []
    if compute.size < law.min_runs:
        warnings.append(
            f"only {compute.size} runs (fewer than {law.min_runs}): the intervals rest on {n_errors} rolling-origin "
            "forecast(s) of a larger run; add runs for a reliable forecast"
        )
    return tuple(warnings)


#: The two-step calibration's rolling origins: the largest this many (an origin of far fewer runs than the ladder
#: extrapolates worse than the whole ladder does, and would make its interval far too wide).
ORIGINS = 3
#: Replicates of each rolling origin's chinchilla fit (the law has no delta method; only its estimate is used).
MIN_GRID_REPLICATES = 100


def _two_step_calibration(
    runs: Runs, settings: FitSettings, law: TwoStepLaw, floor: float, sigma: float
) -> Calibration | None:
    """The two-step procedure's rolling-origin errors: each origin, the runs at the smallest ``k`` computes (``k``
    from 3, the largest :data:`ORIGINS` origins), fits step 1 (``auto``, point forecasts) and the link to those
    runs' rows, and forecasts the accuracy of every larger run; ``None`` when no origin can be fitted."""
    final = runs.final_rows()
    assert runs.columns is not None
    x, task_loss = runs.x[final], runs.columns[final, 0]
    grid = runs.columns[final, 1:] if runs.columns.shape[1] == 3 else None
    levels = np.unique(x)
    step1_law = "auto" if grid is None else "chinchilla"
    point = replace(settings, law=step1_law, method="delta", chance=None, misspecification="warn")
    if grid is not None:
        point = replace(point, method="bootstrap", n_boot=MIN_GRID_REPLICATES)
    errors, distances = [], []
    for k in range(max(MIN_ORIGIN, levels.size - ORIGINS), levels.size):
        inside, beyond = x <= levels[k - 1], x > levels[k - 1]
        names = {runs.names[i] for i in final[inside]}
        rows = np.array([i for i, name in enumerate(runs.names) if name in names], dtype=np.intp)
        at = tuple(
            Target(float(c), point=None if grid is None else (float(grid[j, 0]), float(grid[j, 1])))
            for j, c in zip(np.flatnonzero(beyond), x[beyond], strict=True)
        )
        try:
            step1 = fit_curve(x[inside], task_loss[inside], point, at, columns=None if grid is None else grid[inside])
        except ForecastError:
            continue
        link = fit_link(law.link(floor), runs.columns[rows, 0], runs.y[rows], 0, None)
        if link is None:
            continue
        forecast = link.at(np.array([p.estimate for p in step1.predictions]))[0]
        errors.append(forecast - runs.y[final][beyond])
        distances.append(np.log10(x[beyond]) - float(np.log10(x[inside]).mean()))
    if not errors:
        return None
    centre = float(np.log10(x).mean())
    return Calibration(np.concatenate(errors), np.concatenate(distances), sigma, int(final.size), centre)


def fit_direct(
    runs: Runs, settings: FitSettings, targets: tuple[Target, ...] = (), law: AccuracyLaw | None = None
) -> FitResult:
    """Accuracy forecast directly from compute, for files with no task loss.

    Notes
    -----
    ``accuracy`` (the default) is the GPT-4 form with ``k`` of either sign, its intervals calibrated
    on the ladder's rolling-origin errors (:mod:`scaling_forecast.engine.calibrated`); every trend is
    forecast along the fitted form, a flat one included. ``gpt4`` is the GPT-4 report's capability
    form as published, the ``passrate`` law fitted to ``-log(acc)`` with its bootstrap (its pass-rate
    forecast is the accuracy); ``sigmoid`` rises from chance to 1 in log compute (the sigmoid link on
    ``-log10 C``, with a case bootstrap). These two forecast a flat accuracy as flat.
    """
    law = law or get_law(settings.law)
    assert isinstance(law, AccuracyLaw)
    final = runs.final_rows()  # with checkpoints, each run's last step: a direct law reads runs, not training
    order = final[np.argsort(runs.x[final], kind="stable")]
    compute, accuracy, column = runs.x[order], runs.y[order], runs.y_column
    if law.name != "sigmoid" and (np.any(accuracy <= 0.0) or np.any(accuracy >= 1.0)):
        raise DataError(
            f"{runs.file}: accuracies of exactly 0 or 1 cannot be fitted by the GPT-4 form (log(-log acc)); "
            f"check '{column}', or use --law sigmoid"
        )
    if np.unique(compute).size < law.min_distinct:
        raise DataError(
            f"{runs.file}: --law {law.name} needs runs at {law.min_distinct} or more distinct compute values"
        )
    given = settings.chance if settings.chance is not None else runs.chance
    chance, before = _chance(runs, settings, floored=law.name == "sigmoid")
    trend = trend_verdict(np.log(compute), accuracy, lower_is_better=False)
    after = trend_warnings(trend, column, law.name, given, accuracy)
    where: dict[str, Any] = {"file": runs.file, "x_column": runs.x_column, "sweep": runs.sweep}
    gpt4 = sigmoid = None
    model: Any
    if law.name == "accuracy":
        log_c = np.log(compute)
        errors, distances = rolling_errors(log_c, accuracy)
        before += runs.warnings + _ladder_warnings(compute, law, errors.size)
        model = CalibratedModel(
            law,
            gpt4_line(log_c, accuracy),
            log_c,
            accuracy,
            errors,
            distances,
            settings.seed,
            before,
            after,
            settings.n_boot,
        )
        residuals = accuracy - gpt4_accuracy(model.theta, log_c)
    elif law.name == "gpt4":
        try:
            gpt4 = fit_curve(
                compute,
                -np.log(accuracy),
                replace(settings, law="passrate", chance=None),
                targets,
                y_column=f"-log {column}",
                law_name="gpt4",
                extra_warnings=runs.warnings,
                **where,
            )
        except FitError:
            if trend != "flat":
                raise
            before += runs.warnings  # every run the same: forecast as flat, no law to fit
        residuals = accuracy - accuracy.mean() if gpt4 is None else _gpt4_residuals(gpt4, accuracy)
    else:
        if trend == "worsening":
            raise FitError(
                f"{runs.file}: {column} falls with compute (trend: worsening), and the sigmoid law only rises from "
                "chance; fit it with --law accuracy (the default) or --law gpt4, which follow a falling accuracy"
            )
        floor, below = floor_of(chance, accuracy, column)
        before += runs.warnings + below
        rng = stream(settings.seed, Stream.LINK_BOOTSTRAP)
        sigmoid = fit_link(SigmoidLink(floor), log_compute_design(compute), accuracy, settings.n_boot, rng)
        if sigmoid is None:
            raise FitError(f"{runs.file}: the sigmoid in log compute could not be fitted; check '{column}'")
        residuals = sigmoid.residuals
    if law.name != "accuracy":
        flat = Flat(accuracy) if trend == "flat" else None
        model = DirectModel(law, settings.seed, gpt4, sigmoid, flat, before, after)
    quality = FitQuality(
        rmse=float(np.sqrt(np.mean(residuals**2))),
        objective=float(0.5 * residuals @ residuals),
        converged=True if gpt4 is None else gpt4.fit.converged,
        dof=int(accuracy.size - 2),
        failed_replicates=(0 if gpt4 is None else gpt4.fit.failed_replicates)
        + (0 if sigmoid is None else settings.n_boot - sigmoid.boot_theta.shape[0]),
        warnings=(),
        drift=None if gpt4 is None else gpt4.fit.drift,
        trend=trend,
    )
    result = FitResult(
        law=law.name,
        formula=law.formula.replace("chance", f"{model.sigmoid.link.floor:g}") if sigmoid is not None else law.formula,
        level=settings.level,
        method="rolling-origin" if law.name == "accuracy" else settings.method,
        n_boot=0 if law.name == "accuracy" else settings.n_boot,
        seed=settings.seed,
        loss_fn=gpt4.loss_fn if gpt4 is not None else "lsq",
        huber_delta=settings.huber_delta,
        data=DataSummary(
            file=runs.file,
            n_runs=int(accuracy.size),
            compute_min=float(compute[0]),
            compute_max=float(compute[-1]),
            x_column=runs.x_column,
            y_column=column,
            sweep=runs.sweep,
            chance=given,
        ),
        params=(),
        fit=quality,
        predictions=(),
        model=model,
        data_warnings=before + (() if gpt4 is None else gpt4.data_warnings) + after,
        misspecification=settings.misspecification,
        runs=Points(tuple(compute.tolist()), tuple(accuracy.tolist())),
    )
    forecast: FitResult = model.forecast(result, targets, settings.level)
    return forecast


def _gpt4_residuals(gpt4: FitResult, accuracy: Array) -> Array:
    """The gpt4 law's residuals in accuracy, run by run."""
    assert gpt4.runs is not None
    model = curve_model(gpt4)
    log_x = np.log(np.asarray(gpt4.runs.x)) - model.log_cref
    neg_log = np.exp(model.law.log_predict(model.theta[None, :], log_x)[0])
    return np.asarray(accuracy - np.exp(-neg_log), dtype=float)

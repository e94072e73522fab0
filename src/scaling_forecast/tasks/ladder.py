"""Runs ready to fit, for every registered law: :func:`fit_law` and :func:`fit_runs` are the library's one entry.

A :class:`Ladder` holds loaded runs (losses, pass rates, parameters and tokens, or accuracies) with
the settings to fit them; it fits all runs or any subset of them, which is what backtests need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..engine.passrates import PassRateRuns, PassRates
from ..engine.runs import Runs
from ..errors import ConfigError
from ..laws import LAWS, AccuracyLaw, Array, IndexArray, PassRateLaw
from ..results import FitResult
from ..settings import FitSettings, Target
from .capability import fit_accuracy_law
from .fit import fit_curve, fit_pass_rates, fit_rates, pass_rate_settings


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
    """Fit ``settings.law`` (any registered law, or ``auto``) to ``y`` against ``compute``; forecast each target.

    A curve law is :func:`scaling_forecast.tasks.fit.fit_curve`. A law of accuracy takes accuracies
    as ``y`` (and, for the two-step law, the task loss as ``columns`` ``(n, 1)``).
    """
    law = LAWS.get(settings.law)
    if law is None or not issubclass(law, AccuracyLaw):
        return fit_curve(
            compute,
            y,
            settings,
            targets,
            file=file,
            x_column=x_column,
            y_column=y_column,
            sweep=sweep,
            replicates=replicates,
            extra_warnings=extra_warnings,
            problems=problems,
            columns=columns,
        )
    from .fit import validated

    compute, y = validated(compute, y, file, x_column, y_column)
    loss = None if columns is None else np.asarray(columns, dtype=float).reshape(compute.size, -1)
    runs = Runs(
        compute,
        y,
        tuple(f"run {i + 1}" for i in range(compute.size)),
        x_column,
        y_column if y_column != "loss" else "accuracy",
        file,
        sweep,
        columns=loss,
        column_names=("task_loss",) if loss is not None else (),
        warnings=extra_warnings,
        metric="accuracy",
    )
    return fit_accuracy_law(runs, settings, targets)


def fit_runs(
    data: Runs | PassRateRuns,
    settings: FitSettings,
    targets: tuple[Target, ...] = (),
    *,
    zeros: str = "subset",
    buckets: int = 0,
) -> FitResult:
    """Fit loaded runs (:func:`scaling_forecast.readers.runs.load_for_law`) with ``settings``: every law."""
    if buckets and isinstance(data, PassRateRuns):
        return fit_pass_rates(data, settings, targets, zeros=zeros, buckets=buckets)
    return ladder(data, settings, zeros).fit(targets=targets)


@dataclass(frozen=True, eq=False)
class Ladder:
    """Runs ready to fit with fixed settings: ``y`` is loss, ``-E[log pass_rate]`` for pass rates, or accuracy.

    ``compute``, ``y`` and ``names`` are one per run (a run's last step, with checkpoints).
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
    #: Runs of accuracies, every row (checkpoints included): what a law of accuracy is fitted to.
    accuracy_runs: Runs | None = None

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
        if self.accuracy_runs is not None:
            runs = self.accuracy_runs
            return fit_accuracy_law(runs.take(runs.final_rows()[index]), self.settings, targets)
        if self.rates is None or self.rate_runs is None:
            return fit_curve(
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
        return fit_rates(data, self.rates.runs(index), self.settings, targets)


#: What each group of laws reads, as a message names it.
PLURALS = {"loss": "losses", "pass_rate": "pass rates", "accuracy": "accuracies"}


def loss_ladder(runs: Runs, settings: FitSettings, **dropped: Any) -> Ladder:
    """A :class:`Ladder` of runs of losses (or of parameters, tokens and losses).

    ``dropped`` records ``excluded`` runs and ``min_compute`` for the output.
    """
    law = LAWS.get(settings.law)
    if law is not None and law.reads != "loss":
        raise ConfigError(
            f"--law {settings.law}: the law reads {PLURALS[law.reads]}; {runs.file} holds a loss "
            f"('{runs.y_column}'); fit it with a loss law (or auto)"
        )
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


def accuracy_ladder(runs: Runs, settings: FitSettings, **dropped: Any) -> Ladder:
    """A :class:`Ladder` of runs of accuracies; law ``auto`` is ``two-step`` with a task loss, else ``accuracy``."""
    law = settings.law
    if law == "auto":
        law = "two-step" if runs.columns is not None else "accuracy"
    spec = LAWS[law]
    if spec.reads != "accuracy":
        choices = ", ".join(name for name, s in LAWS.items() if s.reads == "accuracy")
        raise ConfigError(
            f"--law {law}: {runs.file} holds accuracies ('{runs.y_column}'); use a law of accuracy ({choices}), or auto"
        )
    final = runs.final_rows()
    return Ladder(
        runs.x[final],
        runs.y[final],
        tuple(runs.names[i] for i in final),
        replace(settings, law=law),
        file=runs.file,
        x_column=runs.x_column,
        y_column=runs.y_column,
        sweep=runs.sweep,
        warnings=runs.warnings,
        accuracy_runs=runs,
        **dropped,
    )


def rate_ladder(data: PassRateRuns, settings: FitSettings, zeros: str = "subset", **dropped: Any) -> Ladder:
    """A :class:`Ladder` of pass rates, after the zero policy (applied to all runs at once)."""
    settings = pass_rate_settings(settings, zeros)
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


def ladder(data: Runs | PassRateRuns, settings: FitSettings, zeros: str = "subset", **dropped: Any) -> Ladder:
    """The :class:`Ladder` of loaded runs: pass rates, accuracies or losses."""
    if isinstance(data, PassRateRuns):
        return rate_ladder(data, settings, zeros, **dropped)
    if data.metric == "accuracy":
        return accuracy_ladder(data, settings, **dropped)
    return loss_ladder(data, settings, **dropped)

"""Results as frozen dataclasses with ``to_dict()`` returning JSON-safe values."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from .settings import Target, parse_target

SCHEMA_VERSION = 1


def json_number(value: float) -> float | None:
    """A JSON-safe float: non-finite values become ``None``."""
    return float(value) if math.isfinite(value) else None


def _optional(value: float | None) -> float | None:
    """:func:`json_number`, keeping ``None`` (a quantity that could not be computed)."""
    return None if value is None else json_number(value)


def json_pair(values: tuple[float, float]) -> list[float | None]:
    return [json_number(values[0]), json_number(values[1])]


@dataclass(frozen=True)
class ParameterEstimate:
    """A fitted parameter in the user's units with its standard error and interval."""

    name: str
    estimate: float
    stderr: float
    ci: tuple[float, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimate": json_number(self.estimate),
            "stderr": json_number(self.stderr),
            "ci": json_pair(self.ci),
        }


@dataclass(frozen=True)
class DerivedForecast:
    """A second quantity of a forecast: the geometric-mean pass rate ``exp(-Q)`` implied by a forecast
    of ``Q = -E[log pass_rate]``, or the task loss through which a two-step law forecasts accuracy."""

    estimate: float
    ci: tuple[float, float]
    pi: tuple[float, float]

    def to_dict(self) -> dict[str, Any]:
        return {"estimate": json_number(self.estimate), "ci": json_pair(self.ci), "pi": json_pair(self.pi)}


@dataclass(frozen=True)
class Prediction:
    """The law at one target compute: ``ci`` for the law, ``pi`` for a new run there."""

    target: float
    extrapolation_factor: float
    estimate: float
    ci: tuple[float, float]
    pi: tuple[float, float]
    pass_rate: DerivedForecast | None = None
    #: The two-step law's forecast of the task loss (step 1), from which the accuracy follows.
    task_loss: DerivedForecast | None = None
    #: Where the law was evaluated, for a law of several design columns (chinchilla: params, tokens).
    design: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "target": json_number(self.target),
            **{name: json_number(value) for name, value in self.design},
            "extrapolation_factor": json_number(self.extrapolation_factor),
            "estimate": json_number(self.estimate),
            "ci": json_pair(self.ci),
            "pi": json_pair(self.pi),
        }
        if self.pass_rate is not None:
            document["pass_rate"] = self.pass_rate.to_dict()
        if self.task_loss is not None:
            document["task_loss"] = self.task_loss.to_dict()
        return document


@dataclass(frozen=True)
class CandidateForecast:
    """One candidate law's own forecast at one target; ``ci`` and ``pi`` only for the laws the interval spans."""

    target: float
    estimate: float
    ci: tuple[float, float] | None = None
    pi: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": json_number(self.target),
            "estimate": json_number(self.estimate),
            "ci": None if self.ci is None else json_pair(self.ci),
            "pi": None if self.pi is None else json_pair(self.pi),
        }


@dataclass(frozen=True, eq=False)
class Candidate:
    """One law that ``--law auto`` weighed: its scores, its Akaike weight and its own forecasts.

    ``held_out_error`` is the RMS log error of its forecasts of the largest runs from the smaller
    ones, ``aicc`` its corrected Akaike criterion on all runs, ``weight`` its Akaike weight
    ``exp(-dAICc / 2)`` normalised over the candidates. ``in_interval`` marks the laws whose
    intervals the reported interval spans.
    """

    law: str
    n_params: int
    held_out_error: float | None
    aicc: float | None
    weight: float = 0.0
    in_interval: bool = False
    predictions: tuple[CandidateForecast, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "law": self.law,
            "n_params": self.n_params,
            "held_out_rmse": _optional(self.held_out_error),
            "aicc": _optional(self.aicc),
            "weight": json_number(self.weight),
            "in_interval": self.in_interval,
            "predictions": [p.to_dict() for p in self.predictions],
        }


@dataclass(frozen=True, eq=False)
class LawSelection:
    """What ``--law auto`` chose among the candidates, by which criterion, and why."""

    chosen: str
    criterion: str
    held_out: int
    candidates: tuple[Candidate, ...]
    reason: str
    #: The law that chose (``auto`` among the loss laws, ``accuracy`` among the direct accuracy laws).
    chooser: str = "auto"

    def candidate(self, law: str) -> Candidate:
        """The candidate called ``law``."""
        return next(c for c in self.candidates if c.law == law)

    def to_dict(self) -> dict[str, Any]:
        return {
            "chosen": self.chosen,
            "criterion": self.criterion,
            "held_out": self.held_out,
            "candidates": [c.to_dict() for c in self.candidates],
            "reason": self.reason,
        }


@dataclass(frozen=True)
class DataSummary:
    """Which runs were fitted."""

    file: str
    n_runs: int
    compute_min: float
    compute_max: float
    x_column: str
    y_column: str
    sweep: str | None = None
    #: For pass rates: ``n_problems``, ``n_problems_total``, ``zeros``, ``k``, ``note``.
    problems: dict[str, Any] | None = None
    #: Runs left out by ``--exclude`` or ``--min-compute``, and that threshold.
    excluded: tuple[str, ...] = ()
    min_compute: float | None = None
    #: When the runs were more than the fit's cap: the number of points (equal-count bins) fitted.
    points: int | None = None
    #: The accuracy a two-step law forecasts through ``y_column`` (its task loss).
    accuracy_column: str | None = None
    #: For accuracies: the accuracy of random guessing given (``--chance`` or a ``chance`` column).
    chance: float | None = None

    @property
    def quantity(self) -> str:
        """The column of what is forecast: the accuracy of a two-step law, else ``y_column``."""
        return self.accuracy_column or self.y_column

    def to_dict(self) -> dict[str, Any]:
        document = {
            "file": self.file,
            "n_runs": self.n_runs,
            "compute_min": json_number(self.compute_min),
            "compute_max": json_number(self.compute_max),
            "x_column": self.x_column,
            "y_column": self.y_column,
            "sweep": self.sweep,
            "excluded": list(self.excluded),
            "min_compute": None if self.min_compute is None else json_number(self.min_compute),
            "points": self.points,
        }
        if self.problems is not None:
            document["problems"] = dict(self.problems)
        if self.accuracy_column is not None:
            document["accuracy_column"] = self.accuracy_column
        if self.chance is not None:
            document["chance"] = self.chance
        return document


@dataclass(frozen=True, eq=False)
class Points:
    """The runs a law was fitted to, as a figure draws them: ``x`` (compute, or a design column) against ``y``.

    ``columns`` holds a law's other design columns per run (chinchilla: parameters and tokens).
    """

    x: tuple[float, ...]
    y: tuple[float, ...]
    columns: tuple[tuple[float, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"x": list(self.x), "y": list(self.y), "columns": [list(c) for c in self.columns]}

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> Points:
        return cls(
            tuple(float(v) for v in state["x"]),
            tuple(float(v) for v in state["y"]),
            tuple(tuple(float(v) for v in c) for c in state.get("columns", ())),
        )


@dataclass(frozen=True)
class BucketResult:
    """The law fitted to one difficulty bucket of problems."""

    name: str
    n_problems: int
    mean_pass_rate: tuple[float, float]
    params: tuple[ParameterEstimate, ...]
    predictions: tuple[Prediction, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "n_problems": self.n_problems,
            "mean_pass_rate": json_pair(self.mean_pass_rate),
            "params": {p.name: p.to_dict() for p in self.params},
            "predictions": [p.to_dict() for p in self.predictions],
        }


@dataclass(frozen=True)
class Drift:
    """The misspecification check: the ladder's rolling-origin forecasts against what its noise allows.

    ``statistic`` measures how far the forecasts of larger runs from windows of smaller ones keep
    one sign and grow with distance (``None`` with too few forecasts); ``p_value`` is its share of
    the same statistic on ladders drawn from the fitted law; ``excess`` the error those forecasts
    make per decade of extrapolation (log scale, about relative); ``worst_error`` and
    ``worst_factor`` the largest miss and how far it reached. ``warned``: the ladder drifts;
    ``too_few``: too few runs to run the check. See :mod:`scaling_forecast.drift`.
    """

    law: str
    n_forecasts: int
    statistic: float | None
    p_value: float | None
    excess: float | None
    worst_error: float | None
    worst_factor: float | None
    warned: bool = False
    too_few: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "law": self.law,
            "n_forecasts": self.n_forecasts,
            "statistic": _optional(self.statistic),
            "p_value": _optional(self.p_value),
            "excess_per_decade": _optional(self.excess),
            "worst_error": _optional(self.worst_error),
            "worst_factor": _optional(self.worst_factor),
            "warned": self.warned,
            "too_few": self.too_few,
        }

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> Drift:
        def number(value: Any) -> float | None:
            return None if value is None else float(value)

        return cls(
            law=str(state["law"]),
            n_forecasts=int(state["n_forecasts"]),
            statistic=number(state["statistic"]),
            p_value=number(state["p_value"]),
            excess=number(state["excess_per_decade"]),
            worst_error=number(state["worst_error"]),
            worst_factor=number(state["worst_factor"]),
            warned=bool(state["warned"]),
            too_few=bool(state["too_few"]),
        )


@dataclass(frozen=True)
class FitQuality:
    """How well the law fits: ``rmse`` of the log residuals (about the relative error)."""

    rmse: float
    objective: float
    converged: bool
    dof: int
    failed_replicates: int
    warnings: tuple[str, ...]
    #: The misspecification check (``None`` when it was not run); see :mod:`scaling_forecast.drift`.
    drift: Drift | None = None
    #: How the runs move with compute in the metric's own sense (:func:`scaling_forecast.capability.trend_verdict`).
    trend: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rmse": json_number(self.rmse),
            "objective": json_number(self.objective),
            "converged": self.converged,
            "dof": self.dof,
            "failed_replicates": self.failed_replicates,
            "drift": None if self.drift is None else self.drift.to_dict(),
            "trend": self.trend,
            "warnings": list(self.warnings),
        }


class Model(Protocol):
    """The fitted state a result holds, as lmfit's ``ModelResult`` holds its ``Model``: its registered law, and
    what forecasting at new targets and levels needs, without refitting and without importing a task."""

    kind: str

    @property
    def law(self) -> Any: ...

    def forecast(self, result: FitResult, targets: tuple[Target, ...], level: float) -> FitResult: ...

    def to_state(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class FitResult:
    """A fitted law, its parameters, fit quality and forecasts.

    ``model`` holds what ``predict`` needs to put intervals on new targets without refitting; its
    state is written by :meth:`to_saved_dict` only.
    """

    law: str
    formula: str
    level: float
    method: str
    n_boot: int
    seed: int
    loss_fn: str
    huber_delta: float
    data: DataSummary
    params: tuple[ParameterEstimate, ...]
    fit: FitQuality
    predictions: tuple[Prediction, ...]
    model: Model
    #: The warnings that depend only on the runs (``fit.warnings`` adds level and target ones).
    data_warnings: tuple[str, ...] = ()
    buckets: tuple[BucketResult, ...] = ()
    #: What ``--law auto`` chose and why (``None`` when the law was given).
    law_selection: LawSelection | None = None
    #: ``warn`` or ``widen``: what a drifting rolling backtest does to the prediction intervals.
    misspecification: str = "warn"
    #: A law with a compute-optimal allocation (chinchilla): the allocation at each compute target.
    optima: tuple[Optimum, ...] = ()
    #: ... and how the allocation grows with compute (``N_opt ~ C^a``, ``D_opt ~ C^b``).
    exponents: tuple[tuple[str, Estimate], ...] = ()
    #: The compute to reach each ``--reach`` value.
    reach: tuple[Reach, ...] = ()
    #: The runs fitted, for figures (every run, also when bins were fitted).
    runs: Points | None = None

    def param(self, name: str) -> ParameterEstimate:
        """The parameter called ``name``."""
        return next(p for p in self.params if p.name == name)

    def predict(self, compute: Any, level: float | None = None) -> FitResult:
        """This fit forecast at ``compute`` and ``level``, without refitting: one target or many, each a
        compute in FLOP (``1e24``, ``"2.5e22"``), a multiple of the largest run (``"10x"``) or a :class:`Target`."""
        values = [compute] if isinstance(compute, (int, float, str, Target)) else list(compute)
        targets = tuple(c if isinstance(c, Target) else parse_target(c) for c in values)
        return self.model.forecast(self, targets, self.level if level is None else level)

    def summary_frame(self) -> Any:
        """The predictions as a pandas ``DataFrame``, one row per target, with statsmodels' column names.

        Columns: ``target``, ``extrapolation_factor``, ``mean`` (the estimate), ``ci_lower``,
        ``ci_upper``, ``pi_lower``, ``pi_upper``; pass-rate fits add ``pass_rate`` and its bounds.
        """
        import pandas as pd

        rows = []
        for p in self.predictions:
            row: dict[str, Any] = {"target": p.target, **dict(p.design), "extrapolation_factor": p.extrapolation_factor}
            row.update(mean=p.estimate, ci_lower=p.ci[0], ci_upper=p.ci[1], pi_lower=p.pi[0], pi_upper=p.pi[1])
            if p.pass_rate is not None:
                r = p.pass_rate
                row.update(pass_rate=r.estimate, pass_rate_ci_lower=r.ci[0], pass_rate_ci_upper=r.ci[1])
                row.update(pass_rate_pi_lower=r.pi[0], pass_rate_pi_upper=r.pi[1])
            rows.append(row)
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        params = ", ".join(f"{p.name}={p.estimate:.4g} [{p.ci[0]:.4g}, {p.ci[1]:.4g}]" for p in self.params)
        predictions = ", ".join(
            f"{p.target:.3g}: {p.estimate:.4g} (pi [{p.pi[0]:.4g}, {p.pi[1]:.4g}])" for p in self.predictions
        )
        return (
            f"<FitResult {self.law} law, {self.data.n_runs} runs from {self.data.file}; {params}; "
            f"predictions {{{predictions}}}; {len(self.fit.warnings)} warning(s); level {self.level:g}>"
        )

    def _repr_html_(self) -> str:
        """The parameters and predictions as HTML tables, for notebooks."""
        from html import escape

        def table(headers: list[str], rows: list[list[str]]) -> str:
            head = "".join(f"<th>{escape(h)}</th>" for h in headers)
            body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
            return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

        level = f"{self.level:.0%}"
        params = [[p.name, f"{p.estimate:.4g}", f"[{p.ci[0]:.4g}, {p.ci[1]:.4g}]"] for p in self.params]
        predictions = [
            [
                f"{p.target:.3g}",
                f"{p.estimate:.4g}",
                f"[{p.ci[0]:.4g}, {p.ci[1]:.4g}]",
                f"[{p.pi[0]:.4g}, {p.pi[1]:.4g}]",
            ]
            for p in self.predictions
        ]
        warnings = "".join(f"<li>{escape(w)}</li>" for w in self.fit.warnings)
        return (
            f"<p><b>{escape(self.law)} law {escape(self.formula)}</b>, {self.data.n_runs} runs from "
            f"{escape(self.data.file)}</p>"
            + table(["parameter", "estimate", f"{level} CI"], params)
            + table(["target", self.data.y_column, f"{level} CI", f"{level} PI"], predictions)
            + (f"<ul>{warnings}</ul>" if warnings else "")
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "law": self.law,
            "formula": self.formula,
            "level": self.level,
            "method": self.method,
            "n_boot": self.n_boot,
            "seed": self.seed,
            "loss_fn": self.loss_fn,
            "huber_delta": self.huber_delta if self.loss_fn == "huber" else None,
            "data": self.data.to_dict(),
            "params": {p.name: p.to_dict() for p in self.params},
            "fit": self.fit.to_dict(),
            "predictions": [p.to_dict() for p in self.predictions],
            "law_selection": None if self.law_selection is None else self.law_selection.to_dict(),
            "misspecification": self.misspecification,
            **({"buckets": [b.to_dict() for b in self.buckets]} if self.buckets else {}),
            **({"optima": [o.to_dict() for o in self.optima]} if self.optima else {}),
            **({"exponents": {name: e.to_dict() for name, e in self.exponents}} if self.exponents else {}),
            **({"reach": [r.to_dict() for r in self.reach]} if self.reach else {}),
        }

    def to_saved_dict(self, targets: tuple[str, ...] = ()) -> dict[str, Any]:
        """:meth:`to_dict` plus the fitted state that ``forecast predict`` reads back, and the ``targets`` of the
        fit as given (``10x``, ``1e24``, ``N,D``), which ``predict`` forecasts when it is given none."""
        saved = self.to_dict()
        saved.pop("buckets", None)  # bucket fits are not saved: predict forecasts the whole problem set
        saved["state"] = {"kind": self.model.kind, "data_warnings": list(self.data_warnings), **self.model.to_state()}
        if targets:
            saved["state"]["targets"] = list(targets)
        if self.runs is not None:
            saved["state"]["runs"] = self.runs.to_dict()
        return saved


@dataclass(frozen=True)
class RankedSweep:
    """One sweep at one target, in the law's own sense (lower is better for a loss or ``-E[log pass_rate]``,
    higher for an accuracy).

    ``delta = estimate - baseline estimate``; ``p_better`` is the share of bootstrap draws in which
    this sweep beats the baseline; ``p_best`` the share in which it beats every other sweep.
    """

    sweep: str
    estimate: float
    ci: tuple[float, float]
    delta: float | None
    delta_ci: tuple[float, float] | None
    p_better: float | None
    p_best: float
    pass_rate: tuple[float, tuple[float, float]] | None = None

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "sweep": self.sweep,
            "estimate": json_number(self.estimate),
            "ci": json_pair(self.ci),
            "delta": None if self.delta is None else json_number(self.delta),
            "delta_ci": None if self.delta_ci is None else json_pair(self.delta_ci),
            "p_better": self.p_better,
            "p_best": self.p_best,
        }
        if self.pass_rate is not None:
            document["pass_rate"] = {"estimate": json_number(self.pass_rate[0]), "ci": json_pair(self.pass_rate[1])}
        return document


@dataclass(frozen=True)
class TargetComparison:
    """The ranking of the sweeps at one target compute, best first."""

    target: float
    baseline: str
    ranking: tuple[RankedSweep, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": json_number(self.target),
            "baseline": self.baseline,
            "ranking": [r.to_dict() for r in self.ranking],
        }


@dataclass(frozen=True)
class Crossing:
    """Two sweeps' fitted curves cross: ``below`` is better at smaller compute, ``above`` at larger."""

    below: str
    above: str
    compute: float
    inside: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "below": self.below,
            "above": self.above,
            "compute": json_number(self.compute),
            "where": "inside" if self.inside else "beyond",
        }

    def message(self) -> str:
        where = "inside" if self.inside else "beyond"
        text = (
            f"sweeps {self.below!r} and {self.above!r} cross at {self.compute:.2e} FLOP ({where} the fitted range): "
            f"{self.below!r} is better below it, {self.above!r} above; the ranking at small compute "
            "is not the ranking at the target"
        )
        return text.replace("e+", "e")


@dataclass(frozen=True)
class Comparison:
    """Sweeps fitted with the same settings and ranked at each target."""

    law: str
    formula: str
    level: float
    n_boot: int
    seed: int
    loss_fn: str
    fits: tuple[FitResult, ...]
    comparisons: tuple[TargetComparison, ...]
    crossings: tuple[Crossing, ...]
    left_out: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    #: Whether lower (a loss, ``-E[log pass_rate]``) or higher (an accuracy) is better.
    sense: str = "lower"

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "law": self.law,
            "formula": self.formula,
            "level": self.level,
            "method": "bootstrap",
            "n_boot": self.n_boot,
            "seed": self.seed,
            "loss_fn": self.loss_fn,
            "sweeps": [_sweep_summary(f) for f in self.fits],
            "left_out": list(self.left_out),
            "comparisons": [c.to_dict() for c in self.comparisons],
            "crossings": [c.to_dict() for c in self.crossings],
            "warnings": list(self.warnings),
        }


def _sweep_summary(result: FitResult) -> dict[str, Any]:
    return {
        "name": result.data.sweep,
        "file": result.data.file,
        "n_runs": result.data.n_runs,
        "compute_min": json_number(result.data.compute_min),
        "compute_max": json_number(result.data.compute_max),
        "params": {p.name: p.to_dict() for p in result.params},
        "rmse": json_number(result.fit.rmse),
        "converged": result.fit.converged,
        "warnings": list(result.fit.warnings),
    }


@dataclass(frozen=True)
class HeldOutRun:
    """One held-out run and its forecast from the ``n_fitted`` smaller runs.

    ``are`` is the absolute relative error ``|predicted - actual| / actual``; ``covered`` whether
    the prediction interval ``pi`` holds the actual value.
    """

    run: str
    compute: float
    n_fitted: int
    extrapolation_factor: float
    actual: float
    predicted: float
    ci: tuple[float, float]
    pi: tuple[float, float]

    @property
    def are(self) -> float:
        return abs(self.predicted - self.actual) / self.actual

    @property
    def covered(self) -> bool:
        return self.pi[0] <= self.actual <= self.pi[1]

    @property
    def in_ci(self) -> bool:
        return self.ci[0] <= self.actual <= self.ci[1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "compute": json_number(self.compute),
            "n_fitted": self.n_fitted,
            "extrapolation_factor": json_number(self.extrapolation_factor),
            "actual": json_number(self.actual),
            "predicted": json_number(self.predicted),
            "ci": json_pair(self.ci),
            "pi": json_pair(self.pi),
            "are": json_number(self.are),
            "covered": self.covered,
        }


@dataclass(frozen=True)
class BacktestSummary:
    """Scores over every held-out forecast, and the verdict."""

    n_forecasts: int
    mean_are: float
    max_are: float
    coverage: float
    ci_coverage: float
    tolerance: float
    passed: bool
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_forecasts": self.n_forecasts,
            "mean_are": json_number(self.mean_are),
            "max_are": json_number(self.max_are),
            "coverage": json_number(self.coverage),
            "ci_coverage": json_number(self.ci_coverage),
            "tolerance": self.tolerance,
            "passed": self.passed,
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class Backtest:
    """A backtest: the fits of the smaller runs (one per window) and their held-out forecasts."""

    mode: str
    fits: tuple[FitResult, ...]
    runs: tuple[HeldOutRun, ...]
    summary: BacktestSummary
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        first = self.fits[-1]
        return {
            "schema_version": SCHEMA_VERSION,
            "law": first.law,
            "formula": first.formula,
            "level": first.level,
            "method": first.method,
            "n_boot": first.n_boot,
            "seed": first.seed,
            "loss_fn": first.loss_fn,
            "backtest": {
                "mode": self.mode,
                "windows": [
                    {
                        "law": f.law,
                        "n_fitted": f.data.n_runs,
                        "compute_max": json_number(f.data.compute_max),
                        "params": {p.name: p.to_dict() for p in f.params},
                        "rmse": json_number(f.fit.rmse),
                    }
                    for f in self.fits
                ],
                "runs": [r.to_dict() for r in self.runs],
                "summary": self.summary.to_dict(),
            },
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Estimate:
    """A quantity with its bootstrap percentile interval."""

    estimate: float
    ci: tuple[float, float]

    def to_dict(self) -> dict[str, Any]:
        return {"estimate": json_number(self.estimate), "ci": json_pair(self.ci)}


@dataclass(frozen=True)
class Reach:
    """The compute at which the forecast reaches ``value``, with its interval; ``None`` is open or not reached.

    ``status``: ``reached``, ``not reached`` (beyond the law's floor or ceiling, or the horizon) or
    ``already reached`` (at or below the smallest run).
    """

    value: float
    compute: float | None
    ci: tuple[float | None, float | None]
    status: str = "reached"

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": json_number(self.value),
            "compute": _optional(self.compute),
            "ci": [_optional(self.ci[0]), _optional(self.ci[1])],
            "status": self.status,
        }


@dataclass(frozen=True)
class Optimum:
    """The compute-optimal allocation at one budget."""

    budget: float
    params: Estimate
    tokens: Estimate
    tokens_per_param: Estimate
    loss: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {
            "budget": json_number(self.budget),
            "params": self.params.to_dict(),
            "tokens": self.tokens.to_dict(),
            "tokens_per_param": self.tokens_per_param.to_dict(),
            "loss": self.loss.to_dict(),
        }


@dataclass(frozen=True)
class TaskFits:
    """One fit per value of a column (``forecast fit FILE --by task``), reported together."""

    by: str
    file: str
    fits: tuple[tuple[str, FitResult], ...]

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(f"{self.by} {name!r}: {w}" for name, fit in self.fits for w in fit.fit.warnings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "by": self.by,
            "file": self.file,
            "fits": [{self.by: name, **fit.to_dict()} for name, fit in self.fits],
        }


@dataclass(frozen=True)
class Table:
    """A titled table of display strings: the first column, intervals and ``left`` columns flush left."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    left_first: bool = True
    left: tuple[str, ...] = ()
    #: Cells equal to this are emphasised (a failed gate, a missed interval).
    emphasis: str | None = None


@dataclass(frozen=True)
class Report:
    """What every result gives its writers besides ``to_dict()``: the result protocol.

    ``records`` are the CSV's headers and rows; ``verdict`` (with ``passed``) is set by gates.
    """

    headline: str
    notes: tuple[str, ...]
    tables: tuple[Table, ...]
    footer: tuple[str, ...]
    warnings: tuple[str, ...]
    records: tuple[list[str], list[list[Any]]]
    verdict: str | None = None
    passed: bool | None = None


@dataclass(frozen=True, eq=False)
class Curve:
    """A law evaluated along compute, as a figure draws it: ``estimate`` and, if known, ``ci`` and ``pi`` ``(m, 2)``."""

    label: str
    compute: Any
    estimate: Any
    ci: Any = None
    pi: Any = None

    def to_dict(self) -> dict[str, Any]:
        def rows(values: Any) -> Any:
            return None if values is None else [[json_number(float(v)) for v in row] for row in values]

        return {
            "label": self.label,
            "compute": [json_number(float(c)) for c in self.compute],
            "estimate": [json_number(float(v)) for v in self.estimate],
            "ci": rows(self.ci),
            "pi": rows(self.pi),
        }


@dataclass(frozen=True)
class PlannedRun:
    """One candidate run of ``forecast plan``: its compute and cost (FLOP), the expected ``pi`` width at the target
    once it is added, what that buys (``gain``: on the chosen law's own interval, ``noise_gain``, and on the law
    choice and drift widening, ``law_gain``) and per FLOP; how far apart the laws put it (``disagreement``, in
    half-widths of the chosen law's ``pi``), and the share of refits that chose the same law."""

    compute: float
    kind: str
    cost: float
    width: float
    gain: float
    noise_gain: float
    law_gain: float
    per_flop: float
    disagreement: float
    same_law: float
    failed_draws: int = 0
    #: The Monte Carlo standard error of ``width`` (over the draws).
    width_se: float = math.nan

    def to_dict(self) -> dict[str, Any]:
        return {
            "compute": self.compute,
            "kind": self.kind,
            "cost": self.cost,
            "width": json_number(self.width),
            "width_se": json_number(self.width_se),
            "gain": json_number(self.gain),
            "noise_gain": json_number(self.noise_gain),
            "law_gain": json_number(self.law_gain),
            "gain_per_flop": json_number(self.per_flop),
            "disagreement": json_number(self.disagreement),
            "same_law": json_number(self.same_law),
            "failed_draws": self.failed_draws,
        }


@dataclass(frozen=True)
class PlannedSet:
    """The runs ``forecast plan`` recommends (their computes), their total cost, the expected width after them and
    its Monte Carlo standard error (NaN, ``null`` in JSON, when no run is recommended)."""

    computes: tuple[float, ...]
    cost: float
    width: float
    width_se: float = math.nan

    def to_dict(self) -> dict[str, Any]:
        return {
            "computes": list(self.computes),
            "cost": self.cost,
            "width": json_number(self.width),
            "width_se": json_number(self.width_se),
        }


@dataclass(frozen=True)
class RunPlan:
    """``forecast plan``: the forecast at the target now, each candidate run's expected effect, and the set of runs
    recommended within the budget."""

    file: str
    law: str
    target: float
    level: float
    estimate: float
    pi: tuple[float, float]
    width: float
    own_width: float
    budget: float
    max_runs: int
    draws: int
    #: The replicates of each refit's bootstrap (0: the delta method).
    n_boot: int
    seed: int
    n_runs: int
    compute_max: float
    candidates: tuple[PlannedRun, ...]
    recommended: PlannedSet
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "file": self.file,
            "law": self.law,
            "target": self.target,
            "level": self.level,
            "now": {
                "estimate": json_number(self.estimate),
                "pi": [json_number(v) for v in self.pi],
                "width": json_number(self.width),
                "own_width": json_number(self.own_width),
                "n_runs": self.n_runs,
                "compute_max": self.compute_max,
            },
            "budget": self.budget,
            "max_runs": self.max_runs,
            "draws": self.draws,
            "n_boot": self.n_boot,
            "seed": self.seed,
            "candidates": [c.to_dict() for c in self.candidates],
            "recommended": self.recommended.to_dict(),
            "warnings": list(self.warnings),
        }

"""Every result as a :class:`~scaling_forecast.results.Report`: a headline, notes, titled tables of display
strings, footer lines, an optional verdict, the warnings, and records (headers and rows of numbers) for CSV.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..results import (
    Backtest,
    Comparison,
    Estimate,
    FitResult,
    Optimum,
    ParameterEstimate,
    Prediction,
    Report,
    RunPlan,
    Table,
    TargetComparison,
    TaskFits,
)
from ..tasks.backtest import MAX_ROLLING_WINDOWS
from ..tasks.check import CheckResult

LOSS_FN_TEXT = {"lsq": "least squares on log residuals", "huber": "Huber loss on log residuals"}


def format_number(value: float | None, digits: int = 4) -> str:
    """``digits`` significant digits; large and small magnitudes in scientific notation."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if value != 0 and not (1e-3 <= abs(value) < 1e5):
        return f"{value:.{digits - 1}e}".replace("e+", "e").replace("e-0", "e-").replace("e0", "e")
    if value == 0:
        return "0"
    decimals = max(digits - 1 - math.floor(math.log10(abs(value))), 0)
    return f"{value:.{decimals}f}"


def format_compute(value: float) -> str:
    """Compute as ``1.0e24``."""
    return f"{value:.1e}".replace("e+", "e").replace("e-0", "e-").replace("e0", "e")


def format_interval(bounds: tuple[float, float], digits: int = 4) -> str:
    return f"[{format_number(bounds[0], digits)}, {format_number(bounds[1], digits)}]"


def format_factor(factor: float) -> str:
    return f"{factor:,.0f}x" if factor >= 10 else f"{factor:.3g}x"


def format_percent(value: float) -> str:
    return f"{100 * value:.1f}%" if math.isfinite(value) else "n/a"


def format_percent_interval(bounds: tuple[float, float]) -> str:
    return f"[{format_percent(bounds[0])}, {format_percent(bounds[1])}]"


def _fit_records(result: FitResult) -> tuple[list[str], list[list[Any]]]:
    """One row per parameter and per prediction (``section`` tells which); buckets, candidates, optima follow."""
    rows: list[list[Any]] = []
    header = [
        "section",
        "name",
        "target",
        "extrapolation_factor",
        "estimate",
        "stderr",
        "ci_low",
        "ci_high",
        "pi_low",
        "pi_high",
        "level",
    ]
    rates = any(q.pass_rate is not None for q in result.predictions)
    if rates:
        header += ["pass_rate", "pass_rate_ci_low", "pass_rate_ci_high", "pass_rate_pi_low", "pass_rate_pi_high"]
    second = next((q.task_loss for q in result.predictions if q.task_loss is not None), None)
    if second is not None:
        name = result.data.y_column
        header += [name, f"{name}_ci_low", f"{name}_ci_high", f"{name}_pi_low", f"{name}_pi_high"]
    groups = [("", result.params, result.predictions)] + [(b.name, b.params, b.predictions) for b in result.buckets]
    for bucket, params, predictions in groups:
        prefix = f"{bucket}: " if bucket else ""
        for p in params:
            row = [
                "param",
                prefix + p.name,
                "",
                "",
                repr(p.estimate),
                repr(p.stderr),
                repr(p.ci[0]),
                repr(p.ci[1]),
                "",
                "",
                result.level,
            ]
            rows.append(row + ([""] * 5 if rates or second is not None else []))
        for q in predictions:
            at = "".join(f", {name} {value:g}" for name, value in q.design)
            row = [
                "prediction",
                prefix + result.data.quantity + at,
                repr(q.target),
                repr(q.extrapolation_factor),
                repr(q.estimate),
                "",
                repr(q.ci[0]),
                repr(q.ci[1]),
                repr(q.pi[0]),
                repr(q.pi[1]),
                result.level,
            ]
            for r in (q.pass_rate, q.task_loss):
                if r is not None:
                    row += [repr(r.estimate), repr(r.ci[0]), repr(r.ci[1]), repr(r.pi[0]), repr(r.pi[1])]
            rows.append(row)
    blank = [""] * (len(header) - 11)
    if result.law_selection is not None:
        for c in result.law_selection.candidates:
            rows.append(["candidate", c.law, "", "", repr(c.weight), "", "", "", "", "", result.level, *blank])
            for own in c.predictions:
                ci = ["", ""] if own.ci is None else [repr(own.ci[0]), repr(own.ci[1])]
                pi = ["", ""] if own.pi is None else [repr(own.pi[0]), repr(own.pi[1])]
                where = [repr(own.target), repr(own.target / result.data.compute_max)]
                row = ["candidate_prediction", c.law, *where, repr(own.estimate), "", *ci, *pi, result.level]
                rows.append(row + blank)
    for o in result.optima:
        for key, e in _optimum_items(o):
            row = ["optimum", key, repr(o.budget), "", repr(e.estimate), "", *map(repr, e.ci), "", ""]
            rows.append([*row, result.level, *blank])
    for key, e in result.exponents:
        row = ["exponent", key, "", "", repr(e.estimate), "", *map(repr, e.ci), "", ""]
        rows.append([*row, result.level, *blank])
    for reach in result.reach:  # the compute sits in the target column; open ends are empty
        bounds = ["" if b is None else repr(b) for b in reach.ci]
        compute = "" if reach.compute is None else repr(reach.compute)
        row = ["reach", reach.status, compute, "", repr(reach.value), "", *bounds, "", ""]
        rows.append([*row, result.level, *blank])
    return header, rows


def _optimum_items(optimum: Optimum) -> tuple[tuple[str, Estimate], ...]:
    return (
        ("params", optimum.params),
        ("tokens", optimum.tokens),
        ("tokens_per_param", optimum.tokens_per_param),
        ("loss", optimum.loss),
    )


def _percentile(result: FitResult) -> bool:
    """Whether the intervals are percentiles of a case bootstrap over runs (the law's reference protocol)."""
    return getattr(result.model.law, "resampling", "residuals") == "cases"


def _method_text(result: FitResult, seeded: bool = True) -> str:
    """How the law was fitted and its intervals made, by the kind of model (a curve law, two steps, direct laws);
    ``seeded``: with the seed (a comparison's sweeps each draw their own from the user's)."""
    intervals = f"{result.level:.0%} intervals (CI: the law, PI: a new run)"
    model: Any = result.model
    if model.kind == "two-step":
        rows = "runs, then rows within each run" if model.link.x.size > result.data.n_runs else "rows"
        link = f"case bootstrap over {rows}, {model.link.boot_theta.shape[0]} replicates"
        return (
            f"step 1 ({result.data.y_column}): {_curve_method(model.step1, seeded)}; step 2 (accuracy from "
            f"{result.data.y_column}): least squares on accuracy, {link}, joined by Monte Carlo; {intervals}"
        )
    if model.kind == "calibrated":
        return (
            "least squares on log(-log accuracy); intervals from the ladder's rolling-origin errors "
            f"({model.errors.size} forecasts of larger runs from the smaller ones, Student-t with "
            f"{model.dof} degrees of freedom); {intervals}"
        )
    if model.kind == "direct" and model.gpt4 is not None:
        return f"{_curve_method(model.gpt4, seeded)}; {intervals}"
    if model.kind == "direct" and model.sigmoid is None:
        return f"the runs' mean with Student-t intervals (every run the same: no law to fit); {intervals}"
    if model.kind == "direct":
        replicates = model.sigmoid.boot_theta.shape[0]
        return f"least squares on accuracy; case bootstrap over runs ({replicates} replicates); {intervals}"
    return f"{_curve_method(result, seeded)}; {intervals}"


def _curve_method(result: FitResult, seeded: bool = True) -> str:
    seed = f", seed {result.seed}" if seeded else ""
    if result.method == "bootstrap" and _percentile(result):
        uncertainty = f"case bootstrap over runs ({result.n_boot} replicates{seed}), percentile"
    elif result.method == "bootstrap":
        resampled = "problem" if result.data.problems and result.data.problems.get("n_problems") else "residual"
        uncertainty = f"studentised {resampled} bootstrap ({result.n_boot} replicates{seed})"
    else:
        uncertainty = "delta method with Student-t quantiles"
    loss_fn = LOSS_FN_TEXT[result.loss_fn]
    if result.loss_fn == "huber":
        loss_fn += f" (delta {result.huber_delta:g})"
    return f"{loss_fn}; {uncertainty}"


def _selection_text(result: FitResult) -> str:
    selection = result.law_selection
    assert selection is not None
    step = f"step 1 ({result.data.y_column}): " if result.model.kind == "two-step" else ""
    chose = f"{step}--law {selection.chooser} chose {selection.chosen}: {selection.reason}"
    if selection.criterion != "held-out" or selection.chooser != "auto":
        return chose
    scores = ", ".join(
        f"{c.law} {c.held_out_error:.2%}" if c.held_out_error is not None else f"{c.law} n/a"
        for c in selection.candidates
    )
    return f"{chose}; held-out RMS log errors: {scores}"


def _headline(result: FitResult) -> str:
    data = result.data
    decades = math.log10(data.compute_max / data.compute_min)
    sweep = f", sweep {data.sweep}" if data.sweep else ""
    problems = ""
    if data.problems:
        k = data.problems.get("k", 1)
        problems = f"; pass@{k}, {data.problems['note']}"
    chance = "" if data.chance is None else f"; chance {data.chance:g}"
    dropped = ""
    if data.excluded:
        threshold = f"; --min-compute {data.min_compute:g}" if data.min_compute is not None else ""
        dropped = f"; left out {', '.join(data.excluded)}{threshold}"
    binned = ""
    if data.points is not None:
        binned = (
            f"; fitted as {data.points} points, geometric means of the runs at one compute or of equal-count bins, "
            "new-run noise from every run"
        )
    return (
        f"{result.law} law {result.formula} fitted to {data.n_runs:,} runs from {data.file}{sweep} "
        f"({data.x_column} {format_compute(data.compute_min)} to {format_compute(data.compute_max)}, "
        f"{decades:.1f} decades{problems}{chance}{dropped}{binned})"
    )


def _quality_text(result: FitResult) -> str:
    fit = result.fit
    converged = "converged" if fit.converged else "NOT converged"
    model: Any = result.model
    if model.kind in ("direct", "calibrated"):
        column = result.data.y_column
        return f"rmse {fit.rmse:.4f} of {column} (the {result.law} law's residuals), {fit.dof} degrees of freedom"
    text = f"rmse {fit.rmse:.3%} of {result.data.y_column} (log residuals), {converged}, {fit.dof} degrees of freedom"
    if model.kind == "two-step":
        return f"step 1: {text}; step 2: rmse {model.link.rmse:.4f} of {result.data.accuracy_column}"
    return text


def _parameter_table(result: FitResult, params: tuple[ParameterEstimate, ...]) -> tuple[list[str], list[list[str]]]:
    headers = ["parameter", "estimate", "stderr", f"{result.level:.0%} CI"]
    rows = [[p.name, format_number(p.estimate), format_number(p.stderr, 2), format_interval(p.ci)] for p in params]
    return headers, rows


def _prediction_table(result: FitResult, predictions: tuple[Prediction, ...]) -> tuple[list[str], list[list[str]]]:
    level = f"{result.level:.0%}"
    design = [name for name, _ in predictions[0].design] if predictions else []
    quantity = result.data.quantity
    headers = ["target", *design, "x largest run", quantity, f"{level} CI", f"{level} PI"]
    rates = any(q.pass_rate is not None for q in predictions)
    if rates:
        headers += ["pass rate", f"{level} CI", f"{level} PI"]
    if any(q.task_loss is not None for q in predictions):
        headers += [result.data.y_column, f"{level} CI", f"{level} PI"]
    rows = []
    for q in predictions:
        row = [
            format_compute(q.target),
            *(format_compute(value) for _, value in q.design),
            format_factor(q.extrapolation_factor),
            format_number(q.estimate),
            format_interval(q.ci),
            format_interval(q.pi),
        ]
        if q.pass_rate is not None:
            r = q.pass_rate
            row += [format_percent(r.estimate), format_percent_interval(r.ci), format_percent_interval(r.pi)]
        if q.task_loss is not None:
            t = q.task_loss
            row += [format_number(t.estimate), format_interval(t.ci), format_interval(t.pi)]
        rows.append(row)
    return headers, rows


def _candidate_table(result: FitResult) -> tuple[list[str], list[list[str]]]:
    """Each law ``--law auto`` weighed: weight, held-out error, and its own forecast at every target."""
    selection = result.law_selection
    assert selection is not None
    level = f"{result.level:.0%}"
    quantity = result.data.y_column if selection.chooser == "auto" else (result.data.accuracy_column or "accuracy")
    headers = ["law", "weight", "held-out error", "target", quantity, f"{level} CI", f"{level} PI"]
    rows = []
    for c in selection.candidates:
        name = c.law + (" *" if c.in_interval else "")
        error = "n/a"
        if c.held_out_error is not None:
            error = f"{c.held_out_error:.2%}" if selection.chooser == "auto" else f"{c.held_out_error:.3f}"
        for i, q in enumerate(c.predictions or (None,)):
            row = [name, f"{c.weight:.2f}", error] if i == 0 else ["", "", ""]
            if q is None:
                row += ["", "", "", ""]
            else:
                row += [
                    format_compute(q.target),
                    format_number(q.estimate),
                    "" if q.ci is None else format_interval(q.ci),
                    "" if q.pi is None else format_interval(q.pi),
                ]
            rows.append(row)
    return headers, rows


CANDIDATES_TITLE = "Candidate laws (*: the interval spans its own; weight: Akaike weight)"
#: The direct accuracy laws are chosen on the largest run: the weight is the choice, the error an absolute one.
DIRECT_TITLE = "Candidate laws (*: the interval spans its own; weight 1: chosen on the largest run)"


def _bucket_table(result: FitResult) -> tuple[list[str], list[list[str]]]:
    level = f"{result.level:.0%}"
    headers = ["bucket", "problems", "mean pass rate", "alpha", "k", "target", "pass rate", f"{level} CI"]
    rows = []
    for b in result.buckets:
        params = {p.name: p for p in b.params}
        for i, q in enumerate(b.predictions or (None,)):
            first = i == 0
            row = [
                b.name if first else "",
                str(b.n_problems) if first else "",
                format_percent_interval(b.mean_pass_rate).replace(", ", " to ").strip("[]") if first else "",
                format_number(params["alpha"].estimate) if first else "",
                format_number(params["k"].estimate) if first else "",
            ]
            if q is not None and q.pass_rate is not None:
                row += [
                    format_compute(q.target),
                    format_percent(q.pass_rate.estimate),
                    format_percent_interval(q.pass_rate.ci),
                ]
            else:
                row += ["", "", ""]
            rows.append(row)
    return headers, rows


def _allocation_sections(result: FitResult) -> list[tuple[str, tuple[list[str], list[list[str]]]]]:
    """The compute-optimal allocation at each budget and its exponents (laws that have one)."""
    level = f"{result.level:.0%}"
    sections = []
    if result.optima:
        rows = [
            [
                format_compute(o.budget),
                format_compute(o.params.estimate),
                f"[{format_compute(o.params.ci[0])}, {format_compute(o.params.ci[1])}]",
                format_compute(o.tokens.estimate),
                f"[{format_compute(o.tokens.ci[0])}, {format_compute(o.tokens.ci[1])}]",
                format_number(o.tokens_per_param.estimate, 3),
                format_interval(o.tokens_per_param.ci, 3),
                format_number(o.loss.estimate),
                format_interval(o.loss.ci),
            ]
            for o in result.optima
        ]
        headers = ["budget", "N_opt", f"{level} CI", "D_opt", f"{level} CI", "tokens/param", f"{level} CI"]
        sections.append(("Compute-optimal allocation", ([*headers, "loss", f"{level} CI"], rows)))
    if result.exponents:
        rows = [[name, format_number(e.estimate), format_interval(e.ci)] for name, e in result.exponents]
        sections.append(("Allocation exponents", (["exponent", "estimate", f"{level} CI"], rows)))
    if result.reach:
        quantity = result.data.quantity
        rows = [
            [format_number(r.value), _reach_compute(r.compute, r.status), _reach_interval(r.ci)] for r in result.reach
        ]
        sections.append(("Compute to reach", ([quantity, "compute", f"{level} CI"], rows)))
    return sections


def _reach_compute(compute: float | None, status: str) -> str:
    return status if compute is None else format_compute(compute)


def _reach_interval(bounds: tuple[float | None, float | None]) -> str:
    """``[low, high]``; an end the band does not reach is open."""
    low = "(open" if bounds[0] is None else f"[{format_compute(bounds[0])}"
    high = "open)" if bounds[1] is None else f"{format_compute(bounds[1])}]"
    return f"{low}, {high}"


def _gate_table(check: CheckResult) -> tuple[list[str], list[list[str]]]:
    headers = ["gate", "target", "judged on", "value", "threshold", "result"]
    rows = []
    for gate in check.gates:
        judged = "fit" if gate.target is None else check.on
        rows.append(
            [
                gate.gate,
                "" if gate.target is None else format_compute(gate.target),
                judged,
                format_number(gate.value) if gate.required is None else str(gate.observed),
                format_number(gate.threshold) if gate.required is None else gate.required,
                "pass" if gate.passed else "FAIL",
            ]
        )
    return headers, rows


def _check_records(check: CheckResult) -> tuple[list[str], list[list[Any]]]:
    rows: list[list[Any]] = []
    for gate in check.gates:
        on = "fit" if gate.target is None else check.on
        target = "" if gate.target is None else repr(gate.target)
        value, threshold = (
            (repr(gate.value), repr(gate.threshold)) if gate.required is None else (gate.observed, gate.required)
        )
        rows.append([gate.gate, target, on, value, threshold, str(gate.passed).lower()])
    return ["gate", "target", "on", "value", "threshold", "passed"], rows


def _check_report(check: CheckResult) -> Report:
    """The fit's report with the gates and the verdict of ``forecast check``."""
    fit = _fit_report(check.fit)
    gates = Table("Gates", *_gate_table(check), left=("target", "judged on", "value", "threshold", "result"))
    return Report(
        fit.headline,
        fit.notes,
        (*fit.tables, gates),
        fit.footer,
        fit.warnings,
        _check_records(check),
        verdict=check.verdict().split(": ", 1)[1],
        passed=check.passed,
    )


def _compare_headline(comparison: Comparison) -> str:
    files = sorted({f.data.file for f in comparison.fits})
    return f"{comparison.law} law {comparison.formula} fitted to {len(comparison.fits)} sweeps from {', '.join(files)}"


def _compare_method(comparison: Comparison) -> str:
    if comparison.fits[0].model.kind != "curve":
        return (
            f"each sweep fitted as forecast fit would ({_method_text(comparison.fits[0], seeded=False)}); ranked on "
            f"paired draws of each sweep's forecast ({comparison.n_boot} replicates per sweep, each sweep's streams "
            f"drawn from seed {comparison.seed}); "
            f"{comparison.sense} is better"
        )
    resampled = (
        "problem" if any(f.data.problems and f.data.problems.get("n_problems") for f in comparison.fits) else "residual"
    )
    bootstrap = f"studentised {resampled} bootstrap"
    if _percentile(comparison.fits[0]):
        bootstrap = "case bootstrap over runs, percentile,"
    return (
        f"{LOSS_FN_TEXT[comparison.loss_fn]}; {bootstrap} ({comparison.n_boot} replicates per "
        f"sweep, seed {comparison.seed}); {comparison.level:.0%} intervals; lower is better"
    )


def _sweep_table(comparison: Comparison) -> tuple[list[str], list[list[str]]]:
    """One row per sweep; the parameters of every sweep's law (a two-step sweep's step 1 may choose another law
    than the next sweep's: a parameter a sweep's law lacks is blank)."""
    names = list(dict.fromkeys(p.name for f in comparison.fits for p in f.params))
    headers = ["sweep", "runs", "compute", *names, "rmse"]
    rows = []
    for f in comparison.fits:
        own = {p.name: p.estimate for p in f.params}
        rows.append(
            [
                str(f.data.sweep),
                str(f.data.n_runs),
                f"{format_compute(f.data.compute_min)} to {format_compute(f.data.compute_max)}",
                *(format_number(own[n]) if n in own else "" for n in names),
                format_percent(f.fit.rmse) if f.model.kind == "curve" else format_number(f.fit.rmse),
            ]
        )
    return headers, rows


def _ranking_title(comparison: Comparison, target: TargetComparison) -> str:
    largest = max(f.data.compute_max for f in comparison.fits)
    best = " (the best)" if target.baseline == target.ranking[0].sweep else ""
    return (
        f"At {format_compute(target.target)} FLOP ({format_factor(target.target / largest)} the largest run); "
        f"baseline {target.baseline}{best}"
    )


def _ranking_table(comparison: Comparison, target: TargetComparison) -> tuple[list[str], list[list[str]]]:
    level = f"{comparison.level:.0%}"
    quantity = comparison.fits[0].data.quantity
    headers = ["rank", "sweep", quantity, f"{level} CI", f"delta vs {target.baseline}", f"{level} CI"]
    rates = any(r.pass_rate is not None for r in target.ranking)
    if rates:
        headers += ["pass rate", f"{level} CI"]
    headers += ["P(better)", "P(best)"]
    rows = []
    for rank, r in enumerate(target.ranking, start=1):
        row = [
            str(rank),
            r.sweep,
            format_number(r.estimate),
            format_interval(r.ci),
            "baseline" if r.delta is None else f"{r.delta:+.4g}",
            "" if r.delta_ci is None else f"[{r.delta_ci[0]:+.4g}, {r.delta_ci[1]:+.4g}]",
        ]
        if rates:
            row += (
                ["", ""]
                if r.pass_rate is None
                else [format_percent(r.pass_rate[0]), format_percent_interval(r.pass_rate[1])]
            )
        row += ["" if r.p_better is None else f"{r.p_better:.3f}", f"{r.p_best:.3f}"]
        rows.append(row)
    return headers, rows


def _compare_records(comparison: Comparison) -> tuple[list[str], list[list[Any]]]:
    rows: list[list[Any]] = []
    header = [
        "target",
        "rank",
        "sweep",
        "estimate",
        "ci_low",
        "ci_high",
        "baseline",
        "delta",
        "delta_ci_low",
        "delta_ci_high",
        "p_better",
        "p_best",
        "level",
    ]
    for target in comparison.comparisons:
        for rank, r in enumerate(target.ranking, start=1):
            delta = ["", "", ""] if r.delta is None or r.delta_ci is None else [repr(r.delta), *map(repr, r.delta_ci)]
            rows.append(
                [
                    repr(target.target),
                    rank,
                    r.sweep,
                    repr(r.estimate),
                    repr(r.ci[0]),
                    repr(r.ci[1]),
                    target.baseline,
                    *delta,
                    "" if r.p_better is None else repr(r.p_better),
                    repr(r.p_best),
                    comparison.level,
                ]
            )
    return header, rows


def _compare_report(comparison: Comparison) -> Report:
    """The ranking of ``forecast compare``."""
    sweep_columns = ("sweep", "compute")
    tables = [Table("Sweeps", *_sweep_table(comparison), left_first=False, left=sweep_columns)]
    tables += [
        Table(_ranking_title(comparison, t), *_ranking_table(comparison, t), left_first=False, left=sweep_columns)
        for t in comparison.comparisons
    ]
    return Report(
        _compare_headline(comparison),
        (_compare_method(comparison),),
        tuple(tables),
        (),
        comparison.warnings,
        _compare_records(comparison),
    )


def _backtest_headline(result: Backtest) -> str:
    last = result.fits[-1]
    modes = {
        "holdout": "held-out largest runs",
        "fraction": "runs above the compute fraction",
        "rolling": "rolling" if len(result.fits) < MAX_ROLLING_WINDOWS else "rolling, 20 evenly spaced windows at most",
    }
    laws = list(dict.fromkeys(f.law for f in result.fits))
    law = f"the {last.law} law {last.formula}" if len(laws) == 1 else f"the laws --law auto chose ({', '.join(laws)})"
    return (
        f"backtest ({modes[result.mode]}) of {law} on {last.data.file}: "
        f"{result.summary.n_forecasts} forecast(s) from {len(result.fits)} fit(s)"
    )


def _backtest_table(result: Backtest) -> tuple[list[str], list[list[str]]]:
    level = f"{result.fits[-1].level:.0%}"
    quantity = result.fits[-1].data.quantity
    headers = ["run", "compute", "fitted runs", "x largest fitted", f"actual {quantity}", "predicted"]
    headers += [f"{level} CI", f"{level} PI", "error", "in PI"]
    rows = [
        [
            r.run,
            format_compute(r.compute),
            str(r.n_fitted),
            format_factor(r.extrapolation_factor),
            format_number(r.actual),
            format_number(r.predicted),
            format_interval(r.ci),
            format_interval(r.pi),
            f"{r.are:.2%}",
            "yes" if r.covered else "NO",
        ]
        for r in result.runs
    ]
    return headers, rows


def _backtest_summary(result: Backtest) -> str:
    s = result.summary
    return (
        f"mean error {s.mean_are:.2%}, max error {s.max_are:.2%}, PI coverage {s.coverage:.0%} "
        f"(CI {s.ci_coverage:.0%}) over {s.n_forecasts} forecast(s)"
    )


def _backtest_records(result: Backtest) -> tuple[list[str], list[list[Any]]]:
    header = (
        "run,compute,n_fitted,extrapolation_factor,actual,predicted,ci_low,ci_high,pi_low,pi_high,are,covered,level"
    )
    rows: list[list[Any]] = []
    for r in result.runs:
        numbers = (r.compute, r.n_fitted, r.extrapolation_factor, r.actual, r.predicted, *r.ci, *r.pi, r.are)
        rows.append([r.run, *map(repr, numbers), str(r.covered).lower(), result.fits[-1].level])
    return header.split(","), rows


def _backtest_report(result: Backtest) -> Report:
    """A backtest: the held-out runs, the scores and the verdict."""
    return Report(
        _backtest_headline(result),
        (_method_text(result.fits[-1]),),
        (Table("Held-out runs", *_backtest_table(result), emphasis="NO"),),
        (_backtest_summary(result),),
        result.warnings,
        _backtest_records(result),
        verdict=result.summary.verdict,
        passed=result.summary.passed,
    )


def _plan_table(plan: RunPlan) -> tuple[list[str], list[list[str]]]:
    level = f"{plan.level:.0%}"
    chosen = list(plan.recommended.computes)
    headers = ["run at", "kind", "x largest", f"expected {level} PI width", "narrower by", "on noise"]
    headers += ["on law choice", "per FLOP", "laws apart", "recommended"]
    rows = []
    for c in plan.candidates:
        picked = chosen.count(c.compute)
        rows.append(
            [
                format_compute(c.compute),
                c.kind,
                format_factor(c.cost / plan.compute_max),
                format_number(c.width),
                f"{format_number(c.gain, 3)} ± {format_number(c.width_se, 2)}",
                format_number(c.noise_gain),
                format_number(c.law_gain),
                format_number(c.per_flop, 2),
                format_number(c.disagreement, 2),
                ("yes" if picked == 1 else f"yes (x{picked})") if picked else "",
            ]
        )
    return headers, rows


def _plan_records(plan: RunPlan) -> tuple[list[str], list[list[Any]]]:
    header = "compute,kind,cost,width,width_se,gain,noise_gain,law_gain,gain_per_flop,disagreement,same_law,"
    header += "recommended,target"
    rows: list[list[Any]] = []
    for c in plan.candidates:
        numbers = [c.compute, c.kind, c.cost, c.width, c.width_se, c.gain, c.noise_gain, c.law_gain, c.per_flop]
        rows.append([*numbers, c.disagreement, c.same_law, plan.recommended.computes.count(c.compute), plan.target])
    return header.split(","), rows


def _plan_report(plan: RunPlan) -> Report:
    """A plan: the forecast now, what each candidate run is expected to leave, and the runs recommended."""
    level = f"{plan.level:.0%}"
    headline = (
        f"plan for the forecast at {format_compute(plan.target)} from {plan.n_runs} runs in {plan.file} "
        f"(the {plan.law} law): now {format_number(plan.estimate)} {format_interval(plan.pi)}, {level} PI width "
        f"{format_number(plan.width)}"
    )
    uncertainty = "the delta method" if plan.n_boot == 0 else f"{plan.n_boot} bootstrap replicates"
    note = (
        f"each candidate run drawn {plan.draws} times from the forecast at its compute, added to the runs and the "
        f"default procedure refitted ({uncertainty}, seed {plan.seed}); widths are medians over "
        "the draws (± their Monte Carlo standard error); a run costs its compute"
    )
    chosen = plan.recommended
    if chosen.computes:
        shown = [format_compute(c) for c in chosen.computes]
        runs = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
        error = f" ± {format_number(chosen.width_se, 2)}" if math.isfinite(chosen.width_se) else ""
        footer = (
            f"Recommended within {format_compute(plan.budget)} FLOP (at most {plan.max_runs} run(s)): train "
            f"{'a run' if len(shown) == 1 else 'runs'} at {runs} ({format_compute(chosen.cost)} FLOP in all); "
            f"expected {level} PI width {format_number(chosen.width)}{error} (now {format_number(plan.width)})"
        )
    else:
        footer = f"No run within {format_compute(plan.budget)} FLOP is expected to narrow the interval"
    return Report(
        headline,
        (note,),
        (Table("Candidate runs", *_plan_table(plan), left=("kind",)),),
        (footer,),
        plan.warnings,
        _plan_records(plan),
    )


def _fit_report(result: FitResult) -> Report:
    """A fitted law: parameters, predictions, the candidates of ``--law auto``, buckets and allocations."""
    notes = [_method_text(result)]
    if result.law_selection is not None:
        notes.append(_selection_text(result))
    tables = [Table("Parameters", *_parameter_table(result, result.params))]
    if result.predictions:
        tables.append(Table("Predictions", *_prediction_table(result, result.predictions)))
    if result.law_selection is not None and result.predictions:
        title = CANDIDATES_TITLE if result.law_selection.chooser == "auto" else DIRECT_TITLE
        tables.append(Table(title, *_candidate_table(result)))
    if result.buckets:
        tables.append(Table("Difficulty buckets", *_bucket_table(result)))
    tables += [Table(title, *table) for title, table in _allocation_sections(result)]
    return Report(
        _headline(result),
        tuple(notes),
        tuple(tables),
        (f"Fit: {_quality_text(result)}",),
        result.fit.warnings,
        _fit_records(result),
    )


def _task_report(result: TaskFits) -> Report:
    """Fits of several tasks: one row per task and target, then every fit's records under its task."""
    level = f"{result.fits[0][1].level:.0%}" if result.fits else "90%"
    rows = []
    for name, fit in result.fits:
        quantity = fit.data.quantity
        for p in fit.predictions:
            trend = str(fit.fit.trend)
            cells = [format_number(p.estimate), format_interval(p.ci), format_interval(p.pi)]
            rows.append([name, fit.law, trend, quantity, format_compute(p.target), *cells])
    headers = [result.by, "law", "trend", "metric", "target", "forecast", f"{level} CI", f"{level} PI"]
    records = [_fit_records(fit) for _, fit in result.fits]
    width = max((len(header) for header, _ in records), default=0)
    widest = next((header for header, _ in records if len(header) == width), [])
    csv_rows = [
        [name, *row, *[""] * (width - len(row))]
        for (name, _), (_, part) in zip(result.fits, records, strict=True)
        for row in part
    ]
    tables = [Table("Forecasts", headers, rows)]
    reach = [
        [name, fit.data.quantity, format_number(r.value), _reach_compute(r.compute, r.status), _reach_interval(r.ci)]
        for name, fit in result.fits
        for r in fit.reach
    ]
    if reach:
        tables.append(Table("Compute to reach", [result.by, "metric", "value", "compute", f"{level} CI"], reach))
    groups = f"{len(result.fits)} {result.by}" + ("" if len(result.fits) == 1 else "s")
    return Report(
        f"{groups} from {result.file}, each fitted on its own",
        (),
        tuple(tables),
        (),
        result.warnings,
        ([result.by, *widest], csv_rows),
    )


def report(result: Any) -> Report:
    """The :class:`Report` of any result: what every writer but JSON writes."""
    builders: dict[type, Callable[[Any], Report]] = {
        TaskFits: _task_report,
        FitResult: _fit_report,
        CheckResult: _check_report,
        Comparison: _compare_report,
        Backtest: _backtest_report,
        RunPlan: _plan_report,
    }
    return builders[type(result)](result)

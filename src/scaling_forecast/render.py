"""Renderers of results: a rich table for people, JSON, CSV and Markdown for scripts."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from .check import CheckResult
from .results import (
    Backtest,
    Comparison,
    Estimate,
    FitResult,
    Optimum,
    ParameterEstimate,
    Prediction,
    TargetComparison,
)

FORMATS = ("table", "json", "csv", "markdown")
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


def to_json(result: FitResult) -> str:
    """The JSON document of DESIGN.md "Results as data" (same input and seed, same bytes)."""
    return json_text(result.to_dict())


def json_text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, allow_nan=False) + "\n"


def format_percent(value: float) -> str:
    return f"{100 * value:.1f}%" if math.isfinite(value) else "n/a"


def format_percent_interval(bounds: tuple[float, float]) -> str:
    return f"[{format_percent(bounds[0])}, {format_percent(bounds[1])}]"


def to_csv(result: FitResult) -> str:
    """One row per parameter and per prediction (``section`` tells which); buckets follow."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
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
    writer.writerow(header)
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
            writer.writerow(row + ([""] * 5 if rates else []))
        for q in predictions:
            at = "".join(f", {name} {value:g}" for name, value in q.design)
            row = [
                "prediction",
                prefix + result.data.y_column + at,
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
            if q.pass_rate is not None:
                r = q.pass_rate
                row += [repr(r.estimate), repr(r.ci[0]), repr(r.ci[1]), repr(r.pi[0]), repr(r.pi[1])]
            writer.writerow(row)
    blank = [""] * (len(header) - 11)
    if result.law_selection is not None:
        for c in result.law_selection.candidates:
            writer.writerow(["candidate", c.law, "", "", repr(c.weight), "", "", "", "", "", result.level, *blank])
            for own in c.predictions:
                ci = ["", ""] if own.ci is None else [repr(own.ci[0]), repr(own.ci[1])]
                pi = ["", ""] if own.pi is None else [repr(own.pi[0]), repr(own.pi[1])]
                where = [repr(own.target), repr(own.target / result.data.compute_max)]
                row = ["candidate_prediction", c.law, *where, repr(own.estimate), "", *ci, *pi, result.level]
                writer.writerow(row + blank)
    for o in result.optima:
        for key, e in _optimum_items(o):
            row = ["optimum", key, repr(o.budget), "", repr(e.estimate), "", *map(repr, e.ci), "", ""]
            writer.writerow([*row, result.level, *blank])
    for key, e in result.exponents:
        row = ["exponent", key, "", "", repr(e.estimate), "", *map(repr, e.ci), "", ""]
        writer.writerow([*row, result.level, *blank])
    return buffer.getvalue()


def _optimum_items(optimum: Optimum) -> tuple[tuple[str, Estimate], ...]:
    return (
        ("params", optimum.params),
        ("tokens", optimum.tokens),
        ("tokens_per_param", optimum.tokens_per_param),
        ("loss", optimum.loss),
    )


def _method_text(result: FitResult) -> str:
    if result.method == "bootstrap" and result.uncertainty.percentile:
        uncertainty = f"case bootstrap over runs ({result.n_boot} replicates, seed {result.seed}), percentile"
    elif result.method == "bootstrap":
        resampled = "problem" if result.data.problems and result.data.problems.get("n_problems") else "residual"
        uncertainty = f"studentised {resampled} bootstrap ({result.n_boot} replicates, seed {result.seed})"
    else:
        uncertainty = "delta method with Student-t quantiles"
    loss_fn = LOSS_FN_TEXT[result.loss_fn]
    if result.loss_fn == "huber":
        loss_fn += f" (delta {result.huber_delta:g})"
    return f"{loss_fn}; {uncertainty}; {result.level:.0%} intervals (CI: the law, PI: a new run)"


def _selection_text(result: FitResult) -> str:
    selection = result.law_selection
    assert selection is not None
    scores = ", ".join(
        f"{c.law} {c.held_out_error:.2%}" if c.held_out_error is not None else f"{c.law} n/a"
        for c in selection.candidates
    )
    if selection.criterion != "held-out":
        return f"--law auto chose {selection.chosen}: {selection.reason}"
    return f"--law auto chose {selection.chosen}: {selection.reason}; held-out RMS log errors: {scores}"


def _headline(result: FitResult) -> str:
    data = result.data
    decades = math.log10(data.compute_max / data.compute_min)
    sweep = f", sweep {data.sweep}" if data.sweep else ""
    problems = ""
    if data.problems:
        k = data.problems.get("k", 1)
        problems = f"; pass@{k}, {data.problems['note']}"
    dropped = ""
    if data.excluded:
        threshold = f"; --min-compute {data.min_compute:g}" if data.min_compute is not None else ""
        dropped = f"; left out {', '.join(data.excluded)}{threshold}"
    return (
        f"{result.law} law {result.formula} fitted to {data.n_runs} runs from {data.file}{sweep} "
        f"({data.x_column} {format_compute(data.compute_min)} to {format_compute(data.compute_max)}, "
        f"{decades:.1f} decades{problems}{dropped})"
    )


def _quality_text(result: FitResult) -> str:
    fit = result.fit
    converged = "converged" if fit.converged else "NOT converged"
    return f"rmse {fit.rmse:.3%} of {result.data.y_column} (log residuals), {converged}, {fit.dof} degrees of freedom"


def _parameter_table(result: FitResult, params: tuple[ParameterEstimate, ...]) -> tuple[list[str], list[list[str]]]:
    headers = ["parameter", "estimate", "stderr", f"{result.level:.0%} CI"]
    rows = [[p.name, format_number(p.estimate), format_number(p.stderr, 2), format_interval(p.ci)] for p in params]
    return headers, rows


def _prediction_table(result: FitResult, predictions: tuple[Prediction, ...]) -> tuple[list[str], list[list[str]]]:
    level = f"{result.level:.0%}"
    design = [name for name, _ in predictions[0].design] if predictions else []
    headers = ["target", *design, "x largest run", result.data.y_column, f"{level} CI", f"{level} PI"]
    rates = any(q.pass_rate is not None for q in predictions)
    if rates:
        headers += ["pass rate", f"{level} CI", f"{level} PI"]
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
        rows.append(row)
    return headers, rows


def _candidate_table(result: FitResult) -> tuple[list[str], list[list[str]]]:
    """Each law ``--law auto`` weighed: weight, held-out error, and its own forecast at every target."""
    selection = result.law_selection
    assert selection is not None
    level = f"{result.level:.0%}"
    headers = ["law", "weight", "held-out error", "target", result.data.y_column, f"{level} CI", f"{level} PI"]
    rows = []
    for c in selection.candidates:
        name = c.law + (" *" if c.in_interval else "")
        error = "n/a" if c.held_out_error is None else f"{c.held_out_error:.2%}"
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
    return sections


def _markdown_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    align = ["---" if i == 0 else "---:" for i in range(len(headers))]
    return ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"] + [
        "| " + " | ".join(row) + " |" for row in rows
    ]


def to_markdown(result: FitResult) -> str:
    """Markdown fit to paste into a pull request or issue."""
    lines = [f"**{_headline(result)}**", "", f"_{_method_text(result)}_", ""]
    if result.law_selection is not None:
        lines[-1:-1] = ["", f"_{_selection_text(result)}_"]
    lines += _markdown_table(*_parameter_table(result, result.params))
    if result.predictions:
        lines += ["", *_markdown_table(*_prediction_table(result, result.predictions))]
    if result.law_selection is not None and result.predictions:
        lines += ["", f"{CANDIDATES_TITLE}:", "", *_markdown_table(*_candidate_table(result))]
    if result.buckets:
        lines += ["", "Difficulty buckets:", "", *_markdown_table(*_bucket_table(result))]
    for title, table in _allocation_sections(result):
        lines += ["", f"{title}:", "", *_markdown_table(*table)]
    lines += ["", f"Fit: {_quality_text(result)}."]
    if result.fit.warnings:
        lines += ["", "Warnings:", ""] + [f"- {w}" for w in result.fit.warnings]
    return "\n".join(lines) + "\n"


def _console(color: bool, width: int) -> tuple[Any, io.StringIO]:
    """A rich console that renders into a string buffer."""
    from rich.console import Console

    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False), buffer


def _print_table(
    console: Any,
    title: str,
    headers: list[str],
    rows: list[list[str]],
    *,
    left_first: bool = True,
    left: tuple[str, ...] = (),
    emphasis: str | None = None,
) -> None:
    """A borderless table, preceded by a blank line: the first column, intervals and ``left`` flush left.

    Cells equal to ``emphasis`` are printed in bold red.
    """
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left", box=None, pad_edge=False)
    for i, header in enumerate(headers):
        flush_left = (i == 0 and left_first) or header in left or header.endswith(("CI", "PI"))
        table.add_column(Text(header), justify="left" if flush_left else "right", no_wrap=True)
    for row in rows:
        table.add_row(*(Text(cell, style="bold red" if cell == emphasis else "") for cell in row))
    console.print()
    console.print(table)


def _print_warnings(console: Any, warnings: tuple[str, ...]) -> None:
    from rich.text import Text

    for warning in warnings:
        console.print(Text.assemble(("warning:", "yellow"), f" {warning}"), soft_wrap=True)


def to_table(result: FitResult, *, color: bool = False, width: int = 100) -> str:
    """A rich rendering for the terminal."""
    from rich.text import Text

    console, buffer = _console(color, width)
    console.print(Text(_headline(result), style="bold"), soft_wrap=True)
    console.print(Text(_method_text(result), style="dim"), soft_wrap=True)
    if result.law_selection is not None:
        console.print(Text(_selection_text(result), style="dim"), soft_wrap=True)
    sections = [("Parameters", _parameter_table(result, result.params))]
    if result.predictions:
        sections.append(("Predictions", _prediction_table(result, result.predictions)))
    if result.law_selection is not None and result.predictions:
        sections.append((CANDIDATES_TITLE, _candidate_table(result)))
    if result.buckets:
        sections.append(("Difficulty buckets", _bucket_table(result)))
    sections += _allocation_sections(result)
    for title, (headers, rows) in sections:
        _print_table(console, title, headers, rows)
    console.print()
    console.print(Text(f"Fit: {_quality_text(result)}"), soft_wrap=True)
    _print_warnings(console, result.fit.warnings)
    return buffer.getvalue()


def render(result: FitResult, fmt: str, *, color: bool = False, width: int = 100) -> str:
    """``result`` in one of :data:`FORMATS`."""
    if fmt == "json":
        return to_json(result)
    if fmt == "csv":
        return to_csv(result)
    if fmt == "markdown":
        return to_markdown(result)
    return to_table(result, color=color, width=width)


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
                format_number(gate.value),
                format_number(gate.threshold),
                "pass" if gate.passed else "FAIL",
            ]
        )
    return headers, rows


def render_check(check: CheckResult, fmt: str, *, color: bool = False, width: int = 100) -> str:
    """The verdict of ``forecast check`` in one of :data:`FORMATS`."""
    if fmt == "json":
        return json_text(check.to_dict())
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["gate", "target", "on", "value", "threshold", "passed"])
        for gate in check.gates:
            on = "fit" if gate.target is None else check.on
            target = "" if gate.target is None else repr(gate.target)
            writer.writerow([gate.gate, target, on, repr(gate.value), repr(gate.threshold), str(gate.passed).lower()])
        return buffer.getvalue()
    result = check.fit
    if fmt == "markdown":
        mark = "PASS" if check.passed else "FAIL"
        lines = [f"**{mark}**: {check.verdict().split(': ', 1)[1]}", "", _headline(result), ""]
        if result.predictions:
            lines += [*_markdown_table(*_prediction_table(result, result.predictions)), ""]
        lines += _markdown_table(*_gate_table(check))
        lines += ["", f"_{_method_text(result)}. Fit: {_quality_text(result)}._"]
        if result.fit.warnings:
            lines += ["", "Warnings:", ""] + [f"- {w}" for w in result.fit.warnings]
        return "\n".join(lines) + "\n"
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    body = to_table(result, color=color, width=width)
    table = Table(title="Gates", title_justify="left", box=None, pad_edge=False)
    headers, rows = _gate_table(check)
    for header in headers:
        table.add_column(Text(header), no_wrap=True)
    for row in rows:
        table.add_row(*(Text(cell, style="" if cell != "FAIL" else "bold red") for cell in row))
    console.print(table)
    console.print()
    console.print(Text(check.verdict(), style="bold green" if check.passed else "bold red"), soft_wrap=True)
    return body + "\n" + buffer.getvalue()


def _compare_headline(comparison: Comparison) -> str:
    files = sorted({f.data.file for f in comparison.fits})
    return f"{comparison.law} law {comparison.formula} fitted to {len(comparison.fits)} sweeps from {', '.join(files)}"


def _compare_method(comparison: Comparison) -> str:
    resampled = (
        "problem" if any(f.data.problems and f.data.problems.get("n_problems") for f in comparison.fits) else "residual"
    )
    return (
        f"{LOSS_FN_TEXT[comparison.loss_fn]}; studentised {resampled} bootstrap ({comparison.n_boot} replicates per "
        f"sweep, seed {comparison.seed}); {comparison.level:.0%} intervals; lower is better"
    )


def _sweep_table(comparison: Comparison) -> tuple[list[str], list[list[str]]]:
    names = [p.name for p in comparison.fits[0].params]
    headers = ["sweep", "runs", "compute", *names, "rmse"]
    rows = []
    for f in comparison.fits:
        rows.append(
            [
                str(f.data.sweep),
                str(f.data.n_runs),
                f"{format_compute(f.data.compute_min)} to {format_compute(f.data.compute_max)}",
                *(format_number(p.estimate) for p in f.params),
                format_percent(f.fit.rmse),
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
    quantity = comparison.fits[0].data.y_column
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


def _compare_csv(comparison: Comparison) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
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
    )
    for target in comparison.comparisons:
        for rank, r in enumerate(target.ranking, start=1):
            delta = ["", "", ""] if r.delta is None or r.delta_ci is None else [repr(r.delta), *map(repr, r.delta_ci)]
            writer.writerow(
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
    return buffer.getvalue()


def render_compare(comparison: Comparison, fmt: str, *, color: bool = False, width: int = 100) -> str:
    """The ranking of ``forecast compare`` in one of :data:`FORMATS`."""
    if fmt == "json":
        return json_text(comparison.to_dict())
    if fmt == "csv":
        return _compare_csv(comparison)
    sections = [("Sweeps", _sweep_table(comparison))]
    sections += [(_ranking_title(comparison, t), _ranking_table(comparison, t)) for t in comparison.comparisons]
    if fmt == "markdown":
        lines = [f"**{_compare_headline(comparison)}**", "", f"_{_compare_method(comparison)}_"]
        for title, (headers, rows) in sections:
            lines += ["", f"{title}:", "", *_markdown_table(headers, rows)]
        if comparison.warnings:
            lines += ["", "Warnings:", ""] + [f"- {w}" for w in comparison.warnings]
        return "\n".join(lines) + "\n"
    from rich.text import Text

    console, buffer = _console(color, width)
    console.print(Text(_compare_headline(comparison), style="bold"), soft_wrap=True)
    console.print(Text(_compare_method(comparison), style="dim"), soft_wrap=True)
    for title, (headers, rows) in sections:
        _print_table(console, title, headers, rows, left_first=False, left=("sweep", "compute"))
    if comparison.warnings:
        console.print()
    _print_warnings(console, comparison.warnings)
    return buffer.getvalue()


def _backtest_headline(result: Backtest) -> str:
    last = result.fits[-1]
    modes = {"holdout": "held-out largest runs", "fraction": "runs above the compute fraction", "rolling": "rolling"}
    laws = list(dict.fromkeys(f.law for f in result.fits))
    law = f"the {last.law} law {last.formula}" if len(laws) == 1 else f"the laws --law auto chose ({', '.join(laws)})"
    return (
        f"backtest ({modes[result.mode]}) of {law} on {last.data.file}: "
        f"{result.summary.n_forecasts} forecast(s) from {len(result.fits)} fit(s)"
    )


def _backtest_table(result: Backtest) -> tuple[list[str], list[list[str]]]:
    level = f"{result.fits[-1].level:.0%}"
    quantity = result.fits[-1].data.y_column
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


def render_backtest(result: Backtest, fmt: str, *, color: bool = False, width: int = 100) -> str:
    """A backtest in one of :data:`FORMATS`."""
    if fmt == "json":
        return json_text(result.to_dict())
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        header = (
            "run,compute,n_fitted,extrapolation_factor,actual,predicted,ci_low,ci_high,pi_low,pi_high,are,covered,level"
        )
        writer.writerow(header.split(","))
        for r in result.runs:
            numbers = (r.compute, r.n_fitted, r.extrapolation_factor, r.actual, r.predicted, *r.ci, *r.pi, r.are)
            writer.writerow([r.run, *map(repr, numbers), str(r.covered).lower(), result.fits[-1].level])
        return buffer.getvalue()
    headers, rows = _backtest_table(result)
    if fmt == "markdown":
        mark = "PASS" if result.summary.passed else "FAIL"
        lines = [f"**{mark}**: {result.summary.verdict}", "", _backtest_headline(result), ""]
        lines += _markdown_table(headers, rows)
        lines += ["", f"{_backtest_summary(result)}. _{_method_text(result.fits[-1])}._"]
        if result.warnings:
            lines += ["", "Warnings:", ""] + [f"- {w}" for w in result.warnings]
        return "\n".join(lines) + "\n"
    from rich.text import Text

    console, buffer = _console(color, width)
    console.print(Text(_backtest_headline(result), style="bold"), soft_wrap=True)
    console.print(Text(_method_text(result.fits[-1]), style="dim"), soft_wrap=True)
    _print_table(console, "Held-out runs", headers, rows, emphasis="NO")
    console.print()
    console.print(Text(_backtest_summary(result)), soft_wrap=True)
    style = "bold green" if result.summary.passed else "bold red"
    console.print(Text(result.summary.verdict, style=style), soft_wrap=True)
    _print_warnings(console, result.warnings)
    return buffer.getvalue()

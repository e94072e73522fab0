"""Renderers of results: a rich table for people, JSON, CSV and Markdown for scripts."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from .results import FitResult

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


def to_csv(result: FitResult) -> str:
    """One row per parameter and per prediction (``section`` tells which)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
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
    )
    for p in result.params:
        writer.writerow(
            [
                "param",
                p.name,
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
        )
    for q in result.predictions:
        writer.writerow(
            [
                "prediction",
                result.data.y_column,
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
        )
    return buffer.getvalue()


def _method_text(result: FitResult) -> str:
    if result.method == "bootstrap":
        uncertainty = f"studentised residual bootstrap ({result.n_boot} replicates, seed {result.seed})"
    else:
        uncertainty = "delta method with Student-t quantiles"
    loss_fn = LOSS_FN_TEXT[result.loss_fn]
    if result.loss_fn == "huber":
        loss_fn += f" (delta {result.huber_delta:g})"
    return f"{loss_fn}; {uncertainty}; {result.level:.0%} intervals"


def _headline(result: FitResult) -> str:
    data = result.data
    decades = math.log10(data.compute_max / data.compute_min)
    sweep = f", sweep {data.sweep}" if data.sweep else ""
    return (
        f"{result.law} law {result.formula} fitted to {data.n_runs} runs from {data.file}{sweep} "
        f"({data.x_column} {format_compute(data.compute_min)} to {format_compute(data.compute_max)}, "
        f"{decades:.1f} decades)"
    )


def _quality_text(result: FitResult) -> str:
    fit = result.fit
    converged = "converged" if fit.converged else "NOT converged"
    return f"rmse {fit.rmse:.3%} of {result.data.y_column} (log residuals), {converged}, {fit.dof} degrees of freedom"


def to_markdown(result: FitResult) -> str:
    """Markdown fit to paste into a pull request or issue."""
    level = f"{result.level:.0%}"
    y = result.data.y_column
    lines = [f"**{_headline(result)}**", "", f"_{_method_text(result)}_", ""]
    lines += [f"| parameter | estimate | stderr | {level} CI |", "|---|---:|---:|---|"]
    for p in result.params:
        lines.append(
            f"| {p.name} | {format_number(p.estimate)} | {format_number(p.stderr, 2)} | {format_interval(p.ci)} |"
        )
    if result.predictions:
        lines += [
            "",
            f"| target compute | x largest run | {y} | {level} CI (law) | {level} PI (new run) |",
            "|---:|---:|---:|---|---|",
        ]
        for q in result.predictions:
            lines.append(
                f"| {format_compute(q.target)} | {format_factor(q.extrapolation_factor)} | {format_number(q.estimate)} "
                f"| {format_interval(q.ci)} | {format_interval(q.pi)} |"
            )
    lines += ["", f"Fit: {_quality_text(result)}."]
    if result.fit.warnings:
        lines += ["", "Warnings:", ""] + [f"- {w}" for w in result.fit.warnings]
    return "\n".join(lines) + "\n"


def to_table(result: FitResult, *, color: bool = False, width: int = 100) -> str:
    """A rich rendering for the terminal."""
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    level = f"{result.level:.0%}"
    console.print(f"[bold]{_headline(result)}[/bold]", soft_wrap=True)
    console.print(f"[dim]{_method_text(result)}[/dim]", soft_wrap=True)
    params = Table(title="Parameters", title_justify="left", box=None, pad_edge=False)
    for header, justify in (("name", "left"), ("estimate", "right"), ("stderr", "right"), (f"{level} CI", "left")):
        params.add_column(header, justify=justify)  # type: ignore[arg-type]
    for p in result.params:
        params.add_row(p.name, format_number(p.estimate), format_number(p.stderr, 2), format_interval(p.ci))
    console.print()
    console.print(params)
    if result.predictions:
        table = Table(title="Predictions", title_justify="left", box=None, pad_edge=False)
        for header, justify in (
            ("target", "right"),
            ("x largest", "right"),
            (result.data.y_column, "right"),
            (f"{level} CI (law)", "left"),
            (f"{level} PI (new run)", "left"),
        ):
            table.add_column(header, justify=justify)  # type: ignore[arg-type]
        for q in result.predictions:
            table.add_row(
                format_compute(q.target),
                format_factor(q.extrapolation_factor),
                f"[bold]{format_number(q.estimate)}[/bold]",
                format_interval(q.ci),
                format_interval(q.pi),
            )
        console.print()
        console.print(table)
    console.print()
    console.print(f"Fit: {_quality_text(result)}", soft_wrap=True)
    for warning in result.fit.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", soft_wrap=True)
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

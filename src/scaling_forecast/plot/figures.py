"""Figures of fits, comparisons, backtests and allocations (matplotlib, the optional extra ``plot``).

Every function returns the encoded image (PNG, SVG or PDF) as bytes, for the caller to write; or,
with no format, the matplotlib Figure, drawn on a given ``ax`` when there is one (in a notebook). Figures
are built on ``matplotlib.figure.Figure`` directly (no pyplot state) and saved without dates or
version stamps, so the same input gives the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError
from . import curves

PLOT_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
SIZE = (9.0, 5.5)
DPI = 110


def plot_format(path: str | Path) -> str:
    """The image format from ``path``'s suffix; checks that matplotlib is installed."""
    suffix = Path(path).suffix.lower()
    if suffix not in PLOT_FORMATS:
        raise ConfigError(
            f"--plot {path}: unknown image type {suffix or '(none)'!r}; end the name in .png, .svg or .pdf"
        )
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ConfigError("--plot needs matplotlib, an optional extra: pip install 'scaling-forecast[plot]'") from None
    return PLOT_FORMATS[suffix]


def _figure(columns: int = 1, ax: Any = None) -> tuple[Any, Any]:
    """A new figure with ``columns`` panels, or the figure of a given matplotlib ``ax`` (one panel)."""
    if ax is not None:
        return ax.figure, [ax]
    from matplotlib.figure import Figure

    figure = Figure(figsize=(SIZE[0] * (1.0 if columns == 1 else 1.35), SIZE[1]), dpi=DPI, layout="constrained")
    axes = figure.subplots(1, columns, squeeze=False)[0]
    return figure, axes


def _done(figure: Any, fmt: str | None) -> Any:
    """The encoded image for ``fmt``, or the matplotlib Figure itself when ``fmt`` is ``None``."""
    return figure if fmt is None else _encode(figure, fmt)


def _encode(figure: Any, fmt: str) -> bytes:
    import matplotlib

    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
    }[fmt]
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "scaling-forecast", "svg.fonttype": "path"}):
        figure.savefig(buffer, format=fmt, metadata=metadata, dpi=DPI)
    return buffer.getvalue()


def plot_fit(result: Any, fmt: str | None = None, *, ax: Any = None) -> Any:
    """Observed runs, the fitted law (a curve) out to the largest target, ``ci`` and ``pi`` bands, targets.

    What is drawn is evaluated from the result alone (:func:`scaling_forecast.plot.curves.fit_curves`).
    """
    law, buckets = curves.fit_curves(result)
    compute, y = curves.runs_of(result)
    level = f"{result.level:.0%}"
    grid, estimate, ci, pi = law.compute, law.estimate, law.ci, law.pi
    spec = result.model.law
    rates = spec.reported == "pass_rate"
    figure, axes = _figure(2 if rates and ax is None else 1, ax)
    ax = axes[0]
    ax.fill_between(
        grid, pi[:, 0], pi[:, 1], color="tab:blue", alpha=0.12, linewidth=0, label=f"{level} PI (a new run)"
    )
    ax.fill_between(grid, ci[:, 0], ci[:, 1], color="tab:blue", alpha=0.3, linewidth=0, label=f"{level} CI (the law)")
    ax.plot(grid, estimate, color="tab:blue", linewidth=2, label=f"{result.law} law: {result.formula}")
    ax.scatter(compute, y, color="black", zorder=3, s=22, label=f"runs ({result.data.n_runs})")
    for p in result.predictions:
        ax.errorbar(
            [p.target],
            [p.estimate],
            yerr=[[p.estimate - p.ci[0]], [p.ci[1] - p.estimate]],
            fmt="D",
            color="tab:red",
            capsize=4,
            zorder=4,
        )
        ax.annotate(f"{p.estimate:.4g}", (p.target, p.estimate), textcoords="offset points", xytext=(6, 6), fontsize=8)
    if result.predictions:
        ax.plot([], [], "D", color="tab:red", label=f"targets with {level} CI")
    params = {p.name: p.estimate for p in result.params}
    floor = spec.floor_param
    if floor is not None and floor in params:
        ax.axhline(
            params[floor],
            color="gray",
            linestyle="--",
            linewidth=1,
            label=f"irreducible loss {floor} = {params[floor]:.4g}",
        )
    for bucket in buckets:
        ax.plot(bucket.compute, bucket.estimate, linewidth=1, linestyle=":", label=bucket.label)
    ax.set_xscale("log")
    if spec.log_axis:
        ax.set_yscale("log")
    ax.set_xlabel("compute C (FLOP)")
    ax.set_ylabel(result.data.y_column if not rates else "-E[log pass_rate] (mean over problems)")
    ax.set_title(f"{result.law} law fitted to {result.data.n_runs} runs of {Path(result.data.file).name}")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    if rates and len(axes) > 1:
        right = axes[1]
        right.fill_between(grid, np.exp(-pi[:, 1]), np.exp(-pi[:, 0]), color="tab:green", alpha=0.12, linewidth=0)
        right.fill_between(grid, np.exp(-ci[:, 1]), np.exp(-ci[:, 0]), color="tab:green", alpha=0.3, linewidth=0)
        right.plot(grid, np.exp(-estimate), color="tab:green", linewidth=2, label="exp(E[log pass_rate])")
        for bucket in buckets:
            right.plot(bucket.compute, np.exp(-bucket.estimate), linewidth=1, linestyle=":", label=bucket.label)
        right.scatter(compute, np.exp(-y), color="black", zorder=3, s=22, label="runs")
        right.set_xscale("log")
        right.set_ylim(0.0, 1.0)
        right.set_xlabel("compute C (FLOP)")
        right.set_ylabel("geometric-mean pass rate")
        right.set_title(f"pass rate, with {level} CI and PI")
        right.grid(True, alpha=0.3)
        right.legend(fontsize=8, loc="lower right")
    return _done(figure, fmt)


def plot_two_step(result: Any, fmt: str | None = None) -> Any:
    """The two steps of a two-step fit side by side: the task loss against compute with its forecast (step 1, as
    :func:`plot_fit` draws a loss), and accuracy against the task loss with the fitted link, its ``ci`` band,
    every row it was fitted to and each forecast (task loss and accuracy with their ``ci``)."""
    figure, axes = _figure(2)
    step1 = result.model.step1
    plot_fit(step1, ax=axes[0])
    axes[0].set_title(f"step 1: {step1.data.y_column} against compute ({step1.law} law)")
    link, loss, accuracy = curves.link_curve(result)
    level = f"{result.level:.0%}"
    right = axes[1]
    right.fill_between(link.compute, link.ci[:, 0], link.ci[:, 1], color="tab:purple", alpha=0.25, linewidth=0)
    right.plot(link.compute, link.estimate, color="tab:purple", linewidth=2, label=f"link, with its {level} CI")
    right.scatter(loss, accuracy, color="black", s=18, zorder=3, label=f"rows ({loss.size})")
    for p in result.predictions:
        if p.task_loss is None:
            continue
        t = p.task_loss
        right.errorbar(
            [t.estimate],
            [p.estimate],
            xerr=[[t.estimate - t.ci[0]], [t.ci[1] - t.estimate]],
            yerr=[[p.estimate - p.ci[0]], [p.ci[1] - p.estimate]],
            fmt="D",
            color="tab:red",
            capsize=4,
            zorder=4,
        )
        right.annotate(
            f"{p.target:.2g} FLOP", (t.estimate, p.estimate), textcoords="offset points", xytext=(6, -12), fontsize=8
        )
    if result.predictions:
        right.plot([], [], "D", color="tab:red", label=f"forecasts with {level} CI")
    right.invert_xaxis()  # the loss falls as compute grows: left to right is larger models
    right.set_xlabel(f"{result.data.y_column} (task loss)")
    right.set_ylabel(str(result.data.accuracy_column or "accuracy"))
    right.set_title("step 2: accuracy against the task loss")
    right.grid(True, alpha=0.3)
    right.legend(fontsize=8, loc="best")
    return _done(figure, fmt)


def plot_compare(comparison: Any, fmt: str | None = None, *, ax: Any = None) -> Any:
    """One colour per sweep with its ``ci`` band and runs, the target lines and the crossings.

    What is drawn is evaluated from the comparison alone (:func:`scaling_forecast.plot.curves.compare_curves`).
    """
    lines, crossings = curves.compare_curves(comparison)
    data = {str(f.data.sweep): curves.runs_of(f) for f in comparison.fits}
    targets = [c.target for c in comparison.comparisons]
    figure, axes = _figure(1, ax)
    ax = axes[0]
    colours = [f"C{i % 10}" for i in range(len(lines))]
    for line, colour in zip(lines, colours, strict=True):
        ax.fill_between(line.compute, line.ci[:, 0], line.ci[:, 1], color=colour, alpha=0.2, linewidth=0)
        ax.plot(line.compute, line.estimate, color=colour, linewidth=2, label=line.label)
        runs = data.get(line.label)
        if runs is not None:
            ax.scatter(runs[0], runs[1], color=colour, s=18, zorder=3)
    for target in targets:
        ax.axvline(target, color="gray", linestyle="--", linewidth=1)
        ax.annotate(
            f"target {target:.2g}",
            (target, 1.0),
            xycoords=("data", "axes fraction"),
            rotation=90,
            va="top",
            ha="right",
            fontsize=8,
        )
    for compute, value in crossings:
        ax.plot([compute], [value], marker="X", color="black", markersize=9, zorder=5)
    if comparison.crossings:
        ax.plot([], [], "X", color="black", label="curves cross")
    ax.set_xscale("log")
    ax.set_xlabel("compute C (FLOP)")
    ax.set_ylabel(comparison.fits[0].data.quantity)
    shown = "" if len(lines) == len(comparison.fits) else f" ({len(lines)} of {len(comparison.fits)} shown)"
    ax.set_title(f"{len(comparison.fits)} sweeps, {comparison.law} law, {comparison.level:.0%} CI bands{shown}")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return _done(figure, fmt)


def plot_backtest(backtest: Any, fmt: str | None = None, *, ax: Any = None) -> Any:
    """Fitted and held-out runs, each window's law, and the forecasts with their ``pi``.

    What is drawn is evaluated from the backtest alone (:func:`scaling_forecast.plot.curves.backtest_curves`).
    """
    compute, y = curves.backtest_runs(backtest)
    figure, axes = _figure(1, ax)
    ax = axes[0]
    for i, line in enumerate(curves.backtest_curves(backtest)):
        ax.plot(
            line.compute,
            line.estimate,
            color="tab:blue",
            linewidth=1 if len(backtest.fits) > 1 else 2,
            alpha=0.4 + 0.6 * (i + 1) / len(backtest.fits),
            label="fitted law" if i == len(backtest.fits) - 1 else None,
        )
    first = backtest.fits[0]
    fitted_max = max(f.data.compute_max for f in backtest.fits)
    is_held = compute > first.data.compute_max
    held_label = "held-out runs" if len(backtest.fits) == 1 else "runs held out by some window"
    ax.scatter(compute[~is_held], y[~is_held], color="black", s=24, zorder=3, label="fitted runs")
    ax.scatter(
        compute[is_held],
        y[is_held],
        facecolors="none",
        edgecolors="tab:red",
        s=60,
        linewidths=1.5,
        zorder=4,
        label=held_label,
    )
    offsets = {n: k for k, n in enumerate(sorted({r.n_fitted for r in backtest.runs}))}
    for r in backtest.runs:
        shift = 1.0 + 0.04 * (offsets[r.n_fitted] - (len(offsets) - 1) / 2)
        colour = "tab:green" if r.covered else "tab:red"
        ax.errorbar(
            [r.compute * shift],
            [r.predicted],
            yerr=[[r.predicted - r.pi[0]], [r.pi[1] - r.predicted]],
            fmt="_",
            color=colour,
            capsize=3,
            zorder=2,
        )
    ax.plot([], [], "_", color="tab:green", label=f"forecast with {first.level:.0%} PI (covers)")
    if not all(r.covered for r in backtest.runs):
        ax.plot([], [], "_", color="tab:red", label="forecast whose PI misses")
    ax.axvline(fitted_max, color="gray", linestyle=":", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlabel("compute C (FLOP)")
    ax.set_ylabel(first.data.quantity)
    summary = backtest.summary
    ax.set_title(
        f"backtest ({backtest.mode}): mean error {summary.mean_are:.2%}, max {summary.max_are:.2%}, "
        f"PI coverage {summary.coverage:.0%}"
    )
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return _done(figure, fmt)


def plot_optimal(result: Any, fmt: str | None = None, *, ax: Any = None) -> Any:
    """Isoloss contours over (N, D), the compute-optimal frontier and the budget lines, of a chinchilla fit.

    What is drawn is evaluated from the result alone (:func:`scaling_forecast.plot.curves.allocation_surface`).
    """
    n_grid, d_grid, loss, frontier = curves.allocation_surface(result)
    columns = np.asarray(result.runs.columns, dtype=float)
    run_params, run_tokens = columns[:, 0], columns[:, 1]
    budgets = [o.budget for o in result.optima]
    mesh_n, mesh_d = np.meshgrid(n_grid, d_grid)
    figure, axes = _figure(1, ax)
    ax = axes[0]
    levels = np.quantile(loss, np.linspace(0.02, 0.9, 12))
    contours = ax.contour(mesh_n, mesh_d, loss, levels=np.unique(levels), cmap="viridis", linewidths=1)
    ax.clabel(contours, fontsize=7, fmt="%.3g")
    scatter = ax.scatter(
        run_params,
        run_tokens,
        c=np.asarray(result.runs.y, dtype=float),
        cmap="viridis",
        s=16,
        edgecolors="black",
        linewidths=0.3,
        zorder=3,
        label="runs (colour: loss)",
    )
    figure.colorbar(scatter, ax=ax, label="loss", fraction=0.04, pad=0.01)
    optimum_d = frontier.compute / (6.0 * frontier.estimate)
    ax.plot(frontier.estimate, optimum_d, color="tab:red", linewidth=2, label=frontier.label)
    for budget, optimum in zip(budgets, result.optima, strict=True):
        line_n = n_grid
        ax.plot(line_n, budget / (6.0 * line_n), color="gray", linestyle="--", linewidth=1)
        ax.plot(
            [optimum.params.estimate], [optimum.tokens.estimate], marker="*", color="tab:red", markersize=12, zorder=5
        )
        ax.annotate(
            f"C = {budget:.2g}: {optimum.tokens_per_param.estimate:.3g} tokens/param",
            (optimum.params.estimate, optimum.tokens.estimate),
            textcoords="offset points",
            xytext=(-10, 6),
            ha="right",
            fontsize=8,
        )
    if budgets:
        ax.plot([], [], "--", color="gray", label="budget C = 6 N D")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(n_grid[0], n_grid[-1])
    ax.set_ylim(d_grid[0], d_grid[-1])
    ax.set_xlabel("parameters N")
    ax.set_ylabel("training tokens D")
    ax.set_title(f"isoloss contours of L(N, D) = E + A/N^alpha + B/D^beta ({result.data.n_runs} runs)")
    ax.legend(fontsize=8, loc="upper left")
    return _done(figure, fmt)


def plot_plan(plan: Any, fmt: str | None = None, *, ax: Any = None) -> Any:
    """Each candidate run's expected ``pi`` width at the target against its cost, the width now and the budget
    marked, the recommended runs ringed."""
    figure, axes = _figure(1, ax)
    ax = axes[0]
    chosen = set(plan.recommended.computes)
    for kind, marker in (("grid", "o"), ("repeat", "s"), ("budget", "^"), ("given", "D")):
        runs = [c for c in plan.candidates if c.kind == kind]
        if runs:
            ax.scatter(
                [c.cost for c in runs],
                [c.width for c in runs],
                marker=marker,
                color="tab:blue",
                s=30,
                zorder=3,
                label={
                    "grid": "candidate run",
                    "repeat": "repeat of the largest run",
                    "given": "candidate run",
                    "budget": "one run of the whole budget",
                }[kind],
            )
    picked = [c for c in plan.candidates if c.compute in chosen]
    if picked:
        ax.scatter(
            [c.cost for c in picked],
            [c.width for c in picked],
            facecolors="none",
            edgecolors="tab:red",
            s=140,
            linewidths=1.8,
            zorder=4,
            label="recommended",
        )
    ax.axhline(plan.width, color="gray", linestyle="--", linewidth=1, label="width now")
    ax.axvline(plan.budget, color="gray", linestyle=":", linewidth=1, label="budget")
    ax.set_xscale("log")
    ax.set_xlabel("cost of the run (FLOP)")
    ax.set_ylabel(f"expected {plan.level:.0%} PI width at {plan.target:.1e}")
    ax.set_title(f"which run next: {plan.law} law, {plan.n_runs} runs in {Path(plan.file).name}")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return _done(figure, fmt)

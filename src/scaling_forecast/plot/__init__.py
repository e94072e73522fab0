"""Figures (matplotlib, the optional extra ``plot``), drawn from a result alone: :mod:`.curves` evaluates
what a figure shows without refitting, :mod:`.figures` draws it."""

from __future__ import annotations

from typing import Any


def draw(result: Any, fmt: str | None = None, *, ax: Any = None) -> Any:
    """The figure of any result: the encoded image for ``fmt`` (``png``, ``svg``, ``pdf``), or the matplotlib
    Figure (on ``ax`` when given) without one."""
    from ..results import Backtest, Comparison, RunPlan
    from . import figures

    if isinstance(result, Comparison):
        return figures.plot_compare(result, fmt, ax=ax)
    if isinstance(result, Backtest):
        return figures.plot_backtest(result, fmt, ax=ax)
    if isinstance(result, RunPlan):
        return figures.plot_plan(result, fmt, ax=ax)
    if result.optima:
        return figures.plot_optimal(result, fmt, ax=ax)
    if result.model.kind == "two-step" and ax is None:
        return figures.plot_two_step(result, fmt)
    return figures.plot_fit(result, fmt, ax=ax)

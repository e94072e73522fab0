"""Trend verdicts: whether a metric improves, worsens, stays flat or turns with compute.

Not every task scales: some sit at chance (wsc, the MMLU mean for small models), some worsen with
scale (crows_pairs' stereotype rate), and some fall before they rise (hindsight neglect in the GPT-4
report). A fit reports which, so that a flat or falling ladder is not extrapolated as a forecast.
"""

from __future__ import annotations

import math

import numpy as np

from ..laws import Array
from .uncertainty import student_t_quantile

#: Trends are judged at this two-sided level: a change the noise explains at 5% is flat.
TREND_ALPHA = 0.05


def trend_verdict(log_compute: Array, y: Array, *, lower_is_better: bool) -> str | None:
    """``improving``, ``worsening``, ``flat`` or ``non-monotone``: how ``y`` moves with compute, in its own sense.

    Notes
    -----
    Ordinary least squares of ``y`` on ``log C``: a slope whose two-sided t-test rejects zero at
    :data:`TREND_ALPHA` is a trend (loss falling or accuracy rising is improving). With 5 or more
    distinct computes, a quadratic term that the F-test keeps at the same level, whose extremum lies
    in the middle 60% of the range, and whose arms both move by more than twice the residual scale
    (and by more than rounding, 1e-9 of the largest ``|y|``), is ``non-monotone``. Fewer than 3
    distinct computes: ``None`` (nothing to judge).
    """
    x, y = np.asarray(log_compute, dtype=float), np.asarray(y, dtype=float)
    distinct = np.unique(x).size
    if distinct < 3:
        return None
    n = x.size
    centred, level = x - x.mean(), y - y.mean()
    sxx = float(centred @ centred)
    slope = float(centred @ level) / sxx
    residual = level - slope * centred
    rss1 = float(residual @ residual)
    if distinct >= 5 and _turns(centred, y, rss1):
        return "non-monotone"
    critical = student_t_quantile(1.0 - TREND_ALPHA / 2.0, n - 2)
    if rss1 <= 0.0:
        return "flat" if slope == 0.0 else ("improving" if (slope < 0) == lower_is_better else "worsening")
    if abs(slope) / math.sqrt(rss1 / (n - 2) / sxx) <= critical:
        return "flat"
    return "improving" if (slope < 0) == lower_is_better else "worsening"


def _turns(centred: Array, y: Array, rss1: float) -> bool:
    """Whether a quadratic in log compute turns inside the range (see :func:`trend_verdict`).

    An exact parabola (no residual) that turns inside the range turns: nothing but its curve is left to explain.
    """
    n = centred.size
    design = np.column_stack([np.ones(n), centred, centred**2])
    coef = np.linalg.solve(design.T @ design, design.T @ y)
    if coef[2] == 0.0:  # a line has no vertex
        return False
    vertex = -coef[1] / (2.0 * coef[2])
    low, high = float(centred.min()), float(centred.max())
    if not low + 0.2 * (high - low) < vertex < high - 0.2 * (high - low):
        return False
    at = np.array([low, vertex, high])
    arms = np.abs(np.diff(coef[1] * at + coef[2] * at**2))  # the constant cancels in each arm's rise
    rss2 = float(np.sum((y - design @ coef) ** 2))
    noise = max(2.0 * math.sqrt(rss2 / (n - 3)), 1e-9 * float(np.max(np.abs(y))))  # rounding is not a turn
    if not (arms > noise).all():
        return False
    if rss2 <= 0.0:
        return True
    f_stat = (rss1 - rss2) / (rss2 / (n - 3))  # F(1, n - 3) is the square of t(n - 3)
    return bool(f_stat > student_t_quantile(1.0 - TREND_ALPHA / 2.0, n - 3) ** 2)


def trend_warning(trend: str | None, metric: str) -> tuple[str, ...]:
    """The warning a worsening or non-monotone trend draws (none for the others)."""
    if trend not in ("worsening", "non-monotone"):
        return ()
    verb = "gets worse" if trend == "worsening" else "does not move one way"
    return (
        f"{metric} {verb} with compute across these runs (trend: {trend}): scaling may reverse, as it did for "
        "hindsight neglect in the GPT-4 report, and the extrapolation is not a forecast of the large model",
    )

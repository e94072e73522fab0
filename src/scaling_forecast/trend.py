"""Trend verdicts: whether a metric improves, worsens, stays flat or turns with compute.

Not every task scales: some sit at chance (wsc, the MMLU mean for small models), some worsen with
scale (crows_pairs' stereotype rate), and some fall before they rise (hindsight neglect in the GPT-4
report). A fit reports which, so that a flat or falling ladder is not extrapolated as a forecast.
"""

from __future__ import annotations

import numpy as np

from .laws import Array

#: Trends are judged at this two-sided level: a change the noise explains at 5% is flat.
TREND_ALPHA = 0.05


def trend_verdict(log_compute: Array, y: Array, *, lower_is_better: bool) -> str | None:
    """``improving``, ``worsening``, ``flat`` or ``non-monotone``: how ``y`` moves with compute, in its own sense.

    Notes
    -----
    Ordinary least squares of ``y`` on ``log C``: a slope whose two-sided t-test rejects zero at
    :data:`TREND_ALPHA` is a trend (loss falling or accuracy rising is improving). With 5 or more
    distinct computes, a quadratic term that the F-test keeps at the same level, whose extremum lies
    in the middle 60% of the range, and whose arms both move by more than twice the residual scale,
    is ``non-monotone``. Fewer than 3 distinct computes: ``None`` (nothing to judge).
    """
    from scipy.special import fdtrc, stdtr

    x, y = np.asarray(log_compute, dtype=float), np.asarray(y, dtype=float)
    if np.unique(x).size < 3:
        return None
    n = x.size
    centred = x - x.mean()
    design = np.column_stack([np.ones(n), centred])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    rss1 = float(residual @ residual)
    sxx = float(centred @ centred)
    scale2 = rss1 / max(n - 2, 1)
    if np.unique(x).size >= 5 and n >= 5:
        quad = np.column_stack([design, centred**2])
        coef2, *_ = np.linalg.lstsq(quad, y, rcond=None)
        rss2 = float(np.sum((y - quad @ coef2) ** 2))
        if rss2 > 0 and coef2[2] != 0:
            f_stat = (rss1 - rss2) / (rss2 / (n - 3))
            vertex = -coef2[1] / (2.0 * coef2[2])
            low, high = centred.min(), centred.max()
            inside = low + 0.2 * (high - low) < vertex < high - 0.2 * (high - low)
            at = np.array([low, vertex, high])
            values = coef2[0] + coef2[1] * at + coef2[2] * at**2
            noise = 2.0 * np.sqrt(rss2 / (n - 3))
            arms = abs(values[0] - values[1]) > noise and abs(values[2] - values[1]) > noise
            if fdtrc(1, n - 3, f_stat) < TREND_ALPHA and inside and arms:
                return "non-monotone"
    with np.errstate(divide="ignore", invalid="ignore"):  # a perfect line: an infinite t, or 0 / 0 when level
        slope_t = np.nan_to_num(coef[1] / np.sqrt(scale2 / sxx), nan=0.0)
    if n <= 2 or 2.0 * stdtr(n - 2, -abs(slope_t)) >= TREND_ALPHA:
        return "flat"
    falling = slope_t < 0
    return "improving" if falling == lower_is_better else "worsening"


def trend_warning(trend: str | None, metric: str) -> tuple[str, ...]:
    """The warning a worsening or non-monotone trend draws (none for the others)."""
    if trend not in ("worsening", "non-monotone"):
        return ()
    verb = "gets worse" if trend == "worsening" else "does not move one way"
    return (
        f"{metric} {verb} with compute across these runs (trend: {trend}): scaling may reverse, as it did for "
        "hindsight neglect in the GPT-4 report, and the extrapolation is not a forecast of the large model",
    )

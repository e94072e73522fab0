"""Compute to reach a value: where a forecast and its confidence band cross a loss or an accuracy.

The interval inverts the pointwise ``ci`` of the forecast (a calibration interval): the computes
at which the band's optimistic edge and its pessimistic edge reach the value. It holds whatever
the ``ci`` holds (law choice, the misspecification check), so it is as honest as the forecasts.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..errors import ConfigError
from ..laws import Array, get_law
from ..results import FitResult, Reach
from ..settings import Target

#: Points per decade of the compute grid on which the band is evaluated.
REACH_PER_DECADE = 25
#: The grid runs from a tenth of the smallest run to this multiple of the largest (targets beyond are refused).
REACH_HORIZON = 1e6


def reach_grid(compute_min: float, compute_max: float) -> Array:
    """Log-spaced computes from ``compute_min / 10`` to ``compute_max * REACH_HORIZON`` (inside the refusal limits).

    The grid spans at least the 7 decades from a tenth of the largest run to ``REACH_HORIZON`` times it.
    """
    low = math.log10(max(compute_min / 10.0, compute_max / REACH_HORIZON * (1 + 1e-9)))
    high = math.log10(compute_max * REACH_HORIZON * (1 - 1e-9))
    return np.asarray(np.logspace(low, high, int((high - low) * REACH_PER_DECADE) + 1), dtype=float)


def _first_crossing(log_grid: Array, curve: Array, value: float, falling: bool) -> tuple[float | None, str]:
    """The first compute at which ``curve`` reaches ``value`` (linear in log compute between grid points)."""
    reached = curve <= value if falling else curve >= value
    if not reached.any():
        return None, "not reached"
    i = int(np.argmax(reached))
    if i == 0:
        return None, "already reached"
    share = (value - curve[i - 1]) / (curve[i] - curve[i - 1])
    return float(np.exp(log_grid[i - 1] + share * (log_grid[i] - log_grid[i - 1]))), "reached"


def crossings(
    values: tuple[float, ...], grid: Array, estimate: Array, low: Array, high: Array, falling: bool
) -> tuple[Reach, ...]:
    """Where ``estimate`` and the band ``[low, high]`` on ``grid`` reach each value of a ``falling`` metric
    (lower is better) or a rising one.

    Notes
    -----
    A falling metric (loss) reaches ``v`` where it drops to ``v``: the band's lower edge first (the
    interval's lower end), its upper edge last. A rising one (accuracy) the other way round; which
    is the law's sense, not the forecast's shape (a flat accuracy below ``v`` has not reached it). A
    bound the band does not reach within the grid is open (``None``); an estimate that does not
    reach ``v`` is ``not reached`` (``v`` lies beyond the law's floor or ceiling, or beyond
    :data:`REACH_HORIZON` times the largest run); one already reached at the grid's start (a tenth of
    the smallest run) is ``already reached``.
    """
    log_grid = np.log(grid)
    early, late = (low, high) if falling else (high, low)
    reaches = []
    for value in values:
        compute, status = _first_crossing(log_grid, estimate, value, falling)
        lower, _ = _first_crossing(log_grid, early, value, falling)
        upper, _ = _first_crossing(log_grid, late, value, falling)
        reaches.append(Reach(value=value, compute=compute, ci=(lower, upper), status=status))
    return tuple(reaches)


def with_reach(result: FitResult, values: tuple[float, ...]) -> FitResult:
    """``result`` with the compute to reach each value of what the law reports (a loss, a pass rate, an accuracy),
    from its own ``ci`` on a grid of computes (the model's forecasts, no refit)."""
    if not values:
        return result
    law = get_law(result.law)
    above = [v for v in values if v > 1.0]
    if law.reported != "loss" and above:
        raise ConfigError(
            f"--reach {above[0]:g}: the {result.law} law reports {law.reported.replace('_', ' ')}, a share "
            "between 0 and 1; give a value of at most 1"
        )
    grid = reach_grid(result.data.compute_min, result.data.compute_max)
    band = result.model.forecast(result, tuple(Target(float(c)) for c in grid), result.level).predictions
    rates = [p.pass_rate for p in band]
    if all(r is not None for r in rates):  # a pass-rate fit reaches a pass rate
        estimate = np.array([r.estimate for r in rates if r is not None])
        bounds = np.array([r.ci for r in rates if r is not None])
    else:
        estimate, bounds = np.array([p.estimate for p in band]), np.array([p.ci for p in band])
    falling = law.sense == "lower"
    reaches = crossings(values, grid, estimate, bounds[:, 0], bounds[:, 1], falling)
    first = result.data.compute_min
    return replace(
        result,  # a value the forecast reaches at or below the smallest run: the runs have already reached it
        reach=tuple(
            replace(r, compute=None, ci=(None, None), status="already reached")
            if r.compute is not None and r.compute <= first
            else r
            for r in reaches
        ),
    )

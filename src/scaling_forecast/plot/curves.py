"""What each figure draws, evaluated from a result without refitting: curves, bands and surfaces.

:mod:`.figures` draws these and evaluates nothing.
"""

from __future__ import annotations

import numpy as np

from ..engine.forecasting import curve_model
from ..laws import Array, get_law
from ..results import Backtest, Comparison, Curve, FitResult
from ..settings import Target

#: Points of a drawn curve.
POINTS = 120
#: Comparisons with more sweeps than this draw only the best ones at the first target (and the baseline).
MAX_SWEEPS_DRAWN = 10


def grid(low: float, high: float, points: int = POINTS) -> Array:
    return np.geomspace(low, high, points)


def curve(result: FitResult, compute: Array, label: str = "") -> Curve:
    """The fitted law along ``compute``: estimate, ``ci`` and ``pi`` of its forecasts (the saved state, no refit)."""
    targets = tuple(Target(float(c)) for c in compute)
    predictions = result.model.forecast(result, targets, result.level).predictions
    return Curve(
        label or str(result.data.sweep or result.law),
        np.asarray(compute, dtype=float),
        np.array([p.estimate for p in predictions]),
        np.array([p.ci for p in predictions]).reshape(-1, 2),
        np.array([p.pi for p in predictions]).reshape(-1, 2),
    )


def runs_of(result: FitResult) -> tuple[Array, Array]:
    """The compute and the fitted metric of the runs a result was fitted to (a result always carries them)."""
    if result.runs is None:
        raise ValueError("this result carries no runs to draw")
    return np.asarray(result.runs.x, dtype=float), np.asarray(result.runs.y, dtype=float)


def fit_curves(result: FitResult) -> tuple[Curve, tuple[Curve, ...]]:
    """The law from below the smallest run to beyond the largest target, and each bucket's law (estimate only)."""
    compute, _ = runs_of(result)
    targets = [p.target for p in result.predictions]
    along = grid(float(compute.min()) / 2.0, max([float(compute.max()) * 2.0, *(t * 1.5 for t in targets)]))
    law = get_law(result.law)
    buckets = []
    for bucket in result.buckets:
        values = law.predict(np.array([[p.estimate for p in bucket.params]]), along)[0]
        buckets.append(Curve(f"{bucket.name} ({bucket.n_problems} problems)", along, values, None, None))
    return curve(result, along), tuple(buckets)


def drawn_fits(comparison: Comparison) -> list[FitResult]:
    """The sweeps a comparison figure draws: all, or the best at the first target and the baseline."""
    fits = list(comparison.fits)
    if len(fits) > MAX_SWEEPS_DRAWN and comparison.comparisons:
        first = comparison.comparisons[0]
        keep = {r.sweep for r in first.ranking[:MAX_SWEEPS_DRAWN]} | {first.baseline}
        fits = [f for f in fits if f.data.sweep in keep]
    return fits


def compare_curves(comparison: Comparison) -> tuple[tuple[Curve, ...], tuple[tuple[float, float], ...]]:
    """Each drawn sweep's law with its ``ci`` band, and where drawn curves cross: ``(compute, value)``."""
    fits = drawn_fits(comparison)
    targets = [c.target for c in comparison.comparisons]
    low = min(float(f.data.compute_min) for f in fits) / 2.0
    high = max([*(float(f.data.compute_max) * 2.0 for f in fits), *(t * 1.5 for t in targets)])
    along = grid(low, high)
    curves = tuple(curve(f, along, str(f.data.sweep)) for f in fits)
    drawn = {str(f.data.sweep): f for f in fits}
    points = tuple(
        (c.compute, float(curve(drawn[c.below], np.array([c.compute])).estimate[0]))
        for c in comparison.crossings
        if c.below in drawn and c.above in drawn
    )
    return curves, points


def backtest_runs(backtest: Backtest) -> tuple[Array, Array]:
    """Every run of a backtest: those its largest window fitted and those held out by any window."""
    compute, y = runs_of(backtest.fits[-1])
    held = {(r.compute, r.actual) for r in backtest.runs} - set(zip(compute.tolist(), y.tolist(), strict=True))
    pairs = sorted(set(zip(compute.tolist(), y.tolist(), strict=True)) | held)
    return np.array([c for c, _ in pairs]), np.array([v for _, v in pairs])


def backtest_curves(backtest: Backtest) -> tuple[Curve, ...]:
    """Each window's fitted law over the runs and the held-out ones."""
    compute, _ = backtest_runs(backtest)
    high = max(float(compute.max()) * 1.5, *(r.compute * 1.5 for r in backtest.runs))
    along = grid(float(compute.min()) / 1.5, high)
    return tuple(curve(fit, along) for fit in backtest.fits)


def allocation_surface(result: FitResult) -> tuple[Array, Array, Array, Curve]:
    """The law over a grid of ``(N, D)`` (``n``, ``d``, loss ``(d, n)``), and its compute-optimal frontier.

    The frontier is a curve of ``N_opt`` (``estimate``) along compute ``C = 6 N D`` across the grid.
    """
    law = get_law(result.law)
    params = np.array([[p.estimate for p in result.params]])
    assert result.runs is not None and result.runs.columns
    columns = np.asarray(result.runs.columns, dtype=float)
    n_values = [*columns[:, 0], *(o.params.estimate for o in result.optima)]
    d_values = [*columns[:, 1], *(o.tokens.estimate for o in result.optima)]
    n_grid = np.geomspace(min(n_values) / 3.0, max(n_values) * 3.0, 160)
    d_grid = np.geomspace(min(d_values) / 3.0, max(d_values) * 3.0, 160)
    mesh = np.log(np.stack(np.meshgrid(n_grid, d_grid), axis=-1)).reshape(-1, 2)
    theta = law.from_user(params, curve_model(result).log_cref)
    loss = np.exp(law.log_predict(theta, mesh)[0]).reshape(d_grid.size, n_grid.size)
    frontier = np.geomspace(6.0 * n_grid[0] * d_grid[0], 6.0 * n_grid[-1] * d_grid[-1], 200)
    optimum = np.array([law.allocation(params, c)["params"][0] for c in frontier])  # type: ignore[index]
    return n_grid, d_grid, loss, Curve("compute-optimal frontier", frontier, optimum, None, None)


def link_curve(result: FitResult) -> tuple[Curve, Array, Array]:
    """A two-step fit's link: accuracy against task loss with its ``ci`` band (the link's bootstrap), over the
    rows and the forecast task losses; and the rows (task loss, accuracy) it was fitted to."""
    link = getattr(result.model, "link", None)
    if link is None:
        raise ValueError(f"the {result.law} law has no link from a task loss to accuracy")
    losses = [link.x.min(), link.x.max()] + [q for p in result.predictions if p.task_loss for q in p.task_loss.ci]
    low, high = float(min(losses)), float(max(losses))
    span = max(high - low, 1e-6)
    along = np.linspace(low - 0.1 * span, high + 0.1 * span, POINTS)
    estimate, draws = link.at(along)
    tail = (1.0 - result.level) / 2.0
    band = np.quantile(draws, [tail, 1.0 - tail], axis=0).T
    return Curve("link", along, estimate, band, None), link.x, link.accuracy

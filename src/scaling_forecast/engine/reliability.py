"""The reliability warnings of a fit: what the runs, the fit and the forecasts leave in doubt, said in one line each."""

from __future__ import annotations

import math

import numpy as np

from ..laws import Array, Law, curve_law
from ..results import DataSummary, Drift, ParameterEstimate, Prediction
from .uncertainty import Uncertainty

#: Thresholds of the reliability warnings.
MIN_DECADES = 1.5
MAX_EXTRAPOLATION = 1000.0
#: Targets this many times beyond (or below) the largest run are refused: no law holds that far.
ABSURD_FACTOR = 1e6
WEAK_IDENTIFICATION_RATIO = 10.0
#: A parameter whose interval is wider than this many times its estimate is not identified at all.
UNIDENTIFIED_WIDTH = 1000.0


def drift_warnings(drift: Drift, compute: Array, misspecification: str, name: str | None = None) -> tuple[str, ...]:
    """The warning of the misspecification check: the ladder drifts, or it has too few runs to tell.

    ``name`` is the law's name as the user knows it (``gpt4`` for the ``passrate`` law fitted to an accuracy).
    """
    shown = name or drift.law
    if drift.too_few:
        distinct = np.unique(compute).size
        return (
            f"only {distinct} runs at distinct compute values: too few for the ladder to test the {shown} law "
            f"on its own larger runs (the misspecification check needs {curve_law(drift.law).n_params + 3}); the "
            "intervals assume the law holds beyond the runs",
        )
    if not drift.warned:
        return ()
    assert drift.excess is not None and drift.worst_error is not None and drift.worst_factor is not None
    action = (
        "the prediction intervals are widened by that rate times the decades beyond the largest run"
        if misspecification == "widen"
        else "the prediction intervals are probably too narrow (--misspecification widen widens them)"
    )
    return (
        f"the ladder's own rolling forecasts drift: the {shown} law fitted to its smaller runs misses the "
        f"larger ones by {drift.excess:.1%} per decade of extrapolation, keeping one sign (p = {drift.p_value:.3f}; "
        f"worst {drift.worst_error:.1%} off at {drift.worst_factor:,.0f}x): the law is probably misspecified; "
        f"{action}",
    )


def data_warnings(
    law: Law, compute: Array, y: Array, data: DataSummary, uncertainty: Uncertainty, converged: bool
) -> tuple[str, ...]:
    warnings = []
    if data.n_runs < law.min_runs:
        warnings.append(
            f"only {data.n_runs} runs (fewer than {law.min_runs}): the intervals rest on "
            f"{uncertainty.dof} degree(s) of freedom; add runs for a reliable forecast"
        )
    if law.design != ("compute",):  # compute alone does not order a law of several columns
        return tuple(warnings) + _fit_warnings(uncertainty, converged)
    decades = math.log10(data.compute_max / data.compute_min)
    if decades < MIN_DECADES - 1e-3:
        warnings.append(
            f"compute spans only {decades:.2f} decades (less than {MIN_DECADES}): the exponent is "
            "poorly constrained; spread the runs over more compute"
        )
    levels, index = np.unique(compute, return_inverse=True)
    means = np.bincount(index, weights=y) / np.bincount(index)
    if data.points is None:
        rises = np.flatnonzero(np.diff(means) >= 0)
    else:  # points are means of m runs: a rise within their noise says nothing
        noise = 3.0 * math.sqrt(2.0) * uncertainty.sigma / math.sqrt(data.n_runs / data.points)
        rises = np.flatnonzero(np.diff(np.log(means)) > noise)
    if rises.size:
        i = int(rises[0])
        warnings.append(
            f"{data.y_column} does not decrease with {data.x_column}: it is {means[i]:.4g} at "
            f"{levels[i]:.3g} and {means[i + 1]:.4g} at {levels[i + 1]:.3g}; check those runs"
        )
    return tuple(warnings) + _fit_warnings(uncertainty, converged)


def _fit_warnings(uncertainty: Uncertainty, converged: bool) -> tuple[str, ...]:
    warnings = []
    if not converged:
        warnings.append("the fit did not converge to its tolerance; the parameters may be inaccurate")
    failed = uncertainty.failed_replicates
    if uncertainty.n_boot and failed > 0.01 * uncertainty.n_boot:
        warnings.append(f"{failed} of {uncertainty.n_boot} bootstrap replicates could not be fitted and were dropped")
    return tuple(warnings)


def identification_warnings(law: Law, params: tuple[ParameterEstimate, ...], level: float) -> tuple[str, ...]:
    warnings = []
    described = dict(law.identified)
    for p in params:
        low, high = p.ci
        if not (np.isfinite(low) and np.isfinite(high)) or high - low > UNIDENTIFIED_WIDTH * abs(p.estimate):
            warnings.append(
                f"parameter {p.name} is not identified by these runs: its {level:.0%} interval [{low:.3g}, {high:.3g}] "
                f"is over {UNIDENTIFIED_WIDTH:,.0f}x its estimate {p.estimate:.3g}, so every interval that leans on "
                "it is not physical; add runs that vary what it governs, or fit a law with fewer parameters"
            )
            continue
        if p.name not in described:
            continue
        low, high = sorted(abs(v) for v in p.ci)
        if low == 0.0 or high / low > WEAK_IDENTIFICATION_RATIO:
            warnings.append(
                f"{described[p.name]} is weakly identified: its {level:.0%} interval "
                f"[{p.ci[0]:.3g}, {p.ci[1]:.3g}] spans more than an order of magnitude; "
                "runs over more compute would pin it down"
            )
    return tuple(warnings)


def extrapolation_warnings(predictions: tuple[Prediction, ...], compute_min: float) -> tuple[str, ...]:
    """Targets far beyond the runs, and targets below the smallest run (a backcast, not a forecast)."""
    far = tuple(
        f"target {p.target:.3g} is {p.extrapolation_factor:,.0f}x beyond the largest run "
        f"(more than {MAX_EXTRAPOLATION:,.0f}x): treat the forecast with caution"
        for p in predictions
        if p.extrapolation_factor > MAX_EXTRAPOLATION * (1 + 1e-9)
    )
    below = tuple(
        f"target {p.target:.3g} is below the smallest run ({compute_min:.3g}): that is a backcast outside the "
        "runs, not a forecast; a gate on it says nothing about a large run"
        for p in predictions
        if p.target < compute_min * (1 - 1e-9)
    )
    return far + below

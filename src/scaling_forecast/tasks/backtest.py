"""Backtests: fit the smaller runs, predict the larger ones, and score the forecasts.

This is how the GPT-4 report validated its method: the final loss of the large run was predicted
from runs with up to 10,000x less compute. A ladder that "scales predictably" is one whose own
larger runs are predicted within a tolerance and inside their prediction intervals.
"""

from __future__ import annotations

import math

import numpy as np

from ..engine.rolling import rolling_origins
from ..errors import ConfigError, DataError, FitError
from ..laws import get_law
from ..results import Backtest, BacktestSummary, HeldOutRun
from ..settings import DEFAULTS, Target
from .ladder import Ladder

MODES = ("holdout", "fraction", "rolling")
#: A rolling backtest fits at most this many windows (ladders of up to 22 runs keep every one).
MAX_ROLLING_WINDOWS = 20
DEFAULT_TOLERANCE: float = DEFAULTS["tolerance"]


def windows(
    compute: np.ndarray,
    names: tuple[str, ...],
    *,
    holdout: int | None = None,
    max_fraction: float | None = None,
    rolling: bool = False,
    min_fitted: int = 2,
    label: str = "<data>",
) -> tuple[str, list[tuple[np.ndarray, np.ndarray]]]:
    """The (fitted, held-out) run indices of each window, runs ordered by compute then name.

    ``holdout=K``: the K largest-compute runs are held out. ``max_fraction=F``: runs with
    ``C <= F * C_max`` are fitted, the rest held out. ``rolling``: for every ``k`` from
    ``min_fitted`` to ``n - 1``, the first ``k`` runs are fitted and all larger ones held out
    (windows whose fitted runs do not reach ``min_fitted`` distinct computes are skipped).
    """
    chosen = [m for m, on in zip(MODES, (holdout is not None, max_fraction is not None, rolling), strict=True) if on]
    if len(chosen) > 1:
        raise ConfigError("give only one of --holdout K, --max-compute-fraction F and --rolling")
    mode = chosen[0] if chosen else "holdout"
    order = np.array(sorted(range(compute.size), key=lambda i: (compute[i], names[i])), dtype=np.intp)
    n = compute.size
    if mode == "holdout":
        k = 1 if holdout is None else holdout
        if not 1 <= k <= n - min_fitted:
            raise ConfigError(f"--holdout {k}: must leave {min_fitted} or more runs to fit, out of {n}")
        return mode, [(order[: n - k], order[n - k :])]
    if mode == "fraction":
        assert max_fraction is not None
        if not 0.0 < max_fraction < 1.0:
            raise ConfigError(f"--max-compute-fraction {max_fraction}: must be between 0 and 1, e.g. 0.001")
        fitted = compute[order] <= max_fraction * compute.max()
        if np.unique(compute[order][fitted]).size < min_fitted:
            raise DataError(
                f"{label}: --max-compute-fraction {max_fraction:g} leaves runs at "
                f"{np.unique(compute[order][fitted]).size} distinct compute values to fit (below "
                f"{max_fraction * compute.max():.3g} FLOP); the law needs {min_fitted}; raise the fraction"
            )
        return mode, [(order[fitted], order[~fitted])]
    origins = rolling_origins(compute[order], min_distinct=min_fitted, max_windows=MAX_ROLLING_WINDOWS)
    result = [(order[:k], order[ahead]) for k, ahead in origins]
    if not result:
        raise DataError(
            f"{label}: --rolling needs runs at more than the law's {min_fitted} distinct compute values; "
            "add runs or use --holdout K"
        )
    return mode, result


def backtest(
    ladder: Ladder,
    *,
    holdout: int | None = None,
    max_fraction: float | None = None,
    rolling: bool = False,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Backtest:
    """Fit the smaller runs of ``ladder`` and score the forecasts of the larger ones."""
    if not (math.isfinite(tolerance) and tolerance > 0):
        raise ConfigError(f"--tolerance {tolerance}: must be a positive fraction, e.g. 0.02 for 2%")
    law = get_law(ladder.settings.resolved().law)
    mode, splits = windows(
        ladder.compute,
        ladder.names,
        holdout=holdout,
        max_fraction=max_fraction,
        rolling=rolling,
        min_fitted=law.min_distinct,
        label=ladder.file,
    )
    fits, held_out, warnings = [], [], []
    for fitted, held in splits:
        targets = tuple(
            Target(float(ladder.compute[i]), point=None if ladder.columns is None else tuple(ladder.columns[i]))
            for i in held
        )
        try:
            result = ladder.fit(fitted, targets)
        except FitError as error:
            if mode != "rolling":
                raise
            warnings.append(f"the window of the {fitted.size} smallest runs could not be fitted: {error}")
            continue
        fits.append(result)
        for i, prediction in zip(held, result.predictions, strict=True):
            held_out.append(
                HeldOutRun(
                    run=ladder.names[i],
                    compute=float(ladder.compute[i]),
                    n_fitted=int(fitted.size),
                    extrapolation_factor=prediction.extrapolation_factor,
                    actual=float(ladder.y[i]),
                    predicted=prediction.estimate,
                    ci=prediction.ci,
                    pi=prediction.pi,
                )
            )
    if not fits:
        raise FitError(f"{ladder.file}: no window of the backtest could be fitted")
    summary = summarise(tuple(held_out), tolerance, fits[-1].level)
    for result in fits:
        warnings += [f"fit of {result.data.n_runs} runs: {w}" for w in result.fit.warnings if w not in warnings]
    return Backtest(mode, tuple(fits), tuple(held_out), summary, tuple(dict.fromkeys(warnings)))


def summarise(runs: tuple[HeldOutRun, ...], tolerance: float, level: float) -> BacktestSummary:
    """Mean and max absolute relative error, coverage, and the verdict.

    The ladder "scales predictably" when every error is within ``tolerance`` and every held-out
    run lies inside its prediction interval; otherwise the verdict names the runs that broke it.
    """
    errors = np.array([r.are for r in runs])
    covered = np.array([r.covered for r in runs])
    in_ci = np.array([r.in_ci for r in runs])
    broken = []
    for r in runs:
        reasons = []
        if r.are > tolerance:
            reasons.append(f"off by {r.are:.2%}")
        if not r.covered:
            reasons.append(f"outside its {level:.0%} PI")
        if reasons:
            broken.append(f"{r.run} from {r.n_fitted} runs ({', '.join(reasons)})")
    passed = not broken
    if passed:
        verdict = f"scales predictably: every held-out run within {tolerance:.1%} and inside its {level:.0%} PI"
    else:
        shown = "; ".join(broken[:5]) + (f"; and {len(broken) - 5} more" if len(broken) > 5 else "")
        verdict = f"does not scale predictably (tolerance {tolerance:.1%}): {shown}"
    return BacktestSummary(
        n_forecasts=len(runs),
        mean_are=float(errors.mean()),
        max_are=float(errors.max()),
        coverage=float(covered.mean()),
        ci_coverage=float(in_ci.mean()),
        tolerance=tolerance,
        passed=passed,
        verdict=verdict,
    )

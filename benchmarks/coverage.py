"""Coverage and width of the default command's 90% intervals in simulation, across ladder shapes and truths.

    python benchmarks/coverage.py [--datasets 300] [--jobs 2]                       # every cell
    python benchmarks/coverage.py --truth no-floor --runs 8 --decades 4 --noise 0.005  # some cells
    python benchmarks/coverage.py --law loss                                        # a fixed law instead

Each cell is a truth (see ``benchmarks/ladders.py``: three well specified, three misspecified) and a
ladder shape: 5, 8 or 12 runs over 2 or 4 decades with 0.5% or 2% log-normal noise. ``datasets``
seeded ladders per cell are fitted exactly as ``forecast fit runs.csv --target 10x --target 100x
--target 1000x`` would (``--law auto``, 2,000 replicates, misspecification check on), unless
``--law`` or ``--bootstrap`` say otherwise. At 10x, 100x and 1000x beyond the largest run the table
prints how often ``ci`` holds the true law and ``pi`` a new noisy run, and the median half-width of
each in log space (about the relative half-width) as a multiple of the best possible: the
delta-method half-width at the TRUE parameters and noise of the generating law (``x best``), and of
the loss law, which nests both generating laws, at the true ``(a, b, c)`` with ``c = 0`` for the
power law (``x nested``): what a forecaster who knew the noise but not whether there is a floor
could reach. ``warned`` is the share of ladders whose forecast carries a misspecification warning:
the drift test fired (on well-specified truths, a false alarm), or there were too few runs to run
it. On misspecified truths, ``pi or warned`` is the share whose ``pi`` holds the new run or that
carry either warning. ``median error`` is the median absolute log error of the estimate.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import norm

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ladders import GENERATING_LAW, TRUTHS, WELL_SPECIFIED, draw_ladder, ladder_compute, true_loss

from scaling_forecast.laws import get_law
from scaling_forecast.settings import FitSettings, Target
from scaling_forecast.tasks.ladder import fit_law

FACTORS = (10.0, 100.0, 1000.0)
GRID = {"runs": (5, 8, 12), "decades": (2.0, 4.0), "noise": (0.005, 0.02)}


def best_half_widths(
    law_name: str, params: tuple[float, ...], compute: np.ndarray, targets: np.ndarray, noise: float, level: float
) -> np.ndarray:
    """Delta-method half-widths at the true law and noise: rows ci, pi; columns the targets."""
    law = get_law(law_name)
    log_cref = float(np.log(compute).mean())
    theta = law.from_user(np.array([params]), log_cref) if params[-1] > 0 or law_name == "power" else None
    if theta is None:  # c = 0: from_user cannot take the log of nothing, so build theta by hand
        theta = np.array([[math.log(params[0]) + params[1] * log_cref, params[1], 0.0]])
    jacobian = law.log_jacobian(theta, np.log(compute) - log_cref)[0]
    covariance = noise**2 * np.linalg.inv(jacobian.T @ jacobian)
    gradient = law.log_jacobian(theta, np.log(targets) - log_cref)[0]
    variance = np.einsum("mp,pq,mq->m", gradient, covariance, gradient)
    z = norm.ppf(0.5 + level / 2)
    return np.vstack([z * np.sqrt(variance), z * np.sqrt(variance + noise**2)])


def drift_flags(result: Any) -> tuple[bool, bool]:
    """Whether the forecast carries the misspecification warning, and whether it is the too-few-runs one."""
    drift = result.fit.drift
    if drift is None:
        return False, False
    if not hasattr(drift, "warned"):  # before the calibrated check
        return drift.ratio > 3.0, False
    return bool(drift.warned), bool(drift.too_few)


def half_width(bounds: tuple[float, float]) -> float:
    """Half the width of an interval in log space (infinite when it reaches 0 or infinity)."""
    low, high = bounds
    return math.log(high / low) / 2 if low > 0 and math.isfinite(high) else math.inf


def run_chunk(job: tuple[str, int, float, float, int, int, int, str, int | None, float]) -> dict[str, np.ndarray]:
    """``count`` seeded ladders of one cell, from ladder ``first``."""
    truth, runs, decades, noise, index, first, count, law, n_boot, level = job
    compute = ladder_compute(truth, runs, decades)
    targets = compute[-1] * np.array(FACTORS)
    truth_at = true_loss(truth, targets, compute[0])
    rows: dict[str, list[Any]] = {"ci": [], "pi": [], "ci_width": [], "pi_width": [], "warned": [], "too_few": []}
    rows["error"] = []
    for i in range(first, first + count):
        rng = np.random.default_rng([index, i])
        compute, loss = draw_ladder(truth, runs, decades, noise, rng)
        new_runs = truth_at * np.exp(rng.normal(0.0, noise, targets.size))
        settings = FitSettings(law=law, seed=i, level=level)
        if n_boot is not None:
            settings = FitSettings(law=law, seed=i, level=level, n_boot=n_boot)
        result = fit_law(compute, loss, settings, tuple(Target(float(t)) for t in targets))
        predictions = result.predictions
        rows["ci"].append([p.ci[0] <= t <= p.ci[1] for p, t in zip(predictions, truth_at, strict=True)])
        rows["pi"].append([p.pi[0] <= t <= p.pi[1] for p, t in zip(predictions, new_runs, strict=True)])
        rows["ci_width"].append([half_width(p.ci) for p in predictions])
        rows["pi_width"].append([half_width(p.pi) for p in predictions])
        rows["error"].append([abs(math.log(p.estimate / t)) for p, t in zip(predictions, truth_at, strict=True)])
        warned, too_few = drift_flags(result)
        rows["warned"].append(warned)
        rows["too_few"].append(too_few)
    return {key: np.array(value) for key, value in rows.items()}


def cell_lines(
    truth: str, runs: int, decades: float, noise: float, data: dict[str, np.ndarray], level: float
) -> list[str]:
    """Table rows of one cell, one per target."""
    compute = ladder_compute(truth, runs, decades)
    targets = compute[-1] * np.array(FACTORS)
    ci_width, pi_width = np.median(data["ci_width"], axis=0), np.median(data["pi_width"], axis=0)
    warned, too_few = data["warned"].mean(), data["too_few"].mean()
    either = data["pi"] | (data["warned"] | data["too_few"])[:, None]
    lines = []
    for j, factor in enumerate(FACTORS):
        cells = [truth, str(runs), f"{decades:g}", f"{noise:.1%}", f"{factor:g}x"]
        cells += [f"{data['ci'][:, j].mean():.3f}", f"{data['pi'][:, j].mean():.3f}"]
        if truth in WELL_SPECIFIED:
            law, params = GENERATING_LAW[truth]
            best = best_half_widths(law, params, compute, targets, noise, level)
            nested_params = params if law == "loss" else (*params, 0.0)
            nested = best_half_widths("loss", nested_params, compute, targets, noise, level)
            cells += [
                f"{ci_width[j]:.2%} ({ci_width[j] / best[0, j]:.2f}x, {ci_width[j] / nested[0, j]:.2f}x)",
                f"{pi_width[j]:.2%} ({pi_width[j] / best[1, j]:.2f}x, {pi_width[j] / nested[1, j]:.2f}x)",
                f"{warned:.2f} / {too_few:.2f}",
                "",
            ]
        else:
            cells += [f"{ci_width[j]:.2%}", f"{pi_width[j]:.2%}", f"{warned:.2f} / {too_few:.2f}"]
            cells.append(f"{either[:, j].mean():.3f}")
        cells.append(f"{np.median(data['error'][:, j]):.2%}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


HEADER = [
    "truth",
    "runs",
    "decades",
    "noise",
    "target",
    "`ci` covers",
    "`pi` covers",
    "`ci` half-width (x best, x nested)",
    "`pi` half-width (x best, x nested)",
    "warned: drift / too few",
    "`pi` or warned",
    "median error",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--truth", nargs="*", choices=TRUTHS, default=list(TRUTHS))
    parser.add_argument("--runs", type=int, nargs="*", default=list(GRID["runs"]))
    parser.add_argument("--decades", type=float, nargs="*", default=list(GRID["decades"]))
    parser.add_argument("--noise", type=float, nargs="*", default=list(GRID["noise"]))
    parser.add_argument("--datasets", type=int, default=300)
    parser.add_argument("--law", default="auto", help="the default, auto; or a fixed law to compare")
    parser.add_argument("--bootstrap", type=int, default=None, help="replicates (default: the command's, 2000)")
    parser.add_argument("--level", type=float, default=0.9)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=50, help="ladders per job")
    options = parser.parse_args()
    cells = list(itertools.product(options.truth, options.runs, options.decades, options.noise))
    jobs = []
    for truth, runs, decades, noise in cells:
        index = TRUTHS.index(truth) * 1000 + runs * 100 + int(decades) * 10 + int(noise * 1000)
        for first in range(0, options.datasets, options.chunk):
            count = min(options.chunk, options.datasets - first)
            settings = (options.law, options.bootstrap, options.level)
            jobs.append((truth, runs, decades, noise, index, first, count, *settings))
    law = "--law auto (the default)" if options.law == "auto" else f"--law {options.law}"
    replicates = options.bootstrap or 2000
    print(f"{options.datasets} ladders per cell, {law}, {replicates} replicates, level {options.level}")
    print("| " + " | ".join(HEADER) + " |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    chunks: dict[tuple[str, int, float, float], list[dict[str, np.ndarray]]] = {}
    summary: dict[str, list[float]] = {"ci": [], "pi": [], "ci_best": [], "warned_well": [], "either": []}
    #: per (ladder, target): was the pi right, did the drift warning fire; pooled per kind of truth
    outcomes: dict[str, list[np.ndarray]] = {"well": [], "mis": []}
    with ProcessPoolExecutor(max_workers=options.jobs) as pool:
        for job, data in zip(jobs, pool.map(run_chunk, jobs), strict=True):
            key = job[:4]
            chunks.setdefault(key, []).append(data)
            if sum(len(d["warned"]) for d in chunks[key]) < options.datasets:
                continue
            parts = chunks.pop(key)
            merged = {name: np.concatenate([d[name] for d in parts]) for name in data}
            print("\n".join(cell_lines(*key, merged, options.level)), flush=True)
            kind = "well" if key[0] in WELL_SPECIFIED else "mis"
            warned_each = np.broadcast_to(merged["warned"][:, None], merged["pi"].shape)
            outcomes[kind].append(np.stack([merged["pi"].ravel(), warned_each.ravel()]))
            if key[0] in WELL_SPECIFIED:
                summary["ci"] += list(merged["ci"].mean(axis=0))
                summary["pi"] += list(merged["pi"].mean(axis=0))
                summary["warned_well"].append(float(merged["warned"].mean()))
            else:
                warned = merged["warned"] | merged["too_few"]
                summary["either"] += list((merged["pi"] | warned[:, None]).mean(axis=0))
    if summary["ci"]:
        se = math.sqrt(0.09 / options.datasets)
        ci, pi = np.array(summary["ci"]), np.array(summary["pi"])
        print(
            f"\nwell specified, {ci.size} rows: ci covers {ci.min():.3f} to {ci.max():.3f} (mean {ci.mean():.3f}), "
            f"pi {pi.min():.3f} to {pi.max():.3f} (mean {pi.mean():.3f}); rows in [0.88, 0.92]: ci "
            f"{int(((ci >= 0.88) & (ci <= 0.92)).sum())}, pi {int(((pi >= 0.88) & (pi <= 0.92)).sum())}; "
            f"within 2 Monte Carlo s.e. ({2 * se:.3f}) of [0.88, 0.92]: ci "
            f"{int(((ci >= 0.88 - 2 * se) & (ci <= 0.92 + 2 * se)).sum())}, "
            f"pi {int(((pi >= 0.88 - 2 * se) & (pi <= 0.92 + 2 * se)).sum())}; "
            f"warned (false alarms) {np.mean(summary['warned_well']):.3f} on average, "
            f"at most {np.max(summary['warned_well']):.3f} in a cell"
        )
    for kind, label in (("well", "well specified"), ("mis", "misspecified")):
        if outcomes[kind]:
            covered, warned = np.concatenate(outcomes[kind], axis=1).astype(bool)
            print(
                f"{label}: the drift warning fired on {warned[covered].mean():.1%} of forecasts whose pi held the "
                f"new run ({covered.sum()}) and on {warned[~covered].mean() if (~covered).any() else 0.0:.1%} of those "
                f"whose pi missed it ({(~covered).sum()})"
            )
    if summary["either"]:
        either = np.array(summary["either"])
        print(
            f"misspecified, {either.size} rows: pi covers or warned {either.min():.3f} to {either.max():.3f} "
            f"(mean {either.mean():.3f}); rows at 0.90 or more: {int((either >= 0.9).sum())}"
        )


if __name__ == "__main__":
    main()

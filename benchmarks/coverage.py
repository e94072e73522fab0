"""Coverage and width of the 90% intervals in simulation from a known law, across realistic ladders.

    python benchmarks/coverage.py [--datasets 200] [--bootstrap 1000] [--jobs 2]
    python benchmarks/coverage.py --runs 8 --decades 3 --noise 0.01 --view floor   # one cell

Each cell is a ladder shape: ``runs`` runs spread evenly in log compute over ``decades`` decades,
log-normal noise ``noise``, and the loss law L = 777 C^-0.155 + 1.8 seen either with its floor in
view (runs from 1e17 FLOP, where the floor is most of the loss) or without (runs from 1e13 FLOP,
where the power-law part is 80% of the loss or more). ``datasets`` seeded ladders are drawn per
cell and fitted with ``--law loss`` and the default intervals. At 10x, 100x and 1000x beyond the
largest run the table prints how often ``ci`` holds the true law and ``pi`` a new noisy run, and
the median half-width of each in log space (about the relative half-width), also as a ratio to
the best possible: the delta-method half-width at the TRUE parameters and noise,
``z sqrt(g' s^2 (J'J)^-1 g)`` (plus ``s^2`` under the root for ``pi``), which only a simulation knows.
"""

from __future__ import annotations

import argparse
import itertools
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy.stats import norm

from scaling_forecast.forecast import FitSettings, Target, fit_law
from scaling_forecast.laws import get_law

FACTORS = (10.0, 100.0, 1000.0)
TRUE = (777.0, -0.155, 1.8)
STARTS = {"floor": 1e17, "no-floor": 1e13}
GRID = {"runs": (5, 8, 12), "decades": (2.0, 4.0), "noise": (0.005, 0.03), "view": ("floor", "no-floor")}


def truth(compute: np.ndarray) -> np.ndarray:
    a, b, c = TRUE
    return a * compute**b + c


def best_half_widths(compute: np.ndarray, targets: np.ndarray, noise: float, level: float) -> np.ndarray:
    """Delta-method half-widths at the true law and noise: rows ci, pi; columns the targets."""
    law = get_law("loss")
    log_cref = float(np.log(compute).mean())
    theta = law.from_user(np.array([TRUE]), log_cref)
    jacobian = law.log_jacobian(theta, np.log(compute) - log_cref)[0]
    covariance = noise**2 * np.linalg.inv(jacobian.T @ jacobian)
    gradient = law.log_jacobian(theta, np.log(targets) - log_cref)[0]
    variance = np.einsum("mp,pq,mq->m", gradient, covariance, gradient)
    z = norm.ppf(0.5 + level / 2)
    return np.vstack([z * np.sqrt(variance), z * np.sqrt(variance + noise**2)])


def run_cell(cell: tuple[int, float, float, str, int, int, float, int]) -> list[str]:
    runs, decades, noise, view, datasets, n_boot, level, index = cell
    compute = np.geomspace(STARTS[view], STARTS[view] * 10**decades, runs)
    targets = compute[-1] * np.array(FACTORS)
    best = best_half_widths(compute, targets, noise, level)
    hits = np.zeros((2, len(FACTORS)))
    widths = []
    for i in range(datasets):
        rng = np.random.default_rng([index, i])
        loss = truth(compute) * np.exp(rng.normal(0.0, noise, runs))
        new_runs = truth(targets) * np.exp(rng.normal(0.0, noise, targets.size))
        settings = FitSettings(law="loss", n_boot=n_boot, seed=i, level=level)
        result = fit_law(compute, loss, settings, tuple(Target(float(t)) for t in targets))
        for j, p in enumerate(result.predictions):
            hits[0, j] += p.ci[0] <= truth(targets[j : j + 1])[0] <= p.ci[1]
            hits[1, j] += p.pi[0] <= new_runs[j] <= p.pi[1]
        widths.append(
            [
                [np.log(p.ci[1] / p.ci[0]) / 2 for p in result.predictions],
                [np.log(p.pi[1] / p.pi[0]) / 2 for p in result.predictions],
            ]
        )
    median = np.median(np.array(widths), axis=0)
    lines = []
    for j, factor in enumerate(FACTORS):
        lines.append(
            f"| {runs} | {decades:g} | {noise:.1%} | {view} | {factor:g}x | {hits[0, j] / datasets:.3f} | "
            f"{hits[1, j] / datasets:.3f} | {median[0, j]:.2%} ({median[0, j] / best[0, j]:.2f}x) | "
            f"{median[1, j]:.2%} ({median[1, j] / best[1, j]:.2f}x) |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="*", default=list(GRID["runs"]))
    parser.add_argument("--decades", type=float, nargs="*", default=list(GRID["decades"]))
    parser.add_argument("--noise", type=float, nargs="*", default=list(GRID["noise"]))
    parser.add_argument("--view", nargs="*", choices=list(STARTS), default=list(GRID["view"]))
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--level", type=float, default=0.9)
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args()
    cells = [
        (runs, decades, noise, view, options.datasets, options.bootstrap, options.level, index)
        for index, (view, decades, noise, runs) in enumerate(
            itertools.product(options.view, options.decades, options.noise, options.runs)
        )
    ]
    print(f"{options.datasets} datasets per cell, {options.bootstrap} replicates, level {options.level}")
    columns = ["runs", "decades", "noise", "view", "target", "`ci` covers", "`pi` covers"]
    columns += ["`ci` half-width (x best)", "`pi` half-width (x best)"]
    print("| " + " | ".join(columns) + " |")
    print("|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    with ProcessPoolExecutor(max_workers=options.jobs) as pool:
        for lines in pool.map(run_cell, cells):
            print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()

"""Speed and exactness of the Chinchilla fit against the 4,500-start reference grid.

    python benchmarks/chinchilla_speed.py [--bootstrap 1000]

Uses the 240 Chinchilla points of ../shared/data/chinchilla (5 highest losses dropped) when
present, else 240 synthetic runs from Hoffmann et al.'s law. Prints the time and objective of
(1) the reference protocol: scipy L-BFGS-B from every point of the 4,500-point grid, keeping the
best (with the analytic gradient, which is faster than the finite differences of public code),
(2) this package's fit (batched scan of the grid, 20 polished starts), their relative difference,
and (3) the time of the case-bootstrap refits.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from scaling_forecast.chinchilla import (
    REFERENCE_GRID,
    TwoVariableRuns,
    _objective_and_gradient,
    fit_chinchilla,
)
from scaling_forecast.runs import load_two_variable

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "chinchilla" / "chinchilla_points.csv"


def load() -> tuple[TwoVariableRuns, str]:
    if DATA.is_file():
        runs, _ = load_two_variable(DATA, drop_highest=5)
        return runs, f"{DATA} (240 points)"
    rng = np.random.default_rng(0)
    n = np.exp(rng.uniform(np.log(4e7), np.log(1.6e10), 240))
    d = n * np.exp(rng.uniform(np.log(2.0), np.log(200.0), 240))
    loss = (1.69 + 406.4 / n**0.34 + 410.7 / d**0.28) * np.exp(rng.normal(0, 0.01, 240))
    return TwoVariableRuns(n, d, loss, tuple(map(str, range(240)))), "240 synthetic runs (../shared absent)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args()
    runs, source = load()
    log_n, log_d, log_l = np.log(runs.params), np.log(runs.tokens), np.log(runs.loss)
    ones = np.ones(log_l.size)
    print(f"data: {source}")
    start = time.perf_counter()
    reference = np.inf
    for point in REFERENCE_GRID:
        solution = minimize(
            _objective_and_gradient, point, args=(log_n, log_d, log_l, ones, "huber", 1e-3), jac=True, method="L-BFGS-B"
        )
        reference = min(reference, float(solution.fun))
    reference_time = time.perf_counter() - start
    start = time.perf_counter()
    fit = fit_chinchilla(runs, n_boot=0)
    fit_time = time.perf_counter() - start
    print(f"reference grid (4,500 L-BFGS-B starts): {reference_time:8.2f} s   objective {reference:.12g}")
    print(f"this package's fit:                     {fit_time:8.2f} s   objective {fit.objective:.12g}")
    print(f"(fit - reference) / reference:          {(fit.objective - reference) / reference:+.2e}")
    print(f"speed-up:                               {reference_time / fit_time:8.1f}x")
    start = time.perf_counter()
    boot = fit_chinchilla(runs, n_boot=args.bootstrap)
    boot_time = time.perf_counter() - start - fit_time
    assert boot.boot_theta is not None
    print(f"{args.bootstrap} case-bootstrap refits:              {boot_time:8.2f} s (after the fit)")


if __name__ == "__main__":
    main()

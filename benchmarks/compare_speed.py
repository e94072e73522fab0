"""Speed of ``compare_sweeps``: many sweeps of 8 runs, 1,000 bootstrap replicates each.

Run: ``python benchmarks/compare_speed.py [--sweeps 1000] [--runs 8] [--bootstrap 1000]``.
Prints the wall time, sweeps per second and the share of replicates that failed. Each sweep has
its own compute values (a jittered ladder over 3 to 4 decades) and its own law, with 0.5% noise.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from scaling_forecast.settings import FitSettings, parse_target
from scaling_forecast.tasks.compare import Sweep, compare_sweeps


def make_sweeps(n_sweeps: int, n_runs: int, seed: int) -> list[Sweep]:
    rng = np.random.default_rng(seed)
    sweeps = []
    for i in range(n_sweeps):
        low = 10 ** rng.uniform(16.5, 17.5)
        compute = np.geomspace(low, low * 10 ** rng.uniform(3.0, 4.0), n_runs) * np.exp(rng.normal(0, 0.05, n_runs))
        a, b, c = 777.0 * rng.uniform(0.5, 2.0), -0.155 * rng.uniform(0.8, 1.2), 1.8 * rng.uniform(0.9, 1.1)
        loss = (a * compute**b + c) * np.exp(rng.normal(0.0, 0.005, n_runs))
        sweeps.append(Sweep(f"sweep-{i:04d}", compute, loss))
    return sweeps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweeps", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sweeps = make_sweeps(args.sweeps, args.runs, args.seed)
    settings = FitSettings(n_boot=args.bootstrap, seed=args.seed)
    compare_sweeps(sweeps[:3], settings, (parse_target("1e24"),))  # warm up imports
    start = time.perf_counter()
    result = compare_sweeps(sweeps, settings, (parse_target("1e24"),))
    elapsed = time.perf_counter() - start
    failed = sum(f.fit.failed_replicates for f in result.fits)
    fits = args.sweeps * (args.bootstrap + 1)
    print(f"sweeps x runs x replicates: {args.sweeps} x {args.runs} x {args.bootstrap}")
    print(f"wall time:                  {elapsed:.2f} s")
    print(f"sweeps per second:          {args.sweeps / elapsed:,.0f}")
    print(f"fits per second:            {fits / elapsed:,.0f}")
    print(f"failed replicates:          {failed} of {args.sweeps * args.bootstrap}")
    print(f"best at 1e24:               {result.comparisons[0].ranking[0].sweep}")


if __name__ == "__main__":
    main()

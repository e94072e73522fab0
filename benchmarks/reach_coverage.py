"""Does the 90% interval of ``--reach`` hold the true compute about 90% of the time? Default law (auto).

Run: ``python benchmarks/reach_coverage.py [--ladders 100] [--runs 8] [--noise 0.01] [--factor 100]``.
Each ladder is ``L = 1.8 + 777 * C^-0.155`` (``C`` in FLOP) at ``--runs`` computes log-spaced over 3
decades from 1e17, with log-normal noise. The value to reach is the true loss at ``--factor`` times
the largest run, so the true compute is known; each ladder is fitted as ``forecast fit FILE --reach
VALUE`` does (the default procedure, 2,000 replicates, seed = ladder number). Prints the coverage
of the 90% interval, how often each end was open, how often the true compute fell below or above
the interval, and the median width in decades.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from scaling_forecast.engine.reach import with_reach
from scaling_forecast.settings import FitSettings
from scaling_forecast.tasks.ladder import fit_law

FLOOR, COEFFICIENT, EXPONENT = 1.80, 777.0, -0.155  # the example ladder's law (benchmarks/compare_calibration.py)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ladders", type=int, default=100)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--noise", type=float, default=0.01)
    parser.add_argument("--factor", type=float, default=100.0)
    args = parser.parse_args()
    compute = np.geomspace(1e17, 1e20, args.runs)
    truth = compute[-1] * args.factor
    value = FLOOR + COEFFICIENT * truth**EXPONENT
    covered = below = above = open_low = open_high = 0
    widths = []
    start = time.perf_counter()
    for seed in range(args.ladders):
        rng = np.random.default_rng(seed)
        loss = (FLOOR + COEFFICIENT * compute**EXPONENT) * np.exp(rng.normal(0.0, args.noise, args.runs))
        result = with_reach(fit_law(compute, loss, FitSettings(seed=seed), ()), (value,))
        low, high = result.reach[0].ci
        open_low += low is None
        open_high += high is None
        low_ok, high_ok = low is None or low <= truth, high is None or truth <= high
        covered += low_ok and high_ok
        below += not low_ok
        above += not high_ok
        if low is not None and high is not None:
            widths.append(math.log10(high / low))
    n = args.ladders
    print(f"{n} ladders of {args.runs} runs, {args.noise:.1%} noise; value: the true loss at {args.factor:g}x")
    print(f"90% interval holds the true compute: {covered / n:.3f}")
    print(f"truth below the interval: {below / n:.3f}; above it: {above / n:.3f}")
    print(f"open lower end: {open_low / n:.3f}; open upper end: {open_high / n:.3f}")
    if widths:
        print(f"median width of closed intervals: {np.median(widths):.2f} decades")
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

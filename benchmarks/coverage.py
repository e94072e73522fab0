"""Coverage of the 90% intervals in simulation from a known law.

    python benchmarks/coverage.py [--runs 8] [--noise 0.01] [--decades 3] [--datasets 200] [--law loss]

Draws seeded ladders from L = 777 C^-0.155 + 1.8 (or the pure power law) with log-normal noise,
fits each with both uncertainty methods, and prints, at 10x, 100x and 1000x beyond the largest
run, how often ``ci`` contains the true law and ``pi`` a new noisy run, with the median relative
half-width of ``ci``.
"""

from __future__ import annotations

import argparse

import numpy as np

from scaling_forecast.forecast import FitSettings, fit_law, parse_target

FACTORS = (10.0, 100.0, 1000.0)


def truth(compute: np.ndarray, law: str) -> np.ndarray:
    return 777.0 * compute**-0.155 + (1.8 if law == "loss" else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--noise", type=float, default=0.01)
    parser.add_argument("--decades", type=float, default=3.0)
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--law", choices=["loss", "power"], default="loss")
    parser.add_argument("--level", type=float, default=0.9)
    options = parser.parse_args()
    rng = np.random.default_rng(20261123)
    compute = np.geomspace(1e17, 1e17 * 10**options.decades, options.runs)
    targets = compute[-1] * np.array(FACTORS)
    print(
        f"{options.law} law, {options.runs} runs over {options.decades:g} decades, {options.noise:.1%} noise, "
        f"{options.datasets} datasets, level {options.level}"
    )
    print(f"{'method':<10} {'factor':>7} {'ci cover':>9} {'pi cover':>9} {'ci half-width':>14}")
    datasets = [
        (
            truth(compute, options.law) * np.exp(rng.normal(0, options.noise, compute.size)),
            truth(targets, options.law) * np.exp(rng.normal(0, options.noise, targets.size)),
        )
        for _ in range(options.datasets)
    ]
    for method in ("bootstrap", "delta"):
        ci_hits, pi_hits, widths = np.zeros(3), np.zeros(3), []
        settings = FitSettings(law=options.law, method=method, n_boot=options.bootstrap, level=options.level)
        for i, (loss, new_runs) in enumerate(datasets):
            result = fit_law(
                compute,
                loss,
                FitSettings(**{**settings.__dict__, "seed": i}),
                tuple(parse_target(f"{f:g}x") for f in FACTORS),
            )
            for j, p in enumerate(result.predictions):
                ci_hits[j] += p.ci[0] <= truth(targets[j : j + 1], options.law)[0] <= p.ci[1]
                pi_hits[j] += p.pi[0] <= new_runs[j] <= p.pi[1]
            widths.append([(p.ci[1] - p.ci[0]) / 2 / p.estimate for p in result.predictions])
        median_width = np.median(widths, axis=0)
        for j, factor in enumerate(FACTORS):
            print(
                f"{method:<10} {factor:>6g}x {ci_hits[j] / len(datasets):>9.3f} {pi_hits[j] / len(datasets):>9.3f} "
                f"{median_width[j]:>13.2%}"
            )


if __name__ == "__main__":
    main()

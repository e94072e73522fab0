"""Coverage of the capability law's intervals in simulation.

    python benchmarks/passrate_coverage.py [--models 4] [--problems 60] [--method bootstrap] [--datasets 150]

Each data set draws a fresh problem set (``alpha_j`` log-normal with mean 2000, so the population
law is ``-E[log pass_rate] = 2000 C^-0.2``) and models at 1e19 to 1e21 FLOP whose pass rates
``exp(-alpha_j C^-0.2)`` carry a model-level scatter (exponent times ``exp(N(0, 0.03))``, like
training seeds). Prints how often the 90% ``ci`` at 10x and 100x contains the population law.
"""

from __future__ import annotations

import argparse

import numpy as np

from scaling_forecast.engine.passrates import PassRateRuns
from scaling_forecast.settings import FitSettings, parse_target
from scaling_forecast.tasks.fit import fit_pass_rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=4)
    parser.add_argument("--problems", type=int, default=60)
    parser.add_argument("--method", choices=["bootstrap", "delta"], default="bootstrap")
    parser.add_argument("--datasets", type=int, default=150)
    options = parser.parse_args()
    rng = np.random.default_rng(1)
    compute = np.geomspace(1e19, 1e21, options.models)
    mean_alpha, exponent, spread = 2000.0, 0.2, 0.5
    factors = (10.0, 100.0)
    hits, widths = np.zeros(len(factors)), []
    for seed in range(options.datasets):
        alpha = mean_alpha * np.exp(spread * rng.standard_normal(options.problems) - spread**2 / 2)
        scatter = np.exp(rng.normal(0.0, 0.03, (options.models, 1)))
        rates = np.clip(np.exp(-np.outer(compute**-exponent, alpha)) ** scatter, 1e-12, 1.0)
        runs = PassRateRuns(
            compute=compute,
            names=tuple(f"m{i}" for i in range(options.models)),
            rates=rates,
            problems=tuple(f"p{j}" for j in range(options.problems)),
            per_problem=True,
            smoothed=None,
            x_column="compute",
            file="<simulated>",
            k=1,
        )
        settings = FitSettings(method=options.method, n_boot=500, seed=seed)
        result = fit_pass_rates(runs, settings, tuple(parse_target(f"{f:g}x") for f in factors))
        for i, prediction in enumerate(result.predictions):
            truth = mean_alpha * prediction.target**-exponent
            hits[i] += prediction.ci[0] <= truth <= prediction.ci[1]
        widths.append([(p.ci[1] - p.ci[0]) / 2 / p.estimate for p in result.predictions])
    median = np.median(widths, axis=0)
    print(f"{options.models} models, {options.problems} problems, {options.method}, {options.datasets} data sets")
    for i, factor in enumerate(factors):
        print(f"{factor:>6g}x  ci covers {hits[i] / options.datasets:.3f}  median relative half-width {median[i]:.1%}")


if __name__ == "__main__":
    main()

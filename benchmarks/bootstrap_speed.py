"""Batched bootstrap versus a Python loop over scipy.optimize.curve_fit, and CLI start-up times.

    python benchmarks/bootstrap_speed.py [--replicates 2000] [--repeats 3]

Both fit the same objective (least squares on log residuals of L = a C^b + c, bounds a > 0,
b < 0, c >= 0) to the same residual-bootstrap replicates of an 8-run ladder; the loop starts each
curve_fit from the fitted parameters, as a hand-written bootstrap would. Prints the speed-up,
the worst objective of the engine relative to the loop's, and end-to-end command timings.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
from scipy.optimize import curve_fit

from scaling_forecast.engine.fitting import LEAST_SQUARES, fit_batch
from scaling_forecast.engine.uncertainty import adjusted_residuals
from scaling_forecast.laws import SaturatingPowerLaw

ROOT = Path(__file__).resolve().parents[1]


def replicates(n_boot: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    compute = np.geomspace(1e17, 1e21, 8)
    log_y = np.log(777.0 * compute**-0.155 + 1.8) + rng.normal(0.0, 0.005, compute.size)
    log_x = np.log(compute) - np.log(compute).mean()
    law = SaturatingPowerLaw()
    theta = fit_batch(law, log_x, log_y[None]).theta[0]
    fitted = law.log_predict(theta[None], log_x)[0]
    pool = adjusted_residuals(law, theta, log_x, log_y - fitted)
    return log_x, fitted[None] + pool[rng.integers(0, pool.size, (n_boot, pool.size))], theta


def log_law(log_x: np.ndarray, log_a: float, b: float, c: float) -> np.ndarray:
    return np.log(np.exp(log_a + b * log_x) + c)


def loop_fit(log_x: np.ndarray, log_y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    out = np.empty_like(log_y[:, :3])
    for i, row in enumerate(log_y):
        out[i], _ = curve_fit(
            log_law, log_x, row, p0=theta, bounds=([-np.inf, -20.0, 0.0], [np.inf, -1e-6, np.inf]), maxfev=10_000
        )
    return out


def best_of(repeats: int, function: object, *args: object) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function(*args)  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times), result


def command_seconds(args: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(args, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    law = SaturatingPowerLaw()
    log_x, log_y, theta = replicates(options.replicates)

    engine_s, engine = best_of(options.repeats, lambda: fit_batch(law, log_x, log_y, warm_start=theta))
    loop_s, loop_theta = best_of(1, loop_fit, log_x, log_y, theta)
    engine_obj = engine.objective  # type: ignore[attr-defined]
    loop_obj = LEAST_SQUARES(log_y - law.log_predict(loop_theta, log_x))
    relative = (engine_obj - loop_obj) / loop_obj
    print(f"replicates: {options.replicates} of an 8-run ladder (L = a C^b + c, log least squares)")
    print(f"batched engine:        {engine_s * 1e3:8.1f} ms")
    print(f"curve_fit loop:        {loop_s * 1e3:8.1f} ms")
    print(f"speed-up:              {loop_s / engine_s:8.1f}x")
    print(f"engine objective worse than loop by > 1e-9 relative: {(relative > 1e-9).sum()} of {relative.size}")
    better = (relative < -1e-9).sum()
    print(f"worst (engine - loop) / loop objective: {relative.max():.2e}; engine strictly better on {better}")

    forecast = shutil.which("forecast")
    if forecast is None:
        print("forecast is not installed in this environment: skipping command timings")
        return
    fit_s = command_seconds([forecast, "fit", "examples/runs.csv"], options.repeats + 2)
    help_s = command_seconds([forecast, "--help"], options.repeats + 2)
    print(f"forecast fit examples/runs.csv (2,000 replicates, end to end): {fit_s:.2f} s")
    print(f"forecast --help:                                          {help_s:.2f} s")


if __name__ == "__main__":
    main()

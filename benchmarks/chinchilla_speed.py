"""Speed and exactness of the Chinchilla fit against the 4,500-start reference grid.

    python benchmarks/chinchilla_speed.py [--bootstrap 1000]

Uses the 240 Chinchilla points of ../shared/data/chinchilla (5 highest losses dropped) when
present, else 240 synthetic runs from Hoffmann et al.'s law. Prints the time and objective of
(1) the reference protocol: scipy L-BFGS-B from every point of the 4,500-point grid, keeping the
best (with an analytic gradient written here, independently of the package's law),
(2) this package's fit (batched scan of the grid, 20 polished starts), their relative difference,
(3) the time of the fit with its case-bootstrap refits (``fit_law``, all replicates in one batch), and
(4) ``forecast optimal FILE --budget 5.88e23`` end to end with default options, as a fresh process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from scaling_forecast.engine.fitting import Objective, fit_batch, refine
from scaling_forecast.engine.runs import Runs
from scaling_forecast.laws import CHINCHILLA_GRID, ChinchillaLaw
from scaling_forecast.readers.runs import load_two_variable
from scaling_forecast.settings import FitSettings
from scaling_forecast.tasks.ladder import fit_law

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "chinchilla" / "chinchilla_points.csv"


def load() -> tuple[Runs, str]:
    if DATA.is_file():
        runs, _ = load_two_variable(DATA, drop_highest=5)
        return runs, f"{DATA} (240 points)"
    rng = np.random.default_rng(0)
    n = np.exp(rng.uniform(np.log(4e7), np.log(1.6e10), 240))
    d = n * np.exp(rng.uniform(np.log(2.0), np.log(200.0), 240))
    loss = (1.69 + 406.4 / n**0.34 + 410.7 / d**0.28) * np.exp(rng.normal(0, 0.01, 240))
    runs = Runs(
        6 * n * d, loss, tuple(map(str, range(240))), "compute", "loss", "<synthetic>", columns=np.column_stack([n, d])
    )
    return runs, "240 synthetic runs (../shared absent)"


def fit(runs: Runs, n_boot: int) -> tuple[float, int]:
    """The default command's fit with ``n_boot`` case-bootstrap replicates: its objective and failed replicates."""
    result = fit_law(runs.x, runs.y, FitSettings(law="chinchilla", n_boot=n_boot), (), columns=runs.columns)
    return result.fit.objective, result.fit.failed_replicates


def huber_objective(
    theta: np.ndarray, log_n: np.ndarray, log_d: np.ndarray, log_l: np.ndarray
) -> tuple[float, np.ndarray]:
    """Summed Huber loss (delta 1e-3) of ``log L - LSE(a - alpha log N, b - beta log D, e)``, and its gradient."""
    a, b, e, alpha, beta = theta
    terms = np.stack([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)])
    top = terms.max(axis=0)
    weights = np.exp(terms - top)
    total = weights.sum(axis=0)
    residual = log_l - (top + np.log(total))
    magnitude = np.abs(residual)
    loss = np.where(magnitude <= 1e-3, 0.5 * residual**2, 1e-3 * (magnitude - 5e-4))
    psi = np.clip(residual, -1e-3, 1e-3)
    share = weights / total
    gradient = -np.array(
        [share[0] @ psi, share[1] @ psi, share[2] @ psi, -(share[0] * log_n) @ psi, -(share[1] * log_d) @ psi]
    )
    return float(loss.sum()), gradient


def point_fit(runs: Runs) -> float:
    """The objective of the package's point fit (batched scan of the grid, 20 polished starts)."""
    law = ChinchillaLaw()
    design, log_y = np.log(runs.columns), np.log(runs.y)[None, :]  # type: ignore[arg-type]
    huber = Objective("huber")
    best = refine(law, design, log_y, fit_batch(law, design, log_y, objective=huber), objective=huber)
    return float(best.objective[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--skip-reference", action="store_true", help="skip the 4,500-start reference (minutes)")
    args = parser.parse_args()
    runs, source = load()
    assert runs.columns is not None
    log_n, log_d, log_l = np.log(runs.columns[:, 0]), np.log(runs.columns[:, 1]), np.log(runs.y)
    print(f"data: {source}")
    start = time.perf_counter()
    objective = point_fit(runs)
    fit_time = time.perf_counter() - start
    print(f"this package's fit:                     {fit_time:8.2f} s   objective {objective:.12g}")
    if not args.skip_reference:
        bounds = [(None, None)] * 3 + [(0.0, None)] * 2
        start = time.perf_counter()
        reference = np.inf
        for point in CHINCHILLA_GRID:
            solution = minimize(
                huber_objective, point, args=(log_n, log_d, log_l), jac=True, method="L-BFGS-B", bounds=bounds
            )
            reference = min(reference, float(solution.fun))
        reference_time = time.perf_counter() - start
        print(f"reference grid (4,500 L-BFGS-B starts): {reference_time:8.2f} s   objective {reference:.12g}")
        print(f"(fit - reference) / reference:          {(objective - reference) / reference:+.2e}")
        print(f"speed-up:                               {reference_time / fit_time:8.1f}x")
    start = time.perf_counter()
    _, failed = fit(runs, args.bootstrap)
    boot_time = time.perf_counter() - start
    print(f"fit + {args.bootstrap} case-bootstrap refits:       {boot_time:8.2f} s ({failed} failed replicates)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "runs.csv"
        rows = [f"{n:.17g},{d:.17g},{loss:.17g}" for (n, d), loss in zip(runs.columns, runs.y, strict=True)]
        path.write_text("params,tokens,loss\n" + "\n".join(rows) + "\n", encoding="utf-8")
        command = [str(Path(sys.executable).with_name("forecast")), "optimal", str(path), "--budget", "5.88e23"]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        elapsed = time.perf_counter() - start
        print(f"forecast optimal FILE --budget 5.88e23:  {elapsed:8.2f} s (end to end, default options)")


if __name__ == "__main__":
    main()

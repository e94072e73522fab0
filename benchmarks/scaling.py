"""How time and peak memory grow with the size of the input, for the default commands as a user types them.

    python benchmarks/scaling.py [--quick] [--timeout 300]

Writes synthetic files to a temporary folder and runs, as fresh processes (process start included):

* ``forecast fit FILE`` on 10 / 100 / 1,000 / 10,000 / 100,000 runs of ``L = 2 + 50 C^-0.15`` with
  1% log-normal noise, spread log-uniformly over 4 decades (the issue's ladder);
* ``forecast compare FILE --by sweep --target 1e24`` on 10 / 100 / 1,000 / 10,000 sweeps of 8 runs;
* ``forecast optimal FILE --budget 1e23`` on 10 / 100 / 1,000 / 10,000 runs of a Chinchilla law
  (``E = 1.69, A = 406.4, B = 410.7, alpha = 0.34, beta = 0.28``, 1% noise);
* ``forecast fit FILE`` on pass-rate files of 164 x 8, 1,000 x 20 and 10,000 x 50 problems x runs;
* ``forecast optimal`` on the 240 real Chinchilla points in ``../shared/data`` when present.

Peak memory is the child's maximum resident set (``os.wait4``). Each figure is followed by the growth
exponent ``log(t2 / t1) / log(n2 / n1)`` from the size before. A run past ``--timeout`` is stopped and
shown as such. ``--quick`` stops each series one size earlier.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "chinchilla" / "chinchilla_points.csv"
RUN = "from scaling_forecast.cli import main; main()"


def measure(args: list[str], timeout: float) -> tuple[float | None, float, int]:
    """Wall seconds (None past the timeout), peak resident MB and exit code of ``forecast ARGS``."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", RUN, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            child.kill()
            pid, status, usage = os.wait4(child.pid, 0)
            return None, usage.ru_maxrss / 1024, -9
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, child.returncode


def ladder(path: Path, n: int, rng: np.random.Generator) -> None:
    compute = 10 ** rng.uniform(17, 21, n)
    loss = (2.0 + 50.0 * compute**-0.15) * np.exp(rng.normal(0.0, 0.01, n))
    lines = [f"{c:.6g},{v:.6g}\n" for c, v in zip(compute, loss, strict=True)]
    path.write_text("compute,loss\n" + "".join(lines), encoding="utf-8")


def sweeps(path: Path, n_sweeps: int, rng: np.random.Generator) -> None:
    rows = ["sweep,run,compute,loss\n"]
    for s in range(n_sweeps):
        compute = np.geomspace(1e17, 1e21, 8) * 10 ** rng.uniform(-0.1, 0.1, 8)
        c_floor, b = 1.8 + rng.uniform(0, 0.2), -0.15 + rng.uniform(-0.02, 0.02)
        loss = (c_floor + 777.0 * compute**b) * np.exp(rng.normal(0.0, 0.005, 8))
        rows += [f"s{s},s{s}-{i},{c:.6g},{v:.6g}\n" for i, (c, v) in enumerate(zip(compute, loss, strict=True))]
    path.write_text("".join(rows), encoding="utf-8")


def chinchilla(path: Path, n: int, rng: np.random.Generator) -> None:
    params = 10 ** rng.uniform(7, 10, n)
    tokens = params * 10 ** rng.uniform(0, 2.5, n)
    loss = (1.69 + 406.4 / params**0.34 + 410.7 / tokens**0.28) * np.exp(rng.normal(0.0, 0.01, n))
    lines = [f"{p:.6g},{d:.6g},{v:.6g}\n" for p, d, v in zip(params, tokens, loss, strict=True)]
    path.write_text("params,tokens,loss\n" + "".join(lines), encoding="utf-8")


def pass_rates(path: Path, n_problems: int, n_runs: int, rng: np.random.Generator) -> None:
    compute = np.geomspace(1e18, 1e21, n_runs)
    difficulty = rng.lognormal(1.0, 1.0, n_problems)
    rows = ["run,compute,problem,n_samples,n_correct\n"]
    for r, c in enumerate(compute):
        rate = np.exp(-difficulty * (c / 1e18) ** -0.3)
        correct = rng.binomial(100, rate)
        rows += [f"m{r},{c:.6g},P{p},100,{k}\n" for p, k in enumerate(correct)]
    path.write_text("".join(rows), encoding="utf-8")


def series(name: str, sizes: list[int], make: object, args: list[str], folder: Path, timeout: float) -> None:
    """Run one command over growing inputs; print time, memory and growth exponent per size."""
    rng = np.random.default_rng(0)
    previous: tuple[int, float] | None = None
    for size in sizes:
        path = folder / f"{name}-{size}.csv"
        make(path, size, rng)  # type: ignore[operator]
        elapsed, peak, code = measure([args[0], str(path), *args[1:]], timeout)
        shown = "stopped" if elapsed is None else f"{elapsed:7.2f} s"
        growth = ""
        if elapsed is not None and previous is not None:
            growth = f"  growth exponent {math.log(elapsed / previous[1]) / math.log(size / previous[0]):.2f}"
        print(f"{name:9s} {size:>8,}  {shown}  peak {peak:6.0f} MB  exit {code}{growth}", flush=True)
        previous = None if elapsed is None else (size, elapsed)
        if elapsed is None:
            break


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="each series one size shorter")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before a run is stopped")
    options = parser.parse_args()
    cut = -1 if options.quick else None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        series("fit", [10, 100, 1_000, 10_000, 100_000][:cut], ladder, ["fit"], folder, options.timeout)
        series(
            "compare", [10, 100, 1_000, 10_000][:cut], sweeps, ["compare", "--by", "sweep", "--target", "1e24"],
            folder, options.timeout,
        )  # fmt: skip
        series(
            "optimal", [10, 100, 1_000, 10_000][:cut], chinchilla, ["optimal", "--budget", "1e23"], folder,
            options.timeout,
        )  # fmt: skip
        shapes = [(164, 8), (1_000, 20), (10_000, 50)][:cut]
        rng = np.random.default_rng(0)
        for problems, runs in shapes:
            path = folder / f"passrates-{problems}x{runs}.csv"
            pass_rates(path, problems, runs, rng)
            elapsed, peak, code = measure(["fit", str(path)], options.timeout)
            shown = "stopped" if elapsed is None else f"{elapsed:7.2f} s"
            print(f"passrate  {problems:>6,}x{runs:<3d} {shown}  peak {peak:6.0f} MB  exit {code}", flush=True)
        if SHARED.exists():
            elapsed, peak, code = measure(["optimal", str(SHARED), "--budget", "5.88e23"], options.timeout)
            shown = "stopped" if elapsed is None else f"{elapsed:7.2f} s"
            print(f"chinchilla real 240 points  {shown}  peak {peak:6.0f} MB  exit {code}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

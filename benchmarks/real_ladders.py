"""Backtests of the default command on real public ladders: fit the smaller runs, predict the larger ones.

    python benchmarks/real_ladders.py [--data ../shared/data] [--law auto]

Ladders, from the data in ``../shared/data`` (the script stops with a message when it is absent):

* Gadre et al. 2024, C4 validation loss, per training set (C4, RedPajama, RefinedWeb):
  ``M=20`` is the compute-optimal ladder (6 runs, 1.3e16 to 5.7e21 FLOP), fitted on its 4 or 5
  smallest runs; ``M=<k>`` every other tokens-per-parameter ladder with 5 runs, fitted on its 4
  smallest; ``frontier`` the compute-optimal frontier over all 30-odd runs of the set (each run
  with a lower loss than every run of less compute), fitted below 5e17 and below 3e18 FLOP.
* Hoffmann et al. 2022 (Chinchilla, Epoch AI's 245 points): the compute-optimal frontier, fitted
  below 1e19 and below 1e20 FLOP.

Each ladder is fitted as ``forecast fit`` does by default (``--law auto``, 2,000 replicates,
misspecification check on) and every larger run is predicted; the table gives, per ladder, the
law chosen, the mean and largest absolute relative error, how many held-out runs the 90% ``pi``
and ``ci`` hold, and whether the forecast carried a misspecification warning. The summary pools
every held-out run.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

from scaling_forecast.settings import FitSettings, Target
from scaling_forecast.tasks.ladder import fit_law

ROOT = Path(__file__).resolve().parents[1]
SETS = {"c4_original": "C4", "rpj": "RedPajama", "rw_original": "RefinedWeb"}


def frontier(compute: np.ndarray, loss: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The runs with a lower loss than every run of less compute."""
    order = np.argsort(compute, kind="stable")
    keep, best = [], np.inf
    for i in order:
        if loss[i] < best:
            keep.append(i)
            best = loss[i]
    return compute[keep], loss[keep]


def ladders(data: Path) -> list[tuple[str, np.ndarray, np.ndarray, float]]:
    """``(name, compute, loss, cut)``: runs up to ``cut`` FLOP are fitted, the larger ones predicted."""
    found = []
    with open(data / "gadre-overtrain" / "gadre_models.csv", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    for key, label in SETS.items():
        runs = [r for r in rows if r["dataset"] == key]
        for multiplier in sorted({float(r["tokens_per_param"]) for r in runs}):
            ladder = sorted(
                (float(r["flops_6ND"]), float(r["loss_c4_val"]))
                for r in runs
                if float(r["tokens_per_param"]) == multiplier
            )
            compute, loss = np.array(ladder).T
            if compute.size == 6:
                found.append((f"Gadre {label} M={multiplier:g}, 4 smallest", compute, loss, compute[3]))
                found.append((f"Gadre {label} M={multiplier:g}, 5 smallest", compute, loss, compute[4]))
            elif compute.size == 5:
                found.append((f"Gadre {label} M={multiplier:g}, 4 smallest", compute, loss, compute[3]))
        compute, loss = frontier(
            np.array([float(r["flops_6ND"]) for r in runs]), np.array([float(r["loss_c4_val"]) for r in runs])
        )
        for cut in (5e17, 3e18):
            found.append((f"Gadre {label} frontier, below {cut:.0e}", compute, loss, cut))
    with open(data / "chinchilla" / "chinchilla_points.csv", encoding="utf-8") as stream:
        points = list(csv.DictReader(stream))
    compute, loss = frontier(
        np.array([float(p["Training FLOP"]) for p in points]), np.array([float(p["loss"]) for p in points])
    )
    for cut in (1e19, 1e20):
        found.append((f"Chinchilla frontier, below {cut:.0e}", compute, loss, cut))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--law", default="auto")
    options = parser.parse_args()
    if not (options.data / "gadre-overtrain").is_dir():
        sys.exit(f"{options.data}: no gadre-overtrain folder here; give --data PATH to ../shared/data")
    print(f"--law {options.law}{' (the default)' if options.law == 'auto' else ''}, 90% intervals")
    header = ["ladder", "fitted", "law", "held out", "reach", "mean error", "max error", "`pi` holds", "`ci` holds"]
    print("| " + " | ".join([*header, "warning"]) + " |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---|")
    pooled: dict[str, list[float]] = {"error": [], "pi": [], "ci": [], "own": []}
    for name, compute, loss, cut in ladders(options.data):
        fitted = compute <= cut * (1 + 1e-9)
        held = ~fitted
        result = fit_law(
            compute[fitted], loss[fitted], FitSettings(law=options.law), tuple(Target(float(c)) for c in compute[held])
        )
        errors = np.array([abs(p.estimate - a) / a for p, a in zip(result.predictions, loss[held], strict=True)])
        in_pi = [p.pi[0] <= a <= p.pi[1] for p, a in zip(result.predictions, loss[held], strict=True)]
        in_ci = [p.ci[0] <= a <= p.ci[1] for p, a in zip(result.predictions, loss[held], strict=True)]
        if result.law_selection is not None:  # the chosen law's own pi: what the default reported before issue 12
            own = result.law_selection.candidate(result.law).predictions
            pooled["own"] += [
                p.pi is not None and p.pi[0] <= a <= p.pi[1] for p, a in zip(own, loss[held], strict=True)
            ]
        drift = result.fit.drift
        warning = "" if drift is None else ("drift" if drift.warned else ("too few runs" if drift.too_few else ""))
        reach = compute[held].max() / compute[fitted].max()
        cells = [name, str(int(fitted.sum())), result.law, str(int(held.sum())), f"{reach:,.0f}x"]
        cells += [
            f"{errors.mean():.2%}",
            f"{errors.max():.2%}",
            f"{sum(in_pi)}/{len(in_pi)}",
            f"{sum(in_ci)}/{len(in_ci)}",
        ]
        print("| " + " | ".join([*cells, warning]) + " |", flush=True)
        pooled["error"] += list(errors)
        pooled["pi"] += in_pi
        pooled["ci"] += in_ci
    error = np.array(pooled["error"])
    print(
        f"\n{error.size} held-out runs: mean absolute relative error {error.mean():.2%} "
        f"(median {np.median(error):.2%}), 90% pi holds {np.mean(pooled['pi']):.1%}, ci {np.mean(pooled['ci']):.1%}"
        + (f"; the chosen law's own pi alone holds {np.mean(pooled['own']):.1%}" if pooled["own"] else "")
    )


if __name__ == "__main__":
    main()
